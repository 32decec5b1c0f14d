//! `zyklus board --out DIR [--year Y] [--lang de|en]`: the release board as a
//! static site. Glue only: load the workspace, ask the planner why requests wait
//! ([`ops::plan::dry_run`], what `plan --dry-run` shows; nothing is written),
//! collect the [`Board`], render its pages and write them atomically into `--out`,
//! which must lie outside `.git` and outside the workspace's own files.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Outcome, Settings};
use crate::board::{self, Board, Deferral, Lang};
use crate::error::refused;
use crate::model::calendar;
use crate::ops;
use crate::output::{self, Report};
use crate::ui::Paint;
use crate::workspace::{self, fsio, Workspace};

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

/// What `board` reports: a summary table, or the [`Board`] itself as JSON.
struct Summary {
    board: Board,
    out: PathBuf,
    pages: usize,
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.board.serialize(s)
    }
}

impl Report for Summary {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let mut t = output::table([
            "release",
            "stage",
            "next gate",
            "unmet",
            "load",
            "open findings",
        ]);
        let rows = self
            .board
            .releases
            .iter()
            .flat_map(|r| std::iter::once(r).chain(&r.hotfixes));
        for r in rows {
            let (gate, unmet) = r.next_gate.as_ref().map_or_else(
                || ("–".to_owned(), String::new()),
                |g| {
                    (
                        g.to.to_string(),
                        g.unmet()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                },
            );
            let f = r.open_findings;
            t.add_row(vec![
                r.id.to_string(),
                r.stage.to_string(),
                gate,
                unmet,
                format!("{}/{}", r.load.load, r.load.capacity),
                if f.total() == 0 {
                    String::new()
                } else {
                    format!(
                        "{} blocker, {} major, {} minor",
                        f.blocker, f.major, f.minor
                    )
                },
            ]);
        }
        output::write_table(w, &t)?;
        writeln!(
            w,
            "{} pages in {} (open {})",
            self.pages,
            self.out.display(),
            self.out.join("index.html").display()
        )
    }
}

/// Runs `zyklus board`.
///
/// # Errors
/// When the workspace cannot be loaded, `--out` is not allowed, or a write fails.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let out = allowed_out(&s.cwd.join(&a.out), &ws.root)?;
    let today = s.now.date_naive();
    let year = a.year.unwrap_or_else(|| {
        calendar::upcoming(&ws.config.calendar, today, 1)
            .ok()
            .and_then(|v| v.first().map(|r| r.id.year))
            .unwrap_or(today.year())
    });
    let langs = &ws.config.workspace.languages;
    let lang = match &a.lang {
        Some(l) => {
            let lang: Lang = l
                .parse()
                .map_err(|e: String| refused(e, "use --lang de or --lang en"))?;
            if !langs.iter().any(|x| x == lang.as_str()) {
                s.warn(&format!(
                    "the workspace's languages are {}; request texts fall back to another language",
                    langs.join(", ")
                ));
            }
            lang
        }
        None => langs
            .iter()
            .find_map(|l| l.parse().ok())
            .unwrap_or_else(|| {
                s.warn("no workspace language is de or en; the board is in English");
                Lang::En
            }),
    };

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
    let (board, warnings) = board::collect(ws, s.now, year, lang, &deferred);
    for w in &warnings {
        s.warn(w);
    }

    let pages = board::render(&board);
    let mut changes = fsio::Changes::new();
    for (name, html) in &pages {
        // Plain file names only: nothing is written outside --out.
        let plain = Path::new(name).components().count() == 1
            && matches!(
                Path::new(name).components().next(),
                Some(Component::Normal(_))
            );
        anyhow::ensure!(
            plain,
            "internal error: page name `{name}` is not a plain file name"
        );
        changes.write(out.join(name), html.as_bytes());
    }
    changes.drop_unchanged();
    if changes.is_empty() {
        s.status(&format!("the board in {} is up to date", a.out.display()));
    } else {
        let n = changes.paths().count();
        changes
            .commit(&out, None)
            .with_context(|| format!("writing the board into {}", out.display()))?;
        s.status(&format!(
            "wrote {n} of {} pages into {}",
            pages.len(),
            a.out.display()
        ));
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
    let outcome = ops::plan::dry_run(ws, &ops::plan::PlanInput::default(), today)?;
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

/// `out` with `.` and `..` resolved and symbolic links of its existing part
/// followed, if the board may be written there: not inside a `.git` directory,
/// not a file, not the workspace root and not inside its data directories.
fn allowed_out(out: &Path, root: &Path) -> Result<PathBuf> {
    let mut lexical = PathBuf::new();
    for c in out.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing
        .canonicalize()
        .with_context(|| format!("resolving {}", existing.display()))?;
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    let shown = out.display();
    if resolved.components().any(|c| c.as_os_str() == ".git") {
        return Err(refused(
            format!("--out {shown} is inside a .git directory"),
            "write the board somewhere else, e.g. --out public",
        ));
    }
    if resolved.exists() && !resolved.is_dir() {
        return Err(refused(
            format!("--out {shown} is a file, not a directory"),
            "name a directory; it is created if missing",
        ));
    }
    let root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    if resolved == root {
        return Err(refused(
            format!("--out {shown} is the workspace itself"),
            "write the board into a directory of its own, e.g. --out public",
        ));
    }
    for dir in [
        workspace::REQUESTS_DIR,
        workspace::RELEASES_DIR,
        workspace::TRAININGS_DIR,
        "templates",
    ] {
        if resolved.starts_with(root.join(dir)) {
            return Err(refused(
                format!("--out {shown} is inside the workspace's {dir}/ directory"),
                "write the board into a directory of its own, e.g. --out public",
            ));
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::allowed_out;

    #[test]
    fn out_must_stay_clear_of_git_and_workspace_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git/objects")).expect("git dir");
        std::fs::create_dir_all(root.join("releases")).expect("releases");
        std::fs::write(root.join("zyklus.toml"), "").expect("config");
        for bad in [
            ".git",
            ".git/objects/board",
            "site/../.git/x",
            ".",
            "releases",
            "releases/site",
            "zyklus.toml",
            "a/../",
        ] {
            assert!(
                allowed_out(&root.join(bad), root).is_err(),
                "{bad} must be refused"
            );
        }
        for good in ["public", "site/en", "releases-site", "../elsewhere"] {
            let p = allowed_out(&root.join(good), root).expect(good);
            assert!(!p.to_string_lossy().contains(".."), "{}", p.display());
        }
    }
}
