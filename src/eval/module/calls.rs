//! One module instance (the root or a module call's instance): evaluates its Flink resources and
//! follows its module calls, binding each call's arguments to the called module's variables.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use super::super::expr::Context;
use super::super::value::Value;
use super::graph::{display_dir, module_source, CallGraph, ModuleSource};
use super::instances::{instances, repetition};
use super::limits::{Limits, MAX_MODULE_DEPTH};
use super::locals::LocalTable;
use super::origin::Collections;
use super::variables::{declared_value, default_value};
use super::{ModuleDir, ModuleSet};
use crate::inputs::terraform::{Attr, ModuleCallDecl, FLINK_RESOURCE};
use crate::model::expr::{Expr, ExprKind};
use crate::model::{InputError, Inventory, ModuleCall, Notice, Origin, OriginKind, Setting, Unresolved};

/// One instance of a module (the root, or one module call instance).
pub(super) struct Instance<'a> {
    pub(super) set: &'a ModuleSet,
    pub(super) graph: &'a CallGraph,
    pub(super) limits: &'a Limits,
    /// The `for_each` collections of the root's evaluation, parsed once each.
    pub(super) collections: &'a Collections,
    pub(super) dir: PathBuf,
    pub(super) module: &'a ModuleDir,
    pub(super) vars: BTreeMap<String, Value>,
    pub(super) origins: BTreeMap<String, Origin>,
    /// For each variable, what reads its value in the modules above (besides the module
    /// arguments that carry it here): see [`super::readers`].
    pub(super) var_readers: BTreeMap<String, Vec<crate::model::Reader>>,
    /// `module.a.module.b["k"].`
    pub(super) prefix: String,
    pub(super) calls: Vec<ModuleCall>,
    /// Regions of the root's `aws` providers: `\"\"` is the default one, others by alias.
    pub(super) regions: BTreeMap<String, Setting<String>>,
    pub(super) root_dir: PathBuf,
    /// Key of this module in `.terraform/modules/modules.json` (`a.b`).
    pub(super) key_prefix: String,
    /// Inputs of this instance's call path that failed to read or parse: the root's var files
    /// and callers, and the broken files of every module from the root to this one.
    pub(super) taint: Vec<crate::source::Span>,
}

impl<'a> Instance<'a> {
    /// The `aws` provider configurations a module call gives its module, as Terraform passes
    /// them: the default one unless `providers = { aws = aws.eu }` names another, and each
    /// `aws.ALIAS = aws.X` entry as the module's `aws.ALIAS`. What a `providers` entry names
    /// and this module does not have is left out (its region is then not known here).
    fn regions_passed(&self, call: &ModuleCallDecl) -> BTreeMap<String, Setting<String>> {
        use crate::model::expr::{ExprKind, ObjectKey};
        let mut passed = BTreeMap::new();
        let entries = match call.body.attr("providers").map(|p| &p.expr.kind) {
            Some(ExprKind::Object(entries)) => entries.as_slice(),
            _ => &[],
        };
        for (key, value) in entries {
            let child_alias = match key {
                ObjectKey::Ident(name) if name == "aws" => Some(String::new()),
                ObjectKey::Expr(e) => match e.as_reference() {
                    Some(("aws", alias)) => Some(alias.unwrap_or("").to_string()),
                    _ => None,
                },
                ObjectKey::Ident(_) => None,
            };
            let parent_alias = match value.as_reference() {
                Some(("aws", alias)) => alias.unwrap_or(""),
                _ => continue,
            };
            if let (Some(child), Some(region)) = (child_alias, self.regions.get(parent_alias)) {
                passed.insert(child, region.clone());
            }
        }
        // Without a `providers` map the module inherits the default configuration; a map without
        // an `aws` entry is one Terraform rejects when the module uses `aws`: the default is
        // assumed there too.
        if let (false, Some(default)) = (passed.contains_key(""), self.regions.get("")) {
            passed.insert(String::new(), default.clone());
        }
        passed
    }

    pub(super) fn run(&self, inv: &mut Inventory, depth: usize) {
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

    pub(super) fn context<'l>(&'l self, locals: &'l LocalTable<'l>) -> Context<'l> {
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
        // The call's arguments by name (the first of each, as `BodyNode::attr` finds it): looked
        // up once per variable of the module and instance.
        let mut args: HashMap<&str, &Attr> = HashMap::new();
        for a in &call.body.attrs {
            args.entry(a.name.as_str()).or_insert(a);
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
            let mut var_readers = BTreeMap::new();
            let each_block = super::readers::EachBlock {
                address: format!("module.{}", call.name),
                for_each: call.body.attr("for_each"),
            };
            for var in child.variables() {
                // `nullable = false`: a null argument is as if none were given (Terraform then
                // uses the default, and a variable without one may not be null).
                let written = args.get(var.name.as_str()).copied();
                let arg = written.filter(|arg| var.nullable || !matches!(cx.eval(&arg.expr), Ok(Value::Null)));
                if arg.is_none() && !var.nullable && var.default.is_none() {
                    if let Some(arg) = written {
                        inv.errors.push(InputError::new(
                            arg.expr.span.clone(),
                            format!(
                                "invalid value for var.{} of {address}: null, but the variable is not nullable and has no default",
                                var.name
                            ),
                        ));
                    }
                }
                let (value, origin) = match arg {
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
                        let readers = self.readers(
                            &arg.expr,
                            &format!("module.{}.{}", call.name, var.name),
                            Some(&each_block),
                            0,
                        );
                        if !readers.is_empty() {
                            var_readers.insert(var.name.clone(), readers);
                        }
                        let origin = self
                            .origin_of(&arg.expr, &cx)
                            .or_else(|| {
                                let label = format!("{} passed by {address}, written in", var.name);
                                self.each_value_origin(&arg.expr, &cx, args.get("for_each").copied(), label)
                            })
                            .unwrap_or_else(|| Origin {
                                span: arg.expr.span.clone(),
                                label: format!("{} passed by {address}", var.name),
                                kind: OriginKind::ModuleArgument,
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
                directives: call.directives.clone(),
            });
            let inst = Instance {
                set: self.set,
                graph: self.graph,
                limits: self.limits,
                collections: self.collections,
                dir: child_dir.clone(),
                module: child,
                vars,
                origins,
                var_readers,
                prefix: format!("{address}."),
                calls,
                regions: self.regions_passed(call),
                root_dir: self.root_dir.clone(),
                key_prefix: key.clone(),
                taint: self.taint.iter().chain(&child.broken).cloned().collect(),
            };
            inst.run(inv, depth + 1);
        }
    }

    /// Where `each.value.x` was written when `for_each` is a reference to a literal map;
    /// labelled `{label} {the collection's label}`.
    pub(super) fn each_value_origin(
        &self,
        expr: &Expr,
        cx: &Context,
        for_each: Option<&Attr>,
        label: String,
    ) -> Option<Origin> {
        let path = super::origin::each_value_path(expr)?;
        let key = cx.each.as_ref()?.0.to_string_value()?;
        let collection = self.origin_of(&for_each?.expr, cx)?;
        let label = format!("{label} {}", collection.label);
        super::origin::entry_origin(self.collections, &collection, &key, &path, label)
    }

    /// Where the value of a plain `var.x` / `local.x` reference was written.
    pub(super) fn origin_of(&self, expr: &Expr, _cx: &Context) -> Option<Origin> {
        self.origin_within(expr, 0)
    }

    /// A local that only renames another value (`p = var.parallelism`) has that value's origin;
    /// `depth` stops a chain of locals referring to each other.
    fn origin_within(&self, expr: &Expr, depth: usize) -> Option<Origin> {
        const MAX_RENAMES: usize = 16;
        let plain = |e: &Expr| matches!(&e.kind, ExprKind::Traversal { path, .. } if path.len() == 1);
        match expr.as_reference()? {
            ("var", Some(name)) => self.origins.get(name).cloned(),
            ("local", Some(name)) => {
                let local = self.module.locals().find(|l| l.name == name)?;
                if depth < MAX_RENAMES && plain(&local.expr) {
                    if let Some(o) = self.origin_within(&local.expr, depth + 1) {
                        return Some(o);
                    }
                }
                Some(Origin {
                    span: local.expr.span.clone(),
                    label: format!("local.{name}"),
                    kind: OriginKind::Local,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{addresses, call, messages, run, set, APP};

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
}
