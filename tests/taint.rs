//! Issue 16: nothing is acted on, or priced, from what could not be read. Each case puts a
//! broken input beside valid ones and checks the exit code, the JSON fields, that `--fix` leaves
//! every byte and modification time of the tainted application's files as they were, and that
//! the valid applications are still priced and fixed. Also: rejected declarations, regions
//! without prices and scans that find nothing. The last test corrupts one random input of a
//! valid repository at a time (seeded, deterministic) and checks the same properties.

mod hcl_support;

use hcl_support::*;
use serde_json::{json, Value};

/// The files under `prefix` are byte for byte and time for time as they were.
fn unchanged(before: &Files, repo: &Repo, prefix: &str) {
    unchanged_because(before, repo, prefix, "");
}

/// [`unchanged`], saying `why` on failure.
fn unchanged_because(before: &Files, repo: &Repo, prefix: &str, why: &str) {
    let after = snapshot(repo.path());
    let mut seen = 0;
    for (rel, was) in before.iter().filter(|(k, _)| k.starts_with(prefix)) {
        let now = after.get(rel).unwrap_or_else(|| panic!("{rel} vanished"));
        assert_eq!(
            String::from_utf8_lossy(&now.0),
            String::from_utf8_lossy(&was.0),
            "{rel} was edited {why}"
        );
        assert_eq!(now.1, was.1, "{rel} was written (modification time changed) {why}");
        seen += 1;
    }
    assert!(seen > 0, "no file under {prefix}");
}

/// A Flink application whose parallelism is `var.p` (default 1), declared to need
/// `decl`, with autoscaling off.
fn var_app(name: &str, decl: &str) -> String {
    format!(
        "variable \"p\" {{\n  type    = number\n  default = 1\n}}\n\n{}",
        flink_app(name, decl, "var.p", "1", "false")
    )
}

const NEEDS: &str = "# kpulint: state_size=100GB required_parallelism=2";

/// Two roots: `bad` whose terraform.tfvars is half typed, `good` whose tfvars parses.
fn two_roots(bad_tfvars: &str) -> Repo {
    let repo = Repo::new();
    repo.write("bad/main.tf", &var_app("bad", NEEDS));
    repo.write("bad/terraform.tfvars", bad_tfvars);
    repo.write("good/main.tf", &var_app("good", NEEDS));
    repo.write("good/terraform.tfvars", "p = 8\n");
    repo
}

fn address(name: &str) -> String {
    format!("aws_kinesisanalyticsv2_application.{name}")
}

fn assert_tainted(a: &Value, by: &[&str]) {
    assert_eq!(a["tainted_by"], json!(by), "{a:#}");
    for field in ["monthly_cost_usd", "cost", "recommendation"] {
        assert!(a[field].is_null(), "{field} of a tainted application: {a:#}");
    }
}

#[test]
fn a_tfvars_that_does_not_parse_taints_its_root_only() {
    let repo = two_roots("p = \n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    let bad = app(&doc, &address("bad"));
    assert_tainted(bad, &["bad/terraform.tfvars"]);
    // The default (1) is not used in its place: the value is unknown, and KPU009 says why.
    assert_eq!(bad["status"], "unresolved");
    assert!(bad["parallelism"].is_null());
    let kpu009 = findings(&doc, "KPU009");
    assert_eq!(kpu009.len(), 1, "{doc:#}");
    assert_eq!(kpu009[0]["file"], "bad/main.tf");
    assert!(
        kpu009[0]["message"].as_str().unwrap().contains("bad/terraform.tfvars"),
        "{doc:#}"
    );
    // Nothing from the default: no KPU011 (1 < 2), no KPU003 (1 KPU < 4 of disk).
    assert!(findings(&doc, "KPU011").is_empty() && findings(&doc, "KPU003").is_empty());
    // The valid root is priced and advised as before.
    let good = app(&doc, &address("good"));
    assert_eq!(good["tainted_by"], json!([]));
    assert_eq!(good["monthly_cost_usd"], 762.7);
    assert_eq!(good["recommendation"]["parallelism"], 4);
    assert_eq!(doc["summary"]["monthly_cost_usd"], 762.7);
    assert_eq!(findings(&doc, "KPU004").len(), 1);
    assert_eq!(findings(&doc, "KPU004")[0]["file"], "good/main.tf");
}

#[test]
fn fix_and_diff_leave_a_tainted_application_byte_identical_and_say_why() {
    let repo = two_roots("p = \n");
    let before = snapshot(repo.path());
    let r = repo.run(&["--diff"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("+p = 4"), "the valid root's diff: {}", r.stdout);
    assert!(!r.stdout.contains("bad/"), "{}", r.stdout);
    assert!(
        r.stderr.contains("aws_kinesisanalyticsv2_application.bad: not fixed")
            && r.stderr.contains("bad/terraform.tfvars has an input error (1:5)"),
        "{}",
        r.stderr
    );
    let r = repo.run(&["--fix", "--unsafe-fixes", "--color", "never"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    unchanged(&before, &repo, "bad/");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("good/terraform.tfvars")).unwrap(),
        "p = 4\n"
    );
    assert!(
        r.stdout.contains("aws_kinesisanalyticsv2_application.bad: not fixed"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unreadable_var_file_taints_every_terraform_application_it_could_set() {
    let repo = Repo::new();
    repo.write("a/main.tf", &var_app("a", NEEDS));
    repo.write("b/main.tf", &var_app("b", NEEDS));
    repo.write("prod.tfvars", "p = [\n");
    repo.copy_dir("examples/formats/cloudformation-json", "cfn");
    let before = snapshot(repo.path());
    let (code, doc) = repo.json(&["a", "b", "cfn", "--var-file", "prod.tfvars"]);
    assert_eq!(code, 2);
    assert_tainted(app(&doc, &address("a")), &["prod.tfvars"]);
    assert_tainted(app(&doc, &address("b")), &["prod.tfvars"]);
    // The template is not read through the var file.
    let cfn: Vec<&Value> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["format"] == "cloudformation-json")
        .collect();
    assert_eq!(cfn.len(), 1);
    assert!(cfn[0]["monthly_cost_usd"].is_number(), "{doc:#}");
    // A var file that cannot even be opened taints the same way.
    let (code, doc) = repo.json(&["a", "--var-file", "missing.tfvars"]);
    assert_eq!(code, 2);
    assert_tainted(app(&doc, &address("a")), &["missing.tfvars"]);
    repo.run(&["a", "b", "--var-file", "prod.tfvars", "--fix", "--unsafe-fixes"]);
    unchanged(&before, &repo, "a/");
    unchanged(&before, &repo, "b/");
}

#[test]
fn a_broken_file_of_a_module_taints_the_applications_called_through_it() {
    let repo = Repo::new();
    // `svc` calls the shared module; `other` is a root of its own.
    repo.write(
        "svc/main.tf",
        "module \"job\" {\n  source = \"../modules/job\"\n  p      = 6\n}\n",
    );
    repo.write("modules/job/main.tf", &flink_app("this", NEEDS, "var.p", "1", "false"));
    repo.write("modules/job/variables.tf", "variable \"p\" {\n  type = number\n");
    repo.write("other/main.tf", &simple_app("other", "3"));
    let before = snapshot(repo.path());
    let (code, doc) = repo.json(&["svc", "other"]);
    assert_eq!(code, 2, "{doc:#}");
    let job = app(&doc, "module.job.aws_kinesisanalyticsv2_application.this");
    assert_tainted(job, &["modules/job/variables.tf"]);
    // The variable it would declare is unknown, not an invalid reference.
    assert_eq!(job["status"], "unresolved", "{doc:#}");
    let kpu009 = findings(&doc, "KPU009");
    assert!(
        kpu009
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("modules/job/variables.tf")),
        "{doc:#}"
    );
    assert!(app(&doc, &address("other"))["monthly_cost_usd"].is_number());
    repo.run(&["svc", "other", "--fix", "--unsafe-fixes"]);
    unchanged(&before, &repo, "svc/");
    unchanged(&before, &repo, "modules/");
}

#[test]
fn a_module_whose_caller_is_broken_is_not_sized_from_its_defaults() {
    let repo = Repo::new();
    // The call is in the file that does not parse: the module would be evaluated on its own,
    // with default 1 where the call passes 8.
    repo.write(
        "root/main.tf",
        "module \"job\" {\n  source = \"../modules/job\"\n  p      = 8\n}\nlocals {\n  x = \n}\n",
    );
    repo.write("modules/job/main.tf", &var_app("this", NEEDS));
    let before = snapshot(repo.path());
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    for a in doc["applications"].as_array().unwrap() {
        assert_tainted(a, &["root/main.tf"]);
    }
    assert!(!doc["applications"].as_array().unwrap().is_empty());
    repo.run(&[".", "--fix", "--unsafe-fixes"]);
    unchanged(&before, &repo, "modules/");
}

#[test]
fn a_config_that_does_not_parse_taints_every_application_it_applies_to() {
    let repo = Repo::new();
    // The case: one `}` too many, and a margin of 100% that --fix ignored (4 → 2).
    repo.write("team/.kpulint.hcl", "defaults {\n  target_margin = \"100%\"\n}\n}\n");
    repo.write(
        "team/main.tf",
        &flink_app("team", "# kpulint: required_parallelism=2", "4", "1", "false"),
    );
    // Another team's config parses: its application is advised as usual.
    repo.write("other/.kpulint.hcl", "defaults {\n  target_margin = \"0%\"\n}\n");
    repo.write(
        "other/main.tf",
        &flink_app("other", "# kpulint: required_parallelism=2", "4", "1", "false"),
    );
    let before = snapshot(repo.path());
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let team = app(&doc, &address("team"));
    assert_tainted(team, &["team/.kpulint.hcl"]);
    assert_eq!(team["kpus"], 4, "values the config cannot set are still known");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] != "team/main.tf"),
        "no finding from thresholds the config may set: {doc:#}"
    );
    assert_eq!(app(&doc, &address("other"))["recommendation"]["parallelism"], 2);
    let r = repo.run(&[".", "--fix", "--unsafe-fixes"]);
    assert_eq!(r.code, 2);
    unchanged(&before, &repo, "team/");
    assert!(std::fs::read_to_string(repo.path().join("other/main.tf"))
        .unwrap()
        .contains("parallelism          = 2"));
    // what-if prices nothing of it either.
    let (_, doc) = repo.json(&["what-if", "team", "--state-size", "5GB"]);
    let a = only_app(&doc);
    assert_eq!(
        a["headline"],
        "not priced: team/.kpulint.hcl has an input error (see `kpulint check`)"
    );
    assert!(
        a["delta"].is_null() && a["today"]["configured"]["cost"].is_null(),
        "{a:#}"
    );
    assert!(doc["summary"]["delta"].is_null());
    // --config FILE that does not parse taints everything.
    repo.write("broken.hcl", "defaults {\n");
    let (code, doc) = repo.json(&["other", "--config", "broken.hcl"]);
    assert_eq!(code, 2);
    assert_tainted(app(&doc, &address("other")), &["broken.hcl"]);
}

#[test]
fn cost_and_diff_never_price_a_tainted_application() {
    let repo = two_roots("p = \n");
    let (code, doc) = repo.json(&["cost", "."]);
    assert_eq!(code, 2);
    let rows = doc["applications"].as_array().unwrap();
    let bad = rows.iter().find(|r| r["address"] == address("bad")).unwrap();
    assert!(
        bad["monthly_cost_usd"].is_null() && bad["savings_usd"].is_null(),
        "{bad:#}"
    );
    assert_eq!(bad["tainted_by"], json!(["bad/terraform.tfvars"]));
    assert_eq!(doc["total"]["applications"], 1);
    assert_eq!(doc["total"]["monthly_cost_usd"], 762.7);
    let r = repo.run(&["cost", "."]);
    assert!(r.stdout.contains("(input error)"), "{}", r.stdout);

    // diff OLD NEW: the head's tfvars breaks; the application is not comparable, not a saving.
    let repo = Repo::new();
    repo.write("old/main.tf", &var_app("a", NEEDS));
    repo.write("old/terraform.tfvars", "p = 8\n");
    repo.write("new/main.tf", &var_app("a", NEEDS));
    repo.write("new/terraform.tfvars", "p = \n");
    let (code, doc) = repo.json(&["diff", "old", "new"]);
    assert_eq!(code, 1, "a file broken by the change fails like an error: {doc:#}");
    let a = &doc["applications"][0];
    assert_eq!(a["comparable"], false, "{a:#}");
    assert_eq!(a["tainted_by"], json!(["new/terraform.tfvars"]));
    assert!(
        a["delta"]["monthly_cost_usd"].is_null() && a["delta"]["kpus"].is_null(),
        "{a:#}"
    );
    assert_eq!(doc["summary"]["totals"]["applications_not_comparable"], 1);
    // The base's KPU004 is not "resolved" by a file that does not parse.
    assert!(doc["findings"]["resolved"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["summary"]["totals"]["delta"]["monthly_cost_usd"], 0);
    let r = repo.run(&["diff", "old", "new"]);
    assert!(r.stdout.contains("not comparable (input error)"), "{}", r.stdout);
    assert!(!r.stdout.contains("−$"), "no saving from a broken input: {}", r.stdout);
    let r = repo.run(&["diff", "old", "new", "--format", "markdown"]);
    assert!(r.stdout.contains("not comparable (input error)"), "{}", r.stdout);
}

#[test]
fn a_malformed_declaration_leaves_its_need_invalid_not_undeclared() {
    let repo = Repo::new();
    let text = flink_app(
        "bad",
        "# kpulint: state_size=240GBs required_parallelism=4",
        "12",
        "1",
        "false",
    );
    repo.write("main.tf", &text);
    repo.write(
        "other.tf",
        &flink_app("good", "# kpulint: required_parallelism=4", "12", "1", "false"),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert_eq!(at(&errors[0]), pos(&text, "240GBs"));
    assert!(errors[0]["help"].as_str().unwrap().contains("state_size"), "{doc:#}");
    let bad = app(&doc, &address("bad"));
    assert_tainted(bad, &["main.tf"]);
    // Not "4 would fit" with "state size undeclared": no sizing finding at all.
    let on_bad: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["application"] == address("bad"))
        .collect();
    assert!(on_bad.is_empty(), "{on_bad:#?}");
    // The other application in the same directory is advised as usual.
    let kpu004 = the_finding(&doc, "KPU004");
    assert_eq!(kpu004["application"], address("good"));
    assert!(kpu004["message"].as_str().unwrap().contains("parallelism 4 would fit"));

    // A word that is not key=value meant some need: none is taken as undeclared.
    repo.write(
        "main.tf",
        &flink_app(
            "bad",
            "# kpulint: state_size 240GB required_parallelism=4",
            "12",
            "1",
            "false",
        ),
    );
    let (code, doc) = repo.json(&["main.tf"]);
    assert_eq!(code, 2);
    let on_bad = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["application"] == address("bad"))
        .count();
    assert_eq!(on_bad, 0, "{doc:#}");
    assert!(app(&doc, &address("bad"))["recommendation"].is_null());

    // A need still found (a KPU006 here) points at the declaration's error instead of advising.
    repo.write(
        "main.tf",
        &flink_app("bad", "# kpulint: required_kpus=many", "5", "2", "false"),
    );
    let (_, doc) = repo.json(&["main.tf"]);
    let f = the_finding(&doc, "KPU006");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .starts_with("no recommendation while the required_kpus declaration at main.tf:1:26 is invalid"),
        "{f:#}"
    );
}

#[test]
fn an_unpriced_unconfirmed_cut_is_not_counted_among_the_unconfirmed_savings() {
    // Only the state declared: the cut 6 → 1 needs confirming, and eu-central-1 has no prices.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app("app", "# kpulint: state_size=20GB", "6", "1", "false").replace(
            "  name                   =",
            "  region                 = \"eu-central-1\"\n  name                   =",
        ),
    );
    let r = repo.run(&["cost", "."]);
    assert!(
        r.stdout
            .contains("unconfirmed savings (0 applications, not in the total)"),
        "{}",
        r.stdout
    );
    let (_, doc) = repo.json(&["cost", "."]);
    assert_eq!(doc["total"]["unconfirmed_savings_usd"], 0, "{doc:#}");
}

#[test]
fn a_region_without_prices_has_unknown_costs_in_every_command() {
    let repo = Repo::new();
    let app_in = |region: &str, name: &str| {
        flink_app(name, NEEDS, "8", "1", "false").replace(
            "  name                   =",
            &format!("  region                 = \"{region}\"\n  name                   ="),
        )
    };
    repo.write("a/main.tf", &app_in("eu-central-1", "frankfurt"));
    repo.write("b/main.tf", &app_in("us-east-1", "virginia"));
    let block = "`prices \"eu-central-1\"";
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let fra = app(&doc, &address("frankfurt"));
    assert!(
        fra["monthly_cost_usd"].is_null() && fra["price_region"].is_null(),
        "{fra:#}"
    );
    assert!(fra["recommendation"]["savings_usd"].is_null());
    assert_eq!(app(&doc, &address("virginia"))["monthly_cost_usd"], 762.7);
    assert_eq!(doc["summary"]["monthly_cost_usd"], 762.7);
    let notice = |doc: &Value| {
        doc["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["message"].as_str().unwrap().to_string())
            .find(|m| m.contains("no prices for region eu-central-1"))
            .unwrap_or_else(|| panic!("no notice: {doc:#}"))
    };
    assert!(notice(&doc).contains(block));
    // KPU004's cost is not made up either.
    let kpu004 = findings(&doc, "KPU004");
    let fra_4 = kpu004
        .iter()
        .find(|f| f["application"] == address("frankfurt"))
        .unwrap();
    assert!(fra_4["message"]
        .as_str()
        .unwrap()
        .contains("cost an unknown amount (no prices for region eu-central-1)"));

    let (_, doc) = repo.json(&["cost", "."]);
    assert!(notice(&doc).contains(block));
    let row = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address("frankfurt"))
        .unwrap()
        .clone();
    assert!(row["monthly_cost_usd"].is_null(), "{row:#}");

    let (_, doc) = repo.json(&["what-if", "b", "--region", "eu-central-1"]);
    assert!(notice(&doc).contains(block));
    assert!(only_app(&doc)["scenario"]["configured"]["cost"].is_null());

    let (_, doc) = repo.json(&["diff", "b", "a"]);
    assert!(notice(&doc).contains(block), "{doc:#}");

    // With a fallback configured, every figure says which prices it used.
    repo.write(".kpulint.hcl", "defaults {\n  fallback_prices = \"us-east-1\"\n}\n");
    let (_, doc) = repo.json(&["."]);
    let fra = app(&doc, &address("frankfurt"));
    assert_eq!(fra["price_region"], "us-east-1");
    assert_eq!(fra["monthly_cost_usd"], 762.7);
    // A fallback without prices is a config error.
    repo.write(".kpulint.hcl", "defaults {\n  fallback_prices = \"mars-1\"\n}\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    assert!(error_messages(&doc)[0].contains("fallback_prices = \"mars-1\" has no prices"));
}

#[test]
fn a_scan_that_finds_nothing_says_where_it_looked_and_can_fail() {
    let repo = Repo::new();
    repo.write(
        "infra/network.tf",
        "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    );
    repo.write("app/main.tf", &simple_app("a", "2"));
    let r = repo.run(&["infra", "--color", "never"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("note: no Managed Flink application found in infra (1 file read)"),
        "{}",
        r.stdout
    );
    let r = repo.run(&["infra", "--fail-on-empty"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("gate failed: --fail-on-empty: 0 applications found"),
        "{}",
        r.stdout
    );
    let (code, doc) = repo.json(&["infra", "--fail-on-empty"]);
    assert_eq!(code, 1);
    let gate = doc["summary"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "fail-on-empty")
        .unwrap()
        .clone();
    assert_eq!(
        gate,
        json!({"name": "fail-on-empty", "limit": "1 application", "value": 0, "passed": false, "message": "--fail-on-empty: 0 applications found"})
    );
    // The config says the same for every run under it.
    repo.write(".kpulint.hcl", "fail_on_empty = true\n");
    assert_eq!(repo.run(&["infra"]).code, 1);
    // A scan that finds an application passes the gate.
    let r = repo.run(&["app", "--fail-on-empty"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains("no Managed Flink application"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Property: one corrupted input never feeds a fix or a cost.

/// A small deterministic generator (a 64-bit LCG): the same seed, the same cases.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A valid repository of two roots: `orders` (tfvars, a variable) and `fleet` (calling a shared
/// module with for_each), under a config; the applications each input reaches are known.
fn valid_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".kpulint.hcl", "defaults {\n  overscale_margin = \"10%\"\n}\n");
    repo.write("orders/main.tf", &var_app("orders", NEEDS));
    repo.write("orders/terraform.tfvars", "p = 8\n");
    repo.write(
        "fleet/main.tf",
        "locals {\n  envs = {\n    dev  = { p = 6 }\n    prod = { p = 9 }\n  }\n}\n\nmodule \"job\" {\n  source   = \"../modules/job\"\n  for_each = local.envs\n  p        = each.value.p\n}\n",
    );
    repo.write("modules/job/main.tf", &flink_app("this", NEEDS, "var.p", "1", "false"));
    repo.write(
        "modules/job/variables.tf",
        "variable \"p\" {\n  type    = number\n  default = 2\n}\n",
    );
    repo
}

/// Which applications an input reaches, by address prefix.
fn reached_by(input: &str) -> Vec<&'static str> {
    match input {
        ".kpulint.hcl" => vec!["aws_kinesisanalyticsv2_application.orders", "module.job"],
        "orders/main.tf" | "orders/terraform.tfvars" => vec!["aws_kinesisanalyticsv2_application.orders"],
        _ => vec!["module.job"],
    }
}

/// The files the applications reached by `input` are read from.
fn files_of(input: &str) -> Vec<&'static str> {
    match input {
        ".kpulint.hcl" => vec!["orders/", "fleet/", "modules/"],
        "orders/main.tf" | "orders/terraform.tfvars" => vec!["orders/"],
        _ => vec!["fleet/", "modules/"],
    }
}

/// Truncates the text at a random byte, or injects a syntax error at a random line.
fn corrupt(text: &str, rng: &mut Lcg) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match rng.below(3) {
        0 => {
            let mut at = rng.below(text.len().max(1));
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }
        1 => {
            let at = rng.below(lines.len() + 1);
            let mut out: Vec<&str> = lines.clone();
            out.insert(at, "= }");
            out.join("\n") + "\n"
        }
        _ => {
            let at = rng.below(lines.len().max(1));
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            if let Some(l) = out.get_mut(at) {
                l.push_str(" {");
            }
            out.join("\n") + "\n"
        }
    }
}

#[test]
fn property_one_corrupted_input_never_feeds_a_fix_or_a_cost() {
    const INPUTS: [&str; 6] = [
        ".kpulint.hcl",
        "orders/main.tf",
        "orders/terraform.tfvars",
        "fleet/main.tf",
        "modules/job/main.tf",
        "modules/job/variables.tf",
    ];
    let mut rng = Lcg(0x16_2026);
    let mut broken_cases = 0;
    for case in 0..40 {
        let repo = valid_repo();
        let input = INPUTS[rng.below(INPUTS.len())];
        let path = repo.path().join(input);
        let text = std::fs::read_to_string(&path).unwrap();
        let corrupted = corrupt(&text, &mut rng);
        std::fs::write(&path, &corrupted).unwrap();
        let (code, doc) = repo.json(&["."]);
        let errors_in_input = doc["errors"].as_array().unwrap().iter().any(|e| e["file"] == input);
        if !errors_in_input {
            // The corruption happened to leave a valid file: not this property's case.
            continue;
        }
        broken_cases += 1;
        let why = format!("case {case}: {input} corrupted to:\n{corrupted}\n{doc:#}");
        assert_eq!(code, 2, "{why}");
        let reached: Vec<&Value> = doc["applications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                reached_by(input)
                    .iter()
                    .any(|p| a["address"].as_str().unwrap().starts_with(p))
            })
            .collect();
        for a in &reached {
            // No cost derived from a default the broken file would have overridden: none at all.
            for field in ["monthly_cost_usd", "cost", "recommendation"] {
                assert!(a[field].is_null(), "{field} of {}: {why}", a["address"]);
            }
            assert!(
                a["tainted_by"].as_array().unwrap().iter().any(|t| t == input),
                "{} not tainted by {input}: {why}",
                a["address"]
            );
        }
        let (_, cost) = repo.json(&["cost", "."]);
        for row in cost["applications"].as_array().unwrap() {
            if reached_by(input)
                .iter()
                .any(|p| row["address"].as_str().unwrap().starts_with(p))
            {
                assert!(
                    row["monthly_cost_usd"].is_null() && row["savings_usd"].is_null(),
                    "cost row {row:#}: {why}"
                );
            }
        }
        let before = snapshot(repo.path());
        let r = repo.run(&[".", "--fix", "--unsafe-fixes"]);
        assert_eq!(r.code, 2, "{why}");
        for prefix in files_of(input) {
            unchanged_because(&before, &repo, prefix, &format!("{why}\n--fix said:\n{}", r.stdout));
        }
    }
    // The generator must have produced broken inputs, or the property was never tested.
    assert!(broken_cases >= 20, "only {broken_cases} of 40 cases broke their input");
}
