//! What else reads the value a parallelism setting is defined by. `--fix` edits a value where it
//! is defined (a variable's default or tfvars entry, a `locals` literal, a module argument, a
//! `for_each` map entry); if another resource, an output, a local or another attribute reads
//! it too, the edit would change that as well, so it is refused with the readers named.
//!
//! The chain from the setting to the definition is followed as the evaluator follows it (plain
//! renames through locals, module arguments, `each.value` of a literal `for_each` map); each
//! link's own reference is part of the chain, not a reader. References that only carry the value
//! to Flink applications' parallelism settings (plainly, through renames or module arguments)
//! are not readers either: those applications propose the same place, and `--fix` edits it only
//! when they all need the same value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::calls::Instance;
use super::graph::{module_source, ModuleSource};
use super::ModuleDir;
use crate::inputs::references::Reference;
use crate::inputs::terraform::Attr;
use crate::model::expr::{Expr, ExprKind};
use crate::model::Reader;

/// Renames and module calls followed before giving up (a chain longer than this is unusual,
/// and what is not followed counts as a reader).
const MAX_LINKS: usize = 16;

/// The block an `each.value` reference is evaluated in: its address in the module
/// (`module.orders`, `aws_x.y`) and its `for_each`.
pub(super) struct EachBlock<'a> {
    pub address: String,
    pub for_each: Option<&'a Attr>,
}

fn references<'m>(module: &'m ModuleDir, name: &str) -> impl Iterator<Item = &'m Reference> + 'm {
    let name = name.to_string();
    module.files.iter().flat_map(move |f| f.references_to(&name).iter())
}

fn reader(r: &Reference) -> Reader {
    Reader {
        what: r.reader.clone(),
        at: r.at.clone(),
    }
}

/// `module.NAME.ARG` → (`NAME`, `ARG`).
fn module_argument(reader: &str) -> Option<(&str, &str)> {
    let rest = reader.strip_prefix("module.")?;
    let (call, arg) = rest.split_once('.')?;
    (!arg.contains('.')).then_some((call, arg))
}

impl Instance<'_> {
    /// What reads the value `expr` is defined by, besides the chain that carries it: `link` is
    /// where `expr` itself is written (its reader name), `each` the block `each.value` belongs to.
    pub(super) fn readers(&self, expr: &Expr, link: &str, each: Option<&EachBlock>, depth: usize) -> Vec<Reader> {
        let mut out: BTreeSet<Reader> = BTreeSet::new();
        if depth > MAX_LINKS {
            return Vec::new();
        }
        let plain = |e: &Expr| matches!(&e.kind, ExprKind::Traversal { path, .. } if path.len() == 1);
        match expr.as_reference() {
            Some(("var", Some(name))) if plain(expr) => {
                out.extend(self.others(
                    &self.dir,
                    self.module,
                    &format!("var.{name}"),
                    |r| r.reader == link,
                    depth,
                ));
                out.extend(self.var_readers.get(name).into_iter().flatten().cloned());
            }
            Some(("local", Some(name))) if plain(expr) => {
                let local_name = format!("local.{name}");
                out.extend(self.others(&self.dir, self.module, &local_name, |r| r.reader == link, depth));
                if let Some(local) = self.module_locals().find(|l| l.name == name) {
                    out.extend(self.readers(&local.expr, &local_name, None, depth + 1));
                }
            }
            _ => {
                if let (Some(path), Some(each)) = (super::origin::each_value_path(expr), each) {
                    let block = format!("{}.", each.address);
                    let in_block = |r: &Reference| r.reader.starts_with(&block) && r.reader != link;
                    let entry = path.first().map(|key| format!("each.value.{key}"));
                    for name in std::iter::once("each.value".to_string()).chain(entry) {
                        out.extend(
                            references(self.module, &name)
                                .filter(|r| in_block(r) && !(r.parallelism_setting && r.plain))
                                .map(reader),
                        );
                    }
                    if let Some(for_each) = each.for_each {
                        out.extend(self.readers(
                            &for_each.expr,
                            &format!("{}.for_each", each.address),
                            None,
                            depth + 1,
                        ));
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    fn module_locals(&self) -> impl Iterator<Item = &crate::inputs::terraform::Local> {
        self.module.files.iter().flat_map(|f| f.locals.iter())
    }

    /// The references to `name` in `module` that read its value for something other than the
    /// chain (`is_link`) or Flink applications' parallelism settings.
    fn others(
        &self,
        dir: &Path,
        module: &ModuleDir,
        name: &str,
        is_link: impl Fn(&Reference) -> bool,
        depth: usize,
    ) -> Vec<Reader> {
        references(module, name)
            .filter(|r| !is_link(r) && !self.only_feeds_settings(dir, module, r, depth + 1))
            .map(reader)
            .collect()
    }

    /// Whether reference `r` (in `module`) only carries the value on to Flink applications'
    /// parallelism settings: it is one, plainly, or a plain rename or module argument whose
    /// every reader does so in turn.
    fn only_feeds_settings(&self, dir: &Path, module: &ModuleDir, r: &Reference, depth: usize) -> bool {
        if !r.plain || depth > MAX_LINKS {
            return false;
        }
        if r.parallelism_setting {
            return true;
        }
        if let Some(local) = r.reader.strip_prefix("local.") {
            // A reference inside a local's object (`local.envs.prod.p`, in JSON) is no rename.
            if local.contains('.') {
                return false;
            }
            let name = format!("local.{local}");
            return references(module, &name).all(|next| self.only_feeds_settings(dir, module, next, depth + 1));
        }
        let Some((call_name, arg)) = module_argument(&r.reader) else {
            return false;
        };
        let Some((child_dir, child)) = self.called_module(dir, module, call_name) else {
            return false;
        };
        references(child, &format!("var.{arg}"))
            .all(|next| self.only_feeds_settings(&child_dir, child, next, depth + 1))
    }

    /// The directory and module a local `module` block of `module` (in `dir`) calls, when it
    /// was loaded.
    fn called_module(&self, dir: &Path, module: &ModuleDir, call_name: &str) -> Option<(PathBuf, &ModuleDir)> {
        let call = module
            .files
            .iter()
            .flat_map(|f| f.modules.iter())
            .find(|m| m.name == call_name)?;
        match module_source(call, dir) {
            ModuleSource::Local(p) => {
                let child = self.set.dirs.get(&p)?;
                Some((p, child))
            }
            _ => None,
        }
    }
}
