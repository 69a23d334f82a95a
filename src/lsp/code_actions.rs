//! Code actions: each finding's fix as a quick fix, and `source.fixAll.kpulint`.
//!
//! The edits are the `--fix` planner's, computed when the unit ran on the editor's buffers: a
//! fix lands where `--fix` writes it (a tfvars entry, a module argument, a variable default,
//! in whichever file), with the same refusals (shared values, expressions, files outside the
//! workspace folder). An application's fix is its recommendation's safe part (preferred);
//! when the recommendation is not safe, its whole is offered too, its title saying what to
//! confirm. An edit is offered only against the text it was computed on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, Diagnostic, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::analysis::{absolute, UnitRun};
use super::diagnostics::FindingData;
use super::positions::{byte_range, Encoding};
use crate::fix::Edit;

/// `source.fixAll.kpulint`: every safe fix of the document.
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.kpulint");

/// What the code actions need to know about the editor.
pub struct Editor<'a> {
    pub enc: Encoding,
    /// `workspace.workspaceEdit.documentChanges`: versioned edits.
    pub document_changes: bool,
    /// `textDocument.codeAction.disabledSupport`.
    pub disabled_support: bool,
    /// An open document's current version.
    pub version: &'a dyn Fn(&Path) -> Option<i32>,
    pub uri: &'a dyn Fn(&Path) -> Option<Uri>,
}

/// Whether `kind` is asked for by `only` (a kind asks for every kind below it).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|k| kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str())))
    })
}

/// The edits of `plan` for `application` (an instance), if every file they touch still holds the text they
/// were computed on.
fn fresh_edits<'r>(
    run: &'r UnitRun,
    folder: &Path,
    edits: &'r [Edit],
    application: Option<&str>,
    editor: &Editor,
) -> Option<Vec<&'r Edit>> {
    let chosen: Vec<&Edit> = edits
        .iter()
        .filter(|e| application.is_none_or(|app| e.applications.iter().any(|a| a == app)))
        .collect();
    let fresh = chosen.iter().all(|e| {
        let path = absolute(folder, &e.file.path);
        !run.broken.contains(&path) && (editor.version)(&path) == run.versions.get(&path).copied()
    });
    (fresh && !chosen.is_empty()).then_some(chosen)
}

/// The workspace edit of `edits` (each file's edits in order, never overlapping).
pub fn workspace_edit(folder: &Path, edits: &[&Edit], editor: &Editor) -> Option<WorkspaceEdit> {
    let mut by_file: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
    for e in edits {
        by_file
            .entry(absolute(folder, &e.file.path))
            .or_default()
            .push(TextEdit {
                range: byte_range(&e.file, e.range.clone(), editor.enc),
                new_text: e.text.clone(),
            });
    }
    if editor.document_changes {
        let mut changes = Vec::new();
        for (path, file_edits) in by_file {
            changes.push(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: (editor.uri)(&path)?,
                    version: (editor.version)(&path),
                },
                edits: file_edits.into_iter().map(OneOf::Left).collect(),
            });
        }
        Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(changes)),
            ..WorkspaceEdit::default()
        })
    } else {
        // lsp-types' `WorkspaceEdit::changes` is keyed by `Uri`, whose hash is its text.
        #[allow(clippy::mutable_key_type)]
        let mut changes = HashMap::new();
        for (path, file_edits) in by_file {
            changes.insert((editor.uri)(&path)?, file_edits);
        }
        Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        })
    }
}

/// `flink_parallelism 12 → 10 (envs/prod/terraform.tfvars)`, for each file.
fn describe(edits: &[&Edit]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edits {
        by_file.entry(&e.file.path).or_default().push(&e.description);
    }
    by_file
        .iter()
        .map(|(file, what)| format!("{} in {file}", what.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The quick fixes for the applications of `diagnostics` (their `data`), and those with a
/// finding in `path` on the requested lines when `data` was not sent back.
pub fn quick_fixes(
    runs: &[(&Path, &UnitRun)],
    path: &Path,
    lines: (usize, usize),
    diagnostics: &[Diagnostic],
    editor: &Editor,
) -> Vec<CodeAction> {
    let mut wanted_apps: BTreeSet<String> = diagnostics
        .iter()
        .filter_map(|d| serde_json::from_value::<FindingData>(d.data.clone()?).ok()?.instance)
        .collect();
    for (folder, run) in runs {
        for f in run.outcome.findings.iter().filter(|f| f.suppressed.is_none()) {
            let (line, _) = f.span.file.line_col(f.span.start);
            if absolute(folder, f.span.path()) == path && line >= lines.0 && line <= lines.1 {
                wanted_apps.extend(f.instance.clone());
            }
        }
    }
    let mut actions = Vec::new();
    for (folder, run) in runs {
        for a in run
            .outcome
            .analyses
            .iter()
            .filter(|a| wanted_apps.contains(&a.app.instance))
        {
            let (Some(rec), Ok(sizing)) = (&a.recommendation, &a.sizing) else {
                continue;
            };
            // Applications are told apart by their instance (`envs/prod:module.x…`): a unit can
            // run several roots whose modules give the same address.
            let instance = a.app.instance.as_str();
            let address = a.app.address.as_str();
            // The application's findings that a configuration change cures (not KPU005, 008,
            // 009 or 016: less state, a declaration, a value, a max parallelism).
            let resolves: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| {
                    let cured = match &d.code {
                        Some(lsp_types::NumberOrString::String(rule)) => crate::rules::settings_fixed_by(rule).any(),
                        _ => false,
                    };
                    cured
                        && d.data
                            .clone()
                            .and_then(|v| serde_json::from_value::<FindingData>(v).ok())
                            .is_some_and(|data| data.instance.as_deref() == Some(instance))
                })
                .cloned()
                .collect();
            let safe = fresh_edits(run, folder, &run.safe_fixes.edits, Some(instance), editor);
            let whole = fresh_edits(run, folder, &run.all_fixes.edits, Some(instance), editor);
            let mut offered = false;
            if let Some(edits) = &safe {
                if let Some(edit) = workspace_edit(folder, edits, editor) {
                    actions.push(CodeAction {
                        title: format!("kpulint: {}", describe(edits)),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(resolves.clone()),
                        edit: Some(edit),
                        is_preferred: Some(true),
                        ..CodeAction::default()
                    });
                    offered = true;
                }
            }
            let same_as_safe = match (&safe, &whole) {
                (Some(s), Some(w)) => {
                    s.len() == w.len()
                        && s.iter()
                            .zip(w.iter())
                            .all(|(a, b)| a.range == b.range && a.text == b.text)
                }
                _ => false,
            };
            if !rec.safe && !same_as_safe {
                if let Some(edits) = &whole {
                    if let Some(edit) = workspace_edit(folder, edits, editor) {
                        actions.push(CodeAction {
                            title: format!(
                                "kpulint (not a safe fix, confirm first: {}): {}",
                                rec.confirm.join("; "),
                                describe(edits)
                            ),
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: Some(resolves.clone()),
                            edit: Some(edit),
                            is_preferred: Some(false),
                            ..CodeAction::default()
                        });
                        offered = true;
                    }
                }
            }
            if !offered && rec.changes(sizing) && editor.disabled_support {
                // Why `--fix` would not change it: the planner's notes about this application.
                let reasons: Vec<&str> = run
                    .safe_fixes
                    .notices
                    .iter()
                    .chain(run.all_fixes.notices.iter())
                    .filter(|n| n.message.contains(instance) || n.message.contains(address))
                    .map(|n| n.message.as_str())
                    .collect();
                if let Some(reason) = reasons.first() {
                    actions.push(CodeAction {
                        title: format!("kpulint: fix {instance}"),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(resolves),
                        disabled: Some(CodeActionDisabled {
                            reason: reason.to_string(),
                        }),
                        ..CodeAction::default()
                    });
                }
            }
        }
    }
    actions
}

/// `source.fixAll.kpulint`: the safe fixes of every application with an active finding in
/// `path` (their edits may land in other files, where `--fix` writes them).
pub fn fix_all(runs: &[(&Path, &UnitRun)], path: &Path, editor: &Editor) -> Option<CodeAction> {
    let mut edits: Vec<&Edit> = Vec::new();
    let mut folder_of_edits: Option<&Path> = None;
    for (folder, run) in runs {
        let apps: BTreeSet<&str> = run
            .outcome
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && absolute(folder, f.span.path()) == path)
            .filter_map(|f| f.instance.as_deref())
            .collect();
        for app in apps {
            if let Some(mine) = fresh_edits(run, folder, &run.safe_fixes.edits, Some(app), editor) {
                for e in mine {
                    if !edits.iter().any(|x| std::ptr::eq(*x, e)) {
                        edits.push(e);
                    }
                }
                folder_of_edits = Some(folder);
            }
        }
    }
    let folder = folder_of_edits?;
    // Edits of different runs that land on the same bytes are one edit.
    edits.sort_by(|a, b| (&a.file.path, a.range.start, a.range.end).cmp(&(&b.file.path, b.range.start, b.range.end)));
    edits.dedup_by(|a, b| a.file.path == b.file.path && a.range == b.range && a.text == b.text);
    // Two different edits of the same bytes (two runs wanting different values) are not
    // applied: `--fix` over the whole folder would refuse them too.
    let conflict = edits
        .windows(2)
        .any(|w| w[0].file.path == w[1].file.path && w[0].range.end > w[1].range.start);
    if conflict {
        return None;
    }
    Some(CodeAction {
        title: format!("kpulint: apply every safe fix ({})", describe(&edits)),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(folder, &edits, editor)?),
        ..CodeAction::default()
    })
}
