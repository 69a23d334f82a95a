//! `kpulint diff`: runs the same pipeline as `check` ([`run`](crate::run::run)) on the base and the head of a
//! change, with the same variables, parameters and config, and renders the comparison.
//!
//! With `--base REF` the base is the commit's tree, checked out into a temporary directory
//! ([`git::checkout`]) and evaluated from the directory matching the current one, with the same
//! relative paths, so its files print (and fingerprint) as the working tree's do.

use std::io;
use std::path::{Component, Path, PathBuf};

use clap::{Args, ValueEnum};

use super::git::{self, GitError};
use super::{compare, exit_code, gates, CostLimit, Labels, Side};
use crate::cli::{check_today_env, run_with_jobs, split_assignment, var_inputs, write_stdout, EvalArgs};
use crate::config::CONFIG_FILE;
use crate::discover::{display, FileKind};
use crate::inputs::Parameters;
use crate::model::{InputError, Notice};
use crate::report::{diff_human, diff_json, diff_markdown, FailOn};
use crate::run::Outcome;

pub const AFTER_HELP: &str = "\
Exit codes:
  0  the change introduces no finding at or above --fail-on, breaks no file and does not
     raise the monthly cost by more than --fail-on-cost-increase
  1  it does (findings that were already there never count)
  2  nothing could be compared: a usage error, a REF that does not exist, a path outside
     the git repository, or a side that has input errors and no application at all

Examples:
  kpulint diff --base origin/main                      the working tree against main
  kpulint diff --base origin/main infra/ --format markdown
  kpulint diff plan-main.json plan-branch.json         two plans (terraform show -json)
  kpulint diff --base main --fail-on-cost-increase 10%

With --base, a --var-file or --config inside the repository is read from each side's tree.";

/// `kpulint diff --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A table and the findings introduced and resolved (default)
    Human,
    /// The stable JSON contract documented in the README
    Json,
    /// A pull-request comment (GitHub, GitLab), under GitHub's 65,536-character limit
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Compare the working tree with this git commit, branch or tag
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// With --base: files or directories to compare (default: .). Without: OLD NEW, two
    /// directories or two plan files
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity of a finding introduced by the change that makes the exit code 1
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: FailOn,
    /// Exit 1 when the change raises the monthly cost by more than AMOUNT: dollars per month
    /// (`100`) or a percentage of the base's cost (`10%`)
    #[arg(long, value_name = "AMOUNT", value_parser = CostLimit::parse)]
    pub fail_on_cost_increase: Option<CostLimit>,
}

/// Runs `kpulint diff`.
pub fn diff(args: DiffArgs, order: Vec<(bool, usize)>) -> Result<i32, String> {
    check_today_env()?;
    let compared = match &args.base {
        Some(reference) => against_commit(&args, &order, reference),
        None => two_paths(&args, &order),
    }?;
    let roots = compared.roots.as_ref();
    let mut d = compare(
        Side {
            outcome: &compared.base,
            root: roots.map(|r| r.0.as_str()),
        },
        Side {
            outcome: &compared.head,
            root: roots.map(|r| r.1.as_str()),
        },
        compared.labels.clone(),
        compared.notices.clone(),
    );
    d.gates = gates(&d, args.fail_on, args.fail_on_cost_increase);
    let mut buf = Vec::new();
    match args.format {
        DiffFormat::Human => crate::report::escape::to_terminal(&mut buf, |o| diff_human::render(&d, o)),
        DiffFormat::Json => diff_json::render(&d, &mut buf),
        DiffFormat::Markdown => diff_markdown::render(&d, &mut buf),
    }
    .map_err(|e| e.to_string())?;
    match &args.output {
        Some(path) => std::fs::write(path, &buf).map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => write_stdout(&buf)?,
    }
    if d.incomparable {
        eprintln!("kpulint: nothing could be compared: a side has input errors and no application");
    }
    Ok(exit_code(&d))
}

/// The two outcomes and how to show them.
struct Compared {
    base: Outcome,
    head: Outcome,
    labels: Labels,
    notices: Vec<Notice>,
    /// `diff OLD NEW`: the two roots as shown in paths.
    roots: Option<(String, String)>,
}

fn notice(message: String) -> Notice {
    Notice { span: None, message }
}

/// One run of the pipeline with the command's options. Var files, config and source directory
/// resolve against the current directory.
fn run_side(
    args: &DiffArgs,
    order: &[(bool, usize)],
    paths: Vec<PathBuf>,
    var_files: &[PathBuf],
    config: Option<PathBuf>,
    source_dir: Option<PathBuf>,
) -> Result<Outcome, String> {
    if paths.is_empty() {
        return Ok(Outcome::default());
    }
    let mut pre_errors: Vec<InputError> = Vec::new();
    let vars = var_inputs(&args.eval.vars, var_files, order, &mut pre_errors)?;
    let mut parameters = Parameters::new();
    for raw in &args.eval.parameters {
        let (k, v) = split_assignment(raw, "--parameter")?;
        parameters.insert(k, v);
    }
    // Each side reads its own config and source directory.
    let mut opts = args.eval.run_options(paths, vars, parameters);
    opts.config = config;
    opts.source_dir = source_dir;
    let mut outcome = run_with_jobs(&opts);
    outcome.errors.splice(0..0, pre_errors);
    Ok(outcome)
}

/// `kpulint diff OLD NEW`.
fn two_paths(args: &DiffArgs, order: &[(bool, usize)]) -> Result<Compared, String> {
    let [old, new] = args.paths.as_slice() else {
        return Err(format!(
            "kpulint diff compares two paths (OLD NEW) or, with --base REF, the working tree with a commit; got {} path{}",
            args.paths.len(),
            if args.paths.len() == 1 { "" } else { "s" }
        ));
    };
    if old.as_os_str() == "-" && new.as_os_str() == "-" {
        return Err("only one of OLD and NEW can be `-` (standard input)".to_string());
    }
    for p in [old, new].into_iter().filter(|p| p.as_os_str() != "-") {
        std::fs::metadata(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    }
    let side = |p: &PathBuf| {
        run_side(
            args,
            order,
            vec![p.clone()],
            &args.eval.var_files,
            args.eval.config.clone(),
            args.eval.source_dir.clone(),
        )
    };
    // What the side's paths start with: a plan piped in (`terraform show -json plan.out |
    // kpulint diff main.plan.json -`) is read as `<stdin>`.
    let root = |p: &PathBuf| {
        if p.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            display(p)
        }
    };
    Ok(Compared {
        base: side(old)?,
        head: side(new)?,
        labels: Labels {
            base: display(old),
            head: display(new),
        },
        notices: Vec::new(),
        roots: Some((root(old), root(new))),
    })
}

/// Restores the current directory when dropped.
struct InDir {
    previous: PathBuf,
}

impl InDir {
    fn enter(dir: &Path) -> io::Result<InDir> {
        let previous = std::env::current_dir()?;
        std::env::set_current_dir(dir)?;
        Ok(InDir { previous })
    }
}

impl Drop for InDir {
    fn drop(&mut self) {
        // Nothing else runs in this process meanwhile; if the old directory is gone, output
        // paths are already fixed strings.
        let _ = std::env::set_current_dir(&self.previous);
    }
}

/// `target` relative to `from` (both absolute and canonical), with `..` where needed.
fn relative_from(from: &Path, target: &Path) -> PathBuf {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    (common..a.len()).for_each(|_| out.push(".."));
    b[common..].iter().for_each(|c| out.push(c));
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The canonical form of a path that may not exist (a directory the change deletes): its
/// longest existing ancestor canonicalised, the rest appended.
fn canonical_lenient(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            return rest.iter().rev().fold(c, |acc: PathBuf, part| acc.join(part));
        }
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// A path argument with `--base`: inside the repository it is made relative to the current
/// directory (so it names the same file in the base checkout); `None` when it is outside.
fn in_repository(cwd: &Path, repository: &Path, path: &Path) -> Option<PathBuf> {
    let canonical = canonical_lenient(&cwd.join(path));
    if !canonical.starts_with(repository) {
        return None;
    }
    Some(if path.is_absolute() {
        relative_from(cwd, &canonical)
    } else {
        path.to_path_buf()
    })
}

/// `kpulint diff --base REF [PATH]...`.
fn against_commit(args: &DiffArgs, order: &[(bool, usize)], reference: &str) -> Result<Compared, String> {
    let err = |e: GitError| e.to_string();
    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| format!("cannot read the current directory: {e}"))?;
    let repository = git::repository_root(&cwd).map_err(err)?;
    let requested = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if requested.iter().any(|p| p.as_os_str() == "-") {
        return Err("`-` (standard input) has no base commit: with --base, name files or directories".to_string());
    }
    let mut paths = Vec::new();
    for p in &requested {
        match in_repository(&cwd, &repository, p) {
            Some(p) => paths.push(p),
            None => {
                return Err(err(GitError::OutsideRepository {
                    path: p.clone(),
                    repository,
                }))
            }
        }
    }
    let commit = git::resolve_commit(&repository, reference).map_err(err)?;
    let short = commit.get(..7).unwrap_or(&commit);
    // Files named by a flag are wanted whatever their name (`--var-file prod.vars`).
    let named: Vec<String> = args
        .eval
        .var_files
        .iter()
        .chain(&args.eval.config)
        .map(|p| canonical_lenient(&cwd.join(p)))
        .filter_map(|p| {
            let rel = p.strip_prefix(&repository).ok()?;
            // As git lists paths: `/`-separated on every platform.
            Some(rel.iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect();
    let tree = git::checkout(&repository, &commit, |path| {
        let name = path.rsplit('/').next().unwrap_or(path);
        FileKind::of(Path::new(path)).is_some()
            || matches!(name, CONFIG_FILE | ".gitignore" | ".kpulintignore")
            || named.iter().any(|n| n == path)
    })
    .map_err(err)?;
    let base_cwd = tree.root().join(cwd.strip_prefix(&repository).unwrap_or(Path::new("")));
    std::fs::create_dir_all(&base_cwd).map_err(|e| format!("cannot prepare the base tree: {e}"))?;

    let mut notices = Vec::new();
    let (mut head_paths, mut base_paths) = (Vec::new(), Vec::new());
    for p in paths {
        let shown = display(&p);
        match (p.exists(), base_cwd.join(&p).exists()) {
            (false, false) => return Err(format!("{shown} exists neither in the working tree nor at {reference}")),
            (true, false) => notices.push(notice(format!(
                "{shown} does not exist at {reference}: everything in it is added"
            ))),
            (false, true) => notices.push(notice(format!(
                "{shown} does not exist in the working tree: everything it held at {reference} is removed"
            ))),
            (true, true) => {}
        }
        if p.exists() {
            head_paths.push(p.clone());
        }
        if base_cwd.join(&p).exists() {
            base_paths.push(p);
        }
    }

    // Var files, config and source directory in the repository are read from each side's
    // tree (a change to `prod.tfvars` is part of the change); outside it, the same file.
    let mut side_file = |p: &Path, flag: &str| -> (PathBuf, PathBuf) {
        match in_repository(&cwd, &repository, p) {
            Some(rel) if base_cwd.join(&rel).exists() => (rel.clone(), rel),
            Some(rel) => {
                notices.push(notice(format!(
                    "{flag} {} does not exist at {reference}: the base uses the working tree's",
                    display(&rel)
                )));
                (rel.clone(), cwd.join(&rel))
            }
            None => (p.to_path_buf(), canonical_lenient(&cwd.join(p))),
        }
    };
    let (head_var_files, base_var_files): (Vec<PathBuf>, Vec<PathBuf>) =
        args.eval.var_files.iter().map(|p| side_file(p, "--var-file")).unzip();
    let (head_config, base_config) = args.eval.config.as_deref().map(|p| side_file(p, "--config")).unzip();
    let (head_source, base_source) = args
        .eval
        .source_dir
        .as_deref()
        .map(|p| side_file(p, "--source-dir"))
        .unzip();

    let head = run_side(args, order, head_paths, &head_var_files, head_config, head_source)?;
    let base = {
        let _in_base = InDir::enter(&base_cwd).map_err(|e| format!("cannot enter the base tree: {e}"))?;
        run_side(args, order, base_paths, &base_var_files, base_config, base_source)?
    };
    drop(tree);
    Ok(Compared {
        base,
        head,
        labels: Labels {
            base: format!("{reference} ({short})"),
            head: "working tree".to_string(),
        },
        notices,
        roots: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_directories() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(relative_from(&p("/r/a/b"), &p("/r/a/b/c.tf")), p("c.tf"));
        assert_eq!(relative_from(&p("/r/a/b"), &p("/r/x/y")), p("../../x/y"));
        assert_eq!(relative_from(&p("/r/a"), &p("/r/a")), p("."));
    }
}
