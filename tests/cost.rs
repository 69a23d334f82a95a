//! `kpulint cost`: the fleet table in every format, its order and total, RFC 4180 CSV quoting,
//! and the same inputs and exit codes as `check`.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// Fleet instances (quotes in their addresses), the Zalando-shaped app, an underprovisioned
/// app (negative savings) and an unresolved one.
const FLEET: [&str; 4] = [
    "examples/fleet",
    "examples/whatif",
    "examples/kpu003-state-exceeds-storage",
    "examples/kpu009-unresolved-value",
];

fn cost(args: &[&str]) -> Run {
    let mut all = vec!["cost"];
    all.extend_from_slice(args);
    run(&root(), &all)
}

#[test]
fn human_output() {
    let r = cost(&FLEET);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn markdown_output() {
    let mut args = FLEET.to_vec();
    args.extend(["--format", "markdown"]);
    let r = cost(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn json_rows_sorted_by_savings_with_a_total() {
    let mut args = FLEET.to_vec();
    args.extend(["--format", "json"]);
    let r = cost(&args);
    assert_eq!(r.code, 0);
    let doc = r.json();
    let rows = doc["applications"].as_array().unwrap();
    let order: Vec<(&str, Option<f64>)> = rows
        .iter()
        .map(|a| (a["address"].as_str().unwrap(), a["savings_usd"].as_f64()))
        .collect();
    assert_eq!(
        order,
        vec![
            (
                "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this",
                Some(341.2)
            ),
            ("aws_kinesisanalyticsv2_application.product_offers", Some(341.2)),
            (
                "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this",
                Some(0.0)
            ),
            (
                "module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this",
                Some(0.0)
            ),
            ("aws_kinesisanalyticsv2_application.too_small", Some(-511.8)),
            ("aws_kinesisanalyticsv2_application.orders", None),
        ]
    );
    let zalando = &rows[1];
    assert_eq!(zalando["file"], "examples/whatif/main.tf");
    assert_eq!(zalando["line"], 19);
    assert_eq!(
        (zalando["kpus"].as_u64(), zalando["billed_kpus"].as_u64()),
        (Some(28), Some(29))
    );
    assert_eq!(zalando["binding"], "compute");
    assert_eq!(zalando["monthly_cost_usd"], 2468.7);
    assert_eq!(zalando["recommended_kpus"], 24);
    assert_eq!(zalando["recommended_monthly_cost_usd"], 2127.5);
    let unresolved = &rows[5];
    assert_eq!(unresolved["status"], "unresolved");
    assert_eq!(unresolved["kpus"], Value::Null);
    // The total covers the five applications with both costs: 14 + 28 + 1 + 4 + 4 KPUs.
    let total = &doc["total"];
    assert_eq!(total["applications"], 5);
    assert_eq!(total["kpus"], 51);
    assert_eq!(total["billed_kpus"], 56);
    assert_eq!(total["monthly_cost_usd"], 4751.8);
    assert_eq!(total["recommended_monthly_cost_usd"], 4581.2);
    assert_eq!(total["savings_usd"], 170.6);
    let sum: f64 = rows.iter().filter_map(|a| a["savings_usd"].as_f64()).sum();
    assert!((sum - 170.6).abs() < 1e-9, "{sum}");
}

#[test]
fn csv_follows_rfc_4180() {
    let r = cost(&["examples/fleet", "--format", "csv"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "application,file,line,status,kpus,billed_kpus,binding,monthly_cost_usd,recommended_kpus,recommended_monthly_cost_usd,savings_usd,safe,unconfirmed_savings_usd,confirm\r\n\
         \"module.orders[\"\"prod\"\"].aws_kinesisanalyticsv2_application.this\",examples/fleet/modules/flink/main.tf,1,sized,14,15,storage,1274.50,10,933.30,341.20,true,,\r\n\
         \"module.orders[\"\"dev\"\"].aws_kinesisanalyticsv2_application.this\",examples/fleet/modules/flink/main.tf,1,sized,1,2,compute,165.60,1,165.60,0.00,true,,\r\n\
         \"module.orders[\"\"staging\"\"].aws_kinesisanalyticsv2_application.this\",examples/fleet/modules/flink/main.tf,1,sized,4,5,storage,421.50,4,421.50,0.00,true,,\r\n\
         total,,,,19,22,,1861.60,,1520.40,341.20,,0.00,\r\n"
    );
}

#[test]
fn csv_quotes_commas_and_line_breaks() {
    // A CloudFormation logical id cannot hold a comma, but a file name can.
    let repo = Repo::new();
    repo.write("a,b/main.tf", &simple_app("x", "2"));
    let r = repo.run(&["cost", ".", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let record = r.stdout.split("\r\n").nth(1).unwrap();
    assert!(
        record.starts_with("aws_kinesisanalyticsv2_application.x,\"a,b/main.tf\",2,sized,"),
        "{record}"
    );
    // Empty fields for an unknown value, and the unsized row after the sized ones.
    let r = cost(&["examples/kpu009-unresolved-value", "examples/clean", "--format", "csv"]);
    let lines: Vec<&str> = r.stdout.split("\r\n").collect();
    assert_eq!(
        lines[2],
        "aws_kinesisanalyticsv2_application.orders,examples/kpu009-unresolved-value,examples/kpu009-unresolved-value/main.tf,9,unresolved,,,,,,,,,,"
    );
}

#[test]
fn input_errors_exit_2_and_csv_reports_them_on_stderr() {
    let repo = Repo::new();
    repo.write("ok/main.tf", &simple_app("ok", "2"));
    repo.write(
        "broken/main.tf",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n",
    );
    let r = repo.run(&["cost", ".", "--format", "csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("aws_kinesisanalyticsv2_application.ok,"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("error: broken/main.tf:1:"), "{}", r.stderr);
    let r = repo.run(&["cost", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("error: "), "{}", r.stdout);
    let (code, doc) = repo.json(&["cost", "."]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn same_inputs_as_check() {
    let r = cost(&[
        "examples/state-heavy",
        "--var",
        "flink_parallelism=10",
        "--format",
        "json",
    ]);
    let doc = r.json();
    assert_eq!(doc["applications"][0]["kpus"], 10);
    assert_eq!(doc["applications"][0]["savings_usd"], 0);
    let r = cost(&[
        "examples/formats/cloudformation-json",
        "--parameter",
        "Parallelism=14",
        "--format",
        "json",
    ]);
    assert_eq!(r.json()["applications"][0]["kpus"], 14);
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", "s");
    repo.write("prod.tfvars", "flink_parallelism = 16\n");
    let (_, doc) = repo.json(&["cost", "s", "--var-file", "prod.tfvars"]);
    assert_eq!(doc["applications"][0]["kpus"], 16);
}

#[test]
fn readme_shows_the_real_output() {
    let r = cost(&["examples/fleet", "examples/whatif"]);
    assert_eq!(readme_block("cost examples/fleet examples/whatif"), r.stdout);
}

#[test]
fn output_file() {
    let repo = Repo::new();
    repo.copy_dir("examples/whatif", "w");
    let r = repo.run(&["cost", "w", "--format", "csv", "--output", "fleet.csv"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    let csv = std::fs::read_to_string(repo.path().join("fleet.csv")).unwrap();
    assert_eq!(
        csv.split("\r\n").nth(1),
        Some("aws_kinesisanalyticsv2_application.product_offers,w/main.tf,19,sized,28,29,compute,2468.70,24,2127.50,341.20,true,,")
    );
}
