//! `calendar`: the releases of a year with their development start, test start
//! (code freeze), release date, stage and partner coordination call, and the
//! same as iCalendar text. Dates come from [`crate::model::facts`] (a release
//! file's own dates win over the calendar rule), the calls from
//! [`crate::model::calendar::coordination`], the file text from [`crate::ics`].

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

use crate::error::refused;
use crate::model::calendar::{self, CoordinationCall, ReleaseDates};
use crate::model::{facts, ReleaseId, Stage};
use crate::workspace::Workspace;

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

fn calendar_error(e: &calendar::CalendarError) -> anyhow::Error {
    let message = match e {
        calendar::CalendarError::Config { .. } | calendar::CalendarError::NoDates { .. } => {
            format!("zyklus.toml: {e}")
        }
        _ => e.to_string(),
    };
    refused(message, e.hint())
}

/// The year `calendar` shows without `--year`: the year of the next release
/// date from `now` on (as `release list` and `board` do), else `now`'s year.
#[must_use]
pub fn default_year(ws: &Workspace, now: DateTime<FixedOffset>) -> i32 {
    let today = now.date_naive();
    calendar::upcoming(&ws.config.calendar, today, 1)
        .ok()
        .and_then(|v| v.first().map(|r| r.id.year))
        .unwrap_or(today.year())
}

/// The year's releases with stages and coordination calls.
///
/// # Errors
/// When the calendar cannot give the year's dates.
pub fn year(ws: &Workspace, year: i32) -> Result<CalendarReport> {
    let cal = &ws.config.calendar;
    let slots: Vec<ReleaseDates> = calendar::year(cal, year).map_err(|e| calendar_error(&e))?;
    let mut releases = Vec::with_capacity(slots.len());
    for slot in slots {
        let file = ws.releases.get(&slot.id);
        let f = facts::dates(&ws.config, slot.id, file);
        let d = ReleaseDates {
            id: slot.id,
            dev_start: f.dev_start.unwrap_or(slot.dev_start),
            test_start: f.test_start.unwrap_or(slot.test_start),
            release_date: f.release_date.unwrap_or(slot.release_date),
        };
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
            stage: file.map(|r| r.stage),
            coordination,
        });
    }
    Ok(CalendarReport { year, releases })
}

/// The iCalendar text of `report` and how many events it has.
///
/// # Errors
/// When a coordination call's time zone is unknown.
pub fn ics(
    ws: &Workspace,
    report: &CalendarReport,
    now: DateTime<FixedOffset>,
) -> Result<(String, usize)> {
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
        now: now.with_timezone(&chrono::Utc),
    })
    .map_err(|e| {
        refused(
            format!("cannot build the calendar file: {e}"),
            "check [calendar] and [coordination] in zyklus.toml",
        )
    })?;
    Ok((text, dates.len() * 2 + calls.len()))
}
