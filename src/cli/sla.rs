//! `zyklus sla`: the hotfix reaction promise. Every open or accepted request of
//! kind `hotfix` with a `reported_at` gets a deadline `[support] reaction_hours`
//! working hours later (`crate::model::workhours`: the clock runs on the working
//! days of `[support] workdays` minus `[calendar] holidays`); late ones make the
//! command exit 3.

use std::io::{self, Write};

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{Outcome, Settings};
use crate::model::dates::Timestamp;
use crate::model::{calendar, workhours, Kind, ReleaseId, Status};
use crate::output::{self, Report};
use crate::ui::{Paint, Style};

#[derive(Debug, clap::Args)]
pub struct Args {}

/// One hotfix request under the promise.
#[derive(Debug, Serialize)]
pub struct SlaRow {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub reported_at: Option<Timestamp>,
    /// `reported_at` plus `reaction_hours` working hours.
    pub due: Option<Timestamp>,
    pub late: bool,
    /// Working minutes until `due` (negative: working minutes past it).
    pub left_minutes: Option<i64>,
    /// The release whose scope holds it, if any.
    pub release: Option<ReleaseId>,
}

/// The JSON of `sla`: `{"reaction_hours", "now", "late", "requests": [row…]}`.
#[derive(Debug, Serialize)]
pub struct Sla {
    pub reaction_hours: u32,
    pub now: Timestamp,
    /// How many are late.
    pub late: usize,
    pub requests: Vec<SlaRow>,
}

fn hours_minutes(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    format!("{sign}{}h{:02}", m / 60, m % 60)
}

impl Report for Sla {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no open hotfix requests");
        }
        let mut t = output::table([
            "request", "status", "reported", "due", "left", "release", "title",
        ]);
        let fmt = |t: &Option<Timestamp>| {
            t.map_or_else(
                || "–".to_owned(),
                |t| t.0.format("%a %Y-%m-%d %H:%M").to_string(),
            )
        };
        for r in &self.requests {
            let left = match r.left_minutes {
                None => "no reported_at".to_owned(),
                Some(_) if r.late => paint.apply(
                    Style::Bad,
                    &format!("LATE {}", hours_minutes(-r.left_minutes.unwrap_or(0))),
                ),
                Some(m) => hours_minutes(m),
            };
            t.add_row(vec![
                r.id.clone(),
                r.status.to_string(),
                fmt(&r.reported_at),
                fmt(&r.due),
                left,
                r.release.map(|x| x.to_string()).unwrap_or_default(),
                r.title.clone(),
            ]);
        }
        output::write_table(w, &t)?;
        writeln!(
            w,
            "promise: reaction within {} working hours; {} late",
            self.reaction_hours, self.late
        )
    }
}

fn minutes(d: chrono::Duration) -> i64 {
    d.num_minutes()
}

/// Builds the SLA report (pure apart from the workspace it reads).
#[must_use]
pub fn report(ws: &crate::workspace::Workspace, now: DateTime<FixedOffset>) -> Sla {
    let config = &ws.config;
    let hours = config.support.reaction_hours;
    let is_workday = |d| calendar::is_workday(&config.calendar, &config.support.workdays, d);
    let mut requests: Vec<SlaRow> = ws
        .requests
        .values()
        .filter(|r| r.kind == Kind::Hotfix && matches!(r.status, Status::Open | Status::Accepted))
        .map(|r| {
            let due = r
                .reported_at
                .and_then(|t| workhours::due(t.0, hours, is_workday));
            let late = due.is_some_and(|d| now > d);
            let left_minutes = due.map(|d| {
                if late {
                    -minutes(workhours::between(d, now, is_workday))
                } else {
                    minutes(workhours::between(
                        now.with_timezone(d.offset()),
                        d,
                        is_workday,
                    ))
                }
            });
            SlaRow {
                id: r.id.to_string(),
                title: r.title.clone(),
                status: r.status,
                reported_at: r.reported_at,
                due: due.map(Timestamp),
                late,
                left_minutes,
                release: ws
                    .releases
                    .values()
                    .find(|rel| rel.scope.iter().any(|x| x == r.id.as_str()))
                    .map(|rel| rel.id),
            }
        })
        .collect();
    requests.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    Sla {
        reaction_hours: hours,
        now: Timestamp(now),
        late: requests.iter().filter(|r| r.late).count(),
        requests,
    }
}

/// Runs `zyklus sla`.
///
/// # Errors
/// When the workspace cannot be loaded or stdout fails.
pub fn run(_a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let sla = report(&loaded.workspace, s.now);
    for r in sla.requests.iter().filter(|r| r.reported_at.is_none()) {
        s.warn(&format!(
            "hotfix request {} has no reported_at, so no deadline; set it in requests/{}.toml",
            r.id, r.id
        ));
    }
    for r in sla
        .requests
        .iter()
        .filter(|r| r.reported_at.is_some() && r.due.is_none())
    {
        s.warn(&format!(
            "no working day within three years after {} was reported; check [support] workdays",
            r.id
        ));
    }
    s.emit(&sla)?;
    Ok(if sla.late > 0 {
        Outcome::Unmet
    } else {
        Outcome::Success
    })
}
