//! The chunked parse against the whole parse, for tests and fuzzing: every result of reading a
//! text (as a `.tf` file, a `.tfvars` file, an expression) under chunkings that cut far more
//! often than the default, compared with [`Chunking::OFF`]'s, spans and errors included.

use std::fmt::Write as _;

use super::{with_chunking, Chunking};
use crate::inputs::hcl::{parse_expr, parse_tf, parse_tfvars};
use crate::inputs::terraform::{BodyNode, TfFile};
use crate::model::expr::{Accessor, Expr, ExprKind, ObjectKey, TemplatePart};
use crate::model::InputError;
use crate::source::SourceFile;

/// Chunkings that cut far more often than the default, so small objects are cut too.
const CHUNKINGS: [Chunking; 4] = [
    Chunking {
        min_separators: 1,
        chunk_separators: 1,
    },
    Chunking {
        min_separators: 2,
        chunk_separators: 2,
    },
    Chunking {
        min_separators: 3,
        chunk_separators: 5,
    },
    Chunking::DEFAULT,
];

fn spans(e: &Expr, out: &mut String) {
    let _ = write!(out, "[{}..{}", e.span.start, e.span.end);
    let mut each = |e: &Expr| spans(e, out);
    match &e.kind {
        ExprKind::Tuple(items) => items.iter().for_each(&mut each),
        ExprKind::Object(items) => {
            for (k, v) in items {
                if let ObjectKey::Expr(k) = k {
                    each(k);
                }
                each(v);
            }
        }
        ExprKind::Template(parts) => {
            for p in parts {
                if let TemplatePart::Interpolation(e) = p {
                    each(e);
                }
            }
        }
        ExprKind::Traversal { root_span, path, .. } => {
            let _ = write!(out, " root {}..{}", root_span.start, root_span.end);
            for a in path {
                if let Accessor::Index(e) = a {
                    spans(e, out);
                }
            }
        }
        ExprKind::Index { target, path } => {
            each(target);
            for a in path {
                if let Accessor::Index(e) = a {
                    spans(e, out);
                }
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(&mut each),
        ExprKind::Unary(_, e) => each(e),
        ExprKind::Binary(_, a, b) => {
            each(a);
            each(b);
        }
        ExprKind::Conditional(a, b, c) => {
            each(a);
            each(b);
            each(c);
        }
        ExprKind::For(f) => {
            each(&f.collection);
            f.key_expr.iter().for_each(&mut each);
            each(&f.value_expr);
            f.cond.iter().for_each(&mut each);
        }
        _ => {}
    }
    out.push(']');
}

fn expr(e: &Expr) -> String {
    let mut out = format!("{:?} ", e.kind);
    spans(e, &mut out);
    out
}

fn body(b: &BodyNode) -> String {
    let mut out = String::new();
    for a in &b.attrs {
        let _ = writeln!(
            out,
            "{} {}..{} = {}",
            a.name,
            a.name_span.start,
            a.name_span.end,
            expr(&a.expr)
        );
    }
    for bl in &b.blocks {
        let _ = writeln!(
            out,
            "{} {:?} {:?} {{\n{}}}",
            bl.ident,
            bl.labels,
            bl.span.range(),
            body(&bl.body)
        );
    }
    out
}

fn tf(t: &TfFile) -> String {
    let mut out = String::new();
    for v in &t.variables {
        let default = v.default.as_ref().map(expr);
        let _ = writeln!(
            out,
            "variable {} {:?} {:?} {:?} {}",
            v.name,
            v.span.range(),
            default,
            v.type_text,
            v.nullable
        );
    }
    for l in &t.locals {
        let _ = writeln!(out, "local {} = {}", l.name, expr(&l.expr));
    }
    for r in &t.resources {
        let _ = writeln!(
            out,
            "resource {} {} {:?} {:?} {:?}\n{}",
            r.rtype,
            r.name,
            r.header.range(),
            r.span.range(),
            r.directives,
            body(&r.body)
        );
    }
    for m in &t.modules {
        let _ = writeln!(
            out,
            "module {} {:?} {:?}\n{}",
            m.name,
            m.header.range(),
            m.directives,
            body(&m.body)
        );
    }
    for p in &t.providers {
        let _ = writeln!(out, "provider {}\n{}", p.name, body(&p.body));
    }
    let _ = writeln!(out, "strays {:?}", t.strays);
    out
}

fn error(e: &InputError) -> String {
    format!("error {:?}: {}", e.span.range(), e.message)
}

/// Every result of reading `text`: as a `.tf` file, a `.tfvars` file, and an expression.
fn results(text: &str) -> [String; 3] {
    let file = || SourceFile::new("t.tf", text);
    [
        parse_tf(&file()).map_or_else(|e| error(&e), |t| tf(&t)),
        parse_tfvars(&file()).map_or_else(
            |e| error(&e),
            |attrs| {
                body(&BodyNode {
                    attrs,
                    blocks: Vec::new(),
                })
            },
        ),
        parse_expr(&file()).map_or_else(|e| error(&e), |e| expr(&e)),
    ]
}

/// The first difference between the whole parse and a chunked one, described. A panic while
/// parsing is passed on.
pub fn difference(text: &str) -> Option<String> {
    // hcl-edit's recursion on deep nesting needs more than a test thread's stack in a debug build.
    let on_big_stack = |chunking: Chunking| {
        std::thread::scope(|s| {
            let parse = std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn_scoped(s, || with_chunking(chunking, || results(text)));
            match parse.map(|handle| handle.join()) {
                Ok(Ok(results)) => Ok(results),
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(e) => Err(format!("cannot start a thread: {e}")),
            }
        })
    };
    let whole = match on_big_stack(Chunking::OFF) {
        Ok(whole) => whole,
        Err(e) => return Some(e),
    };
    for chunking in CHUNKINGS {
        let chunked = match on_big_stack(chunking) {
            Ok(chunked) => chunked,
            Err(e) => return Some(e),
        };
        for (w, c) in whole.iter().zip(&chunked) {
            if w != c {
                return Some(format!(
                    "with {chunking:?}:\n{text}\n--- whole:\n{w}\n--- chunked:\n{c}"
                ));
            }
        }
    }
    None
}
