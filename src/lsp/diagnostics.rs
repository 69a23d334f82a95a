//! A run's findings, input errors and located notices as LSP diagnostics, per file: the
//! rule id as `code`, its page as `codeDescription`, related locations as
//! `relatedInformation`, and the finding's application and fingerprint as `data` (code
//! actions find their fix by it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use super::analysis::{absolute, UnitRun};
use super::positions::{span_range, Encoding};
use crate::lint::Finding;
use crate::model::Severity;

/// Shown as the diagnostics' `source`.
pub const SOURCE: &str = "kpulint";

/// What a finding's diagnostic carries for code actions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FindingData {
    /// The application's identity (`envs/prod:module.x.aws_...this`, or its address).
    pub instance: Option<String>,
    pub application: Option<String>,
    pub fingerprint: String,
}

/// The message with the help line, as the human report shows them.
pub fn message(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) if !h.is_empty() => format!("{message}\nhelp: {h}"),
        _ => message.to_string(),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// Every diagnostic of a run, by absolute file path. `uri` gives the URI a path is published
/// under (`None`: a path that is no file, such as `--var x`).
pub fn of_run(
    folder: &Path,
    run: &UnitRun,
    enc: Encoding,
    uri: &dyn Fn(&Path) -> Option<Uri>,
) -> HashMap<PathBuf, Vec<Diagnostic>> {
    let mut out: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
    for e in &run.outcome.errors {
        out.entry(absolute(folder, e.span.path()))
            .or_default()
            .push(Diagnostic {
                range: span_range(&e.span, enc),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some(SOURCE.into()),
                message: message(&e.message, e.help.as_deref()),
                ..Diagnostic::default()
            });
    }
    for f in run.outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
        out.entry(absolute(folder, f.span.path()))
            .or_default()
            .push(finding(folder, f, enc, uri));
    }
    for n in &run.outcome.notices {
        let Some(span) = &n.span else { continue };
        out.entry(absolute(folder, span.path())).or_default().push(Diagnostic {
            range: span_range(span, enc),
            severity: Some(DiagnosticSeverity::INFORMATION),
            source: Some(SOURCE.into()),
            message: n.message.clone(),
            ..Diagnostic::default()
        });
    }
    out
}

fn finding(folder: &Path, f: &Finding, enc: Encoding, uri: &dyn Fn(&Path) -> Option<Uri>) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri(&absolute(folder, r.span.path()))?, span_range(&r.span, enc)),
                message: r.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: span_range(&f.span, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.id.to_string())),
        code_description: Uri::from_str(&f.rule.url()).ok().map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message: message(&f.message, Some(&f.help)),
        related_information: (!related.is_empty()).then_some(related),
        data: serde_json::to_value(FindingData {
            instance: f.instance.clone(),
            application: f.application.clone(),
            fingerprint: f.fingerprint.clone(),
        })
        .ok(),
        ..Diagnostic::default()
    }
}

/// One file's diagnostics from several runs: each once, in position order.
pub fn merge(mut all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| {
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
    };
    all.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message)));
    all.dedup_by(|a, b| a.range == b.range && a.message == b.message && a.code == b.code && a.severity == b.severity);
    all
}
