//! Which directives of a Terraform file attach to nothing, and what they could have meant.
//! A declaration that reaches no application would otherwise leave the sizing rules silent
//! (KPU903 unattached-declaration).

use std::collections::BTreeSet;

use super::directives::CommentMap;
use super::terraform::{Resource, FLINK_RESOURCE};
use crate::model::expr::{ExprKind, ObjectKey};
use crate::model::{Directive, DirectiveKind, DirectiveTarget, StrayDirective};
use crate::source::Span;

/// A top-level block of a file and the lines of the directives that attach to it.
#[derive(Debug, Clone)]
pub struct AttachTarget {
    /// `aws_kinesisanalyticsv2_application.orders`, `module.fleet`, `variable x`.
    pub address: String,
    pub span: Span,
    /// A Flink resource or a `module` call (which may create Flink applications).
    pub flink: bool,
    pub lines: Vec<usize>,
}

impl AttachTarget {
    fn lines(&self) -> (usize, usize) {
        let (first, _) = self.span.file.line_col(self.span.start);
        let (last, _) = self
            .span
            .file
            .line_col(self.span.end.saturating_sub(1).max(self.span.start));
        (first, last)
    }
}

/// The Flink resource or module call nearest to `line`.
fn nearest(blocks: &[AttachTarget], line: usize) -> Option<String> {
    blocks
        .iter()
        .filter(|b| b.flink)
        .min_by_key(|b| {
            let (first, last) = b.lines();
            if line < first {
                first - line
            } else {
                line.saturating_sub(last)
            }
        })
        .map(|b| b.address.clone())
}

/// `kpulint:` tags written on resources that are not Flink applications: they declare nothing.
pub fn tag_strays(resources: &[Resource], blocks: &[AttachTarget]) -> Vec<StrayDirective> {
    let mut out = Vec::new();
    for res in resources.iter().filter(|r| r.rtype != FLINK_RESOURCE) {
        let Some(tags) = res.body.attr("tags") else { continue };
        let ExprKind::Object(entries) = &tags.expr.kind else {
            continue;
        };
        for (key, value) in entries {
            let ObjectKey::Ident(key) = key else { continue };
            if !key.starts_with("kpulint:") {
                continue;
            }
            let kind = if key == crate::needs::grammar::TAG_IGNORE {
                DirectiveKind::Ignore
            } else {
                DirectiveKind::Declare
            };
            let line = value.span.location().line;
            out.push(StrayDirective {
                directive: Directive {
                    kind,
                    body: format!("\"{key}\" = {}", value.span.text()),
                    span: value.span.clone(),
                    target: DirectiveTarget::Resource,
                },
                why: format!(
                    "it is a tag of {}.{}, which is not a Managed Flink application",
                    res.rtype, res.name
                ),
                nearest: nearest(blocks, line),
            });
        }
    }
    out
}

/// The directives of the file that no Flink resource or module call claims.
pub fn strays(comments: &CommentMap, blocks: &[AttachTarget]) -> Vec<StrayDirective> {
    let claimed: BTreeSet<usize> = blocks
        .iter()
        .filter(|b| b.flink)
        .flat_map(|b| b.lines.iter().copied())
        .collect();
    let mut out = Vec::new();
    for (line, directive) in comments.all_directives() {
        if claimed.contains(&line) {
            continue;
        }
        let inside = blocks.iter().find(|b| {
            let (first, last) = b.lines();
            (first..=last).contains(&line)
        });
        let below = blocks.iter().filter(|b| b.lines().0 > line).min_by_key(|b| b.lines().0);
        let why = match (inside, below) {
            (Some(b), _) => format!("it is inside {}, which is not a Managed Flink application", b.address),
            (None, Some(b)) if !b.flink => {
                format!("the block below it, {}, is not a Managed Flink application", b.address)
            }
            (None, Some(b)) => format!("a blank line or code separates it from {}", b.address),
            (None, None) => "no resource follows it".to_string(),
        };
        out.push(StrayDirective {
            directive,
            why,
            nearest: nearest(blocks, line),
        });
    }
    out
}

/// Directives above a `module` block through which no application was created: they attach
/// to nothing. Calls with `count`/`for_each` are left to the zero-instances notice.
pub fn unused_call_directives(
    modules: &crate::eval::module::ModuleSet,
    apps: &[crate::model::Application],
) -> Vec<StrayDirective> {
    let mut out = Vec::new();
    let calls = modules
        .dirs
        .values()
        .flat_map(|m| m.files.iter())
        .flat_map(|f| f.modules.iter());
    for call in calls.filter(|c| !c.directives.is_empty()) {
        if call.body.attr("count").is_some() || call.body.attr("for_each").is_some() {
            continue;
        }
        let used = apps
            .iter()
            .any(|a| a.module_calls.iter().any(|c| c.span == call.header));
        if used {
            continue;
        }
        out.extend(call.directives.iter().map(|d| StrayDirective {
            directive: d.clone(),
            why: format!("module.{} creates no Managed Flink application", call.name),
            nearest: None,
        }));
    }
    out
}
