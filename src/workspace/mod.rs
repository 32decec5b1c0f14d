//! The workspace on disk: the only module that reads or writes workspace files.
//!
//! It finds the workspace (`-C`, `ZYKLUS_WORKSPACE`, or the nearest ancestor with a
//! `zyklus.toml`, as cargo finds `Cargo.toml`), parses every file, validates the
//! whole of it in one pass so that every problem is reported at once with its file,
//! line and column, and writes changes atomically under the workspace lock.

pub mod doc;
pub mod edit;
pub mod exports;
pub mod fsio;
mod load;
pub mod source;
pub mod tx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error::Diagnostic;
use crate::model::{Config, Id, Partners, Release, ReleaseId, Request, Training};

pub use exports::is_workspace_file;
pub use load::{load, load_files, load_with, validate_config, Overlay};
pub use tx::{Committed, Transaction};

/// The configuration file's name.
pub const CONFIG_FILE: &str = "zyklus.toml";
/// The partner file's name.
pub const PARTNERS_FILE: &str = "partners.toml";
/// The directory of change requests.
pub const REQUESTS_DIR: &str = "requests";
/// The directory of release files.
pub const RELEASES_DIR: &str = "releases";
/// Directory of the per-year training files.
pub const TRAININGS_DIR: &str = "trainings";

/// A loaded, validated workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    pub requests: BTreeMap<Id, Request>,
    pub releases: BTreeMap<ReleaseId, Release>,
    pub partners: Partners,
    /// `trainings/<YEAR>.toml`, by year.
    pub trainings: BTreeMap<i32, Vec<Training>>,
}

/// A workspace and the warnings found while loading it.
#[derive(Debug)]
pub struct Loaded {
    pub workspace: Workspace,
    pub warnings: Vec<Diagnostic>,
}

impl Workspace {
    /// `requests/<id>.toml`.
    #[must_use]
    pub fn request_path(&self, id: &Id) -> PathBuf {
        self.root.join(REQUESTS_DIR).join(format!("{id}.toml"))
    }

    /// `releases/<id>.toml`.
    #[must_use]
    pub fn release_path(&self, id: ReleaseId) -> PathBuf {
        self.root.join(RELEASES_DIR).join(format!("{id}.toml"))
    }

    /// `trainings/<year>.toml`.
    #[must_use]
    pub fn trainings_path(&self, year: i32) -> PathBuf {
        self.root.join(TRAININGS_DIR).join(format!("{year}.toml"))
    }

    /// The trainings of `year` (none when the year has no file).
    #[must_use]
    pub fn trainings_in(&self, year: i32) -> &[Training] {
        self.trainings.get(&year).map_or(&[], Vec::as_slice)
    }

    /// A path relative to the root, for messages.
    #[must_use]
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// The request with this id, or an error that says how to find the right one.
    ///
    /// # Errors
    /// When there is no such request.
    pub fn request(&self, id: &str) -> Result<&Request> {
        self.requests.get(id).ok_or_else(|| {
            crate::error::invalid(
                format!("no request `{id}` in {REQUESTS_DIR}/"),
                "run `zyklus request list` to see the ids",
            )
        })
    }

    /// The release file with this id, or an error.
    ///
    /// # Errors
    /// When there is no such release file.
    pub fn release(&self, id: ReleaseId) -> Result<&Release> {
        self.releases.get(&id).ok_or_else(|| {
            crate::error::invalid(
                format!(
                    "no release {id}: there is no {}",
                    self.relative(&self.release_path(id)).display()
                ),
                "create it with `zyklus plan` (or write the file), or see `zyklus release list`",
            )
        })
    }
}

impl Loaded {
    /// Validates the workspace as it would be after `changes`: loads it again with
    /// the pending contents in place of the files. Nothing is written.
    ///
    /// # Errors
    /// [`crate::error::Invalid`] when the result would be invalid.
    pub fn check_changes(&self, changes: &fsio::Changes) -> Result<Loaded> {
        let overlay: Overlay = changes
            .iter()
            .map(|(p, c)| (p.to_path_buf(), c.to_vec()))
            .collect();
        load_with(&self.workspace.root, &overlay)
    }
}

/// Loads the workspace at `root` for reading: first completes a commit that a
/// crash interrupted (under the lock, only when there is one), then loads.
///
/// # Errors
/// When recovery fails or the workspace is invalid.
pub fn open(root: &Path) -> Result<Loaded> {
    load(root)
}

/// Finds the workspace root: `explicit` (from `-C` or `ZYKLUS_WORKSPACE`) if given,
/// else the nearest ancestor of `cwd` that holds a `zyklus.toml`.
///
/// # Errors
/// When the explicit directory has no `zyklus.toml`, or no ancestor has one.
pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            cwd.join(dir)
        };
        if dir.join(CONFIG_FILE).is_file() {
            return Ok(dir);
        }
        return Err(crate::error::refused(
            format!("{} has no {CONFIG_FILE}", dir.display()),
            "point -C (or ZYKLUS_WORKSPACE) at a workspace, or create one with `zyklus init`",
        ));
    }
    cwd.ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            crate::error::refused(
                format!(
                    "no {CONFIG_FILE} in {} or any parent directory",
                    cwd.display()
                ),
                "run `zyklus init` to create a workspace, or pass -C DIR",
            )
        })
}
