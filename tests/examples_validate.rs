//! Every Terraform example under examples/ is valid Terraform: `terraform init` and
//! `terraform validate` pass on a copy of the examples, every directory of `.tf` files called as
//! a module from one root (one provider load instead of one per example; a variable without a
//! default is passed `null`, which validate accepts as given). Needs `terraform` on PATH and an
//! offline provider mirror (no network is used); without them the test says why and passes
//! without checking.
//!
//! The mirror is `KPULINT_TF_PROVIDER_MIRROR` (a directory holding
//! `registry.terraform.io/hashicorp/aws/...`), else the CLI configuration `TF_CLI_CONFIG_FILE`
//! names when that file exists, else the first of the usual plugin directories that holds the
//! aws provider.

mod hcl_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use hcl_support::root;

/// Directories Terraform (or an administrator) commonly keeps providers in.
fn usual_mirrors() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/opt/tf-plugins"),
        PathBuf::from("/usr/share/terraform/plugins"),
        PathBuf::from("/usr/local/share/terraform/plugins"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".terraform.d/plugins"));
        dirs.push(Path::new(&home).join(".local/share/terraform/plugins"));
    }
    dirs
}

/// The CLI configuration to run Terraform with offline: `Err` says why the test cannot run.
fn cli_config(scratch: &Path) -> Result<PathBuf, String> {
    if let Some(mirror) = std::env::var_os("KPULINT_TF_PROVIDER_MIRROR") {
        return write_config(scratch, Path::new(&mirror));
    }
    if let Some(config) = std::env::var_os("TF_CLI_CONFIG_FILE").map(PathBuf::from) {
        if config.is_file() {
            return Ok(config);
        }
    }
    let mirror = usual_mirrors()
        .into_iter()
        .find(|d| d.join("registry.terraform.io/hashicorp/aws").is_dir())
        .ok_or("no provider mirror with hashicorp/aws found (set KPULINT_TF_PROVIDER_MIRROR)")?;
    write_config(scratch, &mirror)
}

fn write_config(scratch: &Path, mirror: &Path) -> Result<PathBuf, String> {
    let path = scratch.join("terraformrc");
    let text = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = {:?}\n  }}\n}}\n",
        mirror.display().to_string()
    );
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Every directory under `dir` holding a `.tf` file.
fn module_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read examples")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    if entries.iter().any(|p| p.extension().is_some_and(|e| e == "tf")) {
        out.push(dir.to_path_buf());
    }
    for p in entries.iter().filter(|p| p.is_dir()) {
        module_dirs(p, out);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let p = e.expect("entry").path();
        let target = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

fn terraform(dir: &Path, config: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_DATA_DIR")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "terraform {}:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The variables of the module in `dir` that have no default (a module call must pass them).
fn required_variables(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).expect("read module") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read .tf");
        let file = kpulint::source::SourceFile::new(p.display().to_string(), text);
        let tf = kpulint::inputs::hcl::parse_tf(&file).unwrap_or_else(|e| panic!("{}: {}", p.display(), e.message));
        names.extend(
            tf.variables
                .iter()
                .filter(|v| v.default.is_none())
                .map(|v| v.name.clone()),
        );
    }
    names.sort();
    names
}

#[test]
fn every_terraform_example_passes_terraform_validate() {
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!("skipped: terraform is not on PATH, so the examples are not validated");
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let config = match cli_config(scratch.path()) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("skipped: {why}, so the examples are not validated");
            return;
        }
    };
    let examples = scratch.path().join("examples");
    copy_tree(&root().join("examples"), &examples);
    let mut dirs = Vec::new();
    module_dirs(&examples, &mut dirs);
    assert!(dirs.len() >= 15, "examples moved? {dirs:?}");
    let mut calls = String::new();
    for (i, dir) in dirs.iter().enumerate() {
        let source = dir.strip_prefix(scratch.path()).expect("below scratch");
        calls += &format!("module \"example_{i}\" {{\n  source = \"./{}\"\n", source.display());
        for name in required_variables(dir) {
            calls += &format!("  {name} = null\n");
        }
        calls += "}\n";
    }
    std::fs::write(scratch.path().join("main.tf"), calls).expect("write root");
    let checked = terraform(
        scratch.path(),
        &config,
        &["init", "-backend=false", "-input=false", "-no-color"],
    )
    .and_then(|()| terraform(scratch.path(), &config, &["validate", "-no-color"]));
    if let Err(e) = checked {
        panic!("the examples are not all valid Terraform:\n{e}");
    }
}
