//! Terraform override files (`override.tf`, `*_override.tf`, and their `.tf.json` forms), merged
//! into a module's other files as Terraform merges them, so the values kpulint evaluates are the
//! ones `terraform plan` uses. From Terraform's "Override Files" documentation and
//! `configs/module_merge*.go`:
//!
//! - override files are set aside, then applied one by one in lexical order of their names, and
//!   within a file in order;
//! - a top-level block merges into the block of the other files with the same header (type and
//!   labels; a provider by name and alias; a local by name): each attribute of the override
//!   replaces the attribute of the same name, and nested blocks of a type the override writes
//!   (a `dynamic "x"` block counts as type `x`) replace *all* blocks of that type — their
//!   contents are not merged;
//! - a variable's `default`, `type` and `nullable` are replaced when the override sets them;
//! - an override block without a block to merge into is an error.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::terraform::{BlockNode, BodyNode, TfFile};
use crate::eval::module::ModuleDir;
use crate::model::InputError;

/// Whether Terraform treats the file as an override file.
pub fn is_override(path: &str) -> bool {
    let Some(name) = Path::new(path).file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or("");
    stem == "override" || stem.ends_with("_override")
}

/// Replaces `base`'s attributes by the override's of the same name, and its nested blocks of
/// every type the override writes by the override's (Terraform's `MergeBodies`).
pub fn merge_body(base: &mut BodyNode, over: &BodyNode) {
    for attr in &over.attrs {
        match base.attrs.iter_mut().find(|a| a.name == attr.name) {
            Some(a) => *a = attr.clone(),
            None => base.attrs.push(attr.clone()),
        }
    }
    let block_type = |b: &BlockNode| -> String {
        match (b.ident.as_str(), b.labels.first()) {
            ("dynamic", Some(label)) => label.clone(),
            (ident, _) => ident.to_string(),
        }
    };
    let overridden: BTreeSet<String> = over.blocks.iter().map(block_type).collect();
    base.blocks.retain(|b| !overridden.contains(&block_type(b)));
    base.blocks.extend(over.blocks.iter().cloned());
}

/// The literal `alias` of a provider block (`""` for the default configuration).
fn alias(body: &BodyNode) -> String {
    body.attr("alias")
        .map(|a| a.expr.span.text().trim().trim_matches('"').to_string())
        .unwrap_or_default()
}

/// An override block that has nothing to merge into, as Terraform reports it.
fn missing_base(at: &crate::source::Span, what: &str) -> InputError {
    InputError::new(
        at.clone(),
        format!("{}: {what} overrides nothing: no other file of the module defines it", at.path()),
    )
    .with_help("Terraform rejects an override block without a block of the same name in a non-override file: define it there, or rename the file if it is not meant to override")
}

/// The file of `base` and the index in its `list` of the first item `is` picks.
fn locate<T>(
    base: &mut [Arc<TfFile>],
    list: impl Fn(&TfFile) -> &[T],
    is: impl Fn(&T) -> bool,
) -> Option<(&mut Arc<TfFile>, usize)> {
    base.iter_mut()
        .find_map(|f| list(f).iter().position(&is).map(|i| (f, i)))
}

/// Merges the module's override files into its other files. The override files stay in the
/// module (their references are still read by the fix's reader checks) without the blocks they
/// merged.
pub fn apply(module: &mut ModuleDir, errors: &mut Vec<InputError>) {
    if !module.files.iter().any(|f| is_override(&f.file.path)) {
        return;
    }
    let (mut overrides, mut base): (Vec<Arc<TfFile>>, Vec<Arc<TfFile>>) = std::mem::take(&mut module.files)
        .into_iter()
        .partition(|f| is_override(&f.file.path));
    // Lexical order of the names (the files share a directory).
    overrides.sort_by(|a, b| {
        let name = |f: &Arc<TfFile>| Path::new(&f.file.path).file_name().map(|n| n.to_os_string());
        name(a).cmp(&name(b))
    });
    for over in &mut overrides {
        let over = Arc::make_mut(over);
        for r in std::mem::take(&mut over.resources) {
            match locate(&mut base, |f| &f.resources, |b| b.rtype == r.rtype && b.name == r.name) {
                Some((f, i)) => {
                    let b = &mut Arc::make_mut(f).resources[i];
                    merge_body(&mut b.body, &r.body);
                    b.directives.extend(r.directives);
                }
                // Only Flink resources (and those naming kpulint) are read: another missing
                // base may be in what was not read.
                None if r.rtype == super::terraform::FLINK_RESOURCE => {
                    errors.push(missing_base(
                        &r.header,
                        &format!("resource \"{}\" \"{}\"", r.rtype, r.name),
                    ));
                }
                None => {}
            }
        }
        for m in std::mem::take(&mut over.modules) {
            match locate(&mut base, |f| &f.modules, |b| b.name == m.name) {
                Some((f, i)) => {
                    let b = &mut Arc::make_mut(f).modules[i];
                    merge_body(&mut b.body, &m.body);
                    b.directives.extend(m.directives);
                }
                None => errors.push(missing_base(&m.header, &format!("module \"{}\"", m.name))),
            }
        }
        for v in std::mem::take(&mut over.variables) {
            match locate(&mut base, |f| &f.variables, |b| b.name == v.name) {
                Some((f, i)) => {
                    let b = &mut Arc::make_mut(f).variables[i];
                    if v.default.is_some() {
                        b.default = v.default;
                    }
                    if v.type_text.is_some() {
                        b.type_text = v.type_text;
                        b.type_expr = v.type_expr;
                    }
                    if !v.nullable {
                        b.nullable = false;
                    }
                }
                None => errors.push(missing_base(&v.span, &format!("variable \"{}\"", v.name))),
            }
        }
        // Locals by name, whichever `locals` block holds them.
        for l in std::mem::take(&mut over.locals) {
            match locate(&mut base, |f| &f.locals, |b| b.name == l.name) {
                Some((f, i)) => Arc::make_mut(f).locals[i].expr = l.expr,
                None => errors.push(missing_base(&l.expr.span, &format!("local.{}", l.name))),
            }
        }
        // Providers by name and alias.
        for p in std::mem::take(&mut over.providers) {
            let key = alias(&p.body);
            match locate(
                &mut base,
                |f| &f.providers,
                |b| b.name == p.name && alias(&b.body) == key,
            ) {
                Some((f, i)) => merge_body(&mut Arc::make_mut(f).providers[i].body, &p.body),
                None => {
                    let at = p
                        .body
                        .attrs
                        .first()
                        .map_or_else(|| over.file.whole(), |a| a.name_span.clone());
                    errors.push(missing_base(&at, &format!("provider \"{}\"", p.name)));
                }
            }
        }
    }
    base.extend(overrides);
    base.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    module.files = base;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn module(files: &[(&str, &str)]) -> ModuleDir {
        let mut m = ModuleDir::default();
        for (path, text) in files {
            let f = SourceFile::new(*path, *text);
            m.files.push(Arc::new(super::super::hcl::parse_tf(&f).unwrap()));
        }
        m
    }

    #[test]
    fn override_file_names() {
        for yes in [
            "override.tf",
            "override.tf.json",
            "a_override.tf",
            "dir/b_override.tf.json",
        ] {
            assert!(is_override(yes), "{yes}");
        }
        for no in [
            "main.tf",
            "overrides.tf",
            "override.tfvars",
            "aoverride.tf",
            "override.json",
        ] {
            assert!(!is_override(no), "{no}");
        }
    }

    #[test]
    fn attributes_replace_and_nested_blocks_replace_by_type() {
        let mut m = module(&[
            (
                "main.tf",
                "provider \"aws\" {\n  region = \"us-east-1\"\n}\nprovider \"aws\" {\n  alias  = \"eu\"\n  region = \"eu-west-1\"\n}\nresource \"aws_kinesisanalyticsv2_application\" \"a\" {\n  name = \"a\"\n  x { y = 1 }\n  x { y = 2 }\n  dynamic \"z\" {\n    for_each = []\n    content {}\n  }\n  w { v = 1 }\n}\nlocals {\n  p = 1\n}\nvariable \"v\" {\n  type    = number\n  default = 1\n}\n",
            ),
            (
                "z_override.tf",
                "provider \"aws\" {\n  region = \"eu-west-2\"\n}\nresource \"aws_kinesisanalyticsv2_application\" \"a\" {\n  x { y = 3 }\n  z { q = 1 }\n}\nlocals {\n  p = 2\n}\nvariable \"v\" {\n  default = 5\n}\n",
            ),
            ("a_override.tf", "provider \"aws\" {\n  region = \"ap-south-1\"\n}\n"),
        ]);
        let mut errors = Vec::new();
        apply(&mut m, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let main = m.files.iter().find(|f| f.file.path == "main.tf").unwrap();
        // a_override.tf, then z_override.tf: the last one wins; the aliased provider is another.
        assert_eq!(
            main.providers[0].body.attr("region").unwrap().expr.span.text(),
            "\"eu-west-2\""
        );
        assert_eq!(
            main.providers[1].body.attr("region").unwrap().expr.span.text(),
            "\"eu-west-1\""
        );
        let r = &main.resources[0];
        assert_eq!(r.body.attr("name").unwrap().expr.span.text(), "\"a\"");
        let types: Vec<(&str, Vec<String>)> = r
            .body
            .blocks
            .iter()
            .map(|b| (b.ident.as_str(), b.labels.clone()))
            .collect();
        // Both `x` blocks and the dynamic `z` are replaced; `w` stays.
        assert_eq!(types, [("w", vec![]), ("x", vec![]), ("z", vec![])]);
        assert_eq!(main.locals[0].expr.span.text(), "2");
        assert_eq!(main.variables[0].default.as_ref().unwrap().span.text(), "5");
        assert_eq!(main.variables[0].type_text.as_deref(), Some("number"));
        // The override files stay, emptied of what they merged.
        assert!(m
            .files
            .iter()
            .filter(|f| is_override(&f.file.path))
            .all(|f| f.resources.is_empty() && f.providers.is_empty()));
    }

    #[test]
    fn an_override_without_a_base_is_an_error() {
        let mut m = module(&[
            ("main.tf", "locals {\n  a = 1\n}\n"),
            (
                "override.tf",
                "resource \"aws_kinesisanalyticsv2_application\" \"b\" {\n  name = \"b\"\n}\nlocals {\n  c = 1\n}\n",
            ),
        ]);
        let mut errors = Vec::new();
        apply(&mut m, &mut errors);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "override.tf: resource \"aws_kinesisanalyticsv2_application\" \"b\" overrides nothing: no other file of the module defines it",
                "override.tf: local.c overrides nothing: no other file of the module defines it"
            ]
        );
    }
}
