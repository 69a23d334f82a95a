//! Terraform JSON syntax (`.tf.json`, `.tfvars.json`), lowered into the same model as HCL.
//! Strings are templates: `"${var.p}"` keeps the variable's type, as Terraform's rule says.

use std::sync::Arc;

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::common::Ranged;

use super::directives::{is_lookalike, MARKERS};
use super::hcl::Lower;
use super::terraform::{Attr, BlockNode, BodyNode, Local, ModuleCallDecl, Provider, Resource, TfFile, Variable};
use crate::model::expr::{Expr, ExprKind, ObjectKey};
use crate::model::{Directive, DirectiveKind, DirectiveTarget, InputError};
use crate::source::{SourceFile, Span};

/// Nested block types of the resources kpulint reads; every other key is an attribute.
const BLOCKS: &[&str] = &[
    "application_configuration",
    "flink_application_configuration",
    "parallelism_configuration",
    "application_snapshot_configuration",
    "checkpoint_configuration",
    "monitoring_configuration",
    "run_configuration",
    "application_restore_configuration",
    "flink_run_configuration",
    "environment_properties",
    "property_group",
    "application_code_configuration",
    "code_content",
    "s3_content_location",
    "vpc_configuration",
    "cloudwatch_logging_options",
    "application_encryption_configuration",
    "application_system_rollback_configuration",
    "sql_application_configuration",
    "timeouts",
    "lifecycle",
    "content",
];

fn name_of(prop: &ObjectProp) -> String {
    prop.name.as_str().to_string()
}

fn span(file: &Arc<SourceFile>, r: &impl Ranged) -> Span {
    let r = r.range();
    file.span(r.start..r.end)
}

pub fn parse_tf_json(file: &Arc<SourceFile>) -> Result<TfFile, InputError> {
    let root = super::json::parse(file)?;
    let Value::Object(root) = root else {
        return Err(InputError::new(
            span(file, &root),
            "a .tf.json file must hold a JSON object",
        ));
    };
    let mut tf = TfFile::new(Arc::clone(file));
    let cx = Json { file };
    for prop in &root.properties {
        let key = name_of(prop);
        for item in each_object(&prop.value) {
            match key.as_str() {
                "variable" => {
                    for (name, p) in labelled(item) {
                        let body = cx.body(&p.value);
                        tf.variables.push(Variable {
                            name,
                            span: span(file, &p.name),
                            default: body.attr("default").map(|a| a.expr.clone()),
                            type_text: body.attr("type").map(|a| match &a.expr.kind {
                                ExprKind::String(s) => s.clone(),
                                _ => a.expr.span.text().trim_matches('"').to_string(),
                            }),
                            type_expr: body.attr("type").and_then(|a| cx.type_expr(&a.expr)).map(Box::new),
                            nullable: !body
                                .attr("nullable")
                                .is_some_and(|a| matches!(a.expr.kind, ExprKind::Bool(false))),
                        });
                    }
                }
                "locals" => {
                    for p in &item.properties {
                        tf.locals.push(Local {
                            name: name_of(p),
                            expr: cx.expr(&p.value),
                        });
                    }
                }
                "resource" => {
                    for (rtype, by_type) in labelled(item) {
                        let Value::Object(by_type) = &by_type.value else {
                            continue;
                        };
                        for p in &by_type.properties {
                            for body_obj in each_value(&p.value) {
                                let header = span(file, &p.name);
                                tf.resources.push(Resource {
                                    rtype: rtype.clone(),
                                    name: name_of(p),
                                    header: header.clone(),
                                    span: span(file, body_obj),
                                    body: cx.body(body_obj),
                                    directives: cx.directives(body_obj),
                                });
                            }
                        }
                    }
                }
                "module" => {
                    for (name, p) in labelled(item) {
                        tf.modules.push(ModuleCallDecl {
                            name,
                            header: span(file, &p.name),
                            body: cx.body(&p.value),
                            directives: cx.directives(&p.value),
                        });
                    }
                }
                "provider" => {
                    for (name, p) in labelled(item) {
                        for body in each_value(&p.value) {
                            tf.providers.push(Provider {
                                name: name.clone(),
                                body: cx.body(body),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    record_references(&mut tf, &root, file);
    Ok(tf)
}

/// Records which values refer to variables, locals or `each.value` (see
/// [`super::references`]), for every top-level block.
fn record_references(tf: &mut TfFile, root: &jsonc_parser::ast::Object, file: &Arc<SourceFile>) {
    use super::references::{block_address, is_parallelism_setting, reader, Collector};
    fn walk(c: &mut Collector, v: &Value, at: (&str, Option<&str>), path: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for p in o.properties.iter().filter(|p| p.name.as_str() != "//") {
                    path.push(name_of(p));
                    walk(c, &p.value, at, path);
                    path.pop();
                }
            }
            Value::Array(a) => a.elements.iter().for_each(|e| walk(c, e, at, path)),
            Value::StringLit(_) => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                let setting = at.1.is_some_and(|t| is_parallelism_setting(t, &p));
                let r = v.range();
                c.value(&reader(at.0, &p), r.start..r.end, setting);
            }
            _ => {}
        }
    }
    let mut c = Collector {
        whole: file,
        out: &mut tf.references,
    };
    for prop in &root.properties {
        let key = name_of(prop);
        for item in each_object(&prop.value) {
            match key.as_str() {
                "locals" => {
                    for p in &item.properties {
                        walk(
                            &mut c,
                            &p.value,
                            (&format!("local.{}", name_of(p)), None),
                            &mut Vec::new(),
                        );
                    }
                }
                "resource" | "data" => {
                    for (rtype, by_type) in labelled(item) {
                        let Value::Object(by_type) = &by_type.value else {
                            continue;
                        };
                        for p in &by_type.properties {
                            let Some(address) = block_address(&key, &[&rtype, p.name.as_str()]) else {
                                continue;
                            };
                            let rtype = (key == "resource").then_some(rtype.as_str());
                            for body in each_value(&p.value) {
                                walk(&mut c, body, (&address, rtype), &mut Vec::new());
                            }
                        }
                    }
                }
                other => {
                    for (name, p) in labelled(item) {
                        let Some(address) = block_address(other, &[&name]) else {
                            continue;
                        };
                        for body in each_value(&p.value) {
                            walk(&mut c, body, (&address, None), &mut Vec::new());
                        }
                    }
                }
            }
        }
    }
    tf.references.sort_by(|a, b| a.name.cmp(&b.name));
}

/// A `.tfvars.json` file: a JSON object of constant values (no templates).
pub fn parse_tfvars_json(file: &Arc<SourceFile>) -> Result<Vec<Attr>, InputError> {
    let root = super::json::parse(file)?;
    let Value::Object(obj) = &root else {
        return Err(InputError::new(
            span(file, &root),
            "a .tfvars.json file must hold a JSON object",
        ));
    };
    let cx = Json { file };
    Ok(obj
        .properties
        .iter()
        .map(|p| Attr {
            name: name_of(p),
            name_span: span(file, &p.name),
            expr: cx.literal(&p.value),
        })
        .collect())
}

/// `{ "a": {...}, "b": {...} }` → `[("a", prop), ("b", prop)]`
fn labelled<'a, 'b>(obj: &'b jsonc_parser::ast::Object<'a>) -> impl Iterator<Item = (String, &'b ObjectProp<'a>)> {
    obj.properties.iter().map(|p| (name_of(p), p))
}

/// A block may be written as an object or as an array of objects.
fn each_object<'a, 'b>(v: &'b Value<'a>) -> Vec<&'b jsonc_parser::ast::Object<'a>> {
    match v {
        Value::Object(o) => vec![o],
        Value::Array(a) => a
            .elements
            .iter()
            .filter_map(|e| match e {
                Value::Object(o) => Some(o),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn each_value<'a, 'b>(v: &'b Value<'a>) -> Vec<&'b Value<'a>> {
    match v {
        Value::Array(a) => a.elements.iter().collect(),
        other => vec![other],
    }
}

struct Json<'f> {
    file: &'f Arc<SourceFile>,
}

impl Json<'_> {
    fn body(&self, v: &Value) -> BodyNode {
        let mut out = BodyNode::default();
        let Value::Object(obj) = v else { return out };
        for p in &obj.properties {
            let key = name_of(p);
            if key == "//" {
                continue;
            }
            if key == "dynamic" {
                for (label, dp) in each_object(&p.value).into_iter().flat_map(labelled) {
                    for body in each_value(&dp.value) {
                        out.blocks.push(BlockNode {
                            ident: "dynamic".into(),
                            labels: vec![label.clone()],
                            span: span(self.file, body),
                            body: self.body(body),
                        });
                    }
                }
            } else if BLOCKS.contains(&key.as_str()) && matches!(p.value, Value::Object(_) | Value::Array(_)) {
                for body in each_value(&p.value) {
                    out.blocks.push(BlockNode {
                        ident: key.clone(),
                        labels: Vec::new(),
                        span: span(self.file, body),
                        body: self.body(body),
                    });
                }
            } else {
                out.attrs.push(Attr {
                    name: key,
                    name_span: span(self.file, &p.name),
                    expr: self.expr(&p.value),
                });
            }
        }
        out
    }

    /// A JSON value as a Terraform expression: strings are templates.
    fn expr(&self, v: &Value) -> Expr {
        let sp = span(self.file, v);
        let kind = match v {
            Value::StringLit(s) => return self.template(&s.value, &sp),
            Value::NumberLit(n) => ExprKind::Number(n.value.parse::<f64>().unwrap_or(f64::INFINITY)),
            Value::BooleanLit(b) => ExprKind::Bool(b.value),
            Value::NullKeyword(_) => ExprKind::Null,
            Value::Array(a) => ExprKind::Tuple(a.elements.iter().map(|e| self.expr(e)).collect()),
            Value::Object(o) => ExprKind::Object(
                o.properties
                    .iter()
                    .map(|p| (ObjectKey::Ident(name_of(p)), self.expr(&p.value)))
                    .collect(),
            ),
        };
        Expr::new(kind, sp)
    }

    /// A JSON value taken literally (tfvars.json): strings are not templates.
    fn literal(&self, v: &Value) -> Expr {
        let sp = span(self.file, v);
        let kind = match v {
            Value::StringLit(s) => ExprKind::String(s.value.to_string()),
            Value::Array(a) => ExprKind::Tuple(a.elements.iter().map(|e| self.literal(e)).collect()),
            Value::Object(o) => ExprKind::Object(
                o.properties
                    .iter()
                    .map(|p| (ObjectKey::Ident(name_of(p)), self.literal(&p.value)))
                    .collect(),
            ),
            _ => return self.expr(v),
        };
        Expr::new(kind, sp)
    }

    /// Parses a string as a template. When the string has no escapes its text sits verbatim in
    /// the file, so sub-expression spans are exact; otherwise they fall back to the whole string.
    fn template(&self, value: &str, sp: &Span) -> Expr {
        if !value.contains("${") && !value.contains("%{") {
            return Expr::new(ExprKind::String(value.to_string()), sp.clone());
        }
        let raw = sp.text();
        let (source, offset, verbatim) = self.string_source(value, sp);
        match hcl_edit::parser::parse_template(value) {
            Ok(t) => {
                let mut e = Expr::new(Lower::at(&source, offset).template_expr(&t), sp.clone());
                if !verbatim {
                    // Spans into a detached copy are useless for reporting: re-anchor everything.
                    reanchor(&mut e, sp);
                }
                e
            }
            Err(e) => Expr::new(
                ExprKind::Unsupported(format!("the template {raw} ({})", e.message())),
                sp.clone(),
            ),
        }
    }

    /// A variable's `type`, a string holding an HCL type expression (`"object({a = optional(number, 4)})"`).
    fn type_expr(&self, type_attr: &Expr) -> Option<Expr> {
        let ExprKind::String(value) = &type_attr.kind else {
            return None;
        };
        let sp = &type_attr.span;
        let (source, offset, verbatim) = self.string_source(value, sp);
        let parsed = hcl_edit::parser::parse_expr(value).ok()?;
        let mut e = Lower::at(&source, offset).expr(&parsed);
        if !verbatim {
            reanchor(&mut e, sp);
        }
        Some(e)
    }

    /// Where a JSON string's value can be parsed with exact spans: the file itself when the
    /// string has no escapes (its text sits verbatim between the quotes), else a detached copy.
    fn string_source(&self, value: &str, sp: &Span) -> (Arc<SourceFile>, usize, bool) {
        let raw = sp.text();
        let verbatim = raw.len() == value.len() + 2 && raw.get(1..raw.len() - 1) == Some(value);
        if verbatim {
            (Arc::clone(self.file), sp.start + 1, true)
        } else {
            (SourceFile::new(self.file.path.clone(), value.to_string()), 0, false)
        }
    }

    /// `"//": "kpulint: state_size=240GB"` and `"//": "kpulint-ignore: KPU004 reason=..."`.
    fn directives(&self, v: &Value) -> Vec<Directive> {
        let Value::Object(obj) = v else { return Vec::new() };
        let mut out = Vec::new();
        for p in obj.properties.iter().filter(|p| p.name.as_str() == "//") {
            for c in each_value(&p.value) {
                let Value::StringLit(s) = c else { continue };
                let text = s.value.trim();
                let found = MARKERS
                    .iter()
                    .find_map(|(marker, kind)| text.strip_prefix(marker).map(|body| (*kind, body.trim())))
                    .or_else(|| is_lookalike(text).then_some((DirectiveKind::Lookalike, text)));
                if let Some((kind, body)) = found {
                    out.push(Directive {
                        kind,
                        body: body.to_string(),
                        span: span(self.file, c),
                        target: DirectiveTarget::Resource,
                    });
                }
            }
        }
        out
    }
}

fn reanchor(e: &mut Expr, sp: &Span) {
    use crate::model::expr::{Accessor, TemplatePart};
    e.span = sp.clone();
    match &mut e.kind {
        ExprKind::Template(parts) => parts.iter_mut().for_each(|p| {
            if let TemplatePart::Interpolation(x) = p {
                reanchor(x, sp)
            }
        }),
        ExprKind::Tuple(items) => items.iter_mut().for_each(|x| reanchor(x, sp)),
        ExprKind::Object(entries) => entries.iter_mut().for_each(|(k, v)| {
            if let ObjectKey::Expr(k) = k {
                reanchor(k, sp);
            }
            reanchor(v, sp);
        }),
        ExprKind::Traversal { root_span, path, .. } => {
            *root_span = sp.clone();
            path.iter_mut().for_each(|a| {
                if let Accessor::Index(x) = a {
                    reanchor(x, sp)
                }
            });
        }
        ExprKind::Index { target, path } => {
            reanchor(target, sp);
            path.iter_mut().for_each(|a| {
                if let Accessor::Index(x) = a {
                    reanchor(x, sp)
                }
            });
        }
        ExprKind::Call { args, .. } => args.iter_mut().for_each(|x| reanchor(x, sp)),
        ExprKind::Unary(_, x) => reanchor(x, sp),
        ExprKind::Binary(_, a, b) => {
            reanchor(a, sp);
            reanchor(b, sp);
        }
        ExprKind::Conditional(a, b, c) => {
            reanchor(a, sp);
            reanchor(b, sp);
            reanchor(c, sp);
        }
        ExprKind::For(f) => {
            reanchor(&mut f.collection, sp);
            reanchor(&mut f.value_expr, sp);
            if let Some(k) = &mut f.key_expr {
                reanchor(k, sp);
            }
            if let Some(c) = &mut f.cond {
                reanchor(c, sp);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resources_variables_and_templates() {
        let src = r#"{
  "variable": { "p": { "default": 12, "type": "number" } },
  "locals": { "per": 1 },
  "resource": { "aws_kinesisanalyticsv2_application": { "orders": {
    "//": "kpulint: state_size=240GB",
    "runtime_environment": "FLINK-1_20",
    "application_configuration": { "flink_application_configuration": {
      "parallelism_configuration": { "configuration_type": "CUSTOM", "parallelism": "${var.p}", "parallelism_per_kpu": "${local.per}" } } } } } }
}"#;
        let f = SourceFile::new("main.tf.json", src);
        let tf = parse_tf_json(&f).unwrap();
        assert_eq!(tf.variables[0].name, "p");
        assert_eq!(tf.locals[0].name, "per");
        let r = &tf.resources[0];
        assert_eq!(r.name, "orders");
        assert_eq!(r.directives[0].body, "state_size=240GB");
        let pc = r.body.blocks[0].body.blocks[0].body.blocks[0]
            .body
            .attr("parallelism")
            .unwrap();
        // The interpolated traversal points inside the JSON string.
        match &pc.expr.kind {
            ExprKind::Template(parts) => match &parts[0] {
                crate::model::expr::TemplatePart::Interpolation(e) => assert_eq!(e.span.text(), "var.p"),
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_located() {
        let f = SourceFile::new("bad.tf.json", "{\n  \"resource\": ,\n}");
        let e = parse_tf_json(&f).unwrap_err();
        assert_eq!(e.span.location().line, 2);
    }
}
