//! The input names the scanned configuration declares (Terraform variables, CloudFormation
//! parameters), so a value given for any other name is reported as the typo it usually is:
//! Terraform itself rejects `-var` for an undeclared variable.

use std::collections::BTreeSet;

use crate::discover::FileKind;
use crate::eval::module::{CliVar, VarInputs};
use crate::model::InputError;
use crate::similar::closest;
use crate::source::SourceFile;

use super::Parameters;

/// The `variable "name"` blocks of a `.tf` file (read by lines: the file may not be parsed at
/// all when it cannot hold a Flink application), or the `variable` object of a `.tf.json` file.
pub fn variable_names(text: &str, kind: FileKind) -> Vec<String> {
    match kind {
        FileKind::TfJson => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("variable").and_then(|o| o.as_object()).cloned())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        _ => text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("variable"))
            .filter(|rest| rest.starts_with([' ', '\t', '"']))
            .filter_map(|rest| {
                let label = rest.trim_start().trim_start_matches('"');
                let name: String = label
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                (!name.is_empty()).then_some(name)
            })
            .collect(),
    }
}

/// Input errors for `--var`, `--var-file` and `--parameter` names that nothing declares, each
/// naming the closest declared name. `TF_VAR_*` values are not checked, as in Terraform (the
/// environment is shared by every module).
pub fn undeclared_inputs(
    variables: &BTreeSet<String>,
    parameters: &BTreeSet<String>,
    vars: &VarInputs,
    cli_parameters: &Parameters,
) -> Vec<InputError> {
    let mut errors = Vec::new();
    let suggest = |name: &str, declared: &BTreeSet<String>, what: &str| match closest(
        name,
        declared.iter().map(String::as_str),
    ) {
        Some(near) => format!("did you mean {near}? (declared {what}: {})", list(declared)),
        None => format!("no scanned file declares any {what}"),
    };
    for cli in &vars.cli {
        match cli {
            CliVar::Var { name, span, .. } if !variables.contains(name) => {
                // The `--var` source reads `name=value`: point at the name.
                errors.push(
                    InputError::new(
                        span.file.span(0..name.len()),
                        format!("--var {name}: no scanned module declares variable \"{name}\""),
                    )
                    .with_help(suggest(name, variables, "variables")),
                );
            }
            CliVar::File(tfvars) => {
                for attr in tfvars.attrs.iter().filter(|a| !variables.contains(&a.name)) {
                    errors.push(
                        InputError::new(
                            attr.name_span.clone(),
                            format!(
                                "{} sets \"{}\", which no scanned module declares",
                                tfvars.file.path, attr.name
                            ),
                        )
                        .with_help(suggest(&attr.name, variables, "variables")),
                    );
                }
            }
            CliVar::Var { .. } => {}
        }
    }
    for name in cli_parameters.keys().filter(|n| !parameters.contains(*n)) {
        let file = SourceFile::new(format!("--parameter {name}"), name.clone());
        errors.push(
            InputError::new(
                file.span(0..name.len()),
                format!("--parameter {name}: no scanned template declares parameter \"{name}\""),
            )
            .with_help(suggest(name, parameters, "parameters")),
        );
    }
    errors
}

/// Up to five names, then how many more.
fn list(names: &BTreeSet<String>) -> String {
    let mut shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    if names.len() > 5 {
        shown.push("…");
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_by_lines_and_json() {
        let tf = "variable \"a\" {}\n  variable b {\n}\nvariables = 1\n# variable \"c\"\n";
        assert_eq!(variable_names(tf, FileKind::Tf), ["a", "b"]);
        let json = r#"{"variable": {"x": {}, "y": {"default": 1}}}"#;
        assert_eq!(variable_names(json, FileKind::TfJson), ["x", "y"]);
        assert!(variable_names("{", FileKind::TfJson).is_empty());
    }
}
