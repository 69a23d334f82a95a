//! A small, format-neutral expression tree. Terraform HCL and Terraform JSON both lower into it,
//! so the evaluator is written once and every node keeps the span it was read from.

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string without interpolation.
    String(String),
    /// A string with `${...}` interpolations (and possibly directives).
    Template(Vec<TemplatePart>),
    Tuple(Vec<Expr>),
    Object(Vec<(ObjectKey, Expr)>),
    /// `root.attr[0]["k"]...`; the root is a bare identifier such as `var`, `local`, `each`.
    Traversal {
        root: String,
        root_span: Span,
        path: Vec<Accessor>,
    },
    /// Accessors applied to a computed value: `(expr).x`, `func()[0]`.
    Index {
        target: Box<Expr>,
        path: Vec<Accessor>,
    },
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(list...)`: the last argument is expanded.
        expand_final: bool,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    /// Something kpulint does not evaluate (template directives, legacy splats, ...).
    /// The text says what, for the KPU009 message.
    Unsupported(String),
}

#[derive(Debug, Clone)]
pub enum ObjectKey {
    /// `name = ...` or `"name" = ...`
    Ident(String),
    /// `(expr) = ...`
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
    Unsupported(String),
}

#[derive(Debug, Clone)]
pub enum Accessor {
    Attr(String),
    Index(Expr),
    /// `[*]` or `.*`: kpulint treats splats as unsupported except on known lists.
    Splat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
}

#[derive(Debug, Clone)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub key_expr: Option<Expr>,
    pub value_expr: Expr,
    pub cond: Option<Expr>,
    pub grouping: bool,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// True for `var.x` / `local.x` style references: their value has a single origin elsewhere.
    pub fn as_reference(&self) -> Option<(&str, Option<&str>)> {
        match &self.kind {
            ExprKind::Traversal { root, path, .. } => {
                let first = match path.first() {
                    Some(Accessor::Attr(a)) => Some(a.as_str()),
                    _ => None,
                };
                Some((root.as_str(), first))
            }
            _ => None,
        }
    }
}
