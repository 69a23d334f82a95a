//! KPU006: parallelism is not a multiple of parallelism_per_kpu: paid slots sit idle.

use super::{plural, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "KPU006",
    name: "partial-kpu",
    severity: Severity::Note,
    doc: include_str!("../../rules/KPU006.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let (p, per) = (s.effective.parallelism, s.effective.parallelism_per_kpu);
    if !s.custom || p % per == 0 {
        return Vec::new();
    }
    let idle = s.kpus * per - p;
    let span = a
        .app
        .parallelism
        .parallelism
        .span()
        .cloned()
        .unwrap_or_else(|| super::parallelism_anchor(a));
    vec![Hit {
        span,
        label: format!("{idle} idle slot{}", plural(idle)),
        message: format!(
            "parallelism {p} with {per} slots per KPU needs {} KPU{}; {idle} of the last KPU's {per} slots {} paid for and idle",
            s.kpus,
            plural(s.kpus),
            if idle == 1 { "is" } else { "are" }
        ),
        help: recommendation_help(a).unwrap_or_default(),
        severity: None,
    }]
}
