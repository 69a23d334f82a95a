//! Writing the files of one fix as one transaction, so that a hostile repository cannot
//! redirect a write and a failure cannot leave half a recommendation:
//!
//! 1. [`stage`] each file: the target must be a regular file with one link, owned by the user
//!    running kpulint and writable by them, and still hold the text the fix was planned on. The
//!    new text goes to a temporary file created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`, an
//!    unpredictable name) in the target's folder, with the target's permissions set through
//!    its descriptor, and synced.
//! 2. [`commit`] swaps every temporary file with its target. On Linux the swap is one
//!    `renameat2(RENAME_EXCHANGE)`, after which the file swapped out is checked to be the one
//!    that was read, unchanged: an edit made since is never lost (the swap is undone and the
//!    file refused). Elsewhere the target is hard-linked aside, checked, then replaced. If any
//!    file fails, the files already swapped are put back: nothing is changed.
//!
//! Temporary files are registered with [`crate::files::cleanup`], so an interrupt removes them.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::splice::{splice, WriteError};
use super::Edit;
use crate::files::cleanup::{self, Registered};
use crate::files::{open_regular, read_capped, Refused};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which file a path was: its inode, size and last modification. A write in place changes
/// the modification time; a replacement changes the inode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(meta: &fs::Metadata) -> Identity {
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Identity {
            device,
            inode,
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }

    fn of_path(path: &Path) -> io::Result<Identity> {
        fs::symlink_metadata(path).map(|m| Identity::of(&m))
    }
}

/// One file of a transaction, written to its temporary file and ready to be swapped in.
pub struct Staged {
    /// As the user sees it.
    shown: String,
    /// The real file (a symbolic link is followed, so the link stays a link).
    target: PathBuf,
    temp: NamedTempFile,
    _temp_registered: Registered,
    read_as: Identity,
}

impl Staged {
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

/// Why a target is refused before anything is written, or `None` when it may be written.
fn refusal(meta: &fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Some(format!(
                "it has {} hard links, which a rewrite would split (edit it by hand)",
                meta.nlink()
            ));
        }
        // SAFETY: geteuid cannot fail.
        let user = unsafe { libc::geteuid() };
        if meta.uid() != user {
            return Some(format!(
                "it is owned by another user (uid {}, kpulint runs as uid {user}); run kpulint as its owner",
                meta.uid()
            ));
        }
        if meta.mode() & 0o200 == 0 {
            return Some("it is read-only".into());
        }
    }
    #[cfg(not(unix))]
    {
        if meta.permissions().readonly() {
            return Some("it is read-only".into());
        }
    }
    None
}

/// Checks `path` and writes its edited text to a temporary file beside it. `original` is the
/// text (without a byte-order mark) the edits were planned on.
pub fn stage(path: &Path, original: &str, edits: &[&Edit]) -> Result<Staged, WriteError> {
    let shown = crate::discover::display(path);
    let read_err = |source| WriteError::Read {
        path: shown.clone(),
        source,
    };
    let refused = |why: String| WriteError::Refused {
        path: shown.clone(),
        why,
    };
    let target = fs::canonicalize(path).map_err(read_err)?;
    let (mut file, len) = match open_regular(&target) {
        Ok(opened) => opened,
        Err(Refused::Io(e)) => return Err(read_err(e)),
        Err(Refused::Special(kind)) => return Err(refused(format!("it is {}, not a regular file", kind.name()))),
        Err(other) => return Err(refused(other.message("it"))),
    };
    let meta = file.metadata().map_err(read_err)?;
    if let Some(why) = refusal(&meta) {
        return Err(refused(why));
    }
    let mut bytes = Vec::new();
    read_capped(&mut file, &mut bytes, len).map_err(|e| match e {
        Refused::Io(e) => read_err(e),
        other => refused(other.message("it")),
    })?;
    let (bom, content) = match bytes.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => (&b""[..], &bytes[..]),
    };
    if content != original.as_bytes() {
        return Err(WriteError::Changed { path: shown });
    }
    let mut new = Vec::with_capacity(bytes.len() + 64);
    new.extend_from_slice(bom);
    new.extend_from_slice(splice(original, edits).as_bytes());

    let write_err = |source| WriteError::Write {
        path: shown.clone(),
        source,
    };
    let (dir, name) = folder_and_name(&target);
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}.{}", cleanup::pid_tag()))
        .suffix(".tmp")
        .rand_bytes(10)
        .make_in(&dir, create_exclusive)
        .map_err(write_err)?;
    let registered = cleanup::register_file(temp.path());
    let written = (|| {
        temp.as_file_mut().write_all(&new)?;
        keep_permissions(temp.as_file(), &meta)?;
        temp.as_file().sync_all()
    })();
    written.map_err(write_err)?;
    Ok(Staged {
        shown,
        target,
        temp,
        _temp_registered: registered,
        read_as: Identity::of(&meta),
    })
}

fn folder_and_name(target: &Path) -> (PathBuf, String) {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

/// Creates a new file that did not exist, never through a link (`O_CREAT|O_EXCL|O_NOFOLLOW`),
/// readable and writable by its owner only until its permissions are set.
fn create_exclusive(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Gives the new file the target's permissions (and group, where allowed), through its
/// descriptor: never by path, which could be swapped for a link.
fn keep_permissions(file: &File, target: &fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::os::unix::io::AsRawFd;
        // The group is kept when the user belongs to it; otherwise the new file has the
        // user's group, as any file they create (not an error).
        // SAFETY: the descriptor is open for the call; -1 leaves the owner unchanged.
        unsafe {
            libc::fchown(file.as_raw_fd(), u32::MAX as libc::uid_t, target.gid());
        }
        file.set_permissions(fs::Permissions::from_mode(target.mode() & 0o777))
    }
    #[cfg(not(unix))]
    {
        file.set_permissions(target.permissions())
    }
}

/// A file swapped in: where the old file now is, until the transaction is committed (then
/// removed) or undone (then put back).
struct Swapped<'a> {
    staged: &'a Staged,
    old_at: PathBuf,
    /// The hard link holding the old file, when it was not swapped out by an exchange.
    _backup: Option<(NamedTempFile<()>, Registered)>,
}

/// Swaps every staged file in, all or none: a file that fails puts back those swapped before
/// it. Returns the index of the file that failed with its error.
pub fn commit(staged: &[Staged]) -> Result<(), (usize, WriteError)> {
    // No interrupt's cleanup in the middle: it finds all files swapped or none.
    let held = cleanup::hold();
    let mut done: Vec<Swapped> = Vec::with_capacity(staged.len());
    for (i, s) in staged.iter().enumerate() {
        match swap(s) {
            Ok(swapped) => done.push(swapped),
            Err(e) => {
                for d in done.iter().rev() {
                    // Best effort: the old file goes back where it was.
                    let _ = fs::rename(&d.old_at, &d.staged.target);
                }
                drop(held);
                drop(done);
                return Err((i, e));
            }
        }
    }
    for d in &done {
        sync_folder(&d.staged.target);
    }
    drop(held);
    // Dropping the temporary files (after the cleanup is released: their guards take it)
    // removes the old files swapped out.
    drop(done);
    Ok(())
}

fn swap(s: &Staged) -> Result<Swapped<'_>, WriteError> {
    let write_err = |source| WriteError::Write {
        path: s.shown.clone(),
        source,
    };
    let changed = || WriteError::Changed { path: s.shown.clone() };
    #[cfg(target_os = "linux")]
    match exchange(s.temp.path(), &s.target) {
        Ok(()) => {
            // The temporary path now holds the file that was at the target.
            if Identity::of_path(s.temp.path()).ok().as_ref() != Some(&s.read_as) {
                let _ = exchange(s.temp.path(), &s.target);
                return Err(changed());
            }
            return Ok(Swapped {
                staged: s,
                old_at: s.temp.path().to_path_buf(),
                _backup: None,
            });
        }
        Err(e) if !exchange_unsupported(&e) => return Err(write_err(e)),
        Err(_) => {}
    }
    // Without an atomic exchange: the old file is kept under a second name, checked, and the
    // new one renamed over the target.
    let (dir, name) = folder_and_name(&s.target);
    let backup = tempfile::Builder::new()
        .prefix(&format!(".{name}.{}", cleanup::pid_tag()))
        .suffix(".tmp")
        .rand_bytes(10)
        .make_in(&dir, |p| fs::hard_link(&s.target, p))
        .map_err(write_err)?;
    let registered = cleanup::register_file(backup.path());
    if Identity::of_path(backup.path()).ok().as_ref() != Some(&s.read_as) {
        return Err(changed());
    }
    fs::rename(s.temp.path(), &s.target).map_err(write_err)?;
    Ok(Swapped {
        staged: s,
        old_at: backup.path().to_path_buf(),
        _backup: Some((backup, registered)),
    })
}

/// Swaps two paths atomically (`renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The file system or kernel has no `RENAME_EXCHANGE`: the portable swap is used instead.
#[cfg(target_os = "linux")]
fn exchange_unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) | Some(libc::EPERM)
    )
}

/// Makes the renames in a target's folder durable (best effort).
fn sync_folder(target: &Path) {
    #[cfg(unix)]
    if let Some(dir) = target.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    let _ = target;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn edit(f: &std::sync::Arc<SourceFile>, range: std::ops::Range<usize>, text: &str) -> Edit {
        Edit {
            file: f.clone(),
            range,
            text: text.into(),
            description: String::new(),
            applications: Vec::new(),
        }
    }

    #[test]
    fn a_transaction_writes_every_file_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.tf"), dir.path().join("b.tf"));
        std::fs::write(&a, "p = 12\n").unwrap();
        std::fs::write(&b, "q = 12\n").unwrap();
        let fa = SourceFile::new("a.tf", "p = 12\n");
        let fb = SourceFile::new("b.tf", "q = 12\n");
        let (ea, eb) = (edit(&fa, 4..6, "10"), edit(&fb, 4..6, "10"));
        let staged = vec![
            stage(&a, &fa.text, &[&ea]).unwrap(),
            stage(&b, &fb.text, &[&eb]).unwrap(),
        ];
        // `b.tf` is edited after it was staged: the whole transaction is undone.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&b, "q = 13\n").unwrap();
        let (failed, err) = commit(&staged).unwrap_err();
        assert_eq!(failed, 1);
        assert!(matches!(err, WriteError::Changed { .. }), "{err}");
        drop(staged);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "p = 12\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "q = 13\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file is left");

        let staged = vec![stage(&a, &fa.text, &[&ea]).unwrap()];
        commit(&staged).unwrap();
        drop(staged);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "p = 10\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_and_read_only_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tf");
        std::fs::write(&a, "p = 12\n").unwrap();
        let f = SourceFile::new("a.tf", "p = 12\n");
        let e = edit(&f, 4..6, "10");
        std::fs::hard_link(&a, dir.path().join("other.tf")).unwrap();
        let err = stage(&a, &f.text, &[&e]).err().unwrap();
        assert!(err.to_string().contains("2 hard links"), "{err}");
        std::fs::remove_file(dir.path().join("other.tf")).unwrap();
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = stage(&a, &f.text, &[&e]).err().unwrap();
        assert!(err.to_string().contains("read-only"), "{err}");
    }
}
