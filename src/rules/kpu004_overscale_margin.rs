//! KPU004: configured KPUs exceed the declared need by more than the overscale margin.
//! A margin is measured against a compute need: without one declared, the rule is silent.

use super::{parallelism_anchor, pct, plural, recommendation_help, usd, Hit, RuleMeta};
use crate::analysis::{compute_kpus, Analysis};
use crate::model::Severity;
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
    let decl = a.declarations();
    // The need at today's parallelism_per_kpu, with the configured target margin on top.
    let Some(compute) = compute_kpus(&decl, s.effective.parallelism_per_kpu, t.target_margin) else {
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
    if let (Some(k), Some(state)) = (s.storage_kpus, &a.state_size) {
        why.push(format!(
            "{} for the state",
            storage_arithmetic(state.value, t.storage_factor, k)
        ));
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
