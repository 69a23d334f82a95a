//! Finds `kpulint:` and `kpulint-ignore:` comment directives for a resource: the comment lines
//! directly above it (no blank line between) and every comment line inside it. Works on raw
//! lines, so it serves HCL (`#`, `//`) and YAML (`#`) alike.

use std::sync::Arc;

use crate::model::{Directive, DirectiveKind, DirectiveTarget};
use crate::source::{SourceFile, Span};

pub const MARKERS: [(&str, DirectiveKind); 2] = [
    ("kpulint-ignore:", DirectiveKind::Ignore),
    ("kpulint:", DirectiveKind::Declare),
];

/// `span` covers the resource (from its first line to its last).
pub fn scan_directives(file: &Arc<SourceFile>, span: &Span) -> Vec<Directive> {
    let text: &str = &file.text;
    let (first_line, _) = file.line_col(span.start);
    let (last_line, _) = file.line_col(span.end);
    let mut out = Vec::new();

    // Comment lines directly above the resource, nearest last.
    let mut line = first_line;
    let mut above = Vec::new();
    while line > 1 {
        line -= 1;
        match comment_body(file, line) {
            Some(body_start) => above.push((line, body_start)),
            None => break,
        }
    }
    for (_, body_start) in above.into_iter().rev() {
        if let Some(d) = directive_at(file, text, body_start, DirectiveTarget::Resource) {
            out.push(d);
        }
    }

    // Comment lines inside the resource apply to the next line of code.
    for line in first_line + 1..=last_line {
        if let Some(body_start) = comment_body(file, line) {
            let mut target = line + 1;
            while target <= last_line && is_blank_or_comment(file, target) {
                target += 1;
            }
            if let Some(d) = directive_at(file, text, body_start, DirectiveTarget::Line(target)) {
                out.push(d);
            }
        }
    }
    out
}

fn line_text(file: &SourceFile, line: usize) -> Option<(usize, &str)> {
    let start = file.line_start(line)?;
    let end = file.line_start(line + 1).unwrap_or(file.text.len());
    Some((start, file.text.get(start..end)?.trim_end_matches(['\n', '\r'])))
}

/// Byte offset of the text after `#` or `//` if the line is a comment-only line.
fn comment_body(file: &SourceFile, line: usize) -> Option<usize> {
    let (start, text) = line_text(file, line)?;
    let indent = text.len() - text.trim_start().len();
    let rest = &text[indent..];
    let marker_len = if rest.starts_with('#') {
        1
    } else if rest.starts_with("//") {
        2
    } else {
        return None;
    };
    Some(start + indent + marker_len)
}

fn is_blank_or_comment(file: &SourceFile, line: usize) -> bool {
    line_text(file, line).is_some_and(|(_, t)| t.trim().is_empty()) || comment_body(file, line).is_some()
}

fn directive_at(file: &Arc<SourceFile>, text: &str, body_start: usize, target: DirectiveTarget) -> Option<Directive> {
    let line_end = text[body_start..]
        .find('\n')
        .map(|i| body_start + i)
        .unwrap_or(text.len());
    let comment = &text[body_start..line_end];
    let lead = comment.len() - comment.trim_start().len();
    let rest = &comment[lead..];
    for (marker, kind) in MARKERS {
        if let Some(after) = rest.strip_prefix(marker) {
            let body_lead = after.len() - after.trim_start().len();
            let start = body_start + lead + marker.len() + body_lead;
            let body = after.trim().trim_end_matches('\r');
            return Some(Directive {
                kind,
                body: body.to_string(),
                span: file.span(start..start + body.len()),
                target,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_above_and_inside() {
        let src = "# unrelated\n\n# kpulint: state_size=240GB\n// kpulint-ignore: KPU006 reason=\"x\"\nresource \"a\" \"b\" {\n  # kpulint-ignore: KPU004 reason=\"y\"\n\n  parallelism = 3\n}\n";
        let f = SourceFile::new("t.tf", src);
        let start = src.find("resource").unwrap();
        let span = f.span(start..src.len() - 1);
        let d = scan_directives(&f, &span);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].kind, DirectiveKind::Declare);
        assert_eq!(d[0].body, "state_size=240GB");
        assert_eq!(d[0].span.text(), "state_size=240GB");
        assert_eq!(d[1].kind, DirectiveKind::Ignore);
        assert_eq!(d[1].target, DirectiveTarget::Resource);
        assert_eq!(d[2].target, DirectiveTarget::Line(8));
    }
}
