//! `kpulint what-if`: the Zalando-shaped example to the cent, every scenario flag, targeting by
//! address and glob, every output format, and the usage errors.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

const EXAMPLE: &str = "examples/whatif";
const PRODUCT_OFFERS: &str = "aws_kinesisanalyticsv2_application.product_offers";

/// `kpulint what-if ARGS --format json` from the crate root.
fn what_if(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["what-if"];
    all.extend_from_slice(args);
    json_at_root(&all)
}

/// The only application of a what-if document.
fn only(doc: &Value) -> &Value {
    let apps = doc["applications"].as_array().expect("applications");
    assert_eq!(apps.len(), 1, "{doc:#}");
    &apps[0]
}

fn total(column: &Value) -> f64 {
    column["cost"]["total_usd"].as_f64().expect("total_usd")
}

#[test]
fn zalando_state_cut_saves_no_kpu_and_the_margin_saves_13_8_percent() {
    let (code, doc) = what_if(&[EXAMPLE, "--state-size", "56GB"]);
    assert_eq!(code, 0, "{doc:#}");
    let a = only(&doc);
    assert_eq!(a["address"], PRODUCT_OFFERS);
    assert_eq!(
        a["headline"],
        "−76.7% state → −0% KPUs (compute binds); −13.8% from dropping the margin"
    );
    // Today: parallelism 28 at 1 per KPU. (28 + 1) × 730 h × $0.11 + 1400 GB × $0.10.
    let today = &a["today"]["configured"];
    assert_eq!(
        (
            today["kpus"].as_u64(),
            today["billed_kpus"].as_u64(),
            today["running_storage_gb"].as_u64()
        ),
        (Some(28), Some(29), Some(1400))
    );
    assert_eq!(today["cost"]["kpu_usd"], 2248.4);
    assert_eq!(today["cost"]["orchestration_usd"], 80.3);
    assert_eq!(today["cost"]["running_storage_usd"], 140);
    assert_eq!(total(today), 2468.7);
    // 240 GB × 2.0 = 480 GB → 10 KPUs of disk; 24 KPUs of compute bind.
    assert_eq!(today["storage_kpus"], 10);
    assert_eq!(today["compute_kpus"], 24);
    assert_eq!(today["binding"], "compute");
    // Right-sized today: parallelism 24, 25 billed, 1200 GB = $1,927.20 + $80.30 + $120.00.
    let rec_today = &a["today"]["right_sized"];
    assert_eq!(
        (rec_today["parallelism"].as_u64(), rec_today["kpus"].as_u64()),
        (Some(24), Some(24))
    );
    assert_eq!(rec_today["cost"]["kpu_usd"], 1927.2);
    assert_eq!(total(rec_today), 2127.5);
    // Scenario: 56 GB × 2.0 = 112 GB → 3 KPUs of disk; compute still binds at 24.
    let scenario = &a["scenario"]["configured"];
    assert_eq!(scenario["state_size_gb"], 56);
    assert_eq!(scenario["storage_kpus"], 3);
    assert_eq!(total(scenario), 2468.7, "cutting state alone changes nothing");
    let rec_scenario = &a["scenario"]["right_sized"];
    assert_eq!(rec_scenario["storage_kpus"], 3);
    assert_eq!(rec_scenario["binding"], "compute");
    assert_eq!(rec_scenario["kpus"], 24);
    assert_eq!(total(rec_scenario), 2127.5);
    let d = &a["delta"];
    assert_eq!(d["today_usd"], 2468.7);
    assert_eq!(d["from_margin_usd"], -341.2);
    assert_eq!(d["from_margin_pct"], -13.82);
    assert_eq!(d["from_scenario_usd"], 0);
    assert_eq!(d["total_usd"], -341.2);
    assert_eq!(d["total_pct"], -13.82);
    assert_eq!(d["scenario_configured_usd"], 0);
    assert_eq!(doc["summary"]["delta"]["total_usd"], -341.2);
    assert_eq!(doc["scenario"][0]["flag"], "--state-size");
    assert_eq!(doc["scenario"][0]["value"], "56GB");
    assert_eq!(doc["scenario"][0]["target"], Value::Null);
}

#[test]
fn human_output() {
    let r = run(&root(), &["what-if", EXAMPLE, "--state-size", "56GB"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn markdown_output() {
    let r = run(
        &root(),
        &["what-if", EXAMPLE, "--state-size", "56GB", "--format", "markdown"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn state_scale_multiplies_the_declared_state() {
    // 240 GB × 0.24 = 57.6 GB → 115.2 GB → 3 KPUs; the same as 24%.
    for factor in ["0.24", "24%"] {
        let (code, doc) = what_if(&[EXAMPLE, "--state-scale", factor]);
        assert_eq!(code, 0);
        let a = only(&doc);
        assert_eq!(a["scenario"]["right_sized"]["state_size_gb"], 57.6);
        assert_eq!(a["scenario"]["right_sized"]["storage_kpus"], 3);
        assert_eq!(a["changes"][0], "state 240 GB → 57.6 GB (−76%)");
        assert_eq!(
            a["headline"],
            "−76% state → −0% KPUs (compute binds); −13.8% from dropping the margin"
        );
    }
}

#[test]
fn state_size_then_state_scale() {
    let (_, doc) = what_if(&[EXAMPLE, "--state-size", "1TB", "--state-scale", "0.5"]);
    let a = only(&doc);
    // 1000 GB × 0.5 = 500 GB → 1000 GB of disk → 20 KPUs: compute (24) still binds.
    assert_eq!(a["scenario"]["right_sized"]["state_size_gb"], 500);
    assert_eq!(a["scenario"]["right_sized"]["storage_kpus"], 20);
    // 2 TB: 4000 GB of disk → 80 KPUs, above the quota of 64: storage binds, and the
    // recommendation says the quota must grow (it never hides a need).
    let (_, doc) = what_if(&[EXAMPLE, "--state-size", "2TB"]);
    let rs = &only(&doc)["scenario"]["right_sized"];
    assert_eq!(rs["storage_kpus"], 80);
    assert_eq!(rs["binding"], "storage");
    assert_eq!(rs["kpus"], 80);
}

#[test]
fn state_scale_without_declared_state_is_a_notice() {
    let (code, doc) = what_if(&["examples/kpu008-undeclared-state", "--state-scale", "0.5"]);
    assert_eq!(code, 0);
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("has no declared state size to scale")),
        "{notices:?}"
    );
    assert_eq!(only(&doc)["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn required_parallelism() {
    let (_, doc) = what_if(&[EXAMPLE, "--required-parallelism", "12"]);
    let a = only(&doc);
    // 12 KPUs of compute, 10 of disk: 13 billed × $80.30 + 600 GB × $0.10 = $1,103.90.
    let rs = &a["scenario"]["right_sized"];
    assert_eq!((rs["compute_kpus"].as_u64(), rs["kpus"].as_u64()), (Some(12), Some(12)));
    assert_eq!(total(rs), 1103.9);
    assert_eq!(a["delta"]["from_scenario_usd"], -1023.6);
    assert_eq!(a["delta"]["from_margin_usd"], -341.2);
    assert_eq!(a["delta"]["total_usd"], -1364.8);
    assert_eq!(
        a["headline"],
        "required parallelism 24 → 12 → −50% KPUs (compute binds), −41.5% cost; −13.8% from dropping the margin"
    );
}

#[test]
fn parallelism_changes_the_scenario_configuration() {
    let (_, doc) = what_if(&[EXAMPLE, "--parallelism", "24"]);
    let a = only(&doc);
    let sc = &a["scenario"]["configured"];
    assert_eq!((sc["parallelism"].as_u64(), sc["kpus"].as_u64()), (Some(24), Some(24)));
    assert_eq!(total(sc), 2127.5);
    assert_eq!(a["delta"]["scenario_configured_usd"], -341.2);
    // The right-sized figures do not depend on how the configuration is written.
    assert_eq!(a["delta"]["from_scenario_usd"], 0);
    assert_eq!(a["changes"][0], "parallelism 28 → 24");
    // Later flags win.
    let (_, doc) = what_if(&[EXAMPLE, "--parallelism", "20", "--parallelism", "26"]);
    assert_eq!(only(&doc)["scenario"]["configured"]["parallelism"], 26);
}

#[test]
fn parallelism_per_kpu() {
    let (_, doc) = what_if(&[EXAMPLE, "--parallelism-per-kpu", "2"]);
    let a = only(&doc);
    // Configured: 28 / 2 = 14 KPUs, 15 billed × $80.30 + 700 GB × $0.10 = $1,274.50.
    let sc = &a["scenario"]["configured"];
    assert_eq!((sc["kpus"].as_u64(), total(sc)), (Some(14), 1274.5));
    // Right-sized at 2 per KPU: 24 / 2 = 12 KPUs of compute, 10 of disk → 12: $1,103.90.
    let rs = &a["scenario"]["right_sized"];
    assert_eq!((rs["parallelism"].as_u64(), rs["kpus"].as_u64()), (Some(24), Some(12)));
    assert_eq!(total(rs), 1103.9);
    assert_eq!(a["delta"]["from_scenario_usd"], -1023.6);
}

#[test]
fn autoscaling() {
    // On with 240 GB: a scale event takes 20 minutes, so the recommendation turns it off.
    let (_, doc) = what_if(&[EXAMPLE, "--autoscaling", "on"]);
    let a = only(&doc);
    assert_eq!(a["scenario"]["configured"]["auto_scaling_enabled"], true);
    assert_eq!(a["scenario"]["right_sized"]["auto_scaling_enabled"], false);
    // With 56 GB (under 5 minutes) it stays on.
    let (_, doc) = what_if(&[EXAMPLE, "--autoscaling", "on", "--state-size", "56GB"]);
    assert_eq!(only(&doc)["scenario"]["right_sized"]["auto_scaling_enabled"], true);
    let (_, doc) = what_if(&[EXAMPLE, "--autoscaling", "off"]);
    assert_eq!(only(&doc)["changes"].as_array().unwrap().len(), 0, "already off");
}

#[test]
fn a_configuration_flag_makes_default_custom_and_the_written_values_apply() {
    // DEFAULT runs parallelism 1 whatever is written; once CUSTOM, the written 8 applies.
    let (_, doc) = what_if(&["examples/kpu002-custom-values-ignored", "--autoscaling", "off"]);
    let a = only(&doc);
    assert_eq!(a["today"]["configured"]["configuration_type"], "DEFAULT");
    let sc = &a["scenario"]["configured"];
    assert_eq!(sc["configuration_type"], "CUSTOM");
    assert_eq!((sc["parallelism"].as_u64(), sc["kpus"].as_u64()), (Some(8), Some(8)));
    assert_eq!(
        a["changes"],
        serde_json::json!([
            "configuration_type DEFAULT → CUSTOM",
            "parallelism 1 → 8",
            "autoscaling on → off"
        ])
    );
    // 9 billed × $80.30 + 400 GB × $0.10 = $762.70 against $165.60 today.
    assert_eq!(total(sc), 762.7);
    assert_eq!(a["delta"]["scenario_configured_usd"], 597.1);
}

#[test]
fn a_plan_on_stdin() {
    let plan = std::fs::read_to_string(root().join("examples/formats/plan/plan.json")).unwrap();
    let mut cmd = kpulint(&root());
    cmd.args(["what-if", "-", "--state-scale", "0.5", "--format", "json"]);
    cmd.write_stdin(plan);
    let r = exec(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    // 120 GB × 2.0 = 240 GB → 5 KPUs of disk; compute needs 4.
    assert_eq!(only(&doc)["scenario"]["right_sized"]["storage_kpus"], 5);
    assert_eq!(only(&doc)["scenario"]["right_sized"]["kpus"], 5);
}

#[test]
fn region_prices() {
    // eu-west-2: $92.71 per KPU-month, $0.116 per GB-month.
    // Right-sized: 24 × 92.71 + 92.71 + 1200 × 0.116 = 2225.04 + 92.71 + 139.20 = 2456.95.
    let (_, doc) = what_if(&[EXAMPLE, "--region", "eu-west-2"]);
    let a = only(&doc);
    let rs = &a["scenario"]["right_sized"];
    assert_eq!(rs["price_region"], "eu-west-2");
    assert_eq!(rs["cost"]["kpu_usd"], 2225.04);
    assert_eq!(rs["cost"]["orchestration_usd"], 92.71);
    assert_eq!(rs["cost"]["running_storage_usd"], 139.2);
    assert_eq!(total(rs), 2456.95);
    assert_eq!(total(&a["scenario"]["configured"]), 2850.99);
    assert_eq!(a["delta"]["from_scenario_usd"], 329.45);
    assert_eq!(a["delta"]["total_usd"], -11.75);
    // A region without prices has unknown costs (issue 16), and says which block to add.
    let (code, doc) = what_if(&[EXAMPLE, "--region", "eu-central-1"]);
    assert_eq!(code, 0);
    let a = only(&doc);
    assert!(a["scenario"]["right_sized"]["price_region"].is_null(), "{a:#}");
    assert!(a["scenario"]["right_sized"]["cost"].is_null(), "{a:#}");
    assert!(a["delta"].is_null(), "no Δ from a made-up price: {a:#}");
    let message = doc["notices"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("scenario: no prices for region eu-central-1")
            && message.contains("`prices \"eu-central-1\""),
        "{message}"
    );
}

#[test]
fn target_margin() {
    // 24 × 1.10 = 26.4 → 27 KPUs, 28 billed × $80.30 + 1350 GB × $0.10 = $2,383.40.
    let (_, doc) = what_if(&[EXAMPLE, "--target-margin", "10%"]);
    let a = only(&doc);
    let rs = &a["scenario"]["right_sized"];
    assert_eq!(rs["target_margin"], 0.1);
    assert_eq!((rs["compute_kpus"].as_u64(), rs["kpus"].as_u64()), (Some(27), Some(27)));
    assert_eq!(total(rs), 2383.4);
    assert_eq!(a["delta"]["from_scenario_usd"], 255.9);
    assert_eq!(a["delta"]["total_usd"], -85.3);
    assert_eq!(a["changes"][0], "target margin 0% → 10%");
}

#[test]
fn targets_by_address_and_glob() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &[
            flink_app("orders_a", "# kpulint: state_size=100GB", "4", "1", "false"),
            flink_app("orders_b", "# kpulint: state_size=100GB", "4", "1", "false"),
            flink_app("billing", "# kpulint: state_size=100GB", "4", "1", "false"),
        ]
        .concat(),
    );
    let sizes = |doc: &Value| -> Vec<(String, f64)> {
        doc["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["address"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("aws_kinesisanalyticsv2_application.")
                        .to_string(),
                    a["scenario"]["right_sized"]["state_size_gb"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (code, doc) = repo.json(&[
        "what-if",
        ".",
        "--state-scale",
        "aws_kinesisanalyticsv2_application.orders_*=0.5",
        "--state-size",
        "aws_kinesisanalyticsv2_application.billing=20GB",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        sizes(&doc),
        vec![
            ("orders_a".into(), 50.0),
            ("orders_b".into(), 50.0),
            ("billing".into(), 20.0)
        ]
    );
    assert_eq!(
        doc["scenario"][0]["target"],
        "aws_kinesisanalyticsv2_application.billing"
    );
    // A flag for every application, then one for one of them: the later one wins there.
    let (_, doc) = repo.json(&[
        "what-if",
        ".",
        "--state-size",
        "10GB",
        "--state-size",
        "aws_kinesisanalyticsv2_application.orders_b=30GB",
    ]);
    assert_eq!(
        sizes(&doc),
        vec![
            ("orders_a".into(), 10.0),
            ("orders_b".into(), 30.0),
            ("billing".into(), 10.0)
        ]
    );
}

#[test]
fn module_instance_addresses_match_exactly() {
    let (code, doc) = what_if(&[
        "examples/fleet",
        "--parallelism",
        "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this=10",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    let prod = app(&doc, "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this");
    assert_eq!(prod["scenario"]["configured"]["parallelism"], 10);
    let dev = app(&doc, "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this");
    assert_eq!(dev["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn an_address_matching_nothing_is_a_usage_error() {
    let r = run(&root(), &["what-if", EXAMPLE, "--state-scale", "module.ordrs*=0.24"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("--state-scale module.ordrs*=0.24: no application matches \"module.ordrs*\""),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for (flag, value, says) in [
        ("--state-size", "56", "unknown size unit"),
        ("--state-scale", "-0.5", "out of range"),
        ("--target-margin", "10", "not a percentage"),
        ("--parallelism-per-kpu", "9", "not a whole number from 1 to 8"),
        ("--parallelism", "0", "not a whole number from 1 to 100000"),
        ("--required-parallelism", "lots", "not a whole number"),
        ("--autoscaling", "sometimes", "not on or off"),
        ("--region", "Mars", "not a region name"),
        ("--state-size", "=56GB", "the address before `=` is empty"),
    ] {
        let r = run(&root(), &["what-if", EXAMPLE, &format!("{flag}={value}")]);
        assert_eq!(r.code, 2, "{flag} {value}");
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.contains(flag) && r.stderr.contains(says),
            "{flag} {value}: {}",
            r.stderr
        );
    }
}

#[test]
fn same_inputs_as_check() {
    // state-heavy reads parallelism 12 from terraform.tfvars; --var overrides it as in `check`.
    let (_, doc) = what_if(&["examples/state-heavy"]);
    assert_eq!(only(&doc)["today"]["configured"]["parallelism"], 12);
    let (_, doc) = what_if(&["examples/state-heavy", "--var", "flink_parallelism=14"]);
    assert_eq!(only(&doc)["today"]["configured"]["parallelism"], 14);
    // No scenario flag: today against today right-sized.
    assert_eq!(
        only(&doc)["headline"],
        "no change → 0% KPUs (storage binds); −26.8% from dropping the margin"
    );
    // A plan and a CloudFormation template.
    let (code, doc) = what_if(&["examples/formats/plan/plan.json", "--state-scale", "0.5"]);
    assert_eq!(code, 0);
    assert_eq!(only(&doc)["scenario"]["right_sized"]["state_size_gb"], 120);
    let (_, doc) = what_if(&["examples/formats/cloudformation-yaml", "--parameter", "Parallelism=10"]);
    assert_eq!(only(&doc)["today"]["configured"]["parallelism"], 10);
}

#[test]
fn unsized_applications_and_input_errors() {
    let repo = Repo::new();
    repo.write(
        "ok/main.tf",
        &flink_app("ok", "# kpulint: state_size=100GB", "4", "1", "false"),
    );
    repo.write("unresolved/main.tf", &simple_app("later", "var.p"));
    repo.write("unresolved/variables.tf", "variable \"p\" { type = number }\n");
    repo.write(
        "broken/main.tf",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n",
    );
    let (code, doc) = repo.json(&["what-if", ".", "--state-scale", "0.5"]);
    assert_eq!(code, 2, "an unreadable file is exit 2: {doc:#}");
    assert_eq!(doc["summary"]["input_errors"], 1);
    let later = app(&doc, "aws_kinesisanalyticsv2_application.later");
    assert_eq!(later["status"], "unresolved");
    assert_eq!(later["delta"], Value::Null);
    assert_eq!(later["headline"], "not sized (unresolved: see `kpulint check`)");
    // A scenario can give the missing value.
    let (_, doc) = repo.json(&[
        "what-if",
        ".",
        "--parallelism",
        "aws_kinesisanalyticsv2_application.later=3",
    ]);
    let later = app(&doc, "aws_kinesisanalyticsv2_application.later");
    assert_eq!(later["scenario_status"], "sized");
    assert_eq!(later["scenario"]["configured"]["kpus"], 3);
    assert_eq!(
        later["headline"],
        "not sized today (unresolved: see `kpulint check`); sized under the scenario"
    );
    let r = repo.run(&["what-if", ".", "--state-scale", "0.5"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("error: broken/main.tf:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("aws_kinesisanalyticsv2_application.ok"),
        "{}",
        r.stdout
    );
}

#[test]
fn output_file() {
    let repo = Repo::new();
    repo.copy_dir(EXAMPLE, "w");
    let r = repo.run(&[
        "what-if",
        "w",
        "--state-size",
        "56GB",
        "--format",
        "markdown",
        "-o",
        "out.md",
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    let md = std::fs::read_to_string(repo.path().join("out.md")).unwrap();
    assert!(md.starts_with("## kpulint what-if\n"), "{md}");
    assert!(
        md.contains("| total \\$/month | \\$2,468.70 | \\$2,127.50 | \\$2,468.70 | \\$2,127.50 |"),
        "{md}"
    );
}

#[test]
fn readme_shows_the_real_output() {
    let r = run(&root(), &["what-if", EXAMPLE, "--state-size", "56GB"]);
    assert_eq!(readme_block("what-if examples/whatif --state-size 56GB"), r.stdout);
}

#[test]
fn the_summary_adds_up_every_application() {
    let (_, doc) = what_if(&["examples/fleet", EXAMPLE, "--state-scale", "0.5"]);
    let apps = doc["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 4);
    for key in ["today_usd", "from_margin_usd", "from_scenario_usd", "total_usd"] {
        let sum: f64 = apps.iter().map(|a| a["delta"][key].as_f64().unwrap()).sum();
        let got = doc["summary"]["delta"][key].as_f64().unwrap();
        assert!((sum - got).abs() < 0.005, "{key}: {sum} vs {got}");
    }
    for a in apps {
        let d = &a["delta"];
        let parts = d["from_margin_usd"].as_f64().unwrap() + d["from_scenario_usd"].as_f64().unwrap();
        assert!((parts - d["total_usd"].as_f64().unwrap()).abs() < 0.005, "{a:#}");
    }
}
