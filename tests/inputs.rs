//! Issue 3 across formats: the same application in every format gives the same findings;
//! Terraform JSON syntax; format detection and `--input-format`; registry modules; bad input.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

/// (rule, severity, message) of every finding, for comparing formats one to one.
fn signature(doc: &Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["message"]
                    .as_str()
                    .unwrap_or("")
                    .replace("OrdersJoin", "orders_join")
                    .replace("aws_kinesisanalyticsv2_application.", ""),
            )
        })
        .collect()
}

#[test]
fn the_same_application_in_every_format_gives_the_same_findings() {
    let formats = [
        "examples/formats/terraform-hcl",
        "examples/formats/terraform-json",
        "examples/formats/plan/plan.json",
        "examples/formats/cloudformation-json",
        "examples/formats/cloudformation-yaml",
    ];
    let mut first: Option<Vec<(String, String, String)>> = None;
    for path in formats {
        let (code, doc) = json_at_root(&[path]);
        assert_eq!(code, 1, "{path}: {doc:#}");
        assert!(
            doc["errors"].as_array().unwrap().is_empty(),
            "{path}: {:#}",
            doc["errors"]
        );
        let a = only_app(&doc);
        for (k, v) in [
            ("kpus", 12),
            ("billed_kpus", 13),
            ("running_storage_gb", 600),
            ("needed_kpus", 10),
        ] {
            assert_eq!(a[k], v, "{path}: {k}");
        }
        assert_eq!(a["monthly_cost_usd"], 1103.9, "{path}");
        assert_eq!(a["state_size_gb"], 240, "{path}");
        assert_eq!(a["required_parallelism"], 4, "{path}");
        let sig = signature(&doc);
        assert_eq!(
            sig.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
            ["KPU004", "KPU005"],
            "{path}"
        );
        // Every finding points at the parallelism value of its own file.
        for f in doc["findings"].as_array().unwrap() {
            let file = f["file"].as_str().unwrap();
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            let line = text.lines().nth(f["line"].as_u64().unwrap() as usize - 1).unwrap();
            let col = f["column"].as_u64().unwrap() as usize - 1;
            let at: String = line.chars().skip(col).take(12).collect();
            assert!(
                at.starts_with("12") || at.starts_with("!Ref") || at.starts_with("{ \"Ref\""),
                "{path}: {file}:{} `{at}`",
                f["line"]
            );
        }
        match &first {
            None => first = Some(sig),
            Some(expected) => assert_eq!(&sig, expected, "{path} differs from the HCL findings"),
        }
    }
}

#[test]
fn terraform_json_mixes_with_hcl_in_one_module() {
    let repo = Repo::new();
    repo.write(
        "variables.tf",
        "variable \"p\" {\n  type    = number\n  default = 4\n}\n",
    );
    repo.write(
        "main.tf.json",
        r#"{
  "locals": { "per": 2 },
  "resource": {
    "aws_kinesisanalyticsv2_application": {
      "a": {
        "//": "kpulint: state_size=10GB required_parallelism=2",
        "runtime_environment": "FLINK-1_20",
        "application_configuration": {
          "flink_application_configuration": {
            "parallelism_configuration": {
              "configuration_type": "CUSTOM",
              "parallelism": "${var.p * 3}",
              "parallelism_per_kpu": "${local.per}",
              "auto_scaling_enabled": false
            }
          }
        }
      }
    }
  }
}
"#,
    );
    repo.write("terraform.tfvars.json", "{ \"p\": 5 }\n");
    let (_, doc) = repo.json(&["."]);
    let a = only_app(&doc);
    assert_eq!(a["format"], "terraform-json");
    assert_eq!(
        a["parallelism"], 15,
        "tfvars.json overrides the .tf default; a lone interpolation keeps the number"
    );
    assert_eq!(a["parallelism_per_kpu"], 2);
    assert_eq!(a["kpus"], 8);
    assert_eq!(a["state_size_source"], "annotation");
    // parallelism 15 with 2 per KPU leaves a slot idle: KPU006 at the JSON string.
    let f = the_finding(&doc, "KPU006");
    let text = std::fs::read_to_string(repo.path().join("main.tf.json")).unwrap();
    assert_eq!(at(f), pos(&text, "\"${var.p * 3}\""));
}

#[test]
fn terraform_json_templates_that_mix_text_stay_strings() {
    let repo = Repo::new();
    repo.write(
        "main.tf.json",
        r#"{ "variable": { "v": { "default": "1_20" } },
  "resource": { "aws_kinesisanalyticsv2_application": { "a": {
    "runtime_environment": "FLINK-${var.v}",
    "tags": { "kpulint:state_size": "10GB", "kpulint:required_parallelism": "1" } } } } }"#,
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_app(&doc)["runtime_environment"], "FLINK-1_20");
}

#[test]
fn malformed_terraform_json_is_located() {
    let repo = Repo::new();
    repo.write(
        "main.tf.json",
        "{\n  \"resource\": {\n    \"aws_kinesisanalyticsv2_application\": {,}\n  }\n}\n",
    );
    repo.copy_dir("examples/clean", "ok");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["file"], "main.tf.json");
    assert_eq!(doc["errors"][0]["line"], 3);
    assert_eq!(doc["summary"]["applications"], 1, "the valid module is still linted");
}

#[test]
fn unrelated_json_is_skipped_when_walking_and_an_error_when_named() {
    let repo = Repo::new();
    repo.write("package.json", "{ \"name\": \"web\", \"version\": \"1.0.0\" }\n");
    repo.write("config/app.yaml", "server:\n  port: 8080\n");
    repo.copy_dir("examples/clean", "infra");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty());
    let (code, doc) = repo.json(&["package.json"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["file"], "package.json");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("package.json is not Terraform, a plan or a CloudFormation template"),
        "{doc:#}"
    );
}

#[test]
fn formats_are_detected_by_content_and_input_format_forces_one() {
    let repo = Repo::new();
    let plan = std::fs::read_to_string(root().join("examples/formats/plan/plan.json")).unwrap();
    repo.write("plan.out.txt", &plan);
    // Named explicitly with an unknown extension: the content says it is a plan.
    let (code, doc) = repo.json(&["plan.out.txt"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(only_app(&doc)["format"], "plan");
    // Forcing another reader is obeyed, and its error is reported.
    let (code, doc) = repo.json(&["plan.out.txt", "--input-format", "terraform"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "plan.out.txt");
    // A file that is nothing kpulint reads is an error when named.
    repo.write("notes.txt", "hello\n");
    let (code, doc) = repo.json(&["notes.txt"]);
    assert_eq!(code, 2, "{doc:#}");
}

#[test]
fn plan_on_stdin_matches_the_file() {
    let plan = std::fs::read_to_string(root().join("examples/formats/plan/plan.json")).unwrap();
    let mut cmd = kpulint(&root());
    cmd.args(["-", "--format", "json"]).write_stdin(plan);
    let r = exec(cmd);
    assert_eq!(r.code, 1);
    let doc = r.json();
    let a = only_app(&doc);
    assert_eq!(a["file"], "<stdin>");
    assert_eq!(a["kpus"], 12);
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

#[test]
fn registry_modules_are_followed_through_modules_json_or_noted() {
    let repo = Repo::new();
    let app = std::fs::read_to_string(root().join("examples/fleet/modules/flink/main.tf")).unwrap();
    let vars = std::fs::read_to_string(root().join("examples/fleet/modules/flink/variables.tf")).unwrap();
    repo.write(
        "main.tf",
        "module \"orders\" {\n  source  = \"acme/flink/aws\"\n  version = \"1.0.0\"\n  name = \"orders\"\n  parallelism = 14\n  state_size = \"240GB\"\n  required_parallelism = 4\n}\n",
    );
    // Without `terraform init`: one note, nothing guessed.
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 0);
    let notes: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"].as_str())
        .collect();
    assert_eq!(
        notes.iter().filter(|n| n.contains("not followed")).count(),
        1,
        "{notes:?}"
    );
    // After `terraform init`: the downloaded copy is linted through the call.
    repo.write(".terraform/modules/orders/main.tf", &app);
    repo.write(".terraform/modules/orders/variables.tf", &vars);
    repo.write(
        ".terraform/modules/modules.json",
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"orders","Source":"registry.terraform.io/acme/flink/aws","Version":"1.0.0","Dir":".terraform/modules/orders"}]}"#,
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1, "{doc:#}");
    let a = only_app(&doc);
    assert_eq!(a["address"], "module.orders.aws_kinesisanalyticsv2_application.this");
    assert_eq!(a["kpus"], 14);
    let f = the_finding(&doc, "KPU004");
    assert_eq!(f["file"], ".terraform/modules/orders/main.tf");
    let related: Vec<&str> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["file"].as_str())
        .collect();
    assert!(
        related.contains(&"main.tf"),
        "the calling module block and argument are named: {related:?}"
    );
}

#[test]
fn fleet_findings_name_the_module_call_and_argument() {
    let (code, doc) = json_at_root(&["examples/fleet"]);
    assert_eq!(code, 1);
    let addresses: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["address"].as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "module.orders[\"dev\"].aws_kinesisanalyticsv2_application.this",
            "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this",
            "module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this",
        ]
    );
    let f = the_finding(&doc, "KPU004");
    assert_eq!(
        f["application"],
        "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"
    );
    assert_eq!(f["file"], "examples/fleet/modules/flink/main.tf");
    let related = f["related"].as_array().unwrap();
    let arg = related
        .iter()
        .find(|r| r["message"].as_str().unwrap_or("").contains("parallelism passed by"))
        .expect("argument");
    assert_eq!(arg["file"], "examples/fleet/main.tf");
    let call = related
        .iter()
        .find(|r| r["message"].as_str().unwrap_or("").starts_with("reached through"))
        .expect("call");
    assert_eq!(at(call), pos_in("examples/fleet/main.tf", "module \"orders\""));
}

#[test]
fn cloudformation_parameters_and_conditions_resolve() {
    let repo = Repo::new();
    repo.write(
        "stack.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nMappings:\n  Size:\n    dev: { P: 2 }\n    prod: { P: 12 }\nResources:\n  App:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n            ConfigurationType: CUSTOM\n            Parallelism: !FindInMap [Size, !Ref Env, P]\n            ParallelismPerKPU: 1\n            AutoScalingEnabled: !If [IsProd, false, true]\n      Tags:\n        - Key: kpulint:state_size\n          Value: 20GB\n",
    );
    let (_, doc) = repo.json(&["."]);
    let a = only_app(&doc);
    assert_eq!(
        (a["parallelism"].clone(), a["auto_scaling_enabled"].clone()),
        (Value::from(2), Value::from(true))
    );
    let (_, doc) = repo.json(&[".", "--parameter", "Env=prod"]);
    let a = only_app(&doc);
    assert_eq!(
        (a["parallelism"].clone(), a["auto_scaling_enabled"].clone()),
        (Value::from(12), Value::from(false))
    );
}

#[test]
fn deeply_nested_json_and_yaml_are_errors_not_crashes() {
    let repo = Repo::new();
    let deep_json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"A\": {{\"Type\": \"AWS::KinesisAnalyticsV2::Application\", \"Properties\": {}1{}}}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    repo.write("deep.json", &deep_json);
    let mut yaml = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n");
    for depth in 0..3000 {
        yaml.push_str(&" ".repeat(6 + depth));
        yaml.push_str("k:\n");
    }
    repo.write("deep.yaml", &yaml);
    let deep_plan = format!(
        "{{\"format_version\": \"1.2\", \"planned_values\": {}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    repo.write(
        "deep-plan.json",
        &deep_plan.replace(
            "\"planned_values\"",
            "\"planned_values\", \"x\": \"aws_kinesisanalyticsv2_application\", \"y\"",
        ),
    );
    repo.copy_dir("examples/clean", "ok");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let files: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert!(
        files.contains(&"deep.json") && files.contains(&"deep.yaml"),
        "{files:?}"
    );
    assert_eq!(doc["summary"]["applications"], 1, "the valid module is still linted");
}

#[test]
fn non_numeric_parallelism_in_a_template_is_an_error_at_the_value() {
    let repo = Repo::new();
    let text = std::fs::read_to_string(root().join("examples/formats/cloudformation-yaml/template.yaml")).unwrap();
    let text = text.replace("Parallelism: !Ref Parallelism", "Parallelism: lots");
    repo.write("t.yaml", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "t.yaml");
    assert_eq!(at(&doc["errors"][0]), pos_after(&text, "Parallelism: "));
    assert_eq!(only_app(&doc)["kpus"], serde_json::Value::Null);
}

/// Over 1 MB of Terraform around one application: large files are parsed a group of
/// statements at a time, which must find the same values and positions as a whole parse.
fn large_module(tail: &str) -> String {
    let mut text = String::from("variable \"p\" {\n  default = 3\n}\n");
    text.push_str(&std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap());
    let mut i = 0;
    while text.len() < 1_500_000 {
        text.push_str(&format!(
            "resource \"aws_iam_policy\" \"p{i}\" {{\n  name   = \"p{i}\"\n  policy = <<EOF\n{{\"Statement\": [\"}}\"]}}\nEOF\n}}\n\n"
        ));
        i += 1;
    }
    text.push_str("locals {\n  base = 4\n}\n");
    text.push_str(tail);
    text
}

#[test]
fn a_large_file_gives_what_the_same_module_gives_in_small_files() {
    let small = Repo::new();
    small.copy_dir("examples/kpu004-overscale-margin", "app");
    let (small_code, small_doc) = small.json(&[]);
    let large = Repo::new();
    large.write("app/main.tf", &large_module(""));
    let (code, doc) = large.json(&[]);
    assert_eq!(code, small_code, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    // The application and its findings sit 3 lines lower (the variable block above it).
    let shift = |d: &Value| -> Vec<(String, u64, u64)> {
        locations(d)
            .into_iter()
            .map(|(rule, _, line, col)| (rule, line, col))
            .collect()
    };
    let expected: Vec<(String, u64, u64)> = shift(&small_doc).into_iter().map(|(r, l, c)| (r, l + 3, c)).collect();
    assert_eq!(shift(&doc), expected);
}

#[test]
fn a_syntax_error_late_in_a_large_file_is_located_exactly() {
    let repo = Repo::new();
    let text = large_module("broken = \n");
    let line = text.lines().count();
    repo.write("app/main.tf", &text);
    let (code, doc) = repo.json(&[]);
    assert_eq!(code, 2, "{doc:#}");
    let e = &doc["errors"][0];
    assert_eq!(e["file"], "app/main.tf");
    assert_eq!(e["line"].as_u64().unwrap() as usize, line, "{e:#}");
}

/// A module file where most of the text is resources nothing evaluates, around an application
/// fed by a variable, a directive above a resource that is not an application, and a resource
/// mentioning kpulint in its body.
fn mostly_other_resources() -> String {
    let other = |i: usize| {
        let settings: String = (0..8).map(|j| format!("  setting_{j} = \"value-{i}-{j}\"\n")).collect();
        format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b{i}\"\n{settings}  tags = {{\n    Name = \"b{i}\"\n  }}\n}}\n\n")
    };
    let mut text = String::from("variable \"parallelism\" {\n  type    = number\n  default = 3\n}\n\n");
    text.extend((0..20).map(other));
    text.push_str("data \"aws_caller_identity\" \"me\" {\n  provider = aws\n  a = 1\n  b = 2\n  c = 3\n  d = 4\n}\n\n");
    text.push_str(&flink_app(
        "orders",
        "# kpulint: state_size=120GB",
        "var.parallelism",
        "1",
        "false",
    ));
    text.push('\n');
    text.extend((20..40).map(other));
    text.push_str("# kpulint: state_size=10GB\n");
    text.extend((40..45).map(other));
    text.push_str("resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n  # kpulint-ignore KPU001: not an application\n  a = 1\n  b = 2\n  c = 3\n  d = 4\n}\n");
    text.extend((45..60).map(other));
    text
}

#[test]
fn a_file_of_mostly_other_resources_reports_as_when_read_whole() {
    // Read from a path, the file keeps only the lines the model reads; read from standard
    // input (which cannot be read again), it keeps all of them. Same length names, so the
    // human report wraps the same way.
    let text = mostly_other_resources();
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let both = |format: &str| {
        let file = repo.run(&["main.tf", "--format", format]);
        let mut cmd = kpulint(repo.path());
        cmd.args(["-", "--format", format]).write_stdin(text.clone());
        let stdin = exec(cmd);
        assert_eq!(file.code, stdin.code, "{format}");
        assert_eq!(file.stderr, stdin.stderr.replace("<stdin>", "main.tf"), "{format}");
        (file, stdin)
    };
    let (file, stdin) = both("human");
    assert_eq!(file.stdout, stdin.stdout.replace("<stdin>", "main.tf"));
    // Fingerprints hash the path; everything else is the same.
    let (file, stdin) = both("json");
    let without_fingerprints = |doc: Value| {
        let mut doc = doc;
        for f in doc["findings"].as_array_mut().unwrap() {
            f["fingerprint"] = Value::Null;
        }
        doc
    };
    let stdin_doc: Value = serde_json::from_str(&stdin.stdout.replace("<stdin>", "main.tf")).unwrap();
    assert_eq!(without_fingerprints(file.json()), without_fingerprints(stdin_doc));
    let (_, doc) = repo.json(&["main.tf"]);
    assert!(!findings(&doc, "KPU903").is_empty(), "the stray directive: {doc:#}");
    assert_eq!(only_app(&doc)["address"], "aws_kinesisanalyticsv2_application.orders");
}

#[test]
fn fixing_a_file_of_mostly_other_resources_edits_the_whole_file() {
    let text = mostly_other_resources();
    let repo = Repo::new();
    repo.write("main.tf", &text);
    let diff = repo.run(&["main.tf", "--diff"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff.stdout.contains("-  default = 3\n"), "{}", diff.stdout);
    let (_, doc) = repo.json(&["main.tf", "--fix"]);
    assert!(doc["summary"]["fixed"].as_u64().unwrap_or(0) > 0, "{doc:#}");
    let fixed = std::fs::read_to_string(repo.path().join("main.tf")).unwrap();
    // Only the variable's default changed: every other line is as written.
    let changed: Vec<(&str, &str)> = text.lines().zip(fixed.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(text.lines().count(), fixed.lines().count());
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].0, "  default = 3");
    let again = repo.run(&["main.tf", "--diff"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{}", again.stderr);
}
