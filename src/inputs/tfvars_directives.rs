//! Directives in `.tfvars` files, where kpulint points as a value's origin: a `# kpulint:` or
//! `# kpulint-ignore:` comment above an assignment (the same comment-block rule as above a
//! resource) or trailing it applies to every application that value reaches — those whose
//! setting was traced to that assignment ([`crate::model::Origin`]). `terraform.tfvars` and
//! `*.auto.tfvars` belong to their root module, so they reach that root's applications; a
//! `--var-file` reaches every root's. Anything that reaches no application is reported
//! (KPU903, KPU900 for a lookalike), as anywhere else.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::directives::{CommentMap, CommentSyntax};
use crate::eval::module::{CliVar, ModuleSet, TfVars, VarInputs};
use crate::model::{Application, DirectiveTarget, Setting, StrayDirective};
use crate::source::{SourceFile, Span};

/// Every setting origin of an application that can be a tfvars entry.
fn origins(app: &Application) -> Vec<&Span> {
    fn of<T>(s: &Setting<T>) -> Option<&Span> {
        s.origin().map(|o| &o.span)
    }
    let pc = &app.parallelism;
    [
        of(&pc.configuration_type),
        of(&pc.parallelism),
        of(&pc.parallelism_per_kpu),
        of(&pc.auto_scaling_enabled),
        of(&app.runtime_environment),
        of(&app.region),
        of(&app.snapshots_enabled),
    ]
    .into_iter()
    .flatten()
    .chain(app.tags.iter().filter_map(|t| of(&t.value)))
    .collect()
}

/// The var files the run read: every root's `terraform.tfvars` / `*.auto.tfvars`, then the
/// `--var-file`s; each once.
fn var_files<'a>(modules: &'a ModuleSet, roots: &[std::path::PathBuf], vars: &'a VarInputs) -> Vec<&'a TfVars> {
    let auto = roots
        .iter()
        .filter_map(|r| modules.dirs.get(r))
        .flat_map(|m| m.auto_tfvars.iter());
    let cli = vars.cli.iter().filter_map(|c| match c {
        CliVar::File(t) => Some(t),
        CliVar::Var { .. } => None,
    });
    let mut seen = BTreeSet::new();
    auto.chain(cli)
        .filter(|t| t.broken.is_none() && seen.insert(t.file.path.clone()))
        .collect()
}

/// Attaches the directives of the run's var files to the applications their values reach, and
/// returns those that reach none.
pub fn attach(
    modules: &ModuleSet,
    roots: &[std::path::PathBuf],
    vars: &VarInputs,
    apps: &mut [Application],
) -> Vec<StrayDirective> {
    let mut strays = Vec::new();
    for tfvars in var_files(modules, roots, vars) {
        // `.tfvars.json` has no comments.
        if tfvars.file.path.ends_with(".json") {
            continue;
        }
        strays.extend(attach_file(&tfvars.file, tfvars, apps));
    }
    strays
}

fn attach_file(file: &Arc<SourceFile>, tfvars: &TfVars, apps: &mut [Application]) -> Vec<StrayDirective> {
    let comments = CommentMap::new(file, CommentSyntax::Hcl);
    let mut claimed = BTreeSet::new();
    let mut strays = Vec::new();
    for attr in &tfvars.attrs {
        let whole = file.span(attr.name_span.start..attr.expr.span.end.max(attr.name_span.end));
        let (directives, lines) = comments.block_directives(&whole);
        if directives.is_empty() {
            continue;
        }
        claimed.extend(lines);
        let reached: Vec<usize> = apps
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                origins(a)
                    .iter()
                    .any(|o| o.same_file(&whole) && o.start >= whole.start && o.end <= whole.end)
            })
            .map(|(i, _)| i)
            .collect();
        for mut d in directives {
            if reached.is_empty() {
                strays.push(StrayDirective {
                    why: format!("the value of {} set here reaches no application's settings", attr.name),
                    directive: d,
                    nearest: None,
                });
                continue;
            }
            // It describes the applications, whichever of their lines a finding is on.
            d.target = DirectiveTarget::Resource;
            for &i in &reached {
                apps[i].directives.push(d.clone());
            }
        }
    }
    for (line, directive) in comments.all_directives() {
        if !claimed.contains(&line) {
            strays.push(StrayDirective {
                directive,
                why: "no assignment follows it (a blank line or another line separates them)".into(),
                nearest: None,
            });
        }
    }
    strays
}
