//! Terraform plan JSON (`terraform show -json plan.out`).
//!
//! Applications come from `planned_values` (the root module and its `child_modules`, at any
//! depth), with their full instance addresses and values Terraform has already resolved. What
//! Terraform knows only after apply is missing from `planned_values` and marked in
//! `resource_changes[].change.after_unknown`; the `configuration` section then tells a block the
//! configuration simply omits (the service defaults apply, as in HCL) from one that is written but
//! computed (unknown: reported by KPU009, never guessed).
//!
//! The JSON is read with `jsonc-parser`'s scanner and grammar in strict mode, so every value keeps
//! its byte span in the plan (usually one long line: line 1, exact column); only the parts read
//! here are kept ([`reader`]). Plans have no line numbers for the `.tf`
//! source, so [`map_to_source`] finds each resource in the `.tf` files it was planned from and
//! records where each value is written.

mod configuration;
mod merge;
pub mod reader;
mod resources;
mod source_map;
#[cfg(test)]
mod testing;

use std::collections::HashMap;
use std::sync::Arc;

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;

use crate::model::{InputError, Inventory};
use crate::source::SourceFile;
pub use merge::merge_with_source;
use resources::Plan;
pub use source_map::map_to_source;

/// Module nesting deeper than this is not a real plan.
const MAX_MODULE_DEPTH: usize = 64;

/// Quick check: does this JSON text look like a plan (or state) document?
pub fn looks_like(text: &str) -> bool {
    text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

/// Reads the Managed Flink applications of a plan.
pub fn parse(file: &Arc<SourceFile>) -> Inventory {
    // Only what this reader reads is kept of the document ([`reader`]).
    let root = match reader::read(&file.text) {
        Ok(Some(mut v)) => {
            reader::materialize(&file.text, &mut v);
            v
        }
        Ok(None) => {
            return Inventory {
                errors: vec![InputError::new(
                    file.whole(),
                    format!("{} is empty: expected a JSON document", file.path),
                )],
                ..Inventory::default()
            };
        }
        Err(e) => {
            let r = e.range;
            return Inventory {
                errors: vec![InputError::new(
                    file.span(r.start..r.end.max(r.start)),
                    format!("invalid JSON in {}: {}", file.path, e.message),
                )],
                ..Inventory::default()
            };
        }
    };
    from_document(file, &root)
}

/// The applications of a plan document (as [`reader`] keeps it, or whole).
fn from_document(file: &Arc<SourceFile>, root: &Value) -> Inventory {
    let mut inv = Inventory::default();
    let not_a_plan = |why: &str| {
        InputError::new(file.whole(), format!("{} is not a Terraform plan: {why}", file.path))
            .with_help("write one with `terraform show -json plan.out > plan.json`")
    };
    let Some(doc) = root.as_object() else {
        inv.errors.push(not_a_plan("it is not a JSON object"));
        return inv;
    };
    match doc.get("format_version").map(|p| &p.value) {
        None => {
            inv.errors.push(not_a_plan("it has no format_version"));
            return inv;
        }
        Some(Value::StringLit(s)) => {
            let major = s.value.split('.').next().and_then(|m| m.parse::<u32>().ok());
            if !matches!(major, Some(0 | 1)) {
                inv.errors.push(
                    InputError::new(
                        file.span(s.range.start..s.range.end),
                        format!(
                            "unsupported plan format_version {} (kpulint reads 0.x and 1.x)",
                            s.value
                        ),
                    )
                    .with_help(
                        "a newer Terraform writes a plan format this kpulint version does not know; upgrade kpulint",
                    ),
                );
                return inv;
            }
        }
        Some(other) => {
            let r = other.range();
            inv.errors.push(InputError::new(
                file.span(r.start..r.end),
                format!("format_version must be a string, found {}", describe(other)),
            ));
            return inv;
        }
    }
    let Some(planned) = doc.get_object("planned_values") else {
        let why = if doc.get("values").is_some() {
            "it is Terraform state (`values`), not a plan (`planned_values`)"
        } else {
            "it has no planned_values"
        };
        inv.errors.push(not_a_plan(why));
        return inv;
    };

    let mut changes: HashMap<&str, Option<&Object>> = HashMap::new();
    for rc in array(doc.get("resource_changes")).filter_map(Value::as_object) {
        // A deposed object (create_before_destroy) shares the address of the current one.
        if rc.get("deposed").is_some() {
            continue;
        }
        if let Some(addr) = rc.get_string("address") {
            let unknown = rc.get_object("change").and_then(|c| c.get_object("after_unknown"));
            changes.insert(addr.value.as_ref(), unknown);
        }
    }
    let configuration = doc.get_object("configuration");
    let plan = Plan {
        file,
        changes,
        config_root: configuration.and_then(|c| c.get_object("root_module")),
        providers: configuration.and_then(|c| c.get_object("provider_config")),
        variables: doc.get_object("variables"),
        config_index: Default::default(),
        provider_regions: Default::default(),
    };
    if let Some(root_module) = planned.get_object("root_module") {
        plan.module(root_module, &mut Vec::new(), &mut inv);
    }
    inv
}

/// How [`parse`] differs from reading the whole syntax tree with jsonc-parser, described (for
/// tests and fuzzing): a different error, or different applications, settings, spans or errors
/// read from a valid document.
#[doc(hidden)]
pub fn reader_difference(text: &str) -> Option<String> {
    let file = SourceFile::new("plan.json", text);
    let whole = super::json::parse(&file);
    let read = reader::read(text);
    match (&whole, &read) {
        (Err(w), Err(r)) => {
            let same_place = (w.span.start, w.span.end) == (r.range.start, r.range.end.max(r.range.start));
            (!same_place || !w.message.ends_with(&r.message))
                .then(|| format!("error {:?} {} / {:?} {}", w.span.range(), w.message, r.range, r.message))
        }
        (Ok(w), Ok(Some(_))) => {
            let inv = |i: &Inventory| format!("{:?} {:?} {:?}", i.applications, i.errors, i.notices);
            let (reference, read) = (inv(&from_document(&file, w)), inv(&parse(&file)));
            (reference != read).then(|| format!("whole tree:\n{reference}\nreader:\n{read}"))
        }
        (w, r) => {
            let agree = w.is_ok() == r.as_ref().is_ok_and(Option::is_some);
            (!agree).then(|| format!("{w:?} / {r:?}"))
        }
    }
}

/// The elements of a JSON array property (nothing for anything else).
fn array<'b, 'a>(prop: Option<&'b ObjectProp<'a>>) -> impl Iterator<Item = &'b Value<'a>> {
    prop.and_then(|p| p.value.as_array())
        .into_iter()
        .flat_map(|a| a.elements.iter())
}

/// The first element of a list-nested block, as an object.
fn first_object<'b, 'a>(v: &'b Value<'a>) -> Option<&'b Object<'a>> {
    v.as_array()?.elements.first()?.as_object()
}

fn is_true(v: &Value) -> bool {
    matches!(v, Value::BooleanLit(b) if b.value)
}

/// `string "12"`, `number 12`, ...: for messages about a value of the wrong type.
fn describe(v: &Value) -> String {
    match v {
        Value::StringLit(s) => format!("string {:?}", s.value),
        Value::NumberLit(n) => format!("number {}", n.value),
        Value::BooleanLit(b) => format!("bool {}", b.value),
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "a list".into(),
        Value::NullKeyword(_) => "null".into(),
    }
}

fn as_string(v: &Value) -> Option<String> {
    v.as_string_lit().map(|s| s.value.to_string())
}
fn as_number(v: &Value) -> Option<f64> {
    v.as_number_lit()
        .and_then(|n| n.value.parse::<f64>().ok())
        .filter(|f| f.is_finite())
}
fn as_bool(v: &Value) -> Option<bool> {
    v.as_boolean_lit().map(|b| b.value)
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn unsupported_format_version() {
        let inv = plan("{\n  \"format_version\": \"2.0\",\n  \"planned_values\": {}\n}\n");
        let e = only_error(&inv);
        assert_eq!(
            e.message,
            "unsupported plan format_version 2.0 (kpulint reads 0.x and 1.x)"
        );
        assert_eq!(e.span.text(), "\"2.0\"");
        let l = e.span.location();
        assert_eq!((l.line, l.column), (2, 21));
        for ok in ["0.1", "0.2", "1.0", "1.2"] {
            let inv = plan(&format!(r#"{{"format_version":"{ok}","planned_values":{{}}}}"#));
            assert!(inv.errors.is_empty(), "{ok}: {:?}", inv.errors);
        }
        let inv = plan(r#"{"format_version":1,"planned_values":{}}"#);
        assert!(only_error(&inv).message.contains("must be a string"));
    }

    #[test]
    fn json_that_is_not_a_plan() {
        for text in [
            "[1, 2]",
            r#"{"Resources": {}}"#,
            r#"{"format_version":"1.0","values":{"root_module":{}}}"#,
            "",
        ] {
            let inv = plan(text);
            assert!(inv.applications.is_empty());
            let e = only_error(&inv);
            assert!(e.message.starts_with("plan.json "), "{text}: {}", e.message);
        }
        let inv = plan(r#"{"format_version":"1.0","values":{"root_module":{}}}"#);
        assert!(only_error(&inv).message.contains("state"));
    }

    #[test]
    fn malformed_json_is_located() {
        let text = "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\"root_module\": {},}\n}";
        let inv = plan(text);
        let e = only_error(&inv);
        assert!(e.message.starts_with("invalid JSON in plan.json: "), "{}", e.message);
        let l = e.span.location();
        assert_eq!((l.line, l.column), (3, 39), "{}", e.message);
        // Comments are JSON5, not JSON.
        let inv = plan("{\"format_version\": \"1.2\", // x\n\"planned_values\": {}}");
        assert_eq!(only_error(&inv).span.location().line, 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let deep = format!(
                    "{{\"format_version\":\"1.2\",\"planned_values\":{}1{}}}",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                );
                let inv = plan(&deep);
                assert!(inv.applications.is_empty());
                let msg = only_error(&inv).message.clone();
                // Nesting the parser accepts, walked without recursion into values.
                let ok = format!(
                    "{{\"format_version\":\"1.2\",\"planned_values\":{{\"root_module\":{{\"resources\":{}1{}}}}}}}",
                    "[".repeat(500),
                    "]".repeat(500)
                );
                let inv2 = plan(&ok);
                (msg, inv2.errors.len(), inv2.applications.len())
            })
            .unwrap();
        let (msg, errors, apps) = handle.join().expect("no stack overflow");
        assert!(msg.contains("nesting"), "{msg}");
        assert_eq!((errors, apps), (0, 0));
    }
}
