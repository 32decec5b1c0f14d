//! Stage gates: whether a release may move from its stage to another, as a list of
//! named checks, each met or unmet with a detail a person can act on.
//!
//! It owns the transition rules (one stage forward at a time, back only with a
//! reason, `cancelled` from any stage before production) and the criteria of each
//! gate (DESIGN §5, tuned by `[gates]`), for regular releases and for hotfixes.
//! Pure: it gets the release, the configuration, the requests and `now` from its
//! caller; it reads no files, knows no clock and prints nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::model::release::CheckRecord;
use crate::model::{Config, Id, Release, ReleaseId, Request, Severity, Stage, Status};

/// What the gates need to know beyond the release itself.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub requests: &'a BTreeMap<Id, Request>,
}

/// The outcome of evaluating one transition; the JSON of `gate check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    pub release: ReleaseId,
    pub from: Stage,
    pub to: Stage,
    pub passed: bool,
    pub checks: Vec<CheckRecord>,
}

/// The kind of a permitted transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// One stage forward on the regular path: the gate's checks apply.
    Forward,
    /// Back to an earlier stage (e.g. test → development after a failed test):
    /// needs a reason.
    Back,
    /// To `cancelled`: needs a reason.
    Cancel,
}

/// A transition that is never allowed, forced or not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the release is already in {0}")]
    Same(Stage),
    #[error("{from} → {to} skips a stage; the next stage after {from} is {next}")]
    Skip { from: Stage, to: Stage, next: Stage },
    #[error("a release in {0} does not change stage any more")]
    Final(Stage),
    #[error("a release cannot go back to {0}")]
    Unreachable(Stage),
}

impl TransitionError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> String {
        match self {
            TransitionError::Same(_) => {
                "run `zyklus release show ID` to see where it stands".into()
            }
            TransitionError::Skip { next, .. } => {
                format!("advance one stage at a time: `--to {next}` first")
            }
            TransitionError::Final(_) => {
                "production and cancelled are final; for a fix after production use `zyklus hotfix new`".into()
            }
            TransitionError::Unreachable(_) => {
                "go forward one stage, back to an earlier stage with --reason, or to cancelled with --reason".into()
            }
        }
    }
}

/// Classifies `from → to`.
///
/// # Errors
/// When the transition is never allowed: to the same stage, skipping a stage, out
/// of production or cancelled.
pub fn transition(from: Stage, to: Stage) -> Result<Direction, TransitionError> {
    if from == to {
        return Err(TransitionError::Same(from));
    }
    if matches!(from, Stage::Production | Stage::Cancelled) {
        return Err(TransitionError::Final(from));
    }
    if to == Stage::Cancelled {
        return Ok(Direction::Cancel);
    }
    if from.next() == Some(to) {
        return Ok(Direction::Forward);
    }
    if to < from {
        return Ok(Direction::Back);
    }
    match from.next() {
        Some(next) => Err(TransitionError::Skip { from, to, next }),
        None => Err(TransitionError::Unreachable(to)),
    }
}

/// The stage `gate check|advance` aims at without `--to`: the next on the path.
///
/// # Errors
/// For production and cancelled, which have no next stage.
pub fn default_target(from: Stage) -> Result<Stage, TransitionError> {
    from.next().ok_or(TransitionError::Final(from))
}

/// The minimum test phase in days for this release.
#[must_use]
pub fn min_test_days(release: &Release, config: &Config) -> u32 {
    if release.id.is_hotfix() {
        config.gates.hotfix_min_test_days
    } else {
        config
            .gates
            .min_test_days
            .unwrap_or(config.calendar.test_weeks.saturating_mul(7))
    }
}

/// Whether a sign-off is needed to enter production.
#[must_use]
pub fn signoff_required(release: &Release, config: &Config) -> bool {
    if release.id.is_hotfix() {
        config.gates.hotfix_require_signoff
    } else {
        config.gates.require_signoff
    }
}

/// `n day(s)` for a signed day count.
fn days(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} day")
    } else {
        format!("{n} days")
    }
}

fn check(name: &str, passed: bool, detail: impl Into<String>) -> CheckRecord {
    CheckRecord {
        name: name.into(),
        passed,
        detail: detail.into(),
    }
}

/// Evaluates `release` against the gate into `to` at `now`.
///
/// Backward moves and cancellation have no checks (they pass; the caller asks for
/// a reason). The checks, by gate:
/// - into development: `scope_not_empty`, `scope_accepted`;
/// - into test: `scope_implemented` (status `done`), `test_deployed`;
/// - into production: `test_duration`, `no_open_blocker`, `release_date_reached`,
///   `signoff`.
///
/// # Errors
/// When the transition itself is not allowed (see [`transition`]).
pub fn evaluate(
    release: &Release,
    to: Stage,
    inputs: Inputs<'_>,
    now: DateTime<FixedOffset>,
) -> Result<GateReport, TransitionError> {
    let from = release.stage;
    let checks = match transition(from, to)? {
        Direction::Back | Direction::Cancel => Vec::new(),
        Direction::Forward => match to {
            Stage::Development => into_development(release, inputs),
            Stage::Test => into_test(release, inputs),
            Stage::Production => into_production(release, inputs, now),
            Stage::Planned | Stage::Cancelled => Vec::new(),
        },
    };
    Ok(GateReport {
        release: release.id,
        from,
        to,
        passed: checks.iter().all(|c| c.passed),
        checks,
    })
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn into_development(release: &Release, inputs: Inputs<'_>) -> Vec<CheckRecord> {
    let n = release.scope.len();
    let mut out = vec![check(
        "scope_not_empty",
        n > 0,
        if n == 0 {
            "the scope is empty; add accepted requests (e.g. with `zyklus plan`)".to_owned()
        } else {
            format!("{n} request{} in scope", if n == 1 { "" } else { "s" })
        },
    )];
    let not_accepted: Vec<String> = release
        .scope
        .iter()
        .filter_map(|id| match inputs.requests.get(id.as_str()) {
            None => Some(format!("{id} (no such request)")),
            Some(r) if matches!(r.status, Status::Accepted | Status::Done) => None,
            Some(r) => Some(format!("{id} ({})", r.status)),
        })
        .collect();
    out.push(check(
        "scope_accepted",
        n > 0 && not_accepted.is_empty(),
        if n == 0 {
            "nothing in scope".to_owned()
        } else if not_accepted.is_empty() {
            "every request in scope is accepted".to_owned()
        } else {
            format!(
                "not accepted: {}; accept them (`zyklus request set ID --status accepted`) or take them out",
                list(&not_accepted)
            )
        },
    ));
    out
}

fn into_test(release: &Release, inputs: Inputs<'_>) -> Vec<CheckRecord> {
    let open: Vec<String> = release
        .scope
        .iter()
        .filter_map(|id| match inputs.requests.get(id.as_str()) {
            None => Some(format!("{id} (no such request)")),
            Some(r) if r.status == Status::Done => None,
            Some(r) => Some(format!("{id} ({})", r.status)),
        })
        .collect();
    let mut out = vec![check(
        "scope_implemented",
        open.is_empty(),
        if open.is_empty() {
            match release.scope.len() {
                0 => "the scope is empty".to_owned(),
                1 => "the 1 request in scope is done".to_owned(),
                n => format!("all {n} requests in scope are done"),
            }
        } else {
            format!(
                "not implemented yet: {}; mark {} with `zyklus request set ID --status done`",
                list(&open),
                if open.len() == 1 { "it" } else { "them" }
            )
        },
    )];
    out.push(match release.deployed.as_deref() {
        Some(r) if !r.trim().is_empty() => check(
            "test_deployed",
            true,
            format!("deployed to the test mirror: {r}"),
        ),
        _ => check(
            "test_deployed",
            false,
            "no test deployment recorded; pass --deployed REF (e.g. a git ref) to `gate advance`",
        ),
    });
    out
}

fn into_production(
    release: &Release,
    inputs: Inputs<'_>,
    now: DateTime<FixedOffset>,
) -> Vec<CheckRecord> {
    let config = inputs.config;
    let hotfix = release.id.is_hotfix();
    let mut out = Vec::with_capacity(4);

    let min = min_test_days(release, config);
    out.push(match release.test_started_at {
        _ if min == 0 => check(
            "test_duration",
            true,
            if hotfix {
                "no minimum test phase for hotfixes ([gates] hotfix_min_test_days = 0)"
            } else {
                "no minimum test phase ([gates] min_test_days = 0)"
            },
        ),
        None => check(
            "test_duration",
            false,
            format!(
                "no test start recorded (test_started_at); the test phase must last {min} days"
            ),
        ),
        Some(started) => {
            // Calendar days: the dates count, not the hours. The test start's date
            // (in its own offset) is day 0; on the date `min` days later the
            // minimum is met, at any hour — also at 07:45 on release day.
            let start = started.0.date_naive();
            let today = now.date_naive();
            let tested = (today - start).num_days();
            let until = start.checked_add_days(chrono::Days::new(u64::from(min)));
            let min_days = days(i64::from(min));
            match until {
                Some(until) if today < until => check(
                    "test_duration",
                    false,
                    format!(
                        "tested {tested} of {min_days} since {start}; the minimum is reached on {until}"
                    ),
                ),
                _ => check(
                    "test_duration",
                    true,
                    format!("tested {} since {start}; the minimum is {min_days}", days(tested)),
                ),
            }
        }
    });

    let blockers: Vec<String> = release
        .open_findings()
        .filter(|f| f.severity == Severity::Blocker)
        .map(|f| format!("#{} {}", f.number, f.text))
        .collect();
    out.push(check(
        "no_open_blocker",
        blockers.is_empty(),
        if blockers.is_empty() {
            let open = release.open_findings().count();
            format!(
                "no open blocker ({open} other open finding{})",
                if open == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "open blocker{}: {}; resolve with `zyklus finding resolve {} N`",
                if blockers.len() == 1 { "" } else { "s" },
                list(&blockers),
                release.id
            )
        },
    ));

    if hotfix && !config.gates.hotfix_date_gate {
        out.push(check(
            "release_date_reached",
            true,
            "hotfixes do not wait for a release date ([gates] hotfix_date_gate = false)",
        ));
    } else {
        out.push(match crate::model::facts::release_date(config, release) {
            Some(date) => {
                let today = now.date_naive();
                if today >= date {
                    check(
                        "release_date_reached",
                        true,
                        format!("release date {date} has come"),
                    )
                } else {
                    check(
                        "release_date_reached",
                        false,
                        format!(
                            "release date {date} is {} away",
                            days((date - today).num_days())
                        ),
                    )
                }
            }
            None => check(
                "release_date_reached",
                false,
                "no release date known: the calendar has no such slot and the release file sets no release_date",
            ),
        });
    }

    out.push(if !signoff_required(release, config) {
        check(
            "signoff",
            true,
            match &release.signoff {
                Some(s) => format!("signed off by {s} (not required)"),
                None => "not required by [gates]".to_owned(),
            },
        )
    } else {
        match release.signoff.as_deref() {
            Some(s) if !s.trim().is_empty() => check("signoff", true, format!("signed off by {s}")),
            _ => check(
                "signoff",
                false,
                "no sign-off recorded; pass --signoff NAME to `gate advance`",
            ),
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dates::{Date, Timestamp};
    use crate::model::Finding;

    fn ts(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("timestamp")
    }

    fn config() -> Config {
        toml::from_str("[workspace]\nname = \"T\"\n").expect("config")
    }

    fn request(id: &str, status: Status) -> (Id, Request) {
        let r = Request::for_test(id, status, 3);
        (r.id.clone(), r)
    }

    fn release(stage: Stage) -> Release {
        let mut r = Release::new("2027.1".parse().expect("id"));
        r.stage = stage;
        r.scope = vec!["CR-1".into(), "CR-2".into()];
        r.release_date = Some(Date(
            chrono::NaiveDate::from_ymd_opt(2027, 1, 12).expect("date"),
        ));
        r
    }

    #[test]
    fn transitions() {
        use Stage::*;
        assert_eq!(transition(Planned, Development), Ok(Direction::Forward));
        assert_eq!(transition(Test, Development), Ok(Direction::Back));
        assert_eq!(transition(Test, Cancelled), Ok(Direction::Cancel));
        assert!(matches!(
            transition(Planned, Test),
            Err(TransitionError::Skip { .. })
        ));
        assert_eq!(transition(Test, Test), Err(TransitionError::Same(Test)));
        assert_eq!(
            transition(Production, Cancelled),
            Err(TransitionError::Final(Production))
        );
        assert_eq!(
            transition(Cancelled, Planned),
            Err(TransitionError::Final(Cancelled))
        );
    }

    #[test]
    fn into_development_needs_accepted_scope() {
        let c = config();
        let reqs: BTreeMap<_, _> = [
            request("CR-1", Status::Accepted),
            request("CR-2", Status::Open),
        ]
        .into_iter()
        .collect();
        let i = Inputs {
            config: &c,
            requests: &reqs,
        };
        let now = ts("2026-11-27T10:00:00+01:00");
        let rep = evaluate(&release(Stage::Planned), Stage::Development, i, now).expect("ok");
        assert!(!rep.passed);
        assert!(rep.checks[0].passed);
        assert!(!rep.checks[1].passed);
        assert!(rep.checks[1].detail.contains("CR-2 (open)"));
        let mut empty = release(Stage::Planned);
        empty.scope.clear();
        let rep = evaluate(&empty, Stage::Development, i, now).expect("ok");
        assert!(!rep.checks[0].passed);
    }

    #[test]
    fn into_production_checks_each_criterion() {
        let c = config();
        let reqs: BTreeMap<_, _> = [request("CR-1", Status::Done), request("CR-2", Status::Done)]
            .into_iter()
            .collect();
        let i = Inputs {
            config: &c,
            requests: &reqs,
        };
        let mut r = release(Stage::Test);
        r.test_started_at = Some(Timestamp(ts("2026-12-22T09:00:00+01:00")));
        r.findings.push(Finding {
            number: 1,
            severity: Severity::Blocker,
            text: "crash".into(),
            raised_at: Timestamp(ts("2026-12-23T09:00:00+01:00")),
            resolved_at: None,
            request: None,
        });
        let early =
            evaluate(&r, Stage::Production, i, ts("2027-01-11T10:00:00+01:00")).expect("ok");
        let failed: Vec<&str> = early
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            failed,
            [
                "test_duration",
                "no_open_blocker",
                "release_date_reached",
                "signoff"
            ]
        );
        r.findings[0].resolved_at = Some(Timestamp(ts("2027-01-05T09:00:00+01:00")));
        r.signoff = Some("Anna".into());
        let on_time =
            evaluate(&r, Stage::Production, i, ts("2027-01-12T09:00:00+01:00")).expect("ok");
        assert!(on_time.passed, "{on_time:?}");
    }

    #[test]
    fn the_test_phase_counts_calendar_days() {
        let c = config();
        let reqs: BTreeMap<_, _> = [request("CR-1", Status::Done), request("CR-2", Status::Done)]
            .into_iter()
            .collect();
        let i = Inputs {
            config: &c,
            requests: &reqs,
        };
        let mut r = release(Stage::Test);
        r.test_started_at = Some(Timestamp(ts("2026-12-22T09:00:00+01:00")));
        let duration = |now: &str| {
            let rep = evaluate(&r, Stage::Production, i, ts(now)).expect("ok");
            let c = rep.checks.into_iter().next().expect("test_duration");
            (c.passed, c.detail)
        };
        // Release day, before the hour the test started: 21 calendar days.
        assert_eq!(
            duration("2027-01-12T07:45:00+01:00"),
            (
                true,
                "tested 21 days since 2026-12-22; the minimum is 21 days".to_owned()
            )
        );
        assert_eq!(
            duration("2027-01-11T23:59:00+01:00"),
            (
                false,
                "tested 20 of 21 days since 2026-12-22; the minimum is reached on 2027-01-12"
                    .to_owned()
            )
        );
    }

    #[test]
    fn hotfixes_skip_duration_and_date() {
        let c = config();
        let reqs: BTreeMap<_, _> = [request("CR-1", Status::Done)].into_iter().collect();
        let i = Inputs {
            config: &c,
            requests: &reqs,
        };
        let mut r = Release::new("2027.1.1".parse().expect("id"));
        r.stage = Stage::Test;
        r.scope = vec!["CR-1".into()];
        r.signoff = Some("Anna".into());
        let rep = evaluate(&r, Stage::Production, i, ts("2026-11-27T10:00:00+01:00")).expect("ok");
        assert!(rep.passed, "{rep:?}");
    }
}
