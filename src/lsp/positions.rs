//! Positions and paths between the editor and the pipeline: LSP positions count lines and
//! code units of the negotiated encoding (UTF-8 where the client offers it, else UTF-16);
//! the pipeline's spans are byte ranges. `file:` URIs ↔ absolute paths.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Uri};

use crate::eval::module::normalize;
use crate::source::{SourceFile, Span};

/// The position encoding agreed at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it among `general.positionEncodings`, UTF-16 (the
    /// protocol's default, which every client understands) otherwise.
    pub fn negotiate(offered: Option<&[lsp_types::PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&lsp_types::PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
        }
    }

    /// Code units of `s` in this encoding.
    pub fn units(self, s: &str) -> u32 {
        let n = match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.encode_utf16().count(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The byte offset of `pos` in `text`. A line past the end is the end of the text; a character
/// past the end of its line is the line's end (as the protocol asks); a position inside a
/// character (half of a UTF-16 surrogate pair, the middle of a UTF-8 sequence) is that
/// character's start.
pub fn offset_of(text: &str, pos: Position, enc: Encoding) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match memchr::memchr(b'\n', text.as_bytes().get(start..).unwrap_or_default()) {
            Some(n) => start += n + 1,
            None => return text.len(),
        }
    }
    let line_end =
        memchr::memchr(b'\n', text.as_bytes().get(start..).unwrap_or_default()).map_or(text.len(), |n| start + n);
    let line = text.get(start..line_end).unwrap_or("");
    // `\r\n`: the `\r` is part of the line break, not of the line.
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units >= pos.character {
            return start + i;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        };
        if units > pos.character {
            return start + i;
        }
    }
    start + line.len()
}

/// The position of byte `offset` of `text` (clamped to the text, and back to a character
/// boundary).
pub fn position_of(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |n| n + 1);
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        enc.units(text.get(line_start..offset).unwrap_or("")),
    )
}

/// The position of byte `offset` of a pipeline file. A file the parser kept only some lines of
/// knows its line and column in characters; the line's text gives the code units when it was
/// kept (the lines findings point at always are).
pub fn file_position(file: &SourceFile, offset: usize, enc: Encoding) -> Position {
    let offset = offset.min(file.len());
    let (line, char_col) = file.line_col(offset);
    let units = file
        .line_start(line)
        .and_then(|start| file.get(start..offset))
        .map_or(u32::try_from(char_col.saturating_sub(1)).unwrap_or(u32::MAX), |s| {
            enc.units(s)
        });
    Position::new(u32::try_from(line.saturating_sub(1)).unwrap_or(u32::MAX), units)
}

/// The range of a span.
pub fn span_range(span: &Span, enc: Encoding) -> lsp_types::Range {
    byte_range(&span.file, span.start..span.end, enc)
}

/// The range of bytes `range` of a pipeline file.
pub fn byte_range(file: &SourceFile, range: Range<usize>, enc: Encoding) -> lsp_types::Range {
    lsp_types::Range::new(
        file_position(file, range.start, enc),
        file_position(file, range.end.max(range.start), enc),
    )
}

/// The absolute path a `file:` URI names; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file:///path` (empty authority) or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    // `/C:/Users/...` on Windows.
    #[cfg(windows)]
    let decoded = match decoded.strip_prefix('/') {
        Some(p) if p.as_bytes().get(1) == Some(&b':') => p.to_string(),
        _ => decoded,
    };
    let path = PathBuf::from(decoded);
    path.is_absolute().then(|| normalize(&path))
}

/// The `file:` URI of an absolute path, percent-encoded as VS Code writes them.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut text = path.to_str()?.replace('\\', "/");
    if !text.starts_with('/') {
        text.insert(0, '/');
    }
    let mut out = String::with_capacity(text.len() + 7);
    out.push_str("file://");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_the_negotiated_code_units() {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" 4 bytes and 2 units.
        let text = "a = 1\n# é😀 x = 12\r\nlast";
        let x = text.find("12").unwrap();
        let utf8 = position_of(text, x, Encoding::Utf8);
        let utf16 = position_of(text, x, Encoding::Utf16);
        assert_eq!((utf8.line, utf8.character), (1, 13));
        assert_eq!((utf16.line, utf16.character), (1, 10));
        assert_eq!(offset_of(text, utf8, Encoding::Utf8), x);
        assert_eq!(offset_of(text, utf16, Encoding::Utf16), x);
        // Past the end of a line: its end, before the `\r\n`.
        assert_eq!(
            offset_of(text, Position::new(1, 99), Encoding::Utf16),
            text.find('\r').unwrap()
        );
        assert_eq!(offset_of(text, Position::new(9, 0), Encoding::Utf16), text.len());
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(offset_of(text, Position::new(1, 4), Encoding::Utf16), emoji);
    }

    #[test]
    fn pipeline_spans_become_ranges() {
        let file = SourceFile::new("main.tf", "# é😀\nparallelism = 12\n");
        let start = file.text.find("12").unwrap();
        let r = byte_range(&file, start..start + 2, Encoding::Utf16);
        assert_eq!((r.start.line, r.start.character, r.end.character), (1, 14, 16));
        let first = byte_range(&file, 2..8, Encoding::Utf16);
        assert_eq!((first.start.character, first.end.character), (2, 5));
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a dir/ü/main.tf");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%BC/main.tf");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let vim = Uri::from_str("file:///tmp/a%20dir/%c3%bc/./main.tf").unwrap();
        assert_eq!(uri_to_path(&vim).unwrap(), path);
        assert!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }
}
