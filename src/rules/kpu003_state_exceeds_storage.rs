//! KPU003: declared state × storage factor does not fit the running storage at the floor.

use super::{parallelism_anchor, plural, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::STORAGE_GB_PER_KPU;
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
    let factor = a.thresholds().storage_factor;
    let needed_gb = state.value.gb() * factor;
    // The same rounding as the sizing arithmetic, so the message and the help agree.
    let storage_kpus = s.storage_kpus.unwrap_or(s.kpus);
    if storage_kpus <= s.kpus {
        return Vec::new();
    }
    // Show enough digits that "needs X GB" never reads as equal to what is provided.
    let needed = match fmt_num(needed_gb) {
        shown if shown == s.running_storage_gb.to_string() => {
            format!("{needed_gb:.9}").trim_end_matches('0').to_string()
        }
        shown => shown,
    };
    let min_parallelism = storage_kpus * s.effective.parallelism_per_kpu;
    let floor = if s.effective.auto_scaling {
        " at the autoscaling floor"
    } else {
        ""
    };
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{} KPU{} = {} GB of disk", s.kpus, plural(s.kpus), s.running_storage_gb),
        message: format!(
            "declared state of {} GB × storage factor {} needs {} GB of running storage, but {} KPU{}{floor} provide{} only {} GB",
            fmt_num(state.value.gb()),
            fmt_num(factor),
            needed,
            s.kpus,
            plural(s.kpus),
            if s.kpus == 1 { "s" } else { "" },
            s.running_storage_gb
        ),
        help: format!(
            "set parallelism to at least {min_parallelism} ({storage_kpus} KPUs × {STORAGE_GB_PER_KPU} GB = {} GB){}, or reduce the state",
            storage_kpus * STORAGE_GB_PER_KPU,
            if s.custom { "" } else { " with configuration_type = \"CUSTOM\"" }
        ),
    }]
}
