//! `zyklus changelog ID --repo PATH`: writes the release's Keep a Changelog
//! section into the changelog of a git repository, commits it (and, with `--tag`,
//! tags the commit). Idempotent: a second run changes nothing and commits nothing.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::notes::{context, pick_lang, release_date, warn_fallbacks};
use super::{Outcome, Settings};
use crate::error::with_hint;
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

Refuses when the changelog has uncommitted changes, the repository is mid-merge/rebase or
HEAD is detached. The commit's author is ZYKLUS_GIT_AUTHOR (\"Name <email>\"), else git's
user.name/user.email, else \"zyklus <zyklus@localhost>\"; its time is ZYKLUS_NOW or now.")]
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
        return Err(with_hint(
            format!(
                "release {} is in {}, not in production: only production releases get a changelog section",
                release.id, release.stage
            ),
            "advance it with `zyklus gate advance`, or pass --force to write its section now",
        ));
    }
    let date = release_date(ws, release).ok_or_else(|| {
        with_hint(
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
    repo.check_ready()?;
    let rel = a
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(&ws.config.changelog.file));
    let path = git::file_in(&repo, &rel)?;
    let shown = rel.display().to_string();
    repo.check_file_clean(&rel)?;
    let old = match std::fs::read(&path) {
        Ok(b) => Some(String::from_utf8(b).map_err(|_| {
            with_hint(
                format!("{} is not UTF-8 text", path.display()),
                "convert it to UTF-8, or pass --file another changelog",
            )
        })?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let links = changelog_links(&repo, &ws.config.changelog);
    let section = changelog::section(&ctx, release.id, date);
    let new = changelog::splice(old.as_deref(), release.id, &section, links.as_ref());
    let changed = old.as_deref() != Some(new.as_str());

    let tag_name = format!("{}{}", ws.config.changelog.tag_prefix, release.id);
    let existing_tag = if a.tag {
        repo.tag_target(&tag_name)?
    } else {
        None
    };
    if a.tag && changed {
        if let Some(t) = existing_tag {
            return Err(with_hint(
                format!(
                    "tag {tag_name} exists already (at {}), but the changelog needs a new commit",
                    git::short(t)
                ),
                format!("zyklus never moves a tag: delete it (`git tag -d {tag_name}`) if it is wrong, or run without --tag"),
            ));
        }
    }

    let mut report = ChangelogReport {
        release: release.id.to_string(),
        file: shown.clone(),
        changed,
        dry_run: a.dry_run,
        commit: None,
        tag: a.tag.then(|| tag_name.clone()),
        tag_created: a.tag && existing_tag.is_none(),
    };
    if a.dry_run {
        let mut out = io::stdout().lock();
        if changed {
            let d = git::diff(
                old.as_deref().unwrap_or("").as_bytes(),
                new.as_bytes(),
                &shown,
            )?;
            out.write_all(d.as_bytes())?;
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
    let mut target = repo.head()?;
    if changed {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        crate::workspace::fsio::write_atomic(&path, new.as_bytes())?;
        let message = format!("docs(changelog): release {}", release.id);
        let oid = repo.commit_file(&rel, &message, &author, s.now)?;
        report.commit = Some(git::short(oid));
        target = Some(oid);
    }
    if a.tag && existing_tag.is_none() {
        let Some(target) = target else {
            return Err(with_hint(
                "the repository has no commit to tag",
                "run without --tag first",
            ));
        };
        repo.create_tag(
            &tag_name,
            target,
            &format!("Release {}", release.id),
            &author,
            s.now,
        )?;
    }
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
