//! Evidence: what the AWS CLI exported about the running applications —
//! `aws cloudwatch get-metric-data` output for the queries [`convention`] writes, and
//! `aws kinesisanalyticsv2 describe-application` output. kpulint never calls AWS: it reads these
//! files (`--evidence FILE|DIR`, `evidence { paths = [...] }` in `.kpulint.hcl`).
//!
//! [`load`] reads a set of paths once (the language server can call it again when a file
//! changes); [`Loaded::for_application`] merges what every file says about one application,
//! matched by its resolved `name`. [`Evidence`] is one run's: `--evidence` for every
//! application, each config's `evidence.paths` for the applications it applies to, and the
//! notices about evidence nothing used. A name is unique only within an account and region:
//! one module called from `envs/prod` and `envs/staging` is two instances, and a file's
//! evidence for a name that several scanned instances resolve to is used by none of them.

pub mod convention;
mod files;
pub mod reader;
pub mod time;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::model::{InputError, Notice};
pub use convention::Metric;
pub use files::{load, EvidenceFile, Loaded};
pub use reader::{FileEvidence, Point, Running, RunningParallelism};

/// One metric of one application, every file's pages merged: sorted by time, one value per
/// timestamp.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// The query's period in seconds.
    pub period: u32,
    pub points: Vec<Point>,
    /// Some page said `Complete`: CloudWatch delivered the whole series.
    pub complete: bool,
    /// The other status codes when none said `Complete`, with the files: `PartialData in cw.json`.
    pub incomplete: Vec<String>,
}

/// Everything the evidence says about one application.
#[derive(Debug, Clone, Default)]
pub struct ApplicationEvidence {
    pub name: String,
    pub series: BTreeMap<Metric, Series>,
    pub running: Option<Running>,
    /// The file `running` was read from, as shown.
    pub running_file: Option<String>,
    /// The files it comes from, as shown.
    pub files: Vec<String>,
    /// The same files, by their canonical paths.
    pub(crate) keys: Vec<PathBuf>,
}

impl ApplicationEvidence {
    /// Any CloudWatch series at all.
    pub fn has_metrics(&self) -> bool {
        !self.series.is_empty()
    }
}

impl Loaded {
    /// What the files among `from` (all when `None`) say about the application named `name`.
    pub fn for_application(&self, name: &str, from: Option<&BTreeSet<PathBuf>>) -> Option<ApplicationEvidence> {
        let mut out = ApplicationEvidence {
            name: name.to_string(),
            ..ApplicationEvidence::default()
        };
        let mut statuses: BTreeMap<Metric, Vec<(String, String)>> = BTreeMap::new();
        for f in self
            .files
            .iter()
            .filter(|f| from.is_none_or(|set| set.contains(&f.key)))
        {
            let mut named = false;
            if let Some(by_metric) = f.evidence.series.get(name) {
                named = true;
                for (metric, s) in by_metric {
                    let merged = out.series.entry(*metric).or_default();
                    merged.period = merged.period.max(s.period);
                    merged.points.extend_from_slice(&s.points);
                    let st = statuses.entry(*metric).or_default();
                    st.extend(s.statuses.iter().map(|c| (c.clone(), f.path.clone())));
                }
            }
            if let Some(r) = f.evidence.running.get(name) {
                named = true;
                // The last file named wins (a newer export read after an older one).
                out.running = Some(r.clone());
                out.running_file = Some(f.path.clone());
            }
            if named {
                out.files.push(f.path.clone());
                out.keys.push(f.key.clone());
            }
        }
        if out.files.is_empty() {
            return None;
        }
        for (metric, s) in &mut out.series {
            s.points.sort_by_key(|p| p.0);
            // One value per timestamp: a page read twice, or overlapping exports.
            s.points.dedup_by_key(|p| p.0);
            let st = statuses.remove(metric).unwrap_or_default();
            s.complete = st.iter().any(|(c, _)| c == "Complete");
            if !s.complete {
                let mut seen = BTreeSet::new();
                s.incomplete = st
                    .into_iter()
                    .filter(|p| seen.insert(p.clone()))
                    .map(|(c, f)| format!("{c} in {f}"))
                    .collect();
            }
        }
        Some(out)
    }

    /// The canonical paths of the files read for `paths` (to tell which files apply to whom).
    pub fn keys_for(&self, paths: &[PathBuf]) -> BTreeSet<PathBuf> {
        let mut wanted = Vec::new();
        for p in paths {
            if p.is_dir() {
                files::json_files(p, &mut wanted, 0);
            } else {
                wanted.push(p.clone());
            }
        }
        wanted
            .into_iter()
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .collect()
    }
}

/// The evidence of one run: every file read once, which files apply to which application
/// (`--evidence` to all, a config's `evidence.paths` to the applications it applies to), and
/// which evidence found its application.
#[derive(Debug)]
pub struct Evidence {
    loaded: Loaded,
    /// The files `--evidence` named.
    global: BTreeSet<PathBuf>,
    /// The files of each config's `evidence.paths`.
    scoped: BTreeMap<Vec<PathBuf>, BTreeSet<PathBuf>>,
    /// `(application name, file)` pairs that reached an application.
    matched: BTreeSet<(String, PathBuf)>,
    /// `(application name, file)` pairs that several scanned applications could take, with
    /// each one's instance and file: used by none ([`Evidence::claim`]).
    ambiguous: BTreeMap<(String, PathBuf), Vec<(String, String)>>,
    notices: Vec<Notice>,
    /// The time evidence ages against.
    pub now: time::EpochSeconds,
}

impl Evidence {
    /// Reads `--evidence` paths and every config's `evidence.paths`.
    pub fn load<'a>(
        global: &[PathBuf],
        settings: impl Iterator<Item = &'a crate::needs::EvidenceSettings>,
    ) -> Evidence {
        let mut scoped: BTreeMap<Vec<PathBuf>, BTreeSet<PathBuf>> = BTreeMap::new();
        for s in settings.filter(|s| !s.paths.is_empty()) {
            scoped.entry(s.paths.clone()).or_default();
        }
        let mut all: Vec<PathBuf> = global.to_vec();
        all.extend(scoped.keys().flatten().cloned());
        let loaded = load(&all);
        let global = loaded.keys_for(global);
        for (paths, keys) in &mut scoped {
            *keys = loaded.keys_for(paths);
        }
        Evidence {
            loaded,
            global,
            scoped,
            matched: BTreeSet::new(),
            ambiguous: BTreeMap::new(),
            notices: Vec::new(),
            now: time::now(),
        }
    }

    /// No evidence file at all.
    pub fn is_empty(&self) -> bool {
        self.loaded.files.is_empty() && self.loaded.broken.is_empty()
    }

    /// The files that apply to an application under `settings`.
    fn applicable(&self, settings: &crate::needs::EvidenceSettings) -> BTreeSet<PathBuf> {
        let mut keys = self.global.clone();
        if let Some(scoped) = self.scoped.get(&settings.paths) {
            keys.extend(scoped.iter().cloned());
        }
        keys
    }

    /// Sees every scanned instance before any takes evidence: a file's evidence for a name
    /// that several instances it applies to resolve to (one module's environments named
    /// alike, or one name in two accounts) cannot tell which one it measured, so none takes
    /// it and [`Evidence::finish`] says so.
    pub fn claim<'a>(
        &mut self,
        apps: impl Iterator<Item = (&'a crate::model::Application, &'a crate::needs::EvidenceSettings)>,
    ) {
        if self.is_empty() {
            return;
        }
        // The files that name each application (a broken one taints whoever it names).
        let mut naming: BTreeMap<&String, BTreeSet<&PathBuf>> = BTreeMap::new();
        for f in &self.loaded.files {
            for name in f.evidence.applications() {
                naming.entry(name).or_default().insert(&f.key);
            }
        }
        // Each application once (two templates can hold the same logical id: one instance
        // name, two applications).
        let mut claimants: BTreeMap<(String, PathBuf), Vec<(String, String)>> = BTreeMap::new();
        for (app, settings) in apps {
            let Some(name) = app.name.value() else { continue };
            let Some(files) = naming.get(name) else { continue };
            let keys = self.applicable(settings);
            for key in files.iter().filter(|k| keys.contains(**k)) {
                claimants
                    .entry((name.clone(), (*key).clone()))
                    .or_default()
                    .push((app.instance.clone(), app.span.path().to_string()));
            }
        }
        claimants.retain(|_, instances| instances.len() > 1);
        for pair in claimants.keys() {
            self.matched.insert(pair.clone());
        }
        self.ambiguous = claimants;
    }

    /// The evidence for `app` (matched by its resolved name) among the files that apply to it
    /// under `settings`, but for those [`Evidence::claim`] found ambiguous. An evidence file
    /// that broke after naming it taints it.
    pub fn for_application(
        &mut self,
        app: &mut crate::model::Application,
        settings: &crate::needs::EvidenceSettings,
    ) -> Option<ApplicationEvidence> {
        if self.is_empty() {
            return None;
        }
        let name = app.name.value()?.clone();
        let mut keys = self.applicable(settings);
        keys.retain(|key| !self.ambiguous.contains_key(&(name.clone(), key.clone())));
        for (key, span) in self.loaded.broken.get(&name).into_iter().flatten() {
            if keys.contains(key) {
                app.taint(span);
                self.matched.insert((name.clone(), key.clone()));
            }
        }
        let found = self.loaded.for_application(&name, Some(&keys))?;
        for key in &found.keys {
            self.matched.insert((name.clone(), key.clone()));
        }
        for (metric, s) in found.series.iter().filter(|(_, s)| !s.complete) {
            self.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "evidence for {} ({}): {} is not complete ({}): CloudWatch did not deliver the whole series, so a need measured from it is not a safe fix",
                    app.instance,
                    name,
                    metric.name(),
                    s.incomplete.join(", ")
                ),
            });
        }
        Some(found)
    }

    /// The input errors of the evidence files and the notices about them: what the exports
    /// say, and evidence for an application no scanned application is named.
    pub fn finish(self) -> (Vec<InputError>, Vec<Notice>) {
        let Evidence {
            loaded,
            matched,
            ambiguous,
            mut notices,
            ..
        } = self;
        notices.extend(loaded.notices);
        // One notice per name and set of applications, naming its files; an instance name two
        // applications share is told apart by their files.
        let mut by_name: BTreeMap<(&String, Vec<String>), Vec<String>> = BTreeMap::new();
        for ((name, key), claimants) in &ambiguous {
            let instances = claimants
                .iter()
                .map(|(instance, file)| {
                    if claimants.iter().filter(|(i, _)| i == instance).count() > 1 {
                        format!("{instance} in {file}")
                    } else {
                        instance.clone()
                    }
                })
                .collect();
            if let Some(f) = loaded.files.iter().find(|f| &f.key == key) {
                by_name.entry((name, instances)).or_default().push(f.path.clone());
            }
        }
        for ((name, instances), files) in by_name {
            notices.push(Notice {
                span: None,
                message: format!(
                    "the evidence for {name} in {} is not used: {} scanned applications are named {name} ({}), and a name is unique only within an account and region, so it cannot tell which one it measured; lint each environment with its own --evidence (kpulint envs/prod --evidence prod-evidence/)",
                    files.join(", "),
                    instances.len(),
                    instances.join(", ")
                ),
            });
        }
        for f in &loaded.files {
            let unmatched: Vec<&String> = f
                .evidence
                .applications()
                .filter(|name| !matched.contains(&((*name).clone(), f.key.clone())))
                .collect();
            if unmatched.is_empty() {
                continue;
            }
            const SHOWN: usize = 5;
            let n = unmatched.len();
            let mut names = unmatched
                .iter()
                .take(SHOWN)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if n > SHOWN {
                names.push_str(&format!(" and {} more", n - SHOWN));
            }
            notices.push(Notice {
                span: None,
                message: format!(
                    "{} has evidence for application{} {names}, but no scanned application has that name (evidence is matched by an application's resolved name): not used",
                    f.path,
                    crate::needs::measured::plural(n as u64)
                ),
            });
        }
        (loaded.errors, notices)
    }
}
