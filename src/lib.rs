//! kpulint: lints AWS Managed Service for Apache Flink capacity (KPUs) in Terraform and
//! CloudFormation against declared state size.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`discover`] → [`inputs`] → [`eval`] → [`needs`] → [`analysis`] (with [`sizing`]) →
//! [`rules`] via [`lint`] → [`report`]. [`run`] wires the stages together. [`needs`] is the one
//! home of what an application needs (declarations and their grammar); it depends on nothing
//! above [`model`], so `inputs` attaches directives with its grammar without reaching up.
//! [`diff`] runs the pipeline on both sides of a change and compares them.

pub mod analysis;
pub mod baseline;
pub mod callers;
pub mod cli;
pub mod config;
pub mod cost;
pub mod date;
pub mod diff;
pub mod discover;
pub mod eval;
pub mod files;
pub mod fix;
pub mod gate;
pub mod identity;
pub mod inputs;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod man;
pub mod model;
pub mod needs;
pub mod overlay;
pub mod recommend;
pub mod report;
pub mod rules;
pub mod run;
pub mod similar;
pub mod sizing;
pub mod source;
pub mod units;
pub mod whatif;
