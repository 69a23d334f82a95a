//! `kpulint lsp` under typing: the time from a `didChange` to the `publishDiagnostics` it
//! causes, on a generated workspace of 100 applications, and the server's memory over
//! 10,000 edits. Run with `cargo bench --bench lsp` (`-- --edits N` for fewer edits);
//! figures in benches/README.md.
//!
//! The workspace (deterministic): a Flink module called by four environments (one unit: they
//! share the module), 90 standalone root modules, each with an application beside 20 other
//! resources, a `variables.tf` and a `terraform.tfvars`, and 6 CloudFormation templates.
//!
//! Each edit retypes the parallelism in one root's `terraform.tfvars` (an incremental change,
//! as editors send them) and waits for the diagnostics of its `main.tf` to show the new
//! value; edits follow one another at once, so every latency includes the server's debounce.

#[path = "../tests/hcl_support/mod.rs"]
mod hcl_support;
#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use lsp_support::{uri, Client};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn app(name: &str, parallelism: &str) -> String {
    let decl = "# kpulint: state_size=20GB required_parallelism=2";
    hcl_support::flink_app(name, decl, parallelism, "1", "false")
}

fn other_resources(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let _ = write!(
            out,
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"bucket-{i}\"\n  tags = {{\n    team = \"data\"\n    index = \"{i}\"\n  }}\n}}\n\n"
        );
    }
    out
}

/// The workspace: 4 + 90 + 6 = 100 applications.
fn generate(root: &Path) {
    write(
        &root.join("modules/flink/main.tf"),
        &format!("variable \"parallelism\" {{}}\n\n{}", app("this", "var.parallelism")),
    );
    for (i, env) in ["dev", "staging", "prod", "perf"].iter().enumerate() {
        write(
            &root.join(format!("envs/{env}/main.tf")),
            &format!(
                "module \"flink\" {{\n  source      = \"../../modules/flink\"\n  parallelism = {}\n}}\n",
                2 + i
            ),
        );
    }
    for i in 0..90 {
        let dir = root.join(format!("apps/app{i:02}"));
        write(
            &dir.join("main.tf"),
            &format!(
                "{}\n{}",
                app(&format!("app{i:02}"), "var.parallelism"),
                other_resources(20)
            ),
        );
        write(
            &dir.join("variables.tf"),
            "variable \"parallelism\" {\n  type = number\n}\n",
        );
        write(
            &dir.join("terraform.tfvars"),
            &format!("parallelism = {}\n", 3 + i % 10),
        );
    }
    for i in 0..6 {
        write(
            &root.join(format!("cfn/app{i}.yaml")),
            &format!(
                "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  App{i}:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Metadata:\n      kpulint:\n        state_size: 20GB\n        required_parallelism: 2\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ServiceExecutionRole: arn:aws:iam::123456789012:role/x\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: {}\n            ParallelismPerKPU: 1\n            AutoScalingEnabled: false\n",
                4 + i
            ),
        );
    }
    // A repository: ignore files are read as in one.
    std::fs::create_dir_all(root.join(".git")).unwrap();
}

/// Resident and peak memory of a process, in MiB (Linux).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn report(name: &str, latencies: &mut [Duration]) {
    latencies.sort();
    println!(
        "{name}: {} edits, didChange → publishDiagnostics p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.95)),
        ms(percentile(latencies, 0.99)),
        ms(*latencies.last().unwrap()),
    );
}

/// Retypes the value in `vars` `edits` times (values `low..=high` in turn) and waits each time
/// for `watched`'s diagnostics to name the new value. Memory is read every `edits / 10`.
#[allow(clippy::too_many_arguments)]
fn type_values(
    c: &mut Client,
    vars: &Path,
    watched: &Path,
    text: &mut String,
    version: &mut i64,
    edits: usize,
    values: (u32, u32),
    memory_at: &mut Vec<(usize, f64)>,
) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(edits);
    let mut value = values.0;
    for i in 0..edits {
        value = if value >= values.1 { values.0 } else { value + 1 };
        let start = text.find("parallelism = ").unwrap() + "parallelism = ".len();
        let end = start + text[start..].find('\n').unwrap();
        *version += 1;
        let sent = Instant::now();
        *text = c.change(vars, *version, text, start..end, &value.to_string());
        let needle = format!("parallelism {value} buys {value} KPUs");
        c.diagnostics_until(watched, |d| {
            d.iter().any(|x| x["message"].as_str().unwrap_or("").contains(&needle))
        });
        latencies.push(sent.elapsed());
        if edits >= 10 && (i + 1) % (edits / 10) == 0 {
            memory_at.push((i + 1, memory(c.pid()).0));
        }
    }
    latencies
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let edits: usize = args
        .iter()
        .position(|a| a == "--edits")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    generate(&root);

    let started = Instant::now();
    let (mut c, _) = Client::start(&[&root], true);
    // Every application's file gets its diagnostics without being opened.
    let last = root.join("apps/app89/main.tf");
    c.diagnostics_until(&last, |d| !d.is_empty());
    for i in 0..6 {
        c.diagnostics_until(&root.join(format!("cfn/app{i}.yaml")), |d| !d.is_empty());
    }
    println!(
        "initial analysis of 100 applications (open → every file published): {} ms",
        ms(started.elapsed())
    );

    // Typing in one standalone root's tfvars.
    let vars = root.join("apps/app07/terraform.tfvars");
    let main = root.join("apps/app07/main.tf");
    c.open(&main, 1);
    let mut text = c.open(&vars, 1);
    let mut version = 1;
    c.settle(Duration::from_millis(300));
    let (rss_start, _) = memory(c.pid());
    let mut memory_at = Vec::new();
    let mut root_edits = type_values(
        &mut c,
        &vars,
        &main,
        &mut text,
        &mut version,
        edits,
        (3, 40),
        &mut memory_at,
    );
    report("tfvars of a standalone root", &mut root_edits);
    let (rss_end, peak) = memory(c.pid());
    println!("memory (RSS, MiB): {rss_start:.1} after opening, then at each tenth of the edits:");
    for (n, rss) in &memory_at {
        println!("  after {n:>6} edits: {rss:.1}");
    }
    println!("  end: {rss_end:.1}, peak {peak:.1}");

    // Typing in an environment's module argument: the unit of the four environments that
    // share the module re-runs, and the module file's diagnostics change.
    let prod = root.join("envs/prod/main.tf");
    let module = root.join("modules/flink/main.tf");
    c.open(&module, 1);
    let mut text = c.open(&prod, 1);
    let mut version = 1;
    let shared_edits = (edits / 10).max(10);
    let mut ignored = Vec::new();
    let mut shared = type_values(
        &mut c,
        &prod,
        &module,
        &mut text,
        &mut version,
        shared_edits,
        (5, 40),
        &mut ignored,
    );
    report(
        "module argument of an environment (4 roots sharing a module)",
        &mut shared,
    );

    let published = c.notifications("textDocument/publishDiagnostics").len();
    println!("publishDiagnostics received: {published} (workspace {})", uri(&root));
    let status = c.shutdown();
    assert!(status.success());
}
