//! `kpulint what-if`: re-sizes each application under hypothetical changes (state size, compute
//! need, configuration, region, target margin) and splits the cost difference into what
//! dropping today's margin saves and what the scenario itself changes. Pure: analyses in,
//! figures out; the analysis and recommendation code does every sizing.
//!
//! Four configurations per application, each a column of the output:
//! - `today`: the configuration as written, under today's declarations and prices;
//! - `today right-sized`: the recommendation under today's declarations;
//! - `scenario`: the configuration as the scenario leaves it (today's, unless `--parallelism`,
//!   `--parallelism-per-kpu` or `--autoscaling` change it), under the scenario's declarations and
//!   prices;
//! - `scenario right-sized`: the recommendation under the scenario.
//!
//! Every Δ is taken against `today` (so all percentages share one denominator):
//! from the margin = today right-sized − today; from the scenario = scenario right-sized − today
//! right-sized; total = scenario right-sized − today = the sum of the two. The scenario
//! column's own Δ (scenario − today) is reported beside them and is not part of the sum.

use std::sync::Arc;

use crate::analysis::{self, analyze_declared, Analysis, Binding};
use crate::config::{DeclSource, Declared};
use crate::model::{Application, Notice, Setting};
use crate::sizing::{self, MonthlyCost};
use crate::units::Bytes;

mod flags;
pub use flags::{Change, Flag, FlagError, FlagKind};

/// One configuration of an application and the needs it is sized against.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub state_size: Option<Bytes>,
    pub required_parallelism: Option<u64>,
    pub required_kpus: Option<u64>,
    /// KPUs the state needs on disk.
    pub storage_kpus: Option<u64>,
    /// KPUs the compute need takes at this column's `parallelism_per_kpu` (with the target
    /// margin in the right-sized columns, which is what they are sized for).
    pub compute_kpus: Option<u64>,
    pub binding: Option<Binding>,
    pub target_margin: f64,
    pub parallelism: u64,
    pub parallelism_per_kpu: u64,
    pub auto_scaling: bool,
    pub custom: bool,
    pub kpus: u64,
    pub billed_kpus: Option<u64>,
    pub running_storage_gb: u64,
    /// `None` when no prices apply (an unpriced region, a tainted application).
    pub price_region: Option<String>,
    /// `None` when the orchestration overhead (the runtime) or the prices are unknown.
    pub cost: Option<MonthlyCost>,
    /// A right-sized column's recommendation is `safe: false`: what to confirm before its
    /// saving is real (empty for a configured column and a safe recommendation).
    pub confirm: Vec<String>,
}

impl Column {
    /// The column is a recommendation whose saving still needs confirming.
    pub fn unconfirmed(&self) -> bool {
        !self.confirm.is_empty()
    }
}

impl Column {
    pub fn monthly_cost_usd(&self) -> Option<f64> {
        self.cost.map(|c| c.total_usd)
    }
}

/// The configuration as written (or as the scenario sets it).
fn configured(a: &Analysis) -> Option<Column> {
    let s = a.sizing.as_ref().ok()?;
    Some(Column {
        state_size: a.state_size.as_ref().map(|d| d.value),
        required_parallelism: a.required_parallelism.as_ref().map(|d| d.value),
        required_kpus: a.required_kpus.as_ref().map(|d| d.value),
        storage_kpus: s.storage_kpus,
        compute_kpus: s.compute_kpus,
        binding: s.binding(),
        target_margin: a.thresholds().target_margin,
        parallelism: s.effective.parallelism,
        parallelism_per_kpu: s.effective.parallelism_per_kpu,
        auto_scaling: s.effective.auto_scaling,
        custom: s.custom,
        kpus: s.kpus,
        billed_kpus: s.billed_kpus,
        running_storage_gb: s.running_storage_gb,
        price_region: a.price_region.clone(),
        cost: s.cost,
        confirm: Vec::new(),
    })
}

/// The recommendation, as a configuration.
fn right_sized(a: &Analysis) -> Option<Column> {
    let r = a.recommendation.as_ref()?;
    let s = a.sizing.as_ref().ok()?;
    let t = a.thresholds();
    let compute_kpus = analysis::compute_kpus(&a.declarations(), r.parallelism_per_kpu, t.target_margin);
    Some(Column {
        state_size: a.state_size.as_ref().map(|d| d.value),
        required_parallelism: a.required_parallelism.as_ref().map(|d| d.value),
        required_kpus: a.required_kpus.as_ref().map(|d| d.value),
        storage_kpus: s.storage_kpus,
        compute_kpus,
        binding: analysis::binding(s.storage_kpus, compute_kpus),
        target_margin: t.target_margin,
        parallelism: r.parallelism,
        parallelism_per_kpu: r.parallelism_per_kpu,
        auto_scaling: r.auto_scaling,
        custom: r.custom,
        kpus: r.kpus,
        billed_kpus: r.billed_kpus,
        running_storage_gb: r.running_storage_gb,
        price_region: a.price_region.clone(),
        cost: r
            .billed_kpus
            .zip(a.prices.as_ref())
            .map(|(b, p)| sizing::monthly_cost(r.kpus, b, p, t.hours_per_month)),
        confirm: if r.safe { Vec::new() } else { r.confirm.clone() },
    })
}

/// The cost differences, each against today's configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta {
    pub today_usd: f64,
    /// Today right-sized − today: what dropping today's margin saves (negative) or meeting the
    /// declared needs costs (positive).
    pub from_margin_usd: f64,
    /// Scenario right-sized − today right-sized: what the scenario changes.
    pub from_scenario_usd: f64,
    /// Scenario right-sized − today = from margin + from scenario.
    pub total_usd: f64,
    /// The scenario's configuration (not right-sized) − today; not part of the sum.
    pub scenario_configured_usd: Option<f64>,
}

impl Delta {
    /// `usd` as a fraction of today's cost (0 when today costs nothing).
    pub fn fraction(&self, usd: f64) -> f64 {
        if self.today_usd > 0.0 {
            usd / self.today_usd
        } else {
            0.0
        }
    }

    /// `usd` as a percentage of today's cost, rounded to `decimals` places.
    pub fn pct(&self, usd: f64, decimals: i32) -> f64 {
        round_to(self.fraction(usd) * 100.0, decimals)
    }

    /// The total as a percentage of today's cost: the sum of the two parts' rounded
    /// percentages, so the printed parts add up to the printed total (−15.5% + −46.4% is
    /// −61.9%, even where the exact total rounds to −61.8%).
    pub fn total_pct(&self, decimals: i32) -> f64 {
        round_to(
            self.pct(self.from_margin_usd, decimals) + self.pct(self.from_scenario_usd, decimals),
            decimals,
        )
    }
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// One application under the scenario.
#[derive(Debug, Clone)]
pub struct AppWhatIf<'a> {
    pub today: &'a Analysis,
    pub scenario: Analysis,
    /// What the scenario changed for this application, e.g. `state 240 GB → 56 GB (−76.7%)`.
    pub changes: Vec<String>,
    pub today_configured: Option<Column>,
    pub today_right_sized: Option<Column>,
    pub scenario_configured: Option<Column>,
    pub scenario_right_sized: Option<Column>,
    pub delta: Option<Delta>,
    /// `−76.7% state → −0% KPUs (compute binds); −13.8% from dropping the margin`
    pub headline: String,
    /// The scenario changes only the state: its Δ is "from the state".
    pub only_state: bool,
    /// What today's right-sizing is called: "the margin" only when a compute need is declared
    /// (a margin is measured against one); "right-sizing" otherwise.
    pub margin_label: &'static str,
}

impl AppWhatIf<'_> {
    /// What to confirm before today's right-sizing saves what it says.
    pub fn today_confirm(&self) -> &[String] {
        self.today_right_sized.as_ref().map_or(&[], |c| c.confirm.as_slice())
    }

    /// What to confirm before the scenario's right-sizing saves what it says.
    pub fn scenario_confirm(&self) -> &[String] {
        self.scenario_right_sized.as_ref().map_or(&[], |c| c.confirm.as_slice())
    }
}

/// "the margin" when a compute need is declared; "right-sizing" otherwise.
fn margin_label(a: &Analysis) -> &'static str {
    if a.compute_declared() {
        "the margin"
    } else {
        "right-sizing"
    }
}

/// Every application under the scenario, and what the scenario could not apply.
#[derive(Debug, Clone)]
pub struct WhatIf<'a> {
    pub applications: Vec<AppWhatIf<'a>>,
    pub notices: Vec<Notice>,
    /// Flags whose address matched no application (a usage error: a typo would otherwise
    /// show an unchanged scenario).
    pub unmatched: Vec<String>,
}

/// Applies the scenario to every application.
pub fn what_if<'a>(analyses: &'a [Analysis], flags: &[Flag]) -> WhatIf<'a> {
    let mut notices = Vec::new();
    // The check run already spoke of the regions of today's configurations.
    let mut unpriced: std::collections::BTreeSet<String> =
        analyses.iter().filter_map(|a| a.unpriced_region.clone()).collect();
    let applications: Vec<AppWhatIf<'a>> = analyses
        .iter()
        .map(|a| {
            let w = apply(a, flags, &mut notices);
            if w.scenario.region != a.region {
                notices.extend(
                    analysis::price_notices(&w.scenario, &mut unpriced)
                        .into_iter()
                        .map(|n| Notice {
                            message: format!("scenario: {}", n.message),
                            ..n
                        }),
                );
            }
            w
        })
        .collect();
    let unmatched = flags
        .iter()
        .filter(|f| f.target.is_some() && !analyses.iter().any(|a| f.applies_to(&a.app.root, &a.app.address)))
        .map(|f| {
            format!(
                "{} {}: no application matches \"{}\"",
                f.kind.flag(),
                f.given,
                f.target.as_deref().unwrap_or_default()
            )
        })
        .collect();
    WhatIf {
        applications,
        notices,
        unmatched,
    }
}

/// The last flag of `kind` that applies to `app` (later flags win, as `--var` does).
fn last<'f>(flags: &'f [Flag], kind: FlagKind, app: &Application) -> Option<&'f Flag> {
    flags
        .iter()
        .rev()
        .find(|f| f.kind == kind && f.applies_to(&app.root, &app.address))
}

fn declared<T>(value: T, flag: &Flag) -> Declared<T> {
    Declared {
        value,
        span: flag.span.clone(),
        source: DeclSource::Scenario,
    }
}

fn apply<'a>(a: &'a Analysis, flags: &[Flag], notices: &mut Vec<Notice>) -> AppWhatIf<'a> {
    let address = a.app.instance.as_str();
    let mut decl = a.declarations();
    let mut app = a.app.clone();
    let mut config = None;
    let mut changes = Vec::new();
    let before = |f: Option<String>| f.map(|v| format!("{v} → ")).unwrap_or_default();

    // State: --state-size replaces the declared size, then --state-scale multiplies it.
    let today_state = decl.state_size.as_ref().map(|d| d.value);
    if let Some(f) = last(flags, FlagKind::StateSize, &a.app) {
        if let Change::StateSize(b) = f.change {
            decl.state_size = Some(declared(b, f));
        }
    }
    if let Some(f) = last(flags, FlagKind::StateScale, &a.app) {
        if let Change::StateScale(k) = f.change {
            match &mut decl.state_size {
                Some(d) => {
                    d.value = Bytes(d.value.0 * k);
                    d.span = f.span.clone();
                    d.source = DeclSource::Scenario;
                }
                None => notices.push(Notice {
                    span: Some(a.app.span.clone()),
                    message: format!(
                        "{} {}: {address} has no declared state size to scale; declare one or give --state-size",
                        f.kind.flag(),
                        f.given
                    ),
                }),
            }
        }
    }
    let scenario_state = decl.state_size.as_ref().map(|d| d.value);
    if scenario_state != today_state {
        if let Some(new) = scenario_state {
            let share = match today_state {
                Some(old) if old.0 > 0.0 => format!(" ({})", signed_pct(new.0 / old.0 - 1.0, 0.0)),
                _ => String::new(),
            };
            changes.push(format!(
                "state {}{new}{share}",
                before(today_state.map(|b| b.to_string()))
            ));
        }
    }
    if let Some(f) = last(flags, FlagKind::RequiredParallelism, &a.app) {
        if let Change::RequiredParallelism(n) = f.change {
            let old = decl.required_parallelism.as_ref().map(|d| d.value);
            if old != Some(n) {
                changes.push(format!(
                    "required parallelism {}{n}",
                    before(old.map(|v| v.to_string()))
                ));
            }
            decl.required_parallelism = Some(declared(n, f));
        }
    }

    // The configuration: any of these makes it CUSTOM, which is what it takes for the service
    // to apply them; the values not given stay as written (and apply, once CUSTOM).
    let pc = &mut app.parallelism;
    let mut configuration_flag = false;
    for kind in [
        FlagKind::Parallelism,
        FlagKind::ParallelismPerKpu,
        FlagKind::AutoScaling,
    ] {
        let Some(f) = last(flags, kind, &a.app) else { continue };
        configuration_flag = true;
        let span = f.span.clone();
        match f.change {
            Change::Parallelism(n) => pc.parallelism = Setting::known(n as f64, span),
            Change::ParallelismPerKpu(n) => pc.parallelism_per_kpu = Setting::known(n as f64, span),
            Change::AutoScaling(on) => pc.auto_scaling_enabled = Setting::known(on, span),
            _ => {}
        }
        if pc.configuration_type.value().map(String::as_str) != Some("CUSTOM") {
            pc.configuration_type = Setting::known("CUSTOM".to_string(), f.span.clone());
        }
    }
    if let Some(f) = last(flags, FlagKind::Region, &a.app) {
        if let Change::Region(r) = &f.change {
            app.region = Setting::known(r.clone(), f.span.clone());
            if a.region.as_deref() != Some(r.as_str()) {
                changes.push(format!("region {}{r}", before(a.region.clone())));
            }
        }
    }
    if let Some(f) = last(flags, FlagKind::TargetMargin, &a.app) {
        if let Change::TargetMargin(m) = f.change {
            let old = a.thresholds().target_margin;
            let mut c = (*a.config).clone();
            c.defaults.target_margin = m;
            config = Some(Arc::new(c));
            if old != m {
                changes.push(format!(
                    "target margin {} → {}",
                    crate::rules::pct(old),
                    crate::rules::pct(m)
                ));
            }
        }
    }

    let scenario = analyze_declared(app, config.unwrap_or_else(|| Arc::clone(&a.config)), decl);
    if configuration_flag {
        configuration_changes(a, &scenario, &mut changes);
    }
    let today_configured = configured(a);
    let today_right_sized = right_sized(a);
    let scenario_configured = configured(&scenario);
    let scenario_right_sized = right_sized(&scenario);
    let cost = |c: &Option<Column>| c.as_ref().and_then(Column::monthly_cost_usd);
    let delta = match (
        cost(&today_configured),
        cost(&today_right_sized),
        cost(&scenario_right_sized),
    ) {
        (Some(today), Some(rec_today), Some(rec_scenario)) => Some(Delta {
            today_usd: today,
            from_margin_usd: sizing::round_cents(rec_today - today),
            from_scenario_usd: sizing::round_cents(rec_scenario - rec_today),
            total_usd: sizing::round_cents(rec_scenario - today),
            scenario_configured_usd: cost(&scenario_configured).map(|c| sizing::round_cents(c - today)),
        }),
        _ => None,
    };
    let state_change = match (today_state, scenario_state) {
        (Some(old), Some(new)) if old.0 > 0.0 && old != new => Some(new.0 / old.0 - 1.0),
        _ => None,
    };
    let only_state = scenario_state != today_state && changes.len() == 1;
    let headline = match (&today_right_sized, &scenario_right_sized) {
        (Some(today), Some(scenario)) => {
            headline(state_change, &changes, today, scenario, delta.as_ref(), margin_label(a))
        }
        _ => not_sized(a, &scenario),
    };
    AppWhatIf {
        today: a,
        scenario,
        changes,
        today_configured,
        today_right_sized,
        scenario_configured,
        scenario_right_sized,
        delta,
        headline,
        only_state,
        margin_label: margin_label(a),
    }
}

/// What the configuration flags changed in the configuration the service runs, including the
/// values written but ignored under `DEFAULT` that apply once the scenario makes it `CUSTOM`.
fn configuration_changes(today: &Analysis, scenario: &Analysis, changes: &mut Vec<String>) {
    let Ok(new) = &scenario.sizing else { return };
    let old = today.sizing.as_ref().ok();
    let on_off = |b: bool| if b { "on" } else { "off" };
    let mut change = |what: &str, old: Option<String>, new: String| {
        if old.as_ref() != Some(&new) {
            let from = old.map(|o| format!("{o} → ")).unwrap_or_default();
            changes.push(format!("{what} {from}{new}"));
        }
    };
    let kind = |custom: bool| if custom { "CUSTOM" } else { "DEFAULT" }.to_string();
    change("configuration_type", old.map(|s| kind(s.custom)), kind(new.custom));
    let e = new.effective;
    change(
        "parallelism",
        old.map(|s| s.effective.parallelism.to_string()),
        e.parallelism.to_string(),
    );
    change(
        "parallelism per KPU",
        old.map(|s| s.effective.parallelism_per_kpu.to_string()),
        e.parallelism_per_kpu.to_string(),
    );
    change(
        "autoscaling",
        old.map(|s| on_off(s.effective.auto_scaling).to_string()),
        on_off(e.auto_scaling).to_string(),
    );
}

/// The sum of every application's [`Delta`] that has one (`None`: none has).
pub fn total(apps: &[AppWhatIf<'_>]) -> Option<Delta> {
    let mut sum: Option<Delta> = None;
    for d in apps.iter().filter_map(|w| w.delta) {
        let s = sum.get_or_insert(Delta {
            today_usd: 0.0,
            from_margin_usd: 0.0,
            from_scenario_usd: 0.0,
            total_usd: 0.0,
            scenario_configured_usd: Some(0.0),
        });
        s.today_usd += d.today_usd;
        s.from_margin_usd += d.from_margin_usd;
        s.from_scenario_usd += d.from_scenario_usd;
        s.total_usd += d.total_usd;
        s.scenario_configured_usd = match (s.scenario_configured_usd, d.scenario_configured_usd) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    sum.map(|s| Delta {
        today_usd: sizing::round_cents(s.today_usd),
        from_margin_usd: sizing::round_cents(s.from_margin_usd),
        from_scenario_usd: sizing::round_cents(s.from_scenario_usd),
        total_usd: sizing::round_cents(s.total_usd),
        scenario_configured_usd: s.scenario_configured_usd.map(sizing::round_cents),
    })
}

/// Why there is no comparison: `not sized (unresolved: see kpulint check)`, or which side is sized.
fn not_sized(today: &Analysis, scenario: &Analysis) -> String {
    if let (Ok(_), Some(broken)) = (&today.sizing, today.app.tainted_by.first()) {
        return format!("not priced: {} has an input error (see `kpulint check`)", broken.path());
    }
    let why = |a: &Analysis| format!("{}: see `kpulint check`", crate::cost::status(a).replace('_', " "));
    match (&today.sizing, &scenario.sizing) {
        (Err(_), Ok(_)) => format!("not sized today ({}); sized under the scenario", why(today)),
        (Ok(_), Err(_)) => format!("not sized under the scenario ({})", why(scenario)),
        _ => format!("not sized ({})", why(today)),
    }
}

/// `−76.7% state → −0% KPUs (compute binds); −13.8% from dropping the margin`. Without a
/// declared compute need there is no margin: `−72% from right-sizing`; a saving that still
/// needs confirming says so: `(unconfirmed)`.
fn headline(
    state_change: Option<f64>,
    changes: &[String],
    today: &Column,
    scenario: &Column,
    delta: Option<&Delta>,
    margin_label: &str,
) -> String {
    // A zero change reads as the direction of the state change: a state cut that saves no KPU
    // is "−0% KPUs".
    let zero_sign = state_change.unwrap_or(0.0);
    let cause = match state_change {
        Some(s) if changes.len() == 1 => format!("{} state", signed_pct(s, 0.0)),
        _ if changes.is_empty() => "no change".to_string(),
        _ => changes.join(", "),
    };
    let kpus = if today.kpus > 0 {
        scenario.kpus as f64 / today.kpus as f64 - 1.0
    } else {
        0.0
    };
    let binds = match scenario.binding {
        Some(b) => format!("{} binds", b.as_str()),
        None => "no need declared".to_string(),
    };
    let mut s = format!("{cause} → {} KPUs ({binds})", signed_pct(kpus, zero_sign));
    if let Some(d) = delta {
        if d.from_scenario_usd != 0.0 {
            s.push_str(&format!(", {} cost", signed_pct(d.fraction(d.from_scenario_usd), 0.0)));
        }
        let margin = d.fraction(d.from_margin_usd);
        let unconfirmed = if today.unconfirmed() { " (unconfirmed)" } else { "" };
        s.push_str(&if d.from_margin_usd < 0.0 && margin_label == "the margin" {
            format!("; {} from dropping the margin{unconfirmed}", signed_pct(margin, 0.0))
        } else if d.from_margin_usd < 0.0 {
            format!("; {} from {margin_label}{unconfirmed}", signed_pct(margin, 0.0))
        } else if d.from_margin_usd > 0.0 {
            format!("; {} to meet the declared needs", signed_pct(margin, 0.0))
        } else if margin_label == "the margin" {
            "; no margin to drop".to_string()
        } else {
            "; nothing to right-size".to_string()
        });
    }
    s
}

/// `−13.8%`, `+25%`, `0%`: one decimal at most, with a real minus sign. A zero takes the sign
/// of `zero_sign` (`−0%` when it is negative).
pub fn signed_pct(fraction: f64, zero_sign: f64) -> String {
    let shown = format!("{:.1}", (fraction * 100.0).abs());
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    let sign_of = if shown == "0" { zero_sign } else { fraction };
    let sign = if sign_of < 0.0 {
        "−"
    } else if sign_of > 0.0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{shown}%")
}

/// `−$341.20`, `+$12.00`, `$0.00`: a signed difference of money.
pub fn signed_usd(usd: f64) -> String {
    let abs = crate::rules::usd(usd.abs());
    if usd < 0.0 && abs != "$0.00" {
        format!("−{abs}")
    } else if usd > 0.0 && abs != "$0.00" {
        format!("+{abs}")
    } else {
        abs
    }
}

/// `60 GB` / `—`.
pub fn size_text(b: Option<Bytes>) -> String {
    b.map(|b| b.to_string()).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_figures() {
        assert_eq!(signed_pct(-0.1382, 0.0), "−13.8%");
        assert_eq!(signed_pct(56.0 / 240.0 - 1.0, 0.0), "−76.7%");
        assert_eq!(signed_pct(0.0, -0.76), "−0%");
        assert_eq!(signed_pct(0.0, 0.0), "0%");
        assert_eq!(signed_pct(0.25, 0.0), "+25%");
        assert_eq!(signed_pct(-0.0004, 0.0), "0%");
        assert_eq!(signed_usd(-341.2), "−$341.20");
        assert_eq!(signed_usd(1200.0), "+$1,200.00");
        assert_eq!(signed_usd(0.0), "$0.00");
        assert_eq!(signed_usd(-0.001), "$0.00");
    }
}
