//! `zyklus board --out DIR [--year Y] [--lang de|en]`: the release board as a
//! static site. Glue only: load the workspace, ask the planner why requests wait
//! (the same path as `plan --dry-run`: build, solve, explain; nothing is written),
//! collect the [`Board`], render its pages and write them atomically into `--out`,
//! which must lie outside `.git` and outside the workspace's own files.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use super::{Outcome, Settings};
use crate::board::{self, Deferral, Lang};
use crate::ops::board::{self as op, Summary};
use crate::workspace::Workspace;

/// The long help of `zyklus board`.
pub const LONG_ABOUT: &str = "\
The release board: a static, self-contained HTML site of one year's releases for
product owners, partners and managers.

index.html shows the year as a timeline (development phase, test phase from the
code freeze, release date, coordination call, hotfixes, today), and for each release
its stage, the next gate with its unmet checks, load against capacity and open
findings by severity; then the hotfix requests under the reaction promise that are
due or late, and every request the planner defers with its reason.
release-<ID>.html shows one release: scope (score, effort, kind, impact,
requesters), deferred requests, the next gate, findings with a burn-down over the
test phase, and the gate history.

The pages need nothing else: inline CSS and SVG, no script, no web font, no CDN.
Open them from disk or publish the directory on GitLab or GitHub Pages. The same
workspace and ZYKLUS_NOW give the same bytes, so a CI job can commit or compare it.
Only index.html and release-<ID>.html are written, atomically, into --out; --out
may not be inside a .git directory, the workspace root or its requests/,
releases/, trainings/ or templates/ directories.

--format json prints the board's data instead of the summary table.";

/// Examples for `zyklus board --help`.
pub const AFTER_HELP: &str = "\
Examples:
  zyklus board --out public                  # this year's board, in the first workspace language
  zyklus board --out site/en --lang en --year 2027
  ZYKLUS_NOW=2027-03-20T10:00:00+01:00 zyklus board --out site --format json";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write index.html and release-<ID>.html into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The year to show (default: the year of the next release date)
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1971..=9998))]
    pub year: Option<i32>,
    /// Language of the pages (default: the workspace's first language)
    #[arg(long, value_name = "LANG", value_parser = ["de", "en"])]
    pub lang: Option<String>,
}

/// Runs `zyklus board`.
///
/// # Errors
/// When the workspace cannot be loaded, `--out` is not allowed, or a write fails.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let out = crate::workspace::exports::export_dir(&ws.root, &s.cwd, &a.out, "--out")?;
    let today = s.now.date_naive();
    let year = a
        .year
        .unwrap_or_else(|| crate::ops::status::default_year(ws, today));
    let (lang, warning) = op::language(ws, a.lang.as_deref())?;
    if let Some(w) = &warning {
        s.warn(w);
    }
    let deferred = match planner_deferrals(ws, today, lang) {
        Ok((d, hit_limit)) => {
            if hit_limit {
                s.warn("the planner hit its time limit; the deferred requests may differ between machines (raise [planning] time_limit)");
            }
            d
        }
        Err(e) => {
            s.warn(&format!(
                "the board shows no deferred requests: the planner cannot plan this workspace ({e:#}); `zyklus plan --dry-run` says why"
            ));
            Vec::new()
        }
    };
    let (board, warnings) = board::collect(
        ws,
        s.now,
        year,
        lang,
        &deferred,
        crate::ops::sla::report(ws, s.now, false).requests,
    );
    for w in &warnings {
        s.warn(w);
    }
    let pages = board::render(&board);
    match op::write(&out, &pages)? {
        0 => s.status(&format!("the board in {} is up to date", a.out.display())),
        n => s.status(&format!(
            "wrote {n} of {} pages into {}",
            pages.len(),
            a.out.display()
        )),
    }
    s.emit(&Summary {
        board,
        out: a.out.clone(),
        pages: pages.len(),
    })?;
    Ok(Outcome::Success)
}

/// The planner's deferred requests, as `zyklus plan --dry-run` finds them (same
/// horizon, same solver budget), each with its reason in `lang` and the release
/// the reason names. The flag says whether the solver hit its time limit.
fn planner_deferrals(
    ws: &Workspace,
    today: NaiveDate,
    lang: Lang,
) -> Result<(Vec<Deferral>, bool)> {
    let outcome = crate::ops::plan::dry_run(ws, &crate::ops::plan::PlanInput::default(), today)?;
    let deferred = outcome
        .report
        .deferred
        .iter()
        .map(|d| Deferral {
            request: d.id.clone(),
            release: d.release,
            reason: d.why.text(lang),
        })
        .collect();
    Ok((deferred, outcome.hit_time_limit))
}
