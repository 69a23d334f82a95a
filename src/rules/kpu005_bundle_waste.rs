//! KPU005: KPUs bought for disk whose vCPU and memory sit idle. Only less state cures it.

use super::{parallelism_anchor, pct, plural, usd, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::{InputFormat, Severity};
use crate::recommend::storage_arithmetic;
use crate::sizing::compute_month_usd;

pub const META: RuleMeta = RuleMeta {
    id: "KPU005",
    name: "bundle-waste",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU005.md"),
};

pub fn check(a: &Analysis) -> Vec<Hit> {
    let Ok(s) = &a.sizing else { return Vec::new() };
    let (Some(storage), Some(compute), Some(state)) = (s.storage_kpus, s.compute_kpus, &a.state_size) else {
        return Vec::new();
    };
    if storage <= compute || s.kpus <= compute {
        return Vec::new();
    }
    let t = a.thresholds();
    let waste = 1.0 - compute as f64 / s.kpus as f64;
    if waste <= t.bundle_waste + 1e-12 {
        return Vec::new();
    }
    let disk_only = storage.min(s.kpus) - compute;
    let need = match (&a.required_parallelism, &a.required_kpus) {
        (Some(r), _) => format!("required parallelism {}", r.value),
        (None, Some(r)) => format!("required KPUs {}", r.value),
        (None, None) => "the compute need".into(),
    };
    // What the state would have to shrink to for compute to bind.
    let fits_gb = compute as f64 * crate::sizing::STORAGE_GB_PER_KPU as f64 / t.storage_factor;
    vec![Hit {
        span: parallelism_anchor(a),
        label: format!("{disk_only} KPU{} bought only for disk", plural(disk_only)),
        message: format!(
            "storage binds: {} of disk, but {need} needs only {compute}; {} of the {} KPUs' vCPU and memory is idle, and {disk_only} KPU{} bought only for disk {}",
            storage_arithmetic(state.value, t.storage_factor, storage),
            pct(waste),
            s.kpus,
            plural(disk_only),
            match &a.prices {
                Some(p) => format!(
                    "cost {}/month in vCPU and memory",
                    usd(compute_month_usd(disk_only, p, t.hours_per_month))
                ),
                None => format!("cost an unknown amount in vCPU and memory ({})", super::no_cost_why(a)),
            }
        ),
        help: format!(
            "only less state cures bundle waste (state TTL, fewer or smaller keyed states, DataStream unions instead of Table API joins): at {} GB or less the compute need binds; see what it would save with `kpulint what-if {} --state-size {}`; a higher {} does not help, its slots share the KPU's 50 GB",
            crate::units::fmt_num(fits_gb),
            shell_word(&root(a)),
            shell_word(&format!("{}={}GB", a.app.instance, crate::units::fmt_num(fits_gb.floor()))),
            super::setting_name(a, "parallelism_per_kpu")
        ),
        severity: None,
    }]
}

/// What `kpulint what-if` is pointed at to re-size this application alone: its root module
/// directory (Terraform), or its file (plan, template).
fn root(a: &Analysis) -> String {
    let file = a.app.module_calls.first().map_or(a.app.span.path(), |c| c.span.path());
    match a.app.format {
        InputFormat::TerraformHcl | InputFormat::TerraformJson => match std::path::Path::new(file).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_string_lossy().into_owned(),
            _ => ".".into(),
        },
        _ => file.to_string(),
    }
}

/// A word as a POSIX shell reads it back: quoted when it holds anything but plain characters.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:@%+,".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
