//! The walk: which files a directory root yields (ignore files, symlinks), roots that are not
//! directories (named pipes, `/dev/stdin`, process substitution), and `--jobs`.
#![cfg(unix)]

mod hcl_support;

use std::path::Path;

use hcl_support::*;
use serde_json::Value;

fn app_files(doc: &Value) -> Vec<String> {
    let mut files: Vec<String> = doc["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .map(|a| a["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files
}

fn notices(doc: &Value) -> Vec<String> {
    doc["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect()
}

fn flink_tf() -> String {
    std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap()
}

fn plan_json() -> String {
    std::fs::read_to_string(root().join("examples/formats/plan/plan.json")).unwrap()
}

/// A tree with an application in `app/`, `ignored/` and `kpu/`, a `.gitignore` naming
/// `ignored/` and a `.kpulintignore` naming `kpu/`.
fn tree_with_ignore_files(repo: &Repo) {
    for dir in ["app", "ignored", "kpu"] {
        repo.write(&format!("{dir}/main.tf"), &flink_tf());
    }
    repo.write(".gitignore", "ignored/\n");
    repo.write(".kpulintignore", "kpu/\n");
}

#[test]
fn gitignore_applies_inside_a_git_repository_and_kpulintignore_everywhere() {
    let repo = Repo::new(); // holds a `.git` directory
    tree_with_ignore_files(&repo);
    let (_, doc) = repo.json(&[]);
    assert_eq!(app_files(&doc), ["app/main.tf"]);
}

#[test]
fn gitignore_outside_a_git_repository_is_not_honoured_as_in_ripgrep() {
    let repo = Repo::new();
    std::fs::remove_dir(repo.path().join(".git")).unwrap();
    tree_with_ignore_files(&repo);
    let (_, doc) = repo.json(&[]);
    assert_eq!(app_files(&doc), ["app/main.tf", "ignored/main.tf"]);
}

#[test]
fn a_gitignore_above_the_scanned_folder_in_the_same_repository_applies() {
    let repo = Repo::new();
    repo.write("infra/app/main.tf", &flink_tf());
    repo.write("infra/generated/main.tf", &flink_tf());
    repo.write(".gitignore", "generated/\n");
    let (_, doc) = json(&repo.path().join("infra"), &["."]);
    assert_eq!(app_files(&doc), ["app/main.tf"]);
}

#[test]
fn dangling_and_looping_symlinks_are_notices_naming_the_path() {
    let repo = Repo::new();
    repo.write("app/main.tf", &flink_tf());
    std::os::unix::fs::symlink("../gone/vars.tf", repo.path().join("app/vars.tf")).unwrap();
    std::os::unix::fs::symlink("b.tf", repo.path().join("app/a.tf")).unwrap();
    std::os::unix::fs::symlink("a.tf", repo.path().join("app/b.tf")).unwrap();
    let (code, doc) = repo.json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(app_files(&doc), ["app/main.tf"]);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    let notices = notices(&doc);
    assert_eq!(notices.len(), 3, "{notices:#?}");
    assert_eq!(notices[0], "app/a.tf is a symbolic link that cannot be followed (Too many levels of symbolic links (os error 40)): skipped");
    assert!(
        notices[1].starts_with("app/b.tf is a symbolic link that cannot be followed"),
        "{notices:#?}"
    );
    assert_eq!(
        notices[2],
        "app/vars.tf is a dangling symbolic link to ../gone/vars.tf: skipped"
    );
    // The human report shows them too.
    let r = run(repo.path(), &["."]);
    assert!(
        r.stdout.contains("app/vars.tf is a dangling symbolic link")
            || r.stderr.contains("app/vars.tf is a dangling symbolic link"),
        "{r:?}"
    );
}

#[test]
fn a_symlink_to_a_file_kpulint_does_not_read_is_not_mentioned() {
    let repo = Repo::new();
    repo.write("app/main.tf", &flink_tf());
    std::os::unix::fs::symlink("nowhere", repo.path().join("app/README.md")).unwrap();
    let (_, doc) = repo.json(&[]);
    assert!(notices(&doc).is_empty(), "{doc:#}");
}

#[test]
fn dev_stdin_is_read_as_a_file() {
    let mut cmd = kpulint(&root());
    cmd.args(["/dev/stdin", "--format", "json"]).write_stdin(plan_json());
    let r = exec(cmd);
    let doc = r.json();
    assert_eq!(r.code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

#[test]
fn a_named_pipe_is_read_as_a_file() {
    let repo = Repo::new();
    let fifo = repo.path().join("plan.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, plan_json()).expect("write to the pipe"))
    };
    let (code, doc) = repo.json(&["plan.pipe"]);
    writer.join().unwrap();
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["applications"][0]["file"], "plan.pipe");
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

#[test]
fn process_substitution_is_read_as_a_file() {
    let plan = root().join("examples/formats/plan/plan.json");
    let bin = assert_cmd::cargo::cargo_bin("kpulint");
    let script = format!("exec {} <(cat {}) --format json", shell_quote(&bin), shell_quote(&plan));
    let mut cmd = assert_cmd::Command::new("bash");
    cmd.args(["-c", &script])
        .env("KPULINT_TODAY", "2026-11-26")
        .env("NO_COLOR", "1");
    let r = exec(cmd);
    let doc = r.json();
    assert_eq!(r.code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
    assert_eq!(rules(&doc), ["KPU004", "KPU005"]);
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn an_unreadable_root_is_an_error() {
    let repo = Repo::new();
    let file = repo.write("secret.tf", &flink_tf());
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        return; // running as root: permissions do not apply
    }
    let (code, doc) = repo.json(&["secret.tf"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "secret.tf");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read secret.tf"),
        "{doc:#}"
    );
}

#[test]
fn jobs_changes_nothing_but_the_threads() {
    let (code_one, one) = json_at_root(&["examples", "--jobs", "1"]);
    let (code_many, many) = json_at_root(&["examples", "-j", "3"]);
    let (code_default, default) = json_at_root(&["examples"]);
    assert_eq!((code_one, &one), (code_default, &default));
    assert_eq!((code_many, &many), (code_default, &default));
    assert!(default["summary"]["applications"].as_u64().unwrap() > 5);
    let r = run(&root(), &["examples", "--jobs", "0"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--jobs"), "{}", r.stderr);
}
