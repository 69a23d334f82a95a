//! Evaluates Terraform modules as Terraform would: input variables with Terraform's precedence,
//! locals referring to locals, `count`/`for_each` instances, `dynamic` blocks and local module
//! calls. Produces one [`Application`] per Flink resource instance.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::expr::{Context, EvalError, EvalResult, LocalsSource};
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
    if src.starts_with("./") || src.starts_with("../") || src == "." || src == ".." {
        ModuleSource::Local(normalize(&caller_dir.join(src)))
    } else {
        ModuleSource::Remote(src.clone())
    }
}

/// Lexical path normalisation (`a/b/../c` → `a/c`) without touching the filesystem.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() || out.as_os_str().is_empty() && !path.is_absolute() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
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
}

const MAX_MODULE_DEPTH: usize = 16;

/// Evaluates every root module (a directory no other loaded module calls).
pub fn evaluate(set: &ModuleSet, roots: &[PathBuf], inputs: &VarInputs) -> Inventory {
    let mut inv = Inventory::default();
    for root in roots {
        let Some(module) = set.dirs.get(root) else { continue };
        let mut errors = Vec::new();
        let (vars, origins) = root_variables(module, inputs, &mut errors);
        inv.errors.extend(errors);
        let region = root_region(module, &vars, &origins, &mut inv);
        let inst = Instance {
            set,
            dir: root.clone(),
            module,
            vars,
            origins,
            prefix: String::new(),
            calls: Vec::new(),
            region,
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

fn is_complex_type(v: &Variable) -> bool {
    v.type_text
        .as_deref()
        .is_some_and(|t| ["list", "map", "object", "set", "tuple"].iter().any(|k| t.contains(k)))
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

fn raw_var_value(var: &Variable, raw: &str, span: &Span, errors: &mut Vec<InputError>) -> Value {
    if !is_complex_type(var) {
        return Value::String(raw.to_string());
    }
    let file = SourceFile::new(span.path().to_string(), raw.to_string());
    match crate::inputs::hcl::parse_expr(&file)
        .and_then(|e| constant_eval(&e).map_err(|err| InputError::new(span.clone(), err.message)))
    {
        Ok(v) => v,
        Err(e) => {
            errors.push(InputError::new(
                span.clone(),
                format!("invalid value for var.{}: {}", var.name, e.message),
            ));
            Value::unknown(format!("var.{} has an invalid value", var.name), "fix the value")
        }
    }
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
        match &v.default {
            Some(d) => match constant_eval(d) {
                Ok(val) => {
                    vars.insert(v.name.clone(), val);
                    origins.insert(
                        v.name.clone(),
                        Origin {
                            span: d.span.clone(),
                            label: format!("default of var.{}", v.name),
                        },
                    );
                }
                Err(e) => {
                    errors.push(InputError::new(
                        e.span,
                        format!("invalid default for var.{}: {}", v.name, e.message),
                    ));
                    vars.insert(
                        v.name.clone(),
                        Value::unknown(format!("var.{} has an invalid default", v.name), "fix the default"),
                    );
                }
            },
            None => {
                vars.insert(v.name.clone(), missing_var(&v.name));
            }
        }
    }
    // Terraform's precedence, lowest first: environment, terraform.tfvars(.json), *.auto.tfvars
    // in lexical order, then -var-file and -var in command-line order.
    for (name, raw) in &inputs.env {
        if let Some(var) = declared.get(name.as_str()) {
            let span = var.span.clone();
            vars.insert(name.clone(), raw_var_value(var, raw, &span, errors));
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
                      errors: &mut Vec<InputError>| {
        for attr in &tfvars.attrs {
            if !declared.contains_key(attr.name.as_str()) {
                continue;
            }
            match constant_eval(&attr.expr) {
                Ok(val) => {
                    vars.insert(attr.name.clone(), val);
                    origins.insert(
                        attr.name.clone(),
                        Origin {
                            span: attr.expr.span.clone(),
                            label: format!("value from {}", tfvars.file.path),
                        },
                    );
                }
                Err(e) => errors.push(InputError::new(
                    e.span,
                    format!("invalid value for {}: {}", attr.name, e.message),
                )),
            }
        }
    };
    for tfvars in &module.auto_tfvars {
        apply_file(tfvars, &mut vars, &mut origins, errors);
    }
    for cli in &inputs.cli {
        match cli {
            CliVar::File(tfvars) => apply_file(tfvars, &mut vars, &mut origins, errors),
            CliVar::Var { name, value, span } => {
                if let Some(var) = declared.get(name.as_str()) {
                    vars.insert(name.clone(), raw_var_value(var, value, span, errors));
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
    (vars, origins)
}

fn root_region(
    module: &ModuleDir,
    vars: &BTreeMap<String, Value>,
    origins: &BTreeMap<String, Origin>,
    inv: &mut Inventory,
) -> Setting<String> {
    let provider = module
        .files
        .iter()
        .flat_map(|f| f.providers.iter())
        .find(|p| p.name == "aws" && p.body.attr("alias").is_none());
    let Some(attr) = provider.and_then(|p| p.body.attr("region")) else {
        return Setting::Absent;
    };
    let locals = LocalTable::new(module, vars);
    let cx = Context::new(vars, &locals);
    let s = to_setting(&cx, Some(&attr.expr), origins, convert_string, "a string");
    if let Setting::Invalid { span, message } = &s {
        inv.errors.push(InputError::new(span.clone(), message.clone()));
    }
    s
}

/// Lazily evaluated, memoised `locals`, with cycle detection.
struct LocalTable<'a> {
    defs: HashMap<&'a str, &'a Expr>,
    vars: &'a BTreeMap<String, Value>,
    memo: RefCell<HashMap<String, EvalResult>>,
    in_progress: RefCell<HashSet<String>>,
}

impl<'a> LocalTable<'a> {
    fn new(module: &'a ModuleDir, vars: &'a BTreeMap<String, Value>) -> Self {
        LocalTable {
            defs: module.locals().map(|l| (l.name.as_str(), &l.expr)).collect(),
            vars,
            memo: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
        }
    }
}

impl LocalsSource for LocalTable<'_> {
    fn local(&self, name: &str, span: &Span) -> EvalResult {
        if let Some(v) = self.memo.borrow().get(name) {
            return v.clone();
        }
        let Some(expr) = self.defs.get(name) else {
            return Err(EvalError::new(
                format!("reference to undeclared local value \"{name}\""),
                span,
            ));
        };
        if !self.in_progress.borrow_mut().insert(name.to_string()) {
            return Err(EvalError::new(format!("local.{name} refers to itself"), span));
        }
        let cx = Context::new(self.vars, self);
        let result = cx.eval(expr);
        self.in_progress.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name.to_string(), result.clone());
        result
    }
}

/// One instance of a module (the root, or one module call instance).
struct Instance<'a> {
    set: &'a ModuleSet,
    dir: PathBuf,
    module: &'a ModuleDir,
    vars: BTreeMap<String, Value>,
    origins: BTreeMap<String, Origin>,
    /// `module.a.module.b["k"].`
    prefix: String,
    calls: Vec<ModuleCall>,
    region: Setting<String>,
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
                        format!("count must be a whole number between 0 and 10000, found {v}"),
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
            .map(|(k, v)| (format!("[{k:?}]"), Some((Value::String(k), v)), None))
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

impl<'a> Instance<'a> {
    fn run(&self, inv: &mut Inventory, depth: usize) {
        let locals = LocalTable::new(self.module, &self.vars);
        let base = self.context(&locals);
        for res in self.module.resources().filter(|r| r.rtype == FLINK_RESOURCE) {
            let what = format!("{}{}.{}", self.prefix, res.rtype, res.name);
            for (key, each, count_index) in instances(repetition(&base, &res.body, inv), inv, &what) {
                let mut cx = self.context(&locals);
                cx.each = each;
                cx.count_index = count_index;
                let app = self.application(res, &format!("{what}{key}"), &cx, &locals, inv);
                inv.applications.push(app);
            }
        }
        for call in self.module.modules() {
            self.call_module(call, &base, inv, depth);
        }
    }

    fn context<'l>(&'l self, locals: &'l LocalTable<'l>) -> Context<'l> {
        let mut cx = Context::new(&self.vars, locals);
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
            ModuleSource::Local(p) => p,
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
        for (inst_key, each, count_index) in instances(repetition(base, &call.body, inv), inv, &what) {
            let locals = base.locals;
            let mut cx = Context::new(base.vars, locals);
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
                            Ok(v) => v,
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
                        (v, Some(origin))
                    }
                    None => match &var.default {
                        Some(d) => match constant_eval(d) {
                            Ok(v) => (
                                v,
                                Some(Origin {
                                    span: d.span.clone(),
                                    label: format!("default of var.{}", var.name),
                                }),
                            ),
                            Err(e) => {
                                inv.errors.push(InputError::new(e.span, e.message));
                                (
                                    Value::unknown(
                                        format!("var.{} has an invalid default", var.name),
                                        "fix the default",
                                    ),
                                    None,
                                )
                            }
                        },
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
                dir: child_dir.clone(),
                module: child,
                vars,
                origins,
                prefix: format!("{address}."),
                calls,
                region: self.region.clone(),
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
            None => self.region.clone(),
        };
        app.tags = self.tags(cx, body.attr("tags"), inv);

        match resolve_block(cx, body, "application_configuration") {
            Resolved::Absent => {}
            Resolved::Unknown(span, reason) => {
                app.parallelism.block = Some(span.clone());
                app.parallelism.configuration_type = Setting::Unknown { span, reason };
            }
            Resolved::Block(ac, extra) => {
                let mut acx = self.context(locals);
                acx.each = cx.each.clone();
                acx.count_index = cx.count_index;
                acx.extra = cx.extra.iter().cloned().chain(extra).collect();
                if let Resolved::Block(snap, extra) =
                    resolve_block(&acx, &ac.body, "application_snapshot_configuration")
                {
                    let mut scx = self.context(locals);
                    scx.each = acx.each.clone();
                    scx.count_index = acx.count_index;
                    scx.extra = acx.extra.iter().cloned().chain(extra).collect();
                    app.snapshots_enabled = self.setting(
                        &scx,
                        snap.body.attr("snapshots_enabled").map(|a| &a.expr),
                        convert_bool,
                        "a bool",
                    );
                }
                match resolve_block(&acx, &ac.body, "flink_application_configuration") {
                    Resolved::Absent => {}
                    Resolved::Unknown(span, reason) => {
                        app.parallelism.block = Some(span.clone());
                        app.parallelism.configuration_type = Setting::Unknown { span, reason };
                    }
                    Resolved::Block(fc, extra) => {
                        let mut fcx = self.context(locals);
                        fcx.each = acx.each.clone();
                        fcx.count_index = acx.count_index;
                        fcx.extra = acx.extra.iter().cloned().chain(extra).collect();
                        match resolve_block(&fcx, &fc.body, "parallelism_configuration") {
                            Resolved::Absent => {}
                            Resolved::Unknown(span, reason) => {
                                app.parallelism.block = Some(span.clone());
                                app.parallelism.configuration_type = Setting::Unknown { span, reason };
                            }
                            Resolved::Block(pc, extra) => {
                                let mut pcx = self.context(locals);
                                pcx.each = fcx.each.clone();
                                pcx.count_index = fcx.count_index;
                                pcx.extra = fcx.extra.iter().cloned().chain(extra).collect();
                                app.parallelism = self.parallelism(&pcx, pc);
                            }
                        }
                    }
                }
            }
        }
        app
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
                message: format!("expected {expected}, found {} {v}", v.type_name()),
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
