//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request. One command per input error, then one per active finding:
//!
//! ```text
//! ::error file=my infra/broken.tf,line=4,col=19,endLine=4,endColumn=19,title=kpulint::invalid HCL: ...
//! ::warning file=my infra/main.tf,line=12,col=32,endLine=12,endColumn=34,title=KPU004 overscale-margin::parallelism 12 ...%0Ahelp: set parallelism = 10 ...
//! ```
//!
//! Severity error → `::error`, warning → `::warning`, note → `::notice`. A finding whose value
//! is written in another file (a tfvars entry, a module argument, a variable default) adds a
//! `::notice file=envs/prod/terraform.tfvars,line=4::value for parallelism of ... set here
//! (KPU004)` there. Paths are relative to `GITHUB_WORKSPACE` when it holds the file, else to
//! the repository root. Suppressed findings, notices and the summary are left out: every line
//! is a workflow command.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::escape::keeping_line_breaks;
use super::slash_path;
use crate::model::Severity;
use crate::run::Outcome;
use crate::source::Span;

/// Escapes the message of a workflow command (the part after `::`). The runner prints the
/// command to the job log too: characters that would act on a terminal (escape sequences,
/// bidirectional overrides) are shown escaped first; line breaks become `%0A`.
pub fn escape_data(s: &str) -> String {
    keeping_line_breaks(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): as [`escape_data`], plus `:` and `,`, which
/// would end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// Paths as GitHub maps annotations to the files of a pull request: relative to
/// `GITHUB_WORKSPACE` when it is set and holds the file, else to the file's repository root —
/// never `../`, which GitHub cannot map (kpulint run from a module directory reads its callers
/// as `../../envs/prod/...`).
struct Paths {
    workspace: Option<PathBuf>,
    shown: HashMap<String, String>,
}

impl Paths {
    fn new() -> Paths {
        let workspace = std::env::var_os("GITHUB_WORKSPACE")
            .filter(|w| !w.is_empty())
            .and_then(|w| Path::new(&w).canonicalize().ok());
        Paths {
            workspace,
            shown: HashMap::new(),
        }
    }

    fn show(&mut self, path: &str) -> String {
        if let Some(s) = self.shown.get(path) {
            return s.clone();
        }
        let shown = self.resolve(path);
        self.shown.insert(path.to_string(), shown.clone());
        shown
    }

    fn resolve(&self, path: &str) -> String {
        // A file that is no file (`<stdin>`, `--var x`) is shown as it is named.
        let Ok(real) = Path::new(path).canonicalize() else {
            return slash_path(path);
        };
        let base = self
            .workspace
            .as_deref()
            .filter(|w| real.starts_with(w))
            .map(Path::to_path_buf)
            .or_else(|| real.parent().and_then(crate::identity::repository_root));
        match base.as_deref().and_then(|b| real.strip_prefix(b).ok()) {
            Some(rel) => slash_path(&rel.to_string_lossy()),
            // Outside any repository: as named, unless that climbs out of the current directory.
            None if Path::new(path).components().any(|c| c == Component::ParentDir) => {
                slash_path(&real.to_string_lossy())
            }
            None => slash_path(path),
        }
    }
}

/// `file=…,line=…,col=…,endLine=…,endColumn=…`. GitHub accepts columns only when the
/// annotation starts and ends on the same line, so a multi-line span gives lines only.
fn position(span: &Span, paths: &mut Paths) -> String {
    let l = span.location();
    let file = escape_property(&paths.show(span.path()));
    if l.line == l.end_line {
        format!(
            "file={file},line={},col={},endLine={},endColumn={}",
            l.line, l.column, l.end_line, l.end_column
        )
    } else {
        format!("file={file},line={},endLine={}", l.line, l.end_line)
    }
}

fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) if !h.is_empty() => format!("{message}\nhelp: {h}"),
        _ => message.to_string(),
    }
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let mut paths = Paths::new();
    for e in &outcome.errors {
        writeln!(
            out,
            "::error {},title=kpulint::{}",
            position(&e.span, &mut paths),
            escape_data(&with_help(&e.message, e.help.as_deref()))
        )?;
    }
    for f in outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
        let title = format!("{} {}", f.rule.id, f.rule.name);
        writeln!(
            out,
            "::{} {},title={}::{}",
            command(f.severity),
            position(&f.span, &mut paths),
            escape_property(&title),
            escape_data(&with_help(&f.message, Some(&f.help)))
        )?;
        // A value written in another file (the tfvars entry a pull request changes): a second
        // annotation there, where GitHub can show it inline.
        for (span, note) in super::value_origins(f) {
            writeln!(
                out,
                "::notice file={},line={}::{} ({})",
                escape_property(&paths.show(span.path())),
                span.location().line,
                escape_data(&note),
                f.rule.id
            )?;
        }
    }
    // A failed gate is what failed the job: an annotation of its own, without a file.
    for g in crate::gate::failed(&outcome.gates) {
        writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("kpulint gate {}", g.name)),
            escape_data(&g.failure_line())
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("100% sure"), "100%25 sure");
        assert_eq!(escape_data("a\r\nb\nc"), "a%0D%0Ab%0Ac");
        assert_eq!(escape_data("key: a, b"), "key: a, b");
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn property_also_escapes_colon_and_comma() {
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_property("50%,x\ny"), "50%25%2Cx%0Ay");
        assert_eq!(escape_property("my infra/main.tf"), "my infra/main.tf");
    }

    #[test]
    fn file_names_with_special_characters() {
        let f = SourceFile::new("odd dir/a,b:c%d\n.tf", "x = 1\n");
        let pos = position(&f.span(4..5), &mut Paths::new());
        assert_eq!(
            pos,
            "file=odd dir/a%2Cb%3Ac%25d%0A.tf,line=1,col=5,endLine=1,endColumn=6"
        );
    }

    #[test]
    fn multi_line_spans_have_no_columns() {
        let f = SourceFile::new("a.tf", "x {\n  y = 1\n}\n");
        assert_eq!(
            position(&f.span(0..13), &mut Paths::new()),
            "file=a.tf,line=1,endLine=3"
        );
    }

    #[test]
    fn notes_are_notices() {
        assert_eq!(command(Severity::Note), "notice");
        assert_eq!(command(Severity::Warning), "warning");
        assert_eq!(command(Severity::Error), "error");
    }
}
