//! The temporary files and folders kpulint creates — the temporary files of `--fix` beside the
//! files it edits, the base tree of `diff --base` in the system's temporary folder — are
//! registered here while they exist. SIGINT and SIGTERM remove them before kpulint ends (on
//! Unix: a handler that only writes to a pipe, and a thread that does the removing). What a
//! `kill -9` leaves behind carries the dead process's id in its name and is removed by the
//! next run that looks there ([`remove_stale_temps`], [`remove_stale_base_trees`]).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// The temporary files and folders that exist now.
#[derive(Default)]
pub struct Registry {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    files: Vec::new(),
    dirs: Vec::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps a temporary path registered while it lives.
#[derive(Debug)]
pub struct Registered {
    path: PathBuf,
    dir: bool,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut r = registry();
        let list = if self.dir { &mut r.dirs } else { &mut r.files };
        if let Some(i) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Registers a temporary file, removed if kpulint is interrupted while the guard lives.
pub fn register_file(path: &Path) -> Registered {
    install();
    let path = absolute(path);
    registry().files.push(path.clone());
    Registered { path, dir: false }
}

/// Registers a temporary folder, removed (with its content) if kpulint is interrupted.
pub fn register_dir(path: &Path) -> Registered {
    install();
    let path = absolute(path);
    registry().dirs.push(path.clone());
    Registered { path, dir: true }
}

/// Held while a fix's renames run: the interrupt's cleanup waits for it.
static COMMITTING: Mutex<()> = Mutex::new(());

/// Holds off the interrupt's cleanup while the guard lives: the renames that commit a fix
/// happen under it, so an interrupt finds either no rename done or all of them. Files may
/// still be registered and released meanwhile.
pub fn hold() -> MutexGuard<'static, ()> {
    COMMITTING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every registered file and folder (the interrupt's cleanup).
fn remove_registered(r: &Registry) {
    for f in &r.files {
        let _ = std::fs::remove_file(f);
    }
    for d in &r.dirs {
        // `remove_dir_all` does not follow symbolic links inside the folder.
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The part of a temporary name that says which process made it: `kpulint-<pid>-`.
pub fn pid_tag() -> String {
    format!("kpulint-{}-", std::process::id())
}

/// Whether a leftover made by process `pid` is stale: that process no longer runs (or it is
/// this process, which registers its own: then the name was left by an earlier process with
/// the same id, as in containers where kpulint is always process 1).
fn stale_pid(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let alive =
            unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        !alive
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The process id in a temporary name made by kpulint, if `name` is one: `.NAME.kpulint-PID-XXXXXX.tmp`
/// (and `.NAME.kpulint-PID.tmp`, the name older versions used).
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = rest.rsplit_once(".kpulint-")?;
    let digits = tail.split('-').next()?;
    digits.parse().ok()
}

/// Whether a leftover may be removed: this user's, and not registered by this run.
fn ours(path: &Path, meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid cannot fail.
        if meta.uid() != unsafe { libc::geteuid() } {
            return false;
        }
    }
    let _ = meta;
    let r = registry();
    let path = absolute(path);
    !r.files.contains(&path) && !r.dirs.contains(&path)
}

/// Removes the temporary files an interrupted `--fix` left in `dir` (`.NAME.kpulint-PID-….tmp`
/// of a process that no longer runs, owned by this user). Never a file that is not one.
pub fn remove_stale_temps(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let plain = meta.file_type().is_file() || meta.file_type().is_symlink();
        if plain && stale_pid(pid) && ours(&path, &meta) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The prefix of the base trees of `diff --base` in the temporary folder.
pub const BASE_TREE_PREFIX: &str = "kpulint-base-";

/// Removes base trees an interrupted `diff --base` left in the temporary folder
/// (`kpulint-base-PID-…` of a process that no longer runs, owned by this user).
pub fn remove_stale_base_trees() {
    let tmp = std::env::temp_dir();
    let Ok(entries) = std::fs::read_dir(&tmp) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(BASE_TREE_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|digits| digits.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_dir() && stale_pid(pid) && ours(&path, &meta) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

static INSTALL: Once = Once::new();

/// Installs the SIGINT/SIGTERM cleanup, once.
fn install() {
    INSTALL.call_once(signals::install);
}

#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The write end of the pipe the handler wakes the cleanup thread through.
    static WAKE: AtomicI32 = AtomicI32::new(-1);

    extern "C" fn on_signal(signal: libc::c_int) {
        let fd = WAKE.load(Ordering::Relaxed);
        if fd >= 0 {
            let byte = signal as u8;
            // SAFETY: `write` is async-signal-safe; `byte` outlives the call.
            unsafe {
                libc::write(fd, (&byte as *const u8).cast(), 1);
            }
        }
    }

    pub fn install() {
        let mut fds = [-1 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors `pipe` writes.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        for fd in fds {
            // SAFETY: `fd` was just opened; FD_CLOEXEC keeps it out of child processes (git).
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        let [read_end, write_end] = fds;
        WAKE.store(write_end, Ordering::Relaxed);
        let spawned = std::thread::Builder::new()
            .name("kpulint-cleanup".into())
            .spawn(move || loop {
                let mut byte = 0u8;
                // SAFETY: reads one byte into `byte`.
                let n = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
                if n == 1 {
                    let _committing = super::hold();
                    let held = super::registry();
                    super::remove_registered(&held);
                    let signal = libc::c_int::from(byte);
                    // SAFETY: restoring the default action and raising the signal again ends
                    // the process as the signal would have, with its exit status.
                    unsafe {
                        libc::signal(signal, libc::SIG_DFL);
                        libc::raise(signal);
                    }
                    std::process::exit(128 + signal);
                } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                } else {
                    return;
                }
            });
        if spawned.is_err() {
            return;
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: `action` is fully initialised (zeroed, then the handler and flags set);
            // the handler only calls `write`, which is async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod signals {
    /// No handler: what an interrupted run leaves is removed by the next one.
    pub fn install() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_process_id() {
        assert_eq!(temp_file_pid(".main.tf.kpulint-123-AbC123.tmp"), Some(123));
        assert_eq!(temp_file_pid(".terraform.tfvars.kpulint-1.tmp"), Some(1));
        assert_eq!(temp_file_pid("main.tf"), None);
        assert_eq!(temp_file_pid(".main.tf.kpulint-x.tmp"), None);
        assert_eq!(temp_file_pid(".a.kpulint-7-x.tf"), None);
    }

    #[cfg(unix)]
    #[test]
    fn stale_temps_of_dead_processes_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let own = format!(".main.tf.{}abc.tmp", pid_tag());
        let names = [
            ".main.tf.kpulint-999999999-abc.tmp".to_string(),
            own.clone(),
            "main.tf".into(),
            ".main.tf.kpulint-oops.tmp".into(),
        ];
        for n in &names {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        // This run's own temporary file is registered: kept.
        let _mine = register_file(&dir.path().join(&own));
        remove_stale_temps(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut kept = vec![".main.tf.kpulint-oops.tmp".to_string(), own, "main.tf".into()];
        kept.sort();
        assert_eq!(left, kept);
    }
}
