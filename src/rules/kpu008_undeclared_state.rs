//! KPU008: a sized application without a declared state size.

use super::{Hit, RuleMeta};
use crate::analysis::{Analysis, TAG_STATE_SIZE};
use crate::model::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "KPU008",
    name: "undeclared-state",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU008.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    if a.sizing.is_err() || a.state_size.is_some() {
        return Vec::new();
    }
    vec![Hit {
        span: a.app.span.clone(),
        label: "no declared state size".into(),
        message: format!("{} has no declared state size, so its storage sizing cannot be checked", a.app.address),
        help: format!(
            "declare it with a `# kpulint: state_size=240GB` comment above the resource, a \"{TAG_STATE_SIZE}\" tag, or an `application \"{}\" {{ state_size = \"240GB\" }}` block in .kpulint.hcl",
            a.app.address
        ),
    }]
}
