//! Runs units through the pipeline on the analysis thread, with the editor's buffers as an
//! overlay: the same `run` the command line uses, followed by the same fix planner as
//! `--fix` (safe fixes, and whole recommendations), so the editor says what the CLI says.
//!
//! One run at a time: the run's paths are relative to its workspace folder, which becomes the
//! process's current directory for its duration (so messages name files as `kpulint` run
//! from the folder does), and the overlay is installed process-wide while it runs.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};

use super::workspace::{Unit, UnitKind};
use crate::discover::FileKind;
use crate::eval::module::normalize;
use crate::fix::Plan;
use crate::inputs::{self, ReadOptions};
use crate::model::InputError;
use crate::overlay::Overlay;
use crate::run::{Outcome, RunOptions};
use crate::source::SourceFile;

/// What one run of a unit gave.
#[derive(Debug, Default)]
pub struct UnitRun {
    pub outcome: Outcome,
    /// `--fix`'s plan (safe parts) and `--fix --unsafe-fixes`'s (whole recommendations).
    pub safe_fixes: Plan,
    pub all_fixes: Plan,
    /// The versions of the open documents when the run read them.
    pub versions: HashMap<PathBuf, i32>,
    /// Open documents holding an input error (a half-typed value, a syntax error).
    pub broken: BTreeSet<PathBuf>,
}

/// The file a run's path names (relative paths are the folder's).
pub fn absolute(folder: &Path, shown: &str) -> PathBuf {
    normalize(&folder.join(shown))
}

/// Work for the analysis thread.
pub struct Job {
    pub generation: u64,
    pub units: Vec<Unit>,
    pub overlay: Arc<Overlay>,
    pub versions: Arc<HashMap<PathBuf, i32>>,
    /// Set when a newer change makes the rest of the job stale.
    pub cancel: Arc<AtomicBool>,
}

pub enum Done {
    Unit {
        generation: u64,
        unit: Unit,
        run: Box<UnitRun>,
    },
    Job {
        generation: u64,
    },
}

/// Starts the analysis thread: it runs each job's units in order until the job is cancelled.
pub fn spawn() -> std::io::Result<(Sender<Job>, Receiver<Done>)> {
    let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
    let (done_tx, done) = crossbeam_channel::unbounded::<Done>();
    std::thread::Builder::new()
        .name("kpulint-analysis".into())
        .spawn(move || {
            for job in job_rx {
                for unit in job.units {
                    if job.cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let run = run_unit(&unit, &job.overlay, &job.versions);
                    let sent = done_tx.send(Done::Unit {
                        generation: job.generation,
                        unit,
                        run: Box::new(run),
                    });
                    if sent.is_err() {
                        return;
                    }
                }
                if done_tx
                    .send(Done::Job {
                        generation: job.generation,
                    })
                    .is_err()
                {
                    return;
                }
            }
        })?;
    Ok((jobs, done))
}

/// Runs one unit. A panic in the pipeline becomes an error at the unit's file, never a dead
/// server.
pub fn run_unit(unit: &Unit, overlay: &Overlay, versions: &HashMap<PathBuf, i32>) -> UnitRun {
    if std::env::set_current_dir(&unit.folder).is_err() {
        return UnitRun::default();
    }
    let overlay = Arc::new(overlay.rebased(&unit.folder));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::overlay::with(Arc::clone(&overlay), || analyse(unit))
    }));
    let mut run = result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown");
        let file = SourceFile::new(shown(unit, &unit.id), "");
        let mut run = UnitRun::default();
        run.outcome.errors.push(InputError::new(
            file.whole(),
            format!("kpulint failed while analysing this file ({what}); please report it"),
        ));
        run
    });
    run.versions = versions.clone();
    run.broken = run
        .outcome
        .errors
        .iter()
        .map(|e| absolute(&unit.folder, e.span.path()))
        .filter(|p| versions.contains_key(p))
        .collect();
    run
}

/// How a run names `path`: relative to the folder when inside it.
fn shown(unit: &Unit, path: &Path) -> String {
    let rel = path.strip_prefix(&unit.folder).unwrap_or(path);
    match rel.to_str() {
        Some("") => ".".into(),
        Some(s) => s.to_string(),
        None => rel.to_string_lossy().into_owned(),
    }
}

fn analyse(unit: &Unit) -> UnitRun {
    let mut run = UnitRun::default();
    match unit.kind {
        UnitKind::Module | UnitKind::Template => {
            let named = named_files(unit);
            if named.is_empty() {
                return run;
            }
            let mut errors = Vec::new();
            let vars = crate::cli::var_inputs(&[], &[], &[], &mut errors).unwrap_or_default();
            let opts = RunOptions {
                paths: named.iter().map(|p| PathBuf::from(shown(unit, p))).collect(),
                vars,
                read: ReadOptions {
                    // A named JSON or YAML file that is neither a template nor a plan is
                    // skipped, as when walking.
                    skip_unrelated: unit.kind == UnitKind::Template,
                    ..ReadOptions::default()
                },
                skip_caller_search: true,
                instance_roots_from: Some(vec![PathBuf::from(".")]),
                ..RunOptions::default()
            };
            run.outcome = crate::run::run(&opts);
            run.outcome.errors.extend(errors);
            // The folder is what `--fix` may edit, as `kpulint --fix .` run from it.
            let roots = [PathBuf::from(".")];
            run.safe_fixes = crate::fix::apply::plan_outcome(&run.outcome, &roots, false);
            run.all_fixes = crate::fix::apply::plan_outcome(&run.outcome, &roots, true);
        }
        UnitKind::VarFile => {
            let parsed = buffer_or_file(unit).and_then(|file| {
                if file.path.ends_with(".json") {
                    inputs::tf_json::parse_tfvars_json(&file)
                } else {
                    inputs::hcl::parse_tfvars(&file)
                }
            });
            if let Err(e) = parsed {
                run.outcome.errors.push(e);
            }
        }
        UnitKind::Config => match buffer_or_file(unit) {
            Ok(file) => {
                let (_, errors) = crate::config::parse_config(&file, &|name| crate::rules::by_id(name).map(|r| r.id));
                run.outcome.errors.extend(errors);
            }
            Err(e) => run.outcome.errors.push(e),
        },
    }
    run
}

/// A file checked on its own (a var file, a config): its buffer, also one not saved yet, else
/// the file as the pipeline reads it.
fn buffer_or_file(unit: &Unit) -> Result<Arc<SourceFile>, InputError> {
    let shown = shown(unit, &unit.id);
    match crate::overlay::text_of(&unit.id) {
        Some(text) => Ok(SourceFile::new(shown, &*text)),
        None => inputs::read_source(Path::new(&shown)),
    }
}

/// The files a unit's run names: a template itself, or one Terraform file of each root
/// module (its siblings are read with it).
fn named_files(unit: &Unit) -> Vec<PathBuf> {
    if unit.kind == UnitKind::Template {
        return vec![unit.id.clone()];
    }
    unit.roots
        .iter()
        .filter_map(|root| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root)
                .ok()?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| matches!(FileKind::of(p), Some(FileKind::Tf | FileKind::TfJson)) && p.is_file())
                .collect();
            files.sort();
            files.into_iter().next()
        })
        .collect()
}
