//! Loading YAML templates into the document tree from parser events: short-form tags (`!Ref X`)
//! become the long form, aliases are expanded within a budget, and spans count characters.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::document::{Entry, Kind, Node, MAX_NESTING};
use crate::model::InputError;
use crate::source::SourceFile;

/// Nodes YAML alias expansion may produce (a "billion laughs" guard).
pub(super) const ALIAS_BUDGET: usize = 100_000;

/// A collection being built from parser events.
pub(super) struct Frame {
    start: usize,
    tag: TagKind,
    anchor: usize,
    body: FrameBody,
}

pub(super) enum FrameBody {
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

pub(super) enum TagKind {
    None,
    /// `!!str`, `!!int`: resolved by the scalar parser.
    Core,
    /// `!Ref`, `!If`, ...: the long-form key (`Ref`, `Fn::If`).
    Intrinsic(String),
    Other(String),
}

pub(super) fn tag_kind(tag: Option<&Tag>) -> TagKind {
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

/// Loads the first document of a YAML file into the tree.
#[cfg(test)]
pub(super) fn load_yaml(file: &Arc<SourceFile>) -> Result<Node, InputError> {
    load_yaml_documents(file).map(|mut docs| docs.swap_remove(0))
}

/// Loads every document of a YAML file (`---` separates them; a file has at least one) into
/// trees. Built from parser events with an explicit stack: `saphyr`'s recursive loader
/// overflows a 2 MiB stack on a few thousand nested block collections, and its flow-only
/// recursion limit does not catch them. Anchors are per document, as YAML defines them; the
/// alias budget is for the whole file. Empty documents of a multi-document file are left out.
pub(super) fn load_yaml_documents(file: &Arc<SourceFile>) -> Result<Vec<Node>, InputError> {
    let text: &str = &file.text;
    let mut bytes = CharToByte::new(file);
    let mut to_byte = |m: &saphyr_parser::Marker| bytes.byte(m);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut budget = ALIAS_BUDGET;
    let mut documents: Vec<Node> = Vec::new();

    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let at = to_byte(e.marker());
            InputError::new(file.span(at..at), format!("invalid YAML: {}", e.info()))
        })?;
        let start = to_byte(&span.start);
        let end = to_byte(&span.end);
        let node = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                anchors.clear();
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
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
            None => documents.push(node),
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
    if documents.len() > 1 {
        documents.retain(|d| !matches!(d.kind, Kind::Null));
    }
    if documents.is_empty() {
        return Err(InputError::new(
            file.whole(),
            format!("{} is empty, not a CloudFormation template", file.path),
        ));
    }
    Ok(documents)
}

/// Converts the parser's character positions to byte offsets. Positions mostly move forward,
/// so a cursor makes this linear even on one very long line.
pub(super) struct CharToByte<'f> {
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

pub(super) fn set_key(
    file: &Arc<SourceFile>,
    stack: &mut [Frame],
    key: String,
    span: Range<usize>,
) -> Result<(), InputError> {
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
pub(super) fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let end = end.max(start).min(text.len());
    start + text.get(start..end).map(|s| s.trim_end().len()).unwrap_or(end - start)
}

pub(super) fn scalar_kind(value: &str, style: ScalarStyle, tag: Option<&std::borrow::Cow<'_, Tag>>) -> Kind {
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
pub(super) fn apply_tag(text: &str, mut node: Node, tag: TagKind) -> Node {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{app, at, yaml};
    use super::*;

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
}
