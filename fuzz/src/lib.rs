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
