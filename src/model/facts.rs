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
//!   `[capacity] default`; load is the sum of the scope's efforts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar;
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
    config
        .capacity
        .releases
        .get(&id.to_string())
        .copied()
        .unwrap_or(config.capacity.default)
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

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn entry(from: Stage, to: Stage, at: &str) -> HistoryEntry {
        HistoryEntry {
            from,
            to,
            at: Timestamp(chrono::DateTime::parse_from_rfc3339(at).expect("time")),
            by: "t".into(),
            note: String::new(),
            forced: false,
            reason: String::new(),
            checks: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            deployed: None,
            signoff: None,
            accepted: Vec::new(),
        }
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
