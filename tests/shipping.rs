//! How kpulint ships: `--version` and its build script, the release archives
//! (scripts/package-release.sh) and the install script the GitHub Action runs
//! (scripts/install.sh: download, SHA256SUMS, a commit through `cargo install --locked`), the
//! action's run step (scripts/action-run.sh), the changelog section a release publishes, the
//! `cargo binstall` metadata, the wheel's pyproject.toml and pre-commit mirror, and the
//! Dockerfile (built where Docker runs). The scripts are run for real on local files: no
//! network, no release build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `bash scripts/NAME args…` with `env`, from `cwd`.
fn script(name: &str, args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts").join(name)).args(args).current_dir(cwd);
    for var in [
        "KPULINT_DOWNLOAD_URL",
        "KPULINT_GIT_URL",
        "KPULINT_TARGET",
        "CARGO",
        "GITHUB_OUTPUT",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap_or_else(|e| panic!("bash {name}: {e}"))
}

/// The files of examples/NAME, copied into `to`.
fn copy_example(name: &str, to: &Path) {
    for entry in std::fs::read_dir(root().join("examples").join(name)).expect("the example") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@localhost",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_owned()
}

// ---------------------------------------------------------------------------------------------
// --version
// ---------------------------------------------------------------------------------------------

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = Command::new(env!("CARGO_BIN_EXE_kpulint"))
        .arg("--version")
        .output()
        .expect("kpulint runs");
    assert!(out.status.success());
    let shown = text(&out.stdout);
    let version = env!("CARGO_PKG_VERSION");
    let top = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["rev-parse", "--show-toplevel"])
        .output();
    let in_git = top.is_ok_and(|t| {
        t.status.success() && Path::new(text(&t.stdout).trim()).canonicalize().ok() == root().canonicalize().ok()
    });
    if in_git && std::env::var_os("KPULINT_COMMIT").is_none() {
        let head = git(&root(), &["show", "-s", "--format=%H, %cs", "HEAD"]);
        assert_eq!(shown, format!("kpulint {version} (commit {head})\n"));
    } else {
        assert!(shown.starts_with(&format!("kpulint {version}")), "{shown}");
    }
}

/// build.rs compiled on its own and run as Cargo runs it, in directories with and without git.
#[test]
fn build_script_finds_the_commit_or_falls_back_to_the_version() {
    let tmp = TempDir::new().unwrap();
    let exe = tmp.path().join("build-script");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args(["--edition", "2021", "-o"])
        .arg(&exe)
        .arg(root().join("build.rs"))
        .output()
        .expect("rustc runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = |dir: &Path, env: &[(&str, &str)]| {
        let mut cmd = Command::new(&exe);
        cmd.env("CARGO_MANIFEST_DIR", dir).env("CARGO_PKG_VERSION", "9.9.9");
        cmd.env_remove("KPULINT_COMMIT").env_remove("KPULINT_COMMIT_DATE");
        // A scratch directory must not be taken for part of an enclosing repository.
        cmd.env("GIT_CEILING_DIRECTORIES", tmp.path());
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("the build script runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let version_of = |stdout: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("cargo:rustc-env=KPULINT_VERSION_LONG="))
            .expect("KPULINT_VERSION_LONG")
            .to_owned()
    };
    let sha = "0123456789abcdef0123456789abcdef01234567";

    // No git, no .cargo_vcs_info.json (a wheel sdist, a Docker context): the version alone,
    // and nothing that would re-run the script on every build.
    let plain = tmp.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let stdout = run(&plain, &[]);
    assert_eq!(version_of(&stdout), "9.9.9");
    assert!(!stdout.contains(".git"), "{stdout}");

    // A crates.io package: cargo package's .cargo_vcs_info.json.
    let crate_dir = tmp.path().join("crate");
    std::fs::create_dir(&crate_dir).unwrap();
    std::fs::write(
        crate_dir.join(".cargo_vcs_info.json"),
        format!("{{\n  \"git\": {{\n    \"sha1\": \"{sha}\"\n  }},\n  \"path_in_vcs\": \"\"\n}}"),
    )
    .unwrap();
    assert_eq!(version_of(&run(&crate_dir, &[])), format!("9.9.9 (commit {sha})"));

    // The release workflow's environment wins; a malformed value is ignored.
    let env = [("KPULINT_COMMIT", sha), ("KPULINT_COMMIT_DATE", "2026-12-01")];
    assert_eq!(
        version_of(&run(&plain, &env)),
        format!("9.9.9 (commit {sha}, 2026-12-01)")
    );
    assert_eq!(
        version_of(&run(&plain, &[("KPULINT_COMMIT", "HEAD; rm -rf /")])),
        "9.9.9"
    );

    // A git work tree whose root is the package: its HEAD, re-run when HEAD or the branch moves.
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("a"), "a").unwrap();
    git(&repo, &["add", "a"]);
    git(&repo, &["commit", "-q", "-m", "a"]);
    let head = git(&repo, &["show", "-s", "--format=%H, %cs", "HEAD"]);
    let stdout = run(&repo, &[]);
    assert_eq!(version_of(&stdout), format!("9.9.9 (commit {head})"));
    let watched: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert!(watched.iter().any(|p| p.ends_with("HEAD")), "{watched:?}");
    assert!(watched.iter().any(|p| p.ends_with("refs/heads/main")), "{watched:?}");

    // A package unpacked inside another repository does not take that repository's commit.
    let nested = repo.join("vendor/kpulint");
    std::fs::create_dir_all(&nested).unwrap();
    assert_eq!(version_of(&run(&nested, &[])), "9.9.9");
}

// ---------------------------------------------------------------------------------------------
// Release archives and the install script
// ---------------------------------------------------------------------------------------------

/// A stand-in for the release binary: the archive test is about names, layout and checksums.
fn fake_binary(dir: &Path) -> PathBuf {
    let path = dir.join("kpulint-build");
    std::fs::write(&path, "#!/bin/sh\necho \"kpulint 1.2.3 (fake)\"\n").unwrap();
    path
}

/// A release directory as GitHub serves it: BASE/v1.2.3/{archive, SHA256SUMS}.
fn release_dir(tmp: &Path, target: &str) -> (PathBuf, String) {
    let base = tmp.join("releases");
    let version_dir = base.join("v1.2.3");
    let binary = fake_binary(tmp);
    let out = script(
        "package-release.sh",
        &[
            "v1.2.3",
            target,
            version_dir.to_str().unwrap(),
            binary.to_str().unwrap(),
        ],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
        &root(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let archive = PathBuf::from(text(&out.stdout).trim());
    let name = archive.file_name().unwrap().to_string_lossy().into_owned();
    let sums = Command::new("sha256sum")
        .arg(&name)
        .current_dir(&version_dir)
        .output()
        .expect("sha256sum");
    assert!(sums.status.success());
    std::fs::write(version_dir.join("SHA256SUMS"), &sums.stdout).unwrap();
    (base, name)
}

#[test]
fn a_packed_release_installs_verified_from_a_directory_or_a_file_url() {
    let tmp = TempDir::new().unwrap();
    let target = "x86_64-unknown-linux-musl";
    let (base, name) = release_dir(tmp.path(), target);
    assert_eq!(name, "kpulint-1.2.3-x86_64-unknown-linux-musl.tar.gz");
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(base.join("v1.2.3").join(&name))
        .output()
        .unwrap();
    let mut entries: Vec<String> = text(&listing.stdout).lines().map(String::from).collect();
    entries.sort();
    let dir = "kpulint-1.2.3-x86_64-unknown-linux-musl";
    assert_eq!(
        entries,
        ["/", "/CHANGELOG.md", "/LICENSE", "/README.md", "/kpulint"].map(|e| format!("{dir}{e}"))
    );

    for url in [
        base.to_string_lossy().into_owned(),
        format!("file://{}", base.display()),
    ] {
        let dest = tmp.path().join(format!("bin-{}", url.len()));
        let env = [("KPULINT_DOWNLOAD_URL", url.as_str()), ("KPULINT_TARGET", target)];
        let out = script("install.sh", &["v1.2.3", dest.to_str().unwrap()], &env, tmp.path());
        assert!(out.status.success(), "{}", text(&out.stderr));
        let installed = dest.join("kpulint");
        assert_eq!(text(&out.stdout).trim(), installed.to_str().unwrap());
        let ran = Command::new(&installed).output().expect("the installed binary runs");
        assert_eq!(text(&ran.stdout), "kpulint 1.2.3 (fake)\n");
    }
}

#[test]
fn a_windows_release_is_a_zip_and_installs_as_kpulint_exe() {
    let have = |tool: &str| Command::new(tool).arg("-v").output().is_ok();
    if !have("zip") || !have("unzip") {
        eprintln!("SKIPPED: zip and unzip are needed to pack and unpack the Windows archive");
        return;
    }
    let tmp = TempDir::new().unwrap();
    let target = "x86_64-pc-windows-msvc";
    let (base, name) = release_dir(tmp.path(), target);
    assert_eq!(name, "kpulint-1.2.3-x86_64-pc-windows-msvc.zip");
    let dest = tmp.path().join("bin");
    let env = [
        ("KPULINT_DOWNLOAD_URL", base.to_str().unwrap()),
        ("KPULINT_TARGET", target),
    ];
    let out = script("install.sh", &["1.2.3", dest.to_str().unwrap()], &env, tmp.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dest.join("kpulint.exe").is_file());
}

#[test]
fn a_tampered_archive_or_a_missing_checksum_installs_nothing() {
    let tmp = TempDir::new().unwrap();
    let target = "aarch64-apple-darwin";
    let (base, name) = release_dir(tmp.path(), target);
    let archive = base.join("v1.2.3").join(&name);
    let dest = tmp.path().join("bin");
    let env = [
        ("KPULINT_DOWNLOAD_URL", base.to_str().unwrap()),
        ("KPULINT_TARGET", target),
    ];

    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, &bytes).unwrap();
    let out = script("install.sh", &["1.2.3", dest.to_str().unwrap()], &env, tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("checksum mismatch for {name}")), "{stderr}");
    assert!(stderr.contains("not installed"), "{stderr}");
    assert!(!dest.exists(), "nothing is installed");

    std::fs::write(base.join("v1.2.3/SHA256SUMS"), "").unwrap();
    let out = script("install.sh", &["1.2.3", dest.to_str().unwrap()], &env, tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!("SHA256SUMS has no entry for {name}")),
        "{}",
        text(&out.stderr)
    );
    assert!(!dest.exists());

    // A version that was never released: the download fails, with the URL.
    let out = script("install.sh", &["9.9.9", dest.to_str().unwrap()], &env, tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("v9.9.9/SHA256SUMS"), "{}", text(&out.stderr));
    assert!(!dest.exists());
}

#[test]
fn a_commit_or_branch_is_built_with_cargo_install_locked() {
    let tmp = TempDir::new().unwrap();
    // A cargo that records its arguments and leaves a binary where `cargo install --root` would.
    let log = tmp.path().join("cargo-args");
    let cargo = tmp.path().join("fake-cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nwhile [ \"$1\" != --root ]; do shift; done\n\
             mkdir -p \"$2/bin\" && printf '#!/bin/sh\\necho built\\n' > \"$2/bin/kpulint\"\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "one"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);

    let git_url = repo.to_string_lossy().into_owned();
    let env = [
        ("CARGO", cargo.to_str().unwrap()),
        ("KPULINT_GIT_URL", git_url.as_str()),
    ];
    let sh = |p: &Path| Command::new("sh").arg(p).output().unwrap();
    for (requested, rev) in [("1a2b3c4d", "1a2b3c4d"), ("main", head.as_str())] {
        let dest = tmp.path().join(format!("bin-{requested}"));
        let out = script("install.sh", &[requested, dest.to_str().unwrap()], &env, tmp.path());
        assert!(out.status.success(), "{}", text(&out.stderr));
        let args = std::fs::read_to_string(&log).unwrap();
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(
            &args[..6],
            ["install", "--locked", "--git", git_url.as_str(), "--rev", rev]
        );
        assert_eq!(args.last(), Some(&"kpulint"));
        assert_eq!(text(&sh(&dest.join("kpulint")).stdout), "built\n");
    }

    // What the action caches it under: the branch's commit, so a moved branch is rebuilt.
    let out = script("install.sh", &["--describe", "main"], &env, tmp.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let described = text(&out.stdout);
    assert!(
        described.starts_with(&format!("kind=commit\nversion={head}\ntarget=")),
        "{described}"
    );
    let out = script(
        "install.sh",
        &["--describe", "v1.2.3"],
        &[("KPULINT_TARGET", "x86_64-apple-darwin")],
        tmp.path(),
    );
    assert_eq!(
        text(&out.stdout),
        "kind=release\nversion=1.2.3\ntarget=x86_64-apple-darwin\n"
    );

    for bad in ["a b", "../x", "$(id)"] {
        let out = script("install.sh", &[bad, "dest"], &env, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
    }
    let out = script("install.sh", &["no-such-branch", "dest"], &env, tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no branch 'no-such-branch'"));
}

// ---------------------------------------------------------------------------------------------
// The action's run step
// ---------------------------------------------------------------------------------------------

#[test]
fn the_action_reports_the_exit_code_and_the_report_it_wrote() {
    let tmp = TempDir::new().unwrap();
    let workspace = tmp.path();
    let work = workspace.join("infra");
    std::fs::create_dir(&work).unwrap();
    copy_example("state-heavy", &work);
    let outputs = workspace.join("github-output");
    let run = |args: &str| {
        std::fs::write(&outputs, "").unwrap();
        let env = [
            ("KPULINT_ARGS", args),
            ("KPULINT_BIN", env!("CARGO_BIN_EXE_kpulint")),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
            ("GITHUB_WORKSPACE", workspace.to_str().unwrap()),
            ("NO_COLOR", "1"),
        ];
        let out = script("action-run.sh", &[], &env, &work);
        (out, std::fs::read_to_string(&outputs).unwrap())
    };

    // Findings: exit 1, and the SARIF report's path relative to the workspace.
    let (out, written) = run(". --format sarif --output 'kpulint report.sarif'");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(written, "exit-code=1\nreport=infra/kpulint report.sarif\n");
    let sarif = std::fs::read_to_string(work.join("kpulint report.sarif")).unwrap();
    assert!(sarif.contains("KPU004"));

    // Quotes group words; `$(…)` is text, never run.
    let marker = workspace.join("ran");
    let (out, written) = run(&format!(
        "main.tf --fail-on never --var \"flink_parallelism=$(touch {})\" -o=x",
        marker.display()
    ));
    assert_eq!(
        out.status.code(),
        Some(2),
        "a string for a number is an input error: {}",
        text(&out.stderr)
    );
    assert!(!marker.exists(), "nothing in args is executed");
    assert_eq!(written, "exit-code=2\nreport=infra/x\n");

    // No findings at or above --fail-on, no report file.
    let (out, written) = run(". --fail-on error");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(written, "exit-code=0\nreport=\n");

    let (out, _) = run("'unbalanced");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot split args"));
}

// ---------------------------------------------------------------------------------------------
// Release notes, binstall, wheel, pre-commit mirror
// ---------------------------------------------------------------------------------------------

#[test]
fn the_release_notes_are_the_changelog_section_of_the_version() {
    let tmp = TempDir::new().unwrap();
    let changelog = tmp.path().join("CHANGELOG.md");
    std::fs::write(
        &changelog,
        "# Changelog\n\nintro\n\n## [Unreleased]\n\n## [1.2.3] - 2026-12-01\n\n### Added\n\n- a [thing](x)\n\n\
         ## [1.2.0] - 2026-11-01\n\n- older\n\n[1.2.3]: https://example.invalid/1.2.3\n",
    )
    .unwrap();
    let section = |v: &str| {
        script(
            "changelog-section.sh",
            &[v, changelog.to_str().unwrap()],
            &[],
            tmp.path(),
        )
    };
    let out = section("v1.2.3");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "### Added\n\n- a [thing](x)\n");
    assert_eq!(text(&section("1.2.0").stdout), "- older\n");
    for missing in ["1.2", "Unreleased", "9.9.9"] {
        let out = section(missing);
        assert_eq!(out.status.code(), Some(1), "{missing}");
        assert!(text(&out.stderr).contains("no '## ["), "{missing}");
    }

    // The repository's own changelog (Keep a Changelog) has the section the next release uses.
    let ours = read("CHANGELOG.md");
    assert!(ours.contains("https://keepachangelog.com/"));
    let out = script("changelog-section.sh", &["Unreleased"], &[], &root());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("### Added"));
}

/// Cargo.toml's `[package.metadata.binstall]` URL and path, with binstall's placeholders filled
/// in, name the archive and binary that scripts/package-release.sh makes.
#[test]
fn binstall_metadata_names_the_release_archives() {
    let manifest = read("Cargo.toml");
    let value = |table: &str, key: &str| {
        let start = manifest
            .find(&format!("\n[{table}]\n"))
            .unwrap_or_else(|| panic!("[{table}]"));
        let body = &manifest[start + table.len() + 4..];
        let body = &body[..body.find("\n[").unwrap_or(body.len())];
        let line = body
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key}"));
        line.split('"').nth(1).expect("a string").to_owned()
    };
    let fill = |template: &str, target: &str, ext: &str| {
        template
            .replace("{ repo }", "https://github.com/kpulint/kpulint")
            .replace("{ name }", "kpulint")
            .replace("{ version }", "1.2.3")
            .replace("{ target }", target)
            .replace("{ bin }", "kpulint")
            .replace("{ binary-ext }", ext)
    };
    let binstall = "package.metadata.binstall";
    let windows = "package.metadata.binstall.overrides.x86_64-pc-windows-msvc";
    assert_eq!(value(binstall, "pkg-fmt"), "tgz");
    assert_eq!(value(windows, "pkg-fmt"), "zip");
    let tmp = TempDir::new().unwrap();
    for (target, url, ext) in [
        ("aarch64-unknown-linux-musl", value(binstall, "pkg-url"), ""),
        ("x86_64-pc-windows-msvc", value(windows, "pkg-url"), ".exe"),
    ] {
        let binary = fake_binary(tmp.path());
        let out = script(
            "package-release.sh",
            &["1.2.3", target, tmp.path().to_str().unwrap(), binary.to_str().unwrap()],
            &[],
            &root(),
        );
        if !out.status.success() && target.contains("windows") {
            eprintln!("SKIPPED the Windows archive: {}", text(&out.stderr));
            continue;
        }
        assert!(out.status.success(), "{}", text(&out.stderr));
        let archive = text(&out.stdout).trim().rsplit('/').next().unwrap().to_owned();
        assert_eq!(
            fill(&url, target, ext),
            format!("https://github.com/kpulint/kpulint/releases/download/v1.2.3/{archive}")
        );
        assert_eq!(
            fill(&value(binstall, "bin-dir"), target, ext),
            format!("kpulint-1.2.3-{target}/kpulint{ext}")
        );
    }
    // A crates.io build needs the build script: the package's file list names it.
    let include = manifest.lines().find(|l| l.starts_with("include = ")).expect("include");
    for needed in ["\"build.rs\"", "\"src/**\"", "\"rules/**\"", "\"Cargo.lock\""] {
        assert!(include.contains(needed), "{needed} in {include}");
    }
}

#[test]
fn the_wheel_is_the_binary_built_by_maturin() {
    let pyproject = read("pyproject.toml");
    for line in [
        "build-backend = \"maturin\"",
        "name = \"kpulint\"",
        "bindings = \"bin\"",
    ] {
        assert!(pyproject.lines().any(|l| l == line), "pyproject.toml: {line}");
    }
    // The version is Cargo.toml's: maturin reads it when it is dynamic.
    let dynamic = pyproject
        .lines()
        .find(|l| l.starts_with("dynamic = "))
        .expect("dynamic");
    assert!(dynamic.contains("\"version\""), "{dynamic}");
    assert!(!pyproject.lines().any(|l| l.starts_with("version = ")));
}

#[test]
fn the_pre_commit_mirror_installs_the_wheel_of_its_version() {
    let tmp = TempDir::new().unwrap();
    let out_dir = tmp.path().join("mirror");
    let out = script(
        "pre-commit-mirror.sh",
        &["v1.2.3", out_dir.to_str().unwrap()],
        &[],
        &root(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(out_dir.join(".pre-commit-hooks.yaml")).unwrap(),
        read(".pre-commit-hooks.yaml"),
        "the mirror's hooks are this repository's"
    );
    let pyproject = std::fs::read_to_string(out_dir.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("dependencies = [\"kpulint==1.2.3\"]"), "{pyproject}");
    assert!(pyproject.contains("version = \"1.2.3\""));
    assert!(std::fs::read_to_string(out_dir.join("README.md"))
        .unwrap()
        .contains("rev: v1.2.3"));
    let out = script("pre-commit-mirror.sh", &["main", "x"], &[], &root());
    assert_eq!(out.status.code(), Some(2));
}

/// pre-commit passes a changed `.kpulintignore`: the tree it applies to is linted again.
#[test]
fn a_named_kpulintignore_lints_the_tree_it_applies_to() {
    let tmp = TempDir::new().unwrap();
    let infra = tmp.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    copy_example("state-heavy", &infra);
    std::fs::create_dir(infra.join("old")).unwrap();
    std::fs::write(infra.join("old/broken.tf"), "resource \"x\" {\n").unwrap();
    std::fs::write(infra.join(".kpulintignore"), "old/\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpulint"))
        .current_dir(tmp.path())
        .args(["--skip-unrelated", "--format", "compact", "infra/.kpulintignore"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("infra/main.tf:64:32: warning[KPU004]"), "{stdout}");
    assert!(!stdout.contains("broken.tf"), "the ignore file is honoured: {stdout}");
}

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

#[test]
fn the_dockerfile_builds_a_static_non_root_image_where_docker_runs() {
    let dockerfile = read("Dockerfile");
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.is_empty())
        .collect();
    let from: Vec<&&str> = instructions.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from.len(), 2, "a build stage and a runtime stage: {from:?}");
    assert!(
        from[0].contains("alpine") && from[0].ends_with(" AS build"),
        "musl: {}",
        from[0]
    );
    let runtime = &instructions[instructions
        .iter()
        .position(|l| l.starts_with("FROM alpine"))
        .expect("runtime")..];
    assert!(runtime.contains(&"USER 10001:10001"), "non-root");
    assert!(runtime.contains(&"WORKDIR /src"));
    assert!(runtime.contains(&"ENTRYPOINT [\"kpulint\"]"));
    assert!(runtime.iter().any(|l| l.starts_with("COPY --from=build ")));
    let ignore = read(".dockerignore");
    assert!(
        ignore.lines().any(|l| l == "*"),
        "the context is only what the build needs"
    );

    let docker = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    let server = match docker {
        Ok(out) if out.status.success() => text(&out.stdout),
        Ok(out) => {
            eprintln!("SKIPPED docker build: no Docker engine ({})", text(&out.stderr).trim());
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED docker build: no docker command ({e})");
            return;
        }
    };
    eprintln!("docker build with Docker {}", server.trim());
    let tag = format!("kpulint-test:{}", std::process::id());
    let build = Command::new("docker")
        .args(["build", "-t", &tag, "."])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(build.status.success(), "docker build:\n{}", text(&build.stderr));
    let run = |args: &[&str]| {
        Command::new("docker")
            .args(["run", "--rm"])
            .args(args)
            .output()
            .unwrap()
    };
    let version = run(&[&tag, "--version"]);
    assert!(text(&version.stdout).starts_with(&format!("kpulint {}", env!("CARGO_PKG_VERSION"))));
    let uid = run(&["--entrypoint", "id", &tag, "-u"]);
    assert_eq!(text(&uid.stdout).trim(), "10001");
    let example = root().join("examples/state-heavy");
    let lint = run(&[
        "-v",
        &format!("{}:/src:ro", example.display()),
        &tag,
        "--format",
        "compact",
    ]);
    assert_eq!(lint.status.code(), Some(1), "{}", text(&lint.stderr));
    assert!(text(&lint.stdout).contains("main.tf:64:32: warning[KPU004]"));
    let _ = Command::new("docker").args(["rmi", &tag]).output();
}
