//! KPU011: less compute than needed: parallelism below the required parallelism, or KPUs
//! below the required KPUs, declared or (when none is declared) measured from evidence. With
//! autoscaling on the job reaches its need only through scale-up events, each a restart that
//! doubles the KPUs.

use super::{parallelism_anchor, plural, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::{kpus, rescale_minutes};
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU011",
    name: "underprovisioned",
    severity: Severity::Error,
    doc: include_str!("../../rules/KPU011.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let (p, per) = (s.effective.parallelism, s.effective.parallelism_per_kpu);
    // The need: declared, else measured (issue 20: an undeclared need is filled from evidence).
    // A measured need is a utilization target, not a floor the job dies under: a shortfall
    // against it is a warning, and says what the measurement was.
    let needs = a.needs();
    let measured = needs.measured_compute();
    let is_measured = !a.compute_declared();
    let short_parallelism = needs.required_parallelism().filter(|r| p < *r);
    let short_kpus = needs.required_kpus().filter(|r| s.kpus < *r);
    let shortfall = match (short_parallelism, short_kpus) {
        (Some(r), _) if is_measured => {
            format!("parallelism {p} is below the running parallelism {r} (CurrentParallelism in describe-application)")
        }
        (Some(r), _) => format!("parallelism {p} is below the required parallelism {r}"),
        (None, Some(r)) => format!(
            "parallelism {p} buys {} KPU{}, below the {r} {}",
            s.kpus,
            plural(s.kpus),
            match measured {
                Some(c) if is_measured => format!("KPU{} the measured CPU needs ({})", plural(r), c.expression()),
                _ => "required".into(),
            }
        ),
        (None, None) => return Vec::new(),
    };
    let help = recommendation_help(a).unwrap_or_default();
    let t = a.thresholds();
    let label = if is_measured {
        "below the measured need"
    } else {
        "below the declared need"
    };
    if !s.effective.auto_scaling {
        let (consequence, severity) = match measured.filter(|_| is_measured && short_parallelism.is_none()) {
            Some(c) => (
                format!(
                    "its CPU runs above the {}% target at the measured load",
                    fmt_num(c.target * 100.0)
                ),
                Some(Severity::Warning),
            ),
            None if is_measured => (
                "it would run with fewer slots than it needed when measured".into(),
                Some(Severity::Warning),
            ),
            None => ("the job cannot keep up".into(), None),
        };
        return vec![Hit {
            span: parallelism_anchor(a),
            label: label.into(),
            message: format!("{shortfall}, and autoscaling is off: {consequence}"),
            help,
            severity,
        }];
    }
    // Autoscaling doubles the parallelism on sustained CPU ≥ 75 % [A3], up to the ceiling.
    let ceiling = s.autoscale_ceiling_parallelism;
    let reached = |q: u64| short_parallelism.is_none_or(|r| q >= r) && short_kpus.is_none_or(|r| kpus(q, per) >= r);
    let mut steps = Vec::new();
    let mut q = p;
    while !reached(q) && q < ceiling && steps.len() < 64 {
        q = q.saturating_mul(2).min(ceiling);
        steps.push(q);
    }
    let restart = match &a.state_size {
        Some(state) => format!(
            "about {} of restart each (snapshot and restore of {} at {} GB/min)",
            super::minutes(rescale_minutes(state.value.gb(), t.rescale_gb_per_minute)),
            state.value,
            fmt_num(t.rescale_gb_per_minute)
        ),
        None => "a restart each, of unknown length (no state size declared)".into(),
    };
    let kpu_count = |n: u64| format!("{n} KPU{}", plural(n));
    let path: Vec<String> = steps.iter().map(|q| kpu_count(kpus(*q, per))).collect();
    let events = if reached(q) {
        format!(
            "it relies on {} scale-up{} ({} → {}), {restart}",
            steps.len(),
            plural(steps.len() as u64),
            kpu_count(s.kpus),
            path.join(" → ")
        )
    } else {
        format!(
            "autoscaling stops at parallelism {ceiling} ({per} × KPU quota {}) and never reaches it",
            t.kpu_quota
        )
    };
    vec![Hit {
        span: parallelism_anchor(a),
        label: label.into(),
        message: format!("{shortfall}; {events}"),
        help,
        severity: Some(Severity::Warning),
    }]
}
