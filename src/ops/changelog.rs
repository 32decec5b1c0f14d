//! `changelog`: a release's Keep a Changelog section in a git repository's
//! changelog, committed (and tagged). Only releases in production get one
//! (`force` writes it earlier); the section's date is the release date from
//! [`crate::model::facts`] — for a hotfix, the day it entered production. The
//! headings and entries are in one language (the request's `lang`, else the
//! workspace's first). The repository's safety (paths, links, locks, rollback) is
//! [`crate::git`]'s; the splice into existing text is [`crate::notes::changelog`]'s.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::notes;
use crate::error::refused;
use crate::git::{self, Author, ChangelogCommit, Repo, TagPlan};
use crate::model::config::ChangelogConfig;
use crate::model::{ReleaseId, Stage};
use crate::notes::changelog::{self, LinkTarget, Links};
use crate::notes::Audience;
use crate::workspace::Workspace;

/// What `changelog` was asked to do.
#[derive(Debug, Clone)]
pub struct ChangelogRequest {
    pub id: ReleaseId,
    /// The changelog, relative to the repository's top (default: `[changelog] file`).
    pub file: Option<String>,
    /// Also create the annotated tag `<tag_prefix><ID>`.
    pub tag: bool,
    pub lang: Option<String>,
    /// Write the section although the release is not in production yet.
    pub force: bool,
    pub dry_run: bool,
}

/// What `changelog` did; `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct ChangelogReport {
    pub release: String,
    pub file: String,
    /// The language of the section.
    pub lang: String,
    /// Whether the file's content changed (or would, with --dry-run).
    pub changed: bool,
    pub dry_run: bool,
    /// The new commit, if one was made.
    pub commit: Option<String>,
    /// The tag name, with --tag.
    pub tag: Option<String>,
    /// Whether the tag was created by this run (false: it existed already).
    pub tag_created: bool,
    /// With --dry-run: the unified diff that writing would make (empty: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// A changelog commit checked and ready: every precondition holds, nothing is
/// written yet. Holds the repository's lock until applied or dropped.
pub struct Prepared<'r> {
    plan: ChangelogCommit<'r>,
    pub report: ChangelogReport,
    /// Warnings for stderr (texts in another language, requests not accepted).
    pub warnings: Vec<String>,
}

/// Opens the product's git repository.
///
/// # Errors
/// When `path` is not a git work tree.
pub fn open(path: &Path) -> Result<Repo> {
    git::open(path)
}

/// Checks everything and computes the new changelog text.
///
/// # Errors
/// When the release is not in production (without `force`), has no release date,
/// the language is unknown, or a precondition of the repository fails.
pub fn prepare<'r>(ws: &Workspace, repo: &'r Repo, req: &ChangelogRequest) -> Result<Prepared<'r>> {
    let release = ws.release(req.id)?;
    if release.stage != Stage::Production && !req.force {
        return Err(refused(
            format!(
                "release {} is in {}, not in production: only production releases get a changelog section",
                release.id, release.stage
            ),
            "advance it with `zyklus gate advance`, or pass --force to write its section now",
        ));
    }
    let date = notes::require_release_date(ws, release)?;
    let tag_lang = notes::language(ws, req.lang.as_deref())?;
    let ctx = notes::context(ws, release, &tag_lang, Audience::All);
    let mut warnings = notes::fallback_warnings(&ctx);
    for id in &ctx.not_accepted {
        warnings.push(format!(
            "{id} in the scope of {} is not accepted yet, but gets a changelog entry",
            release.id
        ));
    }
    let file = req
        .file
        .clone()
        .unwrap_or_else(|| ws.config.changelog.file.clone());
    let links = links(repo, &ws.config.changelog);
    let section = changelog::section(&ctx, release.id, date);
    let header = changelog::header(&tag_lang);
    let render = |old: Option<&str>| -> Result<String> {
        Ok(changelog::splice(
            old,
            header,
            release.id,
            &section,
            links.as_ref(),
        ))
    };
    let tag_name = format!("{}{}", ws.config.changelog.tag_prefix, release.id);
    let plan = ChangelogCommit::plan(repo, &file, req.tag.then_some(tag_name.as_str()), &render)?;
    let report = ChangelogReport {
        release: release.id.to_string(),
        file: plan.file().to_owned(),
        lang: tag_lang,
        changed: plan.changed(),
        dry_run: req.dry_run,
        commit: None,
        tag: req.tag.then_some(tag_name),
        tag_created: plan.tag_plan() == TagPlan::Create,
        diff: None,
    };
    Ok(Prepared {
        plan,
        report,
        warnings,
    })
}

impl Prepared<'_> {
    /// The report of a dry run: what would change, with the unified diff
    /// (empty when nothing changes). Nothing is written.
    ///
    /// # Errors
    /// When git's diff machinery fails.
    pub fn dry_run(self) -> Result<ChangelogReport> {
        let diff = if self.plan.changed() {
            self.plan.diff()?
        } else {
            String::new()
        };
        Ok(ChangelogReport {
            diff: Some(diff),
            ..self.report
        })
    }

    /// Writes, commits and tags as `author` at `at`; undone on failure.
    ///
    /// # Errors
    /// When a step fails (then the repository is as it was).
    pub fn apply(self, author: &Author, at: DateTime<FixedOffset>) -> Result<ChangelogReport> {
        let mut report = self.report;
        let applied = self.plan.apply(
            &format!("docs(changelog): release {}", report.release),
            &format!("Release {}", report.release),
            author,
            at,
        )?;
        report.commit = applied.commit.map(git::short);
        report.tag_created = applied.tag_created;
        Ok(report)
    }
}

/// The link references: `[changelog] compare_url` if set, else the forge the
/// repository's remote points to (GitHub, GitLab, …), else none.
fn links(repo: &Repo, cfg: &ChangelogConfig) -> Option<Links> {
    let target = match &cfg.compare_url {
        Some(template) => LinkTarget::Compare(template.clone()),
        None => LinkTarget::Forge(repo.remote_url().as_deref().and_then(changelog::web_url)?),
    };
    Some(Links {
        target,
        tag_prefix: cfg.tag_prefix.clone(),
    })
}
