//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure
//! Pipelines, test-reporter actions).
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <testsuites name="kpulint" tests="4" failures="1" errors="1">
//!   <testsuite name="my infra/main.tf" tests="3" failures="1" errors="0">
//!     <testcase name="aws_kinesisanalyticsv2_application.offers" classname="my infra/main.tf">
//!       <failure message="..." type="KPU004">warning[KPU004] ...</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! - One `<testsuite>` per file that holds applications or input errors, in path order.
//! - One `<testcase>` per application (name: its instance, `envs/prod:module.x.aws_...this`, or
//!   its address for the root `.`, a plan or a template; classname: its file). An application
//!   passes unless it has an active finding at or above `--fail-on`; each such finding is a
//!   `<failure>`. Findings below `--fail-on` and suppressed findings are left out.
//! - Input errors are `<error>`s of a test case named after the file. Findings that belong to no
//!   application (unused or expired `ignore` blocks of a config file) are failures of that same
//!   per-file test case.
//! - `tests`, `failures` and `errors` count test cases: a case with an error counts as an
//!   error, a case with failures and no error as a failure.
//! - A gate that failed (`--fail-on`, `--baseline`, `--fail-on-empty`) is a failing test case of
//!   a last suite, `kpulint gates`, saying which limit failed with which value.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{slash_path, xml_attr, xml_text, RenderOptions};
use crate::lint::Finding;
use crate::model::InputError;
use crate::run::Outcome;
use crate::source::Span;

#[derive(Default)]
struct Case<'a> {
    name: String,
    failures: Vec<&'a Finding>,
    errors: Vec<&'a InputError>,
}

#[derive(Default)]
struct Suite<'a> {
    /// The test case named after the file: input errors and findings of no application.
    file_case: Option<Case<'a>>,
    /// Indexes into `cases`, one per application, in the outcome's order.
    apps: Vec<usize>,
}

fn at(span: &Span) -> String {
    let l = span.location();
    format!("{}:{}:{}", slash_path(span.path()), l.line, l.column)
}

fn failure_body(f: &Finding) -> String {
    let mut s = format!(
        "{}[{}] {}\nat {}\nhelp: {}",
        f.severity.as_str(),
        f.rule.id,
        f.message,
        at(&f.span),
        f.help
    );
    for r in &f.related {
        s.push_str(&format!("\nrelated: {} at {}", r.message, at(&r.span)));
    }
    s
}

fn error_body(e: &InputError) -> String {
    let mut s = format!("error: {}\nat {}", e.message, at(&e.span));
    if let Some(h) = &e.help {
        s.push_str(&format!("\nhelp: {h}"));
    }
    s
}

fn write_case(s: &mut String, case: &Case, classname: &str) {
    let head = format!(
        "    <testcase name=\"{}\" classname=\"{}\"",
        xml_attr(&case.name),
        xml_attr(classname)
    );
    if case.failures.is_empty() && case.errors.is_empty() {
        s.push_str(&head);
        s.push_str("/>\n");
        return;
    }
    s.push_str(&head);
    s.push_str(">\n");
    for e in &case.errors {
        s.push_str(&format!(
            "      <error message=\"{}\" type=\"input\">{}</error>\n",
            xml_attr(&e.message),
            xml_text(&error_body(e))
        ));
    }
    for f in &case.failures {
        s.push_str(&format!(
            "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
            xml_attr(&f.message),
            xml_attr(f.rule.id),
            xml_text(&failure_body(f))
        ));
    }
    s.push_str("    </testcase>\n");
}

/// `(tests, failures, errors)` of some test cases.
fn tally<'a>(cases: impl Iterator<Item = &'a Case<'a>>) -> (usize, usize, usize) {
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for c in cases {
        tests += 1;
        if !c.errors.is_empty() {
            errors += 1;
        } else if !c.failures.is_empty() {
            failures += 1;
        }
    }
    (tests, failures, errors)
}

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut suites: BTreeMap<&str, Suite> = BTreeMap::new();
    let mut cases: Vec<Case> = Vec::new();

    for a in &outcome.analyses {
        suites.entry(a.app.span.path()).or_default().apps.push(cases.len());
        cases.push(Case {
            name: a.app.instance.clone(),
            ..Case::default()
        });
    }
    for e in &outcome.errors {
        let path = e.span.path();
        let suite = suites.entry(path).or_default();
        suite
            .file_case
            .get_or_insert_with(|| Case {
                name: slash_path(path),
                ..Case::default()
            })
            .errors
            .push(e);
    }
    for f in &outcome.findings {
        if f.suppressed.is_some() || !opts.fail_on.fails(f.severity) {
            continue;
        }
        // The application's test case: same instance, preferably declared in the finding's file.
        let app = f.instance.as_deref().and_then(|instance| {
            let same = |i: &usize| outcome.analyses[*i].app.instance == instance;
            let candidates: Vec<usize> = (0..outcome.analyses.len()).filter(same).collect();
            candidates
                .iter()
                .copied()
                .find(|i| outcome.analyses[*i].app.span.same_file(&f.span))
                .or(candidates.first().copied())
        });
        match app {
            Some(i) => cases[i].failures.push(f),
            None => {
                let path = f.span.path();
                suites
                    .entry(path)
                    .or_default()
                    .file_case
                    .get_or_insert_with(|| Case {
                        name: slash_path(path),
                        ..Case::default()
                    })
                    .failures
                    .push(f);
            }
        }
    }

    let all = suites
        .values()
        .flat_map(|s| s.file_case.iter().chain(s.apps.iter().map(|i| &cases[*i])));
    let (tests, failures, errors) = tally(all);
    let gates_failed = crate::gate::failed(&outcome.gates).count();
    let (tests, failures) = (tests + gates_failed, failures + gates_failed);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"kpulint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    ));
    for (path, suite) in &suites {
        let members = || suite.file_case.iter().chain(suite.apps.iter().map(|i| &cases[*i]));
        let (tests, failures, errors) = tally(members());
        let file = slash_path(path);
        s.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n",
            xml_attr(&file)
        ));
        for case in members() {
            write_case(&mut s, case, &file);
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str(&gate_suite(&outcome.gates));
    s.push_str("</testsuites>\n");
    out.write_all(s.as_bytes())
}

/// The gates that failed, as a test suite of their own (none when every gate passed).
fn gate_suite(gates: &[crate::gate::Gate]) -> String {
    let failed: Vec<&crate::gate::Gate> = crate::gate::failed(gates).collect();
    if failed.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "  <testsuite name=\"kpulint gates\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">\n",
        n = failed.len()
    );
    for g in failed {
        s.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"kpulint gates\">\n      <failure message=\"{}\" type=\"gate\">{}</failure>\n    </testcase>\n",
            xml_attr(g.name),
            xml_attr(&g.failure_line()),
            xml_text(&format!("{}\nlimit: {}", g.failure_line(), g.limit))
        ));
    }
    s.push_str("  </testsuite>\n");
    s
}
