//! A pull request is untrusted input (issue 17): each attack is built in a temporary
//! repository and run through the real binary. Writes cannot be redirected, a fix is a
//! transaction, special files and links out of the repository are never read, every output
//! format escapes what the repository wrote, and nothing is skipped in silence.
#![cfg(unix)]

mod hcl_support;
mod hostile_support;

use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::time::Duration;

use hcl_support::*;
use hostile_support::*;

/// The state-heavy example in a repository: `--fix` rewrites `terraform.tfvars` (12 → 10).
fn state_heavy() -> Repo {
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", ".");
    repo
}

// ---------------------------------------------------------------------------------------------
// Writes that cannot be redirected

#[test]
fn a_planted_temporary_path_never_redirects_a_fix() {
    let repo = state_heavy();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    // The names older versions wrote to, for the likely process ids of a container.
    for pid in 1..=64 {
        symlink(
            &victim,
            repo.path().join(format!(".terraform.tfvars.kpulint-{pid}.tmp")),
        )
        .unwrap();
    }
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("flink_parallelism 12 → 10"), "{r:?}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
        0o600,
        "the victim's permissions are untouched"
    );
    let tfvars = repo.path().join("terraform.tfvars");
    assert!(std::fs::symlink_metadata(&tfvars).unwrap().file_type().is_file());
    assert!(std::fs::read_to_string(&tfvars)
        .unwrap()
        .contains("flink_parallelism = 10"));
    // No temporary file of this run is left; the planted links are still links.
    for e in std::fs::read_dir(repo.path()).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.contains(".kpulint-") {
            assert!(e.file_type().unwrap().is_symlink(), "left behind: {name}");
        }
    }
}

#[test]
fn a_fix_keeps_the_file_mode_and_leaves_no_temporary_file() {
    let repo = state_heavy();
    let tfvars = repo.path().join("terraform.tfvars");
    std::fs::set_permissions(&tfvars, std::fs::Permissions::from_mode(0o640)).unwrap();
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert!(r.stdout.contains("flink_parallelism 12 → 10"), "{r:?}");
    assert_eq!(std::fs::metadata(&tfvars).unwrap().permissions().mode() & 0o777, 0o640);
    let hidden: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kpulint"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// slow-rescale with parallelism 12 in `main.tf` and autoscaling from a variable default in
/// `variables.tf`: the one recommendation edits both files (12 → 10, autoscaling off).
fn two_file_fix() -> Repo {
    let repo = Repo::new();
    let main = std::fs::read_to_string(root().join("examples/kpu010-slow-rescale/main.tf"))
        .unwrap()
        .replace("auto_scaling_enabled = true", "auto_scaling_enabled = var.autoscale")
        .replace("parallelism          = 10", "parallelism          = 12");
    repo.write("main.tf", &main);
    repo.write("variables.tf", "variable \"autoscale\" {\n  default = true\n}\n");
    repo
}

#[test]
fn a_fix_whose_second_file_is_read_only_changes_nothing() {
    let repo = two_file_fix();
    let diff = run_limited(repo.path(), &["--diff", "."]);
    assert!(
        diff.stdout.contains("+++ b/main.tf") && diff.stdout.contains("+++ b/variables.tf"),
        "the fix spans both files: {diff:?}"
    );
    let main_before = std::fs::read(repo.path().join("main.tf")).unwrap();
    let vars = repo.path().join("variables.tf");
    std::fs::set_permissions(&vars, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, doc) = json_limited(repo.path(), &["--fix", "."]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(std::fs::read(repo.path().join("main.tf")).unwrap(), main_before);
    assert!(std::fs::read_to_string(&vars).unwrap().contains("default = true"));
    let notices = messages(&doc, "notices");
    assert!(
        any_contains(&notices, &["variables.tf is not edited: it is read-only"]),
        "{notices:#?}"
    );
    assert!(
        any_contains(
            &notices,
            &["main.tf is not edited: it is part of one fix with variables.tf"]
        ),
        "{notices:#?}"
    );
    assert_eq!(doc["summary"]["fixed"], 0, "{doc:#}");
    // Writable again: the whole fix is applied.
    std::fs::set_permissions(&vars, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert!(
        r.stdout.contains("parallelism 12 → 10") && r.stdout.contains("true → false"),
        "{r:?}"
    );
}

#[test]
fn a_hard_linked_target_is_refused_and_left_whole() {
    let repo = state_heavy();
    let tfvars = repo.path().join("terraform.tfvars");
    let outside = tempfile::tempdir().unwrap();
    let other = outside.path().join("tfvars-link");
    std::fs::hard_link(&tfvars, &other).unwrap();
    let before = std::fs::read(&tfvars).unwrap();
    let (_, doc) = json_limited(repo.path(), &["--fix", "."]);
    assert_eq!(std::fs::read(&tfvars).unwrap(), before);
    let notices = messages(&doc, "notices");
    assert!(
        any_contains(&notices, &["terraform.tfvars is not edited: it has 2 hard links"]),
        "{notices:#?}"
    );
}

#[test]
fn a_fifo_or_symlinked_target_of_a_fix_is_never_written_through() {
    // `terraform.tfvars` is a link inside the repository: the file it names is edited, the
    // link stays a link.
    let repo = state_heavy();
    std::fs::rename(repo.path().join("terraform.tfvars"), repo.path().join("real.tfvars")).unwrap();
    symlink("real.tfvars", repo.path().join("terraform.tfvars")).unwrap();
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert!(r.stdout.contains("flink_parallelism 12 → 10"), "{r:?}");
    let link = repo.path().join("terraform.tfvars");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(repo.path().join("real.tfvars"))
        .unwrap()
        .contains("flink_parallelism = 10"));
}

#[test]
fn leftovers_of_a_killed_fix_are_removed_by_the_next_and_never_read() {
    let repo = state_heavy();
    // A dead process's temporary file holding a Flink application: never an input.
    let stale = ".main.tf.kpulint-999999999-AbCdEfGhIj.tmp";
    repo.write(stale, &std::fs::read_to_string(repo.path().join("main.tf")).unwrap());
    let (_, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert!(r.stdout.contains("12 → 10"), "{r:?}");
    assert!(!repo.path().join(stale).exists(), "the stale temporary file is removed");
}

// ---------------------------------------------------------------------------------------------
// Reads that cannot be abused

#[test]
fn dev_zero_and_fifo_tfvars_are_refused_at_once() {
    let repo = state_heavy();
    std::fs::remove_file(repo.path().join("terraform.tfvars")).unwrap();
    symlink("/dev/zero", repo.path().join("terraform.tfvars")).unwrap();
    mkfifo(&repo.path().join("prod.auto.tfvars"));
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 2, "{doc:#}");
    let errors = messages(&doc, "errors");
    assert!(
        any_contains(
            &errors,
            &["terraform.tfvars is a symbolic link to outside the repository: not read"]
        ),
        "{errors:#?}"
    );
    assert!(
        any_contains(
            &errors,
            &["prod.auto.tfvars is a FIFO (named pipe), not a regular file: not read"]
        ),
        "{errors:#?}"
    );
    // The application is still linted (its variable is unset: KPU009, never a guess).
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
}

#[test]
fn dev_zero_and_fifo_ignore_files_neither_abort_nor_hang_the_walk() {
    let repo = state_heavy();
    symlink("/dev/zero", repo.path().join(".gitignore")).unwrap();
    mkfifo(&repo.path().join(".kpulintignore"));
    repo.copy_dir("examples/state-heavy", "sub");
    mkfifo(&repo.path().join("sub/.gitignore"));
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 2, "{doc:#}");
    let notices = messages(&doc, "notices");
    for expected in [
        ".gitignore is a symbolic link to outside the repository: not read (its patterns are not applied)",
        ".kpulintignore is a FIFO (named pipe), not a regular file: not read (its patterns are not applied)",
        "sub/.gitignore is a FIFO (named pipe), not a regular file: not read (its patterns are not applied)",
    ] {
        assert!(notices.iter().any(|n| n == expected), "{expected:?} in {notices:#?}");
    }
}

#[test]
fn a_huge_ignore_file_is_refused_by_the_size_cap() {
    let repo = state_heavy();
    repo.write(".gitignore", &"*.md\n".repeat(100_000));
    let (_, doc) = json_limited(repo.path(), &[".", "--max-file-size", "100KB"]);
    let notices = messages(&doc, "notices");
    assert!(
        any_contains(
            &notices,
            &[".gitignore is larger than 100 KB (--max-file-size): not read"]
        ),
        "{notices:#?}"
    );
    assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
}

#[test]
fn dev_zero_and_fifo_config_files_are_errors_naming_them() {
    let repo = state_heavy();
    symlink("/dev/zero", repo.path().join(".kpulint.hcl")).unwrap();
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        any_contains(
            &messages(&doc, "errors"),
            &[".kpulint.hcl is a symbolic link to outside the repository: not read"]
        ),
        "{doc:#}"
    );
    std::fs::remove_file(repo.path().join(".kpulint.hcl")).unwrap();
    mkfifo(&repo.path().join(".kpulint.hcl"));
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        any_contains(
            &messages(&doc, "errors"),
            &[".kpulint.hcl is a FIFO (named pipe), not a regular file: not read"]
        ),
        "{doc:#}"
    );
}

#[test]
fn dev_zero_and_fifo_modules_json_are_notices() {
    for plant in ["fifo", "zero"] {
        let repo = state_heavy();
        repo.write(
            "remote.tf",
            "module \"kda\" {\n  source = \"terraform-aws-modules/kda/aws\"\n}\n",
        );
        std::fs::create_dir_all(repo.path().join(".terraform/modules")).unwrap();
        let modules_json = repo.path().join(".terraform/modules/modules.json");
        if plant == "fifo" {
            mkfifo(&modules_json);
        } else {
            symlink("/dev/zero", &modules_json).unwrap();
        }
        let (_, doc) = json_limited(repo.path(), &["."]);
        let notices = messages(&doc, "notices");
        assert!(
            any_contains(&notices, &[".terraform/modules/modules.json", "not read"]),
            "{plant}: {notices:#?}"
        );
        assert_eq!(doc["summary"]["applications"], 1, "{doc:#}");
    }
}

#[test]
fn special_files_met_while_walking_or_looking_for_callers_are_notices() {
    let repo = Repo::new();
    repo.copy_dir("examples/fleet", "infra");
    mkfifo(&repo.path().join("infra/pipe.tf"));
    mkfifo(&repo.path().join("elsewhere.tf"));
    symlink("/dev/null", repo.path().join("infra/device.tf")).unwrap();
    // Linting the module alone searches the whole repository for its callers.
    let (code, doc) = json_limited(&repo.path().join("infra/modules/flink"), &["."]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], 3, "linted through its caller: {doc:#}");
    let notices = messages(&doc, "notices");
    assert!(
        any_contains(&notices, &["elsewhere.tf is a FIFO (named pipe)", "callers"]),
        "{notices:#?}"
    );
    // Walking the repository: each special file is a notice naming it and its kind.
    let (_, doc) = json_limited(repo.path(), &["."]);
    let notices = messages(&doc, "notices");
    for expected in [
        "infra/pipe.tf is a FIFO (named pipe), not a regular file: not read",
        "elsewhere.tf is a FIFO (named pipe), not a regular file: not read",
        "infra/device.tf is a symbolic link to outside the repository: not read",
    ] {
        assert!(notices.iter().any(|n| n == expected), "{expected:?} in {notices:#?}");
    }
}

#[test]
fn a_module_missing_a_special_file_is_never_fixed() {
    // The FIFO may hold anything Terraform would read (an override of the parallelism): the
    // module's applications are tainted by it, as by a file that does not parse.
    let repo = state_heavy();
    mkfifo(&repo.path().join("override.tf"));
    let before = std::fs::read(repo.path().join("terraform.tfvars")).unwrap();
    let (_, doc) = json_limited(repo.path(), &["--fix", "."]);
    assert_eq!(
        doc["applications"][0]["tainted_by"],
        serde_json::json!(["override.tf"]),
        "{doc:#}"
    );
    assert_eq!(std::fs::read(repo.path().join("terraform.tfvars")).unwrap(), before);
    assert!(
        any_contains(
            &messages(&doc, "notices"),
            &["override.tf is a FIFO (named pipe), not a regular file: not read"]
        ),
        "{doc:#}"
    );
}

#[test]
fn a_link_to_proc_self_environ_never_shows_the_environment() {
    let repo = state_heavy();
    symlink("/proc/self/environ", repo.path().join("secret.tf")).unwrap();
    symlink("/proc/self/environ", repo.path().join("secret.yaml")).unwrap();
    let marker = "KPULINT_HOSTILE_SECRET_7f3a";
    for format in ["human", "json", "compact", "sarif", "github"] {
        let mut cmd = kpulint(repo.path());
        cmd.env("AWS_SECRET_ACCESS_KEY", marker)
            .args([".", "--format", format])
            .timeout(LIMIT);
        let r = exec(cmd);
        assert!(
            !r.stdout.contains(marker) && !r.stderr.contains(marker),
            "{format}: {r:?}"
        );
        if format == "json" {
            let notices = messages(&r.json(), "notices");
            assert!(
                any_contains(
                    &notices,
                    &["secret.tf is a symbolic link to outside the repository: not read"]
                ),
                "{notices:#?}"
            );
        }
    }
    // Named on the command line inside the repository: refused too, as an error.
    let (code, doc) = json_limited(repo.path(), &["secret.tf"]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(!doc.to_string().contains(marker));
}

#[test]
fn symlinked_folders_are_followed_inside_the_repository_only() {
    let repo = Repo::new();
    repo.copy_dir("examples/state-heavy", "shared/heavy");
    symlink("shared/heavy", repo.path().join("linked")).unwrap();
    // A loop, and a folder outside the repository holding an application.
    symlink("..", repo.path().join("shared/up")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("main.tf"),
        std::fs::read_to_string(root().join("examples/state-heavy/main.tf")).unwrap(),
    )
    .unwrap();
    symlink(outside.path(), repo.path().join("outside")).unwrap();
    let (_, doc) = json_limited(repo.path(), &["."]);
    let mut files: Vec<String> = doc["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    assert_eq!(files, ["linked/main.tf", "shared/heavy/main.tf"], "{doc:#}");
    let notices = messages(&doc, "notices");
    assert!(
        notices.contains(&"outside is a symbolic link to a folder outside the repository: not followed".to_string()),
        "{notices:#?}"
    );
    assert!(
        any_contains(&notices, &["shared/up is a symbolic link to", "a loop"]),
        "{notices:#?}"
    );
}

#[test]
fn jobs_above_the_cap_are_a_usage_error() {
    let repo = state_heavy();
    let r = run_limited(repo.path(), &[".", "-j", "65535"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--jobs takes 1 to 256 threads"), "{}", r.stderr);
    let r = run_limited(repo.path(), &[".", "-j", "256", "-q"]);
    assert_eq!(r.code, 1, "{r:?}");
    // A size cap beyond any number is too large, not a missing unit.
    let r = run_limited(repo.path(), &[".", "--max-file-size", "99999999999999999999"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("--max-file-size 99999999999999999999 is too large: at most 1000 PB"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_over_the_size_cap_is_an_error_naming_the_flag() {
    let repo = state_heavy();
    let (code, doc) = json_limited(repo.path(), &[".", "--max-file-size", "1KB"]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        any_contains(
            &messages(&doc, "errors"),
            &["main.tf is larger than 1 KB (--max-file-size): not read"]
        ),
        "{doc:#}"
    );
    // Standard input is capped too.
    let mut cmd = kpulint(repo.path());
    cmd.args(["-", "--max-file-size", "100", "--format", "json"])
        .write_stdin("#".repeat(1000))
        .timeout(LIMIT);
    let r = exec(cmd);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("is larger than 100 bytes"), "{r:?}");
    let r = run_limited(repo.path(), &[".", "--max-file-size", "lots"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--max-file-size"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Output that cannot be injected

/// Keys of a literal `for_each` map, each written into addresses and messages.
const HOSTILE_KEYS: [&str; 12] = [
    "[click](https://evil.example/x)",
    "![pixel](https://evil.example/p.png)",
    "@org/team",
    "<img src=x onerror=alert(1)>",
    "*bold* _it_ ~~gone~~",
    "esc\\u001b[2Jcleared",
    "rlo\\u202eevil",
    "cr\\rfake",
    "https://evil.example/bare",
    "www.evil.example",
    "`tick``s`",
    "a|b $x$ #1 <!-- c -->",
];

/// A file name holding a control sequence, a carriage return, a bidirectional override and
/// Markdown: the application's findings are reported at it.
const HOSTILE_FILE: &str = "esc\u{1b}[31m cr\r rlo\u{202e} [x](https:!evil) @org `t`.tf";

fn hostile_repo() -> Repo {
    let repo = Repo::new();
    let keys: Vec<String> = HOSTILE_KEYS
        .iter()
        .enumerate()
        .map(|(i, k)| format!("    \"{k}\" = {}\n", 4 + i))
        .collect();
    // `for_each` goes first in the resource's body.
    let app = flink_app(
        "this",
        "# kpulint: state_size=20GB required_parallelism=1",
        "each.value",
        "1",
        "false",
    )
    .replacen("\" {\n", &format!("\" {{\n  for_each = {{\n{}  }}\n", keys.concat()), 1);
    let app = format!("{app}\nmodule \"remote\" {{\n  source = \"git::https://evil.example/[x](y)@org/team\"\n}}\n");
    repo.write(&format!("infra/{HOSTILE_FILE}"), &app);
    repo
}

#[test]
fn hostile_names_and_keys_are_escaped_in_every_output_format() {
    let repo = hostile_repo();
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["summary"]["applications"], HOSTILE_KEYS.len(), "{doc:#}");
    // JSON keeps the values exactly (escaped by JSON itself).
    assert!(doc["applications"].as_array().unwrap().iter().any(|a| a["address"]
        .as_str()
        .unwrap()
        .contains("[click](https://evil.example/x)")));
    assert!(doc["findings"][0]["file"].as_str().unwrap().contains('\u{202e}'));

    for format in ["human", "compact", "github"] {
        let r = run_limited(repo.path(), &[".", "--format", format]);
        assert_eq!(r.code, 1, "{format}: {r:?}");
        assert!(
            raw_unsafe(&r.stdout).is_empty(),
            "{format}: {:?}",
            raw_unsafe(&r.stdout)
        );
        assert!(
            raw_unsafe(&r.stderr).is_empty(),
            "{format}: {:?}",
            raw_unsafe(&r.stderr)
        );
        assert!(
            r.stdout.contains("\\u{1b}") && r.stdout.contains("\\u{202e}"),
            "{format} shows them visibly:\n{}",
            r.stdout
        );
    }
    for format in ["json", "sarif"] {
        let r = run_limited(repo.path(), &[".", "--format", format]);
        serde_json::from_str::<Value>(&r.stdout).unwrap_or_else(|e| panic!("{format}: {e}\n{}", r.stdout));
    }
    for format in ["junit", "checkstyle"] {
        let r = run_limited(repo.path(), &[".", "--format", format]);
        roxmltree::Document::parse(&r.stdout).unwrap_or_else(|e| panic!("{format}: {e}\n{}", r.stdout));
    }

    // Markdown: the pull-request comment of `diff`, the `cost` and `what-if` tables.
    std::fs::create_dir_all(repo.path().join("empty")).unwrap();
    let markdown = [
        run_limited(repo.path(), &["diff", "empty", "infra", "--format", "markdown"]),
        run_limited(repo.path(), &["cost", "infra", "--format", "markdown"]),
        run_limited(
            repo.path(),
            &["what-if", "infra", "--state-size", "10GB", "--format", "markdown"],
        ),
    ];
    for r in &markdown {
        assert!(matches!(r.code, 0 | 1), "{r:?}");
        assert!(r.stdout.lines().count() > 5, "{r:?}");
        assert!(raw_unsafe(&r.stdout).is_empty(), "{:?}", raw_unsafe(&r.stdout));
        assert_eq!(live_markdown(&r.stdout), Vec::<String>::new(), "{}", r.stdout);
    }
    // The addresses and the file are there, as written, in code spans.
    assert!(
        markdown[0]
            .stdout
            .contains("| ```aws_kinesisanalyticsv2_application.this[\"`tick``s`\"]```<br>``infra/esc\\u{1b}[31m cr\\r rlo\\u{202e} [x](https:!evil) @org `t`.tf:2`` |"),
        "{}",
        markdown[0].stdout
    );
    // The module source is in the comment's notices, escaped.
    assert!(markdown[0].stdout.contains("git::https:"), "{}", markdown[0].stdout);
}

#[test]
fn the_markdown_checker_finds_live_constructs() {
    // The checker used above is not vacuous.
    assert_eq!(
        live_markdown("see [x](https://evil.example)"),
        ["](http", "https://evil"]
    );
    assert_eq!(live_markdown("hi @org/team"), ["@org"]);
    assert!(live_markdown("`[x](https://evil.example)` \\[x\\]").is_empty());
    assert!(live_markdown("[KPU004](https://github.com/kpulint/kpulint/blob/main/rules/KPU004.md)").is_empty());
    assert_eq!(live_markdown("`` a ` ``@org"), ["@org"]);
}

// ---------------------------------------------------------------------------------------------
// Nothing skipped in silence

#[test]
fn a_tf_file_whose_name_is_not_utf8_is_read_marked_and_never_edited() {
    let repo = Repo::new();
    let name = OsStr::from_bytes(b"stat\xffe.tf");
    let text = std::fs::read_to_string(root().join("examples/kpu004-overscale-margin/main.tf")).unwrap();
    std::fs::write(repo.path().join(name), &text).unwrap();
    let (code, doc) = json_limited(repo.path(), &["."]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["applications"][0]["file"], "stat\u{fffd}e.tf");
    assert!(
        any_contains(
            &messages(&doc, "notices"),
            &["stat\u{fffd}e.tf: the file name is not valid UTF-8"]
        ),
        "{doc:#}"
    );
    let r = run_limited(repo.path(), &["--fix", "."]);
    assert!(r.stdout.contains("has a name that is not valid UTF-8"), "{r:?}");
    assert_eq!(std::fs::read_to_string(repo.path().join(name)).unwrap(), text);
}

#[test]
fn an_application_only_in_the_second_yaml_document_is_linted() {
    let repo = Repo::new();
    let template = std::fs::read_to_string(root().join("examples/formats/cloudformation-yaml/template.yaml")).unwrap();
    repo.write(
        "stack.yaml",
        &format!("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n---\n{template}"),
    );
    let (_, doc) = json_limited(repo.path(), &["."]);
    assert!(doc["summary"]["applications"].as_u64().unwrap() >= 1, "{doc:#}");
    assert_eq!(doc["applications"][0]["file"], "stack.yaml");
}

#[test]
fn an_input_error_on_a_long_line_keeps_its_file_and_line_in_human_output() {
    let repo = Repo::new();
    repo.write(
        "broken.tf",
        &format!(
            "{}\nlocals {{ x = [{}, ] ] }}\n",
            simple_app("long", "4"),
            "1, ".repeat(200)
        ),
    );
    let r = run_limited(repo.path(), &["."]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("at broken.tf:"), "{}", r.stdout);
}

#[test]
fn sigterm_removes_the_base_tree_of_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (path, tmp) = (dir.path().join("repo"), dir.path().join("tmp"));
    std::fs::create_dir_all(&path).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(&path)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t.invalid")
            .status()
            .expect("git");
        assert!(ok.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(path.join("main.tf"), simple_app("a", "4")).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "one"]);
    // A stale base tree of a killed run (a process id that cannot exist): removed.
    let stale = tmp.join("kpulint-base-999999999-AbCdEf");
    std::fs::create_dir_all(stale.join("tree")).unwrap();
    // A var file outside the repository that nobody writes: the run blocks on it after the
    // base tree is checked out.
    let fifo = dir.path().join("vars.tfvars");
    mkfifo(&fifo);
    let bin = assert_cmd::cargo::cargo_bin("kpulint");
    let mut child = std::process::Command::new(bin)
        .current_dir(&path)
        .args(["diff", "--base", "main", "--var-file"])
        .arg(&fifo)
        .env("TMPDIR", &tmp)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kpulint");
    let trees = || -> Vec<String> {
        std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let started = std::time::Instant::now();
    while trees().len() != 1 || stale.exists() {
        assert!(started.elapsed() < LIMIT, "no base tree: {:?}", trees());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the run reach the var file.
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(trees().is_empty(), "left behind: {:?}", trees());
}
