//! Advice you can trust: one recommendation per application, checked by every rule.
//! The cases users met (unsafe cuts, contradicting rules, no finding for too little compute)
//! run through the real binary; the property test runs the library over generated
//! configurations.

mod hcl_support;

use hcl_support::*;
use serde_json::Value;

fn lint(decl: &str, parallelism: &str, per_kpu: &str, autoscaling: &str) -> (i32, Value) {
    let repo = Repo::new();
    repo.write("main.tf", &flink_app("app", decl, parallelism, per_kpu, autoscaling));
    repo.json(&["."])
}

fn rec(doc: &Value) -> &Value {
    &only_app(doc)["recommendation"]
}

fn help_of<'a>(doc: &'a Value, rule: &str) -> &'a str {
    the_finding(doc, rule)["help"].as_str().unwrap()
}

fn message_of<'a>(doc: &'a Value, rule: &str) -> &'a str {
    the_finding(doc, rule)["message"].as_str().unwrap()
}

#[test]
fn a_state_only_declaration_never_cuts_cpu_as_a_safe_fix() {
    // 56 GB × 2.0 = 112 GB → 3 KPUs of disk; nothing says the job can run on 3 vCPU.
    let (code, doc) = lint("# kpulint: state_size=56GB", "14", "1", "false");
    assert_eq!(
        rules(&doc),
        Vec::<String>::new(),
        "KPU004 needs a compute need: {doc:#}"
    );
    assert_eq!(code, 0);
    let app = only_app(&doc);
    assert_eq!(app["needs"]["storage_kpus"], 3);
    assert_eq!(app["needs"]["compute_kpus"], Value::Null, "undeclared is null, never 0");
    assert_eq!(app["needs"]["binding"], "storage");
    let r = rec(&doc);
    assert_eq!(r["parallelism"], 3);
    assert_eq!(r["safe"], false);
    let reasons = r["reasons"].to_string();
    assert!(
        reasons.contains("compute need undeclared: check that parallelism 3 (3 KPUs) carries the load"),
        "{reasons}"
    );
}

#[test]
fn a_compute_only_declaration_says_to_check_the_disk() {
    let (code, doc) = lint("# kpulint: required_parallelism=4", "12", "1", "false");
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU008", "KPU004"]);
    assert_eq!(
        help_of(&doc, "KPU004"),
        "set parallelism = 4 (4 KPUs); not a safe fix, confirm first: state size undeclared: check that 4 × 50 GB = 200 GB holds the state"
    );
    let r = rec(&doc);
    assert_eq!(
        (r["parallelism"].as_u64(), r["kpus"].as_u64(), &r["safe"]),
        (Some(4), Some(4), &Value::Bool(false))
    );
    assert_eq!(only_app(&doc)["needs"]["storage_kpus"], Value::Null);
    assert_eq!(only_app(&doc)["needs"]["binding"], "compute");
}

#[test]
fn too_little_compute_is_an_error_with_autoscaling_off() {
    let (code, doc) = lint("# kpulint: state_size=10GB required_parallelism=16", "2", "1", "false");
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU011"]);
    let f = the_finding(&doc, "KPU011");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["message"],
        "parallelism 2 is below the required parallelism 16, and autoscaling is off: the job cannot keep up"
    );
    assert_eq!(f["help"], "set parallelism = 16 (16 KPUs)");
    let r = rec(&doc);
    assert_eq!(r["safe"], true, "raising compute to a declared need is safe");
    assert!(r["savings_usd"].as_f64().unwrap() < 0.0, "the need costs more: {r:#}");
}

#[test]
fn too_little_compute_with_autoscaling_counts_the_doublings() {
    // 6 → 12 → 24 → 48: three scale-ups, each a restart of 120 GB at 12 GB/min.
    let (code, doc) = lint("# kpulint: state_size=120GB required_parallelism=32", "6", "1", "true");
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU011"]);
    let f = the_finding(&doc, "KPU011");
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["message"],
        "parallelism 6 is below the required parallelism 32; it relies on 3 scale-ups (6 KPUs → 12 KPUs → 24 KPUs → 48 KPUs), about 10 minutes of restart each (snapshot and restore of 120 GB at 12 GB/min)"
    );
    // A configured severity still wins.
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "app",
            "# kpulint: state_size=120GB required_parallelism=32",
            "6",
            "1",
            "true",
        ),
    );
    repo.write(".kpulint.hcl", "rule \"KPU011\" {\n  severity = \"error\"\n}\n");
    let (_, doc) = repo.json(&["."]);
    assert_eq!(the_finding(&doc, "KPU011")["severity"], "error");
}

#[test]
fn required_kpus_is_a_compute_need_of_its_own() {
    let (code, doc) = lint("# kpulint: state_size=10GB required_kpus=6", "8", "2", "false");
    // 8 / 2 = 4 KPUs, below the 6 measured: underprovisioned, and the fix buys 6 KPUs.
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU011"]);
    assert_eq!(
        message_of(&doc, "KPU011"),
        "parallelism 8 buys 4 KPUs, below the 6 required, and autoscaling is off: the job cannot keep up"
    );
    assert_eq!(help_of(&doc, "KPU011"), "set parallelism = 12 (6 KPUs)");
    let app = only_app(&doc);
    assert_eq!(app["required_kpus"], 6);
    assert_eq!(app["required_kpus_source"], "annotation");
    assert_eq!(app["needs"]["compute_kpus"], 6);
}

#[test]
fn rules_on_one_application_never_contradict() {
    // 240 GB: a scale event takes about 20 minutes. With autoscaling on, KPU010 and KPU004
    // both point at the same configuration: static, parallelism 10.
    let (_, doc) = lint("# kpulint: state_size=240GB required_parallelism=4", "12", "1", "true");
    assert_eq!(rules(&doc), ["KPU010", "KPU004", "KPU005"]);
    let want = "set parallelism = 10, auto_scaling_enabled = false (10 KPUs)";
    assert_eq!(help_of(&doc, "KPU004"), want);
    assert!(help_of(&doc, "KPU010").contains(want), "{}", help_of(&doc, "KPU010"));
    // With autoscaling off nobody suggests turning it on.
    let (_, doc) = lint("# kpulint: state_size=240GB required_parallelism=4", "12", "1", "false");
    for f in doc["findings"].as_array().unwrap() {
        assert!(!f["help"].as_str().unwrap().contains("enable autoscaling"), "{f:#}");
    }
    assert_eq!(help_of(&doc, "KPU004"), "set parallelism = 10 (10 KPUs)");
}

#[test]
fn partial_kpu_advice_respects_the_state() {
    // 280 GB × 2.0 = 560 GB → 12 KPUs; parallelism 18 at 2 per KPU buys 9. KPU006 must not
    // offer 20 (10 KPUs, 500 GB): it offers what KPU003 does.
    let (_, doc) = lint("# kpulint: state_size=280GB required_parallelism=4", "17", "2", "false");
    assert_eq!(rules(&doc), ["KPU003", "KPU005", "KPU006"]);
    assert!(
        help_of(&doc, "KPU003").starts_with("set parallelism = 24 (12 KPUs)"),
        "{}",
        help_of(&doc, "KPU003")
    );
    assert_eq!(help_of(&doc, "KPU006"), "set parallelism = 24 (12 KPUs)");
}

#[test]
fn quota_advice_never_buys_fewer_kpus_than_the_state_needs() {
    // 1500 GB × 2.0 = 3000 GB → 60 KPUs of disk; parallelism 70 buys 70 > 64. A denser
    // parallelism_per_kpu would buy 35 KPUs and lose 1250 GB of disk: not offered.
    let (_, doc) = lint(
        "# kpulint: state_size=1500GB required_parallelism=70",
        "70",
        "1",
        "false",
    );
    assert!(rules(&doc).contains(&"KPU007".to_string()), "{doc:#}");
    let r = rec(&doc);
    assert!(r["kpus"].as_u64().unwrap() >= 60, "{r:#}");
    // Compute 70 at 2 per KPU = 35 KPUs, storage 60: 60 KPUs within the quota.
    assert_eq!(
        (r["parallelism_per_kpu"].as_u64(), r["kpus"].as_u64()),
        (Some(2), Some(60))
    );
    assert_eq!(r["safe"], false, "fewer vCPU per subtask must be confirmed: {r:#}");
    // When the needs themselves exceed the quota, the only advice is a quota increase.
    let (_, doc) = lint(
        "# kpulint: state_size=2000GB required_parallelism=70",
        "70",
        "1",
        "false",
    );
    let help = help_of(&doc, "KPU007");
    assert_eq!(
        help,
        "request a KPU quota increase from AWS for at least 80 KPUs (the declared needs at 1 per KPU), then set kpu_quota in .kpulint.hcl"
    );
    // Compute beyond the quota at any density: the help says how much a denser layout saves.
    let (_, doc) = lint(
        "# kpulint: state_size=10GB required_parallelism=600",
        "600",
        "1",
        "false",
    );
    assert_eq!(
        help_of(&doc, "KPU007"),
        "request a KPU quota increase from AWS for at least 600 KPUs (the declared needs at 1 per KPU; at 8 slots per KPU 75 would do, if each subtask can run on 1/8 vCPU), then set kpu_quota in .kpulint.hcl"
    );
}

#[test]
fn max_parallelism_ceiling_with_the_derived_default() {
    // p = 130: Flink derives max parallelism 256 (roundUpToPowerOfTwo(195)); the first
    // scale-up doubles to 260, within the ceiling 8 × 64 = 512.
    let (code, doc) = lint(
        "# kpulint: state_size=10GB required_parallelism=130",
        "136",
        "8",
        "true",
    );
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), ["KPU012"]);
    assert_eq!(
        message_of(&doc, "KPU012"),
        "autoscaling is on and its first scale-up doubles parallelism 136 to 272, above max parallelism 256 (Flink's default for parallelism 136): keyed state cannot be rescaled to it"
    );
    // The compute need is declared, so a static parallelism of 136 is a safe fix.
    assert_eq!(
        help_of(&doc, "KPU012"),
        "set auto_scaling_enabled = false (17 KPUs); or set the job's max parallelism to at least 272"
    );
    // Declared max parallelism: the first doubling of 40 is 80 (within the ceiling 2 × 64),
    // above 64. At 1 per KPU the ceiling 64 would stop it at 64.
    let (_, doc) = lint(
        "# kpulint: state_size=10GB required_parallelism=40 max_parallelism=64",
        "40",
        "1",
        "true",
    );
    assert_eq!(rules(&doc), Vec::<String>::new());
    let (_, doc) = lint(
        "# kpulint: state_size=10GB required_parallelism=40 max_parallelism=64",
        "40",
        "2",
        "true",
    );
    assert_eq!(rules(&doc), ["KPU012"]);
    assert!(message_of(&doc, "KPU012").contains("above the declared max_parallelism 64"));
    // Autoscaling off: nothing doubles.
    let (_, doc) = lint(
        "# kpulint: state_size=10GB required_parallelism=40 max_parallelism=64",
        "40",
        "2",
        "false",
    );
    assert_eq!(rules(&doc), Vec::<String>::new());
}

#[test]
fn default_values_written_under_default_are_harmless() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=1",
            "1",
            "1",
            "true",
        )
        .replace("\"CUSTOM\"", "\"DEFAULT\""),
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc:#}");
    assert_eq!(code, 0);
    assert_eq!(rec(&doc)["configuration_type"], "DEFAULT");
}

#[test]
fn the_json_contract_of_needs_cost_and_recommendation() {
    let (_, doc) = lint("# kpulint: state_size=240GB required_parallelism=4", "12", "1", "false");
    let app = only_app(&doc);
    assert_eq!(
        app["needs"],
        serde_json::json!({"storage_kpus": 10, "compute_kpus": 4, "needed_kpus": 10, "binding": "storage",
                           "compute_source": "declared", "storage_source": "declared", "evidence": null})
    );
    // 12 × 730 × 0.11, 1 × 730 × 0.11, 600 GB × 0.10.
    assert_eq!(
        app["cost"],
        serde_json::json!({"kpu_usd": 963.6, "orchestration_usd": 80.3, "running_storage_usd": 60, "total_usd": 1103.9})
    );
    assert_eq!(app["price_region"], "us-east-1");
    let r = rec(&doc);
    assert_eq!(
        (
            r["parallelism"].as_u64(),
            r["parallelism_per_kpu"].as_u64(),
            r["kpus"].as_u64(),
            r["billed_kpus"].as_u64()
        ),
        (Some(10), Some(1), Some(10), Some(11))
    );
    assert_eq!(
        (r["auto_scaling_enabled"].as_bool(), r["configuration_type"].as_str()),
        (Some(false), Some("CUSTOM"))
    );
    // 11 × 80.30 + 500 GB × 0.10 = 933.30; 1103.90 − 933.30 = 170.60.
    assert_eq!(
        (r["running_storage_gb"].as_u64(), r["monthly_cost_usd"].as_f64()),
        (Some(500), Some(933.3))
    );
    assert_eq!(
        (r["savings_usd"].as_f64(), r["safe"].as_bool()),
        (Some(170.6), Some(true))
    );
    let s = &doc["summary"];
    assert_eq!(
        (
            s["monthly_cost_usd"].as_f64(),
            s["recommended_monthly_cost_usd"].as_f64(),
            s["savings_usd"].as_f64()
        ),
        (Some(1103.9), Some(933.3), Some(170.6))
    );
}

#[test]
fn nothing_changes_when_nothing_should() {
    let (code, doc) = lint("# kpulint: state_size=100GB required_parallelism=4", "4", "1", "false");
    assert_eq!((code, rules(&doc)), (0, Vec::<String>::new()));
    let r = rec(&doc);
    assert_eq!(
        (
            r["parallelism"].as_u64(),
            r["savings_usd"].as_f64(),
            r["safe"].as_bool()
        ),
        (Some(4), Some(0.0), Some(true))
    );
}

#[test]
fn target_margin_and_hours_per_month_are_settings() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        &flink_app(
            "app",
            "# kpulint: state_size=10GB required_parallelism=10",
            "14",
            "1",
            "false",
        ),
    );
    repo.write(
        ".kpulint.hcl",
        "defaults {\n  target_margin = \"20%\"\n  hours_per_month = 720\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    // 10 + 20% = 12 is the target; 14 is 16.67% above it.
    assert_eq!(rules(&doc), ["KPU004"]);
    assert_eq!(rec(&doc)["parallelism"], 12);
    assert!(message_of(&doc, "KPU004").contains("12 for required parallelism 10 + 20% target margin"));
    // 15 billed KPUs × 720 h × 0.11 + 700 GB × 0.10
    assert_eq!(only_app(&doc)["monthly_cost_usd"], 1258.0);
}

#[test]
fn storage_factor_is_spelled_out_where_state_becomes_kpus() {
    let (_, doc) = lint("# kpulint: state_size=240GB required_parallelism=4", "4", "1", "false");
    assert_eq!(rules(&doc), ["KPU003"]);
    assert!(
        message_of(&doc, "KPU003").starts_with("declared state of 240 GB × storage factor 2.0 = 480 GB needs 10 KPUs"),
        "{}",
        message_of(&doc, "KPU003")
    );
}

// ---------------------------------------------------------------------------------------------
// Property test: generated configurations through the library pipeline.
// ---------------------------------------------------------------------------------------------

struct Case {
    parallelism: u64,
    per_kpu: u64,
    autoscaling: bool,
    state_gb: Option<u64>,
    required_parallelism: Option<u64>,
    required_kpus: Option<u64>,
}

impl Case {
    fn decl(&self) -> String {
        declaration(self.state_gb, self.required_parallelism, self.required_kpus, None)
    }
}

fn lint_lib(dir: &std::path::Path, text: &str) -> kpulint::run::Outcome {
    std::fs::write(dir.join("main.tf"), text).unwrap();
    kpulint::run::run(&kpulint::run::RunOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    })
}

const FIXED_POINT_RULES: &[&str] = &[
    "KPU001", "KPU003", "KPU004", "KPU006", "KPU007", "KPU010", "KPU011", "KPU012",
];

#[test]
fn recommendations_meet_every_need_cost_least_and_are_fixed_points() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let quota = 64;
    for i in 0..1500 {
        let case = Case {
            parallelism: rng.range(1, 256),
            per_kpu: rng.range(1, 8),
            autoscaling: rng.chance(),
            state_gb: rng.chance().then(|| rng.range(0, 3000)),
            required_parallelism: rng.chance().then(|| rng.range(1, 256)),
            required_kpus: (rng.range(0, 3) == 0).then(|| rng.range(1, 80)),
        };
        let text = flink_app(
            "app",
            &case.decl(),
            &case.parallelism.to_string(),
            &case.per_kpu.to_string(),
            &case.autoscaling.to_string(),
        );
        let out = lint_lib(dir.path(), &text);
        assert!(out.errors.is_empty(), "case {i}: {:?}", out.errors);
        let a = &out.analyses[0];
        let r = a
            .recommendation
            .clone()
            .unwrap_or_else(|| panic!("case {i} has no recommendation"));
        let ctx = format!("case {i}: {}\n{r:#?}", case.decl());

        // Every declared need is met.
        let storage_kpus = case
            .state_gb
            .map(|gb| (gb as f64 * 2.0 / 50.0 - 1e-9).ceil().max(1.0) as u64);
        if let Some(s) = storage_kpus {
            assert!(r.kpus >= s, "storage: {ctx}");
            assert!(
                r.running_storage_gb as f64 >= case.state_gb.unwrap() as f64 * 2.0,
                "disk: {ctx}"
            );
        }
        if let Some(req) = case.required_parallelism {
            assert!(r.parallelism >= req, "required parallelism: {ctx}");
        }
        if let Some(req) = case.required_kpus {
            assert!(r.kpus >= req, "required KPUs: {ctx}");
        }
        assert_eq!(r.kpus, r.parallelism.div_ceil(r.parallelism_per_kpu), "{ctx}");

        // Never worse in cost than another configuration at its parallelism_per_kpu that also
        // meets them (cost grows with KPUs).
        let any_need = case.state_gb.is_some() || case.required_parallelism.is_some() || case.required_kpus.is_some();
        if any_need {
            let k = r.parallelism_per_kpu;
            for p in 1..=1200u64 {
                let kpus = p.div_ceil(k);
                let meets = storage_kpus.is_none_or(|s| kpus >= s)
                    && case.required_parallelism.is_none_or(|q| p >= q)
                    && case.required_kpus.is_none_or(|q| kpus >= q);
                if meets {
                    assert!(
                        r.kpus <= kpus,
                        "parallelism {p} meets the needs with {kpus} KPUs: {ctx}"
                    );
                    break;
                }
            }
        }

        // Fixed point: linting the recommended configuration leaves no sizing finding, except
        // KPU007 where the declared needs themselves exceed the quota.
        let custom = r.custom;
        let fixed = if custom {
            flink_app(
                "app",
                &case.decl(),
                &r.parallelism.to_string(),
                &r.parallelism_per_kpu.to_string(),
                &r.auto_scaling.to_string(),
            )
        } else {
            flink_app("app", &case.decl(), "1", "1", "true").replace("\"CUSTOM\"", "\"DEFAULT\"")
        };
        let again = lint_lib(dir.path(), &fixed);
        for f in &again.findings {
            let allowed = f.rule.id == "KPU007" && r.kpus > quota;
            assert!(
                !FIXED_POINT_RULES.contains(&f.rule.id) || allowed,
                "{} after applying the recommendation: {}\n{ctx}",
                f.rule.id,
                f.message
            );
        }
        let r2 = again.analyses[0].recommendation.clone().unwrap();
        assert_eq!(
            (r2.parallelism, r2.parallelism_per_kpu, r2.auto_scaling, r2.kpus),
            (r.parallelism, r.parallelism_per_kpu, r.auto_scaling, r.kpus),
            "the recommendation of the recommendation is itself: {ctx}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Human output snapshots
// ---------------------------------------------------------------------------------------------

fn human(decl: &str, parallelism: &str, per_kpu: &str, autoscaling: &str) -> String {
    let repo = Repo::new();
    repo.write("main.tf", &flink_app("app", decl, parallelism, per_kpu, autoscaling));
    let r = repo.run(&[".", "--color", "never"]);
    format!("exit code: {}\n{}", r.code, r.stdout)
}

#[test]
fn underprovisioned_human() {
    insta::assert_snapshot!(human(
        "# kpulint: state_size=10GB required_parallelism=16",
        "2",
        "1",
        "false"
    ));
}

#[test]
fn underprovisioned_with_autoscaling_human() {
    insta::assert_snapshot!(human(
        "# kpulint: state_size=120GB required_parallelism=32",
        "6",
        "1",
        "true"
    ));
}

#[test]
fn max_parallelism_ceiling_human() {
    insta::assert_snapshot!(human(
        "# kpulint: state_size=10GB required_parallelism=130",
        "136",
        "8",
        "true"
    ));
}

/// 240 GB with autoscaling on: KPU004 used to say "autoscaling already adds KPUs" while KPU010
/// said to turn it off. Both now give the same configuration.
#[test]
fn formerly_contradicting_findings_human() {
    insta::assert_snapshot!(human(
        "# kpulint: state_size=240GB required_parallelism=4",
        "12",
        "1",
        "true"
    ));
}
