//! The facts of a release, in one place: its dates, when it went to production,
//! its capacity and load, whether its scope is frozen. `plan`, `gate`, `release`,
//! `notes`, `changelog`, `announce`, `agenda` and the board all ask these
//! functions, so they cannot disagree.
//!
//! The rules:
//! - a regular release's dates are its file's, else the calendar's for its slot;
//! - a hotfix (`2027.1.1`) has no development or test start of its own unless its
//!   file says so; its release date is the moment it entered production (from its
//!   history), else its file's `release_date`, else its base release's date;
//! - capacity is the file's `capacity`, else `[capacity] releases."ID"`, else
//!   `[capacity] default`, else (with `[capacity.teams]`) the sum of the teams'
//!   capacities, else 40; load is the sum of the scope's efforts;
//! - a team's capacity is its `releases."ID"`, else its `default` (only
//!   `zyklus.toml` sets it); a team's load is the sum of the scope's efforts for
//!   that team (`team` or `[team_effort]`); a request without a team counts
//!   against the total only.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar;
use super::config::DEFAULT_CAPACITY;
use super::dates::Timestamp;
use super::{Config, Id, Release, ReleaseId, Request, Stage};

/// The dates of a release as everyone should see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dates {
    pub dev_start: Option<NaiveDate>,
    pub test_start: Option<NaiveDate>,
    pub release_date: Option<NaiveDate>,
}

/// When `release` entered production: the last history entry into production.
#[must_use]
pub fn entered_production(release: &Release) -> Option<Timestamp> {
    release
        .history
        .iter()
        .rev()
        .find(|h| h.to == Stage::Production && h.from != Stage::Production)
        .map(|h| h.at)
}

/// When `release` entered test: `test_started_at`, else the last history entry
/// into test.
#[must_use]
pub fn entered_test(release: &Release) -> Option<Timestamp> {
    release.test_started_at.or_else(|| {
        release
            .history
            .iter()
            .rev()
            .find(|h| h.to == Stage::Test && h.from != Stage::Test)
            .map(|h| h.at)
    })
}

/// The dates of release `id`, with its file when there is one.
#[must_use]
pub fn dates(config: &Config, id: ReleaseId, release: Option<&Release>) -> Dates {
    let cal = calendar::dates(&config.calendar, id).ok();
    let file = |f: fn(&Release) -> Option<super::dates::Date>| release.and_then(f).map(|d| d.0);
    if id.is_hotfix() {
        let in_production = release
            .and_then(entered_production)
            .map(|t| t.0.date_naive());
        return Dates {
            dev_start: file(|r| r.dev_start),
            test_start: file(|r| r.test_start),
            release_date: in_production
                .or_else(|| file(|r| r.release_date))
                .or(cal.map(|c| c.release_date)),
        };
    }
    Dates {
        dev_start: file(|r| r.dev_start).or(cal.map(|c| c.dev_start)),
        test_start: file(|r| r.test_start).or(cal.map(|c| c.test_start)),
        release_date: file(|r| r.release_date).or(cal.map(|c| c.release_date)),
    }
}

/// The release date of `release` (see the module rules).
#[must_use]
pub fn release_date(config: &Config, release: &Release) -> Option<NaiveDate> {
    dates(config, release.id, Some(release)).release_date
}

/// The configured capacity of a release id (without a file).
#[must_use]
pub fn configured_capacity(config: &Config, id: ReleaseId) -> u64 {
    let c = &config.capacity;
    if let Some(n) = c.releases.get(&id.to_string()) {
        return *n;
    }
    match c.default {
        Some(n) => n,
        None if c.teams.is_empty() => DEFAULT_CAPACITY,
        None => capacity_by_team(config, id).values().sum(),
    }
}

/// The capacity of every configured team in release `id` (empty without teams).
#[must_use]
pub fn capacity_by_team(config: &Config, id: ReleaseId) -> BTreeMap<String, u64> {
    let key = id.to_string();
    config
        .capacity
        .teams
        .iter()
        .map(|(team, c)| {
            let units = c.releases.get(&key).copied().unwrap_or(c.default);
            (team.clone(), u64::try_from(units).unwrap_or(0))
        })
        .collect()
}

/// The load of every configured team from `scope` (0 for a team without work
/// there; empty without teams). Requests without a team count for no team.
#[must_use]
pub fn load_by_team<S: AsRef<str>>(
    config: &Config,
    scope: &[S],
    requests: &BTreeMap<Id, Request>,
) -> BTreeMap<String, u64> {
    let mut out: BTreeMap<String, u64> = config
        .capacity
        .teams
        .keys()
        .map(|t| (t.clone(), 0))
        .collect();
    for r in scope.iter().filter_map(|id| requests.get(id.as_ref())) {
        for (team, units) in &r.team_effort {
            *out.entry(team.clone()).or_default() += units;
        }
    }
    out
}

/// The capacity of a release: its file's, else the configured one.
#[must_use]
pub fn capacity(config: &Config, release: &Release) -> u64 {
    release
        .capacity
        .unwrap_or_else(|| configured_capacity(config, release.id))
}

/// The effort sum of a scope; unknown ids count 0.
#[must_use]
pub fn load<S: AsRef<str>>(scope: &[S], requests: &BTreeMap<Id, Request>) -> u64 {
    scope
        .iter()
        .filter_map(|id| requests.get(id.as_ref()))
        .map(|r| u64::from(r.effort))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dates::Date;
    use crate::model::release::HistoryEntry;

    fn config() -> Config {
        toml::from_str("[workspace]\nname = \"T\"\n").expect("config")
    }

    fn request(id: &str, effort: u32) -> Request {
        Request::for_test(id, crate::model::Status::Open, effort)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn entry(from: Stage, to: Stage, at: &str) -> HistoryEntry {
        HistoryEntry::new(
            from,
            to,
            Timestamp(chrono::DateTime::parse_from_rfc3339(at).expect("time")),
            "t".into(),
        )
    }

    #[test]
    fn team_capacities_and_the_total_they_make() {
        let c: Config = toml::from_str(
            "[workspace]\nname = \"T\"\n[capacity.teams]\nbackend = { default = 24, releases = { \"2027.4\" = 16 } }\nfrontend = { default = 16 }\n",
        )
        .expect("config");
        let r4: ReleaseId = "2027.4".parse().expect("id");
        let r5: ReleaseId = "2027.5".parse().expect("id");
        assert_eq!(configured_capacity(&c, r4), 32);
        assert_eq!(configured_capacity(&c, r5), 40);
        assert_eq!(
            capacity_by_team(&c, r4),
            BTreeMap::from([("backend".to_owned(), 16), ("frontend".to_owned(), 16)])
        );
        assert_eq!(configured_capacity(&config(), r4), DEFAULT_CAPACITY);
        let mut q: BTreeMap<Id, Request> = BTreeMap::new();
        let mut a = request("CR-1", 5);
        a.team_effort = BTreeMap::from([("backend".to_owned(), 3), ("frontend".to_owned(), 2)]);
        let b = request("CR-2", 4);
        q.insert(a.id.clone(), a);
        q.insert(b.id.clone(), b);
        assert_eq!(
            load_by_team(&c, &["CR-1", "CR-2"], &q),
            BTreeMap::from([("backend".to_owned(), 3), ("frontend".to_owned(), 2)])
        );
        assert_eq!(load(&["CR-1", "CR-2"], &q), 9);
    }

    #[test]
    fn a_regular_release_takes_the_calendar_unless_its_file_says_otherwise() {
        let c = config();
        let id: ReleaseId = "2027.1".parse().expect("id");
        let cal = dates(&c, id, None);
        assert_eq!(cal.release_date, Some(d("2027-01-12")));
        let mut r = Release::new(id);
        r.release_date = Some(Date(d("2027-01-19")));
        assert_eq!(release_date(&c, &r), Some(d("2027-01-19")));
        assert_eq!(dates(&c, id, Some(&r)).test_start, cal.test_start);
    }

    #[test]
    fn a_hotfix_is_released_when_it_entered_production() {
        let c = config();
        let id: ReleaseId = "2027.1.1".parse().expect("id");
        let mut r = Release::new(id);
        // Not yet in production: its base release's date.
        assert_eq!(release_date(&c, &r), Some(d("2027-01-12")));
        assert_eq!(dates(&c, id, Some(&r)).test_start, None);
        r.history.push(entry(
            Stage::Planned,
            Stage::Test,
            "2027-02-03T09:00:00+01:00",
        ));
        r.history.push(entry(
            Stage::Test,
            Stage::Production,
            "2027-02-04T18:30:00+01:00",
        ));
        assert_eq!(release_date(&c, &r), Some(d("2027-02-04")));
        assert_eq!(
            entered_test(&r).map(|t| t.0.date_naive()),
            Some(d("2027-02-03"))
        );
    }
}
