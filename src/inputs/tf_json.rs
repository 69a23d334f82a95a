//! Terraform JSON syntax (`.tf.json`, `.tfvars.json`).

use std::sync::Arc;

use super::terraform::{Attr, TfFile};
use crate::model::InputError;
use crate::source::SourceFile;

pub fn parse_tf_json(file: &Arc<SourceFile>) -> Result<TfFile, InputError> {
    Err(InputError::new(file.whole(), "Terraform JSON: not implemented yet"))
}

pub fn parse_tfvars_json(file: &Arc<SourceFile>) -> Result<Vec<Attr>, InputError> {
    Err(InputError::new(file.whole(), "Terraform JSON: not implemented yet"))
}
