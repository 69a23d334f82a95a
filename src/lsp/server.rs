//! The server loop: messages from the editor on the main thread, analyses on the analysis
//! thread, results published as they come.
//!
//! - A change marks the units that read the changed file dirty. Once no change has come for
//!   [`DEBOUNCE`], one job runs every dirty unit (those of the documents asked about first,
//!   then those of open documents). A newer change cancels the rest of a running job; a
//!   unit's result is taken only if no change reached it after the job started.
//! - Hover, code action and code lens requests are answered once the units reading their
//!   document are up to date, so positions and edits always match the editor's text. No
//!   request fails because a document does not parse: it gets what there is.
//! - A unit whose run found an input error in an open document (a half-typed value) keeps
//!   publishing its last good diagnostics for its other files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    Diagnostic, DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, PublishDiagnosticsParams, Uri,
};
use serde_json::{json, Value};

use super::analysis::{self, Done, Job, UnitRun};
use super::code_actions::FIX_ALL;
use super::diagnostics;
use super::documents::Documents;
use super::positions::{path_to_uri, uri_to_path, Encoding};
use super::workspace::{folder_of, implicit_folder, Folder, Unit, UnitKind};
use crate::discover::FileKind;

/// How long the server waits after a change before analysing, so a burst of keystrokes is
/// analysed once.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// The command that applies every safe fix of a document (for editors without
/// `codeActionsOnSave`): `{"command": "kpulint.applyFixAll", "arguments": [uri]}`.
pub const APPLY_FIX_ALL: &str = "kpulint.applyFixAll";

/// What the client can do, read from its `initialize` capabilities.
#[derive(Debug, Default, Clone)]
pub struct ClientCaps {
    pub markdown: bool,
    pub document_changes: bool,
    pub disabled_support: bool,
    pub watch_files: bool,
}

impl ClientCaps {
    pub fn from_initialize(params: &Value) -> ClientCaps {
        let caps = params.get("capabilities").cloned().unwrap_or(Value::Null);
        let flag = |ptr: &str| caps.pointer(ptr).and_then(Value::as_bool).unwrap_or(false);
        ClientCaps {
            markdown: caps
                .pointer("/textDocument/hover/contentFormat")
                .and_then(Value::as_array)
                .is_some_and(|f| f.iter().any(|k| k == "markdown")),
            document_changes: flag("/workspace/workspaceEdit/documentChanges"),
            disabled_support: flag("/textDocument/codeAction/disabledSupport"),
            watch_files: flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
        }
    }
}

/// The position encoding the client offers (`general.positionEncodings`).
pub fn encoding_of(params: &Value) -> Encoding {
    let offered: Option<Vec<lsp_types::PositionEncodingKind>> = params
        .pointer("/capabilities/general/positionEncodings")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    Encoding::negotiate(offered.as_deref())
}

/// The server's capabilities.
pub fn capabilities(enc: Encoding) -> Value {
    json!({
        "positionEncoding": enc.kind(),
        "textDocumentSync": { "openClose": true, "change": 2, "save": { "includeText": false } },
        "hoverProvider": true,
        "codeActionProvider": {
            "codeActionKinds": ["quickfix", FIX_ALL.as_str()],
            "resolveProvider": false
        },
        "codeLensProvider": { "resolveProvider": false },
        "executeCommandProvider": { "commands": [APPLY_FIX_ALL] },
        "workspace": {
            "workspaceFolders": { "supported": true, "changeNotifications": true }
        }
    })
}

/// Diagnostics of a run, by file.
type FileDiagnostics = HashMap<PathBuf, Vec<Diagnostic>>;

/// A unit and what its runs gave.
struct UnitState {
    unit: Unit,
    /// The generation of the last change that reached it, while it waits for a run.
    dirty: Option<u64>,
    latest: Option<Arc<UnitRun>>,
    /// The last run that found no input error in an open document.
    good: Option<Arc<UnitRun>>,
    latest_diags: FileDiagnostics,
    good_diags: FileDiagnostics,
}

impl UnitState {
    fn new(unit: Unit, generation: u64) -> UnitState {
        UnitState {
            unit,
            dirty: Some(generation),
            latest: None,
            good: None,
            latest_diags: HashMap::new(),
            good_diags: HashMap::new(),
        }
    }

    /// The run whose results stand for `path`: the latest, unless it found an input error in
    /// another open document and `path` has not changed since the last good run.
    fn run_for(&self, path: &Path) -> Option<(&Arc<UnitRun>, &FileDiagnostics)> {
        let latest = self.latest.as_ref()?;
        if latest.broken.is_empty() || latest.broken.contains(path) {
            return Some((latest, &self.latest_diags));
        }
        match &self.good {
            Some(good) if good.versions.get(path) == latest.versions.get(path) => Some((good, &self.good_diags)),
            _ => Some((latest, &self.latest_diags)),
        }
    }

    fn files(&self) -> impl Iterator<Item = &PathBuf> {
        self.latest_diags.keys().chain(self.good_diags.keys())
    }
}

/// A request waiting for the units of its document.
pub(super) struct Pending {
    pub(super) request: Request,
    pub(super) path: PathBuf,
}

struct Running {
    cancel: Arc<AtomicBool>,
}

pub struct Server {
    sender: Sender<Message>,
    pub(super) enc: Encoding,
    pub(super) caps: ClientCaps,
    pub(super) docs: Documents,
    folders: BTreeMap<PathBuf, Folder>,
    units: BTreeMap<PathBuf, UnitState>,
    generation: u64,
    last_change: Instant,
    jobs: Sender<Job>,
    done: Receiver<Done>,
    running: Option<Running>,
    pub(super) pending: Vec<Pending>,
    pub(super) published: HashMap<PathBuf, Vec<Diagnostic>>,
    pub(super) next_request_id: i32,
    shutdown_requested: bool,
    /// Unlocated notices already logged.
    logged: BTreeSet<String>,
    /// The analysis thread is gone.
    stopped: bool,
}

impl Server {
    pub fn new(sender: Sender<Message>, params: &Value) -> std::io::Result<Server> {
        let (jobs, done) = analysis::spawn()?;
        let mut server = Server {
            sender,
            enc: encoding_of(params),
            caps: ClientCaps::from_initialize(params),
            docs: Documents::default(),
            folders: BTreeMap::new(),
            units: BTreeMap::new(),
            generation: 0,
            last_change: Instant::now(),
            jobs,
            done,
            running: None,
            pending: Vec::new(),
            published: HashMap::new(),
            next_request_id: 0,
            shutdown_requested: false,
            logged: BTreeSet::new(),
            stopped: false,
        };
        for root in initial_folders(params) {
            server.add_folder(root);
        }
        Ok(server)
    }

    /// Serves until `exit`. Returns whether `shutdown` came first (the exit code is 0 then).
    pub fn run(&mut self, conn: &Connection) -> bool {
        self.register_watchers();
        loop {
            let wait = self.wait();
            crossbeam_channel::select! {
                recv(conn.receiver) -> msg => match msg {
                    Ok(Message::Request(req)) => {
                        if req.method == "shutdown" {
                            self.shutdown_requested = true;
                            self.respond(Response::new_ok(req.id, Value::Null));
                        } else if self.shutdown_requested {
                            self.respond(Response::new_err(req.id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into()));
                        } else {
                            self.on_request(req);
                        }
                    }
                    Ok(Message::Notification(n)) if n.method == "exit" => return self.shutdown_requested,
                    Ok(Message::Notification(n)) => self.on_notification(n),
                    Ok(Message::Response(_)) => {}
                    Err(_) => return self.shutdown_requested,
                },
                recv(self.done) -> done => match done {
                    Ok(done) => self.on_done(done),
                    Err(_) => self.analysis_stopped(),
                },
                default(wait) => {}
            }
            self.schedule();
        }
    }

    /// How long the loop may sleep: until the debounce ends when work waits, else long.
    /// The analysis thread is gone (it cannot be, short of a bug): say so once and stop
    /// waiting on it, answering requests from what there is.
    fn analysis_stopped(&mut self) {
        self.log("kpulint: the analysis thread stopped; diagnostics are no longer updated (restart the server)".into());
        self.done = crossbeam_channel::never();
        self.running = None;
        self.stopped = true;
        for state in self.units.values_mut() {
            state.dirty = None;
        }
        self.answer_pending();
    }

    fn wait(&self) -> Duration {
        if !self.stopped && self.running.is_none() && self.units.values().any(|u| u.dirty.is_some()) {
            DEBOUNCE.saturating_sub(self.last_change.elapsed())
        } else {
            Duration::from_secs(3600)
        }
    }

    pub(super) fn send(&self, msg: Message) {
        // The client is gone when this fails: the loop ends on the closed receiver.
        let _ = self.sender.send(msg);
    }

    pub(super) fn respond(&self, r: Response) {
        self.send(r.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params).into());
    }

    pub(super) fn log(&self, message: String) {
        self.notify("window/logMessage", json!({ "type": 4, "message": message }));
    }

    fn register_watchers(&mut self) {
        if !self.caps.watch_files {
            return;
        }
        let globs = [
            "**/*.tf",
            "**/*.tf.json",
            "**/*.tfvars",
            "**/*.tfvars.json",
            "**/*.json",
            "**/*.yaml",
            "**/*.yml",
            "**/*.template",
            "**/.kpulint.hcl",
            "**/.kpulintignore",
            "**/.gitignore",
        ];
        let watchers: Vec<Value> = globs.iter().map(|g| json!({ "globPattern": g })).collect();
        self.next_request_id += 1;
        let req = Request::new(
            RequestId::from(format!("kpulint-{}", self.next_request_id)),
            "client/registerCapability".into(),
            json!({ "registrations": [{
                "id": "kpulint-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": watchers }
            }]}),
        );
        self.send(req.into());
    }

    // ---- the workspace model ----

    fn add_folder(&mut self, root: PathBuf) {
        if self.folders.contains_key(&root) {
            return;
        }
        let folder = Folder::scan(&root);
        self.folders.insert(root.clone(), folder);
        self.lay_buffers(&root);
        self.rebuild_units(&root);
    }

    /// Lays the open documents of a folder over its scan of the disk.
    fn lay_buffers(&mut self, root: &Path) {
        let Some(folder) = self.folders.get_mut(root) else {
            return;
        };
        for (path, doc) in self.docs.iter().filter(|(p, _)| p.starts_with(root)) {
            match FileKind::of(path) {
                Some(FileKind::Tf | FileKind::TfJson) => {
                    folder.update_tf(path, Some(doc.content()));
                }
                Some(FileKind::Json | FileKind::Yaml) => {
                    folder.update_template(path, Some(doc.content()));
                }
                _ => {}
            }
        }
    }

    /// The units of the folder `root`.
    fn unit_ids_of(&self, root: &Path) -> Vec<PathBuf> {
        self.units
            .iter()
            .filter(|(_, u)| u.unit.folder == root)
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn remove_folder(&mut self, root: &Path) {
        self.folders.remove(root);
        let gone = self.unit_ids_of(root);
        let mut files = BTreeSet::new();
        for id in gone {
            if let Some(u) = self.units.remove(&id) {
                files.extend(u.files().cloned());
            }
        }
        self.republish(files);
    }

    /// The folder holding `path`, opened as an implicit folder when no workspace folder does.
    fn folder_for(&mut self, path: &Path) -> PathBuf {
        if let Some(root) = folder_of(self.folders.keys().map(PathBuf::as_path), path) {
            return root.to_path_buf();
        }
        let root = implicit_folder(path);
        self.add_folder(root.clone());
        root
    }

    /// Recomputes a folder's units from its scan and the open documents; new and changed
    /// units are dirty, vanished ones take their diagnostics with them.
    fn rebuild_units(&mut self, root: &Path) {
        let open: Vec<PathBuf> = self
            .docs
            .iter()
            .map(|(p, _)| p.clone())
            .filter(|p| folder_of(self.folders.keys().map(PathBuf::as_path), p) == Some(root))
            .collect();
        let Some(folder) = self.folders.get_mut(root) else {
            return;
        };
        let new: BTreeMap<PathBuf, Unit> = folder.units(&open).into_iter().map(|u| (u.id.clone(), u)).collect();
        self.generation += 1;
        let generation = self.generation;
        let mut files = BTreeSet::new();
        let old = self.unit_ids_of(root);
        for id in old {
            if !new.contains_key(&id) {
                if let Some(u) = self.units.remove(&id) {
                    files.extend(u.files().cloned());
                }
            }
        }
        for (id, unit) in new {
            match self.units.get_mut(&id) {
                Some(state) if state.unit == unit => {}
                Some(state) => {
                    state.unit = unit;
                    state.dirty = Some(generation);
                }
                None => {
                    self.units.insert(id, UnitState::new(unit, generation));
                }
            }
        }
        self.cancel_running();
        self.republish(files);
    }

    /// `path` changed (its buffer, or on disk): update the scan, and mark every unit that
    /// reads it dirty.
    fn changed(&mut self, path: &Path, structure: bool) {
        let root = self.folder_for(path);
        let text = self.current_text(path);
        let mut rebuild = structure;
        if let Some(folder) = self.folders.get_mut(&root) {
            match FileKind::of(path) {
                Some(FileKind::Tf | FileKind::TfJson) => rebuild |= folder.update_tf(path, text.as_deref()),
                Some(FileKind::Json | FileKind::Yaml) => rebuild |= folder.update_template(path, text.as_deref()),
                _ => {}
            }
        }
        if rebuild {
            self.rebuild_units(&root);
        }
        self.generation += 1;
        let generation = self.generation;
        for state in self.units.values_mut().filter(|_| !self.stopped) {
            if state.unit.reads(path) {
                state.dirty = Some(generation);
            }
        }
        self.last_change = Instant::now();
        self.cancel_running();
    }

    /// The text a file has now: its buffer, else the disk's.
    pub(super) fn current_text(&self, path: &Path) -> Option<String> {
        if let Some(doc) = self.docs.get(path) {
            return Some(doc.content().to_string());
        }
        super::workspace::disk_text(path)
    }

    fn cancel_running(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    // ---- analysis ----

    /// Starts a job when units are dirty, nothing runs, and the debounce is over (or a
    /// request waits).
    fn schedule(&mut self) {
        if self.running.is_some() || self.stopped {
            return;
        }
        let dirty: Vec<&UnitState> = self.units.values().filter(|u| u.dirty.is_some()).collect();
        if dirty.is_empty() {
            return;
        }
        if self.pending.is_empty() && self.last_change.elapsed() < DEBOUNCE {
            return;
        }
        let asked: Vec<&Path> = self.pending.iter().map(|p| p.path.as_path()).collect();
        let open: Vec<&PathBuf> = self.docs.iter().map(|(p, _)| p).collect();
        let priority = |u: &Unit| {
            if asked.iter().any(|p| u.reads(p)) {
                0
            } else if open.iter().any(|p| u.reads(p)) {
                1
            } else {
                2
            }
        };
        let mut units: Vec<Unit> = dirty.iter().map(|u| u.unit.clone()).collect();
        units.sort_by_key(|u| priority(u));
        let cancel = Arc::new(AtomicBool::new(false));
        let job = Job {
            generation: self.generation,
            units,
            overlay: Arc::new(self.docs.overlay()),
            versions: Arc::new(self.docs.versions()),
            cancel: Arc::clone(&cancel),
        };
        if self.jobs.send(job).is_ok() {
            self.running = Some(Running { cancel });
        } else {
            self.analysis_stopped();
        }
    }

    fn on_done(&mut self, done: Done) {
        match done {
            Done::Job { .. } => self.running = None,
            Done::Unit { generation, unit, run } => {
                let enc = self.enc;
                let uri_of = |p: &Path| self.uri(p);
                let Some(state) = self.units.get(&unit.id) else { return };
                if state.unit != unit || state.dirty.is_none_or(|d| d > generation) {
                    return;
                }
                let diags = diagnostics::of_run(&unit.folder, &run, enc, &uri_of);
                let Some(state) = self.units.get_mut(&unit.id) else {
                    return;
                };
                let mut files: BTreeSet<PathBuf> = state.files().cloned().collect();
                files.extend(diags.keys().cloned());
                // The paths of the run's open documents: their diagnostics are published even
                // when empty, so a fixed document is cleared.
                files.extend(run.versions.keys().filter(|p| unit.reads(p)).cloned());
                let run = Arc::new(*run);
                if run.broken.is_empty() {
                    state.good = Some(Arc::clone(&run));
                    state.good_diags = diags.clone();
                }
                let unlocated: Vec<String> = run
                    .outcome
                    .notices
                    .iter()
                    .filter(|n| n.span.is_none())
                    .map(|n| n.message.clone())
                    .collect();
                state.latest = Some(run);
                state.latest_diags = diags;
                state.dirty = None;
                // Notices without a place (a registry module not followed, prices of another
                // region) go to the client's log, each once.
                for message in unlocated {
                    if self.logged.insert(message.clone()) {
                        self.log(format!("kpulint: {message}"));
                    }
                }
                self.republish(files);
                self.answer_pending();
            }
        }
    }

    /// The runs standing for `path`, with their folders.
    pub(super) fn runs_for(&self, path: &Path) -> Vec<(&Path, &UnitRun)> {
        self.units
            .values()
            .filter(|u| u.unit.reads(path) || u.files().any(|f| f == path))
            .filter_map(|u| u.run_for(path).map(|(run, _)| (u.unit.folder.as_path(), run.as_ref())))
            .collect()
    }

    /// Whether every unit that reads `path` has run on the current texts.
    pub(super) fn fresh(&self, path: &Path) -> bool {
        self.units.values().all(|u| u.dirty.is_none() || !u.unit.reads(path))
    }

    /// Publishes the diagnostics of `files` that changed since they were last published.
    fn republish(&mut self, files: BTreeSet<PathBuf>) {
        for path in files {
            let mut all = Vec::new();
            let mut versions = BTreeSet::new();
            for state in self.units.values() {
                if let Some((run, diags)) = state.run_for(&path) {
                    if let Some(d) = diags.get(&path) {
                        all.extend(d.iter().cloned());
                    }
                    versions.insert(run.versions.get(&path).copied());
                }
            }
            let merged = diagnostics::merge(all);
            let before = self.published.get(&path);
            // A file never published and still clean says nothing, unless it is an open
            // document: its first run is published even when empty, so the editor (and a
            // client waiting for diagnostics) knows it was checked.
            if before == Some(&merged) || (before.is_none() && merged.is_empty() && self.docs.get(&path).is_none()) {
                continue;
            }
            let Some(uri) = self.uri(&path) else { continue };
            // The document version the diagnostics were computed on, when every run agrees.
            let version = match (versions.len(), versions.iter().next()) {
                (1, Some(Some(v))) if self.docs.get(&path).is_some() => Some(*v),
                _ => None,
            };
            self.notify(
                "textDocument/publishDiagnostics",
                PublishDiagnosticsParams {
                    uri,
                    diagnostics: merged.clone(),
                    version,
                },
            );
            self.published.insert(path, merged);
        }
    }

    /// The URI a path is known by: the open document's own, else a `file:` URI.
    pub(super) fn uri(&self, path: &Path) -> Option<Uri> {
        match self.docs.get(path) {
            Some(doc) => Some(doc.uri.clone()),
            None => path_to_uri(path),
        }
    }

    // ---- notifications ----

    fn on_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Some((p, path)) = document::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                self.folder_for(&path);
                self.docs.open(
                    path.clone(),
                    p.text_document.uri,
                    p.text_document.version,
                    p.text_document.text,
                );
                self.changed(&path, true);
            }
            "textDocument/didChange" => {
                let Some((p, path)) = document::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                self.docs
                    .change(&path, p.text_document.version, p.content_changes, self.enc);
                self.changed(&path, false);
            }
            "textDocument/didClose" => {
                let Some((_, path)) = document::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                self.docs.close(&path);
                // The file is read from disk again; a file nothing else reads loses its
                // diagnostics with its unit.
                self.changed(&path, true);
            }
            "workspace/didChangeWatchedFiles" => {
                let Ok(p) = serde_json::from_value::<DidChangeWatchedFilesParams>(n.params) else {
                    return;
                };
                self.watched(p);
            }
            "workspace/didChangeWorkspaceFolders" => {
                let Ok(p) = serde_json::from_value::<DidChangeWorkspaceFoldersParams>(n.params) else {
                    return;
                };
                for f in p.event.removed {
                    if let Some(root) = uri_to_path(&f.uri) {
                        self.remove_folder(&root);
                    }
                }
                for f in p.event.added {
                    if let Some(root) = uri_to_path(&f.uri) {
                        self.add_folder(root);
                    }
                }
            }
            "$/cancelRequest" => {
                let id = n.params.get("id").cloned().unwrap_or(Value::Null);
                let Some(i) = self.pending.iter().position(|p| json!(p.request.id) == id) else {
                    return;
                };
                let p = self.pending.remove(i);
                self.respond(Response::new_err(
                    p.request.id,
                    ErrorCode::RequestCanceled as i32,
                    "cancelled".into(),
                ));
            }
            _ => {}
        }
    }

    /// Files changed on disk: `.kpulint.hcl`, ignore files, modules, var files, templates (and
    /// evidence files, once kpulint reads them). Every run reads each input that is not an open
    /// document afresh, so marking the units that read a file dirty is the whole reload.
    fn watched(&mut self, p: DidChangeWatchedFilesParams) {
        for event in p.changes {
            let Some(path) = uri_to_path(&event.uri) else { continue };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == ".gitignore" || name == ".kpulintignore" {
                // What is walked may have changed: scan the folder again.
                let Some(root) = folder_of(self.folders.keys().map(PathBuf::as_path), &path).map(Path::to_path_buf)
                else {
                    continue;
                };
                self.folders.insert(root.clone(), Folder::scan(&root));
                self.lay_buffers(&root);
                self.rebuild_units(&root);
                self.changed(&path, false);
                continue;
            }
            if folder_of(self.folders.keys().map(PathBuf::as_path), &path).is_none() {
                continue;
            }
            let created_or_deleted = event.typ != lsp_types::FileChangeType::CHANGED;
            self.changed(&path, created_or_deleted);
            self.maybe_evidence(&path);
        }
    }
}

impl Server {
    /// A JSON file changed on disk that no unit reads as a template or var file may be one a
    /// run reads by name from its configuration (an evidence file): every unit of its folder
    /// runs again. Rare (the client reports files changed on disk only), and a run whose
    /// results do not change publishes nothing.
    fn maybe_evidence(&mut self, path: &Path) {
        if FileKind::of(path) != Some(FileKind::Json) || self.stopped {
            return;
        }
        let Some(root) = folder_of(self.folders.keys().map(PathBuf::as_path), path).map(Path::to_path_buf) else {
            return;
        };
        if self.folders.get(&root).is_some_and(|f| f.templates.contains(path)) {
            return;
        }
        self.generation += 1;
        let generation = self.generation;
        for state in self.units.values_mut().filter(|u| u.unit.folder == root) {
            if matches!(state.unit.kind, UnitKind::Module | UnitKind::Template) {
                state.dirty = Some(generation);
            }
        }
        self.last_change = Instant::now();
        self.cancel_running();
    }
}

/// A notification's parameters, with the path of its `textDocument`.
fn document<T: serde::de::DeserializeOwned>(params: Value) -> Option<(T, PathBuf)> {
    let uri: Uri = serde_json::from_value(params.pointer("/textDocument/uri")?.clone()).ok()?;
    let path = uri_to_path(&uri)?;
    Some((serde_json::from_value(params).ok()?, path))
}

/// The workspace folders of `initialize` (`workspaceFolders`, else `rootUri`, else
/// `rootPath`).
fn initial_folders(params: &Value) -> Vec<PathBuf> {
    let from_uri = |v: &Value| {
        serde_json::from_value::<Uri>(v.clone())
            .ok()
            .and_then(|u| uri_to_path(&u))
    };
    if let Some(folders) = params.get("workspaceFolders").and_then(Value::as_array) {
        let roots: Vec<PathBuf> = folders.iter().filter_map(|f| f.get("uri").and_then(from_uri)).collect();
        if !roots.is_empty() {
            return roots;
        }
    }
    if let Some(root) = params.get("rootUri").and_then(from_uri) {
        return vec![root];
    }
    params
        .get("rootPath")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .into_iter()
        .collect()
}
