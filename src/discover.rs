//! Finds the input files under the paths the user gave: ripgrep's parallel walker, honouring
//! `.gitignore` inside git repositories and `.kpulintignore` everywhere (read by
//! [`IgnoreRules`], never by the walker), skipping hidden directories and `.terraform/`, and
//! following symbolic links only inside the repository.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::files::ignore_rules::IgnoreRules;

/// What a file is, judged by its name (content sniffing comes later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `.tf`
    Tf,
    /// `.tf.json`
    TfJson,
    /// `.tfvars` / `.tfvars.json`
    TfVars,
    /// Other `.json`: a Terraform plan or a CloudFormation template.
    Json,
    /// `.yaml`, `.yml`, `.template`: a CloudFormation template.
    Yaml,
}

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        // Called for every entry of the tree: compare the name's ending in place, without
        // lowercasing a copy of it.
        // The name's bytes: a name that is not valid UTF-8 is still a `.tf` file to Terraform.
        let name = path.file_name()?.as_encoded_bytes();
        let ends = |suffix: &str| {
            name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        if ends(".tf") {
            Some(FileKind::Tf)
        } else if ends(".tf.json") {
            Some(FileKind::TfJson)
        } else if ends(".tfvars") || ends(".tfvars.json") {
            Some(FileKind::TfVars)
        } else if ends(".json") {
            Some(FileKind::Json)
        } else if ends(".yaml") || ends(".yml") || ends(".template") {
            Some(FileKind::Yaml)
        } else {
            None
        }
    }
}

/// A file to read. `explicit` files were named on the command line: they are never skipped
/// silently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: Option<FileKind>,
    pub explicit: bool,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// What the roots are: files named on the command line, and directories to walk.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Named files (and their module siblings), sorted by path, each once.
    pub files: Vec<Candidate>,
    /// Directories to walk with [`walk`].
    pub dirs: Vec<PathBuf>,
    /// Roots that cannot be read.
    pub errors: Vec<WalkError>,
}

/// Sorts the roots into named files and directories to walk (directories are walked later,
/// while their files are read: no list of every file of the tree is ever built).
pub fn discover(roots: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for root in roots {
        if root.as_os_str() == "-" {
            found.files.push(Candidate {
                path: root.clone(),
                kind: None,
                explicit: true,
            });
            continue;
        }
        match std::fs::metadata(root) {
            Err(e) => {
                found.errors.push(WalkError {
                    path: root.clone(),
                    message: format!("cannot read {}: {e}", root.display()),
                });
                continue;
            }
            // Anything but a directory is read as a file: regular files, and also named pipes,
            // `/dev/stdin` and process substitution (`kpulint <(terraform show -json plan)`).
            Ok(m) if !m.is_dir() => {
                let kind = FileKind::of(root);
                found.files.push(Candidate {
                    path: clean(root),
                    kind,
                    explicit: true,
                });
                // A Terraform module is its whole directory: one changed file (pre-commit passes
                // file names) still needs its siblings' variables, locals and resources.
                if m.is_file() && matches!(kind, Some(FileKind::Tf | FileKind::TfJson | FileKind::TfVars)) {
                    found.files.extend(module_siblings(root));
                }
                continue;
            }
            Ok(_) => found.dirs.push(root.clone()),
        }
    }
    found.files.sort();
    found.files.dedup_by(|a, b| {
        if a.path == b.path {
            b.explicit |= a.explicit;
            true
        } else {
            false
        }
    });
    found
}

/// Receives the files a walk finds: one per walker thread, so files are read and scanned on
/// the walker's threads as they are found.
pub trait FileVisitor: Send {
    /// A file of a kind kpulint reads (`path` as users write it: no leading `./`).
    fn file(&mut self, path: &Path, kind: FileKind);

    /// The walk is over for this visitor's thread: work that can run before the threads'
    /// results are merged runs here, still on that thread.
    fn finish(&mut self) {}
}

/// What a walk gave: each thread's visitor, the paths that could not be walked, and notices.
pub struct Walked<V> {
    pub visitors: Vec<V>,
    pub errors: Vec<WalkError>,
    /// Files skipped for a reason the user should hear about (dangling or looping symlinks).
    pub notices: Vec<String>,
}

/// Walks `dirs` on `threads` threads (0: as many as there are cores), handing each file to the
/// walking thread's visitor (made by `new`). A file is visited once, even when roots overlap
/// or it was named on the command line too (`named`: the paths of [`Discovered::files`]).
pub fn walk<V: FileVisitor>(
    dirs: &[PathBuf],
    named: &[Candidate],
    threads: usize,
    new: impl Fn() -> V + Sync,
) -> Walked<V> {
    // Only overlapping roots can yield a file twice: only then is every path remembered.
    let seen = (dirs.len() > 1 || !named.is_empty() && !dirs.is_empty())
        .then(|| Mutex::new(named.iter().map(|c| c.path.clone()).collect::<HashSet<PathBuf>>()));
    let shared = Mutex::new(Walked {
        visitors: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
    });
    for root in dirs {
        let (mut builder, rules, link_notices) = walk_builder(root);
        builder.threads(threads);
        let mut visitors = Visitors {
            root,
            new: &new,
            seen: seen.as_ref(),
            shared: &shared,
        };
        builder.build_parallel().visit(&mut visitors);
        let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
        shared.notices.extend(rules.take_notices());
        shared
            .notices
            .append(&mut link_notices.lock().unwrap_or_else(PoisonError::into_inner));
    }
    let mut walked = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
    walked.notices.sort();
    walked.notices.dedup();
    walked
}

/// A walker of `root` as kpulint walks: hidden entries, `.terraform/` and `node_modules/`
/// skipped; ignore files read by [`IgnoreRules`] (never by the walker itself, which would read
/// a FIFO or `/dev/zero` without bound); symbolic links to folders followed when their target
/// lies inside the repository (or the scanned folder), with loop detection; a link to a folder
/// outside is not followed, with a notice (in the returned list) naming the link.
pub fn walk_builder(root: &Path) -> (ignore::WalkBuilder, Arc<IgnoreRules>, Arc<Mutex<Vec<String>>>) {
    let rules = Arc::new(IgnoreRules::new(root));
    let notices: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(true)
        .ignore(false)
        .git_ignore(false)
        .git_exclude(false)
        .git_global(false)
        .parents(false)
        .follow_links(true);
    let (filter_rules, filter_notices) = (Arc::clone(&rules), Arc::clone(&notices));
    builder.filter_entry(move |e| {
        if e.file_name() == ".terraform" || e.file_name() == "node_modules" {
            return false;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if is_dir && e.path_is_symlink() {
            let allowed = std::fs::canonicalize(e.path())
                .map_err(crate::files::Refused::Io)
                .and_then(|target| crate::files::link_allowed(e.path(), &target));
            if let Err(refused) = allowed {
                let shown = display(e.path());
                let message = match refused {
                    crate::files::Refused::LinkOutside { repository: true } => {
                        format!("{shown} is a symbolic link to a folder outside the repository: not followed")
                    }
                    crate::files::Refused::LinkOutside { repository: false } => {
                        format!("{shown} is a symbolic link to a folder outside the scanned folder: not followed")
                    }
                    other => other.message(&shown),
                };
                filter_notices
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(message);
                return false;
            }
        }
        !filter_rules.skips(e.path(), is_dir)
    });
    (builder, rules, notices)
}

/// Makes one [`Visitor`] per walker thread.
struct Visitors<'a, V, F> {
    root: &'a Path,
    new: &'a F,
    seen: Option<&'a Mutex<HashSet<PathBuf>>>,
    shared: &'a Mutex<Walked<V>>,
}

impl<'s, V: FileVisitor + 's, F: Fn() -> V + Sync> ignore::ParallelVisitorBuilder<'s> for Visitors<'s, V, F> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root,
            inner: Some((self.new)()),
            errors: Vec::new(),
            notices: Vec::new(),
            seen: self.seen,
            shared: self.shared,
        })
    }
}

/// One walker thread: its visitor, and its errors and notices, handed over when it ends.
struct Visitor<'a, V: FileVisitor> {
    root: &'a Path,
    inner: Option<V>,
    errors: Vec<WalkError>,
    notices: Vec<String>,
    seen: Option<&'a Mutex<HashSet<PathBuf>>>,
    shared: &'a Mutex<Walked<V>>,
}

impl<V: FileVisitor> ignore::ParallelVisitor for Visitor<'_, V> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let e = match entry {
            Ok(e) => e,
            Err(e) => {
                match link_notice(&e) {
                    Some(Some(notice)) => self.notices.push(notice),
                    Some(None) => {}
                    None => self.errors.push(walk_error(self.root, &e)),
                }
                return ignore::WalkState::Continue;
            }
        };
        // Symbolic links are followed (files, and folders inside the repository), so the type
        // is the target's. Named pipes, devices and links out of the repository are refused
        // when read, with a notice: opening one is checked, never blocking.
        if e.file_type().is_none_or(|t| t.is_dir()) {
            return ignore::WalkState::Continue;
        }
        let Some(kind) = FileKind::of(e.path()) else {
            return ignore::WalkState::Continue;
        };
        // `./a/b.tf` → `a/b.tf`, as [`clean`] does, without a copy.
        let path = e.path().strip_prefix(".").unwrap_or(e.path());
        let first_time = self.seen.is_none_or(|seen| {
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.to_path_buf())
        });
        if let (true, Some(inner)) = (first_time, self.inner.as_mut()) {
            inner.file(path, kind);
        }
        ignore::WalkState::Continue
    }
}

impl<V: FileVisitor> Drop for Visitor<'_, V> {
    fn drop(&mut self) {
        // The walker drops each thread's visitor on that thread, when it ends.
        if let Some(inner) = self.inner.as_mut() {
            inner.finish();
        }
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        shared.visitors.extend(self.inner.take());
        shared.errors.append(&mut self.errors);
        shared.notices.append(&mut self.notices);
    }
}

/// The error a walk error wraps (in a path, a depth, a line number), and the innermost path.
fn innermost(err: &ignore::Error) -> (Option<&Path>, &ignore::Error) {
    let mut inner = err;
    let mut path = None;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.as_path());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => inner = err,
            _ => return (path, inner),
        }
    }
}

/// A walk error at the path it concerns (a folder that cannot be listed, most often), not at
/// the root the walk started from.
fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    let (path, inner) = innermost(err);
    match (path, inner) {
        (Some(p), ignore::Error::Io(io)) => WalkError {
            path: clean(p),
            message: format!("cannot read folder {}: {io}", display(p)),
        },
        (Some(p), _) => WalkError {
            path: clean(p),
            message: inner.to_string(),
        },
        (None, _) => WalkError {
            path: root.to_path_buf(),
            message: err.to_string(),
        },
    }
}

/// A walk error that is about a symbolic link: `Some(Some(notice))` for a dangling or looping
/// link to a file kpulint reads or to a folder, `Some(None)` for one to a file it does not read
/// (not mentioned), `None` for any other error.
fn link_notice(err: &ignore::Error) -> Option<Option<String>> {
    let (path, inner) = innermost(err);
    if let ignore::Error::Loop { ancestor, child } = inner {
        return Some(Some(format!(
            "{} is a symbolic link to {}, a folder above it: not followed (a loop)",
            display(child),
            display(ancestor)
        )));
    }
    let (Some(path), ignore::Error::Io(io)) = (path, inner) else {
        return None;
    };
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    Some(FileKind::of(path).is_some().then(|| broken_link(path, io)))
}

/// Why a symlinked input file was skipped: its target is missing, or it cannot be resolved
/// (a loop of links, a permission).
fn broken_link(path: &Path, err: &std::io::Error) -> String {
    let shown = display(path);
    if err.kind() == std::io::ErrorKind::NotFound {
        let target = std::fs::read_link(path)
            .map(|t| format!(" to {}", t.display()))
            .unwrap_or_default();
        format!("{shown} is a dangling symbolic link{target}: skipped")
    } else {
        format!("{shown} is a symbolic link that cannot be followed ({err}): skipped")
    }
}

/// The other `.tf` / `.tf.json` files of a file's directory.
fn module_siblings(file: &Path) -> Vec<Candidate> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // Anything but a folder: a FIFO or a link out of the repository is refused when read.
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| e.path())
        .filter(|p| matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
        .map(|p| Candidate {
            kind: FileKind::of(&p),
            path: clean(&p),
            explicit: false,
        })
        .collect()
}

/// `./a/b.tf` → `a/b.tf`, so paths print the way users write them.
pub fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// How a path is shown in output.
pub fn display(path: &Path) -> String {
    let s = clean(path).to_string_lossy().into_owned();
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}
