//! Runtime values of the Terraform expression language, with Terraform's notion of *unknown*.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::model::Unresolved;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets (kpulint does not need to tell them apart).
    List(Arc<Vec<Value>>),
    /// Objects and maps.
    Object(Arc<BTreeMap<String, Value>>),
    /// A value that cannot be known before apply or without more input; the reason travels
    /// with it so KPU009 can name what is missing.
    Unknown(Arc<Unresolved>),
}

impl Value {
    /// A list; its elements are shared by every copy of the value (copies are cheap).
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// An object or map; its attributes are shared by every copy of the value.
    pub fn object(map: BTreeMap<String, Value>) -> Value {
        Value::Object(Arc::new(map))
    }

    pub fn unknown(what: impl Into<String>, hint: impl Into<String>) -> Value {
        Value::Unknown(Arc::new(Unresolved {
            what: what.into(),
            hint: hint.into(),
        }))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// The first unknown found anywhere inside this value.
    pub fn first_unknown(&self) -> Option<&Arc<Unresolved>> {
        match self {
            Value::Unknown(u) => Some(u),
            Value::List(items) => items.iter().find_map(Value::first_unknown),
            Value::Object(map) => map.values().find_map(Value::first_unknown),
            _ => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
        }
    }

    /// Terraform's automatic conversion to number (strings such as "4" convert).
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => parse_number(s.trim()),
            _ => None,
        }
    }

    /// Terraform's automatic conversion to bool ("true"/"false" convert).
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Terraform's automatic conversion to string (numbers and bools convert).
    pub fn to_string_value(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            // A literal beyond f64 range (`1e400`) is kept as a number, but its digits are not.
            Value::Number(n) if !n.is_finite() => None,
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as [`fmt::Display`] shows it, cut to about `max` characters: for messages,
    /// which must stay short whatever the size of the value.
    pub fn summary(&self, max: usize) -> String {
        let mut w = Limited {
            out: String::new(),
            left: max,
            cut: false,
        };
        let _ = fmt::write(&mut w, format_args!("{self}"));
        if w.cut {
            w.out.push('…');
        }
        w.out
    }

    /// A string that is equal for two values exactly when they are equal (`==`), so values can
    /// be deduplicated in linear time.
    pub fn canonical_key(&self) -> String {
        let mut out = String::new();
        let mut stack = vec![Key::Value(self)];
        while let Some(item) = stack.pop() {
            let v = match item {
                Key::Text(t) => {
                    out.push_str(t);
                    continue;
                }
                Key::Name(n) => {
                    out.push_str(&format!("{}:{n}", n.len()));
                    continue;
                }
                Key::Value(v) => v,
            };
            match v {
                Value::Null => out.push('n'),
                Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
                // -0 == 0, and every other number has one bit pattern.
                Value::Number(n) => out.push_str(&format!("#{:x};", if *n == 0.0 { 0 } else { n.to_bits() })),
                Value::String(s) => out.push_str(&format!("s{}:{s}", s.len())),
                Value::List(items) => {
                    out.push('[');
                    stack.push(Key::Text("]"));
                    stack.extend(items.iter().rev().map(Key::Value));
                }
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Key::Text("}"));
                    for (k, v) in map.iter().rev() {
                        stack.push(Key::Value(v));
                        stack.push(Key::Name(k));
                    }
                }
                Value::Unknown(u) => out.push_str(&format!("u{}:{}{}:{}", u.what.len(), u.what, u.hint.len(), u.hint)),
            }
        }
        out
    }
}

enum Key<'v> {
    Value(&'v Value),
    Name(&'v str),
    Text(&'static str),
}

/// A writer that keeps the first `left` characters and then fails, which ends formatting early.
struct Limited {
    out: String,
    left: usize,
    cut: bool,
}

impl fmt::Write for Limited {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.left == 0 {
                self.cut = true;
                return Err(fmt::Error);
            }
            self.out.push(c);
            self.left -= 1;
        }
        Ok(())
    }
}

/// Parses a number the way Terraform's `tonumber` does: decimal, optional sign and exponent.
pub fn parse_number(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    // Beyond f64 range ("1e400") is still a number, as in Terraform: infinite here.
    s.parse::<f64>().ok().filter(|n| !n.is_nan())
}

/// Formats a number as Terraform prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Object(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}}")
            }
            Value::Unknown(_) => write!(f, "(known after apply)"),
        }
    }
}
