//! The documents the editor has open: their unsaved texts, kept in sync with `didOpen`,
//! `didChange` (full or incremental) and `didClose`, and handed to the pipeline as an
//! [`Overlay`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::positions::{offset_of, Encoding};
use crate::overlay::Overlay;

#[derive(Debug, Clone)]
pub struct Document {
    /// The URI exactly as the client wrote it: diagnostics for the document are published
    /// under it.
    pub uri: Uri,
    pub version: i32,
    /// The text as the editor holds it.
    pub text: Arc<str>,
}

impl Document {
    /// The text as the pipeline reads a file: without a UTF-8 byte-order mark.
    pub fn content(&self) -> &str {
        self.text.strip_prefix('\u{feff}').unwrap_or(&self.text)
    }
}

#[derive(Debug, Default)]
pub struct Documents {
    by_path: HashMap<PathBuf, Document>,
}

impl Documents {
    pub fn open(&mut self, path: PathBuf, uri: Uri, version: i32, text: String) {
        self.by_path.insert(
            path,
            Document {
                uri,
                version,
                text: Arc::from(text),
            },
        );
    }

    /// Applies the changes in order. A change for a document that is not open is ignored
    /// (the client missed a `didOpen`; the file is read from disk).
    pub fn change(&mut self, path: &Path, version: i32, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        let Some(doc) = self.by_path.get_mut(path) else {
            return;
        };
        let mut text = String::from(&*doc.text);
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = offset_of(&text, range.start, enc);
                    let end = offset_of(&text, range.end, enc).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        doc.text = Arc::from(text);
        doc.version = version;
    }

    pub fn close(&mut self, path: &Path) -> Option<Document> {
        self.by_path.remove(path)
    }

    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.by_path.get(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Document)> {
        self.by_path.iter()
    }

    /// The open documents' versions, by path.
    pub fn versions(&self) -> HashMap<PathBuf, i32> {
        self.by_path.iter().map(|(p, d)| (p.clone(), d.version)).collect()
    }

    /// Every open document as the pipeline should read it.
    pub fn overlay(&self) -> Overlay {
        let mut overlay = Overlay::new("/");
        for (path, doc) in &self.by_path {
            let text = match doc.text.strip_prefix('\u{feff}') {
                Some(rest) => Arc::from(rest),
                None => Arc::clone(&doc.text),
            };
            overlay.insert(path, text);
        }
        overlay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    fn change(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_and_full_changes_apply_in_order() {
        let mut docs = Documents::default();
        let path = PathBuf::from("/r/main.tf");
        let uri = Uri::from_str("file:///r/main.tf").unwrap();
        docs.open(path.clone(), uri, 1, "# é\nparallelism = 12\n".into());
        docs.change(
            &path,
            2,
            vec![
                change(Some(((1, 14), (1, 16))), "1"),
                change(Some(((1, 15), (1, 15))), "0"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(&*docs.get(&path).unwrap().text, "# é\nparallelism = 10\n");
        // "é" is two UTF-8 units: the end of line 0 is character 4.
        docs.change(&path, 3, vec![change(Some(((0, 4), (0, 4))), "!")], Encoding::Utf8);
        assert_eq!(&*docs.get(&path).unwrap().text, "# é!\nparallelism = 10\n");
        docs.change(&path, 4, vec![change(None, "x = 1\n")], Encoding::Utf8);
        let doc = docs.get(&path).unwrap();
        assert_eq!((&*doc.text, doc.version), ("x = 1\n", 4));
    }
}
