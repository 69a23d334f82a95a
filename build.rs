//! Puts the commit kpulint is built from into `kpulint --version`.
//!
//! The commit comes from, in order: the `KPULINT_COMMIT` environment variable (with
//! `KPULINT_COMMIT_DATE`, `YYYY-MM-DD`; set by the release workflow, whose Docker and wheel builds
//! run without a usable `.git`), `git` when the package root is the root of a git
//! work tree (not a checkout that merely sits inside some other repository), and
//! `.cargo_vcs_info.json`, which `cargo package` writes into every crates.io package. With none
//! of them the version is printed alone. Nothing that changes between two builds of the same
//! commit (time, host, a dirty work tree) goes in, so builds stay reproducible.
//!
//! The script re-runs only when the checked-out commit can have changed (HEAD, the branch it
//! points to, packed refs) or `KPULINT_COMMIT` changes: not on every edit of a source file.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KPULINT_COMMIT");
    println!("cargo:rerun-if-env-changed=KPULINT_COMMIT_DATE");
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();

    let commit = env::var("KPULINT_COMMIT")
        .ok()
        .filter(|c| is_commit_hash(c))
        .map(|hash| Commit {
            hash,
            date: env::var("KPULINT_COMMIT_DATE").ok().filter(|d| is_date(d)),
        })
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_cargo_vcs_info(&manifest_dir));
    let long = match commit {
        Some(Commit { hash, date: Some(date) }) => format!("{version} (commit {hash}, {date})"),
        Some(Commit { hash, date: None }) => format!("{version} (commit {hash})"),
        None => version,
    };
    println!("cargo:rustc-env=KPULINT_VERSION_LONG={long}");
}

struct Commit {
    hash: String,
    /// Committer date, `YYYY-MM-DD`.
    date: Option<String>,
}

fn is_commit_hash(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_owned())
}

fn from_git(manifest_dir: &Path) -> Option<Commit> {
    // A crates.io package unpacked inside another repository must not report that
    // repository's commit.
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    let same_root = match (Path::new(&top).canonicalize(), manifest_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_root {
        return None;
    }
    watch_head(manifest_dir);
    let line = git(manifest_dir, &["show", "-s", "--format=%H %cs", "HEAD"])?;
    let (hash, date) = line.split_once(' ')?;
    is_commit_hash(hash).then(|| Commit {
        hash: hash.to_owned(),
        date: Some(date.to_owned()),
    })
}

/// Re-run when HEAD moves: HEAD itself (checkout, detached commits), the branch it names (a
/// commit on it) and packed-refs. A branch that is only in packed-refs has no file yet; its
/// directory is watched so the first commit, which writes the file, is seen.
fn watch_head(manifest_dir: &Path) {
    let git_path = |name: &str| git(manifest_dir, &["rev-parse", "--git-path", name]).map(|p| manifest_dir.join(p));
    let mut watched: Vec<PathBuf> = Vec::new();
    watched.extend(git_path("HEAD"));
    watched.extend(git_path("packed-refs"));
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(file) = git_path(&branch) {
            if file.is_file() {
                watched.push(file);
            } else if let Some(dir) = file.parent() {
                watched.push(dir.to_path_buf());
            }
        }
    }
    // A path that does not exist would make Cargo re-run the script on every build.
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// `{"git": {"sha1": "…", "dirty": true}, "path_in_vcs": ""}`, read without a JSON parser:
/// build scripts share no dependencies with the crate.
fn from_cargo_vcs_info(manifest_dir: &Path) -> Option<Commit> {
    let path = manifest_dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let after = text.split_once("\"sha1\"")?.1;
    let hash = after.split('"').nth(1)?;
    is_commit_hash(hash).then(|| Commit {
        hash: hash.to_owned(),
        date: None,
    })
}
