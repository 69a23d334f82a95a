//! KPU008: a sized application without a declared state size.

use super::{Hit, RuleMeta};
use crate::analysis::{Analysis, TAG_STATE_SIZE};
use crate::model::{InputFormat, Setting, Severity};

pub const META: RuleMeta = RuleMeta {
    id: "KPU008",
    name: "undeclared-state",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU008.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    // A rejected declaration is already an input error; one mistake gets one report.
    if a.sizing.is_err() || a.state_size.is_some() || a.state_size_rejected {
        return Vec::new();
    }
    // A state tag that cannot be evaluated is KPU009's finding, not a missing declaration.
    if a.app
        .tag(TAG_STATE_SIZE)
        .is_some_and(|t| matches!(t.value, Setting::Unknown { .. }))
    {
        return Vec::new();
    }
    let how = match a.app.format {
        InputFormat::CloudformationJson => format!(
            "declare it in the resource's Metadata (`\"kpulint\": {{ \"state_size\": \"240GB\" }}`), a \"{TAG_STATE_SIZE}\" tag, or an `application \"{}\" {{ state_size = \"240GB\" }}` block in .kpulint.hcl",
            a.app.instance
        ),
        InputFormat::TerraformJson | InputFormat::TerraformPlan => format!(
            "declare it with a \"{TAG_STATE_SIZE}\" tag or an `application \"{}\" {{ state_size = \"240GB\" }}` block in .kpulint.hcl",
            a.app.instance
        ),
        _ => format!(
            "declare it with a `# kpulint: state_size=240GB` comment above the resource, a \"{TAG_STATE_SIZE}\" tag, or an `application \"{}\" {{ state_size = \"240GB\" }}` block in .kpulint.hcl",
            a.app.instance
        ),
    };
    vec![Hit {
        span: a.app.span.clone(),
        label: "no declared state size".into(),
        message: format!(
            "{} has no declared state size, so its storage sizing cannot be checked",
            a.app.instance
        ),
        help: how,
        severity: None,
    }]
}
