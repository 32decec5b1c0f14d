//! The file system under the workspace: the lock, crash-safe multi-file commits
//! with an intent journal, their recovery, and atomic single-file exports.
//!
//! A commit of several files happens all or not at all, even across a crash or an
//! I/O error half-way:
//! 1. every new content goes to a temporary file beside its target, which gets the
//!    target's mode (and owner, where allowed) — a new file honours the umask — and
//!    is synced;
//! 2. an intent journal (`.zyklus-journal`) listing `temporary → target` is written
//!    to its own temporary file, synced, and renamed into place: from this moment
//!    the commit is decided;
//! 3. the temporary files are renamed over their targets, and the directories synced;
//! 4. the journal is removed.
//!
//! Whoever finds a journal — any later zyklus command, under the lock — completes
//! the renames it lists and removes it ([`recover`]); temporary files without a
//! journal are the leftovers of a commit that never decided, and are removed. So a
//! workspace is always either all old or all new.
//!
//! The lock is an advisory lock on `.zyklus.lock` (a separate file, since a rename
//! swaps the locked file away); a second writer waits briefly, then fails clearly.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// The lock file's name in the workspace root.
pub const LOCK_FILE: &str = ".zyklus.lock";
/// The intent journal's name in the workspace root.
pub const JOURNAL_FILE: &str = ".zyklus-journal";
const JOURNAL_MAGIC: &str = "zyklus-journal 1";
const TEMP_PREFIX: &str = ".zyklus-";
const TEMP_SUFFIX: &str = ".tmp";

/// How long a writer waits for another to finish.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Holds the workspace lock until dropped.
///
/// The lock is re-entrant within the process: taking it again while this process
/// holds it (a command that locked the workspace and then loads it, which completes
/// an interrupted commit under the lock) gives a second guard that releases nothing.
#[derive(Debug)]
pub struct Lock {
    /// The locked file and the root it is registered under; `None` for a nested guard.
    held: Option<(File, PathBuf)>,
}

/// The workspace roots this process holds the lock of.
static HELD: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn held() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some((_file, root)) = self.held.take() {
            held().retain(|r| *r != root);
        }
    }
}

/// Refuses anything but a regular file (or nothing) at `path`: a FIFO would block
/// forever, a device or directory is no workspace file.
///
/// # Errors
/// When `path` exists and is not a regular file.
pub fn require_regular(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(crate::error::invalid(
            format!("{} is not a regular file", path.display()),
            "remove it or replace it by a regular file; zyklus never reads or writes devices, FIFOs or directories in its place",
        )),
        _ => Ok(()),
    }
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
    let key = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if held().contains(&key) {
        return Ok(Lock { held: None });
    }
    let file = lock_file(root, wait)?;
    held().push(key.clone());
    Ok(Lock {
        held: Some((file, key)),
    })
}

/// Opens `.zyklus.lock` and takes the advisory lock on it, waiting up to `wait`
/// (a lock of this or another process on another open file of it blocks).
fn lock_file(root: &Path, wait: Duration) -> Result<File> {
    let path = root.join(LOCK_FILE);
    require_regular(&path)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the workspace lock {}", path.display()))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(crate::error::refused(
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

/// A fault to inject into a commit, for the crash tests (`ZYKLUS_TEST_FAULT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// The 1-based rename of the commit at which to fail (the journal's is the first).
    pub at_rename: usize,
    /// Die without cleaning up (as SIGKILL would) instead of failing with EIO.
    pub kill: bool,
}

impl Fault {
    /// Parses `rename:N:kill` or `rename:N:eio`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split(':');
        if parts.next()? != "rename" {
            return None;
        }
        let at_rename = parts.next()?.parse().ok()?;
        let kill = match parts.next()? {
            "kill" => true,
            "eio" => false,
            _ => return None,
        };
        Some(Self { at_rename, kill })
    }
}

/// Counts renames and fires the fault, if any.
struct Renamer {
    fault: Option<Fault>,
    count: usize,
}

impl Renamer {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.count += 1;
        if let Some(f) = self.fault {
            if f.at_rename == self.count {
                if f.kill {
                    std::process::abort();
                }
                return Err(io::Error::from_raw_os_error(5));
            }
        }
        fs::rename(from, to)
    }
}

/// A set of file writes inside one root that happen together or not at all.
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

    /// Drops writes whose contents equal what is on disk already (after
    /// [`conform`]ing them to the file they replace).
    pub fn drop_unchanged(&mut self) {
        self.conform_to_disk();
        self.files
            .retain(|(p, c)| fs::read(p).map_or(true, |old| old != *c));
    }

    /// Gives every write the byte-order mark and line endings of the file it
    /// replaces (see [`conform`]).
    fn conform_to_disk(&mut self) {
        for (path, contents) in &mut self.files {
            if !fs::metadata(&*path).is_ok_and(|m| m.is_file()) {
                continue;
            }
            if let Ok(old) = fs::read(&*path) {
                if let Some(c) = conform(&old, contents) {
                    *contents = c;
                }
            }
        }
    }

    /// Writes every queued file below `root` as one journaled commit (see the
    /// module docs); returns the paths written.
    ///
    /// # Errors
    /// When a path lies outside `root`, or a file cannot be written. Before the
    /// journal is in place nothing has changed; after it, a failure leaves the
    /// journal for the next command to complete.
    pub fn commit(mut self, root: &Path, fault: Option<Fault>) -> Result<Vec<PathBuf>> {
        for (path, _) in &self.files {
            inside(root, path)?;
            require_regular(path)?;
        }
        self.conform_to_disk();
        let files = self.files;
        if files.is_empty() {
            return Ok(Vec::new());
        }
        fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let mut renamer = Renamer { fault, count: 0 };
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
        let result = (|| -> Result<()> {
            for (n, (path, contents)) in files.iter().enumerate() {
                let tmp = stage_file(path, contents, n)?;
                staged.push((tmp, path.clone()));
            }
            write_journal(root, &staged, &mut renamer)
        })();
        if let Err(e) = result {
            for (tmp, _) in &staged {
                let _ = fs::remove_file(tmp);
            }
            return Err(e);
        }
        // Decided: from here on the commit completes, now or by the next command.
        let applied = apply(root, &staged, &mut renamer);
        if let Err(first) = applied {
            // One retry of what is left (a transient error); else the journal stays.
            if let Err(e) = recover_journal(root) {
                return Err(crate::error::failed(
                    format!(
                        "the changes were decided but could not all be written ({first}; then {e})"
                    ),
                    format!(
                        "fix the cause; the next zyklus command in {} completes them from {JOURNAL_FILE}",
                        root.display()
                    ),
                ));
            }
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// `new` in the conventions of the text file `old` it replaces, if they differ: a
/// UTF-8 byte-order mark and CRLF line endings stay when `old` had them and `new`
/// — text written with LF and no mark, as a command renders it — does not. `None`
/// when there is nothing to change (or either is not UTF-8 text).
#[must_use]
pub fn conform(old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let old = std::str::from_utf8(old).ok()?;
    let new = std::str::from_utf8(new).ok()?;
    let bom = old.as_bytes().starts_with(BOM) && !new.as_bytes().starts_with(BOM);
    let crlf = old.contains("\r\n") && !new.contains('\r') && new.contains('\n');
    if !bom && !crlf {
        return None;
    }
    let mut out = String::with_capacity(new.len() + new.len() / 16 + 3);
    if bom {
        out.push('\u{feff}');
    }
    if crlf {
        out.push_str(&new.replace('\n', "\r\n"));
    } else {
        out.push_str(new);
    }
    Some(out.into_bytes())
}

/// Whether `path` is `root` or below it, lexically (no `..`).
fn inside(root: &Path, path: &Path) -> Result<()> {
    let ok = path.starts_with(root)
        && path
            .strip_prefix(root)
            .is_ok_and(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))));
    if ok {
        Ok(())
    } else {
        Err(crate::error::invalid(
            format!(
                "{} is outside the workspace {}",
                path.display(),
                root.display()
            ),
            "zyklus writes workspace files only inside the workspace",
        ))
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `contents` to a new temporary file beside `target`, with the target's
/// mode and owner when it exists (else the umask's default), synced.
fn stage_file(target: &Path, contents: &[u8], n: usize) -> Result<PathBuf> {
    let dir = parent_dir(target);
    fs::create_dir_all(&dir).with_context(|| format!("creating directory {}", dir.display()))?;
    let old = fs::metadata(target).ok();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let name = format!(
            "{TEMP_PREFIX}{}-{n}-{attempt}{TEMP_SUFFIX}",
            std::process::id()
        );
        let tmp = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("creating a temporary file in {}", dir.display()))
            }
        }
    };
    let written = (|| -> io::Result<()> {
        file.write_all(contents)?;
        if let Some(m) = &old {
            fs::set_permissions(&tmp, m.permissions())?;
            keep_owner(&tmp, m);
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", target.display()));
    }
    Ok(tmp)
}

#[cfg(unix)]
fn keep_owner(path: &Path, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; for anyone else this is a no-op or EPERM.
    let _ = std::os::unix::fs::chown(path, Some(old.uid()), Some(old.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_path: &Path, _old: &fs::Metadata) {}

fn rel_text(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

fn write_journal(root: &Path, staged: &[(PathBuf, PathBuf)], renamer: &mut Renamer) -> Result<()> {
    let mut text = format!("{JOURNAL_MAGIC}\n");
    for (tmp, target) in staged {
        let (t, g) = (rel_text(root, tmp), rel_text(root, target));
        if t.contains(['\t', '\n']) || g.contains(['\t', '\n']) {
            return Err(crate::error::invalid(
                format!("the file name {g:?} contains a tab or newline"),
                "rename it",
            ));
        }
        text.push_str(&format!("{t}\t{g}\n"));
    }
    let tmp = root.join(format!(
        "{TEMP_PREFIX}journal-{}{TEMP_SUFFIX}",
        std::process::id()
    ));
    let result = (|| -> io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        renamer.rename(&tmp, &root.join(JOURNAL_FILE))?;
        sync_dir(root);
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing the journal in {}", root.display()));
    }
    Ok(())
}

fn apply(root: &Path, staged: &[(PathBuf, PathBuf)], renamer: &mut Renamer) -> Result<()> {
    let mut dirs = Vec::new();
    for (tmp, target) in staged {
        renamer
            .rename(tmp, target)
            .with_context(|| format!("replacing {}", target.display()))?;
        let d = parent_dir(target);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    for d in &dirs {
        sync_dir(d);
    }
    fs::remove_file(root.join(JOURNAL_FILE)).with_context(|| format!("removing {JOURNAL_FILE}"))?;
    sync_dir(root);
    Ok(())
}

/// Whether a commit was interrupted here: a journal, or temporary files left over.
#[must_use]
pub fn needs_recovery(root: &Path) -> bool {
    root.join(JOURNAL_FILE).exists() || !leftovers(root).is_empty()
}

/// The directories zyklus writes into, where temporary files may be left over.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        root.to_path_buf(),
        root.join(super::REQUESTS_DIR),
        root.join(super::RELEASES_DIR),
        root.join(super::TRAININGS_DIR),
    ] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX)
                && name.ends_with(TEMP_SUFFIX)
                && e.file_type().is_ok_and(|t| t.is_file())
            {
                out.push(e.path());
            }
        }
    }
    out
}

/// Completes an interrupted commit (must hold the lock): the journal's renames are
/// done and the journal removed; temporary files no journal names are removed.
/// Returns the targets completed.
///
/// # Errors
/// When the journal is unreadable or a rename fails (the journal then stays).
pub fn recover(root: &Path) -> Result<Vec<PathBuf>> {
    let done = recover_journal(root)?;
    for tmp in leftovers(root) {
        fs::remove_file(&tmp).with_context(|| format!("removing {}", tmp.display()))?;
    }
    Ok(done)
}

fn recover_journal(root: &Path) -> Result<Vec<PathBuf>> {
    let path = root.join(JOURNAL_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let bad = || {
        crate::error::failed(
            format!("{} is damaged", path.display()),
            "it records an interrupted zyklus commit; restore the workspace from git and delete it",
        )
    };
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_MAGIC) {
        return Err(bad());
    }
    let mut entries = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (tmp, target) = line.split_once('\t').ok_or_else(bad)?;
        let (tmp, target) = (root.join(tmp), root.join(target));
        inside(root, &tmp)?;
        inside(root, &target)?;
        entries.push((tmp, target));
    }
    let mut done = Vec::new();
    let mut dirs = Vec::new();
    for (tmp, target) in entries {
        if tmp.exists() {
            fs::rename(&tmp, &target)
                .with_context(|| format!("completing {}", target.display()))?;
        }
        let d = parent_dir(&target);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
        done.push(target);
    }
    for d in &dirs {
        sync_dir(d);
    }
    fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    sync_dir(root);
    Ok(done)
}

/// Writes one file outside the workspace (an export: .ics, .eml, HTML, a
/// changelog) atomically: temporary file, sync, rename. An existing file keeps
/// its mode; a new one gets the umask's default. (Callers check with
/// [`super::exports`] that it is no workspace file.)
///
/// # Errors
/// When `path` is not a regular file, or the file cannot be written; the old
/// file then stays as it was.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    require_regular(path)?;
    let tmp = stage_file(path, contents.as_ref(), 0)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("replacing {}", path.display()));
    }
    sync_dir(&parent_dir(path));
    Ok(())
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_commit_writes_all_files_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let a = root.join("a.toml");
        let b = root.join("releases/b.toml");
        fs::write(&a, "same").expect("write");
        let mut c = Changes::new();
        c.write(&a, "same");
        c.write(&b, "new");
        c.drop_unchanged();
        assert_eq!(c.paths().collect::<Vec<_>>(), vec![b.as_path()]);
        c.commit(root, None).expect("commit");
        assert_eq!(fs::read_to_string(&b).expect("read"), "new");
        assert_eq!(names(root), ["a.toml", "releases"]);
        assert_eq!(names(&root.join("releases")), ["b.toml"]);
    }

    #[test]
    fn an_io_error_before_the_journal_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        fs::create_dir(root.join("releases")).expect("dir");
        fs::write(root.join("releases/a.toml"), "old a").expect("write");
        let mut c = Changes::new();
        c.write(root.join("releases/a.toml"), "new a");
        c.write(root.join("releases/b.toml"), "new b");
        let fault = Fault::parse("rename:1:eio");
        assert!(c.commit(root, fault).is_err());
        assert_eq!(names(&root.join("releases")), ["a.toml"]);
        assert_eq!(
            fs::read_to_string(root.join("releases/a.toml")).expect("read"),
            "old a"
        );
        assert!(!needs_recovery(root));
    }

    #[test]
    fn an_io_error_after_the_journal_is_completed_by_the_retry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let mut c = Changes::new();
        for n in 0..4 {
            c.write(root.join(format!("releases/{n}.toml")), format!("new {n}"));
        }
        c.commit(root, Fault::parse("rename:3:eio"))
            .expect("the retry completes it");
        for n in 0..4 {
            assert_eq!(
                fs::read_to_string(root.join(format!("releases/{n}.toml"))).expect("read"),
                format!("new {n}")
            );
        }
        assert!(!needs_recovery(root));
    }

    #[test]
    fn recovery_completes_a_journal_and_removes_strays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        fs::create_dir(root.join("releases")).expect("dir");
        fs::write(root.join("releases/a.toml"), "new a").expect("already renamed");
        fs::write(root.join("releases/.zyklus-1-1-0.tmp"), "new b").expect("pending");
        fs::write(root.join("releases/.zyklus-9-0-0.tmp"), "stray").expect("stray");
        fs::write(
            root.join(JOURNAL_FILE),
            format!("{JOURNAL_MAGIC}\nreleases/.zyklus-1-0-0.tmp\treleases/a.toml\nreleases/.zyklus-1-1-0.tmp\treleases/b.toml\n"),
        )
        .expect("journal");
        assert!(needs_recovery(root));
        let done = recover(root).expect("recover");
        assert_eq!(done.len(), 2);
        assert_eq!(names(&root.join("releases")), ["a.toml", "b.toml"]);
        assert_eq!(
            fs::read_to_string(root.join("releases/b.toml")).expect("read"),
            "new b"
        );
        assert!(!needs_recovery(root));
    }

    #[test]
    fn a_journal_cannot_point_outside_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        fs::write(
            root.join(JOURNAL_FILE),
            format!("{JOURNAL_MAGIC}\n.zyklus-1.tmp\t../escape.toml\n"),
        )
        .expect("journal");
        assert!(recover(root).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_kept_and_new_files_honour_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let old = root.join("old.toml");
        fs::write(&old, "x").expect("write");
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).expect("chmod");
        let mut c = Changes::new();
        c.write(&old, "y");
        c.write(root.join("new.toml"), "z");
        c.commit(root, None).expect("commit");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&old), 0o640);
        // Whatever the umask, a new file is not the 0600 of a temp file unless the
        // umask says so: compare with a file created the ordinary way.
        let reference = root.join("reference");
        fs::write(&reference, "").expect("write");
        assert_eq!(mode(&root.join("new.toml")), mode(&reference));
    }

    #[test]
    fn a_second_lock_waits_then_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = lock(dir.path()).expect("first lock");
        // Another process's lock is another open file of `.zyklus.lock`.
        let err =
            lock_file(dir.path(), Duration::from_millis(100)).expect_err("second lock must fail");
        assert!(err.to_string().contains("another zyklus process"));
        drop(held);
        lock_file(dir.path(), Duration::from_millis(100)).expect("lock after release");
    }

    #[test]
    fn the_lock_is_reentrant_within_the_process() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outer = lock(dir.path()).expect("first lock");
        let inner = lock_waiting(dir.path(), Duration::ZERO).expect("nested lock");
        drop(inner);
        // Dropping the nested guard released nothing.
        assert!(lock_file(dir.path(), Duration::ZERO).is_err());
        drop(outer);
        lock_file(dir.path(), Duration::ZERO).expect("released with the outer guard");
    }

    #[test]
    fn faults_parse() {
        assert_eq!(
            Fault::parse("rename:3:kill"),
            Some(Fault {
                at_rename: 3,
                kill: true
            })
        );
        assert_eq!(Fault::parse("rename:x:kill"), None);
        assert_eq!(Fault::parse("open:1:eio"), None);
    }
}
