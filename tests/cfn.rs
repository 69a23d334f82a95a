//! CloudFormation input end to end: templates in JSON and YAML through the binary.

use assert_cmd::Command;
use serde_json::Value;

const YAML: &str = "tests/fixtures/cfn/orders-enrichment.yaml";
const JSON: &str = "tests/fixtures/cfn/orders-enrichment.template.json";
const PARAMS: &str = "tests/fixtures/cfn/clickstream-params.yaml";
const MIXED: &str = "tests/fixtures/cfn/mixed";

/// Runs `kpulint --format json ARGS` from the crate root; returns the exit code and the report.
fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("kpulint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn line_col(v: &Value) -> (u64, u64) {
    (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap())
}

/// The state-heavy application: 12 KPUs bought, 10 needed for 240 GB of state, 4 for compute.
fn assert_state_heavy(report: &Value, file: &str, address_at: (u64, u64), parallelism_at: (u64, u64)) {
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{:#}", report["errors"]);
    let apps = report["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    let app = &apps[0];
    assert_eq!(app["address"], "OrdersEnrichment");
    assert_eq!(app["file"], file);
    assert_eq!(line_col(app), address_at);
    assert_eq!(app["status"], "sized");
    assert_eq!(app["runtime_environment"], "FLINK-1_20");
    assert_eq!(app["configuration_type"], "CUSTOM");
    assert_eq!(app["parallelism"], 12);
    assert_eq!(app["parallelism_per_kpu"], 1);
    assert_eq!(app["auto_scaling_enabled"], false);
    assert_eq!(app["kpus"], 12);
    assert_eq!(app["billed_kpus"], 13);
    assert_eq!(app["running_storage_gb"], 600);
    assert_eq!(app["monthly_cost_usd"], 1103.9);
    assert_eq!(app["state_size_gb"], 240);
    assert_eq!(app["state_size_source"], "annotation");
    assert_eq!(app["required_parallelism"], 4);
    for rule in ["KPU004", "KPU005"] {
        let hits = findings(report, rule);
        assert_eq!(hits.len(), 1, "{rule}: {:#}", report["findings"]);
        assert_eq!(hits[0]["file"], file);
        assert_eq!(line_col(hits[0]), parallelism_at, "{rule}");
        assert_eq!(hits[0]["application"], "OrdersEnrichment");
        assert_eq!(hits[0]["suppressed"], false);
    }
}

#[test]
fn yaml_template_with_comment_annotation() {
    let (code, report) = run(&[YAML]);
    assert_eq!(code, 1);
    assert_eq!(report["applications"][0]["format"], "cloudformation-yaml");
    // `Parallelism: !If [IsProd, 12, 2]` on line 40, the value at column 26.
    assert_state_heavy(&report, YAML, (20, 3), (40, 26));
    let f = &findings(&report, "KPU004")[0];
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(40), Some(45)));
}

#[test]
fn json_template_with_metadata_annotation() {
    let (code, report) = run(&[JSON]);
    assert_eq!(code, 1);
    assert_eq!(report["applications"][0]["format"], "cloudformation-json");
    // `"Parallelism": 12,` on line 15, the value at column 30.
    assert_state_heavy(&report, JSON, (5, 5), (15, 30));
}

#[test]
fn parameter_override_changes_the_sizing() {
    let (_, report) = run(&[YAML, "--parameter", "Environment=dev"]);
    let app = &report["applications"][0];
    assert_eq!(app["parallelism"], 2);
    assert_eq!(app["kpus"], 2);
    assert_eq!(app["billed_kpus"], 3);
    // 240 GB of state no longer fits on 2 KPUs' disk.
    let hits = findings(&report, "KPU003");
    assert_eq!(hits.len(), 1, "{:#}", report["findings"]);
    assert_eq!(line_col(hits[0]), (40, 26));
    assert!(findings(&report, "KPU004").is_empty());
}

#[test]
fn parameter_default_and_override_are_shown_as_origin() {
    let (_, report) = run(&[PARAMS]);
    let app = &report["applications"][0];
    assert_eq!(app["kpus"], 4);
    assert_eq!(app["runtime_environment"], "FLINK-1_19");
    assert_eq!(app["state_size_source"], "tag");
    assert_eq!(app["required_parallelism"], 8);
    let hit = findings(&report, "KPU003")[0];
    assert_eq!(line_col(hit), (23, 26));
    let related = &hit["related"][0];
    assert_eq!(related["message"], "parameter Parallelism default");
    assert_eq!((related["file"].as_str(), line_col(related)), (Some(PARAMS), (7, 14)));

    let (_, report) = run(&[PARAMS, "--parameter", "Parallelism=10"]);
    assert_eq!(report["applications"][0]["kpus"], 10);
    let related = &findings(&report, "KPU003")[0]["related"][0];
    assert_eq!(related["message"], "value from --parameter Parallelism");
}

#[test]
fn malformed_template_next_to_a_valid_one() {
    let (code, report) = run(&[MIXED]);
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["file"], "tests/fixtures/cfn/mixed/broken.template.json");
    assert_eq!(line_col(&errors[0]), (6, 43));
    assert!(errors[0]["message"].as_str().unwrap().contains("Trailing commas"));
    let apps = report["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["address"], "Healthy");
    assert_eq!(apps[0]["kpus"], 2);
}

#[test]
fn invalid_parallelism_is_an_error_at_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(
        &path,
        "Resources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: lots\n",
    )
    .unwrap();
    let (code, report) = run(&[path.to_str().unwrap()]);
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(line_col(&errors[0]), (10, 26));
    assert!(errors[0]["message"].as_str().unwrap().contains("expected a number"));
    assert_eq!(report["applications"][0]["status"], "invalid");
}

#[test]
fn metadata_suppression_in_a_cdk_template() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Stack.template.json");
    std::fs::write(
        &path,
        r#"{
  "Resources": {
    "App": {
      "Type": "AWS::KinesisAnalyticsV2::Application",
      "Properties": {"RuntimeEnvironment": "FLINK-1_20"},
      "Metadata": {
        "aws:cdk:path": "Stack/App/Resource",
        "kpulint": {"ignore": [
          {"rule": "KPU008", "reason": "stateless job", "until": "2099-01-31"},
          {"rule": "KPU004", "reason": "nothing to hide"}
        ]}
      }
    }
  }
}
"#,
    )
    .unwrap();
    let (code, report) = run(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    let hit = findings(&report, "KPU008")[0];
    assert_eq!(hit["suppressed"], true);
    assert_eq!(hit["suppression"]["reason"], "stateless job");
    assert_eq!(hit["suppression"]["until"], "2099-01-31");
    // The unused suppression is reported at its Metadata entry.
    let unused = findings(&report, "KPU901")[0];
    assert_eq!(line_col(unused), (10, 11));
}
