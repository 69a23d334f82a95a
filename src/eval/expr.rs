//! Evaluates [`Expr`] trees the way Terraform would, with unknown values propagated instead of
//! guessed, so an unresolvable setting is reported rather than silently skipped.
//!
//! Evaluation is bounded: every node costs a step of a [`Budget`], and so does every value node
//! read out of a variable, local or function result. Lists and objects are shared between
//! copies ([`Value::list`], [`Value::object`]), so a value read many times takes its memory once;
//! the reads are counted at full size, so no configuration can make kpulint hang or exhaust
//! memory. Nesting is bounded too, so none can overflow the stack.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use super::budget::{Budget, MAX_EVAL_DEPTH, MAX_VALUE_DEPTH};
use super::functions;
use super::value::{format_number, Value};
use crate::model::expr::{Accessor, BinaryOp, Expr, ExprKind, ForExpr, ObjectKey, TemplatePart, UnaryOp};
use crate::source::Span;

/// A Terraform evaluation error (type mismatch, missing key, ...). `try()` catches these, except
/// fatal ones (kpulint's own limits), which no configuration may hide.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
    /// A limit of kpulint was hit (too expensive, too deep): `try()` and `can()` do not catch it.
    pub fatal: bool,
}

impl EvalError {
    pub fn new(message: impl Into<String>, span: &Span) -> Self {
        EvalError {
            message: message.into(),
            span: span.clone(),
            fatal: false,
        }
    }

    pub fn fatal(message: impl Into<String>, span: &Span) -> Self {
        EvalError {
            fatal: true,
            ..EvalError::new(message, span)
        }
    }
}

pub type EvalResult = Result<Value, EvalError>;

/// Supplies the values of `local.*` lazily (locals may refer to locals).
pub trait LocalsSource {
    fn local(&self, name: &str, span: &Span) -> EvalResult;

    /// Calls `f` with the value of `local.NAME`; a source that stores its values can lend them
    /// instead of copying them (`local.big["key"]` then copies only the entry).
    fn local_with(&self, name: &str, span: &Span, f: &mut dyn FnMut(&Value) -> EvalResult) -> EvalResult {
        let v = self.local(name, span)?;
        f(&v)
    }
}

/// Names bound by enclosing `for` expressions, innermost last.
type Scope<'e> = Vec<(&'e str, Rc<Value>)>;

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
    /// Shared with the locals and every context of the same module tree.
    pub budget: Rc<Budget>,
}

impl<'a> Context<'a> {
    /// A context with a budget of its own.
    pub fn new(vars: &'a BTreeMap<String, Value>, locals: &'a dyn LocalsSource) -> Self {
        Context::with_budget(vars, locals, Rc::new(Budget::default()))
    }

    /// A context that spends `budget`.
    pub fn with_budget(vars: &'a BTreeMap<String, Value>, locals: &'a dyn LocalsSource, budget: Rc<Budget>) -> Self {
        Context {
            vars,
            locals,
            each: None,
            count_index: None,
            path_module: ".".into(),
            extra: Vec::new(),
            budget,
        }
    }

    pub fn eval(&self, expr: &Expr) -> EvalResult {
        let _guard = self.budget.enter();
        let mut scope = Vec::new();
        self.eval_in(expr, &mut scope)
    }

    fn eval_in<'e>(&self, expr: &'e Expr, scope: &mut Scope<'e>) -> EvalResult {
        self.budget.charge(1, &expr.span)?;
        let depth = self.budget.depth.get();
        if depth >= MAX_EVAL_DEPTH {
            return Err(EvalError::fatal(
                format!("expression nests too deeply to evaluate (more than {MAX_EVAL_DEPTH} levels)"),
                &expr.span,
            ));
        }
        self.budget.depth.set(depth + 1);
        let result = self.eval_node(expr, scope);
        self.budget.depth.set(depth);
        result
    }

    /// Charges reading `v` (one step per value node, and per 16 bytes of text, although its lists
    /// and objects are shared) and checks its nesting, before it is handed on.
    fn charge_value(&self, v: &Value, span: &Span) -> Result<(), EvalError> {
        let text = |s: &str| (s.len() / 16) as u64;
        match v {
            Value::List(_) | Value::Object(_) => {}
            Value::String(s) => return self.budget.charge(1 + text(s), span),
            _ => return self.budget.charge(1, span),
        }
        let mut stack: Vec<(&Value, usize)> = vec![(v, 0)];
        let mut n: u64 = 0;
        while let Some((v, depth)) = stack.pop() {
            if depth > MAX_VALUE_DEPTH {
                return Err(EvalError::fatal(
                    format!("value nests too deeply (more than {MAX_VALUE_DEPTH} levels)"),
                    span,
                ));
            }
            n += 1;
            match v {
                Value::String(s) => n += text(s),
                Value::List(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                Value::Object(map) => {
                    for (k, item) in map.iter() {
                        n += text(k);
                        stack.push((item, depth + 1));
                    }
                }
                _ => {}
            }
            if n >= 4096 {
                self.budget.charge(n, span)?;
                self.budget.charge_read(n, span)?;
                n = 0;
            }
        }
        self.budget.charge(n, span)?;
        self.budget.charge_read(n, span)
    }

    fn eval_node<'e>(&self, expr: &'e Expr, scope: &mut Scope<'e>) -> EvalResult {
        match &expr.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            // Terraform keeps a literal beyond f64 range (`1e400`) as a number: so does kpulint,
            // as an infinity that arithmetic refuses and rules report as out of range.
            ExprKind::Number(n) if n.is_nan() => Err(EvalError::new("number is out of range", &expr.span)),
            ExprKind::Number(n) => Ok(Value::Number(*n)),
            ExprKind::String(s) => Ok(Value::String(s.clone())),
            ExprKind::Template(parts) => self.eval_template(parts, expr, scope),
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval_in(item, scope)?);
                }
                Ok(Value::list(out))
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
                Ok(Value::object(out))
            }
            ExprKind::Traversal { root, root_span, path } => self.eval_traversal(root, root_span, path, expr, scope),
            ExprKind::Index { target, path } => {
                let base = self.eval_in(target, scope)?;
                self.apply_path(&base, path, scope, &expr.span)
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

    fn eval_template<'e>(&self, parts: &'e [TemplatePart], expr: &Expr, scope: &mut Scope<'e>) -> EvalResult {
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

    fn eval_traversal<'e>(
        &self,
        root: &str,
        root_span: &Span,
        path: &'e [Accessor],
        expr: &Expr,
        scope: &mut Scope<'e>,
    ) -> EvalResult {
        if let Some((_, v)) = scope.iter().rev().find(|(n, _)| *n == root) {
            let v = Rc::clone(v);
            return self.apply_path(&v, path, scope, &expr.span);
        }
        if let Some((_, v)) = self.extra.iter().rev().find(|(n, _)| n == root) {
            return self.apply_path(v, path, scope, &expr.span);
        }
        let first_attr = match path.first() {
            Some(Accessor::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let rest = path.get(1..).unwrap_or_default();
        match root {
            "var" => {
                let Some(name) = first_attr else {
                    return Err(EvalError::new("`var` must be followed by a variable name", root_span));
                };
                match self.vars.get(name) {
                    Some(v) => self.apply_path(v, rest, scope, &expr.span),
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
                self.locals
                    .local_with(name, &expr.span, &mut |v| self.apply_path(v, rest, scope, &expr.span))
            }
            "each" => match (&self.each, first_attr) {
                (Some((k, _)), Some("key")) => self.apply_path(k, rest, scope, &expr.span),
                (Some((_, v)), Some("value")) => self.apply_path(v, rest, scope, &expr.span),
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
                _ => Err(EvalError::new(
                    format!("unknown attribute in {}", dotted_name(root, path)),
                    &expr.span,
                )),
            },
            "terraform" => match first_attr {
                Some("workspace") => Ok(Value::String("default".into())),
                _ => Ok(Value::unknown(
                    format!("{} is not evaluated by kpulint", dotted_name(root, path)),
                    "write the value as a literal or a variable",
                )),
            },
            "data" => Ok(Value::unknown(
                format!(
                    "{} is read from a data source when Terraform plans",
                    dotted_name(root, path)
                ),
                "lint the `terraform show -json` plan instead, or pass the value with --var",
            )),
            "module" => Ok(Value::unknown(
                format!("{} is an output of another module", dotted_name(root, path)),
                "lint the `terraform show -json` plan instead, or pass the value with --var",
            )),
            "self" => Ok(Value::unknown(
                format!("{} refers to the resource itself", dotted_name(root, path)),
                "write the value as a literal",
            )),
            _ => Ok(Value::unknown(
                format!(
                    "{} is an attribute of another resource, known only after apply",
                    dotted_name(root, path)
                ),
                "lint the `terraform show -json` plan instead, or write the value as a literal",
            )),
        }
    }

    /// Applies `.attr`, `[key]` and splats to a borrowed value, copying only the result.
    fn apply_path<'e>(&self, value: &Value, path: &'e [Accessor], scope: &mut Scope<'e>, span: &Span) -> EvalResult {
        let mut cur = value;
        for (i, acc) in path.iter().enumerate() {
            if cur.is_unknown() {
                break;
            }
            cur = match acc {
                Accessor::Attr(name) => index_ref(cur, &Value::String(name.clone()), span)?,
                Accessor::Index(e) => {
                    let key = self.eval_in(e, scope)?;
                    if key.is_unknown() {
                        return Ok(key);
                    }
                    index_ref(cur, &key, &e.span)?
                }
                Accessor::Splat => {
                    let items: Vec<&Value> = match cur {
                        Value::List(items) => items.iter().collect(),
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    let rest = &path[i + 1..];
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply_path(item, rest, scope, span)?);
                    }
                    return Ok(Value::list(out));
                }
            };
        }
        self.charge_value(cur, span)?;
        Ok(cur.clone())
    }

    fn eval_call<'e>(
        &self,
        name: &str,
        args: &'e [Expr],
        expand_final: bool,
        expr: &Expr,
        scope: &mut Scope<'e>,
    ) -> EvalResult {
        // try() and can() see errors of their arguments, so they evaluate lazily; kpulint's own
        // limits are not the configuration's errors, so they are never caught.
        match name {
            "try" => {
                let mut last_err = None;
                for arg in args {
                    match self.eval_in(arg, scope) {
                        Ok(v) => return Ok(v),
                        Err(e) if e.fatal => return Err(e),
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
                    Err(e) if e.fatal => return Err(e),
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
                Some(Value::List(items)) => values.extend(Arc::unwrap_or_clone(items)),
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
        let result = functions::call(name, values, &expr.span)?;
        self.charge_value(&result, &expr.span)?;
        Ok(result)
    }

    fn eval_for<'e>(&self, f: &'e ForExpr, expr: &Expr, scope: &mut Scope<'e>) -> EvalResult {
        let collection = self.eval_in(&f.collection, scope)?;
        let pairs: Vec<(Value, Value)> = match collection {
            u @ Value::Unknown(_) => return Ok(u),
            Value::List(items) => Arc::unwrap_or_clone(items)
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
            Value::Object(map) => Arc::unwrap_or_clone(map)
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
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
                scope.push((kv.as_str(), Rc::new(k)));
            }
            scope.push((f.value_var.as_str(), Rc::new(v)));
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
                            format!(
                                "duplicate key \"{}\" in for expression (use `...` to group)",
                                truncate(&key, 80)
                            ),
                            &expr.span,
                        ));
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            if f.grouping {
                return Ok(Value::object(
                    grouped.into_iter().map(|(k, v)| (k, Value::list(v))).collect(),
                ));
            }
            Ok(Value::object(object))
        } else {
            Ok(Value::list(list))
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
        format!(
            "expected a {expected}, found {}: {}",
            found.type_name(),
            found.summary(80)
        ),
        span,
    )
}

/// `value[key]` / `value.key`.
pub fn index_value(value: Value, key: &Value, span: &Span) -> EvalResult {
    index_ref(&value, key, span).cloned()
}

/// At most `max` characters of `s`, for messages.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

/// `value[key]` / `value.key`, borrowed.
fn index_ref<'v>(value: &'v Value, key: &Value, span: &Span) -> Result<&'v Value, EvalError> {
    match value {
        Value::Object(map) => {
            let k = key
                .to_string_value()
                .ok_or_else(|| EvalError::new("an object key must be a string", span))?;
            map.get(&k).ok_or_else(|| {
                EvalError::new(
                    format!("this object has no attribute or key \"{}\"", truncate(&k, 80)),
                    span,
                )
            })
        }
        Value::List(items) => {
            let idx = key
                .to_number()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .ok_or_else(|| EvalError::new(format!("invalid list index {}", key.summary(80)), span))?;
            // `as` saturates: a huge index is simply out of range.
            items.get(idx as usize).ok_or_else(|| {
                EvalError::new(
                    format!(
                        "index {} is out of range for a list of {} elements",
                        format_number(idx),
                        items.len()
                    ),
                    span,
                )
            })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    struct NoLocals;
    impl LocalsSource for NoLocals {
        fn local(&self, name: &str, span: &Span) -> EvalResult {
            Err(EvalError::new(format!("no local.{name}"), span))
        }
    }

    fn parse(text: &str) -> Expr {
        crate::inputs::hcl::parse_expr(&SourceFile::new("t.tf", text)).expect("valid expression")
    }

    fn eval_with(vars: &BTreeMap<String, Value>, extra: Vec<(String, Value)>, text: &str) -> EvalResult {
        let mut cx = Context::new(vars, &NoLocals);
        cx.extra = extra;
        cx.eval(&parse(text))
    }

    fn eval(text: &str) -> EvalResult {
        eval_with(&BTreeMap::new(), Vec::new(), text)
    }

    const NESTED_FOR: &str = "[for a in range(1024) : [for b in range(1024) : [for c in range(1024) : a + b + c]]]";

    #[test]
    fn an_expensive_expression_is_an_error_not_a_hang() {
        let started = std::time::Instant::now();
        let e = eval(NESTED_FOR).expect_err("too expensive");
        assert!(
            e.message.contains("expression is too expensive to evaluate"),
            "{}",
            e.message
        );
        assert!(e.fatal);
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // Moderate work is fine.
        assert_eq!(
            eval("length(flatten([for a in range(100) : [for b in range(100) : a * b]]))").unwrap(),
            Value::Number(10_000.0)
        );
    }

    #[test]
    fn try_and_can_do_not_hide_kpulint_limits() {
        let e = eval(&format!("try({NESTED_FOR}, 1)")).expect_err("not caught");
        assert!(e.message.contains("too expensive"), "{}", e.message);
        let e = eval(&format!("can({NESTED_FOR})")).expect_err("not caught");
        assert!(e.message.contains("too expensive"), "{}", e.message);
        // Ordinary errors are still caught.
        assert_eq!(eval("try(1 / 0, 2)").unwrap(), Value::Number(2.0));
        assert_eq!(eval("can(1 / 0)").unwrap(), Value::Bool(false));
    }

    #[test]
    fn the_budget_is_shared_and_per_eval() {
        let vars = BTreeMap::new();
        let budget = Rc::new(Budget::new(1_000, 5_000));
        let cx = Context::with_budget(&vars, &NoLocals, Rc::clone(&budget));
        let expr = parse("[for a in range(100) : a]");
        for _ in 0..100 {
            if cx.eval(&expr).is_err() {
                break;
            }
        }
        assert!(budget.exhausted(), "{} steps", budget.steps());
        let e = cx.eval(&parse("1")).expect_err("nothing more");
        assert!(
            e.message.contains("the configuration is too expensive"),
            "{}",
            e.message
        );
        let cx = Context::with_budget(&vars, &NoLocals, Rc::new(Budget::new(1_000, 1_000_000)));
        assert!(cx.eval(&parse("[for a in range(1000) : a]")).is_err());
        assert!(
            cx.eval(&parse("[for a in range(100) : a]")).is_ok(),
            "a new eval, a new allowance"
        );
    }

    #[test]
    fn copying_big_values_is_charged() {
        let big = Value::list((0..300_000).map(|i| Value::Number(f64::from(i))).collect());
        let extra = vec![("big".to_string(), big.clone())];
        let e = eval_with(&BTreeMap::new(), extra.clone(), "[for i in range(1024) : big]").expect_err("too big");
        assert!(e.message.contains("too expensive"), "{}", e.message);
        // Indexing a big value copies only the element.
        let vars: BTreeMap<String, Value> = [("big".to_string(), big)].into_iter().collect();
        assert_eq!(
            eval_with(&vars, Vec::new(), "sum([for i in range(1024) : var.big[7]])").unwrap(),
            Value::Number(7.0 * 1024.0)
        );
        let s = Value::String("x".repeat(1 << 20));
        let e = eval_with(
            &BTreeMap::new(),
            vec![("s".into(), s)],
            "[for i in range(1024) : \"${s}${s}\"]",
        )
        .expect_err("too big");
        assert!(e.message.contains("too expensive"), "{}", e.message);
    }

    #[test]
    fn deep_values_and_deep_expressions_are_errors() {
        let mut v = Value::Number(1.0);
        for _ in 0..MAX_VALUE_DEPTH + 5 {
            v = Value::list(vec![v]);
        }
        let e = eval_with(&BTreeMap::new(), vec![("deep".into(), v)], "deep").expect_err("too deep");
        assert!(e.message.contains("value nests too deeply"), "{}", e.message);

        // Deeper than the parser allows: built by hand, evaluated on a big stack (as `evaluate`
        // does).
        let span = SourceFile::new("t.tf", "x").whole();
        let mut expr = Expr::new(ExprKind::Number(1.0), span.clone());
        for _ in 0..MAX_EVAL_DEPTH + 10 {
            expr = Expr::new(ExprKind::Tuple(vec![expr]), span.clone());
        }
        let message = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                let vars = BTreeMap::new();
                let r = Context::new(&vars, &NoLocals).eval(&expr).map_err(|e| e.message);
                drop(expr);
                r
            })
            .unwrap()
            .join()
            .unwrap()
            .expect_err("too deep");
        assert!(message.contains("nests too deeply"), "{message}");
    }

    #[test]
    fn messages_show_at_most_a_summary_of_a_value() {
        let big = Value::list((0..100_000).map(|i| Value::Number(f64::from(i))).collect());
        let e = eval_with(&BTreeMap::new(), vec![("big".into(), big)], "big * 2").expect_err("type error");
        assert!(e.message.len() < 200, "{}", e.message);
        assert!(e.message.ends_with('…'), "{}", e.message);
    }

    #[test]
    fn huge_and_fractional_indices_are_errors() {
        assert!(eval("[1, 2][1e300]").unwrap_err().message.contains("out of range"));
        assert!(eval("[1, 2][-1]").unwrap_err().message.contains("invalid list index"));
        assert!(eval("[1, 2][0.5]").unwrap_err().message.contains("invalid list index"));
        assert_eq!(eval("[1, 2][\"1\"]").unwrap(), Value::Number(2.0));
        assert_eq!(eval("{ a = { b = [5] } }.a.b[0]").unwrap(), Value::Number(5.0));
        assert_eq!(
            eval("[{ x = 1 }, { x = 2 }][*].x").unwrap(),
            Value::list(vec![Value::Number(1.0), Value::Number(2.0)])
        );
    }
}
