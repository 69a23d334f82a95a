//! CloudFormation conditions: `Conditions` entries, `Fn::Equals`, `Fn::Not`, `Fn::And`,
//! `Fn::Or` and `Condition` references, three-valued (a condition on a deployment-time value
//! is unknown, not false).

use super::*;

impl Template<'_> {
    /// The value of the condition `name` declared in `Conditions`; `at` is where it is named.
    pub fn condition_named(&self, name: &str, at: &Node, depth: usize) -> R<Tri> {
        if let Some(t) = self.condition_memo.borrow().get(name) {
            return Ok(t.clone());
        }
        let Some(node) = self.conditions.get(name) else {
            return self.err(at, format!("condition \"{name}\" is not declared in Conditions"));
        };
        if !self.conditions_active.borrow_mut().insert(name.to_string()) {
            return self.err(at, format!("condition {name} refers to itself"));
        }
        let result = self.cond_expr(node, depth + 1);
        self.conditions_active.borrow_mut().remove(name);
        let result = result?;
        let result = match result {
            Tri::Unknown(u) => Tri::Unknown(Unresolved {
                what: format!("condition {name} cannot be evaluated: {}", u.what),
                hint: u.hint,
            }),
            known => known,
        };
        self.condition_memo
            .borrow_mut()
            .insert(name.to_string(), result.clone());
        Ok(result)
    }

    pub(super) fn cond_expr(&self, node: &Node, depth: usize) -> R<Tri> {
        self.check_depth(node, depth)?;
        let Some((name, arg)) = node.intrinsic() else {
            return self.cond_value(node, depth);
        };
        match name {
            "Condition" => match arg.str() {
                Some(c) => self.condition_named(c, arg, depth + 1),
                None => self.err(arg, "Condition takes the name of a condition"),
            },
            "Fn::Equals" => {
                let [a, b] = self.args::<2>(node, arg, name)?;
                let a = self.eval(a, depth + 1)?;
                let b = self.eval(b, depth + 1)?;
                match (&a.v, &b.v) {
                    (V::Unknown(u), _) | (_, V::Unknown(u)) => Ok(Tri::Unknown(u.clone())),
                    (x, y) => Ok(Tri::Known(canonical(x) == canonical(y))),
                }
            }
            "Fn::Not" => {
                let [c] = self.args::<1>(node, arg, name)?;
                Ok(match self.cond_expr(c, depth + 1)? {
                    Tri::Known(b) => Tri::Known(!b),
                    u => u,
                })
            }
            "Fn::And" | "Fn::Or" => {
                let Kind::Seq(items) = &arg.kind else {
                    return self.err(node, format!("{name} takes a list of conditions"));
                };
                let decisive = name == "Fn::Or";
                let mut unknown = None;
                for item in items {
                    match self.cond_expr(item, depth + 1)? {
                        Tri::Known(b) if b == decisive => return Ok(Tri::Known(decisive)),
                        Tri::Known(_) => {}
                        Tri::Unknown(u) => {
                            unknown.get_or_insert(u);
                        }
                    }
                }
                Ok(match unknown {
                    Some(u) => Tri::Unknown(u),
                    None => Tri::Known(!decisive),
                })
            }
            _ => self.cond_value(node, depth),
        }
    }

    pub(super) fn cond_value(&self, node: &Node, depth: usize) -> R<Tri> {
        let v = self.eval(node, depth + 1)?;
        match &v.v {
            V::Bool(b) => Ok(Tri::Known(*b)),
            V::Str(s) if s.eq_ignore_ascii_case("true") => Ok(Tri::Known(true)),
            V::Str(s) if s.eq_ignore_ascii_case("false") => Ok(Tri::Known(false)),
            V::Unknown(u) => Ok(Tri::Unknown(u.clone())),
            _ => self.err(
                node,
                "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition",
            ),
        }
    }
}

/// How CloudFormation compares values in `Fn::Equals`: as strings.
fn canonical(v: &V) -> Option<String> {
    match v {
        V::List(items) => Some(
            items
                .iter()
                .map(|i| canonical(&i.v).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\u{0}"),
        ),
        V::Null => Some(String::new()),
        other => scalar_text(other),
    }
}
