//! Where module calls point (local paths, normalised lexically; remote sources) and the graph of
//! local calls between loaded directories: which directories are roots, which calls close a cycle.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use super::ModuleSet;
use crate::inputs::terraform::ModuleCallDecl;
use crate::model::expr::ExprKind;

/// How a module directory is shown in messages.
pub(super) fn display_dir(set: &ModuleSet, dir: &Path) -> String {
    set.dirs
        .get(dir)
        .map(|m| m.display.clone())
        .unwrap_or_else(|| dir.display().to_string())
}

/// Where a module call's source points.
#[derive(Debug, Clone, PartialEq)]
pub enum ModuleSource {
    Local(PathBuf),
    /// Registry or git: followed only through `.terraform/modules/modules.json`.
    Remote(String),
    Missing,
}

/// Resolves a call's `source` relative to the calling directory (lexically, like Terraform).
pub fn module_source(call: &ModuleCallDecl, caller_dir: &Path) -> ModuleSource {
    let Some(attr) = call.body.attr("source") else {
        return ModuleSource::Missing;
    };
    let ExprKind::String(src) = &attr.expr.kind else {
        return ModuleSource::Missing;
    };
    if is_local_source(src) {
        ModuleSource::Local(local_source_dir(caller_dir, src))
    } else {
        ModuleSource::Remote(src.clone())
    }
}

/// Whether a module `source` is a local path (Terraform: it starts with `./` or `../`).
pub fn is_local_source(src: &str) -> bool {
    src.starts_with("./") || src.starts_with("../") || src == "." || src == ".."
}

/// The directory a local module `source` names, as a module key (normalised like every
/// directory key, so a call from `live` to `../modules/x` finds the scanned `modules/x`).
pub fn local_source_dir(caller_dir: &Path, src: &str) -> PathBuf {
    normalize(&caller_dir.join(src))
}

/// Lexical path normalisation without touching the filesystem: `.` components are dropped, a
/// `..` removes the normal component before it (`a/b/../c` → `a/c`) and is otherwise kept, so
/// leading `..`s accumulate (`../../x` stays as it is, `a/../../b` → `../b`); `..` right after the
/// root is the root (`/..` → `/`). An empty result is `.`.
pub fn normalize(path: &Path) -> PathBuf {
    if is_normal(path) {
        return path.to_path_buf();
    }
    let mut parts: Vec<Component> = Vec::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir) => {}
                _ => parts.push(Component::ParentDir),
            },
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

/// Whether `path` is already as [`normalize`] would write it (most walked directories are):
/// no empty, `.` or `..` part between its `/`s (so no repeated or trailing `/` either), except
/// the empty part before a leading `/`. Checked on the bytes: `Path::components` hides inner
/// `.` parts.
fn is_normal(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let relative = bytes.strip_prefix(b"/").unwrap_or(bytes);
    !relative.is_empty()
        && relative
            .split(|&b| b == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."))
}

/// The local module calls between loaded directories: caller → called directories.
#[derive(Debug, Default)]
pub struct CallGraph {
    edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    /// The same edges reversed (called → callers), so finding a directory's callers does not
    /// scan every edge.
    callers: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl CallGraph {
    pub fn new(set: &ModuleSet) -> Self {
        let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for (dir, module) in &set.dirs {
            for call in module.modules() {
                if let ModuleSource::Local(child) = module_source(call, dir) {
                    if set.dirs.contains_key(&child) {
                        edges.entry(dir.clone()).or_default().insert(child);
                    }
                }
            }
        }
        let mut callers: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for (caller, called) in &edges {
            for child in called {
                callers.entry(child.clone()).or_default().insert(caller.clone());
            }
        }
        CallGraph { edges, callers }
    }

    /// The shortest chain of calls from `from` to `to` (both included), if `from` reaches `to`.
    pub fn path(&self, from: &Path, to: &Path) -> Option<Vec<PathBuf>> {
        let mut prev: BTreeMap<&Path, &Path> = BTreeMap::new();
        let mut queue: VecDeque<&Path> = VecDeque::from([from]);
        let mut seen: BTreeSet<&Path> = BTreeSet::from([from]);
        while let Some(dir) = queue.pop_front() {
            if dir == to {
                let mut chain = vec![dir.to_path_buf()];
                let mut at = dir;
                while let Some(p) = prev.get(at) {
                    chain.push(p.to_path_buf());
                    at = p;
                }
                chain.reverse();
                return Some(chain);
            }
            for child in self.edges.get(dir).into_iter().flatten() {
                if seen.insert(child) {
                    prev.insert(child, dir);
                    queue.push_back(child);
                }
            }
        }
        None
    }

    /// Whether the call `caller` → `callee` closes a cycle (the callee calls back, directly or
    /// not, or is the caller itself).
    pub fn closes_cycle(&self, caller: &Path, callee: &Path) -> bool {
        self.path(callee, caller).is_some()
    }

    /// Whether `dir` is a root: no directory outside its own cycle (if any) calls it. A module
    /// calling itself, or only called from within a cycle it is part of, is still a root.
    pub fn is_root(&self, dir: &Path) -> bool {
        self.callers
            .get(dir)
            .into_iter()
            .flatten()
            .filter(|caller| caller.as_path() != dir)
            .all(|caller| self.closes_cycle(caller, dir))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, set, APP};
    use super::*;

    fn norm(p: &str) -> String {
        normalize(Path::new(p)).to_string_lossy().into_owned()
    }

    #[test]
    fn normalize_pops_only_normal_components() {
        let cases = [
            ("a/b/../c", "a/c"),
            ("a/../../b", "../b"),
            ("../../x", "../../x"),
            ("../a/../..", "../.."),
            ("./a", "a"),
            ("a/./b/", "a/b"),
            ("/abs/../x", "/x"),
            ("/..", "/"),
            ("/../../x", "/x"),
            ("a/..", "."),
            (".", "."),
            ("./", "."),
            ("", "."),
            ("..", ".."),
            ("live/../modules/flink", "modules/flink"),
            ("envs/prod/../../modules/flink", "modules/flink"),
            ("../live/../modules/flink", "../modules/flink"),
            // Already normal: returned as they are.
            ("a/b", "a/b"),
            ("/x/y", "/x/y"),
            ("a/.b/..c", "a/.b/..c"),
            ("a/./b", "a/b"),
            ("a/.", "a"),
            ("/a/./b/.", "/a/b"),
            // Not quite: repeated and trailing separators go.
            ("a//b", "a/b"),
            ("a/b/", "a/b"),
            ("/", "/"),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input), want, "normalize({input:?})");
        }
    }

    #[test]
    fn local_sources_resolve_to_normalised_keys() {
        assert!(is_local_source("./x") && is_local_source("../x") && is_local_source(".") && is_local_source(".."));
        assert!(!is_local_source("hashicorp/x/aws") && !is_local_source("git::https://x") && !is_local_source(".x"));
        let dir = |caller: &str, src: &str| local_source_dir(Path::new(caller), src).to_string_lossy().into_owned();
        assert_eq!(dir("live", "../modules/flink"), "modules/flink");
        assert_eq!(dir("envs/prod", "../../modules/flink"), "modules/flink");
        assert_eq!(dir(".", "./"), ".");
        assert_eq!(dir(".", "../b"), "../b");
        assert_eq!(dir("a", "./"), "a");
    }

    #[test]
    fn roots_are_dirs_called_from_nowhere_outside_their_cycle() {
        let s = set(&[
            ("r", &call("a", "../a")),
            ("a", &(call("b", "../b") + APP)),
            ("b", &(call("a", "../a") + &call("me", "./"))),
            ("self", &(call("me", "./") + APP)),
            ("lone", APP),
            ("live", &call("m", "../modules/m")),
            ("modules/m", APP),
        ]);
        let g = CallGraph::new(&s);
        let p = |d: &str| PathBuf::from(d);
        assert!(g.is_root(&p("r")));
        assert!(!g.is_root(&p("a")), "called by r, outside its cycle");
        assert!(g.is_root(&p("b")), "called only by a, within its cycle");
        assert!(g.is_root(&p("self")), "a module calling itself");
        assert!(g.is_root(&p("lone")));
        assert!(g.is_root(&p("live")));
        assert!(!g.is_root(&p("modules/m")), "called by live through ../");
        assert!(g.closes_cycle(&p("a"), &p("b")) && g.closes_cycle(&p("b"), &p("a")));
        assert!(g.closes_cycle(&p("self"), &p("self")));
        assert!(!g.closes_cycle(&p("r"), &p("a")));
        assert_eq!(g.path(&p("b"), &p("b")), Some(vec![p("b")]));
        assert_eq!(g.path(&p("r"), &p("b")), Some(vec![p("r"), p("a"), p("b")]));
        assert_eq!(g.path(&p("b"), &p("r")), None);
    }
}
