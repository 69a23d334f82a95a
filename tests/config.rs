//! Declared state and need (annotation > tag > .kpulint.hcl), config discovery and overrides,
//! prices, and every config or declaration error at its exact location (exit 2).

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

fn declared_app(name: &str, decl: &str, tags: &str) -> String {
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!("  tags = {{\n{tags}\n  }}\n")
    };
    format!(
        r#"{decl}
resource "aws_kinesisanalyticsv2_application" "{name}" {{
  name                = "{name}"
  runtime_environment = "FLINK-1_20"
{tags}  application_configuration {{
    flink_application_configuration {{
      parallelism_configuration {{
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 12
        parallelism_per_kpu  = 1
      }}
    }}
  }}
}}
"#
    )
}

fn state(doc: &Value, address: &str) -> (Value, Value, Value, Value) {
    let a = app(doc, &format!("aws_kinesisanalyticsv2_application.{address}"));
    (
        a["state_size_gb"].clone(),
        a["state_size_source"].clone(),
        a["required_parallelism"].clone(),
        a["required_parallelism_source"].clone(),
    )
}

// ---------------------------------------------------------------------------------------------
// Declarations: annotation > tag > config
// ---------------------------------------------------------------------------------------------

#[test]
fn annotation_above_wins_over_tags_and_config() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &declared_app(
            "orders_join",
            "# kpulint: state_size=240GB required_parallelism=12",
            "    \"kpulint:state_size\"           = \"10GB\"\n    \"kpulint:required_parallelism\" = \"2\"",
        ),
    );
    repo.write(
        ".kpulint.hcl",
        "application \"aws_kinesisanalyticsv2_application.orders_join\" {\n  state_size = \"1GB\"\n  required_parallelism = 1\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        state(&doc, "orders_join"),
        (240.into(), "annotation".into(), 12.into(), "annotation".into())
    );
}

#[test]
fn annotation_inside_the_resource_is_read() {
    let repo = Repo::new();
    let text = declared_app("inside", "", "").replace(
        "  runtime_environment",
        "  # kpulint: state_size=100GiB required_parallelism=12\n  runtime_environment",
    );
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let (gb, src, req, _) = state(&doc, "inside");
    assert_eq!(gb.as_f64().unwrap(), 107.374182, "100 GiB = 107.374182400 GB");
    assert_eq!(src, "annotation");
    assert_eq!(req, 12);
}

#[test]
fn annotation_split_over_two_comment_lines_and_slash_comments() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &declared_app(
            "split",
            "# Orders join.\n// kpulint: state_size=0.5TB\n# kpulint: required_parallelism=12",
            "",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        state(&doc, "split"),
        (500.into(), "annotation".into(), 12.into(), "annotation".into())
    );
}

#[test]
fn annotation_separated_by_a_blank_line_does_not_apply_and_says_so() {
    let repo = Repo::new();
    repo.write("main.tf", &declared_app("apart", "# kpulint: state_size=240GB\n", ""));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(state(&doc, "apart").0, Value::Null);
    // The declaration is reported where it was written, not dropped (KPU903).
    assert_eq!(rules(&doc), ["KPU903", "KPU008"]);
}

#[test]
fn tags_declare_state_and_need() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &declared_app(
            "tagged",
            "",
            "    team                            = \"checkout\"\n    \"kpulint:state_size\"           = \"1.5TB\"\n    \"kpulint:required_parallelism\" = \"12\"",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        state(&doc, "tagged"),
        (1500.into(), "tag".into(), 12.into(), "tag".into())
    );
}

#[test]
fn tag_wins_over_config_and_config_fills_the_rest() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &declared_app("orders_join", "", "    \"kpulint:required_parallelism\" = \"5\""),
    );
    repo.write(
        ".kpulint.hcl",
        "application \"aws_kinesisanalyticsv2_application.orders_join\" {\n  state_size           = \"512MiB\"\n  required_parallelism = 12\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    let (gb, src, req, rsrc) = state(&doc, "orders_join");
    assert_eq!(gb.as_f64().unwrap(), 0.536871);
    assert_eq!((src, req, rsrc), ("config".into(), 5.into(), "tag".into()));
}

#[test]
fn config_application_by_address_and_by_glob() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "{}{}{}",
            declared_app("orders_join", "", ""),
            declared_app("orders_enrich", "", ""),
            declared_app("payments", "", "")
        ),
    );
    repo.write(
        ".kpulint.hcl",
        r#"application "*.orders_*" {
  state_size           = "240GB"
  required_parallelism = 12
}

application "aws_kinesisanalyticsv2_application.orders_join" {
  state_size           = "56GB"
  required_parallelism = 12
}
"#,
    );
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(state(&doc, "orders_join").0, 56, "the exact address wins over a glob");
    assert_eq!(
        state(&doc, "orders_enrich"),
        (240.into(), "config".into(), 12.into(), "config".into())
    );
    assert_eq!(state(&doc, "payments").0, Value::Null);
    // 240 GB × 2 = 480 GB > 12 KPUs? no: 600 GB. No KPU003; payments has no declaration.
    assert!(findings(&doc, "KPU008")
        .iter()
        .all(|f| f["application"] == "aws_kinesisanalyticsv2_application.payments"));
}

#[test]
fn sizes_accept_decimal_and_binary_units() {
    let cases = [
        ("100B", 0.0000001),
        ("1KB", 0.000001),
        ("1kB", 0.000001),
        ("500MB", 0.5),
        ("240GB", 240.0),
        ("240 GB", 240.0),
        ("2TB", 2000.0),
        ("1KiB", 0.000001),
        ("512MiB", 0.536871),
        ("1GiB", 1.073742),
        ("1TiB", 1099.511628),
        ("1.5TiB", 1649.267442),
    ];
    let repo = Repo::new();
    let mut cfg = String::new();
    let mut tf = String::new();
    for (i, (size, _)) in cases.iter().enumerate() {
        tf.push_str(&declared_app(&format!("s{i:02}"), "", ""));
        cfg.push_str(&format!(
            "application \"aws_kinesisanalyticsv2_application.s{i:02}\" {{\n  state_size = \"{size}\"\n}}\n"
        ));
    }
    repo.write("main.tf", &tf);
    repo.write(".kpulint.hcl", &cfg);
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    for (i, (size, gb)) in cases.iter().enumerate() {
        let got = state(&doc, &format!("s{i:02}")).0.as_f64().unwrap();
        assert!((got - gb).abs() < 1e-6, "{size}: {got} GB, want {gb}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad declarations: exit 2 at the exact location
// ---------------------------------------------------------------------------------------------

fn one_error(text: &str, cfg: Option<&str>) -> (Value, Value) {
    let repo = Repo::new();
    repo.write("main.tf", text);
    if let Some(c) = cfg {
        repo.write(".kpulint.hcl", c);
    }
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errors = doc["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    (doc, errors[0].clone())
}

#[test]
fn bad_size_in_annotation_is_an_error_at_the_value() {
    let text = declared_app("a", "# kpulint: state_size=240XB required_parallelism=4", "");
    let (doc, e) = one_error(&text, None);
    assert_eq!(e["file"], "main.tf");
    assert_eq!(at(&e), pos(&text, "240XB"));
    assert!(e["message"].as_str().unwrap().contains("XB"), "{e:#}");
    // The application is still reported.
    assert_eq!(doc["applications"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_required_parallelism_in_annotation_is_an_error_at_the_value() {
    for bad in ["0", "2.5", "many", "-3"] {
        let text = declared_app(
            "a",
            &format!("# kpulint: state_size=20GB required_parallelism={bad}"),
            "",
        );
        let (_, e) = one_error(&text, None);
        assert_eq!(at(&e), pos_after(&text, "required_parallelism="), "{bad}");
    }
}

#[test]
fn unknown_key_in_annotation_is_an_error() {
    let text = declared_app("a", "# kpulint: colour=red", "");
    let (_, e) = one_error(&text, None);
    assert_eq!(at(&e), pos(&text, "colour=red"));
    assert!(e["message"].as_str().unwrap().contains("colour"), "{e:#}");
}

#[test]
fn unknown_key_later_in_annotation_is_reported_at_the_key() {
    let text = declared_app("a", "# kpulint: state_size=240GB colour=red", "");
    let (_, e) = one_error(&text, None);
    assert_eq!(at(&e), pos(&text, "colour=red"));
}

#[test]
fn annotation_without_a_value_is_an_error() {
    let text = declared_app("a", "# kpulint: state_size", "");
    let (_, e) = one_error(&text, None);
    assert_eq!(at(&e), pos(&text, "state_size\n"));
}

#[test]
fn bad_size_in_tag_is_an_error_at_the_tag_value() {
    let text = declared_app("a", "", "    \"kpulint:state_size\" = \"lots\"");
    let (_, e) = one_error(&text, None);
    assert_eq!(at(&e), pos(&text, "\"lots\""));
    let text = declared_app("a", "", "    \"kpulint:required_parallelism\" = \"2.5\"");
    let (_, e) = one_error(&text, None);
    assert_eq!(at(&e), pos(&text, "\"2.5\""));
}

#[test]
fn negative_and_unitless_sizes_are_errors() {
    for bad in ["-1GB", "240", "GB", "1e30GB", "9999999999TB", "240 gigabytes"] {
        let text = declared_app("a", "", "");
        let cfg = format!("application \"*\" {{\n  state_size = \"{bad}\"\n}}\n");
        let (_, e) = one_error(&text, Some(&cfg));
        assert_eq!(e["file"], ".kpulint.hcl", "{bad}");
        assert_eq!(at(&e), (2, 16), "{bad}: {e:#}");
    }
}

// ---------------------------------------------------------------------------------------------
// Config file errors: exact location, exit 2
// ---------------------------------------------------------------------------------------------

fn config_error(cfg: &str) -> Value {
    let (_, e) = one_error(
        &declared_app("a", "# kpulint: state_size=10GB required_parallelism=12", ""),
        Some(cfg),
    );
    assert_eq!(e["file"], ".kpulint.hcl", "{e:#}");
    e
}

#[test]
fn bad_size_in_config_is_an_error_at_the_value() {
    let cfg = "application \"*.orders_*\" {\n  state_size           = \"240XB\"\n  required_parallelism = 4\n}\n";
    let e = config_error(cfg);
    assert_eq!(at(&e), pos(cfg, "\"240XB\""));
    assert!(e["message"].as_str().unwrap().contains("240XB"), "{e:#}");
}

#[test]
fn bad_percentages_are_errors_at_the_value() {
    for (key, bad) in [
        ("overscale_margin", "\"10\""),
        ("overscale_margin", "\"ten%\""),
        ("overscale_margin", "\"-5%\""),
        ("overscale_margin", "\"2000%\""),
        ("bundle_waste", "\"50 percent\""),
        ("bundle_waste", "0.5"),
    ] {
        let cfg = format!("defaults {{\n  region = \"us-east-1\"\n  {key} = {bad}\n}}\n");
        let e = config_error(&cfg);
        assert_eq!(at(&e), (3, key.len() as u64 + 6), "{key} = {bad}: {e:#}");
    }
}

#[test]
fn good_percentages_change_the_thresholds() {
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", "app");
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
    repo.write(".kpulint.hcl", "defaults {\n  overscale_margin = \"20%\"\n}\n");
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), ["KPU005"], "20% is not above 20%");
    repo.write(
        ".kpulint.hcl",
        "defaults {\n  overscale_margin = \"12.5 %\"\n  bundle_waste = \"70%\"\n}\n",
    );
    let (code, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), ["KPU004"], "{doc:#}");
    assert_eq!(code, 1);
}

#[test]
fn storage_factor_changes_the_disk_need() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu003-state-exceeds-storage", "app");
    repo.write(".kpulint.hcl", "defaults {\n  storage_factor = 0.5\n}\n");
    let (_, doc) = repo.json(&["app"]);
    // 240 × 0.5 = 120 GB fits 200 GB.
    assert!(!rules(&doc).contains(&"KPU003".to_string()), "{doc:#}");
}

#[test]
fn rescale_settings_change_kpu010() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu010-slow-rescale", "app");
    repo.write("app/.kpulint.hcl", "defaults {\n  rescale_gb_per_minute = 40\n}\n");
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), Vec::<String>::new(), "240 GB at 40 GB/min is 6 minutes");
    // The default rate is 12 GB/min (240 GB in 20 minutes): 20 minutes is within a 20-minute limit.
    repo.write("app/.kpulint.hcl", "defaults {\n  slow_rescale_minutes = 20\n}\n");
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), Vec::<String>::new());
    repo.write("app/.kpulint.hcl", "defaults {\n  slow_rescale_minutes = 19\n}\n");
    let (_, doc) = repo.json(&["app"]);
    assert_eq!(rules(&doc), ["KPU010"]);
}

#[test]
fn unknown_keys_are_errors_at_the_key() {
    for cfg in [
        "defaults {\n  colour = \"red\"\n}\n",
        "application \"*\" {\n  colour = \"red\"\n}\n",
        "rule \"KPU004\" {\n  colour = \"red\"\n}\n",
        "prices \"us-east-1\" {\n  kpu_hour_usd = 0.11\n  running_storage_gb_month_usd = 0.1\n  colour = \"red\"\n}\n",
        "colour = \"red\"\n",
    ] {
        let e = config_error(cfg);
        assert_eq!(at(&e), pos(cfg, "colour"), "{cfg}");
        assert!(e["message"].as_str().unwrap().contains("colour"), "{e:#}");
    }
}

#[test]
fn unknown_block_is_an_error() {
    let cfg = "defaults {\n}\nthresholds {\n  overscale_margin = \"10%\"\n}\n";
    let e = config_error(cfg);
    assert_eq!(at(&e), pos(cfg, "thresholds"));
}

#[test]
fn unknown_rule_id_is_an_error_on_its_line() {
    let cfg = "rule \"KPU004\" {\n  enabled = false\n}\nrule \"KPU099\" {\n  enabled = false\n}\n";
    let e = config_error(cfg);
    assert_eq!(e["line"], 4);
    assert!(e["message"].as_str().unwrap().contains("KPU099"), "{e:#}");
}

#[test]
fn unknown_rule_id_is_an_error_at_the_id() {
    let cfg = "rule \"KPU099\" {\n  enabled = false\n}\n";
    let e = config_error(cfg);
    assert_eq!(at(&e), pos(cfg, "\"KPU099\""));
}

#[test]
fn bad_severity_and_enabled_are_errors_at_the_value() {
    let cfg = "rule \"KPU005\" {\n  severity = \"fatal\"\n}\n";
    assert_eq!(at(&config_error(cfg)), pos(cfg, "\"fatal\""));
    let cfg = "rule \"KPU005\" {\n  enabled = \"no\"\n}\n";
    assert_eq!(at(&config_error(cfg)), pos(cfg, "\"no\""));
}

#[test]
fn bad_numbers_in_defaults_are_errors_at_the_value() {
    for (key, bad) in [
        ("kpu_quota", "64.5"),
        ("kpu_quota", "0"),
        ("kpu_quota", "\"64\""),
        ("storage_factor", "0"),
        ("storage_factor", "\"2\""),
        ("storage_factor", "1e308"),
        ("region", "42"),
    ] {
        let cfg = format!("defaults {{\n  {key} = {bad}\n}}\n");
        let e = config_error(&cfg);
        assert_eq!(at(&e), (2, key.len() as u64 + 6), "{key} = {bad}: {e:#}");
    }
}

#[test]
fn bad_required_parallelism_in_config_is_an_error_at_the_value() {
    let cfg = "application \"*\" {\n  required_parallelism = 0\n}\n";
    assert_eq!(at(&config_error(cfg)), pos(cfg, "0\n"));
    let cfg = "application \"*\" {\n  required_parallelism = \"lots\"\n}\n";
    assert_eq!(at(&config_error(cfg)), pos(cfg, "\"lots\""));
}

#[test]
fn incomplete_prices_block_is_an_error() {
    let cfg = "prices \"ap-south-1\" {\n  kpu_hour_usd = 0.2\n}\n";
    let e = config_error(cfg);
    assert_eq!(e["line"], 1);
}

#[test]
fn malformed_config_is_an_error_and_files_are_still_linted() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu004-overscale-margin", "app");
    repo.write(".kpulint.hcl", "defaults {\n  overscale_margin = \n}\n");
    let (code, doc) = repo.json(&["app"]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["file"], ".kpulint.hcl");
    assert_eq!(e["line"], 2);
    // Issue 16: the config may have set the margin, so nothing is said from the defaults.
    let a = only_app(&doc);
    assert_eq!(a["kpus"], 14);
    assert_eq!(a["tainted_by"], serde_json::json!([".kpulint.hcl"]));
    assert!(a["monthly_cost_usd"].is_null() && a["cost"].is_null() && a["recommendation"].is_null());
    assert!(
        rules(&doc).is_empty(),
        "no finding from thresholds the config may set: {doc:#}"
    );
}

#[test]
fn all_config_errors_are_reported_together() {
    let cfg = r#"defaults {
  overscale_margin = "10"
  bundle_waste     = "50%"
  colour           = "red"
}
application "*.orders_*" {
  state_size           = "240XB"
  required_parallelism = 4
}
rule "KPU099" {
  enabled = false
}
rule "KPU005" {
  severity = "fatal"
}
"#;
    let repo = Repo::new();
    repo.write("main.tf", &declared_app("orders_join", "", ""));
    repo.write(".kpulint.hcl", cfg);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let lines: Vec<u64> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4, 7, 10, 14], "{:#}", doc["errors"]);
}

// ---------------------------------------------------------------------------------------------
// Discovery and --config
// ---------------------------------------------------------------------------------------------

fn quota_config(q: u32) -> String {
    format!("defaults {{\n  kpu_quota = {q}\n}}\n")
}

#[test]
fn config_is_discovered_walking_up_from_a_subdirectory() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu008-undeclared-state", "infra/flink");
    repo.write(".kpulint.hcl", &quota_config(3));
    // From the repository root, from infra/, and from the application directory itself.
    for (cwd, path) in [("", "infra/flink"), ("infra", "flink"), ("infra/flink", ".")] {
        let (_, doc) = json(&repo.path().join(cwd), &[path]);
        assert_eq!(rules(&doc), ["KPU008", "KPU007"], "cwd {cwd:?}: {doc:#}");
        assert!(
            the_finding(&doc, "KPU007")["message"]
                .as_str()
                .unwrap()
                .contains("quota of 3"),
            "{doc:#}"
        );
    }
}

#[test]
fn nearest_config_wins() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu008-undeclared-state", "infra/flink");
    repo.write(".kpulint.hcl", &quota_config(3));
    repo.write("infra/.kpulint.hcl", &quota_config(100));
    let (_, doc) = repo.json(&["infra/flink"]);
    assert_eq!(rules(&doc), ["KPU008"]);
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = Repo::new();
    outer.write(".kpulint.hcl", &quota_config(3));
    // A repository inside: its .git stops the walk before the outer config.
    std::fs::create_dir_all(outer.path().join("inner/.git")).unwrap();
    outer.copy_dir("examples/kpu008-undeclared-state", "inner/infra");
    let (_, doc) = json(&outer.path().join("inner"), &["infra"]);
    assert_eq!(rules(&doc), ["KPU008"], "{doc:#}");
    // Without the inner .git the walk reaches the outer config.
    std::fs::remove_dir(outer.path().join("inner/.git")).unwrap();
    let (_, doc) = json(&outer.path().join("inner"), &["infra"]);
    assert_eq!(rules(&doc), ["KPU008", "KPU007"], "{doc:#}");
}

#[test]
fn each_scanned_path_gets_its_own_config() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu008-undeclared-state", "strict/app");
    repo.copy_dir("examples/kpu008-undeclared-state", "lax/app");
    repo.write("strict/.kpulint.hcl", &quota_config(2));
    let (_, doc) = repo.json(&["strict/app", "lax/app"]);
    let k7: Vec<&str> = findings(&doc, "KPU007")
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(k7, ["strict/app/main.tf"]);
}

#[test]
fn explicit_config_replaces_discovery() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu008-undeclared-state", "infra");
    repo.write(".kpulint.hcl", &quota_config(3));
    repo.write("ci/strict.hcl", &quota_config(1));
    let (_, doc) = repo.json(&["infra", "--config", "ci/strict.hcl"]);
    let f = the_finding(&doc, "KPU007");
    assert!(f["message"].as_str().unwrap().contains("quota of 1"), "{f:#}");
    repo.write("ci/lax.hcl", &quota_config(64));
    let (_, doc) = repo.json(&["infra", "--config", "ci/lax.hcl"]);
    assert_eq!(rules(&doc), ["KPU008"]);
}

#[test]
fn missing_or_broken_explicit_config_is_exit_2() {
    let repo = Repo::new();
    repo.copy_dir("examples/clean", "infra");
    let (code, doc) = repo.json(&["infra", "--config", "nope.hcl"]);
    assert_eq!(code, 2);
    assert!(error_messages(&doc)[0].contains("nope.hcl"), "{doc:#}");
    assert_eq!(doc["applications"].as_array().unwrap().len(), 1);
    repo.write("bad.hcl", "defaults {\n  kpu_quota = \"x\"\n}\n");
    let (code, doc) = repo.json(&["infra", "--config", "bad.hcl"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["file"], "bad.hcl");
    assert_eq!(at(&doc["errors"][0]), (2, 15));
}

// ---------------------------------------------------------------------------------------------
// Rule overrides
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_can_be_disabled_and_its_severity_changed() {
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", "app");
    repo.write(
        ".kpulint.hcl",
        "rule \"KPU004\" {\n  enabled = false\n}\nrule \"kpu005\" {\n  severity = \"error\"\n}\n",
    );
    let (code, doc) = repo.json(&["app"]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU005"]);
    assert_eq!(the_finding(&doc, "KPU005")["severity"], "error");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 0);
    // Now it fails --fail-on error.
    assert_eq!(repo.run(&["app", "--fail-on", "error"]).code, 1);
}

#[test]
fn lowering_a_severity_changes_the_exit_code() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu004-overscale-margin", "app");
    repo.write(".kpulint.hcl", "rule \"KPU004\" {\n  severity = \"note\"\n}\n");
    let (code, doc) = repo.json(&["app"]);
    assert_eq!(code, 0);
    assert_eq!(the_finding(&doc, "KPU004")["severity"], "note");
    assert_eq!(repo.run(&["app", "--fail-on", "note"]).code, 1);
}

#[test]
fn kpu008_can_be_disabled() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu008-undeclared-state", "app");
    repo.write(".kpulint.hcl", "rule \"KPU008\" {\n  enabled = false\n}\n");
    let (code, doc) = repo.json(&["app", "--fail-on", "note"]);
    assert_eq!(code, 0);
    assert!(rules(&doc).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Prices and regions
// ---------------------------------------------------------------------------------------------

fn two_apps_in(region: &str) -> String {
    format!(
        "provider \"aws\" {{\n  region = \"{region}\"\n}}\n{}{}",
        flink_app(
            "a",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "1",
            "false"
        ),
        flink_app(
            "b",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "1",
            "false"
        )
    )
}

#[test]
fn unknown_region_has_unknown_costs_and_says_so_once() {
    let repo = Repo::new();
    repo.write("main.tf", &two_apps_in("ap-south-1"));
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0);
    let notices = doc["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:#?}");
    let message = notices[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ap-south-1") && message.contains("`prices \"ap-south-1\""),
        "{message}"
    );
    for a in doc["applications"].as_array().unwrap() {
        assert_eq!(a["region"], "ap-south-1");
        assert!(a["monthly_cost_usd"].is_null() && a["price_region"].is_null(), "{a:#}");
        assert!(a["recommendation"]["monthly_cost_usd"].is_null(), "{a:#}");
    }
    let r = repo.run(&[".", "--color", "never"]);
    assert_eq!(r.stdout.matches("no prices for region").count(), 1, "{}", r.stdout);
    // --quiet drops the notice.
    let r = repo.run(&[".", "--quiet"]);
    assert!(!r.stdout.contains("ap-south-1"), "{}", r.stdout);

    // defaults.fallback_prices prices it, and every figure says at which prices.
    repo.write(".kpulint.hcl", "defaults {\n  fallback_prices = \"us-east-1\"\n}\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0);
    for a in doc["applications"].as_array().unwrap() {
        assert_eq!(a["price_region"], "us-east-1");
        // 5 × 730 × 0.11 + 200 × 0.10
        assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 421.5);
    }
    let message = doc["notices"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("costs use us-east-1 prices (defaults.fallback_prices)"),
        "{message}"
    );
}

#[test]
fn prices_block_sets_prices_for_a_region() {
    let repo = Repo::new();
    repo.write("main.tf", &two_apps_in("ap-south-1"));
    repo.write(
        ".kpulint.hcl",
        "prices \"ap-south-1\" {\n  kpu_hour_usd                 = 0.2\n  running_storage_gb_month_usd = 0.1\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert!(doc["notices"].as_array().unwrap().is_empty(), "{doc:#}");
    for a in doc["applications"].as_array().unwrap() {
        // 5 × 730 × 0.2 + 200 × 0.1
        assert_eq!(a["monthly_cost_usd"].as_f64().unwrap(), 750.0);
    }
}

#[test]
fn prices_block_changes_finding_costs() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu004-overscale-margin", "app");
    repo.write(
        ".kpulint.hcl",
        "prices \"us-east-1\" {\n  kpu_hour_usd                 = 0.2\n  running_storage_gb_month_usd = 0.2\n}\n",
    );
    let (_, doc) = repo.json(&["app"]);
    // 2 × (730 × 0.2 + 50 × 0.2) = 2 × 156
    let f = the_finding(&doc, "KPU004");
    assert!(f["message"].as_str().unwrap().contains("$312.00"), "{f:#}");
}

#[test]
fn builtin_eu_west_2_prices() {
    let repo = Repo::new();
    repo.write("main.tf", &two_apps_in("eu-west-2"));
    let (_, doc) = repo.json(&["."]);
    assert!(doc["notices"].as_array().unwrap().is_empty());
    // 5 × 730 × 0.127 + 200 × 0.116
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.a")["monthly_cost_usd"]
            .as_f64()
            .unwrap(),
        486.75
    );
}

#[test]
fn default_region_comes_from_config_and_provider_wins() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "a",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "1",
            "false",
        ),
    );
    repo.write(".kpulint.hcl", "defaults {\n  region = \"eu-west-2\"\n}\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(only_app(&doc)["region"], "eu-west-2");
    repo.write("provider.tf", "provider \"aws\" {\n  region = \"us-east-1\"\n}\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(only_app(&doc)["region"], "us-east-1");
}

#[test]
fn region_from_a_variable() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "variable \"region\" {{\n  default = \"us-east-1\"\n}}\nprovider \"aws\" {{\n  region = var.region\n}}\n{}",
            flink_app(
                "a",
                "# kpulint: state_size=10GB required_parallelism=4",
                "4",
                "1",
                "false"
            )
        ),
    );
    let (_, doc) = repo.json(&[".", "--var", "region=eu-west-2"]);
    assert_eq!(only_app(&doc)["region"], "eu-west-2");
}
