//! Output formats, one file each. Every format renders the same findings in the same order.

pub mod checkstyle;
pub mod compact;
pub mod cost_csv;
pub mod cost_human;
pub mod cost_json;
pub mod cost_markdown;
mod cost_table;
mod diff_cells;
pub mod diff_human;
pub mod diff_json;
pub mod diff_markdown;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
mod table;
pub use table::problems;
pub mod whatif_human;
pub mod whatif_json;
pub mod whatif_markdown;
mod whatif_table;

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
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request
    Github,
    /// JUnit XML: one test case per application, a failure per finding at or above --fail-on
    Junit,
    /// Checkstyle XML, as reviewdog and other checkstyle readers expect
    Checkstyle,
    /// One line per finding: `file:line:col: severity[RULE] message`
    Compact,
}

/// `kpulint what-if --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhatIfFormat {
    /// Headline, side-by-side table and Δ split per application (default)
    Human,
    /// Every figure as numbers (documented in the README)
    Json,
    /// GitHub-flavoured Markdown, for a pull-request comment
    Markdown,
}

/// `kpulint cost --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CostFormat {
    /// An aligned table with a total row (default)
    Human,
    /// Rows and total as numbers
    Json,
    /// A GitHub-flavoured Markdown table
    Markdown,
    /// RFC 4180 CSV: a header record, one record per application, a total record
    Csv,
}

/// Renders a what-if report.
pub fn render_what_if(
    format: WhatIfFormat,
    w: &crate::whatif::WhatIf<'_>,
    flags: &[crate::whatif::Flag],
    errors: &[crate::model::InputError],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        WhatIfFormat::Human => escape::to_terminal(out, |o| whatif_human::render(w, errors, o)),
        WhatIfFormat::Json => whatif_json::render(w, flags, errors, out),
        WhatIfFormat::Markdown => whatif_markdown::render(w, errors, out),
    }
}

/// Renders the fleet cost table.
pub fn render_cost(format: CostFormat, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let t = crate::cost::cost_table(&outcome.analyses);
    match format {
        CostFormat::Human => escape::to_terminal(out, |o| cost_human::render(&t, &outcome.errors, &outcome.notices, o)),
        CostFormat::Json => cost_json::render(&t, &outcome.errors, &outcome.notices, out),
        CostFormat::Markdown => cost_markdown::render(&t, &outcome.errors, &outcome.notices, out),
        CostFormat::Csv => cost_csv::render(&t, out),
    }
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

/// Monthly cost today and recommended, over the applications whose both costs are known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FleetCost {
    pub applications: usize,
    pub monthly_cost_usd: f64,
    pub recommended_monthly_cost_usd: f64,
    /// What the `safe: true` recommendations save: confirmed by the declared needs.
    pub savings_usd: f64,
    /// What the other recommendations would save once their confirm notes are checked.
    pub unconfirmed_savings_usd: f64,
}

pub fn fleet_cost(analyses: &[crate::analysis::Analysis]) -> FleetCost {
    let mut f = FleetCost::default();
    // Whole cents, so the two savings add up to today − recommended exactly.
    let (mut now_cents, mut then_cents, mut unconfirmed_cents) = (0i64, 0i64, 0i64);
    let cents = |usd: f64| (usd * 100.0).round() as i64;
    for a in analyses {
        let now = a.sizing.as_ref().ok().and_then(|s| s.monthly_cost_usd);
        let rec = a.recommendation.as_ref();
        if let (Some(now), Some(then), Some(r)) = (now, rec.and_then(|r| r.monthly_cost_usd), rec) {
            f.applications += 1;
            now_cents += cents(now);
            then_cents += cents(then);
            if !r.safe {
                unconfirmed_cents += cents(now) - cents(then);
            }
        }
    }
    f.monthly_cost_usd = now_cents as f64 / 100.0;
    f.recommended_monthly_cost_usd = then_cents as f64 / 100.0;
    f.unconfirmed_savings_usd = unconfirmed_cents as f64 / 100.0;
    f.savings_usd = (now_cents - then_cents - unconfirmed_cents) as f64 / 100.0;
    f
}

/// A notice as one line of text for a terminal: `path:line:column: message`, or the message
/// alone (unsafe characters shown escaped).
pub fn notice_text(n: &crate::model::Notice) -> String {
    match &n.span {
        Some(s) => {
            let l = s.location();
            format!(
                "{}:{}:{}: {}",
                escape::terminal_line(s.path()),
                l.line,
                l.column,
                escape::terminal(&n.message)
            )
        }
        None => escape::terminal(&n.message).into_owned(),
    }
}

/// What `--fix` changed, as one line:
/// `fixed 3 findings: main.tf: configuration_type DEFAULT → CUSTOM, + parallelism = 10; b.tfvars: p 12 → 10`.
/// Changes to applications without a finding (an unsafe recommendation no finding asked for)
/// are counted apart, so the count of fixed findings never stands before changes it did not make.
pub fn fix_line(fix: &crate::fix::apply::FixReport) -> String {
    let files = |changes: &[(String, Vec<String>)]| -> String {
        changes
            .iter()
            .map(|(file, changes)| {
                format!(
                    "{}: {}",
                    escape::terminal_line(file),
                    escape::terminal(&changes.join(", "))
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut parts = Vec::new();
    if fix.changes.is_empty() && fix.fixed > 0 {
        parts.push(format!("fixed {} finding{}", fix.fixed, plural(fix.fixed)));
    }
    if !fix.changes.is_empty() {
        parts.push(if fix.fixed > 0 {
            format!(
                "fixed {} finding{}: {}",
                fix.fixed,
                plural(fix.fixed),
                files(&fix.changes)
            )
        } else {
            format!("applied fixes that resolve no finding: {}", files(&fix.changes))
        });
    }
    if !fix.without_finding.is_empty() {
        let n = fix.applications_without_finding;
        parts.push(format!(
            "applied the recommendation of {n} application{} without a finding: {}",
            plural(n),
            files(&fix.without_finding)
        ));
    }
    if parts.is_empty() {
        format!("fixed {} finding{}: nothing to change", fix.fixed, plural(fix.fixed))
    } else {
        parts.join("; ")
    }
}

/// 0: every gate passed (nothing at or above `--fail-on`, ...); 1: a gate failed; 2: an input
/// or config error.
pub fn exit_code(outcome: &Outcome) -> i32 {
    if !outcome.errors.is_empty() {
        2
    } else if crate::gate::failed(&outcome.gates).next().is_some() {
        1
    } else {
        0
    }
}

pub fn render(format: Format, outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, opts, out),
        Format::Json => json::render(outcome, out),
        Format::Sarif => sarif::render(outcome, out),
        Format::Github => github::render(outcome, out),
        Format::Junit => junit::render(outcome, opts, out),
        Format::Checkstyle => checkstyle::render(outcome, out),
        Format::Compact => compact::render(outcome, out),
    }
}

/// Escapes an XML 1.0 attribute value: `& < > " '` become entities; tab, newline and carriage
/// return become character references, which survive attribute-value normalisation; the other
/// characters XML 1.0 forbids are dropped.
fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

/// Escapes XML 1.0 element text: as [`xml_attr`], but tab and newline stay as they are.
fn xml_text(s: &str) -> String {
    xml_escape(s, false)
}

fn xml_escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A path as the CI formats write it: forward slashes on every platform.
/// Where a finding's values were written in another file than the finding (a tfvars entry, a
/// module argument, a variable default), each with the note the single-location formats
/// (`github`, `compact`, `checkstyle`) put there, so a change to that file is annotated where
/// it is: "value for parallelism of envs/prod:module.x.aws_...this set here".
fn value_origins(f: &Finding) -> Vec<(&crate::source::Span, String)> {
    let app = f
        .instance
        .as_deref()
        .or(f.application.as_deref())
        .unwrap_or("the application");
    f.related
        .iter()
        .filter(|r| r.span.path() != f.span.path())
        .filter_map(|r| Some((&r.span, format!("value for {} of {app} set here", r.value_of?))))
        .collect()
}

fn slash_path(path: &str) -> String {
    if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_entities_and_forbidden_characters() {
        assert_eq!(
            xml_attr("a & b < c > d \"e\" 'f'"),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(xml_attr("x\u{1}y\u{b}z\u{ffff}\u{7f}"), "xyz\u{7f}");
        assert_eq!(xml_attr("l1\nl2\tt\r"), "l1&#10;l2&#9;t&#13;");
        assert_eq!(xml_text("l1\nl2\tt\r<"), "l1\nl2\tt&#13;&lt;");
        assert_eq!(xml_text("é ✓"), "é ✓");
    }
}
