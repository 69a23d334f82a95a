//! Finds the modules of the repository that call a linted module, so a module linted on its own
//! (pre-commit passing `modules/flink/main.tf`, or `kpulint .` inside the module) is evaluated
//! through its callers, with their arguments, as a whole-repository run would evaluate it.
//!
//! The repository is the nearest ancestor holding `.git`, as in config discovery. Without one
//! the search is not bounded, and is not made.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::discover::display;
use crate::discover::FileKind;
use crate::eval::module::{is_local_source, local_source_dir, normalize};
use crate::inputs::quick_module_sources;
use crate::model::Notice;

/// What the caller search found.
#[derive(Debug, Default)]
pub struct Callers {
    /// One `.tf` file of every calling directory outside the linted paths (its siblings are
    /// read with it, as for any named file).
    pub files: Vec<PathBuf>,
    /// The linted directories (canonical), when callers were added: only applications written
    /// under them are reported.
    pub scope: Vec<PathBuf>,
    /// Linted module directories (canonical) below a `modules/` directory that no module of the
    /// repository calls.
    pub uncalled: Vec<PathBuf>,
    /// Linted paths to read under the name their caller gives them (`../../modules/flink`
    /// for `.`), so the module is one module, reached through its caller, not a second root.
    pub renamed: Vec<(PathBuf, PathBuf)>,
    /// Files of the repository the search did not read (a FIFO, a link out of the repository),
    /// and ignore files it could not read.
    pub notices: Vec<Notice>,
}

/// The Terraform module directory a linted path stands for.
fn module_dir(path: &Path) -> Option<PathBuf> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else if matches!(
        FileKind::of(path),
        Some(FileKind::Tf | FileKind::TfJson | FileKind::TfVars)
    ) {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        return None;
    };
    let dir = dir.canonicalize().ok()?;
    let has_tf = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .any(|e| matches!(FileKind::of(&e.path()), Some(FileKind::Tf | FileKind::TfJson)));
    has_tf.then_some(dir)
}

fn repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|a| a.join(".git").exists()).map(Path::to_path_buf)
}

/// Every local module call in the repository: called directory (canonical) → calling files
/// with the `source` they wrote.
/// A file that is not read for what it is (a FIFO, a link out of the repository) is a notice.
fn calls_in(root: &Path, notices: &mut Vec<Notice>) -> BTreeMap<PathBuf, Vec<(PathBuf, String)>> {
    let mut out: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
    let (builder, rules, links) = crate::discover::walk_builder(root);
    let mut buf = Vec::new();
    for entry in builder.build().filter_map(|e| e.ok()) {
        let path = entry.path();
        if entry.file_type().is_none_or(|t| t.is_dir())
            || !matches!(FileKind::of(path), Some(FileKind::Tf | FileKind::TfJson))
        {
            continue;
        }
        match crate::files::read_regular_into(path, &mut buf) {
            Ok(()) => {}
            Err(refused) if !refused.is_io() => {
                notices.push(Notice {
                    span: None,
                    message: format!(
                        "{} (while looking for the callers of the linted module)",
                        refused.message(&display(&relative_to_cwd(
                            &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
                        )))
                    ),
                });
                continue;
            }
            Err(_) => continue,
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            continue;
        };
        if !text.contains("module") {
            continue;
        }
        let Some(dir) = path.parent() else { continue };
        for src in quick_module_sources(text).iter().filter(|s| is_local_source(s)) {
            if let Ok(called) = local_source_dir(dir, src).canonicalize() {
                out.entry(called).or_default().push((path.to_path_buf(), src.clone()));
            }
        }
    }
    let notes = rules
        .take_notices()
        .into_iter()
        .chain(links.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default());
    notices.extend(notes.map(|message| Notice { span: None, message }));
    out
}

/// The directory a linted path covers: itself, or a file's directory.
fn scope_of(path: &Path) -> Option<PathBuf> {
    let p = path.canonicalize().ok()?;
    if p.is_dir() {
        Some(p)
    } else {
        p.parent().map(Path::to_path_buf)
    }
}

/// Searches the callers of the modules `paths` stand for, and their callers in turn.
pub fn find(paths: &[PathBuf]) -> Callers {
    let mut found = Callers::default();
    let linted: Vec<(PathBuf, PathBuf)> = paths
        .iter()
        .filter_map(|p| module_dir(p).map(|d| (p.clone(), d)))
        .collect();
    let scanned: Vec<PathBuf> = paths.iter().filter_map(|p| scope_of(p)).collect();
    let inside_scan = |p: &Path| scanned.iter().any(|s| p.starts_with(s));
    let mut by_root: BTreeMap<PathBuf, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    for (path, dir) in linted {
        match repo_root(&dir) {
            // Linting the repository root scans every caller already.
            Some(root) if root != dir => by_root.entry(root).or_default().push((path, dir)),
            _ => {}
        }
    }
    let mut files = BTreeSet::new();
    for (root, dirs) in by_root {
        let calls = calls_in(&root, &mut found.notices);
        for (path, dir) in dirs {
            let direct = calls.get(&dir).map(Vec::as_slice).unwrap_or(&[]);
            let Some((first_caller, source)) = direct.first() else {
                if dir.components().any(|c| c.as_os_str() == "modules") {
                    found.uncalled.push(dir);
                }
                continue;
            };
            // Callers of callers, up to the roots; `seen` stops a call cycle.
            let mut seen: BTreeSet<PathBuf> = BTreeSet::from([dir.clone()]);
            let mut queue: Vec<&PathBuf> = direct.iter().map(|(f, _)| f).collect();
            let mut added = false;
            while let Some(caller) = queue.pop() {
                let Some(caller_dir) = caller.parent().map(Path::to_path_buf) else {
                    continue;
                };
                if !seen.insert(caller_dir.clone()) {
                    continue;
                }
                if !inside_scan(caller) {
                    files.insert(caller.clone());
                    added = true;
                }
                queue.extend(calls.get(&caller_dir).into_iter().flatten().map(|(f, _)| f));
            }
            if !added {
                continue;
            }
            found.scope.push(dir.clone());
            // The key the caller's call gives the module, as seen from here.
            let caller_dir = relative_to_cwd(first_caller.parent().unwrap_or(Path::new(".")));
            let called = local_source_dir(&caller_dir, source);
            let user_dir = if path.is_dir() {
                normalize(&path)
            } else {
                normalize(path.parent().unwrap_or(Path::new(".")))
            };
            if user_dir != called {
                let renamed = match path.file_name() {
                    Some(name) if !path.is_dir() => called.join(name),
                    _ => called,
                };
                found.renamed.push((path.clone(), renamed));
            }
        }
    }
    found.files = files.into_iter().map(|f| relative_to_cwd(&f)).collect();
    if !found.files.is_empty() {
        // Everything the user named stays in scope, not only the modules with callers.
        found.scope.extend(scanned);
    }
    found
}

/// `path` (canonical) as seen from the current directory, so the caller's files and the
/// module keys derived from them read (and compare) like the paths the user typed.
fn relative_to_cwd(path: &Path) -> PathBuf {
    let Some(cwd) = std::env::current_dir().ok().and_then(|c| c.canonicalize().ok()) else {
        return path.to_path_buf();
    };
    let common = cwd
        .ancestors()
        .find(|a| path.starts_with(a))
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let Ok(rest) = path.strip_prefix(&common) else {
        return path.to_path_buf();
    };
    let ups = cwd.strip_prefix(&common).map(|r| r.components().count()).unwrap_or(0);
    let mut out = PathBuf::new();
    (0..ups).for_each(|_| out.push(".."));
    out.push(rest);
    out
}

/// A linted module nothing calls, with the required variables nothing sets.
#[derive(Debug, Clone)]
pub struct Uncalled {
    pub dir: PathBuf,
    pub unset: Vec<String>,
    pub notice: Notice,
}

impl Uncalled {
    /// A KPU009 finding (at `path`, saying `message`) is about one of the unset variables.
    pub fn explains(&self, path: &str, message: &str) -> bool {
        Path::new(path).canonicalize().is_ok_and(|p| p.starts_with(&self.dir))
            && self.unset.iter().any(|name| mentions_var(message, name))
    }
}

/// `message` names `var.NAME` (not a longer name starting with it).
fn mentions_var(message: &str, name: &str) -> bool {
    let needle = format!("var.{name}");
    message.match_indices(&needle).any(|(i, _)| {
        !message[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

/// Linted modules below `modules/` that nothing calls and whose required variables nothing
/// sets: each directory with its notice.
pub fn uncalled_notices(
    dirs: &[PathBuf],
    modules: &crate::eval::module::ModuleSet,
    vars: &crate::eval::module::VarInputs,
) -> Vec<Uncalled> {
    use crate::eval::module::CliVar;
    let given: BTreeSet<&str> = vars
        .cli
        .iter()
        .flat_map(|c| match c {
            CliVar::Var { name, .. } => vec![name.as_str()],
            CliVar::File(f) => f.attrs.iter().map(|a| a.name.as_str()).collect(),
        })
        .chain(vars.env.keys().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for dir in dirs {
        let Some((key, module)) = modules
            .dirs
            .iter()
            .find(|(k, _)| k.canonicalize().is_ok_and(|c| &c == dir))
        else {
            continue;
        };
        let tfvars: BTreeSet<&str> = module
            .auto_tfvars
            .iter()
            .flat_map(|t| t.attrs.iter().map(|a| a.name.as_str()))
            .collect();
        let unset: Vec<&str> = module
            .files
            .iter()
            .flat_map(|f| f.variables.iter())
            .filter(|v| v.default.is_none() && !given.contains(v.name.as_str()) && !tfvars.contains(v.name.as_str()))
            .map(|v| v.name.as_str())
            .collect();
        if unset.is_empty() {
            continue;
        }
        out.push(Uncalled {
            dir: dir.clone(),
            unset: unset.iter().map(|n| n.to_string()).collect(),
            notice: Notice {
                span: None,
                message: format!(
                    "module {} has no caller in the repository; its required variables are unset ({}): values that depend on them are not checked; lint a root module that calls it, or pass them with --var",
                    display(key),
                    unset.join(", ")
                ),
            },
        });
    }
    out
}
