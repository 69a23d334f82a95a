//! Values of input variables: Terraform's precedence for a root module (defaults, `TF_VAR_`,
//! tfvars files, `--var`), and conversion of every value to the variable's declared type.

use std::collections::BTreeMap;

use super::super::expr::{Context, EvalError, EvalResult, LocalsSource};
use super::super::value::Value;
use super::{CliVar, ModuleDir, TfVars, VarInputs};
use crate::inputs::terraform::Variable;
use crate::model::expr::Expr;
use crate::model::{InputError, Origin, OriginKind};
use crate::source::{SourceFile, Span};

pub(super) fn missing_var(name: &str) -> Value {
    Value::unknown(
        format!("var.{name} has no default and no value was given"),
        format!("pass --var {name}=VALUE or --var-file FILE, set TF_VAR_{name}, or add it to terraform.tfvars"),
    )
}

/// The value of `var.NAME` when a var file that may set it could not be read or parsed.
pub(super) fn unread_var(name: &str, broken: &Span) -> Value {
    let l = broken.location();
    Value::unknown(
        format!(
            "var.{name} may be set by {}, which could not be read or parsed",
            broken.path()
        ),
        format!("fix the input error at {}:{}:{}", broken.path(), l.line, l.column),
    )
}

/// A variable's `type` constraint, as far as conversion goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VarType {
    /// No `type`: values stay as given; `--var` values are strings.
    Untyped,
    String,
    Number,
    Bool,
    /// Collections, objects, tuples and `any`: `--var` values are HCL expressions.
    Complex,
}

pub(super) fn var_type(v: &Variable) -> VarType {
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
pub(super) fn convert_to_declared(var: &Variable, value: Value) -> Result<Value, String> {
    if matches!(value, Value::Null | Value::Unknown(_)) {
        return Ok(value);
    }
    let fail = |value: &Value, what: &str| Err(format!("{} is not {what}", value.summary(80)));
    match var_type(var) {
        VarType::Untyped => Ok(value),
        VarType::Complex => match &var.type_expr {
            Some(t) => super::types::fill_optional_defaults(t, value),
            None => Ok(value),
        },
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
pub(super) fn invalid_var(var: &Variable) -> Value {
    Value::unknown(format!("var.{} has an invalid value", var.name), "fix the value")
}

/// Converts a value given to `var` (at `span`), reporting a value of the wrong type.
pub(super) fn declared_value(
    var: &Variable,
    value: Value,
    span: &Span,
    what: &str,
    errors: &mut Vec<InputError>,
) -> Value {
    match convert_to_declared(var, value) {
        Ok(v) => v,
        Err(message) => {
            errors.push(InputError::new(span.clone(), format!("invalid {what}: {message}")));
            invalid_var(var)
        }
    }
}

pub(super) fn constant_eval(expr: &Expr) -> EvalResult {
    let vars = BTreeMap::new();
    let cx = Context::new(&vars, &NoLocals);
    cx.eval(expr)
}

pub(super) struct NoLocals;
impl LocalsSource for NoLocals {
    fn local(&self, name: &str, span: &Span) -> EvalResult {
        Err(EvalError::new(format!("local.{name} cannot be used here"), span))
    }
}

/// A `--var NAME=VALUE` or `TF_VAR_NAME` value: Terraform reads it as a literal string for a
/// variable without a type or of a primitive type (converted to that type), and as an HCL
/// expression for a complex type or `any`.
pub(super) fn raw_var_value(var: &Variable, raw: &str, span: &Span, errors: &mut Vec<InputError>) -> Value {
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
pub(super) fn default_value(var: &Variable, errors: &mut Vec<InputError>) -> Option<(Value, Origin)> {
    let d = var.default.as_ref()?;
    let origin = Origin {
        span: d.span.clone(),
        label: format!("default of var.{}", var.name),
        kind: OriginKind::VariableDefault,
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

pub(super) fn root_variables(
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
                    kind: OriginKind::Environment,
                },
            );
        }
    }
    let apply_file = |tfvars: &TfVars,
                      vars: &mut BTreeMap<String, Value>,
                      origins: &mut BTreeMap<String, Origin>,
                      pending: &mut BTreeMap<String, Vec<InputError>>| {
        if let Some(at) = &tfvars.broken {
            // It may set any variable: each is unknown unless a later source sets it.
            for name in declared.keys() {
                vars.insert(name.to_string(), unread_var(name, at));
                origins.remove(*name);
                pending.remove(*name);
            }
            return;
        }
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
                            kind: OriginKind::VarFile,
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
                            kind: OriginKind::CommandLine,
                        },
                    );
                }
            }
        }
    }
    errors.extend(pending.into_values().flatten());
    (vars, origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(type_text: Option<&str>) -> Variable {
        Variable {
            name: "v".into(),
            span: SourceFile::new("t.tf", "variable").whole(),
            default: None,
            type_text: type_text.map(str::to_string),
            type_expr: None,
            nullable: true,
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
        assert!(conv(Some("string"), Value::list(vec![])).is_err());
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
            Value::list(vec![Value::Number(1.0), Value::Number(2.0)])
        );
        assert_eq!(raw(Some("any"), "{ a = 1 }").0.type_name(), "object");
        let (v, errors) = raw(Some("number"), "abc");
        assert!(v.is_unknown());
        assert_eq!(errors, ["invalid value for var.v: \"abc\" is not a number"]);
    }
}
