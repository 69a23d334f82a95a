//! Evaluates Terraform modules as Terraform would: input variables with Terraform's precedence,
//! locals referring to locals, `count`/`for_each` instances, `dynamic` blocks and local module
//! calls. Produces one [`Application`](crate::model::Application) per Flink resource instance.

mod application;
mod calls;
mod graph;
mod instances;
mod limits;
mod locals;
mod origin;
mod readers;
#[cfg(test)]
mod testing;
mod types;
mod variables;

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::inputs::terraform::{Attr, Local, ModuleCallDecl, Resource, TfFile, Variable};
use crate::model::Inventory;
use crate::source::{SourceFile, Span};

use application::root_regions;
use calls::Instance;
pub use graph::{is_local_source, local_source_dir, module_source, normalize, CallGraph, ModuleSource};
pub use instances::hcl_quote;
use limits::Limits;
pub use limits::{MAX_INSTANCES, MAX_LOCALS_NESTING};
use variables::root_variables;

/// A `.tfvars` / `.tfvars.json` file, parsed.
#[derive(Debug, Clone)]
pub struct TfVars {
    pub file: Arc<SourceFile>,
    pub attrs: Vec<Attr>,
    /// The file could not be read or parsed (the error's location): it may set any variable,
    /// so every variable it could set is unknown at its place in Terraform's precedence.
    pub broken: Option<Span>,
}

impl TfVars {
    /// A var file that failed to read or parse, at its error.
    pub fn broken(at: Span) -> TfVars {
        TfVars {
            file: Arc::clone(&at.file),
            attrs: Vec::new(),
            broken: Some(at),
        }
    }
}

/// One directory of Terraform files: a module.
#[derive(Debug, Clone, Default)]
pub struct ModuleDir {
    /// The directory as the user sees it (used for `path.module`).
    pub display: String,
    pub files: Vec<Arc<TfFile>>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in lexical order.
    pub auto_tfvars: Vec<TfVars>,
    /// Where `terraform init` recorded downloaded modules (`.terraform/modules/modules.json`):
    /// module key → directory.
    pub installed_modules: BTreeMap<String, PathBuf>,
    /// Files of this directory that could not be read or parsed, each at its error: every
    /// application evaluated through this module is tainted by them.
    pub broken: Vec<Span>,
    /// For a root: broken files of the directories that call it (found without parsing), which
    /// may hold the call that would have made it a module rather than a root.
    pub broken_callers: Vec<Span>,
}

impl ModuleDir {
    fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.files.iter().flat_map(|f| f.variables.iter())
    }
    fn locals(&self) -> impl Iterator<Item = &Local> {
        self.files.iter().flat_map(|f| f.locals.iter())
    }
    fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.files.iter().flat_map(|f| f.resources.iter())
    }
    fn modules(&self) -> impl Iterator<Item = &ModuleCallDecl> {
        self.files.iter().flat_map(|f| f.modules.iter())
    }
}

/// A `--var NAME=VALUE` or `--var-file FILE`, in command-line order (later wins).
#[derive(Debug, Clone)]
pub enum CliVar {
    File(TfVars),
    Var { name: String, value: String, span: Span },
}

/// Variable values supplied from outside the configuration.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    pub cli: Vec<CliVar>,
    /// `TF_VAR_name` values from the environment.
    pub env: BTreeMap<String, String>,
}

/// All modules loaded for this run, keyed by normalised directory path.
#[derive(Debug, Default)]
pub struct ModuleSet {
    pub dirs: BTreeMap<PathBuf, ModuleDir>,
    /// Module directories that were read but not parsed: nothing in them can hold or feed a
    /// Flink application, so a call into them needs no evaluation (and no notice).
    pub skipped: DirSet,
}

/// A set of directory keys, sorted by their bytes: built once from sorted parts (a large tree
/// has tens of thousands of them), then only searched.
#[derive(Debug, Default)]
pub struct DirSet(Vec<PathBuf>);

impl DirSet {
    /// The set of `keys` (in any order).
    pub fn new(mut keys: Vec<PathBuf>) -> DirSet {
        // Stable: keys made of sorted runs are merged rather than sorted again.
        keys.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        keys.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
        DirSet(keys)
    }

    pub fn contains(&self, key: &std::path::Path) -> bool {
        self.0.binary_search_by(|k| k.as_os_str().cmp(key.as_os_str())).is_ok()
    }
}

/// Stack for evaluation: nesting is bounded ([`super::budget::MAX_EVAL_DEPTH`]), and this is
/// several times what the deepest allowed nesting takes in an unoptimised build.
const EVAL_STACK_SIZE: usize = 64 << 20;

/// Evaluates every root module (a directory no other loaded module calls), roots in parallel.
///
/// Runs on threads of its own with a stack sized for the nesting limits, so evaluation never
/// depends on the caller's stack (a 2 MiB test or worker thread, a small `ulimit -s`). As many
/// threads as the pool it is called from has (`--jobs`).
pub fn evaluate(set: &ModuleSet, roots: &[PathBuf], inputs: &VarInputs) -> Inventory {
    let graph = CallGraph::new(set);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(EVAL_STACK_SIZE)
        .thread_name(|i| format!("kpulint-eval-{i}"))
        .build();
    // Each root's inventory is merged as soon as it is evaluated (in root order: rayon's
    // `reduce` keeps it), not collected first: a root usually holds one application, and a
    // vector per root would keep room for several.
    match pool {
        Ok(pool) => pool.install(|| {
            roots
                .par_iter()
                .map(|root| evaluate_root(set, &graph, root, inputs))
                .reduce(Inventory::default, merged)
        }),
        // No threads could be started: one thread of our own, or this one as a last resort.
        Err(_) => std::thread::scope(|scope| {
            let all = || -> Inventory {
                roots
                    .iter()
                    .map(|root| evaluate_root(set, &graph, root, inputs))
                    .fold(Inventory::default(), merged)
            };
            let spawned = std::thread::Builder::new()
                .name("kpulint-eval".into())
                .stack_size(EVAL_STACK_SIZE)
                .spawn_scoped(scope, all);
            match spawned {
                Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => all(),
            }
        }),
    }
}

fn merged(mut first: Inventory, then: Inventory) -> Inventory {
    first.extend(then);
    first
}

fn evaluate_root(set: &ModuleSet, graph: &CallGraph, root: &PathBuf, inputs: &VarInputs) -> Inventory {
    let mut inv = Inventory::default();
    let Some(module) = set.dirs.get(root) else { return inv };
    let limits = Limits::new();
    let collections = origin::Collections::default();
    let mut errors = Vec::new();
    let (vars, origins) = root_variables(module, inputs, &mut errors);
    inv.errors.extend(errors);
    let regions = root_regions(module, &vars, &origins, &limits, &mut inv);
    let cli_files = inputs.cli.iter().filter_map(|c| match c {
        CliVar::File(t) => t.broken.as_ref(),
        CliVar::Var { .. } => None,
    });
    let taint = module
        .broken
        .iter()
        .chain(&module.broken_callers)
        .chain(module.auto_tfvars.iter().filter_map(|t| t.broken.as_ref()))
        .chain(cli_files)
        .cloned()
        .collect();
    let inst = Instance {
        set,
        graph,
        limits: &limits,
        collections: &collections,
        dir: root.clone(),
        module,
        vars,
        origins,
        var_readers: BTreeMap::new(),
        prefix: String::new(),
        calls: Vec::new(),
        regions,
        root_dir: root.clone(),
        key_prefix: String::new(),
        taint,
    };
    inst.run(&mut inv, 0);
    inv
}
