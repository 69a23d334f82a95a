//! Shared helpers for the Terraform HCL integration tests: run the real binary from a fixed
//! directory with a clean environment, parse its JSON, and build throwaway repositories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The crate root: examples/ and tests/fixtures/ are relative to it.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `kpulint` run from `cwd`, with colour off, a fixed date and no `TF_VAR_*` from the caller.
pub fn kpulint(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kpulint").expect("kpulint binary");
    with_test_env(&mut cmd, cwd);
    cmd
}

/// Runs `program` (kpulint, or a wrapper around it) from `cwd` in the tests' environment.
pub fn with_test_env(cmd: &mut Command, cwd: &Path) {
    cmd.current_dir(cwd);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("TF_VAR_") || k.starts_with("KPULINT_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("NO_COLOR", "1")
        .env("KPULINT_TODAY", "2026-11-26")
        .env("RUST_BACKTRACE", "0")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        // GitHub paths are relative to the workspace when one is set (as on GitHub's runners).
        .env_remove("GITHUB_WORKSPACE");
}

/// What one run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The parsed `--format json` document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// Runs a prepared command and checks it neither panicked nor crashed.
pub fn exec(mut cmd: Command) -> Run {
    let out = cmd.output().expect("run kpulint");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "kpulint panicked:\n{}", run.stderr);
    assert!(
        matches!(run.code, 0..=2),
        "kpulint crashed or used an undocumented exit code {}:\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    run
}

/// `kpulint ARGS` from `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Run {
    let mut cmd = kpulint(cwd);
    cmd.args(args);
    exec(cmd)
}

/// `kpulint ARGS --format json` from `cwd`: exit code and document.
pub fn json(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let r = run(cwd, &all);
    let doc = r.json();
    (r.code, doc)
}

/// `kpulint ARGS --format json` from the crate root.
pub fn json_at_root(args: &[&str]) -> (i32, Value) {
    json(&root(), args)
}

/// The findings of a document as `(rule, file, line, column)`.
pub fn locations(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The rule ids of a document's findings, in output order.
pub fn rules(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The findings of one rule.
pub fn findings<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The single finding of one rule (fails when there is not exactly one).
pub fn the_finding<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    let all = findings(doc, rule);
    assert_eq!(all.len(), 1, "expected exactly one {rule} finding in {doc:#}");
    all[0]
}

/// The application with this address.
pub fn app<'a>(doc: &'a Value, address: &str) -> &'a Value {
    doc["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .find(|a| a["address"] == address)
        .unwrap_or_else(|| panic!("no application {address} in {doc:#}"))
}

/// The first (usually only) application.
pub fn only_app(doc: &Value) -> &Value {
    let apps = doc["applications"].as_array().expect("applications");
    assert_eq!(apps.len(), 1, "expected one application in {doc:#}");
    &apps[0]
}

/// The error messages of a document.
pub fn error_messages(doc: &Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

/// 1-based line and character column of the first occurrence of `needle` in `text`
/// (the column of its first character).
pub fn pos(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..at].chars().count() + 1;
    (line as u64, col as u64)
}

/// Position of `needle` in a file under the crate root.
pub fn pos_in(path: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
    pos(&text, needle)
}

/// A throwaway repository: a temporary directory with a `.git` directory, so config discovery
/// never walks above it.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("kpulint-test-")
            .tempdir()
            .expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        Repo { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Copies every file of a directory under the crate root into `rel` in the repository.
    /// Copies a directory of the repository, subdirectories included.
    pub fn copy_dir(&self, from: &str, rel: &str) {
        for entry in std::fs::read_dir(root().join(from)).expect("read_dir") {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().expect("type").is_dir() {
                self.copy_dir(&format!("{from}/{name}"), &format!("{rel}/{name}"));
            } else {
                let text = std::fs::read_to_string(entry.path()).expect("read");
                self.write(&format!("{rel}/{name}"), &text);
            }
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.path(), args)
    }

    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        json(self.path(), args)
    }
}

/// One Flink application with a CUSTOM parallelism block. `decl` goes on the line above the
/// resource (e.g. `# kpulint: state_size=56GB`), `parallelism`, `per_kpu` and `autoscaling` are
/// written verbatim (HCL expressions).
pub fn flink_app(name: &str, decl: &str, parallelism: &str, per_kpu: &str, autoscaling: &str) -> String {
    format!(
        r#"{decl}
resource "aws_kinesisanalyticsv2_application" "{name}" {{
  name                   = "{name}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"

  application_configuration {{
    flink_application_configuration {{
      parallelism_configuration {{
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = {autoscaling}
        parallelism          = {parallelism}
        parallelism_per_kpu  = {per_kpu}
      }}
    }}
  }}
}}
"#
    )
}

/// A CUSTOM application with only `parallelism` varying: per KPU 1, autoscaling off.
pub fn simple_app(name: &str, parallelism: &str) -> String {
    flink_app(name, "", parallelism, "1", "false")
}

/// Position just after `needle` (where the value of `key = ` starts).
pub fn pos_after(text: &str, needle: &str) -> (u64, u64) {
    let (line, col) = pos(text, needle);
    let extra = needle.rsplit('\n').next().unwrap_or(needle).chars().count() as u64;
    if needle.contains('\n') {
        let lines = needle.matches('\n').count() as u64;
        (line + lines, extra + 1)
    } else {
        (line, col + extra)
    }
}

/// Position just after `needle` in a file under the crate root.
pub fn pos_after_in(path: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
    pos_after(&text, needle)
}

/// Files by relative path, with their bytes and modification time.
pub type Files = std::collections::BTreeMap<String, (Vec<u8>, std::time::SystemTime)>;

/// Every file under `dir` (but `.git`), by relative path, with its bytes and modification time.
pub fn snapshot(dir: &Path) -> Files {
    fn walk(base: &Path, dir: &Path, out: &mut Files) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                out.insert(rel, (std::fs::read(&path).unwrap(), modified));
            }
        }
    }
    let mut out = Files::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// `(line, column)` of a finding or error.
pub fn at(v: &Value) -> (u64, u64) {
    (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap())
}

/// The README's `text` block that starts with `$ kpulint ARGS`, without that line.
pub fn readme_block(args: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = format!("```text\n$ kpulint {args}\n");
    let at = readme
        .find(&start)
        .unwrap_or_else(|| panic!("README has no block for {args}"))
        + start.len();
    let len = readme[at..].find("```").expect("closing fence");
    readme[at..at + len].to_string()
}
