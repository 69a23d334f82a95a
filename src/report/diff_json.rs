//! `kpulint diff --format json`: the pull-request delta as a stable contract (documented in
//! the README). Findings, errors and notices have the same shape as in `check --format json`.

use std::io::{self, Write};

use serde::Serialize;

use super::diff_cells::summary;
use super::json::{self, ErrorOut, FindingOut, NoticeOut};
use crate::diff::{AppDelta, Change, Deltas, Diff, Figures, SeverityCounts};

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: json::Tool,
    base: SideOut<'a>,
    head: SideOut<'a>,
    applications: Vec<AppOut<'a>>,
    findings: FindingsOut<'a>,
    notices: Vec<NoticeOut<'a>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct SideOut<'a> {
    label: &'a str,
    files: usize,
    errors: Vec<ErrorOut<'a>>,
}

#[derive(Serialize)]
struct FiguresOut {
    status: &'static str,
    parallelism: Option<u64>,
    parallelism_per_kpu: Option<u64>,
    auto_scaling_enabled: Option<bool>,
    kpus: Option<u64>,
    billed_kpus: Option<u64>,
    running_storage_gb: Option<u64>,
    monthly_cost_usd: Option<serde_json::Value>,
}

fn usd(cents: i64) -> serde_json::Value {
    json::num(cents as f64 / 100.0)
}

/// A cost total, `null` when an application in the sums has no price.
fn known_usd(t: &crate::diff::Totals, cents: i64) -> serde_json::Value {
    if t.cost_known() {
        usd(cents)
    } else {
        serde_json::Value::Null
    }
}

fn figures(f: &Figures) -> FiguresOut {
    FiguresOut {
        status: f.status,
        parallelism: f.parallelism,
        parallelism_per_kpu: f.parallelism_per_kpu,
        auto_scaling_enabled: f.auto_scaling,
        kpus: f.kpus,
        billed_kpus: f.billed_kpus,
        running_storage_gb: f.running_storage_gb,
        monthly_cost_usd: f.monthly_cost_cents.map(usd),
    }
}

#[derive(Serialize)]
struct DeltaOut {
    kpus: Option<i64>,
    billed_kpus: Option<i64>,
    running_storage_gb: Option<i64>,
    monthly_cost_usd: Option<serde_json::Value>,
}

fn deltas(d: &Deltas) -> DeltaOut {
    DeltaOut {
        kpus: d.kpus,
        billed_kpus: d.billed_kpus,
        running_storage_gb: d.running_storage_gb,
        monthly_cost_usd: d.monthly_cost_cents.map(usd),
    }
}

#[derive(Serialize)]
struct AppOut<'a> {
    address: &'a str,
    /// The root module directory (Terraform) or file (plan, template), relative to the
    /// compared root.
    root: &'a str,
    /// `ROOT:ADDRESS` (the address alone for a root of `.`, a plan or a template).
    instance: &'a str,
    file: &'a str,
    line: usize,
    change: &'static str,
    before: Option<FiguresOut>,
    after: Option<FiguresOut>,
    delta: DeltaOut,
    /// `false` when an input of the application could not be read on a side: `delta` is then
    /// `null` throughout (`not comparable (input error)`), never a saving.
    comparable: bool,
    /// Those inputs.
    tainted_by: &'a [&'a str],
}

fn app<'a>(a: &'a AppDelta<'a>) -> AppOut<'a> {
    AppOut {
        address: &a.key.address,
        root: &a.key.unit,
        instance: &a.instance,
        file: a.span.path(),
        line: a.span.location().line,
        change: a.change.as_str(),
        before: a.before.as_ref().map(figures),
        after: a.after.as_ref().map(figures),
        delta: deltas(&a.deltas),
        comparable: a.comparable,
        tainted_by: &a.tainted_by,
    }
}

#[derive(Serialize)]
struct ResolvedOut<'a> {
    #[serde(flatten)]
    finding: FindingOut<'a>,
    now_suppressed: bool,
}

#[derive(Serialize)]
struct FindingsOut<'a> {
    introduced: Vec<FindingOut<'a>>,
    resolved: Vec<ResolvedOut<'a>>,
}

#[derive(Serialize)]
struct Amounts {
    kpus: i64,
    billed_kpus: i64,
    running_storage_gb: i64,
    monthly_cost_usd: serde_json::Value,
}

#[derive(Serialize)]
struct Totals {
    before: Amounts,
    after: Amounts,
    delta: Amounts,
    applications_without_figures: usize,
    /// Of those, the applications with an input that could not be read on a side.
    applications_not_comparable: usize,
    /// Applications in the KPU sums whose cost is unknown (a region without prices): the cost
    /// totals are then `null`.
    applications_without_cost: usize,
}

#[derive(Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
    notes: usize,
}

impl From<SeverityCounts> for Counts {
    fn from(c: SeverityCounts) -> Self {
        Counts {
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
        }
    }
}

#[derive(Serialize)]
struct AppCounts {
    added: usize,
    removed: usize,
    changed: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct Summary<'a> {
    text: String,
    applications: AppCounts,
    totals: Totals,
    introduced: Counts,
    resolved: Counts,
    new_input_errors: usize,
    /// Every limit that decides the exit code 1, with the value found and whether it passed.
    gates: &'a [crate::gate::Gate],
}

pub fn render(d: &Diff<'_>, out: &mut dyn Write) -> io::Result<()> {
    let t = &d.totals;
    let doc = Doc {
        version: json::VERSION,
        tool: json::Tool::KPULINT,
        base: SideOut {
            label: &d.labels.base,
            files: d.base_files,
            errors: d.base_errors.iter().map(json::error).collect(),
        },
        head: SideOut {
            label: &d.labels.head,
            files: d.head_files,
            errors: d.head_errors.iter().map(json::error).collect(),
        },
        applications: d.changed().map(app).collect(),
        findings: FindingsOut {
            introduced: d.introduced.iter().map(|f| json::finding(f)).collect(),
            resolved: d
                .resolved
                .iter()
                .map(|r| ResolvedOut {
                    finding: json::finding(r.finding),
                    now_suppressed: r.now_suppressed,
                })
                .collect(),
        },
        notices: d.notices.iter().map(json::notice).collect(),
        summary: Summary {
            text: summary(d),
            applications: AppCounts {
                added: d.count(Change::Added),
                removed: d.count(Change::Removed),
                changed: d.count(Change::Changed),
                unchanged: d.count(Change::Unchanged),
            },
            totals: Totals {
                before: Amounts {
                    kpus: t.before_kpus,
                    billed_kpus: t.before_billed_kpus,
                    running_storage_gb: t.before_running_storage_gb,
                    monthly_cost_usd: known_usd(t, t.before_monthly_cost_cents),
                },
                after: Amounts {
                    kpus: t.after_kpus,
                    billed_kpus: t.after_billed_kpus,
                    running_storage_gb: t.after_running_storage_gb,
                    monthly_cost_usd: known_usd(t, t.after_monthly_cost_cents),
                },
                delta: Amounts {
                    kpus: t.delta_kpus(),
                    billed_kpus: t.delta_billed_kpus(),
                    running_storage_gb: t.delta_running_storage_gb(),
                    monthly_cost_usd: known_usd(t, t.delta_monthly_cost_cents()),
                },
                applications_without_figures: t.without_figures,
                applications_not_comparable: t.not_comparable,
                applications_without_cost: t.without_cost,
            },
            introduced: SeverityCounts::of(d.introduced.iter().copied()).into(),
            resolved: SeverityCounts::of(d.resolved.iter().map(|r| r.finding)).into(),
            new_input_errors: d.new_errors.len(),
            gates: &d.gates,
        },
    };
    // `From` keeps an I/O error's kind: a closed pipe stays a closed pipe, which is not an error.
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
