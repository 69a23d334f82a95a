//! Terraform plan JSON (`terraform show -json plan.out`).
//!
//! Applications come from `planned_values` (the root module and its `child_modules`, at any
//! depth), with their full instance addresses and values Terraform has already resolved. What
//! Terraform knows only after apply is missing from `planned_values` and marked in
//! `resource_changes[].change.after_unknown`; the `configuration` section then tells a block the
//! configuration simply omits (the service defaults apply, as in HCL) from one that is written but
//! computed (unknown: reported by KPU009, never guessed).
//!
//! The JSON is parsed with `jsonc-parser` in strict mode, so every value keeps its byte span in the
//! plan (usually one long line: line 1, exact column). Plans have no line numbers for the `.tf`
//! source, so [`map_to_source`] finds each resource in the `.tf` files it was planned from and
//! records where each value is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;

use super::terraform::{Attr, BlockNode, BodyNode, Resource, TfFile, FLINK_RESOURCE};
use crate::discover::{clean, display, FileKind};
use crate::eval::module::{module_source, normalize, ModuleSource};
use crate::model::expr::ExprKind;
use crate::model::{
    Application, InputError, InputFormat, Inventory, ModuleCall, Notice, Origin, ParallelismConfig, Setting, Tag,
    Unresolved,
};
use crate::source::{SourceFile, Span};

/// Module nesting deeper than this is not a real plan.
const MAX_MODULE_DEPTH: usize = 64;

/// Quick check: does this JSON text look like a plan (or state) document?
pub fn looks_like(text: &str) -> bool {
    text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

/// Reads the Managed Flink applications of a plan.
pub fn parse(file: &Arc<SourceFile>) -> Inventory {
    let mut inv = Inventory::default();
    let root = match super::json::parse(file) {
        Ok(v) => Some(v),
        Err(e) => {
            inv.errors.push(e);
            return inv;
        }
    };
    let not_a_plan = |why: &str| {
        InputError::new(file.whole(), format!("{} is not a Terraform plan: {why}", file.path))
            .with_help("write one with `terraform show -json plan.out > plan.json`")
    };
    let Some(doc) = root.as_ref().and_then(Value::as_object) else {
        inv.errors.push(not_a_plan("it is not a JSON object"));
        return inv;
    };
    match doc.get("format_version").map(|p| &p.value) {
        None => {
            inv.errors.push(not_a_plan("it has no format_version"));
            return inv;
        }
        Some(Value::StringLit(s)) => {
            let major = s.value.split('.').next().and_then(|m| m.parse::<u32>().ok());
            if !matches!(major, Some(0 | 1)) {
                inv.errors.push(
                    InputError::new(
                        file.span(s.range.start..s.range.end),
                        format!(
                            "unsupported plan format_version {} (kpulint reads 0.x and 1.x)",
                            s.value
                        ),
                    )
                    .with_help(
                        "a newer Terraform writes a plan format this kpulint version does not know; upgrade kpulint",
                    ),
                );
                return inv;
            }
        }
        Some(other) => {
            let r = other.range();
            inv.errors.push(InputError::new(
                file.span(r.start..r.end),
                format!("format_version must be a string, found {}", describe(other)),
            ));
            return inv;
        }
    }
    let Some(planned) = doc.get_object("planned_values") else {
        let why = if doc.get("values").is_some() {
            "it is Terraform state (`values`), not a plan (`planned_values`)"
        } else {
            "it has no planned_values"
        };
        inv.errors.push(not_a_plan(why));
        return inv;
    };

    let mut changes: HashMap<&str, Option<&Object>> = HashMap::new();
    for rc in array(doc.get("resource_changes")).filter_map(Value::as_object) {
        // A deposed object (create_before_destroy) shares the address of the current one.
        if rc.get("deposed").is_some() {
            continue;
        }
        if let Some(addr) = rc.get_string("address") {
            let unknown = rc.get_object("change").and_then(|c| c.get_object("after_unknown"));
            changes.insert(addr.value.as_ref(), unknown);
        }
    }
    let configuration = doc.get_object("configuration");
    let plan = Plan {
        file,
        changes,
        config_root: configuration.and_then(|c| c.get_object("root_module")),
        providers: configuration.and_then(|c| c.get_object("provider_config")),
        variables: doc.get_object("variables"),
    };
    if let Some(root_module) = planned.get_object("root_module") {
        plan.module(root_module, &mut Vec::new(), &mut inv);
    }
    inv
}

/// The elements of a JSON array property (nothing for anything else).
fn array<'b, 'a>(prop: Option<&'b ObjectProp<'a>>) -> impl Iterator<Item = &'b Value<'a>> {
    prop.and_then(|p| p.value.as_array())
        .into_iter()
        .flat_map(|a| a.elements.iter())
}

/// The first element of a list-nested block, as an object.
fn first_object<'b, 'a>(v: &'b Value<'a>) -> Option<&'b Object<'a>> {
    v.as_array()?.elements.first()?.as_object()
}

fn is_true(v: &Value) -> bool {
    matches!(v, Value::BooleanLit(b) if b.value)
}

/// `string "12"`, `number 12`, ...: for messages about a value of the wrong type.
fn describe(v: &Value) -> String {
    match v {
        Value::StringLit(s) => format!("string {:?}", s.value),
        Value::NumberLit(n) => format!("number {}", n.value),
        Value::BooleanLit(b) => format!("bool {}", b.value),
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "a list".into(),
        Value::NullKeyword(_) => "null".into(),
    }
}

fn as_string(v: &Value) -> Option<String> {
    v.as_string_lit().map(|s| s.value.to_string())
}
fn as_number(v: &Value) -> Option<f64> {
    v.as_number_lit()
        .and_then(|n| n.value.parse::<f64>().ok())
        .filter(|f| f.is_finite())
}
fn as_bool(v: &Value) -> Option<bool> {
    v.as_boolean_lit().map(|b| b.value)
}

/// Why a value is unknown in the plan. `configured` is false when the plan's `configuration`
/// section does not show the resource, so "omitted" cannot be told from "computed".
fn after_apply(name: &str, configured: bool) -> Unresolved {
    Unresolved {
        what: format!("{name} is known only after apply"),
        hint: if configured {
            "Terraform computes it from a value it knows only after apply (such as another resource's attribute); set it from a constant or a variable so the plan shows it".into()
        } else {
            "the plan's configuration section does not show this resource, so an omitted block (service defaults) cannot be told from a computed one; lint the plan exactly as `terraform show -json` writes it".into()
        },
    }
}

/// One plan document, indexed.
struct Plan<'b, 'a> {
    file: &'b Arc<SourceFile>,
    /// `resource_changes[].address` → `change.after_unknown`.
    changes: HashMap<&'b str, Option<&'b Object<'a>>>,
    config_root: Option<&'b Object<'a>>,
    providers: Option<&'b Object<'a>>,
    /// Root module input variables: `{"region": {"value": "eu-west-2"}}`.
    variables: Option<&'b Object<'a>>,
}

/// One place in a resource seen three ways: the planned value, the `after_unknown` markers and
/// the configuration's `expressions`.
#[derive(Clone, Copy)]
struct Cursor<'b, 'a> {
    value: Option<&'b Object<'a>>,
    unknown: Option<&'b Object<'a>>,
    config: Option<&'b Object<'a>>,
    /// The configuration section shows this resource: a name missing from `config` was not
    /// written (directly; `dynamic` blocks are not shown, see [`map_to_source`]).
    configured: bool,
}

/// A list-nested block with at most one item.
enum Block<'b, 'a> {
    Present(Cursor<'b, 'a>, Span),
    Absent,
    Unknown(Span, Unresolved),
}

impl<'b, 'a> Cursor<'b, 'a> {
    fn written(&self, name: &str) -> bool {
        // `name = null` is written as `{"constant_value": null}`: Terraform treats it as omitted.
        let null = |p: &ObjectProp| {
            p.value
                .as_object()
                .and_then(|o| o.get("constant_value"))
                .is_some_and(|c| matches!(c.value, Value::NullKeyword(_)))
        };
        !self.configured || self.config.and_then(|c| c.get(name)).is_some_and(|p| !null(p))
    }

    /// The `after_unknown` marker for `name` when it is `true`.
    fn unknown_marker(&self, name: &str) -> Option<&'b ObjectProp<'a>> {
        self.unknown.and_then(|u| u.get(name)).filter(|p| is_true(&p.value))
    }

    fn block(&self, plan: &Plan, name: &str) -> Block<'b, 'a> {
        if let Some(prop) = self.value.and_then(|v| v.get(name)) {
            if let Some(first) = first_object(&prop.value) {
                let unknown = self
                    .unknown
                    .and_then(|u| u.get(name))
                    .and_then(|p| first_object(&p.value));
                let config = self
                    .config
                    .and_then(|c| c.get(name))
                    .and_then(|p| first_object(&p.value));
                let cursor = Cursor {
                    value: Some(first),
                    unknown,
                    config,
                    configured: self.configured,
                };
                return Block::Present(cursor, plan.span(prop.range()));
            }
        }
        match self.unknown_marker(name) {
            Some(marker) if self.written(name) => {
                Block::Unknown(plan.span(marker.range()), after_apply(name, self.configured))
            }
            _ => Block::Absent,
        }
    }

    fn setting<T>(&self, plan: &Plan, name: &str, convert: fn(&Value) -> Option<T>, expected: &str) -> Setting<T> {
        if let Some(prop) = self.value.and_then(|v| v.get(name)) {
            if !matches!(prop.value, Value::NullKeyword(_)) {
                let span = plan.span(prop.value.range());
                return match convert(&prop.value) {
                    Some(v) => Setting::known(v, span),
                    None => Setting::Invalid {
                        span,
                        message: format!("expected {expected}, found {}", describe(&prop.value)),
                    },
                };
            }
        }
        match self.unknown_marker(name) {
            Some(marker) if self.written(name) => Setting::Unknown {
                span: plan.span(marker.range()),
                reason: after_apply(name, self.configured),
            },
            _ => Setting::Absent,
        }
    }
}

impl<'b, 'a> Plan<'b, 'a> {
    fn span(&self, r: jsonc_parser::common::Range) -> Span {
        self.file.span(r.start..r.end)
    }

    /// A module of `planned_values`, then its child modules.
    fn module(&self, module: &'b Object<'a>, calls: &mut Vec<ModuleCall>, inv: &mut Inventory) {
        for res in array(module.get("resources")).filter_map(Value::as_object) {
            let is_flink = res.get_string("type").is_some_and(|t| t.value == FLINK_RESOURCE);
            let managed = res.get_string("mode").is_none_or(|m| m.value == "managed");
            if is_flink && managed {
                match res.get_string("address") {
                    Some(addr) => inv
                        .applications
                        .push(self.application(res, addr.value.as_ref(), addr.range, calls)),
                    None => inv.errors.push(InputError::new(
                        self.span(res.range()),
                        format!("{} resource without an address in planned_values", FLINK_RESOURCE),
                    )),
                }
            }
        }
        for child in array(module.get("child_modules")).filter_map(Value::as_object) {
            let Some(addr) = child.get_string("address") else {
                continue;
            };
            if calls.len() >= MAX_MODULE_DEPTH {
                inv.errors.push(InputError::new(
                    self.span(addr.range),
                    format!("modules nest deeper than {MAX_MODULE_DEPTH} levels"),
                ));
                continue;
            }
            calls.push(ModuleCall {
                address: addr.value.to_string(),
                span: self.span(addr.range),
            });
            self.module(child, calls, inv);
            calls.pop();
        }
    }

    /// The `configuration` entry of a resource instance: `module_calls` followed by module name,
    /// then the resource by type and name (instance keys do not exist there).
    fn config_resource(&self, address: &str) -> Option<&'b Object<'a>> {
        let addr = Address::parse(address)?;
        let mut module = self.config_root?;
        for m in &addr.modules {
            module = module.get_object("module_calls")?.get_object(m)?.get_object("module")?;
        }
        array(module.get("resources")).filter_map(Value::as_object).find(|r| {
            r.get_string("type").is_some_and(|t| t.value == addr.rtype)
                && r.get_string("name").is_some_and(|n| n.value == addr.name)
                && r.get_string("mode").is_none_or(|m| m.value == "managed")
        })
    }

    fn application(
        &self,
        res: &'b Object<'a>,
        address: &str,
        addr_range: jsonc_parser::common::Range,
        calls: &[ModuleCall],
    ) -> Application {
        let mut app = Application::new(address, InputFormat::TerraformPlan, self.span(addr_range));
        app.module_calls = calls.to_vec();
        let conf = self.config_resource(address);
        let root = Cursor {
            value: res.get_object("values"),
            unknown: self.changes.get(address).copied().flatten(),
            config: conf.and_then(|c| c.get_object("expressions")),
            configured: conf.is_some(),
        };
        app.runtime_environment = root.setting(self, "runtime_environment", as_string, "a string");
        app.region = self.region(&root, conf);
        app.tags = self.tags(&root);
        let unknown_block = |app: &mut Application, span: Span, reason: Unresolved| {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
        };
        let ac = match root.block(self, "application_configuration") {
            Block::Present(ac, _) => ac,
            Block::Absent => return app,
            Block::Unknown(span, reason) => {
                unknown_block(&mut app, span, reason);
                return app;
            }
        };
        match ac.block(self, "application_snapshot_configuration") {
            Block::Present(snap, _) => {
                app.snapshots_enabled = snap.setting(self, "snapshots_enabled", as_bool, "a bool");
            }
            Block::Unknown(span, reason) => app.snapshots_enabled = Setting::Unknown { span, reason },
            Block::Absent => {}
        }
        let fc = match ac.block(self, "flink_application_configuration") {
            Block::Present(fc, _) => fc,
            Block::Absent => return app,
            Block::Unknown(span, reason) => {
                unknown_block(&mut app, span, reason);
                return app;
            }
        };
        match fc.block(self, "parallelism_configuration") {
            Block::Present(pc, span) => {
                app.parallelism = ParallelismConfig {
                    block: Some(span),
                    configuration_type: pc.setting(self, "configuration_type", as_string, "a string"),
                    parallelism: pc.setting(self, "parallelism", as_number, "a number"),
                    parallelism_per_kpu: pc.setting(self, "parallelism_per_kpu", as_number, "a number"),
                    auto_scaling_enabled: pc.setting(self, "auto_scaling_enabled", as_bool, "a bool"),
                };
            }
            Block::Unknown(span, reason) => unknown_block(&mut app, span, reason),
            Block::Absent => {}
        }
        app
    }

    /// The resource's own `region` (aws provider ≥ 6), else its provider configuration's.
    fn region(&self, root: &Cursor<'b, 'a>, conf: Option<&'b Object<'a>>) -> Setting<String> {
        match root.setting(self, "region", as_string, "a string") {
            Setting::Absent => {}
            s => return s,
        }
        let key = conf
            .and_then(|c| c.get_string("provider_config_key"))
            .map(|k| k.value.as_ref())
            .unwrap_or("aws");
        let Some(provider) = self
            .providers
            .and_then(|p| p.get_object(key).or_else(|| p.get_object("aws")))
        else {
            return Setting::Absent;
        };
        let Some(region) = provider.get_object("expressions").and_then(|e| e.get_object("region")) else {
            return Setting::Absent;
        };
        if let Some(c) = region.get("constant_value") {
            let span = self.span(c.value.range());
            return match as_string(&c.value) {
                Some(r) => Setting::known(r, span),
                None => Setting::Invalid {
                    span,
                    message: format!("expected a string, found {}", describe(&c.value)),
                },
            };
        }
        // `region = var.x` in the root module: the plan records the variable's value.
        let refs: Vec<&str> = array(region.get("references"))
            .filter_map(|r| r.as_string_lit().map(|s| s.value.as_ref()))
            .collect();
        if let ([only], None) = (refs.as_slice(), provider.get("module_address")) {
            if let Some(name) = only.strip_prefix("var.") {
                let value = self
                    .variables
                    .and_then(|v| v.get_object(name))
                    .and_then(|v| v.get("value"));
                if let Some(v) = value {
                    if let Some(r) = as_string(&v.value) {
                        return Setting::known(r, self.span(v.value.range()));
                    }
                }
            }
        }
        Setting::Unknown {
            span: self.span(region.range()),
            reason: Unresolved {
                what: format!(
                    "the region of provider \"{key}\" is an expression the plan does not evaluate ({})",
                    if refs.is_empty() { "no references".to_string() } else { refs.join(", ") }
                ),
                hint: "set the provider's region to a constant or a root variable, or set the default region in .kpulint.hcl".into(),
            },
        }
    }

    /// `tags`, or `tags_all` when `tags` is null; tags known only after apply are `Unknown`.
    fn tags(&self, root: &Cursor<'b, 'a>) -> Vec<Tag> {
        let written = |o: Option<&'b Object<'a>>, k: &str| {
            o.and_then(|o| o.get(k))
                .is_some_and(|p| p.value.as_object().is_some() || is_true(&p.value))
        };
        let field = if written(root.value, "tags") || written(root.unknown, "tags") {
            "tags"
        } else {
            "tags_all"
        };
        let mut out = Vec::new();
        let known = root.value.and_then(|v| v.get_object(field));
        for prop in known.map(|o| o.properties.as_slice()).unwrap_or_default() {
            let key = prop.name.as_str().to_string();
            let span = self.span(prop.value.range());
            let value = match &prop.value {
                Value::NullKeyword(_) => continue,
                Value::StringLit(s) => Setting::known(s.value.to_string(), span),
                other => Setting::Invalid {
                    span,
                    message: format!("tag values must be strings, found {}", describe(other)),
                },
            };
            out.push(Tag { key, value });
        }
        let unknown = root.unknown.and_then(|u| u.get_object(field));
        for prop in unknown.map(|o| o.properties.as_slice()).unwrap_or_default() {
            let key = prop.name.as_str();
            if is_true(&prop.value) && !out.iter().any(|t| t.key == key) {
                out.push(Tag {
                    key: key.to_string(),
                    value: Setting::Unknown {
                        span: self.span(prop.range()),
                        reason: after_apply(&format!("tag \"{key}\""), true),
                    },
                });
            }
        }
        out
    }
}

/// A resource instance address, split: `module.a["k"].module.b[0].aws_x.y[1]`.
#[derive(Debug, PartialEq)]
struct Address {
    /// Module call names, outermost first (`a`, `b`), without instance keys.
    modules: Vec<String>,
    rtype: String,
    name: String,
}

impl Address {
    /// `None` for data sources and anything that is not an address.
    fn parse(address: &str) -> Option<Address> {
        let mut rest = address;
        let mut modules = Vec::new();
        while let Some(r) = rest.strip_prefix("module.") {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            modules.push(r[..end].to_string());
            rest = skip_key(&r[end..])?.strip_prefix('.')?;
        }
        if rest.starts_with("data.") {
            return None;
        }
        let (rtype, r) = rest.split_once('.')?;
        let end = r.find('[').unwrap_or(r.len());
        let name = &r[..end];
        if rtype.is_empty() || name.is_empty() || !skip_key(&r[end..])?.is_empty() {
            return None;
        }
        Some(Address {
            modules,
            rtype: rtype.to_string(),
            name: name.to_string(),
        })
    }
}

/// Skips an instance key (`[0]`, `["a.b"]`), if there is one.
fn skip_key(s: &str) -> Option<&str> {
    let Some(inner) = s.strip_prefix('[') else {
        return Some(s);
    };
    if let Some(q) = inner.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in q.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return q[i + 1..].strip_prefix(']'),
                _ => {}
            }
        }
        None
    } else {
        inner.find(']').map(|i| &inner[i + 1..])
    }
}

// ---------------------------------------------------------------------------------------------
// Mapping plan values back to the .tf files

/// Points plan applications at the `.tf` source they were planned from.
///
/// `source_dir` is the root module directory (`--source-dir`); without it, a plan file's own
/// directory is used when it holds `.tf` files (never for standard input). Each application's
/// resource block is found by its address without instance keys, following local module calls
/// (and modules `terraform init` downloaded, through `.terraform/modules/modules.json`). Then:
/// - every known parallelism setting gets an [`Origin`] at its `.tf` attribute value,
/// - module calls point at their `module "x"` headers,
/// - an unknown setting's hint says where and how it is written,
/// - a block written with `dynamic` (which the plan's configuration section does not show) and
///   not shown by the plan either is unknown, not the service defaults.
///
/// A resource that cannot be found is a notice.
pub fn map_to_source(inv: &mut Inventory, source_dir: Option<&Path>) {
    if let Some(dir) = source_dir {
        if !dir.is_dir() {
            let f = SourceFile::new(display(dir), "");
            inv.errors.push(InputError::new(
                f.whole(),
                format!("--source-dir {}: not a directory", display(dir)),
            ));
            return;
        }
    }
    let mut sources = Sources::default();
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    let mut notices = Vec::new();
    for app in inv
        .applications
        .iter_mut()
        .filter(|a| a.format == InputFormat::TerraformPlan)
    {
        let root = match source_dir {
            Some(d) => normalize(d),
            None => {
                let path = app.span.path();
                if path == "<stdin>" {
                    continue;
                }
                let parent = match Path::new(path).parent() {
                    Some(p) if !p.as_os_str().is_empty() => normalize(p),
                    _ => PathBuf::from("."),
                };
                if !sources.has_tf_files(&parent) {
                    continue;
                }
                parent
            }
        };
        if let Err(message) = map_application(app, &root, &mut sources, &mut notices) {
            // One notice per resource block, not per instance.
            let key = Address::parse(&app.address)
                .map(|a| format!("{:?}.{}.{}", a.modules, a.rtype, a.name))
                .unwrap_or_else(|| app.address.clone());
            if reported.insert((app.span.path().to_string(), key)) {
                notices.push(Notice {
                    span: Some(app.span.clone()),
                    message,
                });
            }
        }
    }
    inv.notices.extend(notices);
}

/// `.tf` files read for mapping, by normalised directory.
#[derive(Default)]
struct Sources {
    dirs: BTreeMap<PathBuf, Rc<Vec<TfFile>>>,
    has_tf: BTreeMap<PathBuf, bool>,
    installed: BTreeMap<PathBuf, BTreeMap<String, PathBuf>>,
}

impl Sources {
    fn tf_paths(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file() && matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)))
            .map(|p| clean(&p))
            .collect();
        // Override files (`override.tf`, `*_override.tf`) only amend blocks: look in them last.
        out.sort_by_key(|p| {
            let stem = p
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.trim_end_matches(".json").trim_end_matches(".tf").to_string())
                .unwrap_or_default();
            (stem == "override" || stem.ends_with("_override"), p.clone())
        });
        out
    }

    fn has_tf_files(&mut self, dir: &Path) -> bool {
        *self
            .has_tf
            .entry(dir.to_path_buf())
            .or_insert_with(|| !Self::tf_paths(dir).is_empty())
    }

    fn module(&mut self, dir: &Path, notices: &mut Vec<Notice>) -> Rc<Vec<TfFile>> {
        if let Some(m) = self.dirs.get(dir) {
            return Rc::clone(m);
        }
        let mut files = Vec::new();
        for path in Self::tf_paths(dir) {
            let parsed = super::read_source(&path).and_then(|f| match FileKind::of(&path) {
                Some(FileKind::TfJson) => super::tf_json::parse_tf_json(&f),
                _ => super::hcl::parse_tf(&f),
            });
            match parsed {
                Ok(tf) => files.push(tf),
                Err(e) => notices.push(Notice {
                    span: Some(e.span),
                    message: format!("{} (plan values are not mapped to this file)", e.message),
                }),
            }
        }
        let files = Rc::new(files);
        self.dirs.insert(dir.to_path_buf(), Rc::clone(&files));
        files
    }

    /// Where `terraform init` downloaded the module with this key (`a.b`), for a root.
    fn installed(&mut self, root: &Path, key: &str) -> Option<PathBuf> {
        self.installed
            .entry(root.to_path_buf())
            .or_insert_with(|| super::installed_modules(root))
            .get(key)
            .cloned()
    }
}

/// Finds one application's resource block and records where its values are written.
fn map_application(
    app: &mut Application,
    root: &Path,
    sources: &mut Sources,
    notices: &mut Vec<Notice>,
) -> Result<(), String> {
    let Some(addr) = Address::parse(&app.address) else {
        return Err(format!(
            "{}: not a resource address kpulint can map to source",
            app.address
        ));
    };
    let mut dir = root.to_path_buf();
    let mut key = String::new();
    for (i, name) in addr.modules.iter().enumerate() {
        let files = sources.module(&dir, notices);
        let Some(call) = files.iter().flat_map(|f| f.modules.iter()).find(|c| c.name == *name) else {
            return Err(format!(
                "{}: no module \"{name}\" in the .tf files of {}, so plan values are shown without their source",
                app.address,
                display(&dir)
            ));
        };
        if let Some(mc) = app.module_calls.get_mut(i) {
            mc.span = call.header.clone();
        }
        key = if key.is_empty() {
            name.clone()
        } else {
            format!("{key}.{name}")
        };
        dir = match module_source(call, &dir) {
            ModuleSource::Local(p) => p,
            ModuleSource::Remote(src) => match sources.installed(root, &key) {
                Some(p) => p,
                None => {
                    return Err(format!(
                        "{}: module.{name} (source \"{src}\") was not followed: run `terraform init` in {} so .terraform/modules/modules.json records where it was downloaded",
                        app.address,
                        display(root)
                    ))
                }
            },
            ModuleSource::Missing => {
                return Err(format!(
                    "{}: module \"{name}\" has no source kpulint can follow",
                    app.address
                ))
            }
        };
    }
    let files = sources.module(&dir, notices);
    let Some(res) = files
        .iter()
        .flat_map(|f| f.resources.iter())
        .find(|r| r.rtype == addr.rtype && r.name == addr.name)
    else {
        return Err(format!(
            "{}: no resource \"{}\" \"{}\" in the .tf files of {}, so plan values are shown without their source",
            app.address,
            addr.rtype,
            addr.name,
            display(&dir)
        ));
    };
    apply_source(app, res);
    Ok(())
}

/// A nested block written directly or as `dynamic "ident" { content { ... } }`.
struct TfBlock<'r> {
    body: &'r BodyNode,
    span: &'r Span,
    dynamic: bool,
}

fn tf_block<'r>(body: &'r BodyNode, ident: &'r str) -> Option<TfBlock<'r>> {
    if let Some(b) = body.blocks(ident).next() {
        return Some(TfBlock {
            body: &b.body,
            span: &b.span,
            dynamic: false,
        });
    }
    let d: &BlockNode = body
        .blocks("dynamic")
        .find(|b| b.labels.first().map(String::as_str) == Some(ident))?;
    let content = d.body.blocks("content").next()?;
    Some(TfBlock {
        body: &content.body,
        span: &d.span,
        dynamic: true,
    })
}

fn file_name(span: &Span) -> String {
    Path::new(span.path())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| span.path().to_string())
}

/// `length(aws_iam_role.flink.unique_id)` at main.tf:28:32
fn written_as(span: &Span) -> String {
    let text: String = span.text().split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    };
    let l = span.location();
    format!("`{text}` at {}:{}:{}", span.path(), l.line, l.column)
}

fn apply_source(app: &mut Application, res: &Resource) {
    let ac = tf_block(&res.body, "application_configuration");
    let fc = ac
        .as_ref()
        .and_then(|b| tf_block(b.body, "flink_application_configuration"));
    let pc = fc.as_ref().and_then(|b| tf_block(b.body, "parallelism_configuration"));
    let dynamic = [&ac, &fc, &pc].iter().any(|b| b.as_ref().is_some_and(|b| b.dynamic));

    let p = &mut app.parallelism;
    if p.block.is_none() && !p.configuration_type.is_written() && dynamic && pc.is_some() {
        // Written through `dynamic`, which the configuration section does not show, and not in
        // the planned values: its for_each is known only after apply (or empty).
        if let Some(b) = [&pc, &fc, &ac].into_iter().flatten().find(|b| b.dynamic) {
            let l = b.span.location();
            p.configuration_type = Setting::Unknown {
                span: app.span.clone(),
                reason: Unresolved {
                    what: "parallelism_configuration is known only after apply".into(),
                    hint: format!(
                        "it is written in a dynamic block at {}:{}:{} whose for_each the plan does not resolve (if it is empty, the service defaults apply); write the block directly",
                        b.span.path(),
                        l.line,
                        l.column
                    ),
                },
            };
        }
        return;
    }
    let Some(pc) = pc else { return };
    let block_span = p.block.clone();
    let attr = |name: &str| -> Option<&Attr> { pc.body.attr(name) };
    map_setting(
        &mut p.configuration_type,
        attr("configuration_type"),
        "configuration_type",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.parallelism,
        attr("parallelism"),
        "parallelism",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.parallelism_per_kpu,
        attr("parallelism_per_kpu"),
        "parallelism_per_kpu",
        dynamic,
        &block_span,
    );
    map_setting(
        &mut p.auto_scaling_enabled,
        attr("auto_scaling_enabled"),
        "auto_scaling_enabled",
        dynamic,
        &block_span,
    );
}

fn map_setting<T>(setting: &mut Setting<T>, attr: Option<&Attr>, name: &str, dynamic: bool, block: &Option<Span>) {
    let Some(attr) = attr else { return };
    match setting {
        Setting::Known { origin, .. } => {
            *origin = Some(Origin {
                span: attr.expr.span.clone(),
                label: format!("written at {}", file_name(&attr.expr.span)),
            });
        }
        Setting::Unknown { reason, .. } => {
            reason.hint = format!("it is written as {}; {}", written_as(&attr.expr.span), reason.hint);
        }
        // In a dynamic block the configuration section shows nothing, so an unknown value
        // looked omitted: written but not planned means known only after apply.
        Setting::Absent if dynamic && !matches!(attr.expr.kind, ExprKind::Null) => {
            if let Some(span) = block {
                *setting = Setting::Unknown {
                    span: span.clone(),
                    reason: Unresolved {
                        what: format!("{name} is known only after apply"),
                        hint: format!(
                            "it is written as {} in a dynamic block; set it from a constant or a variable so the plan shows it",
                            written_as(&attr.expr.span)
                        ),
                    },
                };
            }
        }
        Setting::Absent | Setting::Invalid { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Inventory {
        parse(&SourceFile::new("plan.json", text.to_string()))
    }

    fn only_error(inv: &Inventory) -> &InputError {
        assert_eq!(
            inv.errors.len(),
            1,
            "{:?}",
            inv.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        &inv.errors[0]
    }

    /// A plan with one resource per `(address, values, after_unknown, expressions)`, where the
    /// address decides the module nesting (`module.m["k"]` prefixes).
    fn doc(resources: &[(&str, &str, &str, Option<&str>)], provider_region: &str) -> String {
        let mut planned = Vec::new();
        let mut changes = Vec::new();
        let mut config = Vec::new();
        for (addr, values, unknown, expressions) in resources {
            let a = Address::parse(addr).unwrap();
            planned.push(format!(
                r#"{{"address":"{}","mode":"managed","type":"{}","name":"{}","values":{values}}}"#,
                addr.replace('"', "\\\""),
                a.rtype,
                a.name
            ));
            changes.push(format!(
                r#"{{"address":"{}","type":"{}","change":{{"actions":["create"],"after":{values},"after_unknown":{unknown}}}}}"#,
                addr.replace('"', "\\\""),
                a.rtype
            ));
            if let Some(e) = expressions {
                config.push(format!(
                    r#"{{"address":"{}.{}","mode":"managed","type":"{}","name":"{}","provider_config_key":"aws","expressions":{e}}}"#,
                    a.rtype, a.name, a.rtype, a.name
                ));
            }
        }
        format!(
            r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{"resources":[{}]}}}},"resource_changes":[{}],"configuration":{{"provider_config":{{"aws":{{"name":"aws","expressions":{{"region":{provider_region}}}}}}},"root_module":{{"resources":[{}]}}}}}}"#,
            planned.join(","),
            changes.join(","),
            config.join(",")
        )
    }

    const CUSTOM_12: &str = r#"{"application_configuration":[{"application_snapshot_configuration":[{"snapshots_enabled":true}],"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":false,"configuration_type":"CUSTOM","parallelism":12,"parallelism_per_kpu":1}]}]}],"name":"orders-join","runtime_environment":"FLINK-1_20","tags":{"team":"orders","kpulint:state_size":"240GB","kpulint:ignore":"KPU004 reason=cutover until=2027-01-31"},"tags_all":{"team":"x"}}"#;
    const CUSTOM_12_EXPR: &str = r#"{"application_configuration":[{"application_snapshot_configuration":[{"snapshots_enabled":{"constant_value":true}}],"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":{"constant_value":false},"configuration_type":{"constant_value":"CUSTOM"},"parallelism":{"constant_value":12},"parallelism_per_kpu":{"constant_value":1}}]}]}],"name":{"constant_value":"orders-join"},"runtime_environment":{"constant_value":"FLINK-1_20"}}"#;

    #[test]
    fn planned_values_are_read_with_exact_spans() {
        let text = doc(
            &[(
                "aws_kinesisanalyticsv2_application.orders_join",
                CUSTOM_12,
                "{}",
                Some(CUSTOM_12_EXPR),
            )],
            r#"{"constant_value":"eu-west-2"}"#,
        );
        let inv = plan(&text);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.applications.len(), 1);
        let app = &inv.applications[0];
        assert_eq!(app.address, "aws_kinesisanalyticsv2_application.orders_join");
        assert_eq!(app.format, InputFormat::TerraformPlan);
        assert_eq!(app.span.text(), "\"aws_kinesisanalyticsv2_application.orders_join\"");
        let pc = &app.parallelism;
        assert_eq!(pc.configuration_type.value().map(String::as_str), Some("CUSTOM"));
        assert_eq!(pc.parallelism.value(), Some(&12.0));
        assert_eq!(pc.parallelism_per_kpu.value(), Some(&1.0));
        assert_eq!(pc.auto_scaling_enabled.value(), Some(&false));
        assert_eq!(app.snapshots_enabled.value(), Some(&true));
        assert_eq!(app.runtime_environment.value().map(String::as_str), Some("FLINK-1_20"));
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        assert_eq!(app.region.span().unwrap().text(), "\"eu-west-2\"");
        // Exact line and column (in characters) of the parallelism value in the one-line plan.
        let span = pc.parallelism.span().unwrap();
        assert_eq!(span.text(), "12");
        let col = text.find("\"parallelism\":12").unwrap() + "\"parallelism\":".len();
        assert_eq!(span.location().line, 1);
        assert_eq!(span.location().column, col + 1);
        // tags (not tags_all).
        assert_eq!(app.tags.len(), 3);
        assert_eq!(app.tag("kpulint:state_size").unwrap().value.value().unwrap(), "240GB");
        // The ignore tag reaches the suppression logic through `tags` (see `lint::ignore_tag`).
        assert_eq!(
            app.tag("kpulint:ignore").unwrap().value.value().unwrap(),
            "KPU004 reason=cutover until=2027-01-31"
        );
    }

    #[test]
    fn tags_all_when_tags_is_null() {
        let values = r#"{"runtime_environment":"FLINK-1_20","tags":null,"tags_all":{"kpulint:state_size":"10GB"}}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.a", values, "{}", Some("{}"))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        let app = &inv.applications[0];
        assert_eq!(app.tag("kpulint:state_size").unwrap().value.value().unwrap(), "10GB");
    }

    #[test]
    fn module_and_for_each_addresses() {
        let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[
            {"address":"module.orders[\"prod\"]","resources":[{"address":"module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{"runtime_environment":"FLINK-1_20"}}]},
            {"address":"module.orders[\"staging\"]","resources":[{"address":"module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{}}]},
            {"address":"module.payments[0]","child_modules":[{"address":"module.payments[0].module.inner","resources":[{"address":"module.payments[0].module.inner.aws_kinesisanalyticsv2_application.x[2]","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"x","index":2,"values":{}}]}]}
        ],"resources":[{"address":"data.aws_kinesisanalyticsv2_application.d","mode":"data","type":"aws_kinesisanalyticsv2_application","name":"d","values":{}}]}}}"#;
        let inv = plan(text);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let addrs: Vec<&str> = inv.applications.iter().map(|a| a.address.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this",
                "module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this",
                "module.payments[0].module.inner.aws_kinesisanalyticsv2_application.x[2]",
            ]
        );
        let nested = &inv.applications[2];
        let calls: Vec<&str> = nested.module_calls.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(calls, ["module.payments[0]", "module.payments[0].module.inner"]);
        assert_eq!(nested.module_calls[0].span.text(), "\"module.payments[0]\"");
        assert_eq!(nested.module_calls[0].span.location().line, 4);
    }

    #[test]
    fn addresses_split_into_modules_type_and_name() {
        let a = Address::parse(r#"module.a["x.y]\"z"].module.b[0].aws_kinesisanalyticsv2_application.c["k"]"#).unwrap();
        assert_eq!(a.modules, ["a", "b"]);
        assert_eq!(a.rtype, "aws_kinesisanalyticsv2_application");
        assert_eq!(a.name, "c");
        assert!(Address::parse("data.aws_x.y").is_none());
        assert!(Address::parse("module.a[0].aws_x").is_none());
        assert!(Address::parse("aws_x.y[0").is_none());
    }

    #[test]
    fn after_unknown_becomes_unknown() {
        let values = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"auto_scaling_enabled":false,"configuration_type":"CUSTOM","parallelism_per_kpu":1}]}]}],"runtime_environment":"FLINK-1_20"}"#;
        let unknown = r#"{"application_configuration":[{"application_snapshot_configuration":true,"flink_application_configuration":[{"parallelism_configuration":[{"parallelism":true}]}]}],"arn":true}"#;
        let exprs = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":{"constant_value":"CUSTOM"},"parallelism":{"references":["aws_iam_role.flink.unique_id","aws_iam_role.flink"]},"parallelism_per_kpu":{"constant_value":1},"auto_scaling_enabled":{"constant_value":false}}]}]}]}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.late", values, unknown, Some(exprs))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        let app = &inv.applications[0];
        match &app.parallelism.parallelism {
            Setting::Unknown { span, reason } => {
                assert_eq!(reason.what, "parallelism is known only after apply");
                assert_eq!(span.text(), "\"parallelism\":true");
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert_eq!(app.parallelism.parallelism_per_kpu.value(), Some(&1.0));
        // The snapshot block is computed but not written: omitted, not unknown.
        assert!(matches!(app.snapshots_enabled, Setting::Absent));

        // A deposed object with the same address does not hide the current one's markers.
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.late", values, unknown, Some(exprs))],
            r#"{"constant_value":"us-east-1"}"#,
        )
        .replacen(
            r#""resource_changes":[{"#,
            r#""resource_changes":[{"address":"aws_kinesisanalyticsv2_application.late","deposed":"00000001","change":{"actions":["delete"],"after":null,"after_unknown":{}}},{"#,
            1,
        );
        let inv = plan(&text);
        assert!(matches!(
            inv.applications[0].parallelism.parallelism,
            Setting::Unknown { .. }
        ));
    }

    /// Trimmed from the infracost plan in the corpus: `application_configuration` omitted.
    const INFRACOST_FLINK: &str = r#"{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{"root_module":{"resources":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"cloudwatch_logging_options":[],"description":null,"force_stop":null,"name":"example-flink-application","runtime_environment":"FLINK-1_8","start_application":null,"tags":null,"timeouts":null},"sensitive_values":{"application_configuration":[],"cloudwatch_logging_options":[],"tags_all":{}}}]}},"resource_changes":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"cloudwatch_logging_options":[],"description":null,"force_stop":null,"name":"example-flink-application","runtime_environment":"FLINK-1_8","start_application":null,"tags":null,"timeouts":null},"after_unknown":{"application_configuration":true,"application_mode":true,"arn":true,"cloudwatch_logging_options":[],"create_timestamp":true,"id":true,"last_update_timestamp":true,"service_execution_role":true,"status":true,"tags_all":true,"version_id":true},"before_sensitive":false,"after_sensitive":{"application_configuration":[],"cloudwatch_logging_options":[],"tags_all":{}}}}],"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","expressions":{"access_key":{"constant_value":"mock_access_key"},"region":{"constant_value":"eu-west-2"}}}},"root_module":{"resources":[{"address":"aws_kinesisanalyticsv2_application.flink","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"flink","provider_config_key":"aws","expressions":{"name":{"constant_value":"example-flink-application"},"runtime_environment":{"constant_value":"FLINK-1_8"},"service_execution_role":{"references":["aws_iam_role.example.arn","aws_iam_role.example"]}},"schema_version":0}]}},"timestamp":"2026-11-26T11:25:40Z","applyable":true,"complete":true,"errored":false}"#;

    #[test]
    fn omitted_block_means_service_defaults() {
        let inv = plan(INFRACOST_FLINK);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let app = &inv.applications[0];
        assert!(app.parallelism.block.is_none());
        assert!(matches!(app.parallelism.configuration_type, Setting::Absent));
        assert!(matches!(app.parallelism.parallelism, Setting::Absent));
        assert!(app.tags.is_empty(), "tags null, tags_all unknown");
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        assert_eq!(app.runtime_environment.value().map(String::as_str), Some("FLINK-1_8"));
    }

    #[test]
    fn written_but_computed_block_is_unknown() {
        // The same plan, but the configuration says application_configuration was written.
        let text = INFRACOST_FLINK.replace(
            r#""expressions":{"name":{"constant_value":"example-flink-application"}"#,
            r#""expressions":{"application_configuration":[{}],"name":{"constant_value":"example-flink-application"}"#,
        );
        let app = &plan(&text).applications[0];
        match &app.parallelism.configuration_type {
            Setting::Unknown { span, reason } => {
                assert_eq!(span.text(), "\"application_configuration\":true");
                assert_eq!(reason.what, "application_configuration is known only after apply");
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert!(app.parallelism.block.is_some());
        // Without a configuration section, omitted cannot be told from computed: not guessed.
        let start = text.find(r#","configuration":"#).unwrap();
        let end = text.find(r#","timestamp""#).unwrap();
        let bare = format!("{}{}", &text[..start], &text[end..]);
        let app = &plan(&bare).applications[0];
        assert!(matches!(app.parallelism.configuration_type, Setting::Unknown { .. }));
    }

    #[test]
    fn region_from_a_root_variable() {
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.a", "{}", "{}", Some("{}"))],
            r#"{"references":["var.region"]}"#,
        )
        .replacen(
            r#""planned_values""#,
            r#""variables":{"region":{"value":"eu-west-2"}},"planned_values""#,
            1,
        );
        let app = &plan(&text).applications[0];
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.a", "{}", "{}", Some("{}"))],
            r#"{"references":["data.aws_region.x.name","data.aws_region.x"]}"#,
        );
        assert!(matches!(plan(&text).applications[0].region, Setting::Unknown { .. }));
        // The resource's own region (aws provider 6) wins.
        let text = doc(
            &[(
                "aws_kinesisanalyticsv2_application.a",
                r#"{"region":"ap-south-1"}"#,
                "{}",
                Some("{}"),
            )],
            r#"{"constant_value":"us-east-1"}"#,
        );
        assert_eq!(
            plan(&text).applications[0].region.value().map(String::as_str),
            Some("ap-south-1")
        );
    }

    #[test]
    fn wrong_types_are_invalid() {
        let values = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":"CUSTOM","parallelism":"lots"}]}]}]}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.a", values, "{}", Some("{}"))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        match &inv.applications[0].parallelism.parallelism {
            Setting::Invalid { message, span } => {
                assert_eq!(message, "expected a number, found string \"lots\"");
                assert_eq!(span.text(), "\"lots\"");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn unsupported_format_version() {
        let inv = plan("{\n  \"format_version\": \"2.0\",\n  \"planned_values\": {}\n}\n");
        let e = only_error(&inv);
        assert_eq!(
            e.message,
            "unsupported plan format_version 2.0 (kpulint reads 0.x and 1.x)"
        );
        assert_eq!(e.span.text(), "\"2.0\"");
        let l = e.span.location();
        assert_eq!((l.line, l.column), (2, 21));
        for ok in ["0.1", "0.2", "1.0", "1.2"] {
            let inv = plan(&format!(r#"{{"format_version":"{ok}","planned_values":{{}}}}"#));
            assert!(inv.errors.is_empty(), "{ok}: {:?}", inv.errors);
        }
        let inv = plan(r#"{"format_version":1,"planned_values":{}}"#);
        assert!(only_error(&inv).message.contains("must be a string"));
    }

    #[test]
    fn json_that_is_not_a_plan() {
        for text in [
            "[1, 2]",
            r#"{"Resources": {}}"#,
            r#"{"format_version":"1.0","values":{"root_module":{}}}"#,
            "",
        ] {
            let inv = plan(text);
            assert!(inv.applications.is_empty());
            let e = only_error(&inv);
            assert!(e.message.starts_with("plan.json "), "{text}: {}", e.message);
        }
        let inv = plan(r#"{"format_version":"1.0","values":{"root_module":{}}}"#);
        assert!(only_error(&inv).message.contains("state"));
    }

    #[test]
    fn malformed_json_is_located() {
        let text = "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\"root_module\": {},}\n}";
        let inv = plan(text);
        let e = only_error(&inv);
        assert!(e.message.starts_with("invalid JSON in plan.json: "), "{}", e.message);
        let l = e.span.location();
        assert_eq!((l.line, l.column), (3, 39), "{}", e.message);
        // Comments are JSON5, not JSON.
        let inv = plan("{\"format_version\": \"1.2\", // x\n\"planned_values\": {}}");
        assert_eq!(only_error(&inv).span.location().line, 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let deep = format!(
                    "{{\"format_version\":\"1.2\",\"planned_values\":{}1{}}}",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                );
                let inv = plan(&deep);
                assert!(inv.applications.is_empty());
                let msg = only_error(&inv).message.clone();
                // Nesting the parser accepts, walked without recursion into values.
                let ok = format!(
                    "{{\"format_version\":\"1.2\",\"planned_values\":{{\"root_module\":{{\"resources\":{}1{}}}}}}}",
                    "[".repeat(500),
                    "]".repeat(500)
                );
                let inv2 = plan(&ok);
                (msg, inv2.errors.len(), inv2.applications.len())
            })
            .unwrap();
        let (msg, errors, apps) = handle.join().expect("no stack overflow");
        assert!(msg.contains("nesting"), "{msg}");
        assert_eq!((errors, apps), (0, 0));
    }

    #[test]
    fn dynamic_blocks_are_mapped_as_unknown_not_defaults() {
        // The plan shows neither the block (for_each unknown) nor, in its configuration, the
        // dynamic block; the .tf source does.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "flink" {
  dynamic "application_configuration" {
    for_each = aws_iam_role.r.id == "" ? [] : [1]
    content {
      flink_application_configuration {
        parallelism_configuration {
          configuration_type = "CUSTOM"
          parallelism        = 4
        }
      }
    }
  }
}
"#,
        )
        .unwrap();
        let mut inv = plan(INFRACOST_FLINK);
        assert!(matches!(
            inv.applications[0].parallelism.configuration_type,
            Setting::Absent
        ));
        map_to_source(&mut inv, Some(dir.path()));
        assert!(inv.notices.is_empty(), "{:?}", inv.notices);
        match &inv.applications[0].parallelism.configuration_type {
            Setting::Unknown { reason, .. } => {
                assert!(reason.hint.contains("dynamic block at "), "{}", reason.hint);
                assert!(reason.hint.contains("main.tf:2:3"), "{}", reason.hint);
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
    }

    #[test]
    fn source_mapping_follows_downloaded_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("main.tf"),
            "module \"kda\" {\n  source  = \"acme/flink/aws\"\n  version = \"1.0.0\"\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join(".terraform/modules/kda")).unwrap();
        std::fs::write(
            root.join(".terraform/modules/modules.json"),
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"kda","Source":"registry.terraform.io/acme/flink/aws","Version":"1.0.0","Dir":".terraform/modules/kda"}]}"#,
        )
        .unwrap();
        std::fs::write(
            root.join(".terraform/modules/kda/main.tf"),
            "resource \"aws_kinesisanalyticsv2_application\" \"this\" {\n  application_configuration {\n    flink_application_configuration {\n      parallelism_configuration {\n        configuration_type = \"DEFAULT\"\n      }\n    }\n  }\n}\n",
        )
        .unwrap();
        let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.kda","resources":[{"address":"module.kda.aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":"DEFAULT"}]}]}]}}]}]}}}"#;
        let mut inv = plan(text);
        map_to_source(&mut inv, Some(root));
        assert!(inv.notices.is_empty(), "{:?}", inv.notices);
        let app = &inv.applications[0];
        let origin = app.parallelism.configuration_type.origin().expect("origin");
        assert!(
            origin.span.path().ends_with(".terraform/modules/kda/main.tf"),
            "{}",
            origin.span.path()
        );
        assert_eq!(origin.span.location().line, 5);
        assert_eq!(app.module_calls[0].span.text(), "module \"kda\"");
    }

    #[test]
    fn dynamic_block_without_parallelism_configuration_keeps_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "flink" {
  dynamic "application_configuration" {
    for_each = var.code == null ? [] : [1]
    content {
      application_code_configuration {
        code_content_type = "ZIPFILE"
      }
    }
  }
}
"#,
        )
        .unwrap();
        let mut inv = plan(INFRACOST_FLINK);
        map_to_source(&mut inv, Some(dir.path()));
        assert!(matches!(
            inv.applications[0].parallelism.configuration_type,
            Setting::Absent
        ));
    }

    #[test]
    fn source_mapping_sets_origins_and_reports_missing_resources() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            r#"resource "aws_kinesisanalyticsv2_application" "orders_join" {
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = 12
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }
}
"#,
        )
        .unwrap();
        let text = doc(
            &[
                (
                    "aws_kinesisanalyticsv2_application.orders_join",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
                (
                    "aws_kinesisanalyticsv2_application.elsewhere[0]",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
                (
                    "aws_kinesisanalyticsv2_application.elsewhere[1]",
                    CUSTOM_12,
                    "{}",
                    Some(CUSTOM_12_EXPR),
                ),
            ],
            r#"{"constant_value":"us-east-1"}"#,
        );
        let mut inv = plan(&text);
        map_to_source(&mut inv, Some(dir.path()));
        let pc = &inv.applications[0].parallelism;
        let origin = pc.parallelism.origin().expect("origin");
        assert_eq!(origin.label, "written at main.tf");
        assert_eq!(origin.span.text(), "12");
        assert_eq!(origin.span.location().line, 6);
        assert_eq!(pc.configuration_type.origin().unwrap().span.text(), "\"CUSTOM\"");
        assert_eq!(pc.auto_scaling_enabled.origin().unwrap().span.location().line, 8);
        // One notice for the resource block, not one per instance.
        assert_eq!(inv.notices.len(), 1, "{:?}", inv.notices);
        assert!(inv.notices[0]
            .message
            .contains("no resource \"aws_kinesisanalyticsv2_application\" \"elsewhere\""));

        let mut inv = plan(&text);
        map_to_source(&mut inv, Some(&dir.path().join("nope")));
        assert!(only_error(&inv).message.contains("not a directory"));
    }
}
