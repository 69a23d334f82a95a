//! Shared harness of the fuzz targets: write the input files into a scratch directory, run the
//! whole kpulint pipeline on it and render every output format.

use std::path::{Path, PathBuf};

use kpulint::report::{self, FailOn, Format, RenderOptions};
use kpulint::run::{run, RunOptions};

pub const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Junit,
    Format::Checkstyle,
    Format::Compact,
];

/// A Flink application whose directory is therefore parsed and evaluated in full: a fuzzed
/// `.tf` file beside it goes through the parser and the evaluator, not only the precheck.
/// Its values come from variables and locals the fuzzed files may define or override.
pub const APP: &str = r#"
variable "fuzz_parallelism" {
  type    = number
  default = 4
}

resource "aws_kinesisanalyticsv2_application" "fuzz" {
  name                   = "fuzz"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = var.fuzz_parallelism
        parallelism_per_kpu  = 2
      }
    }
  }
}
"#;

/// A scratch directory for this process. The targets write the same files on every input, so
/// it is created once and the files are overwritten (removing it each time halves throughput).
pub fn scratch() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kpulint-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).expect("scratch directory");
        dir
    })
    .clone()
}

/// Writes `files` (relative path, bytes) under `dir`.
pub fn write(dir: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
    }
}

/// Runs the pipeline with `opts` (paths relative to `dir` are made absolute) and renders every
/// format; checks the invariants every run must keep.
pub fn pipeline(dir: &Path, mut opts: RunOptions) {
    opts.paths = if opts.paths.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        opts.paths.iter().map(|p| dir.join(p)).collect()
    };
    let mut outcome = run(&opts);
    // Every gate, so that every format renders the failed ones too.
    outcome.gates = vec![
        kpulint::gate::fail_on(&outcome.findings, FailOn::Note),
        kpulint::gate::fail_on_empty(outcome.analyses.len()),
    ];
    for format in FORMATS {
        let ro = RenderOptions {
            color: false,
            quiet: false,
            show_suppressed: true,
            fail_on: FailOn::Note,
        };
        let mut out = Vec::new();
        report::render(format, &outcome, &ro, &mut out).expect("render to memory");
        if format == Format::Json {
            serde_json_check(&out);
        }
    }
    // An input error is always an exit code of 2, whatever else was found.
    if !outcome.errors.is_empty() {
        assert_eq!(report::exit_code(&outcome), 2);
    }
}

/// The JSON format always produces one valid JSON document.
fn serde_json_check(out: &[u8]) {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(out) {
        panic!("JSON output is not JSON ({e}): {}", String::from_utf8_lossy(out));
    }
}

/// Runs the pipeline on `data` written as `name` and named on the command line, so it is read
/// whatever it holds.
pub fn named_file(name: &str, data: &[u8]) {
    let dir = scratch();
    write(&dir, &[(name, data)]);
    let opts = RunOptions {
        paths: vec![name.into()],
        ..Default::default()
    };
    pipeline(&dir, opts);
}

/// Splits fuzz data at NUL NUL into up to `n` parts (missing parts are empty).
pub fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    while out.len() + 1 < n {
        match rest.windows(2).position(|w| w == b"\0\0") {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + 2..];
            }
            None => break,
        }
    }
    out.push(rest);
    out.resize(n, &[][..]);
    out
}

/// The application of the `fix` target: declared needs well below its configuration, so a
/// recommendation always changes it, through a variable a fuzzed `terraform.tfvars` may set.
pub const FIX_APP: &str = r#"
variable "fix_parallelism" {
  type    = number
  default = 6
}

# kpulint: state_size=20GB required_parallelism=1
resource "aws_kinesisanalyticsv2_application" "fix" {
  name                   = "fix"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = true
        parallelism          = var.fix_parallelism
        parallelism_per_kpu  = 2
      }
    }
  }
}
"#;

/// Every file under `dir` with its bytes, in path order.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).expect("list the scratch directory").flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => pending.push(p),
                Ok(_) => out.push((p.clone(), std::fs::read(&p).unwrap_or_default())),
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}

/// `--fix --unsafe-fixes` on `files` in a fresh directory, then the properties every fix must
/// keep: the files it wrote parse as well as before (no new input error in them), a second
/// `--fix` changes nothing (not one byte), and no temporary file is left behind.
pub fn fix_round_trip(files: &[(&str, &[u8])]) {
    let dir = scratch().join("fix");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("fix directory");
    write(&dir, files);
    let opts = RunOptions {
        paths: vec![dir.clone()],
        ..Default::default()
    };
    let first = run(&opts);
    let errors_before: std::collections::BTreeSet<(String, String)> = first
        .errors
        .iter()
        .map(|e| (e.span.path().to_string(), e.message.clone()))
        .collect();
    let fixed = kpulint::fix::apply::fix(first, &opts.paths, true, || run(&opts));
    // Changes for applications with a finding, and (`--unsafe-fixes`) without one.
    let changes: Vec<(String, Vec<String>)> = fixed
        .fix
        .map(|f| f.changes.into_iter().chain(f.without_finding).collect())
        .unwrap_or_default();

    let after = run(&opts);
    for e in &after.errors {
        let key = (e.span.path().to_string(), e.message.clone());
        assert!(
            !changes.iter().any(|(file, _)| file == &key.0) || errors_before.contains(&key),
            "--fix wrote {} into something that no longer parses: {}\nchanges: {changes:?}",
            key.0,
            key.1
        );
    }
    let written = snapshot(&dir);
    let again = kpulint::fix::apply::fix(after, &opts.paths, true, || run(&opts));
    let second: Vec<(String, Vec<String>)> = again
        .fix
        .map(|f| f.changes.into_iter().chain(f.without_finding).collect())
        .unwrap_or_default();
    assert!(
        second.is_empty(),
        "a second --fix changed {second:?} after the first changed {changes:?}"
    );
    assert!(snapshot(&dir) == written, "a second --fix changed bytes");
    let leftovers: Vec<&PathBuf> = written
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.to_string_lossy().contains(".kpulint-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}
