//! Unsaved editor buffers standing in for the files they edit (`kpulint lsp`).
//!
//! An [`Overlay`] maps file paths to texts. While one is installed ([`with`]), the one place
//! the pipeline reads repository files consults it ([`text_of`]): a file that the reader
//! would read anyway (a regular file within the size cap, no link out of the repository) is
//! read from the overlay instead of the disk. The overlay never adds a file the reader would
//! not read, so an editor buffer cannot make kpulint read what a command-line run refuses.
//!
//! Without an installed overlay (every command-line run) the lookup is one uncontended read
//! lock: the CLI reads exactly as before.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use crate::eval::module::normalize;

/// Texts by absolute, lexically normalised path.
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    /// The directory relative paths are read from (the process's current directory while
    /// the overlay is installed).
    base: PathBuf,
    texts: HashMap<PathBuf, Arc<str>>,
}

impl Overlay {
    /// An overlay whose relative paths are taken from `base` (an absolute directory).
    pub fn new(base: impl Into<PathBuf>) -> Overlay {
        Overlay {
            base: base.into(),
            texts: HashMap::new(),
        }
    }

    /// `path` (absolute) reads as `text`.
    pub fn insert(&mut self, path: &Path, text: Arc<str>) {
        self.texts.insert(normalize(path), text);
    }

    /// The same texts, with relative paths read from `base`.
    pub fn rebased(&self, base: impl Into<PathBuf>) -> Overlay {
        Overlay {
            base: base.into(),
            texts: self.texts.clone(),
        }
    }

    pub fn get(&self, path: &Path) -> Option<&Arc<str>> {
        if self.texts.is_empty() {
            return None;
        }
        if path.is_absolute() {
            self.texts.get(&normalize(path))
        } else {
            self.texts.get(&normalize(&self.base.join(path)))
        }
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

/// The installed overlay. One pipeline run at a time installs it (the language server runs
/// its analyses on one thread); the pipeline's own threads read it.
static INSTALLED: RwLock<Option<Arc<Overlay>>> = RwLock::new(None);

/// Runs `f` with `overlay` installed, and uninstalls it afterwards, also when `f` panics.
pub fn with<R>(overlay: Arc<Overlay>, f: impl FnOnce() -> R) -> R {
    struct Uninstall;
    impl Drop for Uninstall {
        fn drop(&mut self) {
            *INSTALLED.write().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
    *INSTALLED.write().unwrap_or_else(PoisonError::into_inner) = Some(overlay);
    let _uninstall = Uninstall;
    f()
}

/// The buffer standing in for `path`, if one is installed for it.
pub fn text_of(path: &Path) -> Option<Arc<str>> {
    let installed = INSTALLED.read().unwrap_or_else(PoisonError::into_inner);
    installed.as_ref()?.get(path).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_paths_find_the_same_buffer() {
        let mut o = Overlay::new("/work/repo");
        o.insert(Path::new("/work/repo/envs/prod/main.tf"), Arc::from("x"));
        assert!(o.get(Path::new("envs/prod/main.tf")).is_some());
        assert!(o.get(Path::new("./envs/prod/../prod/main.tf")).is_some());
        assert!(o.get(Path::new("/work/repo/envs/prod/main.tf")).is_some());
        assert!(o.get(Path::new("envs/dev/main.tf")).is_none());
        let moved = o.rebased("/work/repo/envs");
        assert!(moved.get(Path::new("prod/main.tf")).is_some());
    }

    #[test]
    fn installed_only_while_running() {
        let mut o = Overlay::new("/nowhere");
        o.insert(Path::new("/nowhere/a.tf"), Arc::from("a"));
        let seen = with(Arc::new(o), || text_of(Path::new("/nowhere/a.tf")));
        assert_eq!(seen.as_deref(), Some("a"));
        assert!(text_of(Path::new("/nowhere/a.tf")).is_none());
    }
}
