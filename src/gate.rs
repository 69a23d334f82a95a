//! Gates: the limits that decide a run's exit code 1 (`--fail-on`, `--baseline`,
//! `--fail-on-empty`, and for `kpulint diff` `--fail-on-cost-increase`), each with the value the
//! run found, so every report can say which limit failed and by how much (JSON
//! `summary.gates`). Pure: counts in, gates out.

use serde::Serialize;

use crate::lint::Finding;
use crate::report::FailOn;

/// One limit and what the run measured against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// `fail-on`, `baseline`, `fail-on-empty` or `fail-on-cost-increase`.
    pub name: &'static str,
    /// The limit as the flag or config sets it (`warning`, `5%`, `$100.00`, a baseline file).
    pub limit: String,
    /// What the run measured, in the limit's unit: a count of findings or applications, a
    /// percentage or dollars per month; `null` when it is not a number (an increase from $0
    /// against a percentage).
    pub value: Option<serde_json::Value>,
    pub passed: bool,
    /// The same in words: `--fail-on warning: 2 findings at or above warning`.
    pub message: String,
}

impl Gate {
    /// `gate failed: --fail-on warning: 2 findings at or above warning`
    pub fn failure_line(&self) -> String {
        format!("gate failed: {}", self.message)
    }
}

/// The gates that failed, in order.
pub fn failed(gates: &[Gate]) -> impl Iterator<Item = &Gate> {
    gates.iter().filter(|g| !g.passed)
}

/// `warning`, `error`, …: the level as `--fail-on` spells it.
pub fn level(fail_on: FailOn) -> &'static str {
    match fail_on {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Note => "note",
        FailOn::Never => "never",
    }
}

fn findings_text(n: usize) -> String {
    format!("{n} finding{}", crate::rules::plural(n as u64))
}

/// `--fail-on LEVEL`: the active findings at or above the level (suppressed and
/// baseline-accepted ones never count).
pub fn fail_on(findings: &[Finding], fail_on: FailOn) -> Gate {
    let n = findings
        .iter()
        .filter(|f| f.suppressed.is_none() && fail_on.fails(f.severity))
        .count();
    let level = level(fail_on);
    Gate {
        name: "fail-on",
        limit: level.to_string(),
        value: Some(n.into()),
        passed: n == 0,
        message: format!("--fail-on {level}: {} at or above {level}", findings_text(n)),
    }
}

/// `--baseline FILE`: the findings at or above `--fail-on` that the baseline does not accept.
pub fn baseline(findings: &[Finding], fail_on: FailOn, file: &str) -> Gate {
    let n = findings
        .iter()
        .filter(|f| f.suppressed.is_none() && fail_on.fails(f.severity))
        .count();
    Gate {
        name: "baseline",
        limit: file.to_string(),
        value: Some(n.into()),
        passed: n == 0,
        message: format!(
            "--baseline {file}: {} at or above {} not in the baseline",
            findings_text(n),
            level(fail_on)
        ),
    }
}

/// `--fail-on-empty` (or `fail_on_empty = true`): a run must find at least one application.
pub fn fail_on_empty(applications: usize) -> Gate {
    Gate {
        name: "fail-on-empty",
        limit: "1 application".to_string(),
        value: Some(applications.into()),
        passed: applications > 0,
        message: format!(
            "--fail-on-empty: {applications} application{} found",
            crate::rules::plural(applications as u64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_gate_passes_with_one_application() {
        assert!(fail_on_empty(1).passed);
        let g = fail_on_empty(0);
        assert!(!g.passed);
        assert_eq!(g.failure_line(), "gate failed: --fail-on-empty: 0 applications found");
        assert_eq!(g.value, Some(0.into()));
    }

    #[test]
    fn fail_on_counts_nothing_without_findings() {
        let g = fail_on(&[], FailOn::Warning);
        assert!(g.passed);
        assert_eq!(g.message, "--fail-on warning: 0 findings at or above warning");
    }
}
