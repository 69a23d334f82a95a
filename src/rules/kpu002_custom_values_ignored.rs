//! KPU002: parallelism values written while `configuration_type = "DEFAULT"`.

use super::{Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::{Setting, Severity};

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
    let written: Vec<&str> = [
        ("parallelism", pc.parallelism.is_written()),
        ("parallelism_per_kpu", pc.parallelism_per_kpu.is_written()),
        ("auto_scaling_enabled", pc.auto_scaling_enabled.is_written()),
    ]
    .into_iter()
    .filter_map(|(name, w)| w.then_some(name))
    .collect();
    if written.is_empty() {
        return Vec::new();
    }
    let list = written.join(", ");
    vec![Hit {
        span: span.clone(),
        label: "DEFAULT ignores the values below".into(),
        message: format!(
            "configuration_type is \"DEFAULT\": the service ignores the {list} written here and runs parallelism 1, 1 per KPU, autoscaling on"
        ),
        help: format!("set configuration_type = \"CUSTOM\" for {list} to take effect, or delete them"),
    }]
}
