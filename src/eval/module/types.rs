//! Type constraints of variables, as far as values change: `optional(type, default)` attributes
//! of object types are filled in as Terraform fills them, at every depth (through `list`, `set`,
//! `map`, `tuple` and nested `object` types).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::value::Value;
use super::variables::constant_eval;
use crate::model::expr::{Expr, ExprKind, ObjectKey};

/// Applies the `optional()` defaults of type constraint `ty` to `value`: an attribute that is
/// absent or null takes its default (itself filled in the same way), or null when the
/// `optional()` has none. Null and unknown values are left as they are.
pub(super) fn fill_optional_defaults(ty: &Expr, value: Value) -> Result<Value, String> {
    if matches!(value, Value::Null | Value::Unknown(_)) {
        return Ok(value);
    }
    let ExprKind::Call { name, args, .. } = &ty.kind else {
        return Ok(value);
    };
    match (name.as_str(), args.as_slice(), value) {
        ("object", [attrs], Value::Object(map)) => {
            let ExprKind::Object(attrs) = &attrs.kind else {
                return Ok(Value::Object(map));
            };
            let mut map = Arc::unwrap_or_clone(map);
            for (key, attr_ty) in attrs {
                let ObjectKey::Ident(key) = key else { continue };
                let (inner, default) = match &attr_ty.kind {
                    ExprKind::Call { name, args, .. } if name == "optional" && !args.is_empty() => {
                        (&args[0], Some(args.get(1)))
                    }
                    _ => (attr_ty, None),
                };
                let current = map.remove(key).unwrap_or(Value::Null);
                let filled = match (current, default) {
                    (Value::Null, Some(Some(d))) => {
                        let d = constant_eval(d).map_err(|e| format!("invalid default for {key}: {}", e.message))?;
                        fill_optional_defaults(inner, d)?
                    }
                    (Value::Null, _) => Value::Null,
                    (v, _) => fill_optional_defaults(inner, v)?,
                };
                map.insert(key.clone(), filled);
            }
            Ok(Value::object(map))
        }
        ("list" | "set", [elem], Value::List(items)) => Arc::unwrap_or_clone(items)
            .into_iter()
            .map(|v| fill_optional_defaults(elem, v))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::list),
        ("map", [elem], Value::Object(map)) => Arc::unwrap_or_clone(map)
            .into_iter()
            .map(|(k, v)| Ok((k, fill_optional_defaults(elem, v)?)))
            .collect::<Result<BTreeMap<_, _>, String>>()
            .map(Value::object),
        ("tuple", [elems], Value::List(items)) => match &elems.kind {
            ExprKind::Tuple(types) if types.len() == items.len() => Arc::unwrap_or_clone(items)
                .into_iter()
                .zip(types)
                .map(|(v, t)| fill_optional_defaults(t, v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::list),
            _ => Ok(Value::List(items)),
        },
        (_, _, value) => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn fill(ty: &str, value: &str) -> Result<String, String> {
        let ty = crate::inputs::hcl::parse_expr(&SourceFile::new("t.tf", ty)).unwrap();
        let value = crate::inputs::hcl::parse_expr(&SourceFile::new("v.tf", value)).unwrap();
        let value = constant_eval(&value).unwrap();
        fill_optional_defaults(&ty, value).map(|v| v.to_string())
    }

    #[test]
    fn optional_attributes_take_their_defaults_at_every_depth() {
        let ty = "object({ parallelism = optional(number, 4), name = string, note = optional(string), scaling = optional(object({ enabled = optional(bool, true), max = optional(number, 8) }), {}) })";
        assert_eq!(
            fill(ty, "{ name = \"a\" }").unwrap(),
            fill(
                "any",
                "{ name = \"a\", note = null, parallelism = 4, scaling = { enabled = true, max = 8 } }"
            )
            .unwrap()
        );
        assert_eq!(
            fill(ty, "{ name = \"a\", parallelism = null, scaling = { max = 2 } }").unwrap(),
            fill(
                "any",
                "{ name = \"a\", note = null, parallelism = 4, scaling = { enabled = true, max = 2 } }"
            )
            .unwrap()
        );
        assert_eq!(
            fill("map(object({ p = optional(number, 1) }))", "{ a = {}, b = { p = 3 } }").unwrap(),
            fill("any", "{ a = { p = 1 }, b = { p = 3 } }").unwrap()
        );
        assert_eq!(
            fill("list(object({ p = optional(number, 1) }))", "[{}, { p = 2 }]").unwrap(),
            fill("any", "[{ p = 1 }, { p = 2 }]").unwrap()
        );
        assert_eq!(fill(ty, "null").unwrap(), "null");
    }
}
