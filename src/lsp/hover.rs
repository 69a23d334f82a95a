//! Hover: on an application's header (a CloudFormation logical id), one of its parallelism
//! settings wherever the value is defined (the attribute, a tfvars entry, a variable default,
//! a module argument, a CloudFormation parameter), a declaration (`# kpulint:` comment, tag,
//! `.kpulint.hcl` block) or a module call creating it: its KPUs, billed KPUs, running storage,
//! needs with where they were declared, monthly cost and the recommendation with its safety.

use std::path::Path;

use super::analysis::{absolute, UnitRun};
use crate::analysis::{Analysis, NotSized};
use crate::config::{DeclSource, Declared};
use crate::model::DirectiveKind;
use crate::rules::{plural, recommendation_help, usd};
use crate::source::Span;

/// The 1-based lines a span covers.
fn lines(span: &Span) -> (usize, usize) {
    let (first, _) = span.file.line_col(span.start);
    let (last, _) = span.file.line_col(span.end.max(span.start));
    (first, last)
}

/// Whether the hovered `line` of `path` is on one of `spans` (only the first line of each
/// span when `first_line_only`).
fn on(folder: &Path, path: &Path, line: usize, spans: &[Option<&Span>], first_line_only: bool) -> bool {
    spans.iter().flatten().any(|s| {
        if absolute(folder, s.path()) != path {
            return false;
        }
        let (first, last) = lines(s);
        line >= first && line <= if first_line_only { first } else { last }
    })
}

/// Whether hovering `line` of `path` is about application `a`.
pub fn targets(folder: &Path, a: &Analysis, path: &Path, line: usize) -> bool {
    let app = &a.app;
    let pc = &app.parallelism;
    let header = [Some(&app.span), app.source.as_ref()];
    let module_headers: Vec<Option<&Span>> = app.module_calls.iter().map(|c| Some(&c.span)).collect();
    if on(folder, path, line, &header, true) || on(folder, path, line, &module_headers, true) {
        return true;
    }
    let settings = [
        pc.parallelism.span(),
        pc.parallelism_per_kpu.span(),
        pc.auto_scaling_enabled.span(),
        pc.configuration_type.span(),
        pc.parallelism.origin().map(|o| &o.span),
        pc.parallelism_per_kpu.origin().map(|o| &o.span),
        pc.auto_scaling_enabled.origin().map(|o| &o.span),
        pc.configuration_type.origin().map(|o| &o.span),
    ];
    let directives: Vec<Option<&Span>> = app
        .directives
        .iter()
        .chain(app.module_calls.iter().flat_map(|c| c.directives.iter()))
        .filter(|d| d.kind == DirectiveKind::Declare)
        .map(|d| Some(&d.span))
        .collect();
    let declared = [
        a.state_size.as_ref().map(|d| &d.span),
        a.required_parallelism.as_ref().map(|d| &d.span),
        a.required_kpus.as_ref().map(|d| &d.span),
        a.max_parallelism.as_ref().map(|d| &d.span),
    ];
    on(folder, path, line, &settings, false)
        || on(folder, path, line, &directives, false)
        || on(folder, path, line, &declared, false)
}

fn at(span: &Span) -> String {
    format!("{}:{}", span.path(), span.location().line)
}

fn source<T>(d: &Declared<T>) -> String {
    let how = match d.source {
        DeclSource::Annotation => "`# kpulint:` comment",
        DeclSource::Tag => "tag",
        DeclSource::Config => "`.kpulint.hcl`",
        DeclSource::Scenario => "what-if flag",
    };
    format!("{how} at {}", at(&d.span))
}

/// Markdown describing one application.
pub fn describe(a: &Analysis) -> String {
    let mut out = format!("**{}**", a.app.instance);
    let sizing = match &a.sizing {
        Ok(s) => s,
        Err(why) => {
            let why = match why {
                NotSized::NotApplicable => "it runs SQL-1_0, which has no Flink parallelism",
                NotSized::Unresolved => "a sizing value cannot be evaluated (KPU009)",
                NotSized::Invalid => "a sizing value is invalid (KPU001)",
            };
            out.push_str(&format!("\n\nnot sized: {why}"));
            return out;
        }
    };
    let e = &sizing.effective;
    out.push_str(&format!(
        "\n\n- **{} KPU{}**: parallelism {} at {} per KPU, autoscaling {}{}",
        sizing.kpus,
        plural(sizing.kpus),
        e.parallelism,
        e.parallelism_per_kpu,
        if e.auto_scaling { "on" } else { "off" },
        if sizing.custom {
            ""
        } else {
            " (DEFAULT: the service's values)"
        },
    ));
    match sizing.billed_kpus {
        Some(billed) => out.push_str(&format!(
            "\n- **{billed} billed KPU{}** ({} for orchestration)",
            plural(billed),
            billed.saturating_sub(sizing.kpus)
        )),
        None => out.push_str("\n- billed KPUs unknown (the runtime is unknown)"),
    }
    out.push_str(&format!("\n- running storage: {} GB", sizing.running_storage_gb));
    out.push_str(&format!("\n- needs: {}", needs(a, sizing)));
    match (sizing.monthly_cost_usd, &a.price_region) {
        (Some(cost), Some(region)) => out.push_str(&format!("\n- monthly cost: **{}** ({region} prices)", usd(cost))),
        _ => out.push_str(&format!("\n- monthly cost unknown: {}", why_unpriced(a))),
    }
    out.push_str(&format!("\n- recommendation: {}", recommendation(a, sizing)));
    out
}

/// Why an application has no cost: a broken input, or a region without prices.
pub fn why_unpriced(a: &Analysis) -> String {
    if a.tainted() {
        format!("{} has an input error", a.app.tainted_files().join(", "))
    } else if let Some(region) = &a.unpriced_region {
        format!("no prices for region {region}")
    } else {
        "the runtime is unknown".into()
    }
}

fn needs(a: &Analysis, s: &crate::analysis::Sizing) -> String {
    let mut parts = Vec::new();
    let measured = a.needs();
    match (&a.state_size, measured.measured_storage(), s.storage_kpus) {
        (Some(d), _, Some(kpus)) => parts.push(format!(
            "storage {} (state size from the {})",
            crate::recommend::storage_arithmetic(d.value, a.thresholds().storage_factor, kpus),
            source(d)
        )),
        (None, Some(disk), _) => parts.push(format!(
            "storage {} KPU{} (measured: {}, kept below {}%)",
            disk.kpus,
            plural(disk.kpus),
            disk.usage(),
            crate::units::fmt_num(crate::needs::measured::DISK_HEALTHY_FRACTION * 100.0)
        )),
        _ => parts.push("state size undeclared, storage not checked (KPU008)".into()),
    }
    let mut compute = Vec::new();
    if let Some(d) = &a.required_parallelism {
        compute.push(format!("required parallelism {} (from the {})", d.value, source(d)));
    }
    if let Some(d) = &a.required_kpus {
        compute.push(format!("required KPUs {} (from the {})", d.value, source(d)));
    }
    if let Some(p) = measured.measured_parallelism() {
        compute.push(format!("running parallelism {p} autoscaling raised (measured)"));
    }
    if let Some(c) = measured.measured_compute() {
        compute.push(format!("measured CPU: {}", c.arithmetic()));
    }
    match (compute.is_empty(), s.compute_kpus) {
        (false, Some(kpus)) => parts.push(format!("compute {kpus} KPU{}: {}", plural(kpus), compute.join(", "))),
        _ => parts.push("no compute need declared or measured".into()),
    }
    if let Some(d) = &a.max_parallelism {
        parts.push(format!("max parallelism {} (from the {})", d.value, source(d)));
    }
    let mut text = parts.join("; ");
    if let (Some(needed), Some(binding)) = (s.needed_kpus(), s.binding()) {
        text.push_str(&format!(
            " → {needed} KPU{} needed, {} binds",
            plural(needed),
            binding.as_str()
        ));
    }
    text
}

fn recommendation(a: &Analysis, s: &crate::analysis::Sizing) -> String {
    let Some(r) = &a.recommendation else {
        return if a.tainted() {
            format!("none until {} reads without error", a.app.tainted_files().join(", "))
        } else if a.needs_invalid() {
            "none: a declaration is invalid".into()
        } else {
            "none".into()
        };
    };
    if !r.changes(s) {
        return match recommendation_help(a) {
            Some(conflict) => format!("right-sized as written; {conflict}"),
            None => "right-sized as written".into(),
        };
    }
    let help = recommendation_help(a).unwrap_or_default();
    let cost = match (r.monthly_cost_usd, r.savings_usd) {
        (Some(c), Some(saved)) if saved >= 0.0 => format!(": {}/month, saves {}", usd(c), usd(saved)),
        (Some(c), Some(saved)) => format!(": {}/month, {} more", usd(c), usd(-saved)),
        (Some(c), None) => format!(": {}/month", usd(c)),
        _ => String::new(),
    };
    let safety = if r.safe {
        " — **safe fix** (the quick fix and `kpulint --fix` apply it)"
    } else {
        ""
    };
    format!("{help}{cost}{safety}")
}

/// The hover text for `line` (1-based) of `path`, from the runs that read it.
pub fn hover(runs: &[(&Path, &UnitRun)], path: &Path, line: usize) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut parts = Vec::new();
    for (folder, run) in runs {
        for a in &run.outcome.analyses {
            if targets(folder, a, path, line) && seen.insert(a.app.instance.clone()) {
                parts.push(describe(a));
            }
        }
    }
    const SHOWN: usize = 8;
    if parts.is_empty() {
        return None;
    }
    let more = parts.len().saturating_sub(SHOWN);
    parts.truncate(SHOWN);
    let mut text = parts.join("\n\n---\n\n");
    if more > 0 {
        text.push_str(&format!("\n\n… and {more} more application{}", plural(more as u64)));
    }
    Some(text)
}
