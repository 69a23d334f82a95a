//! Evaluation: Terraform expressions and modules, with unknown values kept explicit.

pub mod expr;
pub mod functions;
pub mod module;
pub mod value;
