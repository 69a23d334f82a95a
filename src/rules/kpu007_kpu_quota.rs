//! KPU007: the application needs more KPUs than the KPU quota allows.

use super::{parallelism_anchor, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::MAX_PARALLELISM_PER_KPU;

pub const META: RuleMeta = RuleMeta {
    id: "KPU007",
    name: "kpu-quota",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU007.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let quota = a.thresholds().kpu_quota;
    if s.kpus <= quota {
        return Vec::new();
    }
    let per = s.effective.parallelism_per_kpu;
    let autoscale = if s.effective.auto_scaling {
        format!(
            "; autoscaling can never go above parallelism {} ({per} × {quota})",
            s.autoscale_ceiling_parallelism
        )
    } else {
        String::new()
    };
    let denser = if per < MAX_PARALLELISM_PER_KPU {
        format!("raise parallelism_per_kpu (at most {MAX_PARALLELISM_PER_KPU}), or ")
    } else {
        String::new()
    };
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPUs > quota {quota}", s.kpus),
        message: format!(
            "parallelism {} with {per} per KPU needs {} KPUs, above the KPU quota of {quota} per application{autoscale}",
            s.effective.parallelism, s.kpus
        ),
        help: format!("{denser}request a KPU quota increase from AWS and set kpu_quota in .kpulint.hcl"),
    }]
}
