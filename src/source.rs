//! Source files and byte spans. Every value kpulint reads carries a [`Span`] into the file it
//! came from, so any finding can be reported at its exact line and column.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

mod lines;

use lines::LineIndex;

/// One input file, held in memory for the whole run so findings can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user will see it: relative to the current directory when given that way.
    pub path: String,
    /// The whole text as read. Empty for a file compacted by [`SourceFile::compact`], which
    /// holds only some of its lines: read it through [`SourceFile::get`] and [`Span::text`].
    /// Boxed, not shared: a `String` read from the file becomes it without a copy (a 500 MB plan
    /// is not held twice while it is read).
    pub text: Box<str>,
    /// The lines kept of a compacted file.
    kept: Option<Kept>,
    /// Lines and columns (of the kept text of a compacted file), computed on first use: most
    /// files read are never quoted.
    lines: OnceLock<LineIndex>,
}

/// What a compacted file keeps: runs of whole lines, at their offsets in the whole text.
#[derive(Debug)]
struct Kept {
    /// The kept runs one after another.
    text: Box<str>,
    /// Sorted by offset; the first starts at offset 0.
    segments: Box<[Segment]>,
    /// The whole text's length in bytes and its number of lines.
    len: usize,
    line_count: usize,
}

/// A run of whole lines kept of a compacted file.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Byte offset of its start in the whole text, and in [`Kept::text`].
    start: usize,
    at: usize,
    /// 0-based line of its start in the whole text, and in [`Kept::text`].
    line: usize,
    kept_line: usize,
}

/// The run of whole lines of a file that holds a range: its text, where it starts in the file,
/// and its first line (0-based). For a file that is not compacted, the whole text.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub start: usize,
    pub line: usize,
    pub text: &'a str,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Box<str>>) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            kept: None,
            lines: OnceLock::new(),
        })
    }

    /// A copy of this file that keeps only its text outside `dropped`: ranges of whole lines
    /// (each from a line start to just after a line end), sorted and apart. Offsets, lines and
    /// columns stay those of the whole text. `None` when the text has a carriage return that
    /// does not end a line (the report counts it as a line break) or a range is not whole lines.
    pub fn compact(&self, dropped: &[Range<usize>]) -> Option<Arc<SourceFile>> {
        let text: &str = &self.text;
        let bytes = text.as_bytes();
        if memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
            return None;
        }
        let whole_lines = |r: &Range<usize>| {
            r.start < r.end
                && r.end <= text.len()
                && (r.start == 0 || bytes.get(r.start - 1) == Some(&b'\n'))
                && bytes.get(r.end - 1) == Some(&b'\n')
        };
        if !dropped.iter().all(whole_lines) || dropped.windows(2).any(|w| w[0].end >= w[1].start) {
            return None;
        }
        let mut kept_text = String::with_capacity(text.len() - dropped.iter().map(|r| r.len()).sum::<usize>());
        let mut segments = Vec::with_capacity(dropped.len() + 1);
        let (mut from, mut line, mut kept_line) = (0, 0, 0);
        let runs = dropped
            .iter()
            .map(|r| (r.start, r.end))
            .chain(std::iter::once((text.len(), text.len())));
        for (to, next) in runs {
            let run = text.get(from..to)?;
            segments.push(Segment {
                start: from,
                at: kept_text.len(),
                line,
                kept_line,
            });
            kept_text.push_str(run);
            let run_lines = memchr::memchr_iter(b'\n', run.as_bytes()).count();
            kept_line += run_lines;
            line += run_lines + memchr::memchr_iter(b'\n', text.get(to..next)?.as_bytes()).count();
            from = next;
        }
        Some(Arc::new(SourceFile {
            path: self.path.clone(),
            text: Box::from(""),
            kept: Some(Kept {
                text: kept_text.into_boxed_str(),
                segments: segments.into_boxed_slice(),
                len: text.len(),
                line_count: line + 1,
            }),
            lines: OnceLock::new(),
        }))
    }

    /// The whole text: for a compacted file, read again from its path, and `None` when that
    /// fails or what was kept no longer matches it (the file changed since it was read).
    pub fn whole_text(&self) -> Option<Cow<'_, str>> {
        let Some(kept) = &self.kept else {
            return Some(Cow::Borrowed(&self.text));
        };
        let bytes = crate::files::read_regular(std::path::Path::new(&self.path)).ok()?;
        // As when it was read: a UTF-8 byte-order mark is not part of the content.
        let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = std::str::from_utf8(content).ok()?;
        let unchanged = text.len() == kept.len
            && kept.segments.iter().enumerate().all(|(i, s)| {
                let end = kept.segments.get(i + 1).map_or(kept.text.len(), |next| next.at);
                let run = kept.text.get(s.at..end);
                run.is_some_and(|run| text.get(s.start..s.start + run.len()) == Some(run))
            });
        unchanged.then(|| Cow::Owned(text.to_string()))
    }

    /// Whether only some lines of the text are held ([`SourceFile::compact`]).
    pub fn is_compacted(&self) -> bool {
        self.kept.is_some()
    }

    /// The length of the whole text in bytes.
    pub fn len(&self) -> usize {
        self.kept.as_ref().map_or(self.text.len(), |k| k.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text the line index is built over: the whole text, or the kept runs.
    fn held(&self) -> &str {
        self.kept.as_ref().map_or(&self.text, |k| &k.text)
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.held()))
    }

    /// The kept run holding byte `offset` (its end included), with its text.
    fn segment_at(&self, offset: usize) -> Option<(Segment, &str)> {
        let kept = self.kept.as_ref()?;
        let index = kept.segments.partition_point(|s| s.start <= offset).checked_sub(1)?;
        let segment = *kept.segments.get(index)?;
        let end = kept.segments.get(index + 1).map_or(kept.text.len(), |next| next.at);
        let text = kept.text.get(segment.at..end)?;
        (offset <= segment.start + text.len()).then_some((segment, text))
    }

    /// The run of whole lines holding `range`; `None` when part of it was not kept. For a file
    /// that is not compacted, the whole text (whatever the range).
    pub fn window(&self, range: Range<usize>) -> Option<Window<'_>> {
        if self.kept.is_none() {
            return Some(Window {
                start: 0,
                line: 0,
                text: &self.text,
            });
        }
        let (segment, text) = self.segment_at(range.start)?;
        (range.end >= range.start && range.end <= segment.start + text.len()).then_some(Window {
            start: segment.start,
            line: segment.line,
            text,
        })
    }

    /// [`SourceFile::window`], and where its text starts in the held text.
    fn held_window(&self, range: Range<usize>) -> Option<(Window<'_>, usize)> {
        let w = self.window(range.clone())?;
        let at = match &self.kept {
            None => 0,
            Some(_) => self.segment_at(range.start)?.0.at,
        };
        Some((w, at))
    }

    /// The text of `range`, if it was kept and falls on character boundaries.
    pub fn get(&self, range: Range<usize>) -> Option<&str> {
        let w = self.window(range.clone())?;
        w.text.get(range.start - w.start..range.end - w.start)
    }

    /// The text from the start of the line holding `offset` up to it.
    pub fn line_before(&self, offset: usize) -> &str {
        let Some((w, at)) = self.held_window(offset..offset) else {
            return "";
        };
        let held_offset = at + offset - w.start;
        let start = self.lines().line_start_at(self.held(), held_offset).max(at);
        self.held().get(start..held_offset).unwrap_or("")
    }

    /// 1-based line and 1-based column counted in characters (not bytes) for a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len());
        // In a compacted file: the offset within the kept runs, and how many lines the runs
        // before it leave out. An offset that was not kept counts as the start of the next run.
        let (held_offset, left_out) = match &self.kept {
            None => (offset, 0),
            Some(kept) => match self.segment_at(offset) {
                Some((s, _)) => (s.at + offset - s.start, s.line - s.kept_line),
                None => {
                    let next = kept.segments.partition_point(|s| s.start <= offset);
                    let next = kept.segments.get(next).or(kept.segments.last());
                    next.map_or((0, 0), |s| (s.at, s.line - s.kept_line))
                }
            },
        };
        let (line, column) = self.lines().line_col(self.held(), held_offset);
        (line + left_out + 1, column + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column (YAML parsers count chars).
    pub fn offset_of_char_col(&self, line: usize, char_col: usize) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.len();
        };
        let Some((w, at)) = self.held_window(start..start) else {
            return self.len();
        };
        let held_start = at + start - w.start;
        let (held_line, _) = self.lines().line_col(self.held(), held_start);
        let end = at + w.text.len();
        match self
            .lines()
            .offset_of_column(self.held(), held_line, held_start, char_col, end)
        {
            Some(held) => w.start + held - at,
            None => w.start + w.text.len(),
        }
    }

    /// Byte offset of the start of a 1-based line (`None` for a line a compacted file left out).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        let line = line.checked_sub(1)?;
        let Some(kept) = &self.kept else {
            return self.lines().start_of(&self.text, line);
        };
        if line >= kept.line_count {
            return None;
        }
        let index = kept.segments.partition_point(|s| s.line <= line).checked_sub(1)?;
        let segment = kept.segments.get(index)?;
        let held_line = segment.kept_line + (line - segment.line);
        // A run's lines are those up to the next run's first line (its own end, when the run
        // ends with a line break).
        let next_kept_line = kept.segments.get(index + 1).map_or(usize::MAX, |next| next.kept_line);
        if held_line > next_kept_line {
            return None;
        }
        let held = self.lines().start_of(&kept.text, held_line)?;
        Some(segment.start + held - segment.at)
    }

    /// The whole lines around `range` in the run of lines holding it ([`SourceFile::window`]):
    /// from `before` lines above its first line (and one more) to `after` lines below its last
    /// (and one more), so a renderer counting context lines from the range finds them all,
    /// without reading the rest of a long file.
    pub fn lines_around(&self, range: Range<usize>, before: usize, after: usize) -> Option<Window<'_>> {
        let (w, at) = self.held_window(range.clone())?;
        let (held, index) = (self.held(), self.lines());
        let end = at + w.text.len();
        let (first_line, _) = index.line_col(held, at);
        let (start_line, _) = index.line_col(held, at + range.start - w.start);
        let (end_line, _) = index.line_col(held, at + range.end - w.start);
        let from_line = start_line.saturating_sub(before.saturating_add(1)).max(first_line);
        let from = index.start_of(held, from_line).unwrap_or(at).clamp(at, end);
        let to = end_line
            .checked_add(after.saturating_add(2))
            .and_then(|line| index.start_of(held, line))
            .map_or(end, |to| to.clamp(from, end));
        Some(Window {
            start: w.start + from - at,
            line: w.line + from_line - first_line,
            text: held.get(from..to)?,
        })
    }

    /// How many carriage returns not followed by a line feed come before `offset`: a
    /// renderer that counts them as line breaks numbers the lines after them that much higher.
    /// A compacted file has none.
    pub fn lone_returns_before(&self, offset: usize) -> usize {
        if self.kept.is_some() {
            return 0;
        }
        self.lines().lone_returns_before(offset)
    }

    pub fn line_count(&self) -> usize {
        self.kept
            .as_ref()
            .map_or_else(|| self.lines().line_count, |k| k.line_count)
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

    /// Whether `offset` is a character boundary (an offset a compacted file left out counts
    /// as one: nothing is read there).
    fn is_char_boundary(&self, offset: usize) -> bool {
        match self.window(offset..offset) {
            Some(w) => w.text.is_char_boundary(offset - w.start),
            None => true,
        }
    }

    /// The nearest character boundary at or before `offset` (at most the text's length).
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut o = offset.min(self.len());
        while !self.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The nearest character boundary at or after `offset` (at most the text's length).
    pub fn ceil_char_boundary(&self, offset: usize) -> usize {
        let mut o = offset.min(self.len());
        while !self.is_char_boundary(o) {
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
        self.file.get(self.start..self.end).unwrap_or("")
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
        let head = self.file.get(self.start..end).unwrap_or("");
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
    fn lines_far_from_a_chunk_start_are_found() {
        // Lines of different lengths, blank ones, a trailing line without a newline, and more
        // than three chunks' worth: every offset's line and column, and every line's start, agree
        // with a scan from the start of the text.
        let text: String = (0..3 * lines::CHUNK_BYTES / 4 + 7)
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
    fn a_compacted_file_answers_as_the_whole_file_where_it_kept_text() {
        let text: String = (0..40).map(|i| format!("line {i} é{}\n", "x".repeat(i % 7))).collect();
        let whole = SourceFile::new("a.tf", text.as_str());
        let line = |n: usize| whole.line_start(n + 1).unwrap();
        // Lines 3..10 and 20..39 dropped; 0..3, 10..20 and the last line kept.
        let dropped = [line(3)..line(10), line(20)..line(39)];
        let kept = whole.compact(&dropped).unwrap();
        assert!(kept.is_compacted());
        assert_eq!((kept.len(), kept.line_count()), (whole.len(), whole.line_count()));
        let in_kept = |o: usize| !dropped.iter().any(|d| d.start < o && o < d.end);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o) && in_kept(o)) {
            assert_eq!(kept.line_col(offset), whole.line_col(offset), "offset {offset}");
            assert_eq!(kept.line_before(offset), whole.line_before(offset), "offset {offset}");
        }
        for n in (1..=whole.line_count()).filter(|&n| in_kept(whole.line_start(n).unwrap())) {
            assert_eq!(kept.line_start(n), whole.line_start(n), "line {n}");
        }
        assert_eq!(kept.line_start(6), None);
        let statement = line(12)..line(14) - 1;
        assert_eq!(kept.span(statement.clone()).text(), &text[statement]);
        // Text that was dropped reads as nothing, never as other text.
        assert_eq!(kept.get(line(2)..line(4)), None);
        assert_eq!(kept.span(line(5)..line(6)).text(), "");
        // A carriage return alone is a line break to the report: such a file is not compacted.
        assert!(SourceFile::new("b.tf", "a\rb\nc\n")
            .compact(std::slice::from_ref(&(2..4)))
            .is_none());
        assert!(
            whole.compact(std::slice::from_ref(&(1..line(3)))).is_none(),
            "not whole lines"
        );
    }

    #[test]
    fn a_compacted_file_reads_its_whole_text_again_only_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tf");
        let text = "a = 1\nb = 2\nc = 3\nd = 4\n";
        std::fs::write(&path, text).unwrap();
        let kept = SourceFile::new(path.display().to_string(), text)
            .compact(std::slice::from_ref(&(6..12)))
            .unwrap();
        assert_eq!(kept.whole_text().as_deref(), Some(text));
        std::fs::write(&path, "a = 1\nb = 2\nc = 9\nd = 4\n").unwrap();
        assert_eq!(kept.whole_text(), None, "a kept line changed");
        std::fs::write(&path, "a = 1\nb = 9\nc = 3\nd = 4\n").unwrap();
        assert_eq!(kept.whole_text().as_deref(), Some("a = 1\nb = 9\nc = 3\nd = 4\n"));
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
