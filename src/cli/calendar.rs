//! `zyklus calendar [--year Y] [--ics FILE]`: the releases of a year with their
//! development start, test start (code freeze), release date, current stage and
//! partner coordination call; optionally written as an iCalendar file. Glue only:
//! dates come from [`crate::model::calendar`], the file text from [`crate::ics`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Datelike;
use serde::Serialize;

use super::{Outcome, Settings};
use crate::model::calendar::{self, CoordinationCall, ReleaseDates};
use crate::model::{ReleaseId, Stage};
use crate::output::{self, Report};
use crate::ui::Paint;
use crate::workspace::{fsio, Workspace};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
    /// Also write the year's releases, test starts and coordination calls as an
    /// iCalendar (.ics) file; re-exporting updates the same events
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// One release of the year.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: ReleaseId,
    pub dev_start: chrono::NaiveDate,
    pub test_start: chrono::NaiveDate,
    pub release_date: chrono::NaiveDate,
    /// The stage in `releases/<ID>.toml`, or null when the release has no file yet.
    pub stage: Option<Stage>,
    /// The partner coordination call, or null without `[coordination]`.
    pub coordination: Option<CoordinationCall>,
}

/// The JSON of `calendar`: `{"year", "releases": [{"id", "dev_start", "test_start",
/// "release_date", "stage", "coordination"}]}`.
#[derive(Debug, Serialize)]
pub struct CalendarReport {
    pub year: i32,
    pub releases: Vec<Row>,
}

impl Report for CalendarReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let with_calls = self.releases.iter().any(|r| r.coordination.is_some());
        let mut header = vec![
            "release",
            "dev start",
            "test start",
            "release date",
            "stage",
        ];
        if with_calls {
            header.push("coordination call");
        }
        let mut t = output::table(header);
        for r in &self.releases {
            let mut row = vec![
                r.id.to_string(),
                r.dev_start.format("%Y-%m-%d %a").to_string(),
                r.test_start.format("%Y-%m-%d %a").to_string(),
                r.release_date.format("%Y-%m-%d %a").to_string(),
                r.stage.map_or_else(|| "—".to_owned(), |s| s.to_string()),
            ];
            if with_calls {
                row.push(r.coordination.as_ref().map_or_else(String::new, |c| {
                    format!("{} {} {}", c.date.format("%Y-%m-%d %a"), c.time, c.timezone)
                }));
            }
            t.add_row(row);
        }
        output::write_table(w, &t)?;
        writeln!(w, "{} releases in {}", self.releases.len(), self.year)
    }
}

fn calendar_error(e: &calendar::CalendarError) -> anyhow::Error {
    let message = match e {
        calendar::CalendarError::Config { .. } | calendar::CalendarError::NoDates { .. } => {
            format!("zyklus.toml: {e}")
        }
        _ => e.to_string(),
    };
    crate::error::refused(message, e.hint())
}

/// The year's releases with stages and coordination calls.
///
/// # Errors
/// When the calendar cannot give the year's dates.
pub fn build(ws: &Workspace, year: i32) -> Result<CalendarReport> {
    let cal = &ws.config.calendar;
    let dates: Vec<ReleaseDates> = calendar::year(cal, year).map_err(|e| calendar_error(&e))?;
    let mut releases = Vec::with_capacity(dates.len());
    for d in dates {
        let coordination = ws
            .config
            .coordination
            .as_ref()
            .map(|c| calendar::coordination(cal, c, &d))
            .transpose()
            .map_err(|e| calendar_error(&e))?;
        releases.push(Row {
            id: d.id,
            dev_start: d.dev_start,
            test_start: d.test_start,
            release_date: d.release_date,
            stage: ws.releases.get(&d.id).map(|r| r.stage),
            coordination,
        });
    }
    Ok(CalendarReport { year, releases })
}

/// Runs `zyklus calendar`.
///
/// # Errors
/// When the workspace does not load, the calendar has no dates for the year, or
/// the `.ics` file cannot be written.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let year = a.year.unwrap_or_else(|| s.now.year());
    let report = build(ws, year)?;
    if let Some(path) = &a.ics {
        let dates: Vec<ReleaseDates> = report
            .releases
            .iter()
            .map(|r| ReleaseDates {
                id: r.id,
                dev_start: r.dev_start,
                test_start: r.test_start,
                release_date: r.release_date,
            })
            .collect();
        let calls: Vec<CoordinationCall> = report
            .releases
            .iter()
            .filter_map(|r| r.coordination.clone())
            .collect();
        let text = crate::ics::render(&crate::ics::Input {
            workspace_name: &ws.config.workspace.name,
            languages: &ws.config.workspace.languages,
            timezone: &ws.config.calendar.timezone,
            releases: &dates,
            coordination: &calls,
            now: s.now.with_timezone(&chrono::Utc),
        })
        .map_err(|e| {
            crate::error::refused(
                format!("cannot build the calendar file: {e}"),
                "check [calendar] and [coordination] in zyklus.toml",
            )
        })?;
        let target = s.cwd.join(path);
        fsio::write_atomic(&target, text).with_context(|| format!("writing {}", path.display()))?;
        s.status(&format!(
            "wrote {} ({} events)",
            path.display(),
            dates.len() * 2 + calls.len()
        ));
    }
    s.emit(&report)?;
    Ok(Outcome::Success)
}
