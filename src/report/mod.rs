//! Output formats, one file each. Every format renders the same findings in the same order.

pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::lint::Finding;
use crate::model::Severity;
use crate::run::Outcome;

/// `--format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (default)
    Human,
    /// The stable JSON contract documented in the README
    Json,
}

/// `--fail-on`: the lowest severity that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Note => true,
            FailOn::Never => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    pub show_suppressed: bool,
    pub fail_on: FailOn,
}

/// Counts of active (unsuppressed) findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub suppressed: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        if f.suppressed.is_some() {
            c.suppressed += 1;
            continue;
        }
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
    }
    c
}

/// 0: nothing at or above `--fail-on`; 1: such findings; 2: an input or config error.
pub fn exit_code(outcome: &Outcome, fail_on: FailOn) -> i32 {
    if !outcome.errors.is_empty() {
        2
    } else if outcome
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && fail_on.fails(f.severity))
    {
        1
    } else {
        0
    }
}

pub fn render(format: Format, outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, opts, out),
        Format::Json => json::render(outcome, out),
    }
}
