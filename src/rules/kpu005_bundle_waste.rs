//! KPU005: KPUs bought for disk whose vCPU and memory sit idle.

use super::{parallelism_anchor, pct, plural, usd, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::compute_month_usd;

pub const META: RuleMeta = RuleMeta {
    id: "KPU005",
    name: "bundle-waste",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU005.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let (Some(storage), Some(compute), Some(state), Some(req)) =
        (s.storage_kpus, s.compute_kpus, &a.state_size, &a.required_parallelism)
    else {
        return Vec::new();
    };
    if storage <= compute || s.kpus <= compute {
        return Vec::new();
    }
    let waste = 1.0 - compute as f64 / s.kpus as f64;
    if waste <= a.thresholds().bundle_waste + 1e-12 {
        return Vec::new();
    }
    let disk_only = storage.min(s.kpus) - compute;
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{disk_only} KPU{} bought only for disk", plural(disk_only)),
        message: format!(
            "storage binds: {} of state needs {storage} KPUs of disk, but required parallelism {} needs only {compute}; {} of the {} KPUs' vCPU and memory is idle, and {disk_only} KPU{} bought only for disk cost {}/month in vCPU and memory",
            crate::units::Bytes(state.value.0),
            req.value,
            pct(waste),
            s.kpus,
            plural(disk_only),
            usd(compute_month_usd(disk_only, &a.prices))
        ),
        help: "reduce the state (state TTL, fewer or smaller keyed states, DataStream unions instead of Table API joins); a higher parallelism_per_kpu does not help, its slots share the KPU's 50 GB".into(),
    }]
}
