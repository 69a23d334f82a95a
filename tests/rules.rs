//! Every rule fires on its example at the exact attribute, and stays silent where it should not.
//! Runs the real binary on `examples/` and on generated repositories.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// Runs one example directory from the crate root.
fn example(dir: &str) -> (i32, Value) {
    json_at_root(&[&format!("examples/{dir}")])
}

fn main_tf(dir: &str) -> String {
    format!("examples/{dir}/main.tf")
}

/// Asserts the example reports exactly `expected` rules (in output order).
fn assert_rules(doc: &Value, expected: &[&str]) {
    assert_eq!(rules(doc), expected, "findings: {:#}", doc["findings"]);
    assert!(
        doc["errors"].as_array().unwrap().is_empty(),
        "errors: {:#}",
        doc["errors"]
    );
}

fn msg(f: &Value) -> &str {
    f["message"].as_str().unwrap()
}

fn help(f: &Value) -> &str {
    f["help"].as_str().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The examples: each triggers its rule at the exact value.
// ---------------------------------------------------------------------------------------------

#[test]
fn kpu001_fires_on_parallelism_per_kpu_above_8() {
    // `terraform plan` rejects parallelism = 0 but accepts parallelism_per_kpu = 10.
    let dir = "kpu001-invalid-parallelism";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU001"]);
    let f = the_finding(&doc, "KPU001");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism_per_kpu  = "));
    assert_eq!(f["severity"], "error");
    assert_eq!(f["name"], "invalid-parallelism");
    assert_eq!(f["file"], main_tf(dir));
    assert_eq!(f["application"], "aws_kinesisanalyticsv2_application.invalid");
    assert!(msg(f).contains("parallelism_per_kpu = 10"), "{}", msg(f));
    // Label covers exactly the value.
    assert_eq!(f["end_column"].as_u64().unwrap(), f["column"].as_u64().unwrap() + 2);
    // An invalid application is not sized.
    let a = only_app(&doc);
    assert_eq!(a["kpus"], Value::Null);
    assert_eq!(a["monthly_cost_usd"], Value::Null);
}

#[test]
fn kpu002_fires_on_configuration_type_default() {
    let dir = "kpu002-custom-values-ignored";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU002"]);
    let f = the_finding(&doc, "KPU002");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "configuration_type   = "));
    assert_eq!(
        f["end_column"].as_u64().unwrap(),
        f["column"].as_u64().unwrap() + 9,
        "label on \"DEFAULT\""
    );
    assert_eq!(f["severity"], "warning");
    // Only values that differ from what the service runs anyway are named: the example writes
    // parallelism 8 (ignored), but parallelism_per_kpu 1 and autoscaling on are the defaults.
    assert!(msg(f).contains("ignores the parallelism written"), "{}", msg(f));
    assert!(!msg(f).contains("parallelism_per_kpu"), "{}", msg(f));
    assert!(!msg(f).contains("auto_scaling_enabled"), "{}", msg(f));
    // DEFAULT: the service runs parallelism 1, 1 per KPU, autoscaling on, whatever is written.
    let a = only_app(&doc);
    assert_eq!(a["configuration_type"], "DEFAULT");
    assert_eq!(a["parallelism"], 1);
    assert_eq!(a["parallelism_per_kpu"], 1);
    assert_eq!(a["auto_scaling_enabled"], true);
    assert_eq!(a["kpus"], 1);
    assert_eq!(a["billed_kpus"], 2);
    assert_eq!(a["running_storage_gb"], 50);
}

#[test]
fn kpu003_fires_at_parallelism_with_disk_figures() {
    let dir = "kpu003-state-exceeds-storage";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU003"]);
    let f = the_finding(&doc, "KPU003");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert_eq!(f["severity"], "error");
    assert!(msg(f).contains("480 GB"), "{}", msg(f));
    assert!(msg(f).contains("200 GB"), "{}", msg(f));
    assert!(help(f).contains("10"), "{}", help(f));
}

#[test]
fn kpu004_fires_with_margin_extra_kpus_and_cost() {
    let dir = "kpu004-overscale-margin";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU004"]);
    let f = the_finding(&doc, "KPU004");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["name"], "overscale-margin");
    let m = msg(f);
    assert!(m.contains("16.67%"), "margin: {m}");
    assert!(m.contains("2 extra KPUs"), "extra KPUs: {m}");
    assert!(m.contains("$170.60"), "cost: {m}");
    // The parallelism that would fit is named (message or help).
    let text = format!("{m} {}", help(f));
    assert!(
        text.contains("parallelism = 12") || text.contains("parallelism 12"),
        "{text}"
    );
    let a = only_app(&doc);
    assert_eq!(a["kpus"], 14);
    assert_eq!(a["billed_kpus"], 15);
    assert_eq!(a["running_storage_gb"], 700);
    assert_eq!(a["state_size_gb"], 56);
    assert_eq!(a["required_parallelism"], 12);
    // 15 × 730 × 0.11 + 700 × 0.10
    assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 1274.5);
}

#[test]
fn kpu004_message_itself_names_the_fitting_parallelism() {
    // state-heavy: parallelism 12, 10 KPUs needed at 1 per KPU, so parallelism 10 would fit.
    let (_, doc) = example("state-heavy");
    let f = the_finding(&doc, "KPU004");
    let m = msg(f);
    assert!(
        m.contains("parallelism 10") || m.contains("parallelism = 10") || m.contains("10 would fit"),
        "{m}"
    );
}

#[test]
fn kpu005_fires_with_disk_only_kpus_and_cost() {
    let dir = "kpu005-bundle-waste";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU005"]);
    let f = the_finding(&doc, "KPU005");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert_eq!(f["severity"], "warning");
    let m = msg(f);
    assert!(m.contains("8 KPUs bought only for disk"), "{m}");
    assert!(m.contains("$642.40"), "8 × 730 × $0.11: {m}");
    assert!(m.contains("80%"), "{m}");
}

#[test]
fn kpu006_fires_with_the_two_nearest_multiples() {
    let dir = "kpu006-partial-kpu";
    let (code, doc) = example(dir);
    assert_eq!(code, 0, "a note does not fail the default --fail-on warning");
    assert_rules(&doc, &["KPU006"]);
    let f = the_finding(&doc, "KPU006");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert_eq!(f["severity"], "note");
    // Required parallelism 10: filling the third KPU (12) fits; dropping to 8 would not.
    assert_eq!(help(f), "set parallelism = 12 (3 KPUs)");
    assert_eq!(only_app(&doc)["kpus"], 3);
}

#[test]
fn kpu007_fires_above_the_default_quota_of_64() {
    let dir = "kpu007-kpu-quota";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU007"]);
    let f = the_finding(&doc, "KPU007");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert!(msg(f).contains("80 KPUs"), "{}", msg(f));
    assert!(msg(f).contains("64"), "{}", msg(f));
}

#[test]
fn kpu008_fires_at_the_resource_header() {
    let dir = "kpu008-undeclared-state";
    let (code, doc) = example(dir);
    assert_eq!(code, 0);
    assert_rules(&doc, &["KPU008"]);
    let f = the_finding(&doc, "KPU008");
    assert_eq!(
        at(f),
        pos_in(&main_tf(dir), "resource \"aws_kinesisanalyticsv2_application\"")
    );
    assert_eq!(f["severity"], "note");
    assert_eq!(only_app(&doc)["state_size_gb"], Value::Null);
}

#[test]
fn kpu009_fires_at_the_expression_and_names_the_fix() {
    let dir = "kpu009-unresolved-value";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU009"]);
    let f = the_finding(&doc, "KPU009");
    assert_eq!(at(f), pos_in(&main_tf(dir), "var.flink_parallelism\n"));
    assert_eq!(
        f["end_column"].as_u64().unwrap(),
        f["column"].as_u64().unwrap() + "var.flink_parallelism".len() as u64
    );
    assert!(msg(f).contains("flink_parallelism"), "{}", msg(f));
    assert!(help(f).contains("--var"), "{}", help(f));
    assert!(help(f).contains("--var-file"), "{}", help(f));
    let a = only_app(&doc);
    assert_eq!(a["status"], "unresolved");
    for k in [
        "parallelism",
        "kpus",
        "billed_kpus",
        "running_storage_gb",
        "monthly_cost_usd",
    ] {
        assert_eq!(a[k], Value::Null, "{k} must be null when it cannot be evaluated");
    }
}

#[test]
fn kpu009_example_is_fixed_by_var() {
    let (code, doc) = json_at_root(&["examples/kpu009-unresolved-value", "--var", "flink_parallelism=8"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(rules(&doc).is_empty(), "{doc:#}");
    let a = only_app(&doc);
    assert_eq!(a["parallelism"], 8);
    assert_eq!(a["kpus"], 8);
}

#[test]
fn kpu010_fires_at_auto_scaling_enabled() {
    let dir = "kpu010-slow-rescale";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU010"]);
    let f = the_finding(&doc, "KPU010");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "auto_scaling_enabled = "));
    assert!(msg(f).contains("about 20 minutes"), "{}", msg(f));
    assert_eq!(
        help(f),
        "size it statically: set auto_scaling_enabled = false (10 KPUs); or reduce the state"
    );
}

#[test]
fn clean_example_triggers_nothing() {
    let (code, doc) = example("clean");
    assert_eq!(code, 0);
    assert_rules(&doc, &[]);
    let r = run(&root(), &["examples/clean", "--fail-on", "note"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let a = only_app(&doc);
    assert_eq!(a["status"], "sized");
    assert_eq!(a["kpus"], 6);
    assert_eq!(a["needed_kpus"], 6);
}

#[test]
fn state_heavy_example_shows_overscale_and_bundle_waste_together() {
    let (code, doc) = example("state-heavy");
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU004", "KPU005"]);
    let a = only_app(&doc);
    assert_eq!(a["address"], "aws_kinesisanalyticsv2_application.orders_join");
    assert_eq!(a["file"], "examples/state-heavy/main.tf");
    assert_eq!(a["configuration_type"], "CUSTOM");
    assert_eq!(a["parallelism"], 12, "from terraform.tfvars");
    assert_eq!(a["parallelism_per_kpu"], 1, "variable default");
    assert_eq!(a["auto_scaling_enabled"], false);
    assert_eq!(a["kpus"], 12);
    assert_eq!(a["billed_kpus"], 13);
    assert_eq!(a["running_storage_gb"], 600);
    assert_eq!(a["state_size_gb"], 240);
    assert_eq!(a["required_parallelism"], 4);
    assert_eq!(a["needed_kpus"], 10);
    assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 1103.9);
    let over = the_finding(&doc, "KPU004");
    assert!(msg(over).contains("20%"), "{}", msg(over));
    assert!(msg(over).contains("$170.60"), "{}", msg(over));
    let waste = the_finding(&doc, "KPU005");
    assert!(msg(waste).contains("6 KPUs bought only for disk"), "{}", msg(waste));
    assert!(msg(waste).contains("$481.80"), "{}", msg(waste));
    // Both point at the parallelism expression in main.tf, with the tfvars value as related.
    let (line, col) = pos_after_in("examples/state-heavy/main.tf", "parallelism          = ");
    assert_eq!(at(over), (line, col));
    assert_eq!(at(waste), (line, col));
    let related = over["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["file"] == "examples/state-heavy/terraform.tfvars"),
        "{related:#?}"
    );
}

#[test]
fn kpu011_example_is_an_error_at_parallelism_with_autoscaling_off() {
    let dir = "kpu011-underprovisioned";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU011"]);
    let f = the_finding(&doc, "KPU011");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "parallelism          = "));
    assert_eq!(f["severity"], "error");
    assert!(
        msg(f).contains("parallelism 4 is below the required parallelism 16, and autoscaling is off"),
        "{}",
        msg(f)
    );
    assert_eq!(help(f), "set parallelism = 16 (16 KPUs)");
    let a = only_app(&doc);
    assert_eq!(a["needs"]["compute_kpus"], 16);
    assert_eq!(a["needs"]["storage_kpus"], 3);
    assert_eq!(a["needs"]["binding"], "compute");
    assert_eq!(a["recommendation"]["kpus"], 16);
    assert_eq!(a["recommendation"]["safe"], true);
}

#[test]
fn kpu011_with_autoscaling_on_is_a_warning_counting_the_doublings() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "app",
            "# kpulint: state_size=60GB required_parallelism=16",
            "4",
            "1",
            "true",
        ),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU011"], "{doc:#}");
    let f = the_finding(&doc, "KPU011");
    assert_eq!(f["severity"], "warning");
    // 4 → 8 → 16: two doublings, each a restart of 60 GB at 12 GB/min.
    assert!(
        msg(f).contains("it relies on 2 scale-ups (4 KPUs → 8 KPUs → 16 KPUs), about 5 minutes of restart each"),
        "{}",
        msg(f)
    );
}

#[test]
fn kpu012_example_fires_at_auto_scaling_enabled_with_the_derived_max_parallelism() {
    let dir = "kpu012-max-parallelism-ceiling";
    let (code, doc) = example(dir);
    assert_eq!(code, 1);
    assert_rules(&doc, &["KPU012"]);
    let f = the_finding(&doc, "KPU012");
    assert_eq!(at(f), pos_after_in(&main_tf(dir), "auto_scaling_enabled = "));
    assert_eq!(f["severity"], "warning");
    // Flink derives min(max(roundUpToPowerOfTwo(80 + 40), 128), 32768) = 128; 2 × 80 = 160.
    assert!(msg(f).contains("doubles parallelism 80 to 160"), "{}", msg(f));
    assert!(msg(f).contains("128"), "{}", msg(f));
    assert!(
        help(f).starts_with("set auto_scaling_enabled = false (20 KPUs)"),
        "{}",
        help(f)
    );
}

#[test]
fn whole_examples_directory_reports_each_rule_in_its_own_directory() {
    let (code, doc) = json_at_root(&["examples"]);
    assert_eq!(code, 1);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    let mut got: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let parts: Vec<&str> = file.split('/').collect();
            let dir = if parts[1] == "formats" {
                format!("formats/{}", parts[2])
            } else {
                parts[1].to_string()
            };
            (dir, f["rule"].as_str().unwrap().to_string())
        })
        .collect();
    got.dedup();
    let expected: Vec<(String, String)> = [
        // Evidence from CloudWatch and describe-application (its .kpulint.hcl reads it).
        ("evidence", "KPU004"),
        ("evidence", "KPU013"),
        // click_enrichment: parallelism 8 below the 9 KPUs its measured CPU needs.
        ("evidence", "KPU011"),
        ("evidence", "KPU014"),
        ("fleet", "KPU004"),
        ("fleet", "KPU005"),
        ("formats/cloudformation-json", "KPU004"),
        ("formats/cloudformation-json", "KPU005"),
        ("formats/cloudformation-yaml", "KPU004"),
        ("formats/cloudformation-yaml", "KPU005"),
        ("formats/plan", "KPU004"),
        ("formats/plan", "KPU005"),
        ("formats/terraform-hcl", "KPU004"),
        ("formats/terraform-hcl", "KPU005"),
        ("formats/terraform-json", "KPU004"),
        ("formats/terraform-json", "KPU005"),
        ("kpu001-invalid-parallelism", "KPU001"),
        ("kpu002-custom-values-ignored", "KPU002"),
        ("kpu003-state-exceeds-storage", "KPU003"),
        ("kpu004-overscale-margin", "KPU004"),
        ("kpu005-bundle-waste", "KPU005"),
        ("kpu006-partial-kpu", "KPU006"),
        ("kpu007-kpu-quota", "KPU007"),
        ("kpu008-undeclared-state", "KPU008"),
        ("kpu009-unresolved-value", "KPU009"),
        ("kpu010-slow-rescale", "KPU010"),
        ("kpu011-underprovisioned", "KPU011"),
        ("kpu012-max-parallelism-ceiling", "KPU012"),
        ("kpu013-declaration-disagrees-with-measurement", "KPU013"),
        ("kpu014-running-config-drift", "KPU014"),
        ("kpu015-stale-evidence", "KPU015"),
        // A declaration cut off by a blank line (KPU903) leaves its application undeclared
        // (KPU008); the second KPU903 is a declaration above an S3 bucket.
        ("kpu903-unattached-declaration", "KPU903"),
        ("kpu903-unattached-declaration", "KPU008"),
        ("kpu903-unattached-declaration", "KPU903"),
        ("state-heavy", "KPU004"),
        ("state-heavy", "KPU005"),
        ("whatif", "KPU004"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, expected);
    // 18 single-module examples plus the 2 applications of kpu903-unattached-declaration, the
    // 3 fleet instances, the same application in 5 formats, the 3 of evidence.
    assert_eq!(doc["summary"]["applications"], 31);
    // Findings are ordered by file, then position.
    let keys: Vec<(String, u64, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn examples_readme_lists_every_example_directory() {
    let readme = std::fs::read_to_string(root().join("examples/README.md")).expect("examples/README.md");
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(readme.contains(&format!("examples/{name}")), "README misses {name}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Silent where they should be: thresholds are strict, exact sizing passes.
// ---------------------------------------------------------------------------------------------

/// Lints one generated application and returns the document.
fn lint_one(decl: &str, parallelism: &str, per_kpu: &str, autoscaling: &str) -> Value {
    let repo = Repo::new();
    repo.write("main.tf", &flink_app("app", decl, parallelism, per_kpu, autoscaling));
    let (_, doc) = repo.json(&["."]);
    doc
}

#[test]
fn kpu001_is_silent_at_the_limits() {
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=8", "8", "8", "false");
    assert!(!rules(&doc).contains(&"KPU001".to_string()), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=1", "1", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
}

#[test]
fn kpu001_fires_for_negative_fractional_and_too_dense_values() {
    for (p, per, needle) in [("-5", "1", "-5"), ("2.5", "1", "2.5"), ("4", "9", "9"), ("4", "0", "0")] {
        let doc = lint_one("# kpulint: state_size=10GB", p, per, "false");
        let f = the_finding(&doc, "KPU001");
        assert!(msg(f).contains(needle), "{p}/{per}: {}", msg(f));
        assert_eq!(only_app(&doc)["kpus"], Value::Null);
    }
}

#[test]
fn kpu002_is_silent_without_written_values_and_for_custom() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        r#"# kpulint: state_size=10GB
resource "aws_kinesisanalyticsv2_application" "app" {
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type = "DEFAULT"
      }
    }
  }
}
"#,
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0);
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=4", "4", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
}

#[test]
fn kpu003_boundary_is_strict() {
    // 250 GB × 2.0 = 500 GB = 10 KPUs × 50 GB: fits.
    let doc = lint_one(
        "# kpulint: state_size=250GB required_parallelism=10",
        "10",
        "1",
        "false",
    );
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    // 250.1 GB does not.
    let doc = lint_one(
        "# kpulint: state_size=250.1GB required_parallelism=10",
        "10",
        "1",
        "false",
    );
    assert_eq!(rules(&doc), ["KPU003"], "{doc:#}");
}

#[test]
fn kpu003_uses_the_configured_floor_when_autoscaling_is_on() {
    // Autoscaling may add KPUs, but never goes below the configured parallelism: 4 KPUs = 200 GB.
    let doc = lint_one("# kpulint: state_size=120GB required_parallelism=4", "4", "1", "true");
    let f = the_finding(&doc, "KPU003");
    assert!(msg(f).contains("autoscaling floor"), "{}", msg(f));
}

#[test]
fn kpu004_boundary_is_strict() {
    // 11 KPUs for 10 needed: exactly 10%, not above the default threshold.
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=10", "11", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=10", "12", "1", "false");
    assert_eq!(rules(&doc), ["KPU004"], "{doc:#}");
}

#[test]
fn kpu004_needs_a_declared_need() {
    let doc = lint_one("", "40", "1", "false");
    assert_eq!(rules(&doc), ["KPU008"], "{doc:#}");
}

#[test]
fn kpu004_with_parallelism_per_kpu_suggests_whole_kpus() {
    // need: storage ceil(100×2/50)=4, compute ceil(6/2)=3 → 4 KPUs; 16/2 = 8 KPUs, 100% over.
    let doc = lint_one("# kpulint: state_size=100GB required_parallelism=6", "16", "2", "false");
    let f = the_finding(&doc, "KPU004");
    assert!(msg(f).contains("100%"), "{}", msg(f));
    assert!(msg(f).contains("4 extra KPUs"), "{}", msg(f));
    assert!(msg(f).contains("$341.20"), "4 × $85.30: {}", msg(f));
    assert!(help(f).contains("parallelism = 8"), "{}", help(f));
}

#[test]
fn kpu005_boundary_is_strict() {
    // storage 10, compute 5, kpus 10: exactly 50% idle, not above.
    let doc = lint_one("# kpulint: state_size=240GB required_parallelism=5", "10", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=240GB required_parallelism=4", "10", "1", "false");
    assert_eq!(rules(&doc), ["KPU005"], "{doc:#}");
}

#[test]
fn kpu005_needs_both_state_and_required_parallelism() {
    let doc = lint_one("# kpulint: state_size=240GB", "10", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
}

#[test]
fn kpu005_is_silent_when_compute_binds() {
    let doc = lint_one("# kpulint: state_size=20GB required_parallelism=10", "10", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
}

#[test]
fn kpu006_is_silent_for_whole_kpus_and_suggests_one_multiple_below_one_kpu() {
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=12", "12", "4", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=3", "3", "4", "false");
    let f = the_finding(&doc, "KPU006");
    assert_eq!(help(f), "set parallelism = 4 (1 KPU)");
}

#[test]
fn kpu007_boundary_and_quota_from_config() {
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=64", "64", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=65", "65", "1", "false");
    assert_eq!(rules(&doc), ["KPU007"], "{doc:#}");
    // With a raised quota it is silent.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=65",
            "65",
            "1",
            "false",
        ),
    );
    repo.write(".kpulint.hcl", "defaults {\n  kpu_quota = 100\n}\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(rules(&doc), Vec::<String>::new());
}

#[test]
fn kpu007_with_autoscaling_names_the_ceiling() {
    let doc = lint_one(
        "# kpulint: state_size=10GB required_parallelism=130",
        "130",
        "2",
        "true",
    );
    let f = the_finding(&doc, "KPU007");
    assert!(msg(f).contains("128"), "ceiling 2 × 64: {}", msg(f));
    assert_eq!(only_app(&doc)["autoscale_ceiling_parallelism"], 128);
}

#[test]
fn kpu008_is_silent_when_unsized() {
    // Unresolved and invalid applications are reported by KPU009 / KPU001 only.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!("variable \"p\" {{}}\n{}", flink_app("app", "", "var.p", "1", "false")),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(rules(&doc), ["KPU009"], "{doc:#}");
    let doc = lint_one("", "0", "1", "false");
    assert_eq!(rules(&doc), ["KPU001"], "{doc:#}");
}

#[test]
fn kpu010_boundary_and_autoscaling_off() {
    // 120 GB at 12 GB/min: exactly 10 minutes, not above.
    let doc = lint_one("# kpulint: state_size=120GB required_parallelism=8", "8", "1", "true");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    let doc = lint_one("# kpulint: state_size=121GB required_parallelism=9", "9", "1", "true");
    assert_eq!(rules(&doc), ["KPU010"], "{doc:#}");
    let doc = lint_one("# kpulint: state_size=121GB required_parallelism=9", "9", "1", "false");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
}

#[test]
fn kpu010_fires_for_default_configuration_at_configuration_type() {
    let repo = Repo::new();
    let text = r#"# kpulint: state_size=20GB
resource "aws_kinesisanalyticsv2_application" "app" {
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type = "DEFAULT"
      }
    }
  }
}
"#;
    repo.write("main.tf", text);
    repo.write(".kpulint.hcl", "defaults {\n  slow_rescale_minutes = 0.5\n}\n");
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU010");
    assert_eq!(at(f), pos_after(text, "configuration_type = "));
}

// ---------------------------------------------------------------------------------------------
// Semantics: DEFAULT and missing blocks, SQL, Studio.
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_parallelism_configuration_means_service_defaults() {
    let repo = Repo::new();
    let text = r#"# kpulint: state_size=240GB
resource "aws_kinesisanalyticsv2_application" "bare" {
  name                   = "bare"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
}
"#;
    repo.write("main.tf", text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let a = only_app(&doc);
    assert_eq!(a["status"], "sized");
    assert_eq!(a["configuration_type"], "DEFAULT");
    assert_eq!(a["parallelism"], 1);
    assert_eq!(a["parallelism_per_kpu"], 1);
    assert_eq!(a["auto_scaling_enabled"], true);
    assert_eq!(a["kpus"], 1);
    assert_eq!(a["billed_kpus"], 2);
    assert_eq!(a["running_storage_gb"], 50);
    // 2 × 730 × 0.11 + 50 × 0.10
    assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 165.6);
    // 480 GB does not fit 50 GB; autoscaling on with 240 GB is slow. No attribute: the resource.
    assert_eq!(rules(&doc), ["KPU003", "KPU010"], "{doc:#}");
    let header = pos(text, "resource ");
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(at(f), header, "{f:#}");
    }
}

#[test]
fn missing_configuration_type_in_a_written_block_is_an_error() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        r#"# kpulint: state_size=10GB
resource "aws_kinesisanalyticsv2_application" "app" {
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        auto_scaling_enabled = true
      }
    }
  }
}
"#,
    );
    // Terraform requires configuration_type inside the block: an input error, never a guess.
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no configuration_type"),
        "{doc:#}"
    );
    let a = only_app(&doc);
    assert_eq!(a["status"], "invalid");
    assert_eq!(a["kpus"], Value::Null);
}

#[test]
fn values_written_without_configuration_type_are_not_ignored_silently() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        r#"# kpulint: state_size=10GB required_parallelism=8
resource "aws_kinesisanalyticsv2_application" "app" {
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        parallelism          = 8
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }
}
"#,
    );
    let (code, doc) = repo.json(&["."]);
    // Either an input error (Terraform rejects it) or KPU002 (the service ignores the values).
    assert!(code == 2 || rules(&doc).contains(&"KPU002".to_string()), "{doc:#}");
}

#[test]
fn sql_application_is_not_applicable_and_never_sized() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        r#"resource "aws_kinesisanalyticsv2_application" "legacy" {
  name                   = "legacy-sql"
  runtime_environment    = "SQL-1_0"
  service_execution_role = "arn:aws:iam::123456789012:role/sql"
}
"#,
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        rules(&doc),
        Vec::<String>::new(),
        "no KPU008 for an application that is never sized"
    );
    let a = only_app(&doc);
    assert_eq!(a["status"], "not_applicable");
    assert_eq!(a["applicable"], false);
    for k in ["kpus", "billed_kpus", "running_storage_gb", "monthly_cost_usd"] {
        assert_eq!(a[k], Value::Null, "{k}");
    }
    assert_eq!(doc["summary"]["applications"], 1, "still listed");
}

#[test]
fn studio_notebook_is_billed_two_extra_kpus() {
    let repo = Repo::new();
    let text = flink_app(
        "notebook",
        "# kpulint: state_size=10GB required_parallelism=4",
        "4",
        "1",
        "false",
    )
    .replace("FLINK-1_20", "ZEPPELIN-FLINK-3_0");
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let a = only_app(&doc);
    assert_eq!(a["kpus"], 4);
    assert_eq!(a["billed_kpus"], 6);
    assert_eq!(a["running_storage_gb"], 200);
    // 6 × 730 × 0.11 + 200 × 0.10
    assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 501.8);
}

#[test]
fn flink_application_is_billed_one_extra_kpu_and_storage_per_kpu() {
    let doc = lint_one("# kpulint: state_size=10GB required_parallelism=10", "10", "4", "false");
    let a = only_app(&doc);
    assert_eq!(a["kpus"], 3, "ceil(10 / 4)");
    assert_eq!(a["billed_kpus"], 4);
    assert_eq!(a["running_storage_gb"], 150);
    assert_eq!(a["autoscale_ceiling_parallelism"], 256, "4 × 64");
    // 4 × 730 × 0.11 + 150 × 0.10
    assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 336.2);
}

#[test]
fn several_applications_are_reported_in_file_then_position_order() {
    let repo = Repo::new();
    repo.write(
        "b.tf",
        &format!(
            "{}\n{}",
            flink_app("b_first", "", "4", "1", "false"),
            flink_app("b_second", "", "0", "1", "false")
        ),
    );
    repo.write(
        "a.tf",
        &flink_app(
            "a_only",
            "# kpulint: state_size=10GB required_parallelism=10",
            "10",
            "4",
            "false",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    let locs = locations(&doc);
    let files: Vec<&str> = locs.iter().map(|l| l.1.as_str()).collect();
    assert_eq!(files, ["a.tf", "b.tf", "b.tf"], "{locs:?}");
    assert_eq!(rules(&doc), ["KPU006", "KPU008", "KPU001"]);
    let addresses: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        [
            "aws_kinesisanalyticsv2_application.a_only",
            "aws_kinesisanalyticsv2_application.b_first",
            "aws_kinesisanalyticsv2_application.b_second"
        ]
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let repo = Repo::new();
    let text = flink_app("app", "", "/* é ü ß */ 0", "1", "false");
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU001");
    assert_eq!(at(f), pos_after(&text, "/* é ü ß */ "));
    assert_eq!(f["end_column"].as_u64().unwrap(), f["column"].as_u64().unwrap() + 1);
}
