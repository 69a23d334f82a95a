//! `--format checkstyle`: Checkstyle XML, the format reviewdog (`-f=checkstyle`) and many CI
//! plugins read.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <checkstyle version="4.3">
//!   <file name="my infra/main.tf">
//!     <error line="12" column="32" severity="warning" message="..." source="kpulint.KPU004"/>
//!   </file>
//! </checkstyle>
//! ```
//!
//! One `<file>` per file with input errors or active findings, in path order; in each, the
//! input errors (`source="kpulint.input"`) and then the findings in their usual order. Notes
//! are `severity="info"`. A finding whose value is written in another file (a tfvars entry, a
//! module argument, a variable default) adds an `info` entry there: "value for parallelism of
//! ... set here". Suppressed findings and notices are left out.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{slash_path, xml_attr};
use crate::model::Severity;
use crate::run::Outcome;
use crate::source::Span;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "info",
    }
}

fn error_line(span: &Span, severity: &str, message: &str, source: &str) -> String {
    let l = span.location();
    format!(
        "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"{}\"/>\n",
        l.line,
        l.column,
        xml_attr(message),
        xml_attr(source)
    )
}

/// Text safe inside an XML processing instruction: no `?>`, no characters XML forbids.
fn processing_instruction(s: &str) -> String {
    let mut out = super::xml_text(s);
    while out.contains("?>") {
        out = out.replace("?>", "? >");
    }
    out
}

fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) if !h.is_empty() => format!("{message}\nhelp: {h}"),
        _ => message.to_string(),
    }
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    // Both lists are sorted by path already; the map keeps files in that order.
    let mut files: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in &outcome.errors {
        files.entry(e.span.path()).or_default().push(error_line(
            &e.span,
            "error",
            &with_help(&e.message, e.help.as_deref()),
            "kpulint.input",
        ));
    }
    for f in outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
        files.entry(f.span.path()).or_default().push(error_line(
            &f.span,
            severity(f.severity),
            &with_help(&f.message, Some(&f.help)),
            &format!("kpulint.{}", f.rule.id),
        ));
        // A value written in another file: an `info` entry there too, so a reviewer of that
        // file sees it.
        for (span, note) in super::value_origins(f) {
            files.entry(span.path()).or_default().push(error_line(
                span,
                "info",
                &note,
                &format!("kpulint.{}", f.rule.id),
            ));
        }
    }
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for (path, lines) in files {
        s.push_str(&format!("  <file name=\"{}\">\n", xml_attr(&slash_path(path))));
        for l in lines {
            s.push_str(&l);
        }
        s.push_str("  </file>\n");
    }
    // Checkstyle has no place for a result that is not in a file: a failed gate is stated in a
    // processing instruction, which checkstyle readers (reviewdog, Jenkins) pass over.
    for g in crate::gate::failed(&outcome.gates) {
        s.push_str(&format!(
            "  <?kpulint {}?>\n",
            processing_instruction(&g.failure_line())
        ));
    }
    s.push_str("</checkstyle>\n");
    out.write_all(s.as_bytes())
}
