//! One home for an application's needs — its state size and its compute need: the grammar
//! they are declared in ([`grammar`]), what was declared in comments, tags, CloudFormation
//! metadata and `.kpulint.hcl` ([`declared`]).
//!
//! This floor depends only on the model (`model`, `source`, `units`): `inputs` attaches
//! directives with its grammar, `config` reads `application` blocks with it, and `analysis`
//! sizes from what it produces. Nothing here reaches into `inputs`, `eval`, `config`,
//! `analysis` or `rules`.

pub mod declared;
pub mod grammar;

pub use declared::{DeclSource, Declarations, Declared, InvalidDeclaration};
