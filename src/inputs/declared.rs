//! The input names the scanned configuration declares (Terraform variables, CloudFormation
//! parameters), so a value given for any other name is reported as the typo it usually is:
//! Terraform itself rejects `-var` for an undeclared variable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::discover::{display, FileKind};
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

/// The input variables of the scanned Terraform: a `--var` sets a root module's variable
/// (Terraform rejects one the root does not declare); a called module's variables are set by
/// the arguments of the block that calls it.
#[derive(Debug, Default)]
pub struct DeclaredVariables {
    /// Scanned directories that no module read calls: directory key → names.
    pub roots: BTreeMap<PathBuf, BTreeSet<String>>,
    /// Called modules: directory key → names.
    pub modules: BTreeMap<PathBuf, BTreeSet<String>>,
}

impl DeclaredVariables {
    /// The variables of the directories read, by root (a scanned directory that no directory
    /// read calls, `calls` being caller → called) and called module.
    pub(super) fn of(dirs: &super::scan::Dirs, calls: &[(PathBuf, Vec<PathBuf>)]) -> DeclaredVariables {
        let called: BTreeSet<&PathBuf> = calls.iter().flat_map(|(_, children)| children).collect();
        let mut declared = DeclaredVariables::default();
        for (k, d) in dirs.iter() {
            let names: BTreeSet<String> = d.files(k).flat_map(|(_, f)| f.variables().iter().cloned()).collect();
            if d.scanned && !called.contains(k) {
                declared.roots.insert(k.clone(), names);
            } else if !names.is_empty() {
                declared.modules.insert(k.clone(), names);
            }
        }
        declared
    }

    /// Every name some root declares.
    fn root_names(&self) -> BTreeSet<String> {
        self.roots.values().flatten().cloned().collect()
    }

    /// The called modules that declare `name`, as shown ("modules/kda_flink", "... and 2 more").
    fn modules_declaring(&self, name: &str) -> Option<String> {
        let modules: Vec<String> = self
            .modules
            .iter()
            .filter(|(_, names)| names.contains(name))
            .map(|(dir, _)| display(dir))
            .collect();
        let first = modules.first()?;
        Some(match modules.len() {
            1 => first.clone(),
            n => format!("{first} (and {} more module{})", n - 1, if n == 2 { "" } else { "s" }),
        })
    }

    /// When only a called module declares `name`: why a value given from outside (`via`:
    /// `--var`, `a var file`) cannot set it — a module's variables are set by the calling block.
    fn module_only(&self, name: &str, via: &str) -> Option<String> {
        let module = self.modules_declaring(name)?;
        Some(format!(
            "no scanned root module declares it: module {module} declares \"{name}\", and a module's variables are set by the arguments of the calling module block, not by {via}"
        ))
    }
}

/// Input errors for `--var`, `--var-file` and `--parameter` names that nothing declares, each
/// naming the closest declared name. A `--var` must name a variable some scanned root module
/// declares (it sets it in each root that does); a `--var-file` is read for every evaluated
/// root (`evaluated`), as `terraform plan -var-file` would in each, so its names are checked
/// against each of them. `TF_VAR_*` values are not checked, as in Terraform (the environment is
/// shared by every module).
pub fn undeclared_inputs(
    variables: &DeclaredVariables,
    evaluated: &[PathBuf],
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
    let root_names = variables.root_names();
    let help = |name: &str| {
        let mut help = suggest(name, &root_names, "root variables");
        if variables.modules_declaring(name).is_some() {
            help.push_str(&format!(
                "; to set the module's {name}, write `{name} = ...` in the `module` block that calls it"
            ));
        }
        help
    };
    // The roots a var file is read for: the evaluated ones, or every root when none is.
    let empty = BTreeSet::new();
    let file_roots: Vec<(String, &BTreeSet<String>)> = if evaluated.is_empty() {
        variables.roots.iter().map(|(k, v)| (display(k), v)).collect()
    } else {
        evaluated
            .iter()
            .map(|k| (display(k), variables.roots.get(k).unwrap_or(&empty)))
            .collect()
    };
    for cli in &vars.cli {
        match cli {
            CliVar::Var { name, span, .. } if !root_names.contains(name) => {
                // The `--var` source reads `name=value`: point at the name.
                errors.push(
                    InputError::new(
                        span.file.span(0..name.len()),
                        match variables.module_only(name, "--var") {
                            None => format!("--var {name}: no scanned module declares variable \"{name}\""),
                            Some(why) => format!("--var {name}: {why}"),
                        },
                    )
                    .with_help(help(name)),
                );
            }
            CliVar::File(tfvars) => {
                for attr in &tfvars.attrs {
                    let missing: Vec<&str> = file_roots
                        .iter()
                        .filter(|(_, names)| !names.contains(&attr.name))
                        .map(|(root, _)| root.as_str())
                        .collect();
                    if missing.is_empty() && !file_roots.is_empty() {
                        continue;
                    }
                    let message = if missing.len() == file_roots.len() {
                        match variables.module_only(&attr.name, "a var file") {
                            None => format!(
                                "{} sets \"{}\", which no scanned module declares",
                                tfvars.file.path, attr.name
                            ),
                            Some(why) => format!("{} sets \"{}\", but {why}", tfvars.file.path, attr.name),
                        }
                    } else {
                        format!(
                            "{} sets \"{}\", which the root module {} does not declare (the var file is read for every root, as `terraform plan -var-file` would read it in each)",
                            tfvars.file.path,
                            attr.name,
                            missing.join(", ")
                        )
                    };
                    errors.push(InputError::new(attr.name_span.clone(), message).with_help(help(&attr.name)));
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
