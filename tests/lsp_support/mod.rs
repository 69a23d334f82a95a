//! A language-server client for the tests and the benchmark: runs `kpulint lsp` as an editor
//! would (a child process speaking JSON-RPC on its standard input and output) and records
//! what it publishes.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a test waits for an answer before failing.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Copies a directory tree (the examples) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The `file:` URI of an absolute path (the tests' paths are plain ASCII or UTF-8).
pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A LSP position at byte `offset` of `text`, counted in UTF-16 or UTF-8 code units.
pub fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let units = if utf8 {
        offset - start
    } else {
        text[start..offset].encode_utf16().count()
    };
    json!({ "line": line, "character": units })
}

/// The byte offset of a LSP position in `text`.
pub fn offset(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let rest = &text[start..];
    let mut units = 0;
    for (i, c) in rest.char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}

/// Applies LSP text edits to `text` (from the last to the first, as they never overlap).
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_string();
    for (start, end, new) in ranges {
        out.replace_range(start..end, &new);
    }
    out
}

/// The edits of a workspace edit (`changes` or `documentChanges`), by URI.
pub fn edits_by_uri(edit: &Value) -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if let Some(changes) = edit["changes"].as_object() {
        for (uri, edits) in changes {
            out.entry(uri.clone())
                .or_default()
                .extend(edits.as_array().unwrap().iter().cloned());
        }
    }
    if let Some(docs) = edit["documentChanges"].as_array() {
        for d in docs {
            let uri = d["textDocument"]["uri"].as_str().unwrap().to_string();
            out.entry(uri)
                .or_default()
                .extend(d["edits"].as_array().unwrap().iter().cloned());
        }
    }
    out
}

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Every notification and server request received, in order.
    pub received: Vec<Value>,
    /// The latest diagnostics published per URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    pub utf8: bool,
}

impl Client {
    /// Starts `kpulint lsp` in `cwd` (not initialised yet).
    pub fn spawn(cwd: &Path) -> Client {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpulint"));
        cmd.arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("KPULINT_TODAY", "2026-11-26");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("TF_VAR_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd.spawn().expect("start kpulint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(msg) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            received: Vec::new(),
            diagnostics: HashMap::new(),
            utf8: false,
        }
    }

    /// Starts and initialises a server on the workspace folders `roots`, offering UTF-8
    /// positions when `utf8`. Returns the client and the `initialize` result.
    pub fn start(roots: &[&Path], utf8: bool) -> (Client, Value) {
        let mut c = Client::spawn(roots[0]);
        let folders: Vec<Value> = roots
            .iter()
            .map(|r| json!({ "uri": uri(r), "name": r.file_name().unwrap().to_str().unwrap() }))
            .collect();
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(roots[0]),
                "workspaceFolders": folders,
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": {
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "codeAction": { "disabledSupport": true,
                            "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "source"] } } },
                        "publishDiagnostics": { "relatedInformation": true }
                    },
                    "workspace": {
                        "workspaceFolders": true,
                        "workspaceEdit": { "documentChanges": true },
                        "didChangeWatchedFiles": { "dynamicRegistration": true }
                    }
                }
            }),
        );
        c.utf8 = init["result"]["capabilities"]["positionEncoding"] == "utf-8";
        c.notify("initialized", json!({}));
        (c, init)
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole response: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no response to {method} in {TIMEOUT:?}"));
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// The next message, handled: diagnostics recorded, server requests answered.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let msg = match self.incoming.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        if msg["method"] == "textDocument/publishDiagnostics" {
            let uri = msg["params"]["uri"].as_str().unwrap().to_string();
            let diags = msg["params"]["diagnostics"].as_array().unwrap().clone();
            self.diagnostics.insert(uri, diags);
        }
        if msg.get("method").is_some() && msg.get("id").is_some() {
            // A request from the server (registerCapability, applyEdit): accept it.
            let reply = if msg["method"] == "workspace/applyEdit" {
                json!({ "jsonrpc": "2.0", "id": msg["id"], "result": { "applied": true } })
            } else {
                json!({ "jsonrpc": "2.0", "id": msg["id"], "result": null })
            };
            self.send(&reply);
        }
        if msg.get("method").is_some() {
            self.received.push(msg.clone());
        }
        Some(msg)
    }

    /// Waits until the diagnostics published for `path` satisfy `done`, and returns them.
    pub fn diagnostics_until(&mut self, path: &Path, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let key = uri(path);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(d) = self.diagnostics.get(&key) {
                if done(d) {
                    return d.clone();
                }
            }
            if self.next(deadline).is_none() {
                panic!(
                    "diagnostics of {} never satisfied the test; last: {:#?}",
                    path.display(),
                    self.diagnostics.get(&key)
                );
            }
        }
    }

    /// Reads messages for `quiet` (publications that are still on their way land in
    /// `diagnostics`).
    pub fn settle(&mut self, quiet: Duration) {
        let deadline = Instant::now() + quiet;
        while self.next(deadline).is_some() {}
    }

    /// The notifications received so far for `method`.
    pub fn notifications(&self, method: &str) -> Vec<&Value> {
        self.received.iter().filter(|m| m["method"] == method).collect()
    }

    pub fn open(&mut self, path: &Path, version: i64) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        self.open_text(path, version, &text);
        text
    }

    pub fn open_text(&mut self, path: &Path, version: i64, text: &str) {
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("tf") | Some("tfvars") => "terraform",
            Some("json") => "json",
            Some("yaml") | Some("yml") => "yaml",
            _ => "hcl",
        };
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": language, "version": version, "text": text } }),
        );
    }

    /// Replaces the bytes `range` of `old` (the document's current text) with `new`, as an
    /// incremental change. Returns the new text.
    pub fn change(&mut self, path: &Path, version: i64, old: &str, range: std::ops::Range<usize>, new: &str) -> String {
        let start = position(old, range.start, self.utf8);
        let end = position(old, range.end, self.utf8);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(path), "version": version },
                "contentChanges": [ { "range": { "start": start, "end": end }, "text": new } ]
            }),
        );
        let mut text = old.to_string();
        text.replace_range(range, new);
        text
    }

    /// Sends the whole new text.
    pub fn change_full(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(path), "version": version }, "contentChanges": [ { "text": text } ] }),
        );
    }

    pub fn hover(&mut self, path: &Path, text: &str, at: usize) -> Value {
        let pos = position(text, at, self.utf8);
        self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri(path) }, "position": pos }),
        )
    }

    /// The code actions for the line holding byte `at` of `text`, sending back the
    /// diagnostics published for it.
    pub fn code_actions(&mut self, path: &Path, text: &str, at: usize, only: Option<&[&str]>) -> Value {
        let pos = position(text, at, self.utf8);
        let diags: Vec<Value> = self
            .diagnostics
            .get(&uri(path))
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d["range"]["start"]["line"] == pos["line"])
            .collect();
        let mut context = json!({ "diagnostics": diags });
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        self.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri(path) }, "range": { "start": pos, "end": pos }, "context": context }),
        )
    }

    pub fn code_lens(&mut self, path: &Path) -> Value {
        self.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri(path) } }))
    }

    /// `shutdown` then `exit`; the server's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Waits (bounded) for the server to exit.
    pub fn wait(mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("kpulint lsp did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id (for memory readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary copy of `examples/<name>` (and more examples beside it), canonical.
pub fn workspace(examples: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    for e in examples {
        copy_tree(&src.join(e), &root.join(e));
    }
    (tmp, root)
}

/// A copy of the folder `dir` after `kpulint --fix .` ran in it (exit 1: the examples keep a
/// finding --fix cannot cure).
pub fn fixed_copy(dir: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(dir, copy.path());
    let out = Command::new(env!("CARGO_BIN_EXE_kpulint"))
        .args(["--fix", "."])
        .current_dir(copy.path())
        .env("KPULINT_TODAY", "2026-11-26")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    copy
}
