//! `--fix` and `--diff` in a run: plan the edits of a finished run, write them (or print their
//! diff), re-lint, and count the findings the edits resolved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::splice::WriteError;
use super::{diff, plan, transaction, Edit, FixOptions, Plan};
use crate::model::{InputError, Notice};
use crate::run::Outcome;
use crate::source::SourceFile;

/// What `--fix` did, for the reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixReport {
    /// Findings of the first run that the re-run no longer reports.
    pub fixed: usize,
    /// The files written, in order, each with its changes (`flink_parallelism 12 → 10`), for
    /// applications that had an active finding.
    pub changes: Vec<(String, Vec<String>)>,
    /// The same for applications without an active finding (`--unsafe-fixes` can apply a
    /// recommendation that no finding asked for), and how many applications those are.
    pub without_finding: Vec<(String, Vec<String>)>,
    pub applications_without_finding: usize,
}

/// Whether `--fix` may write `file`: it must be a real file inside one of the linted `roots`
/// (`.` when none are given).
pub fn editable_in(roots: &[PathBuf]) -> impl Fn(&SourceFile) -> Result<(), String> {
    let roots: Vec<(PathBuf, bool)> = if roots.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        roots.to_vec()
    }
    .into_iter()
    .filter_map(|r| r.canonicalize().ok().map(|c| (c.clone(), c.is_dir())))
    .collect();
    move |file: &SourceFile| {
        if file.path == "<stdin>" {
            return Err("is standard input".into());
        }
        // Shown lossily: the name printed is not the file's, so it cannot be opened by it.
        if file.path.contains('\u{fffd}') {
            return Err("has a name that is not valid UTF-8".into());
        }
        let Ok(path) = Path::new(&file.path).canonicalize() else {
            return Err("is not a file kpulint can write".into());
        };
        let inside = roots
            .iter()
            .any(|(root, dir)| if *dir { path.starts_with(root) } else { path == *root });
        if inside {
            Ok(())
        } else {
            Err("is outside the linted paths".into())
        }
    }
}

/// The edits of a plan, by file (in order).
fn by_file(plan: &Plan) -> BTreeMap<&str, Vec<&Edit>> {
    let mut files: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in &plan.edits {
        files.entry(e.file.path.as_str()).or_default().push(e);
    }
    files
}

/// The unified diff of everything `--fix` would write.
pub fn diff_text(plan: &Plan) -> String {
    by_file(plan)
        .into_iter()
        // A compacted file that changed since it was read has no diff: `--fix` would not edit it.
        .filter_map(|(path, edits)| Some(diff::unified(path, &edits[0].file.whole_text()?, &edits)))
        .collect()
}

/// Plans the fixes of `outcome` (`roots` are the linted paths).
pub fn plan_outcome(outcome: &Outcome, roots: &[PathBuf], unsafe_fixes: bool) -> Plan {
    let editable = editable_in(roots);
    // A suppressed finding is a decision to keep what its own fix would change.
    let mut accepted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in outcome.findings.iter().filter(|f| f.suppressed.is_some()) {
        if let Some(app) = &f.instance {
            accepted.entry(app.clone()).or_default().insert(f.rule.id.to_string());
        }
    }
    let opts = FixOptions { unsafe_fixes, accepted };
    plan(&outcome.analyses, &opts, &editable)
}

/// The files of the plan in transactions: files that one application's fix edits are written
/// together (and so are files linked through a shared edit).
fn transactions<'p>(files: &BTreeMap<&'p str, Vec<&'p Edit>>) -> Vec<Vec<&'p str>> {
    let paths: Vec<&str> = files.keys().copied().collect();
    // Union-find over the files, joined through the applications their edits are for.
    let mut parent: Vec<usize> = (0..paths.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_file_of_app: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, edits) in files.values().enumerate() {
        for app in edits.iter().flat_map(|e| e.applications.iter()) {
            let j = *first_file_of_app.entry(app.as_str()).or_insert(i);
            let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
            parent[ri] = rj;
        }
    }
    let mut groups: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (i, path) in paths.iter().enumerate() {
        groups.entry(root(&mut parent, i)).or_default().push(path);
    }
    groups.into_values().collect()
}

/// What writing the plan did: the edits written, per file; the files that could not be
/// written (errors); and those refused or held back with them (notices).
struct Written<'p> {
    files: Vec<(String, Vec<&'p Edit>)>,
    errors: Vec<InputError>,
    notices: Vec<Notice>,
}

/// Writes the plan's edits, one transaction per group of files ([`transactions`]): every file of
/// a group is written, or none is.
fn write(plan: &Plan) -> Written<'_> {
    let files = by_file(plan);
    let mut out = Written {
        files: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
    };
    for group in transactions(&files) {
        let mut staged = Vec::with_capacity(group.len());
        let mut failed: Option<(&str, WriteError)> = None;
        for &path in &group {
            let edits = &files[path];
            let result = match edits[0].file.whole_text() {
                Some(original) => transaction::stage(Path::new(path), &original, edits),
                None => Err(WriteError::Changed { path: path.to_string() }),
            };
            match result {
                Ok(s) => staged.push(s),
                Err(e) => {
                    failed = Some((path, e));
                    break;
                }
            }
        }
        if failed.is_none() {
            if let Err((i, e)) = transaction::commit(&staged) {
                failed = Some((group[i], e));
            }
        }
        // Temporary files go now, whatever happened.
        drop(staged);
        let Some((bad, error)) = failed else {
            for path in group {
                out.files.push((path.to_string(), files[path].clone()));
            }
            continue;
        };
        for &path in group.iter().filter(|p| **p != bad) {
            out.notices.push(Notice {
                span: None,
                message: WriteError::NotWritten {
                    path: path.to_string(),
                    failed: bad.to_string(),
                }
                .to_string(),
            });
        }
        match error {
            // A target kpulint must not write (not a regular file, read-only, hard-linked,
            // another user's) is a note: nothing is wrong with the inputs.
            WriteError::Refused { .. } => out.notices.push(Notice {
                span: None,
                message: error.to_string(),
            }),
            _ => out
                .errors
                .push(InputError::new(files[bad][0].file.whole(), error.to_string())),
        }
    }
    out
}

/// Removes the temporary files an interrupted `--fix` left beside the files this run may edit.
fn remove_stale_temps(outcome: &Outcome, plan: &Plan) {
    let dirs: BTreeSet<PathBuf> = plan
        .edits
        .iter()
        .map(|e| e.file.path.as_str())
        .chain(outcome.analyses.iter().map(|a| a.app.span.path()))
        .filter(|p| *p != "<stdin>")
        .map(|p| Path::new(p).parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    for dir in dirs {
        crate::files::cleanup::remove_stale_temps(&dir);
    }
}

/// The written changes, per file, split by whether any application an edit is for had an
/// active finding; and how many applications without one were changed.
type Changes = Vec<(String, Vec<String>)>;
fn split_by_finding(written: &[(String, Vec<&Edit>)], with_finding: &BTreeSet<&str>) -> (Changes, Changes, usize) {
    let (mut prompted, mut unprompted) = (Vec::new(), Vec::new());
    let mut apps_without: BTreeSet<&str> = BTreeSet::new();
    for (path, edits) in written {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for e in edits {
            if e.applications.iter().any(|app| with_finding.contains(app.as_str())) {
                a.push(e.description.clone());
            } else {
                apps_without.extend(e.applications.iter().map(String::as_str));
                b.push(e.description.clone());
            }
        }
        if !a.is_empty() {
            prompted.push((path.clone(), a));
        }
        if !b.is_empty() {
            unprompted.push((path.clone(), b));
        }
    }
    (prompted, unprompted, apps_without.len())
}

/// `--fix`: writes the fixes of `outcome`, then re-lints with `rerun` and returns what remains,
/// with the plan's notices and a [`FixReport`].
pub fn fix(outcome: Outcome, roots: &[PathBuf], unsafe_fixes: bool, rerun: impl FnOnce() -> Outcome) -> Outcome {
    let plan = plan_outcome(&outcome, roots, unsafe_fixes);
    remove_stale_temps(&outcome, &plan);
    let Written {
        files: written,
        errors,
        notices,
    } = write(&plan);
    let with_finding: BTreeSet<&str> = outcome
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter_map(|f| f.instance.as_deref())
        .collect();
    let (changes, without_finding, applications_without_finding) = split_by_finding(&written, &with_finding);
    let (mut now, fixed) = if written.is_empty() {
        (outcome, 0)
    } else {
        let now = rerun();
        let remaining: BTreeSet<&str> = now.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let fixed = outcome
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && !remaining.contains(f.fingerprint.as_str()))
            .count();
        (now, fixed)
    };
    now.errors.extend(errors);
    // The notices of the plan say what was not fixed, and why: after the run's own notices.
    now.notices.extend(plan.notices);
    now.notices.extend(notices);
    now.fix = Some(FixReport {
        fixed,
        changes,
        without_finding,
        applications_without_finding,
    });
    now
}

/// `--diff`: the plan's notices (for standard error) and the diff.
pub fn diff(outcome: &Outcome, roots: &[PathBuf], unsafe_fixes: bool) -> (Vec<Notice>, String) {
    let plan = plan_outcome(outcome, roots, unsafe_fixes);
    let text = diff_text(&plan);
    (plan.notices, text)
}
