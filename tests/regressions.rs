//! Behaviour found by review against the issues' contracts, pinned so it stays fixed.

mod hcl_support;

use hcl_support::*;

#[test]
fn syntax_errors_in_directories_without_flink_are_reported() {
    for bad in [
        "locals {\n  x = = 1\n}\n",
        "x 1\n",
        "variable \"a\" {\n  default = 1 +\n}\n",
        "resource aws_s3_bucket \"b\" \"c\" = {}\n",
    ] {
        let repo = Repo::new();
        repo.copy_dir("examples/clean", "app");
        repo.write("network/main.tf", bad);
        let (code, doc) = repo.json(&["."]);
        assert_eq!(code, 2, "{bad:?}: {doc:#}");
        assert_eq!(doc["errors"][0]["file"], "network/main.tf", "{bad:?}");
        assert_eq!(doc["summary"]["applications"], 1, "the valid module is still linted");
    }
    let repo = Repo::new();
    repo.write(
        "net/main.tf.json",
        "{ \"resource\": { \"aws_vpc\": { \"a\": {,} } } }\n",
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "net/main.tf.json");
}

#[test]
fn terraform_on_stdin() {
    let text = std::fs::read_to_string(root().join("examples/state-heavy/main.tf")).unwrap();
    let vars = std::fs::read_to_string(root().join("examples/state-heavy/variables.tf")).unwrap_or_default();
    let mut cmd = kpulint(&root());
    cmd.args(["-", "--format", "json", "--var", "flink_parallelism=12"])
        .write_stdin(format!("{vars}\n{text}"));
    let r = exec(cmd);
    let doc = r.json();
    assert_eq!(only_app(&doc)["file"], "<stdin>", "{doc:#}");
    assert_eq!(only_app(&doc)["kpus"], 12, "{doc:#}");
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

#[test]
fn pre_commit_passes_unrelated_json_and_yaml() {
    let repo = Repo::new();
    repo.copy_dir("examples/clean", "infra");
    repo.write("package.json", "{ \"name\": \"web\" }\n");
    repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
    let files = ["package.json", ".github/workflows/ci.yml", "infra/main.tf"];
    let (code, doc) = repo.json(&files);
    assert_eq!(code, 2, "named explicitly, an unrelated file is an error: {doc:#}");
    let mut args = files.to_vec();
    args.push("--skip-unrelated");
    let (code, doc) = repo.json(&args);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 1);
    let hook = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hook.contains("entry: kpulint --skip-unrelated"), "{hook}");
}

#[test]
fn named_malformed_json_and_yaml_report_the_syntax_error() {
    let repo = Repo::new();
    repo.write("b4.json", "{\n \"a\": 1,\n \"b\": [1,\n");
    repo.write("y.yaml", "a: [\n");
    let (code, doc) = repo.json(&["b4.json", "y.yaml"]);
    assert_eq!(code, 2);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{doc:#}");
    assert_eq!(
        (errors[0]["file"].as_str(), errors[0]["line"].as_u64()),
        (Some("b4.json"), Some(3))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("invalid JSON"));
    assert_eq!(errors[1]["file"], "y.yaml");
    assert!(errors[1]["message"].as_str().unwrap().contains("invalid YAML"));
}

#[test]
fn an_overridden_environment_value_is_never_an_error() {
    let repo = Repo::new();
    repo.write("variables.tf", "variable \"base\" {\n  type = number\n}\n");
    repo.write("terraform.tfvars", "base = 3\n");
    repo.write("main.tf", &simple_app("a", "var.base"));
    let mut cmd = kpulint(repo.path());
    cmd.env("TF_VAR_base", "abc").args([".", "--format", "json"]);
    let doc = exec(cmd).json();
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(only_app(&doc)["parallelism"], 3);
    // When the environment value wins, it is an error.
    std::fs::remove_file(repo.path().join("terraform.tfvars")).unwrap();
    let mut cmd = kpulint(repo.path());
    cmd.env("TF_VAR_base", "abc").args([".", "--format", "json"]);
    let r = exec(cmd);
    assert_eq!(r.code, 2);
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not a number"));
}

#[test]
fn a_provider_alias_picks_its_region() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!(
            "provider \"aws\" {{\n  region = \"eu-west-2\"\n}}\nprovider \"aws\" {{\n  alias  = \"us\"\n  region = \"us-west-2\"\n}}\n{}{}",
            simple_app("london", "1"),
            simple_app("oregon", "1").replace("  runtime_environment", "  provider            = aws.us\n  runtime_environment")
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.london")["region"],
        "eu-west-2"
    );
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.oregon")["region"],
        "us-west-2"
    );
    let notes: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("no prices for region us-west-2")),
        "{notes:?}"
    );
}

#[test]
fn explicit_null_means_omitted_in_hcl_and_in_the_plan() {
    for path in [
        "tests/fixtures/plan/null_value/main.tf",
        "tests/fixtures/plan/null_value/plan.json",
    ] {
        let (_, doc) = json_at_root(&[path, "--source-dir", "tests/fixtures/plan/null_value"]);
        let a = only_app(&doc);
        assert_eq!(
            (
                a["status"].as_str(),
                a["parallelism_per_kpu"].as_u64(),
                a["kpus"].as_u64()
            ),
            (Some("sized"), Some(1), Some(4)),
            "{path}: {doc:#}"
        );
    }
}

#[test]
fn kpu003_never_says_needed_equals_provided() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app("a", "# kpulint: state_size=250.001GB", "10", "1", "false"),
    );
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU003");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("= 500.002 GB needs 11 KPUs"), "{m}");
    assert!(
        f["help"].as_str().unwrap().contains("parallelism = 11 (11 KPUs)"),
        "{}",
        f["help"]
    );
}

#[test]
fn config_ignore_blocks_for_paths_not_linted_are_not_unused() {
    let repo = Repo::new();
    repo.write(
        ".kpulint.hcl",
        "ignore {\n  paths  = [\"legacy/**\"]\n  rules  = [\"KPU004\"]\n  reason = \"migrating\"\n}\n",
    );
    repo.copy_dir("examples/clean", "new");
    let (code, doc) = repo.json(&["new"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(rules(&doc).is_empty(), "{doc:#}");
}

#[test]
fn a_stale_ignore_block_is_reported_when_the_whole_tree_is_scanned() {
    let repo = Repo::new();
    repo.write(
        ".kpulint.hcl",
        "ignore {\n  paths  = [\"legacy/**\"]\n  rules  = [\"KPU004\"]\n  reason = \"migrating\"\n}\n",
    );
    repo.copy_dir("examples/clean", "new");
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU901");
    assert_eq!(f["file"], ".kpulint.hcl");
}

#[test]
fn machine_formats_name_the_instance() {
    let repo = Repo::new();
    repo.copy_dir("examples/fleet", "fleet");
    let main = std::fs::read_to_string(repo.path().join("fleet/main.tf")).unwrap();
    repo.write(
        "fleet/main.tf",
        &main.replace(
            "staging = { parallelism = 4, state = \"80GB\", need = 2 }",
            "staging = { parallelism = 14, state = \"240GB\", need = 4 }",
        ),
    );
    let r = exec({
        let mut c = kpulint(repo.path());
        c.args(["fleet", "--format", "compact"]);
        c
    });
    let lines: Vec<&str> = r.stdout.lines().filter(|l| l.contains("warning[KPU004]")).collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert_ne!(lines[0], lines[1], "instances are told apart: {}", r.stdout);
    assert!(
        lines.iter().any(|l| l.contains("module.orders[\"prod\"]")),
        "{}",
        r.stdout
    );
    assert!(
        lines.iter().any(|l| l.contains("module.orders[\"staging\"]")),
        "{}",
        r.stdout
    );
}

#[test]
fn a_plan_on_stdin_is_annotated_at_the_tf_attribute() {
    let plan = std::fs::read_to_string(root().join("examples/formats/plan/plan.json")).unwrap();
    let mut cmd = kpulint(&root());
    cmd.args([
        "-",
        "--source-dir",
        "examples/formats/terraform-hcl",
        "--format",
        "json",
    ])
    .write_stdin(plan);
    let doc = exec(cmd).json();
    let f = the_finding(&doc, "KPU004");
    assert_eq!(f["file"], "examples/formats/terraform-hcl/main.tf");
    assert_eq!(
        at(f),
        pos_after_in("examples/formats/terraform-hcl/main.tf", "parallelism          = ")
    );
    assert_eq!(f["related"][0]["file"], "<stdin>");
}

#[test]
fn an_unknown_module_argument_names_the_call_that_passes_it() {
    let repo = Repo::new();
    repo.copy_dir("examples/fleet", "fleet");
    let main = std::fs::read_to_string(repo.path().join("fleet/main.tf")).unwrap();
    repo.write(
        "fleet/main.tf",
        &format!(
            "variable \"p\" {{}}\n{}",
            main.replace("dev     = { parallelism = 1,", "dev     = { parallelism = var.p,")
        ),
    );
    let (_, doc) = repo.json(&["fleet"]);
    let f = the_finding(&doc, "KPU009");
    let m = f["message"].as_str().unwrap();
    assert!(
        m.contains("var.p has no default")
            && m.contains("passed as parallelism by module.orders[\"dev\"] at fleet/main.tf:"),
        "{m}"
    );
}

#[test]
fn a_named_readme_that_mentions_plan_and_template_keys_is_not_parsed_as_one() {
    // The project's own README names "format_version", "planned_values" and "Resources".
    let repo = Repo::new();
    repo.write(
        "README.md",
        "# infra\n\nPlans have \"format_version\" and \"planned_values\"; templates have Resources.\n",
    );
    let (code, doc) = repo.json(&["README.md"]);
    assert_eq!(code, 2);
    assert_eq!(
        error_messages(&doc),
        ["README.md is not Terraform, a plan or a CloudFormation template"]
    );
    // The pre-commit hook skips it.
    let (code, doc) = repo.json(&["README.md", "--skip-unrelated"]);
    assert_eq!(code, 0, "{doc:#}");
    // A YAML template without a known extension is still read as one.
    repo.write(
        "stack",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    );
    let (code, doc) = repo.json(&["stack"]);
    assert_eq!(code, 0, "{doc:#}");
}

/// Found by the `precheck` fuzz target: hcl-edit reads a quoted string across lines, which
/// Terraform rejects ("Invalid multi-line string"); the precheck rejected it, the full parse
/// did not, so the same file was an error or not depending on its directory.
#[test]
fn a_quoted_string_across_lines_is_an_error_wherever_it_is() {
    let broken = "variable \"state_size\" {\n  description = \"Declared state, e.g. \\\"240GB<<-EOT\n\\\" (read from the tag)\"\n}\n";
    let repo = Repo::new();
    repo.write("net/main.tf", broken);
    repo.write("app/main.tf", &format!("{broken}{}", simple_app("a", "4")));
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errs = doc["errors"].as_array().unwrap();
    let files: Vec<&str> = errs.iter().map(|e| e["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["app/main.tf", "net/main.tf"], "{doc:#}");
    // At the line break: just after the last character of line 2.
    let line2 = broken.lines().nth(1).unwrap().chars().count() as u64;
    assert_eq!(at(&errs[0]), (2, line2 + 1), "{doc:#}");
}

/// Found by the `precheck` fuzz target after the merges: HCL identifiers are Unicode
/// (`ID_Start`), which the structural precheck rejected while the parser (and Terraform)
/// accept them.
#[test]
fn unicode_identifiers_pass_the_structural_check() {
    let repo = Repo::new();
    repo.write("net/main.tf", "\u{78f} = 1\ngröße = 2\n");
    repo.write("app/main.tf", &simple_app("a", "4"));
    let (code, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    assert!(kpulint::inputs::precheck::looks_well_formed("\u{78f}=1"));
    // The same target, next: `O-` is an identifier (HCL identifiers may contain `-`), not a
    // dangling minus.
    assert!(kpulint::inputs::precheck::looks_well_formed("b=O-"));
    assert!(!kpulint::inputs::precheck::looks_well_formed("b = O -"));
}

/// Found by the `precheck` fuzz target (`aa=ee.` / `EOT`): hcl-edit reads a `.` ending a line
/// as a traversal continuing on the next, Terraform rejects it ("An attribute name is required
/// after a dot"). Wherever it is (a file with an application, parsed in full, or one without,
/// checked by the precheck) it is an error at the dot; inside parentheses it is not.
#[test]
fn a_dot_ending_a_line_is_an_error_wherever_it_is() {
    let broken = "locals {\n  bucket = aws_s3_bucket.\n    state.id\n}\n";
    let repo = Repo::new();
    repo.write("net/main.tf", "aa=ee.\nEOT\n");
    repo.write("app/main.tf", &format!("{broken}{}", simple_app("a", "4")));
    repo.write(
        "ok/main.tf",
        &format!(
            "locals {{\n  id = (aws_s3_bucket.\n    state.id)\n}}\n{}",
            simple_app("b", "4")
        ),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errs = doc["errors"].as_array().unwrap();
    let found: Vec<(&str, (u64, u64))> = errs.iter().map(|e| (e["file"].as_str().unwrap(), at(e))).collect();
    assert_eq!(found, [("app/main.tf", (2, 25)), ("net/main.tf", (1, 6))], "{doc:#}");
    assert!(errs.iter().all(|e| e["message"]
        .as_str()
        .unwrap()
        .contains("an attribute name is required after a dot")));
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
}

/// Found by the `precheck` fuzz target: hcl-edit ends a heredoc at its marker followed by a
/// comment (`EOT#c`); Terraform does not ("Unterminated template string", `terraform fmt`),
/// nor does the precheck. The error is reported wherever the file is.
#[test]
fn a_heredoc_closed_by_its_marker_and_a_comment_is_unterminated() {
    let broken = "locals {\n  x = <<-EOT\n  a\n  EOT#c\n}\n";
    let repo = Repo::new();
    repo.write("net/main.tf", broken);
    repo.write("app/main.tf", &format!("{broken}{}", simple_app("a", "4")));
    repo.write(
        "ok/main.tf",
        &format!("locals {{\n  x = <<-EOT\n  a\n  EOT\n}}\n{}", simple_app("b", "4")),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errs = doc["errors"].as_array().unwrap();
    let found: Vec<(&str, (u64, u64))> = errs.iter().map(|e| (e["file"].as_str().unwrap(), at(e))).collect();
    assert_eq!(found, [("app/main.tf", (2, 7)), ("net/main.tf", (2, 7))], "{doc:#}");
    assert!(errs
        .iter()
        .all(|e| e["message"].as_str().unwrap().contains("unterminated heredoc")));
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
}

/// Found by the `precheck` fuzz target: `-{` negates an object constructor (Terraform accepts
/// `default = -{` / `prod = 1 }`); the precheck took the `-` for the end of a block label, so
/// the `{` for a multi-line block body whose `}` must start a line.
#[test]
fn a_negated_object_is_not_a_block_body() {
    let text = "variable \"sizes\" {\n  default = -{\n    prod = 11 / 2 }\n}\n";
    assert!(kpulint::inputs::precheck::looks_well_formed(text));
    let repo = Repo::new();
    repo.write("net/main.tf", text);
    repo.write("app/main.tf", &simple_app("a", "4"));
    let (code, doc) = repo.json(&["."]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    // A block body still needs its `}` at the start of a line.
    assert!(!kpulint::inputs::precheck::looks_well_formed("b {\n  x = 1 }\n"));
}

/// Found by the `precheck` fuzz target: an inline comment between the parts of a block header
/// (`variable /**/"sizes" {`, which Terraform accepts) made the precheck reject the file.
#[test]
fn inline_comments_in_block_headers_pass_the_structural_check() {
    for text in [
        "variable /**/\"sizes\" {\n  type = map(number)\n}\n",
        "variable/* c */\"y\"/**/{\n}\nlocals /* a */ {\n  a = 1\n}\n",
    ] {
        assert!(kpulint::inputs::precheck::looks_well_formed(text), "{text:?}");
        assert!(kpulint::inputs::hcl::parse_body(&kpulint::source::SourceFile::new("t.tf", text)).is_ok());
    }
    assert!(!kpulint::inputs::precheck::looks_well_formed(
        "variable /* \"x\" {\n}\n"
    ));
}
