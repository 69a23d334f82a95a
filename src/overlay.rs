//! Unsaved editor buffers standing in for the files they edit (`kpulint lsp`).
//!
//! An [`Overlay`] maps file paths to texts. While one is installed ([`with`]), the one place
//! the pipeline reads repository files ([`crate::files`]) consults it ([`text_of`]): a file
//! that the reader would read anyway (a regular file within the size cap, no link out of the
//! repository) is read from the overlay instead of the disk. The overlay never adds a file the reader would
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

    /// The overlay is process-wide: tests that install one take turns.
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());

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

    /// A buffer replaces what a read would give, never what a read refuses.
    #[cfg(unix)]
    #[test]
    fn buffers_are_read_only_where_the_file_would_be() {
        let repo = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = repo.path().canonicalize().unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join("main.tf"), "on disk").unwrap();
        std::fs::write(outside.path().join("secret.tf"), "secret").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.tf"), root.join("link.tf")).unwrap();
        let mut o = Overlay::new(&root);
        o.insert(&root.join("main.tf"), Arc::from("buffer"));
        o.insert(&root.join("link.tf"), Arc::from("buffer"));
        o.insert(&root.join("unsaved.tf"), Arc::from("buffer"));
        let _turn = INSTALLING.lock().unwrap_or_else(PoisonError::into_inner);
        let (main, link, unsaved) = with(Arc::new(o), || {
            (
                crate::files::read_regular(&root.join("main.tf")),
                crate::files::read_regular(&root.join("link.tf")),
                crate::files::read_regular(&root.join("unsaved.tf")),
            )
        });
        assert_eq!(main.unwrap(), b"buffer");
        assert!(matches!(link, Err(crate::files::Refused::LinkOutside { .. })));
        assert!(unsaved.is_err(), "a buffer with no file is not read");
    }

    #[test]
    fn installed_only_while_running() {
        let mut o = Overlay::new("/nowhere");
        o.insert(Path::new("/nowhere/a.tf"), Arc::from("a"));
        let _turn = INSTALLING.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = with(Arc::new(o), || text_of(Path::new("/nowhere/a.tf")));
        assert_eq!(seen.as_deref(), Some("a"));
        assert!(text_of(Path::new("/nowhere/a.tf")).is_none());
    }
}
