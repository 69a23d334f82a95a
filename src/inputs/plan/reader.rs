//! Reads a plan document without holding its whole syntax tree: a 500 MB plan's tree takes
//! several times the file's size, and the reader needs only the Flink resources and what
//! describes them.
//!
//! The whole text is validated exactly as `jsonc-parser` validates it (its scanner, and its
//! grammar in strict mode, so an invalid plan gets the same error at the same place), but only
//! the parts [`super::parse`] reads are kept: the first occurrence of each property it looks
//! up, where it looks. A value kept only for what it is (an object, a list, a string) is
//! *hollow*: the same kind and range, without its content. Every resource of
//! `planned_values` is parsed whole, then dropped unless it is a managed Flink resource;
//! resource changes and configuration resources keep what identifies them, and
//! [`materialize`] parses again, from the text, the change and configuration of each planned
//! Flink resource.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use jsonc_parser::ast::{
    Array, BooleanLit, NullKeyword, NumberLit, Object, ObjectProp, ObjectPropName, StringLit, Value,
};
use jsonc_parser::common::Range;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

use super::resources::Address;
use crate::inputs::terraform::FLINK_RESOURCE;

/// jsonc-parser's limit (`maximum_nesting_depth`), counted as it counts.
const MAX_NESTING: usize = 512;

/// Every leniency off, as in [`crate::inputs::json`].
const STRICT: ScannerOptions = ScannerOptions {
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// A syntax error: where, and jsonc-parser's description of it.
#[derive(Debug)]
pub struct SyntaxError {
    pub range: Range,
    pub message: String,
}

impl SyntaxError {
    fn new(range: Range, kind: ParseErrorKind) -> SyntaxError {
        SyntaxError {
            range,
            message: kind.to_string(),
        }
    }
}

impl From<jsonc_parser::errors::ParseError> for SyntaxError {
    fn from(e: jsonc_parser::errors::ParseError) -> SyntaxError {
        SyntaxError {
            range: e.range(),
            message: e.kind().to_string(),
        }
    }
}

/// What is kept of a value, by where it is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// All of it.
    Full,
    /// Its kind and range only.
    Hollow,
    /// Scalars whole, objects and lists hollow.
    Scalar,
    Root,
    PlannedValues,
    PlannedModule,
    PlannedModules,
    PlannedResources,
    Changes,
    Configuration,
    ConfigModule,
    ConfigResources,
    ModuleCalls,
    ModuleCall,
    Variables,
    Variable,
}

impl Shape {
    /// The shape of the first property `name` of an object of this shape; `None`: not kept.
    fn property(self, name: &str) -> Option<Shape> {
        use Shape::*;
        Some(match (self, name) {
            (Full, _) => Full,
            (Root, "format_version") => Full,
            (Root, "planned_values") => PlannedValues,
            (Root, "resource_changes") => Changes,
            (Root, "configuration") => Configuration,
            (Root, "variables") => Variables,
            // Only its presence is read: state rather than a plan.
            (Root, "values") => Hollow,
            (PlannedValues, "root_module") => PlannedModule,
            (PlannedModule, "resources") => PlannedResources,
            (PlannedModule, "child_modules") => PlannedModules,
            (PlannedModule, "address") => Full,
            (Configuration, "provider_config") => Full,
            (Configuration, "root_module") => ConfigModule,
            (ConfigModule, "resources") => ConfigResources,
            (ConfigModule, "module_calls") => ModuleCalls,
            (ModuleCall, "module") => ConfigModule,
            (Variable, "value") => Scalar,
            // Every module call, every variable, by name.
            (ModuleCalls, _) => ModuleCall,
            (Variables, _) => Variable,
            _ => return None,
        })
    }

    /// Whether every property is kept (not only the first of each name).
    fn keeps_every_property(self) -> bool {
        matches!(self, Shape::Full | Shape::ModuleCalls | Shape::Variables)
    }

    /// The shape of the elements of a list of this shape; `None`: not kept.
    fn element(self) -> Option<Shape> {
        match self {
            Shape::Full => Some(Shape::Full),
            Shape::PlannedModules => Some(Shape::PlannedModule),
            Shape::PlannedResources | Shape::Changes | Shape::ConfigResources => Some(Shape::Full),
            _ => None,
        }
    }
}

/// jsonc-parser's grammar (`parse_to_ast`, strict) over its scanner, keeping values by shape.
struct Reader<'a> {
    text: &'a str,
    scanner: Scanner<'a>,
    /// Added to every offset: the text read may be a part of the plan.
    base: usize,
    /// Where the objects, arrays and properties being read start (jsonc-parser's range stack).
    starts: Vec<usize>,
    last_token_end: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, base: usize) -> Reader<'a> {
        Reader {
            text,
            scanner: Scanner::new(text, &STRICT),
            base,
            starts: Vec::new(),
            last_token_end: 0,
        }
    }

    fn scan(&mut self) -> Result<Option<Token<'a>>, SyntaxError> {
        let token = self.scanner.scan()?;
        if let Some(Token::CommentLine(_) | Token::CommentBlock(_)) = token {
            return Err(self.error(ParseErrorKind::CommentsNotAllowed));
        }
        self.last_token_end = self.scanner.token_end();
        Ok(token)
    }

    fn token(&self) -> Option<Token<'a>> {
        self.scanner.token()
    }

    fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.base + start, self.base + end)
    }

    fn token_range(&self) -> Range {
        self.range(self.scanner.token_start(), self.scanner.token_end())
    }

    /// An error at the current token (jsonc-parser's `create_error_for_current_token`).
    fn error(&self, kind: ParseErrorKind) -> SyntaxError {
        let start = self.scanner.token_start();
        let end = if self.scanner.token_end() > start {
            self.scanner.token_end()
        } else {
            let rest = self.text.get(start..).unwrap_or("");
            rest.chars().next().map_or(self.text.len(), |c| start + c.len_utf8())
        };
        SyntaxError::new(self.range(start, end), kind)
    }

    fn start_range(&mut self) {
        self.starts.push(self.scanner.token_start());
    }

    fn end_range(&mut self) -> Range {
        let start = self.starts.pop().unwrap_or(0);
        self.range(start, self.scanner.token_end())
    }

    /// An error over the range started last (`create_error_for_current_range`).
    fn range_error(&mut self, kind: ParseErrorKind) -> SyntaxError {
        let range = self.end_range();
        SyntaxError::new(range, kind)
    }

    fn document(&mut self, shape: Shape) -> Result<Option<Value<'a>>, SyntaxError> {
        self.scan()?;
        let value = self.value(shape)?;
        if self.scan()?.is_some() {
            return Err(self.error(ParseErrorKind::MultipleRootJsonValues));
        }
        Ok(value)
    }

    fn value(&mut self, shape: Shape) -> Result<Option<Value<'a>>, SyntaxError> {
        if self.starts.len() > MAX_NESTING {
            return Err(self.range_error(ParseErrorKind::NestingDepthExceeded));
        }
        let Some(token) = self.token() else { return Ok(None) };
        let range = self.token_range();
        Ok(Some(match token {
            Token::OpenBrace => Value::Object(self.object(shape)?),
            Token::OpenBracket => Value::Array(self.array(shape)?),
            Token::String(value) => Value::StringLit(StringLit {
                range,
                value: if shape == Shape::Hollow {
                    Cow::Borrowed("")
                } else {
                    value
                },
            }),
            Token::Boolean(value) => Value::BooleanLit(BooleanLit { range, value }),
            Token::Number(value) => Value::NumberLit(NumberLit { range, value }),
            Token::Null => Value::NullKeyword(NullKeyword { range }),
            Token::CloseBracket => return Err(self.error(ParseErrorKind::UnexpectedCloseBracket)),
            Token::CloseBrace => return Err(self.error(ParseErrorKind::UnexpectedCloseBrace)),
            Token::Comma => return Err(self.error(ParseErrorKind::UnexpectedComma)),
            Token::Colon => return Err(self.error(ParseErrorKind::UnexpectedColon)),
            Token::Word(_) => return Err(self.error(ParseErrorKind::UnexpectedWord)),
            Token::CommentLine(_) | Token::CommentBlock(_) => {
                return Err(self.error(ParseErrorKind::CommentsNotAllowed))
            }
        }))
    }

    fn object(&mut self, shape: Shape) -> Result<Object<'a>, SyntaxError> {
        let mut properties = Vec::new();
        let mut seen: HashSet<Cow<'a, str>> = HashSet::new();
        self.start_range();
        self.scan()?;
        loop {
            match self.token() {
                Some(Token::CloseBrace) => break,
                Some(Token::String(name)) => {
                    // The shape of this property: only the first of a name is looked up.
                    let first = shape.keeps_every_property() || (shape != Shape::Hollow && seen.insert(name.clone()));
                    let kept = if first { shape.property(&name) } else { None };
                    let prop = self.property(name, kept.unwrap_or(Shape::Hollow))?;
                    if kept.is_some() {
                        properties.push(prop);
                    }
                }
                None => return Err(self.range_error(ParseErrorKind::UnterminatedObject)),
                Some(Token::Word(_) | Token::Number(_) | Token::Boolean(_) | Token::Null) => {
                    // A name without quotes (JSON5): not in strict mode.
                    self.start_range();
                    return Err(self.error(ParseErrorKind::ExpectedStringObjectProperty));
                }
                Some(_) => return Err(self.error(ParseErrorKind::UnexpectedTokenInObject)),
            }
            let after_value_end = self.last_token_end;
            match self.scan()? {
                Some(Token::Comma) => {
                    let comma = self.token_range();
                    if let Some(Token::CloseBrace) = self.scan()? {
                        return Err(SyntaxError::new(comma, ParseErrorKind::TrailingCommasNotAllowed));
                    }
                }
                Some(Token::String(_) | Token::Word(_) | Token::Number(_) | Token::Boolean(_) | Token::Null) => {
                    let at = self.range(after_value_end, after_value_end);
                    return Err(SyntaxError::new(at, ParseErrorKind::ExpectedComma));
                }
                _ => {}
            }
        }
        let range = self.end_range();
        if shape == Shape::Hollow {
            properties.clear();
        }
        Ok(Object { range, properties })
    }

    fn property(&mut self, name: Cow<'a, str>, shape: Shape) -> Result<ObjectProp<'a>, SyntaxError> {
        self.start_range();
        let name = ObjectPropName::String(StringLit {
            range: self.token_range(),
            value: name,
        });
        match self.scan()? {
            Some(Token::Colon) => {}
            _ => return Err(self.error(ParseErrorKind::ExpectedColonAfterObjectKey)),
        }
        self.scan()?;
        let shape = match (shape, self.token()) {
            (Shape::Scalar, Some(Token::OpenBrace | Token::OpenBracket)) => Shape::Hollow,
            (Shape::Scalar, _) => Shape::Full,
            _ => shape,
        };
        match self.value(shape)? {
            Some(value) => Ok(ObjectProp {
                range: self.end_range(),
                name,
                value,
            }),
            None => Err(self.error(ParseErrorKind::ExpectedObjectValue)),
        }
    }

    fn array(&mut self, shape: Shape) -> Result<Array<'a>, SyntaxError> {
        let mut elements = Vec::new();
        let element = shape.element();
        self.start_range();
        self.scan()?;
        loop {
            match self.token() {
                Some(Token::CloseBracket) => break,
                None => return Err(self.range_error(ParseErrorKind::UnterminatedArray)),
                _ => match self.value(element.unwrap_or(Shape::Hollow))? {
                    Some(value) => {
                        if element.is_some() {
                            if let Some(kept) = kept_element(shape, value) {
                                elements.push(kept);
                            }
                        }
                    }
                    None => return Err(self.range_error(ParseErrorKind::UnterminatedArray)),
                },
            }
            let after_value_end = self.last_token_end;
            match self.scan()? {
                Some(Token::Comma) => {
                    let comma = self.token_range();
                    if let Some(Token::CloseBracket) = self.scan()? {
                        return Err(SyntaxError::new(comma, ParseErrorKind::TrailingCommasNotAllowed));
                    }
                }
                Some(
                    Token::OpenBrace
                    | Token::OpenBracket
                    | Token::String(_)
                    | Token::Boolean(_)
                    | Token::Number(_)
                    | Token::Null,
                ) => {
                    let at = self.range(after_value_end, after_value_end);
                    return Err(SyntaxError::new(at, ParseErrorKind::ExpectedComma));
                }
                _ => {}
            }
        }
        Ok(Array {
            range: self.end_range(),
            elements,
        })
    }
}

/// What is kept of an element of a list of `shape`, parsed whole: a planned managed Flink
/// resource whole, nothing of another; what identifies a resource change or a configuration
/// resource (what [`materialize`] parses again when a planned Flink resource needs it).
fn kept_element<'a>(shape: Shape, value: Value<'a>) -> Option<Value<'a>> {
    let Value::Object(mut object) = value else {
        // Lists of objects: anything else is skipped by the reader.
        return (shape == Shape::Full).then_some(value);
    };
    match shape {
        Shape::PlannedResources => {
            let flink = object.get_string("type").is_some_and(|t| t.value == FLINK_RESOURCE);
            let managed = object.get_string("mode").is_none_or(|m| m.value == "managed");
            (flink && managed).then_some(Value::Object(object))
        }
        Shape::Changes => {
            keep_first(&mut object, &["deposed", "address", "change"]);
            for prop in &mut object.properties {
                if prop.name.as_str() != "address" {
                    prop.value = hollow(&prop.value);
                }
            }
            Some(Value::Object(object))
        }
        Shape::ConfigResources => {
            if object.get_string("type").is_none_or(|t| t.value != FLINK_RESOURCE) {
                keep_first(&mut object, &["type", "name", "mode"]);
            }
            Some(Value::Object(object))
        }
        _ => Some(Value::Object(object)),
    }
}

/// Keeps the first property of each of `names`, in order, and no other.
fn keep_first(object: &mut Object, names: &[&str]) {
    let mut seen: Vec<&str> = Vec::new();
    object.properties.retain(|p| {
        let name = p.name.as_str();
        match names.iter().find(|n| **n == name) {
            Some(n) if !seen.contains(n) => {
                seen.push(n);
                true
            }
            _ => false,
        }
    });
}

/// The same kind of value over the same range, without content.
fn hollow<'a>(value: &Value<'a>) -> Value<'a> {
    match value {
        Value::Object(o) => Value::Object(Object {
            range: o.range,
            properties: Vec::new(),
        }),
        Value::Array(a) => Value::Array(Array {
            range: a.range,
            elements: Vec::new(),
        }),
        Value::StringLit(s) => Value::StringLit(StringLit {
            range: s.range,
            value: Cow::Borrowed(""),
        }),
        other => other.clone(),
    }
}

/// Reads a plan: `Ok(None)` for an empty text, the error jsonc-parser would report for an
/// invalid one.
pub fn read(text: &str) -> Result<Option<Value<'_>>, SyntaxError> {
    Reader::new(text, 0).document(Shape::Root)
}

/// The value written at `range` of `text`, whole.
fn reparse(text: &str, range: Range) -> Option<Value<'_>> {
    let part = text.get(range.start..range.end)?;
    Reader::new(part, range.start).document(Shape::Full).ok().flatten()
}

/// Parses again, whole, the resource changes and configuration resources the planned Flink
/// resources of `root` look up.
pub fn materialize<'a>(text: &'a str, root: &mut Value<'a>) {
    let Value::Object(doc) = root else { return };
    let mut addresses: HashSet<String> = HashSet::new();
    if let Some(module) = doc
        .get_object("planned_values")
        .and_then(|p| p.get_object("root_module"))
    {
        planned_addresses(module, &mut addresses, 0);
    }
    if addresses.is_empty() {
        return;
    }
    // Resource changes: the change of each one with the address of a planned Flink resource.
    if let Some(changes) = first_mut(doc, "resource_changes").and_then(as_array_mut) {
        for rc in changes.elements.iter_mut().filter_map(as_object_mut) {
            let needed = rc
                .get_string("address")
                .is_some_and(|a| addresses.contains(a.value.as_ref()));
            if !needed {
                continue;
            }
            if let Some(change) = first_mut(rc, "change") {
                if let Some(whole) = hollow_range(change).and_then(|r| reparse(text, r)) {
                    *change = whole;
                }
            }
        }
    }
    // Configuration: the first resource of its module with its type and name.
    let Some(config_root) = first_mut(doc, "configuration")
        .and_then(as_object_mut)
        .and_then(|c| first_mut(c, "root_module"))
        .and_then(as_object_mut)
    else {
        return;
    };
    // The type and name of each application, by the module calls leading to its module.
    let mut wanted: HashMap<Vec<String>, HashSet<(String, String)>> = HashMap::new();
    for addr in addresses.iter().filter_map(|a| Address::parse(a)) {
        wanted.entry(addr.modules).or_default().insert((addr.rtype, addr.name));
    }
    for (modules, names) in wanted {
        let Some(resources) = called_module(config_root, &modules)
            .and_then(|m| first_mut(m, "resources"))
            .and_then(as_array_mut)
        else {
            continue;
        };
        // The first managed resource of each type and name, as the reader finds it.
        let mut first: HashMap<(String, String), usize> = HashMap::new();
        for (i, r) in resources.elements.iter().enumerate() {
            let Value::Object(r) = r else { continue };
            if r.get_string("mode").is_some_and(|m| m.value != "managed") {
                continue;
            }
            if let (Some(t), Some(n)) = (r.get_string("type"), r.get_string("name")) {
                first.entry((t.value.to_string(), n.value.to_string())).or_insert(i);
            }
        }
        for key in names {
            let Some(element) = first.get(&key).and_then(|&i| resources.elements.get_mut(i)) else {
                continue;
            };
            // A Flink resource was kept whole.
            let Value::Object(resource) = element else { continue };
            if resource.get_string("type").is_some_and(|t| t.value == FLINK_RESOURCE) {
                continue;
            }
            if let Some(whole @ Value::Object(_)) = reparse(text, resource.range) {
                *element = whole;
            }
        }
    }
}

/// The module of the configuration reached through the module calls `names`.
fn called_module<'o, 'a>(module: &'o mut Object<'a>, names: &[String]) -> Option<&'o mut Object<'a>> {
    let Some((name, rest)) = names.split_first() else {
        return Some(module);
    };
    let next = first_mut(module, "module_calls")
        .and_then(as_object_mut)
        .and_then(|calls| first_mut(calls, name))
        .and_then(as_object_mut)
        .and_then(|call| first_mut(call, "module"))
        .and_then(as_object_mut)?;
    called_module(next, rest)
}

/// The addresses of the planned managed Flink resources of a module and its child modules, as
/// [`super::resources::Plan::module`] reads them.
fn planned_addresses(module: &Object, out: &mut HashSet<String>, depth: usize) {
    let elements = module
        .get_array("resources")
        .map(|a| a.elements.as_slice())
        .unwrap_or_default();
    for res in elements.iter().filter_map(Value::as_object) {
        if let Some(addr) = res.get_string("address") {
            out.insert(addr.value.to_string());
        }
    }
    if depth > super::MAX_MODULE_DEPTH {
        return;
    }
    let children = module
        .get_array("child_modules")
        .map(|a| a.elements.as_slice())
        .unwrap_or_default();
    for child in children.iter().filter_map(Value::as_object) {
        planned_addresses(child, out, depth + 1);
    }
}

/// The range of a hollow object (a change kept for what it is).
fn hollow_range(value: &Value) -> Option<Range> {
    match value {
        Value::Object(o) if o.properties.is_empty() => Some(o.range),
        _ => None,
    }
}

fn first_mut<'o, 'a>(object: &'o mut Object<'a>, name: &str) -> Option<&'o mut Value<'a>> {
    object
        .properties
        .iter_mut()
        .find(|p| p.name.as_str() == name)
        .map(|p| &mut p.value)
}

fn as_object_mut<'o, 'a>(value: &'o mut Value<'a>) -> Option<&'o mut Object<'a>> {
    match value {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

fn as_array_mut<'o, 'a>(value: &'o mut Value<'a>) -> Option<&'o mut Array<'a>> {
    match value {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_same(text: &str, what: &str) {
        if let Some(difference) = super::super::reader_difference(text) {
            panic!("{what}: {difference}");
        }
    }

    fn fixtures() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path().join("plan.json")) {
                out.push(text);
            }
        }
        assert!(out.len() >= 5);
        out
    }

    /// Plans whose parts are where the reader does not expect them: values before the type,
    /// repeated names, a Flink type under an address of another type and the other way round,
    /// deposed changes, modules, a configuration resource of another type at the address.
    fn hostile() -> Vec<String> {
        let app = |address: &str, typ: &str, parallelism: u32| {
            format!(
                r#"{{"values":{{"application_configuration":[{{"flink_application_configuration":[{{"parallelism_configuration":[{{"configuration_type":"CUSTOM","parallelism":{parallelism},"parallelism_per_kpu":1,"auto_scaling_enabled":false}}]}}]}}],"tags":{{"kpulint:state_size":"240GB"}}}},"type":"{typ}","address":"{address}","type":"aws_s3_bucket","mode":"managed","name":"a"}}"#
            )
        };
        let change = |address: &str, extra: &str| {
            format!(
                r#"{{"change":{{"after_unknown":{{"tags":true,"application_configuration":[{{"flink_application_configuration":[{{"parallelism_configuration":[{{"parallelism":true}}]}}]}}]}}}},"address":"{address}"{extra}}}"#
            )
        };
        let config = |typ: &str, name: &str| {
            format!(
                r#"{{"expressions":{{"application_configuration":[{{}}],"tags":{{"constant_value":{{}}}}}},"type":"{typ}","name":"{name}","mode":"managed"}}"#
            )
        };
        let f = FLINK_RESOURCE;
        let docs = [
            format!(
                r#"{{"resource_changes":[{},{},{}],"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{},{},{}]}}}},"configuration":{{"root_module":{{"resources":[{},{}]}},"provider_config":{{"aws":{{"expressions":{{"region":{{"references":["var.region"]}}}}}}}}}},"variables":{{"region":{{"value":"eu-west-2","value":1}},"other":{{"value":{{"a":1}}}}}},"planned_values":{{}}}}"#,
                change(&format!("{f}.a"), r#","deposed":"x""#),
                change(&format!("{f}.a"), ""),
                change("weird", ""),
                app(&format!("{f}.a"), f, 12),
                app("weird", f, 3),
                app("aws_s3_bucket.b", "aws_s3_bucket", 2),
                config("aws_s3_bucket", "a"),
                config(f, "a"),
            ),
            format!(
                r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"child_modules":[{{"address":"module.m","resources":[{}]}}]}}}},"configuration":{{"root_module":{{"module_calls":{{"m":{{"module":{{"resources":[{},{}]}}}},"m":{{}}}}}}}},"resource_changes":[{}]}}"#,
                app(&format!("module.m.{f}.a"), f, 7),
                config("aws_s3_bucket", "a"),
                config(f, "a"),
                change(&format!("module.m.{f}.a"), ""),
            ),
            r#"{"format_version":"1.2","values":{"root_module":{}}}"#.to_string(),
            r#"{"format_version":{"x":1},"planned_values":{}}"#.to_string(),
            r#"{"format_version":"1.2","planned_values":[],"values":1}"#.to_string(),
            "[1,2]".to_string(),
            String::new(),
        ];
        docs.into_iter().collect()
    }

    #[test]
    fn the_reader_reads_what_the_whole_parse_reads() {
        for (i, text) in fixtures().into_iter().chain(hostile()).enumerate() {
            assert_same(&text, &format!("document {i}"));
        }
    }

    #[test]
    fn invalid_plans_get_the_errors_of_the_whole_parse() {
        let edits = [
            "", ",", "}", "]", "{", "[", ":", "\"", "//c", "/*c*/", "'a'", "1e", "-", ".5", "0x1", "+1", "NaN", "true",
            "nul", "\\u12", "é", "\u{0}", "\n", ",}", ",]", "\"\\q\"",
        ];
        let mut cases = 0;
        for text in fixtures().into_iter().chain(hostile()) {
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let step = (boundaries.len() / 24).max(1);
            for &at in boundaries.iter().step_by(step) {
                for edit in edits {
                    let mut t = text.clone();
                    t.insert_str(at, edit);
                    assert_same(&t, &format!("{edit:?} inserted at {at}"));
                    cases += 1;
                }
                assert_same(&text[..at], &format!("cut at {at}"));
                if let Some(next) = boundaries.iter().find(|&&b| b > at) {
                    assert_same(
                        &format!("{}{}", &text[..at], &text[*next..]),
                        &format!("removed at {at}"),
                    );
                }
            }
        }
        let deep = |n: usize| {
            format!(
                r#"{{"format_version":"1.2","planned_values":{}1{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        for n in [509, 510, 511, 512, 513] {
            assert_same(&deep(n), &format!("nesting {n}"));
        }
        let deep_objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        for n in [254, 255, 256, 257] {
            assert_same(&deep_objects(n), &format!("object nesting {n}"));
        }
        assert!(cases > 500, "{cases}");
    }

    #[test]
    fn only_flink_resources_and_what_describes_them_are_kept() {
        let text = hostile().remove(0);
        let Ok(Some(Value::Object(doc))) = read(&text) else {
            panic!()
        };
        let planned = doc
            .get_object("planned_values")
            .unwrap()
            .get_object("root_module")
            .unwrap();
        // The S3 bucket is dropped; both Flink-typed resources are kept.
        assert_eq!(planned.get_array("resources").unwrap().elements.len(), 2);
        let changes = doc.get_array("resource_changes").unwrap();
        let first = changes.elements[0].as_object().unwrap();
        assert_eq!(
            first.get_object("change").unwrap().properties.len(),
            0,
            "hollow until needed"
        );
        let other = doc.get_object("variables").and_then(|v| v.get_object("other")).unwrap();
        assert_eq!(other.get_object("value").unwrap().properties.len(), 0, "hollow");
    }

    #[test]
    fn reparsed_parts_keep_their_offsets() {
        let text = hostile().remove(1);
        let mut root = read(&text).unwrap().unwrap();
        materialize(&text, &mut root);
        let doc = root.as_object().unwrap();
        let change = doc.get_array("resource_changes").unwrap().elements[0]
            .as_object()
            .unwrap();
        let unknown = change
            .get_object("change")
            .unwrap()
            .get_object("after_unknown")
            .unwrap();
        let tags = unknown.get("tags").unwrap();
        assert_eq!(&text[tags.range.start..tags.range.end], "\"tags\":true");
    }
}
