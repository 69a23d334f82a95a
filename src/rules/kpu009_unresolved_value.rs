//! KPU009: a sizing value could not be evaluated; it is reported, never guessed.

use super::{Hit, RuleMeta};
use crate::analysis::{Analysis, TAG_IGNORE, TAG_REQUIRED_PARALLELISM, TAG_STATE_SIZE};
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
    // The region picks the prices; declarations decide what the sizing rules can check.
    unknown.extend(u("region", &app.region));
    for tag in app
        .tags
        .iter()
        .filter(|t| [TAG_STATE_SIZE, TAG_REQUIRED_PARALLELISM, TAG_IGNORE].contains(&t.key.as_str()))
    {
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
            message: format!("{name} of {} cannot be evaluated: {}", app.address, reason.what),
            help: if terraform && !reason.hint.contains("--var-file") {
                format!(
                    "{}; or make it a variable and pass --var NAME=VALUE or --var-file FILE",
                    reason.hint
                )
            } else {
                reason.hint.clone()
            },
        })
        .collect()
}

fn tag_name(key: &str) -> &'static str {
    match key {
        TAG_STATE_SIZE => "the \"kpulint:state_size\" tag",
        TAG_REQUIRED_PARALLELISM => "the \"kpulint:required_parallelism\" tag",
        _ => "the \"kpulint:ignore\" tag",
    }
}
