//! The Terraform configuration model shared by the HCL and JSON syntaxes: variables, locals,
//! resources, module calls and providers, with expressions left unevaluated for `eval`.

use std::sync::Arc;

use crate::model::expr::Expr;
use crate::model::{Directive, StrayDirective};
use crate::source::{SourceFile, Span};

/// An attribute `name = expr`.
#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
}

/// A nested block `ident "label" { ... }`.
#[derive(Debug, Clone)]
pub struct BlockNode {
    pub ident: String,
    pub labels: Vec<String>,
    /// From the identifier to the closing brace.
    pub span: Span,
    pub body: BodyNode,
}

/// A block body in either syntax.
#[derive(Debug, Clone, Default)]
pub struct BodyNode {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<BlockNode>,
}

impl BodyNode {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a BlockNode> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub span: Span,
    pub default: Option<Expr>,
    /// The `type` constraint as written (`number`, `map(string)`, ...).
    pub type_text: Option<String>,
    /// The `type` constraint as an expression, for the defaults of its `optional(type, default)`
    /// attributes (HCL files only). Boxed: most variables have none, and every variable of every
    /// module is held until evaluation ends.
    pub type_expr: Option<Box<Expr>>,
    /// `nullable` (default true): with `false`, a `null` argument takes the default instead.
    pub nullable: bool,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub rtype: String,
    pub name: String,
    /// The `resource "type" "name"` header, where resource-level findings point.
    pub header: Span,
    pub span: Span,
    pub body: BodyNode,
    pub directives: Vec<Directive>,
}

#[derive(Debug, Clone)]
pub struct ModuleCallDecl {
    pub name: String,
    pub header: Span,
    pub body: BodyNode,
    /// Directives above (or in) the block: they apply to the applications the call creates.
    pub directives: Vec<Directive>,
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub name: String,
    pub body: BodyNode,
}

/// One parsed `.tf` or `.tf.json` file.
#[derive(Debug, Clone)]
pub struct TfFile {
    pub file: Arc<SourceFile>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Local>,
    pub resources: Vec<Resource>,
    pub modules: Vec<ModuleCallDecl>,
    pub providers: Vec<Provider>,
    /// Directives that attach to no Flink resource or module call of this file.
    pub strays: Vec<StrayDirective>,
    /// Every attribute that refers to a variable, local or `each.value`, sorted by name.
    pub references: Vec<super::references::Reference>,
}

impl TfFile {
    pub fn new(file: Arc<SourceFile>) -> Self {
        TfFile {
            file,
            variables: Vec::new(),
            locals: Vec::new(),
            resources: Vec::new(),
            modules: Vec::new(),
            providers: Vec::new(),
            strays: Vec::new(),
            references: Vec::new(),
        }
    }

    /// The references to `name` (`var.x`, `local.x`, `each.value.x`).
    pub fn references_to(&self, name: &str) -> &[super::references::Reference] {
        let start = self.references.partition_point(|r| r.name.as_str() < name);
        let end = start + self.references[start..].partition_point(|r| r.name == name);
        &self.references[start..end]
    }

    /// Gives back the room the lists grew beyond their length: a parsed file is held until
    /// evaluation ends, and most of these lists hold a few items.
    pub fn shrink_to_fit(&mut self) {
        self.variables.shrink_to_fit();
        self.locals.shrink_to_fit();
        self.resources.shrink_to_fit();
        self.modules.shrink_to_fit();
        self.providers.shrink_to_fit();
        self.strays.shrink_to_fit();
        self.references.shrink_to_fit();
    }

    /// Files without a Flink application, a variable, a local, a module call or a provider
    /// cannot change any result.
    pub fn is_relevant(&self) -> bool {
        !(self.variables.is_empty()
            && self.locals.is_empty()
            && self.resources.is_empty()
            && self.modules.is_empty()
            && self.providers.is_empty()
            && self.references.is_empty())
    }
}

/// The resource type kpulint lints.
pub const FLINK_RESOURCE: &str = "aws_kinesisanalyticsv2_application";
