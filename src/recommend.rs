//! The one right-sizing recommendation per application: the cheapest configuration that meets
//! every declared need and every rule at once, within the job's max parallelism and the KPU
//! quota. Every rule's advice is taken from it, so no two findings on one application suggest
//! different values. It comes with its safe part: the changes that need no confirmation, which
//! `--fix` applies without `--unsafe-fixes`. Pure arithmetic, no I/O.

mod layout;

use crate::analysis::{Declarations, Sizing};
use crate::config::{Prices, Thresholds};
use crate::needs::{Needs, StorageNeed};
use crate::sizing::{self, AppKind, STORAGE_GB_PER_KPU};
use crate::units::{fmt_num, Bytes};
use layout::{Layout, Limits};

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
    /// `false` when it lowers a dimension whose need nobody declared, or packs more slots into a
    /// KPU: confirm first.
    pub safe: bool,
    /// Why each value is what it is, and what to confirm when it is not safe.
    pub reasons: Vec<String>,
    /// What to confirm before applying an unsafe recommendation (also in `reasons`).
    pub confirm: Vec<String>,
    /// The changes that need no confirmation, as a configuration of their own: what `--fix`
    /// applies without `--unsafe-fixes` (raise the parallelism to hold the state or reach the
    /// need, autoscaling as written). Equal to the recommendation when it is safe; `None` on a
    /// safe part itself.
    pub safe_part: Option<Box<Recommendation>>,
    /// Declared needs no configuration meets within the job's max parallelism (KPU016).
    pub conflict: Option<CapConflict>,
}

impl Recommendation {
    /// The recommendation differs from what runs today.
    pub fn changes(&self, s: &Sizing) -> bool {
        self.parallelism != s.effective.parallelism
            || self.parallelism_per_kpu != s.effective.parallelism_per_kpu
            || self.auto_scaling != s.effective.auto_scaling
            || self.custom != s.custom
    }

    /// The part `--fix` applies: the whole with `--unsafe-fixes`, else the safe part.
    pub fn applied(&self, unsafe_fixes: bool) -> &Recommendation {
        match &self.safe_part {
            Some(safe) if !unsafe_fixes => safe,
            _ => self,
        }
    }
}

/// Declared needs that take more slots than the job's max parallelism allows, even at one slot
/// per KPU: no configuration meets them (KPU016).
#[derive(Debug, Clone, PartialEq)]
pub struct CapConflict {
    /// The declared `max_parallelism`.
    pub max_parallelism: u64,
    /// Each need above it.
    pub needs: Vec<NeedAboveCap>,
}

/// One declared need and the parallelism it takes at one slot per KPU.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedAboveCap {
    /// `required parallelism 150`, `required KPUs 200`, `the state (240 GB × 2.0 = 480 GB → 10 KPUs)`.
    pub what: String,
    pub parallelism: u64,
}

impl CapConflict {
    /// `required parallelism 150 and the state (…) need parallelism 150 and 200, above …`
    pub fn describe(&self) -> String {
        let each: Vec<String> = self
            .needs
            .iter()
            .map(|n| {
                if n.what.starts_with("required parallelism") {
                    n.what.clone()
                } else {
                    // `the state (… → 20 KPUs)` takes the parallelism inside its parentheses.
                    match n.what.strip_suffix(')') {
                        Some(open) => format!("{open}, parallelism {} even at 1 slot per KPU)", n.parallelism),
                        None => format!("{} (parallelism {} even at 1 slot per KPU)", n.what, n.parallelism),
                    }
                }
            })
            .collect();
        format!(
            "{} {} above the declared max_parallelism {}",
            each.join(" and "),
            if each.len() == 1 { "is" } else { "are" },
            self.max_parallelism
        )
    }

    /// The parallelism the declared needs take at one slot per KPU.
    pub fn needed_parallelism(&self) -> u64 {
        self.needs
            .iter()
            .map(|n| n.parallelism)
            .max()
            .unwrap_or(self.max_parallelism)
    }
}

/// Settings the recommendation must keep as written (a suppressed finding accepted them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pins {
    /// `parallelism` and `parallelism_per_kpu`.
    pub sizing: bool,
    pub auto_scaling: bool,
    pub configuration_type: bool,
}

impl Pins {
    pub fn any(&self) -> bool {
        self.sizing || self.auto_scaling || self.configuration_type
    }

    pub fn union(self, other: Pins) -> Pins {
        Pins {
            sizing: self.sizing || other.sizing,
            auto_scaling: self.auto_scaling || other.auto_scaling,
            configuration_type: self.configuration_type || other.configuration_type,
        }
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

/// The declared needs that take more slots than the declared max parallelism allows even at one
/// slot per KPU; `None` when there is no declared max parallelism or every need fits it.
pub fn cap_conflict(decl: &Declarations, t: &Thresholds) -> Option<CapConflict> {
    let max = decl.max_parallelism.as_ref()?.value;
    let mut needs = Vec::new();
    if let Some(r) = decl.required_parallelism.as_ref().filter(|r| r.value > max) {
        needs.push(NeedAboveCap {
            what: format!("required parallelism {}", r.value),
            parallelism: r.value,
        });
    }
    if let Some(r) = decl.required_kpus.as_ref().filter(|r| r.value > max) {
        needs.push(NeedAboveCap {
            what: format!("required KPUs {}", r.value),
            parallelism: r.value,
        });
    }
    if let Some(st) = &decl.state_size {
        let k = sizing::storage_kpus(st.value.gb(), t.storage_factor);
        if k > max {
            needs.push(NeedAboveCap {
                what: format!("the state ({})", storage_arithmetic(st.value, t.storage_factor, k)),
                parallelism: k,
            });
        }
    }
    (!needs.is_empty()).then_some(CapConflict {
        max_parallelism: max,
        needs,
    })
}

/// The cheapest configuration of a sized application meeting every declared need:
/// - storage holds `state × storage_factor` at the autoscaling floor (the configured parallelism);
/// - parallelism ≥ required parallelism and KPUs ≥ required KPUs, each plus `target_margin`;
/// - parallelism within the declared max parallelism, lowering `parallelism_per_kpu` when that
///   keeps the KPUs the needs take (never below what the KPU quota allows);
/// - KPUs within the quota, raising `parallelism_per_kpu` only when the quota forces it;
/// - autoscaling kept as written unless a scale event would be slow (KPU010) or the first
///   doubling would pass max parallelism (KPU012);
/// - parallelism fills the last KPU's slots (KPU006).
///
/// With no need declared at all, today's parallelism stands in for the compute need (today's
/// KPUs when the parallelism is above the max parallelism). A need the max parallelism cannot
/// hold (KPU016) is not sized for: today's value stands in for it.
pub fn recommend(
    s: &Sizing,
    kind: Option<AppKind>,
    needs: &Needs,
    t: &Thresholds,
    prices: Option<&Prices>,
) -> Recommendation {
    recommend_with(s, kind, needs, t, prices, Pins::default())
}

/// [`recommend`] keeping the `pins` as written.
pub fn recommend_with(
    s: &Sizing,
    kind: Option<AppKind>,
    needs: &Needs,
    t: &Thresholds,
    prices: Option<&Prices>,
    pins: Pins,
) -> Recommendation {
    let cx = Context::new(s, kind, needs, t, prices, pins);
    let mut whole = cx.recommendation(Part::Whole);
    let safe = if whole.safe {
        Recommendation {
            safe_part: None,
            ..whole.clone()
        }
    } else {
        let part = cx.recommendation(Part::Safe);
        // By construction the safe part needs no confirmation; should it ever, it changes nothing.
        if part.confirm.is_empty() {
            part
        } else {
            cx.as_written()
        }
    };
    whole.safe_part = Some(Box::new(safe));
    whole
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    /// Only what needs no confirmation.
    Safe,
}

struct Context<'a> {
    s: &'a Sizing,
    kind: Option<AppKind>,
    needs: &'a Needs,
    decl: &'a Declarations,
    t: &'a Thresholds,
    prices: Option<&'a Prices>,
    pins: Pins,
    conflict: Option<CapConflict>,
    storage_kpus: Option<u64>,
    /// A compute need is known (declared or measured) and the max parallelism can hold all of it.
    compute_usable: bool,
}

impl<'a> Context<'a> {
    fn new(
        s: &'a Sizing,
        kind: Option<AppKind>,
        needs: &'a Needs,
        t: &'a Thresholds,
        prices: Option<&'a Prices>,
        pins: Pins,
    ) -> Self {
        let decl = &needs.declared;
        let max = needs.max_parallelism();
        let within = |v: u64| max.is_none_or(|m| v <= m);
        Context {
            s,
            kind,
            needs,
            decl,
            t,
            prices,
            pins,
            conflict: cap_conflict(decl, t),
            storage_kpus: needs.storage_kpus(t.storage_factor),
            compute_usable: needs.compute_known()
                && needs.required_parallelism().is_none_or(within)
                && needs.required_kpus().is_none_or(within),
        }
    }

    fn max_parallelism(&self) -> Option<u64> {
        self.needs.max_parallelism()
    }

    fn any_need(&self) -> bool {
        self.storage_kpus.is_some() || self.needs.compute_known()
    }

    fn storage_usable(&self) -> bool {
        let max = self.max_parallelism();
        self.storage_kpus.is_some_and(|k| max.is_none_or(|m| k <= m))
    }

    /// Lowering the compute dimension needs no confirmation: its need is usable and declared,
    /// or measured on a complete window.
    fn compute_safe(&self) -> bool {
        self.compute_usable && self.needs.compute_incomplete().is_empty()
    }

    /// Lowering the KPUs needs no confirmation for the storage need's sake.
    fn storage_safe(&self) -> bool {
        self.storage_usable() && self.needs.storage_incomplete().is_empty()
    }

    fn margin(&self) -> f64 {
        if self.any_need() {
            self.t.target_margin
        } else {
            0.0
        }
    }

    /// What the layout must provide: the declared needs the max parallelism can hold (with the
    /// target margin, capped at it), and today's values standing in for the others. The safe
    /// part adds today's values as floors wherever lowering them needs confirmation.
    fn needs(&self, part: Part) -> layout::Needs {
        let d = self.needs;
        let max = self.max_parallelism();
        let cap = |v: u64| max.map_or(v, |m| v.min(m));
        let within = |v: u64| max.is_none_or(|m| v <= m);
        let margin = self.margin();
        let current = self.s.effective;
        let mut needs = layout::Needs {
            storage_kpus: self.storage_kpus.filter(|_| self.storage_usable()),
            parallelism: d
                .required_parallelism()
                .filter(|r| within(*r))
                .map(|r| cap(sizing::with_margin(r, margin))),
            kpus: d
                .required_kpus()
                .filter(|r| within(*r))
                .map(|r| cap(sizing::with_margin(r, margin))),
        };
        let raise = |slot: &mut Option<u64>, v: u64| *slot = Some(slot.unwrap_or(0).max(v));
        let compute_above_cap = d.compute_known() && !self.compute_usable;
        if !self.compute_usable && (!self.any_need() || compute_above_cap) {
            // Today's parallelism stands in for the compute need: above the max parallelism, the
            // most whole KPUs of today's slots within it.
            raise(&mut needs.parallelism, self.parallelism_within_cap());
        }
        if self.storage_kpus.is_some() && !self.storage_usable() {
            // The state cannot fit the max parallelism: today's disk is kept.
            raise(&mut needs.kpus, cap(self.s.kpus));
        }
        if part == Part::Safe {
            if !self.compute_safe() {
                raise(&mut needs.parallelism, current.parallelism);
            }
            if !self.storage_safe() {
                raise(&mut needs.kpus, self.s.kpus);
            }
        }
        needs
    }

    /// Today's parallelism, or above the declared max parallelism the largest multiple of
    /// today's `parallelism_per_kpu` within it (the max parallelism itself when that is below
    /// one KPU's slots).
    fn parallelism_within_cap(&self) -> u64 {
        let current = self.s.effective;
        match self.max_parallelism() {
            Some(max) if current.parallelism > max => {
                let ppk = current.parallelism_per_kpu.max(1);
                match max / ppk * ppk {
                    0 => max,
                    whole => whole,
                }
            }
            _ => current.parallelism,
        }
    }

    /// Today's configuration, as a recommendation that changes nothing.
    fn as_written(&self) -> Recommendation {
        let current = self.s.effective;
        self.finish(
            Layout::new(current.parallelism, current.parallelism_per_kpu),
            current.auto_scaling,
            self.s.custom,
            Vec::new(),
            Vec::new(),
        )
    }

    fn recommendation(&self, part: Part) -> Recommendation {
        let current = self.s.effective;
        if self.pins.configuration_type && !self.s.custom {
            // DEFAULT kept: the service ignores every other value.
            return self.as_written();
        }
        let mut reasons = Vec::new();
        match (self.storage_kpus, self.needs.storage()) {
            (Some(k), Some(StorageNeed::State(state))) => reasons.push(format!(
                "storage: {}",
                storage_arithmetic(state, self.t.storage_factor, k)
            )),
            (_, Some(StorageNeed::Disk(disk))) => reasons.push(format!("storage: measured {}", disk.arithmetic())),
            _ => {}
        }
        let needs = self.needs(part);
        let limits = Limits {
            max_parallelism: self.max_parallelism(),
            kpu_quota: self.t.kpu_quota,
            max_ppk: match part {
                Part::Whole => sizing::MAX_PARALLELISM_PER_KPU,
                Part::Safe => current.parallelism_per_kpu,
            },
        };
        let written = Layout::new(current.parallelism, current.parallelism_per_kpu);
        let layout = if self.pins.sizing {
            written
        } else {
            layout::layout(&needs, &limits, current.parallelism_per_kpu)
                .or_else(|| {
                    // Only the safe part's floors can pass the max parallelism (today's
                    // parallelism above it): lowering below them is the unsafe part's to do, and
                    // the safe part goes no further from the cap than today.
                    let today = Limits {
                        max_parallelism: limits.max_parallelism.map(|m| m.max(current.parallelism)),
                        ..limits
                    };
                    layout::layout(&needs, &today, current.parallelism_per_kpu)
                })
                .unwrap_or(written)
        };
        self.layout_reasons(&layout, &needs, &mut reasons);
        self.compute_reasons(&mut reasons);
        if let Some(c) = &self.conflict {
            reasons.push(format!(
                "conflict: {}; no configuration meets {}, so the parallelism is not sized for {} (KPU016)",
                c.describe(),
                if c.needs.len() == 1 { "it" } else { "them" },
                if c.needs.len() == 1 { "it" } else { "them" },
            ));
        }
        let auto_scaling = self.auto_scaling(&layout, part, &mut reasons);
        // DEFAULT stays DEFAULT when the service defaults meet the needs; CUSTOM stays CUSTOM.
        let as_default = layout.parallelism == sizing::SERVICE_DEFAULT.parallelism
            && layout.ppk == sizing::SERVICE_DEFAULT.parallelism_per_kpu
            && auto_scaling == sizing::SERVICE_DEFAULT.auto_scaling;
        let custom = self.s.custom || !as_default;
        if !self.any_need() {
            reasons.push(if layout.parallelism == current.parallelism {
                "no state size or compute need declared: the parallelism is kept".into()
            } else if layout.parallelism > current.parallelism {
                format!(
                    "no state size or compute need declared: the parallelism is kept, raised from {} to {} to fill the last KPU's slots",
                    current.parallelism, layout.parallelism
                )
            } else {
                format!(
                    "no state size or compute need declared: parallelism {} is above the declared max_parallelism {}, so it is lowered to {}",
                    current.parallelism,
                    limits.max_parallelism.unwrap_or(layout.parallelism),
                    layout.parallelism
                )
            });
        }
        let confirm = self.confirm(&layout, auto_scaling);
        self.finish(layout, auto_scaling, custom, reasons, confirm)
    }

    fn layout_reasons(&self, layout: &Layout, needs: &layout::Needs, reasons: &mut Vec<String>) {
        let written_ppk = self.s.effective.parallelism_per_kpu;
        let quota = self.t.kpu_quota;
        let k = layout.ppk;
        // Only the safe part's floors keep a parallelism above the declared max parallelism.
        let above_cap = self
            .max_parallelism()
            .filter(|m| layout.parallelism > *m && !self.pins.sizing);
        if let Some(max) = above_cap {
            let current = self.s.effective.parallelism;
            let idle = layout.idle_slots();
            reasons.push(format!(
                "parallelism {} {} above the declared max_parallelism {max}: lowering it {}needs confirmation (--unsafe-fixes){}",
                layout.parallelism,
                if layout.parallelism < current { "is still" } else { "stays" },
                if layout.parallelism < current { "further " } else { "" },
                if idle > 0 {
                    format!("; {idle} slot{} of the last KPU stay{} idle", plural(idle), if idle == 1 { "s" } else { "" })
                } else {
                    String::new()
                }
            ));
        }
        if k > written_ppk {
            reasons.push(format!(
                "parallelism_per_kpu {k}: the compute need fits the KPU quota of {quota} only with {k} slots per KPU"
            ));
        } else if k < written_ppk && !self.pins.sizing {
            if above_cap.is_some() {
                let p = layout.parallelism;
                let disk = needs.storage_kpus.unwrap_or(0).max(needs.kpus.unwrap_or(0));
                reasons.push(if p.div_ceil(written_ppk) >= disk {
                    format!("parallelism_per_kpu {k}: parallelism {p} fills every slot of {} KPUs", layout.kpus)
                } else {
                    format!(
                        "parallelism_per_kpu {k}: parallelism {p} buys the {disk} KPUs the needs take only with at most {k} slot{} per KPU",
                        plural(k)
                    )
                });
            } else if let Some(max) = self.max_parallelism() {
                reasons.push(format!(
                    "parallelism_per_kpu {k}: {} KPU{} fit max parallelism {max} only with at most {k} slot{} per KPU",
                    layout.kpus,
                    plural(layout.kpus),
                    plural(k)
                ));
            }
        }
        if layout.kpus > quota && !self.pins.sizing {
            reasons.push(format!(
                "the declared needs take {} KPUs, above the KPU quota of {quota}: request a quota increase",
                needs.kpus_at(k).max(layout.kpus)
            ));
        }
        if layout.idle_slots() > 0 && !self.pins.sizing {
            if let Some(max) = self.max_parallelism().filter(|m| *m == layout.parallelism) {
                let idle = layout.idle_slots();
                reasons.push(format!(
                    "parallelism {max} is the max parallelism: {idle} slot{} of the last KPU stay{} idle",
                    plural(idle),
                    if idle == 1 { "s" } else { "" }
                ));
            }
        }
    }

    fn compute_reasons(&self, reasons: &mut Vec<String>) {
        let margin = self.margin();
        let max = self.max_parallelism();
        // ` + 10% target margin = 132`, and where the cap clips it.
        let with_margin = |need: u64| -> String {
            if margin <= 0.0 {
                return String::new();
            }
            let target = sizing::with_margin(need, margin);
            let capped = match max {
                Some(m) if need <= m && target > m => format!(", capped at max parallelism {m}"),
                _ => String::new(),
            };
            format!(" + {} target margin = {target}{capped}", crate::rules::pct(margin))
        };
        if let Some(req) = &self.decl.required_parallelism {
            reasons.push(format!(
                "compute: required parallelism {}{}",
                req.value,
                with_margin(req.value)
            ));
        }
        if let Some(req) = &self.decl.required_kpus {
            reasons.push(format!(
                "compute: required KPUs {}{}",
                req.value,
                with_margin(req.value)
            ));
        }
        if let Some(p) = self.needs.measured_parallelism() {
            reasons.push(format!(
                "compute: running parallelism {p} (autoscaling raised it above the configured parallelism){}",
                with_margin(p)
            ));
        }
        if let Some(c) = self.needs.measured_compute() {
            reasons.push(format!("compute: measured {}{}", c.arithmetic(), with_margin(c.kpus)));
        }
    }

    /// Autoscaling as written, turned off where a scale event would be slow (KPU010) or the
    /// first doubling would pass max parallelism (KPU012). The safe part turns it off only
    /// where a compute need is declared.
    fn auto_scaling(&self, layout: &Layout, part: Part, reasons: &mut Vec<String>) -> bool {
        let written = self.s.effective.auto_scaling;
        if !written || self.pins.auto_scaling {
            return written;
        }
        let t = self.t;
        let slow = self.decl.state_size.as_ref().and_then(|st| {
            let minutes = sizing::rescale_minutes(st.value.gb(), t.rescale_gb_per_minute);
            (minutes > t.slow_rescale_minutes).then_some((st.value, minutes))
        });
        let max_parallelism = self
            .max_parallelism()
            .unwrap_or_else(|| sizing::derived_max_parallelism(layout.parallelism));
        let first_up = sizing::first_scale_up_parallelism(layout.parallelism, layout.ppk.saturating_mul(t.kpu_quota));
        let why = if let Some((state, minutes)) = slow {
            format!(
                "autoscaling off: each scale event at {state} takes about {} minutes (limit {})",
                fmt_num(minutes),
                fmt_num(t.slow_rescale_minutes)
            )
        } else if first_up > max_parallelism {
            format!(
                "autoscaling off: its first scale-up to parallelism {first_up} would pass max parallelism {max_parallelism}"
            )
        } else {
            return true;
        };
        if part == Part::Safe && !self.compute_safe() {
            reasons.push(format!(
                "autoscaling kept on as written: turning it off needs a declared compute need or --unsafe-fixes ({})",
                why.trim_start_matches("autoscaling off: ")
            ));
            return true;
        }
        reasons.push(why);
        false
    }

    /// What to confirm before applying `layout` with `auto_scaling`: each change that lowers a
    /// dimension whose need is not declared (or not met), or packs more slots into a KPU.
    fn confirm(&self, layout: &Layout, auto_scaling: bool) -> Vec<String> {
        let current = self.s.effective;
        let mut confirm = Vec::new();
        let k = layout.ppk;
        if k > current.parallelism_per_kpu {
            confirm.push(format!(
                "{k} slots per KPU give each subtask 1/{k} vCPU: check that the job keeps up"
            ));
        }
        let compute_incomplete = self.needs.compute_incomplete();
        let undeclared = if self.compute_usable && !compute_incomplete.is_empty() {
            format!(
                "compute need measured on incomplete evidence ({})",
                compute_incomplete.join("; ")
            )
        } else if self.needs.compute_known() {
            "compute need above max parallelism".into()
        } else {
            format!("compute need undeclared{}", self.not_measured())
        };
        if !self.storage_safe() && layout.kpus < self.s.kpus {
            let storage_incomplete = self.needs.storage_incomplete();
            let why = if self.storage_usable() && !storage_incomplete.is_empty() {
                format!(
                    "disk use measured on incomplete evidence ({})",
                    storage_incomplete.join("; ")
                )
            } else if self.storage_kpus.is_some() {
                "state above max parallelism".into()
            } else {
                format!("state size undeclared{}", self.not_measured())
            };
            confirm.push(format!(
                "{why}: check that {} × {STORAGE_GB_PER_KPU} GB = {} GB holds the state",
                layout.kpus,
                sizing::running_storage_gb(layout.kpus)
            ));
        }
        let compute_usable = self.compute_safe();
        if !compute_usable && layout.parallelism < current.parallelism {
            confirm.push(format!(
                "{undeclared}: check that parallelism {} ({} KPU{}) carries the load",
                layout.parallelism,
                layout.kpus,
                plural(layout.kpus)
            ));
        }
        if current.auto_scaling && !auto_scaling && !compute_usable {
            confirm.push(format!(
                "{undeclared}: without autoscaling, check that parallelism {} carries the peak load",
                layout.parallelism
            ));
        }
        confirm
    }

    /// What evidence is missing for a need that is neither declared nor measured, when the
    /// application has evidence at all (without any, the reason stays as it always was).
    fn not_measured(&self) -> String {
        let Some(m) = &self.needs.measurement else {
            return String::new();
        };
        if !m.stale.is_empty() {
            format!(" and its evidence is not used ({})", m.stale.join("; "))
        } else if !m.files.is_empty() && m.window_start.is_none() {
            format!(
                " and not measured: {} holds no CloudWatch metrics (export them with `kpulint evidence queries`)",
                m.file_list()
            )
        } else {
            String::new()
        }
    }

    fn finish(
        &self,
        layout: Layout,
        auto_scaling: bool,
        custom: bool,
        mut reasons: Vec<String>,
        confirm: Vec<String>,
    ) -> Recommendation {
        reasons.extend(confirm.iter().map(|c| format!("confirm first: {c}")));
        let kpus = layout.kpus;
        let t = self.t;
        let billed_kpus = self.kind.map(|k| sizing::billed_kpus(kpus, k));
        let monthly_cost_usd = billed_kpus
            .zip(self.prices)
            .map(|(b, p)| sizing::monthly_cost(kpus, b, p, t.hours_per_month).total_usd);
        let savings_usd = match (self.s.monthly_cost_usd, monthly_cost_usd) {
            (Some(now), Some(then)) => Some(sizing::round_cents(now - then)),
            _ => None,
        };
        Recommendation {
            parallelism: layout.parallelism,
            parallelism_per_kpu: layout.ppk,
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
            safe_part: None,
            conflict: self.conflict.clone(),
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
