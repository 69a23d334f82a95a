//! `--format json`: the stable machine-readable contract (documented in the README).

use std::io::{self, Write};

use serde::Serialize;

use super::{counts, fleet_cost};
use crate::analysis::{Analysis, NotSized};
use crate::lint::Finding;
use crate::model::{InputError, Notice, Setting};
use crate::recommend::Recommendation;
use crate::run::Outcome;
use crate::source::Span;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    applications: Streamed<'a, Analysis, App<'a>>,
    findings: Streamed<'a, Finding, FindingOut<'a>>,
    errors: Streamed<'a, InputError, ErrorOut<'a>>,
    notices: Streamed<'a, Notice, NoticeOut<'a>>,
    summary: Summary<'a>,
}

/// A JSON array written one element at a time, each converted as it is written: a report of
/// tens of thousands of applications never holds them all converted at once.
struct Streamed<'a, T, Out>(&'a [T], fn(&'a T) -> Out);

impl<'a, T, Out: Serialize> Serialize for Streamed<'a, T, Out> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    pub(crate) const KPULINT: Tool = Tool {
        name: "kpulint",
        version: env!("CARGO_PKG_VERSION"),
    };
}

#[derive(Serialize)]
struct At<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn at(span: &Span) -> At<'_> {
    let l = span.location();
    At {
        file: span.path(),
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
    }
}

#[derive(Serialize)]
struct ModuleCallOut<'a> {
    address: &'a str,
    #[serde(flatten)]
    at: At<'a>,
}

#[derive(Serialize)]
struct App<'a> {
    address: &'a str,
    /// The root module directory that reaches it, relative to the repository root (`.` for the
    /// repository root); a plan's or template's file.
    root: &'a str,
    /// `root:address`, or the plain address for the root `.`, a plan or a template.
    instance: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    format: &'static str,
    /// The inputs the application was read from: its format, and `terraform` too when a plan
    /// and the `.tf` it was planned from were both scanned and are reported once.
    inputs: Vec<&'static str>,
    module_calls: Vec<ModuleCallOut<'a>>,
    runtime_environment: Option<&'a str>,
    /// `false` for SQL applications, which have no Flink parallelism.
    applicable: bool,
    /// `sized`, `not_applicable`, `unresolved` or `invalid`.
    status: &'static str,
    configuration_type: Option<&'a str>,
    parallelism: Option<serde_json::Value>,
    parallelism_per_kpu: Option<serde_json::Value>,
    auto_scaling_enabled: Option<bool>,
    kpus: Option<u64>,
    billed_kpus: Option<u64>,
    running_storage_gb: Option<u64>,
    autoscale_ceiling_parallelism: Option<u64>,
    state_size_gb: Option<serde_json::Value>,
    state_size_source: Option<crate::needs::DeclSource>,
    required_parallelism: Option<u64>,
    required_parallelism_source: Option<crate::needs::DeclSource>,
    required_kpus: Option<u64>,
    required_kpus_source: Option<crate::needs::DeclSource>,
    max_parallelism: Option<u64>,
    max_parallelism_source: Option<crate::needs::DeclSource>,
    needed_kpus: Option<u64>,
    /// `null` when the region could not be evaluated.
    region: Option<&'a str>,
    /// The region whose prices the costs use (`null`: none do, so the costs are unknown).
    price_region: Option<&'a str>,
    monthly_cost_usd: Option<serde_json::Value>,
    /// The inputs that could set one of its values but could not be read or parsed: while any
    /// is listed, costs and recommendation are `null` and `--fix` leaves it as it is.
    tainted_by: Vec<&'a str>,
    needs: Option<NeedsOut>,
    cost: Option<CostOut>,
    recommendation: Option<RecommendationOut<'a>>,
}

#[derive(Serialize)]
struct NeedsOut {
    storage_kpus: Option<u64>,
    compute_kpus: Option<u64>,
    needed_kpus: Option<u64>,
    binding: Option<&'static str>,
    /// `declared`, `measured` (from evidence) or `null` (unknown).
    compute_source: Option<crate::needs::NeedSource>,
    storage_source: Option<crate::needs::NeedSource>,
    /// What the application's evidence measured (`null`: no evidence for it).
    evidence: Option<EvidenceOut>,
}

/// `needs.evidence`: the window the evidence covers and what it measured there.
#[derive(Serialize)]
struct EvidenceOut {
    window_start: Option<String>,
    window_end: Option<String>,
    days: Option<serde_json::Value>,
    excluded_hours: u64,
    cpu_p95_percent: Option<serde_json::Value>,
    kpus_observed: Option<u64>,
    disk_max_percent: Option<serde_json::Value>,
    disk_used_gb: Option<serde_json::Value>,
    /// `lastCheckpointSize` Maximum: the checkpoint size, not the state size.
    checkpoint_size_max_gb: Option<serde_json::Value>,
    current_parallelism: Option<u64>,
    files: Vec<String>,
}

fn evidence(m: &crate::needs::Measurement) -> EvidenceOut {
    use crate::needs::evidence::time::format_iso;
    let rounded = |v: f64| num((v * 100.0).round() / 100.0);
    EvidenceOut {
        window_start: m.window_start.map(format_iso),
        window_end: m.window_end.map(format_iso),
        days: m.days.map(rounded),
        excluded_hours: m.excluded_hours,
        cpu_p95_percent: m.cpu_p95_percent.map(rounded),
        kpus_observed: m.kpus_observed,
        disk_max_percent: m.disk_max_percent.map(rounded),
        disk_used_gb: m.disk_used_gb.map(rounded),
        checkpoint_size_max_gb: m.checkpoint_size_max_gb.map(rounded),
        current_parallelism: m.current_parallelism,
        files: m.files.clone(),
    }
}

/// A month's cost by what it pays for (also in `what-if` JSON).
#[derive(Serialize)]
pub(super) struct CostOut {
    kpu_usd: serde_json::Value,
    orchestration_usd: serde_json::Value,
    running_storage_usd: serde_json::Value,
    total_usd: serde_json::Value,
}

impl From<crate::sizing::MonthlyCost> for CostOut {
    fn from(c: crate::sizing::MonthlyCost) -> Self {
        CostOut {
            kpu_usd: num(c.kpu_usd),
            orchestration_usd: num(c.orchestration_usd),
            running_storage_usd: num(c.running_storage_usd),
            total_usd: num(c.total_usd),
        }
    }
}

#[derive(Serialize)]
struct RecommendationOut<'a> {
    parallelism: u64,
    parallelism_per_kpu: u64,
    auto_scaling_enabled: bool,
    configuration_type: &'static str,
    kpus: u64,
    billed_kpus: Option<u64>,
    running_storage_gb: u64,
    monthly_cost_usd: Option<serde_json::Value>,
    savings_usd: Option<serde_json::Value>,
    safe: bool,
    reasons: &'a [String],
    /// What `--fix` applies without `--unsafe-fixes`, with the same fields (absent inside itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    safe_part: Option<Box<RecommendationOut<'a>>>,
}

fn recommendation(r: &Recommendation) -> RecommendationOut<'_> {
    RecommendationOut {
        parallelism: r.parallelism,
        parallelism_per_kpu: r.parallelism_per_kpu,
        auto_scaling_enabled: r.auto_scaling,
        configuration_type: if r.custom { "CUSTOM" } else { "DEFAULT" },
        kpus: r.kpus,
        billed_kpus: r.billed_kpus,
        running_storage_gb: r.running_storage_gb,
        monthly_cost_usd: r.monthly_cost_usd.map(num),
        savings_usd: r.savings_usd.map(num),
        safe: r.safe,
        reasons: &r.reasons,
        safe_part: r.safe_part.as_deref().map(|p| Box::new(recommendation(p))),
    }
}

pub use crate::units::json_number as num;

fn known<T: Clone>(s: &Setting<T>) -> Option<T> {
    s.value().cloned()
}

fn app(a: &Analysis) -> App<'_> {
    // A plan application is located at the `.tf` resource it was planned from, when known.
    let located = a.app.located();
    let (line, column) = located.file.line_col(located.start);
    let pc = &a.app.parallelism;
    let sized = a.sizing.as_ref().ok();
    let status = match &a.sizing {
        Ok(_) => "sized",
        Err(NotSized::NotApplicable) => "not_applicable",
        Err(NotSized::Unresolved) => "unresolved",
        Err(NotSized::Invalid) => "invalid",
    };
    let (configuration_type, parallelism, per_kpu, auto) = match sized {
        Some(s) => (
            Some(if s.custom { "CUSTOM" } else { "DEFAULT" }),
            Some(s.effective.parallelism as f64),
            Some(s.effective.parallelism_per_kpu as f64),
            s.auto_scaling,
        ),
        None => (
            pc.configuration_type.value().map(String::as_str),
            known(&pc.parallelism),
            known(&pc.parallelism_per_kpu),
            known(&pc.auto_scaling_enabled),
        ),
    };
    App {
        address: &a.app.address,
        root: &a.app.root,
        instance: &a.app.instance,
        file: located.path(),
        line,
        column,
        format: a.app.format.name(),
        inputs: if a.app.merged_with_source {
            vec![a.app.format.name(), crate::model::InputFormat::TerraformHcl.name()]
        } else {
            vec![a.app.format.name()]
        },
        module_calls: a
            .app
            .module_calls
            .iter()
            .map(|c| ModuleCallOut {
                address: &c.address,
                at: at(&c.span),
            })
            .collect(),
        runtime_environment: a.app.runtime_environment.value().map(String::as_str),
        applicable: !matches!(a.sizing, Err(NotSized::NotApplicable)),
        status,
        configuration_type,
        parallelism: parallelism.map(num),
        parallelism_per_kpu: per_kpu.map(num),
        auto_scaling_enabled: auto,
        kpus: sized.map(|s| s.kpus),
        billed_kpus: sized.and_then(|s| s.billed_kpus),
        running_storage_gb: sized.map(|s| s.running_storage_gb),
        autoscale_ceiling_parallelism: sized.map(|s| s.autoscale_ceiling_parallelism),
        state_size_gb: a.state_size.as_ref().map(|d| num((d.value.gb() * 1e6).round() / 1e6)),
        state_size_source: a.state_size.as_ref().map(|d| d.source),
        required_parallelism: a.required_parallelism.as_ref().map(|d| d.value),
        required_parallelism_source: a.required_parallelism.as_ref().map(|d| d.source),
        required_kpus: a.required_kpus.as_ref().map(|d| d.value),
        required_kpus_source: a.required_kpus.as_ref().map(|d| d.source),
        max_parallelism: a.max_parallelism.as_ref().map(|d| d.value),
        max_parallelism_source: a.max_parallelism.as_ref().map(|d| d.source),
        needed_kpus: sized.and_then(|s| s.needed_kpus()),
        region: a.region.as_deref(),
        price_region: a.price_region.as_deref(),
        monthly_cost_usd: sized.and_then(|s| s.monthly_cost_usd).map(num),
        tainted_by: a.app.tainted_files(),
        needs: sized.map(|s| {
            let needs = a.needs();
            NeedsOut {
                storage_kpus: s.storage_kpus,
                compute_kpus: s.compute_kpus,
                needed_kpus: s.needed_kpus(),
                binding: s.binding().map(|b| b.as_str()),
                compute_source: needs.compute_source(),
                storage_source: needs.storage_source(),
                evidence: a.measurement.as_deref().map(evidence),
            }
        }),
        cost: sized.and_then(|s| s.cost).map(CostOut::from),
        recommendation: a.recommendation.as_ref().map(recommendation),
    }
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    message: &'a str,
    #[serde(flatten)]
    at: At<'a>,
}

#[derive(Serialize)]
struct SuppressionOut<'a> {
    kind: &'a str,
    reason: &'a str,
    until: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct FindingOut<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    #[serde(flatten)]
    at: At<'a>,
    message: &'a str,
    help: &'a str,
    application: Option<&'a str>,
    /// The application's root and instance, as in `applications[]` (`null` without one).
    root: Option<&'a str>,
    instance: Option<&'a str>,
    related: Vec<RelatedOut<'a>>,
    fingerprint: &'a str,
    suppressed: bool,
    suppression: Option<SuppressionOut<'a>>,
}

pub(crate) fn finding(f: &Finding) -> FindingOut<'_> {
    FindingOut {
        rule: f.rule.id,
        name: f.rule.name,
        severity: f.severity.as_str(),
        at: at(&f.span),
        message: &f.message,
        help: &f.help,
        application: f.application.as_deref(),
        root: f.root.as_deref(),
        instance: f.instance.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| RelatedOut {
                message: &r.message,
                at: at(&r.span),
            })
            .collect(),
        fingerprint: &f.fingerprint,
        suppressed: f.suppressed.is_some(),
        suppression: f.suppressed.as_ref().map(|s| SuppressionOut {
            kind: s.kind(),
            reason: &s.reason,
            until: s.until.map(|d| d.to_string()),
        }),
    }
}

#[derive(Serialize)]
pub(crate) struct ErrorOut<'a> {
    #[serde(flatten)]
    at: At<'a>,
    message: &'a str,
    help: Option<&'a str>,
}

pub(crate) fn error(e: &InputError) -> ErrorOut<'_> {
    ErrorOut {
        at: at(&e.span),
        message: &e.message,
        help: e.help.as_deref(),
    }
}

#[derive(Serialize)]
pub(crate) struct NoticeOut<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

pub(crate) fn notice(n: &Notice) -> NoticeOut<'_> {
    let loc = n.span.as_ref().map(|s| s.location());
    NoticeOut {
        file: n.span.as_ref().map(|s| s.path()),
        line: loc.map(|l| l.line),
        column: loc.map(|l| l.column),
        message: &n.message,
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    applications: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    input_errors: usize,
    monthly_cost_usd: serde_json::Value,
    recommended_monthly_cost_usd: serde_json::Value,
    /// Only what `safe: true` recommendations save.
    savings_usd: serde_json::Value,
    /// What the `safe: false` recommendations would save, once what they name is confirmed.
    unconfirmed_savings_usd: serde_json::Value,
    /// With `--fix`: the findings the applied fixes resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<usize>,
    /// Every limit that decides the exit code 1, with the value found and whether it passed.
    gates: &'a [crate::gate::Gate],
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let c = counts(&outcome.findings);
    let fleet = fleet_cost(&outcome.analyses);
    let doc = Doc {
        version: VERSION,
        tool: Tool::KPULINT,
        applications: Streamed(&outcome.analyses, app),
        findings: Streamed(&outcome.findings, finding),
        errors: Streamed(&outcome.errors, error),
        notices: Streamed(&outcome.notices, notice),
        summary: Summary {
            files: outcome.files,
            applications: outcome.analyses.len(),
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            suppressed: c.suppressed,
            input_errors: outcome.errors.len(),
            monthly_cost_usd: num(fleet.monthly_cost_usd),
            recommended_monthly_cost_usd: num(fleet.recommended_monthly_cost_usd),
            savings_usd: num(fleet.savings_usd),
            unconfirmed_savings_usd: num(fleet.unconfirmed_savings_usd),
            fixed: outcome.fix.as_ref().map(|f| f.fixed),
            gates: &outcome.gates,
        },
    };
    // `From` keeps an I/O error's kind: a closed pipe stays a closed pipe, which is not an error.
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
