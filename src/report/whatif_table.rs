//! The side-by-side figures of one application under a what-if scenario, shared by the human
//! and Markdown renderers: the four configurations as table columns and the Δ split.

use super::cost_table::superscript;
use super::table::Table;
use crate::rules::{pct, plural, usd};
use crate::whatif::{signed_pct, signed_usd, size_text, total, AppWhatIf, Column, Delta, WhatIf};

/// Column headings: today as written and right-sized, the scenario as set and right-sized.
pub const COLUMNS: [&str; 4] = ["today", "today right-sized", "scenario", "scenario right-sized"];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn money(v: Option<f64>) -> String {
    v.map(usd).unwrap_or_else(|| "—".into())
}

/// One row per figure: label, then a cell per column (`—` where a column has no value).
pub fn rows(w: &AppWhatIf<'_>) -> Vec<(String, Vec<String>)> {
    let cols = [
        (&w.today_configured, false),
        (&w.today_right_sized, true),
        (&w.scenario_configured, false),
        (&w.scenario_right_sized, true),
    ];
    let row = |label: &str, f: &dyn Fn(&Column, bool) -> String| -> (String, Vec<String>) {
        let cells = cols
            .iter()
            .map(|(c, right_sized)| c.as_ref().map(|c| f(c, *right_sized)).unwrap_or_else(|| "—".into()))
            .collect();
        (label.to_string(), cells)
    };
    let delta = w.delta;
    let mut out = vec![
        row("state size", &|c, _| size_text(c.state_size)),
        row("required parallelism", &|c, _| opt(c.required_parallelism)),
        row("storage KPUs", &|c, _| opt(c.storage_kpus)),
        row("compute KPUs", &|c, _| opt(c.compute_kpus)),
        row("binds", &|c, _| opt(c.binding.map(|b| b.as_str()))),
        row("target margin", &|c, rs| {
            if rs {
                pct(c.target_margin)
            } else {
                "—".into()
            }
        }),
        row("parallelism", &|c, _| c.parallelism.to_string()),
        row("parallelism per KPU", &|c, _| c.parallelism_per_kpu.to_string()),
        row("autoscaling", &|c, _| {
            if c.auto_scaling { "on" } else { "off" }.to_string()
        }),
        row("KPUs", &|c, _| c.kpus.to_string()),
        row("billed KPUs", &|c, _| opt(c.billed_kpus)),
        row("running storage", &|c, _| format!("{} GB", c.running_storage_gb)),
        row("prices", &|c, _| opt(c.price_region.as_deref())),
        row("KPU-hours $/month", &|c, _| money(c.cost.map(|m| m.kpu_usd))),
        row("orchestration $/month", &|c, _| {
            money(c.cost.map(|m| m.orchestration_usd))
        }),
        row("storage $/month", &|c, _| money(c.cost.map(|m| m.running_storage_usd))),
        row("total $/month", &|c, _| money(c.monthly_cost_usd())),
    ];
    let vs_today = |usd: Option<f64>, pct: &dyn Fn(&Delta, f64) -> f64| match (delta, usd) {
        (Some(d), Some(v)) => format!("{} ({})", signed_usd(v), signed_pct(pct(&d, v) / 100.0, 0.0)),
        _ => "—".into(),
    };
    let share = |d: &Delta, v: f64| d.pct(v, 1);
    out.push((
        "Δ vs today".into(),
        vec![
            "—".into(),
            vs_today(delta.map(|d| d.from_margin_usd), &share),
            vs_today(delta.and_then(|d| d.scenario_configured_usd), &share),
            vs_today(delta.map(|d| d.total_usd), &|d, _| d.total_pct(1)),
        ],
    ));
    out
}

/// The figures as a table: a label column, then [`COLUMNS`].
pub fn figures(w: &AppWhatIf<'_>, header: &[&str]) -> Table {
    let mut t = Table::new(header, &[false, true, true, true, true]);
    for (label, cells) in rows(w) {
        let mut r = vec![label];
        r.extend(cells);
        t.push(r);
    }
    t
}

/// The footnotes of the Δ split: what to confirm before an unsafe right-sizing saves what it
/// says (¹ today's, ² the scenario's), as `cost` marks its unsafe rows.
pub fn confirm_notes(w: &AppWhatIf<'_>) -> Vec<String> {
    let (today, scenario) = unconfirmed_parts(w);
    let mut notes = Vec::new();
    for (what, confirm) in [("today", today), ("scenario", scenario)] {
        if !confirm.is_empty() {
            notes.push(format!(
                "{} {what} right-sized is not a safe fix, confirm first: {}",
                superscript(notes.len() + 1),
                confirm.join("; ")
            ));
        }
    }
    notes
}

/// What to confirm for the part of the Δ that is today's right-sizing, and for the part that
/// is the scenario's (empty: that part is confirmed, or there is nothing to confirm in it).
fn unconfirmed_parts<'w>(w: &'w AppWhatIf<'_>) -> (&'w [String], &'w [String]) {
    let changes = |usd: Option<f64>| usd.is_some_and(|v| v != 0.0);
    let today = if changes(w.delta.map(|d| d.from_margin_usd)) {
        w.today_confirm()
    } else {
        &[]
    };
    let scenario = if changes(w.delta.map(|d| d.from_scenario_usd)) {
        w.scenario_confirm()
    } else {
        &[]
    };
    (today, scenario)
}

/// The Δ split, one line each: label, amount, share of today, what it is. A scenario that
/// changes only the state names it ("from the state"); a right-sizing without a declared
/// compute need is not "the margin"; an unsafe one is marked unconfirmed, with a footnote.
pub fn split(w: &AppWhatIf<'_>, d: &Delta) -> Table {
    let mut t = Table::new(&["", "$/month", "of today", ""], &[false, true, true, false]);
    let mark = |unconfirmed: bool, n: usize| {
        if unconfirmed {
            format!(" (unconfirmed{})", superscript(n))
        } else {
            String::new()
        }
    };
    let (today, scenario) = unconfirmed_parts(w);
    let (today, scenario) = (!today.is_empty(), !scenario.is_empty());
    let scenario_note = if today { 2 } else { 1 };
    for (label, v, pct, what) in [
        (
            format!("from {}{}", w.margin_label, mark(today, 1)),
            d.from_margin_usd,
            d.pct(d.from_margin_usd, 1),
            "today right-sized − today",
        ),
        (
            format!(
                "{}{}",
                if w.only_state {
                    "from the state"
                } else {
                    "from the scenario"
                },
                mark(scenario, scenario_note)
            ),
            d.from_scenario_usd,
            d.pct(d.from_scenario_usd, 1),
            "scenario right-sized − today right-sized",
        ),
        // The sum of the parts as printed, so the column adds up.
        (
            format!("total{}", if today || scenario { " (unconfirmed)" } else { "" }),
            d.total_usd,
            d.total_pct(1),
            "scenario right-sized − today",
        ),
    ] {
        t.push(vec![
            label,
            signed_usd(v),
            signed_pct(pct / 100.0, 0.0),
            what.to_string(),
        ]);
    }
    t
}

/// `file:line`
pub fn located(w: &AppWhatIf<'_>) -> String {
    let l = w.today.app.span.location();
    format!("{}:{}", w.today.app.span.path(), l.line)
}

/// The fleet line: `1 application:` and what follows it.
pub fn summary(w: &WhatIf<'_>) -> (String, String) {
    let n = w.applications.len() as u64;
    let head = format!("{n} application{}:", plural(n));
    let sized = || w.applications.iter().filter(|a| a.delta.is_some());
    // A margin only where every compute need is declared.
    let margin = if sized().all(|a| a.margin_label == "the margin") {
        "the margin"
    } else {
        "right-sizing"
    };
    let unconfirmed = |part: fn(&Delta) -> f64, confirm: fn(&AppWhatIf<'_>) -> bool| {
        let cents: i64 = sized()
            .filter(|a| confirm(a))
            .filter_map(|a| a.delta.as_ref().map(|d| (part(d) * 100.0).round() as i64))
            .sum();
        if cents != 0 {
            format!(" ({} of it unconfirmed)", signed_usd(cents as f64 / 100.0))
        } else {
            String::new()
        }
    };
    let rest = match total(&w.applications) {
        Some(t) => format!(
            "{}/month today, {}/month scenario right-sized ({}, {}: {} from {margin}{}, {} from the scenario{})",
            usd(t.today_usd),
            usd(t.today_usd + t.total_usd),
            signed_usd(t.total_usd),
            signed_pct(t.total_pct(1) / 100.0, 0.0),
            signed_usd(t.from_margin_usd),
            unconfirmed(|d| d.from_margin_usd, |a| !a.today_confirm().is_empty()),
            signed_usd(t.from_scenario_usd),
            unconfirmed(|d| d.from_scenario_usd, |a| !a.scenario_confirm().is_empty()),
        ),
        None => "no costs to compare".to_string(),
    };
    (head, rest)
}
