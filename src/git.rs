//! Everything zyklus does with git, and the only module that uses `git2`: open a
//! product repository, refuse unsafe states (mid-merge, detached HEAD, uncommitted
//! changes to the file), commit one file on top of HEAD without sweeping in other
//! staged changes, create annotated tags, and show a unified diff. It does not
//! decide what goes into the file; the CLI does.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use git2::{ErrorCode, Oid, Repository, RepositoryState, Signature, Status, StatusOptions};

use crate::error::refused;

/// Used when neither `ZYKLUS_GIT_AUTHOR` nor git's `user.name`/`user.email` is set.
pub const DEFAULT_AUTHOR: (&str, &str) = ("zyklus", "zyklus@localhost");

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

impl Repo {
    /// The top directory of the working tree.
    #[must_use]
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Refuses a repository in the middle of a merge, rebase, cherry-pick, … and
    /// a detached HEAD.
    ///
    /// # Errors
    /// When the repository is not in a state to commit on a branch.
    pub fn check_ready(&self) -> Result<()> {
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
        if self.repo.head_detached().unwrap_or(false) {
            return Err(refused(
                format!("HEAD of {} is detached", self.workdir.display()),
                "switch to the branch the changelog belongs on (`git switch main`), then run zyklus again",
            ));
        }
        Ok(())
    }

    /// Checks that `rel` has no uncommitted changes: not modified, not staged, not
    /// untracked. A file that does not exist yet is fine.
    ///
    /// # Errors
    /// When it has uncommitted changes.
    pub fn check_file_clean(&self, rel: &Path) -> Result<()> {
        let spec = path_spec(rel)?;
        let mut opts = StatusOptions::new();
        opts.pathspec(&spec)
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

    /// Commits the working-tree file `rel` (already written) on top of HEAD, with
    /// only that file changed: other staged changes stay staged and uncommitted.
    /// Returns the new commit.
    ///
    /// # Errors
    /// When git fails.
    pub fn commit_file(
        &self,
        rel: &Path,
        message: &str,
        author: &Author,
        at: DateTime<FixedOffset>,
    ) -> Result<Oid> {
        let spec = path_spec(rel)?;
        let sig = signature(author, at)?;
        let mut index = self.repo.index().context("reading the git index")?;
        index
            .add_path(Path::new(&spec))
            .with_context(|| format!("adding {spec} to the git index"))?;
        let entry = index
            .get_path(Path::new(&spec), 0)
            .with_context(|| format!("{spec} is missing from the git index"))?;
        let parent = match self.head()? {
            Some(oid) => Some(self.repo.find_commit(oid)?),
            None => None,
        };
        let mut tree_index = git2::Index::new()?;
        if let Some(p) = &parent {
            tree_index.read_tree(&p.tree()?)?;
        }
        tree_index.add(&entry)?;
        let tree_id = tree_index.write_tree_to(&self.repo)?;
        let tree = self.repo.find_tree(tree_id)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let oid = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .context("committing")?;
        index.write().context("writing the git index")?;
        Ok(oid)
    }

    /// Creates the annotated tag `name` on `target`.
    ///
    /// # Errors
    /// When git fails (e.g. the tag exists).
    pub fn create_tag(
        &self,
        name: &str,
        target: Oid,
        message: &str,
        author: &Author,
        at: DateTime<FixedOffset>,
    ) -> Result<()> {
        let sig = signature(author, at)?;
        let obj = self.repo.find_object(target, None)?;
        self.repo
            .tag(name, &obj, &sig, message, false)
            .with_context(|| format!("creating tag {name}"))?;
        Ok(())
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

/// `rel` as a git path (`/`-separated); refuses absolute paths and `..`.
fn path_spec(rel: &Path) -> Result<String> {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(refused(
                format!("`{}` is not a path inside the repository", rel.display()),
                "pass --file a path relative to the repository's top directory, e.g. CHANGELOG.md",
            )),
        }
    }
    if parts.is_empty() {
        return Err(refused(
            "the changelog file name is empty",
            "pass --file CHANGELOG.md",
        ));
    }
    Ok(parts.join("/"))
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

/// The path of `rel` inside `repo`'s working tree, refusing escapes.
///
/// # Errors
/// When `rel` is absolute or leaves the repository.
pub fn file_in(repo: &Repo, rel: &Path) -> Result<PathBuf> {
    let spec = path_spec(rel)?;
    Ok(repo.workdir.join(spec))
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
