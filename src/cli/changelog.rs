//! `zyklus changelog ID --repo PATH`: arguments and glue. The rules (production
//! only, the date from `model::facts`, one language) are in
//! [`crate::ops::changelog`]; the repository's safety is [`crate::git`]'s.

use std::path::PathBuf;

use anyhow::Result;

use super::{Outcome, Settings};
use crate::error::refused;
use crate::model::ReleaseId;
use crate::ops::changelog::{self, ChangelogRequest};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Only releases in production get a section (prereleases clutter changelogs); --force writes
one for a release that is not there yet. The section's date is the release date; for a
hotfix (2027.1.1) the day it entered production. The release's own section is replaced if
present; everything else in the file stays as it is, so running it twice changes nothing.

Headings and entries are in one language: --lang, else the workspace's first language
(German headings: Neu, Verbessert, Behoben; English: Added, Changed, Fixed). A new file
gets its introduction in that language too.

Checks everything before writing anything, and refuses: a --file (or changelog.file) that is
not a plain path inside the work tree (absolute, `..`, anything in `.git`); a path through a
symbolic link or submodule; uncommitted changes to the changelog; a merge/rebase in progress;
a detached HEAD; a lock left by git (.git/index.lock); a tag that exists on another commit. If
a step fails after writing began, the file, index, branch and tag are put back as they were.
Runs on one repository are serialised (.git/zyklus-changelog.lock). The new section goes in
newest first, below [Unreleased]; with changelog.compare_url (or a GitHub/GitLab remote) and
link references in the file, the release gets one.

The commit's author is ZYKLUS_GIT_AUTHOR (\"Name <email>\"), else git's user.name/user.email,
else \"zyklus <zyklus@localhost>\"; its time is ZYKLUS_NOW or now.")]
pub struct Args {
    /// The release id, e.g. 2027.1 or the hotfix 2027.1.1
    pub id: ReleaseId,
    /// The product's git repository
    #[arg(long, value_name = "PATH")]
    pub repo: PathBuf,
    /// The changelog, relative to the repository's top (default: changelog.file in zyklus.toml)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Also create the annotated tag <tag_prefix><ID> on the commit
    #[arg(long)]
    pub tag: bool,
    /// Print the diff (with --format json: the report with the diff); write and commit nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Language tag of headings and entries, e.g. de, en (default: the workspace's first language)
    #[arg(long)]
    pub lang: Option<String>,
    /// Write the section even though the release is not in production yet
    #[arg(long)]
    pub force: bool,
}

/// Runs `zyklus changelog`.
///
/// # Errors
/// On invalid input, an unsafe repository state or a failed git operation.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let file = match &a.file {
        Some(f) => Some(
            f.to_str()
                .ok_or_else(|| {
                    refused(
                        format!("`{}` is not a UTF-8 path", f.display()),
                        "pass --file a path such as CHANGELOG.md",
                    )
                })?
                .to_owned(),
        ),
        None => None,
    };
    let request = ChangelogRequest {
        id: a.id,
        file,
        tag: a.tag,
        lang: a.lang.clone(),
        force: a.force,
        dry_run: a.dry_run,
    };
    let repo = changelog::open(&a.repo)?;
    let prepared = changelog::prepare(&loaded.workspace, &repo, &request)?;
    for w in &prepared.warnings {
        s.warn(w);
    }
    if a.dry_run {
        let r = prepared.dry_run()?;
        if s.shell.format() == crate::output::Format::Json {
            s.emit(&r)?;
            return Ok(Outcome::Success);
        }
        if let Some(diff) = r.diff.as_deref().filter(|d| !d.is_empty()) {
            s.shell.document(diff)?;
        }
        s.status(&format!(
            "dry run: {} {}{}; nothing written",
            if r.changed {
                "would change"
            } else {
                "no change to"
            },
            r.file,
            match (&r.tag, r.tag_created) {
                (Some(t), true) => format!(", would create tag {t}"),
                _ => String::new(),
            }
        ));
        return Ok(Outcome::Success);
    }
    let author_env = std::env::var("ZYKLUS_GIT_AUTHOR")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let author = repo.author(author_env.as_deref())?;
    let report = prepared.apply(&author, s.now)?;
    s.emit(&report)?;
    Ok(Outcome::Success)
}
