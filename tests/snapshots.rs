//! Snapshots of the human (`--color never`) and JSON outputs. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots`).

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// Human output, as a user sees it without colour.
fn human(path: &str, extra: &[&str]) -> String {
    let mut args = vec![path, "--color", "never"];
    args.extend_from_slice(extra);
    let r = run(&root(), &args);
    format!("exit code: {}\n{}", r.code, r.stdout)
}

/// JSON output with the tool version redacted, so a release does not change the snapshot.
fn json_doc(path: &str, extra: &[&str]) -> Value {
    let mut args = vec![path];
    args.extend_from_slice(extra);
    let (code, mut doc) = json(&root(), &args);
    doc["tool"]["version"] = Value::from("[version]");
    doc["exit_code (not part of the document)"] = Value::from(code);
    doc
}

#[test]
fn state_heavy_human() {
    insta::assert_snapshot!(human("examples/state-heavy", &[]));
}

#[test]
fn state_heavy_json() {
    insta::assert_json_snapshot!(json_doc("examples/state-heavy", &[]));
}

#[test]
fn multi_rule_human() {
    insta::assert_snapshot!(human("tests/fixtures/hcl/multi", &[]));
}

#[test]
fn multi_rule_json() {
    insta::assert_json_snapshot!(json_doc("tests/fixtures/hcl/multi", &[]));
}

#[test]
fn multi_rule_resolved_human() {
    insta::assert_snapshot!(human(
        "tests/fixtures/hcl/multi",
        &["--var", "ingest_parallelism=4", "--quiet"]
    ));
}

#[test]
fn malformed_beside_valid_human() {
    insta::assert_snapshot!(human("tests/fixtures/hcl/malformed-beside-valid", &[]));
}

#[test]
fn malformed_beside_valid_json() {
    insta::assert_json_snapshot!(json_doc("tests/fixtures/hcl/malformed-beside-valid", &[]));
}

#[test]
fn kpu011_underprovisioned_human() {
    insta::assert_snapshot!(human("examples/kpu011-underprovisioned", &[]));
}

#[test]
fn kpu012_max_parallelism_ceiling_human() {
    insta::assert_snapshot!(human("examples/kpu012-max-parallelism-ceiling", &[]));
}

#[test]
fn clean_human() {
    insta::assert_snapshot!(human("examples/clean", &[]));
}

#[test]
fn rules_table() {
    let r = run(&root(), &["rules"]);
    insta::assert_snapshot!(r.stdout);
}
