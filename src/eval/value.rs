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
    List(Vec<Value>),
    /// Objects and maps.
    Object(BTreeMap<String, Value>),
    /// A value that cannot be known before apply or without more input; the reason travels
    /// with it so KPU009 can name what is missing.
    Unknown(Arc<Unresolved>),
}

impl Value {
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
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
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
    s.parse::<f64>().ok().filter(|n| n.is_finite())
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
