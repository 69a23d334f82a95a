//! End to end in a real editor: headless Neovim (Debian's `neovim` package) starts
//! `kpulint lsp` on a copy of `examples/state-heavy`, waits for the diagnostics, applies the
//! preferred code action and writes the files; the bytes on disk are then exactly those of
//! `kpulint --fix`. The README's Neovim set-up is run as pasted too. `.ci/run` installs Neovim where it can; without `nvim` on PATH the test says
//! so and checks nothing else.

#![cfg(feature = "lsp")]

mod lsp_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Neovim's version, or `None` after saying the test is skipped.
fn nvim_or_skip() -> Option<String> {
    let version = nvim_version();
    if version.is_none() {
        eprintln!("SKIPPED: nvim is not on PATH; install Debian's `neovim` package (apt-get install neovim) to run the Neovim end-to-end tests");
    }
    version
}

fn nvim_version() -> Option<String> {
    let out = Command::new("nvim").arg("--version").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

/// Runs `nvim --headless` with a script of tests/nvim/ until it exits (killed after 90 s), with
/// `kpulint` on PATH.
fn run_nvim(script: &str, env: &[(&str, &Path)]) -> Option<i32> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim").join(script);
    let bin = Path::new(env!("CARGO_BIN_EXE_kpulint"));
    let path = std::env::join_paths(
        std::iter::once(bin.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("PATH", path)
        .env("KPULINT_BIN", bin)
        .env("KPULINT_TODAY", "2026-11-26")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn neovim_applies_the_preferred_code_action_and_writes_the_bytes_fix_writes() {
    let Some(version) = nvim_or_skip() else { return };
    eprintln!("end to end with {version}");
    let (_tmp, root) = lsp_support::workspace(&["state-heavy"]);
    let dir = root.join("state-heavy");
    let expected = lsp_support::fixed_copy(&dir);
    let report = root.join("report.txt");
    let code = run_nvim(
        "fix.lua",
        &[
            ("KPULINT_FILE", &dir.join("main.tf")),
            ("KPULINT_CODE", Path::new("KPU004")),
            ("KPULINT_REPORT", &report),
        ],
    );
    let said = std::fs::read_to_string(&report).unwrap_or_else(|_| "(no report)".into());
    assert_eq!((code, said.as_str()), (Some(0), "ok"), "Neovim's run failed");
    for name in ["main.tf", "terraform.tfvars", "variables.tf"] {
        let got = std::fs::read(dir.join(name)).unwrap();
        let want = std::fs::read(expected.path().join(name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "{name} differs from what kpulint --fix writes"
        );
    }
    let tfvars = std::fs::read_to_string(dir.join("terraform.tfvars")).unwrap();
    assert!(tfvars.contains("\nflink_parallelism = 10\n"), "{tfvars}");
}

#[test]
fn the_readme_neovim_set_up_works_as_pasted() {
    let Some(version) = nvim_or_skip() else { return };
    eprintln!("README set-up with {version}");
    let (_tmp, root) = lsp_support::workspace(&["state-heavy"]);
    std::fs::create_dir(root.join(".git")).unwrap();
    let report = root.join("report.txt");
    let code = run_nvim(
        "readme.lua",
        &[
            (
                "KPULINT_README",
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
            ),
            ("KPULINT_FILE", &root.join("state-heavy/main.tf")),
            ("KPULINT_REPORT", &report),
        ],
    );
    let said = std::fs::read_to_string(&report).unwrap_or_else(|_| "(no report)".into());
    assert_eq!(
        (code, said.as_str()),
        (Some(0), "ok"),
        "the README's set-up did not work"
    );
}
