//! Reads input files and parses them, in parallel, into the model: Terraform modules (HCL and
//! JSON syntax) for `eval`, and applications straight from plans and CloudFormation templates.

pub mod cfn;
pub mod directives;
pub mod hcl;
pub mod hcl_recover;
pub mod json;
pub mod plan;
pub mod precheck;
pub mod terraform;
pub mod tf_json;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::{display, Candidate, FileKind};
use crate::eval::module::{is_local_source, local_source_dir, normalize, CallGraph, ModuleDir, ModuleSet, TfVars};
use crate::model::{InputError, Inventory, Notice};
use crate::source::SourceFile;
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
}

/// Reads a file (or stdin for `-`) as UTF-8.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, InputError> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        display(path)
    };
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map(|_| ())
    };
    if let Err(e) = read {
        let f = SourceFile::new(name.clone(), "");
        return Err(InputError::new(f.whole(), format!("cannot read {name}: {e}")));
    }
    // A UTF-8 byte-order mark is not part of the content.
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(content) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let prefix_chars = String::from_utf8_lossy(&e.as_bytes()[..valid]).len();
            let f = SourceFile::new(name.clone(), lossy);
            Err(InputError::new(
                f.span(prefix_chars..prefix_chars),
                format!("{name} is not valid UTF-8 (invalid byte at offset {valid})"),
            ))
        }
    }
}

pub fn is_auto_tfvars(name: &str) -> bool {
    name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

/// Local module sources written in a file, found without parsing (`source = "./x"`).
fn quick_module_sources(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Depth of braces inside a `module "x" {` block (0: outside any module block).
    let mut depth: i64 = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if depth == 0 {
            // `module "x" {` (HCL) or `"module": {` (JSON: every key below is a call).
            if t.starts_with("module ") || t.starts_with("module\t") || t.starts_with("\"module\"") {
                depth = brace_delta(t).max(1);
            }
            continue;
        }
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

/// One directory's Terraform files, read but not yet parsed.
#[derive(Default)]
struct RawDir {
    files: Vec<(Arc<SourceFile>, FileKind)>,
    scanned: bool,
}

impl RawDir {
    fn has_flink(&self) -> bool {
        self.files.iter().any(|(f, _)| f.text.contains(FLINK_RESOURCE))
    }
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
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
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

/// Reads and parses every candidate.
pub fn load(candidates: &[Candidate], opts: &ReadOptions) -> Loaded {
    let forced = opts.forced;
    let mut loaded = Loaded::default();
    let read: Vec<(Candidate, Result<Arc<SourceFile>, InputError>)> = candidates
        .par_iter()
        .map(|c| (c.clone(), read_source(&c.path)))
        .collect();
    loaded.files = read.len();

    let mut dirs: BTreeMap<PathBuf, RawDir> = BTreeMap::new();
    let mut others: Vec<(Candidate, Arc<SourceFile>)> = Vec::new();
    for (cand, result) in read {
        let file = match result {
            Ok(f) => f,
            Err(e) => {
                loaded.inventory.errors.push(e);
                continue;
            }
        };
        let stdin = cand.path.as_os_str() == "-";
        let kind = match forced {
            Some(ForcedFormat::Terraform) => Some(FileKind::Tf),
            Some(ForcedFormat::TerraformJson) => Some(FileKind::TfJson),
            Some(ForcedFormat::Plan) | Some(ForcedFormat::Cloudformation) => Some(FileKind::Json),
            None if stdin => Some(sniff_stdin(&file.text)),
            None => cand.kind,
        };
        match kind {
            Some(k @ (FileKind::Tf | FileKind::TfJson)) => {
                // Standard input is a module of its own.
                let key = if stdin {
                    PathBuf::from(STDIN_MODULE)
                } else {
                    parent_key(&cand.path)
                };
                let d = dirs.entry(key).or_default();
                d.scanned = true;
                d.files.push((file, k));
            }
            Some(FileKind::TfVars) => {} // read per module below; named ones via --var-file
            _ => others.push((cand, file)),
        }
    }

    // Follow local module calls to directories outside the scanned paths.
    let mut queue: Vec<PathBuf> = dirs.keys().cloned().collect();
    let mut seen: BTreeSet<PathBuf> = queue.iter().cloned().collect();
    let mut calls: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    // Registry and git sources per directory, for `.terraform/modules/modules.json`.
    let mut remote: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    while let Some(dir) = queue.pop() {
        let sources: Vec<String> = dirs
            .get(&dir)
            .map(|d| {
                d.files
                    .iter()
                    .flat_map(|(f, _)| quick_module_sources(&f.text))
                    .collect()
            })
            .unwrap_or_default();
        for src in sources {
            if !is_local_source(&src) {
                remote.entry(dir.clone()).or_default().push(src);
                continue;
            }
            let child = local_source_dir(&dir, &src);
            calls.entry(dir.clone()).or_default().push(child.clone());
            if seen.insert(child.clone()) {
                let mut raw = RawDir::default();
                for p in list_tf_files(&child) {
                    match read_source(&p) {
                        Ok(f) => {
                            let k = FileKind::of(&p).unwrap_or(FileKind::Tf);
                            raw.files.push((f, k));
                        }
                        Err(e) => loaded.inventory.errors.push(e),
                    }
                }
                dirs.insert(child.clone(), raw);
                queue.push(child);
            }
        }
    }

    // A directory matters if it holds a Flink application or calls one that does.
    let mut relevant: BTreeSet<PathBuf> = dirs
        .iter()
        .filter(|(_, d)| d.has_flink())
        .map(|(k, _)| k.clone())
        .collect();
    // Only a scanned directory with registry or git calls can have downloaded modules to read;
    // a directory whose calls were downloaded is evaluated (they may hold a Flink application).
    let installed: BTreeMap<PathBuf, BTreeMap<String, PathBuf>> = remote
        .keys()
        .filter(|k| dirs.get(*k).is_some_and(|d| d.scanned))
        .map(|k| (k.clone(), installed_modules(k)))
        .filter(|(_, inst)| !inst.is_empty())
        .collect();
    relevant.extend(installed.keys().cloned());
    loop {
        let before = relevant.len();
        for (dir, children) in &calls {
            if children.iter().any(|c| relevant.contains(c)) {
                relevant.insert(dir.clone());
            }
        }
        if relevant.len() == before {
            break;
        }
    }
    // Explicitly named Terraform files are always parsed, so their errors are never hidden.
    for c in candidates
        .iter()
        .filter(|c| c.explicit && matches!(c.kind, Some(FileKind::Tf | FileKind::TfJson)))
    {
        relevant.insert(parent_key(&c.path));
    }

    // Registry and git module calls of directories that are not evaluated: a Flink application
    // may hide behind them, so say once that they were not followed.
    let unfollowed: Vec<(&PathBuf, &String)> = remote
        .iter()
        .filter(|(k, _)| dirs.get(*k).is_some_and(|d| d.scanned) && !relevant.contains(*k))
        .flat_map(|(k, sources)| sources.iter().map(move |s| (k, s)))
        .collect();
    if let Some((dir, src)) = unfollowed.first() {
        let n = unfollowed.len();
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

    // Files that cannot hold or feed a Flink application are not parsed, only checked for
    // structure at memory speed; one that fails the check is parsed to report its syntax error.
    let unparsed: Vec<&(Arc<SourceFile>, FileKind)> = dirs
        .iter()
        .filter(|(k, d)| d.scanned && !relevant.contains(*k))
        .flat_map(|(_, d)| d.files.iter())
        .collect();
    let suspicious: Vec<&(Arc<SourceFile>, FileKind)> = unparsed
        .into_par_iter()
        .filter(|(f, kind)| match kind {
            FileKind::TfJson => serde_json::from_str::<serde::de::IgnoredAny>(&f.text).is_err(),
            _ => !precheck::looks_well_formed(&f.text),
        })
        .collect();
    let syntax_errors: Vec<InputError> = suspicious
        .par_iter()
        .filter_map(|(f, kind)| match kind {
            FileKind::TfJson => json::parse(f).err(),
            _ => hcl::parse_body(f).err(),
        })
        .collect();
    loaded.inventory.errors.extend(syntax_errors);

    loaded.modules.skipped = dirs
        .iter()
        .filter(|(k, d)| !relevant.contains(*k) && !d.files.is_empty())
        .map(|(k, _)| k.clone())
        .collect();

    // Parse the relevant directories' files in parallel.
    let to_parse: Vec<(PathBuf, Arc<SourceFile>, FileKind)> = dirs
        .iter()
        .filter(|(k, _)| relevant.contains(*k))
        .flat_map(|(k, d)| d.files.iter().map(move |(f, kind)| (k.clone(), Arc::clone(f), *kind)))
        .collect();
    let parsed: Vec<(PathBuf, Result<TfFile, InputError>)> = to_parse
        .par_iter()
        .map(|(dir, file, kind)| {
            let r = match kind {
                FileKind::TfJson => tf_json::parse_tf_json(file),
                _ => hcl::parse_tf(file),
            };
            (dir.clone(), r)
        })
        .collect();
    for (dir, result) in parsed {
        let module = loaded.modules.dirs.entry(dir.clone()).or_insert_with(|| ModuleDir {
            display: display(&dir),
            ..ModuleDir::default()
        });
        match result {
            Ok(tf) => module.files.push(Arc::new(tf)),
            Err(e) => loaded.inventory.errors.push(e),
        }
    }

    // Roots: scanned, relevant directories that no loaded module calls, except a module
    // calling itself or called only from within a cycle it is part of (the evaluator reports
    // the cycle; the applications are still linted).
    let graph = CallGraph::new(&loaded.modules);
    for (dir, raw) in &dirs {
        if raw.scanned && relevant.contains(dir) && loaded.modules.dirs.contains_key(dir) && graph.is_root(dir) {
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
            let parsed = read_source(&p).and_then(|f| match FileKind::of(&p) {
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
pub(crate) fn installed_modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let path = root.join(".terraform/modules/modules.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeMap::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return BTreeMap::new();
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
    out
}

/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in lexical order.
fn auto_tfvars(dir: &Path, errors: &mut Vec<InputError>) -> Vec<TfVars> {
    let Ok(entries) = std::fs::read_dir(or_cwd(dir)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| is_auto_tfvars(n))
        .collect();
    names.sort_by_key(|n| {
        (
            !n.starts_with("terraform.tfvars"),
            n.ends_with(".json") && n.starts_with("terraform"),
            n.clone(),
        )
    });
    let mut out = Vec::new();
    for name in names {
        match read_tfvars(&crate::discover::clean(&dir.join(&name))) {
            Ok(t) => out.push(t),
            Err(e) => errors.push(e),
        }
    }
    out
}

/// Reads a `.tfvars` or `.tfvars.json` file.
pub fn read_tfvars(path: &Path) -> Result<TfVars, InputError> {
    let file = read_source(path)?;
    let attrs = if path.to_string_lossy().ends_with(".json") {
        tf_json::parse_tfvars_json(&file)?
    } else {
        hcl::parse_tfvars(&file)?
    };
    Ok(TfVars { file, attrs })
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

fn parse_other(cand: &Candidate, file: &Arc<SourceFile>, opts: &ReadOptions) -> Inventory {
    let (forced, params) = (opts.forced, &opts.parameters);
    let text: &str = &file.text;
    let stdin = cand.path.as_os_str() == "-";
    let json_syntax = if stdin {
        text.trim_start().starts_with('{')
    } else {
        cand.kind != Some(FileKind::Yaml)
    };
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
    let what = if cand.kind.is_none() && !stdin {
        "not a file type kpulint reads (.tf, .tf.json, .tfvars, a .json plan or template, a .yaml/.yml template)"
    } else {
        "neither Terraform, a Terraform plan nor a CloudFormation template"
    };
    let mut inv = Inventory::default();
    inv.errors.push(
        InputError::new(file.whole(), format!("{} is {what}", file.path))
            .with_help("use --input-format to force a format"),
    );
    inv
}
