//! The command line: subcommands, flags, exit codes, output switches, directory walking, and
//! robustness against broken input (exit 2 or findings, never a panic).

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

const ALL_RULES: [&str; 13] = [
    "KPU001", "KPU002", "KPU003", "KPU004", "KPU005", "KPU006", "KPU007", "KPU008", "KPU009", "KPU010", "KPU900",
    "KPU901", "KPU902",
];

// ---------------------------------------------------------------------------------------------
// rules / explain
// ---------------------------------------------------------------------------------------------

#[test]
fn rules_lists_every_rule_with_name_and_severity() {
    let r = run(&root(), &["rules"]);
    assert_eq!(r.code, 0);
    for id in ALL_RULES {
        assert!(r.stdout.contains(id), "{id} missing:\n{}", r.stdout);
    }
    for (id, name, sev) in [
        ("KPU001", "invalid-parallelism", "error"),
        ("KPU002", "custom-values-ignored", "warning"),
        ("KPU003", "state-exceeds-storage", "error"),
        ("KPU004", "overscale-margin", "warning"),
        ("KPU005", "bundle-waste", "warning"),
        ("KPU006", "partial-kpu", "note"),
        ("KPU007", "kpu-quota", "warning"),
        ("KPU008", "undeclared-state", "note"),
        ("KPU009", "unresolved-value", "warning"),
        ("KPU010", "slow-rescale", "warning"),
    ] {
        let line = r
            .stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no line for {id}"));
        assert!(line.contains(name) && line.contains(sev), "{line}");
    }
}

#[test]
fn explain_prints_the_rule_page() {
    let r = run(&root(), &["explain", "KPU004"]);
    assert_eq!(r.code, 0);
    let page = std::fs::read_to_string(root().join("rules/KPU004.md")).unwrap();
    assert_eq!(r.stdout, page);
    assert!(r.stdout.starts_with("# KPU004 overscale-margin"));
    // By name and in lower case, too.
    assert_eq!(run(&root(), &["explain", "overscale-margin"]).stdout, page);
    assert_eq!(run(&root(), &["explain", "kpu004"]).stdout, page);
}

#[test]
fn explain_every_rule() {
    for id in ALL_RULES {
        let r = run(&root(), &["explain", id]);
        assert_eq!(r.code, 0, "{id}");
        assert!(r.stdout.starts_with(&format!("# {id} ")), "{id}");
    }
}

#[test]
fn explain_unknown_rule_is_exit_2() {
    let r = run(&root(), &["explain", "NOPE"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("NOPE"), "{}", r.stderr);
    assert_eq!(run(&root(), &["explain"]).code, 2, "missing argument");
}

// ---------------------------------------------------------------------------------------------
// Exit codes and --fail-on
// ---------------------------------------------------------------------------------------------

#[test]
fn fail_on_levels() {
    // (example, [error, warning, note, never])
    let cases = [
        ("kpu001-invalid-parallelism", [1, 1, 1, 0]), // errors
        ("kpu004-overscale-margin", [0, 1, 1, 0]),    // a warning
        ("kpu006-partial-kpu", [0, 0, 1, 0]),         // a note
        ("clean", [0, 0, 0, 0]),
    ];
    for (dir, codes) in cases {
        for (level, want) in ["error", "warning", "note", "never"].iter().zip(codes) {
            let r = run(&root(), &[&format!("examples/{dir}"), "--fail-on", level]);
            assert_eq!(r.code, want, "{dir} --fail-on {level}");
        }
        // Default is warning.
        let r = run(&root(), &[&format!("examples/{dir}")]);
        assert_eq!(r.code, codes[1], "{dir} default --fail-on");
    }
}

#[test]
fn input_errors_are_exit_2_for_every_fail_on() {
    let repo = Repo::new();
    repo.write("main.tf", "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n");
    for level in ["error", "warning", "note", "never"] {
        assert_eq!(repo.run(&[".", "--fail-on", level]).code, 2, "{level}");
    }
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [
        vec!["--fail-on", "bogus"],
        vec!["--format", "xml"],
        vec!["--color", "sometimes"],
        vec!["--no-such-flag"],
        vec!["--var"],
        vec!["--var", "novalue"],
        vec!["explain"],
    ] {
        let r = run(&root(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?}: a usage error explains itself");
    }
}

#[test]
fn help_and_version_are_exit_0() {
    let r = run(&root(), &["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--fail-on"));
    assert!(r.stdout.contains("--var-file"));
    let r = run(&root(), &["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("kpulint "));
}

// ---------------------------------------------------------------------------------------------
// Paths, the default command and walking
// ---------------------------------------------------------------------------------------------

#[test]
fn check_is_the_default_command() {
    let a = run(&root(), &["examples/state-heavy", "--format", "json"]);
    let b = run(&root(), &["check", "examples/state-heavy", "--format", "json"]);
    assert_eq!(a.code, b.code);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn default_path_is_the_current_directory() {
    let (code, doc) = json(&root().join("examples/kpu004-overscale-margin"), &[]);
    assert_eq!(code, 1);
    assert_eq!(locations(&doc), [("KPU004".into(), "main.tf".into(), 14, 32)]);
}

#[test]
fn paths_are_shown_relative_as_given() {
    let (_, doc) = json_at_root(&["./examples/kpu004-overscale-margin"]);
    assert_eq!(doc["findings"][0]["file"], "examples/kpu004-overscale-margin/main.tf");
    let (_, doc) = json_at_root(&["examples/kpu004-overscale-margin/"]);
    assert_eq!(doc["findings"][0]["file"], "examples/kpu004-overscale-margin/main.tf");
    let (_, doc) = json_at_root(&["examples/kpu004-overscale-margin/main.tf"]);
    assert_eq!(doc["findings"][0]["file"], "examples/kpu004-overscale-margin/main.tf");
    let (_, doc) = json(&root().join("examples/clean"), &["../kpu004-overscale-margin"]);
    assert_eq!(doc["findings"][0]["file"], "../kpu004-overscale-margin/main.tf");
    let abs = root().join("examples/kpu004-overscale-margin");
    let (_, doc) = json_at_root(&[abs.to_str().unwrap()]);
    assert_eq!(
        doc["findings"][0]["file"].as_str().unwrap(),
        abs.join("main.tf").to_str().unwrap()
    );
}

#[test]
fn several_paths_are_linted_together_and_counted() {
    let (code, doc) = json_at_root(&["examples/kpu004-overscale-margin", "examples/kpu006-partial-kpu"]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU004", "KPU006"]);
    assert_eq!(doc["summary"]["files"], 2);
    assert_eq!(doc["summary"]["applications"], 2);
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["summary"]["notes"], 1);
    assert_eq!(doc["summary"]["errors"], 0);
    // The same path twice counts once.
    let (_, doc) = json_at_root(&["examples/clean", "examples/clean/main.tf"]);
    assert_eq!(doc["summary"]["applications"], 1);
}

#[test]
fn walking_skips_terraform_git_hidden_and_gitignored() {
    let repo = Repo::new();
    let text = std::fs::read_to_string(root().join("examples/kpu008-undeclared-state/main.tf")).unwrap();
    for dir in ["app", ".terraform/modules/x", ".git/x", ".hidden", "ignored", "vendor"] {
        repo.write(&format!("{dir}/main.tf"), &text);
    }
    repo.write("vendor/copy.tf", &text.replace("\"undeclared\"", "\"copy\""));
    repo.write(".gitignore", "ignored/\nvendor/main.tf\n");
    let (_, doc) = repo.json(&[]);
    let files: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["app/main.tf", "vendor/copy.tf"]);
}

#[test]
fn each_directory_is_its_own_module() {
    let repo = Repo::new();
    for (dir, p) in [("a", 2), ("b", 3)] {
        repo.write(
            &format!("{dir}/vars.tf"),
            &format!("variable \"p\" {{\n  default = {p}\n}}\nlocals {{\n  name = \"{dir}\"\n}}\n"),
        );
        repo.write(&format!("{dir}/main.tf"), &simple_app(dir, "var.p"));
    }
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(app(&doc, "aws_kinesisanalyticsv2_application.a")["parallelism"], 2);
    assert_eq!(app(&doc, "aws_kinesisanalyticsv2_application.b")["parallelism"], 3);
    assert_eq!(doc["summary"]["files"], 4);
}

#[test]
fn nonexistent_path_is_exit_2_and_other_paths_are_still_linted() {
    let (code, doc) = json_at_root(&["no/such/dir", "examples/kpu004-overscale-margin"]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["file"], "no/such/dir");
    assert!(e["message"].as_str().unwrap().contains("no/such/dir"), "{e:#}");
    assert_eq!(rules(&doc), ["KPU004"]);
}

#[test]
fn a_file_named_explicitly_is_never_skipped() {
    let repo = Repo::new();
    repo.write("notes.txt", "hello");
    let (code, doc) = repo.json(&["notes.txt"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "notes.txt");
}

#[test]
fn symlinked_tf_files_are_linted() {
    let repo = Repo::new();
    repo.write(
        "shared/flink.tf",
        &std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap(),
    );
    std::fs::create_dir_all(repo.path().join("app")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../shared/flink.tf", repo.path().join("app/flink.tf")).unwrap();
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), ["KPU004"], "{doc:#}");
}

// ---------------------------------------------------------------------------------------------
// Malformed HCL beside a valid file
// ---------------------------------------------------------------------------------------------

fn assert_broken_and_valid(doc: &Value, broken: &str, valid_app: &str) {
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e["file"], broken);
    assert_eq!(at(e), (3, 25), "{e:#}");
    assert!(e["message"].as_str().unwrap().to_lowercase().contains("hcl"), "{e:#}");
    let a = app(doc, valid_app);
    assert_eq!(a["kpus"], 14);
    assert_eq!(rules(doc), ["KPU004"]);
    assert_eq!(doc["summary"]["applications"], 1);
}

const BROKEN: &str =
    "resource \"aws_kinesisanalyticsv2_application\" \"broken\" {\n  name = \"broken\"\n  runtime_environment = \n}\n";

#[test]
fn malformed_hcl_beside_a_valid_file_in_the_same_directory() {
    let (code, doc) = json(&root().join("tests/fixtures/hcl/malformed-beside-valid"), &["."]);
    assert_eq!(code, 2);
    assert_broken_and_valid(&doc, "broken.tf", "aws_kinesisanalyticsv2_application.offers");
    assert_eq!(doc["summary"]["files"], 2);
}

#[test]
fn malformed_hcl_in_another_directory() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu004-overscale-margin", "good");
    repo.write("bad/main.tf", BROKEN);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert_broken_and_valid(&doc, "bad/main.tf", "aws_kinesisanalyticsv2_application.offers");
}

#[test]
fn malformed_hcl_human_output_shows_both() {
    let r = run(
        &root().join("tests/fixtures/hcl/malformed-beside-valid"),
        &[".", "--color", "never"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("broken.tf:3:25"), "{}", r.stdout);
    assert!(r.stdout.contains("good.tf:14:32"), "{}", r.stdout);
    assert!(r.stdout.contains("KPU004"), "{}", r.stdout);
    let last = r.stdout.trim_end().lines().last().unwrap();
    assert_eq!(last, "1 application, 1 warning, 1 input error in 2 files");
}

#[test]
fn malformed_hcl_in_a_directory_without_flink_is_still_reported() {
    let repo = Repo::new();
    repo.copy_dir("examples/clean", "app");
    repo.write(
        "network/main.tf",
        "resource \"aws_vpc\" \"main\" {\n  cidr_block = \n}\n",
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "network/main.tf");
}

// ---------------------------------------------------------------------------------------------
// Output switches
// ---------------------------------------------------------------------------------------------

#[test]
fn summary_line() {
    let r = run(&root(), &["examples/state-heavy", "--color", "never"]);
    assert_eq!(r.stdout.lines().last().unwrap(), "1 application, 2 warnings in 3 files");
    let r = run(&root(), &["examples/clean", "--color", "never"]);
    assert_eq!(r.stdout, "1 application, no findings in 1 file\n");
    let r = run(
        &root(),
        &[
            "examples/kpu001-invalid-parallelism",
            "examples/kpu004-overscale-margin",
            "examples/kpu006-partial-kpu",
            "examples/kpu008-undeclared-state",
        ],
    );
    assert_eq!(
        r.stdout.lines().last().unwrap(),
        "4 applications, 1 error, 1 warning, 2 notes in 4 files"
    );
}

#[test]
fn human_output_has_location_snippet_label_rule_and_help() {
    let r = run(&root(), &["examples/kpu004-overscale-margin", "--color", "never"]);
    let out = &r.stdout;
    assert!(out.contains("examples/kpu004-overscale-margin/main.tf:14:32"), "{out}");
    assert!(out.contains("KPU004"), "{out}");
    assert!(out.contains("parallelism          = 14"), "snippet: {out}");
    assert!(out.contains("14 KPUs, 12 needed"), "label: {out}");
    assert!(out.contains("help:"), "{out}");
}

#[test]
fn quiet_prints_findings_only() {
    let r = run(&root(), &["examples/state-heavy", "--quiet", "--color", "never"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("KPU004") && r.stdout.contains("KPU005"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("1 application,"), "no summary: {}", r.stdout);
    assert!(!r.stdout.contains(" in 3 files"), "{}", r.stdout);
    let r = run(&root(), &["examples/clean", "-q"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
}

#[test]
fn quiet_json_is_still_the_full_document() {
    let a = run(&root(), &["examples/state-heavy", "-q", "--format", "json"]);
    let b = run(&root(), &["examples/state-heavy", "--format", "json"]);
    assert_eq!(a.json()["findings"], b.json()["findings"]);
}

#[test]
fn colour_switches() {
    let esc = "\u{1b}[";
    let dir = "examples/kpu004-overscale-margin";
    // NO_COLOR is set by the helper.
    assert!(!run(&root(), &[dir]).stdout.contains(esc));
    assert!(!run(&root(), &[dir, "--color", "never"]).stdout.contains(esc));
    assert!(!run(&root(), &[dir, "--color", "auto"]).stdout.contains(esc));
    assert!(run(&root(), &[dir, "--color", "always"]).stdout.contains(esc));
    // Without NO_COLOR, auto on a pipe is still plain.
    let mut cmd = kpulint(&root());
    cmd.env_remove("NO_COLOR").arg(dir);
    assert!(!exec(cmd).stdout.contains(esc));
    // JSON never has colour.
    assert!(!run(&root(), &[dir, "--color", "always", "--format", "json"])
        .stdout
        .contains(esc));
}

#[test]
fn output_is_deterministic() {
    let a = run(&root(), &["examples", "--format", "json"]);
    let b = run(&root(), &["examples", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    let a = run(&root(), &["examples", "--color", "never"]);
    let b = run(&root(), &["examples", "--color", "never"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn json_document_has_the_contract_fields() {
    let (_, doc) = json_at_root(&["examples"]);
    assert_eq!(doc["version"], 1);
    for a in doc["applications"].as_array().unwrap() {
        for k in [
            "address",
            "file",
            "line",
            "column",
            "configuration_type",
            "parallelism",
            "parallelism_per_kpu",
            "auto_scaling_enabled",
            "kpus",
            "billed_kpus",
            "running_storage_gb",
            "state_size_gb",
            "required_parallelism",
            "monthly_cost_usd",
        ] {
            assert!(a.get(k).is_some(), "application misses {k}: {a:#}");
        }
    }
    for f in doc["findings"].as_array().unwrap() {
        for k in [
            "rule",
            "name",
            "severity",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "help",
            "application",
        ] {
            assert!(f.get(k).is_some(), "finding misses {k}: {f:#}");
        }
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    for k in ["files", "applications", "errors", "warnings", "notes"] {
        assert!(doc["summary"].get(k).is_some(), "summary misses {k}");
    }
    assert!(doc["errors"].is_array());
    let r = run(&root(), &["no-such-path", "--format", "json"]);
    let e = &r.json()["errors"][0];
    for k in ["file", "line", "column", "message"] {
        assert!(e.get(k).is_some(), "error misses {k}: {e:#}");
    }
}

#[test]
fn output_file_option_writes_the_report() {
    let repo = Repo::new();
    let out = repo.path().join("report.json");
    let r = run(
        &root(),
        &["examples/clean", "--format", "json", "-o", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.is_empty());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(doc["summary"]["applications"], 1);
}

// ---------------------------------------------------------------------------------------------
// Robustness: broken input gives exit 2 or findings, never a panic (checked by `exec`)
// ---------------------------------------------------------------------------------------------

/// Lints `files` in both formats; returns the JSON exit code and document.
fn robust(files: &[(&str, &[u8])]) -> (i32, Value) {
    let repo = Repo::new();
    for (name, bytes) in files {
        repo.write_bytes(name, bytes);
    }
    let human = repo.run(&[".", "--color", "always"]);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(human.code, code, "human and JSON agree on the exit code");
    (code, doc)
}

#[test]
fn invalid_utf8_beside_a_valid_file() {
    let valid = std::fs::read(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap();
    let mut bad = b"locals {\n  x = \"caf".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(b"\"\n}\n");
    let (code, doc) = robust(&[("good.tf", &valid), ("bad.tf", &bad)]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["file"], "bad.tf");
    assert_eq!(at(e), (2, 11));
    assert!(e["message"].as_str().unwrap().contains("UTF-8"), "{e:#}");
    assert_eq!(rules(&doc), ["KPU004"]);
}

#[test]
fn empty_and_whitespace_files() {
    let (code, doc) = robust(&[("main.tf", b""), ("other.tf", b"\n\n   \n"), ("terraform.tfvars", b"")]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["applications"], 0);
}

#[test]
fn binary_garbage() {
    let mut garbage = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        garbage.push((x >> 16) as u8);
    }
    let (code, _) = robust(&[("main.tf", &garbage)]);
    assert_eq!(code, 2);
    // Garbage that happens to be valid UTF-8 and names the resource type.
    let text = "aws_kinesisanalyticsv2_application \u{0} {{{{ ]] \"\" = = \u{7f}";
    let (code, _) = robust(&[("main.tf", text.as_bytes())]);
    assert_eq!(code, 2);
}

#[test]
fn truncated_and_unbalanced_files() {
    let full = std::fs::read_to_string(root().join("examples/state-heavy/main.tf")).unwrap();
    // Every prefix at line boundaries: never a panic.
    let mut cut = 0;
    for (i, _) in full.match_indices('\n').step_by(3) {
        cut += 1;
        let (code, _) = robust(&[("main.tf", &full.as_bytes()[..i])]);
        assert!(code <= 2, "prefix {cut}");
    }
    for text in [
        "}",
        "resource \"aws_kinesisanalyticsv2_application\" {",
        "resource \"aws_kinesisanalyticsv2_application\" \"a\" \"b\" \"c\" {}",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n  application_configuration = 5\n}\n",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n  application_configuration {\n    flink_application_configuration = \"no\"\n  }\n}\n",
        "locals {\n  x = <<EOT\nnever closed\n",
        "variable \"p\" {\n  default = var.p\n}\n",
        "# kpulint: state_size=\nresource \"aws_kinesisanalyticsv2_application\" \"x\" {}\n",
        "# kpulint-ignore:\nresource \"aws_kinesisanalyticsv2_application\" \"x\" {}\n",
        "# kpulint: \"\nresource \"aws_kinesisanalyticsv2_application\" \"x\" {}\n",
        "# kpulint: state_size=\"240GB\nresource \"aws_kinesisanalyticsv2_application\" \"x\" {}\n",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n  # kpulint: state_size=1GB\n}\n# kpulint: state_size=1GB",
    ] {
        let (code, _) = robust(&[("main.tf", text.as_bytes())]);
        assert!(code <= 2, "{text}");
    }
}

#[test]
fn crlf_and_bom_keep_positions() {
    let text = std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    let (code, doc) = robust(&[("main.tf", &bytes)]);
    assert_eq!(code, 1);
    assert_eq!(locations(&doc), [("KPU004".into(), "main.tf".into(), 14, 32)]);
    assert_eq!(doc["findings"][0]["end_column"], 34);
}

#[test]
fn absurd_numbers() {
    let mut text = String::new();
    for (i, (p, per)) in [
        ("1e308", "1"),
        ("-5", "1"),
        ("2.5", "1"),
        ("4", "1e308"),
        ("4", "-1"),
        ("4", "0.5"),
        ("99999999999999999999999999", "1"),
        ("100000", "8"),
        ("100001", "8"),
        ("1e308 * 10", "1"),
        ("-0", "1"),
        ("0.0000001", "1"),
        ("pow(10, 400)", "1"),
        ("4 / 0", "1"),
        ("4 % 0", "1"),
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&flink_app(
            &format!("n{i:02}"),
            "# kpulint: state_size=999TB required_parallelism=1000000",
            p,
            per,
            "true",
        ));
    }
    let (code, doc) = robust(&[("main.tf", text.as_bytes())]);
    assert_eq!(code, 2, "overflowing arithmetic is an input error");
    let status = |n: &str| app(&doc, &format!("aws_kinesisanalyticsv2_application.{n}"))["status"].clone();
    for n in ["n00", "n01", "n02", "n03", "n04", "n05", "n06", "n08", "n10", "n11"] {
        assert_eq!(status(n), "invalid", "{n}");
    }
    assert_eq!(status("n07"), "sized");
    let kpu001 = findings(&doc, "KPU001");
    assert!(kpu001.len() >= 9, "{kpu001:#?}");
}

#[test]
fn absurd_declarations_and_config() {
    let app_text = flink_app(
        "a",
        "# kpulint: state_size=999999TB required_parallelism=1000000",
        "100000",
        "8",
        "true",
    );
    let cfg = "defaults {\n  storage_factor = 100\n  kpu_quota = 1000000\n  rescale_gb_per_minute = 0.001\n  slow_rescale_minutes = 0\n  overscale_margin = \"0%\"\n  bundle_waste = \"1000%\"\n}\n";
    let (code, doc) = robust(&[("main.tf", app_text.as_bytes()), (".kpulint.hcl", cfg.as_bytes())]);
    assert!(code <= 2);
    assert!(doc["applications"][0]["kpus"].is_u64() || code == 2, "{doc:#}");
}

#[test]
fn deeply_nested_expressions() {
    let deep_parens = format!("{}4{}", "(".repeat(500), ")".repeat(500));
    let deep_unary = format!("{}4", "-".repeat(5000));
    let deep_cond = format!("{}4{}", "true ? ".repeat(2000), " : 1".repeat(2000));
    let long_sum = format!("{}4", "0 + ".repeat(5000));
    let deep_calls = format!("{}4{}", "max(".repeat(2000), ")".repeat(2000));
    let deep_lists = format!("length({}4{})", "[".repeat(2000), "]".repeat(2000));
    let deep_template = format!("{}4{}", "\"${".repeat(300), "}\"".repeat(300));
    let ok_parens = format!("{}4{}", "(".repeat(30), ")".repeat(30));
    let ok_sum = format!("{}4", "0 + ".repeat(100));
    for (name, expr) in [
        ("parens", &deep_parens),
        ("unary", &deep_unary),
        ("cond", &deep_cond),
        ("sum", &long_sum),
        ("calls", &deep_calls),
        ("lists", &deep_lists),
        ("template", &deep_template),
    ] {
        let text = simple_app("x", expr);
        let (code, _) = robust(&[("main.tf", text.as_bytes())]);
        assert!(code <= 2, "{name}");
    }
    for expr in [&ok_parens, &ok_sum] {
        let text = simple_app("x", expr);
        let (code, doc) = robust(&[("main.tf", text.as_bytes())]);
        assert_eq!(code, 0, "{doc:#}");
        assert_eq!(only_app(&doc)["parallelism"], 4);
    }
}

#[test]
fn huge_instance_counts_and_collections() {
    let text = simple_app("x", "4").replace(
        "  name                   = \"x\"",
        "  count                  = 100000\n  name                   = \"x\"",
    );
    let (code, doc) = robust(&[("main.tf", text.as_bytes())]);
    assert_eq!(code, 2, "count above the limit is an error: {doc:#}");
    let text = simple_app("x", "length([for i in range(1024) : [for j in range(1024) : j]])");
    let (code, doc) = robust(&[("main.tf", text.as_bytes())]);
    assert!(code <= 2);
    if code != 2 {
        assert_eq!(only_app(&doc)["parallelism"], 1024);
    }
}

#[test]
fn odd_function_arguments() {
    for expr in [
        "element([], 0)",
        "element([1, 2], 1e300)",
        "slice([1, 2], 0, 1e300)",
        "parseint(\"zz\", 1e300)",
        "range(-1e308, 1e308)",
        "range(0, 10, 0)",
        "format(\"%\")",
        "format(\"%d\", 1e308)",
        "lookup(4, \"a\")",
        "coalesce()",
        "min()",
        "max([])",
        "tonumber(\"nan\")",
        "tonumber(\"inf\")",
        "substr(\"abc\", -10, -1)",
        "title(\"\")",
        "split(\"\", \"abc\")[0]",
        "[1, 2][5]",
        "{ a = 1 }[\"b\"]",
        "var.nope",
        "local.nope",
        "each.key",
        "count.index",
        "self.x",
        "path.nope",
        "provider::aws::arn_parse(\"x\")",
        "\"%{ if true }4%{ endif }\"",
        "[for x in [1, 2] : x][*]",
        "try()",
        "can(1, 2)",
        "max(1, 2)...",
    ] {
        let text = simple_app("x", expr);
        let (code, _) = robust(&[("main.tf", text.as_bytes())]);
        assert!(code <= 2, "{expr}");
    }
}

#[test]
fn odd_identifiers_and_unicode() {
    let text = simple_app("ünïcödé_名前", "4")
        + "# kpulint: state_size=240GB\u{a0}required_parallelism=4\nresource \"aws_kinesisanalyticsv2_application\" \"nbsp\" {}\n"
        + "resource \"aws_kinesisanalyticsv2_application\" \"emoji\" {\n  # kpulint-ignore: KPU008 reason=\"🚀\"\n  runtime_environment = \"FLINK-1_20\"\n}\n";
    let (code, doc) = robust(&[("main.tf", text.as_bytes())]);
    assert!(code <= 2, "{doc:#}");
}

// ---------------------------------------------------------------------------------------------
// Known bugs around explicit paths and duplicated errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_file_named_explicitly_is_linted_with_its_module() {
    let (code, doc) = json_at_root(&["examples/state-heavy/main.tf"]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

#[test]
fn a_tfvars_file_named_explicitly_is_not_skipped_silently() {
    let r = run(&root(), &["examples/state-heavy/terraform.tfvars", "--format", "json"]);
    let doc = r.json();
    let said_something =
        !doc["errors"].as_array().unwrap().is_empty() || !doc["notices"].as_array().unwrap().is_empty();
    assert!(said_something, "{doc:#}");
}

#[test]
fn a_bad_provider_region_is_reported_once() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "provider \"aws\" {{\n  region = [\"us-east-1\"]\n}}\n{}{}",
            simple_app("a", "4"),
            simple_app("b", "4")
        ),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1, "{:#}", doc["errors"]);
}

#[test]
fn inline_suppression_hides_a_finding_from_the_exit_code() {
    let repo = Repo::new();
    let text = std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf"))
        .unwrap()
        .replace(
            "        parallelism          = 14",
            "        # kpulint-ignore: KPU004 reason=\"peak season\" until=2027-01-31\n        parallelism          = 14",
        );
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(doc["summary"]["warnings"], 0);
    // Expired: active again, plus a note.
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"]).env("KPULINT_TODAY", "2027-02-01");
    let doc = exec(cmd).json();
    assert_eq!(rules(&doc), ["KPU902", "KPU004"], "{doc:#}");
}

/// `--color auto` on a terminal: colour unless NO_COLOR is set (needs util-linux `script`).
#[cfg(target_os = "linux")]
#[test]
fn colour_auto_on_a_terminal_honours_no_color() {
    let Ok(script) = which_script() else { return };
    let bin = env!("CARGO_BIN_EXE_kpulint");
    let cmdline = format!("{bin} examples/kpu004-overscale-margin --color auto");
    let tty = |no_color: bool| {
        let mut cmd = std::process::Command::new(&script);
        cmd.args(["-qec", &cmdline, "/dev/null"]).current_dir(root());
        cmd.env_remove("NO_COLOR").env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("script");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = tty(false);
    assert!(coloured.contains("KPU004"), "{coloured}");
    assert!(coloured.contains("\u{1b}["), "colour on a terminal: {coloured:?}");
    let plain = tty(true);
    assert!(plain.contains("KPU004"), "{plain}");
    assert!(!plain.contains("\u{1b}["), "NO_COLOR: {plain:?}");
}

#[cfg(target_os = "linux")]
fn which_script() -> Result<std::path::PathBuf, ()> {
    ["/usr/bin/script", "/bin/script"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
        .ok_or(())
}
