//! KPU013: a declared state size or compute need differs from what the application's evidence
//! measures by more than `evidence.tolerance`, in either direction. A declaration written a year
//! ago, or a guess, is checked against what the job uses.

use super::{pct, plural, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::needs::{Declarations, Measurement, Needs};
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU013",
    name: "declaration-disagrees-with-measurement",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU013.md"),
};

/// `|declared − measured| / measured`, infinite when only the declaration is above zero.
fn difference(declared: f64, measured: f64) -> f64 {
    if measured > 0.0 {
        (declared - measured).abs() / measured
    } else if declared > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// `85% above` / `60% below`.
fn direction(declared: f64, measured: f64) -> String {
    let d = difference(declared, measured);
    let shown = if d.is_finite() { pct(d) } else { "infinitely".into() };
    format!("{shown} {}", if declared > measured { "above" } else { "below" })
}

/// Where and when it was measured.
fn provenance(m: &Measurement) -> String {
    format!(
        "measured over {} in {}",
        m.window().unwrap_or_else(|| "the window".into()),
        m.file_list()
    )
}

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Some(m) = a.measurement.as_deref().filter(|m| m.stale.is_empty()) else {
        return Vec::new();
    };
    let Ok(s) = &a.sizing else { return Vec::new() };
    let tolerance = a.config.evidence.tolerance;
    let mut hits = Vec::new();
    if let (Some(state), Some(used), Some(disk)) = (&a.state_size, m.disk_used_gb, m.disk_max_percent) {
        let declared = state.value.gb();
        if difference(declared, used) > tolerance + 1e-12 {
            let checkpoint = m
                .checkpoint_size_max_gb
                .map(|c| {
                    format!(
                        "; the largest checkpoint was {} GB (lastCheckpointSize, the checkpoint size: incremental checkpoints make it smaller than the state)",
                        fmt_num(c)
                    )
                })
                .unwrap_or_default();
            let k = m.kpus_observed.unwrap_or(0);
            hits.push(Hit {
                span: state.span.clone(),
                label: format!("{} GB in use", fmt_num(used)),
                message: format!(
                    "declared state_size {} is {} the {} GB of disk the job uses ({}% of {k} KPU{} × 50 GB), more than evidence.tolerance {}; {}{checkpoint}",
                    state.value,
                    direction(declared, used),
                    fmt_num(used),
                    fmt_num(disk),
                    plural(k),
                    pct(tolerance),
                    provenance(m)
                ),
                help: format!(
                    "correct the declaration to the state the job holds (the disk in use, {} GB, includes RocksDB's working files), or remove it to size from the measurement",
                    fmt_num(used)
                ),
                severity: None,
            });
        }
    }
    let ppk = s.effective.parallelism_per_kpu;
    let declared_only = Needs::new(a.declarations(), None);
    let measured = Needs::new(Declarations::default(), a.measurement.clone());
    let declared_kpus = crate::analysis::compute_kpus(&declared_only, ppk, 0.0);
    if let (Some(declared), Some(c)) = (declared_kpus, measured.measured_compute()) {
        if difference(declared as f64, c.kpus as f64) > tolerance + 1e-12 {
            let (what, span) = match (&a.required_parallelism, &a.required_kpus) {
                (Some(r), _) if crate::sizing::kpus(r.value, ppk) == declared => (
                    format!(
                        "required_parallelism {} ({declared} KPU{} at {ppk} per KPU)",
                        r.value,
                        plural(declared)
                    ),
                    r.span.clone(),
                ),
                (_, Some(r)) => (format!("required_kpus {}", r.value), r.span.clone()),
                (Some(r), None) => (format!("required_parallelism {}", r.value), r.span.clone()),
                (None, None) => return hits,
            };
            hits.push(Hit {
                span,
                label: format!("measured {} KPU{}", c.kpus, plural(c.kpus)),
                message: format!(
                    "declared {what} is {} the measured compute need of {} KPU{} ({}), more than evidence.tolerance {}; {}",
                    direction(declared as f64, c.kpus as f64),
                    c.kpus,
                    plural(c.kpus),
                    c.arithmetic(),
                    pct(tolerance),
                    provenance(m)
                ),
                help: format!(
                    "correct the declaration (required_kpus = {} matches the measurement), or remove it to size from the measurement",
                    c.kpus
                ),
                severity: None,
            });
        }
    }
    hits
}
