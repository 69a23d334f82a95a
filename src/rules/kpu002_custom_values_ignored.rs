//! KPU002: parallelism values written while `configuration_type = "DEFAULT"`.

use super::{recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::{Setting, Severity};
use crate::sizing::SERVICE_DEFAULT;

pub const META: RuleMeta = RuleMeta {
    id: "KPU002",
    name: "custom-values-ignored",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU002.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let pc = &a.app.parallelism;
    let Setting::Known { value, span, .. } = &pc.configuration_type else {
        return Vec::new();
    };
    if value != "DEFAULT" {
        return Vec::new();
    }
    // A value equal to what the service runs anyway is ignored harmlessly.
    let d = SERVICE_DEFAULT;
    let differs = |s: &Setting<f64>, default: u64| s.is_written() && s.value() != Some(&(default as f64));
    let written: Vec<&str> = [
        ("parallelism", differs(&pc.parallelism, d.parallelism)),
        (
            "parallelism_per_kpu",
            differs(&pc.parallelism_per_kpu, d.parallelism_per_kpu),
        ),
        (
            "auto_scaling_enabled",
            pc.auto_scaling_enabled.is_written() && pc.auto_scaling_enabled.value() != Some(&d.auto_scaling),
        ),
    ]
    .into_iter()
    .filter_map(|(name, w)| w.then_some(super::setting_name(a, name)))
    .collect();
    if written.is_empty() {
        return Vec::new();
    }
    let list = written.join(", ");
    let configuration_type = super::setting_name(a, "configuration_type");
    vec![Hit {
        span: span.clone(),
        label: "DEFAULT ignores the values below".into(),
        message: format!(
            "{configuration_type} is \"DEFAULT\": the service ignores the {list} written here and runs parallelism 1, 1 per KPU, autoscaling on"
        ),
        help: help(a, &list),
        severity: None,
    }]
}

/// The application's recommendation: CUSTOM with the values it needs, or, when the service
/// defaults meet the declared needs (or none is declared), deleting what DEFAULT ignores.
fn help(a: &Analysis, list: &str) -> String {
    if let Some(h) = recommendation_help(a) {
        return h;
    }
    if a.state_size.is_some() || a.compute_declared() {
        format!("delete the {list}: the service defaults meet the declared needs")
    } else {
        format!(
            "delete the {list}, or declare the job's needs (state_size, required_parallelism) to size a CUSTOM configuration"
        )
    }
}
