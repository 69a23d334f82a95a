//! Lines and columns of a text in bounded time, whatever the length of its lines: the line and
//! column of every [`CHUNK_BYTES`]th byte are recorded, so the line and column of any offset,
//! the start of any line, and the offset of any column are found by reading at most about one
//! chunk of the text (a finding in a one-line 20 MB plan is located as fast as one in a short
//! file).

/// Bytes per chunk: 16 bytes of index each, about 1.6 % of the text (the index is built on
/// first use; most files read are never quoted).
pub(super) const CHUNK_BYTES: usize = 1024;

/// Where a chunk starts: its 0-based line and the number of characters of that line before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ChunkStart {
    line: usize,
    column: usize,
}

#[derive(Debug)]
pub(super) struct LineIndex {
    /// One entry per chunk start `k * CHUNK_BYTES`, for `k` in `0..=len / CHUNK_BYTES` (the text's
    /// end has one too). Ordered by line, then column.
    chunks: Vec<ChunkStart>,
    pub(super) line_count: usize,
    /// Offsets of carriage returns not followed by a line feed: a renderer that counts them as
    /// line breaks (miette) numbers lines after them differently. Almost always empty.
    lone_returns: Vec<usize>,
}

/// How many characters start in `bytes` (bytes that are not UTF-8 continuation bytes): the
/// character count of any slice of a `str` between character boundaries, and well defined for
/// a slice starting or ending inside a character.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub(super) fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut chunks = Vec::with_capacity(bytes.len() / CHUNK_BYTES + 1);
        let mut at = ChunkStart { line: 0, column: 0 };
        for chunk in bytes.chunks(CHUNK_BYTES) {
            chunks.push(at);
            match memchr::memrchr(b'\n', chunk) {
                Some(last) => {
                    at.line += memchr::memchr_iter(b'\n', chunk).count();
                    at.column = char_starts(chunk.get(last + 1..).unwrap_or_default());
                }
                None => at.column += char_starts(chunk),
            }
        }
        if bytes.len().is_multiple_of(CHUNK_BYTES) {
            chunks.push(at);
        }
        let lone_returns = memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .collect();
        LineIndex {
            chunks,
            line_count: at.line + 1,
            lone_returns,
        }
    }

    /// The chunk holding `offset` (at most the text's length) and where it starts.
    fn chunk_of(&self, offset: usize) -> (usize, ChunkStart) {
        let k = (offset / CHUNK_BYTES).min(self.chunks.len().saturating_sub(1));
        let start = self.chunks.get(k).copied().unwrap_or(ChunkStart { line: 0, column: 0 });
        (k * CHUNK_BYTES, start)
    }

    /// Byte offset of the start of 0-based line `line`, if the text has that many lines.
    pub(super) fn start_of(&self, text: &str, line: usize) -> Option<usize> {
        if line >= self.line_count {
            return None;
        }
        if line == 0 {
            return Some(0);
        }
        // The last chunk starting on an earlier line: the line starts after it, and no later
        // than the next chunk's start.
        let k = self.chunks.partition_point(|c| c.line < line).checked_sub(1)?;
        let chunk = self.chunks.get(k)?;
        let from = k * CHUNK_BYTES;
        memchr::memchr_iter(b'\n', text.as_bytes().get(from..)?)
            .nth(line - chunk.line - 1)
            .map(|newline| from + newline + 1)
    }

    /// The start of the line holding byte `offset` (at most the text's length).
    pub(super) fn line_start_at(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        let (from, chunk) = self.chunk_of(offset);
        let before = text.as_bytes().get(from..offset).unwrap_or_default();
        match memchr::memrchr(b'\n', before) {
            Some(newline) => from + newline + 1,
            None => self.start_of(text, chunk.line).unwrap_or(0),
        }
    }

    /// The 0-based line holding byte `offset` (at most the text's length) and its 0-based
    /// column in characters (in bytes when `offset` is inside a character).
    pub(super) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let (from, chunk) = self.chunk_of(offset);
        let bytes = text.as_bytes();
        let before = bytes.get(from..offset).unwrap_or_default();
        let (line, start, column) = match memchr::memrchr(b'\n', before) {
            Some(last) => {
                let start = from + last + 1;
                let column = char_starts(bytes.get(start..offset).unwrap_or_default());
                (
                    chunk.line + memchr::memchr_iter(b'\n', before).count(),
                    Some(start),
                    column,
                )
            }
            None => (chunk.line, None, chunk.column + char_starts(before)),
        };
        if text.is_char_boundary(offset) {
            return (line, column);
        }
        let start = start.unwrap_or_else(|| self.start_of(text, line).unwrap_or(0));
        (line, offset - start)
    }

    /// The offset of character `column` (0-based) counted from `line_start`, the start of
    /// 0-based line `line`, and on past the line's end (as `char_indices().nth(column)` would
    /// count); `None` when the text up to `end` has fewer characters.
    pub(super) fn offset_of_column(
        &self,
        text: &str,
        line: usize,
        line_start: usize,
        column: usize,
        end: usize,
    ) -> Option<usize> {
        // The last chunk starting at or before that character: chunks are ordered by line,
        // then column.
        let target = ChunkStart { line, column };
        let k = self.chunks.partition_point(|c| *c <= target).saturating_sub(1);
        let (mut at, mut count) = match self.chunks.get(k) {
            Some(c) if c.line == line && k * CHUNK_BYTES > line_start => (k * CHUNK_BYTES, c.column),
            _ => (line_start, 0),
        };
        let bytes = text.as_bytes().get(..end.min(text.len()))?;
        while let Some(&b) = bytes.get(at) {
            if (b as i8) >= -0x40 {
                if count == column {
                    return Some(at);
                }
                count += 1;
            }
            at += 1;
        }
        None
    }

    /// How many carriage returns not followed by a line feed come before `offset`.
    pub(super) fn lone_returns_before(&self, offset: usize) -> usize {
        self.lone_returns.partition_point(|&r| r < offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of long and short lines, multi-byte characters across chunk boundaries, blank
    /// lines, carriage returns, with and without a last line break.
    fn texts() -> Vec<String> {
        let mut out = vec![String::new(), "\n".into(), "a".into(), "\r\n\r".into()];
        let long = "é".repeat(CHUNK_BYTES) + "x" + &"日本".repeat(CHUNK_BYTES / 3);
        out.push(long.clone());
        out.push(format!("{long}\n{long}\n"));
        out.push((0..300).map(|i| format!("{}\n", "ab🚀".repeat(i % 17))).collect());
        out.push(
            (0..40)
                .map(|i| format!("{}\r{}\n", "x".repeat(i * 97), "é".repeat(i)))
                .collect(),
        );
        out.push("a".repeat(CHUNK_BYTES - 1) + "é" + &"\n".repeat(CHUNK_BYTES) + "z");
        out
    }

    #[test]
    fn every_offset_line_and_column_agree_with_a_scan_from_the_start() {
        for text in texts() {
            let index = LineIndex::new(&text);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                .collect();
            assert_eq!(index.line_count, starts.len());
            for (line, &start) in starts.iter().enumerate() {
                assert_eq!(index.start_of(&text, line), Some(start), "line {line}");
            }
            assert_eq!(index.start_of(&text, starts.len()), None);
            let mut lone = 0;
            for offset in 0..=text.len() {
                let line = starts.partition_point(|&s| s <= offset) - 1;
                let column = text
                    .get(starts[line]..offset)
                    .map_or(offset - starts[line], |s| s.chars().count());
                assert_eq!(index.line_col(&text, offset), (line, column), "offset {offset}");
                assert_eq!(index.line_start_at(&text, offset), starts[line], "offset {offset}");
                assert_eq!(index.lone_returns_before(offset), lone);
                let bytes = text.as_bytes();
                lone += usize::from(bytes[offset..].first() == Some(&b'\r') && bytes.get(offset + 1) != Some(&b'\n'));
            }
            for (line, &start) in starts.iter().enumerate() {
                let rest = &text[start..];
                let line_chars = rest.split('\n').next().unwrap_or("").chars().count();
                for column in (0..line_chars + 3).step_by(7).chain(line_chars..line_chars + 3) {
                    let want = rest.char_indices().nth(column).map(|(i, _)| start + i);
                    let got = index.offset_of_column(&text, line, start, column, text.len());
                    assert_eq!(got, want, "line {line} column {column}");
                }
            }
        }
    }
}
