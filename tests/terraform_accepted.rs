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
    // Through --var, as a string converted to the variable's number type.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!("variable \"p\" {{\n  type = number\n}}\n{}", simple_app("v", "var.p")),
    );
    let (code, doc) = repo.json(&[".", "--var", "p=1e400"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = the_finding(&doc, "KPU001");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("parallelism = var.p (a number above 1.8e308) is above"),
        "{doc:#}"
    );
}

/// `(address, parallelism, per KPU, autoscaling)` of every application, sorted.
fn settings(doc: &Value) -> Vec<(String, Value, Value, Value)> {
    let mut out: Vec<_> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["address"].as_str().unwrap().to_string(),
                a["parallelism"].clone(),
                a["parallelism_per_kpu"].clone(),
                a["auto_scaling_enabled"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn settings_agree(case: &str) -> Vec<(String, Value, Value, Value)> {
    let dir = format!("tests/fixtures/terraform-accepted/{case}");
    let (_, from_source) = json_at_root(&[&dir]);
    assert!(error_messages(&from_source).is_empty(), "{from_source:#}");
    let (_, from_plan) = json_at_root(&[&format!("{dir}/plan.json")]);
    // The directory holds the plan too: keep the applications read from .tf files.
    let mut tf_only = from_source.clone();
    tf_only["applications"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["file"].as_str().is_some_and(|f| f.ends_with(".tf")));
    let source = settings(&tf_only);
    assert_eq!(source, settings(&from_plan), "{from_source:#}\n{from_plan:#}");
    source
}

#[test]
fn optional_attributes_take_their_defaults_as_terraform_plans_them() {
    let s = settings_agree("optional-defaults");
    let expected = [
        ("aws_kinesisanalyticsv2_application.root", 4, 2, false),
        ("module.flink.aws_kinesisanalyticsv2_application.this", 6, 3, false),
    ];
    assert_eq!(s.len(), 2, "{s:?}");
    for ((address, p, k, a), (ea, ep, ek, eauto)) in s.iter().zip(expected) {
        assert_eq!((address.as_str(), p, k, a), (ea, &ep.into(), &ek.into(), &eauto.into()));
    }
}

#[test]
fn null_module_arguments_follow_nullable() {
    let s = settings_agree("nullable");
    assert_eq!(
        s,
        [(
            "module.strict.aws_kinesisanalyticsv2_application.this".to_string(),
            8.into(),
            2.into(),
            false.into()
        )]
    );
}

#[test]
fn null_for_a_non_nullable_variable_without_default_is_an_error_at_the_argument() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        "module \"m\" {\n  source      = \"./m\"\n  parallelism = null\n}\n",
    );
    repo.write(
        "m/main.tf",
        &format!(
            "variable \"parallelism\" {{\n  type     = number\n  nullable = false\n}}\n{}",
            simple_app("a", "var.parallelism")
        ),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errs = doc["errors"].as_array().unwrap();
    assert_eq!(errs.len(), 1, "{doc:#}");
    assert_eq!(errs[0]["file"], "main.tf");
    assert_eq!(at(&errs[0]), (3, 17));
    assert!(errs[0]["message"].as_str().unwrap().contains("not nullable"), "{doc:#}");
}

#[test]
fn optional_attributes_in_terraform_json_types() {
    let repo = Repo::new();
    repo.write(
        "variables.tf.json",
        r#"{"variable": {"sizing": {"type": "object({ parallelism = optional(number, 4), per_kpu = optional(number, 2) })", "default": {"per_kpu": 1}}}}"#,
    );
    repo.write(
        "main.tf",
        &flink_app("a", "", "var.sizing.parallelism", "var.sizing.per_kpu", "false"),
    );
    let (_, doc) = repo.json(&["."]);
    assert!(error_messages(&doc).is_empty(), "{doc:#}");
    let a = only_app(&doc);
    assert_eq!(
        (&a["parallelism"], &a["parallelism_per_kpu"]),
        (&4.into(), &1.into()),
        "{doc:#}"
    );
}
