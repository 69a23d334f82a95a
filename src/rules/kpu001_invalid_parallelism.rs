//! KPU001: `parallelism < 1`, `parallelism_per_kpu` outside 1..8, or either not whole.

use super::{Hit, RuleMeta};
use crate::analysis::{Analysis, MAX_PLAUSIBLE_PARALLELISM};
use crate::model::{Setting, Severity};
use crate::sizing::MAX_PARALLELISM_PER_KPU;
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU001",
    name: "invalid-parallelism",
    severity: Severity::Error,
    doc: include_str!("../../rules/KPU001.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let pc = &a.app.parallelism;
    let mut hits = Vec::new();
    if let Setting::Known { value, span, .. } = &pc.parallelism {
        let problem = if value.is_finite() && value.fract() != 0.0 {
            Some("is not a whole number".to_string())
        } else if *value < 1.0 {
            Some("is below the minimum of 1".to_string())
        } else if *value > MAX_PLAUSIBLE_PARALLELISM {
            Some(format!(
                "is above {}, beyond any KPU quota",
                fmt_num(MAX_PLAUSIBLE_PARALLELISM)
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            hits.push(Hit {
                span: span.clone(),
                label: "invalid parallelism".into(),
                message: format!(
                    "{} = {} {problem}; the application cannot be sized",
                    super::setting_name(a, "parallelism"),
                    shown(*value, span)
                ),
                help: format!(
                    "set {} to a whole number of at least 1",
                    super::setting_name(a, "parallelism")
                ),
                severity: None,
            });
        }
    }
    if let Setting::Known { value, span, .. } = &pc.parallelism_per_kpu {
        let problem = if value.is_finite() && value.fract() != 0.0 {
            Some("is not a whole number".to_string())
        } else if *value < 1.0 || *value > MAX_PARALLELISM_PER_KPU as f64 {
            Some(format!(
                "is outside 1..{MAX_PARALLELISM_PER_KPU}: the service allows at most {MAX_PARALLELISM_PER_KPU} slots per KPU, although Terraform and CloudFormation only check that it is at least 1"
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            hits.push(Hit {
                span: span.clone(),
                label: "must be a whole number from 1 to 8".into(),
                message: format!(
                    "{} = {} {problem}{}",
                    super::setting_name(a, "parallelism_per_kpu"),
                    shown(*value, span),
                    not_sized_note(a)
                ),
                help: format!(
                    "set {} to a whole number from 1 to {MAX_PARALLELISM_PER_KPU}",
                    super::setting_name(a, "parallelism_per_kpu")
                ),
                severity: None,
            });
        }
    }
    hits
}

/// A value as printed: a number beyond f64 range (`1e400`, kept as a number as Terraform keeps
/// it) by its literal, or by the expression that gave it.
fn shown(value: f64, span: &crate::source::Span) -> String {
    if value.is_finite() {
        return fmt_num(value);
    }
    let beyond = if value > 0.0 { "above 1.8e308" } else { "below -1.8e308" };
    match span.text() {
        t if t.trim_start_matches('-').parse::<f64>().is_ok() => t.to_string(),
        t if !t.is_empty() && t.len() <= 60 && !t.contains('\n') => format!("{t} (a number {beyond})"),
        _ => format!("a number {beyond}"),
    }
}

/// Under `CUSTOM` an invalid value leaves the application unsized; under `DEFAULT` the service
/// ignores it (and KPU002 says so).
fn not_sized_note(a: &Analysis) -> &'static str {
    if a.sizing.is_err() {
        "; the application cannot be sized"
    } else {
        ""
    }
}
