//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Written with
//! `serde_json` so every field is under our control; it validates against the OASIS schema
//! (errata 01), which `tests/formats.rs` checks.
//!
//! What viewers are picky about, and what this writer does about it:
//! - `uri`s are relative to `%SRCROOT%` (the current directory, declared in
//!   `originalUriBaseIds`), percent-encoded, with forward slashes, and never empty. A file outside
//!   the current directory gets an absolute `file://` URI instead.
//! - Every rule is listed with a non-empty `helpUri`, its summary and its documentation page.
//! - Regions have real lines and columns; `columnKind` says columns count Unicode code points.
//! - Absent optional fields are left out, never `null`.
//! - `partialFingerprints` carry the finding's fingerprint, which has no line numbers.
//! - Suppressed findings are listed with `suppressions`; input errors and notices are
//!   `toolExecutionNotifications`, and `executionSuccessful` is false when there were errors.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::lint::Finding;
use crate::model::{InputError, Notice, Severity};
use crate::rules::{self, RuleMeta};
use crate::run::Outcome;
use crate::source::Span;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "kpulint/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Percent-encodes a path for a URI: everything but unreserved characters and `/` (and `:` when
/// `colon` is set, for a Windows drive in an absolute URI). A `:` in a relative URI would read
/// as a scheme, so it is encoded there.
fn encode(path: &str, colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            b':' if colon => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Forward-slashed path text of a relative or absolute path.
fn slashed(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => c.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    let s = parts.join("/");
    // A root directory leaves an empty first part: `/a/b`, and on Windows `C:` + `` + `a`.
    s.replace("//", "/")
}

/// `file:///abs/path` (with a trailing slash for a directory).
fn file_uri(abs: &Path, dir: bool) -> String {
    let mut p = slashed(abs);
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if dir && !p.ends_with('/') {
        p.push('/');
    }
    format!("file://{}", encode(&p, true))
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Paths that name no file: standard input and `--var NAME` values.
fn is_pseudo(path: &str) -> bool {
    path == "<stdin>" || path.starts_with("--")
}

/// The `artifactLocation` of a path as kpulint displays it, relative to `root` when possible.
fn artifact_location(path: &str, root: Option<&Path>) -> Value {
    let p = Path::new(path);
    let needs_root = p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir));
    let relative: Option<PathBuf> = match root {
        _ if !needs_root => Some(normalize(p)),
        Some(r) => {
            let abs = normalize(&r.join(p));
            abs.strip_prefix(r).ok().map(Path::to_path_buf)
        }
        // Without a known root, `../x` stays a relative reference.
        None if !p.is_absolute() => Some(normalize(p)),
        None => None,
    };
    match relative {
        Some(rel) => {
            let text = slashed(&rel);
            let uri = if text.is_empty() {
                ".".to_string()
            } else {
                encode(&text, false)
            };
            json!({ "uri": uri, "uriBaseId": SRCROOT })
        }
        None => {
            let abs = match root {
                Some(r) if !p.is_absolute() => normalize(&r.join(p)),
                _ => normalize(p),
            };
            json!({ "uri": file_uri(&abs, false) })
        }
    }
}

fn region(span: &Span) -> Value {
    let l = span.location();
    json!({
        "startLine": l.line.max(1),
        "startColumn": l.column.max(1),
        "endLine": l.end_line.max(l.line).max(1),
        "endColumn": if l.end_line > l.line { l.end_column.max(1) } else { l.end_column.max(l.column).max(1) },
    })
}

fn physical_location(span: &Span, root: Option<&Path>) -> Value {
    json!({
        "artifactLocation": artifact_location(span.path(), root),
        "region": region(span),
    })
}

fn text(s: impl Into<String>) -> Value {
    json!({ "text": s.into() })
}

/// The body of a `## Heading` section of a rule page, trimmed.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("\n## {heading}\n");
    let start = doc.find(&marker)? + marker.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let body = rest[..end].trim();
    (!body.is_empty()).then_some(body)
}

/// Tags for code-scanning filters: what the rule is about.
fn tags(id: &str) -> Vec<&'static str> {
    let area = match id {
        "KPU001" | "KPU002" | "KPU009" => "correctness",
        "KPU003" | "KPU010" => "reliability",
        "KPU004" | "KPU005" | "KPU006" => "cost",
        "KPU007" => "quota",
        id if id.starts_with("KPU9") => "suppression",
        _ => "capacity",
    };
    vec!["flink", "kpu", area]
}

fn rule(r: &RuleMeta) -> Value {
    let summary = r.summary();
    let short = if summary.is_empty() { r.name } else { summary };
    let full = section(r.doc, "What it checks").unwrap_or(short);
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": text(short),
        "fullDescription": { "text": full, "markdown": full },
        "help": { "text": r.doc, "markdown": r.doc },
        "helpUri": r.url(),
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": tags(r.id) },
    })
}

fn result(f: &Finding, rules: &[&RuleMeta], root: Option<&Path>) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule.id));
    if let Some(i) = rules.iter().position(|m| m.id == f.rule.id) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    let message = if f.help.is_empty() {
        f.message.clone()
    } else {
        format!("{}\nhelp: {}", f.message, f.help)
    };
    r.insert("message".into(), text(message));
    let mut location = Map::new();
    location.insert("physicalLocation".into(), physical_location(&f.span, root));
    if let Some(instance) = &f.instance {
        // Which instance of a shared source line: the root module and the address.
        location.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": instance, "kind": "resource" }]),
        );
    }
    r.insert("locations".into(), json!([Value::Object(location)]));
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical_location(&rel.span, root),
                    "message": text(rel.message.clone()),
                })
            })
            .collect();
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    r.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: f.fingerprint }));
    if let Some(s) = &f.suppressed {
        let mut sup = Map::new();
        sup.insert("kind".into(), json!(s.kind()));
        sup.insert("status".into(), json!("accepted"));
        if !s.reason.is_empty() {
            sup.insert("justification".into(), json!(s.reason));
        }
        if let Some(until) = s.until {
            sup.insert("properties".into(), json!({ "until": until.to_string() }));
        }
        r.insert("suppressions".into(), json!([Value::Object(sup)]));
    }
    if let Some(app) = &f.application {
        r.insert(
            "properties".into(),
            json!({ "application": app, "root": f.root, "instance": f.instance }),
        );
    }
    Value::Object(r)
}

fn notification(level: &str, span: Option<&Span>, message: &str, help: Option<&str>, root: Option<&Path>) -> Value {
    let mut text_ = message.to_string();
    if let Some(h) = help.filter(|h| !h.is_empty()) {
        text_.push_str(&format!("\nhelp: {h}"));
    }
    let mut n = Map::new();
    n.insert("level".into(), json!(level));
    match span {
        Some(s) if !is_pseudo(s.path()) => {
            n.insert("message".into(), text(text_));
            n.insert(
                "locations".into(),
                json!([{ "physicalLocation": physical_location(s, root) }]),
            );
        }
        Some(s) => {
            n.insert("message".into(), text(format!("{}: {text_}", s.path())));
        }
        None => {
            n.insert("message".into(), text(text_));
        }
    }
    Value::Object(n)
}

fn error_notification(e: &InputError, root: Option<&Path>) -> Value {
    notification("error", Some(&e.span), &e.message, e.help.as_deref(), root)
}

fn notice_notification(n: &Notice, root: Option<&Path>) -> Value {
    notification("note", n.span.as_ref(), &n.message, None, root)
}

/// The SARIF log of a run, with `%SRCROOT%` at `root` (the current directory).
pub fn document(outcome: &Outcome, root: Option<&Path>) -> Value {
    let rules: Vec<&RuleMeta> = rules::all().collect();
    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(outcome.errors.is_empty()));
    let notifications: Vec<Value> = outcome
        .errors
        .iter()
        .map(|e| error_notification(e, root))
        .chain(outcome.notices.iter().map(|n| notice_notification(n, root)))
        .collect();
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), Value::Array(notifications));
    }
    // The gates that decide the exit code, and which of them failed.
    let failed: Vec<String> = crate::gate::failed(&outcome.gates).map(|g| g.failure_line()).collect();
    if !failed.is_empty() {
        invocation.insert("exitCodeDescription".into(), json!(failed.join("; ")));
    }
    if !outcome.gates.is_empty() {
        invocation.insert("properties".into(), json!({ "gates": outcome.gates }));
    }
    let srcroot = match root {
        Some(r) => json!({ "uri": file_uri(r, true) }),
        None => json!({ "description": text("the directory kpulint was run in") }),
    };
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kpulint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
                }
            },
            "invocations": [Value::Object(invocation)],
            "originalUriBaseIds": { SRCROOT: srcroot },
            "columnKind": "unicodeCodePoints",
            "results": outcome.findings.iter().map(|f| result(f, &rules, root)).collect::<Vec<_>>(),
        }],
    })
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let root = std::env::current_dir().ok().filter(|d| d.is_absolute());
    let doc = document(outcome, root.as_deref());
    // `From` keeps an I/O error's kind: a closed pipe stays a closed pipe, which is not an error.
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_uris_are_encoded_and_based() {
        let root = Path::new("/repo");
        assert_eq!(
            artifact_location("my infra/main.tf", Some(root)),
            json!({ "uri": "my%20infra/main.tf", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("a:b/100%.tf", None),
            json!({ "uri": "a%3Ab/100%25.tf", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("./x/../y/é.tf", None),
            json!({ "uri": "y/%C3%A9.tf", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn paths_under_the_root_become_relative() {
        let root = Path::new("/repo/infra");
        assert_eq!(
            artifact_location("/repo/infra/app/main.tf", Some(root)),
            json!({ "uri": "app/main.tf", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("../infra/main.tf", Some(root)),
            json!({ "uri": "main.tf", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn paths_outside_the_root_are_absolute_file_uris() {
        let root = Path::new("/repo/infra");
        assert_eq!(
            artifact_location("/elsewhere/my app.tf", Some(root)),
            json!({ "uri": "file:///elsewhere/my%20app.tf" })
        );
        assert_eq!(
            artifact_location("../modules/flink/main.tf", Some(root)),
            json!({ "uri": "file:///repo/modules/flink/main.tf" })
        );
        assert_eq!(file_uri(root, true), "file:///repo/infra/");
    }

    #[test]
    fn without_a_root_parent_references_stay_relative() {
        assert_eq!(
            artifact_location("../m/main.tf", None),
            json!({ "uri": "../m/main.tf", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn never_an_empty_uri() {
        assert_eq!(
            artifact_location(".", None),
            json!({ "uri": ".", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn what_it_checks_section() {
        let doc = "# X\n\n## What it checks\n\nThis.\nAnd that.\n\n## Why\n\nBecause.\n";
        assert_eq!(section(doc, "What it checks"), Some("This.\nAnd that."));
        assert_eq!(section(doc, "Missing"), None);
    }
}
