//! What the language server analyses: the workspace folders, cut into *units* that are each
//! one pipeline run — a Terraform root module with every module it calls (so a module file is
//! seen from each of its callers), a CloudFormation template or plan, a var file no module
//! loads, a `.kpulint.hcl`. An edit re-runs only the units that read the edited file.
//!
//! The model is built from a quick scan of each folder (module sources, whether a file holds
//! a Flink application or a kpulint comment, the structural check) and kept up to date as
//! buffers change and files are created or deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::discover::{FileKind, FileVisitor};
use crate::eval::module::{is_local_source, local_source_dir, normalize};
use crate::inputs::{self, cfn, directives, precheck, terraform::FLINK_RESOURCE};

/// The configuration file name (`.kpulint.hcl`).
pub const CONFIG_FILE: &str = crate::config::CONFIG_FILE;

/// What a unit is, and so how it is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitKind {
    /// A root module (named by one of its `.tf` files): its modules, auto-loaded var files.
    Module,
    /// A CloudFormation template or a plan (JSON or YAML), run on its own.
    Template,
    /// A `.tfvars` file no module loads (only Terraform's auto-loaded files are read):
    /// checked for syntax.
    VarFile,
    /// A `.kpulint.hcl`: checked on its own (the units below it read it too).
    Config,
}

/// One pipeline run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The (first) root module's directory, or the file.
    pub id: PathBuf,
    pub kind: UnitKind,
    /// The workspace folder it is run from (its paths are shown relative to it).
    pub folder: PathBuf,
    /// The root modules it runs (one, or several calling one module with an application).
    pub roots: Vec<PathBuf>,
    /// The directories whose Terraform files and var files it reads.
    pub dirs: BTreeSet<PathBuf>,
}

impl Unit {
    /// Whether the unit reads `path` (a Terraform, var, template or plan file, or a
    /// configuration or ignore file above what it reads).
    pub fn reads(&self, path: &Path) -> bool {
        if self.id == path {
            return true;
        }
        let Some(dir) = path.parent() else { return false };
        match path.file_name().and_then(|n| n.to_str()) {
            Some(CONFIG_FILE | ".kpulintignore") => {
                self.id.starts_with(dir) || self.dirs.iter().any(|d| d.starts_with(dir))
            }
            _ => match FileKind::of(path) {
                Some(FileKind::Tf | FileKind::TfJson | FileKind::TfVars) => self.dirs.contains(dir),
                _ => false,
            },
        }
    }
}

/// What the scan keeps of one Terraform file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TfInfo {
    /// Directories named by its local module calls (absolute, normalised).
    pub calls: Vec<PathBuf>,
    /// Holds a Flink application.
    pub flink: bool,
    /// Mentions kpulint (a directive that may attach to nothing).
    pub mentions: bool,
    /// Fails the structural check (a syntax error to report).
    pub ill_formed: bool,
}

impl TfInfo {
    pub fn scan(path: &Path, text: &str) -> TfInfo {
        let dir = path.parent().unwrap_or(Path::new("/"));
        let calls = inputs::quick_module_sources(text)
            .iter()
            .filter(|s| is_local_source(s))
            .map(|s| local_source_dir(dir, s))
            .collect();
        let flink = text.contains(FLINK_RESOURCE);
        let ill_formed = match FileKind::of(path) {
            Some(FileKind::TfJson) => serde_json::from_str::<serde::de::IgnoredAny>(text).is_err(),
            _ => !precheck::looks_well_formed(text),
        };
        TfInfo {
            calls,
            flink,
            mentions: directives::mentions_kpulint(text),
            ill_formed,
        }
    }

    fn matters(&self) -> bool {
        self.flink || self.mentions || self.ill_formed
    }
}

/// A file's text on disk, read as the pipeline reads files (a regular file within the size cap,
/// no link out of the repository; without a byte-order mark), but never an editor buffer: the
/// scan is of the disk, and the server lays the open documents over it. (A buffer read through
/// the pipeline's reader would be the analysis thread's, while one runs.)
pub fn disk_text(path: &Path) -> Option<String> {
    let (mut file, len) = crate::files::open_regular(path).ok()?;
    let mut bytes = Vec::new();
    crate::files::read_capped(&mut file, &mut bytes, len).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Whether JSON or YAML text may hold a Flink application (a template or a plan).
pub fn may_hold_application(text: &str) -> bool {
    text.contains(cfn::FLINK_TYPE) || text.contains(FLINK_RESOURCE)
}

/// One workspace folder as scanned.
#[derive(Debug, Default)]
pub struct Folder {
    pub root: PathBuf,
    /// Terraform files (`.tf`, `.tf.json`) by absolute path: the folder's, and those of
    /// modules outside it that its modules call.
    pub tf: BTreeMap<PathBuf, TfInfo>,
    /// JSON and YAML files that may hold an application.
    pub templates: BTreeSet<PathBuf>,
}

/// A scanned file: a Terraform file's scan, or `None` for a JSON or YAML file that may hold
/// an application.
type Scanned = (PathBuf, Option<TfInfo>);

/// Collects one walker thread's files.
struct Collector<'a> {
    found: &'a Mutex<Vec<Scanned>>,
    mine: Vec<Scanned>,
}

impl FileVisitor for Collector<'_> {
    fn file(&mut self, path: &Path, kind: FileKind) {
        if kind == FileKind::TfVars {
            return;
        }
        // Read as the pipeline reads (regular files within the size cap), editor buffers
        // included.
        let Some(text) = disk_text(path) else { return };
        match kind {
            FileKind::Tf | FileKind::TfJson => {
                let info = TfInfo::scan(path, &text);
                self.mine.push((path.to_path_buf(), Some(info)));
            }
            _ => {
                if may_hold_application(&text) {
                    self.mine.push((path.to_path_buf(), None));
                }
            }
        }
    }

    fn finish(&mut self) {
        self.found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.mine);
    }
}

impl Folder {
    /// Walks `root` as `kpulint` walks a directory (ignore files, hidden and `.terraform`
    /// folders skipped) and scans every Terraform, JSON and YAML file as it is on disk.
    pub fn scan(root: &Path) -> Folder {
        let found = Mutex::new(Vec::new());
        let walked = crate::discover::walk(&[root.to_path_buf()], &[], 0, || Collector {
            found: &found,
            mine: Vec::new(),
        });
        drop(walked);
        let mut folder = Folder {
            root: root.to_path_buf(),
            ..Folder::default()
        };
        for (path, tf) in found.into_inner().unwrap_or_else(PoisonError::into_inner) {
            let path = normalize(&path);
            match tf {
                Some(info) => {
                    folder.tf.insert(path, info);
                }
                None => {
                    folder.templates.insert(path);
                }
            }
        }
        folder
    }

    /// Terraform files by directory.
    fn dirs(&self) -> BTreeMap<&Path, Vec<&TfInfo>> {
        let mut dirs: BTreeMap<&Path, Vec<&TfInfo>> = BTreeMap::new();
        for (path, info) in &self.tf {
            if let Some(dir) = path.parent() {
                dirs.entry(dir).or_default().push(info);
            }
        }
        dirs
    }

    /// Reads the Terraform files of the directories called from scanned ones that lie outside
    /// the folder (`../shared/modules/x`), and the ones they call in turn.
    fn follow_outside(&mut self) {
        let mut known: BTreeSet<PathBuf> = self.dirs().keys().map(|d| d.to_path_buf()).collect();
        let mut pending: Vec<PathBuf> = self.tf.values().flat_map(|i| i.calls.iter().cloned()).collect();
        while let Some(dir) = pending.pop() {
            if !known.insert(dir.clone()) {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
                .collect();
            files.sort();
            for path in files {
                let Some(text) = disk_text(&path) else { continue };
                let info = TfInfo::scan(&path, &text);
                pending.extend(info.calls.iter().cloned());
                self.tf.insert(normalize(&path), info);
            }
        }
    }

    /// Updates one Terraform file's scan (its buffer changed, or it was created or deleted).
    /// Returns whether what the units are made of changed.
    pub fn update_tf(&mut self, path: &Path, text: Option<&str>) -> bool {
        let new = text.map(|t| TfInfo::scan(path, t));
        let old = match &new {
            Some(info) => self.tf.insert(path.to_path_buf(), info.clone()),
            None => self.tf.remove(path),
        };
        let changed = match (&old, &new) {
            (Some(a), Some(b)) => a.calls != b.calls || a.matters() != b.matters(),
            (None, None) => false,
            _ => true,
        };
        if changed {
            self.follow_outside();
        }
        changed
    }

    /// Updates whether a JSON or YAML file may hold an application.
    pub fn update_template(&mut self, path: &Path, text: Option<&str>) -> bool {
        if text.is_some_and(may_hold_application) {
            self.templates.insert(path.to_path_buf())
        } else {
            self.templates.remove(path)
        }
    }

    /// The units of this folder. `open` are the open documents inside it: each is analysed,
    /// whatever it holds.
    pub fn units(&mut self, open: &[PathBuf]) -> Vec<Unit> {
        self.follow_outside();
        let dirs = self.dirs();
        let inside = |d: &Path| d.starts_with(&self.root);
        let mut called: BTreeSet<&Path> = BTreeSet::new();
        for (dir, infos) in &dirs {
            if inside(dir) {
                for c in infos.iter().flat_map(|i| i.calls.iter()) {
                    if c.as_path() != *dir {
                        called.insert(c.as_path());
                    }
                }
            }
        }
        let reach = |root: &Path| -> BTreeSet<PathBuf> {
            let mut seen = BTreeSet::from([root.to_path_buf()]);
            let mut pending = vec![root.to_path_buf()];
            while let Some(d) = pending.pop() {
                for c in dirs.get(d.as_path()).into_iter().flatten().flat_map(|i| i.calls.iter()) {
                    if seen.insert(c.clone()) {
                        pending.push(c.clone());
                    }
                }
            }
            seen
        };
        let open_in = |set: &BTreeSet<PathBuf>| {
            open.iter().any(|p| {
                matches!(
                    FileKind::of(p),
                    Some(FileKind::Tf | FileKind::TfJson | FileKind::TfVars)
                ) && p.parent().is_some_and(|d| set.contains(d))
            })
        };
        // Each root that matters, with what it reads.
        let mut modules: Vec<(PathBuf, BTreeSet<PathBuf>)> = Vec::new();
        let mut covered: BTreeSet<PathBuf> = BTreeSet::new();
        let mut roots: Vec<&Path> = dirs
            .keys()
            .copied()
            .filter(|d| inside(d) && !called.contains(d))
            .collect();
        // Modules called only from within a cycle have no root: each becomes its own.
        let all_inside: Vec<&Path> = dirs.keys().copied().filter(|d| inside(d)).collect();
        let mut next_orphan = 0;
        let holds_flink = |d: &Path| dirs.get(d).is_some_and(|infos| infos.iter().any(|i| i.flink));
        loop {
            for root in roots.drain(..) {
                let set = reach(root);
                covered.extend(set.iter().cloned());
                let matters = set.iter().any(|d| {
                    dirs.get(d.as_path())
                        .is_some_and(|infos| infos.iter().any(|i| i.matters()))
                });
                if matters || open_in(&set) {
                    modules.push((root.to_path_buf(), set));
                }
            }
            match all_inside[next_orphan..].iter().position(|d| !covered.contains(*d)) {
                Some(i) => {
                    next_orphan += i + 1;
                    roots.push(all_inside[next_orphan - 1]);
                }
                None => break,
            }
        }
        // Roots that call one module holding (or leading to) a Flink application are one
        // unit: `--fix` edits such a module's values for all its callers at once, and must
        // see every caller's needs before it changes a value they share (as `kpulint --fix`
        // run over the folder does). A module with no application in reach (tags, networks)
        // joins nothing.
        let leads_to_flink = |d: &Path| reach(d).iter().any(|r| holds_flink(r));
        let mut group: Vec<usize> = (0..modules.len()).collect();
        fn find(group: &mut [usize], i: usize) -> usize {
            let mut i = i;
            while group[i] != i {
                group[i] = group[group[i]];
                i = group[i];
            }
            i
        }
        let mut owner: BTreeMap<&Path, usize> = BTreeMap::new();
        let mut shared_verdict: BTreeMap<&Path, bool> = BTreeMap::new();
        for (i, (root, set)) in modules.iter().enumerate() {
            for d in set.iter().filter(|d| *d != root) {
                let relevant = *shared_verdict.entry(d.as_path()).or_insert_with(|| leads_to_flink(d));
                if !relevant {
                    continue;
                }
                match owner.get(d.as_path()) {
                    Some(&j) => {
                        let (a, b) = (find(&mut group, i), find(&mut group, j));
                        group[a.max(b)] = a.min(b);
                    }
                    None => {
                        owner.insert(d.as_path(), i);
                    }
                }
            }
        }
        let mut grouped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..modules.len() {
            let g = find(&mut group, i);
            grouped.entry(g).or_default().push(i);
        }
        let mut units: Vec<Unit> = grouped
            .into_values()
            .map(|members| {
                let roots: Vec<PathBuf> = members.iter().map(|&i| modules[i].0.clone()).collect();
                let dirs = members.iter().flat_map(|&i| modules[i].1.iter().cloned()).collect();
                Unit {
                    id: roots[0].clone(),
                    kind: UnitKind::Module,
                    folder: self.root.clone(),
                    roots,
                    dirs,
                }
            })
            .collect();
        units.sort_by(|a, b| a.id.cmp(&b.id));
        let roots_read: BTreeSet<&Path> = units
            .iter()
            .flat_map(|u| u.roots.iter().map(PathBuf::as_path))
            .collect();
        let mut files: BTreeSet<(PathBuf, UnitKind)> =
            self.templates.iter().map(|t| (t.clone(), UnitKind::Template)).collect();
        for path in open {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let kind = match FileKind::of(path) {
                Some(FileKind::Json | FileKind::Yaml) => UnitKind::Template,
                // Terraform loads var files only from the root module it runs in.
                Some(FileKind::TfVars)
                    if !(inputs::is_auto_tfvars(name) && path.parent().is_some_and(|d| roots_read.contains(d))) =>
                {
                    UnitKind::VarFile
                }
                _ if name == CONFIG_FILE => UnitKind::Config,
                _ => continue,
            };
            files.insert((path.clone(), kind));
        }
        for (path, kind) in files {
            let dirs = path
                .parent()
                .map(|d| BTreeSet::from([d.to_path_buf()]))
                .unwrap_or_default();
            units.push(Unit {
                id: path,
                kind,
                folder: self.root.clone(),
                roots: Vec::new(),
                dirs,
            });
        }
        units
    }
}

/// The folder a path belongs to: the innermost one holding it.
pub fn folder_of<'a>(folders: impl IntoIterator<Item = &'a Path>, path: &Path) -> Option<&'a Path> {
    folders
        .into_iter()
        .filter(|root| path.starts_with(root))
        .max_by_key(|root| root.components().count())
}

/// The folder to open for a file outside every workspace folder: its repository (the nearest
/// directory holding `.git`), else its own directory.
pub fn implicit_folder(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("/"));
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    const APP: &str = "resource \"aws_kinesisanalyticsv2_application\" \"a\" {\n}\n";

    #[test]
    fn roots_read_the_modules_they_call_and_modules_are_not_units() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        write(&root, "modules/flink/main.tf", APP);
        for env in ["dev", "prod"] {
            write(
                &root,
                &format!("envs/{env}/main.tf"),
                "module \"f\" {\n  source = \"../../modules/flink\"\n}\n",
            );
        }
        write(&root, "vpc/main.tf", "resource \"aws_vpc\" \"v\" {}\n");
        write(&root, "cfn/app.yaml", "Type: AWS::KinesisAnalyticsV2::Application\n");
        write(&root, "cfn/other.yaml", "a: 1\n");
        let mut folder = Folder::scan(&root);
        let units = folder.units(&[]);
        let ids: Vec<(&Path, UnitKind)> = units.iter().map(|u| (u.id.as_path(), u.kind)).collect();
        // The two environments share the module holding the application: one unit.
        assert_eq!(
            ids,
            [
                (root.join("envs/dev").as_path(), UnitKind::Module),
                (root.join("cfn/app.yaml").as_path(), UnitKind::Template),
            ]
        );
        assert_eq!(units[0].roots, [root.join("envs/dev"), root.join("envs/prod")]);
        let prod = &units[0];
        assert!(prod.reads(&root.join("modules/flink/main.tf")));
        assert!(prod.reads(&root.join("envs/prod/terraform.tfvars")));
        assert!(!prod.reads(&root.join("vpc/terraform.tfvars")));
        assert!(prod.reads(&root.join(".kpulint.hcl")));
        assert!(!prod.reads(&root.join("vpc/.kpulint.hcl")));
        // An open file makes its module a unit; an open var file no root loads is one.
        let open = [root.join("vpc/main.tf"), root.join("envs/prod/prod.tfvars")];
        let units = folder.units(&open);
        assert!(units
            .iter()
            .any(|u| u.id == root.join("vpc") && u.kind == UnitKind::Module));
        assert!(units
            .iter()
            .any(|u| u.id == root.join("envs/prod/prod.tfvars") && u.kind == UnitKind::VarFile));
    }

    #[test]
    fn roots_sharing_only_a_module_without_applications_stay_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        write(&root, "modules/tags/main.tf", "output \"tags\" {\n  value = {}\n}\n");
        for app in ["a", "b"] {
            write(
                &root,
                &format!("{app}/main.tf"),
                &format!("module \"tags\" {{\n  source = \"../modules/tags\"\n}}\n{APP}"),
            );
        }
        let units = Folder::scan(&root).units(&[]);
        let roots: Vec<&[PathBuf]> = units.iter().map(|u| u.roots.as_slice()).collect();
        assert_eq!(roots, [[root.join("a")], [root.join("b")]]);
        assert!(units[0].reads(&root.join("modules/tags/main.tf")));
    }

    #[test]
    fn a_new_module_call_changes_the_units() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        write(&root, "m/main.tf", APP);
        write(&root, "r/main.tf", "locals {}\n");
        let mut folder = Folder::scan(&root);
        assert_eq!(folder.units(&[]).len(), 1);
        let call = "module \"m\" {\n  source = \"../m\"\n}\n";
        assert!(folder.update_tf(&root.join("r/main.tf"), Some(call)));
        let units = folder.units(&[]);
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].id, root.join("r"));
        assert!(!folder.update_tf(&root.join("r/main.tf"), Some(call)));
    }
}
