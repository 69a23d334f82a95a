//! KPU009: a sizing value could not be evaluated; it is reported, never guessed.

use super::{Hit, RuleMeta};
use crate::analysis::{Analysis, KPULINT_TAGS, TAG_IGNORE};
use crate::model::{InputFormat, Setting, Severity, Unresolved};
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
    fn u<'s, T>(name: &'static str, s: &'s Setting<T>) -> Option<(String, &'s Span, &'s Unresolved)> {
        match s {
            Setting::Unknown { span, reason } => Some((name.to_string(), span, reason)),
            _ => None,
        }
    }
    let mut unknown: Vec<(String, &Span, &Unresolved)> = Vec::new();
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
    // The region only picks the prices: when the sizing is known, an unresolved region is a
    // notice (the costs use the default region's prices), not a finding.
    if a.sizing.is_err() {
        unknown.extend(u("region", &app.region));
    }
    // Declarations decide what the sizing rules can check.
    for tag in app.tags.iter().filter(|t| KPULINT_TAGS.contains(&t.key.as_str())) {
        if let Setting::Unknown { span, reason } = &tag.value {
            unknown.push((tag_name(&tag.key), span, reason));
        }
    }
    let terraform = matches!(app.format, InputFormat::TerraformHcl | InputFormat::TerraformJson);
    unknown
        .into_iter()
        .map(|(name, span, reason)| Hit {
            span: span.clone(),
            label: "cannot be evaluated".into(),
            message: format!("{name} of {} cannot be evaluated: {}", app.instance, reason.what),
            help: if terraform && !reason.hint.contains("--var-file") && !reason.hint.starts_with("fix ") {
                format!(
                    "{}; or make it a variable and pass --var NAME=VALUE or --var-file FILE",
                    reason.hint
                )
            } else {
                reason.hint.clone()
            },
            severity: None,
        })
        .collect()
}

fn tag_name(key: &str) -> String {
    let known = KPULINT_TAGS.iter().find(|t| **t == key).copied().unwrap_or(TAG_IGNORE);
    format!("the \"{known}\" tag")
}
