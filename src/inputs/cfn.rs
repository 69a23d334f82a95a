//! CloudFormation templates (JSON and YAML, CDK output included).

use std::sync::Arc;

use super::Parameters;
use crate::model::{InputError, Inventory};
use crate::source::SourceFile;

pub const FLINK_TYPE: &str = "AWS::KinesisAnalyticsV2::Application";

/// Is this text a CloudFormation template at all (with or without a Flink application)?
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

pub fn parse_json(file: &Arc<SourceFile>, _params: &Parameters) -> Inventory {
    let mut inv = Inventory::default();
    inv.errors.push(InputError::new(
        file.whole(),
        "CloudFormation JSON: not implemented yet",
    ));
    inv
}

pub fn parse_yaml(file: &Arc<SourceFile>, _params: &Parameters) -> Inventory {
    let mut inv = Inventory::default();
    inv.errors.push(InputError::new(
        file.whole(),
        "CloudFormation YAML: not implemented yet",
    ));
    inv
}
