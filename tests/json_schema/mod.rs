//! A JSON Schema validator for the subset of keywords the schemas of the tests use: SARIF 2.1.0
//! (draft-04), and the GitHub workflow, GitHub action, GitLab CI and pre-commit hooks schemas
//! of SchemaStore (draft-07; tests/fixtures/ci-schemas).
//!
//! A general validator crate was the largest compile unit of the whole build; this one covers
//! exactly the keywords those schemas are written with and refuses (panics on) any other, so a
//! schema using more is never validated only in part. `$ref` replaces its sibling keywords, as
//! both drafts say.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{Map, Value};

/// Keywords that only annotate (no effect on validity).
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "id",
    "$id",
    "$comment",
    "title",
    "description",
    "markdownDescription",
    "default",
    "examples",
];

/// Keywords this validator checks.
const CHECKED: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "pattern",
    "format",
    "anyOf",
    "oneOf",
    "definitions",
    // Draft-06/07 and the validation keywords the CI schemas add.
    "const",
    "not",
    "allOf",
    "if",
    "then",
    "else",
    "minLength",
    "maxLength",
    "minProperties",
    "maxProperties",
    "maxItems",
    "patternProperties",
    "dependencies",
];

pub struct Validator {
    root: Value,
}

impl Validator {
    /// Checks every keyword of the schema is one this validator implements and every pattern
    /// compiles.
    pub fn new(root: Value) -> Result<Validator, String> {
        check_keywords(&root, "#")?;
        Ok(Validator { root })
    }

    /// Every violation, as "message at /instance/path".
    pub fn errors(&self, doc: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.check(&self.root, doc, "", &mut out);
        out
    }

    pub fn is_valid(&self, doc: &Value) -> bool {
        self.errors(doc).is_empty()
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $ref are supported, not {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref {reference} points at nothing"))
    }

    fn check(&self, schema: &Value, doc: &Value, at: &str, out: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            // `true`/`{}`-like schemas accept everything; `false` nothing.
            if schema == &Value::Bool(false) {
                out.push(format!("no value is allowed at {at}"));
            }
            return;
        };
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            // Draft-04: `$ref` replaces every sibling keyword.
            self.check(self.resolve(r), doc, at, out);
            return;
        }
        if let Some(t) = schema.get("type") {
            let allowed: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => panic!("type must be a string or an array"),
            };
            if !allowed.iter().any(|t| has_type(doc, t)) {
                out.push(format!("{doc} is not of type {allowed:?} at {at}"));
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if !values.contains(doc) {
                out.push(format!("{doc} is not one of {values:?} at {at}"));
            }
        }
        if let Some(value) = schema.get("const") {
            if value != doc {
                out.push(format!("{doc} is not {value} at {at}"));
            }
        }
        match doc {
            Value::Object(o) => self.check_object(schema, o, at, out),
            Value::Array(a) => self.check_array(schema, a, at, out),
            Value::String(s) => check_string(schema, s, at, out),
            Value::Number(n) => check_number(schema, n.as_f64().unwrap_or(f64::NAN), at, out),
            _ => {}
        }
        if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(|s| self.matches(s, doc)) {
                out.push(format!("{doc} matches none of anyOf at {at}"));
            }
        }
        if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
            let n = one.iter().filter(|s| self.matches(s, doc)).count();
            if n != 1 {
                out.push(format!("{doc} matches {n} of oneOf (exactly 1 needed) at {at}"));
            }
        }
        for all in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.check(all, doc, at, out);
        }
        if let Some(not) = schema.get("not") {
            if self.matches(not, doc) {
                out.push(format!("{doc} matches the schema under `not` at {at}"));
            }
        }
        if let Some(condition) = schema.get("if") {
            let branch = if self.matches(condition, doc) { "then" } else { "else" };
            if let Some(s) = schema.get(branch) {
                self.check(s, doc, at, out);
            }
        }
    }

    fn matches(&self, schema: &Value, doc: &Value) -> bool {
        let mut errs = Vec::new();
        self.check(schema, doc, "", &mut errs);
        errs.is_empty()
    }

    fn check_object(&self, schema: &Map<String, Value>, o: &Map<String, Value>, at: &str, out: &mut Vec<String>) {
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = name.as_str() {
                if !o.contains_key(name) {
                    out.push(format!("\"{name}\" is a required property at {at}"));
                }
            }
        }
        check_count(
            schema,
            ("minProperties", "maxProperties"),
            o.len(),
            "properties",
            at,
            out,
        );
        // Draft-04 to 07 property dependencies: a present key requires the listed keys.
        for (key, needs) in schema
            .get("dependencies")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if o.contains_key(key) {
                for need in needs.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if !o.contains_key(need) {
                        out.push(format!("\"{key}\" needs \"{need}\" at {at}"));
                    }
                }
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        let patterns: Vec<(Regex, &Value)> = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(p, s)| (ecma_regex(p).unwrap_or_else(|e| panic!("pattern {p}: {e}")), s))
            .collect();
        for (key, value) in o {
            let path = format!("{at}/{key}");
            let mut by_pattern = false;
            for (re, s) in &patterns {
                if re.is_match(key) {
                    by_pattern = true;
                    self.check(s, value, &path, out);
                }
            }
            match props.and_then(|p| p.get(key)) {
                Some(s) => self.check(s, value, &path, out),
                None if by_pattern => {}
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        out.push(format!("additional property \"{key}\" is not allowed at {at}"))
                    }
                    Some(s @ Value::Object(_)) => self.check(s, value, &path, out),
                    _ => {}
                },
            }
        }
    }

    fn check_array(&self, schema: &Map<String, Value>, a: &[Value], at: &str, out: &mut Vec<String>) {
        check_count(schema, ("minItems", "maxItems"), a.len(), "items", at, out);
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            let distinct: BTreeSet<String> = a.iter().map(Value::to_string).collect();
            if distinct.len() != a.len() {
                out.push(format!("items are not unique at {at}"));
            }
        }
        if let Some(items) = schema.get("items") {
            assert!(items.is_object(), "only a single `items` schema is supported");
            for (i, item) in a.iter().enumerate() {
                self.check(items, item, &format!("{at}/{i}"), out);
            }
        }
    }
}

fn has_type(doc: &Value, t: &str) -> bool {
    match t {
        "object" => doc.is_object(),
        "array" => doc.is_array(),
        "string" => doc.is_string(),
        "boolean" => doc.is_boolean(),
        "null" => doc.is_null(),
        "number" => doc.is_number(),
        // Draft-04: an integer is a number without a fractional part (1.0 counts).
        "integer" => doc.is_i64() || doc.is_u64() || doc.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown type {other}"),
    }
}

/// `minItems`/`maxItems` and the like: `count` things of `what` within the schema's bounds.
fn check_count(
    schema: &Map<String, Value>,
    (min_key, max_key): (&str, &str),
    count: usize,
    what: &str,
    at: &str,
    out: &mut Vec<String>,
) {
    let count = count as u64;
    if let Some(min) = schema.get(min_key).and_then(Value::as_u64).filter(|&min| count < min) {
        out.push(format!("{count} {what}, fewer than {min}, at {at}"));
    }
    if let Some(max) = schema.get(max_key).and_then(Value::as_u64).filter(|&max| count > max) {
        out.push(format!("{count} {what}, more than {max}, at {at}"));
    }
}

fn check_number(schema: &Map<String, Value>, n: f64, at: &str, out: &mut Vec<String>) {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if n < min {
            out.push(format!("{n} is less than the minimum of {min} at {at}"));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if n > max {
            out.push(format!("{n} is greater than the maximum of {max} at {at}"));
        }
    }
}

fn check_string(schema: &Map<String, Value>, s: &str, at: &str, out: &mut Vec<String>) {
    check_count(
        schema,
        ("minLength", "maxLength"),
        s.chars().count(),
        "characters",
        at,
        out,
    );
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        // JSON Schema patterns are unanchored ECMA-262 regular expressions; these ones are
        // also valid (and mean the same) in the `regex` crate's syntax.
        let re = ecma_regex(p).unwrap_or_else(|e| panic!("pattern {p}: {e}"));
        if !re.is_match(s) {
            out.push(format!("\"{s}\" does not match {p} at {at}"));
        }
    }
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        let ok = match f {
            "uri" => is_uri(s),
            // A relative reference: any string without characters a URI never holds.
            "uri-reference" => !s.chars().any(|c| c.is_whitespace() || c == '\\'),
            "date-time" => is_date_time(s),
            // ECMA-262 syntax; the `regex` crate's is close enough for the values checked here.
            "regex" => ecma_regex(s).is_ok(),
            other => panic!("unknown format {other}"),
        };
        if !ok {
            out.push(format!("\"{s}\" is not a valid {f} at {at}"));
        }
    }
}

/// A JSON Schema pattern (ECMA-262) in the `regex` crate's syntax, which reads the patterns of
/// these schemas the same way except that ECMA's `\w` and `\d` are ASCII (the crate's are
/// Unicode, and `\w{1,255}` in GitLab's schema would exceed its size limit).
fn ecma_regex(pattern: &str) -> Result<Regex, regex::Error> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Regex::new(&out)
}

/// RFC 3986 absolute URI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), a colon,
/// and no whitespace.
fn is_uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !s.chars().any(|c| c.is_whitespace() || c == '\\')
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_date_time(s: &str) -> bool {
    let re = Regex::new(
        r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$",
    );
    re.is_ok_and(|re| re.is_match(s))
}

/// Fails on any keyword the validator does not implement, and on patterns that do not compile.
fn check_keywords(schema: &Value, at: &str) -> Result<(), String> {
    let Some(o) = schema.as_object() else {
        return Ok(());
    };
    for (key, value) in o {
        if ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        if !CHECKED.contains(&key.as_str()) {
            return Err(format!("keyword {key} at {at} is not supported"));
        }
        match key.as_str() {
            "properties" | "definitions" | "patternProperties" => {
                for (name, s) in value.as_object().into_iter().flatten() {
                    if key == "patternProperties" {
                        ecma_regex(name).map_err(|e| format!("pattern {name} at {at}: {e}"))?;
                    }
                    check_keywords(s, &format!("{at}/{key}/{name}"))?;
                }
            }
            "dependencies" if value.as_object().into_iter().flatten().any(|(_, d)| !d.is_array()) => {
                return Err(format!("schema dependencies at {at} are not supported"));
            }
            "items" | "additionalProperties" | "not" | "if" | "then" | "else" => {
                check_keywords(value, &format!("{at}/{key}"))?
            }
            "anyOf" | "oneOf" | "allOf" => {
                for (i, s) in value.as_array().into_iter().flatten().enumerate() {
                    check_keywords(s, &format!("{at}/{key}/{i}"))?;
                }
            }
            "pattern" => {
                let p = value.as_str().unwrap_or_default();
                ecma_regex(p).map_err(|e| format!("pattern {p} at {at}: {e}"))?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(schema: Value) -> Validator {
        Validator::new(schema).unwrap()
    }

    #[test]
    fn each_keyword_rejects_what_it_should() {
        let s = v(json!({
            "definitions": { "n": { "type": "integer", "minimum": 1, "maximum": 3 } },
            "type": "object",
            "additionalProperties": false,
            "required": ["a"],
            "properties": {
                "a": { "$ref": "#/definitions/n" },
                "b": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "enum": ["x", "y"] } },
                "c": { "type": "string", "pattern": "^[0-9]+$" },
                "d": { "type": "string", "format": "date-time" },
                "e": { "type": "string", "format": "uri" },
                "f": { "type": "object", "oneOf": [ { "required": ["p"] }, { "required": ["q"] } ] },
                "g": { "type": "object", "anyOf": [ { "required": ["p"] }, { "required": ["q"] } ] },
                "h": { "type": ["array", "null"] }
            }
        }));
        let good = json!({ "a": 2, "b": ["x", "y"], "c": "12", "d": "2026-01-02T03:04:05.6Z",
            "e": "file:///a", "f": { "p": 1 }, "g": { "p": 1, "q": 2 }, "h": null });
        assert_eq!(s.errors(&good), Vec::<String>::new());
        let bad = [
            json!({}),
            json!({ "a": 0 }),
            json!({ "a": 4 }),
            json!({ "a": 1.5 }),
            json!({ "a": 1, "z": 1 }),
            json!({ "a": 1, "b": [] }),
            json!({ "a": 1, "b": ["x", "x"] }),
            json!({ "a": 1, "b": ["w"] }),
            json!({ "a": 1, "c": "1a" }),
            json!({ "a": 1, "d": "2026-01-02 03:04:05Z" }),
            json!({ "a": 1, "e": "a/b" }),
            json!({ "a": 1, "f": { "p": 1, "q": 2 } }),
            json!({ "a": 1, "f": {} }),
            json!({ "a": 1, "g": {} }),
            json!({ "a": 1, "h": 3 }),
        ];
        for doc in bad {
            assert!(!s.is_valid(&doc), "{doc} should be invalid");
        }
    }

    #[test]
    fn draft_07_keywords_reject_what_they_should() {
        let s = v(json!({
            "type": "object",
            "minProperties": 1,
            "maxProperties": 4,
            "dependencies": { "run": ["shell"] },
            "patternProperties": { "^x-": { "type": "integer" } },
            "additionalProperties": false,
            "properties": {
                "run": { "type": "string", "minLength": 2, "maxLength": 4 },
                "shell": { "const": "bash" },
                "list": { "type": "array", "maxItems": 1 },
                "all": { "allOf": [ { "type": "integer" }, { "minimum": 3 } ] },
                "not": { "not": { "type": "string" } },
                "cond": {
                    "if": { "type": "string" },
                    "then": { "pattern": "^a" },
                    "else": { "type": "integer" }
                }
            }
        }));
        let good = json!({ "run": "ls", "shell": "bash", "x-a": 1, "list": [1] });
        assert_eq!(s.errors(&good), Vec::<String>::new());
        assert!(s.is_valid(&json!({ "all": 3, "not": 1, "cond": "abc" })));
        assert!(s.is_valid(&json!({ "cond": 7 })));
        let bad = [
            json!({}),
            json!({ "a": 1, "b": 2, "c": 3, "d": 4, "e": 5 }),
            json!({ "run": "ls" }),
            json!({ "run": "l", "shell": "bash" }),
            json!({ "run": "lsls-", "shell": "bash" }),
            json!({ "shell": "sh" }),
            json!({ "x-a": "1" }),
            json!({ "y": 1 }),
            json!({ "list": [1, 2] }),
            json!({ "all": 2 }),
            json!({ "all": "3" }),
            json!({ "not": "s" }),
            json!({ "cond": "b" }),
            json!({ "cond": true }),
        ];
        for doc in bad {
            assert!(!s.is_valid(&doc), "{doc} should be invalid");
        }
    }

    #[test]
    fn unsupported_keywords_are_refused() {
        assert!(Validator::new(json!({ "propertyNames": {} })).is_err());
        assert!(Validator::new(json!({ "properties": { "a": { "contains": {} } } })).is_err());
        assert!(Validator::new(json!({ "not": { "unevaluatedProperties": false } })).is_err());
        assert!(Validator::new(json!({ "dependencies": { "a": { "required": ["b"] } } })).is_err());
    }
}
