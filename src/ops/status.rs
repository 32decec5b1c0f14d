//! `release list|show`: where each release of a year stands — stage, dates, the
//! next gate and when it is due, load against capacity, open findings — and one
//! release in full.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::model::dates::Timestamp;
use crate::model::release::HistoryEntry;
use crate::model::{calendar, facts, Finding, Release, ReleaseId, Severity, Stage};
use crate::workspace::Workspace;

/// One row of the status board.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseRow {
    pub id: ReleaseId,
    /// `planned` for a calendar slot without a file.
    pub stage: Stage,
    /// Whether `releases/<id>.toml` exists.
    pub file: bool,
    pub dev_start: Option<NaiveDate>,
    pub test_start: Option<NaiveDate>,
    pub release_date: Option<NaiveDate>,
    /// The stage the next gate leads into, if any.
    pub next_gate: Option<Stage>,
    /// The date that gate is due by the calendar.
    pub next_gate_date: Option<NaiveDate>,
    /// Days from today to `next_gate_date` (negative: overdue).
    pub days_to_next_gate: Option<i64>,
    pub load: u64,
    pub capacity: u64,
    /// The load of each team (`[capacity.teams]`; absent without teams and for
    /// hotfixes, which have no capacity of their own).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub load_by_team: std::collections::BTreeMap<String, u64>,
    /// The capacity of each team (absent as `load_by_team`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub capacity_by_team: std::collections::BTreeMap<String, u64>,
    pub open_findings: usize,
    pub open_blockers: usize,
}

/// The JSON of `release list`: `{"year", "releases": [row…]}`.
#[derive(Debug, Serialize)]
pub struct ReleaseList {
    pub year: i32,
    pub releases: Vec<ReleaseRow>,
    /// Why the calendar has no slots for the year, if it has none.
    #[serde(skip)]
    pub calendar_problem: Option<String>,
}

/// The row of release `id` (with its file, if any) as of `today`.
#[must_use]
pub fn row(
    ws: &Workspace,
    id: ReleaseId,
    release: Option<&Release>,
    today: NaiveDate,
) -> ReleaseRow {
    let d = facts::dates(&ws.config, id, release);
    let stage = release.map_or(Stage::Planned, |r| r.stage);
    let next_gate = stage.next();
    let next_gate_date = match next_gate {
        Some(Stage::Development) => d.dev_start,
        Some(Stage::Test) => d.test_start,
        Some(Stage::Production) => d.release_date,
        _ => None,
    };
    ReleaseRow {
        id,
        stage,
        file: release.is_some(),
        dev_start: d.dev_start,
        test_start: d.test_start,
        release_date: d.release_date,
        next_gate,
        next_gate_date,
        days_to_next_gate: next_gate_date.map(|g| (g - today).num_days()),
        load: release.map_or(0, |r| facts::load(&r.scope, &ws.requests)),
        capacity: release.map_or_else(
            || facts::configured_capacity(&ws.config, id),
            |r| facts::capacity(&ws.config, r),
        ),
        load_by_team: if id.is_hotfix() {
            std::collections::BTreeMap::new()
        } else {
            let scope: &[String] = release.map_or(&[], |r| &r.scope);
            facts::load_by_team(&ws.config, scope, &ws.requests)
        },
        capacity_by_team: if id.is_hotfix() {
            std::collections::BTreeMap::new()
        } else {
            facts::capacity_by_team(&ws.config, id)
        },
        open_findings: release.map_or(0, |r| r.open_findings().count()),
        open_blockers: release.map_or(0, |r| {
            r.open_findings()
                .filter(|f| f.severity == Severity::Blocker)
                .count()
        }),
    }
}

/// The year `release list` and `calendar` show by default: the year of the next
/// release date after `today` (else today's year).
#[must_use]
pub fn default_year(ws: &Workspace, today: NaiveDate) -> i32 {
    calendar::upcoming(&ws.config.calendar, today, 1)
        .ok()
        .and_then(|v| v.first().map(|r| r.id.year))
        .unwrap_or(today.year())
}

/// Every release of `year`: the calendar's slots and the release files.
#[must_use]
pub fn list(ws: &Workspace, year: Option<i32>, today: NaiveDate) -> ReleaseList {
    let year = year.unwrap_or_else(|| default_year(ws, today));
    let mut ids: Vec<ReleaseId> = ws
        .releases
        .keys()
        .filter(|id| id.year == year)
        .copied()
        .collect();
    let mut calendar_problem = None;
    match calendar::year(&ws.config.calendar, year) {
        Ok(slots) => ids.extend(slots.iter().map(|r| r.id)),
        Err(e) => calendar_problem = Some(format!("the calendar has no slots for {year}: {e}")),
    }
    ids.sort();
    ids.dedup();
    let releases = ids
        .into_iter()
        .map(|id| row(ws, id, ws.releases.get(&id), today))
        .collect();
    ReleaseList {
        year,
        releases,
        calendar_problem,
    }
}

/// One request of a scope, as `release show` lists it.
#[derive(Debug, Serialize)]
pub struct ScopeItem {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub effort: u32,
}

/// The JSON of `release show`: the board row, the scope, findings and history.
#[derive(Debug, Serialize)]
pub struct ReleaseView<'a> {
    #[serde(flatten)]
    pub row: ReleaseRow,
    pub frozen: bool,
    pub deployed: Option<&'a str>,
    pub test_started_at: Option<Timestamp>,
    pub signoff: Option<&'a str>,
    pub scope: Vec<ScopeItem>,
    pub findings: &'a [Finding],
    pub history: &'a [HistoryEntry],
}

/// Release `id` in full.
///
/// # Errors
/// When there is no such release file.
pub fn show(ws: &Workspace, id: ReleaseId, today: NaiveDate) -> Result<ReleaseView<'_>> {
    let rel = ws.release(id)?;
    let scope = rel
        .scope
        .iter()
        .map(|cr| match ws.requests.get(cr.as_str()) {
            Some(r) => ScopeItem {
                id: cr.clone(),
                title: r.title.clone(),
                kind: r.kind.to_string(),
                status: r.status.to_string(),
                effort: r.effort,
            },
            None => ScopeItem {
                id: cr.clone(),
                title: String::new(),
                kind: String::new(),
                status: "missing".into(),
                effort: 0,
            },
        })
        .collect();
    Ok(ReleaseView {
        row: row(ws, id, Some(rel), today),
        frozen: rel.is_frozen(),
        deployed: rel.deployed.as_deref(),
        test_started_at: rel.test_started_at,
        signoff: rel.signoff.as_deref(),
        scope,
        findings: &rel.findings,
        history: &rel.history,
    })
}
