//! `kpulint check --fix`, `--diff` and `--unsafe-fixes` on real files: every origin kind is fixed
//! where its value is defined (compared byte for byte with an expected file), a second run changes
//! nothing, refused fixes leave every file untouched, and nothing outside the edited value moves.
//!
//! Each case under tests/fixtures/fix/ has `in/` (copied to a temporary repository) and, when
//! something is fixed, `out/` with the expected content of the files that change.

mod hcl_support;

use std::collections::BTreeMap;
use std::path::Path;

use hcl_support::*;
use serde_json::Value;

fn fixture(case: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/fix").join(case)
}

fn contents(s: &Files) -> BTreeMap<String, String> {
    s.iter()
        .map(|(k, (b, _))| (k.clone(), String::from_utf8_lossy(b).into_owned()))
        .collect()
}

/// A repository holding a copy of the case's `in/` files, each transformed by `map`.
fn repo_with(case: &str, map: &dyn Fn(&[u8]) -> Vec<u8>) -> Repo {
    let repo = Repo::new();
    for (rel, (bytes, _)) in snapshot(&fixture(case).join("in")) {
        let path = repo.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, map(&bytes)).unwrap();
    }
    repo
}

/// The files expected after the fix: `in/` overlaid with `out/`, each transformed by `map`.
fn expected(case: &str, map: &dyn Fn(&[u8]) -> Vec<u8>) -> BTreeMap<String, String> {
    let mut files = snapshot(&fixture(case).join("in"));
    files.extend(snapshot(&fixture(case).join("out")));
    files
        .into_iter()
        .map(|(k, (b, _))| (k, String::from_utf8(map(&b)).unwrap()))
        .collect()
}

fn fingerprints(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

fn notices(doc: &Value) -> Vec<String> {
    doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect()
}

fn with(args: &[&str], more: &[&'static str]) -> Vec<String> {
    args.iter().chain(more).map(|s| s.to_string()).collect()
}

fn json_run(dir: &Path, args: &[String]) -> (i32, Value) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json(dir, &args)
}

/// Fixes a case and checks the result byte for byte, the `fixed` count against the findings
/// before and after, and that a second `--fix` (and `--diff`) changes nothing.
fn fixes(case: &str, args: &[&str], map: &dyn Fn(&[u8]) -> Vec<u8>) {
    let repo = repo_with(case, map);
    let dir = repo.path();
    let (_, before) = json_run(dir, &with(args, &[]));

    let (code, doc) = json_run(dir, &with(args, &["--fix"]));
    assert_ne!(code, 2, "{doc:#}");
    assert_eq!(contents(&snapshot(dir)), expected(case, map), "{case}");
    let after = fingerprints(&doc);
    let resolved = fingerprints(&before).iter().filter(|f| !after.contains(f)).count();
    assert_eq!(doc["summary"]["fixed"], resolved, "{case}: {doc:#}");
    assert!(resolved > 0 || case == "unsafe", "{case}: nothing was resolved");

    // Idempotent: nothing left to apply, no file touched, no diff.
    let fixed_once = snapshot(dir);
    let (_, again) = json_run(dir, &with(args, &["--fix"]));
    assert_eq!(again["summary"]["fixed"], 0, "{case}: {again:#}");
    assert_eq!(fingerprints(&again), after, "{case}");
    assert_eq!(snapshot(dir), fixed_once, "{case}: the second run wrote");
    let mut diff_args = with(args, &["--diff"]);
    diff_args.retain(|a| a != "--format" && a != "json");
    let r = run(dir, &diff_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{case}: {}", r.stderr);
}

fn same(b: &[u8]) -> Vec<u8> {
    b.to_vec()
}

#[test]
fn the_literal_in_the_resource() {
    fixes("resource-literal", &["."], &same);
}

#[test]
fn the_variable_default() {
    fixes("variable-default", &["."], &same);
}

#[test]
fn the_auto_tfvars_entry_that_wins_over_terraform_tfvars_and_the_default() {
    fixes("tfvars-wins", &["."], &same);
}

#[test]
fn the_tfvars_json_entry() {
    fixes("tfvars-json", &["."], &same);
}

#[test]
fn the_var_file_entry() {
    fixes("var-file", &[".", "--var-file", "env/prod.tfvars"], &same);
}

#[test]
fn the_module_argument_in_the_caller() {
    fixes("module-argument", &["."], &same);
}

#[test]
fn the_entry_of_a_for_each_map_a_module_argument_reads_through_each_value() {
    fixes("for-each-map", &["."], &same);
}

#[test]
fn the_entries_of_a_for_each_map_the_resource_reads_through_each_value() {
    fixes("for-each-resource", &["."], &same);
}

#[test]
fn the_variable_a_local_only_renames() {
    fixes("local-rename", &["."], &same);
}

#[test]
fn the_locals_literal() {
    fixes("locals", &["."], &same);
}

#[test]
fn terraform_json_literal() {
    fixes("tf-json", &["."], &same);
}

#[test]
fn cloudformation_yaml_parameter_default_keeps_quotes_and_comment() {
    fixes("cfn-yaml-parameter", &["."], &same);
}

#[test]
fn cloudformation_yaml_mapping_entry_reached_through_find_in_map() {
    fixes("cfn-yaml-mapping", &["."], &same);
}

#[test]
fn cloudformation_yaml_literal() {
    fixes("cfn-yaml-literal", &["."], &same);
}

#[test]
fn cloudformation_json_parameter_default() {
    fixes("cfn-json-parameter", &["."], &same);
}

#[test]
fn cloudformation_json_literal() {
    fixes("cfn-json-literal", &["."], &same);
}

#[test]
fn default_becomes_custom_with_the_missing_lines_inserted_at_the_block_indentation() {
    fixes("insert-custom", &["."], &same);
}

#[test]
fn cloudformation_yaml_block_mapping_gets_keys_at_its_indentation() {
    fixes("insert-cfn-yaml", &["."], &same);
}

#[test]
fn cloudformation_json_one_line_object_gets_members_on_its_line() {
    fixes("insert-cfn-json", &["."], &same);
}

#[test]
fn terraform_json_object_gets_members_on_lines_of_their_own() {
    fixes("insert-tf-json", &["."], &same);
}

#[test]
fn a_missing_autoscaling_line_is_inserted_with_tab_indentation() {
    fixes("insert-autoscaling", &["."], &same);
}

#[test]
fn for_each_instances_needing_the_same_value_share_one_edit() {
    fixes("shared-same", &["."], &same);
}

fn crlf(b: &[u8]) -> Vec<u8> {
    String::from_utf8(b.to_vec())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes()
}

fn bom_crlf(b: &[u8]) -> Vec<u8> {
    [&b"\xEF\xBB\xBF"[..], &crlf(b)].concat()
}

#[test]
fn crlf_and_byte_order_mark_are_kept() {
    fixes("resource-literal", &["."], &crlf);
    fixes("variable-default", &["."], &bom_crlf);
    fixes("insert-custom", &["."], &bom_crlf);
    fixes("cfn-yaml-parameter", &["."], &bom_crlf);
    fixes("insert-cfn-yaml", &["."], &crlf);
    fixes("insert-tf-json", &["."], &bom_crlf);
}

/// `--fix` refuses: every file keeps its bytes and its modification time; the notice says why.
fn refuses(case: &str, args: &[&str], why: &str) -> Value {
    refuses_mapped(case, args, why, &same)
}

fn refuses_mapped(case: &str, args: &[&str], why: &str, map: &dyn Fn(&[u8]) -> Vec<u8>) -> Value {
    let repo = repo_with(case, map);
    let dir = repo.path();
    let untouched = snapshot(dir);
    let (code, doc) = json_run(dir, &with(args, &["--fix"]));
    assert_ne!(code, 2, "{doc:#}");
    assert_eq!(snapshot(dir), untouched, "{case}: a refused fix wrote");
    assert_eq!(doc["summary"]["fixed"], 0);
    let notices = notices(&doc);
    assert!(
        notices.iter().any(|n| n.contains(why)),
        "{case}: no notice with {why:?} in {notices:#?}"
    );
    doc
}

#[test]
fn an_expression_is_not_edited() {
    refuses(
        "refuse-expression",
        &["."],
        "parallelism 12 → 10 is not applied: it is set by the expression `var.base * 2` at main.tf:12:32",
    );
}

#[test]
fn one_value_feeding_applications_that_need_different_values_is_not_edited() {
    let doc = refuses(
        "refuse-shared",
        &["."],
        "flink_parallelism = 12 feeds applications whose recommendations differ \
         (aws_kinesisanalyticsv2_application.clicks needs 8, aws_kinesisanalyticsv2_application.orders_join needs 10)",
    );
    let at = doc["notices"].as_array().unwrap().iter().find(|n| {
        n["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("flink_parallelism = 12 feeds"))
    });
    assert_eq!(
        at.map(|n| (&n["file"], &n["line"])),
        Some((&"terraform.tfvars".into(), &2.into()))
    );
}

#[test]
fn a_one_line_block_gets_no_inserted_lines_and_no_half_fix() {
    refuses(
        "refuse-one-line",
        &["."],
        "`parallelism = 10` is not inserted: the block is written on one line; add it by hand",
    );
}

#[test]
fn a_missing_parallelism_block_is_reported_with_what_to_write() {
    refuses(
        "refuse-no-block",
        &["."],
        "aws_kinesisanalyticsv2_application.app: there is no parallelism_configuration block to fix; add one by \
         hand with configuration_type = \"CUSTOM\", parallelism = 10, parallelism_per_kpu = 1, auto_scaling_enabled = false",
    );
}

#[test]
fn a_var_file_outside_the_linted_paths_is_reported_not_edited() {
    refuses(
        "refuse-var-file-outside",
        &["stack", "--var-file", "shared.tfvars"],
        "parallelism 12 → 10 is not applied: shared.tfvars is outside the linted paths",
    );
}

#[test]
fn a_module_outside_the_linted_paths_is_reported_not_edited() {
    refuses(
        "refuse-module-outside",
        &["stack"],
        "module.orders.aws_kinesisanalyticsv2_application.this: parallelism 12 → 10 is not applied: \
         modules/flink/main.tf is outside the linted paths",
    );
}

#[test]
fn a_command_line_value_is_reported_not_edited() {
    refuses(
        "refuse-var-file-outside",
        &["stack", "--var", "flink_parallelism=12"],
        "parallelism 12 → 10 is not applied: it is the value from --var flink_parallelism; change it there",
    );
}

#[test]
fn unsafe_fixes_are_skipped_by_default_and_applied_with_unsafe_fixes() {
    refuses(
        "unsafe",
        &["."],
        "unsafe fix skipped (confirm first: compute need undeclared: check that parallelism 4 (4 KPUs) \
         carries the load); apply it with --unsafe-fixes",
    );
    fixes("unsafe", &[".", "--unsafe-fixes"], &same);
}

#[test]
fn a_suppressed_finding_keeps_what_its_own_fix_would_change() {
    let ignore = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .replace(
                "# kpulint: state_size",
                "# kpulint-ignore: KPU004 reason=\"restarts need the margin\"\n# kpulint: state_size",
            )
            .into_bytes()
    };
    refuses_mapped(
        "resource-literal",
        &["."],
        "aws_kinesisanalyticsv2_application.orders_join: KPU004 is suppressed, so its parallelism is kept as \
         written (remove the suppression to fix it)",
        &ignore,
    );
}

#[test]
fn a_plan_is_never_edited() {
    let repo = Repo::new();
    let plan = std::fs::read(root().join("examples/formats/plan/plan.json")).unwrap();
    std::fs::write(repo.path().join("plan.json"), plan).unwrap();
    let untouched = snapshot(repo.path());
    let (_, doc) = json(repo.path(), &["plan.json", "--fix"]);
    assert_eq!(snapshot(repo.path()), untouched);
    assert!(
        notices(&doc)
            .iter()
            .any(|n| n.ends_with("which --fix never edits: fix the .tf and re-plan")),
        "{doc:#}"
    );
}

#[test]
fn diff_prints_what_fix_would_write_and_writes_nothing() {
    let repo = repo_with("tfvars-wins", &same);
    let untouched = snapshot(repo.path());
    let r = run(repo.path(), &["--diff"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "--- a/prod.auto.tfvars\n+++ b/prod.auto.tfvars\n@@ -1,3 +1,3 @@\n \
         # Read after terraform.tfvars: this value wins.\n-flink_parallelism    = 12\n+flink_parallelism    = 10\n \
         other_setting        = \"x\"\n"
    );
    assert_eq!(snapshot(repo.path()), untouched);

    // Refusals go to standard error; no diff is exit 0.
    let repo = repo_with("refuse-expression", &same);
    let r = run(repo.path(), &["check", "--diff"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert!(
        r.stderr.contains("is set by the expression `var.base * 2`"),
        "{}",
        r.stderr
    );
}

#[test]
fn human_summary_says_what_changed_in_which_file() {
    let repo = repo_with("tfvars-wins", &same);
    let r = run(repo.path(), &["--fix"]);
    assert!(
        r.stdout.contains(
            "\nfixed 1 finding: prod.auto.tfvars: flink_parallelism 12 → 10\ngate failed: --fail-on warning: 1 finding at or above warning\n1 application, 1 warning in 3 files\n"
        ),
        "{}",
        r.stdout
    );
    let r = run(repo.path(), &["--fix"]);
    assert!(
        r.stdout.contains("\nfixed 0 findings: nothing to change\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn human_output_after_fixing() {
    let repo = repo_with("insert-custom", &same);
    let r = run(repo.path(), &["--fix", "--diff"]);
    assert_eq!(r.code, 2, "--fix and --diff conflict");
    let diff = run(repo.path(), &["--diff"]);
    insta::assert_snapshot!("fix_diff_insert_custom", diff.stdout);
    let r = run(repo.path(), &["--fix"]);
    insta::assert_snapshot!("fix_human_insert_custom", r.stdout);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo_with("resource-literal", &same);
    let main = repo.path().join("main.tf");
    std::fs::set_permissions(&main, std::fs::Permissions::from_mode(0o640)).unwrap();
    let r = run(repo.path(), &["--fix"]);
    assert!(r.stdout.contains("fixed 1 finding"), "{}", r.stdout);
    let mode = std::fs::metadata(&main).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// A small deterministic generator (a linear congruential one): no dev-dependency needed.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len() as u64) as usize]
    }
}

/// For generated files — comments, blank lines, alignment, trailing blanks, tabs, CRLF or LF, a
/// BOM or none, the value in the resource or in a tfvars file — only the value's bytes change.
#[test]
fn property_only_the_value_changes() {
    let mut g = Gen(0x006b_7075_6c69_6e74);
    for round in 0..24 {
        let eol = if g.next(2) == 0 { "\n" } else { "\r\n" };
        let bom = if g.next(3) == 0 { "\u{feff}" } else { "" };
        let pad = |g: &mut Gen| " ".repeat(1 + g.next(4) as usize);
        let noise = |g: &mut Gen| -> String {
            match g.next(5) {
                0 => format!("# {}{eol}", g.pick(&["sized for the disk", "ÄÖÜ ünïcode ✓", "x = 12"])),
                1 => format!("// {}  {eol}", g.pick(&["parallelism = 12", "margin"])),
                2 => format!("/* block\n   comment */{eol}"),
                3 => eol.to_string(),
                _ => format!("\t{eol}"),
            }
        };
        let value = [11, 12, 16, 24, 3, 7][g.next(6) as usize];
        let in_tfvars = g.next(2) == 0;
        let written = if in_tfvars {
            "var.p".to_string()
        } else {
            value.to_string()
        };
        let mut main = String::from(bom);
        main += &noise(&mut g);
        main += &format!("# kpulint: state_size=240GB required_parallelism=4{eol}");
        main += &format!("resource \"aws_kinesisanalyticsv2_application\" \"app\" {{{eol}");
        main += &format!("  runtime_environment{}= \"FLINK-1_20\"{eol}", pad(&mut g));
        main += &noise(&mut g);
        main += &format!("  application_configuration {{{eol}    flink_application_configuration {{{eol}");
        main += &format!("      parallelism_configuration {{{eol}");
        main += &format!("        configuration_type{}= \"CUSTOM\"{eol}", pad(&mut g));
        main += &format!(
            "        auto_scaling_enabled = false{}{eol}",
            " ".repeat(g.next(3) as usize)
        );
        let lead = format!("        parallelism{}={}", pad(&mut g), pad(&mut g));
        main += &lead;
        let value_at_main = main.len();
        main += &format!("{written}{}{eol}", g.pick(&["", " # margin", "   // 20%", "  "]));
        main += &format!("        parallelism_per_kpu  = 1{eol}      }}{eol}    }}{eol}  }}{eol}}}{eol}");
        main += &noise(&mut g);
        if in_tfvars {
            main += &format!("variable \"p\" {{{eol}  type = number{eol}}}{eol}");
        }
        let mut tfvars = String::from(bom);
        tfvars += &noise(&mut g);
        tfvars += &format!("p{}={}", pad(&mut g), pad(&mut g));
        let value_at_tfvars = tfvars.len();
        tfvars += &format!("{value}{}", g.pick(&["", eol, &format!(" # twelve{eol}")]));

        let repo = Repo::new();
        repo.write("main.tf", &main);
        if in_tfvars {
            repo.write("terraform.tfvars", &tfvars);
        }
        let r = run(repo.path(), &["--fix"]);
        // 11 → 10 is within the overscale margin: a change no finding asked for.
        assert!(
            r.stdout.contains("fixed ") || r.stdout.contains("applied fixes that resolve no finding: "),
            "round {round}: {}{}",
            r.stdout,
            r.stderr
        );
        let (file, old, at) = if in_tfvars {
            ("terraform.tfvars", &tfvars, value_at_tfvars)
        } else {
            ("main.tf", &main, value_at_main)
        };
        let new = std::fs::read_to_string(repo.path().join(file)).unwrap();
        let old_value = value.to_string();
        assert_eq!(&new[..at], &old[..at], "round {round}: bytes before the value changed");
        assert_eq!(&new[at..at + 2], "10", "round {round}:\n{new}");
        assert_eq!(
            &new[at + 2..],
            &old[at + old_value.len()..],
            "round {round}: bytes after the value changed"
        );
        if in_tfvars {
            assert_eq!(std::fs::read_to_string(repo.path().join("main.tf")).unwrap(), main);
        }
    }
}
