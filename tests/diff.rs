//! `kpulint diff`: real git repositories built in temporary directories (commits that raise
//! parallelism, add a module instance, remove an application, change a tfvars value), two
//! directories, two real plan files, and the error cases.

mod hcl_support;

use std::path::PathBuf;
use std::process::Command as Std;

use hcl_support::*;
use serde_json::Value;

/// A throwaway git repository whose commits do not depend on the user's git config: identity,
/// dates and config come from the environment, so commit ids are the same on every machine.
struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// `TMPDIR` for kpulint: must be empty again after each run (the base tree is removed).
    tmp: PathBuf,
}

fn isolate_git(cmd: &mut assert_cmd::Command) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::create_dir_all(&tmp).unwrap();
        let repo = Repo { _dir: dir, path, tmp };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Std::new("git")
            .current_dir(&self.path)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "kpulint tests")
            .env("GIT_AUTHOR_EMAIL", "tests@kpulint.invalid")
            .env("GIT_COMMITTER_NAME", "kpulint tests")
            .env("GIT_COMMITTER_EMAIL", "tests@kpulint.invalid")
            .env("GIT_AUTHOR_DATE", "2026-11-26T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-26T12:00:00Z")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// `kpulint ARGS` from `cwd` (relative to the repository).
    fn kpulint(&self, cwd: &str, args: &[&str]) -> Run {
        let mut cmd = kpulint(&self.path.join(cwd));
        isolate_git(&mut cmd);
        cmd.env("TMPDIR", &self.tmp).args(args);
        let r = exec(cmd);
        let left: Vec<_> = std::fs::read_dir(&self.tmp).unwrap().collect();
        assert!(left.is_empty(), "the base tree was left behind: {left:?}");
        assert!(
            !r.stdout.contains("kpulint-base-"),
            "a temporary path in the output:\n{}",
            r.stdout
        );
        r
    }

    fn json(&self, cwd: &str, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let r = self.kpulint(cwd, &all);
        (r.code, r.json())
    }
}

/// A Flink application with a declaration comment, 1 slot per KPU, no autoscaling.
fn app(name: &str, parallelism: &str, state: &str, required: u32) -> String {
    let decl = format!("\n# kpulint: state_size={state} required_parallelism={required}");
    flink_app(name, &decl, parallelism, "1", "false")
}

const MODULE: &str = r#"variable "name" {
  type = string
}
"#;

fn module_call(keys: &str) -> String {
    format!(
        r#"
module "team" {{
  source   = "./modules/job"
  for_each = toset([{keys}])
  name     = each.key
}}
"#
    )
}

const VARIABLES: &str = r#"variable "orders_parallelism" {
  type = number
}
"#;

/// Base commit: `orders` (parallelism from terraform.tfvars, 4 = need), `legacy`, and one
/// instance of a module with its own application.
fn base_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "infra/main.tf",
        &format!(
            "{VARIABLES}{}{}{}",
            app("orders", "var.orders_parallelism", "100GB", 4),
            app("legacy", "2", "10GB", 2),
            module_call(r#""alpha""#)
        ),
    );
    repo.write("infra/terraform.tfvars", "orders_parallelism = 4\n");
    repo.write(
        "infra/modules/job/main.tf",
        &format!("{MODULE}{}", app("this", "2", "20GB", 2)),
    );
    repo.write("README.md", "not Terraform\n");
    repo.commit("base");
    repo
}

/// The change: tfvars raises `orders` to 6, a second module instance, `legacy` removed.
fn change(repo: &Repo) {
    repo.write(
        "infra/main.tf",
        &format!(
            "{VARIABLES}{}{}",
            app("orders", "var.orders_parallelism", "100GB", 4),
            module_call(r#""alpha", "beta""#)
        ),
    );
    repo.write("infra/terraform.tfvars", "orders_parallelism = 6\n");
}

fn by_address<'a>(doc: &'a Value, address: &str) -> &'a Value {
    doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in {doc:#}"))
}

#[test]
fn base_ref_compares_added_removed_and_changed_applications() {
    let repo = base_repo();
    change(&repo);
    let status_before = repo.git(&["status", "--porcelain"]);
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 1, "an introduced warning fails: {doc:#}");

    // 4 KPUs → 6 from the tfvars value: 5 → 7 billed, 200 → 300 GB.
    let orders = by_address(&doc, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(orders["change"], "changed");
    assert_eq!(orders["root"], "infra");
    assert_eq!(orders["file"], "infra/main.tf");
    assert_eq!(orders["before"]["parallelism"], 4);
    assert_eq!(orders["after"]["parallelism"], 6);
    assert_eq!(orders["before"]["billed_kpus"], 5);
    assert_eq!(orders["after"]["billed_kpus"], 7);
    assert_eq!(orders["before"]["running_storage_gb"], 200);
    assert_eq!(orders["after"]["running_storage_gb"], 300);
    // 5 × 730 h × $0.11 + 200 GB × $0.10 = $421.50; 7 × 80.30 + 30 = $592.10.
    assert_eq!(orders["before"]["monthly_cost_usd"], 421.5);
    assert_eq!(orders["after"]["monthly_cost_usd"], 592.1);
    assert_eq!(orders["delta"]["kpus"], 2);
    assert_eq!(orders["delta"]["monthly_cost_usd"], 170.6);

    let legacy = by_address(&doc, "aws_kinesisanalyticsv2_application.legacy");
    assert_eq!(legacy["change"], "removed");
    assert_eq!(legacy["after"], Value::Null);
    // 3 billed KPUs × $80.30 + 100 GB × $0.10.
    assert_eq!(legacy["delta"]["monthly_cost_usd"], -250.9);

    let beta = by_address(&doc, r#"module.team["beta"].aws_kinesisanalyticsv2_application.this"#);
    assert_eq!(beta["change"], "added");
    assert_eq!(beta["before"], Value::Null);
    assert_eq!(beta["after"]["billed_kpus"], 3);
    assert_eq!(beta["file"], "infra/modules/job/main.tf");
    assert_eq!(
        doc["applications"].as_array().unwrap().len(),
        3,
        "alpha is unchanged: {doc:#}"
    );

    let s = &doc["summary"];
    assert_eq!(s["applications"]["added"], 1);
    assert_eq!(s["applications"]["removed"], 1);
    assert_eq!(s["applications"]["changed"], 1);
    assert_eq!(s["applications"]["unchanged"], 1);
    // 5 + 3 + 3 = 11 billed KPUs → 7 + 3 + 3 = 13; $923.30 → $1,093.90.
    assert_eq!(s["totals"]["before"]["billed_kpus"], 11);
    assert_eq!(s["totals"]["after"]["billed_kpus"], 13);
    assert_eq!(s["totals"]["delta"]["billed_kpus"], 2);
    assert_eq!(s["totals"]["before"]["monthly_cost_usd"], 923.3);
    assert_eq!(s["totals"]["after"]["monthly_cost_usd"], 1093.9);
    assert_eq!(s["totals"]["delta"]["monthly_cost_usd"], 170.6);
    assert_eq!(
        s["text"],
        "This change adds 2 KPUs (+$170.60/month) and introduces 1 warning."
    );

    let introduced = doc["findings"]["introduced"].as_array().unwrap();
    assert_eq!(introduced.len(), 1, "{doc:#}");
    assert_eq!(introduced[0]["rule"], "KPU004");
    assert_eq!(introduced[0]["file"], "infra/main.tf");
    assert_eq!(doc["findings"]["resolved"].as_array().unwrap().len(), 0);
    assert_eq!(doc["base"]["label"].as_str().unwrap().split(' ').next(), Some("main"));
    assert_eq!(doc["head"]["label"], "working tree");

    // The fingerprint is the one `check` reports for the same finding.
    let (_, check) = json(&repo.path, &["infra"]);
    let same = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["fingerprint"] == introduced[0]["fingerprint"] && f["rule"] == "KPU004");
    assert!(same, "{check:#}");

    // Neither the working tree nor the index nor the worktree list was touched.
    assert_eq!(repo.git(&["status", "--porcelain"]), status_before);
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
}

#[test]
fn markdown_comment() {
    let repo = base_repo();
    change(&repo);
    let r = repo.kpulint(".", &["diff", "--base", "main", "--format", "markdown"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("<!-- kpulint-diff -->\n"));
    let summary = r.stdout.lines().find(|l| l.starts_with("**")).unwrap();
    assert_eq!(
        summary,
        "**This change adds 2 KPUs (+$170.60/month) and introduces 1 warning.**"
    );
    assert!(r.stdout.contains("`infra/main.tf:16:32`"), "{}", r.stdout);
    insta::assert_snapshot!("diff_markdown_comment", r.stdout);
}

#[test]
fn paths_relative_to_a_subdirectory_and_a_var_file_from_each_side() {
    let repo = Repo::new();
    repo.write(
        "infra/main.tf",
        &format!("{VARIABLES}{}", app("orders", "var.orders_parallelism", "100GB", 4)),
    );
    // A var file named by the flag is read from the base even with a name kpulint would not
    // otherwise read.
    repo.write("infra/prod.vars", "orders_parallelism = 8\n");
    repo.commit("base");
    // The change lowers the value in the var file: the base reads its own prod.vars.
    repo.write("infra/prod.vars", "orders_parallelism = 4\n");
    let (code, doc) = repo.json("infra", &["diff", "--base", "HEAD", "--var-file", "prod.vars"]);
    assert_eq!(code, 0, "{doc:#}");
    let orders = by_address(&doc, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(orders["file"], "main.tf");
    assert_eq!(orders["root"], ".");
    assert_eq!(orders["before"]["kpus"], 8);
    assert_eq!(orders["after"]["kpus"], 4);
    assert_eq!(orders["delta"]["monthly_cost_usd"], -341.2);
    let resolved = doc["findings"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{doc:#}");
    assert_eq!(resolved[0]["rule"], "KPU004");
    assert_eq!(resolved[0]["file"], "main.tf");
    assert_eq!(resolved[0]["now_suppressed"], false);
    assert!(doc["notices"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(
        doc["summary"]["text"],
        "This change removes 4 KPUs (−$341.20/month), introduces no findings and resolves 1 warning."
    );
}

#[test]
fn fail_on_counts_only_findings_the_change_introduces() {
    let repo = Repo::new();
    // An overscaled application already on main: its KPU004 is not the change's doing.
    repo.write(
        "main.tf",
        &format!("{}{}", app("old", "8", "100GB", 4), app("other", "2", "10GB", 2)),
    );
    repo.commit("base");
    repo.write(
        "main.tf",
        &format!("{}{}", app("old", "8", "100GB", 4), app("other", "3", "10GB", 3)),
    );
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(doc["findings"]["introduced"].as_array().unwrap().len(), 0, "{doc:#}");
    assert_eq!(code, 0);
    // `check` fails on the same tree.
    assert_eq!(run(&repo.path, &["."]).code, 1);
}

#[test]
fn fail_on_cost_increase_in_dollars_and_percent() {
    let repo = base_repo();
    change(&repo);
    // +$170.60 on $923.30 (18.5%).
    let code = |limit: &str| {
        repo.kpulint(
            ".",
            &[
                "diff",
                "--base",
                "main",
                "--fail-on",
                "never",
                "--fail-on-cost-increase",
                limit,
            ],
        )
        .code
    };
    assert_eq!(code("100"), 1);
    assert_eq!(code("170.60"), 0);
    assert_eq!(code("170.59"), 1);
    assert_eq!(code("18%"), 1);
    assert_eq!(code("19%"), 0);
    assert_eq!(
        repo.kpulint(".", &["diff", "--base", "main", "--fail-on", "never"])
            .code,
        0
    );
    let bad = repo.kpulint(".", &["diff", "--base", "main", "--fail-on-cost-increase", "lots"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("is not an amount"), "{}", bad.stderr);
}

#[test]
fn a_base_that_does_not_parse_is_reported_as_the_base_and_the_rest_compared() {
    let repo = Repo::new();
    repo.write("a/main.tf", &app("orders", "4", "100GB", 4));
    repo.write(
        "b/main.tf",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n  name = \n",
    );
    repo.commit("broken b");
    repo.write("a/main.tf", &app("orders", "5", "100GB", 4));
    repo.write("b/main.tf", &app("fixed", "2", "10GB", 2));
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 1, "the KPU004 on orders is introduced: {doc:#}");
    let errors = doc["base"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert_eq!(errors[0]["file"], "b/main.tf");
    assert!(doc["head"]["errors"].as_array().unwrap().is_empty());
    assert_eq!(
        by_address(&doc, "aws_kinesisanalyticsv2_application.orders")["change"],
        "changed"
    );
    // Its file did not read in the base: it may have been there, so it is not added.
    let fixed = by_address(&doc, "aws_kinesisanalyticsv2_application.fixed");
    assert_eq!(fixed["change"], "changed");
    assert_eq!(fixed["comparable"], false);
    assert_eq!(fixed["tainted_by"], serde_json::json!(["b/main.tf"]));

    let human = repo.kpulint(".", &["diff", "--base", "main"]);
    assert!(
        human.stdout.contains("Input errors in the base, main ("),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("b/main.tf:2:10: invalid HCL"), "{}", human.stdout);
}

#[test]
fn a_change_that_breaks_a_file_fails_and_a_wholly_broken_side_is_exit_2() {
    let repo = Repo::new();
    repo.write("a/main.tf", &app("orders", "4", "100GB", 4));
    repo.write("b/main.tf", &app("clicks", "2", "10GB", 2));
    repo.commit("base");
    repo.write("b/main.tf", "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n");
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["new_input_errors"], 1);
    assert!(doc["summary"]["text"].as_str().unwrap().contains("breaks 1 file"));
    // Nothing left to compare against: exit 2.
    repo.write("a/main.tf", "resource \"aws_kinesisanalyticsv2_application\" \"y\" {\n");
    assert_eq!(repo.kpulint(".", &["diff", "--base", "main"]).code, 2);
}

#[test]
fn errors_are_clear_and_exit_2() {
    let repo = base_repo();
    let r = repo.kpulint(".", &["diff", "--base", "no-such-branch"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("\"no-such-branch\" is not a commit, branch or tag of the repository"),
        "{}",
        r.stderr
    );
    assert_eq!(repo.kpulint(".", &["diff", "--base", "--all"]).code, 2);

    let outside = repo.tmp.parent().unwrap().to_path_buf();
    let r = repo.kpulint(".", &["diff", "--base", "main", outside.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is outside the git repository"), "{}", r.stderr);

    let r = repo.kpulint(".", &["diff", "--base", "main", "nowhere"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("nowhere exists neither in the working tree nor at main"),
        "{}",
        r.stderr
    );

    let not_a_repo = tempfile::tempdir().unwrap();
    let mut cmd = kpulint(not_a_repo.path());
    isolate_git(&mut cmd);
    cmd.env("GIT_CEILING_DIRECTORIES", not_a_repo.path().parent().unwrap());
    cmd.args(["diff", "--base", "main"]);
    let r = exec(cmd);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not inside a git repository"), "{}", r.stderr);

    let r = repo.kpulint(".", &["diff", "infra"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("compares two paths (OLD NEW)"), "{}", r.stderr);
}

#[test]
fn a_directory_new_in_the_change_is_all_added() {
    let repo = base_repo();
    repo.write("teams/new/main.tf", &app("fresh", "1", "1GB", 1));
    let (code, doc) = repo.json(".", &["diff", "--base", "main", "teams/new"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        by_address(&doc, "aws_kinesisanalyticsv2_application.fresh")["change"],
        "added"
    );
    let notices = doc["notices"].as_array().unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n["message"] == "teams/new does not exist at main: everything in it is added"),
        "{doc:#}"
    );
}

#[test]
fn two_directories() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "old/main.tf",
        &format!("{}{}", app("orders", "8", "100GB", 4), app("same", "5", "1GB", 5)),
    );
    write(
        "new/main.tf",
        &format!("{}{}", app("orders", "4", "100GB", 4), app("same", "5", "1GB", 5)),
    );
    let (code, doc) = json(dir.path(), &["diff", "old", "new"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["base"]["label"], "old");
    assert_eq!(doc["head"]["label"], "new");
    let orders = by_address(&doc, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(orders["root"], ".");
    assert_eq!(orders["file"], "new/main.tf");
    assert_eq!(doc["summary"]["applications"]["unchanged"], 1);
    // The KPU004 of old/main.tf is resolved; nothing is "introduced" for the moved root.
    assert_eq!(doc["findings"]["introduced"].as_array().unwrap().len(), 0, "{doc:#}");
    assert_eq!(doc["findings"]["resolved"][0]["file"], "old/main.tf");
}

#[test]
fn two_plan_files() {
    let plans = root().join("tests/fixtures/diff/plans");
    let (code, doc) = json(&plans, &["diff", "main.plan.json", "branch.plan.json"]);
    assert_eq!(code, 1, "{doc:#}");
    let orders = by_address(&doc, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(orders["change"], "changed");
    assert_eq!(orders["file"], "branch.plan.json");
    assert_eq!(orders["before"]["kpus"], 4);
    assert_eq!(orders["after"]["kpus"], 6);
    let fraud = by_address(&doc, "aws_kinesisanalyticsv2_application.fraud[0]");
    assert_eq!(fraud["change"], "added");
    assert_eq!(fraud["after"]["billed_kpus"], 3);
    assert_eq!(doc["summary"]["applications"]["unchanged"], 1, "clicks: {doc:#}");
    // clicks' KPU006 is in both plans: neither introduced nor resolved.
    let introduced: Vec<&str> = doc["findings"]["introduced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(introduced, ["KPU004"], "{doc:#}");
    assert!(doc["findings"]["resolved"].as_array().unwrap().is_empty());
    // orders +2 billed KPUs, fraud +3: 5 × $80.30 + (100 + 100) GB × $0.10.
    assert_eq!(doc["summary"]["totals"]["delta"]["billed_kpus"], 5);
    assert_eq!(doc["summary"]["totals"]["delta"]["monthly_cost_usd"], 421.5);
}

#[test]
fn a_long_comment_is_cut_under_the_github_limit() {
    let repo = Repo::new();
    repo.write("main.tf", &module_call(r#""a""#));
    repo.write(
        "modules/job/main.tf",
        &format!("{MODULE}{}", app("this", "2", "20GB", 2)),
    );
    repo.commit("base");
    // 1500 new instances (range() stops at 1024 elements, as Terraform's does), each a table
    // row of 3 billed KPUs and no finding.
    repo.write(
        "main.tf",
        r#"
module "team" {
  source   = "./modules/job"
  for_each = toset(concat(
    ["a"],
    [for i in range(750) : format("instance-with-a-long-key-a%04d", i)],
    [for i in range(750) : format("instance-with-a-long-key-b%04d", i)],
  ))
  name     = each.key
}
"#,
    );
    let r = repo.kpulint(".", &["diff", "--base", "main", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.chars().count() < 65_536,
        "{} characters",
        r.stdout.chars().count()
    );
    assert!(
        r.stdout.contains("more applications not shown"),
        "{}",
        &r.stdout[..2000]
    );
    assert!(r.stdout.contains("| **Total** |"));
    assert!(r.stdout.contains("This change adds 4500 KPUs"), "{}", &r.stdout[..500]);
}

#[test]
fn a_plan_on_standard_input_is_compared_with_a_plan_file() {
    let plans = root().join("tests/fixtures/diff/plans");
    let mut cmd = kpulint(&plans);
    cmd.args(["diff", "main.plan.json", "-", "--format", "json"])
        .write_stdin(std::fs::read(plans.join("branch.plan.json")).unwrap());
    let r = exec(cmd);
    let doc = r.json();
    assert_eq!(r.code, 1, "{doc:#}");
    assert_eq!(doc["head"]["label"], "-");
    assert_eq!(doc["summary"]["applications"]["unchanged"], 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"]["changed"], 1);
    assert_eq!(doc["summary"]["applications"]["added"], 1);
    assert_eq!(doc["findings"]["introduced"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(run(&plans, &["diff", "-", "-"]).code, 2);
}

#[test]
fn human_output() {
    let repo = base_repo();
    change(&repo);
    let r = repo.kpulint("infra", &["diff", "--base", "main"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("diff_human", r.stdout);
}

#[test]
fn ci_examples_run_diff_and_find_their_comment_by_the_marker() {
    let marker = "<!-- kpulint-diff -->";
    let github = std::fs::read_to_string(root().join("examples/ci/github-actions.yml")).unwrap();
    // The GitHub example runs it through the action: `args` holds the command line.
    assert!(github.contains(r#"diff --base "origin/${{ github.base_ref }}" --format markdown"#));
    let gitlab = std::fs::read_to_string(root().join("examples/ci/gitlab-ci.yml")).unwrap();
    assert!(gitlab.contains(r#"kpulint diff --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format markdown"#));
    for ci in [&github, &gitlab] {
        assert!(ci.contains(&format!(r#"startswith("{marker}")"#)));
        assert!(ci.contains("--fail-on-cost-increase 10%"));
    }
    // The comment kpulint writes starts with that marker.
    let repo = base_repo();
    let r = repo.kpulint(".", &["diff", "--base", "main", "--format", "markdown"]);
    assert!(r.stdout.starts_with(marker), "{}", r.stdout);
}

#[test]
fn a_var_file_new_in_the_change_is_read_from_the_working_tree_for_the_base() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &format!("{VARIABLES}{}", app("orders", "var.orders_parallelism", "100GB", 4)),
    );
    repo.commit("base");
    repo.write("new.tfvars", "orders_parallelism = 4\n");
    let (code, doc) = repo.json(".", &["diff", "--base", "main", "--var-file", "new.tfvars"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["applications"]["unchanged"], 1, "{doc:#}");
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        notices,
        ["--var-file new.tfvars does not exist at main: the base uses the working tree's"]
    );
}

#[test]
fn each_side_reads_its_own_config() {
    let repo = Repo::new();
    repo.write("main.tf", &app("orders", "5", "100GB", 4));
    repo.write(".kpulint.hcl", "defaults {\n  overscale_margin = \"10%\"\n}\n");
    repo.commit("base");
    // The change accepts a 25% margin: the KPU004 of parallelism 5 for a need of 4 goes away.
    repo.write(".kpulint.hcl", "defaults {\n  overscale_margin = \"30%\"\n}\n");
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["applications"]["unchanged"], 1);
    let resolved = doc["findings"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{doc:#}");
    assert_eq!(resolved[0]["rule"], "KPU004");
    assert_eq!(
        doc["summary"]["text"],
        "This change does not change the KPU count or the monthly cost, introduces no findings and resolves 1 warning."
    );
    let r = repo.kpulint(".", &["diff", "--base", "main", "-"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no base commit"), "{}", r.stderr);
}

#[test]
fn absolute_paths_and_linked_worktrees() {
    let repo = base_repo();
    change(&repo);
    // An absolute PATH inside the repository prints as the relative one.
    let infra = repo.path.join("infra");
    let (code, doc) = repo.json(".", &["diff", "--base", "main", infra.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        by_address(&doc, "aws_kinesisanalyticsv2_application.orders")["file"],
        "infra/main.tf"
    );
    assert_eq!(doc["findings"]["introduced"][0]["file"], "infra/main.tf");

    // A linked worktree (its `.git` is a file) compares with a branch of the main checkout.
    repo.commit("change");
    repo.git(&["worktree", "add", "-q", "wt", "-b", "feature"]);
    let wt = Repo {
        _dir: tempfile::tempdir().unwrap(),
        path: repo.path.join("wt"),
        tmp: repo.tmp.clone(),
    };
    let (code, doc) = wt.json("infra", &["diff", "--base", "main~1"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["totals"]["delta"]["billed_kpus"], 2, "{doc:#}");
    assert_eq!(
        by_address(&doc, "aws_kinesisanalyticsv2_application.orders")["file"],
        "main.tf"
    );
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 2);
}

/// `a.tf` and `b.tf` in one root, each with an application that has a KPU004 warning, then the
/// head truncates `b.tf`: its application may still be there, unread.
fn truncated_repo() -> Repo {
    let repo = Repo::new();
    repo.write("a.tf", &app("orders", "6", "100GB", 2));
    repo.write("b.tf", &app("clicks", "12", "100GB", 2));
    repo.commit("base");
    let b = std::fs::read(repo.path.join("b.tf")).unwrap();
    std::fs::write(repo.path.join("b.tf"), &b[..200]).unwrap();
    repo
}

#[test]
fn an_application_whose_file_the_head_cannot_read_is_not_comparable_never_removed() {
    let repo = truncated_repo();
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 1, "the change breaks b.tf: {doc:#}");
    assert_eq!(doc["head"]["errors"][0]["file"], "b.tf", "{doc:#}");
    let clicks = by_address(&doc, "aws_kinesisanalyticsv2_application.clicks");
    assert_eq!(clicks["change"], "changed", "{clicks:#}");
    assert_eq!(clicks["comparable"], false);
    assert_eq!(clicks["tainted_by"], serde_json::json!(["b.tf"]));
    assert!(clicks["delta"]["monthly_cost_usd"].is_null() && clicks["delta"]["kpus"].is_null());
    let s = &doc["summary"];
    assert_eq!(s["applications"]["removed"], 0, "{s:#}");
    // b.tf is in orders' root too: it may set orders' values, so orders is not comparable either.
    assert_eq!(s["totals"]["applications_not_comparable"], 2);
    assert_eq!(s["totals"]["delta"]["kpus"], 0);
    assert_eq!(s["totals"]["delta"]["monthly_cost_usd"], 0.0);
    assert_eq!(
        s["resolved"]["warnings"], 0,
        "the unread warning is not resolved: {doc:#}"
    );
    assert!(doc["findings"]["resolved"].as_array().unwrap().is_empty());
    let text = s["text"].as_str().unwrap();
    assert!(!text.contains("removes") && !text.contains("resolves"), "{text}");
    assert!(text.contains("2 applications not comparable (input error"), "{text}");

    let human = repo.kpulint(".", &["diff", "--base", "main"]);
    assert!(
        human.stdout.contains("not comparable (input error)"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("removed  "), "{}", human.stdout);

    // Both files broken: nothing to compare (exit 2), and still no saving or resolved finding.
    let a = std::fs::read(repo.path.join("a.tf")).unwrap();
    std::fs::write(repo.path.join("a.tf"), &a[..200]).unwrap();
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 2, "{doc:#}");
    let s = &doc["summary"];
    assert_eq!(s["applications"]["removed"], 0, "{s:#}");
    assert_eq!(s["totals"]["applications_not_comparable"], 2);
    assert_eq!(s["totals"]["delta"]["monthly_cost_usd"], 0.0);
    assert!(doc["findings"]["resolved"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[test]
fn an_application_whose_file_the_base_cannot_read_is_not_added_nor_its_findings_introduced() {
    let repo = Repo::new();
    repo.write("a.tf", &app("orders", "4", "100GB", 4));
    repo.write(
        "b.tf",
        "resource \"aws_kinesisanalyticsv2_application\" \"x\" {\n  name = \n",
    );
    repo.commit("broken b");
    repo.write("b.tf", &app("clicks", "12", "100GB", 2));
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 0, "nothing the change introduces: {doc:#}");
    let clicks = by_address(&doc, "aws_kinesisanalyticsv2_application.clicks");
    assert_eq!(clicks["change"], "changed", "{clicks:#}");
    assert_eq!(clicks["comparable"], false);
    assert_eq!(clicks["tainted_by"], serde_json::json!(["b.tf"]));
    assert_eq!(doc["summary"]["applications"]["added"], 0);
    assert!(doc["findings"]["introduced"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["summary"]["totals"]["delta"]["monthly_cost_usd"], 0.0);
}

/// Two applications in a region kpulint has no prices for, the head raising one of them.
fn unpriced_repo() -> Repo {
    let repo = Repo::new();
    let provider = "provider \"aws\" {\n  region = \"eu-central-1\"\n}\n";
    repo.write(
        "main.tf",
        &format!(
            "{provider}{}{}",
            app("orders", "6", "100GB", 6),
            app("clicks", "6", "100GB", 6)
        ),
    );
    repo.commit("base");
    repo.write(
        "main.tf",
        &format!(
            "{provider}{}{}",
            app("orders", "8", "100GB", 8),
            app("clicks", "6", "100GB", 6)
        ),
    );
    repo
}

#[test]
fn an_unpriced_region_counts_its_kpus_and_leaves_the_cost_unknown() {
    let repo = unpriced_repo();
    let (code, doc) = repo.json(".", &["diff", "--base", "main"]);
    assert_eq!(code, 0, "{doc:#}");
    let t = &doc["summary"]["totals"];
    assert_eq!(t["before"]["kpus"], 12, "{t:#}");
    assert_eq!(t["after"]["kpus"], 14);
    assert_eq!(t["delta"]["billed_kpus"], 2);
    assert_eq!(t["delta"]["running_storage_gb"], 100);
    assert!(
        t["before"]["monthly_cost_usd"].is_null() && t["delta"]["monthly_cost_usd"].is_null(),
        "{t:#}"
    );
    assert_eq!(t["applications_without_figures"], 0);
    assert_eq!(t["applications_without_cost"], 2);
    let text = doc["summary"]["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "This change adds 2 KPUs (monthly cost unknown: 2 applications without prices for their region)"
        ),
        "{text}"
    );
    let human = repo.kpulint(".", &["diff", "--base", "main"]);
    let total = human
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap();
    assert!(
        total.contains("12 → 14") && total.contains('?') && !total.contains('$'),
        "{total}"
    );
}

#[test]
fn a_cost_gate_on_an_unknown_cost_fails_closed_and_says_why() {
    let repo = unpriced_repo();
    let args = ["diff", "--base", "main", "--fail-on-cost-increase", "1%"];
    let (code, doc) = repo.json(".", &args);
    assert_eq!(code, 1, "{doc:#}");
    let gate = doc["summary"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "fail-on-cost-increase")
        .unwrap();
    assert_eq!(gate["passed"], false);
    assert!(gate["value"].is_null());
    let message = gate["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "--fail-on-cost-increase 1%: the monthly cost is unknown (2 applications without prices for their region"
        ),
        "{message}"
    );
    let human = repo.kpulint(".", &args);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains(&format!("gate failed: {message}")),
        "{}",
        human.stdout
    );
    let mut md_args = args.to_vec();
    md_args.extend(["--format", "markdown"]);
    let md = repo.kpulint(".", &md_args);
    assert!(
        md.stdout
            .lines()
            .nth(1)
            .unwrap()
            .contains("the monthly cost is unknown"),
        "{}",
        md.stdout
    );
    // Priced through a fallback, the same change is measured and passes a loose limit.
    repo.write(".kpulint.hcl", "defaults {\n  fallback_prices = \"us-east-1\"\n}\n");
    repo.git(&["add", ".kpulint.hcl"]);
    repo.git(&["commit", "-q", "-m", "fallback prices"]);
    let (code, doc) = repo.json(".", &args);
    assert_eq!(code, 1, "{doc:#}");
    let message = doc["summary"]["gates"][1]["message"].as_str().unwrap();
    assert!(message.contains("the monthly cost rises by"), "{message}");
    let code = repo
        .kpulint(".", &["diff", "--base", "main", "--fail-on-cost-increase", "1000%"])
        .code;
    assert_eq!(code, 0);
}
