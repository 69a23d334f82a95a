//! Finds the input files under the paths the user gave: ripgrep's walker, honouring
//! `.gitignore` and `.kpulintignore`, skipping hidden directories and `.terraform/`.

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

/// Walks `roots` and returns candidate files sorted by path, plus walk errors.
pub fn discover(roots: &[PathBuf]) -> (Vec<Candidate>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        if root.as_os_str() == "-" {
            files.push(Candidate {
                path: root.clone(),
                kind: None,
                explicit: true,
            });
            continue;
        }
        match std::fs::metadata(root) {
            Err(e) => {
                errors.push(WalkError {
                    path: root.clone(),
                    message: format!("cannot read {}: {e}", root.display()),
                });
                continue;
            }
            Ok(m) if m.is_file() => {
                let kind = FileKind::of(root);
                files.push(Candidate {
                    path: clean(root),
                    kind,
                    explicit: true,
                });
                // A Terraform module is its whole directory: one changed file (pre-commit passes
                // file names) still needs its siblings' variables, locals and resources.
                if matches!(kind, Some(FileKind::Tf | FileKind::TfJson | FileKind::TfVars)) {
                    files.extend(module_siblings(root));
                }
                continue;
            }
            Ok(_) => {}
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .add_custom_ignore_filename(".kpulintignore")
            .filter_entry(|e| e.file_name() != ".terraform" && e.file_name() != "node_modules");
        for entry in builder.build() {
            match entry {
                // Symlinked files count (their target is read); symlinked directories are not
                // followed, so a link cycle cannot loop the walk.
                Ok(e)
                    if e.file_type()
                        .is_some_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file())) =>
                {
                    if let Some(kind) = FileKind::of(e.path()) {
                        files.push(Candidate {
                            path: clean(e.path()),
                            kind: Some(kind),
                            explicit: false,
                        });
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(WalkError {
                    path: root.clone(),
                    message: e.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| {
        if a.path == b.path {
            b.explicit |= a.explicit;
            true
        } else {
            false
        }
    });
    (files, errors)
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
