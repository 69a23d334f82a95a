//! `--baseline` / `--write-baseline`: accept today's findings by stable fingerprint so CI fails
//! only on new ones.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::lint::{Finding, SuppressedBy};
use crate::model::InputError;
use crate::source::SourceFile;

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    #[serde(default)]
    pub application: Option<String>,
    /// The root of the application's instance ([`crate::model::Application::root`]). Entries
    /// written before roots were recorded have none: they match the finding in every root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    pub file: String,
    #[serde(default)]
    pub message: String,
}

/// Reads a baseline file; a missing or malformed one is an error (exit 2).
pub fn read(path: &Path) -> Result<Baseline, InputError> {
    let file = crate::inputs::read_named_source(path)?;
    serde_json::from_str::<Baseline>(&file.text).map_err(|e| {
        let offset = file
            .line_start(e.line())
            .map(|s| s + e.column().saturating_sub(1))
            .unwrap_or(0);
        InputError::new(file.span(offset..offset), format!("invalid baseline file: {e}"))
            .with_help("regenerate it with --write-baseline FILE")
    })
}

/// What a baseline accepts. An entry with a root matches its instance's fingerprint; an entry
/// without one (written before roots were recorded) matches the fingerprint it was written with
/// ([`Finding::legacy_fingerprint`]), or the same rule, application and file in every root.
#[derive(Debug, Clone, Default)]
pub struct Accepted {
    fingerprints: BTreeSet<String>,
    rootless: BTreeSet<String>,
    rootless_findings: BTreeSet<(String, String, String)>,
}

impl Accepted {
    pub fn of(b: &Baseline) -> Accepted {
        let mut accepted = Accepted::default();
        for e in &b.findings {
            if e.root.is_some() {
                accepted.fingerprints.insert(e.fingerprint.clone());
                continue;
            }
            accepted.rootless.insert(e.fingerprint.clone());
            if let Some(app) = &e.application {
                accepted
                    .rootless_findings
                    .insert((e.rule.clone(), app.clone(), e.file.clone()));
            }
        }
        accepted
    }

    pub fn accepts(&self, f: &Finding) -> bool {
        self.fingerprints.contains(&f.fingerprint)
            || self.rootless.contains(&f.fingerprint)
            || self.rootless.contains(&f.legacy_fingerprint)
            || f.application.as_ref().is_some_and(|app| {
                self.rootless_findings
                    .contains(&(f.rule.id.to_string(), app.clone(), f.span.path().to_string()))
            })
    }
}

/// The baseline for the findings that are active now (suppressed ones need no entry).
pub fn from_findings(findings: &[Finding]) -> Baseline {
    let mut entries: Vec<Entry> = findings
        .iter()
        .filter(|f| f.suppressed.as_ref().is_none_or(|s| s.by == SuppressedBy::Baseline))
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.id.to_string(),
            application: f.application.clone(),
            root: f.root.clone(),
            file: f.span.path().to_string(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint)));
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    Baseline {
        version: 1,
        findings: entries,
    }
}

/// Entries of `old` that no current finding matches (an entry without a root that a finding
/// still matches is not stale: rewriting the baseline records its root).
pub fn stale<'a>(old: &'a Baseline, findings: &[Finding]) -> Vec<&'a Entry> {
    let current: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.suppressed.as_ref().is_none_or(|s| s.by == SuppressedBy::Baseline))
        .collect();
    old.findings
        .iter()
        .filter(|e| {
            let one = Accepted::of(&Baseline {
                version: old.version,
                findings: vec![(*e).clone()],
            });
            !current.iter().any(|f| one.accepts(f))
        })
        .collect()
}

pub fn write(path: &Path, b: &Baseline) -> Result<(), InputError> {
    let text = serde_json::to_string_pretty(b)
        .map_err(|e| InputError::new(SourceFile::new(path.display().to_string(), "").whole(), e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| {
        InputError::new(
            SourceFile::new(path.display().to_string(), "").whole(),
            format!("cannot write baseline {}: {e}", path.display()),
        )
    })
}
