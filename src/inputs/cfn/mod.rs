//! CloudFormation templates (JSON and YAML, CDK output included).
//!
//! Both syntaxes are first lowered into one small document tree (`Node`) whose every node
//! keeps its byte range in the file; YAML short-form tags (`!Ref X`, `!If [...]`) become the
//! long form (`{"Ref": "X"}`, `{"Fn::If": [...]}`) on the way. The template is then read from
//! that tree: one [`Application`] per `AWS::KinesisAnalyticsV2::Application` resource, with the
//! intrinsic functions in its properties evaluated by [`intrinsics`] (CloudFormation's "eval").

mod intrinsics;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use jsonc_parser::ast::{ObjectPropName, Value as JsonValue};
use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::directives::scan_directives;
use super::Parameters;
use crate::model::{
    Application, Directive, DirectiveKind, DirectiveTarget, InputError, InputFormat, Inventory, Notice,
    ParallelismConfig, Setting, Tag as AppTag,
};
use crate::source::{SourceFile, Span};
use intrinsics::{Resolved, Template, Tri};

pub const FLINK_TYPE: &str = "AWS::KinesisAnalyticsV2::Application";

/// How deep a document may nest. CloudFormation templates rarely go past 15 levels; the limit
/// keeps every recursive walk of the tree far from the 2 MiB stack of a rayon worker.
const MAX_NESTING: usize = 128;

/// Nodes YAML alias expansion may produce (a "billion laughs" guard).
const ALIAS_BUDGET: usize = 100_000;

/// Is this text a CloudFormation template at all (with or without a Flink application)?
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

/// Reads a JSON template (`*.template.json` from `cdk synth` included).
pub fn parse_json(file: &Arc<SourceFile>, params: &Parameters) -> Inventory {
    match load_json(file) {
        Ok(root) => read_template(file, &root, InputFormat::CloudformationJson, params),
        Err(e) => error_inventory(e),
    }
}

/// Reads a YAML template. A file that is strict JSON (a `.template` file written by a JSON
/// generator) is read as JSON.
pub fn parse_yaml(file: &Arc<SourceFile>, params: &Parameters) -> Inventory {
    if file.text.trim_start().starts_with('{') {
        if let Ok(root) = load_json(file) {
            return read_template(file, &root, InputFormat::CloudformationJson, params);
        }
    }
    match load_yaml(file) {
        Ok(root) => read_template(file, &root, InputFormat::CloudformationYaml, params),
        Err(e) => error_inventory(e),
    }
}

fn error_inventory(e: InputError) -> Inventory {
    let mut inv = Inventory::default();
    inv.errors.push(e);
    inv
}

// ---------------------------------------------------------------------------------------------
// The document tree
// ---------------------------------------------------------------------------------------------

/// One value of the template, with its byte range in the file.
#[derive(Debug, Clone)]
struct Node {
    span: Range<usize>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
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
struct Entry {
    key: String,
    key_span: Range<usize>,
    value: Node,
}

impl Node {
    fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(e) => Some(e),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    fn str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `{"Ref": ...}`, `{"Condition": ...}` or `{"Fn::X": ...}`: the function and its argument.
    fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.kind {
            Kind::Map(e) if e.len() == 1 => {
                let k = e[0].key.as_str();
                (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k, &e[0].value))
            }
            _ => None,
        }
    }

    fn type_name(&self) -> &'static str {
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
    fn count_within(&self, budget: &mut usize) -> bool {
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

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

fn load_json(file: &Arc<SourceFile>) -> Result<Node, InputError> {
    let value = super::json::parse(file)?;
    json_node(file, &value, 0)
}

fn json_node(file: &Arc<SourceFile>, v: &JsonValue, depth: usize) -> Result<Node, InputError> {
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

fn check_depth(file: &Arc<SourceFile>, at: usize, depth: usize) -> Result<(), InputError> {
    if depth >= MAX_NESTING {
        return Err(InputError::new(
            file.span(at..at),
            format!("the template nests deeper than {MAX_NESTING} levels"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/// A collection being built from parser events.
struct Frame {
    start: usize,
    tag: TagKind,
    anchor: usize,
    body: FrameBody,
}

enum FrameBody {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        /// The key read, waiting for its value.
        key: Option<(String, Range<usize>)>,
        seen: HashMap<String, usize>,
    },
}

impl Frame {
    fn wants_key(&self) -> bool {
        matches!(&self.body, FrameBody::Map { key: None, .. })
    }
}

enum TagKind {
    None,
    /// `!!str`, `!!int`: resolved by the scalar parser.
    Core,
    /// `!Ref`, `!If`, ...: the long-form key (`Ref`, `Fn::If`).
    Intrinsic(String),
    Other(String),
}

fn tag_kind(tag: Option<&Tag>) -> TagKind {
    match tag {
        None => TagKind::None,
        Some(t) if t.is_yaml_core_schema() => TagKind::Core,
        Some(t) if t.handle == "!" => TagKind::Intrinsic(match t.suffix.as_str() {
            s @ ("Ref" | "Condition") => s.to_string(),
            s => format!("Fn::{s}"),
        }),
        Some(t) => TagKind::Other(t.to_string()),
    }
}

/// Loads the first document of a YAML file into the tree. Built from parser events with an
/// explicit stack: `saphyr`'s recursive loader overflows a 2 MiB stack on a few thousand nested
/// block collections, and its flow-only recursion limit does not catch them.
fn load_yaml(file: &Arc<SourceFile>) -> Result<Node, InputError> {
    let text: &str = &file.text;
    let mut bytes = CharToByte::new(file);
    let mut to_byte = |m: &saphyr_parser::Marker| bytes.byte(m);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut budget = ALIAS_BUDGET;
    let mut root: Option<Node> = None;

    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let at = to_byte(e.marker());
            InputError::new(file.span(at..at), format!("invalid YAML: {}", e.info()))
        })?;
        let start = to_byte(&span.start);
        let end = to_byte(&span.end);
        let node = match event {
            Event::StreamEnd => break,
            Event::DocumentEnd => {
                if root.is_some() {
                    break; // only the first document is the template
                }
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if stack.last().is_some_and(Frame::wants_key) {
                    return Err(InputError::new(
                        file.span(start..start),
                        "invalid YAML template: a mapping key must be a plain value, not a list or mapping",
                    ));
                }
                if stack.len() >= MAX_NESTING {
                    return Err(InputError::new(
                        file.span(start..start),
                        format!("the template nests deeper than {MAX_NESTING} levels"),
                    ));
                }
                let body = if matches!(event, Event::SequenceStart(..)) {
                    FrameBody::Seq(Vec::new())
                } else {
                    FrameBody::Map {
                        entries: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                };
                stack.push(Frame {
                    start,
                    tag: tag_kind(tag.as_deref()),
                    anchor,
                    body,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                let end = start;
                let (kind, last_end) = match frame.body {
                    FrameBody::Seq(items) => {
                        let last = items.last().map(|n| n.span.end);
                        (Kind::Seq(items), last)
                    }
                    FrameBody::Map { entries, .. } => {
                        let last = entries.last().map(|e| e.value.span.end);
                        (Kind::Map(entries), last)
                    }
                };
                // A flow collection ends at its bracket; a block one at its last item (the
                // parser's end marker is the next token, possibly lines further down).
                let end = if text.get(end..).is_some_and(|t| t.starts_with([']', '}'])) {
                    end + 1
                } else {
                    last_end.unwrap_or(end).max(frame.start)
                };
                let node = Node {
                    span: frame.start..end,
                    kind,
                };
                let node = apply_tag(text, node, frame.tag);
                if frame.anchor > 0 {
                    anchors.insert(frame.anchor, node.clone());
                }
                node
            }
            Event::Scalar(value, style, anchor, tag) => {
                let end = trim_end(text, start, end);
                if stack.last().is_some_and(Frame::wants_key) {
                    set_key(file, &mut stack, value.to_string(), start..end)?;
                    continue;
                }
                let kind = scalar_kind(&value, style, tag.as_ref());
                let node = apply_tag(text, Node { span: start..end, kind }, tag_kind(tag.as_deref()));
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(InputError::new(
                        file.span(start..end),
                        "invalid YAML: alias to an unknown anchor",
                    ));
                };
                if !target.count_within(&mut budget) {
                    return Err(InputError::new(
                        file.span(start..end),
                        "invalid YAML: aliases expand to too many nodes",
                    ));
                }
                if stack.last().is_some_and(Frame::wants_key) {
                    let Some(key) = target.str().map(str::to_string) else {
                        return Err(InputError::new(
                            file.span(start..end),
                            "invalid YAML template: a mapping key must be a plain value",
                        ));
                    };
                    set_key(file, &mut stack, key, start..end)?;
                    continue;
                }
                let mut node = target.clone();
                node.span = start..end;
                node
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(frame) => match &mut frame.body {
                FrameBody::Seq(items) => items.push(node),
                FrameBody::Map { entries, key, .. } => {
                    if let Some((key, key_span)) = key.take() {
                        entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        });
                    }
                }
            },
        }
    }
    root.ok_or_else(|| {
        InputError::new(
            file.whole(),
            format!("{} is empty, not a CloudFormation template", file.path),
        )
    })
}

/// Converts the parser's character positions to byte offsets. Positions mostly move forward,
/// so a cursor makes this linear even on one very long line.
struct CharToByte<'f> {
    file: &'f SourceFile,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'f> CharToByte<'f> {
    fn new(file: &'f SourceFile) -> Self {
        CharToByte {
            file,
            ascii: file.text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, m: &saphyr_parser::Marker) -> usize {
        let text: &str = &self.file.text;
        if self.ascii {
            return m.index().min(text.len());
        }
        if m.index() < self.chars {
            // Backwards (rare): start again from the marker's line.
            self.bytes = self.file.offset_of_char_col(m.line(), m.col());
            self.chars = m.index();
            return self.bytes;
        }
        for c in text[self.bytes..].chars() {
            if self.chars == m.index() {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        self.bytes
    }
}

fn set_key(file: &Arc<SourceFile>, stack: &mut [Frame], key: String, span: Range<usize>) -> Result<(), InputError> {
    let Some(Frame {
        body: FrameBody::Map { key: slot, seen, .. },
        ..
    }) = stack.last_mut()
    else {
        return Ok(());
    };
    if let Some(first) = seen.insert(key.clone(), span.start) {
        let (line, col) = file.line_col(first);
        return Err(InputError::new(
            file.span(span),
            format!("invalid YAML template: duplicate key \"{key}\" (first at line {line}, column {col})"),
        )
        .with_help("CloudFormation rejects templates with duplicate keys; remove one of them"));
    }
    *slot = Some((key, span));
    Ok(())
}

/// Block scalars end where the next token starts; drop the trailing line breaks.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let end = end.max(start).min(text.len());
    start + text.get(start..end).map(|s| s.trim_end().len()).unwrap_or(end - start)
}

fn scalar_kind(value: &str, style: ScalarStyle, tag: Option<&std::borrow::Cow<'_, Tag>>) -> Kind {
    // Short-form intrinsics (`!Ref 5`) parse their argument like an untagged scalar.
    let tag = tag.filter(|t| t.is_yaml_core_schema());
    match Scalar::parse_from_cow_and_metadata(value.into(), style, tag) {
        Some(Scalar::Null) => Kind::Null,
        Some(Scalar::Boolean(b)) => Kind::Bool(b),
        Some(Scalar::Integer(i)) => Kind::Num(i as f64),
        Some(Scalar::FloatingPoint(f)) => Kind::Num(f.into_inner()),
        Some(Scalar::String(s)) => Kind::Str(s.into_owned()),
        None => Kind::Bad(format!(
            "\"{value}\" cannot be read as {}",
            tag.map(|t| format!("!!{}", t.suffix)).unwrap_or_default()
        )),
    }
}

/// `!Ref X` becomes `{"Ref": X}`: the mapping spans the whole tagged value, its key the tag.
fn apply_tag(text: &str, mut node: Node, tag: TagKind) -> Node {
    match tag {
        TagKind::None | TagKind::Core => node,
        TagKind::Other(t) => Node {
            span: node.span,
            kind: Kind::Bad(format!("the YAML tag {t} is not a CloudFormation intrinsic function")),
        },
        TagKind::Intrinsic(name) => {
            let outer = node.span.clone();
            let rest = text.get(outer.clone()).unwrap_or("");
            let (tag_end, inner_start) = if rest.starts_with('!') {
                let tag_len = rest
                    .find(|c: char| c.is_whitespace() || c == '[' || c == '{')
                    .unwrap_or(rest.len());
                let after = &rest[tag_len..];
                let ws = after.len() - after.trim_start().len();
                (outer.start + tag_len, outer.start + tag_len + ws)
            } else {
                (outer.start, outer.start)
            };
            node.span = inner_start.min(outer.end)..outer.end;
            Node {
                span: outer.clone(),
                kind: Kind::Map(vec![Entry {
                    key: name,
                    key_span: outer.start..tag_end,
                    value: node,
                }]),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the template
// ---------------------------------------------------------------------------------------------

fn read_template(file: &Arc<SourceFile>, root: &Node, format: InputFormat, params: &Parameters) -> Inventory {
    let mut inv = Inventory::default();
    if root.entries().is_none() {
        inv.errors.push(InputError::new(
            file.span(root.span.start..root.span.start),
            format!(
                "not a CloudFormation template: the top level is {}, not a mapping",
                root.type_name()
            ),
        ));
        return inv;
    }
    let Some(resources) = root.get("Resources") else {
        return inv;
    };
    let Some(entries) = resources.value.entries() else {
        inv.errors.push(InputError::new(
            file.span(resources.key_span.clone()),
            format!("Resources must be a mapping, found {}", resources.value.type_name()),
        ));
        return inv;
    };
    let cx = Template::new(file, root, params);
    for res in entries {
        if res.key.starts_with("Fn::ForEach") {
            if file
                .text
                .get(res.value.span.clone())
                .is_some_and(|t| t.contains(FLINK_TYPE))
            {
                inv.notices.push(Notice {
                    span: Some(file.span(res.key_span.clone())),
                    message: format!(
                        "{} (AWS::LanguageExtensions) is not expanded: the Managed Flink applications it creates are not linted",
                        res.key
                    ),
                });
            }
            continue;
        }
        if res.value.get("Type").and_then(|t| t.value.str()) != Some(FLINK_TYPE) {
            continue;
        }
        if let Some(cond) = res.value.get("Condition") {
            let Some(name) = cond.value.str() else {
                inv.errors.push(InputError::new(
                    file.span(cond.value.span.clone()),
                    "the Condition of a resource must be the name of a condition",
                ));
                continue;
            };
            match cx.condition_named(name, &cond.value, 0) {
                Ok(Tri::Known(true)) => {}
                Ok(Tri::Known(false)) => continue,
                Ok(Tri::Unknown(u)) => inv.notices.push(Notice {
                    span: Some(file.span(cond.value.span.clone())),
                    message: format!(
                        "whether {} is created depends on condition {name}, which cannot be evaluated ({}); linted as created",
                        res.key, u.what
                    ),
                }),
                Err(e) => {
                    inv.errors.push(InputError::new(e.span, e.message));
                    continue;
                }
            }
        }
        let app = read_application(&cx, res, format, &mut inv);
        inv.applications.push(app);
    }
    inv
}

/// A sub-block of the application's properties, as read.
enum Block<'a> {
    Absent,
    Map(&'a Node),
    /// The block is written but what it holds cannot be known.
    Unknown(Span, crate::model::Unresolved),
    Invalid(Span, String),
}

/// Looks up `key` in a block and resolves `Fn::If`/`Fn::FindInMap`/`AWS::NoValue` to the
/// mapping actually used.
fn block<'a>(cx: &Template<'a>, parent: &'a Node, key: &str) -> (Option<&'a Entry>, Block<'a>) {
    let Some(entry) = parent.get(key) else {
        return (None, Block::Absent);
    };
    let span = cx.span(&entry.value);
    let b = match cx.resolve(&entry.value, 0) {
        Ok(Resolved::Absent) => Block::Absent,
        Ok(Resolved::Node(n)) if n.entries().is_some() => Block::Map(n),
        Ok(Resolved::Node(n)) if matches!(n.kind, Kind::Null) => Block::Absent,
        Ok(Resolved::Node(n)) => Block::Invalid(span, format!("{key} must be a mapping, found {}", n.type_name())),
        Ok(Resolved::Unknown(u)) => Block::Unknown(span, u),
        Ok(Resolved::Value) => Block::Invalid(span, format!("{key} must be a mapping")),
        Err(e) => Block::Invalid(e.span, e.message),
    };
    (Some(entry), b)
}

fn read_application(cx: &Template<'_>, res: &Entry, format: InputFormat, inv: &mut Inventory) -> Application {
    let file = cx.file;
    let mut app = Application::new(res.key.clone(), format, file.span(res.key_span.clone()));
    let resource_span = file.span(res.key_span.start..res.value.span.end.max(res.key_span.end));
    if format == InputFormat::CloudformationYaml {
        app.directives = scan_directives(file, &resource_span);
    }
    if let Some(meta) = res.value.get("Metadata") {
        read_metadata(file, &meta.value, &mut app, inv);
    }
    if let Some(region) = cx.cli_value("AWS::Region") {
        app.region = Setting::known(region.0, region.1);
    }

    let props = match block(cx, &res.value, "Properties") {
        (_, Block::Map(p)) => p,
        (_, Block::Absent) => return app,
        (_, Block::Unknown(span, reason)) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
            return app;
        }
        (_, Block::Invalid(span, message)) => {
            inv.errors
                .push(InputError::new(span, format!("{}: {message}", res.key)));
            return app;
        }
    };
    app.runtime_environment = cx.setting(props.get("RuntimeEnvironment"), intrinsics::to_string);
    app.tags = read_tags(cx, props, &res.key, inv);

    let Some(ac) = enter(block(cx, props, "ApplicationConfiguration").1, &mut app) else {
        return app;
    };
    app.snapshots_enabled = match block(cx, ac, "ApplicationSnapshotConfiguration") {
        (_, Block::Map(snap)) => cx.setting(snap.get("SnapshotsEnabled"), intrinsics::to_bool),
        (_, Block::Absent) => Setting::Absent,
        (_, Block::Unknown(span, reason)) => Setting::Unknown { span, reason },
        (_, Block::Invalid(span, message)) => Setting::Invalid { span, message },
    };
    let Some(fac) = enter(block(cx, ac, "FlinkApplicationConfiguration").1, &mut app) else {
        return app;
    };
    match block(cx, fac, "ParallelismConfiguration") {
        (Some(entry), Block::Map(pc)) => {
            app.parallelism = ParallelismConfig {
                block: Some(file.span(entry.key_span.start..entry.value.span.end.max(entry.key_span.end))),
                configuration_type: cx.setting(pc.get("ConfigurationType"), intrinsics::to_string),
                parallelism: cx.setting(pc.get("Parallelism"), intrinsics::to_number),
                parallelism_per_kpu: cx.setting(pc.get("ParallelismPerKPU"), intrinsics::to_number),
                auto_scaling_enabled: cx.setting(pc.get("AutoScalingEnabled"), intrinsics::to_bool),
            };
        }
        (_, other) => {
            enter(other, &mut app);
        }
    }
    app
}

/// The mapping of a block on the way to `ParallelismConfiguration`. A block that cannot be
/// resolved makes the parallelism configuration unknown (or invalid) instead of absent.
fn enter<'a>(b: Block<'a>, app: &mut Application) -> Option<&'a Node> {
    match b {
        Block::Map(m) => Some(m),
        Block::Absent => None,
        Block::Unknown(span, reason) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
            None
        }
        Block::Invalid(span, message) => {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Invalid { span, message };
            None
        }
    }
}

/// `Tags: [{Key: k, Value: v}, ...]`.
fn read_tags(cx: &Template<'_>, props: &Node, address: &str, inv: &mut Inventory) -> Vec<AppTag> {
    let bad = |span: Span| {
        InputError::new(
            span,
            format!("Tags of {address} must be a list of {{Key, Value}} mappings"),
        )
    };
    let (entry, list) = match block_any(cx, props.get("Tags")) {
        Some(x) => x,
        None => return Vec::new(),
    };
    let Kind::Seq(items) = &list.kind else {
        inv.errors.push(bad(cx.span(&entry.value)));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let item = match cx.resolve(item, 0) {
            Ok(Resolved::Node(n)) => n,
            Ok(Resolved::Absent) => continue,
            Ok(Resolved::Unknown(_)) => continue,
            Ok(Resolved::Value) => {
                inv.errors.push(bad(cx.span(item)));
                continue;
            }
            Err(e) => {
                inv.errors.push(InputError::new(e.span, e.message));
                continue;
            }
        };
        let (Some(key), value) = (item.get("Key"), item.get("Value")) else {
            inv.errors.push(bad(cx.span(item)));
            continue;
        };
        let key = match cx.setting(Some(key), intrinsics::to_string) {
            Setting::Known { value, .. } => value,
            Setting::Invalid { span, message } => {
                inv.errors.push(InputError::new(span, format!("tag key: {message}")));
                continue;
            }
            // A tag whose key is unknown cannot be a kpulint tag.
            _ => continue,
        };
        let value = match value {
            Some(_) => cx.setting(value, intrinsics::to_string),
            None => Setting::known(String::new(), cx.span(item)),
        };
        out.push(AppTag { key, value });
    }
    out
}

/// A list-valued property, with `Fn::If` and friends resolved to the list written.
fn block_any<'a>(cx: &Template<'a>, entry: Option<&'a Entry>) -> Option<(&'a Entry, &'a Node)> {
    let entry = entry?;
    match cx.resolve(&entry.value, 0) {
        Ok(Resolved::Node(n)) if !matches!(n.kind, Kind::Null) => Some((entry, n)),
        _ => None,
    }
}

/// Resource `Metadata: {kpulint: {ignore: [...], state_size: ..., required_parallelism: ...}}`,
/// the structured equivalent of `# kpulint:` comments (JSON has no comments).
fn read_metadata(file: &Arc<SourceFile>, meta: &Node, app: &mut Application, inv: &mut Inventory) {
    let Some(k) = meta.get("kpulint") else { return };
    let Some(entries) = k.value.entries() else {
        inv.errors.push(InputError::new(
            file.span(k.value.span.clone()),
            format!("Metadata kpulint must be a mapping, found {}", k.value.type_name()),
        ));
        return;
    };
    for e in entries {
        match e.key.as_str() {
            "ignore" => {
                let items: Vec<&Node> = match &e.value.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![&e.value],
                };
                for item in items {
                    match ignore_body(file, item) {
                        Ok(body) => app.directives.push(Directive {
                            kind: DirectiveKind::Ignore,
                            body,
                            span: file.span(item.span.clone()),
                            target: DirectiveTarget::Resource,
                        }),
                        Err(message) => {
                            inv.errors
                                .push(InputError::new(file.span(item.span.clone()), message).with_help(
                                    "write {\"rule\": \"KPU004\", \"reason\": \"...\", \"until\": \"YYYY-MM-DD\"}",
                                ))
                        }
                    }
                }
            }
            "state_size" | "required_parallelism" => match declare(file, &e.key, &e.value) {
                Some(d) => app.directives.push(d),
                None => inv.errors.push(InputError::new(
                    file.span(e.value.span.clone()),
                    format!(
                        "Metadata kpulint {} must be a string or a number, found {}",
                        e.key,
                        e.value.type_name()
                    ),
                )),
            },
            other => inv.errors.push(
                InputError::new(
                    file.span(e.key_span.clone()),
                    format!("unknown key \"{other}\" in Metadata kpulint"),
                )
                .with_help("known keys: ignore, state_size, required_parallelism"),
            ),
        }
    }
}

/// The text of a scalar as written (numbers keep their spelling).
fn scalar_text(file: &SourceFile, n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Num(_) => Some(file.text.get(n.span.clone())?.trim().to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One `ignore` entry as the body of a `kpulint-ignore:` comment: `KPU004 reason="..." until=...`.
/// Missing or malformed parts are left for the suppression parser to report (KPU900).
fn ignore_body(file: &SourceFile, item: &Node) -> Result<String, String> {
    if let Kind::Str(s) = &item.kind {
        return Ok(s.clone());
    }
    let Some(entries) = item.entries() else {
        return Err(format!(
            "a Metadata kpulint ignore entry must be a mapping, found {}",
            item.type_name()
        ));
    };
    let mut rules = Vec::new();
    let mut rest = Vec::new();
    for e in entries {
        match e.key.as_str() {
            "rule" | "rules" => match &e.value.kind {
                Kind::Seq(items) => rules.extend(items.iter().filter_map(|i| scalar_text(file, i))),
                _ => rules.extend(scalar_text(file, &e.value)),
            },
            key => {
                let value = scalar_text(file, &e.value).unwrap_or_default().replace('"', "'");
                if key == "reason" || value.is_empty() || value.contains(char::is_whitespace) {
                    rest.push(format!("{key}=\"{value}\""));
                } else {
                    rest.push(format!("{key}={value}"));
                }
            }
        }
    }
    let mut body = rules.join(",");
    for r in rest {
        if !body.is_empty() {
            body.push(' ');
        }
        body.push_str(&r);
    }
    Ok(body)
}

/// `state_size: 240GB` as the directive `state_size=240GB`. The directive's span is placed so
/// that the value's position inside the body (which `directive_pairs` adds to the span start)
/// lands on the value as written in the file.
fn declare(file: &Arc<SourceFile>, key: &str, value: &Node) -> Option<Directive> {
    let raw = scalar_text(file, value)?;
    let written = file.text.get(value.span.clone()).unwrap_or("");
    let content_start = value.span.start + usize::from(written.starts_with(['"', '\'']));
    let quote = raw.is_empty() || raw.contains(char::is_whitespace);
    let prefix = if quote { format!("{key}=\"") } else { format!("{key}=") };
    let body = if quote {
        format!("{prefix}{raw}\"")
    } else {
        format!("{prefix}{raw}")
    };
    let start = content_start.saturating_sub(prefix.len());
    Some(Directive {
        kind: DirectiveKind::Declare,
        span: file.span(start..start + body.len()),
        body,
        target: DirectiveTarget::Resource,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unresolved;

    fn params(p: &[(&str, &str)]) -> Parameters {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn yaml_with(src: &str, p: &[(&str, &str)]) -> Inventory {
        parse_yaml(&SourceFile::new("t.yaml", src), &params(p))
    }

    fn yaml(src: &str) -> Inventory {
        yaml_with(src, &[])
    }

    fn json(src: &str) -> Inventory {
        parse_json(&SourceFile::new("t.json", src), &Parameters::new())
    }

    /// The only application, with no errors.
    fn app(inv: &Inventory) -> &Application {
        assert!(inv.errors.is_empty(), "unexpected errors: {:?}", inv.errors);
        assert_eq!(inv.applications.len(), 1, "{:?}", inv.applications);
        &inv.applications[0]
    }

    fn at(span: &Span) -> (usize, usize) {
        span.file.line_col(span.start)
    }

    fn known<T: Clone + std::fmt::Debug>(s: &Setting<T>) -> T {
        match s {
            Setting::Known { value, .. } => value.clone(),
            other => panic!("expected a known value, found {other:?}"),
        }
    }

    fn unknown<T: std::fmt::Debug>(s: &Setting<T>) -> Unresolved {
        match s {
            Setting::Unknown { reason, .. } => reason.clone(),
            other => panic!("expected an unknown value, found {other:?}"),
        }
    }

    fn invalid<T: std::fmt::Debug>(s: &Setting<T>) -> (Span, String) {
        match s {
            Setting::Invalid { span, message } => (span.clone(), message.clone()),
            other => panic!("expected an invalid value, found {other:?}"),
        }
    }

    /// A YAML template whose application has `parallelism` as its Parallelism, after `head`.
    fn with_parallelism(head: &str, parallelism: &str) -> String {
        format!(
            "{head}
Resources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      RuntimeEnvironment: FLINK-1_20
      ApplicationConfiguration:
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            ConfigurationType: CUSTOM
            Parallelism: {parallelism}
  Bucket:
    Type: AWS::S3::Bucket
"
        )
    }

    fn parallelism(head: &str, value: &str, p: &[(&str, &str)]) -> Setting<f64> {
        let inv = yaml_with(&with_parallelism(head, value), p);
        app(&inv).parallelism.parallelism.clone()
    }

    const PARAM: &str = "Parameters:\n  Par:\n    Type: Number\n    Default: 8\n  NoDefault:\n    Type: String\n";

    #[test]
    fn ref_to_parameter_uses_its_default() {
        let s = parallelism(PARAM, "!Ref Par", &[]);
        assert_eq!(known(&s), 8.0);
        let origin = s.origin().expect("origin");
        assert_eq!(origin.label, "parameter Par default");
        assert_eq!(origin.span.text(), "8");
        assert_eq!(at(&origin.span), (4, 14));
        assert_eq!(s.span().unwrap().text(), "!Ref Par");
    }

    #[test]
    fn parameter_value_overrides_the_default() {
        let s = parallelism(PARAM, "!Ref Par", &[("Par", "16")]);
        assert_eq!(known(&s), 16.0);
        let origin = s.origin().expect("origin");
        assert_eq!(origin.label, "value from --parameter Par");
        assert_eq!(origin.span.text(), "16");
        assert_eq!(origin.span.path(), "--parameter Par");
    }

    #[test]
    fn parameter_without_default_or_value_is_unknown() {
        let s = parallelism(PARAM, "!Ref NoDefault", &[]);
        let u = unknown(&s);
        assert_eq!(u.what, "parameter NoDefault has no Default and no value was given");
        assert_eq!(u.hint, "pass --parameter NoDefault=VALUE");
        assert_eq!(s.span().unwrap().text(), "!Ref NoDefault");
        assert_eq!(known(&parallelism(PARAM, "!Ref NoDefault", &[("NoDefault", "3")])), 3.0);
    }

    #[test]
    fn pseudo_parameters_and_resources_are_unknown_undeclared_refs_invalid() {
        let u = unknown(&parallelism("", "!Ref AWS::AccountId", &[]));
        assert!(u.what.contains("AWS::AccountId"), "{}", u.what);
        assert_eq!(u.hint, "pass --parameter AWS::AccountId=VALUE");
        assert!(unknown(&parallelism("", "!Ref Bucket", &[]))
            .what
            .contains("resource Bucket"));
        let (span, message) = invalid(&parallelism("", "!Ref Nope", &[]));
        assert!(message.contains("\"Nope\""), "{message}");
        assert_eq!(span.text(), "Nope");
        assert_eq!(
            known(&parallelism("", "!Ref AWS::Region", &[("AWS::Region", "7")])),
            7.0
        );
    }

    const CONDITIONS: &str = "Parameters:
  Env:
    Type: String
    Default: dev
  Region:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsBig: !Or [!Condition IsProd, !Equals [staging, !Ref Env]]
  NotBig: !Not [!Condition IsBig]
  Both: !And [!Condition NotBig, Fn::Equals: [!Ref Env, dev]]
  InEu: !Equals [!Ref Region, eu-west-1]
  Loop: !Not [!Condition Loop2]
  Loop2: !Not [!Condition Loop]";

    #[test]
    fn fn_if_follows_conditions() {
        assert_eq!(known(&parallelism(CONDITIONS, "!If [IsProd, 12, 2]", &[])), 2.0);
        assert_eq!(
            known(&parallelism(CONDITIONS, "!If [IsProd, 12, 2]", &[("Env", "prod")])),
            12.0
        );
        assert_eq!(
            known(&parallelism(CONDITIONS, "!If [IsBig, 12, 2]", &[("Env", "staging")])),
            12.0
        );
        assert_eq!(known(&parallelism(CONDITIONS, "!If [NotBig, 12, 2]", &[])), 12.0);
        assert_eq!(known(&parallelism(CONDITIONS, "!If [Both, 5, 2]", &[])), 5.0);
        // The long form, in YAML.
        assert_eq!(
            known(&parallelism(CONDITIONS, "{\"Fn::If\": [IsProd, 12, 3]}", &[])),
            3.0
        );
        let u = unknown(&parallelism(CONDITIONS, "!If [InEu, 12, 2]", &[]));
        assert!(u.what.contains("condition InEu"), "{}", u.what);
        assert_eq!(u.hint, "pass --parameter Region=VALUE");
        let (_, message) = invalid(&parallelism(CONDITIONS, "!If [Loop, 12, 2]", &[]));
        assert!(message.contains("refers to itself"), "{message}");
        let (_, message) = invalid(&parallelism(CONDITIONS, "!If [Missing, 12, 2]", &[]));
        assert!(message.contains("\"Missing\" is not declared"), "{message}");
    }

    #[test]
    fn fn_if_carries_the_origin_of_the_branch() {
        let s = parallelism(
            &format!("{PARAM}Conditions:\n  C: !Equals [a, a]"),
            "!If [C, !Ref Par, 1]",
            &[],
        );
        assert_eq!(known(&s), 8.0);
        assert_eq!(s.origin().unwrap().label, "parameter Par default");
    }

    const MAPPINGS: &str = "Parameters:
  Env:
    Type: String
    Default: prod
Mappings:
  Sizes:
    prod:
      Par: 12
    dev:
      Par: '2'";

    #[test]
    fn find_in_map() {
        let s = parallelism(MAPPINGS, "!FindInMap [Sizes, !Ref Env, Par]", &[]);
        assert_eq!(known(&s), 12.0);
        let origin = s.origin().unwrap();
        assert_eq!(origin.label, "Mappings Sizes.prod.Par");
        assert_eq!(origin.span.text(), "12");
        assert_eq!(
            known(&parallelism(
                MAPPINGS,
                "!FindInMap [Sizes, !Ref Env, Par]",
                &[("Env", "dev")]
            )),
            2.0
        );
        let long =
            "\n              Fn::FindInMap:\n                - Sizes\n                - dev\n                - Par";
        assert_eq!(known(&parallelism(MAPPINGS, long, &[])), 2.0);
        let (_, message) = invalid(&parallelism(MAPPINGS, "!FindInMap [Sizes, qa, Par]", &[]));
        assert!(message.contains("no key \"qa\""), "{message}");
        let with_default = "!FindInMap [Sizes, qa, Par, {DefaultValue: 6}]";
        assert_eq!(known(&parallelism(MAPPINGS, with_default, &[])), 6.0);
    }

    #[test]
    fn select_split_join_sub_base64() {
        assert_eq!(known(&parallelism("", "!Select [1, [4, 8, 16]]", &[])), 8.0);
        assert_eq!(
            known(&parallelism("", "!Select ['2', !Split [',', '3,5,7']]", &[])),
            7.0
        );
        assert_eq!(known(&parallelism("", "!Select [1, [!GetAtt X.Y, 4]]", &[])), 4.0);
        assert!(unknown(&parallelism("", "!Select [0, [!GetAtt X.Y, 4]]", &[]))
            .what
            .contains("Fn::GetAtt X.Y"));
        let (_, message) = invalid(&parallelism("", "!Select [3, [4, 8]]", &[]));
        assert!(message.contains("out of range"), "{message}");
        assert_eq!(known(&parallelism("", "!Join ['', ['1', '6']]", &[])), 16.0);
        assert_eq!(known(&parallelism(PARAM, "!Sub '${Par}0'", &[])), 80.0);
        assert_eq!(
            known(&parallelism("", "!Sub ['${A}${B}', {A: 2, B: !Select [0, [4]]}]", &[])),
            24.0
        );
        assert_eq!(known(&parallelism("", "!Sub '12'", &[])), 12.0);
        assert!(unknown(&parallelism("", "!Sub '${AWS::Region}'", &[]))
            .what
            .contains("AWS::Region"));
        assert!(unknown(&parallelism("", "!Sub '${Bucket.Arn}'", &[]))
            .what
            .contains("Bucket.Arn"));
        let inv = yaml(&with_parallelism("", "1").replace("FLINK-1_20", "!Base64 'FLINK'"));
        assert_eq!(known(&app(&inv).runtime_environment), "RkxJTks=");
    }

    #[test]
    fn getatt_importvalue_and_dynamic_references_are_unknown() {
        let u = unknown(&parallelism("", "!GetAtt Bucket.Arn", &[]));
        assert_eq!(u.what, "Fn::GetAtt Bucket.Arn is known only after deployment");
        assert!(!u.hint.is_empty());
        let u = unknown(&parallelism("", "{\"Fn::GetAtt\": [Bucket, Arn]}", &[]));
        assert!(u.what.contains("Bucket.Arn"), "{}", u.what);
        assert!(unknown(&parallelism("", "!ImportValue shared-parallelism", &[]))
            .what
            .contains("shared-parallelism"));
        assert!(unknown(&parallelism("", "'{{resolve:ssm:/flink/parallelism}}'", &[]))
            .what
            .contains("dynamic reference"));
        assert!(unknown(&parallelism("", "!Select [0, !GetAZs '']", &[]))
            .what
            .contains("GetAZs"));
        assert!(unknown(&parallelism("", "!Select [0, !Cidr [10.0.0.0/16, 2, 8]]", &[]))
            .what
            .contains("Fn::Cidr"));
    }

    #[test]
    fn no_value_and_null_are_absent() {
        let head = "Conditions:\n  C: !Equals [a, b]";
        assert!(matches!(
            parallelism(head, "!If [C, 4, !Ref AWS::NoValue]", &[]),
            Setting::Absent
        ));
        assert!(matches!(parallelism("", "null", &[]), Setting::Absent));
    }

    #[test]
    fn numbers_may_be_strings_but_not_words() {
        assert_eq!(known(&parallelism("", "'4'", &[])), 4.0);
        let (span, message) = invalid(&parallelism("", "lots", &[]));
        assert_eq!(span.text(), "lots");
        assert_eq!(at(&span), (11, 26));
        assert_eq!(message, "expected a number, found the string \"lots\"");
        let (_, message) = invalid(&parallelism(
            "Parameters:\n  P:\n    Type: String\n    Default: many",
            "!Ref P",
            &[],
        ));
        assert!(message.ends_with("(parameter P default)"), "{message}");
        let inv = json(
            r#"{"Resources": {"A": {"Type": "AWS::KinesisAnalyticsV2::Application", "Properties": {
            "ApplicationConfiguration": {"FlinkApplicationConfiguration": {"ParallelismConfiguration": {
            "Parallelism": "lots", "AutoScalingEnabled": "yes", "ParallelismPerKPU": [1]}}}}}}}"#,
        );
        let pc = &app(&inv).parallelism;
        assert_eq!(invalid(&pc.parallelism).0.text(), "\"lots\"");
        assert!(invalid(&pc.auto_scaling_enabled).1.contains("expected a boolean"));
        assert!(invalid(&pc.parallelism_per_kpu).1.contains("found a list"));
    }

    #[test]
    fn all_short_form_tags_become_long_form() {
        let src = "a: !Ref X
b: !Sub 'x'
c: !If [C, 1, 2]
d: !FindInMap [M, K, L]
e: !GetAtt R.Arn
f: !Select [0, [1]]
g: !Equals [a, b]
h: !Not [!Condition C]
i: !And [!Condition C, !Condition D]
j: !Or [!Condition C, !Condition D]
k: !Condition C
l: !Join [',', [a]]
m: !Split [',', 'a,b']
n: !ImportValue E
o: !Base64 x
p: !Cidr [10.0.0.0/16, 2, 8]
q: !GetAZs ''
";
        let root = load_yaml(&SourceFile::new("t.yaml", src)).unwrap();
        let names: Vec<&str> = root
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.value.intrinsic().map(|(n, _)| n).unwrap_or("-"))
            .collect();
        assert_eq!(
            names,
            [
                "Ref",
                "Fn::Sub",
                "Fn::If",
                "Fn::FindInMap",
                "Fn::GetAtt",
                "Fn::Select",
                "Fn::Equals",
                "Fn::Not",
                "Fn::And",
                "Fn::Or",
                "Condition",
                "Fn::Join",
                "Fn::Split",
                "Fn::ImportValue",
                "Fn::Base64",
                "Fn::Cidr",
                "Fn::GetAZs"
            ]
        );
        // The tagged value keeps the span of the whole `!Ref X`; its argument that of `X`.
        let a = &root.get("a").unwrap().value;
        assert_eq!(&src[a.span.clone()], "!Ref X");
        assert_eq!(&src[a.intrinsic().unwrap().1.span.clone()], "X");
        let c = &root.get("c").unwrap().value;
        assert_eq!(&src[c.span.clone()], "!If [C, 1, 2]");
        assert_eq!(&src[c.intrinsic().unwrap().1.span.clone()], "[C, 1, 2]");
    }

    #[test]
    fn yaml_spans_count_characters_before_the_value() {
        let src = "Resources:
  Ünïcödé: {Type: AWS::S3::Bucket}
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      ApplicationConfiguration:
        FlinkApplicationConfiguration:
          ParallelismConfiguration: {Note: 'Größe ✓ 日本', ConfigurationType: CUSTOM, Parallelism: 12}
";
        let inv = yaml(src);
        let a = app(&inv);
        assert_eq!(at(&a.span), (3, 3));
        assert_eq!(a.span.text(), "App");
        let p = a.parallelism.parallelism.span().unwrap();
        assert_eq!(p.text(), "12");
        assert_eq!(at(p), (8, 98));
        assert_eq!(p.location().end_column, 100);
        let block = a.parallelism.block.as_ref().unwrap();
        assert!(block.text().starts_with("ParallelismConfiguration: {"));
        assert!(block.text().ends_with("Parallelism: 12}"));
    }

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
    fn reads_every_setting() {
        let src = "Resources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      RuntimeEnvironment: FLINK-1_20
      ApplicationConfiguration:
        ApplicationSnapshotConfiguration:
          SnapshotsEnabled: 'true'
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            ConfigurationType: CUSTOM
            Parallelism: 6
            ParallelismPerKPU: 2
            AutoScalingEnabled: false
";
        let inv = yaml(src);
        let a = app(&inv);
        assert_eq!(a.format, InputFormat::CloudformationYaml);
        assert_eq!(known(&a.runtime_environment), "FLINK-1_20");
        assert!(known(&a.snapshots_enabled));
        let pc = &a.parallelism;
        assert_eq!(known(&pc.configuration_type), "CUSTOM");
        assert_eq!(known(&pc.parallelism), 6.0);
        assert_eq!(known(&pc.parallelism_per_kpu), 2.0);
        assert!(!known(&pc.auto_scaling_enabled));
        assert_eq!(at(pc.auto_scaling_enabled.span().unwrap()), (14, 33));
        let block = pc.block.as_ref().unwrap();
        assert_eq!(at(block), (10, 11));
        assert!(
            block.text().ends_with("AutoScalingEnabled: false"),
            "{:?}",
            block.text()
        );
        assert!(matches!(a.region, Setting::Absent));
    }

    #[test]
    fn parallelism_block_absent_and_unknown() {
        let inv = yaml("Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n");
        let a = app(&inv);
        assert!(a.parallelism.block.is_none());
        assert!(matches!(a.parallelism.parallelism, Setting::Absent));
        let src = "Parameters:\n  P:\n    Type: String\nConditions:\n  C: !Equals [!Ref P, x]\nResources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration: !If [C, {ConfigurationType: CUSTOM, Parallelism: 3}, !Ref AWS::NoValue]\n";
        let a = &yaml(src).applications[0];
        assert!(unknown(&a.parallelism.configuration_type).what.contains("condition C"));
        let a = &yaml_with(src, &[("P", "x")]).applications[0];
        assert_eq!(known(&a.parallelism.parallelism), 3.0);
        let a = &yaml_with(src, &[("P", "y")]).applications[0];
        assert!(a.parallelism.block.is_none());
    }

    #[test]
    fn tags_list() {
        let src =
            "Parameters:\n  Size:\n    Type: String\n    Default: 800GiB\nConditions:\n  No: !Equals [a, b]\nResources:
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Properties:
      Tags:
        - Key: team
          Value: payments
        - Key: kpulint:state_size
          Value: !Ref Size
        - Key: kpulint:required_parallelism
          Value: 12
        - !If [No, {Key: dropped, Value: x}, !Ref AWS::NoValue]
        - Key: computed
          Value: !GetAtt X.Y
";
        let inv = yaml(src);
        let a = app(&inv);
        let keys: Vec<&str> = a.tags.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(
            keys,
            ["team", "kpulint:state_size", "kpulint:required_parallelism", "computed"]
        );
        let size = &a.tag("kpulint:state_size").unwrap().value;
        assert_eq!(known(size), "800GiB");
        assert_eq!(size.origin().unwrap().label, "parameter Size default");
        assert_eq!(known(&a.tag("kpulint:required_parallelism").unwrap().value), "12");
        assert!(matches!(a.tag("computed").unwrap().value, Setting::Unknown { .. }));
        let bad = yaml("Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      Tags: {team: x}\n");
        assert_eq!(bad.errors.len(), 1);
        assert!(bad.errors[0].message.contains("must be a list"));
    }

    #[test]
    fn metadata_becomes_directives() {
        let src = r#"{"Resources": {"App": {
  "Type": "AWS::KinesisAnalyticsV2::Application",
  "Metadata": {
    "aws:cdk:path": "Stack/App/Resource",
    "kpulint": {
      "ignore": [
        {"rule": "KPU004", "reason": "peak season \"buffer\"", "until": "2027-01-31"},
        {"rules": ["KPU005", "KPU006"], "reason": "accepted"}
      ],
      "state_size": "240GB",
      "required_parallelism": 12
    }
  }
}}}"#;
        let inv = json(src);
        let a = app(&inv);
        assert_eq!(a.directives.len(), 4);
        let d = &a.directives[0];
        assert_eq!(d.kind, DirectiveKind::Ignore);
        assert_eq!(d.target, DirectiveTarget::Resource);
        assert_eq!(d.body, "KPU004 reason=\"peak season 'buffer'\" until=2027-01-31");
        assert!(d.span.text().starts_with("{\"rule\": \"KPU004\""));
        assert_eq!(at(&d.span), (7, 9));
        let s = crate::rules::suppression::parse(d, &|n| crate::rules::by_id(n).map(|r| r.id));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.rules, ["KPU004"]);
        assert_eq!(s.reason.as_deref(), Some("peak season 'buffer'"));
        assert_eq!(s.until.map(|u| u.to_string()).as_deref(), Some("2027-01-31"));
        let s = crate::rules::suppression::parse(&a.directives[1], &|n| crate::rules::by_id(n).map(|r| r.id));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.rules, ["KPU005", "KPU006"]);

        let mut errors = Vec::new();
        let pairs: Vec<(String, String, Span, Span)> = a.directives[2..]
            .iter()
            .inspect(|d| assert_eq!(d.kind, DirectiveKind::Declare))
            .flat_map(|d| crate::analysis::directive_pairs(d, &mut errors))
            .collect();
        assert!(errors.is_empty());
        assert_eq!(pairs[0].0, "state_size");
        assert_eq!(pairs[0].1, "240GB");
        assert_eq!(pairs[0].2.text(), "240GB");
        assert_eq!(at(&pairs[0].2), (10, 22));
        assert_eq!(pairs[1].0, "required_parallelism");
        assert_eq!(pairs[1].1, "12");
        assert_eq!(pairs[1].2.text(), "12");

        let bad = json(
            r#"{"Resources": {"App": {"Type": "AWS::KinesisAnalyticsV2::Application",
            "Metadata": {"kpulint": {"stat_size": "1GB", "ignore": [7]}}}}}"#,
        );
        assert_eq!(bad.applications.len(), 1);
        assert_eq!(bad.errors.len(), 2, "{:?}", bad.errors);
        assert!(bad.errors[0].message.contains("unknown key \"stat_size\""));
        assert!(bad.errors[1].message.contains("must be a mapping"));
    }

    #[test]
    fn yaml_metadata_and_comments_become_directives() {
        let src = "Resources:
  Other:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: x

  # unrelated

  # kpulint: state_size=240GB required_parallelism=4
  # kpulint-ignore: KPU006 reason=\"rounded up on purpose\" until=2027-01-31
  App:
    Type: AWS::KinesisAnalyticsV2::Application
    Metadata:
      kpulint:
        ignore:
          - rule: KPU010
            reason: restarts are rare
    Properties:
      ApplicationConfiguration:
        FlinkApplicationConfiguration:
          ParallelismConfiguration:
            # kpulint-ignore: KPU004 reason=\"headroom\"
            Parallelism: 12
    # trailing comment, no code after it

  # kpulint: state_size=1GB
  Next:
    Type: AWS::KinesisAnalyticsV2::Application
";
        let inv = yaml(src);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let a = &inv.applications[0];
        let d: Vec<(DirectiveKind, &str, DirectiveTarget)> = a
            .directives
            .iter()
            .map(|d| (d.kind, d.body.as_str(), d.target.clone()))
            .collect();
        assert_eq!(
            d,
            [
                (
                    DirectiveKind::Declare,
                    "state_size=240GB required_parallelism=4",
                    DirectiveTarget::Resource
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU006 reason=\"rounded up on purpose\" until=2027-01-31",
                    DirectiveTarget::Resource
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU004 reason=\"headroom\"",
                    DirectiveTarget::Line(23)
                ),
                (
                    DirectiveKind::Ignore,
                    "KPU010 reason=\"restarts are rare\"",
                    DirectiveTarget::Resource
                ),
            ]
        );
        assert_eq!(at(&a.directives[0].span), (9, 14));
        assert_eq!(a.directives[0].span.text(), "state_size=240GB required_parallelism=4");
        assert_eq!(at(a.parallelism.parallelism.span().unwrap()), (23, 26));
        let next = &inv.applications[1];
        assert_eq!(next.directives.len(), 1);
        assert_eq!(next.directives[0].body, "state_size=1GB");
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

    #[test]
    fn malformed_yaml_is_one_error_at_its_position() {
        let inv = yaml("Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties: {Nöte: 'ä', Parallelism: [1, 2}\n");
        assert!(inv.applications.is_empty());
        assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
        let e = &inv.errors[0];
        assert!(e.message.starts_with("invalid YAML: "), "{}", e.message);
        assert_eq!(at(&e.span), (4, 47));
        assert_eq!(e.span.text(), "");
        assert_eq!(&e.span.file.text[e.span.start..e.span.start + 1], "}");
        let inv = yaml("Resources:\n  App: x\n   bad: 'é\n");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0].message.starts_with("invalid YAML"));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let inv = json("{\"Resources\": {\"A\": {}, \"B\": {}, \"A\": {}}}");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0]
            .message
            .contains("duplicate key \"A\" (first at line 1, column 16)"));
        assert_eq!(at(&inv.errors[0].span), (1, 34));
        let inv = yaml("Resources:\n  A: {}\n  B: {}\n  A: {}\n");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0]
            .message
            .contains("duplicate key \"A\" (first at line 2, column 3)"));
        assert_eq!(at(&inv.errors[0].span), (4, 3));
    }

    /// Runs `f` on a thread with the 2 MiB stack of a rayon worker.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let results = on_small_stack(|| {
            let mut out = Vec::new();
            for depth in [200, 10_000] {
                let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
                out.push(json(&format!("{{\"Resources\": {nested}}}")));
                out.push(yaml(&format!("Resources: {nested}\n")));
                out.push(yaml(&format!("Resources:\n  A:\n    {}x\n", "- ".repeat(depth))));
                let mut block = String::from("Resources:\n");
                for i in 0..depth.min(3000) {
                    block.push_str(&" ".repeat(i + 1));
                    block.push_str("k:\n");
                }
                out.push(yaml(&block));
            }
            let mut conditions = String::from("Conditions:\n");
            for i in 0..100 {
                conditions.push_str(&format!("  C{i}: !Not [!Condition C{}]\n", i + 1));
            }
            conditions.push_str("  C100: !Equals [a, a]\n");
            out.push(yaml(&with_parallelism(&conditions, "!If [C0, 1, 2]")));
            out
        });
        for inv in &results[..8] {
            assert!(inv.applications.is_empty());
            assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
            let m = &inv.errors[0].message;
            assert!(
                m.contains("nests deeper") || m.contains("recursion limit") || m.contains("nesting depth"),
                "{m}"
            );
        }
        let (_, message) = invalid(&results[8].applications[0].parallelism.parallelism);
        assert!(message.contains("nest deeper than 64"), "{message}");
    }

    #[test]
    fn templates_without_flink_are_empty() {
        let inv = yaml("AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B:\n    Type: AWS::S3::Bucket\n");
        assert!(inv.applications.is_empty() && inv.errors.is_empty());
        let inv = json("{\"AWSTemplateFormatVersion\": \"2010-09-09\"}");
        assert!(inv.applications.is_empty() && inv.errors.is_empty());
        let inv = yaml("- a\n- b\n");
        assert_eq!(inv.errors.len(), 1);
        assert!(inv.errors[0].message.contains("top level is a list"));
    }

    #[test]
    fn first_document_resource_conditions_and_json_templates() {
        let two_docs = format!("{}---\nResources: 3\n", with_parallelism("", "5"));
        assert_eq!(known(&app(&yaml(&two_docs)).parallelism.parallelism), 5.0);

        let src = "Parameters:\n  Deploy:\n    Type: String\n    Default: 'no'\n  Unset:\n    Type: String\nConditions:\n  Create: !Equals [!Ref Deploy, 'yes']\n  Maybe: !Equals [!Ref Unset, 'yes']\nResources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Condition: Create\n  B:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Condition: Maybe\n";
        let inv = yaml(src);
        assert_eq!(inv.applications.len(), 1);
        assert_eq!(inv.applications[0].address, "B");
        assert_eq!(inv.notices.len(), 1);
        assert!(inv.notices[0].message.contains("condition Maybe"));
        assert_eq!(
            yaml_with(src, &[("Deploy", "yes"), ("Unset", "no")]).applications.len(),
            1
        );

        // A `.template` file in JSON syntax.
        let inv = yaml("{\"Resources\": {\"A\": {\"Type\": \"AWS::KinesisAnalyticsV2::Application\"}}}");
        assert_eq!(app(&inv).format, InputFormat::CloudformationJson);
    }

    #[test]
    fn truncated_and_mutated_templates_never_panic() {
        let sources = [
            include_str!("../../../tests/fixtures/cfn/orders-enrichment.yaml"),
            include_str!("../../../tests/fixtures/cfn/orders-enrichment.template.json"),
            include_str!("../../../tests/fixtures/cfn/clickstream-params.yaml"),
        ];
        let p = params(&[("Environment", "dev")]);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bytes = b"{}[]:,\"'!&*-#\n |>%@`\\\t\x00\xc3aZ9.";
        for src in sources {
            let cuts = (0..=src.len()).step_by(5).filter(|i| src.is_char_boundary(*i));
            let variants = cuts.map(|i| src[..i].to_string()).chain((0..600).map(|_| {
                let mut b = src.as_bytes().to_vec();
                let at = next() as usize % b.len();
                b[at] = bytes[next() as usize % bytes.len()];
                String::from_utf8_lossy(&b).into_owned()
            }));
            for text in variants {
                let f = SourceFile::new("m", text);
                let _ = parse_yaml(&f, &p);
                let _ = parse_json(&f, &p);
            }
        }
    }

    #[test]
    fn region_only_from_an_explicit_parameter() {
        let src = with_parallelism("", "1");
        assert!(matches!(app(&yaml(&src)).region, Setting::Absent));
        assert_eq!(
            known(&app(&yaml_with(&src, &[("AWS::Region", "eu-west-1")])).region),
            "eu-west-1"
        );
    }
}
