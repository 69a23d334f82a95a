//! Every file kpulint reads goes through here: the repository is untrusted input (a pull
//! request controls every byte of it, symlinks, FIFOs and file names included).
//!
//! - A file met in the repository is read only if it is a regular file, checked on the opened
//!   descriptor (opened with `O_NONBLOCK`, so a FIFO cannot hang the open), and only up to the
//!   size cap (`--max-file-size`, [`set_max_file_size`]).
//! - A symbolic link is followed only to a target inside the repository holding it (the nearest
//!   directory with `.git`) or, outside any repository, inside the scanned folder holding it.
//! - A path named on the command line may be a pipe or a device (`-`, `/dev/stdin`, process
//!   substitution): it is read as named, within the same size cap.
//!
//! While the language server analyses, an editor's unsaved buffer is read in place of the
//! file it edits ([`crate::overlay`]), after the same checks.
//!
//! [`cleanup`] removes the temporary files and folders kpulint creates when it is interrupted;
//! [`ignore_rules`] reads `.gitignore` and `.kpulintignore` files under the same rules.

pub mod cleanup;
pub mod ignore_rules;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

/// The default of `--max-file-size`: 256 MB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256_000_000;

static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// The canonical directories being scanned: outside any repository, a symbolic link must stay
/// inside the one holding it.
static SCAN_ROOTS: RwLock<Vec<PathBuf>> = RwLock::new(Vec::new());

/// Sets the size cap of every read (`--max-file-size`), for the whole process.
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes.max(1), Ordering::Relaxed);
}

pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(Ordering::Relaxed)
}

/// Records the scanned paths (directories, or the folders of named files) for the symbolic
/// link rule outside repositories.
pub fn set_scan_roots(paths: &[PathBuf]) {
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .filter_map(|p| std::fs::canonicalize(if p.as_os_str().is_empty() { Path::new(".") } else { p }).ok())
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect();
    *SCAN_ROOTS.write().unwrap_or_else(PoisonError::into_inner) = roots;
}

/// What a path is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Directory,
    Other,
}

impl Special {
    /// `None` for a regular file.
    pub fn of(file_type: &std::fs::FileType) -> Option<Special> {
        if file_type.is_file() {
            return None;
        }
        if file_type.is_dir() {
            return Some(Special::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Some(Special::Fifo);
            }
            if file_type.is_char_device() {
                return Some(Special::CharDevice);
            }
            if file_type.is_block_device() {
                return Some(Special::BlockDevice);
            }
            if file_type.is_socket() {
                return Some(Special::Socket);
            }
        }
        Some(Special::Other)
    }

    pub fn name(self) -> &'static str {
        match self {
            Special::Fifo => "a FIFO (named pipe)",
            Special::CharDevice => "a character device",
            Special::BlockDevice => "a block device",
            Special::Socket => "a socket",
            Special::Directory => "a directory",
            Special::Other => "a special file",
        }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// Not a regular file.
    Special(Special),
    /// Larger than the size cap (in bytes).
    TooLarge { max: u64 },
    /// A symbolic link whose target lies outside the repository (or scanned folder) holding it.
    LinkOutside { repository: bool },
    /// The file could not be opened or read.
    Io(io::Error),
}

impl From<io::Error> for Refused {
    fn from(e: io::Error) -> Self {
        Refused::Io(e)
    }
}

impl Refused {
    /// The one-line message naming the file as `shown` (never the link's target or any of its
    /// content).
    pub fn message(&self, shown: &str) -> String {
        match self {
            Refused::Special(kind) => format!("{shown} is {}, not a regular file: not read", kind.name()),
            Refused::TooLarge { max } => format!(
                "{shown} is larger than {} (--max-file-size): not read",
                shown_size(*max)
            ),
            Refused::LinkOutside { repository: true } => {
                format!("{shown} is a symbolic link to outside the repository: not read")
            }
            Refused::LinkOutside { repository: false } => {
                format!("{shown} is a symbolic link to outside the scanned folder: not read")
            }
            Refused::Io(e) => format!("cannot read {shown}: {e}"),
        }
    }

    /// The file could not be read at all (as opposed to refused for what it is).
    pub fn is_io(&self) -> bool {
        matches!(self, Refused::Io(_))
    }

    /// Not a file of the repository to read at all: a special file or a link out of the
    /// repository (a walk skips it with a notice). A file too large, or one that cannot be
    /// read, is an input that was not read: an error.
    pub fn is_skipped(&self) -> bool {
        matches!(self, Refused::Special(_) | Refused::LinkOutside { .. })
    }
}

/// `256 MB`, `1 GB`, `1500 bytes`.
pub fn shown_size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 && bytes.is_multiple_of(1_000_000_000) {
        format!("{} GB", bytes / 1_000_000_000)
    } else if bytes >= 1_000_000 && bytes.is_multiple_of(1_000_000) {
        format!("{} MB", bytes / 1_000_000)
    } else if bytes >= 1_000 && bytes.is_multiple_of(1_000) {
        format!("{} KB", bytes / 1_000)
    } else {
        format!("{bytes} bytes")
    }
}

/// The repository a directory (canonical) belongs to: its nearest ancestor holding `.git`.
pub fn repository_of(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|a| a.join(".git").exists())
}

/// Whether the symbolic link `link` may be followed to `target` (canonical): the target lies
/// inside the repository holding the link or, outside any repository, inside the scanned folder
/// holding it (or the link's own folder when none does).
pub fn link_allowed(link: &Path, target: &Path) -> Result<(), Refused> {
    let dir = folder_of(link)?;
    if let Some(repository) = repository_of(&dir) {
        return if target.starts_with(repository) {
            Ok(())
        } else {
            Err(Refused::LinkOutside { repository: true })
        };
    }
    let roots = SCAN_ROOTS.read().unwrap_or_else(PoisonError::into_inner);
    let scope = roots
        .iter()
        .filter(|r| dir.starts_with(r))
        .min_by_key(|r| r.components().count())
        .map_or(dir.as_path(), PathBuf::as_path);
    if target.starts_with(scope) {
        Ok(())
    } else {
        Err(Refused::LinkOutside { repository: false })
    }
}

/// Opens a file of the repository for reading: a symbolic link only to a target inside
/// ([`link_allowed`]), and only a regular file, checked on the descriptor. On Unix the open
/// does not follow a final symbolic link (`O_NOFOLLOW`) and does not block (`O_NONBLOCK`: a
/// FIFO opens at once, and is then refused).
pub fn open_regular(path: &Path) -> Result<(File, u64), Refused> {
    let file = match open_no_follow(path) {
        Ok(f) => f,
        Err(e) if is_symlink_error(&e, path) => {
            let target = std::fs::canonicalize(path)?;
            link_allowed(path, &target)?;
            open_no_follow(&target)?
        }
        Err(e) => return Err(Refused::Io(e)),
    };
    let meta = file.metadata()?;
    if let Some(kind) = Special::of(&meta.file_type()) {
        return Err(Refused::Special(kind));
    }
    if meta.len() > max_file_size() {
        return Err(Refused::TooLarge { max: max_file_size() });
    }
    Ok((file, meta.len()))
}

/// Reads a regular file of the repository into `buf` (replacing its content), within the size
/// cap. See [`open_regular`].
pub fn read_regular_into(path: &Path, buf: &mut Vec<u8>) -> Result<(), Refused> {
    let (mut file, len) = open_regular(path)?;
    if let Some(text) = crate::overlay::text_of(path) {
        return read_buffer(&text, buf);
    }
    read_capped(&mut file, buf, len)
}

/// An editor buffer read in place of the file it edits (`kpulint lsp`, [`crate::overlay`]),
/// once the file passed every check a read of it passes: within the size cap too.
fn read_buffer(text: &str, buf: &mut Vec<u8>) -> Result<(), Refused> {
    if text.len() as u64 > max_file_size() {
        return Err(Refused::TooLarge { max: max_file_size() });
    }
    buf.clear();
    buf.extend_from_slice(text.as_bytes());
    Ok(())
}

/// Reads a regular file of the repository. See [`open_regular`].
pub fn read_regular(path: &Path) -> Result<Vec<u8>, Refused> {
    let mut buf = Vec::new();
    read_regular_into(path, &mut buf)?;
    Ok(buf)
}

/// Reads a path named on the command line: standard input for `-`; a pipe or device as named
/// (`/dev/stdin`, `<(terraform show -json plan)`), blocking until it is written; a regular
/// file as [`read_regular`] would, except that a symbolic link outside any repository is
/// followed wherever it leads (the user named it). Always within the size cap.
pub fn read_named(path: &Path) -> Result<Vec<u8>, Refused> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        read_capped(&mut io::stdin().lock(), &mut buf, 0)?;
        return Ok(buf);
    }
    // Only a link inside a repository is held to it (`/dev/stdin` and `/dev/fd/63` are links
    // to pipes that cannot even be resolved to a path).
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && repository_of(&folder_of(path)?).is_some()
    {
        link_allowed(path, &std::fs::canonicalize(path)?)?;
    }
    let mut file = open_named(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(Refused::Special(Special::Directory));
    }
    if meta.is_file() && meta.len() > max_file_size() {
        return Err(Refused::TooLarge { max: max_file_size() });
    }
    match crate::overlay::text_of(path) {
        Some(text) if meta.is_file() => read_buffer(&text, &mut buf)?,
        _ => read_capped(&mut file, &mut buf, if meta.is_file() { meta.len() } else { 0 })?,
    }
    Ok(buf)
}

/// The canonical folder a path lies in.
fn folder_of(link: &Path) -> io::Result<PathBuf> {
    let parent = match link.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::canonicalize(parent)
}

/// Reads to the end into `buf`, refusing more than the size cap (a file can grow while it is
/// read, and a pipe has no size). `hint`: the expected length, 0 when unknown.
pub fn read_capped(reader: &mut dyn Read, buf: &mut Vec<u8>, hint: u64) -> Result<(), Refused> {
    let max = max_file_size();
    buf.clear();
    if hint > 0 {
        buf.reserve(usize::try_from(hint.min(max)).unwrap_or(0).saturating_add(1));
    }
    // One byte past the cap tells a file of exactly the cap from a larger one.
    let limit = max.saturating_add(1);
    let mut limited = reader.take(limit);
    loop {
        match limited.read_to_end(buf) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Refused::Io(e)),
        }
    }
    if buf.len() as u64 > max {
        buf.clear();
        buf.shrink_to(64 * 1024);
        return Err(Refused::TooLarge { max });
    }
    Ok(())
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    File::open(path)
}

#[cfg(unix)]
fn open_named(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_named(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Whether an open with `O_NOFOLLOW` failed because the path is a symbolic link: `ELOOP`
/// (`EMLINK` on FreeBSD). A missing file — the common failure, every folder is probed for its
/// ignore files — costs no further call.
#[cfg(unix)]
fn is_symlink_error(e: &io::Error, _path: &Path) -> bool {
    #[cfg(target_os = "freebsd")]
    if e.raw_os_error() == Some(libc::EMLINK) {
        return true;
    }
    e.raw_os_error() == Some(libc::ELOOP)
}

/// Without `O_NOFOLLOW` ([`open_no_follow`] checks the path first): the path itself says.
#[cfg(not(unix))]
fn is_symlink_error(e: &io::Error, path: &Path) -> bool {
    e.kind() != io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_shown_in_the_largest_exact_unit() {
        assert_eq!(shown_size(256_000_000), "256 MB");
        assert_eq!(shown_size(2_000_000_000), "2 GB");
        assert_eq!(shown_size(1_500), "1500 bytes");
        assert_eq!(shown_size(64_000), "64 KB");
    }

    #[test]
    fn a_read_past_the_cap_is_refused() {
        let mut buf = Vec::new();
        let max = max_file_size();
        let mut big = io::repeat(b'x').take(max + 10);
        assert!(matches!(
            read_capped(&mut big, &mut buf, 0),
            Err(Refused::TooLarge { .. })
        ));
        let mut small = io::repeat(b'x').take(10);
        read_capped(&mut small, &mut buf, 0).unwrap();
        assert_eq!(buf.len(), 10);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.tfvars");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(matches!(read_regular(&fifo), Err(Refused::Special(Special::Fifo))));
    }
}
