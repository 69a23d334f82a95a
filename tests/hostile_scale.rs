//! Inputs that are large in one dimension give the right results (issue 17, "bounded cost"):
//! a `for_each` over a literal map larger than the instance limit (read, and stopped with a
//! located error), every instance of a large map traced to its own entry (and fixed there), a map of thousands of entries in `terraform.tfvars`, a one-line plan of
//! 10,000 applications located at their exact columns. How long they take is measured by
//! `benches/scale.sh` (benches/README.md), not here; the sizes here keep a debug build fast.

mod hcl_support;

use std::path::Path;

use hcl_support::{findings, flink_app, json, run};
use serde_json::Value;

const FLINK: &str = "aws_kinesisanalyticsv2_application";

/// An application whose parallelism is read through `each.value` from `collection`; 240 GB of
/// declared state needs 10 KPUs, so each entry's 12 is a KPU004 finding fixed to 10.
fn application(collection: &str) -> String {
    let declaration = "# kpulint: state_size=240GB required_parallelism=4";
    flink_app("app", declaration, "each.value.parallelism", "1", "false").replacen(
        "\"app\" {\n",
        &format!("\"app\" {{\n  for_each = {collection}\n"),
        1,
    )
}

const PROVIDER: &str = "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n\n";

/// `  app000042 = { parallelism = 12 }` lines.
fn entries(n: usize) -> String {
    (0..n)
        .map(|i| format!("  app{i:06} = {{ parallelism = 12 }}\n"))
        .collect()
}

/// A `for_each` over a map of `n` entries written in `locals`.
fn map_in_locals(dir: &Path, n: usize) -> String {
    let text = format!(
        "{PROVIDER}locals {{\n  apps = {{\n{}  }}\n}}\n\n{}",
        entries(n),
        application("local.apps")
    );
    std::fs::write(dir.join("main.tf"), &text).unwrap();
    text
}

/// 1-based line of the first line of `text` starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

#[test]
fn a_for_each_map_above_the_instance_limit_is_read_and_stopped_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = map_in_locals(dir.path(), 200_001);
    let (code, report) = json(dir.path(), &["."]);
    assert_eq!(code, 2, "{report:#}");
    assert!(report["applications"].as_array().unwrap().is_empty());
    let [error] = report["errors"].as_array().unwrap().as_slice() else {
        panic!("{:#}", report["errors"])
    };
    assert_eq!(
        error["message"],
        "more than 200000 resource and module instances in one root module; the rest are not evaluated"
    );
    assert_eq!(error["file"], "main.tf");
    assert_eq!(error["line"], line_of(&text, "resource ") as u64);
    assert_eq!(error["column"], 1);
}

#[test]
fn every_instance_of_a_large_for_each_map_is_traced_to_and_fixed_at_its_entry() {
    const N: usize = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let text = map_in_locals(dir.path(), N);
    let (code, report) = json(dir.path(), &["."]);
    assert_eq!(code, 1, "{:#}", report["errors"]);
    assert_eq!(report["applications"].as_array().unwrap().len(), N);
    let kpu004 = findings(&report, "KPU004");
    assert_eq!(kpu004.len(), N);
    // Each instance's finding points at the resource and, as related, at its own map entry.
    let first_entry = line_of(&text, "  app000000 ");
    for f in &kpu004 {
        let app = f["application"].as_str().unwrap();
        let key: usize = app
            .trim_end_matches("\"]")
            .rsplit("app")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let related = &f["related"][0];
        assert_eq!(related["line"], (first_entry + key) as u64, "{f:#}");
        assert_eq!(related["column"], "  app000000 = { parallelism = ".len() as u64 + 1);
        assert_eq!(
            related["end_column"],
            "  app000000 = { parallelism = 12".len() as u64 + 1
        );
    }
    // `--fix` writes 10 into every entry, and only there.
    let fix = run(dir.path(), &[".", "--fix"]);
    assert!(fix.code < 2, "{}", fix.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert_eq!(fixed, text.replace("{ parallelism = 12 }", "{ parallelism = 10 }"));
    let (_, after) = json(dir.path(), &["."]);
    assert!(findings(&after, "KPU004").is_empty());
    assert_eq!(after["applications"].as_array().unwrap().len(), N);
}

#[test]
fn a_large_map_in_terraform_tfvars_is_traced_to_its_entries() {
    const N: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let variable = "variable \"apps\" {\n  type = map(object({ parallelism = number }))\n}\n\n";
    std::fs::write(
        dir.path().join("main.tf"),
        format!("{PROVIDER}{variable}{}", application("var.apps")),
    )
    .unwrap();
    let tfvars = format!("apps = {{\n{}}}\n", entries(N));
    std::fs::write(dir.path().join("terraform.tfvars"), &tfvars).unwrap();
    let (code, report) = json(dir.path(), &["."]);
    assert_eq!(code, 1, "{:#}", report["errors"]);
    assert_eq!(report["applications"].as_array().unwrap().len(), N);
    let last = findings(&report, "KPU004")
        .into_iter()
        .find(|f| f["application"] == format!("{FLINK}.app[\"app{:06}\"]", N - 1))
        .unwrap();
    let related = &last["related"][0];
    assert_eq!(related["file"], "terraform.tfvars");
    assert_eq!(related["line"], (1 + N) as u64);
    assert_eq!(related["column"], "  app000000 = { parallelism = ".len() as u64 + 1);
}

/// A one-line plan of `n` for_each instances, each with parallelism 12 (KPU004); a tag with a
/// two-byte character before each, so that columns (characters) are not byte offsets.
fn one_line_plan(n: usize) -> String {
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"address":"{FLINK}.app[\"k{i}\"]","mode":"managed","type":"{FLINK}","name":"app","index":"k{i}","values":{{"runtime_environment":"FLINK-1_20","tags":{{"team":"équipe","kpulint:state_size":"240GB","kpulint:required_parallelism":"4"}},"application_configuration":[{{"flink_application_configuration":[{{"parallelism_configuration":[{{"configuration_type":"CUSTOM","auto_scaling_enabled":false,"parallelism":12,"parallelism_per_kpu":1}}]}}]}}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{}]}}}},"configuration":{{"provider_config":{{"aws":{{"name":"aws","expressions":{{"region":{{"constant_value":"eu-west-1"}}}}}}}}}}}}"#,
        resources.join(",")
    )
}

#[test]
fn a_one_line_plan_of_10000_applications_is_located_to_the_column() {
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let text = one_line_plan(N);
    assert!(!text.contains('\n'));
    std::fs::write(dir.path().join("plan.json"), &text).unwrap();
    let (code, report) = json(dir.path(), &["plan.json"]);
    assert_eq!(code, 1, "{:#}", report["errors"]);
    assert_eq!(report["applications"].as_array().unwrap().len(), N);
    let kpu004 = findings(&report, "KPU004");
    assert_eq!(kpu004.len(), N);
    // The last application's parallelism, at the far end of the line: its column counts
    // characters (each `équipe` before it is one character fewer than its bytes).
    let value = "\"parallelism\":12";
    let at = text.rfind(value).unwrap() + "\"parallelism\":".len();
    let column = text[..at].chars().count() + 1;
    assert!(column < at + 1 - (N - 1), "characters, not bytes");
    let last = kpu004
        .iter()
        .find(|f| f["application"] == format!("{FLINK}.app[\"k{}\"]", N - 1))
        .unwrap();
    assert_eq!(
        (&last["line"], &last["column"]),
        (&Value::from(1), &Value::from(column))
    );
    assert_eq!(last["end_column"], column + 2);
    // Human output does not quote the line; it names the place.
    let human = run(dir.path(), &["plan.json", "--color", "never"]).stdout;
    assert!(
        human.contains(&format!("at plan.json:1:{column}: 12")),
        "{}",
        &human[..2000.min(human.len())]
    );
}
