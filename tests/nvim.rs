//! End to end in a real editor: headless Neovim (Debian's `neovim` package) starts
//! `kpulint lsp` on a copy of `examples/state-heavy`, waits for the diagnostics, applies the
//! preferred code action and writes the files; the bytes on disk are then exactly those of
//! `kpulint --fix`. `.ci/run` installs Neovim where it can; without `nvim` on PATH the test says
//! so and checks nothing else.

mod lsp_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Runs `nvim --headless` with the script until it exits (killed after a minute).
fn run_nvim(file: &Path, code: &str, report: &Path) -> Option<i32> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/fix.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("KPULINT_BIN", env!("CARGO_BIN_EXE_kpulint"))
        .env("KPULINT_FILE", file)
        .env("KPULINT_CODE", code)
        .env("KPULINT_REPORT", report)
        .env("KPULINT_TODAY", "2026-11-26")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nvim");
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
    let Some(version) = nvim_version() else {
        eprintln!("SKIPPED: nvim is not on PATH; install Debian's `neovim` package (apt-get install neovim) to run the Neovim end-to-end test");
        return;
    };
    eprintln!("end to end with {version}");
    let (_tmp, root) = lsp_support::workspace(&["state-heavy"]);
    let dir = root.join("state-heavy");
    let expected = lsp_support::fixed_copy(&dir);
    let report = root.join("report.txt");
    let code = run_nvim(&dir.join("main.tf"), "KPU004", &report);
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
