//! What evaluating one root module tree may cost: module nesting depth, resource and module
//! instances, locals nesting and the shared evaluation step budget.

use std::cell::Cell;
use std::rc::Rc;

use super::super::budget::Budget;
use crate::model::{InputError, Inventory};
use crate::source::Span;

pub(super) const MAX_MODULE_DEPTH: usize = 16;
/// Resource and module instances evaluated for one root module, all calls included: `count`
/// and `for_each` multiply through module calls, and must not exhaust memory (about 7 KB an
/// application: 200,000 of them take 1.4 GB). A 100,000-entry `for_each` map is evaluated whole.
pub const MAX_INSTANCES: usize = 200_000;
/// How many locals may be in evaluation at once (a local referring to a local referring to ...).
pub const MAX_LOCALS_NESTING: usize = 128;

/// What one root module tree may still cost.
pub(super) struct Limits {
    pub(super) budget: Rc<Budget>,
    pub(super) instances: Cell<usize>,
    /// A limit was hit and reported: nothing more is evaluated.
    pub(super) stopped: Cell<bool>,
}

impl Limits {
    pub(super) fn new() -> Self {
        Limits {
            budget: Rc::new(Budget::default()),
            instances: Cell::new(0),
            stopped: Cell::new(false),
        }
    }

    /// Counts `n` more instances; false (and the error reported once) past a limit.
    pub(super) fn admit(&self, n: usize, span: &Span, inv: &mut Inventory) -> bool {
        if self.stopped.get() {
            return false;
        }
        let total = self.instances.get().saturating_add(n);
        self.instances.set(total);
        let message = if total > MAX_INSTANCES {
            format!("more than {MAX_INSTANCES} resource and module instances in one root module; the rest are not evaluated")
        } else if self.budget.exhausted() {
            format!(
                "the configuration is too expensive to evaluate ({} in one root module); the rest is not evaluated",
                self.budget.spent()
            )
        } else {
            return true;
        };
        self.stopped.set(true);
        inv.errors.push(InputError::new(span.clone(), message));
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{messages, run, set, APP};
    use super::*;

    #[test]
    fn an_exhausted_budget_stops_evaluation_with_one_error() {
        let text = APP.replace("{\n", "{\n  count = 10000\n").replace(
            "}\n",
            "  tags = { n = length([for a in range(1000) : [for b in range(300) : b]]) }\n}\n",
        );
        let s = set(&[(".", &text)]);
        let inv = run(&s, &["."]);
        let stops: Vec<&str> = messages(&inv)
            .into_iter()
            .filter(|m| m.contains("the rest is not evaluated"))
            .collect();
        assert_eq!(stops.len(), 1, "{:?}", messages(&inv));
        assert!(inv.applications.len() < 100, "{}", inv.applications.len());
    }

    #[test]
    fn instances_multiplying_through_module_calls_are_capped() {
        let s = set(&[
            (".", "module \"m\" {\n  source = \"./m\"\n  count = 10000\n}\n"),
            ("m", "module \"n\" {\n  source = \"../n\"\n  count = 10000\n}\n"),
            ("n", &APP.replace("{\n", "{\n  count = 10000\n")),
        ]);
        let inv = run(&s, &["."]);
        assert_eq!(
            messages(&inv),
            ["more than 200000 resource and module instances in one root module; the rest are not evaluated"]
        );
        assert!(inv.applications.len() <= MAX_INSTANCES);
    }
}
