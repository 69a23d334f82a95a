//! KPU007: the application needs more KPUs than the KPU quota allows.

use super::{parallelism_anchor, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "KPU007",
    name: "kpu-quota",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU007.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let (Ok(s), Some(rec)) = (&a.sizing, &a.recommendation) else {
        return Vec::new();
    };
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
    // Never fewer KPUs than the declared needs: past the quota, the quota has to grow.
    let help = if rec.kpus > quota {
        format!(
            "request a KPU quota increase from AWS for at least {} KPUs (the declared needs), then set kpu_quota in .kpulint.hcl",
            rec.kpus
        )
    } else {
        match recommendation_help(a) {
            Some(h) => format!("{h}; or request a KPU quota increase from AWS and set kpu_quota in .kpulint.hcl"),
            None => "request a KPU quota increase from AWS and set kpu_quota in .kpulint.hcl".into(),
        }
    };
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPUs > quota {quota}", s.kpus),
        message: format!(
            "parallelism {} with {per} per KPU needs {} KPUs, above the KPU quota of {quota} per application{autoscale}",
            s.effective.parallelism, s.kpus
        ),
        help,
        severity: None,
    }]
}
