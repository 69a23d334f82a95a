//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request. One command per input error, then one per active finding:
//!
//! ```text
//! ::error file=my infra/broken.tf,line=4,col=19,endLine=4,endColumn=19,title=kpulint::invalid HCL: ...
//! ::warning file=my infra/main.tf,line=12,col=32,endLine=12,endColumn=34,title=KPU004 overscale-margin::parallelism 12 ...%0Ahelp: set parallelism = 10 ...
//! ```
//!
//! Severity error → `::error`, warning → `::warning`, note → `::notice`. Suppressed findings,
//! notices and the summary are left out: every line is a workflow command.

use std::io::{self, Write};

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

/// `file=…,line=…,col=…,endLine=…,endColumn=…`. GitHub accepts columns only when the
/// annotation starts and ends on the same line, so a multi-line span gives lines only.
fn position(span: &Span) -> String {
    let l = span.location();
    let file = escape_property(&slash_path(span.path()));
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
    for e in &outcome.errors {
        writeln!(
            out,
            "::error {},title=kpulint::{}",
            position(&e.span),
            escape_data(&with_help(&e.message, e.help.as_deref()))
        )?;
    }
    for f in outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
        let title = format!("{} {}", f.rule.id, f.rule.name);
        writeln!(
            out,
            "::{} {},title={}::{}",
            command(f.severity),
            position(&f.span),
            escape_property(&title),
            escape_data(&with_help(&f.message, Some(&f.help)))
        )?;
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
        let pos = position(&f.span(4..5));
        assert_eq!(
            pos,
            "file=odd dir/a%2Cb%3Ac%25d%0A.tf,line=1,col=5,endLine=1,endColumn=6"
        );
    }

    #[test]
    fn multi_line_spans_have_no_columns() {
        let f = SourceFile::new("a.tf", "x {\n  y = 1\n}\n");
        assert_eq!(position(&f.span(0..13)), "file=a.tf,line=1,endLine=3");
    }

    #[test]
    fn notes_are_notices() {
        assert_eq!(command(Severity::Note), "notice");
        assert_eq!(command(Severity::Warning), "warning");
        assert_eq!(command(Severity::Error), "error");
    }
}
