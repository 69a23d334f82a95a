//! KPU010: autoscaling on large state: every scale event takes a long snapshot and restore.

use super::{anchor, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::rescale_minutes;
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU010",
    name: "slow-rescale",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU010.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let (Ok(s), Some(state)) = (&a.sizing, &a.state_size) else {
        return Vec::new();
    };
    if s.auto_scaling != Some(true) {
        return Vec::new();
    }
    let t = a.thresholds();
    let minutes = rescale_minutes(state.value.gb(), t.rescale_gb_per_minute);
    if minutes <= t.slow_rescale_minutes {
        return Vec::new();
    }
    let pc = &a.app.parallelism;
    let span = if s.custom {
        anchor(a, &[pc.auto_scaling_enabled.span(), pc.configuration_type.span()])
    } else {
        anchor(a, &[pc.configuration_type.span()])
    };
    vec![Hit {
        span,
        label: "autoscaling on".into(),
        message: format!(
            "autoscaling is on and {} of declared state takes about {} minutes to snapshot and restore at {} GB/min on every scale event (limit {} minutes); each scale-up also doubles the KPUs",
            state.value,
            fmt_num(minutes),
            fmt_num(t.rescale_gb_per_minute),
            fmt_num(t.slow_rescale_minutes)
        ),
        help: match recommendation_help(a) {
            Some(h) => format!("size it statically: {h}; or reduce the state"),
            None => "reduce the state".into(),
        },
        severity: None,
    }]
}
