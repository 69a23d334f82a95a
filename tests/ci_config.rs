//! The YAML kpulint ships for CI: the workflows in .github/workflows, the GitHub Action
//! (action.yml), the CI examples in examples/ci, the workflows shown in README.md and the
//! pre-commit hooks. Each is checked against its JSON schema from SchemaStore (committed in
//! tests/fixtures/ci-schemas, where README.md says which package each came from) with the
//! tests' validator, after YAML → JSON with saphyr; then against what a fresh runner needs.
//! `actionlint` also runs on the workflows where it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{json, Map, Value};

mod json_schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One YAML document as JSON: what GitHub, GitLab and pre-commit read (YAML 1.2: `on` is a
/// string; aliases resolved).
fn yaml_to_json(text: &str, what: &str) -> Value {
    let docs = Yaml::load_from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(docs.len(), 1, "{what}: one YAML document");
    to_json(&docs[0], what)
}

fn to_json(node: &Yaml, what: &str) -> Value {
    match node {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => json!(b),
        Yaml::Value(Scalar::Integer(i)) => json!(i),
        Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.into_inner()),
        Yaml::Value(Scalar::String(s)) => json!(s),
        Yaml::Sequence(items) => Value::Array(items.iter().map(|i| to_json(i, what)).collect()),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match to_json(k, what) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                assert!(
                    out.insert(key.clone(), to_json(v, what)).is_none(),
                    "{what}: duplicate key {key}"
                );
            }
            Value::Object(out)
        }
        other => panic!("{what}: unexpected YAML node {other:?}"),
    }
}

fn validator(schema: &str) -> json_schema::Validator {
    let text = read(&format!("tests/fixtures/ci-schemas/{schema}.json"));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    json_schema::Validator::new(schema).expect("the schema uses only keywords the validator checks")
}

fn assert_valid(validator: &json_schema::Validator, doc: &Value, what: &str) {
    let errors = validator.errors(doc);
    assert!(
        errors.is_empty(),
        "{what} does not follow its schema:\n{}",
        errors.join("\n")
    );
}

/// The ```yaml blocks of README.md.
fn readme_yaml_blocks() -> Vec<String> {
    let readme = read("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim_end() == "```yaml" => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn github_workflows() -> Vec<(String, Value)> {
    let mut files: Vec<String> = ["examples/ci/github-actions.yml"].map(String::from).to_vec();
    for entry in std::fs::read_dir(root().join(".github/workflows")).expect(".github/workflows") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            files.push(format!(".github/workflows/{name}"));
        }
    }
    let mut docs: Vec<(String, Value)> = files.iter().map(|f| (f.clone(), yaml_to_json(&read(f), f))).collect();
    for (i, block) in readme_yaml_blocks().iter().enumerate() {
        if block.contains("\njobs:") {
            let what = format!("README.md's workflow #{}", i + 1);
            docs.push((what.clone(), yaml_to_json(block, &what)));
        }
    }
    docs
}

#[test]
fn workflows_follow_the_github_workflow_schema() {
    let v = validator("github-workflow");
    let workflows = github_workflows();
    assert!(
        workflows.len() >= 4,
        "release.yml, the example and README's workflows: {workflows:?}"
    );
    for (what, doc) in &workflows {
        assert_valid(&v, doc, what);
    }
    // The schema check can fail: a job without runs-on, a step with a misspelt key.
    let (_, mut broken) = workflows[0].clone();
    let job = broken["jobs"]
        .as_object_mut()
        .and_then(|j| j.values_mut().next())
        .expect("a job");
    job.as_object_mut().expect("a job is a mapping").remove("runs-on");
    assert!(!v.is_valid(&broken), "a job without runs-on");
    let (_, mut broken) = workflows[0].clone();
    let job = broken["jobs"]
        .as_object_mut()
        .and_then(|j| j.values_mut().next())
        .expect("a job");
    job["steps"][0]["with_"] = json!({});
    assert!(!v.is_valid(&broken), "a step with a misspelt key");
}

#[test]
fn the_action_follows_the_github_action_schema() {
    let v = validator("github-action");
    let action = yaml_to_json(&read("action.yml"), "action.yml");
    assert_valid(&v, &action, "action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["version", "args", "working-directory"] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
    for output in ["exit-code", "report"] {
        assert!(action["outputs"][output]["value"].is_string(), "output {output}");
    }
    // The version defaults to the action's own ref; a commit is built with cargo install --locked.
    assert_eq!(action["inputs"]["version"]["default"], "${{ github.action_ref }}");
    let text = read("action.yml");
    assert!(text.contains("github.action_ref"));
    assert!(text.contains("actions/cache@"));
    assert!(text.contains("GITHUB_PATH"));

    let mut broken = action.clone();
    broken["runs"]["steps"][0]
        .as_object_mut()
        .expect("a step")
        .remove("shell");
    assert!(!v.is_valid(&broken), "a composite run step needs a shell");
}

#[test]
fn the_gitlab_examples_follow_the_gitlab_ci_schema() {
    let v = validator("gitlab-ci");
    let example = yaml_to_json(&read("examples/ci/gitlab-ci.yml"), "examples/ci/gitlab-ci.yml");
    assert_valid(&v, &example, "examples/ci/gitlab-ci.yml");
    let readme: Vec<String> = readme_yaml_blocks()
        .into_iter()
        .filter(|b| b.contains("image:"))
        .collect();
    assert!(!readme.is_empty(), "README.md shows the GitLab job");
    for block in &readme {
        assert_valid(
            &v,
            &yaml_to_json(block, "README.md's GitLab job"),
            "README.md's GitLab job",
        );
    }

    // The container image, `rules:` for merge-request pipelines, no Rust toolchain.
    let job = &example["kpulint"];
    assert!(job["image"]["name"]
        .as_str()
        .is_some_and(|i| i.contains("KPULINT_IMAGE")));
    assert!(example["variables"]["KPULINT_IMAGE"]
        .as_str()
        .is_some_and(|i| i.starts_with("ghcr.io/kpulint/kpulint:")));
    assert_eq!(job["image"]["entrypoint"], json!([""]));
    let rules = example["kpulint-delta"]["rules"].as_array().expect("rules");
    assert!(rules
        .iter()
        .any(|r| r["if"] == "$CI_PIPELINE_SOURCE == \"merge_request_event\""));
    assert!(!read("examples/ci/gitlab-ci.yml").contains("cargo install"));

    let mut broken = example.clone();
    broken["kpulint"]["artifacts"]["when"] = json!("sometimes");
    assert!(!v.is_valid(&broken));
}

fn hooks() -> Value {
    let hooks = yaml_to_json(&read(".pre-commit-hooks.yaml"), ".pre-commit-hooks.yaml");
    assert_valid(&validator("pre-commit-hooks"), &hooks, ".pre-commit-hooks.yaml");
    hooks
}

fn hook<'a>(hooks: &'a Value, id: &str) -> &'a Value {
    hooks
        .as_array()
        .and_then(|h| h.iter().find(|h| h["id"] == id))
        .unwrap_or_else(|| panic!("hook {id}"))
}

#[test]
fn pre_commit_hooks_install_a_wheel_or_use_path() {
    let hooks = hooks();
    let python = hook(&hooks, "kpulint");
    let system = hook(&hooks, "kpulint-system");
    assert_eq!(python["language"], "python");
    assert_eq!(system["language"], "system");
    for key in ["entry", "files", "pass_filenames", "require_serial"] {
        assert_eq!(python[key], system[key], "{key}");
    }
    assert_eq!(python["entry"], "kpulint --skip-unrelated");
    assert_eq!(python["require_serial"], true);

    // pre-commit matches `files` with Python's re.search; this pattern means the same in Rust.
    let files = Regex::new(python["files"].as_str().expect("files")).expect("files is a regex");
    for path in [
        "main.tf",
        "infra/prod.tfvars",
        "main.tf.json",
        "cdk.out/app.template.json",
        "stack.yaml",
        "tmpl.template",
        ".kpulint.hcl",
        "infra/.kpulint.hcl",
        ".kpulintignore",
        "infra/.kpulintignore",
    ] {
        assert!(files.is_match(path), "{path} is passed to the hook");
    }
    for path in [
        "README.md",
        "main.py",
        ".kpulintignore.bak",
        "x.kpulint.hcl",
        "Dockerfile",
    ] {
        assert!(!files.is_match(path), "{path} is not passed to the hook");
    }

    let mut broken = hooks.clone();
    broken[0]["language"] = json!("cargo");
    assert!(!validator("pre-commit-hooks").is_valid(&broken));
}

fn job<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    let job = &workflow["jobs"][name];
    assert!(job.is_object(), "job {name}");
    job
}

fn steps_using<'a>(job: &'a Value, action: &str) -> Vec<&'a Value> {
    let steps = job["steps"].as_array().expect("steps");
    steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
        .collect()
}

#[test]
fn the_github_example_works_on_a_fresh_runner() {
    let text = read("examples/ci/github-actions.yml");
    let workflow = yaml_to_json(&text, "examples/ci/github-actions.yml");
    assert!(
        !text.contains("cargo install"),
        "kpulint comes from the action, not from a build"
    );

    // Only infrastructure or kpulint configuration changes start it.
    for event in ["pull_request", "push"] {
        let paths = workflow["on"][event]["paths"].as_array().expect("a paths filter");
        for needed in ["**/*.tf", "**/*.tfvars", "**/.kpulint.hcl", "**/.kpulintignore"] {
            assert!(paths.contains(&json!(needed)), "{event} paths: {needed}");
        }
    }

    let lint = job(&workflow, "lint");
    assert_eq!(steps_using(lint, "kpulint/kpulint@").len(), 1);
    assert_eq!(lint["permissions"]["security-events"], "write");

    let plan = job(&workflow, "plan");
    assert_eq!(plan["permissions"]["id-token"], "write");
    assert_eq!(steps_using(plan, "aws-actions/configure-aws-credentials@").len(), 1);
    let terraform = steps_using(plan, "hashicorp/setup-terraform@");
    assert_eq!(terraform.len(), 1);
    assert_eq!(terraform[0]["with"]["terraform_wrapper"], false);
    assert_eq!(steps_using(plan, "kpulint/kpulint@").len(), 1);

    let delta = job(&workflow, "delta");
    assert_eq!(delta["if"], "github.event_name == 'pull_request'");
    assert_eq!(delta["permissions"]["pull-requests"], "write");
    let diff = steps_using(delta, "kpulint/kpulint@");
    assert_eq!(diff.len(), 1);
    assert!(diff[0]["with"]["args"]
        .as_str()
        .is_some_and(|a| a.contains("--format markdown")));
    // A sticky comment: the job looks for its marker and edits the comment it finds.
    let delta_text = delta.to_string();
    assert!(delta_text.contains("<!-- kpulint-diff -->") && delta_text.contains("--method PATCH"));
}

#[test]
fn the_readme_shows_complete_workflows() {
    let blocks = readme_yaml_blocks();
    let workflows: Vec<Value> = blocks
        .iter()
        .filter(|b| b.contains("\njobs:"))
        .map(|b| yaml_to_json(b, "README.md"))
        .collect();
    let uses_action = |w: &Value| {
        w["jobs"].as_object().is_some_and(|jobs| {
            jobs.values()
                .any(|j| j["runs-on"].is_string() && !steps_using(j, "kpulint/kpulint@").is_empty())
        })
    };
    assert!(
        workflows.iter().any(uses_action),
        "a complete workflow that uses the action"
    );
    // The pre-commit hook with --baseline: the config, and a workflow that runs it.
    assert!(blocks
        .iter()
        .any(|b| b.contains("id: kpulint") && b.contains("--baseline")));
    assert!(workflows.iter().any(|w| w.to_string().contains("pre-commit run")));
    for block in &blocks {
        assert!(
            !block.contains("cargo install"),
            "CI installs the release, it does not build:\n{block}"
        );
    }
}

#[test]
fn the_release_workflow_builds_every_target_and_publishes_checksums() {
    let text = read(".github/workflows/release.yml");
    let release = yaml_to_json(&text, "release.yml");
    assert_eq!(release["on"]["push"]["tags"], json!(["v*"]));
    assert!(text.contains("bash .ci/run"));
    let targets: Vec<&str> = job(&release, "binaries")["strategy"]["matrix"]["include"]
        .as_array()
        .expect("the target matrix")
        .iter()
        .filter_map(|t| t["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    // Archives come from the script the install test runs; the release holds SHA256SUMS and
    // the changelog section as its notes.
    assert!(text.contains("scripts/package-release.sh"));
    assert!(text.contains("sha256sum kpulint-* > SHA256SUMS"));
    assert!(text.contains("scripts/changelog-section.sh"));
    assert!(text.contains("scripts/check-wheel.sh"));
    assert!(text.contains("gh release create"));
}

/// actionlint, where it is installed, also checks expressions and `run:` scripts.
#[test]
fn actionlint_accepts_the_workflows_where_installed() {
    let files = [".github/workflows/release.yml", "examples/ci/github-actions.yml"];
    let output = match Command::new("actionlint").arg("-version").output() {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("SKIPPED: actionlint is not installed; the workflows were checked against the schema only");
            return;
        }
    };
    eprintln!(
        "actionlint {}",
        String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("")
    );
    let report = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "actionlint:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let out = Command::new("actionlint")
        .arg("-pyflakes=")
        .args(files.iter().map(|f| Path::new(env!("CARGO_MANIFEST_DIR")).join(f)))
        .output()
        .expect("actionlint runs");
    report(out);
    for block in readme_yaml_blocks().iter().filter(|b| b.contains("\njobs:")) {
        let mut child = Command::new("actionlint")
            .args(["-pyflakes=", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("actionlint runs");
        let mut stdin = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut stdin, block.as_bytes()).expect("write the workflow");
        drop(stdin);
        report(child.wait_with_output().expect("actionlint ends"));
    }
}
