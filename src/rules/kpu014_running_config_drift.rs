//! KPU014: `describe-application` shows a running configuration (`ConfigurationType`,
//! `Parallelism`, `ParallelismPerKPU`, `AutoScalingEnabled`) other than the one the IaC
//! resolves to: the next apply changes a running job, which takes a snapshot and restarts.

use super::{anchor, minutes, Hit, RuleMeta};
use crate::analysis::Analysis;
use crate::model::Severity;
use crate::sizing::rescale_minutes;
use crate::source::Span;
use crate::units::fmt_num;

pub const META: RuleMeta = RuleMeta {
    id: "KPU014",
    name: "running-config-drift",
    severity: Severity::Warning,
    doc: include_str!("../../rules/KPU014.md"),
};

/// How long the restart an apply causes takes, and at which size.
fn restart(a: &Analysis) -> String {
    let t = a.thresholds();
    let at = |gb: f64| minutes(rescale_minutes(gb, t.rescale_gb_per_minute));
    let rate = format!(
        "{} GB/min, defaults.rescale_gb_per_minute",
        fmt_num(t.rescale_gb_per_minute)
    );
    if let Some(state) = &a.state_size {
        return format!(
            "taking about {} ({} of declared state at {rate})",
            at(state.value.gb()),
            state.value
        );
    }
    let checkpoint = a
        .measurement
        .as_deref()
        .filter(|m| m.stale.is_empty())
        .and_then(|m| m.checkpoint_size_max_gb);
    match checkpoint {
        Some(gb) => format!(
            "taking at least {} (the largest checkpoint, {} GB, at {rate}; lastCheckpointSize may be incremental, so the state can be larger)",
            at(gb),
            fmt_num(gb)
        ),
        None => "whose length depends on the state size, which is neither declared nor measured".into(),
    }
}

pub fn check(a: &Analysis) -> Vec<Hit> {
    let (Ok(s), Some(m)) = (&a.sizing, a.measurement.as_deref()) else {
        return Vec::new();
    };
    let Some(running) = m.running.as_ref().and_then(|r| r.parallelism.as_ref()) else {
        return Vec::new();
    };
    let pc = &a.app.parallelism;
    let name = |tf: &'static str| super::setting_name(a, tf);
    // (what differs, where the IaC writes it)
    let mut drift: Vec<(String, Option<Span>)> = Vec::new();
    let iac_type = if s.custom { "CUSTOM" } else { "DEFAULT" };
    if let Some(t) = running.configuration_type.as_deref().filter(|t| *t != iac_type) {
        drift.push((
            format!(
                "ConfigurationType {t} where the IaC resolves {} to {iac_type}",
                name("configuration_type")
            ),
            pc.configuration_type.span().cloned(),
        ));
    }
    // Under DEFAULT the service ignores the other values, on either side.
    if s.custom && running.configuration_type.as_deref() != Some("DEFAULT") {
        let mut compare = |what: &str, tf: &'static str, running: Option<String>, iac: String, span: Option<Span>| {
            if let Some(r) = running.filter(|r| *r != iac) {
                drift.push((format!("{what} {r} where the IaC resolves {} to {iac}", name(tf)), span));
            }
        };
        compare(
            "Parallelism",
            "parallelism",
            running.parallelism.map(|p| p.to_string()),
            s.effective.parallelism.to_string(),
            pc.parallelism.span().cloned(),
        );
        compare(
            "ParallelismPerKPU",
            "parallelism_per_kpu",
            running.parallelism_per_kpu.map(|p| p.to_string()),
            s.effective.parallelism_per_kpu.to_string(),
            pc.parallelism_per_kpu.span().cloned(),
        );
        if let Some(iac) = s.auto_scaling {
            compare(
                "AutoScalingEnabled",
                "auto_scaling_enabled",
                running.auto_scaling_enabled.map(|b| b.to_string()),
                iac.to_string(),
                pc.auto_scaling_enabled.span().cloned(),
            );
        }
    }
    if drift.is_empty() {
        return Vec::new();
    }
    let application = m.running.as_ref().map_or("", |r| r.application_name.as_str());
    let span = anchor(a, &drift.iter().map(|(_, s)| s.as_ref()).collect::<Vec<_>>());
    let shown: Vec<&str> = drift.iter().map(|(d, _)| d.as_str()).collect();
    vec![Hit {
        span,
        label: "differs from the running application".into(),
        message: format!(
            "the running application {application} has {} (describe-application in {}): the next apply changes a running job, a snapshot and restart {}",
            shown.join(", "),
            m.running_file.as_deref().unwrap_or("the evidence"),
            restart(a)
        ),
        help: "make the IaC say what should run: adopt the running values if they are right (someone changed the application outside the IaC, or autoscaling is expected), or apply in a maintenance window".into(),
        severity: None,
    }]
}
