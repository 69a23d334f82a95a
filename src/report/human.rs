//! `--format human`: miette-rendered findings with source snippets, labels and help, then a
//! one-line summary.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    Severity as MSeverity, SourceCode, SourceSpan, SpanContents,
};

use super::escape::{is_unsafe_char, terminal, terminal_line};
use super::{counts, RenderOptions};
use crate::lint::Finding;
use crate::model::{InputError, Severity};
use crate::rules::plural;
use crate::run::Outcome;
use crate::source::{SourceFile, Span};

/// One diagnostic as miette sees it.
struct Diag {
    code: Option<String>,
    message: String,
    severity: MSeverity,
    help: Option<String>,
    source: Quoted,
    labels: Vec<LabeledSpan>,
}

/// A file as miette reads it, named by its path: the lines around the span (miette counts
/// lines from the start of the text it is given, so the whole text would make each snippet
/// cost the file's length), with the file's own offsets and line numbers.
struct Quoted(Arc<SourceFile>);

impl SourceCode for Quoted {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &self.0;
        let window = file
            .lines_around(
                span.offset()..span.offset() + span.len(),
                context_lines_before,
                context_lines_after,
            )
            .ok_or(MietteError::OutOfBounds)?;
        let within = SourceSpan::new((span.offset() - window.start).into(), span.len());
        let inner = window
            .text
            .read_span(&within, context_lines_before, context_lines_after)?;
        // A window starts at a line start: columns are the file's; lines and offsets are shifted.
        // miette's line count is of the lines before the context's end, from the text's start;
        // it also counts a carriage return alone as a line break.
        let lines_before = window.line + file.lone_returns_before(window.start);
        Ok(Box::new(MietteSpanContents::new_named(
            terminal_line(&file.path).into_owned(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + window.start).into(), inner.span().len()),
            inner.line() + lines_before,
            inner.column(),
            inner.line_count() + lines_before,
        )))
    }
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<MSeverity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn source_of(span: &Span) -> Quoted {
    Quoted(Arc::clone(&span.file))
}

fn label(span: &Span, text: Option<String>, primary: bool) -> LabeledSpan {
    let len = span.end.saturating_sub(span.start);
    if primary {
        LabeledSpan::new_primary_with_span(text, (span.start, len))
    } else {
        LabeledSpan::new_with_span(text, (span.start, len))
    }
}

fn severity(s: Severity) -> MSeverity {
    match s {
        Severity::Error => MSeverity::Error,
        Severity::Warning => MSeverity::Warning,
        Severity::Note => MSeverity::Advice,
    }
}

/// Lines longer than this (a one-line plan JSON) are not quoted: the location is printed instead.
const MAX_QUOTED_LINE: usize = 300;

/// Whether a span's snippet cannot be quoted: its line is longer than [`MAX_QUOTED_LINE`], or
/// the lines miette would show (the span's, and one on each side) hold a character that would
/// act on the terminal (an escape sequence, a carriage return, a bidirectional override). Its
/// location is printed instead, with the text escaped.
fn unquotable(span: &Span) -> bool {
    let Some(window) = span.file.window(span.range()) else {
        return false;
    };
    let text = window.text;
    let at = span.start.saturating_sub(window.start).min(text.len());
    let end_at = span.end.saturating_sub(window.start).clamp(at, text.len());
    if !text.is_char_boundary(at) {
        return false;
    }
    // The line's ends are looked for no further than the longest line quoted: a line break
    // not found within that distance makes the line too long.
    let bytes = text.as_bytes();
    let reach = MAX_QUOTED_LINE + 1;
    let back = at.saturating_sub(reach);
    let start = match memchr::memrchr(b'\n', bytes.get(back..at).unwrap_or_default()) {
        Some(i) => back + i + 1,
        None if back == 0 => 0,
        None => return true,
    };
    let ahead = at.saturating_add(reach).min(bytes.len());
    let end = match memchr::memchr(b'\n', bytes.get(at..ahead).unwrap_or_default()) {
        Some(i) => at + i,
        None if ahead == bytes.len() => bytes.len(),
        None => return true,
    };
    if end - start > MAX_QUOTED_LINE {
        return true;
    }
    // From the line before the span's first line to the line after its last.
    let shown_start = text
        .get(..start.saturating_sub(1))
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let after_end = text
        .get(end_at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| end_at + i);
    let shown_end = text
        .get(after_end + 1..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| after_end + 1 + i);
    let shown = text.get(shown_start..shown_end).unwrap_or("");
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
        if !line_end && is_unsafe_char(c) {
            return true;
        }
    }
    false
}

/// `  at plan.json:1:5321: 12` for a span that is not quoted.
fn location_line(span: &Span) -> String {
    let l = span.location();
    let text: String = span.text().chars().take(80).collect();
    format!(
        "\n  at {}:{}:{}: {}",
        terminal_line(span.path()),
        l.line,
        l.column,
        terminal_line(&text)
    )
}

/// A finding's diagnostic, and the notes for related locations not shown in its snippet.
fn finding_diag(f: &Finding) -> (Diag, Vec<Diag>) {
    let long = unquotable(&f.span);
    let mut labels = if long {
        Vec::new()
    } else {
        vec![label(&f.span, Some(terminal(&f.label).into_owned()), true)]
    };
    let mut related = Vec::new();
    for r in &f.related {
        let near = !long && r.span.same_file(&f.span) && r.span.location().line.abs_diff(f.span.location().line) <= 4;
        let r_message = terminal(&r.message).into_owned();
        if near && !unquotable(&r.span) {
            labels.push(label(&r.span, Some(r_message), false));
        } else if unquotable(&r.span) {
            related.push(Diag {
                code: None,
                message: format!("{r_message}{}", location_line(&r.span)),
                severity: MSeverity::Advice,
                help: None,
                source: source_of(&r.span),
                labels: Vec::new(),
            });
        } else {
            related.push(Diag {
                code: None,
                message: r_message.clone(),
                severity: MSeverity::Advice,
                help: None,
                source: source_of(&r.span),
                labels: vec![label(&r.span, Some(r_message), true)],
            });
        }
    }
    let mut message = format!("{}[{}] {}", f.severity.as_str(), f.rule.id, terminal(&f.message));
    if let Some(s) = &f.suppressed {
        message = format!("{message} [suppressed: {}]", terminal(&s.reason));
    }
    if long {
        message.push_str(&location_line(&f.span));
    }
    let diag = Diag {
        code: None,
        message,
        severity: severity(f.severity),
        help: Some(terminal(&f.help).into_owned()),
        source: source_of(&f.span),
        labels,
    };
    (diag, related)
}

fn error_diag(e: &InputError) -> Diag {
    let mut message = format!("error: {}", terminal(&e.message));
    // A file that could not be read has no text to quote: the message names it. A snippet
    // that cannot be quoted gives way to the location.
    let labels = if e.span.file.is_empty() {
        Vec::new()
    } else if unquotable(&e.span) {
        message.push_str(&location_line(&e.span));
        Vec::new()
    } else {
        vec![label(&e.span, None, true)]
    };
    Diag {
        code: None,
        message,
        severity: MSeverity::Error,
        help: e.help.as_deref().map(|h| terminal(h).into_owned()),
        source: source_of(&e.span),
        labels,
    }
}

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        // A path (or address) is never wrapped: not at its hyphens, not when it is longer than
        // the line. Wrapping happens only at spaces.
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        // Only at spaces: Unicode line breaking would break an instance after the `/` of its
        // root (`envs/` + `prod:module...`), and a command in a help line with it.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace);
    let draw = |d: &Diag, out: &mut dyn Write| -> io::Result<()> {
        let mut s = String::new();
        handler
            .render_report(&mut s, d)
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        out.write_all(s.as_bytes())?;
        writeln!(out)
    };
    for e in &outcome.errors {
        draw(&error_diag(e), out)?;
    }
    for f in &outcome.findings {
        if f.suppressed.is_some() && !opts.show_suppressed {
            continue;
        }
        // Related locations follow as notes of their own (miette would head them "Advice:").
        let (d, related) = finding_diag(f);
        draw(&d, out)?;
        for r in &related {
            draw(r, out)?;
        }
    }
    if opts.quiet {
        return Ok(());
    }
    for n in &outcome.notices {
        writeln!(out, "note: {}", super::notice_text(n))?;
    }
    if let Some(fix) = &outcome.fix {
        writeln!(out, "{}", super::fix_line(fix))?;
    }
    // Which limit made the exit code 1, just above the summary line (which stays last).
    for g in crate::gate::failed(&outcome.gates) {
        writeln!(out, "{}", g.failure_line())?;
    }
    writeln!(out, "{}", summary_line(outcome))
}

/// `3 applications, 2 warnings, 1 note in 14 files`
pub fn summary_line(outcome: &Outcome) -> String {
    let c = counts(&outcome.findings);
    let apps = outcome.analyses.len() as u64;
    let mut parts = vec![format!("{apps} application{}", plural(apps))];
    for (n, word) in [(c.errors, "error"), (c.warnings, "warning"), (c.notes, "note")] {
        if n > 0 {
            parts.push(format!("{n} {word}{}", plural(n as u64)));
        }
    }
    if c.errors + c.warnings + c.notes == 0 {
        parts.push("no findings".into());
    }
    if c.suppressed > 0 {
        parts.push(format!("{} suppressed", c.suppressed));
    }
    let e = outcome.errors.len() as u64;
    if e > 0 {
        parts.push(format!("{e} input error{}", plural(e)));
    }
    let files = outcome.files as u64;
    format!("{} in {files} file{}", parts.join(", "), plural(files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_read_around_a_span_are_those_read_from_the_whole_text() {
        let long = "é".repeat(700);
        let texts = [
            "a = 1\nb = 2\nc = 3\n".to_string(),
            "x".to_string(),
            format!("{long}\n\n{long}x\r\n{long}\ry = 1\n"),
            (0..60).map(|i| format!("line {i} {}\n", "日".repeat(i % 9))).collect(),
            (0..30)
                .map(|i| format!("{}\r{}\r\n", "a".repeat(i * 50), i))
                .collect::<String>()
                + "end",
        ];
        for text in texts {
            let file = SourceFile::new("a.tf", text.as_str());
            let quoted = Quoted(Arc::clone(&file));
            let starts = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).step_by(13);
            for start in starts {
                for len in [0, 1, 7, 90] {
                    let end = file.ceil_char_boundary(start + len);
                    let span = SourceSpan::new(start.into(), end - start);
                    for (before, after) in [(0, 0), (1, 1), (2, 3)] {
                        let want = text.as_str().read_span(&span, before, after);
                        let got = quoted.read_span(&span, before, after);
                        match (want, got) {
                            (Ok(w), Ok(g)) => {
                                let at = format!("{start}+{len} ({before}, {after})");
                                assert_eq!(g.data(), w.data(), "{at}");
                                assert_eq!(g.span(), w.span(), "{at}");
                                assert_eq!(g.line(), w.line(), "{at}");
                                assert_eq!(g.column(), w.column(), "{at}");
                                assert_eq!(g.line_count(), w.line_count(), "{at}");
                            }
                            (w, g) => assert_eq!(w.is_ok(), g.is_ok(), "{start}+{len}"),
                        }
                    }
                }
            }
        }
    }
}
