//! Applying planned edits to a file's bytes, and writing the result atomically. Every byte
//! outside the edited ranges is kept: comments, alignment, CRLF, trailing whitespace, a BOM.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Edit;

const BOM: &[u8] = b"\xEF\xBB\xBF";

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
}

/// Applies `edits` (all to the file at `path`, whose text was read as `original`) and writes the
/// result atomically: a temporary file in the same folder, with the file's permissions, renamed
/// over it. A symbolic link is followed, so the link stays a link.
pub fn write_file(path: &Path, original: &str, edits: &[&Edit]) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let read_err = |source| WriteError::Read {
        path: shown.clone(),
        source,
    };
    let target = fs::canonicalize(path).map_err(read_err)?;
    let bytes = fs::read(&target).map_err(read_err)?;
    let (bom, content) = match bytes.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => (&b""[..], &bytes[..]),
    };
    if content != original.as_bytes() {
        return Err(WriteError::Changed { path: shown });
    }
    let mut new = Vec::with_capacity(bytes.len() + 64);
    new.extend_from_slice(bom);
    new.extend_from_slice(splice(original, edits).as_bytes());
    atomic_write(&target, &new).map_err(|source| WriteError::Write { path: shown, source })
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.kpulint-{}.tmp", std::process::id()))
}

/// Replaces `target` with `bytes` so a reader sees the old file or the new one, never half.
pub fn atomic_write(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let permissions = fs::metadata(target)?.permissions();
    let tmp = temp_path(target);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::set_permissions(&tmp, permissions)?;
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.tf");
        std::fs::write(&path, "\u{feff}p = 12\n").unwrap();
        let f = SourceFile::new("main.tf", "p = 12\n");
        let e = Edit {
            file: f.clone(),
            range: 4..6,
            text: "10".into(),
            description: String::new(),
            applications: Vec::new(),
        };
        write_file(&path, &f.text, &[&e]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), "\u{feff}p = 10\n".as_bytes());
        // The same edit again: the file no longer holds the text it was planned on.
        let err = write_file(&path, &f.text, &[&e]).unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), "\u{feff}p = 10\n".as_bytes());
    }

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
