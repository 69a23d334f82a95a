//! A one-pass structural check of HCL text: brackets, strings, comments and heredocs balanced,
//! and every top-level line starting like a block or an attribute. It runs at memory speed, so
//! files that cannot hold or feed a Flink application are checked without a full parse; only a
//! file that fails it is parsed, to report the syntax error at its exact position.

/// `false` when the text is certainly not valid HCL.
pub fn looks_well_formed(text: &str) -> bool {
    check(text, None)
}

/// The byte offsets where top-level statements (blocks and attributes) start, when the text
/// passes the check: a large file can then be parsed a group of statements at a time.
pub fn top_level_statements(text: &str) -> Option<Vec<usize>> {
    let mut starts = Vec::new();
    check(text, Some(&mut starts)).then_some(starts)
}

fn check(text: &str, mut starts: Option<&mut Vec<usize>>) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    // Open brackets: `{` a block body, `o` an object, `$` an interpolation, `(`, `[`.
    let mut stack: Vec<u8> = Vec::new();
    // For each open block body, whether it is written in the multi-line form (`{` ends its
    // line): such a body closes on a line of its own (`locals {\n  x = 1 }` is an error;
    // `lifecycle { x = 1 }` and `locals { x = [\n1] }` are not).
    let mut multi_line_bodies: Vec<bool> = Vec::new();
    // Whether we are inside a quoted string, per interpolation level.
    let mut in_string = false;
    let mut string_stack: Vec<bool> = Vec::new();
    let mut line_start = true;
    // The last significant byte outside strings and comments.
    let mut last = b'\n';
    // Inside an identifier: `-` continues it (`O-`, `a-1` are identifiers in HCL), it is no
    // operator there.
    let mut in_ident = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'\n' => return false,
                // `${` / `%{` open an interpolation; `$${` / `%%{` are escapes.
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') && b.get(i.wrapping_sub(1)) != Some(&c) => {
                    string_stack.push(true);
                    stack.push(b'$');
                    in_string = false;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            // Up to the next quote, escape, newline, `$` or `%`, the bytes of a string change
            // nothing: skip them in one run.
            if in_string {
                let rest = b.get(i..).unwrap_or_default();
                i += rest.iter().take_while(|&&c| !STRING_SPECIAL[usize::from(c)]).count();
            }
            continue;
        }
        let in_body = matches!(stack.last(), None | Some(b'{'));
        // Most lines of a body are `name = value` with a plain value, a block header or a
        // closing brace: one tight pass over each such line gives what the byte-by-byte steps
        // below would.
        if line_start && in_body && matches!(c, b' ' | b'\t' | b'a'..=b'z' | b'A'..=b'Z' | b'}') {
            if let Some((next, lines_last)) =
                plain_lines(b, i, &mut stack, &mut multi_line_bodies, starts.as_deref_mut())
            {
                last = lines_last;
                in_ident = false;
                i = next;
                continue;
            }
        }
        let prev = if i == 0 { b'\n' } else { b[i - 1] };
        in_ident = if in_ident {
            ident_byte(c)
        } else {
            ident_start(c) && !ident_byte(prev)
        };
        let at_line_start = line_start;
        if line_start && in_body && !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            // A statement of a body starts with an identifier, or is a comment or a closing brace.
            let comment_start = c == b'/' && matches!(b.get(i + 1), Some(b'/' | b'*'));
            let ok = ident_start(c) || c == b'#' || comment_start || c == b'}';
            if !ok || ident_start(c) && !statement_head_ok(b, i) {
                return false;
            }
            if stack.is_empty() && ident_start(c) {
                if let Some(starts) = starts.as_deref_mut() {
                    starts.push(i);
                }
            }
        }
        if !matches!(c, b' ' | b'\t' | b'\r') {
            line_start = c == b'\n';
        }
        let comment = c == b'#' || (c == b'/' && matches!(b.get(i + 1), Some(b'/' | b'*')));
        // What this byte leaves as the last significant one (a heredoc counts as a value).
        // `.*` is a splat, which can end an expression (`x = a.*`), not a multiplication.
        let mut significant = if (c == b'*' && last == b'.') || (c == b'-' && in_ident) {
            b'x'
        } else {
            c
        };
        match c {
            b'#' => skip_line(b, &mut i),
            b'/' if b.get(i + 1) == Some(&b'/') => skip_line(b, &mut i),
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(end) => i += end + 3,
                None => return false,
            },
            b'"' => in_string = true,
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if !skip_heredoc(text, &mut i) {
                    // `<<` that is not a heredoc introducer is not HCL either.
                    return false;
                }
                significant = b'x';
            }
            // In a body an expression ends at the line end: it cannot end with an operator.
            b'\n' if in_body && dangling_operator(last) => return false,
            // An attribute in a body needs its value on the same line: `a =` alone is an error.
            b'=' if in_body
                && !matches!(b.get(i + 1), Some(b'=') | Some(b'>'))
                && !matches!(
                    b.get(i.wrapping_sub(1)),
                    Some(b'=') | Some(b'!') | Some(b'<') | Some(b'>')
                ) =>
            {
                let rest = &text[i + 1..];
                let value = rest.trim_start_matches([' ', '\t']);
                let bad_start = [
                    '\n', '\r', '#', '=', ')', ']', '}', ',', '*', '/', '%', '&', '|', '>', ':', '?', '.',
                ];
                if value.is_empty() || value.starts_with(bad_start) && !value.starts_with("/*") {
                    return false;
                }
            }
            // A block body follows its identifier or label; anything else opens an object.
            b'{' => {
                // `last` is `-` only as an operator (`-{ ... }`): a `-` inside an identifier
                // counts as an identifier byte (`x`).
                if in_body && (ident_byte(last) && last != b'-' || last == b'"') {
                    stack.push(b'{');
                    multi_line_bodies.push(ends_line(b, i + 1));
                } else {
                    stack.push(b'o');
                }
            }
            b'(' | b'[' => stack.push(c),
            b')' | b']' | b'}' => {
                let Some(open) = stack.pop() else { return false };
                let expected = match open {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if c != expected {
                    return false;
                }
                if open == b'{' && multi_line_bodies.pop() == Some(true) && !at_line_start {
                    return false;
                }
                if open == b'$' {
                    in_string = string_stack.pop().unwrap_or(false);
                }
            }
            _ => {}
        }
        if !comment && !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            last = significant;
        }
        if in_ident {
            // The rest of an identifier only moves `last` along (a `-` in it counts as part of
            // a name): skip it in one run.
            let run = b[i + 1..].iter().take_while(|&&c| ident_byte(c)).count();
            if run > 0 {
                i += run;
                last = if b[i] == b'-' { b'x' } else { b[i] };
            }
        } else if matches!(c, b' ' | b'\t' | b'\r') {
            // Further blanks change nothing (`in_ident` is already false): skip them in one run.
            i += b[i + 1..]
                .iter()
                .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\r'))
                .count();
        }
        i += 1;
    }
    // The last expression of the file cannot end with an operator either.
    stack.is_empty() && !in_string && !dangling_operator(last)
}

/// Reads the plain lines that follow one another from `i`, a line start in a body, as the
/// byte-by-byte check would (block headers open bodies, closing braces close them): where the
/// first other line starts and the last significant byte, or `None` if the first line is not
/// plain. `starts` gets the top-level statements among them.
fn plain_lines(
    b: &[u8],
    mut i: usize,
    stack: &mut Vec<u8>,
    multi_line_bodies: &mut Vec<bool>,
    mut starts: Option<&mut Vec<usize>>,
) -> Option<(usize, u8)> {
    let mut last = None;
    while matches!(stack.last(), None | Some(b'{')) {
        let first = skip_blanks(b, i);
        let line = match b.get(first) {
            Some(b'}') if stack.last() == Some(&b'{') => plain_line_end(b, first + 1).map(|next| {
                stack.pop();
                multi_line_bodies.pop();
                (next, b'}')
            }),
            Some(c) if c.is_ascii_alphabetic() => {
                let top_level = stack.is_empty();
                let line = plain_attribute_line(b, first).or_else(|| {
                    let next = plain_block_header(b, first)?;
                    stack.push(b'{');
                    multi_line_bodies.push(true);
                    Some((next, b'{'))
                });
                if let (true, Some(_), Some(starts)) = (top_level, line, starts.as_deref_mut()) {
                    starts.push(first);
                }
                line
            }
            _ => None,
        };
        let Some((next, line_last)) = line else { break };
        i = next;
        last = Some(line_last);
    }
    last.map(|l| (i, l))
}

/// A whole body line `name = value` whose value is a number, a traversal (`var.x`, `true`) or
/// a string without escapes or templates, optionally followed by blanks and a line comment:
/// where the line ends (after its newline, or the end of the text) and the value's last byte
/// (what the byte-by-byte check leaves as the last significant byte). `None` for any other
/// line, which the byte-by-byte check then reads. `start` is the name's first byte, an ASCII
/// letter.
fn plain_attribute_line(b: &[u8], start: usize) -> Option<(usize, u8)> {
    let mut i = skip_blanks(b, skip_name(b, start + 1));
    if b.get(i) != Some(&b'=') || matches!(b.get(i + 1), Some(b'=' | b'>')) {
        return None;
    }
    i = skip_blanks(b, i + 1);
    let value_last = match *b.get(i)? {
        b'"' => {
            i = plain_string_end(b, i + 1)?;
            b'"'
        }
        b'0'..=b'9' => {
            i = skip(b, i, |c| c.is_ascii_digit());
            b'0'
        }
        c if c.is_ascii_alphabetic() || c == b'_' => loop {
            i = skip_name(b, i + 1);
            match (b.get(i), b.get(i + 1)) {
                (Some(b'.'), Some(&c)) if c.is_ascii_alphabetic() || c == b'_' => i += 1,
                // Any name byte stands for the last one (a `-` ending a name is part of it).
                _ => break b'x',
            }
        },
        _ => return None,
    };
    plain_line_end(b, i).map(|next| (next, value_last))
}

/// A whole body line `type "label" name {` (any number of plain string or name labels) that
/// opens a block body in the multi-line form: where the line ends. `start` is the type's
/// first byte, an ASCII letter.
fn plain_block_header(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i = skip_blanks(b, skip_name(b, i));
        match *b.get(i)? {
            b'{' => return plain_line_end(b, i + 1),
            b'"' => i = plain_string_end(b, i + 1)?,
            c if c.is_ascii_alphabetic() || c == b'_' => i += 1,
            _ => return None,
        }
    }
}

/// After the closing quote of a string whose content starts at `i`, when the content holds none
/// of [`STRING_SPECIAL`] (no escape, no template, on one line).
fn plain_string_end(b: &[u8], i: usize) -> Option<usize> {
    let end = skip(b, i, |c| !STRING_SPECIAL[usize::from(c)]);
    (b.get(end) == Some(&b'"')).then_some(end + 1)
}

/// Where a line ends when only blanks and a line comment are left on it from `i` (after its
/// newline, or the end of the text); `None` if anything else is.
fn plain_line_end(b: &[u8], i: usize) -> Option<usize> {
    let i = skip(b, i, |c| matches!(c, b' ' | b'\t' | b'\r'));
    match b.get(i) {
        None => Some(i),
        Some(b'\n') => Some(i + 1),
        Some(b'#') => Some(after_line(b, i)),
        Some(b'/') if b.get(i + 1) == Some(&b'/') => Some(after_line(b, i)),
        _ => None,
    }
}

/// Where the run of bytes from `i` that `keep` accepts ends.
#[inline]
fn skip(b: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while b.get(i).is_some_and(|&c| keep(c)) {
        i += 1;
    }
    i
}

fn skip_blanks(b: &[u8], i: usize) -> usize {
    skip(b, i, |c| matches!(c, b' ' | b'\t'))
}

fn skip_name(b: &[u8], i: usize) -> usize {
    skip(b, i, |c| ASCII_NAME_BYTE[usize::from(c)])
}

/// `[A-Za-z0-9_-]`: the bytes of an ASCII name.
const ASCII_NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        c += 1;
    }
    t
};

/// The index after the newline ending the line that holds `i` (or the end of the text).
fn after_line(b: &[u8], i: usize) -> usize {
    let rest = b.get(i..).unwrap_or_default();
    memchr::memchr(b'\n', rest).map_or(b.len(), |nl| i + nl + 1)
}

/// A byte that can start an identifier. HCL identifiers are Unicode (`ID_Start`): every byte of a
/// multi-byte character counts, so the check never rejects what the parser accepts.
fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// A byte that can continue an identifier (`ID_Continue`, `-`).
fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80
}

/// Whether only blanks or a line comment follow `start` on its line.
fn ends_line(b: &[u8], start: usize) -> bool {
    let mut i = start;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
        i += 1;
    }
    matches!(b.get(i), None | Some(b'\n') | Some(b'#')) || b.get(i..i + 2) == Some(b"//")
}

/// A byte that cannot end an expression: a binary operator, `?`, `:`, `.`, `,` or `=`.
fn dangling_operator(last: u8) -> bool {
    matches!(
        last,
        b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'!' | b'=' | b'<' | b'>' | b'?' | b':' | b'.' | b','
    )
}

/// A body statement: `name = ...` or `type "label" label {`. Labels cannot precede `=`, and a
/// statement needs one of the two.
fn statement_head_ok(b: &[u8], start: usize) -> bool {
    let mut i = start;
    while i < b.len() && ident_byte(b[i]) {
        i += 1;
    }
    let mut labels = 0;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        // An inline comment is blank space between the parts of a header (`variable /**/"x" {`).
        if b.get(i..i + 2) == Some(b"/*") {
            match memchr::memmem::find(b.get(i + 2..).unwrap_or_default(), b"*/") {
                Some(end) => {
                    i += end + 4;
                    continue;
                }
                None => return false,
            }
        }
        match b.get(i) {
            Some(b'=') if b.get(i + 1) != Some(&b'=') => return labels == 0,
            Some(b'{') => return true,
            Some(b'"') => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if b.get(i) != Some(&b'"') {
                    return false;
                }
                i += 1;
                labels += 1;
            }
            Some(&c) if ident_start(c) => {
                while i < b.len() && ident_byte(b[i]) {
                    i += 1;
                }
                labels += 1;
            }
            _ => return false,
        }
    }
}

fn skip_line(b: &[u8], i: &mut usize) {
    // Stop before the newline: the main loop steps onto it and marks the next line's start.
    let rest = b.get(*i + 1..).unwrap_or_default();
    *i += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
}

/// The bytes that end a run of plain string content: `\\`, `"`, a newline, `$` and `%`.
const STRING_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\\' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'$' as usize] = true;
    t[b'%' as usize] = true;
    t
};

/// Skips `<<EOT ... EOT` / `<<-EOT ... EOT`; `i` ends on the closing marker's last byte.
fn skip_heredoc(text: &str, i: &mut usize) -> bool {
    let rest = &text[*i + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if marker.is_empty() {
        return false;
    }
    let Some(nl) = text[*i..].find('\n') else { return false };
    let mut pos = *i + nl + 1;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map(|e| pos + e).unwrap_or(text.len());
        if text[pos..end].trim() == marker {
            *i = end.saturating_sub(1);
            return true;
        }
        if end >= text.len() {
            break;
        }
        pos = end + 1;
    }
    false
}

#[cfg(test)]
mod statement_tests {
    use super::top_level_statements;

    #[test]
    fn statements_start_at_top_level_identifiers_only() {
        let text = "# c\nvariable \"a\" {\n  default = 1\n}\nlocals {\n  x = <<EOT\nresource\nEOT\n}\nb = \"}\"\n";
        let starts = top_level_statements(text).unwrap();
        let heads: Vec<&str> = starts.iter().map(|&i| &text[i..i + 6]).collect();
        assert_eq!(heads, ["variab", "locals", "b = \"}"]);
        assert_eq!(top_level_statements("a = (\n"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::looks_well_formed as ok;

    #[test]
    fn accepts_real_hcl() {
        assert!(ok("variable \"x\" {\n  default = \"a ${var.b} {\"\n}\n"));
        assert!(ok(
            "locals {\n  m = { a = [1, 2], \"b\" = (3) }\n}\n# c { [\n// d (\n/* e { */\n"
        ));
        assert!(ok(
            "resource \"a\" \"b\" {\n  policy = <<EOF\n{ unbalanced [\nEOF\n  x = <<-EOT\n    }\n    EOT\n}\n"
        ));
        assert!(ok("x = \"%{ if true }y%{ endif }\"\ny = \"$${literal}\"\n"));
        // Found by the precheck fuzz target: HCL identifiers are Unicode.
        assert!(ok("\u{78f}=1"));
        // `O-` is an identifier, not `O` minus nothing.
        assert!(ok("b=O-"));
        assert!(ok("b = a-1\n"));
        assert!(ok("größe = 1\nblöck \"ä\" {\n  x = 1\n}\n"));
        assert!(ok(""));
        assert!(ok("a = 1\r\nb = 2\r\n"));
        assert!(ok(
            "x = { a = 1, b = [for k, v in m : { k = v } if v >= 2] }\ny = a == b ? { c = 1 } : {}\n"
        ));
        assert!(ok("m = {\n  \"k\" = 1\n  2 = 3\n}\n"));
        assert!(ok("x = 1"));
        assert!(ok("x = a.*\ny = b.*"));
        assert!(ok("x = a\n// c\n/* d */\n"));
        assert!(ok(
            "resource \"a\" \"b\" {\n  lifecycle { x = 1 }\n  y = { a = 1\n  b = 2 }\n}\n"
        ));
        assert!(ok("locals { x = 1 }\nlocals {}\n"));
        assert!(ok(
            "locals { x = [\n1] }\nlocals { y = {\na = 1\n} }\nlocals { # c\n}\n"
        ));
        assert!(ok("x = { for k, v in m : k => v != \"\" ? v :\n  \"none\" }\n"));
    }

    #[test]
    fn rejects_broken_hcl() {
        assert!(!ok("resource \"a\" \"b\" {\n  x = 1\n"));
        assert!(!ok("this is not hcl }"));
        assert!(!ok("{{{ garbage"));
        assert!(!ok("x = \"unterminated\n"));
        assert!(!ok("x = [1, 2)\n"));
        assert!(!ok("x = <<EOF\nnever closed\n"));
        assert!(!ok("= 1\n"));
        assert!(!ok("/* open comment\n"));
        assert!(!ok("resource \"aws_vpc\" \"main\" {\n  cidr_block = \n}\n"));
        assert!(!ok("a = # nothing\n"));
        assert!(!ok("locals {\n  1 = 2\n}\n"));
        assert!(!ok("locals {\n  x = = 1\n}\n"));
        assert!(!ok("x 1\n"));
        assert!(!ok("variable \"a\" {\n  default = 1 +\n}\n"));
        assert!(!ok("resource aws_s3_bucket \"b\" \"c\" = {}\n"));
        assert!(!ok("locals {\n  x = y.\n}\n"));
        // Issue 8: an operator at the very end, a line starting with `/`, a multi-line body
        // closed on an attribute's line.
        assert!(!ok("x = 1 +"));
        assert!(!ok("locals {\n  x = 1 +"));
        assert!(!ok("/x = 1\n"));
        assert!(!ok("locals {\n  / 2\n}\n"));
        assert!(!ok("locals {\n  x = 1 }\n"));
        assert!(!ok("resource \"a\" \"b\" {\n  lifecycle {\n    x = 1 }\n}\n"));
    }
}

#[cfg(test)]
mod run_tests {
    //! Runs of blanks, identifier bytes, plain string content and comment text are skipped in
    //! one step each: what ends a run must still be seen.
    use super::{looks_well_formed as ok, top_level_statements};

    #[test]
    fn blank_runs_end_where_the_next_token_starts() {
        assert!(ok("a    =  \t  1   \t\r\n"));
        assert!(!ok("a = 1 +   \t   \n"));
        assert!(!ok("a =    \t   \n"));
        assert!(!ok("locals {\n      x = 1      }\n"));
        assert!(ok("locals {\n      x = 1\n      }\n"));
        assert!(!ok("locals {\n        1 = 2\n}\n"));
    }

    #[test]
    fn identifier_runs_keep_the_last_byte() {
        assert!(ok("x = some_long-name-with-dashes-\n"));
        assert!(ok("x = some_long_name\n"));
        assert!(!ok("x = some_long_name.\n"));
        assert!(!ok("x = some_long_name +\n"));
        assert!(ok("x = a.b_c.*\n"));
        assert!(ok("block_type_name \"label\" {\n  attribute_name = 1\n}\n"));
        assert_eq!(top_level_statements("alpha = 1\nbeta_gamma = 2\n"), Some(vec![0, 10]));
    }

    #[test]
    fn string_runs_stop_at_quotes_escapes_newlines_and_templates() {
        assert!(ok("x = \"a long string with { [ ( in it\"\n"));
        assert!(!ok("x = \"a long string never closed\n\"\n"));
        assert!(ok("x = \"aaaaaaaa ${var.b} cccccccc\"\n"));
        assert!(!ok("x = \"aaaaaaaa ${var.b cccccccc\"\n"));
        assert!(ok("x = \"aaaaaaaa \\\" still in the string\"\n"));
        assert!(ok("x = \"aaaaaaaa $${not a template\"\n"));
        assert!(ok("x = \"aaaaaaaa %{ if true }y%{ endif } z\"\n"));
        // A file ending in a backslash inside a string is rejected, without reading past it.
        assert!(!ok("x = \"abc\\"));
        assert!(!ok("x = \"abc"));
    }

    #[test]
    fn comment_runs_end_at_the_newline_or_the_end() {
        assert!(ok("# a comment with { [ ( \" in it\nx = 1\n"));
        assert!(ok("x = 1 // trailing { comment"));
        assert!(!ok("x = 1 +  # comment\n"));
    }
}

#[cfg(test)]
mod corpus {
    /// Every real `.tf` file kpulint ships as a fixture or example must pass the precheck.
    #[test]
    fn accepts_every_shipped_tf_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        // KPULINT_PRECHECK_EXTRA=DIR adds a local corpus (e.g. ../shared/corpus) to the check.
        let extra = std::env::var("KPULINT_PRECHECK_EXTRA").ok();
        let dirs: Vec<std::path::PathBuf> = ["examples", "tests/fixtures"]
            .iter()
            .map(|d| root.join(d))
            .chain(extra.map(Into::into))
            .collect();
        for dir in dirs {
            for entry in ignore::WalkBuilder::new(dir).hidden(false).build().flatten() {
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "tf") {
                    let text = std::fs::read_to_string(p).unwrap_or_default();
                    let parses = hcl_edit::parser::parse_body(&text).is_ok();
                    if parses {
                        assert!(
                            super::looks_well_formed(&text),
                            "{} parses but fails the precheck",
                            p.display()
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 20);
    }
}

#[cfg(test)]
mod plain_line_tests {
    //! Plain lines (`name = value`, block headers, closing braces) are read in one pass each:
    //! whatever stops a line from being plain must leave it to the byte-by-byte check, with the
    //! same verdict.
    use super::{looks_well_formed as ok, top_level_statements};

    #[test]
    fn plain_lines_keep_their_effects() {
        let text = "variable \"a\" { # c\n  type = string\n  default = var.x-\n} // d\nb = 1";
        assert!(ok(text));
        assert_eq!(top_level_statements(text), Some(vec![0, 61]));
        assert!(ok(
            "resource \"a\" \"b\" {\n  x = \"s\"\r\n  y = 10\n  z = a.b.c # note\n}\r\n"
        ));
        assert!(ok("  locals {\n  }\n"));
        // A value that is not plain is read byte by byte.
        assert!(ok("locals {\n  x = 1.5\n  y = \"${a}\"\n  z = f(1)\n}\n"));
        // A header whose body goes on on the same line is not plain.
        assert!(ok("locals { x = 1 }\n"));
    }

    #[test]
    fn what_stops_a_plain_line_is_still_checked() {
        for broken in [
            "locals {\n  x = a.\n}\n",
            "locals {\n  x = 1.\n}\n",
            "locals {\n  x == 1\n}\n",
            "locals {\n  x = 1 /* open\n}\n",
            "locals {\n  x = \"open\n}\n",
            "locals \"a\" = {\n}\n",
            "}\n",
            "locals {\n}\n}\n",
            "locals {\n  x = [\n  }\n",
        ] {
            assert!(!ok(broken), "{broken:?}");
        }
    }
}
