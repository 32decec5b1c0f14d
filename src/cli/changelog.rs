//! `zyklus changelog ID --repo PATH`: writes the release's Keep a Changelog
//! section into the changelog of a git repository, commits it (and, with `--tag`,
//! tags the commit). Idempotent: a second run changes nothing and commits nothing.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use super::notes::{context, pick_lang, release_date, warn_fallbacks};
use super::{Outcome, Settings};
use crate::error::refused;
use crate::git;
use crate::model::config::ChangelogConfig;
use crate::model::{ReleaseId, Stage};
use crate::notes::changelog::{self, LinkTarget, Links};
use crate::notes::Audience;
use crate::output::Report;
use crate::ui::Paint;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Only releases in production get a section (prereleases clutter changelogs); --force writes
one for a release that is not there yet. The release's own section is replaced if present;
everything else in the file stays as it is, so running it twice changes nothing.

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
    /// The release id, e.g. 2027.1
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
    /// Print the diff; write and commit nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Language of the entries (default: the workspace's first language)
    #[arg(long)]
    pub lang: Option<String>,
    /// Write the section even though the release is not in production yet
    #[arg(long)]
    pub force: bool,
}

/// What `changelog` did; `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct ChangelogReport {
    pub release: String,
    pub file: String,
    /// Whether the file's content changed (or would, with --dry-run).
    pub changed: bool,
    pub dry_run: bool,
    /// The new commit, if one was made.
    pub commit: Option<String>,
    /// The tag name, with --tag.
    pub tag: Option<String>,
    /// Whether the tag was created by this run (false: it existed already).
    pub tag_created: bool,
}

impl Report for ChangelogReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        match (&self.commit, self.changed, self.dry_run) {
            (_, true, true) => writeln!(w, "{}: would write {}", self.release, self.file)?,
            (Some(c), _, _) => writeln!(w, "{}: committed {} ({c})", self.release, self.file)?,
            _ => writeln!(
                w,
                "{}: {} is up to date; nothing to commit",
                self.release, self.file
            )?,
        }
        if let Some(t) = &self.tag {
            let what = match (self.tag_created, self.dry_run) {
                (true, true) => "would be created",
                (true, false) => "created",
                (false, _) => "exists already",
            };
            writeln!(w, "tag {t} {what}")?;
        }
        Ok(())
    }
}

/// Runs `zyklus changelog`.
///
/// # Errors
/// On invalid input, an unsafe repository state or a failed git operation.
#[allow(clippy::too_many_lines)]
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let release = ws.release(a.id)?;
    if release.stage != Stage::Production && !a.force {
        return Err(refused(
            format!(
                "release {} is in {}, not in production: only production releases get a changelog section",
                release.id, release.stage
            ),
            "advance it with `zyklus gate advance`, or pass --force to write its section now",
        ));
    }
    let date = release_date(ws, release).ok_or_else(|| {
        refused(
            format!("release {} has no release date", release.id),
            format!(
                "set `release_date = YYYY-MM-DD` in {}",
                ws.relative(&ws.release_path(release.id)).display()
            ),
        )
    })?;
    let lang = pick_lang(ws, a.lang.as_deref())?;
    let ctx = context(ws, release, &lang, Audience::All);
    warn_fallbacks(s, &ctx);

    let repo = git::open(&a.repo)?;
    let file = match &a.file {
        Some(f) => f.to_str().ok_or_else(|| {
            refused(
                format!("`{}` is not a UTF-8 path", f.display()),
                "pass --file a path such as CHANGELOG.md",
            )
        })?,
        None => ws.config.changelog.file.as_str(),
    };
    let links = changelog_links(&repo, &ws.config.changelog);
    let section = changelog::section(&ctx, release.id, date);
    let render = |old: Option<&str>| -> Result<String> {
        Ok(changelog::splice(old, release.id, &section, links.as_ref()))
    };
    let tag_name = format!("{}{}", ws.config.changelog.tag_prefix, release.id);
    let plan =
        git::ChangelogCommit::plan(&repo, file, a.tag.then_some(tag_name.as_str()), &render)?;
    let changed = plan.changed();
    let shown = plan.file().to_owned();

    let mut report = ChangelogReport {
        release: release.id.to_string(),
        file: shown.clone(),
        changed,
        dry_run: a.dry_run,
        commit: None,
        tag: a.tag.then(|| tag_name.clone()),
        tag_created: plan.tag_plan() == git::TagPlan::Create,
    };
    if a.dry_run {
        let mut out = io::stdout().lock();
        if changed {
            out.write_all(plan.diff()?.as_bytes())?;
        }
        out.flush()?;
        s.status(&format!(
            "dry run: {} {shown}{}; nothing written",
            if changed {
                "would change"
            } else {
                "no change to"
            },
            if report.tag_created {
                format!(", would create tag {tag_name}")
            } else {
                String::new()
            }
        ));
        return Ok(Outcome::Success);
    }

    let author_env = std::env::var("ZYKLUS_GIT_AUTHOR")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let author = repo.author(author_env.as_deref())?;
    let applied = plan.apply(
        &format!("docs(changelog): release {}", release.id),
        &format!("Release {}", release.id),
        &author,
        s.now,
    )?;
    report.commit = applied.commit.map(git::short);
    report.tag_created = applied.tag_created;
    s.emit(&report)?;
    Ok(Outcome::Success)
}

/// The link references: `[changelog] compare_url` if set, else the forge the
/// repository's remote points to (GitHub, GitLab, …), else none.
fn changelog_links(repo: &git::Repo, cfg: &ChangelogConfig) -> Option<Links> {
    let target = match &cfg.compare_url {
        Some(template) => LinkTarget::Compare(template.clone()),
        None => LinkTarget::Forge(repo.remote_url().as_deref().and_then(changelog::web_url)?),
    };
    Some(Links {
        target,
        tag_prefix: cfg.tag_prefix.clone(),
    })
}
