//! KPU016: declared needs that take more slots than the job's declared max parallelism allows,
//! even at one slot per KPU: no configuration meets them, so the recommendation does not size
//! for them and this finding names the conflict.

use super::{parallelism_anchor, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "KPU016",
    name: "needs-above-max-parallelism",
    severity: Severity::Error,
    doc: include_str!("../../rules/KPU016.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Some(c) = a.recommendation.as_ref().and_then(|r| r.conflict.as_ref()) else {
        return Vec::new();
    };
    let needed = c.needed_parallelism();
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("needs parallelism {needed} > max parallelism {}", c.max_parallelism),
        message: format!(
            "the declared needs cannot be met: {}, and keyed state cannot be rescaled above it; no parallelism and parallelism_per_kpu meet both",
            c.describe()
        ),
        help: format!(
            "raise the job's max parallelism to at least {needed} and declare it, or correct the declaration; until then the recommendation does not size for the need{} above it",
            if c.needs.len() == 1 { "" } else { "s" }
        ),
        severity: None,
    }]
}
