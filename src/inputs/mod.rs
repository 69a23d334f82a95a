//! Reads input files and parses them, in parallel, into the model: Terraform modules (HCL and
//! JSON syntax) for `eval`, and applications straight from plans and CloudFormation templates.

pub mod attach;
mod broken;
pub mod cfn;
pub mod declared;
pub mod directives;
pub mod hcl;
pub mod hcl_objects;
pub mod hcl_recover;
pub mod json;
pub mod overrides;
pub mod plan;
pub mod precheck;
mod read;
pub mod references;
mod scan;
pub mod terraform;
pub mod tf_json;
pub mod tfvars_directives;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::{display, Candidate, Discovered, FileKind};
use crate::eval::module::{is_local_source, local_source_dir, normalize, CallGraph, DirSet, ModuleDir, ModuleSet};
use crate::model::{InputError, Inventory, Notice, StrayDirective};
use crate::source::SourceFile;
use read::{auto_tfvars, source_from};
pub use read::{is_auto_tfvars, read_named_source, read_source, read_source_as, read_tfvars};
use scan::{Dirs, FileRef, RawDir, Scanner};
use terraform::{TfFile, FLINK_RESOURCE};

/// Forces how files are read (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForcedFormat {
    Terraform,
    TerraformJson,
    Plan,
    Cloudformation,
}

/// CloudFormation parameter values from `--parameter NAME=VALUE`.
pub type Parameters = BTreeMap<String, String>;

/// How inputs are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--input-format`
    pub forced: Option<ForcedFormat>,
    /// `--parameter NAME=VALUE`
    pub parameters: Parameters,
    /// `--skip-unrelated`: a named file that is neither Terraform, a plan nor a template is
    /// skipped as it would be when walking (pre-commit names every changed JSON and YAML file).
    pub skip_unrelated: bool,
}

/// Everything read from the inputs, ready for evaluation.
#[derive(Debug, Default)]
pub struct Loaded {
    pub modules: ModuleSet,
    /// Module directories to evaluate as roots.
    pub roots: Vec<PathBuf>,
    /// Applications read from plans and templates, and every read or parse error.
    pub inventory: Inventory,
    /// Number of files read.
    pub files: usize,
    /// The input variables the scanned root modules and the modules they call declare, parsed
    /// or not: `--var` and `--var-file` names are checked against the roots'.
    pub declared_variables: declared::DeclaredVariables,
    /// Terraform files of the modules not read for what they are (a FIFO, a link out of the
    /// repository; each is a notice): whatever they hold is missing from their module, as from
    /// a file that could not be read, so the module's applications are tainted by them.
    pub skipped_terraform: Vec<crate::source::Span>,
}

/// The span naming a file that was not read.
fn unread(path: &Path) -> crate::source::Span {
    SourceFile::new(display(path), "").whole()
}

/// Local module sources written in a file, found without parsing (`source = "./x"`).
pub(crate) fn quick_module_sources(text: &str) -> Vec<String> {
    static MODULE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("module"));
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // Depth of braces inside a `module "x" {` block (0: outside any module block).
    let mut depth: i64 = 0;
    // Where the next line starts.
    let mut pos = 0;
    while pos < text.len() {
        if depth == 0 {
            // Outside a module block only a line starting with `module` matters: jump from one
            // mention to the next at memchr speed instead of walking every line (most files
            // call no module).
            let Some(found) = MODULE.find(&bytes[pos..]) else { break };
            let at = pos + found;
            let start = memchr::memrchr(b'\n', &bytes[pos..at]).map_or(pos, |n| pos + n + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |n| at + n);
            let t = text[start..end].trim_start();
            // `module "x" {` (HCL) or `"module": {` (JSON: every key below is a call).
            if t.starts_with("module ") || t.starts_with("module\t") || t.starts_with("\"module\"") {
                depth = brace_delta(t).max(1);
            }
            pos = end + 1;
            continue;
        }
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(text.len(), |n| pos + n);
        let line = &text[pos..end];
        pos = end + 1;
        let t = line.strip_suffix('\r').unwrap_or(line).trim_start();
        let key = t.trim_start_matches('"');
        if let Some(rest) = key.strip_prefix("source") {
            let rest = rest.trim_start().trim_start_matches('"').trim_start();
            if let Some(rest) = rest.strip_prefix([':', '=']) {
                if let Some(q) = rest.trim_start().strip_prefix('"') {
                    if let Some(end) = q.find('"') {
                        out.push(q[..end].to_string());
                    }
                }
            }
        }
        depth += brace_delta(t);
    }
    out
}

/// Opening minus closing braces on a line (strings are not special-cased: a heuristic).
fn brace_delta(line: &str) -> i64 {
    line.chars()
        .map(|c| match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        })
        .sum()
}

/// Whether a named path can be read a second time (a regular file, not a pipe).
fn rereadable(path: &Path) -> bool {
    path.as_os_str() != "-" && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// An empty relative path means the current directory.
fn or_cwd(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

fn list_tf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(or_cwd(dir)) else {
        return Vec::new();
    };
    // Anything but a folder: a FIFO or a link out of the repository is refused when read.
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| e.path())
        .filter(|p| matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
        .map(|p| crate::discover::clean(&p))
        .collect();
    out.sort();
    out
}

/// The module key of a file's directory: normalised like every module key, and like the
/// directories local module sources name ([`local_source_dir`]), so the two compare equal.
fn parent_key(path: &Path) -> PathBuf {
    normalize(path.parent().unwrap_or(Path::new(".")))
}

/// The module key of a directory as a file's path spells it (`a/./b` → `a/b`, `` → `.`).
fn dir_key(parent: &Path) -> PathBuf {
    normalize(parent)
}

/// Reads and parses the named files and every file under the directories to walk, on `threads`
/// threads (0: as many as there are cores).
///
/// `declared_names`: collect the variable names the modules declare, into
/// [`Loaded::declared_variables`] (to check `--var` / `--var-file` names against).
pub fn load(found: &Discovered, opts: &ReadOptions, declared_names: bool, threads: usize) -> Loaded {
    let mut loaded = Loaded::default();
    // Read and scan every file as the walk finds it, dropping texts as soon as they are known
    // not to be needed: peak memory follows the files that matter, not the size of the tree.
    let mut named = Scanner::new(opts, declared_names);
    for cand in &found.files {
        named.named(cand);
    }
    let walked = crate::discover::walk(&found.dirs, &found.files, threads, || {
        Scanner::new(opts, declared_names)
    });
    for e in walked.errors {
        let f = SourceFile::new(display(&e.path), "");
        loaded.inventory.errors.push(InputError::new(f.whole(), e.message));
    }
    loaded
        .inventory
        .notices
        .extend(walked.notices.into_iter().map(|message| Notice { span: None, message }));

    let mut scanners = walked.visitors;
    scanners.push(named);
    let mut dirs = Dirs::from_scanners(&mut scanners);
    let mut others: Vec<(Candidate, Arc<SourceFile>)> = Vec::new();
    for mut scanner in scanners {
        loaded.files += scanner.files;
        loaded.inventory.errors.append(&mut scanner.errors);
        loaded.inventory.notices.append(&mut scanner.notices);
        loaded
            .skipped_terraform
            .extend(scanner.skipped.iter().map(|p| unread(p)));
        others.append(&mut scanner.others);
    }
    others.sort_by(|a, b| a.0.cmp(&b.0));

    // Follow local module calls to directories outside the scanned paths.
    let mut skipped_followed = Vec::new();
    let ModuleCalls { local: calls, remote } = follow_calls(
        &mut dirs,
        opts,
        declared_names,
        &mut loaded.inventory.errors,
        &mut loaded.inventory.notices,
        &mut skipped_followed,
    );
    loaded
        .skipped_terraform
        .extend(skipped_followed.iter().map(|p| unread(p)));

    loaded.declared_variables = declared::DeclaredVariables::of(&dirs, &calls);

    // A directory matters if it holds a Flink application or calls one that does.
    let mut relevant = KeySet::default();
    for (k, _) in dirs.iter().filter(|(_, d)| d.has_flink()) {
        relevant.insert(k);
    }
    // Only a scanned directory with registry or git calls can have downloaded modules to read;
    // a directory whose calls were downloaded is evaluated (they may hold a Flink application).
    // One `open` per directory, most of them failing: in parallel.
    let read: Vec<(PathBuf, Result<InstalledModules, Notice>)> = remote
        .par_iter()
        .map(|(k, _)| (k.clone(), installed_modules(k)))
        .collect();
    let mut installed: BTreeMap<PathBuf, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for (k, inst) in read {
        match inst {
            Ok(inst) if !inst.is_empty() => {
                installed.insert(k, inst);
            }
            Ok(_) => {}
            Err(notice) => loaded.inventory.notices.push(notice),
        }
    }
    for k in installed.keys() {
        relevant.insert(k);
    }
    // Callers of relevant directories are relevant: walk the calls backwards from them, each
    // edge once.
    let mut callers: HashMap<&OsStr, Vec<&PathBuf>> = HashMap::new();
    for (dir, children) in &calls {
        for child in children {
            callers.entry(child.as_os_str()).or_default().push(dir);
        }
    }
    let mut reached: HashSet<&OsStr> = HashSet::new();
    let mut pending: Vec<&OsStr> = relevant.0.iter().map(OsString::as_os_str).collect();
    while let Some(dir) = pending.pop() {
        for caller in callers.get(dir).into_iter().flatten() {
            if !relevant.contains(caller) && reached.insert(caller.as_os_str()) {
                pending.push(caller.as_os_str());
            }
        }
    }
    for caller in reached {
        relevant.insert(Path::new(caller));
    }
    // Explicitly named Terraform files are always parsed, so their errors are never hidden.
    for c in found
        .files
        .iter()
        .filter(|c| c.explicit && matches!(c.kind, Some(FileKind::Tf | FileKind::TfJson)))
    {
        relevant.insert(&parent_key(&c.path));
    }

    // Registry and git module calls of directories that are not evaluated: a Flink application
    // may hide behind them, so say once that they were not followed.
    let unfollowed: Vec<&(PathBuf, Vec<String>)> = remote.iter().filter(|(k, _)| !relevant.contains(k)).collect();
    // The first in path order.
    let first = unfollowed
        .iter()
        .min_by(|a, b| a.0.cmp(&b.0))
        .and_then(|(dir, sources)| Some((dir, sources.first()?)));
    if let Some((dir, src)) = first {
        let n: usize = unfollowed.iter().map(|(_, sources)| sources.len()).sum();
        loaded.inventory.notices.push(Notice {
            span: None,
            message: format!(
                "{n} registry or git module call{} {} not followed (first: source \"{src}\" in {}): run `terraform init` so kpulint can read .terraform/modules/modules.json",
                if n == 1 { "" } else { "s" },
                if n == 1 { "was" } else { "were" },
                display(dir)
            ),
        });
    }

    // Directories of plain files only: only their keys are left to use.
    let plain = dirs.take_plain();
    // The relevant files' texts, each handed over to its parse below, which keeps only what
    // the model reads of it (see `hcl::parse_tf`): the whole texts are not all held at once.
    let mut texts: HashMap<PathBuf, Arc<SourceFile>> = dirs
        .iter_mut()
        .filter(|(k, _)| relevant.contains(k))
        .flat_map(|(k, d)| d.take_texts(k))
        .collect();
    // Scanned directories that are not evaluated, in path order.
    let mut unevaluated: Vec<(&PathBuf, &RawDir)> = dirs
        .iter()
        .filter(|(k, d)| d.scanned && !relevant.contains(k))
        .collect();
    unevaluated.sort_by(|a, b| a.0.cmp(b.0));

    // Files that cannot hold or feed a Flink application are not parsed, only checked for
    // structure at memory speed when read; one that failed the check is parsed to report its
    // syntax error.
    let suspicious: Vec<(PathBuf, FileRef)> = unevaluated
        .iter()
        .flat_map(|(k, d)| d.files(k))
        .filter(|(_, f)| !f.well_formed())
        .map(|(parent, f)| (parent.to_path_buf(), f))
        .collect();
    let syntax_errors: Vec<InputError> = suspicious
        .par_iter()
        .filter_map(|(parent, f)| {
            let file = match f.source(parent) {
                Ok(file) => file,
                Err(e) => return Some(e),
            };
            match f.kind() {
                FileKind::TfJson => json::parse(&file).err(),
                _ => hcl::parse_body(&file).err(),
            }
        })
        .collect();
    loaded.inventory.errors.extend(syntax_errors);

    // A directory of plain files only is never relevant: it holds no application, calls no
    // module and was not named.
    let mut skipped: Vec<PathBuf> = dirs
        .iter()
        .filter(|(k, d)| !relevant.contains(k) && !d.is_empty())
        .map(|(k, _)| k.clone())
        .collect();
    skipped.extend(plain);
    loaded.modules.skipped = DirSet::new(skipped);

    // Parse the relevant directories' files in parallel, in path order.
    let mut relevant_dirs: Vec<(&PathBuf, &RawDir)> = dirs.iter().filter(|(k, _)| relevant.contains(k)).collect();
    relevant_dirs.sort_by(|a, b| a.0.cmp(b.0));
    let to_parse: Vec<(&PathBuf, PathBuf, FileKind, Option<Arc<SourceFile>>)> = relevant_dirs
        .iter()
        .flat_map(|(k, d)| d.sorted_files(k).into_iter().map(move |(p, f)| (*k, p, f.kind())))
        .map(|(k, p, kind)| {
            let text = texts.remove(&p);
            (k, p, kind, text)
        })
        .collect();
    let parsed: Vec<(PathBuf, Result<TfFile, InputError>)> = to_parse
        .into_par_iter()
        .map(|(dir, path, kind, text)| {
            let r = text.map_or_else(|| read_source(&path), Ok).and_then(|file| match kind {
                FileKind::TfJson => tf_json::parse_tf_json(&file),
                _ => hcl::parse_tf(&file),
            });
            (dir.clone(), r)
        })
        .collect();
    for (dir, result) in parsed {
        let module = loaded.modules.dirs.entry(dir.clone()).or_insert_with(|| ModuleDir {
            display: display(&dir),
            ..ModuleDir::default()
        });
        match result {
            Ok(tf) => {
                // Directives that attach to nothing are reported for the files the user
                // scanned, not for modules merely followed from them.
                if dirs.get(&dir).is_some_and(|d| d.scanned) {
                    loaded.inventory.strays.extend(tf.strays.iter().cloned());
                }
                module.files.push(Arc::new(tf))
            }
            Err(e) => loaded.inventory.errors.push(e),
        }
    }
    // A scanned directory without a Flink application is not evaluated, but a directive
    // written there attaches to nothing: parse the few files that mention kpulint.
    let unattached: Vec<StrayDirective> = unevaluated
        .iter()
        .flat_map(|(k, d)| {
            // In path order within the directory; only files with a kept text can qualify.
            let mut mentioning: Vec<(PathBuf, &Arc<SourceFile>)> = d
                .files(k)
                .filter(|(_, f)| f.kind() == FileKind::Tf)
                .filter_map(|(parent, f)| Some((f.path(parent), f.text()?)))
                .filter(|(_, t)| directives::mentions_kpulint(&t.text))
                .collect();
            mentioning.sort_by(|a, b| a.0.cmp(&b.0));
            mentioning
        })
        .filter_map(|(_, t)| hcl::parse_tf(t).ok())
        .flat_map(|tf| tf.strays)
        .collect();
    loaded.inventory.strays.extend(unattached);

    // Roots: scanned, relevant directories that no loaded module calls, except a module
    // calling itself or called only from within a cycle it is part of (the evaluator reports
    // the cycle; the applications are still linted).
    let graph = CallGraph::new(&loaded.modules);
    for dir in loaded.modules.dirs.keys() {
        if dirs.get(dir).is_some_and(|d| d.scanned) && relevant.contains(dir) && graph.is_root(dir) {
            loaded.roots.push(dir.clone());
        }
    }
    for root in loaded.roots.clone() {
        let tfvars = auto_tfvars(&root, &mut loaded.inventory.errors);
        if let Some(m) = loaded.modules.dirs.get_mut(&root) {
            m.auto_tfvars = tfvars;
            m.installed_modules = installed.get(&root).cloned().unwrap_or_default();
        }
    }
    load_installed_modules(&mut loaded);
    // Override files change what the other files say, as `terraform plan` reads them.
    for module in loaded.modules.dirs.values_mut() {
        overrides::apply(module, &mut loaded.inventory.errors);
    }
    broken::mark(&mut loaded, &callers);

    // Plans and CloudFormation templates, in parallel.
    let results: Vec<Inventory> = others
        .par_iter()
        .map(|(cand, file)| parse_other(cand, file, opts))
        .collect();
    for inv in results {
        loaded.inventory.extend(inv);
    }
    loaded
}

/// Directory keys, hashed by their bytes: keys are normalised, so equal paths have equal
/// bytes (hashing a `Path` parses its components, and a tree has tens of thousands of keys).
#[derive(Default)]
struct KeySet(HashSet<OsString>);

impl KeySet {
    fn insert(&mut self, key: &Path) {
        if !self.contains(key) {
            self.0.insert(key.as_os_str().to_owned());
        }
    }

    fn contains(&self, key: &Path) -> bool {
        self.0.contains(key.as_os_str())
    }
}

/// A directory's module sources, in the order of its files' paths: registry and git sources,
/// and the directories that local ones name.
struct DirCalls {
    dir: PathBuf,
    /// Under the scanned paths (not only reached through a module call).
    scanned: bool,
    remote: Vec<String>,
    local: Vec<PathBuf>,
}

fn dir_calls(dirs: &Dirs, dir: PathBuf) -> DirCalls {
    let record = dirs.get(&dir);
    // Only files with a record name sources.
    let mut with_sources: Vec<(PathBuf, &[String])> = record
        .into_iter()
        .flat_map(|d| d.files(&dir))
        .filter(|(_, f)| !f.sources().is_empty())
        .map(|(parent, f)| (f.path(parent), f.sources()))
        .collect();
    with_sources.sort_by(|a, b| a.0.cmp(&b.0));
    let (local, remote): (Vec<&String>, Vec<&String>) = with_sources
        .iter()
        .flat_map(|(_, sources)| sources.iter())
        .partition(|src| is_local_source(src));
    DirCalls {
        scanned: record.is_some_and(|d| d.scanned),
        local: local.into_iter().map(|src| local_source_dir(&dir, src)).collect(),
        remote: remote.into_iter().cloned().collect(),
        dir,
    }
}

/// Caller → called directories of the local module calls, and registry and git sources per
/// directory.
struct ModuleCalls {
    local: Vec<(PathBuf, Vec<PathBuf>)>,
    /// Only those of scanned directories (only they can have downloaded modules to read).
    remote: Vec<(PathBuf, Vec<String>)>,
}

/// The module calls of every directory read (caller → called directories, and registry and
/// git sources per directory for `.terraform/modules/modules.json`), reading the directories
/// that local calls lead to outside the scanned paths, and their calls in turn.
fn follow_calls(
    dirs: &mut Dirs,
    opts: &ReadOptions,
    declared_names: bool,
    errors: &mut Vec<InputError>,
    notices: &mut Vec<Notice>,
    skipped: &mut Vec<PathBuf>,
) -> ModuleCalls {
    let callers: Vec<PathBuf> = dirs
        .iter()
        .filter(|(_, d)| d.has_sources())
        .map(|(k, _)| k.clone())
        .collect();
    // Resolving the sources of the directories read so far: in parallel (a large tree has
    // tens of thousands of calls).
    let shared: &Dirs = dirs;
    let mut queue: Vec<DirCalls> = callers.into_par_iter().map(|dir| dir_calls(shared, dir)).collect();
    let mut calls: Vec<(PathBuf, Vec<PathBuf>)> = Vec::with_capacity(queue.len());
    let mut remote: Vec<(PathBuf, Vec<String>)> = Vec::new();
    while let Some(DirCalls {
        dir,
        scanned,
        remote: sources,
        local,
    }) = queue.pop()
    {
        if !sources.is_empty() && scanned {
            remote.push((dir.clone(), sources));
        }
        for child in &local {
            if !dirs.contains(child) {
                let mut followed = Scanner::new(opts, declared_names);
                for p in list_tf_files(child) {
                    followed.followed(&p);
                }
                errors.append(&mut followed.errors);
                notices.append(&mut followed.notices);
                skipped.append(&mut followed.skipped);
                dirs.add_followed(child.clone(), &mut followed);
                queue.push(dir_calls(dirs, child.clone()));
            }
        }
        if !local.is_empty() {
            calls.push((dir, local));
        }
    }
    ModuleCalls { local: calls, remote }
}

/// Modules downloaded by `terraform init` that a root calls: parse them like local ones.
fn load_installed_modules(loaded: &mut Loaded) {
    let wanted: Vec<PathBuf> = loaded
        .modules
        .dirs
        .values()
        .flat_map(|m| m.installed_modules.values().cloned())
        .filter(|d| !loaded.modules.dirs.contains_key(d))
        .collect();
    for dir in wanted {
        let mut module = ModuleDir {
            display: display(&dir),
            ..ModuleDir::default()
        };
        for p in list_tf_files(&dir) {
            // As when walking: a special file or a link out of the repository is a notice.
            let read = crate::files::read_regular(&p);
            if let Err(why) = &read {
                if why.is_skipped() {
                    loaded.inventory.notices.push(Notice {
                        span: None,
                        message: why.message(&display(&p)),
                    });
                    loaded.skipped_terraform.push(unread(&p));
                    continue;
                }
            }
            let parsed = source_from(&p, read).and_then(|f| match FileKind::of(&p) {
                Some(FileKind::TfJson) => tf_json::parse_tf_json(&f),
                _ => hcl::parse_tf(&f),
            });
            match parsed {
                Ok(tf) => module.files.push(Arc::new(tf)),
                Err(e) => loaded.inventory.errors.push(e),
            }
        }
        loaded.modules.dirs.insert(dir, module);
    }
}

/// `.terraform/modules/modules.json`: `{"Modules":[{"Key":"kda","Source":"...","Dir":"..."}]}`.
/// Module keys (`a.b`) to the folders `terraform init` installed them in.
pub(crate) type InstalledModules = BTreeMap<String, PathBuf>;

/// A `modules.json` that is not a regular file (or too large, or a link out of the
/// repository) is not read: `Err` holds the notice saying so.
pub(crate) fn installed_modules(root: &Path) -> Result<InstalledModules, Notice> {
    let path = root.join(".terraform/modules/modules.json");
    let bytes = match crate::files::read_regular(&path) {
        Ok(bytes) => bytes,
        Err(crate::files::Refused::Io(_)) => return Ok(BTreeMap::new()),
        Err(refused) => {
            return Err(Notice {
                span: None,
                message: format!(
                    "{} (the modules `terraform init` installed there are not followed)",
                    refused.message(&display(&path))
                ),
            })
        }
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for m in json.get("Modules").and_then(|m| m.as_array()).into_iter().flatten() {
        let (Some(key), Some(dir)) = (
            m.get("Key").and_then(|k| k.as_str()),
            m.get("Dir").and_then(|d| d.as_str()),
        ) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        out.insert(key.to_string(), normalize(&root.join(dir)));
    }
    Ok(out)
}

/// The module directory key of Terraform read from standard input.
const STDIN_MODULE: &str = "<stdin>";

/// What standard input holds: JSON (a plan or a template), a YAML template, or Terraform HCL.
fn sniff_stdin(text: &str) -> FileKind {
    let t = text.trim_start();
    if t.starts_with('{') {
        FileKind::Json
    } else if cfn::looks_like_template(text) {
        FileKind::Yaml
    } else {
        FileKind::Tf
    }
}

/// "README.md is not Terraform, a plan or a CloudFormation template".
fn not_an_input(file: &Arc<SourceFile>) -> Inventory {
    let mut inv = Inventory::default();
    inv.errors.push(
        InputError::new(
            file.whole(),
            format!("{} is not Terraform, a plan or a CloudFormation template", file.path),
        )
        .with_help(
            "kpulint reads .tf, .tf.json, .tfvars, .json plans and templates and .yaml/.yml/.template templates; use --input-format to force a format",
        ),
    );
    inv
}

fn parse_other(cand: &Candidate, file: &Arc<SourceFile>, opts: &ReadOptions) -> Inventory {
    let (forced, params) = (opts.forced, &opts.parameters);
    let text: &str = &file.text;
    let stdin = cand.path.as_os_str() == "-";
    let json_syntax = if stdin || cand.kind.is_none() {
        text.trim_start().starts_with('{')
    } else {
        cand.kind != Some(FileKind::Yaml)
    };
    // A named file of no known kind that is neither JSON nor a YAML template (README.md that
    // mentions `format_version` or `Resources`) is not parsed as one.
    let yaml_template = || {
        text.lines()
            .any(|l| l.starts_with("AWSTemplateFormatVersion:") || l.starts_with("Resources:"))
    };
    if cand.explicit && cand.kind.is_none() && !stdin && forced.is_none() && !json_syntax && !yaml_template() {
        return if opts.skip_unrelated {
            Inventory::default()
        } else {
            not_an_input(file)
        };
    }
    match forced {
        Some(ForcedFormat::Plan) => return plan::parse(file),
        Some(ForcedFormat::Cloudformation) if json_syntax => return cfn::parse_json(file, params),
        Some(ForcedFormat::Cloudformation) => return cfn::parse_yaml(file, params),
        _ => {}
    }
    if !cand.explicit || opts.skip_unrelated && !plan::looks_like(text) && !cfn::looks_like_template(text) {
        // Walking a repository: cheap substring checks first, most JSON and YAML is neither.
        if json_syntax && text.contains(FLINK_RESOURCE) && plan::looks_like(text) {
            return plan::parse(file);
        }
        if text.contains(cfn::FLINK_TYPE) {
            return if json_syntax {
                cfn::parse_json(file, params)
            } else {
                cfn::parse_yaml(file, params)
            };
        }
        return Inventory::default();
    }
    if json_syntax && plan::looks_like(text) {
        return plan::parse(file);
    }
    if cfn::looks_like_template(text) {
        return if json_syntax {
            cfn::parse_json(file, params)
        } else {
            cfn::parse_yaml(file, params)
        };
    }
    // A named file of a type kpulint does not read (README.md) is named as such, not parsed:
    // "invalid JSON" would send the user looking for a syntax error.
    if cand.kind.is_none() && !stdin {
        return not_an_input(file);
    }
    // A named file that does not even parse says so, at the error's position.
    if json_syntax && cand.kind != Some(FileKind::Yaml) {
        if let Err(e) = json::parse(file) {
            let mut inv = Inventory::default();
            inv.errors.push(e);
            return inv;
        }
    } else if cand.kind == Some(FileKind::Yaml) || stdin {
        let inv = cfn::parse_yaml(file, params);
        if !inv.errors.is_empty() {
            return inv;
        }
    }
    let mut inv = Inventory::default();
    inv.errors.push(
        InputError::new(
            file.whole(),
            format!("{} is not Terraform, a plan or a CloudFormation template", file.path),
        )
        .with_help("use --input-format to force a format"),
    );
    inv
}

#[cfg(test)]
mod quick_sources_tests {
    use super::quick_module_sources as sources;

    #[test]
    fn finds_the_sources_of_module_blocks_only() {
        let text = "# a module comment\nlocals { module_name = \"x\" }\nmodule \"a\" {\n  source = \"./a\"\n  nested = { source = \"not-a-call\" }\n}\nresource \"r\" \"b\" {\n  source = \"./no\"\n}\n  module \"c\" {\n    source  = \"../c\"\n  }\n";
        assert_eq!(sources(text), ["./a", "../c"]);
        assert!(sources("resource \"r\" \"b\" {\n  source = \"./no\"\n}\n").is_empty());
    }

    #[test]
    fn reads_json_crlf_and_one_line_blocks() {
        let json = "{\n  \"module\": {\n    \"a\": {\n      \"source\": \"./a\"\n    }\n  }\n}\n";
        assert_eq!(sources(json), ["./a"]);
        assert_eq!(sources("module \"a\" {\r\n  source = \"./a\"\r\n}\r\n"), ["./a"]);
        // A block closed on its own line ends the search for its sources.
        assert_eq!(
            sources("module \"a\" { }\nx = 1\n}\nsource = \"./late\"\n"),
            Vec::<String>::new()
        );
        assert_eq!(sources("module\t\"a\" {\nsource = \"./t\"\n}"), ["./t"]);
    }
}
