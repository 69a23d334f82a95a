//! The one right-sizing recommendation per application: the cheapest configuration that meets
//! every declared need and every rule at once. Every rule's advice is taken from it, so no two
//! findings on one application suggest different values. Pure arithmetic, no I/O.

use crate::analysis::{Declarations, Sizing};
use crate::config::{Prices, Thresholds};
use crate::sizing::{self, AppKind, STORAGE_GB_PER_KPU};
use crate::units::{fmt_num, Bytes};

/// A configuration to run instead of (or, when nothing should change, equal to) the current one.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub parallelism: u64,
    pub parallelism_per_kpu: u64,
    pub auto_scaling: bool,
    /// `configuration_type = "CUSTOM"`; `false` keeps (or is) `"DEFAULT"`.
    pub custom: bool,
    pub kpus: u64,
    /// `None` when the runtime (and so the orchestration overhead) is unknown.
    pub billed_kpus: Option<u64>,
    pub running_storage_gb: u64,
    pub monthly_cost_usd: Option<f64>,
    /// Current minus recommended monthly cost (negative: the needs cost more than today).
    pub savings_usd: Option<f64>,
    /// `false` when it lowers a dimension whose need nobody declared: confirm first.
    pub safe: bool,
    /// Why each value is what it is, and what to confirm when it is not safe.
    pub reasons: Vec<String>,
    /// What to confirm before applying an unsafe recommendation (also in `reasons`).
    pub confirm: Vec<String>,
}

impl Recommendation {
    /// The recommendation differs from what runs today.
    pub fn changes(&self, s: &Sizing) -> bool {
        self.parallelism != s.effective.parallelism
            || self.parallelism_per_kpu != s.effective.parallelism_per_kpu
            || self.auto_scaling != s.effective.auto_scaling
            || self.custom != s.custom
    }
}

/// `240 GB × 2.0 = 480 GB → 10 KPUs`: how declared state becomes KPUs of disk.
pub fn storage_arithmetic(state: Bytes, storage_factor: f64, kpus: u64) -> String {
    format!(
        "{} × {} = {} GB → {kpus} KPU{}",
        state,
        factor(storage_factor),
        fmt_num(state.gb() * storage_factor),
        if kpus == 1 { "" } else { "s" }
    )
}

/// A storage factor as written in messages: `2.0`, `1.5`, `1.25`.
pub fn factor(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{f:.1}")
    } else {
        fmt_num(f)
    }
}

/// The cheapest configuration of a sized application meeting every declared need:
/// - storage holds `state × storage_factor` at the autoscaling floor (the configured parallelism);
/// - parallelism ≥ required parallelism and KPUs ≥ required KPUs, each plus `target_margin`;
/// - KPUs within the quota, raising `parallelism_per_kpu` only when the quota forces it;
/// - autoscaling kept as written unless a scale event would be slow (KPU010) or the first
///   doubling would pass max parallelism (KPU012);
/// - parallelism fills the last KPU's slots (KPU006).
///
/// With no need declared at all, the parallelism is kept and only rule-driven changes remain.
pub fn recommend(
    s: &Sizing,
    kind: Option<AppKind>,
    decl: &Declarations,
    t: &Thresholds,
    prices: Option<&Prices>,
) -> Recommendation {
    let current = s.effective;
    let mut reasons = Vec::new();
    let mut confirm = Vec::new();
    let any_need = decl.state_size.is_some() || decl.compute_declared();

    let storage_kpus = decl
        .state_size
        .as_ref()
        .map(|st| sizing::storage_kpus(st.value.gb(), t.storage_factor));
    if let (Some(k), Some(st)) = (storage_kpus, &decl.state_size) {
        reasons.push(format!(
            "storage: {}",
            storage_arithmetic(st.value, t.storage_factor, k)
        ));
    }
    // Without any declared need, today's parallelism stands in for the compute need.
    let (required_parallelism, required_kpus, margin) = if any_need {
        (
            decl.required_parallelism.as_ref().map(|r| r.value),
            decl.required_kpus.as_ref().map(|r| r.value),
            t.target_margin,
        )
    } else {
        (Some(current.parallelism), None, 0.0)
    };
    let needed_at = |ppk: u64| -> u64 {
        storage_kpus
            .unwrap_or(0)
            .max(sizing::compute_kpus(required_parallelism, required_kpus, ppk, margin).unwrap_or(0))
            .max(1)
    };

    let mut ppk = current.parallelism_per_kpu;
    if needed_at(ppk) > t.kpu_quota {
        let denser = (ppk + 1..=sizing::MAX_PARALLELISM_PER_KPU).find(|k| needed_at(*k) <= t.kpu_quota);
        match denser {
            Some(k) => {
                reasons.push(format!(
                    "parallelism_per_kpu {k}: the compute need fits the KPU quota of {} only with {k} slots per KPU",
                    t.kpu_quota
                ));
                confirm.push(format!(
                    "{k} slots per KPU give each subtask 1/{k} vCPU: check that the job keeps up"
                ));
                ppk = k;
            }
            None => reasons.push(format!(
                "the declared needs take {} KPUs, above the KPU quota of {}: request a quota increase",
                needed_at(ppk),
                t.kpu_quota
            )),
        }
    }
    let kpus = needed_at(ppk);
    if let Some(req) = decl.required_parallelism.as_ref() {
        let target = sizing::with_margin(req.value, margin);
        reasons.push(if margin > 0.0 {
            format!(
                "compute: required parallelism {} + {} target margin = {target}",
                req.value,
                crate::rules::pct(margin)
            )
        } else {
            format!("compute: required parallelism {}", req.value)
        });
    }
    if let Some(req) = &decl.required_kpus {
        reasons.push(format!(
            "compute: required KPUs {}{}",
            req.value,
            if margin > 0.0 {
                format!(
                    " + {} target margin = {}",
                    crate::rules::pct(margin),
                    sizing::with_margin(req.value, margin)
                )
            } else {
                String::new()
            }
        ));
    }

    // Fill the last KPU's slots: they are paid for either way. A declared max parallelism caps
    // the parallelism, but never below what keeps the needed KPUs.
    let mut parallelism = kpus.saturating_mul(ppk);
    if let Some(max) = &decl.max_parallelism {
        let lowest_keeping_kpus = (kpus - 1).saturating_mul(ppk) + 1;
        if parallelism > max.value {
            parallelism = max.value.max(lowest_keeping_kpus);
            if parallelism > max.value {
                reasons.push(format!(
                    "the needs take parallelism {parallelism}, above the declared max_parallelism {}: raise the job's max parallelism",
                    max.value
                ));
            }
        }
    }

    let mut auto_scaling = current.auto_scaling;
    if auto_scaling {
        let slow = decl.state_size.as_ref().map(|st| {
            let minutes = sizing::rescale_minutes(st.value.gb(), t.rescale_gb_per_minute);
            (minutes > t.slow_rescale_minutes, st.value, minutes)
        });
        let max_parallelism = decl
            .max_parallelism
            .as_ref()
            .map(|m| m.value)
            .unwrap_or_else(|| sizing::derived_max_parallelism(parallelism));
        let first_up = sizing::first_scale_up_parallelism(parallelism, ppk.saturating_mul(t.kpu_quota));
        if let Some((true, state, minutes)) = slow {
            auto_scaling = false;
            reasons.push(format!(
                "autoscaling off: each scale event at {state} takes about {} minutes (limit {})",
                fmt_num(minutes),
                fmt_num(t.slow_rescale_minutes)
            ));
        } else if first_up > max_parallelism {
            auto_scaling = false;
            reasons.push(format!(
                "autoscaling off: its first scale-up to parallelism {first_up} would pass max parallelism {max_parallelism}"
            ));
        }
        if !auto_scaling && !decl.compute_declared() {
            confirm.push(format!(
                "compute need undeclared: without autoscaling, check that parallelism {parallelism} carries the peak load"
            ));
        }
    }

    // DEFAULT stays DEFAULT when the service defaults meet the needs; CUSTOM stays CUSTOM.
    let as_default = parallelism == sizing::SERVICE_DEFAULT.parallelism
        && ppk == sizing::SERVICE_DEFAULT.parallelism_per_kpu
        && auto_scaling == sizing::SERVICE_DEFAULT.auto_scaling;
    let custom = s.custom || !as_default;

    let current_kpus = s.kpus;
    if decl.state_size.is_none() && kpus < current_kpus {
        confirm.push(format!(
            "state size undeclared: check that {kpus} × {STORAGE_GB_PER_KPU} GB = {} GB holds the state",
            sizing::running_storage_gb(kpus)
        ));
    }
    if !decl.compute_declared() && any_need && parallelism < current.parallelism {
        confirm.push(format!(
            "compute need undeclared: check that parallelism {parallelism} ({kpus} KPU{}) carries the load",
            if kpus == 1 { "" } else { "s" }
        ));
    }
    if !any_need {
        reasons.push("no state size or compute need declared: the parallelism is kept".into());
    }
    reasons.extend(confirm.iter().map(|c| format!("confirm first: {c}")));

    let billed_kpus = kind.map(|k| sizing::billed_kpus(kpus, k));
    let monthly_cost_usd = billed_kpus
        .zip(prices)
        .map(|(b, p)| sizing::monthly_cost(kpus, b, p, t.hours_per_month).total_usd);
    let savings_usd = match (s.monthly_cost_usd, monthly_cost_usd) {
        (Some(now), Some(then)) => Some(sizing::round_cents(now - then)),
        _ => None,
    };
    Recommendation {
        parallelism,
        parallelism_per_kpu: ppk,
        auto_scaling,
        custom,
        kpus,
        billed_kpus,
        running_storage_gb: sizing::running_storage_gb(kpus),
        monthly_cost_usd,
        savings_usd,
        safe: confirm.is_empty(),
        reasons,
        confirm,
    }
}
