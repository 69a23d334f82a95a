//! The base tree of `kpulint diff --base REF`, read with the `git` CLI (always present in CI)
//! into a temporary directory, without touching the working tree, the index or the
//! repository's list of worktrees: `read-tree` into a private index file, then
//! `checkout-index --prefix` of the files kpulint can read into the temporary directory, which
//! is removed when dropped.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git ({0}): `kpulint diff --base` needs git on PATH")]
    NotFound(std::io::Error),
    #[error("{} is not inside a git repository ({detail}): `--base` compares with a commit of the repository (use `kpulint diff OLD NEW` to compare two directories or plan files)", .path.display())]
    NotARepository { path: PathBuf, detail: String },
    #[error("{} is outside the git repository {}: `--base` compares paths of that repository only", .path.display(), .repository.display())]
    OutsideRepository { path: PathBuf, repository: PathBuf },
    #[error("{reference:?} is not a commit, branch or tag of the repository {} (in CI, fetch it first, e.g. `git fetch origin main`, or check out with fetch-depth: 0)", .repository.display())]
    NoSuchRef { reference: String, repository: PathBuf },
    #[error("git {what} failed: {detail}")]
    Failed { what: &'static str, detail: String },
    #[error("cannot create a temporary directory for the base tree: {0}")]
    TempDir(std::io::Error),
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    // The caller's index must never be the one read or written.
    cmd.env_remove("GIT_INDEX_FILE");
    cmd
}

/// Runs git; its trimmed stdout on success, its stderr on failure.
fn output(mut cmd: Command) -> Result<Result<String, String>, GitError> {
    let out = cmd.output().map_err(GitError::NotFound)?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()))
    } else {
        Ok(Err(String::from_utf8_lossy(&out.stderr).trim().to_string()))
    }
}

/// The top-level directory of the repository holding `dir` (canonical).
pub fn repository_root(dir: &Path) -> Result<PathBuf, GitError> {
    let mut cmd = git(dir);
    cmd.args(["rev-parse", "--show-toplevel"]);
    match output(cmd)? {
        Ok(top) if !top.is_empty() => {
            let top = PathBuf::from(top);
            Ok(top.canonicalize().unwrap_or(top))
        }
        Ok(_) => Err(GitError::NotARepository {
            path: dir.to_path_buf(),
            detail: "git found no top-level directory".to_string(),
        }),
        // git says why: no repository, or one it will not use (`safe.directory` in containers).
        Err(detail) => Err(GitError::NotARepository {
            path: dir.to_path_buf(),
            detail,
        }),
    }
}

/// The commit `reference` names in `repository`.
pub fn resolve_commit(repository: &Path, reference: &str) -> Result<String, GitError> {
    let missing = || GitError::NoSuchRef {
        reference: reference.to_string(),
        repository: repository.to_path_buf(),
    };
    // A reference starting with `-` would be read as an option.
    if reference.is_empty() || reference.starts_with('-') {
        return Err(missing());
    }
    let mut cmd = git(repository);
    cmd.args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{reference}^{{commit}}"));
    match output(cmd)? {
        Ok(sha) if !sha.is_empty() => Ok(sha),
        _ => Err(missing()),
    }
}

/// A commit's files in a temporary directory, removed on drop (and on SIGINT/SIGTERM, and by
/// the next `diff --base` after a `kill -9`: see [`crate::files::cleanup`]).
#[derive(Debug)]
pub struct BaseTree {
    dir: tempfile::TempDir,
    _registered: crate::files::cleanup::Registered,
}

impl BaseTree {
    /// The checkout's top-level directory: the repository root at the commit.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("tree")
    }
}

/// Checks out the files of `commit` of `repository` whose repository-relative path `wanted`
/// accepts into a temporary directory.
pub fn checkout(repository: &Path, commit: &str, wanted: impl Fn(&str) -> bool) -> Result<BaseTree, GitError> {
    crate::files::cleanup::remove_stale_base_trees();
    let dir = tempfile::Builder::new()
        .prefix(&format!(
            "{}{}-",
            crate::files::cleanup::BASE_TREE_PREFIX,
            std::process::id()
        ))
        .tempdir()
        .map_err(GitError::TempDir)?;
    let registered = crate::files::cleanup::register_dir(dir.path());
    let index = dir.path().join("index");
    let tree = dir.path().join("tree");
    let command = |args: &[&OsStr]| {
        let mut cmd = git(repository);
        cmd.env("GIT_INDEX_FILE", &index).args(args);
        cmd
    };
    let failed = |what: &'static str| move |detail: String| GitError::Failed { what, detail };
    output(command(&[OsStr::new("read-tree"), OsStr::new(commit)]))?.map_err(failed("read-tree"))?;
    let listed = command(&[OsStr::new("ls-files"), OsStr::new("-z")])
        .output()
        .map_err(GitError::NotFound)?;
    if !listed.status.success() {
        return Err(failed("ls-files")(
            String::from_utf8_lossy(&listed.stderr).trim().to_string(),
        ));
    }
    // Only what kpulint reads: a monorepo's source code is never written out.
    let mut paths = Vec::new();
    for path in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        if wanted(&String::from_utf8_lossy(path)) {
            paths.extend_from_slice(path);
            paths.push(0);
        }
    }
    // `--prefix` is a string prefix: the trailing separator makes it a directory.
    let mut prefix = std::ffi::OsString::from("--prefix=");
    prefix.push(tree.as_os_str());
    prefix.push(std::path::MAIN_SEPARATOR_STR);
    let mut child = command(&[
        OsStr::new("checkout-index"),
        OsStr::new("-z"),
        OsStr::new("--stdin"),
        &prefix,
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .map_err(GitError::NotFound)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&paths)
            .map_err(|e| failed("checkout-index")(e.to_string()))?;
    }
    let done = child.wait_with_output().map_err(GitError::NotFound)?;
    if !done.status.success() {
        return Err(failed("checkout-index")(
            String::from_utf8_lossy(&done.stderr).trim().to_string(),
        ));
    }
    // An empty `.git` marks the checkout's root, where config discovery stops walking up, as
    // it stops at the repository root in the working tree.
    std::fs::create_dir_all(tree.join(".git")).map_err(GitError::TempDir)?;
    Ok(BaseTree {
        dir,
        _registered: registered,
    })
}
