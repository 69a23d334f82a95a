//! KPU003: declared state × storage factor does not fit the running storage at the floor.

use super::{parallelism_anchor, plural, recommendation_help, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::recommend::factor;
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU003",
    name: "state-exceeds-storage",
    severity: Severity::Error,
    doc: include_str!("../../rules/KPU003.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let (Ok(s), Some(state)) = (&a.sizing, &a.state_size) else {
        return Vec::new();
    };
    let Some(storage_kpus) = s.storage_kpus else {
        return Vec::new();
    };
    // The same rounding as the sizing arithmetic, so the message and the help agree.
    if storage_kpus <= s.kpus {
        return Vec::new();
    }
    let storage_factor = a.thresholds().storage_factor;
    let needed_gb = state.value.gb() * storage_factor;
    // Show enough digits that "needs X GB" never reads as equal to what is provided.
    let needed = match fmt_num(needed_gb) {
        shown if shown == s.running_storage_gb.to_string() => {
            format!("{needed_gb:.9}").trim_end_matches('0').to_string()
        }
        shown => shown,
    };
    let floor = if s.effective.auto_scaling {
        " at the autoscaling floor"
    } else {
        ""
    };
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPU{} = {} GB of disk", s.kpus, plural(s.kpus), s.running_storage_gb),
        message: format!(
            "declared state of {} × storage factor {} = {needed} GB needs {storage_kpus} KPUs of running storage, but {} KPU{}{floor} provide{} only {} GB",
            state.value,
            factor(storage_factor),
            s.kpus,
            plural(s.kpus),
            if s.kpus == 1 { "s" } else { "" },
            s.running_storage_gb
        ),
        help: match recommendation_help(a) {
            Some(h) => format!("{h}; or reduce the state"),
            None => "reduce the state".into(),
        },
        severity: None,
    }]
}
