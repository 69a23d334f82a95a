//! Where a value reached through `each.value` was written: the entry of a literal `for_each`
//! map (`locals { envs = { prod = { parallelism = 14 } } }`), found inside the text the
//! collection's own [`Origin`] points at, so `--fix` can edit the `14` itself.

use crate::model::expr::{Accessor, Expr, ExprKind, ObjectKey};
use crate::model::Origin;
use crate::source::SourceFile;

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

/// The entry `key`, then `path`, of the object literal written at `collection`, labelled `label`.
pub(super) fn entry_origin(collection: &Origin, key: &str, path: &[&str], label: String) -> Option<Origin> {
    let span = &collection.span;
    let text = span.text();
    if text.is_empty() {
        return None;
    }
    let file = SourceFile::new(span.path(), text.to_string());
    let expr = crate::inputs::hcl::parse_expr(&file).ok()?;
    let mut at = &expr;
    for name in std::iter::once(key).chain(path.iter().copied()) {
        let ExprKind::Object(entries) = &at.kind else {
            return None;
        };
        at = entries
            .iter()
            .find(|(k, _)| match k {
                ObjectKey::Ident(n) => n == name,
                ObjectKey::Expr(Expr {
                    kind: ExprKind::String(s),
                    ..
                }) => s == name,
                ObjectKey::Expr(_) => false,
            })
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
        let find = |key: &str, path: &[&str]| entry_origin(&collection, key, path, String::new());
        let o = find("prod", &["parallelism"]).unwrap();
        assert_eq!(o.span.text(), "14");
        assert_eq!(o.span.start, text.find("14").unwrap());
        assert_eq!(o.kind, OriginKind::Local);
        assert!(find("prod", &["missing"]).is_none());
        assert!(find("qa", &["parallelism"]).is_none());
    }
}
