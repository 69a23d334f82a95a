//! Valid Terraform that hcl-edit alone rejects (issue 8): kpulint reads it as `terraform plan`
//! does. Each case under tests/fixtures/terraform-accepted carries the plan Terraform made from
//! it (regenerate.sh); the source and the plan must give the same application.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// What matters of an application: address, parallelism, per KPU, KPUs, declared state (GB),
/// and the findings.
type Summary = (Value, Value, Value, Value, Value, Vec<String>);

fn summary(doc: &Value) -> Summary {
    let a = only_app(doc);
    (
        a["address"].clone(),
        a["parallelism"].clone(),
        a["parallelism_per_kpu"].clone(),
        a["kpus"].clone(),
        a["state_size_gb"].clone(),
        rules(doc),
    )
}

fn source_and_plan_agree(case: &str) -> Summary {
    let dir = format!("tests/fixtures/terraform-accepted/{case}");
    let (code, from_source) = json_at_root(&[&format!("{dir}/main.tf")]);
    assert!(error_messages(&from_source).is_empty(), "{from_source:#}");
    let (plan_code, from_plan) = json_at_root(&[&format!("{dir}/plan.json")]);
    assert_eq!(
        summary(&from_source),
        summary(&from_plan),
        "{from_source:#}\n{from_plan:#}"
    );
    assert_eq!(code, plan_code);
    summary(&from_source)
}

#[test]
fn a_key_written_twice_keeps_the_last_value() {
    let (address, parallelism, per_kpu, kpus, state_gb, rules) = source_and_plan_agree("duplicate-keys");
    assert_eq!(address, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(
        (parallelism, per_kpu, kpus, state_gb),
        (8.into(), 2.into(), 4.into(), 40.into())
    );
    // With the first tag (900GB) the state would exceed the 200 GB of storage.
    assert!(!rules.contains(&"KPU003".to_string()), "{rules:?}");
}

#[test]
fn a_conditional_broken_after_its_colon_inside_a_for_expression() {
    let (_, parallelism, per_kpu, kpus, state_gb, rules) = source_and_plan_agree("multiline-conditional");
    // The state size tag comes from the fallback branch: without it, KPU008.
    assert_eq!(
        (parallelism, per_kpu, kpus, state_gb),
        (4.into(), 2.into(), 2.into(), 30.into())
    );
    assert!(!rules.contains(&"KPU008".to_string()), "{rules:?}");
}

#[test]
fn a_number_beyond_f64_range_is_a_number_then_kpu001() {
    let path = "tests/fixtures/hcl/big-number/main.tf";
    let (code, doc) = json_at_root(&[path]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(error_messages(&doc).is_empty(), "{doc:#}");
    let f = the_finding(&doc, "KPU001");
    assert_eq!(f["file"], path);
    assert_eq!(
        (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()),
        pos_in(path, "local.parallelism\n")
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("local.parallelism (a number above 1.8e308)"),
        "{message}"
    );
    // A literal is shown as written; a negative one is below the minimum.
    let repo = Repo::new();
    repo.write("main.tf", &flink_app("a", "", "1e400", "1", "false"));
    repo.write("b/main.tf", &flink_app("b", "", "-2E+999", "1", "false"));
    let (_, doc) = repo.json(&["main.tf", "b/main.tf"]);
    let messages: Vec<&str> = findings(&doc, "KPU001")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{doc:#}");
    // Sorted by file: b/main.tf first.
    assert!(
        messages[0].starts_with("parallelism = -2E+999 is below the minimum"),
        "{messages:?}"
    );
    assert!(messages[1].starts_with("parallelism = 1e400 is above"), "{messages:?}");
}
