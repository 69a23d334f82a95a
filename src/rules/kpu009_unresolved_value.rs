//! KPU009: a sizing value could not be evaluated; it is reported, never guessed.

use super::{Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::{Setting, Severity, Unresolved};
use crate::source::Span;

pub const META: RuleMeta = RuleMeta {
    id: "KPU009",
    name: "unresolved-value",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU009.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let app = &a.app;
    let pc = &app.parallelism;
    fn u<'s, T>(name: &'static str, s: &'s Setting<T>) -> Option<(&'static str, &'s Span, &'s Unresolved)> {
        match s {
            Setting::Unknown { span, reason } => Some((name, span, reason)),
            _ => None,
        }
    }
    let mut unknown: Vec<(&str, &Span, &Unresolved)> = Vec::new();
    unknown.extend(u("configuration_type", &pc.configuration_type));
    // Parallelism values matter only when the configuration type is CUSTOM (or unknown).
    let default = matches!(&pc.configuration_type, Setting::Absent)
        || matches!(&pc.configuration_type, Setting::Known { value, .. } if value == "DEFAULT");
    if !default {
        unknown.extend(u("parallelism", &pc.parallelism));
        unknown.extend(u("parallelism_per_kpu", &pc.parallelism_per_kpu));
        unknown.extend(u("auto_scaling_enabled", &pc.auto_scaling_enabled));
    }
    unknown.extend(u("runtime_environment", &app.runtime_environment));
    unknown
        .into_iter()
        .map(|(name, span, reason)| Hit {
            span: span.clone(),
            label: "cannot be evaluated".into(),
            message: format!("{name} of {} cannot be evaluated: {}", app.address, reason.what),
            help: reason.hint.clone(),
        })
        .collect()
}
