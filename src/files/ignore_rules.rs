//! The ignore files of a walk — `.kpulintignore` everywhere, and inside a git repository
//! `.gitignore` and `.git/info/exclude` — read by kpulint itself under the rules
//! of [`super`] (regular files only, within the size cap, no link out of the repository). The
//! `ignore` crate's walker would read them with neither check: a `.gitignore` linked to
//! `/dev/zero` aborted kpulint, a FIFO hung it. A file that cannot be read is a notice, and the
//! walk goes on without its patterns.
//!
//! Precedence is ripgrep's: the nearest `.kpulintignore` pattern that matches wins, then (only
//! inside a repository, up to its root) the nearest `.gitignore` one, then `.git/info/exclude`.
//! (ripgrep's own `.ignore` files are not read: kpulint never documented them, and each name
//! looked for costs every folder a failed open.)

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::{read_regular, Refused};
use crate::discover::display;

/// The ignore files of one directory.
struct Level {
    /// This directory as the walk spells it, when it is the walk's root or below it.
    dir: PathBuf,
    /// For a directory above the walk's root: the root's path relative to it.
    above: Option<PathBuf>,
    kpulint: Option<Gitignore>,
    git: Option<Gitignore>,
    exclude: Option<Gitignore>,
    /// Holds `.git`: the root of a repository.
    has_git: bool,
    /// This directory or one above it holds `.git`.
    in_repository: bool,
    /// This level or one above it has patterns: most folders have none above them, and their
    /// entries are not matched at all.
    has_patterns: bool,
    parent: Option<Arc<Level>>,
}

impl Level {
    fn has_own_patterns(&self) -> bool {
        self.kpulint.is_some() || self.git.is_some() || self.exclude.is_some()
    }

    /// `path` (as the walk spells it) relative to this directory.
    fn relative<'p>(&self, path: &'p Path, root: &Path) -> Option<Cow<'p, Path>> {
        match &self.above {
            None => path.strip_prefix(&self.dir).ok().map(Cow::Borrowed),
            Some(prefix) => Some(Cow::Owned(prefix.join(path.strip_prefix(root).ok()?))),
        }
    }
}

thread_local! {
    /// The last level a walker thread looked up: `(walk id, directory, level)`.
    static LAST_LEVEL: RefCell<Option<(usize, OsString, Arc<Level>)>> = const { RefCell::new(None) };
}

/// The ignore rules of one walk root, built directory by directory as the walk enters them.
pub struct IgnoreRules {
    /// Tells this walk's levels from another's in the per-thread cache.
    id: usize,
    root: PathBuf,
    /// By directory, as the walk spells it (hashed as bytes). A directory without ignore files
    /// shares its parent's level.
    levels: RwLock<HashMap<OsString, Arc<Level>>>,
    /// Whether any directory from the root up holds `.git` (`.gitignore` applies only then).
    in_repository: bool,
    notices: Mutex<Vec<String>>,
}

impl IgnoreRules {
    /// The rules for a walk from `root`: those of the root and of its parents up to the
    /// repository's root (or the root alone outside a repository).
    pub fn new(root: &Path) -> IgnoreRules {
        let mut notices = Vec::new();
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let top = super::repository_of(&canonical).map(Path::to_path_buf);
        let mut parent: Option<Arc<Level>> = None;
        if let Some(top) = &top {
            // From the repository's root down to the root's parent.
            let mut above: Vec<&Path> = canonical
                .ancestors()
                .skip(1)
                .take_while(|a| a.starts_with(top))
                .collect();
            above.reverse();
            for dir in above {
                let prefix = canonical.strip_prefix(dir).map(Path::to_path_buf).unwrap_or_default();
                parent = Some(read_level(
                    dir,
                    root.to_path_buf(),
                    Some(prefix),
                    parent,
                    true,
                    &mut notices,
                ));
            }
        }
        let level = read_level(root, root.to_path_buf(), None, parent, top.is_some(), &mut notices);
        let mut levels = HashMap::new();
        levels.insert(root.as_os_str().to_owned(), level);
        static IDS: AtomicUsize = AtomicUsize::new(0);
        IgnoreRules {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            root: root.to_path_buf(),
            levels: RwLock::new(levels),
            in_repository: top.is_some(),
            notices: Mutex::new(notices),
        }
    }

    /// Calls `f` with the level of `dir`. Siblings are filtered one after another on one walker
    /// thread: a per-thread copy of the last level looked up answers them without the lock.
    fn with_level<T>(&self, dir: &Path, f: impl FnOnce(Option<&Arc<Level>>) -> T) -> T {
        LAST_LEVEL.with(|cell| {
            let mut last = cell.borrow_mut();
            if let Some((id, d, level)) = last.as_ref() {
                if *id == self.id && d.as_os_str() == dir.as_os_str() {
                    return f(Some(level));
                }
            }
            let found = self
                .levels
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(dir.as_os_str())
                .cloned();
            match found {
                Some(level) => {
                    *last = Some((self.id, dir.as_os_str().to_owned(), level));
                    f(last.as_ref().map(|(_, _, level)| level))
                }
                None => f(None),
            }
        })
    }

    /// Whether the walk skips `path` (a directory when `is_dir`), by the rules of the
    /// directories above it. A directory that is not skipped has its own ignore files read
    /// now, before the walk enters it.
    pub fn skips(&self, path: &Path, is_dir: bool) -> bool {
        let parent = path.parent().unwrap_or(Path::new(""));
        let (ignored, parent_level) = self.with_level(parent, |level| {
            let ignored = level.is_some_and(|l| self.ignored(l, path, is_dir));
            (ignored, if is_dir && !ignored { level.cloned() } else { None })
        });
        if ignored {
            return true;
        }
        if is_dir {
            let mut notices = Vec::new();
            let own = read_level(
                path,
                path.to_path_buf(),
                None,
                parent_level,
                self.in_repository,
                &mut notices,
            );
            self.levels
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.as_os_str().to_owned(), own);
            if !notices.is_empty() {
                self.notices
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .append(&mut notices);
            }
        }
        false
    }

    fn ignored(&self, deepest: &Level, path: &Path, is_dir: bool) -> bool {
        if !deepest.has_patterns {
            return false;
        }
        let any_git = self.in_repository || deepest.in_repository;
        let (mut kpulint, mut git, mut exclude) = (Match::None, Match::None, Match::None);
        let mut saw_git = false;
        for level in std::iter::successors(Some(deepest), |l| l.parent.as_deref()) {
            if level.has_own_patterns() {
                if let Some(rel) = level.relative(path, &self.root) {
                    let check = |m: &mut Match<()>, rules: &Option<Gitignore>| {
                        if m.is_none() {
                            if let Some(rules) = rules {
                                *m = rules.matched(&rel, is_dir).map(|_| ());
                            }
                        }
                    };
                    check(&mut kpulint, &level.kpulint);
                    if any_git && !saw_git {
                        check(&mut git, &level.git);
                        check(&mut exclude, &level.exclude);
                    }
                }
            }
            saw_git |= level.has_git;
        }
        kpulint.or(git).or(exclude).is_ignore()
    }

    /// The ignore files that could not be read, one notice each.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Reads the ignore files of `dir`; a directory without any (and without `.git`) shares
/// `parent`'s level.
///
/// Every folder costs a few failed opens (the walker's own listing is not available here):
/// `.gitignore` is only looked for inside a repository (`in_repository`: the walk's root is
/// in one), where it applies.
fn read_level(
    dir: &Path,
    spelled: PathBuf,
    above: Option<PathBuf>,
    parent: Option<Arc<Level>>,
    in_repository: bool,
    notices: &mut Vec<String>,
) -> Arc<Level> {
    let git_dir = dir.join(".git");
    let has_git = std::fs::symlink_metadata(&git_dir).is_ok();
    let in_repository = in_repository || has_git || parent.as_ref().is_some_and(|p| p.in_repository);
    let exclude = if has_git && git_dir.is_dir() {
        rules(&git_dir.join("info").join("exclude"), notices)
    } else {
        None
    };
    let mut level = Level {
        dir: spelled,
        above,
        kpulint: rules(&dir.join(".kpulintignore"), notices),
        git: if in_repository {
            rules(&dir.join(".gitignore"), notices)
        } else {
            None
        },
        exclude,
        has_git,
        in_repository,
        has_patterns: parent.as_ref().is_some_and(|p| p.has_patterns),
        parent: parent.clone(),
    };
    level.has_patterns |= level.has_own_patterns();
    match parent {
        Some(p) if !level.has_own_patterns() && !has_git => p,
        _ => Arc::new(level),
    }
}

/// The patterns of one ignore file, `None` when there is none (or it cannot be read: a notice).
fn rules(path: &Path, notices: &mut Vec<String>) -> Option<Gitignore> {
    let bytes = match read_regular(path) {
        Ok(b) => b,
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(refused) => {
            notices.push(format!(
                "{} (its patterns are not applied)",
                refused.message(&display(path))
            ));
            return None;
        }
    };
    let mut builder = GitignoreBuilder::new(".");
    for line in String::from_utf8_lossy(&bytes).lines() {
        // A pattern that is not a valid glob is skipped, as git skips it.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn precedence_is_ripgreps_and_deeper_files_win() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        write(root, ".gitignore", "gen/\nkeep/\n*.log\n");
        write(root, ".kpulintignore", "!keep/\n");
        write(root, "a/.gitignore", "!x.log\n");
        write(root, ".git/info/exclude", "local/\n");
        let rules = IgnoreRules::new(root);
        assert!(rules.skips(&root.join("gen"), true));
        // A `.kpulintignore` whitelist beats a `.gitignore` pattern.
        assert!(!rules.skips(&root.join("keep"), true));
        assert!(rules.skips(&root.join("local"), true));
        assert!(!rules.skips(&root.join("a"), true));
        assert!(rules.skips(&root.join("a/y.log"), false));
        // The nearer `.gitignore` wins.
        assert!(!rules.skips(&root.join("a/x.log"), false));
        assert!(rules.take_notices().is_empty());
    }

    #[test]
    fn gitignore_applies_only_in_a_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, ".gitignore", "gen/\n");
        write(root, ".kpulintignore", "old/\n");
        let rules = IgnoreRules::new(root);
        assert!(!rules.skips(&root.join("gen"), true));
        assert!(rules.skips(&root.join("old"), true));
    }
}
