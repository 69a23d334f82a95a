//! KPU004: configured KPUs exceed the need by more than the overscale margin.
//! A margin is measured against a compute need: without one declared or measured, the rule is
//! silent.

use super::{parallelism_anchor, pct, plural, recommendation_help, usd, Hit, RuleMeta};
use crate::analysis::{compute_kpus, Analysis};
use crate::model::Severity;
use crate::needs::StorageNeed;
use crate::recommend::storage_arithmetic;
use crate::sizing::kpu_month_usd;

pub const META: RuleMeta = RuleMeta {
    id: "KPU004",
    name: "overscale-margin",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU004.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else {
        return Vec::new();
    };
    let t = a.thresholds();
    let needs = a.needs();
    // The need at today's parallelism_per_kpu, with the configured target margin on top.
    let Some(compute) = compute_kpus(&needs, s.effective.parallelism_per_kpu, t.target_margin) else {
        return Vec::new();
    };
    let needed = compute.max(s.storage_kpus.unwrap_or(0)).max(1);
    if s.kpus <= needed {
        return Vec::new();
    }
    let margin = s.kpus as f64 / needed as f64 - 1.0;
    if margin <= t.overscale_margin + 1e-12 {
        return Vec::new();
    }
    let extra = s.kpus - needed;
    let cost = match &a.prices {
        Some(p) => format!(
            "{} {}/month",
            if extra == 1 { "costs" } else { "cost" },
            usd(extra as f64 * kpu_month_usd(p, t.hours_per_month))
        ),
        None => format!(
            "{} an unknown amount ({})",
            if extra == 1 { "costs" } else { "cost" },
            super::no_cost_why(a)
        ),
    };
    let mut why = Vec::new();
    match (s.storage_kpus, needs.storage()) {
        (Some(k), Some(StorageNeed::State(state))) => why.push(format!(
            "{} for the state",
            storage_arithmetic(state, t.storage_factor, k)
        )),
        (_, Some(StorageNeed::Disk(disk))) => why.push(format!(
            "{} for the {} GB of disk in use, kept below {}%",
            disk.kpus,
            crate::units::fmt_num(disk.disk_used_gb),
            crate::units::fmt_num(crate::needs::measured::DISK_HEALTHY_FRACTION * 100.0)
        )),
        _ => {}
    }
    if let Some(r) = &a.required_parallelism {
        let k = crate::sizing::compute_kpus(Some(r.value), None, s.effective.parallelism_per_kpu, t.target_margin)
            .unwrap_or(0);
        let margin_note = if t.target_margin > 0.0 {
            format!(" + {} target margin", pct(t.target_margin))
        } else {
            String::new()
        };
        why.push(format!("{k} for required parallelism {}{margin_note}", r.value));
    }
    if let Some(r) = &a.required_kpus {
        why.push(format!(
            "{} for required KPUs {}",
            crate::sizing::with_margin(r.value, t.target_margin),
            r.value
        ));
    }
    if let Some(p) = needs.measured_parallelism() {
        let k =
            crate::sizing::compute_kpus(Some(p), None, s.effective.parallelism_per_kpu, t.target_margin).unwrap_or(0);
        why.push(format!("{k} for the running parallelism {p} autoscaling raised"));
    }
    if let Some(c) = needs.measured_compute() {
        why.push(format!(
            "{} for the measured CPU, {}",
            crate::sizing::with_margin(c.kpus, t.target_margin),
            c.expression()
        ));
    }
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPU{}, {} needed", s.kpus, plural(s.kpus), needed),
        message: format!(
            "parallelism {} buys {} KPU{}, {} above the {} needed ({}): {} extra KPU{} {}{}",
            s.effective.parallelism,
            s.kpus,
            plural(s.kpus),
            pct(margin),
            needed,
            why.join(", "),
            extra,
            plural(extra),
            cost,
            // A recommendation is withheld while an input is broken (the help says which).
            a.recommendation
                .as_ref()
                .map(|r| format!("; parallelism {} would fit", r.parallelism))
                .unwrap_or_default()
        ),
        help: recommendation_help(a).unwrap_or_default(),
        severity: None,
    }]
}
