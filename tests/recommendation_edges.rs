//! The recommendation at its edges (issue 18), through the real binary: the declared max
//! parallelism as a constraint and KPU016 where the needs cannot fit it, the safe part that
//! plain `--fix` applies, suppressions that keep only what their own finding's fix changes,
//! values that other resources read, one voice for every rule's help, and the smaller items.
//! Files are compared byte for byte after `--fix`, whether it writes them or leaves them.

mod hcl_support;

use std::collections::BTreeMap;

use hcl_support::*;
use serde_json::Value;

fn app_tf(decl: &str, parallelism: &str, per_kpu: &str, autoscaling: &str) -> String {
    flink_app("app", decl, parallelism, per_kpu, autoscaling)
}

/// Every file of the repository (but `.git`), by relative path.
fn files(repo: &Repo) -> BTreeMap<String, String> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(repo.path(), repo.path(), &mut out);
    out
}

fn notices(doc: &Value) -> Vec<String> {
    doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect()
}

fn has_notice(doc: &Value, text: &str) {
    let all = notices(doc);
    assert!(all.iter().any(|n| n == text), "no notice {text:?} in {all:#?}");
}

fn rec(doc: &Value) -> &Value {
    &only_app(doc)["recommendation"]
}

/// `--fix` (with `extra` flags): the JSON document and the files afterwards.
fn fix(repo: &Repo, extra: &[&str]) -> (Value, BTreeMap<String, String>) {
    let mut args = vec![".", "--fix"];
    args.extend(extra);
    let (code, doc) = repo.json(&args);
    assert_ne!(code, 2, "{doc:#}");
    (doc, files(repo))
}

/// `--fix` writes nothing, and a notice contains `says`.
fn refuses(repo: &Repo, says: &str) -> Value {
    let before = files(repo);
    let (doc, after) = fix(repo, &[]);
    assert_eq!(after, before, "{says}: a refused fix wrote");
    assert!(
        notices(&doc).iter().any(|n| n.contains(says)),
        "no notice with {says:?} in {:#?}",
        notices(&doc)
    );
    doc
}

fn active(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The cap is a constraint
// ---------------------------------------------------------------------------------------------

#[test]
fn fewer_slots_per_kpu_keep_the_kpus_within_max_parallelism() {
    // 20 KPUs at 8 per KPU would be parallelism 160 > 128 (it used to write 153 and leave
    // KPU012 and KPU006); 6 per KPU gives 120 with the same 20 KPUs.
    let decl = "# kpulint: required_kpus=20 max_parallelism=128";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "8", "8", "false"));
    let (_, doc) = repo.json(&["."]);
    let r = rec(&doc);
    assert_eq!(
        (&r["parallelism"], &r["parallelism_per_kpu"], &r["kpus"], &r["safe"]),
        (&120.into(), &6.into(), &20.into(), &true.into()),
        "{r:#}"
    );
    assert!(
        r["reasons"].as_array().unwrap().contains(
            &"parallelism_per_kpu 6: 20 KPUs fit max parallelism 128 only with at most 6 slots per KPU".into()
        ),
        "{r:#}"
    );
    assert_eq!(r["safe_part"]["parallelism"], 120);
    let (after, files) = fix(&repo, &[]);
    assert_eq!(files["main.tf"], app_tf(decl, "120", "6", "false"));
    assert_eq!(active(&after), ["KPU008"], "{after:#}");
    assert_eq!(after["summary"]["fixed"], 1);
}

#[test]
fn above_max_parallelism_without_a_need_is_lowered_only_as_an_unsafe_fix() {
    // It used to say "121, safe": a cut of slots with no compute need, above the cap, and a
    // partial KPU.
    let decl = "# kpulint: max_parallelism=101";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "122", "2", "false"));
    let (_, doc) = repo.json(&["."]);
    let r = rec(&doc);
    assert_eq!(
        (&r["parallelism"], &r["parallelism_per_kpu"]),
        (&100.into(), &2.into()),
        "{r:#}"
    );
    assert_eq!(r["safe"], false);
    assert_eq!(r["safe_part"]["parallelism"], 122, "the safe part cuts nothing: {r:#}");
    let reasons = r["reasons"].to_string();
    assert!(
        reasons
            .contains("confirm first: compute need undeclared: check that parallelism 100 (50 KPUs) carries the load"),
        "{reasons}"
    );
    // Plain --fix leaves the file as it is and says why.
    let before = files(&repo);
    let (doc, after) = fix(&repo, &[]);
    assert_eq!(after, before);
    assert!(
        notices(&doc)
            .iter()
            .any(|n| n.starts_with("aws_kinesisanalyticsv2_application.app: unsafe fix skipped (confirm first: ")),
        "{doc:#}"
    );
    // --unsafe-fixes applies it: within the cap, whole KPUs, nothing the fix could have avoided.
    let (doc, after) = fix(&repo, &["--unsafe-fixes"]);
    assert_eq!(after["main.tf"], app_tf(decl, "100", "2", "false"));
    assert_eq!(active(&doc), ["KPU008"], "{doc:#}");
}

#[test]
fn the_safe_part_goes_no_further_above_max_parallelism_than_today() {
    // Today's parallelism is above the declared cap and lowering it needs confirmation: the safe
    // part used to fill the last KPU or keep the KPUs at today's density, and plain `--fix` wrote
    // 107 → 160, 68 → 72, 147 → 150 ("the parallelism is kept") and 115 → 116.
    // (declaration, parallelism, per KPU, what plain --fix leaves: parallelism, per KPU, autoscaling)
    let cases = [
        ("state_size=500GB max_parallelism=64", 107, 8, (107, 5, "true")),
        ("state_size=5GB max_parallelism=16", 68, 6, (68, 6, "true")),
        ("max_parallelism=100", 147, 5, (147, 5, "true")),
        ("required_kpus=16 max_parallelism=32", 115, 2, (58, 1, "false")),
    ];
    for (decl, p, ppk, (fixed_p, fixed_ppk, fixed_autoscaling)) in cases {
        let decl = format!("# kpulint: {decl}");
        let cap: u64 = decl.rsplit("max_parallelism=").next().unwrap().parse().unwrap();
        let repo = Repo::new();
        repo.write("main.tf", &app_tf(&decl, &p.to_string(), &ppk.to_string(), "true"));
        let (_, doc) = repo.json(&["."]);
        let safe = &rec(&doc)["safe_part"];
        let safe_p = safe["parallelism"].as_u64().unwrap();
        assert!(
            safe_p <= cap.max(p),
            "{decl}: the safe part moves past the cap: {safe:#}"
        );
        assert_eq!(
            (safe_p, &safe["parallelism_per_kpu"], &safe["safe"]),
            (fixed_p, &fixed_ppk.into(), &true.into()),
            "{decl}: {safe:#}"
        );
        let reasons: Vec<&str> = safe["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let stays = if fixed_p == p {
            format!("parallelism {p} stays above the declared max_parallelism {cap}")
        } else {
            format!("parallelism {fixed_p} is still above the declared max_parallelism {cap}")
        };
        assert!(reasons.iter().any(|r| r.starts_with(&stays)), "{decl}: {reasons:#?}");
        if reasons.iter().any(|r| r.ends_with("the parallelism is kept")) {
            assert_eq!(safe_p, p, "{decl}: a reason that disagrees with the value");
        }
        // Plain --fix writes the safe part, byte for byte, and KPU012 names no greater excess.
        let (after, files) = fix(&repo, &[]);
        assert_eq!(
            files["main.tf"],
            app_tf(&decl, &fixed_p.to_string(), &fixed_ppk.to_string(), fixed_autoscaling),
            "{decl}"
        );
        assert_eq!(
            the_finding(&after, "KPU012")["message"],
            format!("parallelism {fixed_p} is above the declared max_parallelism {cap}: keyed state cannot be restored at it"),
            "{decl}"
        );
        // A fixed point: a second plain --fix writes nothing.
        let (_, again) = fix(&repo, &[]);
        assert_eq!(again, files, "{decl}: the safe part is not a fixed point");
    }
}

#[test]
fn needs_above_max_parallelism_are_kpu016_and_are_not_sized_for() {
    let decl = "# kpulint: required_parallelism=150 max_parallelism=128";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "64", "1", "false"));
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 1);
    let f = the_finding(&doc, "KPU016");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["name"], "needs-above-max-parallelism");
    assert_eq!(
        f["message"],
        "the declared needs cannot be met: required parallelism 150 is above the declared max_parallelism 128, \
         and keyed state cannot be rescaled above it; no parallelism and parallelism_per_kpu meet both"
    );
    // Not a value below the need and above the cap: today's parallelism stays.
    let r = rec(&doc);
    assert_eq!(r["parallelism"], 64, "{r:#}");
    assert_eq!(
        the_finding(&doc, "KPU011")["help"],
        "required parallelism 150 is above the declared max_parallelism 128: raise the job's max parallelism \
         to at least 150 or correct the declaration (KPU016)"
    );
    let before = files(&repo);
    for extra in [&[][..], &["--unsafe-fixes"][..]] {
        let (_, after) = fix(&repo, extra);
        assert_eq!(after, before, "{extra:?}");
    }
    // A state whose disk needs more KPUs than the cap allows slots at 1 per KPU.
    repo.write(
        "main.tf",
        &app_tf("# kpulint: state_size=500GB max_parallelism=16", "8", "1", "false"),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        the_finding(&doc, "KPU016")["message"],
        "the declared needs cannot be met: the state (500 GB × 2.0 = 1000 GB → 20 KPUs, parallelism 20 even \
         at 1 slot per KPU) is above the declared max_parallelism 16, and keyed state cannot be rescaled above \
         it; no parallelism and parallelism_per_kpu meet both"
    );
    // Within the cap, today's 8 KPUs grow to the cap's 16: more disk, and safe.
    let r = rec(&doc);
    assert_eq!((&r["parallelism"], &r["safe"]), (&8.into(), &true.into()), "{r:#}");
}

#[test]
fn kpu016_is_a_documented_rule() {
    let r = run(&root(), &["rules"]);
    assert!(r.stdout.contains("KPU016"), "{}", r.stdout);
    let r = run(&root(), &["explain", "KPU016"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("# KPU016 needs-above-max-parallelism"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Safe parts apply
// ---------------------------------------------------------------------------------------------

#[test]
fn the_safe_part_raises_for_the_state_and_keeps_autoscaling_as_written() {
    let decl = "# kpulint: state_size=240GB";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "1", "1", "true"));
    let (_, doc) = repo.json(&["."]);
    assert!(active(&doc).contains(&"KPU003".to_string()), "{doc:#}");
    let r = rec(&doc);
    assert_eq!(
        (&r["parallelism"], &r["auto_scaling_enabled"], &r["safe"]),
        (&10.into(), &false.into(), &false.into())
    );
    let part = &r["safe_part"];
    assert_eq!(
        (
            &part["parallelism"],
            &part["auto_scaling_enabled"],
            &part["safe"],
            &part["kpus"]
        ),
        (&10.into(), &true.into(), &true.into(), &10.into()),
        "{part:#}"
    );
    // The same fields as the recommendation, and no safe part of its own.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let mut whole_keys = keys(r);
    whole_keys.retain(|k| k != "safe_part");
    assert_eq!(keys(part), whole_keys);

    let (after, files) = fix(&repo, &[]);
    assert_eq!(files["main.tf"], app_tf(decl, "10", "1", "true"));
    assert_eq!(
        active(&after),
        ["KPU010"],
        "the error is cured, the unsafe part's warning stays"
    );
    has_notice(
        &after,
        "aws_kinesisanalyticsv2_application.app: only the safe part of its fix is applied; the rest is skipped \
         (confirm first: compute need undeclared: without autoscaling, check that parallelism 10 carries the peak \
         load); apply it with --unsafe-fixes",
    );
    // --unsafe-fixes applies the whole.
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "1", "1", "true"));
    let (after, files) = fix(&repo, &["--unsafe-fixes"]);
    assert_eq!(files["main.tf"], app_tf(decl, "10", "1", "false"));
    assert_eq!(active(&after), Vec::<String>::new());
}

#[test]
fn the_help_names_what_plain_fix_applies() {
    let repo = Repo::new();
    repo.write("main.tf", &app_tf("# kpulint: state_size=240GB", "1", "1", "true"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        the_finding(&doc, "KPU003")["help"],
        "set parallelism = 10, auto_scaling_enabled = false (10 KPUs); --fix applies all but auto_scaling_enabled \
         = false, which is not a safe fix: confirm first: compute need undeclared: without autoscaling, check that \
         parallelism 10 carries the peak load; or reduce the state"
    );
}

// ---------------------------------------------------------------------------------------------
// Suppressions block what they suppress
// ---------------------------------------------------------------------------------------------

#[test]
fn a_suppressed_note_does_not_stop_the_fix_of_an_error() {
    // A stateless job: "no declared state size" is suppressed; the raise that cures KPU011 applies.
    let decl = "# kpulint-ignore: KPU008 reason=\"state lives in S3\"\n# kpulint: required_parallelism=8";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "2", "1", "false"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(active(&doc), ["KPU011"]);
    let (after, files) = fix(&repo, &[]);
    assert_eq!(files["main.tf"], app_tf(decl, "8", "1", "false"));
    assert_eq!(active(&after), Vec::<String>::new(), "{after:#}");
    assert_eq!(after["summary"]["fixed"], 1);
    assert_eq!(after["summary"]["suppressed"], 1);
}

#[test]
fn a_suppressed_finding_keeps_only_the_values_its_own_fix_changes() {
    // Autoscaling is accepted (KPU010 suppressed); the raise for the state still applies.
    let decl = "# kpulint-ignore: KPU010 reason=\"scale events are acceptable\"\n\
                # kpulint: state_size=240GB required_parallelism=4";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "1", "1", "true"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        rec(&doc)["auto_scaling_enabled"],
        false,
        "the recommendation itself is unchanged"
    );
    let (after, files) = fix(&repo, &[]);
    assert_eq!(files["main.tf"], app_tf(decl, "10", "1", "true"));
    // KPU010 stays suppressed; only less state cures KPU005.
    assert_eq!(active(&after), ["KPU005"], "{after:#}");
    has_notice(
        &after,
        "aws_kinesisanalyticsv2_application.app: KPU010 is suppressed, so its auto_scaling_enabled is kept as \
         written (remove the suppression to fix it)",
    );
}

// ---------------------------------------------------------------------------------------------
// Shared values
// ---------------------------------------------------------------------------------------------

const VARIABLE: &str = "variable \"parallelism\" {\n  type    = number\n  default = 16\n}\n";
const DECL: &str = "# kpulint: state_size=240GB required_parallelism=4";

#[test]
fn a_variable_a_kinesis_stream_also_reads_is_not_edited() {
    let repo = Repo::new();
    let main = format!(
        "{}\nresource \"aws_kinesis_stream\" \"input\" {{\n  name        = \"input\"\n  shard_count = var.parallelism\n}}\n",
        app_tf(DECL, "var.parallelism", "1", "false")
    );
    repo.write("main.tf", &main);
    repo.write("variables.tf", VARIABLE);
    let before = files(&repo);
    let (doc, after) = fix(&repo, &[]);
    assert_eq!(after, before, "the source stream would be resharded");
    let (line, col) = pos(VARIABLE, "16");
    let (sline, scol) = pos(&main, "var.parallelism\n}");
    has_notice(
        &doc,
        &format!(
            "aws_kinesisanalyticsv2_application.app: parallelism 16 → 10 is not applied: default of var.parallelism \
             at variables.tf:{line}:{col} is also read by aws_kinesis_stream.input.shard_count (main.tf:{sline}:{scol}); \
             edit it by hand if the new value suits every reader"
        ),
    );
    // --diff agrees: nothing to write.
    let r = repo.run(&[".", "--diff"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}

#[test]
fn an_output_a_local_or_another_attribute_reading_the_value_blocks_the_edit() {
    for (extra, reader) in [
        (
            "output \"parallelism\" {\n  value = var.parallelism\n}\n",
            "output.parallelism",
        ),
        ("locals {\n  shards = var.parallelism * 2\n}\n", "local.shards"),
    ] {
        let repo = Repo::new();
        repo.write("main.tf", &app_tf(DECL, "var.parallelism", "1", "false"));
        repo.write("variables.tf", &format!("{VARIABLE}{extra}"));
        refuses(&repo, &format!("is also read by {reader} ("));
    }
    // The application's own name reads it: a different attribute.
    let repo = Repo::new();
    let main = app_tf(DECL, "var.parallelism", "1", "false").replace("= \"app\"", "= \"app-${var.parallelism}\"");
    repo.write("main.tf", &main);
    repo.write("variables.tf", VARIABLE);
    refuses(&repo, "is also read by aws_kinesisanalyticsv2_application.app.name (");
}

#[test]
fn applications_that_need_the_same_value_share_one_edit() {
    let repo = Repo::new();
    let main = format!(
        "{}\n{}",
        app_tf(DECL, "var.parallelism", "1", "false"),
        flink_app("other", DECL, "var.parallelism", "1", "false")
    );
    repo.write("main.tf", &main);
    repo.write("variables.tf", VARIABLE);
    let (doc, after) = fix(&repo, &[]);
    assert_eq!(after["variables.tf"], VARIABLE.replace("16", "10"));
    assert_eq!(after["main.tf"], main);
    assert_eq!(doc["summary"]["fixed"], 2, "{doc:#}");
}

#[test]
fn a_shared_value_note_names_what_each_application_needs() {
    // `a` needs 10; `b` (no compute need) is recommended 4, which is not a safe fix: it keeps 12.
    let repo = Repo::new();
    let main = format!(
        "{}\n{}\nvariable \"flink_parallelism\" {{\n  type = number\n}}\n",
        flink_app("a", DECL, "var.flink_parallelism", "1", "false"),
        flink_app(
            "b",
            "# kpulint: state_size=100GB",
            "var.flink_parallelism",
            "1",
            "false"
        )
    );
    repo.write("main.tf", &main);
    repo.write("terraform.tfvars", "flink_parallelism = 12\n");
    let before = files(&repo);
    let (doc, after) = fix(&repo, &[]);
    assert_eq!(after, before);
    has_notice(
        &doc,
        "flink_parallelism = 12 feeds applications whose recommendations differ \
         (aws_kinesisanalyticsv2_application.a needs 10, aws_kinesisanalyticsv2_application.b keeps 12 \
         (its recommended 4 is not a safe fix)): not edited",
    );
    let (doc, after) = fix(&repo, &["--unsafe-fixes"]);
    assert_eq!(after, before);
    has_notice(
        &doc,
        "flink_parallelism = 12 feeds applications whose recommendations differ \
         (aws_kinesisanalyticsv2_application.a needs 10, aws_kinesisanalyticsv2_application.b needs 4): not edited",
    );
}

#[test]
fn readers_are_followed_through_module_arguments_and_for_each_maps() {
    let module = app_tf(DECL, "var.parallelism", "1", "false") + "variable \"parallelism\" {\n  type = number\n}\n";
    // A root variable passed to a module and read by a stream in the root.
    let repo = Repo::new();
    repo.write("modules/flink/main.tf", &module);
    let root_tf = format!(
        "{VARIABLE}\nmodule \"flink\" {{\n  source      = \"./modules/flink\"\n  parallelism = var.parallelism\n}}\n\n\
         resource \"aws_kinesis_stream\" \"input\" {{\n  name        = \"input\"\n  shard_count = var.parallelism\n}}\n"
    );
    repo.write("main.tf", &root_tf);
    refuses(&repo, "is also read by aws_kinesis_stream.input.shard_count (main.tf:");
    // Passed to two module calls whose applications need the same value: one edit.
    let repo = Repo::new();
    repo.write("modules/flink/main.tf", &module);
    let root_tf = format!(
        "{VARIABLE}\nmodule \"a\" {{\n  source      = \"./modules/flink\"\n  parallelism = var.parallelism\n}}\n\n\
         module \"b\" {{\n  source      = \"./modules/flink\"\n  parallelism = var.parallelism\n}}\n"
    );
    repo.write("main.tf", &root_tf);
    let (doc, after) = fix(&repo, &[]);
    assert_eq!(
        after["main.tf"],
        root_tf.replace("default = 16", "default = 10"),
        "{doc:#}"
    );
    // The fleet's for_each map, also read by an output: its entry is not edited.
    let repo = Repo::new();
    repo.copy_dir("examples/fleet", ".");
    repo.write(
        "outputs.tf",
        "output \"environments\" {\n  value = local.environments\n}\n",
    );
    refuses(&repo, "is also read by output.environments (outputs.tf:2:11)");
}

#[test]
fn terraform_json_readers_count_too() {
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(DECL, "var.parallelism", "1", "false"));
    repo.write("variables.tf", VARIABLE);
    repo.write(
        "stream.tf.json",
        "{\n  \"resource\": {\n    \"aws_kinesis_stream\": {\n      \"input\": {\n        \"name\": \"input\",\n        \"shard_count\": \"${var.parallelism}\"\n      }\n    }\n  }\n}\n",
    );
    refuses(
        &repo,
        "is also read by aws_kinesis_stream.input.shard_count (stream.tf.json:6:24)",
    );
}

// ---------------------------------------------------------------------------------------------
// One voice
// ---------------------------------------------------------------------------------------------

#[test]
fn kpu002_help_is_the_recommendation() {
    // DEFAULT ignores parallelism 20; KPU011 recommends 4. KPU002 used to say to make 20 effective.
    let decl = "# kpulint: state_size=10GB required_parallelism=4";
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &app_tf(decl, "20", "1", "false").replace("\"CUSTOM\"", "\"DEFAULT\""),
    );
    let (_, doc) = repo.json(&["."]);
    // `auto_scaling_enabled = false` is written too: under CUSTOM it would apply.
    let want = "set configuration_type = \"CUSTOM\", parallelism = 4, parallelism_per_kpu = 1, \
                auto_scaling_enabled = true (4 KPUs)";
    assert_eq!(the_finding(&doc, "KPU002")["help"], want);
    assert_eq!(the_finding(&doc, "KPU011")["help"], want);
    // And --fix writes exactly that.
    let (after, files) = fix(&repo, &[]);
    assert_eq!(files["main.tf"], app_tf(decl, "4", "1", "true"));
    assert_eq!(active(&after), Vec::<String>::new());
    // With no need declared, nothing is sized: delete what DEFAULT ignores, or declare the needs.
    repo.write(
        "main.tf",
        &app_tf("", "20", "1", "true").replace("\"CUSTOM\"", "\"DEFAULT\""),
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(
        the_finding(&doc, "KPU002")["help"],
        "delete the parallelism, or declare the job's needs (state_size, required_parallelism) to size a CUSTOM \
         configuration"
    );
}

#[test]
fn every_help_names_the_recommended_parallelism() {
    for path in ["examples", "tests/fixtures/hcl/multi"] {
        let (_, doc) = json_at_root(&[path]);
        for f in doc["findings"].as_array().unwrap() {
            let (Some(help), Some(address)) = (f["help"].as_str(), f["application"].as_str()) else {
                continue;
            };
            let Some(at) = help.find("parallelism = ") else {
                continue;
            };
            let n: String = help[at + "parallelism = ".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let recommended = &app(&doc, address)["recommendation"]["parallelism"];
            assert_eq!(n, recommended.to_string(), "{} on {address}: {help}", f["rule"]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Smaller items
// ---------------------------------------------------------------------------------------------

/// `−25.3%` → -25.3
fn percent(s: &str) -> f64 {
    s.trim_end_matches('%')
        .replace('−', "-")
        .replace('+', "")
        .parse()
        .unwrap()
}

#[test]
fn what_if_percentages_add_up() {
    // −50.74% from the margin and +25.37% from the state: the parts print −50.7% and +25.4%, so
    // the total prints −25.3% (the exact total would round to −25.4%).
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &app_tf("# kpulint: state_size=10GB required_parallelism=1", "3", "1", "false"),
    );
    let r = repo.run(&["what-if", ".", "--state-size", "50GB"]);
    let line = |label: &str| -> f64 {
        let l = r.stdout.lines().find(|l| l.trim_start().starts_with(label)).unwrap();
        percent(l.split_whitespace().find(|w| w.ends_with('%')).unwrap())
    };
    let (margin, state, total) = (line("from the margin"), line("from the state"), line("total  "));
    assert_eq!((margin, state, total), (-50.7, 25.4, -25.3), "{}", r.stdout);
    assert!(r.stdout.contains("(−$85.30, −25.3%:"), "{}", r.stdout);
    let (_, doc) = repo.json(&["what-if", ".", "--state-size", "50GB"]);
    let d = &doc["applications"][0]["delta"];
    let sum = d["from_margin_pct"].as_f64().unwrap() + d["from_scenario_pct"].as_f64().unwrap();
    assert_eq!(d["total_pct"].as_f64().unwrap(), (sum * 100.0).round() / 100.0, "{d:#}");
}

#[test]
fn no_state_needs_no_kpu_of_disk() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &app_tf("# kpulint: state_size=0GB required_parallelism=2", "2", "1", "false"),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 0, "{doc:#}");
    let a = only_app(&doc);
    assert_eq!(a["needs"]["storage_kpus"], 0, "ceil(0 GB × 2.0 / 50 GB) = 0");
    assert_eq!(a["needs"]["needed_kpus"], 2);
    assert_eq!(a["recommendation"]["reasons"][0], "storage: 0 GB × 2.0 = 0 GB → 0 KPUs");
    assert_eq!(a["recommendation"]["kpus"], 2);
}

#[test]
fn what_if_address_globs_match_brackets_literally() {
    let (code, doc) = json_at_root(&[
        "what-if",
        "examples/fleet",
        "--state-size",
        "module.orders[\"prod\"]*=56GB",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    for a in doc["applications"].as_array().unwrap() {
        let state = &a["scenario"]["configured"]["state_size_gb"];
        let prod = a["address"].as_str().unwrap().starts_with("module.orders[\"prod\"]");
        assert_eq!(state == 56, prod, "{a:#}");
    }
}

#[test]
fn unsafe_fixes_on_an_application_without_a_finding_are_not_counted_as_fixed() {
    let decl = "# kpulint: state_size=100GB";
    let repo = Repo::new();
    repo.write("main.tf", &app_tf(decl, "14", "1", "false"));
    let (_, doc) = repo.json(&["."]);
    assert_eq!(active(&doc), Vec::<String>::new());
    let r = repo.run(&[".", "--fix", "--unsafe-fixes"]);
    assert!(!r.stdout.contains("fixed 0 findings"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l == "applied the recommendation of 1 application without a finding: main.tf: parallelism 14 → 4"),
        "{}",
        r.stdout
    );
    assert_eq!(files(&repo)["main.tf"], app_tf(decl, "4", "1", "false"));
    let (_, doc) = repo.json(&[".", "--fix", "--unsafe-fixes"]);
    assert_eq!(doc["summary"]["fixed"], 0);
}
