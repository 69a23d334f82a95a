//! Terraform built-in functions that sizing values plausibly pass through. A function that is
//! not here yields an unknown value naming it, never a guess.

use std::collections::BTreeMap;

use super::expr::{EvalError, EvalResult};
use super::value::Value;
use crate::source::Span;

mod format;

/// The longest string a function may build (`replace`, `join`, `format`): far beyond any real
/// configuration, far below memory exhaustion.
pub const MAX_STRING_LEN: usize = 16 << 20;
/// The largest width or precision `format()` accepts.
pub const MAX_FORMAT_WIDTH: usize = 4096;

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
                    v => v.to_number().map(Value::Number).ok_or_else(|| {
                        EvalError::new(
                            format!("tonumber(): cannot convert {} to a number", v.summary(80)),
                            span,
                        )
                    }),
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
            let n: f64 = nums.into_iter().sum();
            if n.is_finite() {
                Ok(Value::Number(n))
            } else {
                err("result is out of range".into())
            }
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
            let base = num(&args[1])?;
            if !(2.0..=62.0).contains(&base) || base.fract() != 0.0 {
                return err("base must be a whole number between 2 and 62".into());
            }
            let base = base as u32;
            match parse_int(&s, base) {
                Some(n) if n.is_finite() => Ok(Value::Number(n)),
                Some(_) => err(format!("{} is out of range", Value::String(s).summary(80))),
                None => err(format!(
                    "cannot parse {} as a base {base} integer",
                    Value::String(s).summary(80)
                )),
            }
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
                v => v.to_bool().map(Value::Bool).ok_or_else(|| {
                    EvalError::new(format!("tobool(): cannot convert {} to a bool", v.summary(80)), span)
                }),
            }
        }
        "tolist" | "toset" | "tomap" => {
            arity(1)?;
            match &args[0] {
                Value::List(items) if name == "toset" => Ok(Value::list(distinct(items))),
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
            Ok(Value::list(Vec::new()))
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
            // The remainder of two finite numbers is exact, and below the length.
            let i = (i % items.len() as f64) as usize;
            match items.get(i) {
                Some(v) => Ok(v.clone()),
                None => err("index out of range".into()),
            }
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
            Ok(Value::list(out))
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
            Ok(Value::object(out))
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
            Ok(Value::list(if name == "keys" {
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
            if offset.fract() != 0.0 || length.fract() != 0.0 {
                return err("offset and length must be whole numbers".into());
            }
            // In floating point, where a huge offset or length cannot overflow; both bounds end
            // up within 0..=len, the end not before the start.
            let len = s.len() as f64;
            let start = if offset < 0.0 {
                (len + offset).max(0.0)
            } else {
                offset.min(len)
            };
            let end = if length < 0.0 { len } else { (start + length).min(len) };
            let (start, end) = (start as usize, end as usize);
            Ok(Value::String(s.get(start..end).unwrap_or_default().iter().collect()))
        }
        "join" => {
            arity(2)?;
            let sep = string(&args[0])?;
            let Value::List(items) = &args[1] else {
                return err("expected a list".into());
            };
            let parts: Vec<String> = items.iter().map(string).collect::<Result<_, _>>()?;
            let total = parts
                .iter()
                .fold(0usize, |n, p| n.saturating_add(p.len()).saturating_add(sep.len()));
            if total > MAX_STRING_LEN {
                return err("the result is too long".into());
            }
            Ok(Value::String(parts.join(&sep)))
        }
        "split" => {
            arity(2)?;
            let sep = string(&args[0])?;
            let s = string(&args[1])?;
            if s.is_empty() {
                return Ok(Value::list(Vec::new()));
            }
            Ok(Value::list(
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
            let to = string(&args[2])?;
            // An empty `from` matches before every character and at the end.
            let matches = if from.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(from.as_str()).count()
            };
            let len = s.len().saturating_add(matches.saturating_mul(to.len()));
            if len > MAX_STRING_LEN {
                return err("the result is too long".into());
            }
            Ok(Value::String(s.replace(&from, &to)))
        }
        "format" => format::format(&args, span),
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
            Ok(Value::list(out))
        }
        "distinct" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::list(distinct(items)))
        }
        "reverse" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::list(items.iter().rev().cloned().collect()))
        }
        "sort" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            let mut s: Vec<String> = items.iter().map(string).collect::<Result<_, _>>()?;
            s.sort();
            Ok(Value::list(s.into_iter().map(Value::String).collect()))
        }
        "compact" => {
            arity(1)?;
            let Value::List(items) = &args[0] else {
                return err("expected a list".into());
            };
            Ok(Value::list(
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
            if a.fract() != 0.0 || b.fract() != 0.0 {
                return err("indices must be whole numbers".into());
            }
            if a < 0.0 || b < a || b > items.len() as f64 {
                return err("index out of range".into());
            }
            match items.get(a as usize..b as usize) {
                Some(part) => Ok(Value::list(part.to_vec())),
                None => err("index out of range".into()),
            }
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
            if count.is_nan() || count > 1024.0 {
                return err("more than 1024 elements".into());
            }
            if count <= 0.0 {
                return Ok(Value::list(Vec::new()));
            }
            Ok(Value::list(
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
            Ok(Value::object(keys.into_iter().zip(v.iter().cloned()).collect()))
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
                for i in items.iter() {
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

/// `items` without repeated values, first occurrences kept in order.
fn distinct(items: &[Value]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .filter(|v| seen.insert(v.canonical_key()))
        .cloned()
        .collect()
}

/// `parseint`: an optional sign, then digits of `base` (2 to 62: `0-9`, `a-z`, then `A-Z` above
/// base 36; letters of either case up to base 36). `None` if a character is not a digit.
fn parse_int(s: &str, base: u32) -> Option<f64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n = 0.0f64;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n * f64::from(base) + f64::from(d);
    }
    Some(if negative { -n } else { n })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::source::SourceFile;

    pub(super) fn span() -> Span {
        SourceFile::new("t.tf", "x").whole()
    }

    pub(super) fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    pub(super) fn n(v: f64) -> Value {
        Value::Number(v)
    }

    fn list(items: &[Value]) -> Value {
        Value::list(items.to_vec())
    }

    fn ok(name: &str, args: &[Value]) -> Value {
        call(name, args.to_vec(), &span()).unwrap_or_else(|e| panic!("{name}{args:?}: {}", e.message))
    }

    fn fails(name: &str, args: &[Value]) -> String {
        match call(name, args.to_vec(), &span()) {
            Ok(v) => panic!("{name}{args:?} = {v}, expected an error"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn substr_clamps_huge_and_negative_offsets_and_lengths() {
        assert_eq!(ok("substr", &[s("abcdef"), n(1.0), n(1e300)]), s("bcdef"));
        assert_eq!(ok("substr", &[s("abcdef"), n(1.0), n(f64::MAX)]), s("bcdef"));
        assert_eq!(ok("substr", &[s("abcdef"), n(1e300), n(3.0)]), s(""));
        assert_eq!(ok("substr", &[s("abcdef"), n(-1e300), n(2.0)]), s("ab"));
        assert_eq!(ok("substr", &[s("abcdef"), n(-2.0), n(-1.0)]), s("ef"));
        assert_eq!(ok("substr", &[s("abcdef"), n(2.0), n(0.0)]), s(""));
        assert_eq!(ok("substr", &[s("héllo"), n(1.0), n(3.0)]), s("éll"));
        assert_eq!(ok("substr", &[s(""), n(5.0), n(5.0)]), s(""));
        assert!(fails("substr", &[s("abc"), n(0.5), n(1.0)]).contains("whole"));
        assert!(fails("substr", &[s("abc"), n(f64::NAN), n(1.0)]).contains("whole"));
        assert!(fails("substr", &[s("abc"), n(0.0), n(f64::INFINITY)]).contains("whole"));
    }

    #[test]
    fn element_wraps_any_index_without_overflow() {
        let l = list(&[s("a"), s("b"), s("c")]);
        assert_eq!(ok("element", &[l.clone(), n(4.0)]), s("b"));
        assert_eq!(ok("element", &[l.clone(), n(1e300)]), l.then_index(1e300 % 3.0));
        assert_eq!(ok("element", &[l.clone(), n(f64::MAX)]), l.then_index(f64::MAX % 3.0));
        fails("element", &[l.clone(), n(-1.0)]);
        fails("element", &[l.clone(), n(f64::NAN)]);
        fails("element", &[l, n(f64::INFINITY)]);
        fails("element", &[list(&[]), n(0.0)]);
    }

    trait ThenIndex {
        fn then_index(&self, i: f64) -> Value;
    }
    impl ThenIndex for Value {
        fn then_index(&self, i: f64) -> Value {
            match self {
                Value::List(items) => items[i as usize].clone(),
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn slice_checks_its_bounds() {
        let l = list(&[n(1.0), n(2.0), n(3.0)]);
        assert_eq!(ok("slice", &[l.clone(), n(1.0), n(3.0)]), list(&[n(2.0), n(3.0)]));
        assert_eq!(ok("slice", &[l.clone(), n(3.0), n(3.0)]), list(&[]));
        fails("slice", &[l.clone(), n(0.0), n(1e300)]);
        fails("slice", &[l.clone(), n(-1.0), n(1.0)]);
        fails("slice", &[l.clone(), n(2.0), n(1.0)]);
        fails("slice", &[l.clone(), n(0.5), n(1.0)]);
        fails("slice", &[l, n(f64::NAN), n(1.0)]);
    }

    #[test]
    fn range_is_bounded() {
        assert_eq!(ok("range", &[n(3.0)]), list(&[n(0.0), n(1.0), n(2.0)]));
        assert_eq!(ok("range", &[n(3.0), n(1.0)]), list(&[n(3.0), n(2.0)]));
        assert_eq!(ok("range", &[n(0.0), n(1.0), n(0.25)]).then_index(3.0), n(0.75));
        assert_eq!(ok("range", &[n(0.0), n(5.0), n(-1.0)]), list(&[]));
        assert_eq!(ok("range", &[n(0.0), n(1.0), n(1e308)]), list(&[n(0.0)]));
        assert!(fails("range", &[n(1e300)]).contains("1024"));
        assert!(fails("range", &[n(-1e308), n(1e308)]).contains("1024"));
        fails("range", &[n(f64::NAN)]);
        fails("range", &[n(0.0), n(1.0), n(0.0)]);
        fails("range", &[n(0.0), n(1.0), n(1e-300)]);
    }

    #[test]
    fn parseint_supports_every_base_up_to_62() {
        assert_eq!(ok("parseint", &[s("ff"), n(16.0)]), n(255.0));
        assert_eq!(ok("parseint", &[s("FF"), n(16.0)]), n(255.0));
        assert_eq!(ok("parseint", &[s("-101"), n(2.0)]), n(-5.0));
        assert_eq!(ok("parseint", &[s("+7"), n(8.0)]), n(7.0));
        // Above base 36, upper-case letters are the digits 36 to 61 (this used to panic).
        assert_eq!(ok("parseint", &[s("Z"), n(62.0)]), n(61.0));
        assert_eq!(ok("parseint", &[s("z"), n(62.0)]), n(35.0));
        assert_eq!(ok("parseint", &[s("10"), n(37.0)]), n(37.0));
        fails("parseint", &[s("12"), n(2.0)]);
        fails("parseint", &[s(""), n(10.0)]);
        fails("parseint", &[s("-"), n(10.0)]);
        fails("parseint", &[s("1"), n(1.0)]);
        fails("parseint", &[s("1"), n(63.0)]);
        fails("parseint", &[s("1"), n(10.5)]);
        fails("parseint", &[s("1"), n(1e300)]);
        fails("parseint", &[s("1"), n(f64::NAN)]);
        assert!(fails("parseint", &[s(&"z".repeat(400)), n(36.0)]).contains("out of range"));
    }

    #[test]
    fn replace_and_join_refuse_huge_results() {
        let big = s(&"a".repeat(1 << 20));
        assert!(fails("replace", &[big.clone(), s(""), s(&"b".repeat(64))]).contains("too long"));
        assert!(fails("replace", &[big.clone(), s("a"), s(&"b".repeat(64))]).contains("too long"));
        assert_eq!(ok("replace", &[s("abc"), s(""), s("-")]), s("-a-b-c-"));
        let many = list(&vec![s("x"); 64]);
        assert!(fails("join", &[big, many]).contains("too long"));
    }

    #[test]
    fn distinct_and_toset_keep_first_occurrences() {
        let l = list(&[
            n(1.0),
            s("1"),
            n(1.0),
            n(-0.0),
            n(0.0),
            list(&[s("a")]),
            list(&[s("a")]),
        ]);
        let want = list(&[n(1.0), s("1"), n(-0.0), list(&[s("a")])]);
        assert_eq!(ok("distinct", std::slice::from_ref(&l)), want);
        assert_eq!(ok("toset", &[l]), want);
        // Linear, not quadratic.
        let big = list(&(0..200_000).map(|i| n(f64::from(i % 1000))).collect::<Vec<_>>());
        assert_eq!(ok("length", &[ok("distinct", &[big])]), n(1000.0));
    }

    #[test]
    fn sum_and_pow_out_of_range_are_errors() {
        fails("sum", &[list(&[n(f64::MAX), n(f64::MAX)])]);
        fails("pow", &[n(10.0), n(400.0)]);
    }

    /// Every function, with every combination of awkward arguments: errors, never a panic.
    #[test]
    fn no_function_panics_on_any_arguments() {
        let pool = vec![
            Value::Null,
            Value::Bool(true),
            n(0.0),
            n(-1.0),
            n(2.5),
            n(1e300),
            n(-1e300),
            n(f64::MAX),
            n(f64::NAN),
            n(f64::INFINITY),
            n(f64::NEG_INFINITY),
            s(""),
            s("%"),
            s("%[999999999999]d%.5000x"),
            s("é1Z"),
            list(&[]),
            list(&[n(1.0), s("a"), Value::Null]),
            Value::object([("k".to_string(), n(1.0))].into_iter().collect()),
            Value::unknown("u", "h"),
        ];
        let mut names: Vec<&str> = SUPPORTED.to_vec();
        names.extend(["file", "nosuchfunction"]);
        for name in names {
            for a in &pool {
                let _ = call(name, vec![], &span());
                let _ = call(name, vec![a.clone()], &span());
                for b in &pool {
                    let _ = call(name, vec![a.clone(), b.clone()], &span());
                    for c in &pool {
                        let _ = call(name, vec![a.clone(), b.clone(), c.clone()], &span());
                    }
                }
            }
        }
    }
}
