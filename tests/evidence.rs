//! Evidence from the running applications: `kpulint evidence queries` writes the CloudWatch
//! queries, `--evidence` reads what the AWS CLI printed for them (the fixtures under
//! tests/fixtures/evidence/ are CLI v2 and v1 output, written by its generate.py) and
//! `describe-application` output, and the needs they measure size the applications.
//! Every test runs with KPULINT_TODAY=2026-11-26; the fixtures end on that day.

mod evidence_support;
mod hcl_support;

use evidence_support::*;
use hcl_support::*;
use serde_json::Value;

const FIXTURES: &str = "tests/fixtures/evidence";

/// A repository with one application per `(name, declaration, parallelism, autoscaling)`, and
/// the named fixtures copied into `evidence/`.
fn setup(apps: &[(&str, &str, &str, &str)], fixtures: &[&str]) -> Repo {
    let repo = Repo::new();
    let tf: Vec<String> = apps
        .iter()
        .map(|(name, decl, p, auto)| flink_app(name, decl, p, "1", auto))
        .collect();
    repo.write("main.tf", &tf.join("\n"));
    for f in fixtures {
        let text = std::fs::read_to_string(root().join(FIXTURES).join(f)).expect("fixture");
        repo.write(&format!("evidence/{f}"), &text);
    }
    repo
}

fn needs(doc: &Value, name: &str) -> Value {
    app(doc, &format!("aws_kinesisanalyticsv2_application.{name}"))["needs"].clone()
}

fn recommendation(doc: &Value, name: &str) -> Value {
    app(doc, &format!("aws_kinesisanalyticsv2_application.{name}"))["recommendation"].clone()
}

fn notices(doc: &Value) -> Vec<String> {
    doc["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .map(|n| n["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

fn id_is_valid(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

#[test]
fn queries_ask_for_every_metric_of_every_named_application() {
    let r = run(&root(), &["evidence", "queries", "examples/evidence"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    // The last 14 days before KPULINT_TODAY's midnight, oldest first.
    assert_eq!(doc["StartTime"], "2026-11-12T00:00:00Z");
    assert_eq!(doc["EndTime"], "2026-11-26T00:00:00Z");
    assert_eq!(doc["ScanBy"], "TimestampAscending");
    let qs = queries(&doc);
    assert_eq!(qs.len(), 3 * 8);
    let mut ids: Vec<&str> = qs.iter().map(|q| q.id).collect();
    assert!(ids.iter().all(|id| id_is_valid(id)), "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), qs.len(), "Ids are unique");
    for q in &doc["MetricDataQueries"].as_array().unwrap()[..] {
        let m = &q["MetricStat"];
        assert_eq!(m["Metric"]["Namespace"], "AWS/KinesisAnalytics");
        assert_eq!(m["Metric"]["Dimensions"][0]["Name"], "Application");
        assert_eq!(m["Stat"], "Maximum");
        let period = m["Period"].as_u64().unwrap();
        // Valid for data 14 days old: a multiple of 60 (1-minute data is kept 15 days).
        assert!(period % 60 == 0 && period >= 60, "{q}");
        if m["Metric"]["MetricName"] == "KPUs" {
            assert_eq!(period, 3600);
        }
    }
    for app in ["orders-join", "payments", "clicks"] {
        let metrics: Vec<&str> = qs.iter().filter(|q| q.application == app).map(|q| q.metric).collect();
        assert_eq!(
            metrics,
            [
                "KPUs",
                "containerCPUUtilization",
                "containerMemoryUtilization",
                "containerDiskUtilization",
                "lastCheckpointSize",
                "downtime",
                "fullRestarts",
                "numberOfFailedCheckpoints"
            ]
        );
    }
    // --days and --end move the window; periods stay valid for its age.
    let r = run(
        &root(),
        &[
            "evidence",
            "queries",
            "examples/evidence",
            "--days",
            "90",
            "--end",
            "2026-06-01",
        ],
    );
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(doc["StartTime"], "2026-03-03T00:00:00Z");
    assert_eq!(doc["EndTime"], "2026-06-01T00:00:00Z");
    assert!(queries(&doc).iter().all(|q| q.period % 3600 == 0));
    let r = run(&root(), &["evidence", "queries", "examples/evidence", "--days", "456"]);
    assert_eq!(r.code, 2);
}

#[test]
fn queries_for_the_examples_round_trip() {
    // What `kpulint evidence queries` writes for every example, answered as CloudWatch would,
    // is read back to the application, metric and statistic each query asked for.
    let scratch = Repo::new();
    let out = scratch.path().join("queries.json");
    let r = run(
        &root(),
        &["evidence", "queries", "examples", "--output", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let names: Vec<String> = {
        let mut n: Vec<String> = queries(&doc).iter().map(|q| q.application.to_string()).collect();
        n.dedup();
        n
    };
    assert!(
        names.len() > 10 && names.iter().any(|n| n == "orders-join"),
        "{names:?}"
    );
    // Each application its own KPUs (orchestration included) and CPU, from its position.
    let index = |app: &str| names.iter().position(|n| n == app).unwrap() as f64;
    let export = answer(&doc, |app, metric, _| {
        let i = index(app);
        Some(match metric {
            "KPUs" => 2.0 + i,
            "containerCPUUtilization" => 10.0 + i,
            "containerDiskUtilization" => 5.0 + i / 2.0,
            "lastCheckpointSize" => (1.0 + i) * 1e9,
            "containerMemoryUtilization" => 40.0,
            _ => 0.0,
        })
    });
    scratch.write("export.json", &pretty(&export));
    let (_, lint) = json(
        &root(),
        &[
            "examples",
            "--evidence",
            scratch.path().join("export.json").to_str().unwrap(),
        ],
    );
    // A name several examples share (one application in every input format) is used by none
    // of them: the export cannot tell which one it measured.
    let mut shared_names = Vec::new();
    let mut shared_instances = Vec::new();
    for n in notices(&lint) {
        let Some(rest) = n.strip_prefix("the evidence for ") else {
            continue;
        };
        let (name, rest) = rest.split_once(" in ").unwrap();
        assert!(rest.contains("export.json is not used: "), "{n}");
        let listed = rest.split_once(" (").unwrap().1.split_once(')').unwrap().0;
        // `OrdersJoin in examples/formats/…`: one instance name in two templates.
        let instances: Vec<String> = listed
            .split(", ")
            .map(|i| i.split(" in ").next().unwrap().to_string())
            .collect();
        assert!(instances.len() > 1, "{n}");
        shared_names.push(name.to_string());
        shared_instances.extend(instances);
    }
    assert!(shared_names.iter().all(|n| names.contains(n)), "{shared_names:?}");
    let mut read_back = std::collections::BTreeSet::new();
    let mut not_sized = 0;
    for a in lint["applications"].as_array().unwrap() {
        not_sized += usize::from(a["status"] != "sized");
        if shared_instances.iter().any(|i| a["instance"] == i.as_str()) {
            let files = &a["needs"]["evidence"]["files"];
            assert!(!files.to_string().contains("export.json"), "{}: {files}", a["instance"]);
            continue;
        }
        let Some(e) = a["needs"]["evidence"].as_object() else {
            continue;
        };
        let Some(kpus) = e.get("kpus_observed").and_then(Value::as_u64) else {
            continue;
        };
        let file = a["file"].as_str().unwrap();
        // Which name: the one whose KPUs this is (2 + i billed, 1 + i for the application).
        let i = (kpus - 1) as f64;
        assert_eq!(e["cpu_p95_percent"].as_f64(), Some(10.0 + i), "{file}: {a:#}");
        assert_eq!(e["checkpoint_size_max_gb"].as_f64(), Some(1.0 + i), "{file}");
        assert_eq!(e["days"].as_f64(), Some(14.0));
        assert_eq!(e["window_end"], "2026-11-26T00:00:00Z");
        read_back.insert(names[i as usize].clone());
    }
    // Every name is read back but those shared, and those of applications never sized.
    assert!(
        read_back.len() + shared_names.len() + not_sized >= names.len(),
        "{} of {} names read back: {read_back:?}",
        read_back.len(),
        names.len()
    );
}

#[test]
fn more_than_500_queries_are_split_into_numbered_files() {
    let repo = Repo::new();
    let apps: Vec<String> = (0..70)
        .map(|i| flink_app(&format!("app{i:02}"), "", "2", "1", "false"))
        .collect();
    repo.write("main.tf", &apps.join("\n"));
    let r = repo.run(&["evidence", "queries", ".", "--output", "out/q.json"]);
    assert_eq!(r.code, 2, "out/ does not exist: {}", r.stderr);
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let r = repo.run(&["evidence", "queries", ".", "--output", "out/q.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut files: Vec<String> = std::fs::read_dir(repo.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["q-1.json", "q-2.json"]);
    let mut all_ids = Vec::new();
    let mut per_file = Vec::new();
    for f in &files {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(repo.path().join("out").join(f)).unwrap()).unwrap();
        let qs = queries(&doc);
        assert!(qs.len() <= 500);
        per_file.push(qs.len());
        all_ids.extend(qs.iter().map(|q| q.id.to_string()));
        // An application's eight queries stay in one file.
        for q in &qs {
            assert_eq!(qs.iter().filter(|o| o.application == q.application).count(), 8);
        }
    }
    assert_eq!(per_file, [496, 64]);
    all_ids.sort();
    all_ids.dedup();
    assert_eq!(all_ids.len(), 560);
    // Without --output they cannot all go to standard output.
    let r = repo.run(&["evidence", "queries", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("560 queries need 2 calls"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Reading the AWS CLI's output
// ---------------------------------------------------------------------------------------------

#[test]
fn cli_v2_pages_and_cli_v1_epoch_numbers_newest_first_read_alike() {
    let repo = setup(
        &[("orders", "", "14", "false")],
        &["v2-paginated.json", "v1-epoch-descending.json"],
    );
    let (code_v2, v2) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    let (_, v1) = repo.json(&[".", "--evidence", "evidence/v1-epoch-descending.json"]);
    assert_eq!(code_v2, 1, "KPU004: {v2:#}");
    let mut e2 = needs(&v2, "orders")["evidence"].clone();
    let mut e1 = needs(&v1, "orders")["evidence"].clone();
    assert_eq!(e2["files"], serde_json::json!(["evidence/v2-paginated.json"]));
    e2["files"] = Value::Null;
    e1["files"] = Value::Null;
    assert_eq!(e2, e1);
    // 180 hours, two pages merged by Id: nothing lost, nothing doubled.
    assert_eq!(e2["window_start"], "2026-11-18T12:00:00Z");
    assert_eq!(e2["window_end"], "2026-11-26T00:00:00Z");
    assert_eq!(e2["days"], 7.5);
    assert_eq!(e2["excluded_hours"], 0);
    assert_eq!(e2["kpus_observed"], 14);
    assert_eq!(e2["cpu_p95_percent"], 18.71);
    assert_eq!(e2["disk_max_percent"], 9.92);
    assert_eq!(e2["disk_used_gb"], 69.44);
    assert_eq!(e2["checkpoint_size_max_gb"], 4.2);
    assert_eq!(recommendation(&v2, "orders"), recommendation(&v1, "orders"));
    // Both files at once: the same datapoints, read once.
    let (_, both) = repo.json(&[".", "--evidence", "evidence"]);
    let mut eb = needs(&both, "orders")["evidence"].clone();
    assert_eq!(eb["files"].as_array().map(Vec::len), Some(2));
    eb["files"] = Value::Null;
    assert_eq!(eb, e2);
    // The page-1 PartialData of an auto-paginated export is completed by page 2: no notice.
    assert!(
        notices(&v2).iter().all(|n| !n.contains("PartialData")),
        "{:?}",
        notices(&v2)
    );
}

#[test]
fn measured_compute_fills_an_undeclared_need_and_makes_the_cut_safe() {
    // Only the state declared: the cut from 14 to the state's KPU needs confirming.
    let repo = setup(
        &[("orders", "# kpulint: state_size=20GB", "14", "false")],
        &["v2-paginated.json"],
    );
    let (_, without) = repo.json(&["."]);
    let r = recommendation(&without, "orders");
    assert_eq!((r["parallelism"].as_u64(), r["safe"].as_bool()), (Some(1), Some(false)));
    assert_eq!(needs(&without, "orders")["compute_source"], Value::Null);
    assert_eq!(needs(&without, "orders")["storage_source"], "declared");
    assert_eq!(needs(&without, "orders")["evidence"], Value::Null);
    // With the evidence, ceil(14 KPUs × 18.71% ÷ 70%) = 4 KPUs of compute: a safe cut to 4.
    let (_, with) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    let n = needs(&with, "orders");
    assert_eq!(n["compute_source"], "measured");
    assert_eq!(n["storage_source"], "declared");
    assert_eq!(n["compute_kpus"], 4);
    let r = recommendation(&with, "orders");
    assert_eq!(
        (r["parallelism"].as_u64(), r["safe"].as_bool()),
        (Some(4), Some(true)),
        "{r:#}"
    );
    assert_eq!(r["safe_part"]["parallelism"], 4);
    assert!(r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "compute: measured ceil(14 KPUs × 18.71% CPU p95 ÷ 70% target) = 4 KPUs"));
    // KPU004 now has a need to measure the margin against.
    let f = the_finding(&with, "KPU004");
    assert!(
        f["message"].as_str().unwrap().contains("250% above the 4 needed"),
        "{f:#}"
    );
    // Nothing declared: both needs from the evidence.
    let repo = repo_plain();
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    let n = needs(&doc, "orders");
    assert_eq!(
        (n["compute_source"].as_str(), n["storage_source"].as_str()),
        (Some("measured"), Some("measured"))
    );
    // 9.92% of 14 KPUs × 50 GB = 69.44 GB, kept below 80%: 2 KPUs of disk.
    assert_eq!(n["storage_kpus"], 2);
    assert!(findings(&doc, "KPU008").is_empty(), "the disk in use sizes the storage");
    assert_eq!(
        app(&doc, "aws_kinesisanalyticsv2_application.orders")["state_size_gb"],
        Value::Null
    );
    let r = recommendation(&doc, "orders");
    assert_eq!((r["parallelism"].as_u64(), r["safe"].as_bool()), (Some(4), Some(true)));
}

#[test]
fn a_measured_compute_need_above_the_configuration_is_kpu011_as_a_warning() {
    // ceil(14 KPUs × 18.71% ÷ 70%) = 4 KPUs of compute measured; parallelism 2 buys 2.
    let repo = setup(
        &[("orders", "# kpulint: state_size=20GB", "2", "false")],
        &["v2-paginated.json"],
    );
    let (_, without) = repo.json(&["."]);
    assert!(
        findings(&without, "KPU011").is_empty(),
        "no need known without evidence"
    );
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    let f = the_finding(&doc, "KPU011");
    assert_eq!(f["severity"], "warning", "{f:#}");
    assert_eq!(
        f["message"],
        "parallelism 2 buys 2 KPUs, below the 4 KPUs the measured CPU needs (ceil(14 KPUs × 18.71% CPU p95 ÷ 70% target)), and autoscaling is off: its CPU runs above the 70% target at the measured load"
    );
    let r = recommendation(&doc, "orders");
    assert_eq!((r["parallelism"].as_u64(), r["safe"].as_bool()), (Some(4), Some(true)));
    // With autoscaling on it names the scale-ups, still a warning.
    let repo = setup(
        &[("orders", "# kpulint: state_size=20GB", "2", "true")],
        &["v2-paginated.json"],
    );
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    let f = the_finding(&doc, "KPU011");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("relies on 1 scale-up (2 KPUs → 4 KPUs)"),
        "{f:#}"
    );
    // A declared need wins: required_parallelism=2 is met, the measurement is KPU013's business.
    let repo = setup(
        &[(
            "orders",
            "# kpulint: state_size=20GB required_parallelism=2",
            "2",
            "false",
        )],
        &["v2-paginated.json"],
    );
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
    assert!(findings(&doc, "KPU011").is_empty(), "{:#}", doc["findings"]);
}

fn repo_plain() -> Repo {
    setup(&[("orders", "", "14", "false")], &["v2-paginated.json"])
}

#[test]
fn a_restart_leaves_its_hours_out_of_the_window() {
    let repo = setup(&[("ingest", "", "8", "false")], &["restart.json"]);
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/restart.json"]);
    let e = &needs(&doc, "ingest")["evidence"];
    // The downtime hour and the hour fullRestarts went up, each with CPU at 100%.
    assert_eq!(e["excluded_hours"], 2);
    assert!(e["cpu_p95_percent"].as_f64().unwrap() < 31.0, "{e:#}");
}

#[test]
fn partial_data_is_a_notice_and_a_cut_from_it_is_not_safe() {
    let repo = setup(&[("partial", "", "14", "false")], &["partial.json"]);
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/partial.json"]);
    assert!(
        notices(&doc)
            .iter()
            .any(|n| n.contains("containerCPUUtilization is not complete (PartialData in evidence/partial.json)")),
        "{:?}",
        notices(&doc)
    );
    let r = recommendation(&doc, "partial");
    assert_eq!(
        (r["parallelism"].as_u64(), r["safe"].as_bool()),
        (Some(4), Some(false)),
        "{r:#}"
    );
    let reasons = r["reasons"].to_string();
    assert!(
        reasons.contains("compute need measured on incomplete evidence (containerCPUUtilization: PartialData in evidence/partial.json)"),
        "{reasons}"
    );
    // --fix applies only the safe part: the parallelism stays.
    assert_eq!(r["safe_part"]["parallelism"], 14);
}

#[test]
fn top_level_messages_and_a_next_token_are_notices() {
    let mut doc = answer(
        &queries_doc(&["orders"], 8, epoch("2026-11-26T00:00:00Z")),
        steady(15.0, 19.0, 10.0, 4.2),
    );
    doc["Messages"] =
        serde_json::json!([{"Code": "MaxMetricsExceeded", "Value": "Maximum number of allowed metrics exceeded"}]);
    doc["NextToken"] = serde_json::json!("xyz");
    let repo = setup(&[("orders", "", "14", "false")], &[]);
    repo.write("cw.json", &pretty(&doc));
    let (_, lint) = repo.json(&[".", "--evidence", "cw.json"]);
    let n = notices(&lint);
    assert!(
        n.iter()
            .any(|m| m == "cw.json: CloudWatch says: MaxMetricsExceeded: Maximum number of allowed metrics exceeded"),
        "{n:?}"
    );
    assert!(n.iter().any(|m| m.starts_with("cw.json has a NextToken")), "{n:?}");
}

#[test]
fn describe_application_one_file_or_an_array() {
    // CLI v1: an array of two applications, epoch CreateTimestamps.
    let repo = setup(&[("orders", "", "14", "false")], &["describe-v1-array.json"]);
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/describe-v1-array.json"]);
    let e = &needs(&doc, "orders")["evidence"];
    assert_eq!(e["current_parallelism"], 14);
    assert_eq!(e["window_start"], Value::Null, "no CloudWatch data: {e:#}");
    assert!(findings(&doc, "KPU014").is_empty(), "the IaC says what runs");
    assert!(
        findings(&doc, "KPU015").is_empty(),
        "describe-application alone is not stale"
    );
    // `partial` is in the array but not scanned.
    assert!(
        notices(&doc)
            .iter()
            .any(|n| n.contains("evidence for application partial, but no scanned application has that name")),
        "{:?}",
        notices(&doc)
    );
}

#[test]
fn running_parallelism_above_the_configured_one_is_a_compute_need() {
    // CurrentParallelism 16 above Parallelism 8: autoscaling raised it.
    let repo = setup(&[("clicks", "", "8", "true")], &["describe-clicks.json"]);
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/describe-clicks.json"]);
    let n = needs(&doc, "clicks");
    assert_eq!(n["compute_source"], "measured");
    assert_eq!(n["compute_kpus"], 16);
    assert_eq!(n["evidence"]["current_parallelism"], 16);
    assert!(recommendation(&doc, "clicks")["parallelism"].as_u64().unwrap() >= 16);
    // A declared need wins over it.
    let repo2 = setup(
        &[("clicks", "# kpulint: required_parallelism=6", "8", "true")],
        &["describe-clicks.json"],
    );
    let (_, doc) = repo2.json(&[".", "--evidence", "evidence/describe-clicks.json"]);
    assert_eq!(needs(&doc, "clicks")["compute_source"], "declared");
    assert_eq!(needs(&doc, "clicks")["compute_kpus"], 6);
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

#[test]
fn kpu013_reports_declarations_above_and_below_the_measurement() {
    // Measured: 4 KPUs of compute, 69.44 GB of disk in use.
    let cases = [
        (
            "# kpulint: required_parallelism=12",
            Some("is 200% above the measured compute need of 4 KPUs"),
        ),
        (
            "# kpulint: required_parallelism=2",
            Some("is 50% below the measured compute need of 4 KPUs"),
        ),
        ("# kpulint: required_kpus=4", None),
        ("# kpulint: required_parallelism=5", None),
        (
            "# kpulint: state_size=240GB",
            Some("is 245.62% above the 69.44 GB of disk the job uses"),
        ),
        (
            "# kpulint: state_size=40GB",
            Some("is 42.4% below the 69.44 GB of disk the job uses"),
        ),
        ("# kpulint: state_size=60GB", None),
    ];
    for (decl, expected) in cases {
        let repo = setup(&[("orders", decl, "14", "false")], &["v2-paginated.json"]);
        let (_, doc) = repo.json(&[".", "--evidence", "evidence/v2-paginated.json"]);
        let found = findings(&doc, "KPU013");
        match expected {
            None => assert!(found.is_empty(), "{decl}: {found:#?}"),
            Some(text) => {
                assert_eq!(found.len(), 1, "{decl}: {doc:#}");
                let f = found[0];
                let message = f["message"].as_str().unwrap();
                assert!(message.contains(text), "{decl}: {message}");
                assert_eq!(f["severity"], "warning");
                // Both values, the window and the evidence file.
                assert!(
                    message.contains("2026-11-18 12:00 UTC – 2026-11-26 00:00 UTC (7.5 days)"),
                    "{message}"
                );
                assert!(message.contains("evidence/v2-paginated.json"), "{message}");
                // At the declared value.
                let value = decl.split('=').nth(1).unwrap();
                let (line, column) = pos(&std::fs::read_to_string(repo.path().join("main.tf")).unwrap(), value);
                assert_eq!(
                    (f["line"].as_u64(), f["column"].as_u64()),
                    (Some(line), Some(column)),
                    "{decl}"
                );
            }
        }
        // The declaration still wins.
        if decl.contains("required") {
            assert_eq!(needs(&doc, "orders")["compute_source"], "declared");
        }
    }
    // A wider tolerance accepts the difference.
    let repo = setup(
        &[("orders", "# kpulint: required_parallelism=2", "14", "false")],
        &["v2-paginated.json"],
    );
    repo.write(
        ".kpulint.hcl",
        "evidence {\n  paths     = [\"evidence\"]\n  tolerance = \"60%\"\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert!(findings(&doc, "KPU013").is_empty(), "{doc:#}");
    assert_eq!(
        needs(&doc, "orders")["evidence"]["kpus_observed"],
        14,
        "evidence.paths read"
    );
}

#[test]
fn kpu014_reports_the_running_configuration_the_next_apply_changes() {
    let repo = setup(
        &[("clicks", "# kpulint: state_size=120GB", "4", "true")],
        &["describe-clicks.json"],
    );
    let (_, doc) = repo.json(&[".", "--evidence", "evidence/describe-clicks.json"]);
    let f = the_finding(&doc, "KPU014");
    assert_eq!(f["severity"], "warning");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("the running application clicks has Parallelism 8 where the IaC resolves parallelism to 4 (describe-application in evidence/describe-clicks.json)"),
        "{message}"
    );
    // 120 GB / 12 GB/min.
    assert!(message.ends_with("a snapshot and restart taking about 10 minutes (120 GB of declared state at 12 GB/min, defaults.rescale_gb_per_minute)"), "{message}");
    let text = std::fs::read_to_string(repo.path().join("main.tf")).unwrap();
    let (line, column) = pos(&text, "= 4");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(line), Some(column + 2))
    );
    // Every difference of the four, in one finding.
    let repo = repo_with_describe(
        r#""ConfigurationType": "CUSTOM", "Parallelism": 4, "ParallelismPerKPU": 2, "CurrentParallelism": 4, "AutoScalingEnabled": false"#,
    );
    let (_, doc) = repo.json(&[".", "--evidence", "d.json"]);
    let message = the_finding(&doc, "KPU014")["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("ParallelismPerKPU 2 where the IaC resolves parallelism_per_kpu to 1"),
        "{message}"
    );
    assert!(
        message.contains("AutoScalingEnabled false where the IaC resolves auto_scaling_enabled to true"),
        "{message}"
    );
    assert!(
        message.contains("whose length depends on the state size, which is neither declared nor measured"),
        "{message}"
    );
    let repo = repo_with_describe(
        r#""ConfigurationType": "DEFAULT", "Parallelism": 1, "ParallelismPerKPU": 1, "CurrentParallelism": 1, "AutoScalingEnabled": true"#,
    );
    let (_, doc) = repo.json(&[".", "--evidence", "d.json"]);
    let message = the_finding(&doc, "KPU014")["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("ConfigurationType DEFAULT where the IaC resolves configuration_type to CUSTOM"),
        "{message}"
    );
    // The same configuration: nothing to report.
    let repo = repo_with_describe(
        r#""ConfigurationType": "CUSTOM", "Parallelism": 4, "ParallelismPerKPU": 1, "CurrentParallelism": 4, "AutoScalingEnabled": true"#,
    );
    let (_, doc) = repo.json(&[".", "--evidence", "d.json"]);
    assert!(findings(&doc, "KPU014").is_empty(), "{doc:#}");
}

fn repo_with_describe(parallelism: &str) -> Repo {
    let repo = setup(&[("clicks", "", "4", "true")], &[]);
    repo.write(
        "d.json",
        &format!(
            r#"{{"ApplicationDetail": {{"ApplicationName": "clicks", "ApplicationStatus": "RUNNING", "ApplicationVersionId": 3,
  "RuntimeEnvironment": "FLINK-1_20", "ApplicationARN": "arn:aws:kinesisanalytics:us-east-1:123456789012:application/clicks",
  "ApplicationConfigurationDescription": {{"FlinkApplicationConfigurationDescription": {{
    "ParallelismConfigurationDescription": {{{parallelism}}}}}}}}}}}"#
        ),
    );
    repo
}

#[test]
fn kpu015_reports_old_short_and_incomplete_evidence_and_nothing_uses_it() {
    let (_, fresh) = repo_plain().json(&["."]);
    let baseline = recommendation(&fresh, "orders");
    // Old: the newest datapoint is 2026-11-25 23:00, 96 days before 2027-03-02.
    let repo = repo_plain();
    let mut cmd = kpulint(repo.path());
    cmd.args([".", "--evidence", "evidence/v2-paginated.json", "--format", "json"])
        .env("KPULINT_TODAY", "2027-03-02");
    let r = exec(cmd);
    let doc = r.json();
    let f = the_finding(&doc, "KPU015");
    assert_eq!(f["severity"], "note");
    assert!(
        f["message"].as_str().unwrap().contains(
            "the newest datapoint (2026-11-25 23:00 UTC) is 96 days old, more than evidence.max_age_days = 30"
        ),
        "{f:#}"
    );
    assert_eq!(needs(&doc, "orders")["compute_source"], Value::Null);
    assert!(findings(&doc, "KPU004").is_empty());
    // Used for nothing: the recommendation is what it is without evidence.
    assert_eq!(recommendation(&doc, "orders"), baseline);
    // Short: three days.
    let doc3 = answer(
        &queries_doc(&["orders"], 3, epoch("2026-11-26T00:00:00Z")),
        steady(15.0, 19.0, 10.0, 4.2),
    );
    repo.write("short.json", &pretty(&doc3));
    let (_, doc) = repo.json(&[".", "--evidence", "short.json"]);
    assert!(
        the_finding(&doc, "KPU015")["message"]
            .as_str()
            .unwrap()
            .contains("the window spans 3 days, less than evidence.min_days = 7"),
        "{doc:#}"
    );
    assert_eq!(recommendation(&doc, "orders"), baseline);
    // A shorter min_days accepts it.
    repo.write(".kpulint.hcl", "evidence {\n  min_days = 2\n}\n");
    let (_, doc) = repo.json(&[".", "--evidence", "short.json"]);
    assert!(findings(&doc, "KPU015").is_empty(), "{doc:#}");
    std::fs::remove_file(repo.path().join(".kpulint.hcl")).unwrap();
    // A metric missing.
    let doc_missing = answer(
        &queries_doc(&["orders"], 8, epoch("2026-11-26T00:00:00Z")),
        |a, m, h| {
            (m != "containerDiskUtilization")
                .then(|| steady(15.0, 19.0, 10.0, 4.2)(a, m, h))
                .flatten()
        },
    );
    repo.write("missing.json", &pretty(&doc_missing));
    let (_, doc) = repo.json(&[".", "--evidence", "missing.json"]);
    assert!(
        the_finding(&doc, "KPU015")["message"]
            .as_str()
            .unwrap()
            .ends_with("is not used: containerDiskUtilization is missing"),
        "{doc:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// Files: unknown applications, broken files, directories
// ---------------------------------------------------------------------------------------------

#[test]
fn evidence_for_an_unknown_application_is_a_notice() {
    let repo = setup(&[("payments", "", "4", "false")], &["v2-paginated.json"]);
    let (code, doc) = repo.json(&[".", "--evidence", "evidence"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty());
    assert_eq!(
        notices(&doc),
        ["evidence/v2-paginated.json has evidence for application orders, but no scanned application has that name (evidence is matched by an application's resolved name): not used"]
    );
    assert_eq!(needs(&doc, "payments")["evidence"], Value::Null);
}

#[test]
fn an_error_in_a_minified_evidence_file_is_located_on_its_one_line() {
    let repo = setup(&[("orders", "", "14", "false")], &["v2-paginated.json"]);
    // The export on one line (jq -c), a series with one value fewer than its timestamps.
    let whole: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(FIXTURES).join("v2-paginated.json")).unwrap())
            .unwrap();
    let mut text = whole.to_string();
    let values = text.rfind("\"Values\":[").unwrap() + "\"Values\":[".len();
    let first_comma = values + text[values..].find(',').unwrap();
    text.replace_range(values..=first_comma, "");
    assert!(!text.contains('\n') && values > 2000, "past the 2000 characters quoted");
    repo.write("evidence/min.json", &text);
    let (code, doc) = repo.json(&[".", "--evidence", "evidence/min.json"]);
    assert_eq!(code, 2, "{doc:#}");
    let e = &doc["errors"][0];
    assert!(e["message"].as_str().unwrap().contains("Timestamps but"), "{e:#}");
    assert_eq!(e["line"], 1, "{e:#}");
    let column = e["column"].as_u64().unwrap() as usize;
    assert!(column > values && column <= text.len() + 1, "{e:#}");
}

#[test]
fn a_malformed_evidence_file_is_an_input_error_at_the_file_and_the_rest_is_linted() {
    let repo = setup(
        &[("orders", "", "14", "false"), ("other", "", "3", "false")],
        &["v2-paginated.json"],
    );
    // Cut in the middle of orders' second series.
    let whole = std::fs::read_to_string(root().join(FIXTURES).join("v1-epoch-descending.json")).unwrap();
    let cut = whole.find("\"Id\": \"cpu_max_3600_orders\"").unwrap() + 800;
    repo.write("evidence/truncated.json", &whole[..cut]);
    repo.write(
        "evidence/plan.json",
        "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {}\n}\n",
    );
    repo.write("evidence/not-json.json", "MetricDataResults: []\n");
    let (code, doc) = repo.json(&[".", "--evidence", "evidence"]);
    assert_eq!(code, 2, "{doc:#}");
    let errors: Vec<(String, u64, u64, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert_eq!(errors[0].0, "evidence/not-json.json");
    assert_eq!((errors[0].1, errors[0].2), (1, 1));
    assert_eq!(errors[1].0, "evidence/plan.json");
    assert!(
        errors[1].3.contains("neither `aws cloudwatch get-metric-data` output"),
        "{}",
        errors[1].3
    );
    assert_eq!(errors[2].0, "evidence/truncated.json");
    assert!(errors[2].3.contains("ends early"), "{}", errors[2].3);
    assert!(errors[2].1 > 1, "at the end of the file: {errors:?}");
    // The truncated file named orders: orders is tainted by it (no cost, no recommendation).
    let orders = app(&doc, "aws_kinesisanalyticsv2_application.orders");
    assert_eq!(orders["tainted_by"], serde_json::json!(["evidence/truncated.json"]));
    assert_eq!(orders["recommendation"], Value::Null);
    // The other application is linted as usual, and nothing of the broken files is used.
    let other = app(&doc, "aws_kinesisanalyticsv2_application.other");
    assert_eq!(other["tainted_by"], serde_json::json!([]));
    assert!(other["recommendation"].is_object());
    // Human output names the file too.
    let r = repo.run(&[".", "--evidence", "evidence/plan.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("evidence/plan.json"), "{}", r.stdout);
    // A missing file is an input error too.
    let (code, doc) = repo.json(&[".", "--evidence", "nowhere.json"]);
    assert_eq!(code, 2);
    assert!(error_messages(&doc)[0].contains("cannot read evidence file nowhere.json"));
}

#[test]
fn a_queries_file_beside_the_exports_is_not_evidence() {
    let repo = setup(&[("orders", "", "14", "false")], &["v2-paginated.json"]);
    let r = repo.run(&["evidence", "queries", ".", "--output", "evidence/queries.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, doc) = repo.json(&[".", "--evidence", "evidence"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty());
    assert!(notices(&doc)
        .iter()
        .any(|n| n.contains("queries.json is a get-metric-data queries file")));
    assert_eq!(needs(&doc, "orders")["compute_source"], "measured");
}

#[test]
fn config_evidence_block_is_checked() {
    let repo = repo_plain();
    repo.write(
        ".kpulint.hcl",
        "evidence {\n  paths = \"evidence\"\n  target_cpu_utilization = \"170%\"\n  tolerance = 1\n  colour = 1\n}\n",
    );
    let (code, doc) = repo.json(&["."]);
    assert_eq!(code, 2);
    let errors = error_messages(&doc);
    assert!(
        errors.iter().any(|e| e.contains(
            "tolerance must be a percentage written as a string, such as \"1%\" (a bare number is ambiguous"
        )),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("paths must be a list")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("target_cpu_utilization must be above 0% and at most 100%")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unknown setting \"colour\" in evidence block")),
        "{errors:?}"
    );
    // A lower target means more KPUs for the same CPU: ceil(14 × 18.71% ÷ 50%) = 6.
    repo.write(
        ".kpulint.hcl",
        "evidence {\n  paths = [\"evidence\"]\n  target_cpu_utilization = \"50%\"\n}\n",
    );
    let (_, doc) = repo.json(&["."]);
    assert_eq!(needs(&doc, "orders")["compute_kpus"], 6);
}

// ---------------------------------------------------------------------------------------------
// Without evidence, nothing changes
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_evidence_directory_changes_no_output() {
    let empty = Repo::new();
    let dir = empty.path().to_str().unwrap();
    for format in ["json", "human", "sarif", "github"] {
        let plain = run(&root(), &["examples", "tests/fixtures/hcl/multi", "--format", format]);
        let with = run(
            &root(),
            &[
                "examples",
                "tests/fixtures/hcl/multi",
                "--format",
                format,
                "--evidence",
                dir,
            ],
        );
        assert_eq!(plain.stdout, with.stdout, "{format}");
        assert_eq!(plain.code, with.code, "{format}");
    }
    for command in [
        &["cost", "examples"][..],
        &["what-if", "examples", "--state-scale", "0.5"][..],
    ] {
        let plain = run(&root(), command);
        let mut args = command.to_vec();
        args.extend(["--evidence", dir]);
        assert_eq!(plain.stdout, run(&root(), &args).stdout, "{command:?}");
    }
}

#[cfg(unix)]
#[test]
fn special_files_and_links_out_of_the_repository_in_an_evidence_directory_are_skipped_with_a_notice() {
    let repo = setup(&[("orders", "", "14", "false")], &["v2-paginated.json"]);
    let fifo = repo.path().join("evidence/fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.json"), "{\"MetricDataResults\": []}").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        repo.path().join("evidence/link.json"),
    )
    .unwrap();
    let (code, doc) = repo.json(&[".", "--evidence", "evidence"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    let n = notices(&doc);
    assert!(n.iter().any(|m| m.contains("evidence/fifo.json is a FIFO")), "{n:?}");
    assert!(
        n.iter()
            .any(|m| m.contains("evidence/link.json is a symbolic link to outside the repository")),
        "{n:?}"
    );
    assert_eq!(
        needs(&doc, "orders")["compute_source"],
        "measured",
        "the other file is read"
    );
}

// ---------------------------------------------------------------------------------------------
// Instances: one module, several roots
// ---------------------------------------------------------------------------------------------

const PROD: &str = "envs/prod:module.kda_flink.aws_kinesisanalyticsv2_application.this";
const DEV: &str = "envs/dev:module.kda_flink.aws_kinesisanalyticsv2_application.this";

/// The instances fixture (`modules/kda_flink` called from `envs/dev` as orders-dev at
/// parallelism 4 and from `envs/prod` as orders-prod at 8, both declaring 40 GB and a need of
/// 2), with `evidence/prod.json`: CloudWatch's answer to `kpulint evidence queries` for
/// orders-prod only, 9 KPUs billed (8 the application's) at 50% CPU.
fn instances_with_prod_evidence() -> Repo {
    let repo = Repo::new();
    repo.copy_dir("tests/fixtures/instances/modules", "modules");
    repo.copy_dir("tests/fixtures/instances/envs", "envs");
    let r = repo.run(&["evidence", "queries", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("queries");
    let mut names: Vec<&str> = queries(&doc).iter().map(|q| q.application).collect();
    names.dedup();
    assert_eq!(
        names,
        ["orders-dev", "orders-prod"],
        "each root's resolved name is queried"
    );
    let mut export = answer(&doc, steady(9.0, 50.0, 10.0, 30.0));
    export["MetricDataResults"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["Label"].as_str().unwrap().starts_with("orders-prod "));
    repo.write("evidence/prod.json", &pretty(&export));
    repo
}

#[test]
fn evidence_attaches_to_the_instance_whose_resolved_name_it_names() {
    let repo = instances_with_prod_evidence();
    let (_, without) = repo.json(&["."]);
    let (_, with) = repo.json(&[".", "--evidence", "evidence"]);
    assert!(with["errors"].as_array().unwrap().is_empty(), "{with:#}");
    assert!(notices(&with).is_empty(), "{:?}", notices(&with));
    // prod: ceil(8 KPUs × 50% ÷ 70%) = 6 KPUs measured, against the 2 declared.
    let prod = &by_instance(&with, PROD)["needs"];
    assert_eq!(prod["evidence"]["kpus_observed"], 8, "{prod:#}");
    assert_eq!(prod["evidence"]["files"], serde_json::json!(["evidence/prod.json"]));
    let kpu013: Vec<&Value> = findings(&with, "KPU013");
    assert_eq!(kpu013.len(), 1, "{kpu013:#?}");
    assert_eq!(kpu013[0]["instance"], PROD);
    assert!(
        kpu013[0]["message"].as_str().unwrap().contains("6 KPUs"),
        "{:#}",
        kpu013[0]
    );
    // dev: nothing changes, not even its findings.
    assert_eq!(by_instance(&with, DEV), by_instance(&without, DEV));
    assert_eq!(by_instance(&with, DEV)["needs"]["evidence"], Value::Null);
    let dev_findings = |doc: &Value| -> Vec<Value> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["instance"] == DEV)
            .cloned()
            .collect()
    };
    assert_eq!(dev_findings(&with), dev_findings(&without));
}

#[test]
fn evidence_for_a_name_several_instances_share_is_used_by_none_and_a_notice() {
    let repo = instances_with_prod_evidence();
    // dev named like prod (another account, say): the export cannot tell which one it measured.
    let dev = std::fs::read_to_string(repo.path().join("envs/dev/main.tf")).unwrap();
    repo.write("envs/dev/main.tf", &dev.replace("\"orders-dev\"", "\"orders-prod\""));
    let (_, without) = repo.json(&["."]);
    let (_, with) = repo.json(&[".", "--evidence", "evidence"]);
    for instance in [PROD, DEV] {
        assert_eq!(by_instance(&with, instance)["needs"]["evidence"], Value::Null);
        assert_eq!(by_instance(&with, instance), by_instance(&without, instance));
    }
    assert!(findings(&with, "KPU013").is_empty());
    assert_eq!(
        notices(&with),
        [format!(
            "the evidence for orders-prod in evidence/prod.json is not used: 2 scanned applications are named orders-prod ({DEV}, {PROD}), and a name is unique only within an account and region, so it cannot tell which one it measured; lint each environment with its own --evidence (kpulint envs/prod --evidence prod-evidence/)"
        )]
    );
    // Linting one environment alone, the same evidence is prod's.
    let (_, prod_only) = repo.json(&["envs/prod", "--evidence", "evidence"]);
    assert!(notices(&prod_only).is_empty(), "{:?}", notices(&prod_only));
    assert_eq!(by_instance(&prod_only, PROD)["needs"]["evidence"]["kpus_observed"], 8);
}
