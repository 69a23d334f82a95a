//! Finds the input files under the paths the user gave: ripgrep's parallel walker, honouring
//! `.gitignore` inside git repositories and `.kpulintignore` everywhere, skipping hidden
//! directories and `.terraform/`.

use std::path::{Path, PathBuf};

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
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".tf") {
            Some(FileKind::Tf)
        } else if name.ends_with(".tf.json") {
            Some(FileKind::TfJson)
        } else if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
            Some(FileKind::TfVars)
        } else if name.ends_with(".json") {
            Some(FileKind::Json)
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".template") {
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

/// What walking the roots found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Candidate files, sorted by path, each once.
    pub files: Vec<Candidate>,
    pub errors: Vec<WalkError>,
    /// Files skipped for a reason the user should hear about (dangling or looping symlinks).
    pub notices: Vec<String>,
}

/// Walks `roots` on `threads` threads (0: as many as there are cores) and returns candidate
/// files sorted by path, plus walk errors and notices.
pub fn discover(roots: &[PathBuf], threads: usize) -> Discovered {
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
            Ok(_) => walk(root, threads, &mut found),
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
    found.notices.sort();
    found
}

/// Walks one directory with ripgrep's parallel walker. It learns which ignore files a
/// directory has from the listing it reads anyway, so no folder is probed for ignore files it
/// does not hold. `.gitignore` applies only inside a git repository, as in ripgrep;
/// `.kpulintignore` everywhere.
fn walk(root: &Path, threads: usize, found: &mut Discovered) {
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
    let shared = std::sync::Mutex::new(Discovered::default());
    let mut visitors = Visitors { root, shared: &shared };
    builder.build_parallel().visit(&mut visitors);
    let mut walked = shared.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    found.files.append(&mut walked.files);
    found.errors.append(&mut walked.errors);
    found.notices.append(&mut walked.notices);
}

/// Makes one [`Visitor`] per walker thread.
struct Visitors<'a> {
    root: &'a Path,
    shared: &'a std::sync::Mutex<Discovered>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Visitors<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root.to_path_buf(),
            local: Discovered::default(),
            shared: self.shared,
        })
    }
}

/// Collects one walker thread's findings locally and hands them over when the thread ends.
struct Visitor<'a> {
    root: PathBuf,
    local: Discovered,
    shared: &'a std::sync::Mutex<Discovered>,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let e = match entry {
            Ok(e) => e,
            Err(e) => {
                self.local.errors.push(walk_error(&self.root, &e));
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
                        self.local.notices.push(broken_link(e.path(), &err));
                        false
                    }
                };
        if is_file {
            self.local.files.push(Candidate {
                path: clean(e.path()),
                kind: Some(kind),
                explicit: false,
            });
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.files.append(&mut self.local.files);
        shared.errors.append(&mut self.local.errors);
        shared.notices.append(&mut self.local.notices);
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
