//! Builds the [`Board`] of one year from a loaded workspace, using the crate's own
//! answers: the calendar for dates and coordination calls, [`gates::evaluate`] for
//! the next gate, [`scoring::score`] for scores.
//! It decides nothing of its own beyond what the board shows (which releases
//! belong to the year, the burn-down's days).
//!
//! The planner's reasons for deferred requests come in as [`Deferral`]s: planning
//! needs a solver run, which is the caller's to start (and to time-limit). The
//! hotfix promise comes in as [`SlaRow`]s, computed by `zyklus sla`'s own rule
//! (`ops::sla::report`), so that board and `sla` never disagree.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{
    Board, Burndown, BurndownDay, Call, DeferredItem, Lang, Load, NextGate, ReleaseView, Requester,
    ScopeItem, SeverityCounts, TeamLoad,
};
use crate::gates::{self, Inputs};
use crate::model::calendar::{self, ReleaseDates};
use crate::model::dates::Timestamp;
use crate::model::sla::SlaRow;
use crate::model::{Finding, Kind, Release, ReleaseId, Severity, Stage};
use crate::scoring;
use crate::workspace::Workspace;

/// A request the planner defers, and why (one sentence in the board's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    pub request: String,
    /// The release the reason names, if any (e.g. where the room is missing).
    pub release: Option<ReleaseId>,
    pub reason: String,
}

/// The longest burn-down drawn, in days (a finding raised long before the test
/// phase would otherwise stretch the chart over years).
const MAX_BURNDOWN_DAYS: i64 = 366;

/// The board of `year` at `now`, and warnings about what it could not show.
#[must_use]
pub fn collect(
    ws: &Workspace,
    now: DateTime<FixedOffset>,
    year: i32,
    lang: Lang,
    deferred: &[Deferral],
    sla: Vec<SlaRow>,
) -> (Board, Vec<String>) {
    let mut warnings = Vec::new();
    let today = now.date_naive();
    let slots: BTreeMap<ReleaseId, ReleaseDates> = match calendar::year(&ws.config.calendar, year) {
        Ok(v) => v.into_iter().map(|d| (d.id, d)).collect(),
        Err(e) => {
            warnings.push(format!("the calendar has no release dates for {year}: {e}"));
            BTreeMap::new()
        }
    };
    let mut ids: BTreeSet<ReleaseId> = slots.keys().copied().collect();
    ids.extend(
        ws.releases
            .keys()
            .filter(|id| id.year == year)
            .map(|id| id.base()),
    );

    // Hotfix requests wait for no release: the board shows them under the
    // reaction promise instead.
    let mut deferred_items: Vec<DeferredItem> = deferred
        .iter()
        .filter(|d| {
            ws.requests
                .get(d.request.as_str())
                .is_none_or(|q| q.kind != Kind::Hotfix)
        })
        .map(|d| DeferredItem {
            id: d.request.clone(),
            title: ws.requests.get(d.request.as_str()).map(|q| q.title.clone()),
            release: d.release,
            reason: d.reason.clone(),
        })
        .collect();
    deferred_items.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.release.cmp(&b.release)));

    let ctx = Ctx {
        ws,
        now,
        today,
        lang,
        deferred: &deferred_items,
    };
    let releases = ids
        .into_iter()
        .map(|id| {
            let mut view = ctx.view(id, slots.get(&id), &mut warnings);
            view.hotfixes = ws
                .releases
                .keys()
                .filter(|h| h.is_hotfix() && h.base() == id)
                .map(|h| ctx.view(*h, None, &mut warnings))
                .collect();
            view
        })
        .collect();

    let board = Board {
        product: ws.config.workspace.name.clone(),
        year,
        lang,
        now: Timestamp(now),
        today,
        reaction_hours: ws.config.support.reaction_hours,
        releases,
        sla,
        deferred: deferred_items,
    };
    (board, warnings)
}

struct Ctx<'a> {
    ws: &'a Workspace,
    now: DateTime<FixedOffset>,
    today: NaiveDate,
    lang: Lang,
    deferred: &'a [DeferredItem],
}

impl Ctx<'_> {
    /// One release: its file if there is one, else the calendar slot as planned.
    fn view(
        &self,
        id: ReleaseId,
        slot: Option<&ReleaseDates>,
        warnings: &mut Vec<String>,
    ) -> ReleaseView {
        let ws = self.ws;
        let config = &ws.config;
        let file = ws.releases.get(&id);
        let empty = Release::new(id);
        let release = file.unwrap_or(&empty);
        // A file's dates win; a hotfix has no calendar dates of its own.
        let pick = |own: Option<crate::model::dates::Date>, cal: Option<NaiveDate>| {
            own.map(|d| d.0).or(if id.is_hotfix() { None } else { cal })
        };
        let dev_start = pick(release.dev_start, slot.map(|s| s.dev_start));
        let test_start = pick(release.test_start, slot.map(|s| s.test_start));
        let release_date = pick(release.release_date, slot.map(|s| s.release_date));

        let coordination = match (&config.coordination, release_date, id.is_hotfix()) {
            (Some(c), Some(date), false) => {
                let dates = ReleaseDates {
                    id,
                    dev_start: dev_start.unwrap_or(date),
                    test_start: test_start.unwrap_or(date),
                    release_date: date,
                };
                match calendar::coordination(&config.calendar, c, &dates) {
                    Ok(call) => Some(Call {
                        date: call.date,
                        time: call.time,
                        timezone: call.timezone,
                        start: call.start,
                        url: call.url,
                    }),
                    Err(e) => {
                        warnings.push(format!("no coordination call for {id}: {e}"));
                        None
                    }
                }
            }
            _ => None,
        };

        let next_gate = release.stage.next().and_then(|to| {
            let report = gates::evaluate(
                release,
                to,
                Inputs {
                    config,
                    requests: &ws.requests,
                },
                self.now,
            )
            .ok()?;
            let due = match to {
                Stage::Development => dev_start,
                Stage::Test => test_start,
                Stage::Production => release_date,
                Stage::Planned | Stage::Cancelled => None,
            };
            Some(NextGate {
                to,
                due,
                days_left: due.map(|d| (d - self.today).num_days()),
                passed: report.passed,
                checks: report.checks,
            })
        });

        let mut findings = release.findings.clone();
        findings.sort_by_key(|f| f.number);
        let shipped_at = release
            .history
            .iter()
            .rev()
            .find(|h| h.to == Stage::Production && h.from != h.to)
            .map(|h| h.at);
        let burndown =
            if matches!(release.stage, Stage::Test | Stage::Production) || !findings.is_empty() {
                let mut starts: Vec<NaiveDate> = test_start.into_iter().collect();
                starts.extend(release.test_started_at.map(|t| t.0.date_naive()));
                let mut ends: Vec<NaiveDate> = release_date.into_iter().collect();
                ends.extend(shipped_at.map(|t| t.0.date_naive()));
                if release.stage == Stage::Test {
                    // The phase goes on until the release ships, however late.
                    ends.push(self.today);
                }
                burndown(&findings, &starts, &ends, self.today)
            } else {
                None
            };

        ReleaseView {
            id,
            base: id.is_hotfix().then(|| id.base()),
            file: file.is_some(),
            stage: release.stage,
            frozen: release.is_frozen(),
            dev_start,
            test_start,
            release_date,
            shipped_at,
            coordination,
            next_gate,
            load: Load {
                load: crate::model::facts::load(&release.scope, &ws.requests),
                capacity: if file.is_some() {
                    crate::model::facts::capacity(config, release)
                } else {
                    crate::model::facts::configured_capacity(config, id)
                },
                teams: if id.is_hotfix() {
                    Vec::new()
                } else {
                    let caps = crate::model::facts::capacity_by_team(config, id);
                    crate::model::facts::load_by_team(config, &release.scope, &ws.requests)
                        .into_iter()
                        .map(|(team, load)| TeamLoad {
                            capacity: caps.get(&team).copied().unwrap_or(0),
                            team,
                            load,
                        })
                        .collect()
                },
            },
            open_findings: open_counts(&findings),
            deployed: release.deployed.clone(),
            test_started_at: release.test_started_at,
            signoff: release.signoff.clone(),
            scope: release.scope.iter().map(|cr| self.scope_item(cr)).collect(),
            deferred: self
                .deferred
                .iter()
                .filter(|d| d.release == Some(id))
                .cloned()
                .collect(),
            history: release.history.clone(),
            findings,
            burndown,
            hotfixes: Vec::new(),
        }
    }

    fn scope_item(&self, cr: &str) -> ScopeItem {
        let ws = self.ws;
        match ws.requests.get(cr) {
            Some(q) => ScopeItem {
                id: cr.to_owned(),
                title: q.title.clone(),
                text: q.text_in(self.lang.as_str()).0.to_owned(),
                kind: Some(q.kind),
                status: Some(q.status),
                impact: Some(q.impact),
                effort: q.effort,
                score: scoring::score(&ws.config.scoring, q).ok().map(|s| s.total),
                requested_by: q
                    .requested_by
                    .iter()
                    .map(|p| Requester {
                        id: p.to_string(),
                        name: ws
                            .partners
                            .get(p.as_str())
                            .map_or_else(|| p.to_string(), |x| x.name.clone()),
                    })
                    .collect(),
                missing: false,
            },
            None => ScopeItem {
                id: cr.to_owned(),
                title: String::new(),
                text: String::new(),
                kind: None,
                status: None,
                impact: None,
                effort: 0,
                score: None,
                requested_by: Vec::new(),
                missing: true,
            },
        }
    }
}

fn open_counts(findings: &[Finding]) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in findings.iter().filter(|f| f.is_open()) {
        add(&mut c, f.severity);
    }
    c
}

fn add(c: &mut SeverityCounts, s: Severity) {
    match s {
        Severity::Blocker => c.blocker += 1,
        Severity::Major => c.major += 1,
        Severity::Minor => c.minor += 1,
    }
}

/// Open findings per severity at the end of each day, from the earliest of
/// `starts` and the first finding to the latest of `ends` and the last event,
/// counted up to `today`. A finding is open on day `d` when it was raised on or
/// before `d` and not resolved by then; days are those of each timestamp's own
/// offset. `None` when there is nothing to start from.
fn burndown(
    findings: &[Finding],
    starts: &[NaiveDate],
    ends: &[NaiveDate],
    today: NaiveDate,
) -> Option<Burndown> {
    let raised = findings.iter().map(|f| f.raised_at.0.date_naive());
    let resolved = findings
        .iter()
        .filter_map(|f| f.resolved_at.map(|t| t.0.date_naive()));
    let start = starts.iter().copied().chain(raised.clone()).min()?;
    let end = ends
        .iter()
        .copied()
        .chain(raised)
        .chain(resolved)
        .max()
        .unwrap_or(start)
        .max(start);
    let start = start.max(end - chrono::Duration::days(MAX_BURNDOWN_DAYS));
    let mut days = Vec::new();
    let mut d = start;
    while d <= end.min(today) {
        let mut c = SeverityCounts::default();
        for f in findings {
            let open = f.raised_at.0.date_naive() <= d
                && f.resolved_at.is_none_or(|r| r.0.date_naive() > d);
            if open {
                add(&mut c, f.severity);
            }
        }
        days.push(BurndownDay {
            date: d,
            blocker: c.blocker,
            major: c.major,
            minor: c.minor,
        });
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    Some(Burndown { start, end, days })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn ts(s: &str) -> Timestamp {
        Timestamp(DateTime::parse_from_rfc3339(s).expect("timestamp"))
    }

    fn finding(n: u32, severity: Severity, raised: &str, resolved: Option<&str>) -> Finding {
        Finding {
            number: n,
            severity,
            text: format!("finding {n}"),
            raised_at: ts(raised),
            resolved_at: resolved.map(ts),
            request: None,
        }
    }

    #[test]
    fn burndown_counts_open_findings_at_the_end_of_each_day() {
        let findings = [
            finding(
                1,
                Severity::Blocker,
                "2027-02-17T09:00:00+01:00",
                Some("2027-02-19T16:00:00+01:00"),
            ),
            finding(2, Severity::Minor, "2027-02-17T10:00:00+01:00", None),
            // Raised and resolved on the same day: never open at a day's end.
            finding(
                3,
                Severity::Major,
                "2027-02-18T08:00:00+01:00",
                Some("2027-02-18T17:00:00+01:00"),
            ),
        ];
        let b = burndown(
            &findings,
            &[date("2027-02-16")],
            &[date("2027-03-09")],
            date("2027-02-20"),
        )
        .expect("burndown");
        assert_eq!((b.start, b.end), (date("2027-02-16"), date("2027-03-09")));
        let counts: Vec<(u32, u32, u32)> = b
            .days
            .iter()
            .map(|d| (d.blocker, d.major, d.minor))
            .collect();
        assert_eq!(
            counts,
            [(0, 0, 0), (1, 0, 1), (1, 0, 1), (0, 0, 1), (0, 0, 1)],
            "16th to 20th (today)"
        );
    }

    #[test]
    fn burndown_stretches_to_early_findings_but_not_for_years() {
        let early = [finding(
            1,
            Severity::Major,
            "2027-02-10T09:00:00+01:00",
            None,
        )];
        let b = burndown(
            &early,
            &[date("2027-02-16")],
            &[date("2027-03-09")],
            date("2027-03-20"),
        )
        .expect("burndown");
        assert_eq!(b.start, date("2027-02-10"));
        assert_eq!(b.days.len(), 28, "10 Feb to 9 Mar; nothing after the end");
        let ancient = [finding(
            1,
            Severity::Major,
            "2020-01-01T09:00:00+01:00",
            None,
        )];
        let b = burndown(
            &ancient,
            &[date("2027-02-16")],
            &[date("2027-03-09")],
            date("2027-03-20"),
        )
        .expect("burndown");
        assert_eq!((b.end - b.start).num_days(), MAX_BURNDOWN_DAYS);
    }

    #[test]
    fn burndown_of_a_future_test_phase_has_no_days() {
        let b = burndown(
            &[],
            &[date("2027-04-20")],
            &[date("2027-05-11")],
            date("2027-03-20"),
        )
        .expect("burndown");
        assert!(b.days.is_empty());
        assert!(burndown(&[], &[], &[date("2027-05-11")], date("2027-03-20")).is_none());
    }
}
