//! Which inputs could not be read or parsed, and which modules they reach: recorded on the
//! loaded modules (`ModuleDir::broken`, `ModuleDir::broken_callers`) so that evaluation
//! taints every application evaluated through them.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::{parent_key, Loaded};
use crate::discover::FileKind;

/// Marks the broken files of every loaded module, then, for every root, the broken files of
/// the directories that call it (`callers`: called directory → calling directories, found
/// without parsing).
pub(super) fn mark(loaded: &mut Loaded, callers: &HashMap<&OsStr, Vec<&PathBuf>>) {
    mark_broken_files(loaded);
    // A root whose caller holds a broken file may be a root only because the call in that
    // file was not read: it is evaluated without the arguments the call would pass.
    for root in loaded.roots.clone() {
        let mut seen: HashSet<&OsStr> = HashSet::new();
        let mut pending: Vec<&OsStr> = vec![root.as_os_str()];
        let mut broken = Vec::new();
        while let Some(dir) = pending.pop() {
            for caller in callers.get(dir).into_iter().flatten() {
                if seen.insert(caller.as_os_str()) {
                    pending.push(caller.as_os_str());
                    if let Some(m) = loaded.modules.dirs.get(*caller) {
                        broken.extend(m.broken.iter().cloned());
                    }
                }
            }
        }
        // A module below a `modules/` directory that nothing calls is a root only because no
        // call to it was read: a broken file beside that `modules/` directory (or below it)
        // may hold the call.
        if !callers.contains_key(root.as_os_str()) {
            if let Some(base) = modules_base(&root) {
                broken.extend(
                    loaded
                        .inventory
                        .errors
                        .iter()
                        .filter(|e| is_terraform_path(e.span.path()))
                        .filter(|e| {
                            let dir = parent_key(Path::new(e.span.path()));
                            (base == Path::new(".") || dir.starts_with(&base)) && !dir.starts_with(&root)
                        })
                        .map(|e| e.span.clone()),
                );
            }
        }
        if let Some(m) = loaded.modules.dirs.get_mut(&root) {
            m.broken_callers = broken;
        }
    }
}

/// A `.tf` or `.tf.json` file.
fn is_terraform_path(path: &str) -> bool {
    matches!(FileKind::of(Path::new(path)), Some(FileKind::Tf | FileKind::TfJson))
}

/// The directory holding the `modules/` directory `dir` is below (`infra/team` for
/// `infra/team/modules/flink`), or `None` when it is below none.
fn modules_base(dir: &Path) -> Option<PathBuf> {
    let parts: Vec<std::path::Component> = dir.components().collect();
    let at = parts.iter().rposition(|c| c.as_os_str() == "modules")?;
    let base: PathBuf = parts[..at].iter().collect();
    Some(if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    })
}

/// Records, on each loaded module, its `.tf` / `.tf.json` files that could not be read or
/// parsed (from the errors reported so far), or were not read for what they are (a FIFO, a
/// link out of the repository): whatever they hold is missing from the module.
fn mark_broken_files(loaded: &mut Loaded) {
    let unread = loaded
        .inventory
        .errors
        .iter()
        .map(|e| &e.span)
        .chain(&loaded.skipped_terraform);
    for span in unread {
        let path = Path::new(span.path());
        if !is_terraform_path(span.path()) {
            continue;
        }
        if let Some(m) = loaded.modules.dirs.get_mut(&parent_key(path)) {
            if !m.broken.iter().any(|b| b.path() == span.path()) {
                m.broken.push(span.clone());
            }
        }
    }
}
