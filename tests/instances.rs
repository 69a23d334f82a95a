//! One module, many environments: `modules/kda_flink` called from `envs/dev` and `envs/prod`
//! (each with its own `terraform.tfvars`) makes two application instances with one address.
//! Every output names each by its root and address (`envs/prod:module.kda_flink.…`), and every
//! place that selects applications accepts `ROOT:ADDRESS`.

mod hcl_support;

use std::collections::BTreeSet;

use hcl_support::*;
use serde_json::Value;

const ADDRESS: &str = "module.kda_flink.aws_kinesisanalyticsv2_application.this";
const DEV: &str = "envs/dev:module.kda_flink.aws_kinesisanalyticsv2_application.this";
const PROD: &str = "envs/prod:module.kda_flink.aws_kinesisanalyticsv2_application.this";

/// The fixture repository: `modules/kda_flink`, `envs/dev` (parallelism 4), `envs/prod`
/// (parallelism 8, set at line 4 of its tfvars), both declaring 40 GB and a need of 2.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.copy_dir("tests/fixtures/instances/modules", "modules");
    repo.copy_dir("tests/fixtures/instances/envs", "envs");
    repo
}

fn apps(doc: &Value) -> &Vec<Value> {
    doc["applications"].as_array().expect("applications")
}

fn kpu004<'a>(doc: &'a Value, instance: &str) -> &'a Value {
    findings(doc, "KPU004")
        .into_iter()
        .find(|f| f["instance"] == instance)
        .unwrap_or_else(|| panic!("no KPU004 of {instance} in {doc:#}"))
}

#[test]
fn json_names_each_instance_by_its_root() {
    let repo = repo();
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1, "{doc:#}");
    let instances: Vec<&str> = apps(&doc).iter().map(|a| a["instance"].as_str().unwrap()).collect();
    assert_eq!(instances, [DEV, PROD]);
    for a in apps(&doc) {
        assert_eq!(a["address"], ADDRESS);
        assert_eq!(a["file"], "modules/kda_flink/main.tf");
    }
    assert_eq!(by_instance(&doc, DEV)["root"], "envs/dev");
    assert_eq!(by_instance(&doc, PROD)["root"], "envs/prod");
    assert_eq!(by_instance(&doc, DEV)["parallelism"], 4);
    assert_eq!(by_instance(&doc, PROD)["parallelism"], 8);
    // Findings name the instance too, in their own fields and in their messages.
    let prod = kpu004(&doc, PROD);
    assert_eq!(prod["root"], "envs/prod");
    assert_eq!(prod["application"], ADDRESS);
    assert!(prod["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{PROD}: parallelism 8")));
    assert_ne!(prod["fingerprint"], kpu004(&doc, DEV)["fingerprint"]);
}

#[test]
fn the_identity_does_not_depend_on_where_kpulint_runs() {
    let repo = repo();
    for (cwd, path) in [
        (".", "."),
        ("envs/prod", "."),
        ("modules/kda_flink", "."),
        (".", "envs"),
    ] {
        let (_, doc) = json(&repo.path().join(cwd), &[path]);
        let mut instances: Vec<&str> = apps(&doc).iter().map(|a| a["instance"].as_str().unwrap()).collect();
        instances.sort();
        let expected: Vec<&str> = if cwd == "envs/prod" {
            vec![PROD]
        } else {
            vec![DEV, PROD]
        };
        assert_eq!(instances, expected, "from {cwd}: {doc:#}");
    }
}

#[test]
fn a_root_module_at_the_repository_root_keeps_the_plain_address() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("app", "4"));
    let (_, doc) = repo.json(&["."]);
    let a = only_app(&doc);
    assert_eq!(a["root"], ".");
    assert_eq!(a["instance"], "aws_kinesisanalyticsv2_application.app");
    // Outside a repository, roots are named from the scanned path.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("envs/prod")).unwrap();
    std::fs::write(dir.path().join("envs/prod/main.tf"), simple_app("app", "4")).unwrap();
    if dir.path().ancestors().all(|a| !a.join(".git").exists()) {
        let (_, doc) = json(dir.path(), &["."]);
        assert_eq!(
            only_app(&doc)["instance"],
            "envs/prod:aws_kinesisanalyticsv2_application.app"
        );
        let (_, doc) = json(dir.path(), &["envs/prod"]);
        assert_eq!(only_app(&doc)["instance"], "aws_kinesisanalyticsv2_application.app");
    }
}

#[test]
fn junit_has_a_test_case_per_instance() {
    let repo = repo();
    let r = repo.run(&[".", "--format", "junit"]);
    assert_eq!(r.code, 1);
    let xml = roxmltree::Document::parse(&r.stdout).expect("junit parses");
    let names: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some("modules/kda_flink/main.tf"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(names, [DEV, PROD]);
    // Each instance fails with its own finding.
    for case in xml.descendants().filter(|n| n.has_tag_name("testcase")) {
        if let Some(name) = case.attribute("name").filter(|n| n.starts_with("envs/")) {
            let failure = case.children().find(|c| c.has_tag_name("failure")).expect("failure");
            assert!(failure.attribute("message").unwrap().starts_with(name), "{name}");
        }
    }
}

#[test]
fn sarif_and_line_formats_carry_the_instance() {
    let repo = repo();
    let r = repo.run(&[".", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let names: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|res| {
            let name = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap();
            assert!(res["message"]["text"].as_str().unwrap().starts_with(name));
            name
        })
        .collect();
    assert_eq!(names, BTreeSet::from([DEV, PROD]));
    for format in ["compact", "checkstyle", "github"] {
        let r = repo.run(&[".", "--format", format]);
        for instance in [DEV, PROD] {
            assert!(
                r.stdout.contains(&format!("{instance}: parallelism")),
                "{format}:\n{}",
                r.stdout
            );
        }
    }
}

#[test]
fn cost_has_a_root_column_with_more_than_one_root() {
    let repo = repo();
    let r = repo.run(&["cost", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let header: Vec<&str> = lines[0].split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(&header[..3], ["application", "root", "file:line"]);
    // Largest saving first: prod (8 KPUs for a need of 2), then dev.
    assert!(
        lines[1].starts_with(ADDRESS) && lines[1].contains("  envs/prod  "),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].starts_with(ADDRESS) && lines[2].contains("  envs/dev  "),
        "{}",
        r.stdout
    );

    let r = repo.run(&["cost", ".", "--format", "csv"]);
    let records: Vec<&str> = r.stdout.split("\r\n").collect();
    assert!(records[0].starts_with("application,root,file,line,"), "{}", r.stdout);
    assert!(
        records[1].starts_with(&format!("{ADDRESS},envs/prod,modules/kda_flink/main.tf,17,")),
        "{}",
        r.stdout
    );
    assert!(records[2].starts_with(&format!("{ADDRESS},envs/dev,")), "{}", r.stdout);
    assert!(records[3].starts_with("total,,"), "{}", r.stdout);

    let r = repo.run(&["cost", ".", "--format", "markdown"]);
    assert!(
        r.stdout.starts_with("| application | root | file:line |"),
        "{}",
        r.stdout
    );

    let (_, doc) = repo.json(&["cost", "."]);
    let rows: Vec<(&str, &str)> = apps(&doc)
        .iter()
        .map(|a| (a["root"].as_str().unwrap(), a["instance"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("envs/prod", PROD), ("envs/dev", DEV)]);

    // One root: no root column.
    let r = repo.run(&["cost", "envs/prod"]);
    assert!(
        r.stdout.lines().next().unwrap().starts_with("application  "),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.lines().next().unwrap().contains(" root "), "{}", r.stdout);
}

#[test]
fn what_if_selects_one_roots_instance() {
    let repo = repo();
    let (code, doc) = repo.json(&["what-if", ".", "--state-size", "envs/prod:module.kda_flink.*=100GB"]);
    assert_eq!(code, 0, "{doc:#}");
    let state = |doc: &Value, instance: &str| {
        let a = by_instance(doc, instance);
        (
            a["today"]["configured"]["state_size_gb"].clone(),
            a["scenario"]["configured"]["state_size_gb"].clone(),
        )
    };
    assert_eq!(state(&doc, PROD), (40.into(), 100.into()));
    assert_eq!(state(&doc, DEV), (40.into(), 40.into()));
    // A bare address still selects every root's instance, and so do globs in both parts.
    for target in [ADDRESS, "envs/*:module.kda_flink.*"] {
        let (_, doc) = repo.json(&["what-if", ".", "--state-size", &format!("{target}=100GB")]);
        for instance in [DEV, PROD] {
            assert_eq!(state(&doc, instance).1, 100, "{target}");
        }
    }
    // Headings name the instance.
    let r = repo.run(&["what-if", ".", "--state-size", "envs/prod:module.kda_flink.*=100GB"]);
    assert!(
        r.stdout.starts_with(&format!("{DEV} (modules/kda_flink/main.tf:17)\n")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("\n{PROD} (modules/kda_flink/main.tf:17)\n")),
        "{}",
        r.stdout
    );
    // A root that does not exist matches nothing: a usage error.
    let r = repo.run(&["what-if", ".", "--state-size", "envs/staging:module.kda_flink.*=100GB"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no application matches \"envs/staging:module.kda_flink.*\""),
        "{}",
        r.stderr
    );
}

#[test]
fn a_config_application_block_for_one_root() {
    let repo = repo();
    for env in ["dev", "prod"] {
        let path = format!("envs/{env}/main.tf");
        let text = std::fs::read_to_string(repo.path().join(&path)).unwrap();
        repo.write(
            &path,
            &text.replace("# kpulint: state_size=40GB required_parallelism=2\n", ""),
        );
    }
    repo.write(
        ".kpulint.hcl",
        "application \"envs/dev:module.kda_flink.*\" {\n  state_size           = \"120GB\"\n  required_parallelism = 2\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    let dev = by_instance(&doc, DEV);
    assert_eq!(dev["state_size_gb"], 120);
    assert_eq!(dev["state_size_source"], "config");
    let prod = by_instance(&doc, PROD);
    assert_eq!(prod["state_size_gb"], Value::Null);
    let kpu008: Vec<&Value> = findings(&doc, "KPU008");
    assert_eq!(kpu008.len(), 1, "{doc:#}");
    assert_eq!(kpu008[0]["instance"], PROD);
    // An exact ROOT:ADDRESS wins over a glob for every root.
    repo.write(
        ".kpulint.hcl",
        &format!("application \"{PROD}\" {{\n  state_size = \"10GB\"\n}}\napplication \"*\" {{\n  state_size = \"20GB\"\n}}\n"),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(by_instance(&doc, PROD)["state_size_gb"], 10);
    assert_eq!(by_instance(&doc, DEV)["state_size_gb"], 20);
    // A block for a root that does not exist is KPU903, suggesting the instance it could mean.
    repo.write(".kpulint.hcl", "application \"envs/prd:module.kda_flink.aws_kinesisanalyticsv2_application.this\" {\n  state_size = \"10GB\"\n}\n");
    let (_, doc) = repo.json(&["."]);
    let stray = the_finding(&doc, "KPU903");
    assert_eq!(stray["help"], format!("did you mean `application \"{PROD}\"`?"));
}

#[test]
fn ignore_paths_match_the_root_module_directory() {
    let repo = repo();
    repo.write(
        ".kpulint.hcl",
        "ignore {\n  paths  = [\"envs/prod/**\"]\n  reason = \"prod is migrating\"\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(kpu004(&doc, PROD)["suppressed"], true, "{doc:#}");
    assert_eq!(kpu004(&doc, DEV)["suppressed"], false, "{doc:#}");
    assert!(findings(&doc, "KPU901").is_empty(), "{doc:#}");
    // `applications` selects by instance: ROOT:ADDRESS, or every root with a bare address.
    repo.write(
        ".kpulint.hcl",
        "ignore {\n  applications = [\"envs/dev:module.kda_flink.*\"]\n  rules        = [\"KPU004\"]\n  reason       = \"dev\"\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(kpu004(&doc, DEV)["suppressed"], true, "{doc:#}");
    assert_eq!(kpu004(&doc, PROD)["suppressed"], false, "{doc:#}");
    repo.write(
        ".kpulint.hcl",
        &format!("ignore {{\n  applications = [\"{ADDRESS}\"]\n  reason       = \"all\"\n}}\n"),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc, "KPU004").iter().all(|f| f["suppressed"] == true));
}

#[test]
fn a_suppression_above_the_module_block_applies_to_that_root_only() {
    let repo = repo();
    let path = "envs/prod/main.tf";
    let text = std::fs::read_to_string(repo.path().join(path)).unwrap();
    repo.write(
        path,
        &text.replace(
            "# kpulint: state_size=40GB",
            "# kpulint-ignore: KPU004 reason=\"launch week\"\n# kpulint: state_size=40GB",
        ),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(kpu004(&doc, PROD)["suppressed"], true);
    assert_eq!(kpu004(&doc, DEV)["suppressed"], false);
    assert!(findings(&doc, "KPU901").is_empty(), "{doc:#}");
}

#[test]
fn a_suppression_in_the_shared_module_is_unused_only_when_no_instance_uses_it() {
    let repo = repo();
    let path = "modules/kda_flink/main.tf";
    let text = std::fs::read_to_string(repo.path().join(path)).unwrap();
    repo.write(
        path,
        &text.replace(
            "        parallelism          = var.parallelism\n",
            "        # kpulint-ignore: KPU004 reason=\"tuning\"\n        parallelism          = var.parallelism\n",
        ),
    );
    // dev needs no margin suppression (parallelism 2), prod does: the suppression is used.
    repo.write("envs/dev/terraform.tfvars", "flink_parallelism = 2\n");
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc, "KPU901").is_empty(), "{doc:#}");
    assert_eq!(kpu004(&doc, PROD)["suppressed"], true);
    // Used by neither: one KPU901.
    repo.write("envs/prod/terraform.tfvars", "flink_parallelism = 2\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(findings(&doc, "KPU901").len(), 1, "{doc:#}");
}

#[test]
fn var_for_a_module_variable_is_an_input_error_saying_how_to_set_it() {
    let repo = repo();
    for cwd in [".", "modules/kda_flink"] {
        let (code, doc) = json(&repo.path().join(cwd), &[".", "--var", "parallelism=3"]);
        assert_eq!(code, 2, "{doc:#}");
        let errors = doc["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{doc:#}");
        let module = if cwd == "." {
            "modules/kda_flink"
        } else {
            "../../modules/kda_flink"
        };
        assert_eq!(
            errors[0]["message"],
            format!("--var parallelism: no scanned root module declares it: module {module} declares \"parallelism\", and a module's variables are set by the arguments of the calling module block, not by --var")
        );
        let help = errors[0]["help"].as_str().unwrap();
        assert_eq!(
            help,
            "did you mean flink_parallelism? (declared root variables: flink_parallelism); to set the module's parallelism, write `parallelism = ...` in the `module` block that calls it"
        );
        // The value reached nothing.
        assert_eq!(by_instance(&doc, PROD)["parallelism"], 8);
    }
    // A root variable is set in every root that declares it.
    let (code, doc) = repo.json(&[".", "--var", "flink_parallelism=3"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(by_instance(&doc, DEV)["parallelism"], 3);
    assert_eq!(by_instance(&doc, PROD)["parallelism"], 3);
    // Only prod scanned: only prod's variable.
    let (_, doc) = repo.json(&["envs/prod", "--var", "flink_parallelism=2"]);
    assert_eq!(only_app(&doc)["parallelism"], 2);
}

#[test]
fn var_file_names_are_checked_against_each_root() {
    let repo = repo();
    // Only prod declares `prod_only`: read for dev too, it is an error naming dev.
    let path = "envs/prod/main.tf";
    let text = std::fs::read_to_string(repo.path().join(path)).unwrap();
    repo.write(path, &format!("{text}\nvariable \"prod_only\" {{\n  default = 1\n}}\n"));
    repo.write("shared.tfvars", "flink_parallelism = 2\nprod_only = 3\n");
    let (code, doc) = repo.json(&[".", "--var-file", "shared.tfvars"]);
    assert_eq!(code, 2, "{doc:#}");
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert_eq!(
        (errors[0]["file"].as_str(), errors[0]["line"].as_u64()),
        (Some("shared.tfvars"), Some(2))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("shared.tfvars sets \"prod_only\", which the root module envs/dev does not declare"),
        "{doc:#}"
    );
    assert_eq!(by_instance(&doc, DEV)["parallelism"], 2);
    // A name only the module declares.
    repo.write("module.tfvars", "parallelism = 3\n");
    let (code, doc) = repo.json(&[".", "--var-file", "module.tfvars"]);
    assert_eq!(code, 2);
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("module.tfvars sets \"parallelism\", but no scanned root module declares it: module modules/kda_flink declares \"parallelism\""),
        "{doc:#}"
    );
}

#[test]
fn github_from_a_module_directory_annotates_repository_paths_and_the_tfvars_line() {
    let repo = repo();
    let r = run(&repo.path().join("modules/kda_flink"), &[".", "--format", "github"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains("../"), "{}", r.stdout);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("::warning file=modules/kda_flink/main.tf,line=26,col=32,"),
        "{}",
        r.stdout
    );
    assert!(lines[0].contains(&format!("::{DEV}: parallelism 4")), "{}", r.stdout);
    assert_eq!(
        lines[1],
        format!("::notice file=envs/dev/terraform.tfvars,line=2::value for parallelism of {DEV} set here (KPU004)")
    );
    assert_eq!(
        lines[3],
        format!("::notice file=envs/prod/terraform.tfvars,line=4::value for parallelism of {PROD} set here (KPU004)")
    );
    // GITHUB_WORKSPACE, when it holds the files, is what paths are relative to.
    let mut cmd = kpulint(&repo.path().join("modules/kda_flink"));
    cmd.args([".", "--format", "github"])
        .env("GITHUB_WORKSPACE", repo.path().join("envs"));
    let r = exec(cmd);
    assert!(
        r.stdout.contains("::notice file=prod/terraform.tfvars,line=4::"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("::warning file=modules/kda_flink/main.tf,"),
        "{}",
        r.stdout
    );
}

#[test]
fn compact_and_checkstyle_add_a_line_where_the_value_is_written() {
    let repo = repo();
    let r = repo.run(&[".", "--format", "compact"]);
    assert!(
        r.stdout.contains(&format!(
            "\nenvs/prod/terraform.tfvars:4:21: note[KPU004] value for parallelism of {PROD} set here\n"
        )),
        "{}",
        r.stdout
    );
    let r = repo.run(&[".", "--format", "checkstyle"]);
    let xml = roxmltree::Document::parse(&r.stdout).expect("checkstyle parses");
    let file = xml
        .descendants()
        .find(|n| n.has_tag_name("file") && n.attribute("name") == Some("envs/prod/terraform.tfvars"))
        .expect("an entry for the tfvars file");
    let error = file.children().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(error.attribute("line"), Some("4"));
    assert_eq!(error.attribute("severity"), Some("info"));
    assert_eq!(error.attribute("source"), Some("kpulint.KPU004"));
    assert_eq!(
        error.attribute("message"),
        Some(format!("value for parallelism of {PROD} set here").as_str())
    );
}

#[test]
fn a_baseline_written_before_roots_were_recorded_still_matches() {
    let repo = repo();
    let old = std::fs::read_to_string(root().join("tests/fixtures/instances/old-baseline.json")).unwrap();
    repo.write("old-baseline.json", &old);
    let (code, doc) = repo.json(&[".", "--baseline", "old-baseline.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(
        findings(&doc, "KPU004").iter().all(|f| f["suppressed"] == true),
        "{doc:#}"
    );
    // Rewriting it records the roots, drops nothing, and the new file matches too.
    let r = repo.run(&[".", "--write-baseline", "old-baseline.json"]);
    assert!(!r.stdout.contains("no longer matches"), "{}", r.stdout);
    let new: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("old-baseline.json")).unwrap()).unwrap();
    let roots: BTreeSet<&str> = new["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["root"].as_str().unwrap())
        .collect();
    assert_eq!(roots, BTreeSet::from(["envs/dev", "envs/prod"]));
    let (code, _) = repo.json(&[".", "--baseline", "old-baseline.json"]);
    assert_eq!(code, 0);
    // A new entry accepts its own root's finding only.
    let mut prod_only = new.clone();
    prod_only["findings"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["root"] == "envs/prod");
    repo.write("prod-baseline.json", &prod_only.to_string());
    let (code, doc) = repo.json(&[".", "--baseline", "prod-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(kpu004(&doc, PROD)["suppressed"], true);
    assert_eq!(kpu004(&doc, DEV)["suppressed"], false);
    // An entry without a root matches that finding in every root.
    let mut rootless = prod_only;
    for e in rootless["findings"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("root");
    }
    repo.write("rootless.json", &rootless.to_string());
    let (code, doc) = repo.json(&[".", "--baseline", "rootless.json"]);
    assert_eq!(code, 0, "{doc:#}");
}

#[test]
fn fix_notes_and_diff_lists_name_the_instance() {
    let repo = repo();
    let r = repo.run(&[".", "--diff"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("-flink_parallelism = 8\n+flink_parallelism = 2\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("-flink_parallelism = 4\n+flink_parallelism = 2\n"),
        "{}",
        r.stdout
    );
    // A refused fix names the instance it is about.
    let path = "envs/prod/main.tf";
    let text = std::fs::read_to_string(repo.path().join(path)).unwrap();
    repo.write(
        path,
        &text.replace("var.flink_parallelism", "var.flink_parallelism * 1"),
    );
    let r = repo.run(&[".", "--diff"]);
    assert!(
        r.stderr.contains(&format!("{PROD}: parallelism 8 → 2 is not applied")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(DEV), "{}", r.stderr);
}

#[test]
fn diff_lists_name_the_instance_a_change_introduces_a_finding_in() {
    let repo = Repo::new();
    for side in ["old", "new"] {
        repo.copy_dir("tests/fixtures/instances/modules", &format!("{side}/modules"));
        repo.copy_dir("tests/fixtures/instances/envs", &format!("{side}/envs"));
        repo.write(&format!("{side}/envs/dev/terraform.tfvars"), "flink_parallelism = 2\n");
    }
    repo.write("old/envs/prod/terraform.tfvars", "flink_parallelism = 2\n");
    let (code, doc) = repo.json(&["diff", "old", "new"]);
    assert_eq!(code, 1, "{doc:#}");
    let introduced = doc["findings"]["introduced"].as_array().unwrap();
    assert_eq!(introduced.len(), 1, "{doc:#}");
    assert_eq!(introduced[0]["root"], "new/envs/prod");
    assert_eq!(introduced[0]["instance"], format!("new/{PROD}"));
    let r = repo.run(&["diff", "old", "new"]);
    assert!(
        r.stdout
            .contains(&format!("modules/kda_flink/main.tf:26:32: new/{PROD}: parallelism 8")),
        "{}",
        r.stdout
    );
}

#[test]
fn diff_of_two_directories_pairs_a_shared_modules_findings_by_root() {
    // dev's KPU004 is cured (4 → 2); prod keeps one (8 → 16): resolved is dev's, not prod's.
    let repo = Repo::new();
    for (side, dev, prod) in [("old", 4, 8), ("new", 2, 16)] {
        repo.copy_dir("tests/fixtures/instances/modules", &format!("{side}/modules"));
        repo.copy_dir("tests/fixtures/instances/envs", &format!("{side}/envs"));
        repo.write(
            &format!("{side}/envs/dev/terraform.tfvars"),
            &format!("flink_parallelism = {dev}\n"),
        );
        repo.write(
            &format!("{side}/envs/prod/terraform.tfvars"),
            &format!("flink_parallelism = {prod}\n"),
        );
    }
    let (_, doc) = repo.json(&["diff", "old", "new"]);
    let resolved = doc["findings"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{doc:#}");
    assert_eq!(resolved[0]["instance"], format!("old/{DEV}"), "{doc:#}");
    assert!(doc["findings"]["introduced"].as_array().unwrap().is_empty(), "{doc:#}");
    // Applications carry their instance, relative to the compared root.
    let instances: Vec<&str> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["instance"].as_str().unwrap())
        .collect();
    assert_eq!(instances, [DEV, PROD]);
}

#[test]
fn a_directive_in_a_roots_tfvars_applies_to_that_roots_instance() {
    let repo = repo();
    repo.write(
        "envs/prod/terraform.tfvars",
        "flink_parallelism = 8 # kpulint-ignore: KPU004 reason=\"launch week\"\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(kpu004(&doc, PROD)["suppressed"], true, "{doc:#}");
    assert_eq!(kpu004(&doc, DEV)["suppressed"], false, "{doc:#}");
    assert!(
        findings(&doc, "KPU901").is_empty() && findings(&doc, "KPU903").is_empty(),
        "{doc:#}"
    );
}

/// The resolved values a plan holds for its one application: region, parallelism, per KPU and
/// autoscaling.
fn plan_values(plan: &Value) -> (String, u64, u64, bool) {
    let region = plan["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
        .as_str()
        .unwrap()
        .to_string();
    let res = &plan["planned_values"]["root_module"]["resources"][0]["values"];
    let pc = &res["application_configuration"][0]["flink_application_configuration"][0]["parallelism_configuration"][0];
    (
        region,
        pc["parallelism"].as_u64().unwrap(),
        pc["parallelism_per_kpu"].as_u64().unwrap(),
        pc["auto_scaling_enabled"].as_bool().unwrap(),
    )
}

#[test]
fn override_files_merge_as_terraform_plan_merges_them() {
    // plan.json was made by Terraform 1.11.4 (aws provider 5.100.0) from the three files in
    // tf/: main.tf, override.tf (region, and the whole application_configuration block) and
    // ops_override.tf.json (a variable default and a local).
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/override/plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["terraform_version"], "1.11.4");
    let expected = plan_values(&plan);
    assert_eq!(expected, ("eu-west-2".to_string(), 6, 2, false));

    let (_, doc) = json_at_root(&["tests/fixtures/override/tf"]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    let a = only_app(&doc);
    let got = (
        a["region"].as_str().unwrap().to_string(),
        a["parallelism"].as_u64().unwrap(),
        a["parallelism_per_kpu"].as_u64().unwrap(),
        a["auto_scaling_enabled"].as_bool().unwrap(),
    );
    assert_eq!(got, expected);
    assert_eq!(
        a["file"], "tests/fixtures/override/tf/main.tf",
        "the resource stays where it is declared"
    );
    // Findings point at the value Terraform uses: the override's attribute.
    let f = the_finding(&doc, "KPU003");
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64()),
        (Some("tests/fixtures/override/tf/override.tf"), Some(22))
    );
    // And kpulint reading the plan agrees.
    let (_, from_plan) = json_at_root(&["tests/fixtures/override/plan.json"]);
    let p = only_app(&from_plan);
    for key in ["region", "parallelism", "parallelism_per_kpu", "auto_scaling_enabled"] {
        assert_eq!(p[key], a[key], "{key}");
    }
}

#[test]
fn module_calls_pass_their_providers_regions_as_terraform_plan_does() {
    // plan.json was made by Terraform 1.11.4 (aws provider 5.100.0) from tf/: three calls of a
    // module, given `providers = { aws = aws.eu }`, nothing (the default is inherited), and
    // `{ aws = aws, aws.dr = aws.syd }` with `provider = aws.dr` on the module's resource.
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/providers/plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["terraform_version"], "1.11.4");
    // The region of each planned application: its provider configuration's, in the plan.
    let providers = &plan["configuration"]["provider_config"];
    let mut expected: Vec<(String, String)> = Vec::new();
    for (call, c) in plan["configuration"]["root_module"]["module_calls"]
        .as_object()
        .unwrap()
    {
        for r in c["module"]["resources"].as_array().unwrap() {
            let key = r["provider_config_key"].as_str().unwrap();
            let region = providers[key]["expressions"]["region"]["constant_value"]
                .as_str()
                .unwrap();
            expected.push((
                format!("module.{call}.{}", r["address"].as_str().unwrap()),
                region.to_string(),
            ));
        }
    }
    expected.sort();
    assert_eq!(
        expected.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(),
        ["eu-west-1", "eu-central-1", "ap-southeast-2"],
        "dublin, frankfurt, sydney"
    );
    for path in ["tests/fixtures/providers/tf", "tests/fixtures/providers/plan.json"] {
        let (_, doc) = json_at_root(&[path]);
        assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
        let mut got: Vec<(String, String)> = doc["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["address"].as_str().unwrap().to_string(),
                    a["region"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "{path}");
    }
}

#[test]
fn an_override_block_without_a_base_is_an_input_error() {
    let repo = Repo::new();
    repo.write("main.tf", &simple_app("app", "4"));
    repo.write(
        "extra_override.tf",
        "resource \"aws_kinesisanalyticsv2_application\" \"other\" {\n  name = \"other\"\n}\n",
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        error_messages(&doc),
        ["extra_override.tf: resource \"aws_kinesisanalyticsv2_application\" \"other\" overrides nothing: no other file of the module defines it"]
    );
    assert_eq!(
        apps(&doc).len(),
        1,
        "the override is not an application of its own: {doc:#}"
    );
}
