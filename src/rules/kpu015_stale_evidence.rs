//! KPU015: the application's CloudWatch evidence is too old, covers too short a window, or
//! lacks a metric: it is used for nothing but this note.

use super::{Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "KPU015",
    name: "stale-evidence",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU015.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Some(m) = a.measurement.as_deref().filter(|m| !m.stale.is_empty()) else {
        return Vec::new();
    };
    vec![Hit {
        span: a.app.span.clone(),
        label: "evidence not used".into(),
        message: format!(
            "the evidence for {} in {} is not used: {}",
            a.app.instance,
            m.file_list(),
            m.stale.join("; ")
        ),
        help: "export it again for the last 14 days: `kpulint evidence queries --output queries.json`, then `aws cloudwatch get-metric-data --cli-input-json file://queries.json`; until then the needs are what is declared".into(),
        severity: None,
    }]
}
