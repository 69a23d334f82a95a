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
    /// Where lines start, computed on first use: most files read are never quoted.
    lines: OnceLock<LineIndex>,
}

/// Every [`LINES_PER_MARK`]th line start of a text. A table of every line start costs 8 bytes
/// a line for as long as the file is held (a third of a typical Terraform file's own size);
/// this costs a quarter byte a line, and finding any line is a `memchr` over at most
/// `LINES_PER_MARK` lines from the nearest mark.
#[derive(Debug)]
struct LineIndex {
    /// Byte offsets of the starts of lines 0, `LINES_PER_MARK`, `2 * LINES_PER_MARK`, … (0-based).
    marks: Vec<usize>,
    line_count: usize,
}

const LINES_PER_MARK: usize = 32;

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut marks = vec![0];
        let mut line_count = 1;
        for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
            if line_count % LINES_PER_MARK == 0 {
                marks.push(newline + 1);
            }
            line_count += 1;
        }
        marks.shrink_to_fit();
        LineIndex { marks, line_count }
    }

    /// Byte offset of the start of 0-based line `line`, if the text has that many lines.
    fn start_of(&self, text: &str, line: usize) -> Option<usize> {
        if line >= self.line_count {
            return None;
        }
        let mark = *self.marks.get(line / LINES_PER_MARK)?;
        match line % LINES_PER_MARK {
            0 => Some(mark),
            after_mark => memchr::memchr_iter(b'\n', text.as_bytes().get(mark..)?)
                .nth(after_mark - 1)
                .map(|newline| mark + newline + 1),
        }
    }

    /// The 0-based line holding byte `offset` (at most the text's length), and its start.
    fn line_of(&self, text: &str, offset: usize) -> (usize, usize) {
        // `marks[0]` is 0, so at least one mark is at or before any offset.
        let mark_index = self.marks.partition_point(|&start| start <= offset).saturating_sub(1);
        let mark = self.marks.get(mark_index).copied().unwrap_or(0);
        let between = text.as_bytes().get(mark..offset).unwrap_or_default();
        let newlines = memchr::memchr_iter(b'\n', between).count();
        let start = memchr::memrchr(b'\n', between).map_or(mark, |newline| mark + newline + 1);
        (mark_index * LINES_PER_MARK + newlines, start)
    }
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            lines: OnceLock::new(),
        })
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and 1-based column counted in characters (not bytes) for a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (line, start) = self.lines().line_of(&self.text, offset);
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column (YAML parsers count chars).
    pub fn offset_of_char_col(&self, line: usize, char_col: usize) -> usize {
        let Some(start) = self.line_start(line) else {
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
        self.lines().start_of(&self.text, line.checked_sub(1)?)
    }

    pub fn line_count(&self) -> usize {
        self.lines().line_count
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
    fn lines_far_from_a_mark_are_found() {
        // Lines of different lengths, blank ones, a trailing line without a newline, and more
        // than three marks' worth: every offset's line and column, and every line's start, agree
        // with a scan from the start of the text.
        let text: String = (0..3 * LINES_PER_MARK + 7)
            .map(|i| format!("{}\n", "é".repeat(i % 5)))
            .chain(["last".to_string()])
            .collect();
        let f = SourceFile::new("a.tf", text.as_str());
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        assert_eq!(f.line_count(), starts.len());
        for (line, &start) in starts.iter().enumerate() {
            assert_eq!(f.line_start(line + 1), Some(start), "line {}", line + 1);
        }
        assert_eq!(f.line_start(0), None);
        assert_eq!(f.line_start(starts.len() + 1), None);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = starts.partition_point(|&s| s <= offset) - 1;
            let column = text[starts[line]..offset].chars().count();
            assert_eq!(f.line_col(offset), (line + 1, column + 1), "offset {offset}");
        }
        assert_eq!(f.line_col(text.len() + 10), f.line_col(text.len()));
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
