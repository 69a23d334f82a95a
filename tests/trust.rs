//! Nothing the user wrote is silently dropped (issue 9): declarations attach by one documented
//! rule or are reported (KPU903), directive lookalikes are KPU900, units are case-insensitive,
//! and a file kpulint does not read is named as such.

mod hcl_support;

use hcl_support::*;

fn app_text(name: &str, decl: &str) -> String {
    flink_app(name, decl, "12", "1", "false")
}

fn state_gb(doc: &serde_json::Value, name: &str) -> serde_json::Value {
    app(doc, &format!("aws_kinesisanalyticsv2_application.{name}"))["state_size_gb"].clone()
}

#[test]
fn a_comment_block_with_blank_lines_between_its_comments_attaches() {
    let repo = Repo::new();
    let text = app_text(
        "orders",
        "# Orders join.\n#\n# kpulint: state_size=240GB required_parallelism=12\n\n// Owned by the data team.",
    );
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    assert_eq!(state_gb(&doc, "orders"), 240);
    assert!(findings(&doc, "KPU903").is_empty(), "{doc:#}");
    assert!(findings(&doc, "KPU008").is_empty(), "{doc:#}");
}

#[test]
fn block_comments_declare_too() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &app_text("orders", "/*\n * Orders join.\n * kpulint: state_size=1.5TiB\n */"),
    );
    repo.write(
        "other.tf",
        &app_text("payments", "/* kpulint: state_size=20GB required_parallelism=12 */"),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(state_gb(&doc, "orders"), 1649.267442);
    assert_eq!(state_gb(&doc, "payments"), 20);
}

#[test]
fn a_declaration_cut_off_by_a_blank_line_is_kpu903_at_its_text_naming_the_resource() {
    let repo = Repo::new();
    let text = app_text("orders", "# kpulint: state_size=240GB\n");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let f = the_finding(&doc, "KPU903");
    assert_eq!(at(f), pos(&text, "state_size=240GB"));
    assert_eq!(f["severity"], "warning");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("a blank line or code separates it from aws_kinesisanalyticsv2_application.orders"),
        "{message}"
    );
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("move it above aws_kinesisanalyticsv2_application.orders"));
}

#[test]
fn a_declaration_above_a_non_flink_resource_names_the_nearest_application() {
    let repo = Repo::new();
    let text = format!(
        "{}\n# kpulint: state_size=10GB\nresource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"logs\"\n}}\n\nvariable \"x\" {{\n  # kpulint-ignore: KPU004 reason=\"inside a variable\"\n  default = 1\n}}\n",
        app_text("orders", "# kpulint: state_size=1GB required_parallelism=12")
    );
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let all = findings(&doc, "KPU903");
    assert_eq!(all.len(), 2, "{doc:#}");
    assert_eq!(at(all[0]), pos(&text, "state_size=10GB"));
    assert!(all[0]["message"]
        .as_str()
        .unwrap()
        .contains("the block below it, aws_s3_bucket.logs, is not a Managed Flink application"));
    assert!(all[0]["help"]
        .as_str()
        .unwrap()
        .contains("aws_kinesisanalyticsv2_application.orders"));
    assert!(all[1]["message"].as_str().unwrap().starts_with(
        "suppression `KPU004 reason=\"inside a variable\"` attaches to no application: it is inside variable x"
    ));
}

#[test]
fn a_directory_without_any_application_still_reports_its_declarations() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("orders", "2"));
    let stray = "# kpulint: state_size=10GB\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n";
    repo.write("storage/main.tf", stray);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU903");
    assert_eq!(f["file"], "storage/main.tf");
    assert_eq!(at(f), pos(stray, "state_size=10GB"));
}

#[test]
fn a_declaration_above_a_module_call_applies_to_its_applications() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        "# kpulint: state_size=30GB required_parallelism=12\nmodule \"orders\" {\n  source = \"./modules/flink\"\n}\n",
    );
    repo.write("modules/flink/main.tf", &app_text("this", ""));
    let (_, doc) = repo.json(&["."]);
    let a = app(&doc, "module.orders.aws_kinesisanalyticsv2_application.this");
    assert_eq!(a["state_size_gb"], 30, "{doc:#}");
    assert_eq!(a["required_parallelism"], 12);
    assert!(findings(&doc, "KPU903").is_empty(), "{doc:#}");
    assert!(findings(&doc, "KPU008").is_empty(), "{doc:#}");
}

#[test]
fn the_resource_declaration_wins_over_the_module_call() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        "# kpulint: state_size=30GB\nmodule \"orders\" {\n  source = \"./modules/flink\"\n}\n",
    );
    repo.write("modules/flink/main.tf", &app_text("this", "# kpulint: state_size=5GB"));
    let (_, doc) = repo.json(&["."]);
    let a = app(&doc, "module.orders.aws_kinesisanalyticsv2_application.this");
    assert_eq!(a["state_size_gb"], 5);
}

#[test]
fn directive_lookalikes_are_kpu900_with_what_was_expected() {
    let repo = Repo::new();
    let text = app_text(
        "orders",
        "# kpulint-ignore KPU004\n# kpulint ignore: KPU006 reason=\"x\"\n# KPULINT: state_size=1GB\n# checked by kpulint in CI\n# run: kpulint . --var flink_parallelism=8",
    );
    repo.write("main.tf", &text);
    let (_, doc) = repo.json(&["."]);
    let all = findings(&doc, "KPU900");
    assert_eq!(all.len(), 3, "{doc:#}");
    assert_eq!(at(all[0]), pos(&text, "kpulint-ignore KPU004"));
    assert!(all[0]["message"]
        .as_str()
        .unwrap()
        .contains("`kpulint-ignore KPU004` looks like a kpulint directive but is not one"));
    assert!(all[0]["help"]
        .as_str()
        .unwrap()
        .contains("`kpulint-ignore: KPU004 reason=\"why\"`"));
    assert!(all[2]["help"].as_str().unwrap().contains("`kpulint: state_size=240GB`"));
}

#[test]
fn a_trailing_suppression_on_the_attributes_own_line_is_accepted() {
    let repo = Repo::new();
    // parallelism 14 for a need of 12 with 1 per KPU: KPU004 on the parallelism line.
    let text = flink_app(
        "orders",
        "# kpulint: state_size=1GB required_parallelism=12",
        "14 # kpulint-ignore: KPU004 reason=\"peak season\"",
        "1",
        "false",
    );
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU004");
    assert_eq!(f["suppressed"], true, "{doc:#}");
    assert_eq!(f["suppression"]["reason"], "peak season", "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    // A trailing lookalike on the same line is reported, and hides nothing.
    let text = text.replace("# kpulint-ignore: KPU004", "# kpulint-ignore KPU004");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    assert_eq!(the_finding(&doc, "KPU004")["suppressed"], false);
    assert_eq!(at(the_finding(&doc, "KPU900")), pos(&text, "kpulint-ignore KPU004"));
}

#[test]
fn units_are_case_insensitive_and_a_bad_unit_is_one_error() {
    let repo = Repo::new();
    repo.write("a.tf", &app_text("a", "# kpulint: state_size=240gb"));
    repo.write("b.tf", &app_text("b", "# kpulint: state_size=1tib"));
    repo.write("c.tf", &app_text("c", "# kpulint: state_size=\"2 GiB\""));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(state_gb(&doc, "a"), 240);
    assert_eq!(state_gb(&doc, "b"), 1099.511628);
    assert_eq!(state_gb(&doc, "c"), 2.147484);

    let repo = Repo::new();
    let text = app_text("bad", "# kpulint: state_size=240GX");
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert_eq!(
        error_messages(&doc),
        ["invalid state_size in kpulint annotation: unknown size unit \"GX\" in \"240GX\": use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (any case)"]
    );
    // One mistake, one report: no "no declared state size" on top of the error.
    assert!(findings(&doc, "KPU008").is_empty(), "{doc:#}");
}

#[test]
fn a_config_application_block_matching_nothing_is_kpu903_naming_the_closest_address() {
    let repo = Repo::new();
    repo.write("infra/main.tf", &app_text("orders_join", ""));
    let config = "application \"aws_kinesisanalyticsv2_application.orders_jion\" {\n  state_size = \"10GB\"\n}\n";
    repo.write(".kpulint.hcl", config);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU903");
    assert_eq!(f["file"], ".kpulint.hcl");
    assert_eq!(at(f), (1, 1));
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `application \"aws_kinesisanalyticsv2_application.orders_join\"`?"));
    // A pre-commit run on one file does not see every application: no verdict on the block.
    let (_, doc) = repo.json(&["infra/main.tf"]);
    assert!(findings(&doc, "KPU903").is_empty(), "{doc:#}");
}

#[test]
fn kpu903_is_listed_and_explained() {
    let r = run(&root(), &["rules"]);
    assert!(
        r.stdout.contains("KPU903  unattached-declaration       warning "),
        "{}",
        r.stdout
    );
    let r = run(&root(), &["explain", "KPU903"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("KPU903 unattached-declaration"), "{}", r.stdout);
}

#[test]
fn a_named_file_of_another_kind_is_named_as_such() {
    let repo = Repo::new();
    repo.write("README.md", "# Hello\n\nNot Terraform.\n");
    let (code, doc) = repo.json(&["README.md"]);
    assert_eq!(code, 2);
    assert_eq!(
        error_messages(&doc),
        ["README.md is not Terraform, a plan or a CloudFormation template"]
    );
}

#[test]
fn a_changed_config_file_relints_the_tree_it_applies_to() {
    let repo = Repo::new();
    repo.write("infra/main.tf", &app_text("orders", ""));
    repo.write(".kpulint.hcl", "application \"*orders\" {\n  state_size = \"1GB\"\n}\n");
    // What pre-commit passes when only the config changed.
    let (_, doc) = repo.json(&["--skip-unrelated", ".kpulint.hcl"]);
    assert_eq!(state_gb(&doc, "orders"), 1, "{doc:#}");
}

#[test]
fn the_pre_commit_hook_covers_templates_and_the_config_file() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let files = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("files: line");
    assert_eq!(
        files,
        r"(\.(tf|tf\.json|tfvars|json|ya?ml|template)|(^|/)\.kpulint\.hcl|(^|/)\.kpulintignore)$"
    );
    // The README's snippet names a revision that exists without a release tag.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("    rev: main\n"));
    assert!(readme.contains("pre-commit autoupdate --freeze"));
}

#[test]
fn every_file_cargo_includes_exists() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let include = manifest
        .lines()
        .find_map(|l| l.strip_prefix("include = "))
        .expect("include line");
    for entry in include.trim_matches(['[', ']']).split(',') {
        let entry = entry.trim().trim_matches('"');
        let path = entry.trim_end_matches("/**");
        assert!(
            root().join(path).exists(),
            "Cargo.toml includes {entry}, which does not exist"
        );
    }
    let license = std::fs::read_to_string(root().join("LICENSE")).unwrap();
    assert!(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
    assert!(license.contains("END OF TERMS AND CONDITIONS"));
    assert!(manifest.contains("license = \"Apache-2.0\""));
}

#[test]
fn a_misspelled_var_or_parameter_is_an_input_error_naming_the_closest_declared_name() {
    let (code, doc) = json_at_root(&["examples/kpu009-unresolved-value", "--var", "flink_paralelism=10"]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(
        e["message"],
        "--var flink_paralelism: no scanned module declares variable \"flink_paralelism\""
    );
    assert!(
        e["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean flink_parallelism?"),
        "{e:#}"
    );

    let (code, doc) = json_at_root(&["examples/formats/cloudformation-yaml", "--parameter", "Paralelism=10"]);
    assert_eq!(code, 2);
    assert_eq!(
        error_messages(&doc),
        ["--parameter Paralelism: no scanned template declares parameter \"Paralelism\""]
    );
    assert!(doc["errors"][0]["help"]
        .as_str()
        .unwrap()
        .starts_with("did you mean Parallelism?"));

    // The declared names are accepted.
    let (code, doc) = json_at_root(&["examples/kpu009-unresolved-value", "--var", "flink_parallelism=8"]);
    assert!(error_messages(&doc).is_empty(), "{doc:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_var_file_entry_nothing_declares_is_an_error_at_its_name_and_tf_var_stays_silent() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu009-unresolved-value", "app");
    let vars = "flink_parallelism = 8\nflink_paralelism  = 10\n";
    repo.write("prod.tfvars", vars);
    let (code, doc) = repo.json(&["app", "--var-file", "prod.tfvars"]);
    assert_eq!(code, 2);
    let e = &doc["errors"][0];
    assert_eq!(e["file"], "prod.tfvars");
    assert_eq!(at(e), pos(vars, "flink_paralelism "));
    assert_eq!(
        e["message"],
        "prod.tfvars sets \"flink_paralelism\", which no scanned module declares"
    );

    let mut cmd = kpulint(repo.path());
    cmd.args(["app", "--format", "json"]).env("TF_VAR_something_else", "1");
    let r = exec(cmd);
    assert!(error_messages(&r.json()).is_empty());
}

#[test]
fn zero_instances_are_a_notice_naming_the_expression() {
    let repo = Repo::new();
    let counted = simple_app("off", "2").replace(
        "  name                   = \"off\"",
        "  count                  = var.enabled ? 1 : 0\n  name                   = \"off\"",
    );
    let each = simple_app("per_env", "2").replace(
        "  name                   = \"per_env\"",
        "  for_each               = toset(var.envs)\n  name                   = \"per_env\"",
    );
    let text = format!(
        "variable \"enabled\" {{\n  default = false\n}}\nvariable \"envs\" {{\n  default = []\n}}\n{counted}{each}"
    );
    repo.write("main.tf", &text);
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0);
    assert_eq!(doc["applications"].as_array().unwrap().len(), 0);
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .filter(|m| !m.starts_with("no Managed Flink application found in ."))
        .collect();
    assert_eq!(
        notices,
        [
            "aws_kinesisanalyticsv2_application.off has no instances: count = var.enabled ? 1 : 0 evaluates to 0, so nothing of it is linted",
            "aws_kinesisanalyticsv2_application.per_env has no instances: for_each = toset(var.envs) evaluates to no items, so nothing of it is linted",
        ],
        "{doc:#}"
    );
    // The notice without a location (nothing found) comes first.
    assert_eq!(at(&doc["notices"][1]), pos(&text, "var.enabled ? 1 : 0"));
}

/// `infra/fleet` (calling `./modules/flink` for dev, staging and prod) inside a repository.
fn fleet_repo() -> Repo {
    let repo = Repo::new();
    repo.copy_dir("examples/fleet", "infra/fleet");
    repo
}

fn summary(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["application"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_changed_file_in_a_shared_module_is_linted_through_its_callers() {
    let repo = fleet_repo();
    let (_, whole) = repo.json(&["."]);
    // What pre-commit passes when only the module changed.
    let (code, doc) = repo.json(&["--skip-unrelated", "infra/fleet/modules/flink/main.tf"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(summary(&doc), summary(&whole));
    assert!(summary(&doc)
        .iter()
        .all(|(_, _, app)| app.starts_with("module.orders[\"prod\"]")));
    assert!(findings(&doc, "KPU009").is_empty(), "{doc:#}");
}

#[test]
fn linting_from_the_module_directory_goes_through_its_callers_too() {
    let repo = fleet_repo();
    let (code, doc) = json(&repo.path().join("infra/fleet/modules/flink"), &["."]);
    assert_eq!(code, 1, "{doc:#}");
    let rules: Vec<(String, String)> = summary(&doc).into_iter().map(|(r, f, _)| (r, f)).collect();
    assert_eq!(
        rules,
        [
            ("KPU004".to_string(), "../../modules/flink/main.tf".to_string()),
            ("KPU005".to_string(), "../../modules/flink/main.tf".to_string())
        ]
    );
}

#[test]
fn a_module_without_a_caller_is_one_notice_not_kpu009_warnings() {
    let repo = Repo::new();
    repo.copy_dir("examples/fleet/modules/flink", "infra/modules/flink");
    let (code, doc) = repo.json(&["infra/modules/flink/main.tf"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc, "KPU009").is_empty(), "{doc:#}");
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(notices.len(), 1, "{doc:#}");
    assert!(
        notices[0].starts_with(
            "module infra/modules/flink has no caller in the repository; its required variables are unset ("
        ),
        "{}",
        notices[0]
    );
    // Required variables that feed no sizing value need no notice.
    let repo = Repo::new();
    repo.write(
        "infra/modules/flink/main.tf",
        &format!("variable \"owner\" {{}}\n{}", app_text("this", "")),
    );
    let (_, doc) = repo.json(&["infra/modules/flink/main.tf"]);
    assert!(doc["notices"].as_array().unwrap().is_empty(), "{doc:#}");
    // A root module (not under modules/) with a required variable keeps its KPU009.
    let (_, doc) = json_at_root(&["examples/kpu009-unresolved-value"]);
    assert_eq!(findings(&doc, "KPU009").len(), 1);
}

/// The state-heavy plan fixture and its `.tf`, with `edit` applied to the `.tf`.
fn plan_repo(edit: impl Fn(&str) -> String) -> (Repo, String) {
    let repo = Repo::new();
    let plan = std::fs::read_to_string(root().join("tests/fixtures/plan/state_heavy/plan.json")).unwrap();
    let tf = edit(&std::fs::read_to_string(root().join("tests/fixtures/plan/state_heavy/main.tf")).unwrap());
    repo.write("out/plan.json", &plan);
    repo.write("src/main.tf", &tf);
    (repo, tf)
}

#[test]
fn a_plan_read_with_source_dir_takes_declarations_and_suppressions_from_the_tf() {
    let (repo, tf) = plan_repo(|tf| {
        tf.replace(
            "resource \"aws_kinesisanalyticsv2_application\" \"orders_join\" {",
            "# kpulint: state_size=200GB\n# kpulint-ignore: KPU005 reason=\"disk bought on purpose\"\nresource \"aws_kinesisanalyticsv2_application\" \"orders_join\" {",
        )
        .replace(
            "        parallelism          = 12\n",
            "        parallelism          = 12 # kpulint-ignore: KPU004 reason=\"peak\"\n",
        )
    });
    let (code, doc) = repo.json(&["out/plan.json", "--source-dir", "src"]);
    let a = only_app(&doc);
    assert_eq!(a["state_size_gb"], 200, "{doc:#}");
    assert_eq!(a["state_size_source"], "annotation");
    // The app itself and every finding are located at the .tf source.
    assert_eq!(
        (a["file"].as_str(), at(a)),
        (
            Some("src/main.tf"),
            pos(&tf, "resource \"aws_kinesisanalyticsv2_application\"")
        )
    );
    let kpu004 = the_finding(&doc, "KPU004");
    assert_eq!(kpu004["file"], "src/main.tf");
    assert_eq!(at(kpu004), pos_after(&tf, "        parallelism          = "));
    assert_eq!(kpu004["related"][0]["file"], "out/plan.json");
    assert_eq!(kpu004["related"][0]["message"], "value in the plan");
    assert_eq!(
        kpu004["suppressed"], true,
        "the trailing suppression on the .tf line applies"
    );
    assert_eq!(the_finding(&doc, "KPU005")["suppressed"], true);
    assert_eq!(code, 0, "{doc:#}");
}

#[test]
fn source_dir_locates_plan_findings_at_the_tf_in_every_format() {
    let (repo, tf) = plan_repo(|tf| tf.to_string());
    let (line, col) = pos_after(&tf, "        parallelism          = ");
    let github = repo.run(&["out/plan.json", "--source-dir", "src", "--format", "github"]);
    assert!(
        github
            .stdout
            .contains(&format!("file=src/main.tf,line={line},col={col}")),
        "{}",
        github.stdout
    );
    assert!(!github.stdout.contains("file=out/plan.json"), "{}", github.stdout);
    let sarif = repo.run(&["out/plan.json", "--source-dir", "src", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/main.tf");
    assert_eq!(loc["region"]["startLine"], line);
    let human = repo.run(&["out/plan.json", "--source-dir", "src"]);
    assert!(
        human.stdout.contains(&format!("src/main.tf:{line}:{col}")),
        "{}",
        human.stdout
    );
}

#[test]
fn a_plan_and_the_tf_it_was_made_from_are_one_application() {
    let repo = Repo::new();
    repo.copy_dir("tests/fixtures/plan/state_heavy", "infra");
    let (_, doc) = repo.json(&["infra"]);
    let a = only_app(&doc);
    assert_eq!(a["format"], "plan");
    assert_eq!(a["inputs"], serde_json::json!(["plan", "terraform"]));
    assert_eq!(a["file"], "infra/main.tf");
    assert_eq!(rules(&doc), ["KPU004", "KPU005"], "each finding once");
    assert!(findings(&doc, "KPU004")[0]["file"] == "infra/main.tf");
    // Alone, each input is its own application with one input.
    let (_, doc) = repo.json(&["infra/main.tf"]);
    assert_eq!(only_app(&doc)["inputs"], serde_json::json!(["terraform"]));
}

#[test]
fn human_output_never_wraps_a_path() {
    let repo = Repo::new();
    let path = "platform-infrastructure/streaming-applications/order-processing-pipeline/flink-job-definitions/notes-for-the-operations-team.md";
    repo.write(path, "notes\n");
    let r = repo.run(&[path]);
    assert_eq!(r.code, 2);
    // The message is wider than the 100-column output: it wraps at spaces, never inside the path.
    assert!(r.stdout.contains(path), "{}", r.stdout);
    assert!(r.stdout.lines().all(|l| !l.trim_end().ends_with('-')), "{}", r.stdout);
}

#[test]
fn the_man_page_refers_to_no_page_that_does_not_exist() {
    let r = run(&root(), &["man"]);
    assert_eq!(r.code, 0);
    // kpulint ships one page, kpulint(1): no `kpulint-check(1)` style references.
    assert!(!r.stdout.contains("(1)"), "{}", r.stdout);
    assert!(r.stdout.contains("\n.TH kpulint 1 "), "{}", r.stdout);
    for sub in ["check", "rules", "explain", "completions", "man"] {
        assert!(r.stdout.contains(&format!("\\fBkpulint {sub}\\fR")), "{sub}");
    }
}

#[test]
fn every_rule_page_source_names_its_source() {
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        let sources = page.split("## Sources").nth(1).unwrap_or("");
        for line in sources.lines().filter(|l| l.starts_with("- [")) {
            assert!(
                !line.contains("not identified"),
                "{}: a source without a name: {line}",
                path.display()
            );
            // A URL, or a repository and path (owner/name followed by a file or a title).
            assert!(
                line.contains("https://") || line.contains('/'),
                "{}: {line}",
                path.display()
            );
        }
    }
}

#[test]
fn kpulint_tags_on_other_resources_and_declarations_on_flinkless_module_calls_are_kpu903() {
    let repo = Repo::new();
    let bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n  tags = {\n    \"kpulint:state_size\" = \"10GB\"\n  }\n}\n";
    let call = "# kpulint: state_size=5GB\nmodule \"storage\" {\n  source = \"./storage\"\n}\n";
    let text = format!(
        "{}{bucket}{call}",
        app_text("orders", "# kpulint: state_size=1GB required_parallelism=12")
    );
    repo.write("main.tf", &text);
    repo.write(
        "storage/main.tf",
        "resource \"aws_s3_bucket\" \"s\" {\n  bucket = \"s\"\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    let all = findings(&doc, "KPU903");
    assert_eq!(all.len(), 2, "{doc:#}");
    assert_eq!(at(all[0]), pos(&text, "\"10GB\""));
    assert!(all[0]["message"]
        .as_str()
        .unwrap()
        .contains("it is a tag of aws_s3_bucket.b, which is not a Managed Flink application"));
    assert_eq!(at(all[1]), pos(&text, "state_size=5GB"));
    assert!(all[1]["message"]
        .as_str()
        .unwrap()
        .ends_with("module.storage creates no Managed Flink application"));
}

#[test]
fn a_lookalike_above_a_module_call_with_several_instances_is_reported_once() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        "# kpulint-ignore KPU004\nmodule \"fleet\" {\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\"])\n}\n",
    );
    repo.write(
        "m/main.tf",
        &app_text("this", "# kpulint: state_size=1GB required_parallelism=12"),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(findings(&doc, "KPU900").len(), 1, "{doc:#}");
    assert_eq!(doc["applications"].as_array().unwrap().len(), 2);
}

#[test]
fn a_yaml_template_comment_that_attaches_to_no_application_is_kpu903() {
    let repo = Repo::new();
    let template = std::fs::read_to_string(root().join("examples/formats/cloudformation-yaml/template.yaml")).unwrap();
    let text = format!(
        "{}\n  # kpulint: state_size=10GB\n  Checkpoints:\n    Type: AWS::S3::Bucket\n",
        template.trim_end()
    )
    .replace(
        "  OrdersJoin:\n",
        "  # Orders join.\n  #\n  # kpulint-ignore: KPU005 reason=\"disk on purpose\"\n  OrdersJoin:\n",
    );
    repo.write("template.yaml", &text);
    let (_, doc) = repo.json(&["template.yaml"]);
    let f = the_finding(&doc, "KPU903");
    assert_eq!(at(f), pos(&text, "state_size=10GB"));
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("the block below it, Checkpoints, is not a Managed Flink application"));
    assert!(f["help"].as_str().unwrap().contains("move it above OrdersJoin"));
    // The comment block above the application (with a blank comment line inside) attaches.
    assert_eq!(the_finding(&doc, "KPU005")["suppressed"], true, "{doc:#}");
}

#[test]
fn a_bad_unit_in_the_config_is_one_error_too() {
    let repo = Repo::new();
    repo.write("main.tf", &app_text("orders", ""));
    repo.write(
        ".kpulint.hcl",
        "application \"*orders\" {\n  state_size = \"240 gigs\"\n}\n",
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert_eq!(error_messages(&doc).len(), 1, "{doc:#}");
    assert!(findings(&doc, "KPU008").is_empty(), "{doc:#}");
}

#[test]
fn a_lookalike_comment_in_terraform_json_is_kpu900() {
    let repo = Repo::new();
    let text = std::fs::read_to_string(root().join("examples/formats/terraform-json/main.tf.json"))
        .unwrap()
        .replace(
            "      \"orders_join\": {\n",
            "      \"orders_join\": {\n        \"//\": \"kpulint-ignore KPU004\",\n",
        );
    assert!(text.contains("kpulint-ignore KPU004"));
    repo.write("main.tf.json", &text);
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU900");
    assert_eq!(at(f), pos(&text, "\"kpulint-ignore KPU004\""));
    assert_eq!(the_finding(&doc, "KPU004")["suppressed"], false);
}

#[test]
fn unattached_declaration_human_snapshot() {
    let r = run(&root(), &["examples/kpu903-unattached-declaration", "--color", "never"]);
    insta::assert_snapshot!(format!("exit code: {}\n{}", r.code, r.stdout));
}

#[test]
fn plan_with_source_dir_human_snapshot() {
    let r = run(
        &root(),
        &[
            "tests/fixtures/plan/state_heavy/plan.json",
            "--source-dir",
            "tests/fixtures/plan/state_heavy",
            "--color",
            "never",
        ],
    );
    insta::assert_snapshot!(format!("exit code: {}\n{}", r.code, r.stdout));
}

#[test]
fn template_metadata_and_tags_on_other_resources_are_kpu903() {
    let repo = Repo::new();
    let template = std::fs::read_to_string(root().join("examples/formats/cloudformation-json/template.json")).unwrap();
    let bucket = "\"Checkpoints\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Metadata\": { \"kpulint\": { \"state_size\": \"10GB\" } },\n      \"Properties\": { \"Tags\": [ { \"Key\": \"kpulint:required_parallelism\", \"Value\": \"4\" } ] }\n    },\n    ";
    let text = template.replacen("\"Resources\": {\n    ", &format!("\"Resources\": {{\n    {bucket}"), 1);
    assert!(text.contains("Checkpoints"), "the fixture changed shape");
    repo.write("template.json", &text);
    let (_, doc) = repo.json(&["template.json"]);
    let all = findings(&doc, "KPU903");
    assert_eq!(all.len(), 2, "{doc:#}");
    assert_eq!(at(all[0]), pos(&text, "\"kpulint\": { \"state_size\""));
    assert!(all[0]["message"]
        .as_str()
        .unwrap()
        .contains("it belongs to Checkpoints (AWS::S3::Bucket), which is not a Managed Flink application"));
    assert!(all[1]["message"]
        .as_str()
        .unwrap()
        .contains("tag kpulint:required_parallelism"));
}

#[test]
fn every_plan_finding_is_at_the_tf_with_source_dir() {
    for case in [
        "omitted",
        "default_config",
        "unknown_value",
        "state_heavy",
        "module_for_each",
    ] {
        let dir = format!("tests/fixtures/plan/{case}");
        let (_, doc) = json_at_root(&[&format!("{dir}/plan.json"), "--source-dir", &dir, "--fail-on", "never"]);
        let all = doc["findings"].as_array().unwrap();
        assert!(!all.is_empty(), "{case}");
        for f in all {
            let file = f["file"].as_str().unwrap();
            assert!(file.starts_with(&dir) && file.ends_with(".tf"), "{case}: {f:#}");
            assert_eq!(f["related"][0]["file"], format!("{dir}/plan.json"), "{case}: {f:#}");
        }
    }
}
