//! Reading and scanning input files as the walk finds them, on the walker's threads: each file
//! is read once into a reused buffer and scanned (a Flink application? module sources? well
//! formed?); its text is kept only while it may still be needed. What is kept per file of no
//! interest is its name and two flags, grouped by directory: peak memory follows the files
//! that matter, not the size of the tree.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use memchr::memmem::Finder;

use super::{
    cfn, declared, directives, precheck, quick_module_sources, read_named_source, read_source, ForcedFormat,
    ReadOptions,
};
use crate::discover::{display, Candidate, FileKind, FileVisitor};
use crate::files::Refused;
use crate::model::{InputError, Notice};
use crate::source::SourceFile;

use super::terraform::FLINK_RESOURCE;

/// Searchers built once: every file of the tree is searched for these.
static FLINK: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(FLINK_RESOURCE));
static CFN_FLINK: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(cfn::FLINK_TYPE));
static VARIABLE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("variable"));

fn has_flink(text: &str) -> bool {
    FLINK.find(text.as_bytes()).is_some()
}

/// Whether walked JSON or YAML can hold an application: the cheap substring checks
/// `parse_other` starts with (most JSON and YAML in a repository is neither).
pub(super) fn may_hold_application(text: &str) -> bool {
    has_flink(text) || CFN_FLINK.find(text.as_bytes()).is_some()
}

/// What a scan found beyond the two flags; most files have none of it.
pub(super) struct Detail {
    /// The text, while it may still be needed (a Flink application, a syntax error to report,
    /// a directive to look at, or an input that cannot be read twice).
    pub text: Option<Arc<SourceFile>>,
    /// Module sources it names (`source = "..."` inside `module` blocks).
    pub sources: Vec<String>,
    /// Variables it declares (for `--var` names no module declares), found before the text
    /// is dropped.
    pub variables: Vec<String>,
}

/// One Terraform file, scanned once right after reading. A file of a directory that turns out
/// to matter is read again to be parsed.
pub(super) struct RawFile {
    /// The file's name when its path is its directory's path joined with it (almost always);
    /// otherwise its whole path.
    name: Box<OsStr>,
    name_is_path: bool,
    pub kind: FileKind,
    pub has_flink: bool,
    /// Passed the structural check (only checked in files without an application; those with
    /// one are always parsed).
    pub well_formed: bool,
    detail: Option<Box<Detail>>,
}

impl RawFile {
    /// Scans a file's text. `keep` holds on to the text whatever it holds (standard input and
    /// pipes cannot be read again); `file` makes the text's [`SourceFile`] when it is kept.
    /// `names`: collect the variable names it declares (only `--var` and `--var-file` names
    /// are checked against them; without those, collecting them would cost time and memory for
    /// every file of the tree).
    fn scan(
        path: &Path,
        kind: FileKind,
        text: &str,
        keep: bool,
        names: bool,
        file: impl FnOnce() -> Arc<SourceFile>,
    ) -> RawFile {
        let has_flink = has_flink(text);
        let mut sources = quick_module_sources(text);
        sources.shrink_to_fit();
        let well_formed = has_flink
            || match kind {
                FileKind::TfJson => serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
                _ => precheck::looks_well_formed(text),
            };
        let variables = if names && VARIABLE.find(text.as_bytes()).is_some() {
            declared::variable_names(text, kind)
        } else {
            Vec::new()
        };
        // A file mentioning kpulint may hold a directive that attaches to nothing (KPU903):
        // its text is kept to look.
        let mentions = kind == FileKind::Tf && directives::mentions_kpulint(text);
        let text = (keep || has_flink || !well_formed || mentions).then(file);
        let detail = (text.is_some() || !sources.is_empty() || !variables.is_empty()).then(|| {
            Box::new(Detail {
                text,
                sources,
                variables,
            })
        });
        let (name, name_is_path) = split_name(path);
        RawFile {
            name: name.into(),
            name_is_path,
            kind,
            has_flink,
            well_formed,
            detail,
        }
    }

    /// Nothing to remember but the name: no application, well formed, nothing found in it,
    /// and its path is its directory's joined with its name.
    fn is_plain(&self) -> bool {
        !self.has_flink && self.well_formed && self.detail.is_none() && !self.name_is_path
    }

    /// The file's path, given its directory's as its path spells it.
    pub fn path(&self, parent: &Path) -> PathBuf {
        if self.name_is_path {
            PathBuf::from(&self.name)
        } else {
            parent.join(&*self.name)
        }
    }

    pub fn text(&self) -> Option<&Arc<SourceFile>> {
        self.detail.as_ref().and_then(|d| d.text.as_ref())
    }

    /// Hands over the kept text: its parse keeps only what it needs of it.
    fn take_text(&mut self) -> Option<Arc<SourceFile>> {
        self.detail.as_mut().and_then(|d| d.text.take())
    }

    pub fn sources(&self) -> &[String] {
        self.detail.as_ref().map_or(&[], |d| &d.sources)
    }

    pub fn variables(&self) -> &[String] {
        self.detail.as_ref().map_or(&[], |d| &d.variables)
    }
}

/// `a/b.tf` → (`b.tf`, false): `a` joined with `b.tf`; `a//b.tf` is not, so its whole path is
/// its name → (`a//b.tf`, true).
fn split_name(path: &Path) -> (&OsStr, bool) {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name))
            if path.as_os_str().len()
                == name.len() + parent.as_os_str().len() + usize::from(!parent.as_os_str().is_empty()) =>
        {
            (name, false)
        }
        _ => (path.as_os_str(), true),
    }
}

/// A file of a directory: one with something to remember, or a plain one (only its name).
#[derive(Clone, Copy)]
pub(super) enum FileRef<'a> {
    Raw(&'a RawFile),
    Plain(&'a str, FileKind),
}

impl<'a> FileRef<'a> {
    pub fn kind(self) -> FileKind {
        match self {
            FileRef::Raw(f) => f.kind,
            FileRef::Plain(_, kind) => kind,
        }
    }

    pub fn well_formed(self) -> bool {
        match self {
            FileRef::Raw(f) => f.well_formed,
            FileRef::Plain(..) => true,
        }
    }

    pub fn text(self) -> Option<&'a Arc<SourceFile>> {
        match self {
            FileRef::Raw(f) => f.text(),
            FileRef::Plain(..) => None,
        }
    }

    pub fn sources(self) -> &'a [String] {
        match self {
            FileRef::Raw(f) => f.sources(),
            FileRef::Plain(..) => &[],
        }
    }

    pub fn variables(self) -> &'a [String] {
        match self {
            FileRef::Raw(f) => f.variables(),
            FileRef::Plain(..) => &[],
        }
    }

    pub fn path(self, parent: &Path) -> PathBuf {
        match self {
            FileRef::Raw(f) => f.path(parent),
            FileRef::Plain(name, _) => parent.join(name),
        }
    }

    /// The text, read again from disk if it was dropped.
    pub fn source(self, parent: &Path) -> Result<Arc<SourceFile>, InputError> {
        match self.text() {
            Some(f) => Ok(Arc::clone(f)),
            None => read_source(&self.path(parent)),
        }
    }
}

/// The files of one directory under one spelling of its path. Plain files (most of a tree)
/// cost their name's bytes: names joined by `/`, which no file name holds.
#[derive(Default)]
pub(super) struct Files {
    raw: Vec<RawFile>,
    plain_tf: String,
    plain_tf_json: String,
}

impl Files {
    /// Adds a file; a plain one keeps only its name unless `record` (named files keep their
    /// record, so their directory is always parsed).
    fn push(&mut self, raw: RawFile, record: bool) {
        let plain = match (raw.is_plain() && !record, raw.kind, raw.name.to_str()) {
            (true, FileKind::Tf, Some(name)) => Some((&mut self.plain_tf, name)),
            (true, FileKind::TfJson, Some(name)) => Some((&mut self.plain_tf_json, name)),
            _ => None,
        };
        match plain {
            Some((names, name)) => {
                if !names.is_empty() {
                    names.push('/');
                }
                names.push_str(name);
            }
            None => self.raw.push(raw),
        }
    }

    fn append(&mut self, other: Files) {
        self.raw.extend(other.raw);
        for (names, more) in [
            (&mut self.plain_tf, other.plain_tf),
            (&mut self.plain_tf_json, other.plain_tf_json),
        ] {
            if !names.is_empty() && !more.is_empty() {
                names.push('/');
            }
            names.push_str(&more);
        }
    }

    fn iter(&self) -> impl Iterator<Item = FileRef<'_>> {
        self.raw
            .iter()
            .map(FileRef::Raw)
            .chain(plain(&self.plain_tf, FileKind::Tf))
            .chain(plain(&self.plain_tf_json, FileKind::TfJson))
    }

    fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.plain_tf.is_empty() && self.plain_tf_json.is_empty()
    }
}

/// The plain files whose names `names` joins.
fn plain(names: &str, kind: FileKind) -> impl Iterator<Item = FileRef<'_>> {
    names
        .split('/')
        .filter(|n| !n.is_empty())
        .map(move |n| FileRef::Plain(n, kind))
}

/// The Terraform files of one directory read under another spelling of its path.
pub(super) struct Spelling {
    /// The directory as the files' paths spell it (`a/./b` for `a/./b/main.tf`).
    parent: PathBuf,
    files: Files,
}

/// One directory's Terraform files, read and scanned but not yet parsed.
#[derive(Default)]
pub(super) struct RawDir {
    /// The directory as its files' paths spell it, when not as its key does (`a/./b`, or ``
    /// for `.`): most directories store no second copy of their path.
    spelled: Option<PathBuf>,
    files: Files,
    /// Files whose paths spell the directory yet another way (`a/../b` and `b`): rare.
    others: Vec<Spelling>,
    /// Under the scanned paths (not only reached through a module call).
    pub scanned: bool,
}

impl RawDir {
    /// Each file with its directory as its path spells it; `key` is this directory's key.
    pub fn files<'a>(&'a self, key: &'a Path) -> impl Iterator<Item = (&'a Path, FileRef<'a>)> {
        let parent = self.spelled.as_deref().unwrap_or(key);
        self.files.iter().map(move |f| (parent, f)).chain(
            self.others
                .iter()
                .flat_map(|s| s.files.iter().map(move |f| (s.parent.as_path(), f))),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.others.iter().all(|s| s.files.is_empty())
    }

    /// Only files with something to remember can hold an application or name a module.
    fn raw(&self) -> impl Iterator<Item = &RawFile> {
        self.files
            .raw
            .iter()
            .chain(self.others.iter().flat_map(|s| &s.files.raw))
    }

    pub fn has_flink(&self) -> bool {
        self.raw().any(|f| f.has_flink)
    }

    pub fn has_sources(&self) -> bool {
        self.raw().any(|f| !f.sources().is_empty())
    }

    /// The kept texts of the files, handed over, by the files' paths; `key` is this
    /// directory's key.
    pub fn take_texts(&mut self, key: &Path) -> Vec<(PathBuf, Arc<SourceFile>)> {
        let parent = self.spelled.clone().unwrap_or_else(|| key.to_path_buf());
        let spelled = std::iter::once((parent.as_path(), &mut self.files.raw))
            .chain(self.others.iter_mut().map(|s| (s.parent.as_path(), &mut s.files.raw)));
        spelled
            .flat_map(|(parent, raw)| {
                raw.iter_mut()
                    .filter_map(move |f| Some((f.path(parent), f.take_text()?)))
            })
            .collect()
    }

    /// The files with their paths, in path order (the order the modules' files are parsed in).
    pub fn sorted_files<'a>(&'a self, key: &'a Path) -> Vec<(PathBuf, FileRef<'a>)> {
        let mut out: Vec<(PathBuf, FileRef)> = self.files(key).map(|(p, f)| (f.path(p), f)).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Files read under `parent`, a spelling of the directory whose key is `key`.
    fn new(key: &Path, parent: PathBuf, files: Files, scanned: bool) -> RawDir {
        RawDir {
            spelled: (parent.as_os_str() != key.as_os_str()).then_some(parent),
            files,
            others: Vec::new(),
            scanned,
        }
    }

    /// Takes in another record of the same directory.
    fn merge(&mut self, key: &Path, other: RawDir) {
        self.scanned |= other.scanned;
        if other.spelled == self.spelled {
            self.files.append(other.files);
        } else {
            let parent = other.spelled.unwrap_or_else(|| key.to_path_buf());
            match self.others.iter_mut().find(|s| s.parent == parent) {
                Some(s) => s.files.append(other.files),
                None => self.others.push(Spelling {
                    parent,
                    files: other.files,
                }),
            }
        }
        for s in other.others {
            match self.others.iter_mut().find(|o| o.parent == s.parent) {
                Some(o) => o.files.append(s.files),
                None => self.others.push(s),
            }
        }
    }
}

/// Every directory read, by module key: those found by the walk sorted by their key's bytes
/// (one array, no per-entry node), those reached later through module calls beside them.
/// A walked directory of plain files only is kept as its key: it holds no application, calls
/// no module and was not named, so it is never parsed (only known to exist).
#[derive(Default)]
pub(super) struct Dirs {
    sorted: Vec<(PathBuf, RawDir)>,
    plain: Vec<PathBuf>,
    added: HashMap<PathBuf, RawDir>,
}

fn by_bytes(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.as_os_str().cmp(b.as_os_str())
}

impl Dirs {
    /// Merges what the scanners read (all under the scanned paths). Each walker thread has
    /// sorted its own directories ([`Scanner::finish`]); this merges the sorted runs.
    pub fn from_scanners(scanners: &mut [Scanner]) -> Dirs {
        for scanner in scanners.iter_mut() {
            scanner.finish();
        }
        let mut sorted: Vec<(PathBuf, RawDir)> =
            Vec::with_capacity(scanners.iter().map(|s| s.recorded.len()).sum::<usize>() + 1);
        for scanner in scanners.iter_mut() {
            sorted.append(&mut scanner.recorded);
            if let Some(raw) = scanner.stdin.take() {
                // `-` is its own name, in no directory.
                let key = PathBuf::from(super::STDIN_MODULE);
                let mut files = Files::default();
                files.push(raw, true);
                sorted.push((key.clone(), RawDir::new(&key, PathBuf::new(), files, true)));
            }
        }
        // Stable sort: each scanner's part is one sorted run, which it merges.
        sorted.sort_by(|a, b| by_bytes(&a.0, &b.0));
        sorted.dedup_by(|later, kept| {
            if later.0 != kept.0 {
                return false;
            }
            let (ref key, ref mut dir) = *kept;
            dir.merge(key, std::mem::take(&mut later.1));
            true
        });
        // A directory plain on one walker thread may have files with a record on another: then
        // its plain files join them (it may be parsed); otherwise only its key is kept. Each
        // scanner's plain directories are sorted: one pass beside `sorted` finds them.
        let mut plain: Vec<PathBuf> = Vec::with_capacity(scanners.iter().map(|s| s.plain_dirs.len()).sum());
        for scanner in scanners.iter_mut() {
            let mut at = 0;
            for (key, dir) in std::mem::take(&mut scanner.plain_dirs) {
                while sorted.get(at).is_some_and(|(k, _)| by_bytes(k, &key).is_lt()) {
                    at += 1;
                }
                match sorted.get_mut(at) {
                    Some((k, record)) if k.as_os_str() == key.as_os_str() => record.merge(&key, dir),
                    _ => plain.push(key),
                }
            }
        }
        // Stable sort again: one sorted run per scanner.
        plain.sort_by(|a, b| by_bytes(a, b));
        plain.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
        Dirs {
            sorted,
            plain,
            added: HashMap::new(),
        }
    }

    /// The directories of plain files only (see [`Dirs`]), taken out.
    pub fn take_plain(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.plain)
    }

    pub fn get(&self, key: &Path) -> Option<&RawDir> {
        match self.sorted.binary_search_by(|(k, _)| by_bytes(k, key)) {
            Ok(i) => Some(&self.sorted[i].1),
            // Hashing a `Path` parses it: not done while nothing was added (most of the time).
            Err(_) if self.added.is_empty() => None,
            Err(_) => self.added.get(key),
        }
    }

    pub fn contains(&self, key: &Path) -> bool {
        self.plain.binary_search_by(|k| by_bytes(k, key)).is_ok() || self.get(key).is_some()
    }

    /// A directory reached through a module call, with the files read there.
    pub fn add_followed(&mut self, key: PathBuf, scanner: &mut Scanner) {
        let mut dir = RawDir::new(&key, key.clone(), Files::default(), false);
        for (parent, files) in scanner.dirs.drain() {
            dir.merge(&key, RawDir::new(&key, parent.into(), files, false));
        }
        self.added.insert(key, dir);
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&PathBuf, &mut RawDir)> {
        self.sorted
            .iter_mut()
            .map(|(k, d)| (&*k, d))
            .chain(self.added.iter_mut())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &RawDir)> {
        self.sorted.iter().map(|(k, d)| (k, d)).chain(self.added.iter())
    }
}

/// Reads and scans files; one per walker thread, merged when the walk is over.
pub(super) struct Scanner<'o> {
    opts: &'o ReadOptions,
    names: bool,
    /// Reused for every file read while walking (a file's text is copied out only if kept).
    buf: Vec<u8>,
    /// Terraform files by the directory their path spells (compared as bytes: hashing a
    /// `Path` parses its components).
    dirs: HashMap<OsString, Files>,
    /// Terraform read from standard input: a module of its own.
    stdin: Option<RawFile>,
    /// Once the walk is over ([`Scanner::finish`]), the directories by key, sorted by the
    /// key's bytes: those with a file record, and those of plain files only.
    recorded: Vec<(PathBuf, RawDir)>,
    plain_dirs: Vec<(PathBuf, RawDir)>,
    /// Plans, templates and unknown files to parse on their own.
    pub others: Vec<(Candidate, Arc<SourceFile>)>,
    pub errors: Vec<InputError>,
    /// Walked files skipped for what they are (a FIFO, a link out of the repository...), and
    /// file names that are not UTF-8.
    pub notices: Vec<Notice>,
    /// The Terraform files among those skipped: their modules are missing whatever they hold.
    pub skipped: Vec<PathBuf>,
    /// Files read (or tried).
    pub files: usize,
}

/// A buffer that has grown beyond this for one large file is not kept for the next files.
const KEPT_BUFFER_BYTES: usize = 1 << 20;

impl<'o> Scanner<'o> {
    pub fn new(opts: &'o ReadOptions, names: bool) -> Scanner<'o> {
        Scanner {
            opts,
            names,
            buf: Vec::new(),
            dirs: HashMap::new(),
            stdin: None,
            recorded: Vec::new(),
            plain_dirs: Vec::new(),
            others: Vec::new(),
            errors: Vec::new(),
            notices: Vec::new(),
            skipped: Vec::new(),
            files: 0,
        }
    }

    /// The kind a file is read as: `--input-format`, the name, or (standard input) the text.
    fn kind(&self, kind: Option<FileKind>, stdin_text: Option<&str>) -> Option<FileKind> {
        match self.opts.forced {
            Some(ForcedFormat::Terraform) => Some(FileKind::Tf),
            Some(ForcedFormat::TerraformJson) => Some(FileKind::TfJson),
            Some(ForcedFormat::Plan) | Some(ForcedFormat::Cloudformation) => Some(FileKind::Json),
            None => stdin_text.map(super::sniff_stdin).or(kind),
        }
    }

    /// Reads and scans a named file (or standard input): Terraform goes to its directory, a
    /// plan or template is kept to be parsed on its own.
    pub fn named(&mut self, cand: &Candidate) {
        self.files += 1;
        if cand.path.as_os_str() != "-" {
            self.notices.extend(lossy_name_notice(&cand.path));
        }
        // Named on the command line: a pipe or device is read as named. A module sibling of a
        // named file is a file of the repository found by listing its folder, as when walking.
        let file = if cand.explicit {
            match read_named_source(&cand.path) {
                Ok(f) => f,
                Err(e) => return self.errors.push(e),
            }
        } else {
            match self.read_listed(&cand.path) {
                Some(f) => f,
                None => return,
            }
        };
        let stdin = cand.path.as_os_str() == "-";
        match self.kind(cand.kind, stdin.then_some(&*file.text)) {
            Some(k @ (FileKind::Tf | FileKind::TfJson)) => {
                let keep = cand.explicit && !super::rereadable(&cand.path);
                let raw = RawFile::scan(&cand.path, k, &file.text, keep, self.names, || Arc::clone(&file));
                if stdin {
                    self.stdin = Some(raw);
                } else {
                    self.add(&cand.path, raw, true);
                }
            }
            Some(FileKind::TfVars) => {} // read per module below; named ones via --var-file
            _ if !cand.explicit && self.opts.forced.is_none() && !may_hold_application(&file.text) => {}
            _ => self.others.push((cand.clone(), file)),
        }
    }

    /// Reads and scans the Terraform files of a directory reached through a module call.
    pub fn followed(&mut self, path: &Path) {
        self.notices.extend(lossy_name_notice(path));
        if let Some(f) = self.read_listed(path) {
            let k = FileKind::of(path).unwrap_or(FileKind::Tf);
            let raw = RawFile::scan(path, k, &f.text, false, self.names, || Arc::clone(&f));
            self.add(path, raw, false);
        }
    }

    /// A file not read for what it is: a notice, and for a Terraform file a gap in its module.
    fn skip(&mut self, path: &Path, why: &Refused) {
        self.notices.push(refused_notice(&display(path), why));
        if matches!(FileKind::of(path), Some(FileKind::Tf | FileKind::TfJson)) {
            self.skipped.push(path.to_path_buf());
        }
    }

    /// Reads a file found by listing a folder (a module sibling of a named file, a file of a
    /// module reached through a call): a special file or a link out of the repository is
    /// skipped with a notice, as when walking; a file that cannot be read is an error.
    fn read_listed(&mut self, path: &Path) -> Option<Arc<SourceFile>> {
        match crate::files::read_regular(path) {
            Err(why) if why.is_skipped() => {
                self.skip(path, &why);
                None
            }
            read => match super::source_from(path, read) {
                Ok(f) => Some(f),
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            },
        }
    }

    /// Adds a scanned file to its directory (`record`: keep its record even if plain).
    fn add(&mut self, path: &Path, raw: RawFile, record: bool) {
        let parent = path.parent().unwrap_or(Path::new("")).as_os_str();
        match self.dirs.get_mut(parent) {
            Some(files) => files.push(raw, record),
            None => {
                let mut files = Files::default();
                files.push(raw, record);
                self.dirs.insert(parent.to_os_string(), files);
            }
        }
    }
}

impl FileVisitor for Scanner<'_> {
    /// Keys and sorts this thread's directories, on this thread (so threads do it in parallel).
    fn finish(&mut self) {
        for (parent, files) in std::mem::take(&mut self.dirs) {
            let parent = PathBuf::from(parent);
            let key = super::dir_key(&parent);
            let plain_only = files.raw.is_empty();
            let dir = RawDir::new(&key, parent, files, true);
            if plain_only {
                self.plain_dirs.push((key, dir));
            } else {
                self.recorded.push((key, dir));
            }
        }
        self.recorded.sort_by(|a, b| by_bytes(&a.0, &b.0));
        self.plain_dirs.sort_by(|a, b| by_bytes(&a.0, &b.0));
    }

    fn file(&mut self, path: &Path, kind: FileKind) {
        self.files += 1;
        self.notices.extend(lossy_name_notice(path));
        let mut buf = std::mem::take(&mut self.buf);
        let read = crate::files::read_regular_into(path, &mut buf);
        let kind = self.kind(Some(kind), None);
        // A walked file that is not a regular file or a link out of the repository is skipped
        // with a notice; one too large or that cannot be read is an error.
        if let Err(why) = &read {
            if why.is_skipped() {
                self.skip(path, why);
                if buf.capacity() <= KEPT_BUFFER_BYTES {
                    self.buf = buf;
                }
                return;
            }
        }
        // A buffer too large to be kept becomes the file's text, not a copy of it (a 500 MB
        // plan would be held twice).
        if read.is_ok() && buf.capacity() > KEPT_BUFFER_BYTES {
            match into_text(path, buf) {
                Err(e) => self.errors.push(e),
                Ok(text) => {
                    let file = SourceFile::new(display(path), text);
                    self.scanned(path, kind, &file.text, || Arc::clone(&file));
                }
            }
            return;
        }
        match read
            .map_err(|why| refused(display(path), &why))
            .and_then(|()| decode(path, &buf))
        {
            Err(e) => self.errors.push(e),
            Ok(text) => self.scanned(path, kind, text, || SourceFile::new(display(path), text)),
        }
        if buf.capacity() <= KEPT_BUFFER_BYTES {
            self.buf = buf;
        }
    }
}

impl Scanner<'_> {
    /// A walked file read: scanned when it is Terraform, kept when it may hold an application.
    fn scanned(&mut self, path: &Path, kind: Option<FileKind>, text: &str, source: impl FnOnce() -> Arc<SourceFile>) {
        match kind {
            Some(k @ (FileKind::Tf | FileKind::TfJson)) => {
                let raw = RawFile::scan(path, k, text, false, self.names, source);
                self.add(path, raw, false);
            }
            // Read per module; a walked one only has to be readable.
            Some(FileKind::TfVars) => {}
            _ if self.opts.forced.is_none() && !may_hold_application(text) => {}
            _ => {
                let cand = Candidate {
                    path: path.to_path_buf(),
                    kind,
                    explicit: false,
                };
                self.others.push((cand, source()));
            }
        }
    }
}

/// "cannot read NAME: ...", "NAME is a FIFO (named pipe), not a regular file: not read", at
/// the start of an empty file of that name.
pub(super) fn refused(name: String, why: &Refused) -> InputError {
    let f = SourceFile::new(name.clone(), "");
    InputError::new(f.whole(), why.message(&name))
}

/// A walked file that is not read for what it is (not for an I/O error): a notice.
fn refused_notice(name: &str, why: &Refused) -> Notice {
    Notice {
        span: None,
        message: why.message(name),
    }
}

/// The notice for a file whose name is not valid UTF-8: read (Terraform reads it), shown
/// lossily, never edited.
pub(super) fn lossy_name_notice(path: &Path) -> Option<Notice> {
    path.to_str().is_none().then(|| Notice {
        span: None,
        message: format!(
            "{}: the file name is not valid UTF-8 (shown with \u{fffd} for the bytes that are not); it is read, but --fix never edits it",
            display(path)
        ),
    })
}

/// A file's bytes as text: without a UTF-8 byte-order mark (not part of the content), and
/// only if they are UTF-8.
fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, InputError> {
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(content).map_err(|e| not_utf8(display(path), content, e.valid_up_to()))
}

/// [`decode`], keeping the bytes read as the text.
fn into_text(path: &Path, mut bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(display(path), e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// "NAME is not valid UTF-8", at the first invalid byte.
pub(super) fn not_utf8(name: String, content: &[u8], valid: usize) -> InputError {
    let lossy = String::from_utf8_lossy(content).into_owned();
    let prefix_chars = String::from_utf8_lossy(&content[..valid]).len();
    let f = SourceFile::new(name.clone(), lossy);
    InputError::new(
        f.span(prefix_chars..prefix_chars),
        format!("{name} is not valid UTF-8 (invalid byte at offset {valid})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::dir_key;

    #[test]
    fn a_directory_split_across_walker_threads_keeps_its_plain_files() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for (path, text) in [
            (a.join("vars.tf"), "variable \"p\" {\n  default = 1\n}\n".to_string()),
            (
                a.join("main.tf"),
                format!("resource \"{FLINK_RESOURCE}\" \"x\" {{\n}}\n"),
            ),
            (b.join("other.tf"), "locals {\n  x = 1\n}\n".to_string()),
        ] {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let opts = ReadOptions::default();
        // One thread reads only a plain file of `a`; another reads its application.
        let mut one = Scanner::new(&opts, false);
        one.file(&a.join("vars.tf"), FileKind::Tf);
        one.file(&b.join("other.tf"), FileKind::Tf);
        let mut two = Scanner::new(&opts, false);
        two.file(&a.join("main.tf"), FileKind::Tf);
        let mut dirs = Dirs::from_scanners(&mut [one, two]);

        let key = dir_key(&a);
        let files: Vec<PathBuf> = dirs
            .get(&key)
            .unwrap()
            .sorted_files(&key)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(files, [a.join("main.tf"), a.join("vars.tf")]);
        // `b` holds plain files only: known to exist, never parsed.
        assert!(dirs.get(&dir_key(&b)).is_none());
        assert!(dirs.contains(&dir_key(&b)));
        assert_eq!(dirs.take_plain(), [dir_key(&b)]);
    }
}
