//! Evidence: what the AWS CLI exported about the running applications —
//! `aws cloudwatch get-metric-data` output for the queries [`convention`] writes, and
//! `aws kinesisanalyticsv2 describe-application` output. kpulint never calls AWS: it reads these
//! files (`--evidence FILE|DIR`, `evidence { paths = [...] }` in `.kpulint.hcl`).
//!
//! [`load`] reads a set of paths once (the language server calls it again when a file
//! changes); [`Loaded::for_application`] merges what every file says about one application,
//! matched by its resolved `name`.

pub mod convention;
pub mod reader;
pub mod time;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{InputError, Notice};
use crate::source::{SourceFile, Span};
pub use convention::Metric;
pub use reader::{FileEvidence, Point, Running, RunningParallelism};

/// Files larger than this are not read (the size cap of every input).
pub const MAX_EVIDENCE_FILE_BYTES: u64 = 256_000_000;

/// One evidence file that was read.
#[derive(Debug)]
pub struct EvidenceFile {
    /// The path as shown in reports.
    pub path: String,
    /// The same file named twice (a directory and a file in it) is read once.
    key: PathBuf,
    pub evidence: FileEvidence,
}

/// Every evidence file of a run, read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<Arc<EvidenceFile>>,
    /// Files that could not be read or hold no evidence (each an input error at the file).
    pub errors: Vec<InputError>,
    /// Messages of the exports themselves (CloudWatch `Messages`, a `NextToken`, results that
    /// are not kpulint's queries).
    pub notices: Vec<Notice>,
    /// Applications a broken file named before its error (their evidence may be missing), with
    /// the file and its error.
    pub broken: BTreeMap<String, Vec<(PathBuf, Span)>>,
}

/// A file's span for an error at its line and column (1-based), or at its start.
fn located(path: &str, at: Option<(usize, usize)>, line_text: Option<String>) -> Span {
    let Some((line, column)) = at else {
        return SourceFile::new(path, "").whole();
    };
    // The file is not kept: a stand-in with the error's line at its number and column.
    let filler = "\n".repeat(line.saturating_sub(1));
    let text = format!("{filler}{}\n", line_text.unwrap_or_default());
    let file = SourceFile::new(path, text);
    let start = filler.len();
    let in_line: usize = file
        .text
        .get(start..)
        .unwrap_or("")
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let filler_lines = 0..start;
    let file = file
        .compact(std::slice::from_ref(&filler_lines))
        .filter(|_| start > 0)
        .unwrap_or(file);
    file.span(start + in_line..start + in_line)
}

/// The text of 1-based `line` of a file (cut at 2000 characters), read again for an error.
fn line_of(path: &Path, line: usize) -> Option<String> {
    use std::io::BufRead;
    let file = open(path).ok()?;
    let mut reader = BufReader::new(file.take(MAX_EVIDENCE_FILE_BYTES));
    let mut buf = Vec::new();
    for _ in 0..line {
        buf.clear();
        // A line is read whole only up to a bound: a minified export is one long line.
        let mut limited = (&mut reader).take(1 << 20);
        if limited.read_until(b'\n', &mut buf).ok()? == 0 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&buf);
    Some(text.trim_end_matches(['\n', '\r']).chars().take(2000).collect())
}

/// Opens a regular file within the size cap.
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_EVIDENCE_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MB",
            MAX_EVIDENCE_FILE_BYTES / 1_000_000
        )));
    }
    Ok(file)
}

/// The `.json` files of a directory and its subdirectories (hidden ones skipped), sorted.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if hidden || meta.file_type().is_symlink() {
            continue;
        }
        if meta.is_dir() && depth < 16 {
            json_files(&p, out, depth + 1);
        } else if meta.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            out.push(p);
        }
    }
}

/// Reads the evidence at `paths`: files, and every `.json` file below a directory. Every file
/// is read once however often it is named.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut seen = BTreeSet::new();
    for path in paths {
        let mut files = Vec::new();
        if path.is_dir() {
            json_files(path, &mut files, 0);
        } else {
            files.push(path.clone());
        }
        for file in files {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.insert(key.clone()) {
                read_one(&file, key, &mut loaded);
            }
        }
    }
    loaded
}

/// A kpulint queries file (`--cli-input-json` input, not output) in an evidence directory.
fn is_queries_file(path: &Path) -> bool {
    let Ok(file) = open(path) else { return false };
    let mut head = Vec::new();
    let _ = file.take(4096).read_to_end(&mut head);
    let head = String::from_utf8_lossy(&head);
    head.trim_start().starts_with('{')
        && head.contains("\"MetricDataQueries\"")
        && !head.contains("\"MetricDataResults\"")
}

fn read_one(path: &Path, key: PathBuf, loaded: &mut Loaded) {
    let shown = crate::discover::display(path);
    let file = match open(path) {
        Ok(f) => f,
        Err(e) => {
            loaded.errors.push(InputError::new(
                located(&shown, None, None),
                format!("cannot read evidence file {shown}: {e}"),
            ));
            return;
        }
    };
    if is_queries_file(path) {
        loaded.notices.push(Notice {
            span: None,
            message: format!(
                "{shown} is a get-metric-data queries file (its input), not its output: skipped as evidence"
            ),
        });
        return;
    }
    match reader::read(BufReader::with_capacity(1 << 16, file.take(MAX_EVIDENCE_FILE_BYTES))) {
        Ok(evidence) => {
            notices_of(&shown, &evidence, &mut loaded.notices);
            loaded.files.push(Arc::new(EvidenceFile {
                path: shown,
                key,
                evidence,
            }));
        }
        Err(e) => {
            let line = e.at.and_then(|(l, _)| line_of(path, l));
            let span = located(&shown, e.at, line);
            for app in e.named {
                loaded.broken.entry(app).or_default().push((key.clone(), span.clone()));
            }
            loaded.errors.push(
                InputError::new(span, format!("evidence file {shown}: {}", e.message)).with_help(
                    "kpulint reads `aws cloudwatch get-metric-data` output for the queries `kpulint evidence queries` writes, and `aws kinesisanalyticsv2 describe-application` output; nothing of this file is used",
                ),
            );
        }
    }
}

/// What the export itself says: CloudWatch's messages, a page left out, results kpulint did
/// not ask for.
fn notices_of(shown: &str, e: &FileEvidence, notices: &mut Vec<Notice>) {
    let mut say = |message: String| notices.push(Notice { span: None, message });
    let mut said = BTreeSet::new();
    for m in &e.messages {
        if said.insert(m.to_string()) {
            say(format!("{shown}: CloudWatch says: {m}"));
        }
    }
    for (id, m) in &e.result_messages {
        say(format!("{shown}: CloudWatch says about {id}: {m}"));
    }
    if e.next_token {
        say(format!(
            "{shown} has a NextToken: the export stopped before its last page (run the AWS CLI without --max-items or --no-paginate); its series may be incomplete"
        ));
    }
    if !e.unmapped.is_empty() {
        const SHOWN: usize = 3;
        let mut ids: Vec<&str> = e.unmapped.iter().take(SHOWN).map(String::as_str).collect();
        if e.unmapped.len() > SHOWN {
            ids.push("…");
        }
        say(format!(
            "{shown}: {} result{} whose Id and Label are not kpulint's ({}): ignored; write the queries with `kpulint evidence queries`",
            e.unmapped.len(),
            crate::rules::plural(e.unmapped.len() as u64),
            ids.join(", ")
        ));
    }
}

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

    /// Every application name the files among `from` (all when `None`) hold evidence for, with
    /// the first file naming it.
    pub fn names(&self) -> BTreeMap<&str, &str> {
        let mut out = BTreeMap::new();
        for f in &self.files {
            for name in f.evidence.applications() {
                out.entry(name.as_str()).or_insert(f.path.as_str());
            }
        }
        out
    }

    /// The canonical paths of the files read for `paths` (to tell which files apply to whom).
    pub fn keys_for(&self, paths: &[PathBuf]) -> BTreeSet<PathBuf> {
        let mut wanted = Vec::new();
        for p in paths {
            if p.is_dir() {
                json_files(p, &mut wanted, 0);
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
    /// The applications each name's evidence went to.
    used_by: BTreeMap<String, Vec<String>>,
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
            used_by: BTreeMap::new(),
            notices: Vec::new(),
            now: time::now(),
        }
    }

    /// No evidence file at all.
    pub fn is_empty(&self) -> bool {
        self.loaded.files.is_empty() && self.loaded.broken.is_empty()
    }

    /// The evidence for `app` (matched by its resolved name) among the files that apply to it
    /// under `settings`. An evidence file that broke after naming it taints it.
    pub fn for_application(
        &mut self,
        app: &mut crate::model::Application,
        settings: &crate::needs::EvidenceSettings,
    ) -> Option<ApplicationEvidence> {
        if self.is_empty() {
            return None;
        }
        let name = app.name.value()?.clone();
        let mut keys = self.global.clone();
        if let Some(scoped) = self.scoped.get(&settings.paths) {
            keys.extend(scoped.iter().cloned());
        }
        for (key, span) in self.loaded.broken.get(&name).into_iter().flatten() {
            if keys.contains(key) {
                app.taint(span);
                self.matched.insert((name.clone(), key.clone()));
            }
        }
        let found = self.loaded.for_application(&name, Some(&keys))?;
        self.used_by.entry(name.clone()).or_default().push(app.address.clone());
        for key in &found.keys {
            self.matched.insert((name.clone(), key.clone()));
        }
        for (metric, s) in found.series.iter().filter(|(_, s)| !s.complete) {
            self.notices.push(Notice {
                span: Some(app.span.clone()),
                message: format!(
                    "evidence for {} ({}): {} is not complete ({}): CloudWatch did not deliver the whole series, so a need measured from it is not a safe fix",
                    app.address,
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
            used_by,
            mut notices,
            ..
        } = self;
        notices.extend(loaded.notices);
        for (name, apps) in used_by.iter().filter(|(_, apps)| apps.len() > 1) {
            notices.push(Notice {
                span: None,
                message: format!(
                    "the evidence for {name} went to {} applications of that name ({}): an application's name is unique only within an account and region, so check they are the same application, or give each directory its own evidence.paths in its .kpulint.hcl",
                    apps.len(),
                    apps.join(", ")
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
                    crate::rules::plural(n as u64)
                ),
            });
        }
        (loaded.errors, notices)
    }
}
