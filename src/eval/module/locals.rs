//! `locals`: evaluated lazily and once each, with cycle detection and a nesting limit.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::super::budget::Budget;
use super::super::expr::{Context, EvalError, EvalResult, LocalsSource};
use super::super::value::Value;
use super::limits::MAX_LOCALS_NESTING;
use super::ModuleDir;
use crate::model::expr::Expr;
use crate::source::Span;

/// Lazily evaluated, memoised `locals`, with cycle detection and a nesting limit.
pub(super) struct LocalTable<'a> {
    defs: HashMap<&'a str, &'a Expr>,
    vars: &'a BTreeMap<String, Value>,
    budget: Rc<Budget>,
    memo: RefCell<HashMap<String, Result<Rc<Value>, EvalError>>>,
    in_progress: RefCell<HashSet<String>>,
}

impl<'a> LocalTable<'a> {
    pub(super) fn new(module: &'a ModuleDir, vars: &'a BTreeMap<String, Value>, budget: Rc<Budget>) -> Self {
        LocalTable {
            defs: module.locals().map(|l| (l.name.as_str(), &l.expr)).collect(),
            vars,
            budget,
            memo: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
        }
    }

    /// The value of `local.NAME`, evaluated once; shared, not copied.
    fn get(&self, name: &str, span: &Span) -> Result<Rc<Value>, EvalError> {
        if let Some(v) = self.memo.borrow().get(name) {
            return v.clone();
        }
        let Some(expr) = self.defs.get(name) else {
            return Err(EvalError::new(
                format!("reference to undeclared local value \"{name}\""),
                span,
            ));
        };
        if self.in_progress.borrow().contains(name) {
            return Err(EvalError::new(format!("local.{name} refers to itself"), span));
        }
        // Each local in evaluation holds a few stack frames: a long chain of locals must end
        // in an error, not a stack overflow.
        if self.in_progress.borrow().len() >= MAX_LOCALS_NESTING {
            return Err(EvalError::fatal(
                format!("locals nest deeper than {MAX_LOCALS_NESTING} levels"),
                span,
            ));
        }
        self.in_progress.borrow_mut().insert(name.to_string());
        let cx = Context::with_budget(self.vars, self, Rc::clone(&self.budget));
        let result = cx.eval(expr).map(Rc::new);
        self.in_progress.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name.to_string(), result.clone());
        result
    }
}

impl LocalsSource for LocalTable<'_> {
    fn local(&self, name: &str, span: &Span) -> EvalResult {
        self.get(name, span).map(|v| (*v).clone())
    }

    fn local_with(&self, name: &str, span: &Span, f: &mut dyn FnMut(&Value) -> EvalResult) -> EvalResult {
        let v = self.get(name, span)?;
        f(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, set};
    use super::*;
    use crate::model::{Inventory, Setting};

    fn locals_chain(n: usize) -> String {
        let mut text = String::from("locals {\n");
        for i in 0..n {
            text.push_str(&format!("  a{i} = local.a{} + 1\n", i + 1));
        }
        text.push_str(&format!("  a{n} = 0\n}}\n"));
        text
    }

    fn parallelism_app(expr: &str) -> String {
        format!(
            "resource \"aws_kinesisanalyticsv2_application\" \"app\" {{\n  application_configuration {{\n    flink_application_configuration {{\n      parallelism_configuration {{\n        parallelism = {expr}\n      }}\n    }}\n  }}\n}}\n"
        )
    }

    fn parallelism(inv: &Inventory) -> &Setting<f64> {
        &inv.applications[0].parallelism.parallelism
    }

    #[test]
    fn locals_nest_up_to_the_limit_and_no_further() {
        let deepest = MAX_LOCALS_NESTING - 1;
        let s = set(&[(".", &(locals_chain(deepest) + &parallelism_app("local.a0")))]);
        let inv = run(&s, &["."]);
        assert!(
            matches!(parallelism(&inv), Setting::Known { value, .. } if *value == deepest as f64),
            "{:?}",
            parallelism(&inv)
        );

        let s = set(&[(".", &(locals_chain(5000) + &parallelism_app("try(local.a0, 7)")))]);
        let inv = run(&s, &["."]);
        match parallelism(&inv) {
            Setting::Invalid { message, span } => {
                assert_eq!(message, "locals nest deeper than 128 levels");
                assert_eq!(span.text(), "local.a128", "reported at the reference");
            }
            other => panic!("{other:?}"),
        }
    }
}
