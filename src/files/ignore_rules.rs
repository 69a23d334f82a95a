//! The ignore files of a walk — `.kpulintignore` everywhere, ripgrep's `.ignore`, and inside a
//! git repository `.gitignore` and `.git/info/exclude` — read by kpulint itself under the rules
//! of [`super`] (regular files only, within the size cap, no link out of the repository). The
//! `ignore` crate's walker would read them with neither check: a `.gitignore` linked to
//! `/dev/zero` aborted kpulint, a FIFO hung it. A file that cannot be read is a notice, and the
//! walk goes on without its patterns.
//!
//! Precedence is ripgrep's: the nearest `.kpulintignore` pattern that matches wins, then the
//! nearest `.ignore` one, then (only inside a repository, up to its root) `.gitignore`, then
//! `.git/info/exclude`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
    dot_ignore: Option<Gitignore>,
    git: Option<Gitignore>,
    exclude: Option<Gitignore>,
    /// Holds `.git`: the root of a repository.
    has_git: bool,
    parent: Option<Arc<Level>>,
}

impl Level {
    fn is_empty(&self) -> bool {
        self.kpulint.is_none()
            && self.dot_ignore.is_none()
            && self.git.is_none()
            && self.exclude.is_none()
            && !self.has_git
    }

    /// `path` (as the walk spells it) relative to this directory.
    fn relative(&self, path: &Path, root: &Path) -> Option<PathBuf> {
        match &self.above {
            None => path.strip_prefix(&self.dir).ok().map(Path::to_path_buf),
            Some(prefix) => Some(prefix.join(path.strip_prefix(root).ok()?)),
        }
    }
}

/// The ignore rules of one walk root, built directory by directory as the walk enters them.
pub struct IgnoreRules {
    root: PathBuf,
    /// By directory, as the walk spells it. A directory without ignore files shares its
    /// parent's level.
    levels: RwLock<HashMap<PathBuf, Arc<Level>>>,
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
                parent = Some(read_level(dir, root.to_path_buf(), Some(prefix), parent, &mut notices));
            }
        }
        let level = read_level(root, root.to_path_buf(), None, parent, &mut notices);
        let mut levels = HashMap::new();
        levels.insert(root.to_path_buf(), level);
        IgnoreRules {
            root: root.to_path_buf(),
            levels: RwLock::new(levels),
            in_repository: top.is_some(),
            notices: Mutex::new(notices),
        }
    }

    fn level_of(&self, dir: &Path) -> Option<Arc<Level>> {
        self.levels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(dir)
            .cloned()
    }

    /// Whether the walk skips `path` (a directory when `is_dir`), by the rules of the
    /// directories above it. A directory that is not skipped has its own ignore files read
    /// now, before the walk enters it.
    pub fn skips(&self, path: &Path, is_dir: bool) -> bool {
        let parent = path.parent().unwrap_or(Path::new(""));
        let level = self.level_of(parent);
        if level.as_deref().is_some_and(|l| self.ignored(l, path, is_dir)) {
            return true;
        }
        if is_dir {
            let mut notices = Vec::new();
            let own = read_level(path, path.to_path_buf(), None, level, &mut notices);
            self.levels
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.to_path_buf(), own);
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
        let chain = || std::iter::successors(Some(deepest), |l| l.parent.as_deref());
        let any_git = self.in_repository || chain().any(|l| l.has_git);
        let (mut kpulint, mut dot_ignore, mut git, mut exclude) = (Match::None, Match::None, Match::None, Match::None);
        let mut saw_git = false;
        for level in chain() {
            let Some(rel) = level.relative(path, &self.root) else {
                continue;
            };
            let check = |m: &mut Match<()>, rules: &Option<Gitignore>| {
                if m.is_none() {
                    if let Some(rules) = rules {
                        *m = rules.matched(&rel, is_dir).map(|_| ());
                    }
                }
            };
            check(&mut kpulint, &level.kpulint);
            check(&mut dot_ignore, &level.dot_ignore);
            if any_git && !saw_git {
                check(&mut git, &level.git);
                check(&mut exclude, &level.exclude);
            }
            saw_git |= level.has_git;
        }
        kpulint.or(dot_ignore).or(git).or(exclude).is_ignore()
    }

    /// The ignore files that could not be read, one notice each.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Reads the ignore files of `dir`; a directory without any shares `parent`'s level.
fn read_level(
    dir: &Path,
    spelled: PathBuf,
    above: Option<PathBuf>,
    parent: Option<Arc<Level>>,
    notices: &mut Vec<String>,
) -> Arc<Level> {
    let git_dir = dir.join(".git");
    let has_git = std::fs::symlink_metadata(&git_dir).is_ok();
    let exclude = if has_git && git_dir.is_dir() {
        rules(&git_dir.join("info").join("exclude"), notices)
    } else {
        None
    };
    let level = Level {
        dir: spelled,
        above,
        kpulint: rules(&dir.join(".kpulintignore"), notices),
        dot_ignore: rules(&dir.join(".ignore"), notices),
        git: rules(&dir.join(".gitignore"), notices),
        exclude,
        has_git,
        parent: parent.clone(),
    };
    match parent {
        Some(p) if level.is_empty() => p,
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
