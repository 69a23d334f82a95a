//! Reading the evidence files of a run: the files named and those found in directories, each
//! once, through [`crate::files`] (regular files only, links only inside the repository, within
//! `--max-file-size`), streamed; an error at the file (and line) for one that is not evidence.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::reader::{self, FileEvidence};
use crate::model::{InputError, Notice};
use crate::source::{SourceFile, Span};

/// One evidence file that was read.
#[derive(Debug)]
pub struct EvidenceFile {
    /// The path as shown in reports.
    pub path: String,
    /// The same file named twice (a directory and a file in it) is read once.
    pub(super) key: PathBuf,
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
    // The file is not kept: a stand-in with the error's line at its number and column. The
    // line is quoted cut at 2000 characters; past that (a minified export is one long line) it
    // is padded so that the column stays the error's (up to a bound on the stand-in's size).
    let filler = "\n".repeat(line.saturating_sub(1));
    let mut line_text = line_text.unwrap_or_default();
    let quoted = line_text.chars().count();
    let wanted = column.saturating_sub(1).min(1 << 20);
    if wanted > quoted {
        line_text.extend(std::iter::repeat_n(' ', wanted - quoted));
    }
    let text = format!("{filler}{line_text}\n");
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

/// The text of 1-based `line` of a file (cut at 2000 characters), read again for an error (a
/// pipe cannot be read again: no text).
fn line_of(path: &Path, line: usize) -> Option<String> {
    use std::io::BufRead;
    let (file, _) = crate::files::open_regular(path).ok()?;
    let mut reader = BufReader::new(file.take(crate::files::max_file_size()));
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

/// The `.json` files of a directory and its subdirectories (hidden ones skipped), sorted: every
/// entry so named, regular or not (reading refuses the others, with a notice naming them).
pub(super) fn json_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
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
        if hidden {
            continue;
        }
        if meta.is_dir() {
            // Directory links are not followed: the tree below is the repository's.
            if depth < 16 {
                json_files(&p, out, depth + 1);
            }
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
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
        let named = !path.is_dir();
        if named {
            files.push(path.clone());
        } else {
            json_files(path, &mut files, 0);
        }
        for file in files {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.insert(key.clone()) {
                read_one(&file, key, named, &mut loaded);
            }
        }
    }
    loaded
}

/// Opens an evidence file for streaming. A file found in a directory, or named and regular, is
/// opened as every repository file is ([`crate::files::open_regular`]); a named pipe or device
/// (`--evidence <(aws ...)`) is read as named, whole, within the size cap.
fn open(path: &Path, named: bool) -> Result<Box<dyn Read>, crate::files::Refused> {
    let regular = std::fs::metadata(path).map(|m| m.is_file()).unwrap_or(true);
    if named && !regular {
        return Ok(Box::new(Cursor::new(crate::files::read_named(path)?)));
    }
    let (file, _) = crate::files::open_regular(path)?;
    Ok(Box::new(file.take(crate::files::max_file_size())))
}

/// A kpulint queries document (`--cli-input-json` input, not output), from a file's start.
fn is_queries(head: &[u8]) -> bool {
    let head = String::from_utf8_lossy(head);
    head.trim_start().starts_with('{')
        && head.contains("\"MetricDataQueries\"")
        && !head.contains("\"MetricDataResults\"")
}

fn read_one(path: &Path, key: PathBuf, named: bool, loaded: &mut Loaded) {
    let shown = crate::discover::display(path);
    let mut file = match open(path, named) {
        Ok(f) => f,
        // A special file or a link out of the repository met in a directory is skipped, as a
        // walk skips it; one named is not evidence that could be read.
        Err(refused) if !named && refused.is_skipped() => {
            loaded.notices.push(Notice {
                span: None,
                message: format!("evidence: {}", refused.message(&shown)),
            });
            return;
        }
        Err(refused) => {
            loaded.errors.push(InputError::new(
                located(&shown, None, None),
                format!("cannot read evidence file {shown}: {}", refused.message(&shown)),
            ));
            return;
        }
    };
    let mut head = Vec::with_capacity(4096);
    if let Err(e) = (&mut file).take(4096).read_to_end(&mut head) {
        loaded.errors.push(InputError::new(
            located(&shown, None, None),
            format!("cannot read evidence file {shown}: {e}"),
        ));
        return;
    }
    if is_queries(&head) {
        loaded.notices.push(Notice {
            span: None,
            message: format!(
                "{shown} is a get-metric-data queries file (its input), not its output: skipped as evidence"
            ),
        });
        return;
    }
    match reader::read(BufReader::with_capacity(1 << 16, Cursor::new(head).chain(file))) {
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
            crate::needs::measured::plural(e.unmapped.len() as u64),
            ids.join(", ")
        ));
    }
}
