//! Applying planned edits to a file's text. Every byte outside the edited ranges is kept:
//! comments, alignment, CRLF, trailing whitespace, a BOM. Writing is [`super::transaction`]'s.

use std::io;

use super::Edit;

/// `text` with each edit's range replaced. Edits are sorted by position and do not overlap
/// (insertions at one point keep their order).
pub fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    for e in edits {
        let start = e.range.start.clamp(pos, text.len());
        out.push_str(&text[pos..start]);
        out.push_str(&e.text);
        pos = e.range.end.clamp(start, text.len());
    }
    out.push_str(&text[pos..]);
    out
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{path} changed while kpulint was reading it: not edited")]
    Changed { path: String },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
    #[error("{path} is not edited: {why}")]
    Refused { path: String, why: String },
    #[error("{path} is not edited: it is part of one fix with {failed}, which could not be written")]
    NotWritten { path: String, failed: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn splices_only_the_ranges() {
        let f = SourceFile::new("t", "a = 12 # x\r\nb = 1\r\n");
        let e = |r: std::ops::Range<usize>, t: &str| Edit {
            file: f.clone(),
            range: r,
            text: t.into(),
            description: String::new(),
            applications: Vec::new(),
        };
        let (one, two, three) = (e(4..6, "10"), e(12..12, "c = 2\r\n"), e(12..12, "d = 3\r\n"));
        assert_eq!(
            splice(&f.text, &[&one, &two, &three]),
            "a = 10 # x\r\nc = 2\r\nd = 3\r\nb = 1\r\n"
        );
    }
}
