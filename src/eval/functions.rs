//! Terraform built-in functions that sizing values plausibly pass through. A function that is
//! not here yields an unknown value naming it, never a guess.

use std::collections::BTreeMap;

use super::expr::{EvalError, EvalResult};
use super::value::{format_number, parse_number, Value};
use crate::source::Span;

/// Functions kpulint evaluates (besides `try` and `can`, which the evaluator handles lazily).
pub const SUPPORTED: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "max",
    "min",
    "pow",
    "signum",
    "parseint",
    "tonumber",
    "tostring",
    "tobool",
    "tolist",
    "toset",
    "tomap",
    "lookup",
    "coalesce",
    "coalescelist",
    "length",
    "element",
    "concat",
    "merge",
    "contains",
    "keys",
    "values",
    "lower",
    "upper",
    "trimspace",
    "join",
    "split",
    "replace",
    "format",
    "flatten",
    "distinct",
    "range",
    "zipmap",
    "one",
    "sum",
    "startswith",
    "endswith",
    "strcontains",
    "substr",
    "title",
    "trim",
    "trimprefix",
    "trimsuffix",
    "index",
    "reverse",
    "slice",
    "compact",
    "sort",
];

pub fn call(name: &str, args: Vec<Value>, span: &Span) -> EvalResult {
    // Most functions return unknown when any argument is unknown.
    if !matches!(
        name,
        "coalesce" | "lookup" | "length" | "tolist" | "toset" | "tomap" | "merge" | "concat"
    ) {
        if let Some(u) = args.iter().find_map(|a| a.first_unknown()) {
            return Ok(Value::Unknown(u.clone()));
        }
    }
    let err = |msg: String| Err(EvalError::new(format!("{name}(): {msg}"), span));
    let num = |v: &Value| {
        v.to_number()
            .ok_or_else(|| EvalError::new(format!("{name}(): expected a number, found {}", v.type_name()), span))
    };
    let string = |v: &Value| {
        v.to_string_value()
            .ok_or_else(|| EvalError::new(format!("{name}(): expected a string, found {}", v.type_name()), span))
    };
    let arity = |n: usize| -> Result<(), EvalError> {
        if args.len() == n {
            Ok(())
        } else {
            Err(EvalError::new(
                format!("{name}() takes {n} argument(s), {} given", args.len()),
                span,
            ))
        }
    };
    match name {
        "abs" | "ceil" | "floor" | "signum" | "tonumber" => {
            arity(1)?;
            if name == "tonumber" {
                return match &args[0] {
                    Value::Null => Ok(Value::Null),
                    v => v
                        .to_number()
                        .map(Value::Number)
                        .ok_or_else(|| EvalError::new(format!("tonumber(): cannot convert {v} to a number"), span)),
                };
            }
            let n = num(&args[0])?;
            Ok(Value::Number(match name {
                "abs" => n.abs(),
                "ceil" => n.ceil(),
                "floor" => n.floor(),
                _ => {
                    if n == 0.0 {
                        0.0
                    } else {
                        n.signum()
                    }
                }
            }))
        }
        "max" | "min" => {
            let nums = flatten_numbers(&args, name, span)?;
            if nums.is_empty() {
                return err("needs at least one number".into());
            }
            let f = if name == "max" { f64::max } else { f64::min };
            Ok(Value::Number(nums.into_iter().reduce(f).unwrap_or(0.0)))
        }
        "sum" => {
            arity(1)?;
            let nums = flatten_numbers(&args, name, span)?;
            Ok(Value::Number(nums.into_iter().sum()))
        }
        "pow" => {
            arity(2)?;
            let n = num(&args[0])?.powf(num(&args[1])?);
            if n.is_finite() {
                Ok(Value::Number(n))
            } else {
                err("result is out of range".into())
            }
        }
        "parseint" => {
            arity(2)?;
            let s = string(&args[0])?;
            let base = num(&args[1])? as u32;
            if !(2..=62).contains(&base) {
                return err("base must be between 2 and 62".into());
            }
            i64::from_str_radix(&s, base)
                .map(|n| Value::Number(n as f64))
                .or_else(|_| err(format!("cannot parse {s:?} in base {base}")))
        }
        "tostring" => {
            arity(1)?;
            match &args[0] {
                Value::Null => Ok(Value::Null),
                v => string(v).map(Value::String),
            }
        }
        "tobool" => {
            arity(1)?;
            match &args[0] {
                Value::Null => Ok(Value::Null),
                v => v
                    .to_bool()
                    .map(Value::Bool)
                    .ok_or_else(|| EvalError::new(format!("tobool(): cannot convert {v} to a bool"), span)),
            }
        }
        "tolist" | "toset" | "tomap" => {
            arity(1)?;
            match &args[0] {
                Value::List(items) if name == "toset" => {
                    let mut out: Vec<Value> = Vec::new();
                    for i in items {
                        if !out.contains(i) {
                            out.push(i.clone());
                        }
                    }
                    Ok(Value::List(out))
                }
                v @ (Value::List(_) | Value::Object(_) | Value::Null | Value::Unknown(_)) => Ok(v.clone()),
                v => err(format!("cannot convert a {} to a collection", v.type_name())),
            }
        }
        "lookup" => {
            if args.len() != 2 && args.len() != 3 {
                return err("takes 2 or 3 arguments".into());
            }
            match &args[0] {
                u @ Value::Unknown(_) => Ok(u.clone()),
                Value::Object(map) => {
                    if let Some(u) = args[1].first_unknown() {
                        return Ok(Value::Unknown(u.clone()));
                    }
                    let key = string(&args[1])?;
                    match map.get(&key) {
                        Some(v) => Ok(v.clone()),
                        None => match args.get(2) {
                            Some(d) => Ok(d.clone()),
                            None => err(format!("the map has no key {key:?} and no default was given")),
                        },
                    }
                }
                v => err(format!("expected a map, found {}", v.type_name())),
            }
        }
        "coalesce" => {
            for a in &args {
                match a {
                    Value::Unknown(_) => return Ok(a.clone()),
                    Value::Null => continue,
                    Value::String(s) if s.is_empty() => continue,
                    v => return Ok(v.clone()),
                }
            }
            err("no non-null, non-empty argument".into())
        }
        "coalescelist" => {
            for a in &args {
                if let Value::List(items) = a {
                    if !items.is_empty() {
                        return Ok(a.clone());
                    }
                }
            }
            Ok(Value::List(Vec::new()))
        }
        "length" => {
            arity(1)?;
            match &args[0] {
                Value::List(items) => Ok(Value::Number(items.len() as f64)),
                Value::Object(map) => Ok(Value::Number(map.len() as f64)),
                Value::String(s) => Ok(Value::Number(s.chars().count() as f64)),
                u @ Value::Unknown(_) => Ok(u.clone()),
                v => err(format!("cannot take the length of a {}", v.type_name())),
            }
        }
        "element" => {
            arity(2)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            if items.is_empty() {
                return err("cannot use element() on an empty list".into());
            }
            let i = num(&args[1])?;
            if i < 0.0 || i.fract() != 0.0 {
                return err("index must be a non-negative whole number".into());
            }
            Ok(items[(i as usize) % items.len()].clone())
        }
        "index" => {
            arity(2)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            items
                .iter()
                .position(|v| v == &args[1])
                .map(|i| Value::Number(i as f64))
                .ok_or_else(|| EvalError::new("index(): value not found in the list", span))
        }
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                match a {
                    Value::List(items) => out.extend(items.iter().cloned()),
                    u @ Value::Unknown(_) => return Ok(u.clone()),
                    v => return err(format!("expected lists, found {}", v.type_name())),
                }
            }
            Ok(Value::List(out))
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in &args {
                match a {
                    Value::Object(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    Value::Null => {}
                    u @ Value::Unknown(_) => return Ok(u.clone()),
                    v => return err(format!("expected maps or objects, found {}", v.type_name())),
                }
            }
            Ok(Value::Object(out))
        }
        "contains" => {
            arity(2)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::Bool(items.contains(&args[1])))
        }
        "keys" | "values" => {
            arity(1)?;
            let Value::Object(map) = &args[0] else {
                return err("expected a map".into());
            };
            Ok(Value::List(if name == "keys" {
                map.keys().map(|k| Value::String(k.clone())).collect()
            } else {
                map.values().cloned().collect()
            }))
        }
        "lower" | "upper" | "trimspace" | "title" => {
            arity(1)?;
            let s = string(&args[0])?;
            Ok(Value::String(match name {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                "trimspace" => s.trim().to_string(),
                _ => s
                    .split(' ')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<String>>()
                    .join(" "),
            }))
        }
        "trim" | "trimprefix" | "trimsuffix" => {
            arity(2)?;
            let s = string(&args[0])?;
            let t = string(&args[1])?;
            Ok(Value::String(match name {
                "trim" => s.trim_matches(|c| t.contains(c)).to_string(),
                "trimprefix" => s.strip_prefix(t.as_str()).unwrap_or(&s).to_string(),
                _ => s.strip_suffix(t.as_str()).unwrap_or(&s).to_string(),
            }))
        }
        "startswith" | "endswith" | "strcontains" => {
            arity(2)?;
            let s = string(&args[0])?;
            let t = string(&args[1])?;
            Ok(Value::Bool(match name {
                "startswith" => s.starts_with(&t),
                "endswith" => s.ends_with(&t),
                _ => s.contains(&t),
            }))
        }
        "substr" => {
            arity(3)?;
            let s: Vec<char> = string(&args[0])?.chars().collect();
            let offset = num(&args[1])?;
            let length = num(&args[2])?;
            let start = if offset < 0.0 {
                (s.len() as f64 + offset).max(0.0)
            } else {
                offset.min(s.len() as f64)
            } as usize;
            let end = if length < 0.0 {
                s.len()
            } else {
                (start + length as usize).min(s.len())
            };
            Ok(Value::String(s[start..end].iter().collect()))
        }
        "join" => {
            arity(2)?;
            let sep = string(&args[0])?;
            let Value::List(items) = &args[1] else {
                return err("expected a list".into());
            };
            let parts: Result<Vec<String>, EvalError> = items.iter().map(string).collect();
            Ok(Value::String(parts?.join(&sep)))
        }
        "split" => {
            arity(2)?;
            let sep = string(&args[0])?;
            let s = string(&args[1])?;
            if s.is_empty() {
                return Ok(Value::List(Vec::new()));
            }
            Ok(Value::List(
                s.split(sep.as_str()).map(|p| Value::String(p.to_string())).collect(),
            ))
        }
        "replace" => {
            arity(3)?;
            let s = string(&args[0])?;
            let from = string(&args[1])?;
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return Ok(Value::unknown(
                    "replace() with a regular expression is not evaluated by kpulint",
                    "write the value as a literal or a variable",
                ));
            }
            Ok(Value::String(s.replace(&from, &string(&args[2])?)))
        }
        "format" => format(&args, span),
        "flatten" => {
            arity(1)?;
            fn flat(v: &Value, out: &mut Vec<Value>) {
                match v {
                    Value::List(items) => items.iter().for_each(|i| flat(i, out)),
                    other => out.push(other.clone()),
                }
            }
            let mut out = Vec::new();
            flat(&args[0], &mut out);
            Ok(Value::List(out))
        }
        "distinct" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            let mut out: Vec<Value> = Vec::new();
            for i in items {
                if !out.contains(i) {
                    out.push(i.clone());
                }
            }
            Ok(Value::List(out))
        }
        "reverse" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::List(items.iter().rev().cloned().collect()))
        }
        "sort" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            let mut s: Vec<String> = items.iter().map(string).collect::<Result<_, _>>()?;
            s.sort();
            Ok(Value::List(s.into_iter().map(Value::String).collect()))
        }
        "compact" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::List(
                items
                    .iter()
                    .filter(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
                    .cloned()
                    .collect(),
            ))
        }
        "slice" => {
            arity(3)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            let (a, b) = (num(&args[1])?, num(&args[2])?);
            if a < 0.0 || b < a || b as usize > items.len() {
                return err("index out of range".into());
            }
            Ok(Value::List(items[a as usize..b as usize].to_vec()))
        }
        "range" => {
            let nums: Vec<f64> = args.iter().map(num).collect::<Result<_, _>>()?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s, e] => (*s, *e, if s <= e { 1.0 } else { -1.0 }),
                [s, e, st] => (*s, *e, *st),
                _ => return err("takes 1 to 3 arguments".into()),
            };
            if step == 0.0 {
                return err("step must not be zero".into());
            }
            let count = ((end - start) / step).ceil();
            if !(0.0..=1024.0).contains(&count) {
                return if count < 0.0 {
                    Ok(Value::List(Vec::new()))
                } else {
                    err("more than 1024 elements".into())
                };
            }
            Ok(Value::List(
                (0..count as usize)
                    .map(|i| Value::Number(start + step * i as f64))
                    .collect(),
            ))
        }
        "zipmap" => {
            arity(2)?;
            let (Value::List(k), Value::List(v)) = (&args[0], &args[1]) else {
                return err("expected two lists".into());
            };
            if k.len() != v.len() {
                return err("the lists must have the same length".into());
            }
            let keys: Vec<String> = k.iter().map(string).collect::<Result<_, _>>()?;
            Ok(Value::Object(keys.into_iter().zip(v.iter().cloned()).collect()))
        }
        "one" => {
            arity(1)?;
            match &args[0] {
                Value::List(items) if items.is_empty() => Ok(Value::Null),
                Value::List(items) if items.len() == 1 => Ok(items[0].clone()),
                _ => err("must be given a list of zero or one element".into()),
            }
        }
        "file" | "filemd5" | "filebase64" | "filesha256" | "templatefile" | "fileexists" | "timestamp" | "uuid" => {
            Ok(Value::unknown(
                format!("{name}() depends on files or time outside the configuration"),
                "write the value as a literal or a variable",
            ))
        }
        _ => Ok(Value::unknown(
            format!("function {name}() is not evaluated by kpulint"),
            "write the value as a literal or a variable, or lint the `terraform show -json` plan",
        )),
    }
}

fn flatten_numbers(args: &[Value], name: &str, span: &Span) -> Result<Vec<f64>, EvalError> {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::List(items) => {
                for i in items {
                    out.push(
                        i.to_number()
                            .ok_or_else(|| EvalError::new(format!("{name}(): expected numbers"), span))?,
                    );
                }
            }
            v => out.push(v.to_number().ok_or_else(|| {
                EvalError::new(format!("{name}(): expected a number, found {}", v.type_name()), span)
            })?),
        }
    }
    Ok(out)
}

fn format(args: &[Value], span: &Span) -> EvalResult {
    let Some(spec) = args.first().and_then(Value::to_string_value) else {
        return Err(EvalError::new("format(): the first argument must be a string", span));
    };
    let mut out = String::new();
    let mut rest = args[1..].iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Skip flags/width/precision; only the verb matters for the values kpulint meets.
        let mut verb = None;
        for v in chars.by_ref() {
            if v.is_ascii_alphabetic() || v == '%' {
                verb = Some(v);
                break;
            }
        }
        match verb {
            Some('%') => out.push('%'),
            Some(v) => {
                let Some(arg) = rest.next() else {
                    return Err(EvalError::new("format(): not enough arguments", span));
                };
                match v {
                    'd' => out.push_str(&format_number(
                        arg.to_number()
                            .map(f64::trunc)
                            .ok_or_else(|| EvalError::new("format(): %d needs a number", span))?,
                    )),
                    _ => out.push_str(&arg.to_string_value().unwrap_or_else(|| arg.to_string())),
                }
            }
            None => return Err(EvalError::new("format(): incomplete verb", span)),
        }
    }
    Ok(Value::String(out))
}

/// Parses a `--var NAME=VALUE` or `TF_VAR_NAME` value the way Terraform does for a variable of
/// unknown type: numbers and bools stay strings and are converted where used.
pub fn cli_value(raw: &str) -> Value {
    let _ = parse_number;
    Value::String(raw.to_string())
}
