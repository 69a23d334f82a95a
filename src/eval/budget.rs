//! How much evaluation may do: steps, values read and nesting, shared by every expression of
//! one module tree so that no configuration can make kpulint hang, exhaust memory or overflow
//! the stack. Each limit, when hit, is a located fatal error that `try()` and `can()` do not
//! catch.

use std::cell::Cell;

use super::expr::EvalError;
use crate::source::Span;

/// Steps one top-level [`Context::eval`](super::expr::Context::eval) may take, including the locals it evaluates.
pub const MAX_EVAL_STEPS: u64 = 1_000_000;
/// Steps all evaluations sharing one [`Budget`] may take together (one root module and all the
/// modules it calls).
pub const MAX_TOTAL_STEPS: u64 = 20_000_000;
/// Values (list elements, object attributes, scalars) all evaluations sharing one [`Budget`]
/// may read out of variables, locals and iterators, counted at their full size although they
/// are shared, not copied: a few lines can double an object through 17 locals (8 million values
/// read by 60 resources), and whatever walks such a value must stop early.
pub const MAX_READ_VALUES: u64 = 1_000_000;
/// How deeply expression evaluation may nest (expressions inside expressions, locals inside
/// locals), far below what would overflow the stack.
pub const MAX_EVAL_DEPTH: u32 = 1_000;
/// How deeply a value may nest (lists in lists, ...).
pub const MAX_VALUE_DEPTH: usize = 256;

/// The work evaluation may still do. Shared (through [`Rc`](std::rc::Rc)) by every [`Context`](super::expr::Context) of one module
/// tree, so locals evaluated on behalf of an expression count against that expression.
#[derive(Debug)]
pub struct Budget {
    steps: Cell<u64>,
    /// `steps` when the outermost `eval` in progress started.
    start: Cell<u64>,
    /// `eval` calls in progress (locals evaluate inside the expression that refers to them).
    active: Cell<u32>,
    /// Nesting of `eval_in` calls in progress.
    pub(super) depth: Cell<u32>,
    per_eval: u64,
    total: u64,
    /// Values read so far, against [`MAX_READ_VALUES`].
    read: Cell<u64>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(MAX_EVAL_STEPS, MAX_TOTAL_STEPS)
    }
}

impl Budget {
    pub fn new(per_eval: u64, total: u64) -> Self {
        Budget {
            steps: Cell::new(0),
            start: Cell::new(0),
            active: Cell::new(0),
            depth: Cell::new(0),
            per_eval,
            total,
            read: Cell::new(0),
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Whether the total is spent: every further evaluation fails.
    pub fn exhausted(&self) -> bool {
        self.steps.get() > self.total
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub(super) fn charge(&self, n: u64, span: &Span) -> Result<(), EvalError> {
        let steps = self.steps.get().saturating_add(n);
        self.steps.set(steps);
        if steps > self.total {
            return Err(EvalError::fatal(
                format!(
                    "the configuration is too expensive to evaluate ({} in one module tree)",
                    self.spent()
                ),
                span,
            ));
        }
        if steps.saturating_sub(self.start.get()) > self.per_eval {
            return Err(EvalError::fatal(
                format!(
                    "expression is too expensive to evaluate (more than {} steps)",
                    self.per_eval
                ),
                span,
            ));
        }
        Ok(())
    }

    /// What was spent once the budget is exhausted: steps or values read.
    pub fn spent(&self) -> String {
        if self.read.get() > MAX_READ_VALUES {
            format!("it reads more than {MAX_READ_VALUES} values out of variables and locals")
        } else {
            format!("more than {} steps", self.total)
        }
    }

    /// Counts `n` values read; past [`MAX_READ_VALUES`] the budget is spent, so nothing more
    /// of the module tree is evaluated.
    pub(super) fn charge_read(&self, n: u64, span: &Span) -> Result<(), EvalError> {
        let read = self.read.get().saturating_add(n);
        self.read.set(read);
        if read > MAX_READ_VALUES {
            self.steps.set(self.total.saturating_add(1));
            return Err(EvalError::fatal(
                format!(
                    "the configuration is too expensive to evaluate ({} in one module tree)",
                    self.spent()
                ),
                span,
            ));
        }
        Ok(())
    }

    pub(super) fn enter(&self) -> EvalGuard<'_> {
        if self.active.get() == 0 {
            self.start.set(self.steps.get());
        }
        self.active.set(self.active.get() + 1);
        EvalGuard(self)
    }
}

/// One `eval` in progress.
pub(super) struct EvalGuard<'b>(&'b Budget);

impl Drop for EvalGuard<'_> {
    fn drop(&mut self) {
        self.0.active.set(self.0.active.get().saturating_sub(1));
    }
}
