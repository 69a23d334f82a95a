//! Text from the repository (file names, addresses, `for_each` keys, values, module sources)
//! escaped for where it lands, so a pull request cannot write to the terminal or into a bot's
//! comment through kpulint:
//!
//! - [`terminal`] / [`terminal_line`]: control characters (C0, DEL, C1), bidirectional
//!   controls (U+202E…) and line separators are shown as Rust-style escapes (`\u{1b}`, `\r`,
//!   `\u{202e}`), never written raw.
//! - [`markdown_text`]: every character Markdown gives a meaning is backslash-escaped, and
//!   what GitHub links by itself (`@mentions`, bare URLs, `www.`, `#123`, e-mail addresses) is
//!   broken by a zero-width space, so nothing renders as a link, image, mention, HTML or
//!   formatting.
//! - [`markdown_code`]: a code span fenced with more backticks than the text holds.
//!
//! The CI formats (JSON, SARIF, XML, workflow commands) have escaping of their own.

use std::borrow::Cow;
use std::fmt::Write;
use std::io;

/// Characters that change what a terminal shows or does, beyond the text itself: C0 controls,
/// DEL, C1 controls, bidirectional formatting and isolates, line and paragraph separators.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

fn escape_chars(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            c if keep(c) || !is_unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal that may span lines (a message): line breaks and tabs are kept, every
/// other unsafe character is shown escaped.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_chars(s, |c| c == '\n' || c == '\t')
}

/// As [`terminal`], but carriage returns are kept too: for formats that encode line breaks
/// themselves (GitHub workflow commands write them as `%0D%0A`).
pub fn keeping_line_breaks(s: &str) -> Cow<'_, str> {
    escape_chars(s, |c| matches!(c, '\n' | '\r' | '\t'))
}

/// Text for one line of a terminal (a path, an address): every unsafe character, line breaks
/// and tabs included, is shown escaped.
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    escape_chars(s, |_| false)
}

/// Renders a plain-text report (no colours of its own) and writes it with [`terminal`]: a
/// line break stays one, every other unsafe character is shown escaped.
pub fn to_terminal(
    out: &mut dyn io::Write,
    render: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    out.write_all(terminal(&String::from_utf8_lossy(&buf)).as_bytes())
}

/// U+200B ZERO WIDTH SPACE: invisible, and no name, URL or domain character, so it stops
/// GitHub's mention, reference and autolink recognition.
const BREAK: char = '\u{200b}';

/// Text in a Markdown paragraph, list item, heading or table cell: shown as written, nothing
/// live. Line breaks become spaces (they would end the item or row); other unsafe characters
/// are shown escaped.
pub fn markdown_text(s: &str) -> String {
    let one_line = s.replace('\n', " ");
    let visible = terminal_line(&one_line);
    let chars: Vec<char> = visible.chars().collect();
    let mut out = String::with_capacity(visible.len() + 16);
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            // `@team`, `user@example.com`.
            '@' => {
                out.push(c);
                out.push(BREAK);
            }
            // `#123` links an issue.
            '#' if next.is_some_and(|n| n.is_ascii_alphanumeric()) => {
                out.push(c);
                out.push(BREAK);
            }
            // `https://x`: the break after the scheme's colon.
            ':' if next == Some('/') => {
                out.push(c);
                out.push(BREAK);
            }
            // `www.example.com`.
            '.' if i >= 3 && chars[i - 3..i].iter().collect::<String>().eq_ignore_ascii_case("www") => {
                out.push(BREAK);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `s` as written: the fence is one backtick longer than the
/// longest run of backticks inside, padded with spaces when the text starts or ends with a
/// backtick. Line breaks and unsafe characters are shown escaped. `in_table`: a `|` is
/// escaped, as GitHub's tables require even inside code.
pub fn markdown_code(s: &str, in_table: bool) -> String {
    let visible = terminal_line(s);
    let mut longest = 0;
    let mut run = 0;
    for c in visible.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if visible.starts_with('`') || visible.ends_with('`') || visible.is_empty() {
        " "
    } else {
        ""
    };
    let body = if in_table {
        visible.replace('|', "\\|")
    } else {
        visible.into_owned()
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_and_bidi_overrides() {
        assert_eq!(terminal("a\u{1b}[2Jb\rc\u{202e}d\ne"), "a\\u{1b}[2Jb\\rc\\u{202e}d\ne");
        assert_eq!(terminal_line("x\ny\tz\u{85}"), "x\\ny\\tz\\u{85}");
        assert!(matches!(terminal("plain é ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_text_has_nothing_live() {
        assert_eq!(
            markdown_text("[x](https://e.com) ![i](u) <img> *b* _i_ `c` a|b"),
            "\\[x\\](https:\u{200b}//e.com) \\!\\[i\\](u) \\<img\\> \\*b\\* \\_i\\_ \\`c\\` a\\|b"
        );
        assert_eq!(
            markdown_text("@org/team x@y.z #12"),
            "@\u{200b}org/team x@\u{200b}y.z #\u{200b}12"
        );
        assert_eq!(markdown_text("www.e.com"), "www\u{200b}.e.com");
        assert_eq!(markdown_text("a\nb\u{1b}\r"), "a b\\\\u{1b}\\\\r");
        assert_eq!(markdown_text("12 → 10 (50%)"), "12 → 10 (50%)");
    }

    #[test]
    fn code_spans_are_fenced_past_any_backticks() {
        assert_eq!(markdown_code("main.tf", false), "`main.tf`");
        assert_eq!(markdown_code("a`b", false), "``a`b``");
        assert_eq!(markdown_code("`x``", false), "``` `x`` ```");
        assert_eq!(markdown_code("a|b", true), "`a\\|b`");
        assert_eq!(markdown_code("a|b", false), "`a|b`");
        assert_eq!(markdown_code("x\ny", false), "`x\\ny`");
    }
}
