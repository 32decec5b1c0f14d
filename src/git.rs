//! Everything zyklus does with git, and the only module that uses `git2`: open a
//! product repository and commit one changelog file on top of HEAD (optionally
//! with an annotated tag) as one transaction, [`ChangelogCommit`].
//!
//! The transaction is planned first and applied second. Planning takes an
//! exclusive lock in the git directory ([`LOCK_FILE`]: an OS file lock, so a
//! crashed run leaves no stale lock; the file is removed when done), so that two
//! zyklus runs on one repository queue up instead of committing twice. Then it
//! checks every precondition while nothing has been written yet: a plain path
//! inside the work tree and never inside `.git` ([`check_changelog_path`]), no
//! symbolic link or submodule on the way to the file (in the work tree, the index
//! and HEAD's tree), no merge or rebase in progress, HEAD on a branch, no
//! `index.lock` or ref lock left by git, a clean file, and a tag that is either
//! absent or already on a commit that carries the release's section. Applying
//! writes the file, the index, the branch and the tag, in that order; when any
//! step fails, the steps already done are undone, so the repository, index and
//! work tree are as they were.
//!
//! What goes into the file is not decided here: the caller passes a function from
//! the old text to the new one ([`crate::notes::changelog::splice`]).
//!
//! [`read_tree_files`] reads a directory as it was at a revision, from the object
//! store only (nothing is checked out): `plan --compare` loads the workspace of a
//! revision from it.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, FixedOffset};
use git2::{ErrorCode, Oid, Repository, RepositoryState, Signature, Status, StatusOptions};

use crate::error::refused;

/// Used when neither `ZYKLUS_GIT_AUTHOR` nor git's `user.name`/`user.email` is set.
pub const DEFAULT_AUTHOR: (&str, &str) = ("zyklus", "zyklus@localhost");

/// The lock file, in the repository's (common) git directory, that serialises
/// zyklus runs on one repository. It is locked with the operating system's file
/// lock, so a crashed run never leaves it stale, and removed when the run is done.
pub const LOCK_FILE: &str = "zyklus-changelog.lock";

/// How long a run waits for another one to finish.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// An open repository with a working tree.
pub struct Repo {
    repo: Repository,
    workdir: PathBuf,
}

/// Who commits and tags, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    /// Parses `Name <email>`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let (name, rest) = s.split_once('<')?;
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim();
        (!name.is_empty() && !email.is_empty()).then(|| Self {
            name: name.to_owned(),
            email: email.to_owned(),
        })
    }
}

fn signature(author: &Author, at: DateTime<FixedOffset>) -> Result<Signature<'static>> {
    let offset = at.offset().local_minus_utc() / 60;
    Signature::new(
        &author.name,
        &author.email,
        &git2::Time::new(at.timestamp(), offset),
    )
    .with_context(|| format!("the git author `{} <{}>`", author.name, author.email))
}

/// Checks that `path` can name a changelog: a plain relative path inside the
/// work tree (`/`-separated, `.` components allowed), never absolute, never `..`,
/// and never inside a `.git` directory — in any letter case, and in the spellings
/// that file systems fold to `.git` (`.git.`, `.git ` and `git~1` on Windows,
/// `.g\u{200c}it` on macOS). Control characters and backslashes are refused too.
/// Pure; `validate` calls it for `changelog.file`, `changelog` for `--file`.
///
/// # Errors
/// A sentence saying what is wrong with the path.
pub fn check_changelog_path(path: &str) -> Result<(), String> {
    normal_components(path).map(|_| ())
}

/// The components of a valid changelog path (see [`check_changelog_path`]).
fn normal_components(path: &str) -> Result<Vec<&str>, String> {
    if path.trim().is_empty() {
        return Err("the changelog path is empty".into());
    }
    if path.chars().any(char::is_control) {
        return Err(format!(
            "`{}` contains a control character",
            path.escape_debug()
        ));
    }
    if path.contains('\\') {
        return Err(format!(
            "`{path}` contains a backslash; separate directories with `/`"
        ));
    }
    let bytes = path.as_bytes();
    if path.starts_with('/') || (bytes.len() >= 2 && bytes[1] == b':') {
        return Err(format!(
            "`{path}` is an absolute path, not a path inside the repository"
        ));
    }
    let mut parts = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                return Err(format!(
                    "`{path}` leaves the repository (`..`), it is not a path inside the repository"
                ))
            }
            c if is_git_dir_name(c) => {
                return Err(format!(
                    "`{path}` is inside the repository's `.git` directory, which belongs to git"
                ))
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{path}` names no file"));
    }
    Ok(parts)
}

/// Whether a path component is, or a file system may take it for, `.git`
/// (the checks git itself makes with `core.protectNTFS`/`core.protectHFS`).
fn is_git_dir_name(component: &str) -> bool {
    // NTFS: an alternate data stream (`.git::$INDEX_ALLOCATION`) names the same file.
    let name = component.split(':').next().unwrap_or(component);
    // HFS+ ignores these code points in names.
    let name: String = name
        .chars()
        .filter(|c| {
            !matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{206a}'..='\u{206f}' | '\u{feff}')
        })
        .collect::<String>()
        .to_lowercase();
    // NTFS drops trailing dots and spaces.
    let name = name.trim_end_matches(['.', ' ']);
    name == ".git" || name == "git~1"
}

/// Opens the repository at `path` (its top directory or any directory in it).
///
/// # Errors
/// When `path` is not in a git repository, or the repository has no working tree.
pub fn open(path: &Path) -> Result<Repo> {
    let repo = Repository::discover(path).map_err(|e| {
        refused(
            format!(
                "{} is not in a git repository ({})",
                path.display(),
                e.message()
            ),
            "pass --repo the directory of the product's git repository (or `git init` it)",
        )
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| {
            refused(
                format!("{} is a bare repository", path.display()),
                "pass --repo a clone with a working tree",
            )
        })?
        .components()
        .collect::<PathBuf>();
    Ok(Repo { repo, workdir })
}

/// Holds the repository's zyklus lock (see [`LOCK_FILE`]) until dropped; then
/// the file is removed, so that a repository shows no trace of zyklus.
#[derive(Debug)]
pub struct RepoLock {
    path: PathBuf,
    _file: File,
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        // Removed while still locked; a run waiting on this file sees it is gone
        // (see `is_same_file`) and locks the next one.
        if cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether the open `file` is still the one at `path`.
#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_file: &File, _path: &Path) -> bool {
    true
}

impl Repo {
    /// The top directory of the working tree.
    #[must_use]
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Takes the repository's zyklus lock, waiting up to `wait` for another run.
    ///
    /// # Errors
    /// When the lock file cannot be opened, or another run holds it too long.
    pub fn lock(&self, wait: Duration) -> Result<RepoLock> {
        let path = self.repo.commondir().join(LOCK_FILE);
        let start = Instant::now();
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("opening the lock {}", path.display()))?;
            match file.try_lock() {
                // The holder before us removes the file on its way out: then this
                // lock is on a file that is gone, and the next one is the real one.
                Ok(()) if !is_same_file(&file, &path) => {}
                Ok(()) => return Ok(RepoLock { path, _file: file }),
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(refused(
                        format!(
                            "another zyklus run is writing the changelog of {} (it has held {} for over {} s)",
                            self.workdir.display(),
                            path.display(),
                            wait.as_secs()
                        ),
                        "wait for it to finish, then run zyklus again",
                    ));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
        }
    }

    /// Refuses a repository in the middle of a merge, rebase, cherry-pick, … and
    /// a HEAD that is not on a branch. Returns the branch (`refs/heads/main`).
    ///
    /// # Errors
    /// When the repository is not in a state to commit on a branch.
    pub fn check_ready(&self) -> Result<String> {
        let state = self.repo.state();
        if state != RepositoryState::Clean {
            return Err(refused(
                format!(
                    "the repository {} is in the middle of a {}",
                    self.workdir.display(),
                    state_name(state)
                ),
                "finish it (or abort it) with git first, then run zyklus again",
            ));
        }
        let detached = || {
            refused(
                format!("HEAD of {} is detached", self.workdir.display()),
                "switch to the branch the changelog belongs on (`git switch main`), then run zyklus again",
            )
        };
        if self.repo.head_detached().unwrap_or(false) {
            return Err(detached());
        }
        let head = self.repo.find_reference("HEAD").context("reading HEAD")?;
        match head.symbolic_target() {
            Ok(Some(branch)) if branch.starts_with("refs/heads/") => Ok(branch.to_owned()),
            _ => Err(detached()),
        }
    }

    /// Refuses when git is busy or crashed while writing: an `index.lock`, or a
    /// lock on HEAD, the branch, the packed refs or (with `tag`) the tag.
    fn check_git_locks(&self, branch: &str, tag: Option<&str>) -> Result<()> {
        let gitdir = self.repo.path();
        let common = self.repo.commondir();
        let mut locks = vec![
            gitdir.join("index.lock"),
            gitdir.join("HEAD.lock"),
            common.join(format!("{branch}.lock")),
            common.join("packed-refs.lock"),
        ];
        if let Some(t) = tag {
            locks.push(common.join(format!("refs/tags/{t}.lock")));
        }
        for lock in locks {
            if fs::symlink_metadata(&lock).is_ok() {
                let what = if lock.ends_with("index.lock") {
                    "the index is locked"
                } else {
                    "a ref is locked"
                };
                return Err(refused(
                    format!(
                        "{what}: {} exists, so another git process is running (or one crashed)",
                        lock.display()
                    ),
                    format!(
                        "wait for it to finish; if no git process is running, remove {} and run zyklus again",
                        lock.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks that `rel` has no uncommitted changes: not modified, not staged, not
    /// untracked. A file that does not exist yet is fine.
    ///
    /// # Errors
    /// When it has uncommitted changes.
    fn check_file_clean(&self, spec: &str) -> Result<()> {
        let mut opts = StatusOptions::new();
        opts.pathspec(spec)
            .disable_pathspec_match(true)
            .include_untracked(true)
            .include_ignored(false);
        let statuses = self
            .repo
            .statuses(Some(&mut opts))
            .context("reading the repository's status")?;
        let dirty = statuses
            .iter()
            .any(|e| e.status() != Status::CURRENT && !e.status().contains(Status::IGNORED));
        if dirty {
            return Err(refused(
                format!("{spec} has uncommitted changes in {}", self.workdir.display()),
                format!("commit or discard them first (`git -C {} status {spec}`); zyklus only writes a clean changelog", self.workdir.display()),
            ));
        }
        Ok(())
    }

    /// Refuses a path that goes through a symbolic link, a submodule or a file,
    /// or ends in something that is not a regular file: in the work tree, in the
    /// index and in HEAD's tree (git stores a link as mode 120000).
    fn check_no_links(&self, parts: &[&str], head: Option<Oid>) -> Result<()> {
        let refuse = |prefix: &str, what: String| {
            refused(
                format!("{prefix} {what} in {}; zyklus writes the changelog only as a regular file, never through a link", self.workdir.display()),
                "pass --file (or set changelog.file in zyklus.toml to) a path whose directories are real directories in the repository",
            )
        };
        let head_tree = match head {
            Some(oid) => Some(self.repo.find_commit(oid)?.tree()?),
            None => None,
        };
        let index = self.repo.index().context("reading the git index")?;
        for i in 0..parts.len() {
            let prefix = parts[..=i].join("/");
            let last = i + 1 == parts.len();
            // The work tree.
            let on_disk = self.workdir.join(&prefix);
            match fs::symlink_metadata(&on_disk) {
                Ok(m) if m.file_type().is_symlink() => {
                    let target = fs::read_link(&on_disk)
                        .map(|t| format!(" (to {})", t.display()))
                        .unwrap_or_default();
                    return Err(refuse(
                        &format!("`{prefix}`"),
                        format!("is a symbolic link{target}"),
                    ));
                }
                Ok(m) if !last && !m.is_dir() => {
                    return Err(refuse(&format!("`{prefix}`"), "is not a directory".into()));
                }
                Ok(m) if last && !m.is_file() => {
                    return Err(refuse(
                        &format!("`{prefix}`"),
                        "is not a regular file".into(),
                    ));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("reading {}", on_disk.display())),
            }
            // The index and HEAD.
            let mut modes = Vec::new();
            if let Some(e) = index.get_path(Path::new(&prefix), 0) {
                modes.push(("staged", e.mode));
            }
            if let Some(tree) = &head_tree {
                if let Ok(e) = tree.get_path(Path::new(&prefix)) {
                    modes.push(("committed", u32::try_from(e.filemode()).unwrap_or(0)));
                }
            }
            for (where_, mode) in modes {
                let what = match mode & 0o170_000 {
                    0o120_000 => Some("a symbolic link"),
                    0o160_000 => Some("a submodule"),
                    0o100_000 if !last => Some("a file, not a directory"),
                    0o040_000 if last => Some("a directory"),
                    _ => None,
                };
                if let Some(what) = what {
                    return Err(refuse(
                        &format!("`{prefix}`"),
                        format!("is {what} ({where_})"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The web address of the `origin` remote (or the only remote), if any.
    #[must_use]
    pub fn remote_url(&self) -> Option<String> {
        if let Ok(r) = self.repo.find_remote("origin") {
            return r.url().ok().map(str::to_owned);
        }
        let names = self.repo.remotes().ok()?;
        let first = names.iter().flatten().flatten().next()?.to_owned();
        self.repo
            .find_remote(&first)
            .ok()?
            .url()
            .ok()
            .map(str::to_owned)
    }

    /// The author: `override_` (`Name <email>`) if given, else git's
    /// `user.name`/`user.email`, else [`DEFAULT_AUTHOR`].
    ///
    /// # Errors
    /// When `override_` is not `Name <email>`.
    pub fn author(&self, override_: Option<&str>) -> Result<Author> {
        if let Some(s) = override_ {
            return Author::parse(s).ok_or_else(|| {
                refused(
                    format!("ZYKLUS_GIT_AUTHOR=`{s}` is not `Name <email>`"),
                    "write it like ZYKLUS_GIT_AUTHOR=\"Release Bot <releases@example.com>\"",
                )
            });
        }
        if let Ok(sig) = self.repo.signature() {
            if let (Ok(name), Ok(email)) = (sig.name(), sig.email()) {
                return Ok(Author {
                    name: name.to_owned(),
                    email: email.to_owned(),
                });
            }
        }
        Ok(Author {
            name: DEFAULT_AUTHOR.0.into(),
            email: DEFAULT_AUTHOR.1.into(),
        })
    }

    /// The commit HEAD points to; none in a repository without commits.
    ///
    /// # Errors
    /// When HEAD cannot be read.
    pub fn head(&self) -> Result<Option<Oid>> {
        match self.repo.head() {
            Ok(r) => Ok(Some(r.peel_to_commit()?.id())),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e).context("reading HEAD"),
        }
    }

    /// The commit a tag points to, if the tag exists.
    ///
    /// # Errors
    /// When the tag name is invalid or the tag cannot be read.
    pub fn tag_target(&self, name: &str) -> Result<Option<Oid>> {
        let refname = format!("refs/tags/{name}");
        if !git2::Reference::is_valid_name(&refname) {
            return Err(refused(
                format!("`{name}` is not a valid git tag name"),
                "change changelog.tag_prefix in zyklus.toml",
            ));
        }
        match self.repo.find_reference(&refname) {
            Ok(r) => Ok(Some(r.peel_to_commit()?.id())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading tag {name}")),
        }
    }

    /// The bytes of `spec` in `commit`'s tree; none when it has no such file.
    fn file_at(&self, commit: Oid, spec: &str) -> Result<Option<Vec<u8>>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let Ok(entry) = tree.get_path(Path::new(spec)) else {
            return Ok(None);
        };
        if entry.filemode() & 0o170_000 != 0o100_000 {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id())?;
        Ok(Some(blob.content().to_vec()))
    }
}

/// What happens to the tag of a [`ChangelogCommit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagPlan {
    /// No tag was asked for.
    None,
    /// The tag will be created on the commit.
    Create,
    /// The tag exists on this commit, which already carries the release's section.
    Exists(Oid),
}

/// What [`ChangelogCommit::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The new commit, if the file changed.
    pub commit: Option<Oid>,
    /// Whether the tag was created by this run.
    pub tag_created: bool,
}

/// A planned changelog commit: every precondition checked, the new text known,
/// nothing written yet. Holds the repository lock until applied or dropped.
pub struct ChangelogCommit<'r> {
    repo: &'r Repo,
    _lock: RepoLock,
    /// The path as git spells it (`docs/CHANGELOG.md`).
    spec: String,
    /// The file in the work tree.
    path: PathBuf,
    branch: String,
    head: Option<Oid>,
    old: Option<String>,
    new: String,
    tag: Option<String>,
    tag_plan: TagPlan,
    /// A step to fail at, for the tests of the rollback (debug builds only).
    fault: Option<String>,
}

impl std::fmt::Debug for ChangelogCommit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangelogCommit")
            .field("spec", &self.spec)
            .field("branch", &self.branch)
            .field("head", &self.head)
            .field("changed", &self.changed())
            .field("tag", &self.tag)
            .field("tag_plan", &self.tag_plan)
            .finish_non_exhaustive()
    }
}

/// The steps of [`ChangelogCommit::apply`], in order; each can be undone.
#[derive(Debug, Default)]
struct Done {
    /// Directories created for the file, outermost first.
    dirs: Vec<PathBuf>,
    file: bool,
    /// The index file as it was (none: there was none), once it was replaced.
    index: Option<Option<Vec<u8>>>,
    /// The commit the branch was moved to.
    branch: Option<Oid>,
    /// The reflogs of HEAD and the branch as they were before it moved.
    logs: Vec<(PathBuf, Option<Vec<u8>>)>,
    tag: bool,
}

impl<'r> ChangelogCommit<'r> {
    /// Plans writing the changelog `file` (relative to the work tree's top) of
    /// `repo`, with the text `render` makes of its current text (none when the
    /// file does not exist), and with `tag`, the annotated tag for the commit.
    ///
    /// Takes the repository lock (waiting up to [`LOCK_WAIT`]) and checks, before
    /// anything is written: the path ([`check_changelog_path`], no links or
    /// submodules), the repository's state (no merge/rebase, HEAD on a branch, no
    /// git lock files), the file (clean, UTF-8) and the tag: it may exist only on
    /// HEAD, or on a commit whose changelog `render` leaves unchanged (it already
    /// has the release's section) while the file needs no new commit.
    ///
    /// # Errors
    /// When any precondition fails, or `render` fails.
    pub fn plan(
        repo: &'r Repo,
        file: &str,
        tag: Option<&str>,
        render: &dyn Fn(Option<&str>) -> Result<String>,
    ) -> Result<Self> {
        let parts = normal_components(file).map_err(|e| {
            refused(
                e,
                "pass --file (or set changelog.file in zyklus.toml to) a path relative to the repository's top directory, e.g. CHANGELOG.md",
            )
        })?;
        let spec = parts.join("/");
        let path = repo.workdir.join(&spec);
        for dir in [repo.repo.path(), repo.repo.commondir()] {
            let dir: PathBuf = dir.components().collect();
            if path.starts_with(&dir) {
                return Err(refused(
                    format!("`{file}` is inside the git directory {}", dir.display()),
                    "pass --file a path in the work tree, e.g. CHANGELOG.md",
                ));
            }
        }
        let lock = repo.lock(LOCK_WAIT)?;
        let branch = repo.check_ready()?;
        repo.check_git_locks(&branch, tag)?;
        let index = repo.repo.index().context("reading the git index")?;
        if index.has_conflicts() {
            return Err(refused(
                format!(
                    "the index of {} has unresolved conflicts",
                    repo.workdir.display()
                ),
                "resolve them with git first, then run zyklus again",
            ));
        }
        drop(index);
        let head = repo.head()?;
        repo.check_no_links(&parts, head)?;
        repo.check_file_clean(&spec)?;

        let old = match fs::read(&path) {
            Ok(b) => Some(utf8(b, &spec)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let new = render(old.as_deref())?;
        let changed = old.as_deref() != Some(new.as_str());

        let tag_plan = match tag {
            None => TagPlan::None,
            Some(name) => match repo.tag_target(name)? {
                None if !changed && head.is_none() => {
                    return Err(refused(
                        "the repository has no commit to tag",
                        "run without --tag first",
                    ))
                }
                None => TagPlan::Create,
                Some(t) if changed => {
                    return Err(refused(
                        format!(
                            "tag {name} exists already on commit {}, but the changelog needs a new commit on top of {}",
                            short(t),
                            head.map_or_else(|| "an empty branch".to_owned(), |h| format!("HEAD {}", short(h)))
                        ),
                        format!("zyklus never moves a tag: delete it (`git tag -d {name}`) if it is wrong, or run without --tag"),
                    ));
                }
                Some(t) if Some(t) == head => TagPlan::Exists(t),
                Some(t) => {
                    let carries = match repo.file_at(t, &spec)? {
                        Some(bytes) => match String::from_utf8(bytes) {
                            Ok(text) => render(Some(&text))? == text,
                            Err(_) => false,
                        },
                        None => false,
                    };
                    if !carries {
                        return Err(refused(
                            format!(
                                "tag {name} exists already on commit {}, which lacks this release's changelog section; it belongs on HEAD {}",
                                short(t),
                                head.map_or_else(|| "(none)".to_owned(), short)
                            ),
                            format!("zyklus never moves a tag: delete it (`git tag -d {name}`) if it is wrong, or run without --tag"),
                        ));
                    }
                    TagPlan::Exists(t)
                }
            },
        };

        Ok(Self {
            repo,
            _lock: lock,
            spec,
            path,
            branch,
            head,
            old,
            new,
            tag: tag.map(str::to_owned),
            tag_plan,
            fault: fault_from_env(),
        })
    }

    /// The file as git spells it (`docs/CHANGELOG.md`).
    #[must_use]
    pub fn file(&self) -> &str {
        &self.spec
    }

    /// The current text; none when the file does not exist.
    #[must_use]
    pub fn old(&self) -> Option<&str> {
        self.old.as_deref()
    }

    /// The text the file will have.
    #[must_use]
    pub fn new_text(&self) -> &str {
        &self.new
    }

    /// Whether the file's content changes.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.old.as_deref() != Some(self.new.as_str())
    }

    /// What happens to the tag.
    #[must_use]
    pub fn tag_plan(&self) -> TagPlan {
        self.tag_plan
    }

    /// A unified diff of the change.
    ///
    /// # Errors
    /// When git's diff machinery fails.
    pub fn diff(&self) -> Result<String> {
        diff(
            self.old.as_deref().unwrap_or("").as_bytes(),
            self.new.as_bytes(),
            &self.spec,
        )
    }

    /// Sets a step to fail at (`file`, `index`, `branch`, `tag`), to test that a
    /// failure there leaves the repository as it was.
    #[cfg(test)]
    fn fail_at(&mut self, step: &str) {
        self.fault = Some(step.to_owned());
    }

    fn step(&self, name: &str) -> Result<()> {
        if self.fault.as_deref() == Some(name) {
            return Err(anyhow!("injected failure before the {name} step"));
        }
        Ok(())
    }

    /// Writes the file, commits it on the branch with `message` and creates the
    /// tag with `tag_message`, as `author` at `at`. When a step fails, the steps
    /// before it are undone and the error says so.
    ///
    /// # Errors
    /// When a step fails (then nothing has changed), or when undoing fails (then
    /// the error says what is left to do by hand).
    pub fn apply(
        self,
        message: &str,
        tag_message: &str,
        author: &Author,
        at: DateTime<FixedOffset>,
    ) -> Result<Applied> {
        let create_tag = self.tag_plan == TagPlan::Create;
        if !self.changed() && !create_tag {
            return Ok(Applied {
                commit: None,
                tag_created: false,
            });
        }
        let sig = signature(author, at)?;
        let mut done = Done::default();
        match self.run(&mut done, &sig, message, tag_message) {
            Ok(applied) => Ok(applied),
            Err(e) => match self.undo(&done) {
                Ok(()) => Err(e.context(format!(
                    "committing {} failed; the repository, index and work tree are as they were",
                    self.spec
                ))),
                Err(undo) => Err(e.context(format!(
                    "committing {} failed, and undoing it failed too ({undo:#}); check `git -C {} status`",
                    self.spec,
                    self.repo.workdir.display()
                ))),
            },
        }
    }

    fn run(
        &self,
        done: &mut Done,
        sig: &Signature<'_>,
        message: &str,
        tag_message: &str,
    ) -> Result<Applied> {
        let repo = &self.repo.repo;
        let mut target = self.head;
        let mut commit = None;
        if self.changed() {
            // The file.
            self.step("file")?;
            let mut missing = Vec::new();
            let mut dir = self.path.parent();
            while let Some(d) = dir {
                if d.exists() || d == self.repo.workdir {
                    break;
                }
                missing.push(d.to_path_buf());
                dir = d.parent();
            }
            for d in missing.into_iter().rev() {
                fs::create_dir(&d).with_context(|| format!("creating {}", d.display()))?;
                done.dirs.push(d);
            }
            done.file = true;
            crate::workspace::fsio::write_atomic(&self.path, self.new.as_bytes())?;

            // The commit object (inert until a ref points to it), with only this
            // file changed: other staged changes stay staged and uncommitted.
            let mut index = repo.index().context("reading the git index")?;
            index.read(true).context("reading the git index")?;
            index
                .add_path(Path::new(&self.spec))
                .with_context(|| format!("adding {} to the git index", self.spec))?;
            let entry = index
                .get_path(Path::new(&self.spec), 0)
                .with_context(|| format!("{} is missing from the git index", self.spec))?;
            let parent = match self.head {
                Some(oid) => Some(repo.find_commit(oid)?),
                None => None,
            };
            let mut tree_index = git2::Index::new()?;
            if let Some(p) = &parent {
                tree_index.read_tree(&p.tree()?)?;
            }
            tree_index.add(&entry)?;
            let tree = repo.find_tree(tree_index.write_tree_to(repo)?)?;
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let oid = repo
                .commit(None, sig, sig, message, &tree, &parents)
                .context("writing the commit")?;

            // The index.
            self.step("index")?;
            let before = read_optional(&repo.path().join("index"))?;
            index.write().context("writing the git index")?;
            done.index = Some(before);

            // The branch, only if it is still where it was planned.
            self.step("branch")?;
            for log in [
                repo.path().join("logs/HEAD"),
                repo.commondir().join("logs").join(&self.branch),
            ] {
                let bytes = read_optional(&log)?;
                done.logs.push((log, bytes));
            }
            let log = format!("commit: {}", message.lines().next().unwrap_or(""));
            match self.head {
                Some(old) => repo
                    .reference_matching(&self.branch, oid, true, old, &log)
                    .with_context(|| format!("moving {} to the new commit", self.branch))?,
                None => repo
                    .reference(&self.branch, oid, false, &log)
                    .with_context(|| format!("creating {}", self.branch))?,
            };
            done.branch = Some(oid);
            commit = Some(oid);
            target = Some(oid);
        }
        let mut tag_created = false;
        if self.tag_plan == TagPlan::Create {
            self.step("tag")?;
            let (Some(name), Some(target)) = (&self.tag, target) else {
                return Err(anyhow!("the repository has no commit to tag"));
            };
            let obj = repo.find_object(target, None)?;
            repo.tag(name, &obj, sig, tag_message, false)
                .with_context(|| format!("creating tag {name}"))?;
            done.tag = true;
            tag_created = true;
        }
        Ok(Applied {
            commit,
            tag_created,
        })
    }

    /// Undoes the steps in `done`, last first.
    fn undo(&self, done: &Done) -> Result<()> {
        let repo = &self.repo.repo;
        let mut problems = Vec::new();
        if done.tag {
            if let Some(name) = &self.tag {
                if let Err(e) = repo
                    .find_reference(&format!("refs/tags/{name}"))
                    .and_then(|mut r| r.delete())
                {
                    problems.push(format!("deleting tag {name}: {}", e.message()));
                }
            }
        }
        if let Some(new) = done.branch {
            let r = match self.head {
                Some(old) => repo
                    .reference_matching(
                        &self.branch,
                        old,
                        true,
                        new,
                        "zyklus: undo changelog commit",
                    )
                    .map(|_| ()),
                None => repo
                    .find_reference(&self.branch)
                    .and_then(|mut r| r.delete()),
            };
            if let Err(e) = r {
                problems.push(format!("resetting {}: {}", self.branch, e.message()));
            }
            // Moving the branch back logged twice; the reflogs get their old text.
            for (log, bytes) in &done.logs {
                let r = match bytes {
                    Some(b) => fs::write(log, b),
                    None => match fs::remove_file(log) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                        _ => Ok(()),
                    },
                };
                if let Err(e) = r {
                    problems.push(format!("restoring {}: {e}", log.display()));
                }
            }
        }
        if let Some(before) = &done.index {
            if let Err(e) = restore_index(&repo.path().join("index"), before.as_deref()) {
                problems.push(format!("restoring the index: {e:#}"));
            }
        }
        if done.file {
            let r = match &self.old {
                Some(old) => crate::workspace::fsio::write_atomic(&self.path, old.as_bytes()),
                None => match fs::remove_file(&self.path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(anyhow::Error::new(e))
                    }
                    _ => Ok(()),
                },
            };
            if let Err(e) = r {
                problems.push(format!("restoring {}: {e:#}", self.path.display()));
            }
        }
        for d in done.dirs.iter().rev() {
            if let Err(e) = fs::remove_dir(d) {
                problems.push(format!("removing {}: {e}", d.display()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(anyhow!(problems.join("; ")))
        }
    }
}

/// Puts the index file back as it was, taking `index.lock` as git does.
fn restore_index(index: &Path, before: Option<&[u8]>) -> Result<()> {
    let Some(bytes) = before else {
        return match fs::remove_file(index) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        };
    };
    let lock = index.with_extension("lock");
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
        .with_context(|| format!("creating {}", lock.display()))?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = written.and_then(|()| fs::rename(&lock, index)) {
        let _ = fs::remove_file(&lock);
        return Err(e).with_context(|| format!("writing {}", index.display()));
    }
    Ok(())
}

/// The bytes of a file; none when it does not exist.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn utf8(bytes: Vec<u8>, spec: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        refused(
            format!("{spec} is not UTF-8 text"),
            "convert it to UTF-8, or pass --file another changelog",
        )
    })
}

/// `ZYKLUS_TEST_FAULT=file|index|branch|tag` makes a debug build fail at that
/// step of [`ChangelogCommit::apply`], so that the tests can prove the rollback
/// on the real binary. Release builds ignore it.
fn fault_from_env() -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var("ZYKLUS_TEST_FAULT").ok()
    } else {
        None
    }
}

/// A unified diff of `old` → `new` for the file `path`.
///
/// # Errors
/// When git's diff machinery fails.
pub fn diff(old: &[u8], new: &[u8], path: &str) -> Result<String> {
    let mut patch =
        git2::Patch::from_buffers(old, Some(Path::new(path)), new, Some(Path::new(path)), None)
            .context("computing the diff")?;
    let buf = patch.to_buf().context("formatting the diff")?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Short form of a commit id.
#[must_use]
pub fn short(oid: Oid) -> String {
    oid.to_string().chars().take(7).collect()
}

fn state_name(state: RepositoryState) -> &'static str {
    match state {
        RepositoryState::Merge => "merge",
        RepositoryState::Revert | RepositoryState::RevertSequence => "revert",
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "cherry-pick",
        RepositoryState::Bisect => "bisect",
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => "rebase",
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => "git am",
        RepositoryState::Clean => "clean state",
    }
}

/// The files below a directory as they were at a revision (see [`read_tree_files`]).
#[derive(Debug, Clone)]
pub struct TreeFiles {
    /// The revision as given (`HEAD`, `origin/main`, a tag, a commit id).
    pub rev: String,
    /// The commit it names, short form.
    pub commit: String,
    /// The commit's summary line.
    pub summary: String,
    /// The directory's path inside the repository (empty: its top directory).
    pub subdir: PathBuf,
    /// Every file below the directory that `keep` accepted, relative to it, with
    /// its bytes. Symbolic links and submodules are left out.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// Reads the files below `dir` — a directory in the working tree of a git
/// repository, possibly a subdirectory — as they were at revision `rev`, from
/// git's object store: nothing is checked out, the working tree and the index
/// are not touched. `keep` decides, by path relative to `dir`, which files are read.
///
/// # Errors
/// A refusal with a hint when `dir` is not in a git repository (or it is bare),
/// `rev` names no commit, or `dir` did not exist at `rev`.
pub fn read_tree_files(dir: &Path, rev: &str, keep: &dyn Fn(&Path) -> bool) -> Result<TreeFiles> {
    let why = |e: &git2::Error| {
        if e.code() == ErrorCode::NotFound {
            String::new()
        } else {
            format!(" ({})", e.message())
        }
    };
    let repo = Repository::discover(dir).map_err(|e| {
        refused(
            format!("{} is not in a git repository{}", dir.display(), why(&e)),
            "--compare reads the plan at a git revision: keep the workspace in git, or plan without --compare",
        )
    })?;
    let workdir = repo.workdir().ok_or_else(|| {
        refused(
            format!("{} is in a bare repository", dir.display()),
            "run it in a clone with a working tree",
        )
    })?;
    let canonical = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("resolving {}", p.display()))
    };
    let subdir = canonical(dir)?
        .strip_prefix(canonical(workdir)?)
        .map(Path::to_path_buf)
        .map_err(|_| {
            refused(
                format!(
                    "{} is not inside the working tree of its repository",
                    dir.display()
                ),
                "run it in the repository's working tree",
            )
        })?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            refused(
                format!("no commit `{rev}` in the git repository of {}{}", dir.display(), why(&e)),
                "name a commit, branch or tag, e.g. HEAD, main or origin/main (in CI, fetch it first: `git fetch origin main`)",
            )
        })?;
    let tree = commit.tree().context("reading the commit's tree")?;
    let tree = if subdir.as_os_str().is_empty() {
        tree
    } else {
        let entry = tree.get_path(&subdir).map_err(|_| {
            refused(
                format!(
                    "{} did not exist at {rev} ({})",
                    subdir.display(),
                    short(commit.id())
                ),
                "compare with a revision that has the workspace",
            )
        })?;
        entry
            .to_object(&repo)
            .and_then(|o| o.peel_to_tree())
            .map_err(|_| {
                refused(
                    format!(
                        "{} is not a directory at {rev} ({})",
                        subdir.display(),
                        short(commit.id())
                    ),
                    "compare with a revision that has the workspace",
                )
            })?
    };
    let mut wanted = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
        // Regular and executable files only: no links, no submodules.
        if entry.kind() == Some(git2::ObjectType::Blob) && entry.filemode() & 0o170_000 == 0o100_000
        {
            if let Ok(name) = entry.name() {
                let path = Path::new(parent).join(name);
                if keep(&path) {
                    wanted.push((path, entry.id()));
                }
            }
        }
        git2::TreeWalkResult::Ok
    })
    .context("walking the tree")?;
    let mut files = Vec::with_capacity(wanted.len());
    for (path, id) in wanted {
        let blob = repo
            .find_blob(id)
            .with_context(|| format!("reading {} at {rev}", path.display()))?;
        files.push((path, blob.content().to_vec()));
    }
    Ok(TreeFiles {
        rev: rev.to_owned(),
        commit: short(commit.id()),
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
        subdir,
        files,
    })
}

/// git's configured `user.name` for the repository around `dir` (or the global
/// configuration), for history entries when no user is set in the environment.
#[must_use]
pub fn configured_user_name(dir: &Path) -> Option<String> {
    let config = match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string("user.name")
        .ok()
        .filter(|n| !n.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_paths() {
        for ok in [
            "CHANGELOG.md",
            "docs/CHANGES.md",
            "./CHANGELOG.md",
            "docs//x.md",
            ".github/CHANGELOG.md",
            ".gitignore.md",
            "git/CHANGELOG.md",
        ] {
            assert_eq!(check_changelog_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            " ",
            ".git/config",
            ".GIT/config",
            ".Git/hooks/pre-commit",
            "sub/.git/config",
            ".git",
            ".git./config",
            ".git /config",
            "GIT~1/config",
            ".g\u{200c}it/config",
            ".git::$INDEX_ALLOCATION/config",
            "../escape.md",
            "docs/../../escape.md",
            "/etc/passwd",
            "C:/x.md",
            "docs\\x.md",
            "a\nb.md",
            "a\0b",
            ".",
            "./",
        ] {
            assert!(check_changelog_path(bad).is_err(), "{bad:?} passed");
        }
    }

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git")
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    /// Every file under `dir` with its bytes, including `.git` but not its object
    /// store (an undone commit leaves unreachable objects, as git's own aborted
    /// commits do, until `git gc`) and not our lock file.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).expect("dir").flatten() {
                let p = e.path();
                if p.ends_with(".git/objects") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else if !p.ends_with(LOCK_FILE) {
                    out.push((p.clone(), fs::read(&p).unwrap_or_default()));
                }
            }
        }
        out.sort();
        out
    }

    fn when() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2027-01-12T11:00:00+01:00").expect("time")
    }

    fn author() -> Author {
        Author::parse("T <t@example.com>").expect("author")
    }

    #[test]
    fn a_failure_at_any_step_leaves_everything_as_it_was() {
        for with_history in [false, true] {
            for step in ["file", "index", "branch", "tag"] {
                let dir = tempfile::tempdir().expect("tempdir");
                git(dir.path(), &["init", "-q", "-b", "main"]);
                if with_history {
                    fs::create_dir(dir.path().join("docs")).expect("mkdir");
                    fs::write(dir.path().join("docs/CHANGES.md"), "# old\n").expect("write");
                    git(dir.path(), &["add", "."]);
                    git(dir.path(), &["commit", "-q", "-m", "old"]);
                }
                let repo = open(dir.path()).expect("open");
                let before = snapshot(dir.path());
                let render = |_: Option<&str>| Ok("# new\n".to_owned());
                let mut plan = ChangelogCommit::plan(&repo, "docs/CHANGES.md", Some("v1"), &render)
                    .expect("plan");
                plan.fail_at(step);
                let err = plan
                    .apply("msg", "tag", &author(), when())
                    .expect_err("fails");
                assert!(
                    format!("{err:#}").contains("as they were"),
                    "{step}: {err:#}"
                );
                assert_eq!(
                    before,
                    snapshot(dir.path()),
                    "{step}, history {with_history}"
                );
            }
        }
    }

    #[test]
    fn applies_and_then_has_nothing_to_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q", "-b", "main"]);
        let repo = open(dir.path()).expect("open");
        let render =
            |old: Option<&str>| Ok(format!("{}x\n", old.unwrap_or("")).replace("x\nx\n", "x\n"));
        let plan = ChangelogCommit::plan(&repo, "CHANGELOG.md", Some("v1"), &render).expect("plan");
        assert_eq!(plan.tag_plan(), TagPlan::Create);
        let done = plan.apply("msg", "tag", &author(), when()).expect("apply");
        assert!(done.commit.is_some() && done.tag_created);
        let again =
            ChangelogCommit::plan(&repo, "CHANGELOG.md", Some("v1"), &render).expect("plan");
        assert!(!again.changed());
        assert_eq!(
            again.tag_plan(),
            TagPlan::Exists(done.commit.expect("commit"))
        );
    }
}
