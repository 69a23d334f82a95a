//! Terraform native syntax (`.tf`, `.tfvars`) via `hcl-edit`, lowered into the shared model with
//! every expression's byte span.

use std::sync::Arc;

use hcl_edit::expr::{self as hx, Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use super::attach::AttachTarget;
use super::directives::{CommentMap, CommentSyntax};
use super::hcl_objects::Root;
use super::hcl_recover::{parse_in_chunks, parse_recovering, terraform_rejects, Recovery};
use super::precheck;
use super::terraform::{
    Attr, BlockNode, BodyNode, Local, ModuleCallDecl, Provider, Resource, TfFile, Variable, FLINK_RESOURCE,
};
use crate::model::expr::{Accessor, BinaryOp, Expr, ExprKind, ForExpr, ObjectKey, TemplatePart, UnaryOp};
use crate::model::InputError;
use crate::source::{SourceFile, Span};

/// An `hcl_edit` body and what recovery rewrote to parse it; lower it with
/// [`Lower::recovered`].
pub struct ParsedBody {
    pub body: Body,
    pub recovery: Recovery,
}

/// Parses HCL text into an `hcl_edit` body as Terraform reads it (see [`super::hcl_recover`]),
/// turning a syntax error into an [`InputError`] at its exact position.
pub fn parse_body(file: &Arc<SourceFile>) -> Result<ParsedBody, InputError> {
    let (body, recovery) = parse_recovering(&file.text, Root::Body, hcl_edit::parser::parse_body).map_err(|e| {
        let loc = e.location();
        let offset = loc.offset().min(file.text.len());
        InputError::new(point(file, offset), format!("invalid HCL: {}", e.message()))
    })?;
    // What hcl-edit reads and Terraform does not.
    if let Some((offset, rejected)) = terraform_rejects(&file.text) {
        return Err(InputError::new(
            point(file, offset),
            format!("invalid HCL: {}", rejected.message()),
        ));
    }
    Ok(ParsedBody { body, recovery })
}

/// A one-character span at `offset`, so an error points at the offending character.
fn point(file: &Arc<SourceFile>, offset: usize) -> Span {
    let offset = file.floor_char_boundary(offset);
    let end = match file.text[offset..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => offset + c.len_utf8(),
        _ => offset,
    };
    file.span(offset..end)
}

/// Files larger than this are parsed a group of top-level statements at a time, so only one
/// group's syntax tree is in memory at once (a whole 50 MB file's tree takes gigabytes).
const WHOLE_PARSE_MAX_BYTES: usize = 1 << 20;
/// About how much text one group holds.
const GROUP_BYTES: usize = 256 << 10;

/// Parses a `.tf` file.
pub fn parse_tf(file: &Arc<SourceFile>) -> Result<TfFile, InputError> {
    // Every top-level block with the lines of the directives it claims.
    let mut blocks: Vec<AttachTarget> = Vec::new();
    let mut tf = TfFile::new(Arc::clone(file));
    let large = file.text.len() > WHOLE_PARSE_MAX_BYTES;
    let comments = large.then(|| CommentMap::new(file, CommentSyntax::Hcl));
    let grouped = comments
        .as_ref()
        .is_some_and(|comments| parse_tf_in_groups(file, comments, &mut tf, &mut blocks).is_some());
    let comments = match comments {
        Some(comments) if grouped => comments,
        _ => {
            // Small, or a group that does not parse: parse the whole file, so an error is reported
            // exactly as a whole-file parse does.
            blocks.clear();
            let ParsedBody { body, recovery } = parse_body(file)?;
            // What the model keeps points into a copy of the file without the lines of blocks
            // nothing reads; comments are still found in the whole text.
            let kept = compacted(file, &body).unwrap_or_else(|| Arc::clone(file));
            let comments = CommentMap::over(&kept, file, CommentSyntax::Hcl);
            tf = TfFile::new(Arc::clone(&kept));
            lower_blocks(
                &mut tf,
                &mut blocks,
                &body,
                &Lower::recovered(&kept, &recovery),
                &comments,
            );
            comments
        }
    };
    tf.strays = super::attach::strays(&comments, &blocks);
    tf.strays.extend(super::attach::tag_strays(&tf.resources, &blocks));
    tf.references.sort_by(|a, b| a.name.cmp(&b.name));
    tf.shrink_to_fit();
    Ok(tf)
}

/// Lines kept at each end of a run of blocks whose middle is dropped: the first one's header and
/// the last one's closing line, where a neighbour's quoted snippet may end.
const KEPT_BLOCK_LINES: usize = 1;
/// A block's middle is dropped only when it is at least this many lines, so that spans in
/// different kept runs are never close enough to be quoted in one snippet.
const MIN_DROPPED_LINES: usize = 4;
/// A file is compacted only when that frees at least this many bytes.
const MIN_DROPPED_BYTES: usize = 4 << 10;

/// A copy of `file` without the lines of the top-level blocks the model never reads (anything
/// but variables, locals, module calls, providers and Flink applications, unless it mentions
/// kpulint) but the first and last of each run of them: in a large module those are most of
/// the text, held until the run ends. Lines of the dropped blocks are found in the whole file
/// while it is parsed (see [`CommentMap::whole`]).
/// `None` when little would be dropped, and for standard input (whose text cannot be read again
/// for `--fix` or `--diff`).
fn compacted(file: &Arc<SourceFile>, body: &Body) -> Option<Arc<SourceFile>> {
    if file.path == "<stdin>" || file.text.len() < MIN_DROPPED_BYTES {
        return None;
    }
    let text: &str = &file.text;
    let bytes = text.as_bytes();
    // Runs of blocks nothing reads, with only blank lines and comments between them.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut last_end = None;
    for block in body.blocks() {
        let read = match (block.ident.as_str(), block.labels.first().map(|l| l.as_str())) {
            ("variable" | "locals" | "module" | "provider", _) => true,
            ("resource", Some(rtype)) => rtype == FLINK_RESOURCE,
            _ => false,
        };
        let Some(range) = block.span() else {
            last_end = None;
            continue;
        };
        let unread = !read
            && text
                .get(range.clone())
                .is_some_and(|t| !super::directives::mentions_kpulint(t));
        if !unread {
            last_end = None;
            continue;
        }
        let joins = last_end.and_then(|end| text.get(end..range.start)).is_some_and(|gap| {
            !super::directives::mentions_kpulint(gap)
                && gap.lines().all(|l| {
                    let l = l.trim();
                    l.is_empty() || l.starts_with('#') || l.starts_with("//")
                })
        });
        match runs.last_mut() {
            Some(run) if joins => run.end = range.end,
            _ => runs.push(range.clone()),
        }
        last_end = Some(range.end);
    }
    let mut dropped = Vec::new();
    for range in runs {
        let Some(run_text) = text.get(range.clone()) else {
            continue;
        };
        // After the first `KEPT_BLOCK_LINES` lines, up to the start of the last ones.
        let mut starts = memchr::memchr_iter(b'\n', run_text.as_bytes()).map(|i| range.start + i + 1);
        let Some(from) = starts.nth(KEPT_BLOCK_LINES - 1) else {
            continue;
        };
        let last_line = memchr::memrchr(b'\n', bytes.get(..range.end)?).map_or(0, |i| i + 1);
        let to = memchr::memrchr_iter(b'\n', bytes.get(..last_line)?)
            .nth(KEPT_BLOCK_LINES - 1)
            .map_or(0, |i| i + 1);
        let lines = bytes.get(from..to).map_or(0, |d| memchr::memchr_iter(b'\n', d).count());
        if to > from && lines >= MIN_DROPPED_LINES {
            dropped.push(from..to);
        }
    }
    if dropped.iter().map(|r| r.len()).sum::<usize>() < MIN_DROPPED_BYTES {
        return None;
    }
    file.compact(&dropped)
}

/// Parses a large file in groups of whole top-level statements (found by the structural
/// check); `None` when the check fails or a group does not parse.
fn parse_tf_in_groups(
    file: &Arc<SourceFile>,
    comments: &CommentMap,
    tf: &mut TfFile,
    blocks: &mut Vec<AttachTarget>,
) -> Option<()> {
    let text: &str = &file.text;
    // What Terraform rejects and hcl-edit accepts is reported by the whole-file parse.
    if terraform_rejects(text).is_some() {
        return None;
    }
    let starts = precheck::top_level_statements(text)?;
    let mut group_start = 0;
    let ends = starts.iter().copied().skip(1).chain(std::iter::once(text.len()));
    for end in ends {
        if end - group_start < GROUP_BYTES && end != text.len() {
            continue;
        }
        let group = text.get(group_start..end)?;
        let (body, recovery) = parse_in_chunks(group, Root::Body, hcl_edit::parser::parse_body).ok()?;
        let mut lower = Lower::recovered(file, &recovery);
        lower.offset = group_start;
        lower_blocks(tf, blocks, &body, &lower, comments);
        group_start = end;
    }
    Some(())
}

/// Lowers a body's top-level blocks into `tf`, recording each block as a target that comment
/// directives can attach to.
fn lower_blocks(tf: &mut TfFile, blocks: &mut Vec<AttachTarget>, body: &Body, lower: &Lower, comments: &CommentMap) {
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        record_references(tf, block, &labels, lower, comments.whole());
        blocks.push(AttachTarget {
            address: std::iter::once(block.ident.as_str())
                .chain(labels.iter().copied())
                .collect::<Vec<_>>()
                .join(" "),
            // In the whole file: its lines are needed, and it may not have been kept.
            span: comments.whole().span(lower.span_of(block.span()).range()),
            flink: false,
            lines: Vec::new(),
        });
        match (block.ident.as_str(), labels.as_slice()) {
            ("variable", [name]) => {
                let b = lower.body(&block.body);
                tf.variables.push(Variable {
                    name: name.to_string(),
                    span: lower.header(block),
                    default: b.attr("default").map(|a| a.expr.clone()),
                    type_text: block
                        .body
                        .get_attribute("type")
                        .and_then(|a| a.value.span())
                        .map(|r| lower.span_of(Some(r)).text().to_string()),
                    // Only a type constructor (`object(...)`, `list(...)`) can hold an
                    // `optional(type, default)`; a bare `string` or `any` has nothing to fill in.
                    type_expr: b
                        .attr("type")
                        .filter(|a| matches!(a.expr.kind, ExprKind::Call { .. }))
                        .map(|a| Box::new(a.expr.clone())),
                    nullable: !b
                        .attr("nullable")
                        .is_some_and(|a| matches!(a.expr.kind, ExprKind::Bool(false))),
                });
            }
            ("locals", []) => {
                for a in lower.body(&block.body).attrs {
                    tf.locals.push(Local {
                        name: a.name,
                        expr: a.expr,
                    });
                }
            }
            ("resource", [rtype, name]) => {
                let span = lower.span_of(block.span());
                let (directives, lines) = comments.block_directives(&span);
                if let Some(target) = blocks.last_mut() {
                    target.address = format!("{rtype}.{name}");
                    target.flink = *rtype == FLINK_RESOURCE;
                    target.lines = lines;
                }
                // Only Flink applications are evaluated; another resource is kept only when it
                // mentions kpulint (its tags are checked for stray declarations). In a large file
                // the others are most of the syntax tree.
                if *rtype != FLINK_RESOURCE && !span.text().contains("kpulint") {
                    continue;
                }
                let header = lower.header(block);
                tf.resources.push(Resource {
                    rtype: rtype.to_string(),
                    name: name.to_string(),
                    header,
                    span,
                    body: lower.body(&block.body),
                    directives,
                });
            }
            ("module", [name]) => {
                let span = lower.span_of(block.span());
                let (directives, lines) = comments.block_directives(&span);
                if let Some(target) = blocks.last_mut() {
                    target.address = format!("module.{name}");
                    target.flink = true;
                    target.lines = lines;
                }
                tf.modules.push(ModuleCallDecl {
                    name: name.to_string(),
                    header: lower.header(block),
                    body: lower.body(&block.body),
                    directives,
                })
            }
            ("provider", [name]) => tf.providers.push(Provider {
                name: name.to_string(),
                body: lower.body(&block.body),
            }),
            _ => {}
        }
    }
}

/// Records which attributes of a top-level block refer to variables, locals or `each.value`
/// (see [`super::references`]): every block, also those the model drops.
fn record_references(tf: &mut TfFile, block: &Block, labels: &[&str], lower: &Lower, whole: &Arc<SourceFile>) {
    use super::references::{block_address, is_parallelism_setting, reader, Collector};
    let Some(text) = whole.get(lower.span_of(block.span()).range()) else {
        return;
    };
    if !["var.", "local.", "each.value"].iter().any(|p| text.contains(p)) {
        return;
    }
    let ident = block.ident.as_str();
    let mut c = Collector {
        whole,
        out: &mut tf.references,
    };
    if ident == "locals" {
        for a in block.body.attributes() {
            let local = format!("local.{}", a.key.as_str());
            c.value(&local, lower.span_of(a.value.span()).range(), false);
        }
        return;
    }
    let Some(address) = block_address(ident, labels) else {
        return;
    };
    let rtype = if ident == "resource" {
        labels.first().copied()
    } else {
        None
    };
    fn walk<'b>(c: &mut Collector, body: &'b Body, at: (&str, Option<&str>), path: &mut Vec<&'b str>, lower: &Lower) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    path.push(a.key.as_str());
                    let setting = at.1.is_some_and(|t| is_parallelism_setting(t, path));
                    c.value(&reader(at.0, path), lower.span_of(a.value.span()).range(), setting);
                    path.pop();
                }
                Structure::Block(b) => {
                    let seg = match (b.ident.as_str(), b.labels.first()) {
                        ("dynamic", Some(label)) => label.as_str(),
                        (ident, _) => ident,
                    };
                    path.push(seg);
                    walk(c, &b.body, at, path, lower);
                    path.pop();
                }
            }
        }
    }
    walk(&mut c, &block.body, (&address, rtype), &mut Vec::new(), lower);
}

/// Parses a `.tfvars` file: top-level attributes only.
pub fn parse_tfvars(file: &Arc<SourceFile>) -> Result<Vec<Attr>, InputError> {
    let ParsedBody { body, recovery } = parse_body(file)?;
    let lower = Lower::recovered(file, &recovery);
    if let Some(block) = body.blocks().next() {
        let span = lower.header(block);
        return Err(InputError::new(span, "blocks are not allowed in a .tfvars file"));
    }
    Ok(lower.body(&body).attrs)
}

/// Parses one standalone expression (a `--var` value of a complex type).
pub fn parse_expr(file: &Arc<SourceFile>) -> Result<Expr, InputError> {
    parse_recovering(&file.text, Root::Expression, hcl_edit::parser::parse_expr)
        .map(|(e, recovery)| Lower::recovered(file, &recovery).expr(&e))
        .map_err(|e| {
            let offset = e.location().offset().min(file.text.len());
            InputError::new(point(file, offset), format!("invalid expression: {}", e.message()))
        })
}

/// Lowers `hcl_edit` nodes into [`Expr`] with spans in one file.
pub struct Lower<'a> {
    pub file: &'a Arc<SourceFile>,
    /// Added to every span: a template parsed out of a JSON string starts inside the file.
    pub offset: usize,
    /// What recovery rewrote in the parsed text, undone here.
    recovery: &'a Recovery,
    /// Added to a position to find it in `recovery`: the text lowered may be a chunk of the
    /// text recovery rewrote.
    base: usize,
    /// The large objects of the text lowered, parsed in chunks.
    large: &'a std::collections::BTreeMap<usize, super::hcl_objects::LargeObject>,
}

/// Nothing rewritten.
static NO_RECOVERY: Recovery = Recovery {
    renamed_keys: std::collections::BTreeMap::new(),
    big_numbers: std::collections::BTreeMap::new(),
    large_objects: std::collections::BTreeMap::new(),
};

impl<'a> Lower<'a> {
    pub fn new(file: &'a Arc<SourceFile>) -> Self {
        Lower {
            file,
            offset: 0,
            recovery: &NO_RECOVERY,
            base: 0,
            large: &NO_RECOVERY.large_objects,
        }
    }

    /// Lowers a body parsed by [`parse_body`]: repeated keys get their names back (the last
    /// value wins when the object is evaluated) and out-of-range numbers are infinite.
    pub fn recovered(file: &'a Arc<SourceFile>, recovery: &'a Recovery) -> Self {
        Lower {
            file,
            offset: 0,
            recovery,
            base: 0,
            large: &recovery.large_objects,
        }
    }

    pub fn at(file: &'a Arc<SourceFile>, offset: usize) -> Self {
        Lower {
            file,
            offset,
            recovery: &NO_RECOVERY,
            base: 0,
            large: &NO_RECOVERY.large_objects,
        }
    }

    /// A number literal beyond f64 range, parsed as `0` (or `-0`) at its start: infinite, with
    /// the span of the whole literal.
    fn big_number(&self, e: &Expression) -> Option<Expr> {
        let Expression::Number(_) = e else { return None };
        let r = e.span()?;
        let (_, &end) = self
            .recovery
            .big_numbers
            .range(r.start + self.base..r.end + self.base)
            .next()?;
        let end = end - self.base;
        let start = r.start + self.offset;
        let negative = self.file.get(start..start + 1) == Some("-");
        let n = if negative { f64::NEG_INFINITY } else { f64::INFINITY };
        Some(Expr::new(ExprKind::Number(n), self.span_of(Some(r.start..end))))
    }

    /// The original key of an object item whose key recovery renamed.
    fn renamed_key(&self, key: &hx::ObjectKey) -> Option<ObjectKey> {
        let original = self.recovery.renamed_keys.get(&(key.span()?.start + self.base))?;
        if !original.starts_with('"') {
            return Some(ObjectKey::Ident(original.clone()));
        }
        match hcl_edit::parser::parse_expr(original) {
            Ok(Expression::String(s)) => Some(ObjectKey::Ident(s.value().clone())),
            _ => None,
        }
    }

    fn span_of(&self, r: Option<std::ops::Range<usize>>) -> Span {
        let r = r.unwrap_or(0..0);
        self.file.span(r.start + self.offset..r.end + self.offset)
    }

    /// `resource "a" "b"`: from the identifier to the last label.
    fn header(&self, block: &Block) -> Span {
        let start = block
            .ident
            .span()
            .map(|r| r.start)
            .or(block.span().map(|r| r.start))
            .unwrap_or(0);
        let end = block
            .labels
            .last()
            .and_then(|l| l.span())
            .map(|r| r.end)
            .or(block.ident.span().map(|r| r.end))
            .unwrap_or(start);
        self.file.span(start + self.offset..end + self.offset)
    }

    pub fn body(&self, body: &Body) -> BodyNode {
        // Sized exactly: kept bodies are held until evaluation ends, and a vector grown one
        // push at a time keeps room for four attributes or more.
        let mut out = BodyNode {
            attrs: Vec::with_capacity(body.attributes().count()),
            blocks: Vec::with_capacity(body.blocks().count()),
        };
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => out.attrs.push(Attr {
                    name: a.key.as_str().to_string(),
                    name_span: self.span_of(a.key.span()),
                    expr: self.expr(&a.value),
                }),
                Structure::Block(b) => out.blocks.push(BlockNode {
                    ident: b.ident.as_str().to_string(),
                    labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    span: self.span_of(b.span()),
                    body: self.body(&b.body),
                }),
            }
        }
        out
    }

    pub fn expr(&self, e: &Expression) -> Expr {
        if let Some(big) = self.big_number(e) {
            return big;
        }
        let span = self.span_of(e.span());
        let kind = match e {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) if f.is_finite() => ExprKind::Number(f),
                _ => ExprKind::Number(f64::INFINITY),
            },
            Expression::String(s) => ExprKind::String(s.value().clone()),
            Expression::Array(items) => ExprKind::Tuple(items.iter().map(|i| self.expr(i)).collect()),
            Expression::Object(obj) => {
                // Items parsed in chunks first (an object with many items), then those parsed in
                // place.
                let mut items = Vec::new();
                let large = e.span().and_then(|r| self.large.get(&r.start));
                for chunk in large.iter().flat_map(|l| l.chunks.iter()) {
                    let lower = Lower {
                        file: self.file,
                        offset: self.offset + chunk.shift,
                        recovery: self.recovery,
                        base: self.base + chunk.shift,
                        large: chunk.large_objects(),
                    };
                    if let Some(obj) = chunk.object() {
                        lower.object_items(obj, &mut items);
                    }
                }
                let parsed_in_chunks = items.len();
                self.object_items(obj, &mut items);
                // Items left to the whole parse between chunks: in the order they are written.
                if parsed_in_chunks > 0 && items.len() > parsed_in_chunks {
                    items.sort_by_key(|(_, v)| v.span.start);
                }
                ExprKind::Object(items)
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => return self.expr(p.inner()),
            Expression::Variable(v) => ExprKind::Traversal {
                root: v.as_str().to_string(),
                root_span: span.clone(),
                path: Vec::new(),
            },
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr)),
                Box::new(self.expr(&c.true_expr)),
                Box::new(self.expr(&c.false_expr)),
            ),
            Expression::FuncCall(f) => {
                if f.name.is_namespaced() {
                    ExprKind::Unsupported(format!("the provider function {}", span.text()))
                } else {
                    ExprKind::Call {
                        name: f.name.name.as_str().to_string(),
                        args: f.args.iter().map(|a| self.expr(a)).collect(),
                        expand_final: f.args.expand_final(),
                    }
                }
            }
            Expression::Traversal(t) => {
                let path: Vec<Accessor> = t
                    .operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::GetAttr(id) => Accessor::Attr(id.as_str().to_string()),
                        TraversalOperator::Index(ix) => Accessor::Index(self.expr(ix)),
                        TraversalOperator::LegacyIndex(i) => {
                            Accessor::Index(Expr::new(ExprKind::Number(*i.value() as f64), self.span_of(i.span())))
                        }
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Accessor::Splat,
                    })
                    .collect();
                match &t.expr {
                    Expression::Variable(v) => ExprKind::Traversal {
                        root: v.as_str().to_string(),
                        root_span: self.span_of(v.span()),
                        path,
                    },
                    other => ExprKind::Index {
                        target: Box::new(self.expr(other)),
                        path,
                    },
                }
            }
            Expression::UnaryOp(u) => ExprKind::Unary(
                match u.operator.value() {
                    hx::UnaryOperator::Neg => UnaryOp::Neg,
                    hx::UnaryOperator::Not => UnaryOp::Not,
                },
                Box::new(self.expr(&u.expr)),
            ),
            Expression::BinaryOp(b) => {
                use hx::BinaryOperator as B;
                let op = match b.operator.value() {
                    B::Eq => BinaryOp::Eq,
                    B::NotEq => BinaryOp::NotEq,
                    B::LessEq => BinaryOp::LtEq,
                    B::GreaterEq => BinaryOp::GtEq,
                    B::Less => BinaryOp::Lt,
                    B::Greater => BinaryOp::Gt,
                    B::Plus => BinaryOp::Add,
                    B::Minus => BinaryOp::Sub,
                    B::Mul => BinaryOp::Mul,
                    B::Div => BinaryOp::Div,
                    B::Mod => BinaryOp::Mod,
                    B::And => BinaryOp::And,
                    B::Or => BinaryOp::Or,
                };
                ExprKind::Binary(op, Box::new(self.expr(&b.lhs_expr)), Box::new(self.expr(&b.rhs_expr)))
            }
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
                value_var: f.intro.value_var.as_str().to_string(),
                collection: self.expr(&f.intro.collection_expr),
                key_expr: f.key_expr.as_ref().map(|k| self.expr(k)),
                value_expr: self.expr(&f.value_expr),
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr)),
                grouping: f.grouping,
            })),
        };
        Expr::new(kind, span)
    }

    fn object_items(&self, obj: &hx::Object, out: &mut Vec<(ObjectKey, Expr)>) {
        out.extend(obj.iter().map(|(k, v)| {
            let key = self.renamed_key(k).unwrap_or_else(|| self.object_key(k));
            (key, self.expr(v.expr()))
        }));
    }

    fn object_key(&self, k: &hx::ObjectKey) -> ObjectKey {
        match k {
            hx::ObjectKey::Ident(id) => ObjectKey::Ident(id.as_str().to_string()),
            hx::ObjectKey::Expression(Expression::String(s)) => ObjectKey::Ident(s.value().clone()),
            hx::ObjectKey::Expression(Expression::Variable(v)) => ObjectKey::Ident(v.as_str().to_string()),
            hx::ObjectKey::Expression(k) => ObjectKey::Expr(self.expr(k)),
        }
    }

    pub fn template_expr(&self, t: &Template) -> ExprKind {
        self.template(t)
    }

    fn template(&self, t: &Template) -> ExprKind {
        let mut parts = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => parts.push(TemplatePart::Literal(s.value().clone())),
                Element::Interpolation(i) => parts.push(TemplatePart::Interpolation(self.expr(&i.expr))),
                Element::Directive(_) => parts.push(TemplatePart::Unsupported("directive %{...}".into())),
            }
        }
        ExprKind::Template(parts)
    }
}

#[cfg(test)]
mod group_tests {
    use super::*;

    #[test]
    fn large_files_are_parsed_in_groups_with_file_positions() {
        let mut text = String::from("# head\n");
        let mut i = 0;
        while text.len() < 3 * GROUP_BYTES {
            text.push_str(&format!("variable \"v{i}\" {{\n  default = <<EOT\n}}\nEOT\n}}\n"));
            i += 1;
        }
        text.push_str("resource \"aws_kinesisanalyticsv2_application\" \"a\" {\n  name = \"x\"\n}\n");
        let file = SourceFile::new("big.tf", text.clone());
        let comments = CommentMap::new(&file, CommentSyntax::Hcl);
        let mut grouped = TfFile::new(Arc::clone(&file));
        let mut grouped_blocks = Vec::new();
        parse_tf_in_groups(&file, &comments, &mut grouped, &mut grouped_blocks).expect("parsed in groups");
        let whole = {
            let mut tf = TfFile::new(Arc::clone(&file));
            let mut blocks = Vec::new();
            lower_blocks(
                &mut tf,
                &mut blocks,
                &parse_body(&file).unwrap().body,
                &Lower::new(&file),
                &comments,
            );
            assert_eq!(blocks.len(), grouped_blocks.len());
            tf
        };
        assert_eq!(grouped.variables.len(), i);
        let spans = |tf: &TfFile| -> Vec<(usize, usize)> {
            tf.variables
                .iter()
                .map(|v| (v.span.start, v.default.as_ref().map_or(0, |d| d.span.start)))
                .chain(tf.resources.iter().map(|r| (r.header.start, r.span.end)))
                .collect()
        };
        assert_eq!(spans(&grouped), spans(&whole));
        assert_eq!(
            grouped.resources[0].header.text(),
            "resource \"aws_kinesisanalyticsv2_application\" \"a\""
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_of_mostly_other_resources_keeps_only_what_it_reads() {
        let other: String = (0..40)
            .map(|i| {
                let body: String = (0..8).map(|j| format!("  a{j} = \"xxxxxxxxxxxxxxxx\"\n")).collect();
                format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n{body}}}\n\n")
            })
            .collect();
        let app = "resource \"aws_kinesisanalyticsv2_application\" \"app\" {\n  name = \"app\"\n}\n";
        let text = format!("variable \"v\" {{\n  default = 1\n}}\n\n{other}{app}\n{other}");
        let tf = parse_tf(&SourceFile::new("m.tf", text.as_str())).unwrap();
        assert!(tf.file.is_compacted());
        let [resource] = tf.resources.as_slice() else {
            panic!("{:?}", tf.resources)
        };
        assert_eq!(resource.span.text(), app.trim_end());
        assert_eq!(
            resource.span.location().line,
            text[..text.find(app).unwrap()].lines().count() + 1
        );
        assert_eq!(tf.variables[0].default.as_ref().unwrap().span.text(), "1");
        // A small file is held whole.
        let small = parse_tf(&SourceFile::new("s.tf", app)).unwrap();
        assert!(!small.file.is_compacted());
    }
}
