//! Expression evaluation through the binary: variables with Terraform's precedence, locals,
//! functions, unresolvable values (KPU009), count / for_each instances, dynamic blocks, modules.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// A module with `variable "p"` (default given or not) and one application whose parallelism
/// is `expr`.
fn module_with(vars: &str, expr: &str) -> String {
    format!("{vars}\n{}", simple_app("app", expr))
}

fn parallelism(doc: &Value) -> Value {
    only_app(doc)["parallelism"].clone()
}

// ---------------------------------------------------------------------------------------------
// Variables: default < TF_VAR_ < terraform.tfvars < *.auto.tfvars (lexical) < -var-file / -var
// ---------------------------------------------------------------------------------------------

fn precedence_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "infra/main.tf",
        &module_with("variable \"p\" {\n  default = 1\n}", "var.p"),
    );
    repo
}

fn p_of(repo: &Repo, env: &[(&str, &str)], args: &[&str]) -> Value {
    let mut cmd = kpulint(repo.path());
    cmd.arg("infra").args(args).args(["--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r = exec(cmd);
    let doc = r.json();
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    parallelism(&doc)
}

#[test]
fn variable_default_is_used() {
    let repo = precedence_repo();
    assert_eq!(p_of(&repo, &[], &[]), 1);
}

#[test]
fn tf_var_overrides_the_default() {
    let repo = precedence_repo();
    assert_eq!(p_of(&repo, &[("TF_VAR_p", "2")], &[]), 2);
}

#[test]
fn terraform_tfvars_overrides_tf_var() {
    let repo = precedence_repo();
    repo.write("infra/terraform.tfvars", "p = 3\n");
    assert_eq!(p_of(&repo, &[("TF_VAR_p", "2")], &[]), 3);
}

#[test]
fn auto_tfvars_override_terraform_tfvars_in_lexical_order() {
    let repo = precedence_repo();
    repo.write("infra/terraform.tfvars", "p = 3\n");
    repo.write("infra/b.auto.tfvars", "p = 5\n");
    repo.write("infra/a.auto.tfvars", "p = 4\n");
    assert_eq!(p_of(&repo, &[("TF_VAR_p", "2")], &[]), 5, "b.auto.tfvars is read last");
    // Only the lexically last file that sets p counts.
    repo.write("infra/c.auto.tfvars", "# nothing\n");
    assert_eq!(p_of(&repo, &[], &[]), 5);
    repo.write("infra/z.auto.tfvars", "p = 6\n");
    assert_eq!(p_of(&repo, &[], &[]), 6);
}

#[test]
fn var_file_overrides_auto_tfvars() {
    let repo = precedence_repo();
    repo.write("infra/terraform.tfvars", "p = 3\n");
    repo.write("infra/a.auto.tfvars", "p = 4\n");
    repo.write("prod.tfvars", "p = 7\n");
    assert_eq!(p_of(&repo, &[("TF_VAR_p", "2")], &["--var-file", "prod.tfvars"]), 7);
}

#[test]
fn var_and_var_file_apply_in_command_line_order() {
    let repo = precedence_repo();
    repo.write("infra/a.auto.tfvars", "p = 4\n");
    repo.write("seven.tfvars", "p = 7\n");
    repo.write("eight.tfvars", "p = 8\n");
    assert_eq!(p_of(&repo, &[], &["--var", "p=9", "--var-file", "seven.tfvars"]), 7);
    assert_eq!(p_of(&repo, &[], &["--var-file", "seven.tfvars", "--var", "p=9"]), 9);
    assert_eq!(
        p_of(
            &repo,
            &[],
            &["--var-file", "eight.tfvars", "--var-file", "seven.tfvars"]
        ),
        7
    );
    assert_eq!(p_of(&repo, &[], &["--var", "p=10", "--var", "p=11"]), 11);
}

#[test]
fn check_subcommand_keeps_the_command_line_order() {
    let repo = precedence_repo();
    repo.write("seven.tfvars", "p = 7\n");
    let (_, doc) = repo.json(&["check", "infra", "--var-file", "seven.tfvars", "--var", "p=9"]);
    assert_eq!(parallelism(&doc), 9);
    let (_, doc) = repo.json(&["check", "infra", "--var", "p=9", "--var-file", "seven.tfvars"]);
    assert_eq!(parallelism(&doc), 7);
}

#[test]
fn tfvars_of_another_directory_do_not_leak() {
    let repo = Repo::new();
    repo.write("a/main.tf", &module_with("variable \"p\" {\n  default = 1\n}", "var.p"));
    repo.write(
        "b/main.tf",
        &module_with("variable \"p\" {\n  default = 1\n}", "var.p").replace("\"app\"", "\"other\""),
    );
    repo.write("b/terraform.tfvars", "p = 6\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(app(&doc, "aws_kinesisanalyticsv2_application.app")["parallelism"], 1);
    assert_eq!(app(&doc, "aws_kinesisanalyticsv2_application.other")["parallelism"], 6);
}

#[test]
fn tf_var_with_a_map_value() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &module_with(
            "variable \"sizes\" {\n  type = map(number)\n}",
            "lookup(var.sizes, \"prod\", 1)",
        ),
    );
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"])
        .env("TF_VAR_sizes", "{ prod = 9, dev = 2 }");
    let doc = exec(cmd).json();
    assert_eq!(parallelism(&doc), 9, "{doc:#}");
}

#[test]
fn var_with_a_map_value() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &module_with("variable \"sizes\" {\n  type = map(number)\n}", "var.sizes[\"dev\"]"),
    );
    let (_, doc) = repo.json(&[".", "--var", "sizes={ prod = 9, dev = 3 }"]);
    assert_eq!(parallelism(&doc), 3, "{doc:#}");
}

#[test]
fn var_values_convert_to_numbers_and_bools_where_used() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "variable \"p\" {{\n  type = number\n}}\nvariable \"auto\" {{\n  type = bool\n}}\n{}",
            flink_app(
                "app",
                "# kpulint: state_size=10GB required_parallelism=12",
                "var.p * 2",
                "1",
                "var.auto"
            )
        ),
    );
    let (_, doc) = repo.json(&[".", "--var", "p=6", "--var", "auto=true"]);
    let a = only_app(&doc);
    assert_eq!(a["parallelism"], 12);
    assert_eq!(a["auto_scaling_enabled"], true);
}

#[test]
fn var_values_are_converted_to_the_declared_type_before_comparison() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &module_with("variable \"tier\" {\n  type = number\n}", "var.tier == 2 ? 8 : 4"),
    );
    let (_, doc) = repo.json(&[".", "--var", "tier=2"]);
    assert_eq!(parallelism(&doc), 8, "Terraform converts \"2\" to the number 2 first");
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"]).env("TF_VAR_tier", "2");
    assert_eq!(parallelism(&exec(cmd).json()), 8);
}

#[test]
fn var_for_an_undeclared_variable_is_ignored_and_var_syntax_is_checked() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("app", "4"));
    let r = repo.run(&[".", "--var", "no_equals_sign"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NAME=VALUE"), "{}", r.stderr);
    let r = repo.run(&[".", "--var", "=5"]);
    assert_eq!(r.code, 2);
}

#[test]
fn missing_var_file_is_an_error_but_the_rest_is_linted() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("app", "4"));
    let (code, doc) = repo.json(&[".", "--var-file", "nope.tfvars"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1, "{doc:#}");
    assert!(error_messages(&doc)[0].contains("nope.tfvars"), "{doc:#}");
    assert_eq!(only_app(&doc)["kpus"], 4);
}

#[test]
fn malformed_tfvars_is_an_error_at_its_position() {
    let repo = Repo::new();
    repo.write("main.tf", &module_with("variable \"p\" {\n  default = 1\n}", "var.p"));
    repo.write("terraform.tfvars", "p = = 3\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["file"], "terraform.tfvars");
    assert_eq!(e["line"], 1);
}

// ---------------------------------------------------------------------------------------------
// Locals and functions
// ---------------------------------------------------------------------------------------------

#[test]
fn locals_refer_to_locals_across_files() {
    let repo = Repo::new();
    repo.write(
        "locals.tf",
        "locals {\n  base = var.base\n  doubled = local.base * 2\n}\nvariable \"base\" {\n  default = 3\n}\n",
    );
    repo.write(
        "more.tf",
        "locals {\n  chain = local.doubled + local.offset\n  offset = 1\n}\n",
    );
    repo.write("main.tf", &simple_app("app", "local.chain"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(parallelism(&doc), 7);
    let (_, doc) = repo.json(&[".", "--var", "base=5"]);
    assert_eq!(parallelism(&doc), 11);
}

#[test]
fn a_local_cycle_is_an_error_not_a_hang() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "locals {{\n  a = local.b + 1\n  b = local.a + 1\n}}\n{}",
            simple_app("app", "local.a")
        ),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(error_messages(&doc).iter().any(|m| m.contains("itself")), "{doc:#}");
}

#[test]
fn supported_functions_and_operators() {
    let cases: &[(&str, f64)] = &[
        ("min(7, 3, 9)", 3.0),
        ("max(2, local.chain)", 11.0),
        ("max([4, 6]...)", 6.0),
        ("ceil(7 / 2)", 4.0),
        ("floor(7.9)", 7.0),
        ("abs(-6)", 6.0),
        ("tonumber(\"13\")", 13.0),
        ("lookup(var.sizes, var.env, 1)", 12.0),
        ("lookup(var.sizes, \"qa\", 3)", 3.0),
        ("coalesce(var.nothing, 14)", 14.0),
        ("coalesce(null, \"\", 2)", 2.0),
        ("try(var.sizes.qa, 15)", 15.0),
        ("try(var.sizes.prod, 15)", 12.0),
        ("var.env == \"prod\" ? 16 : 1", 16.0),
        ("var.env != \"prod\" ? 1 : 17", 17.0),
        ("(local.base >= 5 && local.base < 6) ? 18 : 1", 18.0),
        ("!(local.base > 5) || false ? 19 : 1", 19.0),
        ("(local.chain - 1) % 4 + 18", 20.0),
        ("max(ceil(local.chain / 4), floor(abs(-21.5)))", 21.0),
        ("\"${local.base}2\"", 52.0),
        ("length(var.sizes) * 11", 22.0),
        ("var.sizes[\"dev\"] + 21", 23.0),
        ("-local.base + 29", 24.0),
    ];
    let repo = Repo::new();
    let mut text = String::from(
        r#"variable "env" {
  default = "prod"
}
variable "sizes" {
  default = {
    prod = 12
    dev  = 2
  }
}
variable "nothing" {
  default = null
}
locals {
  base    = 5
  doubled = local.base * 2
  chain   = local.doubled + 1
}
"#,
    );
    for (i, (expr, _)) in cases.iter().enumerate() {
        text.push_str(&simple_app(&format!("c{i:02}"), expr));
    }
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    for (i, (expr, want)) in cases.iter().enumerate() {
        let a = app(&doc, &format!("aws_kinesisanalyticsv2_application.c{i:02}"));
        assert_eq!(a["parallelism"].as_f64(), Some(*want), "{expr}");
    }
}

#[test]
fn a_type_error_in_an_expression_is_an_input_error_at_the_expression() {
    let repo = Repo::new();
    let text = simple_app("app", "\"lots\" * 2");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let e = &doc["errors"][0];
    assert_eq!(at(e), pos_after(&text, "parallelism          = "));
}

#[test]
fn parallelism_of_the_wrong_type_is_an_input_error() {
    let repo = Repo::new();
    let text = simple_app("app", "\"lots\"");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(at(e), pos_after(&text, "parallelism          = "));
    assert!(e["message"].as_str().unwrap().contains("number"), "{e:#}");
    assert_eq!(only_app(&doc)["kpus"], Value::Null);
}

#[test]
fn invalid_configuration_type_is_an_input_error() {
    let repo = Repo::new();
    let text = simple_app("app", "4").replace("\"CUSTOM\"", "\"custom\"");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(at(e), pos_after(&text, "configuration_type   = "));
}

// ---------------------------------------------------------------------------------------------
// Unresolvable values: KPU009 at the expression, never a guess
// ---------------------------------------------------------------------------------------------

fn kpu009(text: &str, args: &[&str]) -> (Value, Value) {
    let repo = Repo::new();
    repo.write("main.tf", text);
    let mut all = vec!["."];
    all.extend_from_slice(args);
    let (_, doc) = repo.json(&all);
    let f = the_finding(&doc, "KPU009").clone();
    (doc, f)
}

#[test]
fn unresolved_variable_is_reported_at_the_expression_with_the_fix() {
    let text = module_with("variable \"p\" {\n  type = number\n}", "var.p");
    let (doc, f) = kpu009(&text, &[]);
    assert_eq!(at(&f), pos_after(&text, "parallelism          = "));
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("var.p"), "{m}");
    let h = f["help"].as_str().unwrap();
    assert!(h.contains("--var p=") && h.contains("--var-file"), "{h}");
    assert_eq!(f["severity"], "warning");
    let a = only_app(&doc);
    assert_eq!(a["status"], "unresolved");
    assert_eq!(a["kpus"], Value::Null);
    assert_eq!(a["parallelism"], Value::Null);
}

#[test]
fn unresolved_variable_is_fixed_by_var_tf_var_tfvars_or_var_file() {
    let repo = Repo::new();
    repo.write("main.tf", &module_with("variable \"p\" {\n  type = number\n}", "var.p"));
    let (code, doc) = repo.json(&[".", "--var", "p=4"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_app(&doc)["kpus"], 4);
    repo.write("given.tfvars", "p = 5\n");
    let (_, doc) = repo.json(&[".", "--var-file", "given.tfvars"]);
    assert_eq!(only_app(&doc)["kpus"], 5);
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"]).env("TF_VAR_p", "6");
    assert_eq!(only_app(&exec(cmd).json())["kpus"], 6);
    repo.write("terraform.tfvars", "p = 7\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(only_app(&doc)["kpus"], 7);
}

#[test]
fn unresolved_through_a_local_is_reported_at_the_attribute_naming_the_variable() {
    let text = format!(
        "variable \"p\" {{}}\nlocals {{\n  p = var.p * 2\n}}\n{}",
        simple_app("app", "local.p")
    );
    let (_, f) = kpu009(&text, &[]);
    assert_eq!(at(&f), pos_after(&text, "parallelism          = "));
    assert!(f["message"].as_str().unwrap().contains("var.p"), "{f:#}");
}

#[test]
fn data_source_is_unresolved() {
    let text = format!(
        "data \"aws_ssm_parameter\" \"p\" {{\n  name = \"/flink/parallelism\"\n}}\n{}",
        simple_app("app", "tonumber(data.aws_ssm_parameter.p.value)")
    );
    let (doc, f) = kpu009(&text, &[]);
    assert_eq!(at(&f), pos_after(&text, "parallelism          = "));
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("data.aws_ssm_parameter.p"), "{m}");
    assert!(m.contains("data source"), "{m}");
    assert!(f["help"].as_str().unwrap().contains("--var"), "{f:#}");
    assert_eq!(only_app(&doc)["kpus"], Value::Null);
}

#[test]
fn unsupported_function_is_unresolved_and_named() {
    let text = simple_app("app", "jsondecode(\"{\\\"p\\\": 4}\").p");
    let (_, f) = kpu009(&text, &[]);
    assert!(f["message"].as_str().unwrap().contains("jsondecode"), "{f:#}");
}

#[test]
fn kpu009_help_always_says_how_to_supply_the_value() {
    for expr in [
        "tonumber(data.aws_ssm_parameter.p.value)",
        "jsondecode(\"{}\").p",
        "aws_ssm_parameter.p.value",
    ] {
        let (_, f) = kpu009(&simple_app("app", expr), &[]);
        let h = f["help"].as_str().unwrap();
        assert!(h.contains("--var") && h.contains("--var-file"), "{expr}: {h}");
    }
}

#[test]
fn another_resources_attribute_is_unresolved() {
    let text = simple_app("app", "aws_ssm_parameter.p.value");
    let (_, f) = kpu009(&text, &[]);
    assert!(
        f["message"].as_str().unwrap().contains("aws_ssm_parameter.p.value"),
        "{f:#}"
    );
}

#[test]
fn unresolved_per_kpu_auto_scaling_and_configuration_type_are_each_reported() {
    let text = format!(
        "variable \"per\" {{}}\nvariable \"auto\" {{}}\n{}",
        flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "var.per",
            "var.auto"
        )
    );
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let fs = findings(&doc, "KPU009");
    assert_eq!(fs.len(), 2, "{doc:#}");
    assert_eq!(at(fs[0]), pos_after(&text, "auto_scaling_enabled = "));
    assert_eq!(at(fs[1]), pos_after(&text, "parallelism_per_kpu  = "));

    let text = format!(
        "variable \"ct\" {{}}\n{}",
        simple_app("app", "4").replace("\"CUSTOM\"", "var.ct")
    );
    let (doc, f) = kpu009(&text, &[]);
    assert_eq!(at(&f), pos_after(&text, "configuration_type   = "));
    assert_eq!(only_app(&doc)["status"], "unresolved");
}

#[test]
fn unresolved_runtime_environment_is_reported_and_cost_is_null() {
    let text = format!(
        "variable \"runtime\" {{}}\n{}",
        flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "1",
            "false"
        )
        .replace("\"FLINK-1_20\"", "var.runtime")
    );
    let (doc, f) = kpu009(&text, &[]);
    assert!(f["message"].as_str().unwrap().contains("runtime_environment"), "{f:#}");
    let a = only_app(&doc);
    assert_eq!(a["billed_kpus"], Value::Null, "1 or 2 orchestration KPUs: unknown");
    assert_eq!(a["monthly_cost_usd"], Value::Null);
    assert_eq!(a["kpus"], 4);
}

#[test]
fn unresolved_values_are_not_reported_when_default_ignores_them() {
    let text = format!(
        "variable \"p\" {{}}\n{}",
        flink_app("app", "# kpulint: state_size=10GB", "var.p", "1", "false").replace("\"CUSTOM\"", "\"DEFAULT\"")
    );
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    assert!(findings(&doc, "KPU009").is_empty(), "{doc:#}");
    assert_eq!(rules(&doc), ["KPU002"]);
    assert_eq!(only_app(&doc)["kpus"], 1);
}

#[test]
fn unresolved_state_size_tag_is_reported_not_skipped() {
    let text = format!(
        "variable \"state\" {{}}\n{}",
        simple_app("app", "4").replace(
            "  application_configuration {",
            "  tags = {\n    \"kpulint:state_size\" = var.state\n  }\n  application_configuration {"
        )
    );
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU009");
    assert_eq!(at(f), pos_after(&text, "\"kpulint:state_size\" = "));
}

#[test]
fn unresolved_region_is_reported_not_guessed() {
    let text = format!(
        "variable \"region\" {{}}\nprovider \"aws\" {{\n  region = var.region\n}}\n{}",
        flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=4",
            "4",
            "1",
            "false"
        )
    );
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    // The sizing is known: the region only picks prices, so it is a notice, not a KPU009 warning.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "KPU009"),
        "{doc:#}"
    );
    let app = &doc["applications"][0];
    assert_eq!(
        app["region"],
        serde_json::Value::Null,
        "never claims a region it could not resolve"
    );
    assert_eq!(app["price_region"], "us-east-1");
    // 5 billed KPUs × 730 h × $0.11 + 200 GB × $0.10
    assert_eq!(app["monthly_cost_usd"], 421.5, "{app:#}");
    let notice = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message"].as_str().unwrap().contains("region of"))
        .expect("a notice about the region");
    assert_eq!(notice["line"], 3, "{notice:#}");
    assert!(
        notice["message"].as_str().unwrap().contains("us-east-1 prices"),
        "{notice:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// Instances, dynamic blocks, modules
// ---------------------------------------------------------------------------------------------

const INSTANCES: &str = r#"variable "envs" {
  default = {
    prod = 8
    dev  = 2
  }
}

resource "aws_kinesisanalyticsv2_application" "counted" {
  count                  = 2
  name                   = "counted-${count.index}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = count.index + 3
        parallelism_per_kpu  = 1
      }
    }
  }
}

resource "aws_kinesisanalyticsv2_application" "each" {
  for_each               = var.envs
  name                   = "each-${each.key}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = each.value
        parallelism_per_kpu  = 1
      }
    }
  }
}

resource "aws_kinesisanalyticsv2_application" "set" {
  for_each               = toset(["blue", "green"])
  name                   = "set-${each.key}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = each.key == "blue" ? 5 : 6
        parallelism_per_kpu  = 1
      }
    }
  }
}

resource "aws_kinesisanalyticsv2_application" "none" {
  count               = 0
  runtime_environment = "FLINK-1_20"
}
"#;

#[test]
fn count_and_for_each_instances_have_terraform_addresses() {
    let repo = Repo::new();
    repo.write("main.tf", INSTANCES);
    let (_, doc) = repo.json(&["."]);
    let got: Vec<(String, Value)> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["address"].as_str().unwrap().to_string(), a["parallelism"].clone()))
        .collect();
    let want: Vec<(String, Value)> = [
        ("aws_kinesisanalyticsv2_application.counted[0]", 3),
        ("aws_kinesisanalyticsv2_application.counted[1]", 4),
        ("aws_kinesisanalyticsv2_application.each[\"dev\"]", 2),
        ("aws_kinesisanalyticsv2_application.each[\"prod\"]", 8),
        ("aws_kinesisanalyticsv2_application.set[\"blue\"]", 5),
        ("aws_kinesisanalyticsv2_application.set[\"green\"]", 6),
    ]
    .iter()
    .map(|(a, p)| (a.to_string(), Value::from(*p)))
    .collect();
    assert_eq!(got, want);
    // Every instance's findings carry its own address.
    let apps: Vec<&str> = findings(&doc, "KPU008")
        .iter()
        .map(|f| f["application"].as_str().unwrap())
        .collect();
    assert!(
        apps.contains(&"aws_kinesisanalyticsv2_application.each[\"prod\"]"),
        "{apps:?}"
    );
    assert!(
        apps.contains(&"aws_kinesisanalyticsv2_application.counted[0]"),
        "{apps:?}"
    );
}

#[test]
fn config_addresses_can_target_one_instance() {
    let repo = Repo::new();
    repo.write("main.tf", INSTANCES);
    repo.write(
        ".kpulint.hcl",
        "application \"aws_kinesisanalyticsv2_application.each[\\\"prod\\\"]\" {\n  state_size = \"100GB\"\n  required_parallelism = 8\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.each[\"prod\"]")["state_size_gb"],
        100
    );
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.each[\"dev\"]")["state_size_gb"],
        Value::Null
    );
}

#[test]
fn unknown_count_is_linted_as_one_instance_with_a_notice() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!("variable \"n\" {{}}\n{}", simple_app("app", "4")).replace(
            "  name                   = \"app\"",
            "  count                  = var.n\n  name                   = \"app\"",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(doc["applications"].as_array().unwrap().len(), 1);
    assert_eq!(doc["notices"].as_array().unwrap().len(), 1, "{doc:#}");
}

#[test]
fn dynamic_parallelism_configuration_block_is_evaluated() {
    let repo = Repo::new();
    let text = r#"variable "scaling" {
  default = {
    parallelism = 6
    per_kpu     = 2
  }
}

# kpulint: state_size=50GB required_parallelism=6
resource "aws_kinesisanalyticsv2_application" "dyn" {
  name                   = "dyn"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      dynamic "parallelism_configuration" {
        for_each = [var.scaling]
        content {
          configuration_type   = "CUSTOM"
          auto_scaling_enabled = false
          parallelism          = parallelism_configuration.value.parallelism
          parallelism_per_kpu  = parallelism_configuration.value.per_kpu
        }
      }
    }
  }
}

resource "aws_kinesisanalyticsv2_application" "dyn_iter" {
  name                   = "dyn-iter"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      dynamic "parallelism_configuration" {
        for_each = { main = 9 }
        iterator = pc
        content {
          configuration_type   = "CUSTOM"
          auto_scaling_enabled = false
          parallelism          = pc.value
          parallelism_per_kpu  = 1
        }
      }
    }
  }
}

resource "aws_kinesisanalyticsv2_application" "dyn_empty" {
  name                   = "dyn-empty"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {
    flink_application_configuration {
      dynamic "parallelism_configuration" {
        for_each = []
        content {
          configuration_type = "CUSTOM"
          parallelism        = 40
        }
      }
    }
  }
}
"#;
    repo.write("main.tf", text);
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    let a = app(&doc, "aws_kinesisanalyticsv2_application.dyn");
    assert_eq!(a["parallelism"], 6);
    assert_eq!(a["parallelism_per_kpu"], 2);
    assert_eq!(a["kpus"], 3);
    assert_eq!(a["auto_scaling_enabled"], false);
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.dyn_iter")["parallelism"],
        9
    );
    // No block at all: service defaults.
    let e = app(&doc, "aws_kinesisanalyticsv2_application.dyn_empty");
    assert_eq!(e["kpus"], 1);
    assert_eq!(e["configuration_type"], "DEFAULT");
}

#[test]
fn dynamic_block_over_an_unknown_collection_is_unresolved() {
    let repo = Repo::new();
    let text = r#"variable "scaling" {}
resource "aws_kinesisanalyticsv2_application" "dyn" {
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      dynamic "parallelism_configuration" {
        for_each = var.scaling
        content {
          configuration_type = "CUSTOM"
          parallelism        = parallelism_configuration.value
        }
      }
    }
  }
}
"#;
    repo.write("main.tf", text);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU009");
    assert_eq!(at(f), pos_after(text, "for_each = "));
    assert_eq!(only_app(&doc)["kpus"], Value::Null);
}

const FLEET: &str = r#"module "orders" {
  source      = "SOURCE"
  parallelism = 6
}

module "fleet" {
  source      = "SOURCE"
  for_each    = { a = 2, b = 3 }
  parallelism = each.value
}
"#;

fn flink_module() -> String {
    format!(
        "variable \"parallelism\" {{\n  type = number\n}}\n{}",
        simple_app("this", "var.parallelism")
    )
}

fn assert_fleet(doc: &Value) {
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(
        app(doc, "module.orders.aws_kinesisanalyticsv2_application.this")["parallelism"],
        6
    );
    assert_eq!(
        app(doc, "module.fleet[\"a\"].aws_kinesisanalyticsv2_application.this")["parallelism"],
        2
    );
    assert_eq!(
        app(doc, "module.fleet[\"b\"].aws_kinesisanalyticsv2_application.this")["parallelism"],
        3
    );
    assert_eq!(doc["applications"].as_array().unwrap().len(), 3, "{doc:#}");
}

#[test]
fn local_module_calls_below_the_root_are_followed_with_their_arguments() {
    let repo = Repo::new();
    repo.write("live/main.tf", &FLEET.replace("SOURCE", "./modules/flink"));
    repo.write("live/modules/flink/main.tf", &flink_module());
    let (_, doc) = repo.json(&["live"]);
    assert_fleet(&doc);
    // Linting the whole repository: the module is not also linted as a root of its own.
    let (_, doc) = repo.json(&["."]);
    assert_fleet(&doc);
}

#[test]
fn parent_module_sources_are_followed_from_inside_the_caller() {
    let repo = Repo::new();
    repo.write("live/main.tf", &FLEET.replace("SOURCE", "../modules/flink"));
    repo.write("modules/flink/main.tf", &flink_module());
    let (_, doc) = json(&repo.path().join("live"), &["."]);
    assert_fleet(&doc);
}

#[test]
fn parent_module_sources_are_followed_from_the_repository_root() {
    let repo = Repo::new();
    repo.write("live/main.tf", &FLEET.replace("SOURCE", "../modules/flink"));
    repo.write("modules/flink/main.tf", &flink_module());
    let (_, doc) = repo.json(&["live"]);
    assert_fleet(&doc);
}

#[test]
fn grandparent_module_sources_are_followed() {
    let repo = Repo::new();
    repo.write("envs/prod/main.tf", &FLEET.replace("SOURCE", "../../modules/flink"));
    repo.write("modules/flink/main.tf", &flink_module());
    let (_, doc) = json(&repo.path().join("envs/prod"), &["."]);
    assert_fleet(&doc);
    let (_, doc) = repo.json(&["envs/prod"]);
    assert_fleet(&doc);
}

#[test]
fn called_module_is_not_linted_as_a_root() {
    let repo = Repo::new();
    repo.write("live/main.tf", &FLEET.replace("SOURCE", "../modules/flink"));
    repo.write("modules/flink/main.tf", &flink_module());
    let (_, doc) = repo.json(&["."]);
    assert_fleet(&doc);
}

#[test]
fn a_module_calling_itself_is_reported_not_dropped() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!("module \"me\" {{\n  source = \"./\"\n}}\n{}", simple_app("app", "4")),
    );
    let (code, doc) = repo.json(&["."]);
    assert!(
        code == 2 || !doc["applications"].as_array().unwrap().is_empty(),
        "the application is neither linted nor is the cycle reported: {doc:#}"
    );
}

#[test]
fn a_cycle_of_modules_does_not_hang() {
    let repo = Repo::new();
    repo.write(
        "a/main.tf",
        &format!("module \"b\" {{\n  source = \"../b\"\n}}\n{}", simple_app("a", "4")),
    );
    repo.write("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n");
    let (code, _) = json(&repo.path().join("a"), &["."]);
    assert!(code <= 2);
}

#[test]
fn substr_with_a_huge_length_does_not_panic() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("app", "length(substr(\"abcdef\", 1, 1e300))"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(parallelism(&doc), 5);
}

#[test]
fn a_long_chain_of_locals_does_not_overflow_the_stack() {
    let n = 2000;
    let mut text = String::from("locals {\n");
    for i in 0..n {
        text.push_str(&format!("  a{i} = local.a{} + 0\n", i + 1));
    }
    text.push_str(&format!("  a{n} = 4\n}}\n"));
    text.push_str(&simple_app("app", "local.a0"));
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert!(code <= 2);
    // Either evaluated, or reported as too deep; never a crash.
    let a = only_app(&doc);
    assert!(a["parallelism"] == 4 || code == 2, "{a:#}");
}

#[test]
fn var_values_of_the_wrong_type_are_errors_at_the_value() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &module_with("variable \"tier\" {\n  type = number\n}", "var.tier == 2 ? 8 : 4"),
    );
    let (code, doc) = repo.json(&[".", "--var", "tier=abc"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        error_messages(&doc),
        ["invalid value for var.tier: \"abc\" is not a number"],
        "{doc:#}"
    );
    assert_eq!(doc["errors"][0]["file"], "--var tier", "{doc:#}");
    assert_eq!(only_app(&doc)["kpus"], Value::Null);

    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"]).env("TF_VAR_tier", "two");
    let doc = exec(cmd).json();
    assert!(error_messages(&doc)[0].contains("\"two\" is not a number"), "{doc:#}");
}

#[test]
fn tfvars_values_and_defaults_are_converted_to_the_declared_type() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "variable \"tier\" {{\n  type = number\n}}\nvariable \"base\" {{\n  type    = number\n  default = \"3\"\n}}\nvariable \"name\" {{\n  type    = string\n  default = 5\n}}\n{}",
            simple_app("app", "var.tier == 4 && var.base == 3 && var.name == \"5\" ? 6 : 1")
        ),
    );
    repo.write("terraform.tfvars", "tier = \"4\"\n");
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(parallelism(&doc), 6);

    repo.write("terraform.tfvars", "tier = \"four\"\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["message"], "invalid value for var.tier: \"four\" is not a number");
    assert_eq!(e["file"], "terraform.tfvars");
    assert_eq!(at(e), (1, 8));
}

#[test]
fn bool_vars_from_the_environment_are_bools() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &module_with("variable \"big\" {\n  type = bool\n}", "var.big == true ? 8 : 2"),
    );
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--format", "json"]).env("TF_VAR_big", "true");
    assert_eq!(parallelism(&exec(cmd).json()), 8);
}

#[test]
fn module_arguments_are_converted_to_the_declared_type() {
    let repo = Repo::new();
    repo.write("main.tf", "module \"m\" {\n  source = \"./m\"\n  tier   = \"2\"\n}\n");
    repo.write(
        "m/main.tf",
        &module_with("variable \"tier\" {\n  type = number\n}", "var.tier == 2 ? 8 : 4"),
    );
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    assert_eq!(parallelism(&doc), 8);
}

#[test]
fn nested_for_expressions_over_big_ranges_are_an_error_not_a_hang() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "locals {{\n  cube = [for a in range(1024) : [for b in range(1024) : [for c in range(1024) : a + b + c]]]\n}}\n{}",
            simple_app("app", "length(local.cube)")
        ),
    );
    let started = std::time::Instant::now();
    let (code, doc) = repo.json(&["."]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        error_messages(&doc)
            .iter()
            .any(|m| m.contains("expression is too expensive to evaluate")),
        "{doc:#}"
    );
}

#[test]
fn a_long_chain_of_locals_is_reported_at_the_reference() {
    let mut text = String::from("locals {\n");
    for i in 0..300 {
        text.push_str(&format!("  a{i} = local.a{} + 0\n", i + 1));
    }
    text.push_str("  a300 = 4\n}\n");
    text.push_str(&simple_app("app", "local.a0"));
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("locals nest deeper than 128 levels"),
        "{e:#}"
    );
    assert_eq!(at(e), pos_after(&text, "a127 = "));
}

#[test]
fn functions_with_extreme_arguments_are_errors_not_crashes() {
    let cases = [
        "element([1, 2, 3], 1e300)",
        "slice([1, 2, 3], 0, 1e300)",
        "parseint(\"Z\", 62)",
        "parseint(\"1\", 1e300)",
        "range(1e300)",
        "format(\"%99999999999999999999d\", 1)",
        "substr(\"abc\", -1e300, 1e300)",
        "[1, 2][1e300]",
        "sum([1e308, 1e308])",
    ];
    let repo = Repo::new();
    let mut text = String::new();
    for (i, expr) in cases.iter().enumerate() {
        text.push_str(&simple_app(
            &format!("c{i}"),
            &format!("try(length(tostring({expr})), 1)"),
        ));
    }
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["applications"].as_array().unwrap().len(), cases.len());
}

#[test]
fn for_each_keys_are_quoted_like_terraform_addresses() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &simple_app("app", "4").replace(
            "  name                   = \"app\"",
            "  for_each               = toset([\"a\\\"b\", \"c\\\\d\"])\n  name                   = each.key",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{:#}", doc["errors"]);
    let got: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [
            r#"aws_kinesisanalyticsv2_application.app["a\"b"]"#,
            r#"aws_kinesisanalyticsv2_application.app["c\\d"]"#
        ]
    );
}

#[test]
fn zero_instances_are_no_applications_and_no_errors_but_notices() {
    let repo = Repo::new();
    let none = |meta: &str, name: &str| {
        simple_app(name, "4").replace(
            "  name                   = \"",
            &format!("  {meta}\n  name                   = \""),
        )
    };
    repo.write(
        "main.tf",
        &[
            none("count = 0", "c"),
            none("for_each = {}", "m"),
            none("for_each = toset([])", "s"),
            "module \"zero\" {\n  source = \"./m\"\n  count  = 0\n}\nmodule \"empty\" {\n  source   = \"./m\"\n  for_each = {}\n}\n".into(),
        ]
        .concat(),
    );
    repo.write("m/main.tf", &simple_app("inner", "4"));
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["applications"].as_array().unwrap().is_empty(), "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    // Nothing vanishes without a word: one notice per resource or call with no instances, and
    // one that the scan found no application.
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .filter(|m| !m.starts_with("no Managed Flink application found in ."))
        .collect();
    assert_eq!(notices.len(), 5, "{doc:#}");
    assert!(notices.iter().all(|m| m.contains(" has no instances: ")));
    assert_eq!(doc["notices"].as_array().unwrap().len(), 6, "{doc:#}");
}

#[test]
fn a_cycle_of_modules_is_reported_and_each_application_linted_once() {
    let repo = Repo::new();
    let a = format!("module \"b\" {{\n  source = \"../b\"\n}}\n{}", simple_app("a", "4"));
    repo.write("a/main.tf", &a);
    repo.write(
        "b/main.tf",
        &format!("module \"a\" {{\n  source = \"../a\"\n}}\n{}", simple_app("b", "4")),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let mut got: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "aws_kinesisanalyticsv2_application.a",
            "aws_kinesisanalyticsv2_application.b"
        ]
    );
    let errors = error_messages(&doc);
    assert!(
        errors.iter().all(|m| m.starts_with("module call cycle: ")),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"module call cycle: a → b → a (module.b is not followed)".to_string()),
        "{errors:?}"
    );
    let e = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "a/main.tf")
        .expect("an error at a's call");
    assert_eq!(at(e), (1, 1));
}
