//! Suppressions (inline, with reason and expiry), baseline files, and the CLI integrations of
//! issue 4 (completions, man page, closed pipes, stdin).

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/suppress";

fn kpulint() -> Command {
    let mut cmd = Command::cargo_bin("kpulint").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("KPULINT_TODAY", "2026-11-26");
    cmd
}

fn json(args: &[&str]) -> (Value, i32) {
    let out = kpulint().args(args).args(["--format", "json"]).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json output");
    (v, out.status.code().unwrap_or(-1))
}

fn findings<'a>(v: &'a Value, app: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["application"].as_str().is_some_and(|a| a.ends_with(app)))
        .collect()
}

fn rule<'a>(fs: &[&'a Value], id: &str) -> Option<&'a Value> {
    fs.iter().copied().find(|f| f["rule"] == id)
}

#[test]
fn suppression_above_an_attribute_hides_only_that_finding() {
    let (v, _) = json(&[FIXTURE]);
    let fs = findings(&v, ".inline_attr");
    let kpu004 = rule(&fs, "KPU004").expect("KPU004 listed");
    assert_eq!(kpu004["suppressed"], true);
    assert_eq!(kpu004["suppression"]["reason"], "cutover week, keep headroom");
    assert_eq!(kpu004["suppression"]["kind"], "inSource");
    assert_eq!(kpu004["suppression"]["until"], "2027-01-31");
    // KPU005 at the same attribute is not named by the suppression.
    assert_eq!(rule(&fs, "KPU005").expect("KPU005")["suppressed"], false);
}

#[test]
fn suppression_above_the_resource_covers_every_listed_rule() {
    let (v, _) = json(&[FIXTURE]);
    let fs = findings(&v, ".whole_resource");
    assert_eq!(rule(&fs, "KPU004").expect("KPU004")["suppressed"], true);
    assert_eq!(rule(&fs, "KPU005").expect("KPU005")["suppressed"], true);
}

#[test]
fn suppression_without_reason_is_kpu900_and_hides_nothing() {
    let (v, _) = json(&[FIXTURE]);
    let fs = findings(&v, ".no_reason");
    let bad = rule(&fs, "KPU900").expect("KPU900");
    assert_eq!(bad["severity"], "warning");
    assert_eq!(bad["line"], 36);
    assert!(bad["message"].as_str().unwrap_or("").contains("missing reason"));
    assert_eq!(rule(&fs, "KPU004").expect("KPU004 stays")["suppressed"], false);
}

#[test]
fn expired_suppression_returns_the_finding_with_a_note() {
    let (v, _) = json(&[FIXTURE]);
    let fs = findings(&v, ".expired");
    assert_eq!(rule(&fs, "KPU004").expect("KPU004 back")["suppressed"], false);
    let note = rule(&fs, "KPU902").expect("KPU902");
    assert_eq!(note["severity"], "note");
    assert!(note["message"].as_str().unwrap_or("").contains("expired on 2026-01-01"));

    // Before the date, the same suppression still works.
    let out = kpulint()
        .env("KPULINT_TODAY", "2025-12-31")
        .args([FIXTURE, "--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let fs = findings(&v, ".expired");
    assert_eq!(rule(&fs, "KPU004").expect("KPU004")["suppressed"], true);
    assert!(rule(&fs, "KPU902").is_none());
}

#[test]
fn unused_suppression_is_a_note() {
    let (v, _) = json(&[FIXTURE]);
    let fs = findings(&v, ".unused");
    let note = rule(&fs, "KPU901").expect("KPU901");
    assert_eq!(note["severity"], "note");
    assert_eq!(note["line"], 70);
}

#[test]
fn suppressed_findings_do_not_count_toward_the_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE).join("main.tf")).expect("fixture");
    // Keep only the first resource: its KPU004 is suppressed, its KPU005 is not.
    let first: String = text.split("\n\n").next().unwrap_or("").to_string();
    std::fs::write(dir.path().join("main.tf"), &first).expect("write");
    let out = kpulint()
        .arg(dir.path())
        .args(["--format", "json", "--fail-on", "warning"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "KPU005 is still active");
    let only_suppressed = first.replace("KPU004 reason", "KPU004, KPU005 reason");
    std::fs::write(dir.path().join("main.tf"), only_suppressed).expect("write");
    let out = kpulint()
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn human_output_hides_suppressed_findings_unless_asked() {
    let out = kpulint().args([FIXTURE, "--color", "never"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains("[suppressed:"), "{text}");
    assert!(text.contains("suppressed"), "summary mentions suppressed count: {text}");
    let out = kpulint()
        .args([FIXTURE, "--color", "never", "--show-suppressed"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("[suppressed: cutover week"), "{text}");
}

#[test]
fn config_ignore_block_scoped_by_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let legacy = dir.path().join("legacy/orders");
    std::fs::create_dir_all(&legacy).expect("mkdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("git marker");
    std::fs::write(
        legacy.join("main.tf"),
        "# kpulint: state_size=240GB required_parallelism=10\nresource \"aws_kinesisanalyticsv2_application\" \"a\" {\n  runtime_environment = \"FLINK-1_20\"\n  application_configuration {\n    flink_application_configuration {\n      parallelism_configuration {\n        configuration_type = \"CUSTOM\"\n        auto_scaling_enabled = false\n        parallelism = 13\n      }\n    }\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join(".kpulint.hcl"),
        "ignore {\n  paths  = [\"legacy/**\"]\n  rules  = [\"KPU004\"]\n  reason = \"legacy jobs are being migrated\"\n  until  = \"2027-03-01\"\n}\nignore {\n  paths  = [\"legacy/**\"]\n  rules  = [\"KPU006\"]\n  reason = \"matches nothing\"\n}\n",
    )
    .expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let fs: Vec<&Value> = v["findings"].as_array().expect("findings").iter().collect();
    let kpu004 = rule(&fs, "KPU004").expect("KPU004");
    assert_eq!(kpu004["suppressed"], true);
    assert_eq!(kpu004["suppression"]["kind"], "external");
    assert_eq!(kpu004["suppression"]["reason"], "legacy jobs are being migrated");
    let unused = rule(&fs, "KPU901").expect("unused ignore block");
    assert_eq!(unused["file"], ".kpulint.hcl");
    assert_eq!(unused["line"], 7);
    assert_eq!(out.status.code(), Some(0), "only a note remains");

    // After the until date the finding is active again and a note says why.
    let out = kpulint()
        .current_dir(dir.path())
        .env("KPULINT_TODAY", "2027-03-02")
        .args([".", "--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let fs: Vec<&Value> = v["findings"].as_array().expect("findings").iter().collect();
    assert_eq!(rule(&fs, "KPU004").expect("KPU004")["suppressed"], false);
    assert!(rule(&fs, "KPU902").is_some());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn config_ignore_without_reason_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".kpulint.hcl"), "ignore {\n  rules = [\"KPU004\"]\n}\n").expect("write");
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_kinesisanalyticsv2_application\" \"a\" {\n  runtime_environment = \"FLINK-1_20\"\n}\n",
    )
    .expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let e = &v["errors"][0];
    assert_eq!(e["file"], ".kpulint.hcl");
    assert_eq!(e["line"], 1);
    assert!(e["message"].as_str().unwrap_or("").contains("reason"));
}

#[test]
fn baseline_accepts_recorded_findings_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = |name: &str, p: u32| {
        format!(
            "# kpulint: state_size=240GB required_parallelism=10\nresource \"aws_kinesisanalyticsv2_application\" \"{name}\" {{\n  runtime_environment = \"FLINK-1_20\"\n  application_configuration {{\n    flink_application_configuration {{\n      parallelism_configuration {{\n        configuration_type = \"CUSTOM\"\n        auto_scaling_enabled = false\n        parallelism = {p}\n      }}\n    }}\n  }}\n}}\n"
        )
    };
    std::fs::write(dir.path().join("main.tf"), app("a", 13)).expect("write");
    let baseline = dir.path().join("baseline.json");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "recorded findings are accepted");
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline")).expect("json");
    assert_eq!(recorded["findings"][0]["rule"], "KPU004");

    // Unrelated edits (a comment added above) keep the fingerprint: still accepted.
    std::fs::write(dir.path().join("main.tf"), format!("# orders team\n\n{}", app("a", 13))).expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--baseline"])
        .arg(&baseline)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // A new application with the same fault fails.
    std::fs::write(
        dir.path().join("main.tf"),
        format!("{}\n{}", app("a", 13), app("b", 13)),
    )
    .expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--format", "json", "--baseline"])
        .arg(&baseline)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let active: Vec<&Value> = v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert_eq!(active.len(), 1);
    assert!(active[0]["application"].as_str().unwrap_or("").ends_with(".b"));

    // Fix the original: rewriting the baseline reports its stale entry.
    std::fs::write(dir.path().join("main.tf"), app("a", 10)).expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("no longer matches"), "{text}");
}

#[test]
fn malformed_baseline_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("baseline.json"), "{ not json").expect("write");
    let out = kpulint()
        .current_dir(dir.path())
        .args([".", "--baseline", "baseline.json", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["errors"][0]["file"], "baseline.json");
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = kpulint().args(["completions", shell]).output().expect("run");
        assert!(out.status.success(), "{shell}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("kpulint"), "{shell}");
    }
    let out = kpulint().arg("man").output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH kpulint 1"));
}

#[test]
fn closed_pipe_is_not_a_panic() {
    let bin = assert_cmd::cargo::cargo_bin("kpulint");
    for args in [
        vec!["rules"],
        vec!["completions", "bash"],
        vec!["explain", "KPU004"],
        vec![FIXTURE, "--color", "never"],
    ] {
        let script = format!(
            "'{}' {} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
            bin.display(),
            args.join(" ")
        );
        let out = Std::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("bash");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{args:?}: {:?} {stderr}",
            out.status.code()
        );
    }
}

/// Reports are written while they are rendered, so a closed pipe meets the renderer itself
/// (serde_json for the JSON formats): the exit code still says what was found, and nothing
/// is reported about the pipe.
#[test]
fn report_into_a_closed_pipe_keeps_the_exit_code() {
    let bin = assert_cmd::cargo::cargo_bin("kpulint");
    for format in ["human", "json", "sarif", "junit"] {
        let args = [FIXTURE, "--format", format, "--color", "never"];
        let expected = kpulint().args(args).output().expect("run").status.code();
        let (reader, writer) = std::io::pipe().expect("pipe");
        // Closed before kpulint starts: its first write fails, every time.
        drop(reader);
        let out = Std::new(&bin)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("KPULINT_TODAY", "2026-11-26")
            .stdout(writer)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), expected, "{format}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{format}: {stderr}");
    }
}

#[test]
fn help_documents_exit_codes() {
    let out = kpulint().arg("--help").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Exit codes:") && text.contains("KPULINT_TODAY"), "{text}");
}

#[test]
fn stdin_works_with_every_format() {
    let tf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/formats/cloudformation-json/template.json"),
    )
    .expect("example");
    for format in ["human", "json", "sarif", "github", "junit", "checkstyle", "compact"] {
        let out = kpulint()
            .args(["-", "--format", format])
            .write_stdin(tf.clone())
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("KPU004"), "{format}: {stdout}");
    }
}
