//! `kpulint what-if --format json`: every application's four configurations and the Δ split,
//! as numbers (documented in the README next to the `check` contract).

use std::io::{self, Write};

use serde::Serialize;

use super::json::{error, notice, num, CostOut, ErrorOut, NoticeOut, Tool, VERSION};
use crate::model::InputError;
use crate::whatif::{AppWhatIf, Column, Delta, Flag, WhatIf};

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    scenario: Vec<FlagOut<'a>>,
    applications: Vec<AppOut<'a>>,
    errors: Vec<ErrorOut<'a>>,
    notices: Vec<NoticeOut<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct FlagOut<'a> {
    flag: &'static str,
    /// The address or glob it targets (`null`: every application).
    target: Option<&'a str>,
    value: &'a str,
}

#[derive(Serialize)]
struct AppOut<'a> {
    address: &'a str,
    /// The root module directory (or the plan or template), and `root:address` (the plain
    /// address for the root `.`, a plan or a template).
    root: &'a str,
    instance: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    /// `sized`, `not_applicable`, `unresolved` or `invalid`, today and under the scenario.
    status: &'static str,
    scenario_status: &'static str,
    headline: &'a str,
    changes: &'a [String],
    today: Pair,
    scenario: Pair,
    delta: Option<DeltaOut>,
}

#[derive(Serialize)]
struct Pair {
    configured: Option<ColumnOut>,
    right_sized: Option<ColumnOut>,
}

#[derive(Serialize)]
struct ColumnOut {
    state_size_gb: Option<serde_json::Value>,
    required_parallelism: Option<u64>,
    required_kpus: Option<u64>,
    storage_kpus: Option<u64>,
    compute_kpus: Option<u64>,
    binding: Option<&'static str>,
    target_margin: serde_json::Value,
    configuration_type: &'static str,
    parallelism: u64,
    parallelism_per_kpu: u64,
    auto_scaling_enabled: bool,
    kpus: u64,
    billed_kpus: Option<u64>,
    running_storage_gb: u64,
    price_region: Option<String>,
    cost: Option<CostOut>,
    /// A right-sized column: whether its recommendation is a safe fix, and what to confirm
    /// first when it is not (absent for a configured column).
    #[serde(skip_serializing_if = "Option::is_none")]
    safe: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm: Option<Vec<String>>,
}

#[derive(Serialize)]
struct DeltaOut {
    today_usd: serde_json::Value,
    from_margin_usd: serde_json::Value,
    from_margin_pct: serde_json::Value,
    from_scenario_usd: serde_json::Value,
    from_scenario_pct: serde_json::Value,
    total_usd: serde_json::Value,
    total_pct: serde_json::Value,
    scenario_configured_usd: Option<serde_json::Value>,
    scenario_configured_pct: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Summary {
    applications: usize,
    input_errors: usize,
    delta: Option<DeltaOut>,
}

/// A percentage of today's cost, rounded to two decimals.
fn pct(d: &Delta, usd: f64) -> serde_json::Value {
    num(d.pct(usd, 2))
}

fn delta(d: &Delta) -> DeltaOut {
    DeltaOut {
        today_usd: num(d.today_usd),
        from_margin_usd: num(d.from_margin_usd),
        from_margin_pct: pct(d, d.from_margin_usd),
        from_scenario_usd: num(d.from_scenario_usd),
        from_scenario_pct: pct(d, d.from_scenario_usd),
        total_usd: num(d.total_usd),
        // The sum of the rounded parts, so the percentages add up.
        total_pct: num(d.total_pct(2)),
        scenario_configured_usd: d.scenario_configured_usd.map(num),
        scenario_configured_pct: d.scenario_configured_usd.map(|v| pct(d, v)),
    }
}

fn column(c: &Option<Column>, right_sized: bool) -> Option<ColumnOut> {
    let c = c.as_ref()?;
    Some(ColumnOut {
        state_size_gb: c.state_size.map(|b| num((b.gb() * 1e6).round() / 1e6)),
        required_parallelism: c.required_parallelism,
        required_kpus: c.required_kpus,
        storage_kpus: c.storage_kpus,
        compute_kpus: c.compute_kpus,
        binding: c.binding.map(|b| b.as_str()),
        target_margin: num(c.target_margin),
        configuration_type: if c.custom { "CUSTOM" } else { "DEFAULT" },
        parallelism: c.parallelism,
        parallelism_per_kpu: c.parallelism_per_kpu,
        auto_scaling_enabled: c.auto_scaling,
        kpus: c.kpus,
        billed_kpus: c.billed_kpus,
        running_storage_gb: c.running_storage_gb,
        price_region: c.price_region.clone(),
        cost: c.cost.map(CostOut::from),
        safe: right_sized.then(|| !c.unconfirmed()),
        confirm: right_sized.then(|| c.confirm.clone()),
    })
}

fn app<'a>(w: &'a AppWhatIf<'a>) -> AppOut<'a> {
    let (line, column_no) = w.today.app.span.file.line_col(w.today.app.span.start);
    AppOut {
        address: &w.today.app.address,
        root: &w.today.app.root,
        instance: &w.today.app.instance,
        file: w.today.app.span.path(),
        line,
        column: column_no,
        status: crate::cost::status(w.today),
        scenario_status: crate::cost::status(&w.scenario),
        headline: &w.headline,
        changes: &w.changes,
        today: Pair {
            configured: column(&w.today_configured, false),
            right_sized: column(&w.today_right_sized, true),
        },
        scenario: Pair {
            configured: column(&w.scenario_configured, false),
            right_sized: column(&w.scenario_right_sized, true),
        },
        delta: w.delta.as_ref().map(delta),
    }
}

fn flag(f: &Flag) -> FlagOut<'_> {
    FlagOut {
        flag: f.kind.flag(),
        target: f.target.as_deref(),
        value: &f.value,
    }
}

pub fn render(w: &WhatIf<'_>, flags: &[Flag], errors: &[InputError], out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        version: VERSION,
        tool: Tool::KPULINT,
        scenario: flags.iter().map(flag).collect(),
        applications: w.applications.iter().map(app).collect(),
        errors: errors.iter().map(error).collect(),
        notices: w.notices.iter().map(notice).collect(),
        summary: Summary {
            applications: w.applications.len(),
            input_errors: errors.len(),
            delta: crate::whatif::total(&w.applications).as_ref().map(delta),
        },
    };
    // `From` keeps an I/O error's kind: a closed pipe stays a closed pipe, which is not an error.
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
