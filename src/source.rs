//! Source files and byte spans. Every value kpulint reads carries a [`Span`] into the file it
//! came from, so any finding can be reported at its exact line and column.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// One input file, held in memory for the whole run so findings can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user will see it: relative to the current directory when given that way.
    pub path: String,
    pub text: Arc<str>,
    /// Byte offsets of line starts, computed on first use: most files read are never quoted.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// 1-based line and 1-based column counted in characters (not bytes) for a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column (YAML parsers count chars).
    pub fn offset_of_char_col(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(char_col)
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// A span of `range`, clamped to the text and widened to whole characters: every span can
    /// then be sliced out of the text, whatever offset arithmetic produced it.
    pub fn span(self: &Arc<Self>, range: Range<usize>) -> Span {
        let start = self.floor_char_boundary(range.start);
        // An empty range stays empty (a point between characters).
        let end = if range.end <= range.start {
            start
        } else {
            self.ceil_char_boundary(range.end)
        };
        Span {
            file: Arc::clone(self),
            start,
            end,
        }
    }

    /// The nearest character boundary at or before `offset` (at most the text's length).
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The nearest character boundary at or after `offset` (at most the text's length).
    pub fn ceil_char_boundary(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o += 1;
        }
        o
    }

    pub fn whole(self: &Arc<Self>) -> Span {
        self.span(0..0)
    }
}

/// A byte range in one source file.
#[derive(Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn text(&self) -> &str {
        self.file.text.get(self.start..self.end).unwrap_or("")
    }

    pub fn location(&self) -> Location {
        let (line, column) = self.file.line_col(self.start);
        let (end_line, end_column) = self.file.line_col(self.end);
        Location {
            line,
            column,
            end_line,
            end_column,
        }
    }

    pub fn path(&self) -> &str {
        &self.file.path
    }

    /// The first line of a multi-line span without a trailing `{`, so a label points at a
    /// block's header.
    pub fn first_line(&self) -> Span {
        let text = self.text();
        let end = text.find('\n').map(|i| self.start + i).unwrap_or(self.end);
        let head = &self.file.text[self.start..end];
        let trimmed = head.trim_end_matches(['{', ' ', '\r']);
        self.file.span(self.start..self.start + trimmed.len())
    }

    pub fn same_file(&self, other: &Span) -> bool {
        Arc::ptr_eq(&self.file, &other.file)
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = self.location();
        write!(f, "{}:{}:{}", self.file.path, l.line, l.column)
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Self) -> bool {
        self.same_file(other) && self.start == other.start && self.end == other.end
    }
}

/// 1-based line/column of a span; columns count characters. `end_column` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let f = SourceFile::new("a.tf", "é = 1\nb = ééx\n");
        let off = f.text.find('x').unwrap();
        assert_eq!(f.line_col(off), (2, 7));
        assert_eq!(f.offset_of_char_col(2, 6), off);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(f.text.len()), (3, 1));
    }

    #[test]
    fn spans_cover_whole_characters() {
        // `é` is bytes 0..2: a range starting or ending inside it takes the whole character.
        let f = SourceFile::new("a.tf", "é = 1\u{3000}x");
        let s = f.span(1..1);
        assert_eq!((s.start, s.end), (0, 0));
        let s = f.span(1..7);
        assert_eq!(s.text(), "é = 1\u{3000}");
        assert_eq!(f.span(7..100).text(), "\u{3000}x");
    }
}
