//! The document tree both template syntaxes are lowered into (every node keeps its byte range
//! in the file), and the loading of JSON templates into it.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use jsonc_parser::ast::{ObjectPropName, Value as JsonValue};

use crate::model::InputError;
use crate::source::SourceFile;

/// How deep a document may nest. CloudFormation templates rarely go past 15 levels; the limit
/// keeps every recursive walk of the tree far from the 2 MiB stack of a rayon worker.
pub(super) const MAX_NESTING: usize = 128;

/// One value of the template, with its byte range in the file.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) span: Range<usize>,
    pub(super) kind: Kind,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// A value that cannot be represented (`!!int abc`, a tag of another YAML schema).
    Bad(String),
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) key_span: Range<usize>,
    pub(super) value: Node,
}

impl Node {
    pub(super) fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(e) => Some(e),
            _ => None,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    pub(super) fn str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `{"Ref": ...}`, `{"Condition": ...}` or `{"Fn::X": ...}`: the function and its argument.
    pub(super) fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.kind {
            Kind::Map(e) if e.len() == 1 => {
                let k = e[0].key.as_str();
                (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k, &e[0].value))
            }
            _ => None,
        }
    }

    pub(super) fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Num(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
            Kind::Bad(_) => "an unreadable value",
        }
    }

    /// Number of nodes in this subtree, stopping once `budget` is exhausted.
    pub(super) fn count_within(&self, budget: &mut usize) -> bool {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            match &n.kind {
                Kind::Seq(items) => stack.extend(items.iter()),
                Kind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
                _ => {}
            }
        }
        true
    }
}

pub(super) fn load_json(file: &Arc<SourceFile>) -> Result<Node, InputError> {
    let value = crate::inputs::json::parse(file)?;
    json_node(file, &value, 0)
}

pub(super) fn json_node(file: &Arc<SourceFile>, v: &JsonValue, depth: usize) -> Result<Node, InputError> {
    let (span, kind) = match v {
        JsonValue::NullKeyword(n) => (n.range, Kind::Null),
        JsonValue::BooleanLit(b) => (b.range, Kind::Bool(b.value)),
        JsonValue::StringLit(s) => (s.range, Kind::Str(s.value.to_string())),
        JsonValue::NumberLit(n) => (
            n.range,
            match n.value.parse::<f64>() {
                Ok(x) if x.is_finite() => Kind::Num(x),
                _ => Kind::Bad(format!("{} is not a number kpulint can read", n.value)),
            },
        ),
        JsonValue::Array(a) => {
            check_depth(file, a.range.start, depth)?;
            let items = a
                .elements
                .iter()
                .map(|e| json_node(file, e, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            (a.range, Kind::Seq(items))
        }
        JsonValue::Object(o) => {
            check_depth(file, o.range.start, depth)?;
            let mut entries = Vec::with_capacity(o.properties.len());
            let mut seen: HashMap<String, usize> = HashMap::new();
            for p in &o.properties {
                let (key, key_range) = match &p.name {
                    ObjectPropName::String(s) => (s.value.to_string(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key_span = key_range.start..key_range.end;
                if let Some(first) = seen.insert(key.clone(), key_span.start) {
                    let (line, col) = file.line_col(first);
                    return Err(InputError::new(
                        file.span(key_span),
                        format!("invalid JSON template: duplicate key \"{key}\" (first at line {line}, column {col})"),
                    )
                    .with_help("CloudFormation rejects templates with duplicate keys; remove one of them"));
                }
                entries.push(Entry {
                    key,
                    key_span,
                    value: json_node(file, &p.value, depth + 1)?,
                });
            }
            (o.range, Kind::Map(entries))
        }
    };
    Ok(Node {
        span: span.start..span.end,
        kind,
    })
}

pub(super) fn check_depth(file: &Arc<SourceFile>, at: usize, depth: usize) -> Result<(), InputError> {
    if depth >= MAX_NESTING {
        return Err(InputError::new(
            file.span(at..at),
            format!("the template nests deeper than {MAX_NESTING} levels"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::{InputFormat, Setting};

    #[test]
    fn json_spans_count_characters_before_the_value() {
        let src = "{\"Resources\": {\n  \"App\": {\"Type\": \"AWS::KinesisAnalyticsV2::Application\", \"Properties\": {\n    \"ApplicationConfiguration\": {\"FlinkApplicationConfiguration\": {\"ParallelismConfiguration\":\n      {\"Note\": \"Größe ✓ 日本\", \"ConfigurationType\": \"CUSTOM\", \"Parallelism\": \"12\"}}}}}}}\n";
        let inv = json(src);
        let a = app(&inv);
        assert_eq!(at(&a.span), (2, 3));
        assert_eq!(a.span.text(), "\"App\"");
        assert_eq!(a.format, InputFormat::CloudformationJson);
        let p = a.parallelism.parallelism.span().unwrap();
        assert_eq!(p.text(), "\"12\"");
        assert_eq!(at(p), (4, 76));
        assert_eq!(known(&a.parallelism.parallelism), 12.0);
        assert_eq!(known(&a.parallelism.configuration_type), "CUSTOM");
        assert!(matches!(a.parallelism.auto_scaling_enabled, Setting::Absent));
    }

    #[test]
    fn malformed_json_is_one_error_at_its_position() {
        let inv = json("{\n  \"Resources\": {\n    \"A\": 1,\n  }\n}\n");
        assert!(inv.applications.is_empty());
        assert_eq!(inv.errors.len(), 1);
        assert_eq!(at(&inv.errors[0].span), (3, 11));
        assert!(
            inv.errors[0].message.ends_with(": Trailing commas are not allowed"),
            "{}",
            inv.errors[0].message
        );
        let inv = json("{\"Resources\": {} // no comments\n}");
        assert!(inv.errors[0].message.contains("Comments are not allowed"));
        let inv = json("{\"Résumé\": \"ü\" \"Resources\": {}}");
        assert!(
            inv.errors[0].message.ends_with(": Expected comma"),
            "{}",
            inv.errors[0].message
        );
        // Where jsonc-parser puts it (right after the value a comma should follow), counted in characters.
        assert_eq!(at(&inv.errors[0].span), (1, 15));
        assert_eq!(inv.errors[0].span.start, 17);
    }
}
