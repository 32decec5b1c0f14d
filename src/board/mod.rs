//! The release board: a static, self-contained HTML site of one year's releases
//! (`zyklus board`). [`Board`] is everything the pages show, already computed and
//! serialisable (it is also the command's JSON); [`collect`] builds it from a loaded
//! workspace, and [`render`] turns it into `index.html` plus one page per release.
//!
//! Pure: no files, no clock, no command line. `now`, the year, the language and the
//! planner's reasons for deferred requests come in as arguments, so the same input
//! gives the same bytes. Every text that comes from a workspace file goes through
//! one escaping function ([`html::Esc`]) — request files are edited by anyone.

pub mod collect;
mod html;
mod i18n;
mod svg;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::model::dates::Timestamp;
use crate::model::release::CheckRecord;
use crate::model::sla::SlaRow;
use crate::model::{Finding, HistoryEntry, Impact, Kind, ReleaseId, Stage, Status};

pub use collect::{collect, Deferral};
pub use html::render;

/// The language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    De,
    En,
}

impl Lang {
    /// Every language the board is written in.
    pub const ALL: &'static [Lang] = &[Lang::De, Lang::En];

    /// The code used in files, on the command line and in `<html lang>`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "de" => Ok(Lang::De),
            "en" => Ok(Lang::En),
            _ => Err(format!("the board is written in de or en, not `{s}`")),
        }
    }
}

/// Everything the board shows; the JSON of `zyklus board --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    /// The product (`[workspace] name`).
    pub product: String,
    pub year: i32,
    pub lang: Lang,
    /// The moment the board describes (`ZYKLUS_NOW` or the clock).
    pub now: Timestamp,
    /// The date of `now` in its own offset: the "today" marker.
    pub today: NaiveDate,
    /// The hotfix reaction promise in working hours (`[support] reaction_hours`).
    pub reaction_hours: u32,
    /// The regular releases of the year (calendar slots and release files), slot
    /// order; hotfix releases sit in their base release's `hotfixes`.
    pub releases: Vec<ReleaseView>,
    /// Hotfix requests under the reaction promise that are due or late.
    pub sla: Vec<SlaRow>,
    /// Every request the planner defers, with its reason (also listed on the page
    /// of the release a reason names).
    pub deferred: Vec<DeferredItem>,
}

/// One release (or hotfix release) as the board shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseView {
    pub id: ReleaseId,
    /// The release a hotfix sits on; `None` for a regular release.
    pub base: Option<ReleaseId>,
    /// Whether `releases/<id>.toml` exists (a calendar slot may have none yet).
    pub file: bool,
    pub stage: Stage,
    /// Whether the scope is frozen (development or later, or marked so).
    pub frozen: bool,
    pub dev_start: Option<NaiveDate>,
    /// Code freeze: the test phase starts.
    pub test_start: Option<NaiveDate>,
    pub release_date: Option<NaiveDate>,
    /// When it entered production (from its history).
    pub shipped_at: Option<Timestamp>,
    /// The partner coordination call before the release (`[coordination]`).
    pub coordination: Option<Call>,
    /// The gate into the next stage, evaluated at `now`; `None` in production or
    /// cancelled.
    pub next_gate: Option<NextGate>,
    pub load: Load,
    /// Findings not yet resolved, by severity.
    pub open_findings: SeverityCounts,
    pub deployed: Option<String>,
    pub test_started_at: Option<Timestamp>,
    pub signoff: Option<String>,
    pub scope: Vec<ScopeItem>,
    /// Requests the planner defers whose reason names this release.
    pub deferred: Vec<DeferredItem>,
    /// Gate transitions and scope changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Every finding of the test phase, by number.
    pub findings: Vec<Finding>,
    /// Open findings per severity per day over the test phase.
    pub burndown: Option<Burndown>,
    /// Hotfix releases on this release, by id.
    pub hotfixes: Vec<ReleaseView>,
}

impl ReleaseView {
    /// The page of this release, relative to `index.html`.
    #[must_use]
    pub fn page(&self) -> String {
        page_of(self.id)
    }

    /// The day a hotfix is drawn on its base release's row: when it shipped, else
    /// its planned release date, else when its test phase started.
    #[must_use]
    pub fn marker_date(&self) -> Option<NaiveDate> {
        self.shipped_at
            .map(|t| t.0.date_naive())
            .or(self.release_date)
            .or(self.test_started_at.map(|t| t.0.date_naive()))
    }
}

/// The file name of a release's page (release ids are digits and dots only).
#[must_use]
pub fn page_of(id: ReleaseId) -> String {
    format!("release-{id}.html")
}

/// The coordination call before a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub date: NaiveDate,
    /// Local time, `HH:MM`, in `timezone`.
    pub time: String,
    pub timezone: String,
    pub start: DateTime<FixedOffset>,
    pub url: Option<String>,
}

/// The next gate of a release and its checks at `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextGate {
    /// The stage the gate leads into.
    pub to: Stage,
    /// The date the calendar expects the release to pass it.
    pub due: Option<NaiveDate>,
    /// Days from today to `due` (negative: overdue).
    pub days_left: Option<i64>,
    pub passed: bool,
    pub checks: Vec<CheckRecord>,
}

impl NextGate {
    /// The checks that do not pass.
    pub fn unmet(&self) -> impl Iterator<Item = &CheckRecord> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

/// Load against capacity, in the unit of `effort`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Load {
    pub load: u64,
    pub capacity: u64,
    /// Per team, once `[capacity.teams]` exists (empty until then).
    pub teams: Vec<TeamLoad>,
}

/// One team's load against its capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamLoad {
    pub team: String,
    pub load: u64,
    pub capacity: u64,
}

/// A count per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SeverityCounts {
    pub blocker: u32,
    pub major: u32,
    pub minor: u32,
}

impl SeverityCounts {
    #[must_use]
    pub fn total(self) -> u32 {
        self.blocker + self.major + self.minor
    }
}

/// One request of a release's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeItem {
    pub id: String,
    /// Empty when the scope names a request that does not exist (`missing`).
    pub title: String,
    /// The customer-facing text in the board's language (or a fallback).
    pub text: String,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub impact: Option<Impact>,
    pub effort: u32,
    pub score: Option<f64>,
    pub requested_by: Vec<Requester>,
    /// The scope names a request without a file.
    pub missing: bool,
}

/// A partner who asked for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requester {
    pub id: String,
    /// The partner's name from partners.toml (the id when it has none).
    pub name: String,
}

/// A request the planner does not plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeferredItem {
    pub id: String,
    /// `None` when no request file has this id.
    pub title: Option<String>,
    /// The release the reason names (where it came closest to fitting).
    pub release: Option<ReleaseId>,
    pub reason: String,
}

/// Open findings per day over a release's test phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Burndown {
    /// The first day of the chart: the test start (or an earlier finding).
    pub start: NaiveDate,
    /// The last day of the chart: the release date (or a later event).
    pub end: NaiveDate,
    /// Open findings at the end of each day from `start`, up to `end` or today,
    /// whichever comes first (the future has no counts).
    pub days: Vec<BurndownDay>,
}

/// The findings open at the end of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BurndownDay {
    pub date: NaiveDate,
    pub blocker: u32,
    pub major: u32,
    pub minor: u32,
}

impl BurndownDay {
    #[must_use]
    pub fn counts(&self) -> SeverityCounts {
        SeverityCounts {
            blocker: self.blocker,
            major: self.major,
            minor: self.minor,
        }
    }
}
