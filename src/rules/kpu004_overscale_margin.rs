//! KPU004: configured KPUs exceed the declared need by more than the overscale margin.

use super::{parallelism_anchor, pct, plural, usd, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::kpu_month_usd;

pub const META: RuleMeta = RuleMeta {
    id: "KPU004",
    name: "overscale-margin",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU004.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let Some(needed) = s.needed_kpus().filter(|n| *n > 0) else {
        return Vec::new();
    };
    if s.kpus <= needed {
        return Vec::new();
    }
    let margin = s.kpus as f64 / needed as f64 - 1.0;
    if margin <= a.thresholds().overscale_margin + 1e-12 {
        return Vec::new();
    }
    let extra = s.kpus - needed;
    let cost = extra as f64 * kpu_month_usd(&a.prices);
    let fit = needed * s.effective.parallelism_per_kpu;
    let mut why = Vec::new();
    if let (Some(k), Some(state)) = (s.storage_kpus, &a.state_size) {
        why.push(format!("{k} for {} of state", crate::units::Bytes(state.value.0)));
    }
    if let (Some(k), Some(r)) = (s.compute_kpus, &a.required_parallelism) {
        why.push(format!("{k} for required parallelism {}", r.value));
    }
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPUs, {} needed", s.kpus, needed),
        message: format!(
            "parallelism {} buys {} KPUs, {} above the {} needed ({}): {} extra KPU{} {} {}/month; parallelism {fit} would fit",
            s.effective.parallelism,
            s.kpus,
            pct(margin),
            needed,
            why.join(", "),
            extra,
            plural(extra),
            if extra == 1 { "costs" } else { "cost" },
            usd(cost)
        ),
        help: format!(
            "set parallelism = {fit} ({needed} KPU{}){}; {}",
            plural(needed),
            if s.custom {
                ""
            } else {
                " with configuration_type = \"CUSTOM\""
            },
            if s.effective.auto_scaling {
                "autoscaling already adds KPUs when CPU stays above 75%"
            } else {
                "or enable autoscaling instead of a fixed margin"
            }
        ),
    }]
}
