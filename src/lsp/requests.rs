//! Requests: hover, code actions, code lenses and `kpulint.applyFixAll`. A request waits until
//! the units reading its document have run on its current text, then is answered from their
//! runs; a document that does not parse gets what there is (nothing, mostly), never an error.

use std::path::Path;

use lsp_server::{ErrorCode, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, CodeLensParams, Diagnostic, ExecuteCommandParams, Hover, HoverContents, HoverParams,
    MarkupContent, MarkupKind, Uri,
};
use serde_json::{json, Value};

use super::code_actions::{self, Editor, FIX_ALL};
use super::positions::{offset_of, uri_to_path};
use super::server::{Pending, Server, APPLY_FIX_ALL};
use super::{code_lens, hover};

impl Server {
    pub(super) fn on_request(&mut self, req: Request) {
        let path = match req.method.as_str() {
            "textDocument/hover" | "textDocument/codeAction" | "textDocument/codeLens" => req
                .params
                .pointer("/textDocument/uri")
                .and_then(|u| serde_json::from_value::<Uri>(u.clone()).ok())
                .and_then(|u| uri_to_path(&u)),
            "workspace/executeCommand" => req
                .params
                .pointer("/arguments/0")
                .and_then(|u| serde_json::from_value::<Uri>(u.clone()).ok())
                .and_then(|u| uri_to_path(&u)),
            _ => {
                self.respond(Response::new_err(
                    req.id,
                    ErrorCode::MethodNotFound as i32,
                    format!("kpulint does not handle {}", req.method),
                ));
                return;
            }
        };
        let Some(path) = path else {
            // Not a file (an untitled buffer, another scheme): nothing kpulint reads.
            let nothing = match req.method.as_str() {
                "textDocument/codeAction" | "textDocument/codeLens" => json!([]),
                _ => Value::Null,
            };
            self.respond(Response::new_ok(req.id, nothing));
            return;
        };
        if self.fresh(&path) {
            self.answer(req, &path);
        } else {
            self.pending.push(Pending { request: req, path });
        }
    }

    pub(super) fn answer_pending(&mut self) {
        let mut i = 0;
        while i < self.pending.len() {
            if self.fresh(&self.pending[i].path) {
                let p = self.pending.remove(i);
                self.answer(p.request, &p.path);
            } else {
                i += 1;
            }
        }
    }

    fn answer(&mut self, req: Request, path: &Path) {
        let result = match req.method.as_str() {
            "textDocument/hover" => self.hover(&req, path),
            "textDocument/codeAction" => self.code_action(&req, path),
            "textDocument/codeLens" => self.code_lens(&req, path),
            "workspace/executeCommand" => self.execute_command(&req, path),
            _ => Ok(Value::Null),
        };
        match result {
            Ok(v) => self.respond(Response::new_ok(req.id, v)),
            Err(message) => self.respond(Response::new_err(req.id, ErrorCode::InvalidParams as i32, message)),
        }
    }

    /// The 1-based line of a position in a document (its buffer, else the disk's text).
    fn line_of(&self, path: &Path, pos: lsp_types::Position) -> Option<usize> {
        let text = self.current_text(path)?;
        let offset = offset_of(&text, pos, self.enc);
        let before = text.as_bytes().get(..offset).unwrap_or_default();
        Some(memchr::memchr_iter(b'\n', before).count() + 1)
    }

    fn hover(&self, req: &Request, path: &Path) -> Result<Value, String> {
        let p: HoverParams = serde_json::from_value(req.params.clone()).map_err(|e| e.to_string())?;
        let Some(line) = self.line_of(path, p.text_document_position_params.position) else {
            return Ok(Value::Null);
        };
        let runs = self.runs_for(path);
        let Some(text) = hover::hover(&runs, path, line) else {
            return Ok(Value::Null);
        };
        let contents = MarkupContent {
            kind: if self.caps.markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: text,
        };
        serde_json::to_value(Hover {
            contents: HoverContents::Markup(contents),
            range: None,
        })
        .map_err(|e| e.to_string())
    }

    /// Runs `f` with what the code actions need to know about the editor.
    fn with_editor<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        let version = |p: &Path| self.docs.get(p).map(|d| d.version);
        let uri = |p: &Path| self.uri(p);
        f(&Editor {
            enc: self.enc,
            document_changes: self.caps.document_changes,
            disabled_support: self.caps.disabled_support,
            version: &version,
            uri: &uri,
        })
    }

    fn code_action(&self, req: &Request, path: &Path) -> Result<Value, String> {
        let p: CodeActionParams = serde_json::from_value(req.params.clone()).map_err(|e| e.to_string())?;
        let runs = self.runs_for(path);
        let only = p.context.only.as_deref();
        let mut actions = Vec::new();
        if code_actions::wanted(only, &lsp_types::CodeActionKind::QUICKFIX) {
            let first = self.line_of(path, p.range.start).unwrap_or(1);
            let last = self.line_of(path, p.range.end).unwrap_or(first);
            // A client that sends no diagnostics back still gets the ones each fix resolves.
            let on_lines = |d: &&Diagnostic| {
                let line = d.range.start.line as usize + 1;
                line >= first && line <= last
            };
            let diagnostics: Vec<Diagnostic> = if p.context.diagnostics.is_empty() {
                self.published
                    .get(path)
                    .into_iter()
                    .flatten()
                    .filter(on_lines)
                    .cloned()
                    .collect()
            } else {
                p.context.diagnostics.clone()
            };
            actions.extend(
                self.with_editor(|editor| code_actions::quick_fixes(&runs, path, (first, last), &diagnostics, editor)),
            );
        }
        if code_actions::wanted(only, &FIX_ALL) {
            actions.extend(self.with_editor(|editor| code_actions::fix_all(&runs, path, editor)));
        }
        serde_json::to_value(actions).map_err(|e| e.to_string())
    }

    fn code_lens(&self, req: &Request, path: &Path) -> Result<Value, String> {
        let _: CodeLensParams = serde_json::from_value(req.params.clone()).map_err(|e| e.to_string())?;
        let runs = self.runs_for(path);
        serde_json::to_value(code_lens::lenses(&runs, path, self.enc)).map_err(|e| e.to_string())
    }

    /// `kpulint.applyFixAll`: asks the client to apply the document's safe fixes.
    fn execute_command(&mut self, req: &Request, path: &Path) -> Result<Value, String> {
        let p: ExecuteCommandParams = serde_json::from_value(req.params.clone()).map_err(|e| e.to_string())?;
        if p.command != APPLY_FIX_ALL {
            return Err(format!("unknown command {}", p.command));
        }
        let action = self.with_editor(|editor| code_actions::fix_all(&self.runs_for(path), path, editor));
        if let Some(edit) = action.and_then(|a| a.edit) {
            self.next_request_id += 1;
            let req = Request::new(
                RequestId::from(format!("kpulint-{}", self.next_request_id)),
                "workspace/applyEdit".into(),
                json!({ "label": "kpulint: apply every safe fix", "edit": edit }),
            );
            self.send(req.into());
        } else {
            self.log(format!("kpulint: no safe fix to apply in {}", path.display()));
        }
        Ok(Value::Null)
    }
}
