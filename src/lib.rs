//! kpulint: lints AWS Managed Service for Apache Flink capacity (KPUs) in Terraform and
//! CloudFormation against declared state size.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`discover`] → [`inputs`] → [`eval`] → [`analysis`] (with [`sizing`]) → [`rules`] via
//! [`lint`] → [`report`]. [`run`] wires the stages together.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod date;
pub mod discover;
pub mod eval;
pub mod inputs;
pub mod lint;
pub mod model;
pub mod recommend;
pub mod report;
pub mod rules;
pub mod run;
pub mod sizing;
pub mod source;
pub mod units;
