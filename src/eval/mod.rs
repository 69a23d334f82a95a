//! Evaluation: Terraform expressions and modules, with unknown values kept explicit.

pub mod budget;
pub mod expr;
pub mod functions;
pub mod module;
pub mod value;
