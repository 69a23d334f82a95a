//! Where a value reached through `each.value` was written: the entry of a literal `for_each`
//! map (`locals { envs = { prod = { parallelism = 14 } } }`), found inside the text the
//! collection's own [`Origin`] points at, so `--fix` can edit the `14` itself.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::model::expr::{Accessor, Expr, ExprKind, ObjectKey};
use crate::model::Origin;
use crate::source::{SourceFile, Span};

/// `each.value.a.b` → `["a", "b"]`; `None` for anything else.
pub(super) fn each_value_path(expr: &Expr) -> Option<Vec<&str>> {
    let ExprKind::Traversal { root, path, .. } = &expr.kind else {
        return None;
    };
    let mut names = path.iter().map(|a| match a {
        Accessor::Attr(n) => Some(n.as_str()),
        Accessor::Index(Expr {
            kind: ExprKind::String(s),
            ..
        }) => Some(s.as_str()),
        _ => None,
    });
    if root != "each" || names.next()? != Some("value") {
        return None;
    }
    names.collect()
}

/// The `for_each` collections whose entries were looked up, each parsed once: every instance
/// of a `for_each` over a literal map looks up its own entry, and parsing the whole map again
/// for each would make a map of n entries cost n² or worse.
#[derive(Default)]
pub(super) struct Collections {
    /// By file (compared by identity; the file is held so its address is not reused), start
    /// and end of the collection's text; `None` when that text is not an expression.
    parsed: RefCell<HashMap<(usize, usize, usize), Parsed>>,
}

/// A collection's text parsed (`None`: not an expression), and the file it is in.
struct Parsed {
    _file: Arc<SourceFile>,
    collection: Option<Rc<Collection>>,
}

/// A collection's text parsed, and the index of the first entry of each key of its top level.
struct Collection {
    expr: Expr,
    first: HashMap<String, usize>,
}

impl Collections {
    fn parsed(&self, span: &Span) -> Option<Rc<Collection>> {
        let key = (Arc::as_ptr(&span.file) as usize, span.start, span.end);
        if let Some(parsed) = self.parsed.borrow().get(&key) {
            return parsed.collection.clone();
        }
        let collection = parse_collection(span).map(Rc::new);
        let parsed = Parsed {
            _file: Arc::clone(&span.file),
            collection: collection.clone(),
        };
        self.parsed.borrow_mut().insert(key, parsed);
        collection
    }
}

fn parse_collection(span: &Span) -> Option<Collection> {
    let text = span.text();
    if text.is_empty() {
        return None;
    }
    let file = SourceFile::new(span.path(), text.to_string());
    let expr = crate::inputs::hcl::parse_expr(&file).ok()?;
    let mut first = HashMap::new();
    if let ExprKind::Object(entries) = &expr.kind {
        for (i, (k, _)) in entries.iter().enumerate() {
            if let Some(name) = key_name(k) {
                first.entry(name.to_string()).or_insert(i);
            }
        }
    }
    Some(Collection { expr, first })
}

/// The name an object key is looked up by: written as a name or a plain string.
fn key_name(k: &ObjectKey) -> Option<&str> {
    match k {
        ObjectKey::Ident(n) => Some(n),
        ObjectKey::Expr(Expr {
            kind: ExprKind::String(s),
            ..
        }) => Some(s),
        ObjectKey::Expr(_) => None,
    }
}

/// The entry `key`, then `path`, of the object literal written at `collection`, labelled `label`.
pub(super) fn entry_origin(
    collections: &Collections,
    collection: &Origin,
    key: &str,
    path: &[&str],
    label: String,
) -> Option<Origin> {
    let span = &collection.span;
    let parsed = collections.parsed(span)?;
    let ExprKind::Object(entries) = &parsed.expr.kind else {
        return None;
    };
    let mut at = &entries.get(*parsed.first.get(key)?)?.1;
    for name in path {
        let ExprKind::Object(entries) = &at.kind else {
            return None;
        };
        at = entries
            .iter()
            .find(|(k, _)| key_name(k) == Some(name))
            .map(|(_, v)| v)?;
    }
    let found = span.file.span(span.start + at.span.start..span.start + at.span.end);
    Some(Origin {
        span: found,
        label,
        kind: collection.kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OriginKind;

    #[test]
    fn finds_the_entry_of_the_instance() {
        let text = "x = {\n  dev  = { parallelism = 1 }\n  \"prod\" = { parallelism = 14 }\n}\n";
        let file = SourceFile::new("m.tf", text);
        let start = text.find('{').unwrap();
        let collection = Origin {
            span: file.span(start..text.rfind('}').unwrap() + 1),
            label: "local.envs".into(),
            kind: OriginKind::Local,
        };
        let collections = Collections::default();
        let find = |key: &str, path: &[&str]| entry_origin(&collections, &collection, key, path, String::new());
        let o = find("prod", &["parallelism"]).unwrap();
        assert_eq!(o.span.text(), "14");
        assert_eq!(o.span.start, text.find("14").unwrap());
        assert_eq!(o.kind, OriginKind::Local);
        assert!(find("prod", &["missing"]).is_none());
        assert!(find("qa", &["parallelism"]).is_none());
    }
}
