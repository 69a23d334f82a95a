//! Evaluates Terraform modules as Terraform would: input variables with Terraform's precedence,
//! locals referring to locals, `count`/`for_each` instances, `dynamic` blocks and local module
//! calls. Produces one [`Application`] per Flink resource instance.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::expr::{Budget, Context, EvalError, EvalResult, LocalsSource};
use super::value::Value;
use crate::inputs::terraform::{
    Attr, BlockNode, BodyNode, Local, ModuleCallDecl, Resource, TfFile, Variable, FLINK_RESOURCE,
};
use crate::model::expr::{Expr, ExprKind};
use crate::model::{
    Application, InputError, InputFormat, Inventory, ModuleCall, Notice, Origin, ParallelismConfig, Setting, Tag,
    Unresolved,
};
use crate::source::{SourceFile, Span};

/// A `.tfvars` / `.tfvars.json` file, parsed.
#[derive(Debug, Clone)]
pub struct TfVars {
    pub file: Arc<SourceFile>,
    pub attrs: Vec<Attr>,
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

/// How a module directory is shown in messages.
fn display_dir(set: &ModuleSet, dir: &Path) -> String {
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
    pub skipped: BTreeSet<PathBuf>,
}

const MAX_MODULE_DEPTH: usize = 16;
/// Resource and module instances evaluated for one root module, all calls included: `count`
/// and `for_each` multiply through module calls, and must not exhaust memory.
pub const MAX_INSTANCES: usize = 50_000;
/// How many locals may be in evaluation at once (a local referring to a local referring to ...).
pub const MAX_LOCALS_NESTING: usize = 128;

/// The local module calls between loaded directories: caller → called directories.
#[derive(Debug, Default)]
pub struct CallGraph {
    edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
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
        CallGraph { edges }
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
        self.edges
            .iter()
            .filter(|(caller, called)| caller.as_path() != dir && called.contains(dir))
            .all(|(caller, _)| self.closes_cycle(caller, dir))
    }
}

/// What one root module tree may still cost.
struct Limits {
    budget: Rc<Budget>,
    instances: Cell<usize>,
    /// A limit was hit and reported: nothing more is evaluated.
    stopped: Cell<bool>,
}

impl Limits {
    fn new() -> Self {
        Limits {
            budget: Rc::new(Budget::default()),
            instances: Cell::new(0),
            stopped: Cell::new(false),
        }
    }

    /// Counts `n` more instances; false (and the error reported once) past a limit.
    fn admit(&self, n: usize, span: &Span, inv: &mut Inventory) -> bool {
        if self.stopped.get() {
            return false;
        }
        let total = self.instances.get().saturating_add(n);
        self.instances.set(total);
        let message = if total > MAX_INSTANCES {
            format!("more than {MAX_INSTANCES} resource and module instances in one root module; the rest are not evaluated")
        } else if self.budget.exhausted() {
            format!(
                "the configuration is too expensive to evaluate (more than {} steps in one root module); the rest is not evaluated",
                self.budget.total()
            )
        } else {
            return true;
        };
        self.stopped.set(true);
        inv.errors.push(InputError::new(span.clone(), message));
        false
    }
}

/// Stack for evaluation: nesting is bounded ([`super::expr::MAX_EVAL_DEPTH`]), and this is
/// several times what the deepest allowed nesting takes in an unoptimised build.
const EVAL_STACK_SIZE: usize = 64 << 20;

/// Evaluates every root module (a directory no other loaded module calls).
///
/// Runs on a thread of its own with a stack sized for the nesting limits, so evaluation never
/// depends on the caller's stack (a 2 MiB test or worker thread, a small `ulimit -s`).
pub fn evaluate(set: &ModuleSet, roots: &[PathBuf], inputs: &VarInputs) -> Inventory {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("kpulint-eval".into())
            .stack_size(EVAL_STACK_SIZE)
            .spawn_scoped(scope, || evaluate_roots(set, roots, inputs));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => evaluate_roots(set, roots, inputs),
        }
    })
}

fn evaluate_roots(set: &ModuleSet, roots: &[PathBuf], inputs: &VarInputs) -> Inventory {
    let mut inv = Inventory::default();
    let graph = CallGraph::new(set);
    for root in roots {
        let Some(module) = set.dirs.get(root) else { continue };
        let limits = Limits::new();
        let mut errors = Vec::new();
        let (vars, origins) = root_variables(module, inputs, &mut errors);
        inv.errors.extend(errors);
        let regions = root_regions(module, &vars, &origins, &limits, &mut inv);
        let inst = Instance {
            set,
            graph: &graph,
            limits: &limits,
            dir: root.clone(),
            module,
            vars,
            origins,
            prefix: String::new(),
            calls: Vec::new(),
            regions,
            root_dir: root.clone(),
            key_prefix: String::new(),
        };
        inst.run(&mut inv, 0);
    }
    inv
}

fn missing_var(name: &str) -> Value {
    Value::unknown(
        format!("var.{name} has no default and no value was given"),
        format!("pass --var {name}=VALUE or --var-file FILE, set TF_VAR_{name}, or add it to terraform.tfvars"),
    )
}

/// A variable's `type` constraint, as far as conversion goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VarType {
    /// No `type`: values stay as given; `--var` values are strings.
    Untyped,
    String,
    Number,
    Bool,
    /// Collections, objects, tuples and `any`: `--var` values are HCL expressions.
    Complex,
}

fn var_type(v: &Variable) -> VarType {
    let Some(text) = v.type_text.as_deref() else {
        return VarType::Untyped;
    };
    // Terraform 0.11 wrote types as strings: `type = "string"`, `type = "map"`.
    match text.trim().trim_matches('"').trim() {
        "string" => VarType::String,
        "number" => VarType::Number,
        "bool" => VarType::Bool,
        "" => VarType::Untyped,
        _ => VarType::Complex,
    }
}

/// Converts a value to the variable's declared primitive type, as Terraform does for every value
/// a variable receives (`"4"` for a `number` is 4, `4` for a `string` is "4"). Null and unknown
/// values, and values of untyped or complex variables, are left as they are.
fn convert_to_declared(var: &Variable, value: Value) -> Result<Value, String> {
    if matches!(value, Value::Null | Value::Unknown(_)) {
        return Ok(value);
    }
    let fail = |value: &Value, what: &str| Err(format!("{} is not {what}", value.summary(80)));
    match var_type(var) {
        VarType::Untyped | VarType::Complex => Ok(value),
        VarType::Number => match &value {
            Value::Number(_) => Ok(value),
            Value::String(_) => match value.to_number() {
                Some(n) => Ok(Value::Number(n)),
                None => fail(&value, "a number"),
            },
            _ => fail(&value, "a number"),
        },
        VarType::Bool => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(_) => match value.to_bool() {
                Some(b) => Ok(Value::Bool(b)),
                None => fail(&value, "a bool"),
            },
            _ => fail(&value, "a bool"),
        },
        VarType::String => match value.to_string_value() {
            Some(s) => Ok(Value::String(s)),
            None => fail(&value, "a string"),
        },
    }
}

/// The value of `var` when its value is invalid (the error is reported where the value is).
fn invalid_var(var: &Variable) -> Value {
    Value::unknown(format!("var.{} has an invalid value", var.name), "fix the value")
}

/// Converts a value given to `var` (at `span`), reporting a value of the wrong type.
fn declared_value(var: &Variable, value: Value, span: &Span, what: &str, errors: &mut Vec<InputError>) -> Value {
    match convert_to_declared(var, value) {
        Ok(v) => v,
        Err(message) => {
            errors.push(InputError::new(span.clone(), format!("invalid {what}: {message}")));
            invalid_var(var)
        }
    }
}

fn constant_eval(expr: &Expr) -> EvalResult {
    let vars = BTreeMap::new();
    let cx = Context::new(&vars, &NoLocals);
    cx.eval(expr)
}

struct NoLocals;
impl LocalsSource for NoLocals {
    fn local(&self, name: &str, span: &Span) -> EvalResult {
        Err(EvalError::new(format!("local.{name} cannot be used here"), span))
    }
}

/// A `--var NAME=VALUE` or `TF_VAR_NAME` value: Terraform reads it as a literal string for a
/// variable without a type or of a primitive type (converted to that type), and as an HCL
/// expression for a complex type or `any`.
fn raw_var_value(var: &Variable, raw: &str, span: &Span, errors: &mut Vec<InputError>) -> Value {
    let what = format!("value for var.{}", var.name);
    if var_type(var) != VarType::Complex {
        return declared_value(var, Value::String(raw.to_string()), span, &what, errors);
    }
    let file = SourceFile::new(span.path().to_string(), raw.to_string());
    match crate::inputs::hcl::parse_expr(&file)
        .and_then(|e| constant_eval(&e).map_err(|err| InputError::new(span.clone(), err.message)))
    {
        Ok(v) => v,
        Err(e) => {
            errors.push(InputError::new(span.clone(), format!("invalid {what}: {}", e.message)));
            invalid_var(var)
        }
    }
}

/// A variable's default, converted to its type; `None` if it has none.
fn default_value(var: &Variable, errors: &mut Vec<InputError>) -> Option<(Value, Origin)> {
    let d = var.default.as_ref()?;
    let origin = Origin {
        span: d.span.clone(),
        label: format!("default of var.{}", var.name),
    };
    let what = format!("default for var.{}", var.name);
    let value = match constant_eval(d) {
        Ok(v) => declared_value(var, v, &d.span, &what, errors),
        Err(e) => {
            errors.push(InputError::new(e.span, format!("invalid {what}: {}", e.message)));
            Value::unknown(format!("var.{} has an invalid default", var.name), "fix the default")
        }
    };
    Some((value, origin))
}

fn root_variables(
    module: &ModuleDir,
    inputs: &VarInputs,
    errors: &mut Vec<InputError>,
) -> (BTreeMap<String, Value>, BTreeMap<String, Origin>) {
    let mut vars = BTreeMap::new();
    let mut origins = BTreeMap::new();
    let declared: BTreeMap<&str, &Variable> = module.variables().map(|v| (v.name.as_str(), v)).collect();
    for v in declared.values() {
        match default_value(v, errors) {
            Some((value, origin)) => {
                vars.insert(v.name.clone(), value);
                origins.insert(v.name.clone(), origin);
            }
            None => {
                vars.insert(v.name.clone(), missing_var(&v.name));
            }
        }
    }
    // Terraform's precedence, lowest first: environment, terraform.tfvars(.json), *.auto.tfvars
    // in lexical order, then -var-file and -var in command-line order.
    // A value that does not convert is an error only if it wins: each later assignment replaces
    // the variable's pending errors, as Terraform never reads an overridden value.
    let mut pending: BTreeMap<String, Vec<InputError>> = BTreeMap::new();
    for (name, raw) in &inputs.env {
        if let Some(var) = declared.get(name.as_str()) {
            let span = var.span.clone();
            let mut errs = Vec::new();
            vars.insert(name.clone(), raw_var_value(var, raw, &span, &mut errs));
            pending.insert(name.clone(), errs);
            origins.insert(
                name.clone(),
                Origin {
                    span,
                    label: format!("value from TF_VAR_{name}"),
                },
            );
        }
    }
    let apply_file = |tfvars: &TfVars,
                      vars: &mut BTreeMap<String, Value>,
                      origins: &mut BTreeMap<String, Origin>,
                      pending: &mut BTreeMap<String, Vec<InputError>>| {
        for attr in &tfvars.attrs {
            let Some(var) = declared.get(attr.name.as_str()) else {
                continue;
            };
            let mut errs = Vec::new();
            match constant_eval(&attr.expr) {
                Ok(val) => {
                    let what = format!("value for var.{}", attr.name);
                    vars.insert(
                        attr.name.clone(),
                        declared_value(var, val, &attr.expr.span, &what, &mut errs),
                    );
                    origins.insert(
                        attr.name.clone(),
                        Origin {
                            span: attr.expr.span.clone(),
                            label: format!("value from {}", tfvars.file.path),
                        },
                    );
                }
                Err(e) => errs.push(InputError::new(
                    e.span,
                    format!("invalid value for {}: {}", attr.name, e.message),
                )),
            }
            pending.insert(attr.name.clone(), errs);
        }
    };
    for tfvars in &module.auto_tfvars {
        apply_file(tfvars, &mut vars, &mut origins, &mut pending);
    }
    for cli in &inputs.cli {
        match cli {
            CliVar::File(tfvars) => apply_file(tfvars, &mut vars, &mut origins, &mut pending),
            CliVar::Var { name, value, span } => {
                if let Some(var) = declared.get(name.as_str()) {
                    let mut errs = Vec::new();
                    vars.insert(name.clone(), raw_var_value(var, value, span, &mut errs));
                    pending.insert(name.clone(), errs);
                    origins.insert(
                        name.clone(),
                        Origin {
                            span: span.clone(),
                            label: format!("value from --var {name}"),
                        },
                    );
                }
            }
        }
    }
    errors.extend(pending.into_values().flatten());
    (vars, origins)
}

/// The region of each `aws` provider configuration of the root: `""` for the default one,
/// the alias for the others (`provider = aws.us` on a resource picks one).
fn root_regions(
    module: &ModuleDir,
    vars: &BTreeMap<String, Value>,
    origins: &BTreeMap<String, Origin>,
    limits: &Limits,
    inv: &mut Inventory,
) -> BTreeMap<String, Setting<String>> {
    let locals = LocalTable::new(module, vars, Rc::clone(&limits.budget));
    let cx = Context::with_budget(vars, &locals, Rc::clone(&limits.budget));
    let mut regions = BTreeMap::new();
    for p in module
        .files
        .iter()
        .flat_map(|f| f.providers.iter())
        .filter(|p| p.name == "aws")
    {
        let alias = match p.body.attr("alias").map(|a| cx.eval(&a.expr)) {
            None => String::new(),
            Some(Ok(v)) => v.to_string_value().unwrap_or_default(),
            Some(Err(_)) => continue,
        };
        let s = match p.body.attr("region") {
            Some(attr) => to_setting(&cx, Some(&attr.expr), origins, convert_string, "a string"),
            None => Setting::Absent,
        };
        if let Setting::Invalid { span, message } = &s {
            inv.errors.push(InputError::new(span.clone(), message.clone()));
        }
        regions.entry(alias).or_insert(s);
    }
    regions
}

/// Lazily evaluated, memoised `locals`, with cycle detection and a nesting limit.
struct LocalTable<'a> {
    defs: HashMap<&'a str, &'a Expr>,
    vars: &'a BTreeMap<String, Value>,
    budget: Rc<Budget>,
    memo: RefCell<HashMap<String, Result<Rc<Value>, EvalError>>>,
    in_progress: RefCell<HashSet<String>>,
}

impl<'a> LocalTable<'a> {
    fn new(module: &'a ModuleDir, vars: &'a BTreeMap<String, Value>, budget: Rc<Budget>) -> Self {
        LocalTable {
            defs: module.locals().map(|l| (l.name.as_str(), &l.expr)).collect(),
            vars,
            budget,
            memo: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
        }
    }

    /// The value of `local.NAME`, evaluated once; shared, not copied.
    fn get(&self, name: &str, span: &Span) -> Result<Rc<Value>, EvalError> {
        if let Some(v) = self.memo.borrow().get(name) {
            return v.clone();
        }
        let Some(expr) = self.defs.get(name) else {
            return Err(EvalError::new(
                format!("reference to undeclared local value \"{name}\""),
                span,
            ));
        };
        if self.in_progress.borrow().contains(name) {
            return Err(EvalError::new(format!("local.{name} refers to itself"), span));
        }
        // Each local in evaluation holds a few stack frames: a long chain of locals must end
        // in an error, not a stack overflow.
        if self.in_progress.borrow().len() >= MAX_LOCALS_NESTING {
            return Err(EvalError::fatal(
                format!("locals nest deeper than {MAX_LOCALS_NESTING} levels"),
                span,
            ));
        }
        self.in_progress.borrow_mut().insert(name.to_string());
        let cx = Context::with_budget(self.vars, self, Rc::clone(&self.budget));
        let result = cx.eval(expr).map(Rc::new);
        self.in_progress.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name.to_string(), result.clone());
        result
    }
}

impl LocalsSource for LocalTable<'_> {
    fn local(&self, name: &str, span: &Span) -> EvalResult {
        self.get(name, span).map(|v| (*v).clone())
    }

    fn local_with(&self, name: &str, span: &Span, f: &mut dyn FnMut(&Value) -> EvalResult) -> EvalResult {
        let v = self.get(name, span)?;
        f(&v)
    }
}

/// One instance of a module (the root, or one module call instance).
struct Instance<'a> {
    set: &'a ModuleSet,
    graph: &'a CallGraph,
    limits: &'a Limits,
    dir: PathBuf,
    module: &'a ModuleDir,
    vars: BTreeMap<String, Value>,
    origins: BTreeMap<String, Origin>,
    /// `module.a.module.b["k"].`
    prefix: String,
    calls: Vec<ModuleCall>,
    /// Regions of the root's `aws` providers: `\"\"` is the default one, others by alias.
    regions: BTreeMap<String, Setting<String>>,
    root_dir: PathBuf,
    /// Key of this module in `.terraform/modules/modules.json` (`a.b`).
    key_prefix: String,
}

/// The instances a `count` or `for_each` produces.
enum Repetition {
    Single,
    Count(usize),
    Each(Vec<(String, Value)>),
    Unknown(Span, Unresolved),
}

fn repetition(cx: &Context, body: &BodyNode, inv: &mut Inventory) -> Repetition {
    if let Some(count) = body.attr("count") {
        return match cx.eval(&count.expr) {
            Ok(Value::Unknown(u)) => Repetition::Unknown(count.expr.span.clone(), (*u).clone()),
            Ok(v) => match v.to_number() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => Repetition::Count(n as usize),
                _ => {
                    inv.errors.push(InputError::new(
                        count.expr.span.clone(),
                        format!(
                            "count must be a whole number between 0 and 10000, found {}",
                            v.summary(80)
                        ),
                    ));
                    Repetition::Count(0)
                }
            },
            Err(e) => {
                inv.errors.push(InputError::new(e.span.clone(), e.message.clone()));
                Repetition::Unknown(
                    e.span,
                    Unresolved {
                        what: e.message,
                        hint: "fix the count expression".into(),
                    },
                )
            }
        };
    }
    if let Some(each) = body.attr("for_each") {
        return match cx.eval(&each.expr) {
            Ok(Value::Unknown(u)) => Repetition::Unknown(each.expr.span.clone(), (*u).clone()),
            Ok(Value::Object(map)) => Repetition::Each(map.into_iter().collect()),
            Ok(Value::List(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push((s.clone(), Value::String(s))),
                        Value::Unknown(u) => return Repetition::Unknown(each.expr.span.clone(), (*u).clone()),
                        other => {
                            inv.errors.push(InputError::new(
                                each.expr.span.clone(),
                                format!("for_each over a set needs strings, found {}", other.type_name()),
                            ));
                            return Repetition::Each(Vec::new());
                        }
                    }
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                out.dedup_by(|a, b| a.0 == b.0);
                Repetition::Each(out)
            }
            Ok(other) => {
                inv.errors.push(InputError::new(
                    each.expr.span.clone(),
                    format!("for_each needs a map or a set of strings, found {}", other.type_name()),
                ));
                Repetition::Each(Vec::new())
            }
            Err(e) => {
                inv.errors.push(InputError::new(e.span.clone(), e.message.clone()));
                Repetition::Unknown(
                    e.span,
                    Unresolved {
                        what: e.message,
                        hint: "fix the for_each expression".into(),
                    },
                )
            }
        };
    }
    Repetition::Single
}

/// `(instance key suffix, each, count.index)` for every instance.
/// One instance: its address suffix (`[0]`, `["prod"]`), `each.key`/`each.value`, `count.index`.
type InstanceKey = (String, Option<(Value, Value)>, Option<f64>);

fn instances(rep: Repetition, inv: &mut Inventory, what: &str) -> Vec<InstanceKey> {
    match rep {
        Repetition::Single => vec![(String::new(), None, None)],
        Repetition::Count(n) => (0..n).map(|i| (format!("[{i}]"), None, Some(i as f64))).collect(),
        Repetition::Each(items) => items
            .into_iter()
            .map(|(k, v)| (format!("[{}]", hcl_quote(&k)), Some((Value::String(k), v)), None))
            .collect(),
        Repetition::Unknown(span, reason) => {
            inv.notices.push(Notice {
                span: Some(span),
                message: format!(
                    "the number of instances of {what} is unknown ({}); linted as one instance",
                    reason.what
                ),
            });
            let unknown = Value::Unknown(Arc::new(reason));
            vec![(String::new(), Some((unknown.clone(), unknown)), None)]
        }
    }
}

/// A string quoted the way Terraform writes instance keys in addresses (`["a\"b"]`): HCL's
/// quoted-string syntax, so `"` and `\` are escaped, as are newlines, tabs and other
/// non-printable characters, and `${` / `%{` are doubled to `$${` / `%%{`.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_printable(c) => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, closely: not a control or format character, a private-use one, or
/// a space other than U+0020.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let n = c as u32;
    let format_char = matches!(
        n,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(n, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    !(c.is_control() || c.is_whitespace() || format_char || private_use)
}

impl<'a> Instance<'a> {
    fn run(&self, inv: &mut Inventory, depth: usize) {
        if self.limits.stopped.get() {
            return;
        }
        let locals = LocalTable::new(self.module, &self.vars, Rc::clone(&self.limits.budget));
        let base = self.context(&locals);
        for res in self.module.resources().filter(|r| r.rtype == FLINK_RESOURCE) {
            let what = format!("{}{}.{}", self.prefix, res.rtype, res.name);
            let keys = instances(repetition(&base, &res.body, inv), inv, &what);
            if !self.limits.admit(keys.len(), &res.header, inv) {
                return;
            }
            for (key, each, count_index) in keys {
                // The budget may run out within one resource's instances: stop there, once.
                if !self.limits.admit(0, &res.header, inv) {
                    return;
                }
                let mut cx = self.context(&locals);
                cx.each = each;
                cx.count_index = count_index;
                let app = self.application(res, &format!("{what}{key}"), &cx, &locals, inv);
                inv.applications.push(app);
            }
        }
        for call in self.module.modules() {
            if self.limits.stopped.get() {
                return;
            }
            self.call_module(call, &base, inv, depth);
        }
    }

    fn context<'l>(&'l self, locals: &'l LocalTable<'l>) -> Context<'l> {
        let mut cx = Context::with_budget(&self.vars, locals, Rc::clone(&self.limits.budget));
        cx.path_module = self.module.display.clone();
        cx
    }

    fn call_module(&self, call: &ModuleCallDecl, base: &Context, inv: &mut Inventory, depth: usize) {
        let key = if self.key_prefix.is_empty() {
            call.name.clone()
        } else {
            format!("{}.{}", self.key_prefix, call.name)
        };
        let child_dir = match module_source(call, &self.dir) {
            ModuleSource::Local(p) => {
                // Terraform would recurse forever: report the cycle, and do not follow it. Each
                // directory of the cycle that nothing else calls is evaluated as a root, so its
                // applications are linted once.
                if let Some(cycle) = self.graph.path(&p, &self.dir) {
                    let mut names: Vec<String> = vec![display_dir(self.set, &self.dir)];
                    names.extend(cycle.iter().map(|d| display_dir(self.set, d)));
                    inv.errors.push(InputError::new(
                        call.header.clone(),
                        format!(
                            "module call cycle: {} (module.{} is not followed)",
                            names.join(" → "),
                            call.name
                        ),
                    ));
                    return;
                }
                p
            }
            ModuleSource::Remote(src) => match self
                .set
                .dirs
                .get(&self.root_dir)
                .and_then(|m| m.installed_modules.get(&key))
            {
                Some(dir) => dir.clone(),
                None => {
                    inv.notices.push(Notice {
                        span: Some(call.header.clone()),
                        message: format!(
                            "module.{} (source \"{src}\") was not followed: run `terraform init` so .terraform/modules/modules.json records where it was downloaded",
                            call.name
                        ),
                    });
                    return;
                }
            },
            ModuleSource::Missing => return,
        };
        let Some(child) = self.set.dirs.get(&child_dir) else {
            if self.set.skipped.contains(&child_dir) {
                return;
            }
            inv.notices.push(Notice {
                span: Some(call.header.clone()),
                message: format!(
                    "module.{} was not followed: no Terraform files in {}",
                    call.name,
                    child_dir.display()
                ),
            });
            return;
        };
        if depth >= MAX_MODULE_DEPTH {
            inv.errors.push(InputError::new(
                call.header.clone(),
                format!("module calls nest deeper than {MAX_MODULE_DEPTH} levels (a module calling itself?)"),
            ));
            return;
        }
        let what = format!("{}module.{}", self.prefix, call.name);
        let keys = instances(repetition(base, &call.body, inv), inv, &what);
        if !self.limits.admit(keys.len(), &call.header, inv) {
            return;
        }
        for (inst_key, each, count_index) in keys {
            if self.limits.stopped.get() {
                return;
            }
            let mut cx = Context::with_budget(base.vars, base.locals, Rc::clone(&base.budget));
            cx.path_module = base.path_module.clone();
            cx.each = each;
            cx.count_index = count_index;
            let address = format!("{what}{inst_key}");
            let mut vars = BTreeMap::new();
            let mut origins = BTreeMap::new();
            for var in child.variables() {
                let (value, origin) = match call.body.attr(&var.name) {
                    Some(arg) => {
                        let v = match cx.eval(&arg.expr) {
                            Ok(v) => declared_value(
                                var,
                                v,
                                &arg.expr.span,
                                &format!("value for var.{} of {address}", var.name),
                                &mut inv.errors,
                            ),
                            Err(e) => {
                                inv.errors.push(InputError::new(e.span, e.message));
                                Value::unknown(
                                    format!("the argument {} of {address} is invalid", var.name),
                                    "fix the module argument",
                                )
                            }
                        };
                        let origin = self.origin_of(&arg.expr, &cx).unwrap_or_else(|| Origin {
                            span: arg.expr.span.clone(),
                            label: format!("{} passed by {address}", var.name),
                        });
                        // An unknown argument says where the module call passes it.
                        let v = match v {
                            Value::Unknown(u) => {
                                let l = arg.expr.span.location();
                                Value::Unknown(Arc::new(Unresolved {
                                    what: format!(
                                        "{} (passed as {} by {address} at {}:{}:{})",
                                        u.what,
                                        var.name,
                                        arg.expr.span.path(),
                                        l.line,
                                        l.column
                                    ),
                                    hint: u.hint.clone(),
                                }))
                            }
                            other => other,
                        };
                        (v, Some(origin))
                    }
                    None => match default_value(var, &mut inv.errors) {
                        Some((v, origin)) => (v, Some(origin)),
                        None => (
                            Value::unknown(
                                format!(
                                    "{address} does not pass {} and var.{} has no default",
                                    var.name, var.name
                                ),
                                format!("add `{} = ...` to the module block", var.name),
                            ),
                            None,
                        ),
                    },
                };
                vars.insert(var.name.clone(), value);
                if let Some(o) = origin {
                    origins.insert(var.name.clone(), o);
                }
            }
            let mut calls = self.calls.clone();
            calls.push(ModuleCall {
                address: address.clone(),
                span: call.header.clone(),
            });
            let inst = Instance {
                set: self.set,
                graph: self.graph,
                limits: self.limits,
                dir: child_dir.clone(),
                module: child,
                vars,
                origins,
                prefix: format!("{address}."),
                calls,
                regions: self.regions.clone(),
                root_dir: self.root_dir.clone(),
                key_prefix: key.clone(),
            };
            inst.run(inv, depth + 1);
        }
    }

    /// Where the value of a plain `var.x` / `local.x` reference was written.
    fn origin_of(&self, expr: &Expr, _cx: &Context) -> Option<Origin> {
        match expr.as_reference()? {
            ("var", Some(name)) => self.origins.get(name).cloned(),
            ("local", Some(name)) => self.module.locals().find(|l| l.name == name).map(|l| Origin {
                span: l.expr.span.clone(),
                label: format!("local.{name}"),
            }),
            _ => None,
        }
    }

    fn application(
        &self,
        res: &Resource,
        address: &str,
        cx: &Context,
        locals: &LocalTable,
        inv: &mut Inventory,
    ) -> Application {
        let format = if res.header.path().ends_with(".json") {
            InputFormat::TerraformJson
        } else {
            InputFormat::TerraformHcl
        };
        let mut app = Application::new(address, format, res.header.clone());
        app.module_calls = self.calls.clone();
        app.directives = res.directives.clone();
        let body = &res.body;
        app.runtime_environment = self.setting(
            cx,
            body.attr("runtime_environment").map(|a| &a.expr),
            convert_string,
            "a string",
        );
        app.region = match body.attr("region") {
            Some(a) => self.setting(cx, Some(&a.expr), convert_string, "a string"),
            None => {
                // `provider = aws.us` picks the aliased configuration; modules inherit the default.
                let alias = match body.attr("provider").and_then(|p| p.expr.as_reference()) {
                    Some(("aws", Some(alias))) if self.calls.is_empty() => alias.to_string(),
                    _ => String::new(),
                };
                self.regions.get(&alias).cloned().unwrap_or_default()
            }
        };
        app.tags = self.tags(cx, body.attr("tags"), inv);

        // application_configuration → { application_snapshot_configuration,
        //   flink_application_configuration → parallelism_configuration }, each possibly dynamic.
        let Some((ac, acx)) = self.enter(cx, locals, body, "application_configuration", &mut app) else {
            return app;
        };
        if let Resolved::Block(snap, extra) = resolve_block(&acx, &ac.body, "application_snapshot_configuration") {
            let scx = self.child(locals, &acx, extra);
            app.snapshots_enabled = self.setting(
                &scx,
                snap.body.attr("snapshots_enabled").map(|a| &a.expr),
                convert_bool,
                "a bool",
            );
        }
        let Some((fc, fcx)) = self.enter(&acx, locals, &ac.body, "flink_application_configuration", &mut app) else {
            return app;
        };
        if let Some((pc, pcx)) = self.enter(&fcx, locals, &fc.body, "parallelism_configuration", &mut app) {
            app.parallelism = self.parallelism(&pcx, pc);
        }
        app
    }

    /// A context for a nested block: the parent's `each`/`count.index` plus a `dynamic`
    /// block's iterator.
    fn child<'l>(&'l self, locals: &'l LocalTable<'l>, parent: &Context, extra: Vec<(String, Value)>) -> Context<'l> {
        let mut cx = self.context(locals);
        cx.each = parent.each.clone();
        cx.count_index = parent.count_index;
        cx.extra = parent.extra.iter().cloned().chain(extra).collect();
        cx
    }

    /// Enters a nested block. A block whose existence cannot be evaluated (a `dynamic` block
    /// over an unknown collection) makes the parallelism configuration unknown.
    fn enter<'b, 'l>(
        &'l self,
        cx: &Context,
        locals: &'l LocalTable<'l>,
        body: &'b BodyNode,
        ident: &'b str,
        app: &mut Application,
    ) -> Option<(&'b BlockNode, Context<'l>)> {
        match resolve_block(cx, body, ident) {
            Resolved::Absent => None,
            Resolved::Unknown(span, reason) => {
                app.parallelism.block = Some(span.clone());
                app.parallelism.configuration_type = Setting::Unknown { span, reason };
                None
            }
            Resolved::Block(block, extra) => Some((block, self.child(locals, cx, extra))),
        }
    }

    fn parallelism(&self, cx: &Context, block: &BlockNode) -> ParallelismConfig {
        let b = &block.body;
        let get = |n: &str| b.attr(n).map(|a| &a.expr);
        ParallelismConfig {
            block: Some(block.span.clone()),
            configuration_type: self.setting(cx, get("configuration_type"), convert_string, "a string"),
            parallelism: self.setting(cx, get("parallelism"), convert_number, "a number"),
            parallelism_per_kpu: self.setting(cx, get("parallelism_per_kpu"), convert_number, "a number"),
            auto_scaling_enabled: self.setting(cx, get("auto_scaling_enabled"), convert_bool, "a bool"),
        }
    }

    fn setting<T>(
        &self,
        cx: &Context,
        expr: Option<&Expr>,
        convert: fn(&Value) -> Option<T>,
        expected: &str,
    ) -> Setting<T> {
        let Some(expr) = expr else { return Setting::Absent };
        let mut s = to_setting(cx, Some(expr), &self.origins, convert, expected);
        if let Setting::Known { origin, .. } = &mut s {
            if origin.is_none() {
                *origin = self.origin_of(expr, cx);
            }
        }
        s
    }

    fn tags(&self, cx: &Context, attr: Option<&Attr>, inv: &mut Inventory) -> Vec<Tag> {
        let Some(attr) = attr else { return Vec::new() };
        // A literal object: each tag value keeps its own span.
        if let ExprKind::Object(entries) = &attr.expr.kind {
            let mut out = Vec::new();
            for (key, value) in entries {
                let key = match key {
                    crate::model::expr::ObjectKey::Ident(k) => k.clone(),
                    crate::model::expr::ObjectKey::Expr(k) => match cx.eval(k).ok().and_then(|v| v.to_string_value()) {
                        Some(k) => k,
                        None => continue,
                    },
                };
                let setting = to_setting(cx, Some(value), &self.origins, convert_string, "a string");
                out.push(Tag { key, value: setting });
            }
            return out;
        }
        match cx.eval(&attr.expr) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| Tag {
                    key: k,
                    value: match v {
                        Value::Unknown(u) => Setting::Unknown {
                            span: attr.expr.span.clone(),
                            reason: (*u).clone(),
                        },
                        v => match v.to_string_value() {
                            Some(s) => Setting::known(s, attr.expr.span.clone()),
                            None => Setting::Invalid {
                                span: attr.expr.span.clone(),
                                message: format!("tag values must be strings, found {}", v.type_name()),
                            },
                        },
                    },
                })
                .collect(),
            Ok(_) => Vec::new(),
            Err(e) => {
                inv.errors.push(InputError::new(e.span, e.message));
                Vec::new()
            }
        }
    }
}

/// Evaluates an attribute into a [`Setting`]; `null` means "not set", as in Terraform.
fn to_setting<T>(
    cx: &Context,
    expr: Option<&Expr>,
    origins: &BTreeMap<String, Origin>,
    convert: fn(&Value) -> Option<T>,
    expected: &str,
) -> Setting<T> {
    let Some(expr) = expr else { return Setting::Absent };
    let span = expr.span.clone();
    match cx.eval(expr) {
        Ok(Value::Null) => Setting::Absent,
        Ok(Value::Unknown(u)) => Setting::Unknown {
            span,
            reason: (*u).clone(),
        },
        Ok(v) => match convert(&v) {
            Some(value) => {
                let origin = match expr.as_reference() {
                    Some(("var", Some(name))) => origins.get(name).cloned(),
                    _ => None,
                };
                Setting::Known { value, span, origin }
            }
            None => Setting::Invalid {
                span,
                message: format!("expected {expected}, found {} {}", v.type_name(), v.summary(80)),
            },
        },
        Err(e) => Setting::Invalid {
            span: e.span,
            message: e.message,
        },
    }
}

fn convert_string(v: &Value) -> Option<String> {
    v.to_string_value()
}
fn convert_number(v: &Value) -> Option<f64> {
    v.to_number()
}
fn convert_bool(v: &Value) -> Option<bool> {
    v.to_bool()
}

enum Resolved<'b> {
    Absent,
    /// The block, plus the iterator binding of a `dynamic` block.
    Block(&'b BlockNode, Vec<(String, Value)>),
    Unknown(Span, Unresolved),
}

/// A nested block, written directly or through `dynamic "ident" { for_each ... content { } }`.
/// Managed Flink's blocks hold at most one item, so the first instance is the one that counts.
fn resolve_block<'b>(cx: &Context, body: &'b BodyNode, ident: &'b str) -> Resolved<'b> {
    if let Some(b) = body.blocks(ident).next() {
        return Resolved::Block(b, Vec::new());
    }
    let Some(dynamic) = body
        .blocks("dynamic")
        .find(|b| b.labels.first().map(String::as_str) == Some(ident))
    else {
        return Resolved::Absent;
    };
    let Some(content) = dynamic.body.blocks("content").next() else {
        return Resolved::Absent;
    };
    let iterator = dynamic
        .body
        .attr("iterator")
        .and_then(|a| a.expr.as_reference().map(|(r, _)| r.to_string()))
        .unwrap_or_else(|| ident.to_string());
    let Some(for_each) = dynamic.body.attr("for_each") else {
        return Resolved::Absent;
    };
    let first = match cx.eval(&for_each.expr) {
        Ok(Value::Unknown(u)) => return Resolved::Unknown(for_each.expr.span.clone(), (*u).clone()),
        Ok(Value::List(items)) => items.into_iter().next().map(|v| (Value::Number(0.0), v)),
        Ok(Value::Object(map)) => map.into_iter().next().map(|(k, v)| (Value::String(k), v)),
        Ok(Value::Null) => None,
        Ok(other) => {
            return Resolved::Unknown(
                for_each.expr.span.clone(),
                Unresolved {
                    what: format!(
                        "dynamic \"{ident}\" for_each is a {}, not a collection",
                        other.type_name()
                    ),
                    hint: "fix the for_each expression".into(),
                },
            )
        }
        Err(e) => {
            return Resolved::Unknown(
                e.span.clone(),
                Unresolved {
                    what: e.message,
                    hint: "fix the for_each expression".into(),
                },
            );
        }
    };
    match first {
        None => Resolved::Absent,
        Some((k, v)) => {
            let binding: BTreeMap<String, Value> =
                [("key".to_string(), k), ("value".to_string(), v)].into_iter().collect();
            Resolved::Block(content, vec![(iterator, Value::Object(binding))])
        }
    }
}

#[cfg(test)]
mod tests {
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
    fn instance_keys_are_quoted_as_terraform_quotes_them() {
        let cases = [
            ("prod", r#""prod""#),
            ("", r#""""#),
            (r#"a"b"#, r#""a\"b""#),
            (r"back\slash", r#""back\\slash""#),
            ("line\nbreak\ttab\r", r#""line\nbreak\ttab\r""#),
            ("x${y}", r#""x$${y}""#),
            ("x%{y}", r#""x%%{y}""#),
            ("$x % y {}", r#""$x % y {}""#),
            ("é🚀 ok", "\"é🚀 ok\""),
            ("bell\u{7}", r#""bell\u0007""#),
            ("zero\u{200b}width", r#""zero\u200bwidth""#),
            ("nbsp\u{a0}", r#""nbsp\u00a0""#),
            ("private\u{F0000}", r#""private\U000f0000""#),
        ];
        for (key, want) in cases {
            assert_eq!(hcl_quote(key), want, "{key:?}");
        }
    }

    fn tf(path: &str, text: &str) -> Arc<TfFile> {
        Arc::new(crate::inputs::hcl::parse_tf(&SourceFile::new(path, text)).expect("valid HCL"))
    }

    /// A module set from `(dir, main.tf text)` pairs.
    fn set(dirs: &[(&str, &str)]) -> ModuleSet {
        ModuleSet {
            dirs: dirs
                .iter()
                .map(|(dir, text)| {
                    let key = normalize(Path::new(dir));
                    let module = ModuleDir {
                        display: dir.to_string(),
                        files: vec![tf(&format!("{dir}/main.tf"), text)],
                        ..ModuleDir::default()
                    };
                    (key, module)
                })
                .collect(),
            skipped: BTreeSet::new(),
        }
    }

    fn call(name: &str, src: &str) -> String {
        format!("module \"{name}\" {{\n  source = \"{src}\"\n}}\n")
    }

    const APP: &str =
        "resource \"aws_kinesisanalyticsv2_application\" \"app\" {\n  runtime_environment = \"FLINK-1_20\"\n}\n";

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

    fn run(s: &ModuleSet, roots: &[&str]) -> Inventory {
        let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
        evaluate(s, &roots, &VarInputs::default())
    }

    fn addresses(inv: &Inventory) -> Vec<&str> {
        let mut a: Vec<&str> = inv.applications.iter().map(|a| a.address.as_str()).collect();
        a.sort();
        a
    }

    fn messages(inv: &Inventory) -> Vec<&str> {
        inv.errors.iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn a_call_cycle_is_reported_at_the_call_and_each_application_linted_once() {
        let s = set(&[
            ("a", &(call("b", "../b") + APP.replace("\"app\"", "\"in_a\"").as_str())),
            ("b", &(call("a", "../a") + APP.replace("\"app\"", "\"in_b\"").as_str())),
        ]);
        let inv = run(&s, &["a", "b"]);
        assert_eq!(
            addresses(&inv),
            [
                "aws_kinesisanalyticsv2_application.in_a",
                "aws_kinesisanalyticsv2_application.in_b"
            ]
        );
        assert_eq!(
            messages(&inv),
            [
                "module call cycle: a → b → a (module.b is not followed)",
                "module call cycle: b → a → b (module.a is not followed)"
            ]
        );
        assert_eq!(inv.errors[0].span.text(), "module \"b\"");

        // Entered from outside: the part of the cycle outside the root's path is followed once.
        let s = set(&[
            ("r", &call("a", "../a")),
            ("a", &(call("b", "../b") + APP.replace("\"app\"", "\"in_a\"").as_str())),
            ("b", &(call("a", "../a") + APP.replace("\"app\"", "\"in_b\"").as_str())),
        ]);
        let inv = run(&s, &["r", "b"]);
        assert_eq!(
            addresses(&inv),
            [
                "aws_kinesisanalyticsv2_application.in_b",
                "module.a.aws_kinesisanalyticsv2_application.in_a"
            ]
        );
        assert_eq!(inv.errors.len(), 2, "{:?}", messages(&inv));
    }

    #[test]
    fn a_module_calling_itself_is_linted_once_with_an_error() {
        let s = set(&[(".", &(call("me", "./") + APP))]);
        let inv = run(&s, &["."]);
        assert_eq!(addresses(&inv), ["aws_kinesisanalyticsv2_application.app"]);
        assert_eq!(messages(&inv), ["module call cycle: . → . (module.me is not followed)"]);
    }

    #[test]
    fn count_zero_and_empty_for_each_produce_nothing() {
        let res = |meta: &str| APP.replace("{\n", &format!("{{\n  {meta}\n"));
        let m = |name: &str, meta: &str| format!("module \"{name}\" {{\n  source = \"./m\"\n  {meta}\n}}\n");
        let text = [
            res("count = 0").replace("\"app\"", "\"c0\""),
            res("for_each = {}").replace("\"app\"", "\"e0\""),
            res("for_each = []").replace("\"app\"", "\"e1\""),
            res("for_each = toset([])").replace("\"app\"", "\"e2\""),
            res("for_each = { for k in [] : k => k }").replace("\"app\"", "\"e3\""),
            m("mc", "count = 0"),
            m("me", "for_each = {}"),
            m("ms", "for_each = toset([])"),
            // Controls: one instance each.
            res("count = 1").replace("\"app\"", "\"one\""),
            m("m1", "for_each = { k = 1 }"),
        ]
        .concat();
        let s = set(&[(".", &text), ("m", APP)]);
        let inv = run(&s, &["."]);
        assert_eq!(
            addresses(&inv),
            [
                "aws_kinesisanalyticsv2_application.one[0]",
                "module.m1[\"k\"].aws_kinesisanalyticsv2_application.app"
            ]
        );
        assert!(inv.errors.is_empty(), "{:?}", messages(&inv));
        assert!(inv.notices.is_empty(), "{:?}", inv.notices);
    }

    #[test]
    fn for_each_keys_with_special_characters_have_terraform_addresses() {
        let text = APP.replace(
            "{\n",
            "{\n  for_each = toset([\"a\\\"b\", \"back\\\\slash\", \"x$${y}\", \"tab\\t\"])\n",
        );
        let s = set(&[(".", &text)]);
        let inv = run(&s, &["."]);
        assert!(inv.errors.is_empty(), "{:?}", messages(&inv));
        assert_eq!(
            addresses(&inv),
            [
                r#"aws_kinesisanalyticsv2_application.app["a\"b"]"#,
                r#"aws_kinesisanalyticsv2_application.app["back\\slash"]"#,
                r#"aws_kinesisanalyticsv2_application.app["tab\t"]"#,
                r#"aws_kinesisanalyticsv2_application.app["x$${y}"]"#,
            ]
        );
    }

    fn locals_chain(n: usize) -> String {
        let mut text = String::from("locals {\n");
        for i in 0..n {
            text.push_str(&format!("  a{i} = local.a{} + 1\n", i + 1));
        }
        text.push_str(&format!("  a{n} = 0\n}}\n"));
        text
    }

    fn parallelism_app(expr: &str) -> String {
        format!(
            "resource \"aws_kinesisanalyticsv2_application\" \"app\" {{\n  application_configuration {{\n    flink_application_configuration {{\n      parallelism_configuration {{\n        parallelism = {expr}\n      }}\n    }}\n  }}\n}}\n"
        )
    }

    fn parallelism(inv: &Inventory) -> &Setting<f64> {
        &inv.applications[0].parallelism.parallelism
    }

    #[test]
    fn locals_nest_up_to_the_limit_and_no_further() {
        let deepest = MAX_LOCALS_NESTING - 1;
        let s = set(&[(".", &(locals_chain(deepest) + &parallelism_app("local.a0")))]);
        let inv = run(&s, &["."]);
        assert!(
            matches!(parallelism(&inv), Setting::Known { value, .. } if *value == deepest as f64),
            "{:?}",
            parallelism(&inv)
        );

        let s = set(&[(".", &(locals_chain(5000) + &parallelism_app("try(local.a0, 7)")))]);
        let inv = run(&s, &["."]);
        match parallelism(&inv) {
            Setting::Invalid { message, span } => {
                assert_eq!(message, "locals nest deeper than 128 levels");
                assert_eq!(span.text(), "local.a128", "reported at the reference");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_exhausted_budget_stops_evaluation_with_one_error() {
        let text = APP.replace("{\n", "{\n  count = 10000\n").replace(
            "}\n",
            "  tags = { n = length([for a in range(1000) : [for b in range(300) : b]]) }\n}\n",
        );
        let s = set(&[(".", &text)]);
        let inv = run(&s, &["."]);
        let stops: Vec<&str> = messages(&inv)
            .into_iter()
            .filter(|m| m.contains("the rest is not evaluated"))
            .collect();
        assert_eq!(stops.len(), 1, "{:?}", messages(&inv));
        assert!(inv.applications.len() < 100, "{}", inv.applications.len());
    }

    #[test]
    fn instances_multiplying_through_module_calls_are_capped() {
        let s = set(&[
            (".", "module \"m\" {\n  source = \"./m\"\n  count = 10000\n}\n"),
            ("m", "module \"n\" {\n  source = \"../n\"\n  count = 10000\n}\n"),
            ("n", &APP.replace("{\n", "{\n  count = 10000\n")),
        ]);
        let inv = run(&s, &["."]);
        assert_eq!(
            messages(&inv),
            ["more than 50000 resource and module instances in one root module; the rest are not evaluated"]
        );
        assert!(inv.applications.len() <= MAX_INSTANCES);
    }

    fn var(type_text: Option<&str>) -> Variable {
        Variable {
            name: "v".into(),
            span: SourceFile::new("t.tf", "variable").whole(),
            default: None,
            type_text: type_text.map(str::to_string),
        }
    }

    #[test]
    fn values_convert_to_the_declared_primitive_type() {
        let s = |v: &str| Value::String(v.into());
        let n = Value::Number;
        let conv = |t: Option<&str>, v: Value| convert_to_declared(&var(t), v);
        assert_eq!(conv(Some("number"), s("4")), Ok(n(4.0)));
        assert_eq!(conv(Some("number"), s("-2.5e1")), Ok(n(-25.0)));
        assert_eq!(
            conv(Some("\"number\""), s("4")),
            Ok(n(4.0)),
            "Terraform 0.11 quoted type"
        );
        assert_eq!(conv(Some("number"), s("abc")), Err("\"abc\" is not a number".into()));
        assert_eq!(
            conv(Some("number"), Value::Bool(true)),
            Err("true is not a number".into())
        );
        assert_eq!(conv(Some("bool"), s("true")), Ok(Value::Bool(true)));
        assert_eq!(conv(Some("bool"), s("yes")), Err("\"yes\" is not a bool".into()));
        assert_eq!(conv(Some("string"), n(4.0)), Ok(s("4")));
        assert_eq!(conv(Some("string"), Value::Bool(false)), Ok(s("false")));
        assert!(conv(Some("string"), Value::List(vec![])).is_err());
        assert_eq!(conv(None, s("4")), Ok(s("4")), "untyped values stay as given");
        assert_eq!(conv(Some("any"), s("4")), Ok(s("4")));
        assert_eq!(conv(Some("map(number)"), s("4")), Ok(s("4")));
        assert_eq!(conv(Some("number"), Value::Null), Ok(Value::Null));
        let u = Value::unknown("x", "y");
        assert_eq!(conv(Some("number"), u.clone()), Ok(u));
    }

    #[test]
    fn raw_values_are_literals_for_primitive_types_and_hcl_for_others() {
        let span = SourceFile::new("<command line>", "v=...").whole();
        let raw = |t: Option<&str>, text: &str| {
            let mut errors = Vec::new();
            let v = raw_var_value(&var(t), text, &span, &mut errors);
            (v, errors.into_iter().map(|e| e.message).collect::<Vec<_>>())
        };
        assert_eq!(raw(Some("number"), "2"), (Value::Number(2.0), vec![]));
        assert_eq!(raw(Some("bool"), "false"), (Value::Bool(false), vec![]));
        assert_eq!(raw(Some("string"), "[1]"), (Value::String("[1]".into()), vec![]));
        assert_eq!(raw(None, "2"), (Value::String("2".into()), vec![]));
        assert_eq!(
            raw(Some("list(number)"), "[1, 2]").0,
            Value::List(vec![Value::Number(1.0), Value::Number(2.0)])
        );
        assert_eq!(raw(Some("any"), "{ a = 1 }").0.type_name(), "object");
        let (v, errors) = raw(Some("number"), "abc");
        assert!(v.is_unknown());
        assert_eq!(errors, ["invalid value for var.v: \"abc\" is not a number"]);
    }
}
