//! Reads one Flink resource instance into an [`Application`]: its settings with their origins,
//! tags, the root's provider regions, and nested blocks written directly or as `dynamic` blocks.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use super::super::expr::Context;
use super::super::value::Value;
use super::calls::Instance;
use super::limits::Limits;
use super::locals::LocalTable;
use super::ModuleDir;
use crate::inputs::terraform::{Attr, BlockNode, BodyNode, Resource};
use crate::model::expr::{Expr, ExprKind};
use crate::model::{
    Application, InputError, InputFormat, Inventory, Origin, ParallelismConfig, Setting, SettingReaders, Tag,
    Unresolved,
};
use crate::source::Span;

/// The region of each `aws` provider configuration of the root: `""` for the default one,
/// the alias for the others (`provider = aws.us` on a resource picks one). A module call passes
/// them on by its `providers` map (`Instance::regions_passed`).
pub(super) fn root_regions(
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

impl Instance<'_> {
    pub(super) fn application(
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
        app.root_dir = self
            .set
            .dirs
            .get(&self.root_dir)
            .map_or_else(|| crate::discover::display(&self.root_dir), |m| m.display.clone());
        for broken in &self.taint {
            app.taint(broken);
        }
        app.module_calls = self.calls.clone();
        // The resource's own directives first (the most specific wins), then those of the
        // module calls it was reached through, innermost first.
        app.directives = res.directives.clone();
        for call in self.calls.iter().rev() {
            app.directives.extend(call.directives.iter().cloned());
        }
        let body = &res.body;
        app.name = self.setting(cx, body.attr("name").map(|a| &a.expr), convert_string, "a string");
        app.runtime_environment = self.setting(
            cx,
            body.attr("runtime_environment").map(|a| &a.expr),
            convert_string,
            "a string",
        );
        app.region = match body.attr("region") {
            Some(a) => self.setting(cx, Some(&a.expr), convert_string, "a string"),
            None => {
                // `provider = aws.us` picks the aliased configuration: the root's, or in a module
                // the one its call passed as `aws.us` (`providers = { aws.us = aws.X }`).
                let alias = match body.attr("provider").and_then(|p| p.expr.as_reference()) {
                    Some(("aws", Some(alias))) => alias.to_string(),
                    _ => String::new(),
                };
                match self.regions.get(&alias).cloned().unwrap_or_default() {
                    // A provider block may sit in a file of the call path that was not read.
                    Setting::Absent => match self.taint.iter().find(|t| is_terraform_file(t.path())) {
                        Some(broken) => Setting::Unknown {
                            span: res.header.clone(),
                            reason: Unresolved {
                                what: format!(
                                    "the provider region may be set in {}, which could not be read or parsed",
                                    broken.path()
                                ),
                                hint: {
                                    let l = broken.location();
                                    format!("fix the input error at {}:{}:{}", broken.path(), l.line, l.column)
                                },
                            },
                        },
                        None => Setting::Absent,
                    },
                    region => region,
                }
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
            let label = format!("each.value of {address}, written in");
            app.parallelism = self.parallelism(&pcx, pc, res.body.attr("for_each"), &label);
            let each = super::readers::EachBlock {
                address: format!("{}.{}", res.rtype, res.name),
                for_each: res.body.attr("for_each"),
            };
            let readers = |name: &str| {
                pc.body
                    .attr(name)
                    .map(|a| self.readers(&a.expr, "", Some(&each), 0))
                    .unwrap_or_default()
            };
            app.readers = SettingReaders {
                configuration_type: readers("configuration_type"),
                parallelism: readers("parallelism"),
                parallelism_per_kpu: readers("parallelism_per_kpu"),
                auto_scaling_enabled: readers("auto_scaling_enabled"),
            };
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

    /// The parallelism settings; one read through `each.value` of the resource's literal
    /// `for_each` map keeps the map entry as its origin (labelled `{label} {the map's origin}`).
    fn parallelism(&self, cx: &Context, block: &BlockNode, for_each: Option<&Attr>, label: &str) -> ParallelismConfig {
        let b = &block.body;
        let get = |n: &str| b.attr(n).map(|a| &a.expr);
        let each = |n: &str| {
            let expr = get(n)?;
            self.each_value_origin(expr, cx, for_each, label.to_string())
        };
        ParallelismConfig {
            block: Some(block.span.clone()),
            configuration_type: traced(
                self.setting(cx, get("configuration_type"), convert_string, "a string"),
                || each("configuration_type"),
            ),
            parallelism: traced(self.setting(cx, get("parallelism"), convert_number, "a number"), || {
                each("parallelism")
            }),
            parallelism_per_kpu: traced(
                self.setting(cx, get("parallelism_per_kpu"), convert_number, "a number"),
                || each("parallelism_per_kpu"),
            ),
            auto_scaling_enabled: traced(
                self.setting(cx, get("auto_scaling_enabled"), convert_bool, "a bool"),
                || each("auto_scaling_enabled"),
            ),
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
        self.unread_declaration(s)
    }

    /// A reference to a variable or local that no file of the module declares is unknown, not
    /// invalid, when a file of the module could not be read: that file may declare it.
    fn unread_declaration<T>(&self, s: Setting<T>) -> Setting<T> {
        let Some(broken) = self.module.broken.first() else {
            return s;
        };
        match s {
            Setting::Invalid { span, message } if message.starts_with("reference to undeclared") => {
                let l = broken.location();
                Setting::Unknown {
                    span,
                    reason: Unresolved {
                        what: format!(
                            "{message}, and {} could not be read or parsed (it may declare it)",
                            broken.path()
                        ),
                        hint: format!("fix the input error at {}:{}:{}", broken.path(), l.line, l.column),
                    },
                }
            }
            other => other,
        }
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
            Ok(Value::Object(map)) => Arc::unwrap_or_clone(map)
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
/// A known setting without an origin takes the one `find` traces.
fn traced<T>(mut s: Setting<T>, find: impl FnOnce() -> Option<Origin>) -> Setting<T> {
    if let Setting::Known {
        origin: origin @ None, ..
    } = &mut s
    {
        *origin = find();
    }
    s
}

/// Evaluates an attribute into a [`Setting`]; `null` means "not set", as in Terraform.
pub(super) fn to_setting<T>(
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

/// A `.tf` or `.tf.json` file (not a var file).
fn is_terraform_file(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tf.json")
}

pub(super) fn convert_string(v: &Value) -> Option<String> {
    v.to_string_value()
}
pub(super) fn convert_number(v: &Value) -> Option<f64> {
    v.to_number()
}
pub(super) fn convert_bool(v: &Value) -> Option<bool> {
    v.to_bool()
}

pub(super) enum Resolved<'b> {
    Absent,
    /// The block, plus the iterator binding of a `dynamic` block.
    Block(&'b BlockNode, Vec<(String, Value)>),
    Unknown(Span, Unresolved),
}

/// A nested block, written directly or through `dynamic "ident" { for_each ... content { } }`.
/// Managed Flink's blocks hold at most one item, so the first instance is the one that counts.
pub(super) fn resolve_block<'b>(cx: &Context, body: &'b BodyNode, ident: &'b str) -> Resolved<'b> {
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
        Ok(Value::List(items)) => Arc::unwrap_or_clone(items)
            .into_iter()
            .next()
            .map(|v| (Value::Number(0.0), v)),
        Ok(Value::Object(map)) => Arc::unwrap_or_clone(map)
            .into_iter()
            .next()
            .map(|(k, v)| (Value::String(k), v)),
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
            Resolved::Block(content, vec![(iterator, Value::object(binding))])
        }
    }
}
