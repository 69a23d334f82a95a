//! `--format compact`: one line per input error and active finding, the `file:line:col:` form
//! editors and `grep` understand:
//!
//! ```text
//! my infra/broken.tf:4:19: error[input] invalid HCL: ...
//! my infra/main.tf:12:32: warning[KPU004] parallelism 12 buys 12 KPUs, ...
//! ```
//!
//! Input errors come first (as in human output), then findings in their usual order. A finding
//! whose value is written in another file (a tfvars entry, a module argument, a variable
//! default) is followed by a related line there (`envs/prod/terraform.tfvars:4:21: note[KPU004]
//! value for parallelism of envs/prod:module.x.aws_...this set here`). Suppressed findings,
//! notices and the summary are left out.

use std::io::{self, Write};

use super::escape::terminal_line;
use crate::run::Outcome;
use crate::source::Span;

/// Line breaks in a message would start a new record: they become spaces. Every other
/// character that would act on the terminal is shown escaped.
fn one_line(s: &str) -> String {
    let joined = s
        .split(['\n', '\r'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    terminal_line(&joined).into_owned()
}

/// A path with every unsafe character, line breaks included, shown escaped.
fn at(span: &Span) -> String {
    let l = span.location();
    format!("{}:{}:{}", terminal_line(span.path()), l.line, l.column)
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for e in &outcome.errors {
        writeln!(out, "{}: error[input] {}", at(&e.span), one_line(&e.message))?;
    }
    for f in outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
        writeln!(
            out,
            "{}: {}[{}] {}",
            at(&f.span),
            f.severity.as_str(),
            f.rule.id,
            one_line(&f.message)
        )?;
        // A value written in another file (a tfvars entry, a module argument): a line there too.
        for (span, note) in super::value_origins(f) {
            writeln!(out, "{}: note[{}] {}", at(span), f.rule.id, one_line(&note))?;
        }
    }
    for g in crate::gate::failed(&outcome.gates) {
        writeln!(out, "kpulint: {}", one_line(&g.failure_line()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(one_line("a\nb\r\nc"), "a b c");
        assert_eq!(one_line("plain"), "plain");
    }
}
