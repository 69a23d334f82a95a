//! Finds the input files under the paths the user gave: ripgrep's parallel walker, honouring
//! `.gitignore` inside git repositories and `.kpulintignore` everywhere, skipping hidden
//! directories and `.terraform/`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

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
        let name = path.file_name()?.to_str()?.as_bytes();
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
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(true)
            .add_custom_ignore_filename(".kpulintignore")
            .threads(threads)
            .filter_entry(|e| e.file_name() != ".terraform" && e.file_name() != "node_modules");
        let mut visitors = Visitors {
            root,
            new: &new,
            seen: seen.as_ref(),
            shared: &shared,
        };
        builder.build_parallel().visit(&mut visitors);
    }
    let mut walked = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
    walked.notices.sort();
    walked
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
                self.errors.push(walk_error(self.root, &e));
                return ignore::WalkState::Continue;
            }
        };
        let Some(file_type) = e.file_type() else {
            return ignore::WalkState::Continue;
        };
        let Some(kind) = FileKind::of(e.path()) else {
            return ignore::WalkState::Continue;
        };
        // Symlinked files count (their target is read); symlinked directories are not
        // followed, so a link cycle cannot loop the walk. Named pipes and other special files
        // met while walking are not read (reading one could block).
        let is_file = file_type.is_file()
            || file_type.is_symlink()
                && match std::fs::metadata(e.path()) {
                    Ok(target) => target.is_file(),
                    Err(err) => {
                        self.notices.push(broken_link(e.path(), &err));
                        false
                    }
                };
        if !is_file {
            return ignore::WalkState::Continue;
        }
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

/// A walk error at the path it concerns (a folder that cannot be listed, most often), not at
/// the root the walk started from.
fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    let mut inner = err;
    let mut path = None;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.as_path());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => inner = err,
            _ => break,
        }
    }
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
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
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
