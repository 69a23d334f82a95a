//! Recovery around `hcl-edit` for the valid Terraform it rejects, so that kpulint reads what
//! `terraform plan` reads. hcl-edit 0.10 (its newest release) rejects three constructs that
//! Terraform accepts:
//!
//! - a key written twice in one object constructor (`{ Name = "a"\n Name = "b" }`: Terraform
//!   keeps the last);
//! - a line break inside a `for` expression where hcl-edit does not allow one (the `:` of a
//!   conditional ending a line in `{ for k, v in m : k => v != "" ? v :\n "none" }`): Terraform
//!   ignores newlines throughout a `for` expression;
//! - a number beyond the range of f64 (`1e400`): Terraform keeps it as a number.
//!
//! Each is recovered by rewriting the text without moving a byte, so every span still points
//! into the original file, and parsing again: a repeated key is renamed to a placeholder of the
//! same length (the lowering puts its name back, and the last value wins), newlines and comments
//! directly inside a `for` expression become spaces, and an out-of-range number becomes a
//! `0` padded with spaces to the same length (the lowering reads it as infinite). The last two are one pass over
//! the text, made once, after the first error that is not a repeated key. Anything else is a real
//! syntax error and is reported where it is.
//!
//! The other way round, hcl-edit accepts two constructs Terraform rejects: a quoted string
//! across lines, and a traversal's `.` at the end of a line (`a = b.` / `c`).
//! [`terraform_rejects`] finds them, so the parse reports them as Terraform does.

use std::borrow::Cow;
use std::collections::BTreeMap;

use hcl_edit::parser::Error;

use super::hcl_objects::{parse_chunked, ChunkCache, LargeObject, Root, Tree};

/// What was rewritten, for the lowering to undo.
#[derive(Debug, Default, Clone)]
pub struct Recovery {
    /// Byte offset of a renamed repeated object key → its original text (an identifier, or a
    /// quoted string with its quotes).
    pub renamed_keys: BTreeMap<usize, String>,
    /// Byte ranges (start → end) of the digits of numbers beyond f64 range; each was parsed
    /// as a `0` at its start.
    pub big_numbers: BTreeMap<usize, usize>,
    /// Objects with many items, by the offset of their `{`: parsed in chunks, their inside
    /// blanked in the text parsed whole ([`super::hcl_objects`]).
    pub large_objects: BTreeMap<usize, LargeObject>,
}

/// Re-parses after each repair at most this many times, and at most this many bytes in all, so
/// a file of thousands of repeated keys cannot make parsing quadratic without bound.
const MAX_ATTEMPTS: usize = 256;
const MAX_BYTES_PARSED: usize = 256 * 1024 * 1024;

/// Parses `text` (a `root`) with `parse`, objects with many items in chunks, repairing the
/// constructs above between attempts. The error, when there is one, is the first one left that
/// is not one of them.
pub fn parse_recovering<T: Tree>(
    text: &str,
    root: Root,
    parse: impl Fn(&str) -> Result<T, Error>,
) -> Result<(T, Recovery), Error> {
    let mut recovery = Recovery::default();
    let mut current: Cow<str> = Cow::Borrowed(text);
    let mut chunks = ChunkCache::default();
    let mut rewritten = false;
    let mut parsed_bytes = 0usize;
    // The error to report: flattening newlines must not replace an error with a later-found
    // one that exists only because of the rewrite.
    let mut reported: Option<Error> = None;
    let mut attempts = 0;
    loop {
        attempts += 1;
        parsed_bytes = parsed_bytes.saturating_add(current.len());
        let err = match parse_chunked(&current, root, &parse, &mut chunks) {
            Ok((v, large_objects)) => {
                recovery.large_objects = large_objects;
                return Ok((v, recovery));
            }
            Err(e) => e,
        };
        let offset = err.location().offset();
        if attempts >= MAX_ATTEMPTS || parsed_bytes > MAX_BYTES_PARSED {
            return Err(reported.unwrap_or(err));
        }
        if err.message().contains("redefined object key") {
            if let Some(original) = rename_key(current.to_mut(), offset) {
                recovery.renamed_keys.insert(offset, original);
                reported = None;
                continue;
            }
        }
        if !rewritten {
            rewritten = true;
            if let Some((text, big_numbers)) = rewrite(&current) {
                current = Cow::Owned(text);
                recovery.big_numbers.extend(big_numbers);
                reported = Some(err);
                continue;
            }
        }
        return Err(match reported {
            // After the rewrite, an error further on is progress; one earlier is an artefact.
            Some(before) if before.location().offset() >= offset => before,
            _ => err,
        });
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The object key starting at `offset` that [`rename_key`] can rename (an identifier, or a quoted
/// string without interpolation or line break): the byte range to overwrite and its end.
fn renamable_key(b: &[u8], offset: usize) -> Option<(usize, usize, usize)> {
    let first = *b.get(offset)?;
    if is_ident_start(first) {
        let mut end = offset + 1;
        while end < b.len() && is_ident_continue(b[end]) {
            end += 1;
        }
        Some((offset, end, end))
    } else if first == b'"' {
        let mut i = offset + 1;
        while i < b.len() && b[i] != b'"' {
            match b[i] {
                b'\\' => i += 2,
                b'\n' => return None,
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => return None,
                _ => i += 1,
            }
        }
        if i >= b.len() || i == offset + 1 {
            return None;
        }
        Some((offset + 1, i, i + 1))
    } else {
        None
    }
}

/// Whether a repeated object key at `offset` is one [`rename_key`] can rename.
pub(super) fn is_renamable_key(text: &str, offset: usize) -> bool {
    renamable_key(text.as_bytes(), offset).is_some()
}

/// Renames the object key starting at `offset` (an identifier or a quoted string without
/// interpolation) to a same-length name found nowhere in the text. Returns the original text.
fn rename_key(text: &mut String, offset: usize) -> Option<String> {
    // The byte range to overwrite: the identifier, or the inside of the quotes.
    let (inner_start, inner_end, end) = renamable_key(text.as_bytes(), offset)?;
    let original = text.get(offset..end)?.to_string();
    let placeholder = (0u64..)
        .map(|n| placeholder(n, inner_end - inner_start))
        .take(10_000)
        .find(|p| !text.contains(p.as_str()))?;
    text.replace_range(inner_start..inner_end, &placeholder);
    Some(original)
}

/// The `n`th identifier of exactly `len` bytes: `_` then base-36 digits, or letters only for
/// short lengths.
fn placeholder(n: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    // The first character must not be a digit: 53 choices; every other one 63.
    let mut out = Vec::with_capacity(len);
    let mut rest = n;
    for i in 0..len {
        let base = if i == 0 { 53 } else { 63 };
        let pick = if i == 0 {
            // Skip the 10 digits at indexes 52..62.
            let d = (rest % base) as usize;
            if d < 52 {
                ALPHABET[d]
            } else {
                b'_'
            }
        } else {
            ALPHABET[(rest % base) as usize]
        };
        out.push(pick);
        rest /= base;
    }
    // Only ASCII bytes were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Whether the digit at `i` starts a number, not continues an identifier (`a-1e400` and `x9`
/// are identifiers) or a legacy index (`a.0`).
fn starts_number(b: &[u8], i: usize) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    match i.checked_sub(1).map(|p| b[p]) {
        None => true,
        Some(b'-') => !(i >= 2 && word(b[i - 2])),
        Some(c) => !(word(c) || c == b'.'),
    }
}

/// The end of the number literal starting at `start`: digits, a fraction, an exponent.
fn number_end(b: &[u8], start: usize) -> usize {
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut end = digits(start);
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        if b.get(e).is_some_and(u8::is_ascii_digit) {
            end = digits(e);
        }
    }
    end
}

/// What an open bracket is, for [`rewrite`].
#[derive(Clone, Copy, PartialEq)]
enum Open {
    /// `{` or `[` starting a `for` expression: newlines inside are not significant.
    For,
    /// An object constructor or block body: newlines separate items.
    Brace,
    /// `[` or `(`.
    Other,
    /// `${` or `%{` inside a quoted string: the string continues after the `}`.
    Interpolation,
}

/// Replaces each newline, and each comment, directly inside a `for` expression (not inside an
/// object constructor nested in it) with spaces, and each number literal beyond f64 range with
/// `0` and spaces, returning where those numbers start. `None` when there is nothing to rewrite.
fn rewrite(text: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut stack: Vec<Open> = Vec::new();
    let mut in_string = false;
    let mut changed = false;
    let mut big_numbers = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                b'$' | b'%' if opens_interpolation(b, i) => {
                    stack.push(Open::Interpolation);
                    in_string = false;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        let flat = stack.last() == Some(&Open::For);
        match c {
            b'"' => in_string = true,
            b'#' => {
                let end = line_end(b, i);
                if flat {
                    out[i..end].fill(b' ');
                    changed = true;
                }
                i = end;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = line_end(b, i);
                if flat {
                    out[i..end].fill(b' ');
                    changed = true;
                }
                i = end;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = find(b, i + 2, b"*/").map(|e| e + 2).unwrap_or(b.len());
                if flat {
                    out[i..end].fill(b' ');
                    changed = true;
                }
                i = end;
                continue;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if let Some(end) = heredoc_end(b, i) {
                    i = end;
                    continue;
                }
            }
            b'\n' | b'\r' if flat => {
                out[i] = b' ';
                changed = true;
            }
            b'0'..=b'9' if starts_number(b, i) => {
                let end = number_end(b, i);
                if text
                    .get(i..end)
                    .and_then(|t| t.parse::<f64>().ok())
                    .is_some_and(f64::is_infinite)
                {
                    out[i] = b'0';
                    out[i + 1..end].fill(b' ');
                    big_numbers.push((i, end));
                    changed = true;
                }
                i = end;
                continue;
            }
            b'{' | b'[' => {
                let kind = if starts_for(b, i + 1) {
                    Open::For
                } else if c == b'{' {
                    Open::Brace
                } else {
                    Open::Other
                };
                stack.push(kind);
            }
            b'(' => stack.push(Open::Other),
            // Closing an interpolation returns to its string.
            b'}' | b']' | b')' => in_string = stack.pop() == Some(Open::Interpolation),
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were written, over whole comments, numbers or single ASCII bytes.
    changed
        .then(|| String::from_utf8(out).ok().map(|t| (t, big_numbers)))
        .flatten()
}

/// Valid HCL for hcl-edit that Terraform rejects, found by [`terraform_rejects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// A line break inside a quoted string ("Invalid multi-line string").
    MultiLineString,
    /// A `.` ending a line where line breaks end the expression (`a = b.` then `c` on the
    /// next line, or `1.`: "An attribute name is required after a dot"); inside `( )`, `[ ]`,
    /// `${ }` and `for` expressions Terraform ignores the line break, as hcl-edit does.
    DotBeforeLineBreak,
    /// A heredoc with no line holding only its marker (hcl-edit also takes the marker followed
    /// by a comment, `EOT#c`, as the end; Terraform: "Unterminated template string").
    UnterminatedHeredoc,
}

impl Rejected {
    pub fn message(self) -> &'static str {
        match self {
            Rejected::MultiLineString => "a quoted string cannot span lines (use a heredoc, or \\n)",
            Rejected::DotBeforeLineBreak => "an attribute name is required after a dot, on the same line",
            Rejected::UnterminatedHeredoc => "unterminated heredoc: no line holds only its closing marker",
        }
    }
}

/// The first construct hcl-edit accepts and Terraform rejects, and its offset: a line break
/// inside a quoted string, or after a traversal's `.` where line breaks are significant.
/// Heredocs and comments are skipped.
pub fn terraform_rejects(text: &str) -> Option<(usize, Rejected)> {
    let b = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'\n' => return Some((i, Rejected::MultiLineString)),
                b'$' | b'%' if opens_interpolation(b, i) => {
                    stack.push(Open::Interpolation);
                    in_string = false;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => i = find(b, i + 2, b"*/").map(|e| e + 1).unwrap_or(b.len()),
            b'<' if b.get(i + 1) == Some(&b'<') => match heredoc_end(b, i) {
                Some(end) => {
                    i = end;
                    continue;
                }
                None if heredoc_marker(b, i).is_some() => return Some((i, Rejected::UnterminatedHeredoc)),
                None => {}
            },
            b'.' if matches!(stack.last(), None | Some(Open::Brace))
                && !in_ellipsis(b, i)
                && line_ends_after(b, i + 1) =>
            {
                return Some((i, Rejected::DotBeforeLineBreak));
            }
            b'{' | b'[' => stack.push(if starts_for(b, i + 1) {
                Open::For
            } else if c == b'{' {
                Open::Brace
            } else {
                Open::Other
            }),
            b'(' => stack.push(Open::Other),
            b'}' | b']' | b')' => in_string = stack.pop() == Some(Open::Interpolation),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The marker of the heredoc introduced by the `<<` at `i`, and where it ends.
fn heredoc_marker(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let mut m = i + 2;
    if b.get(m) == Some(&b'-') {
        m += 1;
    }
    let marker_start = m;
    while m < b.len() && (b[m].is_ascii_alphanumeric() || b[m] == b'_') {
        m += 1;
    }
    let marker = b.get(marker_start..m)?;
    (!marker.is_empty()).then_some((marker, m))
}

/// Whether the `.` at `i` is part of `...` (an expansion), which may end a line.
fn in_ellipsis(b: &[u8], i: usize) -> bool {
    b.get(i + 1) == Some(&b'.') || i > 0 && b[i - 1] == b'.'
}

/// Whether only blanks and comments stand between `i` and the end of its line (or the text).
fn line_ends_after(b: &[u8], mut i: usize) -> bool {
    loop {
        match b.get(i) {
            None | Some(b'\n' | b'#') => return true,
            Some(b' ' | b'\t' | b'\r') => i += 1,
            Some(b'/') if b.get(i + 1) == Some(&b'/') => return true,
            Some(b'/') if b.get(i + 1) == Some(&b'*') => match find(b, i + 2, b"*/") {
                Some(end) => i = end + 2,
                None => return true,
            },
            Some(_) => return false,
        }
    }
}

/// Parses `text` (a `root`) with `parse`, objects with many items in chunks, and nothing else
/// repaired.
pub fn parse_in_chunks<T: Tree>(
    text: &str,
    root: Root,
    parse: impl Fn(&str) -> Result<T, Error>,
) -> Result<(T, Recovery), Error> {
    let (value, large_objects) = parse_chunked(text, root, &parse, &mut ChunkCache::default())?;
    Ok((
        value,
        Recovery {
            large_objects,
            ..Recovery::default()
        },
    ))
}

/// Whether the `$` or `%` at `i` in a quoted string opens `${` / `%{` (`$${` and `%%{` are
/// escapes).
pub(super) fn opens_interpolation(b: &[u8], i: usize) -> bool {
    b.get(i + 1) == Some(&b'{') && !(i > 0 && b[i - 1] == b[i])
}

/// Whether `for` followed by a space, tab, newline or comment start begins at `i` after
/// optional whitespace (hcl-edit's own test).
pub(super) fn starts_for(b: &[u8], mut i: usize) -> bool {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    b.get(i..i + 3) == Some(b"for") && matches!(b.get(i + 3), Some(b' ' | b'\t' | b'#' | b'/' | b'\n' | b'\r'))
}

/// The index of the newline ending the line that `i` is on (or the end of the text).
fn line_end(b: &[u8], i: usize) -> usize {
    find(b, i, b"\n").unwrap_or(b.len())
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Skips `<<EOT ... EOT` / `<<-EOT ... EOT` at `i`; returns the index after the closing marker.
fn heredoc_end(b: &[u8], i: usize) -> Option<usize> {
    let (marker, m) = heredoc_marker(b, i)?;
    let mut pos = line_end(b, m) + 1;
    while pos < b.len() {
        let end = line_end(b, pos);
        let line = &b[pos..end];
        let trimmed = line.trim_ascii();
        if trimmed == marker {
            let lead = line.len() - line.trim_ascii_start().len();
            return Some(pos + lead + marker.len());
        }
        pos = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Result<Recovery, String> {
        parse_recovering(text, Root::Body, hcl_edit::parser::parse_body)
            .map(|(_, r)| r)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn repeated_keys_are_renamed_in_place() {
        let text = "x = {\n  Name = \"a\"\n  Name = \"b\"\n  \"k\" = 1\n  \"k\" = 2\n}\n";
        let r = body(text).unwrap();
        let name_at = text.rfind("Name").unwrap();
        let k_at = text.rfind("\"k\"").unwrap();
        assert_eq!(r.renamed_keys.get(&name_at).map(String::as_str), Some("Name"));
        assert_eq!(r.renamed_keys.get(&k_at).map(String::as_str), Some("\"k\""));
        let r = body("x = { a = 1, a = 2, a = 3 }\n").unwrap();
        assert_eq!(r.renamed_keys.len(), 2);
    }

    #[test]
    fn newlines_in_for_expressions_are_ignored() {
        for ok in [
            "x = { for k, v in m : k => v != \"\" ? v :\n  \"none\" }\n",
            "x = { for k, v in m : k => v != \"\" ? v : # why\n  \"none\" }\n",
            "x = [for v in m ? a :\n b : v]\n",
            "x = { for k, v in m :\n  k => {\n    a = v ? 1 :\n 2 }\n}\n",
        ] {
            let parsed = body(ok);
            // The last one has the conditional inside a nested object constructor, where
            // newlines are significant: Terraform rejects it too.
            assert_eq!(parsed.is_ok(), !ok.contains("a = v"), "{ok:?}: {parsed:?}");
        }
    }

    #[test]
    fn flattening_leaves_strings_heredocs_and_nested_objects() {
        let text = "x = { for k, v in m : k => \"a # b\" }\ny = [for v in m : <<EOT\n  keep\n  EOT\n]\nz = { for k in m : k => {\n  a = 1\n  b = 2\n} }\n";
        let (flat, _) = rewrite(text).unwrap();
        assert!(flat.contains("\"a # b\""));
        assert!(flat.contains("<<EOT\n  keep\n  EOT"));
        assert!(flat.contains("{\n  a = 1\n  b = 2\n}"));
        assert_eq!(flat.len(), text.len());
        assert!(hcl_edit::parser::parse_body(&flat).is_ok());
    }

    #[test]
    fn numbers_beyond_f64_are_kept() {
        let r = body("a = 1e400\nb = -2.5E+999\nc = 1e300\n").unwrap();
        assert_eq!(r.big_numbers.len(), 2);
        assert_eq!(r.big_numbers.get(&4), Some(&9));
        let long = format!("a = 1{}\n", "0".repeat(400));
        assert_eq!(body(&long).unwrap().big_numbers.len(), 1);
    }

    #[test]
    fn real_errors_stay_where_they_are() {
        let text = "x = { a = 1, a = 2 }\ny = [1, 2\n";
        let err = parse_recovering(text, Root::Body, hcl_edit::parser::parse_body).unwrap_err();
        assert!(err.location().offset() > text.find('y').unwrap(), "{err}");
        assert!(body("x = { for k in m : k => }\n").is_err());
        assert!(body("x = 1e400e\n").is_err());
        assert!(body("x = a1e400\n").is_ok());
    }

    #[test]
    fn line_breaks_inside_quoted_strings_are_found() {
        assert_eq!(
            terraform_rejects("x = \"a\nb\"\n"),
            Some((6, Rejected::MultiLineString))
        );
        for ok in [
            "x = \"a\" # \"\ny = <<EOT\n\"\nEOT\nz = \"${ {a = \"}\"}.a }\"\n",
            "x = \"$${a\" /* \"\n */\nw = \"%{ if true }\\\"x%{ endif }\"\n",
        ] {
            assert_eq!(terraform_rejects(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn a_heredoc_needs_a_line_holding_only_its_marker() {
        // Checked with `terraform fmt` (Terraform 1.11).
        for bad in [
            "x = <<-EOT\n  a\n  EOT#c\n",
            "x = <<EOT\na\nEOT // c\n",
            "x = <<EOT\na\n",
        ] {
            assert_eq!(
                terraform_rejects(bad),
                Some((4, Rejected::UnterminatedHeredoc)),
                "{bad:?}"
            );
        }
        for ok in ["x = <<-EOT\n  a\n  EOT\n", "x = <<EOT\na\nEOT\r\ny = 1\n", "# <<EOT\n"] {
            assert_eq!(terraform_rejects(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn a_dot_ending_a_line_is_rejected_where_line_breaks_count() {
        // Each checked with `terraform fmt` (Terraform 1.11).
        for bad in [
            "aa=ee.\nEOT\n",
            "x = a.\n  b\n",
            "x = a.*.\nb\n",
            "x = a[0].\nb\n",
            "x = a.0.\nb\n",
            "x = 1.\nfoo\n",
            "x = a. # why\nb\n",
            "x = a.\r\nb\n",
            "x = { a = ee.\nfoo }\n",
            "b {\n  x = a.\n  b\n}\n",
        ] {
            let dot = bad
                .find(".\n")
                .or_else(|| bad.find(". "))
                .or_else(|| bad.find(".\r"))
                .unwrap();
            assert_eq!(
                terraform_rejects(bad),
                Some((dot, Rejected::DotBeforeLineBreak)),
                "{bad:?}"
            );
        }
        for ok in [
            "x = (ee.\nfoo)\n",
            "x = [ee.\nfoo]\n",
            "x = ee. foo\n",
            "x = ee .foo\n",
            "x = ee./* c */foo\n",
            "x = [for a in b : a.\nc]\n",
            "x = \"${ee.\nfoo}\"\n",
            "x = <<E\n${ee.\nfoo}\nE\n",
            "x = 1.5\ny = a.*\nz = f(a...)\n",
            "# a.\n/* b.\n */\nx = \"c.\"\n",
        ] {
            assert_eq!(terraform_rejects(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn placeholders_have_the_requested_length() {
        for len in 1..6 {
            for n in [0, 1, 52, 53, 1000] {
                let p = placeholder(n, len);
                assert_eq!(p.len(), len);
                assert!(is_ident_start(p.as_bytes()[0]));
            }
        }
    }
}
