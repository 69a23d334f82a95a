//! Evaluates [`Expr`] trees the way Terraform would, with unknown values propagated instead of
//! guessed, so an unresolvable setting is reported rather than silently skipped.

use std::collections::BTreeMap;

use super::functions;
use super::value::{format_number, Value};
use crate::model::expr::{Accessor, BinaryOp, Expr, ExprKind, ForExpr, ObjectKey, TemplatePart, UnaryOp};
use crate::source::Span;

/// A Terraform evaluation error (type mismatch, missing key, ...). `try()` catches these.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

impl EvalError {
    pub fn new(message: impl Into<String>, span: &Span) -> Self {
        EvalError {
            message: message.into(),
            span: span.clone(),
        }
    }
}

pub type EvalResult = Result<Value, EvalError>;

/// Supplies the values of `local.*` lazily (locals may refer to locals).
pub trait LocalsSource {
    fn local(&self, name: &str, span: &Span) -> EvalResult;
}

/// What names mean while evaluating one expression.
pub struct Context<'a> {
    /// Every declared input variable of the module; missing values are `Value::Unknown`.
    pub vars: &'a BTreeMap<String, Value>,
    pub locals: &'a dyn LocalsSource,
    /// `each.key` / `each.value` inside a `for_each` resource or module.
    pub each: Option<(Value, Value)>,
    /// `count.index` inside a `count` resource or module.
    pub count_index: Option<f64>,
    /// `path.module`
    pub path_module: String,
    /// Extra root names (e.g. the iterator of a `dynamic` block).
    pub extra: Vec<(String, Value)>,
}

impl<'a> Context<'a> {
    pub fn new(vars: &'a BTreeMap<String, Value>, locals: &'a dyn LocalsSource) -> Self {
        Context {
            vars,
            locals,
            each: None,
            count_index: None,
            path_module: ".".into(),
            extra: Vec::new(),
        }
    }

    pub fn eval(&self, expr: &Expr) -> EvalResult {
        let mut scope = Vec::new();
        self.eval_in(expr, &mut scope)
    }

    fn eval_in(&self, expr: &Expr, scope: &mut Vec<(String, Value)>) -> EvalResult {
        match &expr.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Number(n) => {
                if n.is_finite() {
                    Ok(Value::Number(*n))
                } else {
                    Err(EvalError::new("number is out of range", &expr.span))
                }
            }
            ExprKind::String(s) => Ok(Value::String(s.clone())),
            ExprKind::Template(parts) => self.eval_template(parts, expr, scope),
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval_in(item, scope)?);
                }
                Ok(Value::List(out))
            }
            ExprKind::Object(entries) => {
                let mut out = BTreeMap::new();
                for (key, value) in entries {
                    let key = match key {
                        ObjectKey::Ident(name) => name.clone(),
                        ObjectKey::Expr(k) => match self.eval_in(k, scope)? {
                            u @ Value::Unknown(_) => return Ok(u),
                            v => v.to_string_value().ok_or_else(|| {
                                EvalError::new(format!("object key must be a string, not {}", v.type_name()), &k.span)
                            })?,
                        },
                    };
                    out.insert(key, self.eval_in(value, scope)?);
                }
                Ok(Value::Object(out))
            }
            ExprKind::Traversal { root, root_span, path } => self.eval_traversal(root, root_span, path, expr, scope),
            ExprKind::Index { target, path } => {
                let base = self.eval_in(target, scope)?;
                self.apply_path(base, path, scope, &expr.span)
            }
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => self.eval_call(name, args, *expand_final, expr, scope),
            ExprKind::Unary(op, inner) => {
                let v = self.eval_in(inner, scope)?;
                if let Value::Unknown(_) = v {
                    return Ok(v);
                }
                match op {
                    UnaryOp::Neg => v
                        .to_number()
                        .map(|n| Value::Number(-n))
                        .ok_or_else(|| type_error("number", &v, &inner.span)),
                    UnaryOp::Not => v
                        .to_bool()
                        .map(|b| Value::Bool(!b))
                        .ok_or_else(|| type_error("bool", &v, &inner.span)),
                }
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let l = self.eval_in(lhs, scope)?;
                let r = self.eval_in(rhs, scope)?;
                binary(*op, l, r, lhs, rhs)
            }
            ExprKind::Conditional(cond, then, otherwise) => {
                let c = self.eval_in(cond, scope)?;
                match c {
                    Value::Unknown(_) => Ok(c),
                    other => match other.to_bool() {
                        Some(true) => self.eval_in(then, scope),
                        Some(false) => self.eval_in(otherwise, scope),
                        None => Err(type_error("bool", &other, &cond.span)),
                    },
                }
            }
            ExprKind::For(f) => self.eval_for(f, expr, scope),
            ExprKind::Unsupported(what) => Ok(Value::unknown(
                format!("{what} is not evaluated by kpulint"),
                "write the value as a literal or a variable",
            )),
        }
    }

    fn eval_template(&self, parts: &[TemplatePart], expr: &Expr, scope: &mut Vec<(String, Value)>) -> EvalResult {
        // Terraform's rule: a template that is a single interpolation keeps the value's type.
        if let [TemplatePart::Interpolation(inner)] = parts {
            return self.eval_in(inner, scope);
        }
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Interpolation(inner) => match self.eval_in(inner, scope)? {
                    u @ Value::Unknown(_) => return Ok(u),
                    v => match v.to_string_value() {
                        Some(s) => out.push_str(&s),
                        None => {
                            return Err(EvalError::new(
                                format!("cannot interpolate a {} into a string", v.type_name()),
                                &inner.span,
                            ))
                        }
                    },
                },
                TemplatePart::Unsupported(what) => {
                    return Ok(Value::unknown(
                        format!(
                            "the template {what} in {} is not evaluated by kpulint",
                            expr.span.text().trim()
                        ),
                        "write the value as a literal or a variable",
                    ))
                }
            }
        }
        Ok(Value::String(out))
    }

    fn eval_traversal(
        &self,
        root: &str,
        root_span: &Span,
        path: &[Accessor],
        expr: &Expr,
        scope: &mut Vec<(String, Value)>,
    ) -> EvalResult {
        if let Some((_, v)) = scope.iter().rev().find(|(n, _)| n == root) {
            let v = v.clone();
            return self.apply_path(v, path, scope, &expr.span);
        }
        if let Some((_, v)) = self.extra.iter().rev().find(|(n, _)| n == root) {
            let v = v.clone();
            return self.apply_path(v, path, scope, &expr.span);
        }
        let first_attr = match path.first() {
            Some(Accessor::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let dotted = dotted_name(root, path);
        match root {
            "var" => {
                let Some(name) = first_attr else {
                    return Err(EvalError::new("`var` must be followed by a variable name", root_span));
                };
                match self.vars.get(name) {
                    Some(v) => self.apply_path(v.clone(), &path[1..], scope, &expr.span),
                    None => Err(EvalError::new(
                        format!("reference to undeclared input variable \"{name}\""),
                        &expr.span,
                    )),
                }
            }
            "local" => {
                let Some(name) = first_attr else {
                    return Err(EvalError::new(
                        "`local` must be followed by a local value name",
                        root_span,
                    ));
                };
                let v = self.locals.local(name, &expr.span)?;
                self.apply_path(v, &path[1..], scope, &expr.span)
            }
            "each" => match (&self.each, first_attr) {
                (Some((k, _)), Some("key")) => self.apply_path(k.clone(), &path[1..], scope, &expr.span),
                (Some((_, v)), Some("value")) => self.apply_path(v.clone(), &path[1..], scope, &expr.span),
                _ => Err(EvalError::new(
                    "`each` can only be used in a resource or module with for_each",
                    &expr.span,
                )),
            },
            "count" => match (self.count_index, first_attr) {
                (Some(i), Some("index")) => Ok(Value::Number(i)),
                _ => Err(EvalError::new(
                    "`count.index` can only be used in a resource or module with count",
                    &expr.span,
                )),
            },
            "path" => match first_attr {
                Some("module") | Some("root") | Some("cwd") => Ok(Value::String(self.path_module.clone())),
                _ => Err(EvalError::new(format!("unknown attribute in {dotted}"), &expr.span)),
            },
            "terraform" => match first_attr {
                Some("workspace") => Ok(Value::String("default".into())),
                _ => Ok(Value::unknown(
                    format!("{dotted} is not evaluated by kpulint"),
                    "write the value as a literal or a variable",
                )),
            },
            "data" => Ok(Value::unknown(
                format!("{dotted} is read from a data source when Terraform plans"),
                "lint the `terraform show -json` plan instead, or pass the value with --var",
            )),
            "module" => Ok(Value::unknown(
                format!("{dotted} is an output of another module"),
                "lint the `terraform show -json` plan instead, or pass the value with --var",
            )),
            "self" => Ok(Value::unknown(
                format!("{dotted} refers to the resource itself"),
                "write the value as a literal",
            )),
            _ => Ok(Value::unknown(
                format!("{dotted} is an attribute of another resource, known only after apply"),
                "lint the `terraform show -json` plan instead, or write the value as a literal",
            )),
        }
    }

    fn apply_path(
        &self,
        mut value: Value,
        path: &[Accessor],
        scope: &mut Vec<(String, Value)>,
        span: &Span,
    ) -> EvalResult {
        for (i, acc) in path.iter().enumerate() {
            if let Value::Unknown(_) = value {
                return Ok(value);
            }
            value = match acc {
                Accessor::Attr(name) => index_value(value, &Value::String(name.clone()), span)?,
                Accessor::Index(e) => {
                    let key = self.eval_in(e, scope)?;
                    if key.is_unknown() {
                        return Ok(key);
                    }
                    index_value(value, &key, &e.span)?
                }
                Accessor::Splat => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    let rest = &path[i + 1..];
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply_path(item, rest, scope, span)?);
                    }
                    return Ok(Value::List(out));
                }
            };
        }
        Ok(value)
    }

    fn eval_call(
        &self,
        name: &str,
        args: &[Expr],
        expand_final: bool,
        expr: &Expr,
        scope: &mut Vec<(String, Value)>,
    ) -> EvalResult {
        // try() and can() see errors of their arguments, so they evaluate lazily.
        match name {
            "try" => {
                let mut last_err = None;
                for arg in args {
                    match self.eval_in(arg, scope) {
                        Ok(v) => return Ok(v),
                        Err(e) => last_err = Some(e),
                    }
                }
                return Err(last_err.unwrap_or_else(|| EvalError::new("try() needs at least one argument", &expr.span)));
            }
            "can" => {
                let [arg] = args else {
                    return Err(EvalError::new("can() takes exactly one argument", &expr.span));
                };
                return Ok(match self.eval_in(arg, scope) {
                    Ok(v @ Value::Unknown(_)) => v,
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval_in(arg, scope)?);
        }
        if expand_final {
            match values.pop() {
                Some(Value::List(items)) => values.extend(items),
                Some(u @ Value::Unknown(_)) => return Ok(u),
                Some(other) => {
                    return Err(EvalError::new(
                        format!("cannot expand a {} with `...`", other.type_name()),
                        &expr.span,
                    ))
                }
                None => {}
            }
        }
        functions::call(name, values, &expr.span)
    }

    fn eval_for(&self, f: &ForExpr, expr: &Expr, scope: &mut Vec<(String, Value)>) -> EvalResult {
        let collection = self.eval_in(&f.collection, scope)?;
        let pairs: Vec<(Value, Value)> = match collection {
            u @ Value::Unknown(_) => return Ok(u),
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
            Value::Object(map) => map.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            other => {
                return Err(EvalError::new(
                    format!("a for expression needs a list or map, not {}", other.type_name()),
                    &f.collection.span,
                ))
            }
        };
        let mut list = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            let depth = scope.len();
            if let Some(kv) = &f.key_var {
                scope.push((kv.clone(), k));
            }
            scope.push((f.value_var.clone(), v));
            let result = (|| -> Result<Option<(Option<Value>, Value)>, EvalError> {
                if let Some(cond) = &f.cond {
                    match self.eval_in(cond, scope)? {
                        u @ Value::Unknown(_) => return Ok(Some((None, u))),
                        c => match c.to_bool() {
                            Some(true) => {}
                            Some(false) => return Ok(None),
                            None => return Err(type_error("bool", &c, &cond.span)),
                        },
                    }
                }
                let key = match &f.key_expr {
                    Some(ke) => Some(self.eval_in(ke, scope)?),
                    None => None,
                };
                Ok(Some((key, self.eval_in(&f.value_expr, scope)?)))
            })();
            scope.truncate(depth);
            match result? {
                None => {}
                Some((_, u @ Value::Unknown(_))) if f.cond.is_some() && f.key_expr.is_none() => list.push(u),
                Some((None, value)) => list.push(value),
                Some((Some(key), value)) => {
                    if key.is_unknown() {
                        return Ok(key);
                    }
                    let key = key
                        .to_string_value()
                        .ok_or_else(|| EvalError::new("a for expression key must be a string", &expr.span))?;
                    if f.grouping {
                        grouped.entry(key).or_default().push(value);
                    } else if object.insert(key.clone(), value).is_some() {
                        return Err(EvalError::new(
                            format!("duplicate key \"{key}\" in for expression (use `...` to group)"),
                            &expr.span,
                        ));
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            if f.grouping {
                return Ok(Value::Object(
                    grouped.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
                ));
            }
            Ok(Value::Object(object))
        } else {
            Ok(Value::List(list))
        }
    }
}

fn dotted_name(root: &str, path: &[Accessor]) -> String {
    let mut s = root.to_string();
    for acc in path {
        match acc {
            Accessor::Attr(a) => {
                s.push('.');
                s.push_str(a);
            }
            Accessor::Index(e) => {
                s.push('[');
                s.push_str(e.span.text());
                s.push(']');
            }
            Accessor::Splat => s.push_str("[*]"),
        }
    }
    s
}

fn type_error(expected: &str, found: &Value, span: &Span) -> EvalError {
    EvalError::new(
        format!("expected a {expected}, found {}: {found}", found.type_name()),
        span,
    )
}

/// `value[key]` / `value.key`.
pub fn index_value(value: Value, key: &Value, span: &Span) -> EvalResult {
    match value {
        Value::Object(mut map) => {
            let k = key
                .to_string_value()
                .ok_or_else(|| EvalError::new("an object key must be a string", span))?;
            map.remove(&k)
                .ok_or_else(|| EvalError::new(format!("this object has no attribute or key \"{k}\""), span))
        }
        Value::List(mut items) => {
            let idx = key
                .to_number()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .ok_or_else(|| EvalError::new(format!("invalid list index {key}"), span))?;
            let len = items.len();
            if (idx as usize) < len {
                Ok(items.swap_remove(idx as usize))
            } else {
                Err(EvalError::new(
                    format!(
                        "index {} is out of range for a list of {len} elements",
                        format_number(idx)
                    ),
                    span,
                ))
            }
        }
        u @ Value::Unknown(_) => Ok(u),
        Value::Null => Err(EvalError::new("attempt to index a null value", span)),
        other => Err(EvalError::new(
            format!("a {} cannot be indexed", other.type_name()),
            span,
        )),
    }
}

fn binary(op: BinaryOp, l: Value, r: Value, lhs: &Expr, rhs: &Expr) -> EvalResult {
    if let Value::Unknown(_) = l {
        return Ok(l);
    }
    if let Value::Unknown(_) = r {
        return Ok(r);
    }
    use BinaryOp::*;
    match op {
        Add | Sub | Mul | Div | Mod => {
            let a = l.to_number().ok_or_else(|| type_error("number", &l, &lhs.span))?;
            let b = r.to_number().ok_or_else(|| type_error("number", &r, &rhs.span))?;
            let span = lhs.span.file.span(lhs.span.start..rhs.span.end);
            let n = match op {
                Add => a + b,
                Sub => a - b,
                Mul => a * b,
                Div => {
                    if b == 0.0 {
                        return Err(EvalError::new("division by zero", &span));
                    }
                    a / b
                }
                _ => {
                    if b == 0.0 {
                        return Err(EvalError::new("modulo by zero", &span));
                    }
                    a % b
                }
            };
            if n.is_finite() {
                Ok(Value::Number(n))
            } else {
                Err(EvalError::new("arithmetic result is out of range", &span))
            }
        }
        Eq => Ok(Value::Bool(values_equal(&l, &r))),
        NotEq => Ok(Value::Bool(!values_equal(&l, &r))),
        Lt | LtEq | Gt | GtEq => {
            let a = l.to_number().ok_or_else(|| type_error("number", &l, &lhs.span))?;
            let b = r.to_number().ok_or_else(|| type_error("number", &r, &rhs.span))?;
            Ok(Value::Bool(match op {
                Lt => a < b,
                LtEq => a <= b,
                Gt => a > b,
                _ => a >= b,
            }))
        }
        And | Or => {
            let a = l.to_bool().ok_or_else(|| type_error("bool", &l, &lhs.span))?;
            let b = r.to_bool().ok_or_else(|| type_error("bool", &r, &rhs.span))?;
            Ok(Value::Bool(if op == And { a && b } else { a || b }))
        }
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    a == b
}
