//! Atomic writes and the workspace lock.
//!
//! Every write goes to a temporary file in the target's directory, is fsynced, and
//! is renamed over the target, then the directory is fsynced: a crash leaves either
//! the old or the new file, never half of one. A [`Changes`] set writes all its
//! temporary files first and renames them only when every one was written, so a
//! failed command changes nothing.
//!
//! The lock is an advisory lock on `.zyklus.lock` in the workspace root (a separate
//! file, since a rename swaps the locked file away); a second writer waits briefly
//! and then fails with a clear message.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// The lock file's name in the workspace root.
pub const LOCK_FILE: &str = ".zyklus.lock";

/// How long a writer waits for another to finish.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Holds the workspace lock until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the workspace lock, waiting up to a few seconds for another zyklus process.
///
/// # Errors
/// When the lock file cannot be opened, or another process holds the lock too long.
pub fn lock(root: &Path) -> Result<Lock> {
    lock_waiting(root, LOCK_WAIT)
}

/// [`lock`] with an explicit wait.
///
/// # Errors
/// As [`lock`].
pub fn lock_waiting(root: &Path, wait: Duration) -> Result<Lock> {
    let path = root.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the workspace lock {}", path.display()))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(crate::error::with_hint(
                    format!(
                        "another zyklus process is writing to this workspace (lock {} held for over {:.1}s)",
                        path.display(),
                        wait.as_secs_f64()
                    ),
                    "wait for it to finish and run the command again",
                ));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
    }
}

/// A set of file writes that happen together or not at all (as far as a file
/// system allows: all contents are written and synced before the first rename).
#[derive(Debug, Default)]
pub struct Changes {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Changes {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `contents` for `path`, replacing an earlier queued write of the same path.
    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        let path = path.into();
        let contents = contents.into();
        if let Some(slot) = self.files.iter_mut().find(|(p, _)| *p == path) {
            slot.1 = contents;
        } else {
            self.files.push((path, contents));
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The queued paths, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// The queued writes.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_path(), c.as_slice()))
    }

    /// Drops writes whose contents equal what is on disk already.
    pub fn drop_unchanged(&mut self) {
        self.files
            .retain(|(p, c)| fs::read(p).map_or(true, |old| old != *c));
    }

    /// Writes every queued file atomically; returns the paths written.
    ///
    /// # Errors
    /// When a directory cannot be created or a file cannot be written; files not
    /// yet renamed stay as they were.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let mut staged = Vec::with_capacity(self.files.len());
        for (path, contents) in &self.files {
            let dir = parent_dir(path);
            fs::create_dir_all(&dir)
                .with_context(|| format!("creating directory {}", dir.display()))?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".zyklus-")
                .suffix(".tmp")
                .tempfile_in(&dir)
                .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
            tmp.write_all(contents)
                .and_then(|()| tmp.as_file().sync_all())
                .with_context(|| format!("writing {}", path.display()))?;
            staged.push((tmp, path.clone()));
        }
        let mut written = Vec::with_capacity(staged.len());
        for (tmp, path) in staged {
            tmp.persist(&path)
                .with_context(|| format!("replacing {}", path.display()))?;
            sync_dir(&parent_dir(&path));
            written.push(path);
        }
        Ok(written)
    }
}

/// Writes one file atomically.
///
/// # Errors
/// As [`Changes::commit`].
pub fn write_atomic(path: &Path, contents: impl Into<Vec<u8>>) -> Result<()> {
    let mut c = Changes::new();
    c.write(path, contents);
    c.commit().map(|_| ())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sync_dir(dir: &Path) {
    // Directory fsync is not supported everywhere (e.g. Windows); the rename itself
    // already happened, so a failure here is not worth failing the command for.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_write_all_files_and_skip_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.toml");
        let b = dir.path().join("sub/b.toml");
        fs::write(&a, "same").expect("write");
        let mut c = Changes::new();
        c.write(&a, "same");
        c.write(&b, "new");
        c.drop_unchanged();
        assert_eq!(c.paths().collect::<Vec<_>>(), vec![b.as_path()]);
        c.commit().expect("commit");
        assert_eq!(fs::read_to_string(&b).expect("read"), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_second_lock_waits_then_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = lock(dir.path()).expect("first lock");
        let err = lock_waiting(dir.path(), Duration::from_millis(100))
            .expect_err("second lock must fail");
        assert!(err.to_string().contains("another zyklus process"));
        drop(held);
        lock(dir.path()).expect("lock after release");
    }
}
