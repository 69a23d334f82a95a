//! Recognising a value written as a plain literal, and writing its replacement in the same
//! style (quotes kept, `True`/`TRUE` case kept). Anything else — a reference, a template, a
//! function call, arithmetic — is an expression and is never rewritten.

/// A setting's value as kpulint evaluated it, or as the recommendation wants it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(u64),
    Bool(bool),
    Str(&'static str),
}

impl Value {
    /// The value written fresh into a file of any supported format: `10`, `false`, `"CUSTOM"`.
    pub fn hcl(&self) -> String {
        match self {
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => format!("\"{s}\""),
        }
    }

    /// How the value reads in a message.
    pub fn shown(&self) -> String {
        match self {
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => (*s).to_string(),
        }
    }
}

/// The text written at a span: the part between the quotes, and the quote character.
struct Literal<'t> {
    quote: &'static str,
    inner: &'t str,
}

fn split(text: &str) -> Option<Literal<'_>> {
    for (q, forbidden) in [("\"", &['"', '\\', '$', '%', '\n'][..]), ("'", &['\'', '\n'][..])] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            if text.len() < 2 || inner.contains(forbidden) {
                return None;
            }
            return Some(Literal { quote: q, inner });
        }
    }
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'));
    plain.then_some(Literal { quote: "", inner: text })
}

/// Whether `inner` is a literal whose value is `v`.
fn holds(inner: &str, v: &Value) -> bool {
    match v {
        // `12`, `12.0` and `"12"` (CloudFormation and Terraform convert numeric strings).
        Value::Number(n) => {
            inner.bytes().all(|b| b.is_ascii_digit() || b == b'.') && inner.parse::<f64>().is_ok_and(|x| x == *n as f64)
        }
        Value::Bool(b) => inner.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Str(s) => inner == *s,
    }
}

/// The text that replaces `text` (a literal of `current`) with `wanted`, keeping its quotes and
/// the case of a boolean; `None` when `text` is not a literal of `current`.
pub fn replace(text: &str, current: &Value, wanted: &Value) -> Option<String> {
    let lit = split(text)?;
    if !holds(lit.inner, current) {
        return None;
    }
    // A quoted literal stays quoted; a bare word (a YAML plain scalar) stays bare.
    let inner = match wanted {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => {
            let word = if *b { "true" } else { "false" };
            if lit.inner.chars().all(|c| c.is_ascii_uppercase()) {
                word.to_ascii_uppercase()
            } else if lit.inner.starts_with(|c: char| c.is_ascii_uppercase()) {
                let mut w = word.to_string();
                w[..1].make_ascii_uppercase();
                w
            } else {
                word.to_string()
            }
        }
        Value::Str(s) => (*s).to_string(),
    };
    Some(format!("{q}{inner}{q}", q = lit.quote))
}

/// Whether `text` is a literal of `v` (the value at this span is where it is defined).
pub fn is_literal_of(text: &str, v: &Value) -> bool {
    replace(text, v, v).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_their_style() {
        let n = |x| Value::Number(x);
        assert_eq!(replace("12", &n(12), &n(10)).as_deref(), Some("10"));
        assert_eq!(replace("12.0", &n(12), &n(10)).as_deref(), Some("10"));
        assert_eq!(replace("\"12\"", &n(12), &n(10)).as_deref(), Some("\"10\""));
        assert_eq!(replace("'12'", &n(12), &n(10)).as_deref(), Some("'10'"));
        let b = Value::Bool;
        assert_eq!(replace("True", &b(true), &b(false)).as_deref(), Some("False"));
        assert_eq!(replace("TRUE", &b(true), &b(false)).as_deref(), Some("FALSE"));
        assert_eq!(replace("\"true\"", &b(true), &b(false)).as_deref(), Some("\"false\""));
        let s = Value::Str;
        assert_eq!(
            replace("\"DEFAULT\"", &s("DEFAULT"), &s("CUSTOM")).as_deref(),
            Some("\"CUSTOM\"")
        );
        assert_eq!(
            replace("DEFAULT", &s("DEFAULT"), &s("CUSTOM")).as_deref(),
            Some("CUSTOM")
        );
    }

    #[test]
    fn expressions_and_other_values_are_not_literals() {
        let n = Value::Number(12);
        for text in [
            "var.a * 2",
            "max(12, 4)",
            "var.p",
            "local.p",
            "\"${var.p}\"",
            "x ? 12 : 4",
            "13",
            "0x0C",
            "1.2e1",
            "\"",
            "",
        ] {
            assert!(!is_literal_of(text, &n), "{text}");
        }
        assert!(!is_literal_of("\"DEF\\u0041ULT\"", &Value::Str("DEFAULT")));
    }
}
