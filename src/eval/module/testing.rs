//! Helpers for this module's unit tests: module sets built from HCL text, and evaluation results.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{evaluate, normalize, DirSet, ModuleDir, ModuleSet, VarInputs};
use crate::inputs::terraform::TfFile;
use crate::model::Inventory;
use crate::source::SourceFile;

pub(super) fn tf(path: &str, text: &str) -> Arc<TfFile> {
    Arc::new(crate::inputs::hcl::parse_tf(&SourceFile::new(path, text)).expect("valid HCL"))
}

/// A module set from `(dir, main.tf text)` pairs.
pub(super) fn set(dirs: &[(&str, &str)]) -> ModuleSet {
    ModuleSet {
        dirs: dirs
            .iter()
            .map(|(dir, text)| {
                let key = normalize(Path::new(dir));
                let module = ModuleDir {
                    display: dir.to_string(),
                    files: vec![tf(&format!("{dir}/main.tf"), text)],
                    ..ModuleDir::default()
                };
                (key, module)
            })
            .collect(),
        skipped: DirSet::default(),
    }
}

pub(super) fn call(name: &str, src: &str) -> String {
    format!("module \"{name}\" {{\n  source = \"{src}\"\n}}\n")
}

pub(super) const APP: &str =
    "resource \"aws_kinesisanalyticsv2_application\" \"app\" {\n  runtime_environment = \"FLINK-1_20\"\n}\n";

pub(super) fn run(s: &ModuleSet, roots: &[&str]) -> Inventory {
    let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
    evaluate(s, &roots, &VarInputs::default())
}

pub(super) fn addresses(inv: &Inventory) -> Vec<&str> {
    let mut a: Vec<&str> = inv.applications.iter().map(|a| a.address.as_str()).collect();
    a.sort();
    a
}

pub(super) fn messages(inv: &Inventory) -> Vec<&str> {
    inv.errors.iter().map(|e| e.message.as_str()).collect()
}
