//! Issue 16: money that still needs confirming is never counted as a saving, every gate that
//! fails a run says which limit failed with which value (in every format), directives written
//! at a value's origin in a `.tfvars` file apply, and the smaller items (CloudFormation names,
//! KPU005's what-if command, plurals, subcommand typos, `--write-baseline`, the `rules` table,
//! one minus sign).

mod hcl_support;

use hcl_support::*;
use serde_json::{json, Value};

/// The case: only `state_size` declared (no compute need), parallelism 6; the
/// recommendation cuts it to 1, which saves $426.50 a month if 1 carries the load.
fn unconfirmed_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "a/main.tf",
        &flink_app("unsure", "# kpulint: state_size=10GB", "6", "1", "false"),
    );
    // A confirmed saving beside it: the compute need is declared.
    repo.write(
        "b/main.tf",
        &flink_app(
            "sure",
            "# kpulint: state_size=10GB required_parallelism=4",
            "6",
            "1",
            "false",
        ),
    );
    repo
}

const CONFIRM: &str = "compute need undeclared: check that parallelism 1 (1 KPU) carries the load";

#[test]
fn json_summary_counts_only_confirmed_savings() {
    let repo = unconfirmed_repo();
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let unsure = app(&doc, "aws_kinesisanalyticsv2_application.unsure");
    assert_eq!(unsure["recommendation"]["safe"], false);
    assert_eq!(unsure["recommendation"]["savings_usd"], 426.5);
    let sure = app(&doc, "aws_kinesisanalyticsv2_application.sure");
    assert_eq!(sure["recommendation"]["safe"], true);
    assert_eq!(sure["recommendation"]["savings_usd"], 170.6);
    let s = &doc["summary"];
    assert_eq!(s["savings_usd"], 170.6, "{s:#}");
    assert_eq!(s["unconfirmed_savings_usd"], 426.5, "{s:#}");
    // today − recommended is both together.
    assert_eq!(s["monthly_cost_usd"], 1184.2);
    assert_eq!(s["recommended_monthly_cost_usd"], 587.1);
}

#[test]
fn cost_has_a_safe_column_and_both_totals_in_every_format() {
    let repo = unconfirmed_repo();
    let r = repo.run(&["cost", "."]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].ends_with("savings/month  safe"), "{}", r.stdout);
    // The confirmed saving first, then the unconfirmed one with its mark.
    assert!(
        lines[1].contains(".sure") && lines[1].ends_with("$170.60  yes"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].contains(".unsure") && lines[2].ends_with("$426.50  no¹"),
        "{}",
        r.stdout
    );
    assert!(
        lines[4].starts_with("total (2 applications)") && lines[4].ends_with("$170.60  yes"),
        "{}",
        r.stdout
    );
    assert!(
        lines[5].starts_with("unconfirmed savings (1 application, not in the total)")
            && lines[5].ends_with("$426.50  no"),
        "{}",
        r.stdout
    );
    assert_eq!(
        lines[6],
        format!("¹ a:aws_kinesisanalyticsv2_application.unsure: not a safe fix, confirm first: {CONFIRM}")
    );

    let (_, doc) = repo.json(&["cost", "."]);
    let rows = doc["applications"].as_array().unwrap();
    assert_eq!(rows[1]["safe"], false);
    assert_eq!(rows[1]["confirm"], json!([CONFIRM]));
    assert_eq!(rows[0]["safe"], true);
    assert_eq!(doc["total"]["savings_usd"], 170.6);
    assert_eq!(doc["total"]["unconfirmed_savings_usd"], 426.5);

    let r = repo.run(&["cost", ".", "--format", "markdown"]);
    assert!(r.stdout.contains("| savings/month | safe |"), "{}", r.stdout);
    assert!(r.stdout.contains("| \\$426.50 | no¹ |"), "{}", r.stdout);
    assert!(r.stdout.contains("| **\\$426.50** | **no** |"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("¹ a:aws\\_kinesisanalyticsv2\\_application.unsure: not a safe fix"),
        "{}",
        r.stdout
    );

    let r = repo.run(&["cost", ".", "--format", "csv"]);
    let records: Vec<&str> = r.stdout.split("\r\n").collect();
    assert!(
        records[0].ends_with(",savings_usd,safe,unconfirmed_savings_usd,confirm"),
        "{}",
        r.stdout
    );
    assert!(records[1].ends_with(",170.60,true,,"), "{}", r.stdout);
    assert!(
        records[2].ends_with(&format!(",426.50,false,426.50,{CONFIRM}")),
        "{}",
        r.stdout
    );
    assert!(
        records[3].starts_with("total,") && records[3].ends_with(",170.60,,426.50,"),
        "{}",
        r.stdout
    );
}

#[test]
fn what_if_never_calls_a_cut_without_compute_need_the_margin() {
    let repo = unconfirmed_repo();
    let (_, doc) = repo.json(&["what-if", "a", "--state-size", "5GB"]);
    let a = only_app(&doc);
    let headline = a["headline"].as_str().unwrap();
    assert!(!headline.contains("margin"), "{headline}");
    assert!(
        headline.ends_with("; −72% from right-sizing (unconfirmed)"),
        "{headline}"
    );
    assert_eq!(a["today"]["right_sized"]["safe"], false);
    assert_eq!(a["today"]["right_sized"]["confirm"], json!([CONFIRM]));
    let r = repo.run(&["what-if", "a", "--state-size", "5GB"]);
    assert!(
        r.stdout.contains("from right-sizing (unconfirmed¹)  −$426.50"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "¹ today right-sized is not a safe fix, confirm first: {CONFIRM}"
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("from the margin"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("−$426.50 from right-sizing (−$426.50 of it unconfirmed)"),
        "{}",
        r.stdout
    );
    let r = repo.run(&["what-if", "a", "--state-size", "5GB", "--format", "markdown"]);
    assert!(
        r.stdout.contains("from right\\-sizing (unconfirmed¹)")
            || r.stdout.contains("from right-sizing (unconfirmed¹)"),
        "{}",
        r.stdout
    );
    // With a compute need, a cut is a margin.
    let (_, doc) = repo.json(&["what-if", "b", "--state-size", "5GB"]);
    assert!(only_app(&doc)["headline"]
        .as_str()
        .unwrap()
        .ends_with("from dropping the margin"));
}

#[test]
fn unsafe_fixes_print_each_edit_with_what_to_confirm() {
    let repo = unconfirmed_repo();
    let r = repo.run(&["a", "--fix", "--unsafe-fixes", "--color", "never"]);
    assert!(
        r.stdout.contains(&format!(
            "note: a/main.tf:2:1: a:aws_kinesisanalyticsv2_application.unsure: unsafe fix (parallelism 6 → 1): confirm first: {CONFIRM}"
        )),
        "{}",
        r.stdout
    );
    let repo = unconfirmed_repo();
    let r = repo.run(&["a", "--diff", "--unsafe-fixes"]);
    assert!(r.stdout.contains("+        parallelism          = 1"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains(&format!("unsafe fix (parallelism 6 → 1): confirm first: {CONFIRM}")),
        "{}",
        r.stderr
    );
    // Without --unsafe-fixes, nothing is written and the note says what to confirm.
    let r = repo.run(&["a", "--diff"]);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("unsafe fix skipped"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Gates

/// A change that adds a KPU (+$85.30 on $421.50, +20.24%) and one warning.
fn cost_increase() -> Repo {
    let repo = Repo::new();
    let decl = "# kpulint: state_size=100GB required_parallelism=4";
    repo.write("old/main.tf", &flink_app("a", decl, "4", "1", "false"));
    repo.write("new/main.tf", &flink_app("a", decl, "5", "1", "false"));
    repo
}

const COST_GATE: &str =
    "gate failed: --fail-on-cost-increase 5%: the monthly cost rises by 20.24% (+$85.30/month, $421.50 → $506.80)";

#[test]
fn a_failed_cost_gate_says_which_limit_with_which_value_in_every_format() {
    let repo = cost_increase();
    let args = [
        "diff",
        "old",
        "new",
        "--fail-on-cost-increase",
        "5%",
        "--fail-on",
        "never",
    ];
    let r = repo.run(&args);
    assert_eq!(r.code, 1);
    assert!(r.stdout.lines().any(|l| l == COST_GATE), "{}", r.stdout);
    let (code, doc) = json(repo.path(), &args);
    assert_eq!(code, 1);
    assert_eq!(
        doc["summary"]["gates"],
        json!([
            {"name": "fail-on", "limit": "never", "value": 0, "passed": true,
             "message": "--fail-on never: the change introduces 0 findings at or above never"},
            {"name": "fail-on-cost-increase", "limit": "5%", "value": 20.24, "passed": false,
             "message": COST_GATE.strip_prefix("gate failed: ").unwrap()}
        ])
    );
    let mut md = args.to_vec();
    md.extend(["--format", "markdown"]);
    let r = repo.run(&md);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "<!-- kpulint-diff -->");
    assert_eq!(
        lines[1],
        format!("❌ **{COST_GATE}**"),
        "the gate comes first: {}",
        r.stdout
    );
    // Dollars: the limit is the amount, the value the increase.
    let (code, doc) = repo.json(&[
        "diff",
        "old",
        "new",
        "--fail-on-cost-increase",
        "50",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 1);
    let gate = &doc["summary"]["gates"][1];
    assert_eq!(
        (gate["limit"].clone(), gate["value"].clone(), gate["passed"].clone()),
        (json!("$50.00"), json!(85.3), json!(false))
    );
    // A passing gate passes, and is listed.
    let (code, doc) = repo.json(&[
        "diff",
        "old",
        "new",
        "--fail-on-cost-increase",
        "25%",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["gates"][1]["passed"], true);
    let r = repo.run(&[
        "diff",
        "old",
        "new",
        "--fail-on-cost-increase",
        "25%",
        "--fail-on",
        "never",
    ]);
    assert!(!r.stdout.contains("gate failed"), "{}", r.stdout);
}

#[test]
fn fail_on_and_baseline_gates_are_stated_in_every_check_format() {
    let repo = Repo::new();
    repo.copy_dir("examples/kpu004-overscale-margin", "app");
    let gate = "gate failed: --fail-on warning: 1 finding at or above warning";
    let format = |f: &str| {
        let r = repo.run(&["app", "--format", f]);
        assert_eq!(r.code, 1, "{f}");
        r.stdout
    };
    let human = repo.run(&["app", "--color", "never"]).stdout;
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines[lines.len() - 2], gate, "{human}");
    let doc: Value = serde_json::from_str(&format("json")).unwrap();
    assert_eq!(
        doc["summary"]["gates"],
        json!([{"name": "fail-on", "limit": "warning", "value": 1, "passed": false,
                "message": "--fail-on warning: 1 finding at or above warning"}])
    );
    assert!(format("compact").ends_with(&format!("kpulint: {gate}\n")));
    assert!(format("github").contains(&format!("::error title=kpulint gate fail-on::{gate}\n")));
    let sarif: Value = serde_json::from_str(&format("sarif")).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["exitCodeDescription"], gate);
    assert_eq!(inv["properties"]["gates"][0]["value"], 1);
    let junit = format("junit");
    assert!(
        junit.contains(&format!("<failure message=\"{gate}\" type=\"gate\">")),
        "{junit}"
    );
    let checkstyle = format("checkstyle");
    assert!(checkstyle.contains(&format!("<?kpulint {gate}?>")), "{checkstyle}");

    // With a baseline, the findings it does not accept fail it, and it says so.
    repo.run(&["app", "--write-baseline", "base.json"]);
    repo.write(
        "app/more.tf",
        &simple_app("more", "16").replace("resource", "# kpulint: required_parallelism=2\nresource"),
    );
    let (code, doc) = repo.json(&["app", "--baseline", "base.json"]);
    assert_eq!(code, 1);
    let baseline = doc["summary"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "baseline")
        .unwrap()
        .clone();
    assert_eq!(baseline["limit"], "base.json");
    assert_eq!(baseline["value"], 1);
    assert_eq!(baseline["passed"], false);
    let r = repo.run(&["app", "--baseline", "base.json", "--format", "compact"]);
    assert!(
        r.stdout
            .contains("kpulint: gate failed: --baseline base.json: 1 finding at or above warning not in the baseline"),
        "{}",
        r.stdout
    );
    // Nothing failed: no gate line, exit 0.
    let r = repo.run(&["app", "--fail-on", "error", "--color", "never"]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("gate failed"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Directives at the value's origin

/// Two roots sharing nothing: `a` whose terraform.tfvars carries directives, and `b`.
fn tfvars_repo(tfvars: &str) -> Repo {
    let repo = Repo::new();
    let app = |name: &str| {
        format!(
            "variable \"p\" {{\n  type = number\n}}\n\n{}",
            flink_app(name, "", "var.p", "1", "false")
        )
    };
    repo.write("a/main.tf", &app("a"));
    repo.write("a/terraform.tfvars", tfvars);
    repo.write("b/main.tf", &app("b"));
    repo.write("b/terraform.tfvars", "p = 12\n");
    repo
}

#[test]
fn a_declaration_above_a_tfvars_assignment_applies_to_the_applications_it_reaches() {
    let repo = tfvars_repo("# kpulint: state_size=240GB required_parallelism=4\np = 12\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let a = app(&doc, "aws_kinesisanalyticsv2_application.a");
    assert_eq!(a["state_size_gb"], 240);
    assert_eq!(a["required_parallelism"], 4);
    assert_eq!(a["recommendation"]["parallelism"], 10);
    // Only the root whose tfvars it is.
    let b = app(&doc, "aws_kinesisanalyticsv2_application.b");
    assert!(b["state_size_gb"].is_null(), "{b:#}");
    assert!(findings(&doc, "KPU903").is_empty(), "{doc:#}");
    let kpu004 = the_finding(&doc, "KPU004");
    assert_eq!(kpu004["application"], "aws_kinesisanalyticsv2_application.a");
}

#[test]
fn a_suppression_trailing_or_above_a_tfvars_assignment_applies() {
    let decl = "# kpulint: state_size=240GB required_parallelism=4\n";
    for tfvars in [
        format!("{decl}p = 12 # kpulint-ignore: KPU004 reason=\"cutover week\"\n"),
        format!("{decl}// kpulint-ignore: KPU004 reason=\"cutover week\"\np = 12\n"),
    ] {
        let repo = tfvars_repo(&tfvars);
        let (_, doc) = repo.json(&["a"]);
        let f = the_finding(&doc, "KPU004");
        assert_eq!(f["suppressed"], true, "{tfvars}\n{doc:#}");
        assert_eq!(f["suppression"]["reason"], "cutover week");
        assert!(findings(&doc, "KPU901").is_empty(), "{doc:#}");
        // --fix keeps an application with a suppressed finding as written.
        let r = repo.run(&["a", "--diff"]);
        assert_eq!(r.stdout, "");
    }
}

#[test]
fn a_tfvars_directive_that_reaches_nothing_is_kpu903_or_kpu900() {
    let tfvars = "p = 12\n\n# kpulint: state_size=10GB\nunused = 1\n\n# kpulint-ignore: KPU004 reason=\"x\"\n\np2 = 3\n# kpulint ignore: KPU004\n";
    let repo = tfvars_repo(tfvars);
    repo.write(
        "a/more.tf",
        "variable \"unused\" {\n  default = 0\n}\nvariable \"p2\" {\n  default = 0\n}\n",
    );
    let (_, doc) = repo.json(&["a"]);
    let kpu903 = findings(&doc, "KPU903");
    assert_eq!(kpu903.len(), 2, "{doc:#}");
    assert_eq!(at(kpu903[0]), pos(tfvars, "state_size=10GB"));
    assert!(kpu903[0]["message"]
        .as_str()
        .unwrap()
        .contains("the value of unused set here reaches no application"));
    assert!(kpu903[0]["help"]
        .as_str()
        .unwrap()
        .contains("in a .tfvars file a directive attaches"));
    assert_eq!(at(kpu903[1]), pos(tfvars, "KPU004 reason"));
    assert!(kpu903[1]["message"]
        .as_str()
        .unwrap()
        .contains("no assignment follows it"));
    let kpu900 = the_finding(&doc, "KPU900");
    assert_eq!(kpu900["file"], "a/terraform.tfvars");
    assert_eq!(at(kpu900), pos(tfvars, "kpulint ignore"));
}

#[test]
fn a_tfvars_directive_reaches_applications_through_module_arguments_and_var_files() {
    let repo = Repo::new();
    repo.write(
        "root/main.tf",
        "variable \"p\" {\n  type = number\n}\n\nmodule \"job\" {\n  source = \"./job\"\n  p      = var.p\n}\n",
    );
    repo.write(
        "root/job/main.tf",
        &format!(
            "variable \"p\" {{\n  type = number\n}}\n\n{}",
            flink_app("this", "", "var.p", "1", "false")
        ),
    );
    repo.write(
        "prod.tfvars",
        "# kpulint: state_size=240GB required_parallelism=4\np = 12\n",
    );
    let (_, doc) = repo.json(&["root", "--var-file", "prod.tfvars"]);
    let a = app(&doc, "module.job.aws_kinesisanalyticsv2_application.this");
    assert_eq!(a["state_size_gb"], 240, "{doc:#}");
    assert_eq!(a["recommendation"]["parallelism"], 10);
}

// ---------------------------------------------------------------------------------------------
// Smaller items

#[test]
fn cloudformation_help_uses_its_property_and_parameter_names() {
    let (_, doc) = json_at_root(&["tests/fixtures/fix/cfn-yaml-parameter/in"]);
    let f = the_finding(&doc, "KPU004");
    assert_eq!(f["help"], "set the `Parallelism` parameter's Default to 10 (10 KPUs)");
    let (_, doc) = json_at_root(&["tests/fixtures/fix/cfn-json-literal/in"]);
    let f = the_finding(&doc, "KPU004");
    assert_eq!(f["help"], "set Parallelism to 10 (10 KPUs)");
    // Terraform keeps its own names.
    let (_, doc) = json_at_root(&["examples/state-heavy"]);
    assert_eq!(the_finding(&doc, "KPU004")["help"], "set parallelism = 10 (10 KPUs)");
}

#[test]
fn cloudformation_rules_name_its_properties() {
    let template = |config: &str| {
        format!(
            "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Job:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: FLINK-1_20\n      ServiceExecutionRole: arn:aws:iam::123456789012:role/flink\n      ApplicationConfiguration:\n        FlinkApplicationConfiguration:\n          ParallelismConfiguration:\n{config}"
        )
    };
    let repo = Repo::new();
    repo.write(
        "default.yaml",
        &template("            ConfigurationType: DEFAULT\n            Parallelism: 4\n"),
    );
    repo.write(
        "dense.yaml",
        &template("            ConfigurationType: CUSTOM\n            Parallelism: 4\n            ParallelismPerKPU: 10\n            AutoScalingEnabled: false\n"),
    );
    let (_, doc) = repo.json(&["default.yaml", "dense.yaml"]);
    let kpu002 = the_finding(&doc, "KPU002");
    assert_eq!(
        kpu002["message"],
        "ConfigurationType is \"DEFAULT\": the service ignores the Parallelism written here and runs parallelism 1, 1 per KPU, autoscaling on"
    );
    assert_eq!(
        kpu002["help"],
        "delete the Parallelism, or declare the job's needs (state_size, required_parallelism) to size a CUSTOM configuration"
    );
    let kpu001 = the_finding(&doc, "KPU001");
    assert!(
        kpu001["message"]
            .as_str()
            .unwrap()
            .starts_with("ParallelismPerKPU = 10 is outside 1..8"),
        "{kpu001:#}"
    );
    assert_eq!(kpu001["help"], "set ParallelismPerKPU to a whole number from 1 to 8");
}

#[test]
fn kpu005_help_names_the_application_and_its_root() {
    let (_, doc) = json_at_root(&["examples/fleet"]);
    let f = the_finding(&doc, "KPU005");
    let help = f["help"].as_str().unwrap();
    let command = "kpulint what-if examples/fleet --state-size 'examples/fleet:module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this=100GB'";
    assert!(help.contains(&format!("`{command}`")), "{help}");
    // The command it names re-sizes that application alone.
    let r = run(
        &root(),
        &[
            "what-if",
            "examples/fleet",
            "--state-size",
            "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this=100GB",
            "--format",
            "json",
        ],
    );
    let doc = r.json();
    let changed: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["changes"].as_array().unwrap().is_empty())
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        ["module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this"]
    );
}

#[test]
fn one_is_singular() {
    // Parallelism 2 for a need of 1: 2 KPUs, 1 needed, 1 extra KPU.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app("a", "# kpulint: required_parallelism=1", "2", "1", "false"),
    );
    let (_, doc) = repo.json(&["."]);
    let f = the_finding(&doc, "KPU004");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("1 extra KPU costs $85.30/month"), "{message}");
    assert!(!doc.to_string().contains(" 1 KPUs"), "{doc:#}");
    // Autoscaling from 1 KPU: "1 KPU → 2 KPUs".
    repo.write(
        "main.tf",
        &flink_app(
            "a",
            "# kpulint: required_parallelism=2 state_size=1GB",
            "1",
            "1",
            "true",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    let message = the_finding(&doc, "KPU011")["message"].as_str().unwrap().to_string();
    assert!(message.contains("(1 KPU → 2 KPUs)"), "{message}");
    assert!(!message.contains("1 KPUs"), "{message}");
}

#[test]
fn a_misspelt_subcommand_is_suggested() {
    let repo = Repo::new();
    let r = repo.run(&["chek"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `kpulint check`?"), "{}", r.stderr);
    assert!(!r.stderr.contains("cannot read chek"), "{}", r.stderr);
    let r = repo.run(&["whatif"]);
    assert!(r.stderr.contains("did you mean `kpulint what-if`?"), "{}", r.stderr);
    // A directory of that name is linted, as before.
    repo.write("chek/main.tf", &simple_app("a", "2"));
    assert_eq!(repo.run(&["chek"]).code, 0);
}

#[test]
fn write_baseline_says_how_many_findings_it_recorded_where() {
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", "app");
    let r = repo.run(&["app", "--write-baseline", "b.json", "--color", "never"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("note: baseline written: 2 findings recorded in b.json"),
        "{}",
        r.stdout
    );
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(repo.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn the_rules_table_is_aligned() {
    let r = run(&root(), &["rules"]);
    let column = |line: &str, word: &str| line.find(word).unwrap_or_else(|| panic!("{word} in {line}"));
    let lines: Vec<&str> = r.stdout.lines().collect();
    let summary_at = column(lines[0], "SUMMARY");
    let severity_at = column(lines[0], "SEVERITY");
    for l in &lines[1..] {
        let id = l.split_whitespace().next().unwrap();
        let meta: Vec<&str> = l.split_whitespace().take(3).collect();
        assert_eq!(l.find(meta[2]), Some(severity_at), "{id}: {l}");
        assert!(
            l[summary_at - 2..summary_at].trim().is_empty() && !l[summary_at..].starts_with(' '),
            "{id}: {l}"
        );
    }
    assert!(
        r.stdout
            .contains("KPU016  needs-above-max-parallelism  error     the declared needs"),
        "{}",
        r.stdout
    );
}

#[test]
fn cost_and_diff_print_negative_money_with_the_same_minus_sign() {
    let repo = Repo::new();
    let decl = "# kpulint: state_size=100GB required_parallelism=4";
    repo.write("old/main.tf", &flink_app("a", decl, "6", "1", "false"));
    repo.write("new/main.tf", &flink_app("a", decl, "4", "1", "false"));
    repo.write(
        "up/main.tf",
        &flink_app(
            "a",
            "# kpulint: state_size=400GB required_parallelism=4",
            "4",
            "1",
            "false",
        ),
    );
    let diff = repo.run(&["diff", "old", "new"]).stdout;
    let cost = repo.run(&["cost", "up"]).stdout;
    assert!(diff.contains("−$170.60"), "{diff}");
    assert!(cost.contains("−$1,023.60"), "{cost}");
    for out in [&diff, &cost] {
        assert!(!out.contains("-$"), "an ASCII minus before money: {out}");
    }
}
