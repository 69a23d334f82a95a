//! The CI output formats (`--format sarif|github|junit|checkstyle|compact`) on one fixture:
//! `tests/fixtures/formats/my infra/main.tf` (a path with a space) holds three applications,
//!
//! - `offers`: state_size 240GB, required_parallelism 4, parallelism 12 (through a variable
//!   default, so findings have a related location), 1 per KPU, no autoscaling → KPU004 + KPU005;
//! - `orders`: parallelism 10, 4 per KPU, needs exactly its 3 KPUs → KPU006 (note);
//! - `router`: no state declared, KPU008 suppressed inline until 2099-01-01;
//!
//! and `broken.tf` beside it is malformed, an input error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod json_schema;

const TODAY: &str = "2026-11-26";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

/// Runs `kpulint . --format <format> <extra>` in `dir`; returns stdout and the exit code.
fn run_in(dir: &Path, format: &str, extra: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("kpulint")
        .unwrap()
        .current_dir(dir)
        .env("KPULINT_TODAY", TODAY)
        .env_remove("NO_COLOR")
        .args([".", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (stdout, out.status.code().unwrap_or(-1))
}

fn run(format: &str) -> String {
    let (out, code) = run_in(&fixture_dir(), format, &[]);
    assert_eq!(code, 2, "the malformed file makes the exit code 2 in every format");
    out
}

fn sarif_of(dir: &Path) -> Value {
    let (out, _) = run_in(dir, "sarif", &[]);
    serde_json::from_str(&out).expect("SARIF output is JSON")
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

/// The SARIF log with what changes without a change to this feature replaced: the version,
/// the absolute directory, and the rule pages (checked here against `rules/`, then shortened).
fn normalized_sarif() -> String {
    let mut doc = sarif_of(&fixture_dir());
    let version = env!("CARGO_PKG_VERSION");
    let driver = &mut doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], version);
    assert_eq!(driver["semanticVersion"], version);
    driver["version"] = "[VERSION]".into();
    driver["semanticVersion"] = "[VERSION]".into();
    for rule in driver["rules"].as_array_mut().unwrap() {
        let id = rule["id"].as_str().unwrap().to_string();
        let meta = kpulint::rules::by_id(&id).unwrap();
        assert_eq!(rule["help"]["markdown"], meta.doc);
        assert_eq!(rule["help"]["text"], meta.doc);
        assert_eq!(rule["shortDescription"]["text"], meta.summary());
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.is_empty() && meta.doc.contains(full), "{id}: {full}");
        rule["help"] =
            serde_json::json!({ "text": format!("[rules/{id}.md]"), "markdown": format!("[rules/{id}.md]") });
        rule["shortDescription"]["text"] = format!("[summary of {id}]").into();
        rule["fullDescription"] = serde_json::json!({
            "text": format!("[What it checks, {id}]"),
            "markdown": format!("[What it checks, {id}]"),
        });
    }
    let root = &mut doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    let uri = root.as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/tests/fixtures/formats/"),
        "{uri}"
    );
    *root = "[SRCROOT]".into();
    serde_json::to_string_pretty(&doc).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn snapshot_sarif() {
    insta::assert_snapshot!("sarif", normalized_sarif());
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!("github", run("github"));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!("junit", run("junit"));
}

#[test]
fn snapshot_checkstyle() {
    insta::assert_snapshot!("checkstyle", run("checkstyle"));
}

#[test]
fn snapshot_compact() {
    insta::assert_snapshot!("compact", run("compact"));
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The official OASIS SARIF 2.1.0 schema, committed in `tests/fixtures/` so that CI validates
/// against it on any clone; the `KPULINT_SARIF_SCHEMA` environment variable can point elsewhere.
fn sarif_schema() -> Option<Value> {
    let path = std::env::var_os("KPULINT_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/sarif-schema-2.1.0.json"
            ))
        });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).expect("the schema is JSON"))
}

fn assert_valid(validator: &json_schema::Validator, doc: &Value, what: &str) {
    let errors = validator.errors(doc);
    assert!(
        errors.is_empty(),
        "{what} is not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(schema) = sarif_schema() else { return };
    let validator = json_schema::Validator::new(schema).expect("the schema uses only supported keywords");
    assert_valid(&validator, &sarif_of(&fixture_dir()), "the fixture's log");

    // A run with nothing to report: empty results, no notifications.
    let empty = tempfile::tempdir().unwrap();
    let doc = sarif_of(empty.path());
    assert_eq!(results(&doc).len(), 0);
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_valid(&validator, &doc, "the empty log");

    // The validator does reject a broken log.
    let mut broken = sarif_of(&fixture_dir());
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0.into();
    assert!(!validator.is_valid(&broken));
}

/// Every `null` in a document, by path.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nulls(x, &format!("{path}/{i}"), out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| nulls(x, &format!("{path}/{k}"), out)),
        _ => {}
    }
}

fn assert_physical_location(loc: &Value, what: &str) {
    let art = &loc["artifactLocation"];
    let uri = art["uri"].as_str().unwrap_or_else(|| panic!("{what}: no uri"));
    assert!(!uri.is_empty(), "{what}: empty uri");
    assert!(
        !uri.contains("://") && !uri.starts_with('/'),
        "{what}: uri {uri} is not relative"
    );
    assert!(
        !uri.contains(' ') && !uri.contains('\\'),
        "{what}: uri {uri} is not encoded"
    );
    assert_eq!(art["uriBaseId"], "%SRCROOT%", "{what}");
    let region = &loc["region"];
    let n = |k: &str| {
        region[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{what}: region without {k}"))
    };
    let (sl, sc, el, ec) = (n("startLine"), n("startColumn"), n("endLine"), n("endColumn"));
    assert!(sl >= 1 && sc >= 1 && el >= sl && ec >= 1, "{what}: {region}");
    if el == sl {
        assert!(ec >= sc, "{what}: {region}");
    }
}

#[test]
fn sarif_structure() {
    let doc = sarif_of(&fixture_dir());
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(doc["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let mut null_paths = Vec::new();
    nulls(&doc, "", &mut null_paths);
    assert!(null_paths.is_empty(), "null fields: {null_paths:?}");

    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .ends_with('/'));

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kpulint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, kpulint::rules::ids(), "every rule, in order");
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let help_uri = r["helpUri"].as_str().unwrap_or("");
        assert!(
            help_uri.starts_with("https://") && help_uri.ends_with(&format!("{id}.md")),
            "{id}"
        );
        for k in ["shortDescription", "fullDescription", "help"] {
            assert!(!r[k]["text"].as_str().unwrap_or("").is_empty(), "{id} {k}");
        }
        assert!(!r["help"]["markdown"].as_str().unwrap_or("").is_empty(), "{id}");
        assert!(!r["name"].as_str().unwrap_or("").is_empty(), "{id}");
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{id}");
        assert!(
            r["properties"]["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{id}"
        );
    }

    let results = results(&doc);
    let got: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("KPU004", "warning"),
            ("KPU005", "warning"),
            ("KPU006", "note"),
            ("KPU008", "note")
        ]
    );
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex of {id}");
        assert!(r["message"]["text"].as_str().unwrap().contains("\nhelp: "), "{id}");
        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        assert_physical_location(&locations[0]["physicalLocation"], id);
        assert_eq!(
            locations[0]["physicalLocation"]["artifactLocation"]["uri"],
            "my%20infra/main.tf"
        );
        for rel in r["relatedLocations"].as_array().into_iter().flatten() {
            assert!(rel["id"].as_u64().is_some(), "{id}: related id");
            assert!(!rel["message"]["text"].as_str().unwrap().is_empty(), "{id}");
            assert_physical_location(&rel["physicalLocation"], id);
        }
        let fp = r["partialFingerprints"]["kpulint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16, "{id}");
    }

    // The region of KPU004 is `var.offers_parallelism` on line 12.
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 12);
    assert_eq!(region["startColumn"], 32);
    assert_eq!(region["endLine"], 12);
    assert_eq!(region["endColumn"], 32 + "var.offers_parallelism".len());
    let related = results[0]["relatedLocations"].as_array().unwrap();
    assert_eq!(related[0]["message"]["text"], "default of var.offers_parallelism");

    // Only the KPU008 finding is suppressed, inline, with its reason.
    for r in &results[..3] {
        assert!(r.get("suppressions").is_none(), "{r}");
    }
    let sup = &results[3]["suppressions"];
    assert_eq!(
        sup,
        &serde_json::json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": "stateless",
            "properties": { "until": "2099-01-01" }
        }])
    );

    // The malformed file is a notification, and the run did not succeed.
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    // The error, then the notice that the applications of its directory are not priced.
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[1]["level"], "note");
    assert!(notes[1]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("not priced, recommended or fixed"));
    assert!(notes[0]["message"]["text"].as_str().unwrap().contains("invalid HCL"));
    let loc = &notes[0]["locations"][0]["physicalLocation"];
    assert_physical_location(loc, "notification");
    assert_eq!(loc["artifactLocation"]["uri"], "my%20infra/broken.tf");
}

fn copy_main_tf(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture_dir().join("my infra/main.tf")).unwrap();
    std::fs::write(dir.path().join("main.tf"), format!("{prefix}{text}")).unwrap();
    dir
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let before = copy_main_tf("");
    let after = copy_main_tf("\n");
    let (a, b) = (sarif_of(before.path()), sarif_of(after.path()));
    let fingerprints =
        |d: &Value| -> Vec<Value> { results(d).iter().map(|r| r["partialFingerprints"].clone()).collect() };
    let lines = |d: &Value| -> Vec<u64> {
        results(d)
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(results(&a).len(), 4);
    assert_eq!(fingerprints(&a), fingerprints(&b));
    // The edit did move every finding one line down.
    assert_eq!(lines(&a).iter().map(|l| l + 1).collect::<Vec<_>>(), lines(&b));
    assert_eq!(
        results(&a)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
}

#[test]
fn output_file_holds_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kpulint.sarif");
    let (stdout, code) = run_in(&fixture_dir(), "sarif", &["--output", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, sarif_of(&fixture_dir()));
}

// ---------------------------------------------------------------------------------------------
// All formats agree

/// `(rule, line, column)` of each active finding, from a compact line.
fn compact_key(line: &str) -> Option<(String, u64, u64)> {
    let (loc, rest) = line.split_once(": ")?;
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let ln = parts.next()?.parse().ok()?;
    let rule = rest.split_once('[')?.1.split_once(']')?.0.to_string();
    Some((rule, ln, col))
}

#[test]
fn every_format_reports_the_same_findings_in_the_same_order() {
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let from_json: Vec<(String, u64, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_json.len(), 3);

    let sarif = sarif_of(&fixture_dir());
    let from_sarif: Vec<(String, u64, u64)> = results(&sarif)
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_sarif, from_json, "sarif");

    let compact = run("compact");
    let from_compact: Vec<_> = compact
        .lines()
        .filter_map(compact_key)
        .filter(|k| k.0 != "input")
        .collect();
    assert_eq!(from_compact, from_json, "compact");

    let github = run("github");
    let from_github: Vec<_> = github
        .lines()
        .filter(|l| !l.contains("title=kpulint::") && !l.contains("title=kpulint gate"))
        .map(|l| {
            let props = l.split_once(' ').unwrap().1.split_once("::").unwrap().0;
            let get = |k: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap()
                    .to_string()
            };
            let rule = get("title").split(' ').next().unwrap().to_string();
            (rule, get("line").parse().unwrap(), get("col").parse().unwrap())
        })
        .collect();
    assert_eq!(from_github, from_json, "github");

    let checkstyle = run("checkstyle");
    let xml = roxmltree::Document::parse(&checkstyle).unwrap();
    let from_checkstyle: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .filter_map(|n| {
            let rule = n.attribute("source")?.strip_prefix("kpulint.KPU")?;
            Some((
                format!("KPU{rule}"),
                n.attribute("line")?.parse().ok()?,
                n.attribute("column")?.parse().ok()?,
            ))
        })
        .collect();
    assert_eq!(from_checkstyle, from_json, "checkstyle");

    // JUnit lists findings at or above --fail-on; with `note` that is all of them.
    let (junit, _) = run_in(&fixture_dir(), "junit", &["--fail-on", "note"]);
    let xml = roxmltree::Document::parse(&junit).unwrap();
    let from_junit: Vec<String> = xml
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.attribute("type").unwrap().to_string())
        .filter(|t| t != "gate")
        .collect();
    let rules: Vec<String> = from_json.iter().map(|k| k.0.clone()).collect();
    assert_eq!(from_junit, rules, "junit");
}

// ---------------------------------------------------------------------------------------------
// GitHub

#[test]
fn github_lines_are_workflow_commands() {
    let out = run("github");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    // Paths relative to the repository root (GitHub maps annotations from there).
    assert!(lines[0].starts_with("::error file=tests/fixtures/formats/my infra/broken.tf,line=4,col=19,"));
    assert!(lines[0].contains(",title=kpulint::invalid HCL"));
    assert!(lines[1].starts_with(
        "::warning file=tests/fixtures/formats/my infra/main.tf,line=12,col=32,endLine=12,endColumn=54,title=KPU004 overscale-margin::"
    ));
    assert!(lines[2].starts_with("::warning ") && lines[2].contains("title=KPU005 bundle-waste::"));
    assert!(lines[3].starts_with("::notice ") && lines[3].contains("title=KPU006 partial-kpu::"));
    // `%` is escaped in messages, and help follows on an escaped new line.
    assert!(lines[1].contains("20%25 above") && lines[1].contains("%0Ahelp: no recommendation while"));
    // The gate that fails the job, last, without a file.
    assert_eq!(
        lines[4],
        "::error title=kpulint gate fail-on::gate failed: --fail-on warning: 2 findings at or above warning"
    );
    assert!(!out.contains("KPU008"), "suppressed findings are left out");
}

#[cfg(unix)]
#[test]
fn github_escapes_odd_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture_dir().join("my infra/main.tf")).unwrap();
    std::fs::write(dir.path().join("a,b:c%d.tf"), text).unwrap();
    let (out, code) = run_in(dir.path(), "github", &[]);
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("::warning file=a%2Cb%3Ac%25d.tf,line=12,"), "{first}");

    let (sarif, _) = run_in(dir.path(), "sarif", &[]);
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        results(&doc)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a%2Cb%3Ac%25d.tf"
    );
}

// ---------------------------------------------------------------------------------------------
// JUnit

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("<{}> without {name}", n.tag_name().name()))
}

#[test]
fn junit_parses_back() {
    let out = run("junit");
    let xml = roxmltree::Document::parse(&out).expect("well-formed JUnit XML");
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(attr(root, "name"), "kpulint");
    assert_eq!(
        (attr(root, "tests"), attr(root, "failures"), attr(root, "errors")),
        ("5", "2", "1")
    );

    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<&str> = suites.iter().map(|s| attr(*s, "name")).collect();
    assert_eq!(names, ["my infra/broken.tf", "my infra/main.tf", "kpulint gates"]);
    // The gate that failed the run, with its limit and value.
    let gate = suites[2].descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(attr(gate, "type"), "gate");
    assert_eq!(
        attr(gate, "message"),
        "gate failed: --fail-on warning: 2 findings at or above warning"
    );

    // The malformed file: one test case named after it, with an <error>.
    let broken: Vec<_> = suites[0].children().filter(|n| n.is_element()).collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(attr(broken[0], "name"), "my infra/broken.tf");
    let error = broken[0].children().find(|n| n.has_tag_name("error")).unwrap();
    assert!(attr(error, "message").contains("expected `\"`"), "quotes round-trip");
    assert!(error.text().unwrap().contains("at my infra/broken.tf:4:19"));

    // main.tf: a test case per application, failures at or above --fail-on (warning).
    let cases: BTreeMap<&str, Vec<roxmltree::Node>> = suites[1]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| {
            assert_eq!(attr(c, "classname"), "my infra/main.tf");
            (
                attr(c, "name"),
                c.children().filter(|n| n.has_tag_name("failure")).collect(),
            )
        })
        .collect();
    assert_eq!(
        cases.keys().copied().collect::<Vec<_>>(),
        [
            "tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.offers",
            "tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.orders",
            "tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.router"
        ]
    );
    let offers = &cases["tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.offers"];
    let types: Vec<&str> = offers.iter().map(|f| attr(*f, "type")).collect();
    assert_eq!(types, ["KPU004", "KPU005"]);
    assert!(
        attr(offers[1], "message").contains("12 KPUs' vCPU"),
        "apostrophes round-trip"
    );
    let body = offers[0].text().unwrap();
    assert!(body.contains("at my infra/main.tf:12:32"), "{body}");
    assert!(
        body.contains("help: no recommendation while my infra/broken.tf"),
        "{body}"
    );
    assert!(
        cases["tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.orders"].is_empty(),
        "a note is below --fail-on warning"
    );
    assert!(
        cases["tests/fixtures/formats/my infra:aws_kinesisanalyticsv2_application.router"].is_empty(),
        "suppressed"
    );
    assert_eq!(
        (
            attr(suites[1], "tests"),
            attr(suites[1], "failures"),
            attr(suites[1], "errors")
        ),
        ("3", "1", "0")
    );
}

#[test]
fn junit_follows_fail_on() {
    let count = |fail_on: &str| {
        let (out, _) = run_in(&fixture_dir(), "junit", &["--fail-on", fail_on]);
        let xml = roxmltree::Document::parse(&out).unwrap();
        let failures = xml.descendants().filter(|n| n.has_tag_name("failure")).count();
        let root = xml.root_element();
        (failures, attr(root, "failures").to_string())
    };
    // Each finding at or above the level, and the gate it fails.
    assert_eq!(count("note"), (4, "3".to_string()));
    assert_eq!(count("warning"), (3, "2".to_string()));
    assert_eq!(count("error"), (0, "0".to_string()));
    assert_eq!(count("never"), (0, "0".to_string()));
}

// ---------------------------------------------------------------------------------------------
// Checkstyle and compact

#[test]
fn checkstyle_parses_back() {
    let out = run("checkstyle");
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">"));
    let xml = roxmltree::Document::parse(&out).expect("well-formed checkstyle XML");
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "checkstyle");
    assert_eq!(attr(root, "version"), "4.3");
    let files: Vec<_> = root.children().filter(|n| n.has_tag_name("file")).collect();
    let names: Vec<&str> = files.iter().map(|f| attr(*f, "name")).collect();
    assert_eq!(names, ["my infra/broken.tf", "my infra/main.tf"]);
    let errors = |f: roxmltree::Node| -> Vec<(String, String, String, String)> {
        f.children()
            .filter(|n| n.has_tag_name("error"))
            .map(|e| {
                assert!(!attr(e, "message").is_empty());
                (
                    attr(e, "line").to_string(),
                    attr(e, "column").to_string(),
                    attr(e, "severity").to_string(),
                    attr(e, "source").to_string(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str, c: &str, d: &str| (a.to_string(), b.to_string(), c.to_string(), d.to_string());
    assert_eq!(errors(files[0]), [s("4", "19", "error", "kpulint.input")]);
    assert_eq!(
        errors(files[1]),
        [
            s("12", "32", "warning", "kpulint.KPU004"),
            s("12", "32", "warning", "kpulint.KPU005"),
            s("30", "32", "info", "kpulint.KPU006"),
        ]
    );
    let first = files[1].children().find(|n| n.has_tag_name("error")).unwrap();
    assert!(
        attr(first, "message").contains("\nhelp: "),
        "new lines survive in attributes"
    );
}

#[test]
fn compact_lines() {
    let out = run("compact");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "my infra/broken.tf:4:19: error[input] invalid HCL: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"
    );
    assert!(lines[1].starts_with("my infra/main.tf:12:32: warning[KPU004] parallelism 12 buys 12 KPUs"));
    assert!(lines[3].starts_with("my infra/main.tf:30:32: note[KPU006] parallelism 10 with 4 slots per KPU"));
    assert_eq!(lines.len(), 5, "no suppressed finding, no summary: {out}");
    assert_eq!(
        lines[4],
        "kpulint: gate failed: --fail-on warning: 2 findings at or above warning"
    );
    for l in &lines[..4] {
        let (rule, line, col) =
            compact_key(l).unwrap_or_else(|| panic!("not file:line:col: severity[RULE] message: {l}"));
        assert!(line >= 1 && col >= 1 && (rule == "input" || rule.starts_with("KPU")));
    }
    let (quiet, _) = run_in(&fixture_dir(), "compact", &["--quiet"]);
    assert_eq!(quiet, out);
}

#[test]
fn suppressed_findings_only_in_json_and_sarif() {
    assert!(run("json").contains("\"rule\": \"KPU008\""));
    assert!(run("sarif").contains("\"ruleId\": \"KPU008\""));
    for format in ["github", "junit", "checkstyle", "compact"] {
        let (out, _) = run_in(&fixture_dir(), format, &["--fail-on", "note"]);
        assert!(!out.contains("KPU008"), "{format}");
    }
}
