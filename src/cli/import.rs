//! `zyklus import jira|github|gitlab FILE [--dry-run]`: arguments and glue over
//! [`crate::ops::import`]. The import is staged on the transaction, validated with
//! the whole workspace, and written all or nothing (not at all with `--dry-run`).

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::{Outcome, Settings};
use crate::import::Tracker;
use crate::ops::import;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// A Jira CSV export (Issues → Export → CSV); mapping in [import.jira]
    Jira(Args),
    /// `gh issue list --json number,title,body,labels,milestone,createdAt,state,url` output; mapping in [import.github]
    Github(Args),
    /// GitLab's issues API JSON (GET /projects/:id/issues); mapping in [import.gitlab]
    Gitlab(Args),
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export file
    pub file: PathBuf,
    /// Show what would be created and updated; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs an `import` subcommand.
///
/// # Errors
/// An unreadable or malformed export, an invalid mapping, or an import that would
/// make the workspace invalid (then nothing is written).
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    let (tracker, a) = match command {
        Command::Jira(a) => (Tracker::Jira, a),
        Command::Github(a) => (Tracker::Github, a),
        Command::Gitlab(a) => (Tracker::Gitlab, a),
    };
    let shown = a.file.display().to_string();
    let bytes = import::read_export(&s.cwd.join(&a.file), &shown)?;
    if a.dry_run {
        let loaded = s.load()?;
        let (report, warnings) = import::dry_run(&loaded, tracker, &bytes, &shown)?;
        s.shell.warnings(&warnings);
        s.emit(&report)?;
        return Ok(Outcome::Success);
    }
    let mut tx = s.begin()?;
    let report = import::stage(&mut tx, tracker, &bytes, &shown)?;
    if tx.is_dirty() {
        let after = tx.check().with_context(|| {
            format!("importing {shown} would make the workspace invalid; nothing was written")
        })?;
        // Warnings about the files this import writes (the others were printed).
        let new: Vec<_> = after
            .warnings
            .into_iter()
            .filter(|d| report.files.contains(&d.file) && !tx.warnings().contains(d))
            .collect();
        s.shell.warnings(&new);
    }
    s.commit(tx)?;
    s.emit(&report)?;
    Ok(Outcome::Success)
}
