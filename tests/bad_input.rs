//! The bad-input battery (issue 8): every malformed, hostile or unusual input gives an exit code
//! that says so and a located message, never a crash, and the good application beside it is
//! still linted. Inputs Terraform accepts are linted as Terraform reads them.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// A repository with the clean example in `ok/` and `files` written beside it; runs
/// `kpulint .` and checks the clean application was linted.
fn beside_good_app(files: &[(&str, &[u8])]) -> (i32, Value) {
    let repo = Repo::new();
    repo.copy_dir("examples/clean", "ok");
    for (rel, bytes) in files {
        repo.write_bytes(rel, bytes);
    }
    let (code, doc) = repo.json(&["."]);
    assert!(
        doc["applications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["address"] == "aws_kinesisanalyticsv2_application.clean" && a["kpus"] == 6),
        "the good application beside is still linted: {doc:#}"
    );
    (code, doc)
}

/// The errors of a document as `(file, line, column, message)`.
fn errors(doc: &Value) -> Vec<(String, u64, u64, String)> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Exactly one error, in `file`, at a real position (line ≥ 1), whose message contains `what`.
fn one_error_in(doc: &Value, file: &str, what: &str) -> (u64, u64) {
    let errs = errors(doc);
    assert_eq!(errs.len(), 1, "{doc:#}");
    let (f, line, col, message) = &errs[0];
    assert_eq!(f, file, "{doc:#}");
    assert!(*line >= 1 && *col >= 1, "located: {doc:#}");
    assert!(message.contains(what), "{message:?} should contain {what:?}");
    (*line, *col)
}

/// A Flink application whose own file has `extra` appended (so its directory is fully parsed).
fn app_with(extra: &str) -> String {
    format!("{}\n{extra}", simple_app("fuzzed", "4"))
}

#[test]
fn byte_order_marks_are_not_content() {
    let bom = |s: &str| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
    let tf = bom(&simple_app("bom", "4"));
    let yaml = bom(
        "Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ServiceExecutionRole: r\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: 4\n            ParallelismPerKPU: 1\n            AutoScalingEnabled: false\n",
    );
    let json = bom(
        r#"{"resource": {"aws_kinesisanalyticsv2_application": {"j": {"name": "j", "runtime_environment": "FLINK-1_20", "service_execution_role": "r", "application_configuration": [{"flink_application_configuration": [{"parallelism_configuration": [{"configuration_type": "CUSTOM", "parallelism": 4, "parallelism_per_kpu": 1, "auto_scaling_enabled": false}]}]}]}}}}"#,
    );
    let (code, doc) = beside_good_app(&[("a/main.tf", &tf), ("b/app.yaml", &yaml), ("c/main.tf.json", &json)]);
    assert!(errors(&doc).is_empty(), "{doc:#}");
    assert_ne!(code, 2);
    assert_eq!(doc["summary"]["applications"], 4, "{doc:#}");
}

#[test]
fn crlf_line_endings_are_read_and_located() {
    let tf = simple_app("crlf", "0").replace('\n', "\r\n");
    let (_, doc) = beside_good_app(&[("a/main.tf", tf.as_bytes())]);
    let f = the_finding(&doc, "KPU001");
    assert_eq!(f["file"], "a/main.tf");
    assert_eq!(at(f), pos(&tf.replace("\r\n", "\n"), "0\n"));
}

#[test]
fn nul_bytes_are_a_located_syntax_error() {
    let tf = app_with("locals {\n  x\0 = 1\n}\n");
    let (code, doc) = beside_good_app(&[("a/main.tf", tf.as_bytes())]);
    assert_eq!(code, 2);
    let (line, _) = one_error_in(&doc, "a/main.tf", "invalid HCL");
    assert_eq!(line, pos(&tf, "\0").0);
}

#[test]
fn invalid_utf8_is_an_error_at_the_byte() {
    let mut bytes = simple_app("bad", "4").into_bytes();
    let at_byte = bytes.len() - 3;
    bytes.insert(at_byte, 0xFF);
    let (code, doc) = beside_good_app(&[("a/main.tf", &bytes)]);
    assert_eq!(code, 2);
    let (line, _) = one_error_in(&doc, "a/main.tf", "not valid UTF-8");
    assert_eq!(
        line as usize,
        bytes[..at_byte].iter().filter(|&&b| b == b'\n').count() + 1
    );
}

/// 10,000 levels of brackets in every format kpulint reads: an error, not a stack overflow.
#[test]
fn ten_thousand_levels_of_nesting_in_every_format() {
    let deep = |open: &str, close: &str| format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
    // (path, text, what the error says; None for a file that only carries the others).
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        (
            "hcl/main.tf",
            app_with(&format!("locals {{\n  x = {}\n}}\n", deep("[", "]"))),
            Some("invalid HCL"),
        ),
        (
            "hclobj/main.tf",
            app_with(&format!("locals {{\n  x = {}\n}}\n", deep("{a=", "}"))),
            Some("invalid HCL"),
        ),
        (
            "paren/main.tf",
            app_with(&format!("locals {{\n  x = {}\n}}\n", deep("(", ")"))),
            Some("invalid HCL"),
        ),
        (
            "json/main.tf.json",
            format!(
                r#"{{"locals": {{"x": {}}}, "resource": {{"aws_kinesisanalyticsv2_application": {{"j": {{}}}}}}}}"#,
                deep("[", "]")
            ),
            Some(""),
        ),
        (
            "plan/plan.json",
            format!(
                r#"{{"format_version": "1.2", "planned_values": {}, "x": "aws_kinesisanalyticsv2_application"}}"#,
                deep("[", "]")
            ),
            Some(""),
        ),
        (
            "cfn/t.json",
            format!(
                r#"{{"Resources": {{"A": {{"Type": "AWS::KinesisAnalyticsV2::Application", "Properties": {}}}}}}}"#,
                deep("[", "]")
            ),
            Some(""),
        ),
        (
            "yaml/t.yaml",
            format!(
                "Resources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties: {}\n",
                deep("[", "]")
            ),
            Some(""),
        ),
        ("vars/main.tf", app_with(""), None),
        (
            "vars/terraform.tfvars",
            format!("fuzz = {}\n", deep("[", "]")),
            Some("invalid HCL"),
        ),
        ("cfg/main.tf", app_with(""), None),
        (
            "cfg/.kpulint.hcl",
            format!("defaults {{\n  kpu_quota = {}\n}}\n", deep("[", "]")),
            Some("invalid HCL"),
        ),
    ];
    let files: Vec<(&str, &[u8])> = cases.iter().map(|(p, t, _)| (*p, t.as_bytes())).collect();
    let (code, doc) = beside_good_app(&files);
    assert_eq!(code, 2, "{doc:#}");
    let errs = errors(&doc);
    for (path, _, what) in &cases {
        let mine: Vec<_> = errs.iter().filter(|(f, ..)| f == path).collect();
        let Some(what) = what else {
            assert!(mine.is_empty(), "{path}: {mine:?}");
            continue;
        };
        assert!(!mine.is_empty(), "{path}: no error in {errs:#?}");
        assert!(
            mine.iter().all(|(_, line, col, _)| *line >= 1 && *col >= 1),
            "{path}: {mine:?}"
        );
        assert!(mine.iter().any(|(.., m)| m.contains(what)), "{path}: {mine:?}");
    }
}

#[test]
fn yaml_alias_bombs_are_bounded() {
    // Billion laughs: nine levels of nine aliases each.
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        yaml.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 9].join(", ")));
    }
    yaml.push_str("Resources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: *a9\n");
    let (code, doc) = beside_good_app(&[("cfn/bomb.yaml", yaml.as_bytes())]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        errors(&doc)
            .iter()
            .any(|(f, line, ..)| f == "cfn/bomb.yaml" && *line >= 1),
        "{doc:#}"
    );
}

#[test]
fn ten_megabyte_lines() {
    let long = "x".repeat(10 * 1024 * 1024);
    let tf = app_with(&format!("locals {{\n  long = \"{long}\"\n}}\n"));
    let broken = format!("locals {{\n  long = \"{long}\n}}\n");
    let (code, doc) = beside_good_app(&[("a/main.tf", tf.as_bytes()), ("b/main.tf", broken.as_bytes())]);
    assert_eq!(code, 2, "{doc:#}");
    let (line, _) = one_error_in(&doc, "b/main.tf", "invalid HCL");
    assert_eq!(line, 2);
    assert_eq!(doc["summary"]["applications"], 2);
}

/// `kpulint ARGS --format json` in `repo` by a user for whom mode-000 files are unreadable. Root
/// reads them (and CI runs as root), so root runs a copy of the binary as `nobody` (`setpriv`,
/// util-linux), with the repository opened to other users.
fn json_unprivileged(repo: &Repo, probe: &std::path::Path, args: &[&str]) -> (i32, Value) {
    use std::os::unix::fs::PermissionsExt;
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    if std::fs::read(probe).is_err() {
        let (code, doc) = repo.json(args);
        return (code, doc);
    }
    let open = |p: &std::path::Path| std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    open(repo.path());
    let bin_dir = tempfile::tempdir().unwrap();
    open(bin_dir.path());
    let bin = bin_dir.path().join("kpulint");
    std::fs::copy(assert_cmd::cargo::cargo_bin("kpulint"), &bin).unwrap();
    open(&bin);
    let mut cmd = assert_cmd::Command::new("setpriv");
    with_test_env(&mut cmd, repo.path());
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(&all);
    let run = exec(cmd);
    (run.code, run.json())
}

#[test]
fn unreadable_files_and_folders_are_errors_naming_them() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    repo.copy_dir("examples/clean", "ok");
    let secret = repo.write("locked/main.tf", &simple_app("locked", "4"));
    repo.write("closed/inner/main.tf", &simple_app("closed", "4"));
    let mode = |p: &std::path::Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(&secret, 0o000);
    mode(&repo.path().join("closed"), 0o000);
    let (code, doc) = json_unprivileged(&repo, &secret, &["."]);
    mode(&secret, 0o644);
    mode(&repo.path().join("closed"), 0o755);
    assert_eq!(code, 2, "{doc:#}");
    let errs = errors(&doc);
    assert!(
        errs.iter()
            .any(|(f, .., m)| f == "locked/main.tf" && m.contains("cannot read")),
        "{doc:#}"
    );
    assert!(
        errs.iter()
            .any(|(f, .., m)| f == "closed" && m.starts_with("cannot read folder closed: ")),
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["applications"], 1);
}

#[test]
fn multi_byte_spaces_in_suppressions_do_not_crash() {
    for space in ["\u{a0}", "\u{3000}"] {
        let tf = flink_app(
            "wasteful",
            &format!("# kpulint: state_size=10GB required_parallelism=4\n# kpulint-ignore: KPU004{space}reason=\"pasted from a wiki\""),
            "16",
            "1",
            "false",
        );
        let tags = flink_app("tagged", "", "16", "1", "false").replace(
            "  application_configuration {",
            &format!(
                "  tags = {{\n    \"kpulint:state_size\" = \"10GB\"\n    \"kpulint:required_parallelism\" = \"4\"\n    \"kpulint:ignore\" = \"KPU004{space}reason=\\\"x\\\"\"\n  }}\n\n  application_configuration {{"
            ),
        );
        let yaml = format!(
            "Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Metadata:\n      kpulint:\n        state_size: 10GB\n        required_parallelism: 4\n        ignore: [\"KPU004{space}reason=\\\"y\\\"\"]\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ServiceExecutionRole: r\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: 16\n            ParallelismPerKPU: 1\n            AutoScalingEnabled: false\n"
        );
        let (code, doc) = beside_good_app(&[
            ("a/main.tf", tf.as_bytes()),
            ("b/main.tf", tags.as_bytes()),
            ("c/app.yaml", yaml.as_bytes()),
        ]);
        assert_ne!(code, 2, "{doc:#}");
        // Each suppression works: KPU004 is suppressed, not reported as malformed.
        assert!(findings(&doc, "KPU900").is_empty(), "{doc:#}");
        let suppressed: Vec<&Value> = findings(&doc, "KPU004")
            .into_iter()
            .filter(|f| !f["suppressed"].is_null())
            .collect();
        assert_eq!(suppressed.len(), 3, "{space:?}: {doc:#}");
    }
}

#[test]
fn precheck_catches_what_the_readme_says_it_catches() {
    // In a directory without a Flink application, only the structural check runs.
    for bad in ["locals {\n  x = 1 +", "/x = 1\n", "locals {\n  x = 1 }\n"] {
        let (code, doc) = beside_good_app(&[("net/main.tf", bad.as_bytes())]);
        assert_eq!(code, 2, "{bad:?}: {doc:#}");
        one_error_in(&doc, "net/main.tf", "invalid HCL");
    }
}

#[test]
fn terraform_constructs_hcl_edit_rejects_are_read_everywhere() {
    // Each in a file no Flink application needs (precheck path) and in one that holds one.
    let constructs = [
        "locals {\n  tags = {\n    Name = \"a\"\n    Name = \"b\"\n  }\n}\n",
        "locals {\n  m = { for k, v in var.m : k => v != \"\" ? v :\n    \"none\" }\n}\n",
        "locals {\n  big = 1e400\n}\n",
    ];
    for c in constructs {
        let (code, doc) = beside_good_app(&[("net/main.tf", c.as_bytes()), ("app/main.tf", app_with(c).as_bytes())]);
        assert!(errors(&doc).is_empty(), "{c:?}: {doc:#}");
        assert_ne!(code, 2);
        assert_eq!(doc["summary"]["applications"], 2);
    }
}

/// 0.7 KB of locals that double an object 17 times, used by 60 applications: values are shared
/// (memory stays small) and reading them is bounded (work), reported where the read over the
/// limit happens, and the good
/// application beside it, in its own root module, is still linted.
#[test]
fn exponential_locals_are_too_expensive_not_a_hang() {
    let mut locals = String::from("locals {\n  a0 = { k = \"v\" }\n");
    for i in 1..=17 {
        locals.push_str(&format!("  a{i} = {{ x = local.a{p}, y = local.a{p} }}\n", p = i - 1));
    }
    locals.push_str("}\n");
    let app = simple_app("big", "length(local.a17) + 1").replace("{\n  name", "{\n  count = 60\n  name");
    let text = format!("{locals}{app}");
    assert!(locals.len() < 1100, "{}", locals.len());
    let (code, doc) = beside_good_app(&[("big/main.tf", text.as_bytes())]);
    assert_eq!(code, 2, "{doc:#}");
    let errs = errors(&doc);
    assert!(
        errs.iter()
            .all(|(f, .., m)| f == "big/main.tf" && m.contains("too expensive to evaluate")),
        "{errs:#?}"
    );
    // Located at the read that goes over the limit: a `local.aN` reference.
    let at_read = errs.iter().find(|(_, line, col, m)| {
        let source_line = text.lines().nth(*line as usize - 1).unwrap_or("");
        m.contains("reads more than") && source_line.find("local.a").map(|c| c + 1) == Some(*col as usize)
    });
    assert!(at_read.is_some(), "{errs:#?}");
}

/// Values that evaluation itself builds, doubling 30 times (8 GB) in 1–1.4 KB (strings by
/// template, `join`, `format`; lists by `concat`, then encoded): each stops at the budget with
/// a located error, and the good application beside them is still linted.
#[test]
fn values_built_by_doubling_are_bounded() {
    let doubled = |first: &str, step: &dyn Fn(&str) -> String, last: &str| {
        let mut locals = format!("locals {{\n  v0 = {first}\n");
        for i in 1..=30 {
            locals.push_str(&format!("  v{i} = {}\n", step(&format!("local.v{}", i - 1))));
        }
        locals.push_str(&format!("  last = {last}\n}}\n"));
        assert!(locals.len() < 1500, "{}", locals.len());
        format!("{locals}{}", simple_app("big", "length(local.last) > 0 ? 4 : 2"))
    };
    let cases = [
        (
            "template",
            doubled("\"aaaaaaaa\"", &|p| format!("\"${{{p}}}${{{p}}}\""), "local.v30"),
        ),
        (
            "join",
            doubled("\"aaaaaaaa\"", &|p| format!("join(\"\", [{p}, {p}])"), "local.v30"),
        ),
        (
            "format",
            doubled("\"aaaaaaaa\"", &|p| format!("format(\"%s%s\", {p}, {p})"), "local.v30"),
        ),
        (
            "concat",
            doubled(
                "[\"aaaaaaaa\"]",
                &|p| format!("concat({p}, {p})"),
                "jsonencode(local.v30)",
            ),
        ),
    ];
    let files: Vec<(String, String)> = cases.iter().map(|(n, t)| (format!("{n}/main.tf"), t.clone())).collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (p.as_str(), t.as_bytes())).collect();
    let (code, doc) = beside_good_app(&refs);
    assert_eq!(code, 2, "{doc:#}");
    let errs = errors(&doc);
    for (name, _) in &cases {
        let file = format!("{name}/main.tf");
        let mine: Vec<_> = errs.iter().filter(|(f, ..)| *f == file).collect();
        assert!(!mine.is_empty(), "{name}: {errs:#?}");
        assert!(
            mine.iter()
                .all(|(_, line, _, m)| *line >= 1 && (m.contains("too expensive") || m.contains("too long"))),
            "{name}: {mine:#?}"
        );
    }
}
