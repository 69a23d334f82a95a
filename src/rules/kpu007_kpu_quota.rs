//! KPU007: the application needs more KPUs than the KPU quota allows.

use super::{parallelism_anchor, recommendation_help, Hit, RuleMeta};
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
    let Ok(s) = &a.sizing else {
        return Vec::new();
    };
    let quota = a.thresholds().kpu_quota;
    // Today's KPUs above the quota, or declared needs that no density fits within it.
    let needs_above_quota = a.recommendation.as_ref().filter(|r| r.kpus > quota);
    if s.kpus <= quota && needs_above_quota.is_none() {
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
    let help = if let Some(rec) = a.recommendation.as_ref().filter(|r| r.kpus > quota) {
        // The densest parallelism_per_kpu needs the smallest increase (storage is not dense).
        let densest =
            crate::analysis::compute_kpus(&a.declarations(), MAX_PARALLELISM_PER_KPU, a.thresholds().target_margin)
                .unwrap_or(0)
                .max(s.storage_kpus.unwrap_or(0))
                .max(1);
        let denser = if densest < rec.kpus {
            format!(
                "; at {MAX_PARALLELISM_PER_KPU} slots per KPU {densest} would do, if each subtask can run on 1/{MAX_PARALLELISM_PER_KPU} vCPU"
            )
        } else {
            String::new()
        };
        format!(
            "request a KPU quota increase from AWS for at least {} KPUs (the declared needs at {} per KPU{denser}), then set kpu_quota in .kpulint.hcl",
            rec.kpus, rec.parallelism_per_kpu
        )
    } else {
        match recommendation_help(a) {
            Some(h) => format!("{h}; or request a KPU quota increase from AWS and set kpu_quota in .kpulint.hcl"),
            None => "request a KPU quota increase from AWS and set kpu_quota in .kpulint.hcl".into(),
        }
    };
    if let Some(rec) = needs_above_quota.filter(|_| s.kpus <= quota) {
        let within = match &a.max_parallelism {
            Some(m) if rec.parallelism_per_kpu < MAX_PARALLELISM_PER_KPU => {
                format!(
                    " (at most {} per KPU within max parallelism {})",
                    rec.parallelism_per_kpu, m.value
                )
            }
            _ => format!(" even at {MAX_PARALLELISM_PER_KPU} per KPU"),
        };
        return vec![Hit {
            span: parallelism_anchor(a),
            label: format!("needs {} KPUs > quota {quota}", rec.kpus),
            message: format!(
                "the declared needs take {} KPUs{within}, above the KPU quota of {quota} per application: no configuration meets them within it",
                rec.kpus
            ),
            help,
            severity: None,
        }];
    }
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
