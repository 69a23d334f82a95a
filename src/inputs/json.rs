//! Strict JSON with byte spans (jsonc-parser with every leniency switched off), shared by the
//! Terraform JSON, plan and CloudFormation readers.

use std::sync::Arc;

use jsonc_parser::ast::Value;
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::model::InputError;
use crate::source::SourceFile;

const STRICT: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// Parses strict JSON; a syntax error (or nesting past jsonc-parser's limit) is an error at its
/// exact position.
pub fn parse(file: &Arc<SourceFile>) -> Result<Value<'_>, InputError> {
    match jsonc_parser::parse_to_ast(&file.text, &CollectOptions::default(), &STRICT) {
        Ok(result) => result.value.ok_or_else(|| {
            InputError::new(
                file.whole(),
                format!("{} is empty: expected a JSON document", file.path),
            )
        }),
        Err(e) => {
            let r = e.range();
            Err(InputError::new(
                file.span(r.start..r.end.max(r.start)),
                format!("invalid JSON in {}: {}", file.path, e.kind()),
            ))
        }
    }
}
