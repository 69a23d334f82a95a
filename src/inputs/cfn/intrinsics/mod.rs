//! CloudFormation's "eval": the intrinsic functions and conditions a template's values use,
//! evaluated as far as they can be before deployment. `Ref` to a parameter takes its
//! `--parameter` value or its `Default`; conditions, `Fn::If`, `Fn::FindInMap`, `Fn::Select`,
//! `Fn::Sub`, `Fn::Join`, `Fn::Split`, `Fn::Base64` and `Fn::Length` are computed; what only
//! deployment knows (resource ids, `Fn::GetAtt`, `Fn::ImportValue`, pseudo parameters) is
//! [`V::Unknown`] with the reason and how to supply it.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::{Entry, Kind, Node};
use crate::inputs::Parameters;
use crate::model::{Origin, OriginKind, Setting, Unresolved};
use crate::source::{SourceFile, Span};

mod conditions;
mod functions;

use functions::base64;

/// How deeply intrinsic functions, condition references and parameter defaults may nest
/// while being evaluated.
pub(super) const MAX_EVAL_DEPTH: usize = 64;

/// An evaluated value.
#[derive(Debug, Clone)]
pub(super) enum V {
    Null,
    /// `Ref: AWS::NoValue`: the property is removed.
    NoValue,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    /// A mapping that is not an intrinsic function (its values are never read as settings).
    Map,
    Unknown(Unresolved),
}

/// A value and, when it came from elsewhere (a parameter, a mapping), where it was written.
#[derive(Debug, Clone)]
pub(super) struct Val {
    pub v: V,
    pub origin: Option<Origin>,
}

impl Val {
    fn new(v: V) -> Self {
        Val { v, origin: None }
    }

    fn unknown(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Val::new(V::Unknown(Unresolved {
            what: what.into(),
            hint: hint.into(),
        }))
    }

    fn with_origin(mut self, origin: Option<Origin>) -> Self {
        if self.origin.is_none() {
            self.origin = origin;
        }
        self
    }
}

/// A template error found while evaluating (CloudFormation would reject the template).
#[derive(Debug, Clone)]
pub(super) struct EvalError {
    pub span: Span,
    pub message: String,
}

/// A condition's value.
#[derive(Debug, Clone)]
pub(super) enum Tri {
    Known(bool),
    Unknown(Unresolved),
}

/// A node that holds a block (a mapping or list), with `Fn::If`, `Fn::FindInMap` and
/// `AWS::NoValue` resolved to the node actually used.
pub(super) enum Resolved<'a> {
    Absent,
    Node(&'a Node),
    Unknown(Unresolved),
    /// Another intrinsic function computed a value: it has no node to read further.
    Value,
}

type R<T> = Result<T, EvalError>;

const SSM_PREFIX: &str = "AWS::SSM::Parameter::Value<";

/// The parts of a template that values can refer to.
pub(super) struct Template<'a> {
    pub file: &'a Arc<SourceFile>,
    cli: &'a Parameters,
    parameters: HashMap<&'a str, &'a Entry>,
    mappings: Option<&'a Node>,
    conditions: HashMap<&'a str, &'a Node>,
    resources: HashSet<&'a str>,
    condition_memo: RefCell<HashMap<String, Tri>>,
    conditions_active: RefCell<HashSet<String>>,
    /// One small source per `--parameter`, so a value given on the command line has a span.
    cli_sources: RefCell<BTreeMap<String, Arc<SourceFile>>>,
}

fn section<'a>(root: &'a Node, name: &str) -> impl Iterator<Item = &'a Entry> {
    root.get(name)
        .and_then(|e| e.value.entries())
        .unwrap_or_default()
        .iter()
}

impl<'a> Template<'a> {
    pub fn new(file: &'a Arc<SourceFile>, root: &'a Node, cli: &'a Parameters) -> Self {
        Template {
            file,
            cli,
            parameters: section(root, "Parameters").map(|e| (e.key.as_str(), e)).collect(),
            mappings: root.get("Mappings").map(|e| &e.value),
            conditions: section(root, "Conditions")
                .map(|e| (e.key.as_str(), &e.value))
                .collect(),
            resources: section(root, "Resources").map(|e| e.key.as_str()).collect(),
            condition_memo: RefCell::new(HashMap::new()),
            conditions_active: RefCell::new(HashSet::new()),
            cli_sources: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn span(&self, node: &Node) -> Span {
        self.file.span(node.span.clone())
    }

    fn err<T>(&self, node: &Node, message: impl Into<String>) -> R<T> {
        Err(EvalError {
            span: self.span(node),
            message: message.into(),
        })
    }

    fn check_depth(&self, node: &Node, depth: usize) -> R<()> {
        if depth > MAX_EVAL_DEPTH {
            return self.err(
                node,
                format!("intrinsic functions nest deeper than {MAX_EVAL_DEPTH} levels (a condition or parameter referring to itself?)"),
            );
        }
        Ok(())
    }

    /// A `--parameter NAME=VALUE`, with a span into a small source of its own.
    pub fn cli_value(&self, name: &str) -> Option<(String, Span)> {
        let value = self.cli.get(name)?;
        let mut sources = self.cli_sources.borrow_mut();
        let file = sources
            .entry(name.to_string())
            .or_insert_with(|| SourceFile::new(format!("--parameter {name}"), format!("{name}={value}")));
        let span = file.span(name.len() + 1..file.text.len());
        Some((value.clone(), span))
    }

    // -----------------------------------------------------------------------------------------
    // Settings
    // -----------------------------------------------------------------------------------------

    /// Evaluates a property into a [`Setting`]: not written, `null` or `AWS::NoValue` is
    /// `Absent`; a value the conversion rejects is `Invalid` at the property's value.
    pub fn setting<T>(&self, entry: Option<&Entry>, convert: fn(&V) -> Result<T, String>) -> Setting<T> {
        let Some(entry) = entry else {
            return Setting::Absent;
        };
        let span = self.span(&entry.value);
        let val = match self.eval(&entry.value, 0) {
            Ok(v) => v,
            Err(e) => {
                return Setting::Invalid {
                    span: e.span,
                    message: e.message,
                }
            }
        };
        match &val.v {
            V::Null | V::NoValue => Setting::Absent,
            V::Unknown(u) => Setting::Unknown {
                span,
                reason: u.clone(),
            },
            v => match convert(v) {
                Ok(value) => Setting::Known {
                    value,
                    span,
                    origin: val.origin,
                },
                Err(message) => Setting::Invalid {
                    span,
                    message: match &val.origin {
                        Some(o) => format!("{message} ({})", o.label),
                        None => message,
                    },
                },
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Blocks
    // -----------------------------------------------------------------------------------------

    pub fn resolve(&self, node: &'a Node, depth: usize) -> R<Resolved<'a>> {
        self.check_depth(node, depth)?;
        let Some((name, arg)) = node.intrinsic() else {
            return Ok(Resolved::Node(node));
        };
        match name {
            "Condition" => Ok(Resolved::Node(node)),
            "Ref" if arg.str() == Some("AWS::NoValue") => Ok(Resolved::Absent),
            "Fn::If" => {
                let (cond, then, otherwise) = self.if_args(node, arg)?;
                match self.condition_named(cond, &arg_items(arg)[0], depth + 1)? {
                    Tri::Known(true) => self.resolve(then, depth + 1),
                    Tri::Known(false) => self.resolve(otherwise, depth + 1),
                    Tri::Unknown(u) => Ok(Resolved::Unknown(u)),
                }
            }
            "Fn::FindInMap" => match self.find_in_map(node, arg, depth + 1)? {
                Found::Node(n, _) => self.resolve(n, depth + 1),
                Found::Unknown(u) => Ok(Resolved::Unknown(u)),
                Found::Default(n) => self.resolve(n, depth + 1),
            },
            _ => {
                let v = self.eval(node, depth + 1)?;
                Ok(match v.v {
                    V::NoValue | V::Null => Resolved::Absent,
                    V::Unknown(u) => Resolved::Unknown(u),
                    _ => Resolved::Value,
                })
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Values
    // -----------------------------------------------------------------------------------------

    pub fn eval(&self, node: &Node, depth: usize) -> R<Val> {
        self.check_depth(node, depth)?;
        Ok(match &node.kind {
            Kind::Null => Val::new(V::Null),
            Kind::Bool(b) => Val::new(V::Bool(*b)),
            Kind::Num(n) => Val::new(V::Num(*n)),
            Kind::Str(s) if s.contains("{{resolve:") => Val::unknown(
                format!("the dynamic reference in \"{s}\" is resolved only at deploy time"),
                "write the value in the template, or pass it through a parameter with --parameter",
            ),
            Kind::Str(s) => Val::new(V::Str(s.clone())),
            Kind::Bad(message) => return self.err(node, message.clone()),
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.eval(item, depth + 1)?;
                    if !matches!(v.v, V::NoValue) {
                        out.push(v);
                    }
                }
                Val::new(V::List(out))
            }
            Kind::Map(_) => match node.intrinsic() {
                Some((name, arg)) if name != "Condition" => return self.intrinsic(node, name, arg, depth + 1),
                _ => Val::new(V::Map),
            },
        })
    }

    fn intrinsic(&self, node: &Node, name: &str, arg: &Node, depth: usize) -> R<Val> {
        match name {
            "Ref" => {
                let Some(target) = arg.str() else {
                    return self.err(
                        arg,
                        format!(
                            "Ref takes the name of a parameter or resource, found {}",
                            arg.type_name()
                        ),
                    );
                };
                self.reference(target, arg, depth)
            }
            "Fn::If" => {
                let (cond, then, otherwise) = self.if_args(node, arg)?;
                match self.condition_named(cond, &arg_items(arg)[0], depth)? {
                    Tri::Known(true) => self.eval(then, depth + 1),
                    Tri::Known(false) => self.eval(otherwise, depth + 1),
                    Tri::Unknown(u) => Ok(Val::new(V::Unknown(u))),
                }
            }
            "Fn::FindInMap" => match self.find_in_map(node, arg, depth)? {
                Found::Node(n, origin) => Ok(self.eval(n, depth + 1)?.with_origin(Some(origin))),
                Found::Default(n) => self.eval(n, depth + 1),
                Found::Unknown(u) => Ok(Val::new(V::Unknown(u))),
            },
            "Fn::Select" => self.select(node, arg, depth),
            "Fn::Sub" => self.sub(node, arg, depth),
            "Fn::Join" => self.join(node, arg, depth),
            "Fn::Split" => {
                let [delim, source] = self.args::<2>(node, arg, name)?;
                let d = self.eval(delim, depth + 1)?;
                let s = self.eval(source, depth + 1)?;
                match (&d.v, &s.v) {
                    (V::Unknown(_), _) => Ok(d),
                    (_, V::Unknown(_)) => Ok(s),
                    (V::Str(d), V::Str(s)) if !d.is_empty() => Ok(Val::new(V::List(
                        s.split(d.as_str()).map(|p| Val::new(V::Str(p.to_string()))).collect(),
                    ))),
                    _ => self.err(node, "Fn::Split takes a non-empty delimiter and a string"),
                }
            }
            "Fn::Base64" => {
                let v = self.eval(arg, depth + 1)?;
                match &v.v {
                    V::Unknown(_) => Ok(v),
                    other => match scalar_text(other) {
                        Some(s) => Ok(Val::new(V::Str(base64(s.as_bytes())))),
                        None => self.err(node, "Fn::Base64 takes a string"),
                    },
                }
            }
            "Fn::Length" => {
                let v = self.eval(arg, depth + 1)?;
                match &v.v {
                    V::Unknown(_) => Ok(v),
                    V::List(items) => Ok(Val::new(V::Num(items.len() as f64))),
                    _ => self.err(node, "Fn::Length takes a list"),
                }
            }
            "Fn::GetAtt" => {
                let what = match &arg.kind {
                    Kind::Str(s) => s.clone(),
                    Kind::Seq(items) => items
                        .iter()
                        .map(|i| i.str().unwrap_or("?"))
                        .collect::<Vec<_>>()
                        .join("."),
                    _ => "?".into(),
                };
                Ok(Val::unknown(
                    format!("Fn::GetAtt {what} is known only after deployment"),
                    "write the value in the template, or pass it through a parameter with --parameter",
                ))
            }
            "Fn::ImportValue" => {
                let export = self.eval(arg, depth + 1).ok().and_then(|v| scalar_text(&v.v));
                Ok(Val::unknown(
                    format!(
                        "Fn::ImportValue {} is exported by another stack and known only at deploy time",
                        export.unwrap_or_else(|| "(computed name)".into())
                    ),
                    "write the value in the template, or pass it through a parameter with --parameter",
                ))
            }
            "Fn::GetAZs" => Ok(Val::unknown(
                "Fn::GetAZs depends on the account and region of the deployment",
                "write the value in the template, or pass it through a parameter with --parameter",
            )),
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => Ok(match self.cond_expr(node, depth)? {
                Tri::Known(b) => Val::new(V::Bool(b)),
                Tri::Unknown(u) => Val::new(V::Unknown(u)),
            }),
            other => Ok(Val::unknown(
                format!("kpulint does not evaluate {other}"),
                "write the value in the template, or pass it through a parameter with --parameter",
            )),
        }
    }

    /// `Ref NAME`: a parameter, a pseudo parameter or a resource.
    fn reference(&self, name: &str, at: &Node, depth: usize) -> R<Val> {
        if name == "AWS::NoValue" {
            return Ok(Val::new(V::NoValue));
        }
        if let Some(param) = self.parameters.get(name) {
            return self.parameter(name, param, depth);
        }
        if name.starts_with("AWS::") {
            return Ok(match self.cli_value(name) {
                Some((value, span)) => Val {
                    v: V::Str(value),
                    origin: Some(Origin {
                        span,
                        label: format!("value from --parameter {name}"),
                        kind: OriginKind::CommandLine,
                    }),
                },
                None => Val::unknown(
                    format!("the pseudo parameter {name} is known only at deploy time"),
                    format!("pass --parameter {name}=VALUE"),
                ),
            });
        }
        if self.resources.contains(name) {
            return Ok(Val::unknown(
                format!("Ref {name} is the physical id of resource {name}, known only after deployment"),
                "write the value in the template, or pass it through a parameter with --parameter",
            ));
        }
        self.err(
            at,
            format!("Ref to \"{name}\", which is neither a parameter nor a resource of this template"),
        )
    }

    fn parameter(&self, name: &str, param: &Entry, depth: usize) -> R<Val> {
        let ptype = param.value.get("Type").and_then(|t| t.value.str()).unwrap_or("String");
        let is_list = ptype == "CommaDelimitedList" || ptype.starts_with("List<");
        let shape = |s: String, origin: Origin| {
            let v = if is_list {
                V::List(
                    s.split(',')
                        .map(|p| Val {
                            v: V::Str(p.trim().to_string()),
                            origin: Some(origin.clone()),
                        })
                        .collect(),
                )
            } else {
                V::Str(s)
            };
            Val {
                v,
                origin: Some(origin),
            }
        };
        if let Some((value, span)) = self.cli_value(name) {
            return Ok(shape(
                value,
                Origin {
                    span,
                    label: format!("value from --parameter {name}"),
                    kind: OriginKind::CommandLine,
                },
            ));
        }
        let Some(default) = param.value.get("Default") else {
            return Ok(Val::unknown(
                format!("parameter {name} has no Default and no value was given"),
                format!("pass --parameter {name}=VALUE"),
            ));
        };
        if ptype.starts_with(SSM_PREFIX) {
            return Ok(Val::unknown(
                format!("parameter {name} is read from SSM Parameter Store at deploy time"),
                format!("pass --parameter {name}=VALUE with the value stored in SSM"),
            ));
        }
        let origin = Origin {
            span: self.span(&default.value),
            label: format!("parameter {name} default"),
            kind: OriginKind::ParameterDefault,
        };
        // Parameter values are strings; `Default: 1` in YAML is the string "1".
        match &default.value.kind {
            Kind::Num(_) => {
                let text = self.file.text.get(default.value.span.clone()).unwrap_or("").trim();
                Ok(shape(text.to_string(), origin))
            }
            Kind::Bool(b) => Ok(shape(b.to_string(), origin)),
            Kind::Str(s) => Ok(shape(s.clone(), origin)),
            _ => Ok(self.eval(&default.value, depth + 1)?.with_origin(Some(origin))),
        }
    }

    fn if_args<'n>(&self, node: &'n Node, arg: &'n Node) -> R<(&'n str, &'n Node, &'n Node)> {
        let [cond, then, otherwise] = self.args::<3>(node, arg, "Fn::If")?;
        let Some(name) = cond.str() else {
            return self.err(cond, "the first argument of Fn::If must be the name of a condition");
        };
        Ok((name, then, otherwise))
    }

    /// The `N` arguments of a function written as a list.
    fn args<'n, const N: usize>(&self, node: &'n Node, arg: &'n Node, name: &str) -> R<[&'n Node; N]> {
        match &arg.kind {
            Kind::Seq(items) if items.len() == N => {
                let v: Vec<&Node> = items.iter().collect();
                Ok(v.try_into().unwrap_or_else(|_| unreachable!()))
            }
            _ => self.err(node, format!("{name} takes a list of {N} arguments")),
        }
    }
}

enum Found<'n> {
    Node(&'n Node, Origin),
    Default(&'n Node),
    Unknown(Unresolved),
}

fn arg_items(arg: &Node) -> &[Node] {
    match &arg.kind {
        Kind::Seq(items) => items,
        _ => std::slice::from_ref(arg),
    }
}

/// A scalar as the string CloudFormation would use.
fn scalar_text(v: &V) -> Option<String> {
    match v {
        V::Str(s) => Some(s.clone()),
        V::Num(n) => Some(format_number(*n)),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn describe(v: &V) -> String {
    match v {
        V::Str(s) => format!("the string \"{s}\""),
        V::Num(n) => format!("the number {}", format_number(*n)),
        V::Bool(b) => format!("the boolean {b}"),
        V::List(_) => "a list".into(),
        V::Map => "a mapping".into(),
        V::Null | V::NoValue => "null".into(),
        V::Unknown(_) => "an unknown value".into(),
    }
}

/// Strings, and numbers or booleans written where a string is expected (CloudFormation converts).
pub(super) fn to_string(v: &V) -> Result<String, String> {
    scalar_text(v).ok_or_else(|| format!("expected a string, found {}", describe(v)))
}

/// Numbers, and numeric strings (`"4"`), which CloudFormation converts.
pub(super) fn to_number(v: &V) -> Result<f64, String> {
    match v {
        V::Num(n) => Ok(*n),
        V::Str(s) => match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(format!("expected a number, found {}", describe(v))),
        },
        _ => Err(format!("expected a number, found {}", describe(v))),
    }
}

/// Booleans, and the strings `"true"`/`"false"`.
pub(super) fn to_bool(v: &V) -> Result<bool, String> {
    match v {
        V::Bool(b) => Ok(*b),
        V::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        V::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(format!("expected a boolean, found {}", describe(v))),
    }
}
