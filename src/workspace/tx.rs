//! One transaction for every write (after jj's `Transaction`).
//!
//! [`Transaction::begin`] takes the workspace lock, completes any interrupted
//! commit, and loads the workspace as it is under the lock. Operations then stage
//! edits on layout-preserving documents ([`Transaction::release`],
//! [`Transaction::request`], [`Transaction::doc`]) or whole new files.
//! [`Transaction::commit`] validates the whole workspace with the staged changes
//! laid over it — nothing is written when it would be invalid — and then writes all
//! files or none, even across a crash (see [`super::fsio`]).

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::doc::{ReleaseDoc, RequestDoc, TomlDoc};
use super::fsio::{self, Changes, Fault, Lock};
use super::{Loaded, Workspace};
use crate::error::Diagnostic;
use crate::model::{Id, ReleaseId};

/// A locked workspace with staged changes.
pub struct Transaction {
    root: PathBuf,
    _lock: Lock,
    loaded: Loaded,
    docs: BTreeMap<PathBuf, TomlDoc>,
    fault: Option<Fault>,
}

/// What a commit wrote.
#[derive(Debug)]
pub struct Committed {
    /// Paths written, relative to the root, in order.
    pub written: Vec<PathBuf>,
}

impl Transaction {
    /// Locks the workspace at `root`, completes an interrupted commit, and loads it.
    ///
    /// # Errors
    /// When the lock is held too long, or the workspace is invalid.
    pub fn begin(root: &Path) -> Result<Self> {
        let lock = fsio::lock(root)?;
        fsio::recover(root)?;
        let loaded = super::load(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            _lock: lock,
            loaded,
            docs: BTreeMap::new(),
            fault: None,
        })
    }

    /// Injects a fault into the commit (crash tests).
    pub fn inject(&mut self, fault: Option<Fault>) {
        self.fault = fault;
    }

    /// The workspace as loaded under the lock (without the staged changes).
    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.loaded.workspace
    }

    /// The warnings found while loading.
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.loaded.warnings
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file at `rel` (relative to the root) opened for editing; a file that does
    /// not exist yet starts from `initial`, or is an error when there is none.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or does not exist and `initial` is `None`.
    pub fn doc_or(
        &mut self,
        rel: impl Into<PathBuf>,
        initial: Option<&str>,
    ) -> Result<&mut TomlDoc> {
        let rel = rel.into();
        let abs = self.root.join(&rel);
        match self.docs.entry(rel) {
            Entry::Occupied(o) => Ok(o.into_mut()),
            Entry::Vacant(v) => {
                fsio::require_regular(&abs)?;
                let rel = v.key().clone();
                let doc = match fs::read(&abs) {
                    Ok(bytes) => TomlDoc::parse(rel, bytes)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => match initial {
                        Some(text) => TomlDoc::new_file(rel, text)?,
                        None => {
                            return Err(crate::error::refused(
                                format!("{} does not exist", rel.display()),
                                "create it first",
                            ))
                        }
                    },
                    Err(e) => return Err(e).with_context(|| format!("reading {}", abs.display())),
                };
                Ok(v.insert(doc))
            }
        }
    }

    /// An existing file opened for editing.
    ///
    /// # Errors
    /// As [`Self::doc_or`].
    pub fn doc(&mut self, rel: impl Into<PathBuf>) -> Result<&mut TomlDoc> {
        self.doc_or(rel, None)
    }

    /// `releases/<id>.toml` opened for editing (it must exist).
    ///
    /// # Errors
    /// When there is no such release file, or it cannot be read.
    pub fn release(&mut self, id: ReleaseId) -> Result<ReleaseDoc<'_>> {
        self.workspace().release(id)?;
        let rel = Path::new(super::RELEASES_DIR).join(format!("{id}.toml"));
        Ok(ReleaseDoc(self.doc(rel)?))
    }

    /// `releases/<id>.toml` opened for editing, started from `initial` when new.
    ///
    /// # Errors
    /// When it cannot be read.
    pub fn release_or_new(&mut self, id: ReleaseId, initial: &str) -> Result<ReleaseDoc<'_>> {
        let rel = Path::new(super::RELEASES_DIR).join(format!("{id}.toml"));
        Ok(ReleaseDoc(self.doc_or(rel, Some(initial))?))
    }

    /// `requests/<id>.toml` opened for editing (it must exist).
    ///
    /// # Errors
    /// When there is no such request, or its file cannot be read.
    pub fn request(&mut self, id: &Id) -> Result<RequestDoc<'_>> {
        self.workspace().request(id.as_str())?;
        let rel = Path::new(super::REQUESTS_DIR).join(format!("{id}.toml"));
        Ok(RequestDoc(self.doc(rel)?))
    }

    /// Stages a whole new file at `rel` with `text`, replacing any staged edit.
    ///
    /// # Errors
    /// When `text` is not TOML (a bug in the caller).
    pub fn create(&mut self, rel: impl Into<PathBuf>, text: &str) -> Result<()> {
        let rel = rel.into();
        let doc = TomlDoc::new_file(rel.clone(), text)?;
        self.docs.insert(rel, doc);
        Ok(())
    }

    /// The staged files that differ from disk, with their new bytes.
    fn changes(&self) -> Changes {
        let mut c = Changes::new();
        for (rel, doc) in &self.docs {
            if doc.is_changed() {
                c.write(self.root.join(rel), doc.to_bytes());
            }
        }
        c
    }

    /// Whether anything staged would change a file.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.docs.values().any(TomlDoc::is_changed)
    }

    /// Validates the workspace with the staged changes laid over it, writing nothing.
    ///
    /// # Errors
    /// [`crate::error::Invalid`] when it would be invalid.
    pub fn check(&self) -> Result<Loaded> {
        self.loaded.check_changes(&self.changes())
    }

    /// Commits what is staged so far and keeps the lock, for an operation that
    /// must write down each step as soon as it happened (`announce --send`
    /// records every delivered e-mail before the next one goes out). The
    /// workspace is the committed one afterwards; later edits start from it.
    ///
    /// # Errors
    /// As [`Self::commit`]; then nothing staged since the last checkpoint was written.
    pub fn checkpoint(&mut self) -> Result<Committed> {
        let changes = self.changes();
        if changes.is_empty() {
            return Ok(Committed {
                written: Vec::new(),
            });
        }
        let loaded = self.loaded.check_changes(&changes)?;
        let written = changes.commit(&self.root, self.fault)?;
        self.loaded = loaded;
        self.docs.clear();
        Ok(Committed {
            written: written
                .into_iter()
                .map(|p| {
                    p.strip_prefix(&self.root)
                        .map(Path::to_path_buf)
                        .unwrap_or(p)
                })
                .collect(),
        })
    }

    /// Validates, then writes every changed file as one crash-safe commit.
    ///
    /// # Errors
    /// When the result would be invalid (nothing written) or writing fails.
    pub fn commit(mut self) -> Result<Committed> {
        self.checkpoint()
    }
}
