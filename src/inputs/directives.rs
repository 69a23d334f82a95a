//! Finds `kpulint:` and `kpulint-ignore:` comment directives and where they attach.
//!
//! The attachment rule (README "Declaring what kpulint cannot see"):
//! - the comment block directly above a resource (or a `module` block) applies to it; the block
//!   may hold blank lines between its comments, but no blank line may separate it from the
//!   resource;
//! - a comment line inside the resource applies to the next line of code;
//! - a trailing comment on a line of code applies to that line (as tflint and checkov read
//!   `attr = 1 # tflint-ignore: rule`).
//!
//! `#`, `//` and `/* ... */` comments count in Terraform; `#` comments in YAML. A comment that
//! starts like a directive but is not one (`kpulint-ignore KPU004`, `kpulint ignore: ...`) is a
//! [`DirectiveKind::Lookalike`], reported as KPU900 rather than ignored.

use std::ops::Range;
use std::sync::Arc;

use crate::model::{Directive, DirectiveKind, DirectiveTarget};
use crate::source::{SourceFile, Span};

pub const MARKERS: [(&str, DirectiveKind); 2] = [
    ("kpulint-ignore:", DirectiveKind::Ignore),
    ("kpulint:", DirectiveKind::Declare),
];

/// How comments are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentSyntax {
    /// Terraform: `#`, `//` and `/* */`, whole-line or trailing.
    Hcl,
    /// YAML: whole-line `#` comments.
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Comment,
    Code,
}

/// One line: what it holds and the byte ranges of its comment bodies (after `#`, `//`, `/*`).
#[derive(Debug, Clone)]
struct LineInfo {
    kind: LineKind,
    comments: Vec<Range<usize>>,
}

/// The comments of one file, line by line.
pub struct CommentMap {
    /// Where directives' spans point.
    file: Arc<SourceFile>,
    /// The whole text, read for comments and lines (`file` itself unless that is a compacted
    /// copy); held only while the file is parsed.
    whole: Arc<SourceFile>,
    syntax: CommentSyntax,
    /// `Some` for HCL (block comments need the whole file); YAML lines are read on demand.
    lines: Option<Vec<LineInfo>>,
    /// The file mentions `kpulint` at all (otherwise there is nothing to find).
    mentions: bool,
}

/// The file mentions `kpulint` in any case.
pub fn mentions_kpulint(text: &str) -> bool {
    // Every file is checked as it is read: jump from one `k`/`K` to the next at memchr speed.
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'k', b'K', bytes)
        .any(|i| bytes.get(i..i + 7).is_some_and(|w| w.eq_ignore_ascii_case(b"kpulint")))
}

impl CommentMap {
    pub fn new(file: &Arc<SourceFile>, syntax: CommentSyntax) -> CommentMap {
        CommentMap::over(file, file, syntax)
    }

    /// The whole file, for the lines of what is parsed from it.
    pub fn whole(&self) -> &Arc<SourceFile> {
        &self.whole
    }

    /// The comments of `whole`, with spans in `file`: a compacted copy of it that keeps every
    /// line a directive is written on.
    pub fn over(file: &Arc<SourceFile>, whole: &Arc<SourceFile>, syntax: CommentSyntax) -> CommentMap {
        let mentions = mentions_kpulint(&whole.text);
        let lines = (mentions && syntax == CommentSyntax::Hcl).then(|| hcl_lines(&whole.text));
        CommentMap {
            file: Arc::clone(file),
            whole: Arc::clone(whole),
            syntax,
            lines,
            mentions,
        }
    }

    fn line_count(&self) -> usize {
        self.whole.line_count()
    }

    fn info(&self, line: usize) -> LineInfo {
        let blank = LineInfo {
            kind: LineKind::Blank,
            comments: Vec::new(),
        };
        if line == 0 {
            return blank;
        }
        if let Some(lines) = &self.lines {
            return lines.get(line - 1).cloned().unwrap_or(blank);
        }
        let Some((start, text)) = line_text(&self.whole, line) else {
            return blank;
        };
        let indent = text.len() - text.trim_start().len();
        let rest = &text[indent..];
        if rest.is_empty() {
            blank
        } else if rest.starts_with('#') {
            LineInfo {
                kind: LineKind::Comment,
                comments: std::iter::once(start + indent + 1..start + text.len()).collect(),
            }
        } else {
            LineInfo {
                kind: LineKind::Code,
                comments: Vec::new(),
            }
        }
    }

    /// The directives that attach to the block spanning `span` (from its first line to its
    /// last), and the lines they were written on.
    pub fn block_directives(&self, span: &Span) -> (Vec<Directive>, Vec<usize>) {
        let mut out = Vec::new();
        let mut lines = Vec::new();
        if !self.mentions {
            return (out, lines);
        }
        let (first_line, _) = self.whole.line_col(span.start);
        let (last_line, _) = self.whole.line_col(span.end.saturating_sub(1).max(span.start));

        // The comment block directly above, nearest last. Blank lines may sit between its
        // comments, not between it and the block.
        let mut above = Vec::new();
        let mut line = first_line;
        while line > 1 {
            line -= 1;
            match self.info(line).kind {
                LineKind::Comment => above.push(line),
                LineKind::Blank if !above.is_empty() => {
                    let mut up = line;
                    while up > 1 && self.info(up - 1).kind == LineKind::Blank {
                        up -= 1;
                    }
                    if up > 1 && self.info(up - 1).kind == LineKind::Comment {
                        line = up;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        for l in above.into_iter().rev() {
            for d in self.directives_on(l, DirectiveTarget::Resource) {
                out.push(d);
                lines.push(l);
            }
        }

        for l in first_line..=last_line {
            let info = self.info(l);
            let target = match info.kind {
                // A trailing comment applies to its own line.
                LineKind::Code => l,
                LineKind::Comment => {
                    let mut target = l + 1;
                    while target <= last_line && self.info(target).kind != LineKind::Code {
                        target += 1;
                    }
                    target
                }
                LineKind::Blank => continue,
            };
            for d in self.directives_on(l, DirectiveTarget::Line(target)) {
                out.push(d);
                lines.push(l);
            }
        }
        (out, lines)
    }

    /// Every directive (and lookalike) in the file with its line, in file order.
    pub fn all_directives(&self) -> Vec<(usize, Directive)> {
        if !self.mentions {
            return Vec::new();
        }
        (1..=self.line_count())
            .flat_map(|l| {
                self.directives_on(l, DirectiveTarget::Resource)
                    .into_iter()
                    .map(move |d| (l, d))
            })
            .collect()
    }

    fn directives_on(&self, line: usize, target: DirectiveTarget) -> Vec<Directive> {
        self.info(line)
            .comments
            .into_iter()
            .filter_map(|body| directive_in(&self.file, &self.whole, body, target.clone()))
            .collect()
    }

    pub fn syntax(&self) -> CommentSyntax {
        self.syntax
    }
}

/// Finds the directives attached to the resource spanning `span` in a YAML (or comment-free
/// JSON) file.
pub fn scan_directives(file: &Arc<SourceFile>, span: &Span) -> Vec<Directive> {
    CommentMap::new(file, CommentSyntax::Yaml).block_directives(span).0
}

fn line_text(file: &SourceFile, line: usize) -> Option<(usize, &str)> {
    let start = file.line_start(line)?;
    let end = file.line_start(line + 1).unwrap_or(file.len());
    Some((start, file.get(start..end)?.trim_end_matches(['\n', '\r'])))
}

/// Classifies every line of HCL text, following strings, heredocs and `/* */` comments.
fn hcl_lines(text: &str) -> Vec<LineInfo> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut current = LineInfo {
        kind: LineKind::Blank,
        comments: Vec::new(),
    };
    let mut in_block_comment: Option<usize> = None;
    let mut in_string = false;
    let mut heredoc: Option<String> = None;
    let mut i = 0;
    let mut line_start = 0;
    let finish = |current: &mut LineInfo, lines: &mut Vec<LineInfo>| {
        lines.push(std::mem::replace(
            current,
            LineInfo {
                kind: LineKind::Blank,
                comments: Vec::new(),
            },
        ));
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            if let Some(start) = in_block_comment {
                current.comments.push(start..i);
                if current.kind == LineKind::Blank {
                    current.kind = LineKind::Comment;
                }
                in_block_comment = Some(i + 1);
            }
            // A heredoc ends at a line holding only its marker.
            if let Some(marker) = &heredoc {
                let line = text.get(line_start..i).unwrap_or("").trim();
                if line == marker {
                    heredoc = None;
                }
            }
            // A quoted string does not span lines in HCL.
            in_string = false;
            finish(&mut current, &mut lines);
            i += 1;
            line_start = i;
            continue;
        }
        if heredoc.is_some() {
            current.kind = LineKind::Code;
            i += 1;
            continue;
        }
        if let Some(start) = in_block_comment {
            if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                current.comments.push(start..i);
                if current.kind == LineKind::Blank {
                    current.kind = LineKind::Comment;
                }
                in_block_comment = None;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if in_string {
            match b {
                // An escape never swallows the end of a line (an unterminated string would
                // otherwise hide every comment below it).
                b'\\' if bytes.get(i + 1) != Some(&b'\n') => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                current.kind = LineKind::Code;
                i += 1;
            }
            b'#' => {
                line_comment(text, i + 1, &mut current);
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                line_comment(text, i + 2, &mut current);
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                in_block_comment = Some(i + 2);
                i += 2;
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                current.kind = LineKind::Code;
                let rest = &text[i + 2..];
                let rest = rest.strip_prefix('-').unwrap_or(rest);
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !marker.is_empty() {
                    heredoc = Some(marker);
                }
                i += 2;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                current.kind = LineKind::Code;
                i += 1;
            }
        }
    }
    if let Some(start) = in_block_comment {
        current.comments.push(start..bytes.len());
        if current.kind == LineKind::Blank {
            current.kind = LineKind::Comment;
        }
    }
    finish(&mut current, &mut lines);
    lines
}

/// A `#` / `//` comment from `body_start` to the end of the line.
fn line_comment(text: &str, body_start: usize, current: &mut LineInfo) {
    let end = text[body_start..].find('\n').map_or(text.len(), |n| body_start + n);
    let end = if text[..end].ends_with('\r') { end - 1 } else { end };
    current.comments.push(body_start..end.max(body_start));
    if current.kind == LineKind::Blank {
        current.kind = LineKind::Comment;
    }
}

/// The directive a comment body of `whole` holds, if any, with its span in `file`.
fn directive_in(
    file: &Arc<SourceFile>,
    whole: &SourceFile,
    body: Range<usize>,
    target: DirectiveTarget,
) -> Option<Directive> {
    let comment = whole.get(body.clone())?;
    // `/* ... */` continuation lines often start with `*`.
    let rest = comment.trim_start_matches(|c: char| c.is_whitespace() || c == '*');
    let lead = comment.len() - rest.len();
    let rest = rest.trim_end();
    for (marker, kind) in MARKERS {
        if let Some(after) = rest.strip_prefix(marker) {
            let body_lead = after.len() - after.trim_start().len();
            let start = body.start + lead + marker.len() + body_lead;
            let text = after.trim();
            return Some(Directive {
                kind,
                body: text.to_string(),
                span: file.span(start..start + text.len()),
                target,
            });
        }
    }
    if is_lookalike(rest) {
        let start = body.start + lead;
        return Some(Directive {
            kind: DirectiveKind::Lookalike,
            body: rest.to_string(),
            span: file.span(start..start + rest.len()),
            target,
        });
    }
    None
}

/// `kpulint-ignore KPU004`, `kpulint ignore: ...`, `KPULINT: state_size=...`,
/// `kpulint state_size=1GB`: meant as a directive, but not one. Prose and command lines that
/// merely name kpulint ("checked by kpulint", "kpulint . --var x=1") are not.
pub fn is_lookalike(comment: &str) -> bool {
    let Some(word) = comment.get(..7) else {
        return false;
    };
    if !word.eq_ignore_ascii_case("kpulint") {
        return false;
    }
    let after = &comment[7..];
    let lower = after.to_ascii_lowercase();
    let first_key = lower
        .split_whitespace()
        .next()
        .and_then(|w| w.split_once('='))
        .map(|(k, _)| k.to_string());
    after.starts_with(':')
        || lower.trim_start_matches([' ', '-', '_']).starts_with("ignore")
        || first_key.is_some_and(|k| crate::needs::grammar::is_declaration_key(&k))
}

/// What a lookalike should have been written as.
pub fn expected_form(body: &str) -> &'static str {
    if body.to_ascii_lowercase().contains("ignore") {
        "`kpulint-ignore: KPU004 reason=\"why\"` (lower case, a hyphen and a colon)"
    } else {
        "`kpulint: state_size=240GB` (lower case, a colon, then key=value pairs)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hcl(src: &str) -> (Arc<SourceFile>, Span) {
        let f = SourceFile::new("t.tf", src);
        let start = src.find("resource").unwrap();
        let end = src[start..].find("\n}").map(|e| start + e + 2).unwrap();
        let span = f.span(start..end);
        (f, span)
    }

    #[test]
    fn finds_directives_above_and_inside() {
        let src = "# unrelated\n\n# kpulint: state_size=240GB\n// kpulint-ignore: KPU006 reason=\"x\"\nresource \"a\" \"b\" {\n  # kpulint-ignore: KPU004 reason=\"y\"\n\n  parallelism = 3\n}\n";
        let (f, span) = hcl(src);
        let (d, lines) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert_eq!(d.len(), 3);
        assert_eq!(lines, [3, 4, 6]);
        assert_eq!(d[0].kind, DirectiveKind::Declare);
        assert_eq!(d[0].body, "state_size=240GB");
        assert_eq!(d[0].span.text(), "state_size=240GB");
        assert_eq!(d[1].kind, DirectiveKind::Ignore);
        assert_eq!(d[1].target, DirectiveTarget::Resource);
        assert_eq!(d[2].target, DirectiveTarget::Line(8));
    }

    #[test]
    fn a_blank_line_inside_the_comment_block_is_allowed_not_below_it() {
        let (f, span) = hcl("# kpulint: state_size=1GB\n\n# Orders\nresource \"a\" \"b\" {\n}\n");
        let (d, _) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert_eq!(d.len(), 1);
        let (f, span) = hcl("# kpulint: state_size=1GB\n\nresource \"a\" \"b\" {\n}\n");
        let (d, _) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert!(d.is_empty());
        // Code above ends the block.
        let (f, span) = hcl("x = 1 # kpulint: state_size=1GB\n# c\nresource \"a\" \"b\" {\n}\n");
        let (d, _) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert!(d.is_empty());
    }

    #[test]
    fn block_comments_trailing_comments_and_lookalikes() {
        let src = "/* Orders.\n * kpulint: state_size=2GB\n */\nresource \"a\" \"b\" {\n  parallelism = 3 # kpulint-ignore: KPU004 reason=\"z\"\n  name = \"# kpulint: not a comment\"\n  # kpulint-ignore KPU006\n  x = 1 /* kpulint: required_parallelism=4 */\n}\n";
        let (f, span) = hcl(src);
        let (d, lines) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert_eq!(lines, [2, 5, 7, 8], "{d:?}");
        assert_eq!(d[0].span.text(), "state_size=2GB");
        assert_eq!(d[1].target, DirectiveTarget::Line(5));
        assert_eq!(d[1].body, "KPU004 reason=\"z\"");
        assert_eq!(d[2].kind, DirectiveKind::Lookalike);
        assert_eq!(d[2].target, DirectiveTarget::Line(8));
        assert_eq!(d[3].body, "required_parallelism=4");
    }

    #[test]
    fn heredocs_and_prose_are_not_directives() {
        let src =
            "resource \"a\" \"b\" {\n  p = <<EOF\n# kpulint: state_size=1GB\nEOF\n  # checked by kpulint in CI\n}\n";
        let (f, span) = hcl(src);
        let (d, _) = CommentMap::new(&f, CommentSyntax::Hcl).block_directives(&span);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn lookalikes() {
        assert!(is_lookalike("kpulint-ignore KPU004"));
        assert!(is_lookalike("kpulint ignore: KPU004"));
        assert!(is_lookalike("KPULINT: state_size=1GB"));
        assert!(is_lookalike("kpulint state_size=1GB"));
        assert!(!is_lookalike("kpulint checks this"));
        assert!(!is_lookalike("kpulint examples/x --var flink_parallelism=8"));
        assert!(!is_lookalike("kpu"));
    }
}
