//! The release calendar: which day each slot `YYYY.N` ships, and the dates derived
//! from it (development start, code freeze = test start). It owns the rule of
//! `[calendar]` (months × weekday × week of month, or an explicit `dates` list),
//! the shift of weekend/holiday dates to the next working day, and the semantic
//! checks of that section. Pure: it reads no files, knows no clock (callers pass
//! the date of `now`) and prints nothing.
//!
//! Working days for release dates are Monday to Friday minus `calendar.holidays`.
//! A rule date for `week_of_month = ±5` in a month without a fifth such weekday
//! falls back to the last (resp. first) one of the month. With an explicit list,
//! slot 1 of the first listed year starts development on 1 January (there is no
//! previous release to count from).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use super::config::{CalendarConfig, CoordinationConfig};
use super::dates::Weekday;
use super::id::ReleaseId;

/// The dates of one regular release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReleaseDates {
    pub id: ReleaseId,
    /// The day after the previous release's date.
    pub dev_start: NaiveDate,
    /// Code freeze: the release date minus `test_weeks` weeks.
    pub test_start: NaiveDate,
    /// The (working) day the release goes to production.
    pub release_date: NaiveDate,
}

/// Why the calendar cannot say when a release is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The `[calendar]` section is inconsistent; `key` is its path in zyklus.toml.
    #[error("calendar.{key}: {message}")]
    Config { key: String, message: String },
    /// An explicit `dates` list has no dates for the year.
    #[error("calendar.dates lists no release dates for {year}")]
    NoDates { year: i32 },
    /// The slot of a release id is beyond `releases_per_year`.
    #[error("release {id} does not exist: the calendar has {per_year} releases a year")]
    NoSuchSlot { id: ReleaseId, per_year: u32 },
    /// A year outside what the calendar can compute (1971..=9998).
    #[error("year {year} is outside the calendar (1971–9998)")]
    YearOutOfRange { year: i32 },
}

impl CalendarError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            CalendarError::Config { .. } => {
                "fix [calendar] in zyklus.toml; `zyklus validate` shows the line"
            }
            CalendarError::NoDates { .. } => {
                "add that year's release dates to calendar.dates, or remove `dates` to use the rule"
            }
            CalendarError::NoSuchSlot { .. } => "use a slot from 1 to calendar.releases_per_year",
            CalendarError::YearOutOfRange { .. } => "pick a year between 1971 and 9998",
        }
    }
}

/// A problem with `[calendar]`: key path (e.g. `calendar.months`), message, hint.
pub type Problem = (String, String, String);

const FIRST_YEAR: i32 = 1971;
const LAST_YEAR: i32 = 9998;
/// The longest test phase, in weeks (`calendar.test_weeks` is 1 to this).
pub const MAX_TEST_WEEKS: u32 = 52;

/// Whether `d` is a working day: its weekday is in `workdays` and it is not one of
/// `calendar.holidays`.
#[must_use]
pub fn is_workday(config_calendar: &CalendarConfig, workdays: &[Weekday], d: NaiveDate) -> bool {
    let wd = d.weekday();
    workdays.iter().any(|w| chrono::Weekday::from(*w) == wd)
        && !config_calendar.holidays.iter().any(|h| h.0 == d)
}

const MON_FRI: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

/// `d`, or the next working day (Mon–Fri minus holidays) after it.
fn next_workday(config: &CalendarConfig, d: NaiveDate) -> NaiveDate {
    let mut d = d;
    // Holidays are finite, so this ends; the bound guards against absurd lists.
    for _ in 0..400 {
        if is_workday(config, &MON_FRI, d) {
            return d;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => return d,
        }
    }
    d
}

/// The `week`-th (1..=5, or −1..=−5 from the end) `weekday` of `month`/`year`;
/// ±5 falls back to the last/first one when the month has only four.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, week: i32) -> Option<NaiveDate> {
    let wd = chrono::Weekday::from(weekday);
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next_month = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = next_month.pred_opt()?;
    let mut all = Vec::with_capacity(5);
    let mut d = first;
    while d <= last {
        if d.weekday() == wd {
            all.push(d);
        }
        d = d.succ_opt()?;
    }
    let n = all.len();
    let idx = if week > 0 {
        usize::try_from(week - 1).ok()?.min(n - 1)
    } else {
        n - usize::try_from(-week).ok()?.min(n)
    };
    all.get(idx).copied()
}

/// Structural checks that need no year: the shape of the rule or the list.
fn structural_problems(config: &CalendarConfig) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |key: &str, msg: String, hint: &str| {
        out.push((format!("calendar.{key}"), msg, hint.to_owned()));
    };
    let n = config.releases_per_year;
    if !(1..=12).contains(&n) {
        bad(
            "releases_per_year",
            format!("releases_per_year is {n}; it must be between 1 and 12"),
            "e.g. releases_per_year = 6",
        );
    }
    if config.test_weeks == 0 {
        bad(
            "test_weeks",
            "test_weeks is 0: every release needs a test phase".into(),
            "e.g. test_weeks = 3",
        );
    } else if config.test_weeks > MAX_TEST_WEEKS {
        bad(
            "test_weeks",
            format!(
                "test_weeks is {}; a test phase is at most {MAX_TEST_WEEKS} weeks (a year)",
                config.test_weeks
            ),
            "e.g. test_weeks = 3",
        );
    }
    if config.dates.is_empty() {
        if config.months.len() != n as usize {
            bad(
                "months",
                format!(
                    "months lists {} but releases_per_year is {n}",
                    match config.months.len() {
                        1 => "1 month".to_owned(),
                        k => format!("{k} months"),
                    }
                ),
                "list one month per release slot, e.g. months = [1, 3, 5, 7, 9, 11]",
            );
        }
        if let Some(m) = config.months.iter().find(|m| !(1..=12).contains(*m)) {
            bad(
                "months",
                format!("month {m} does not exist"),
                "months are numbered 1 (January) to 12 (December)",
            );
        } else if config.months.windows(2).any(|w| w[0] >= w[1]) {
            bad(
                "months",
                "months must be strictly increasing (slot 1 is the first release of the year)"
                    .into(),
                "sort the months and remove duplicates, e.g. [1, 3, 5, 7, 9, 11]",
            );
        }
        let w = config.week_of_month;
        if w == 0 || !(-5..=5).contains(&w) {
            bad(
                "week_of_month",
                format!("week_of_month is {w}; it must be 1 to 5, or −1 to −5 counting from the end of the month"),
                "e.g. week_of_month = 2 (the second), or -1 (the last)",
            );
        }
    } else {
        let dates: Vec<NaiveDate> = config.dates.iter().map(|d| d.0).collect();
        if let Some(w) = dates.windows(2).find(|w| w[0] >= w[1]) {
            bad(
                "dates",
                format!("the dates are not in order: {} comes after {}", w[1], w[0]),
                "list the release dates in ascending order, each once",
            );
        }
        let mut years: Vec<i32> = dates.iter().map(Datelike::year).collect();
        years.dedup();
        for y in years {
            let count = dates.iter().filter(|d| d.year() == y).count();
            if count != n as usize {
                bad(
                    "dates",
                    format!(
                        "dates lists {count} release {} in {y}, but releases_per_year is {n}",
                        if count == 1 { "date" } else { "dates" }
                    ),
                    "list exactly releases_per_year dates for every year in the list",
                );
            }
            if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
                bad(
                    "dates",
                    format!("the year {y} is outside the calendar (1971–9998)"),
                    "check the year of the date",
                );
            }
        }
    }
    out
}

fn check_year(year: i32) -> Result<(), CalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange { year })
    }
}

fn structural(config: &CalendarConfig) -> Result<(), CalendarError> {
    match structural_problems(config).into_iter().next() {
        None => Ok(()),
        Some((key, message, _)) => Err(CalendarError::Config {
            key: key.trim_start_matches("calendar.").to_owned(),
            message,
        }),
    }
}

/// The release dates of `year`'s slots, in order, after the working-day shift.
fn release_days(config: &CalendarConfig, year: i32) -> Result<Vec<NaiveDate>, CalendarError> {
    check_year(year)?;
    if config.dates.is_empty() {
        config
            .months
            .iter()
            .map(|&m| {
                nth_weekday(year, m, config.weekday, config.week_of_month)
                    .map(|d| next_workday(config, d))
                    .ok_or_else(|| CalendarError::Config {
                        key: "months".into(),
                        message: format!("month {m} does not exist"),
                    })
            })
            .collect()
    } else {
        let days: Vec<NaiveDate> = config
            .dates
            .iter()
            .filter(|d| d.0.year() == year)
            .map(|d| next_workday(config, d.0))
            .collect();
        if days.is_empty() {
            Err(CalendarError::NoDates { year })
        } else {
            Ok(days)
        }
    }
}

/// The release date before slot 1 of `year`: the last release of the year before,
/// or (explicit list without that year) `None`.
fn previous_release(config: &CalendarConfig, year: i32) -> Option<NaiveDate> {
    if year - 1 < FIRST_YEAR {
        return None;
    }
    release_days(config, year - 1).ok()?.last().copied()
}

/// Code freeze: `test_weeks` before the release. Saturates at chrono's first day
/// rather than overflow (only an unchecked configuration gets there; `problems`
/// refuses a `test_weeks` over [`MAX_TEST_WEEKS`]).
fn test_start(config: &CalendarConfig, release: NaiveDate) -> NaiveDate {
    release
        .checked_sub_days(chrono::Days::new(7 * u64::from(config.test_weeks)))
        .unwrap_or(NaiveDate::MIN)
}

/// The `releases_per_year` releases of `year`, slot 1 first.
///
/// # Errors
/// When `[calendar]` is inconsistent ([`CalendarError::Config`]), an explicit list
/// has no dates for `year`, or `year` is out of range.
pub fn year(config: &CalendarConfig, year: i32) -> Result<Vec<ReleaseDates>, CalendarError> {
    structural(config)?;
    let days = release_days(config, year)?;
    let mut prev = previous_release(config, year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.pred_opt()));
    let mut out = Vec::with_capacity(days.len());
    for (i, &release_date) in days.iter().enumerate() {
        let slot = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let dev_start = prev.and_then(|p| p.succ_opt()).unwrap_or(release_date);
        out.push(ReleaseDates {
            id: ReleaseId::new(year, slot),
            dev_start,
            test_start: test_start(config, release_date),
            release_date,
        });
        prev = Some(release_date);
    }
    Ok(out)
}

/// The dates of one regular release. For a hotfix id (`2027.3.1`) this returns the
/// dates of its base release, with the base's id.
///
/// # Errors
/// As [`year`], and [`CalendarError::NoSuchSlot`] for a slot beyond
/// `releases_per_year`.
pub fn dates(config: &CalendarConfig, id: ReleaseId) -> Result<ReleaseDates, CalendarError> {
    let base = id.base();
    let all = year(config, base.year)?;
    all.into_iter()
        .find(|r| r.id == base)
        .ok_or(CalendarError::NoSuchSlot {
            id: base,
            per_year: config.releases_per_year,
        })
}

/// The next `n` releases whose release date is after `after` (the date of `now`),
/// across years.
///
/// # Errors
/// As [`year`]; with an explicit list, [`CalendarError::NoDates`] when the list
/// ends before `n` releases are found.
pub fn upcoming(
    config: &CalendarConfig,
    after: NaiveDate,
    n: usize,
) -> Result<Vec<ReleaseDates>, CalendarError> {
    structural(config)?;
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return Ok(out);
    }
    // A release shifted past New Year can sit in the next calendar year, so start
    // one year early. An explicit list is walked over its own years (it may skip
    // some); the rule over every year.
    let first = (after.year() - 1).max(FIRST_YEAR);
    let years: Vec<i32> = if config.dates.is_empty() {
        (first..=LAST_YEAR).collect()
    } else {
        let mut ys: Vec<i32> = config
            .dates
            .iter()
            .map(|d| d.0.year())
            .filter(|y| *y >= first)
            .collect();
        ys.dedup();
        ys
    };
    for y in &years {
        for r in year(config, *y)? {
            if r.release_date > after {
                out.push(r);
                if out.len() == n {
                    return Ok(out);
                }
            }
        }
    }
    let next = years.last().map_or(after.year(), |y| y + 1);
    Err(if config.dates.is_empty() {
        CalendarError::YearOutOfRange { year: next }
    } else {
        CalendarError::NoDates { year: next }
    })
}

/// Every problem with `[calendar]`, as `(key path, message, hint)`: the structural
/// ones, and for the rule (checked over a whole 28-year weekday cycle and every year
/// with a holiday) or the list, dates that are not strictly increasing and test
/// phases longer than the gap since the previous release.
#[must_use]
pub fn problems(config: &CalendarConfig) -> Vec<Problem> {
    let mut out = structural_problems(config);
    if config.timezone.parse::<Tz>().is_err() {
        out.push((
            "calendar.timezone".into(),
            format!("`{}` is not an IANA time zone", config.timezone),
            "e.g. timezone = \"Europe/Vienna\"".into(),
        ));
    }
    if !out.is_empty() {
        return out;
    }
    let mut years: Vec<i32> = if config.dates.is_empty() {
        let mut ys: Vec<i32> = (2024..2024 + 28).collect();
        ys.extend(config.holidays.iter().map(|h| h.0.year()));
        ys.extend(config.holidays.iter().map(|h| h.0.year() + 1));
        ys
    } else {
        config.dates.iter().map(|d| d.0.year()).collect()
    };
    years.retain(|y| (FIRST_YEAR..=LAST_YEAR).contains(y));
    years.sort_unstable();
    years.dedup();
    let key = if config.dates.is_empty() {
        "calendar.test_weeks"
    } else {
        "calendar.dates"
    };
    for y in years {
        let Ok(releases) = year(config, y) else {
            continue;
        };
        for r in &releases {
            if r.release_date < r.dev_start {
                out.push((
                    key.to_owned(),
                    format!(
                        "release {} on {} is not after the release before it (moved to the next working day, they collide)",
                        r.id, r.release_date
                    ),
                    "space the releases further apart, or adjust the holidays".into(),
                ));
                return out;
            }
            if r.test_start < r.dev_start {
                out.push((
                    "calendar.test_weeks".to_owned(),
                    format!(
                        "the test phase of {} ({} weeks, from {}) starts before the release before it ships ({})",
                        r.id,
                        config.test_weeks,
                        r.test_start,
                        r.dev_start.pred_opt().unwrap_or(r.dev_start)
                    ),
                    "shorten test_weeks or space the releases further apart".into(),
                ));
                return out;
            }
        }
    }
    out
}

/// The release coordination call with partners before one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoordinationCall {
    pub release: ReleaseId,
    /// The day of the call: `days_before_release` before the release date, moved
    /// back to the previous working day if it is not one.
    pub date: NaiveDate,
    /// Local time of day, `HH:MM`.
    pub time: String,
    /// IANA time zone of `date` and `time`.
    pub timezone: String,
    /// The start as an instant with its UTC offset in that zone.
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub duration_minutes: u32,
    pub url: Option<String>,
    pub languages: Vec<String>,
}

/// The time zone of the coordination calls: `coordination.timezone`, else
/// `calendar.timezone`.
#[must_use]
pub fn coordination_timezone<'a>(
    calendar: &'a CalendarConfig,
    coordination: &'a CoordinationConfig,
) -> &'a str {
    coordination
        .timezone
        .as_deref()
        .unwrap_or(&calendar.timezone)
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// `d`, or the closest working day (Mon–Fri minus holidays) before it.
fn previous_workday(config: &CalendarConfig, d: NaiveDate) -> NaiveDate {
    let mut d = d;
    for _ in 0..400 {
        if is_workday(config, &MON_FRI, d) {
            return d;
        }
        match d.pred_opt() {
            Some(p) => d = p,
            None => return d,
        }
    }
    d
}

/// The coordination call before `release`.
///
/// # Errors
/// [`CalendarError::Config`] when the time zone is unknown or `time` is not `HH:MM`.
pub fn coordination(
    calendar: &CalendarConfig,
    config: &CoordinationConfig,
    release: &ReleaseDates,
) -> Result<CoordinationCall, CalendarError> {
    let tz_name = coordination_timezone(calendar, config);
    let tz: Tz = tz_name.parse().map_err(|_| CalendarError::Config {
        key: "timezone".into(),
        message: format!("`{tz_name}` is not an IANA time zone"),
    })?;
    let time = parse_time(&config.time).ok_or_else(|| CalendarError::Config {
        key: "time".into(),
        message: format!("coordination.time `{}` is not HH:MM", config.time),
    })?;
    let date = previous_workday(
        calendar,
        release
            .release_date
            .checked_sub_days(chrono::Days::new(u64::from(config.days_before_release)))
            .unwrap_or(NaiveDate::MIN),
    );
    let local = date.and_time(time);
    // In a DST gap the wall-clock time does not exist: take the hour after.
    let start = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            let later = local.checked_add_signed(Duration::hours(1))?;
            tz.from_local_datetime(&later).earliest()
        })
        .ok_or_else(|| CalendarError::Config {
            key: "time".into(),
            message: format!("{local} does not exist in {tz_name}"),
        })?;
    let start = start.fixed_offset();
    let end = start
        .with_timezone(&tz)
        .checked_add_signed(Duration::minutes(i64::from(config.duration_minutes)))
        .map_or(start, |e| e.fixed_offset());
    Ok(CoordinationCall {
        release: release.id,
        date,
        time: time.format("%H:%M").to_string(),
        timezone: tz.name().to_owned(),
        start,
        end,
        duration_minutes: config.duration_minutes,
        url: config.url.clone(),
        languages: config.languages.clone(),
    })
}

/// Problems with `[coordination]`, as `(key path, message, hint)`.
#[must_use]
pub fn coordination_problems(config: &CoordinationConfig) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(tz) = &config.timezone {
        if tz.parse::<Tz>().is_err() {
            out.push((
                "coordination.timezone".into(),
                format!("`{tz}` is not an IANA time zone"),
                "e.g. timezone = \"Europe/Vienna\"".into(),
            ));
        }
    }
    if parse_time(&config.time).is_none() {
        out.push((
            "coordination.time".into(),
            format!("`{}` is not a time of day as HH:MM", config.time),
            "e.g. time = \"10:00\"".into(),
        ));
    }
    if config.duration_minutes == 0 || config.duration_minutes > 24 * 60 {
        out.push((
            "coordination.duration_minutes".into(),
            format!(
                "duration_minutes is {}; it must be 1 to 1440",
                config.duration_minutes
            ),
            "e.g. duration_minutes = 60".into(),
        ));
    }
    if config.days_before_release > 366 {
        out.push((
            "coordination.days_before_release".into(),
            format!(
                "days_before_release is {}; the call must be within a year of the release",
                config.days_before_release
            ),
            "e.g. days_before_release = 7".into(),
        ));
    }
    if let Some(url) = &config.url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            out.push((
                "coordination.url".into(),
                format!("`{url}` is not an http(s) URL"),
                "e.g. url = \"https://meet.example.com/release\"".into(),
            ));
        }
    }
    for l in &config.languages {
        if let Err(e) = super::lang::check(l) {
            out.push((
                "coordination.languages".into(),
                e,
                "use language tags such as \"de\", \"de-AT\" or \"en-GB\"".into(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dates::Date;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn example() -> CalendarConfig {
        CalendarConfig {
            holidays: [
                "2027-01-01",
                "2027-01-06",
                "2027-05-01",
                "2027-05-06",
                "2027-12-08",
            ]
            .iter()
            .map(|s| Date(d(s)))
            .collect(),
            ..CalendarConfig::default()
        }
    }

    #[test]
    fn second_tuesday_of_odd_months() {
        let rs = year(&example(), 2027).expect("calendar");
        let got: Vec<String> = rs.iter().map(|r| r.release_date.to_string()).collect();
        assert_eq!(
            got,
            [
                "2027-01-12",
                "2027-03-09",
                "2027-05-11",
                "2027-07-13",
                "2027-09-14",
                "2027-11-09"
            ]
        );
        assert_eq!(rs[0].id.to_string(), "2027.1");
        assert_eq!(rs[0].test_start, d("2026-12-22"));
        // 2026.6 is the second Tuesday of November 2026.
        assert_eq!(rs[0].dev_start, d("2026-11-11"));
        assert_eq!(rs[1].dev_start, d("2027-01-13"));
    }

    #[test]
    fn holidays_and_weekends_move_to_next_working_day() {
        let mut c = example();
        c.holidays.push(Date(d("2027-03-09")));
        c.holidays.push(Date(d("2027-03-10")));
        let rs = year(&c, 2027).expect("calendar");
        assert_eq!(rs[1].release_date, d("2027-03-11"));
        c.weekday = Weekday::Sat;
        let rs = year(&c, 2027).expect("calendar");
        assert!(rs
            .iter()
            .all(|r| r.release_date.weekday() == chrono::Weekday::Mon));
    }

    #[test]
    fn last_weekday_and_fifth_fallback() {
        let c = CalendarConfig {
            week_of_month: -1,
            weekday: Weekday::Fri,
            ..CalendarConfig::default()
        };
        let rs = year(&c, 2027).expect("calendar");
        assert_eq!(rs[0].release_date, d("2027-01-29"));
        let c = CalendarConfig {
            week_of_month: 5,
            ..CalendarConfig::default()
        };
        // March 2027 has five Tuesdays (30th); January 2027 has four (last: 26th).
        let rs = year(&c, 2027).expect("calendar");
        assert_eq!(rs[0].release_date, d("2027-01-26"));
        assert_eq!(rs[1].release_date, d("2027-03-30"));
    }

    #[test]
    fn explicit_dates_and_other_counts() {
        let c = CalendarConfig {
            releases_per_year: 2,
            dates: ["2027-02-02", "2027-08-07", "2028-02-01", "2028-08-01"]
                .iter()
                .map(|s| Date(d(s)))
                .collect(),
            ..CalendarConfig::default()
        };
        assert!(problems(&c).is_empty(), "{:?}", problems(&c));
        let rs = year(&c, 2027).expect("calendar");
        // 2027-08-07 is a Saturday.
        assert_eq!(rs[1].release_date, d("2027-08-09"));
        assert_eq!(rs[0].dev_start, d("2027-01-01"));
        let rs = year(&c, 2028).expect("calendar");
        assert_eq!(rs[0].dev_start, d("2027-08-10"));
        assert_eq!(
            year(&c, 2029).expect_err("error"),
            CalendarError::NoDates { year: 2029 }
        );
        let up = upcoming(&c, d("2027-08-09"), 2).expect("upcoming");
        assert_eq!(up[0].id.to_string(), "2028.1");
        assert_eq!(
            upcoming(&c, d("2027-08-09"), 3).expect_err("list ends"),
            CalendarError::NoDates { year: 2029 }
        );
        // A list may skip years.
        let gap = CalendarConfig {
            releases_per_year: 1,
            dates: vec![Date(d("2027-06-01")), Date(d("2030-06-04"))],
            ..CalendarConfig::default()
        };
        let up = upcoming(&gap, d("2027-07-01"), 1).expect("upcoming");
        assert_eq!(up[0].id.to_string(), "2030.1");
        assert_eq!(up[0].dev_start, d("2030-01-01"));
    }

    #[test]
    fn quarterly_rule() {
        let c = CalendarConfig {
            releases_per_year: 4,
            months: vec![2, 5, 8, 11],
            ..CalendarConfig::default()
        };
        assert!(problems(&c).is_empty());
        assert_eq!(year(&c, 2027).expect("calendar").len(), 4);
        assert_eq!(
            dates(&c, "2027.4".parse().expect("id"))
                .expect("dates")
                .release_date,
            d("2027-11-09")
        );
        assert!(matches!(
            dates(&c, "2027.5".parse().expect("id")),
            Err(CalendarError::NoSuchSlot { .. })
        ));
    }

    #[test]
    fn hotfix_ids_give_the_base_release() {
        let c = example();
        let r = dates(&c, "2027.3.1".parse().expect("id")).expect("dates");
        assert_eq!(r.id.to_string(), "2027.3");
    }

    #[test]
    fn upcoming_crosses_years() {
        let up = upcoming(&example(), d("2026-11-27"), 3).expect("upcoming");
        let ids: Vec<String> = up.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(ids, ["2027.1", "2027.2", "2027.3"]);
        let up = upcoming(&example(), d("2027-01-12"), 1).expect("upcoming");
        assert_eq!(up[0].id.to_string(), "2027.2");
    }

    #[test]
    #[allow(clippy::field_reassign_with_default)]
    fn bad_configs_name_their_key() {
        let keys = |c: &CalendarConfig| -> Vec<String> {
            problems(c).into_iter().map(|(k, _, _)| k).collect()
        };
        let mut c = CalendarConfig::default();
        c.months = vec![1, 3, 5];
        assert_eq!(keys(&c), ["calendar.months"]);
        c.months = vec![1, 3, 5, 7, 9, 13];
        assert_eq!(keys(&c), ["calendar.months"]);
        c.months = vec![1, 3, 5, 7, 11, 9];
        assert_eq!(keys(&c), ["calendar.months"]);
        let mut c = CalendarConfig::default();
        c.week_of_month = 0;
        assert_eq!(keys(&c), ["calendar.week_of_month"]);
        c.week_of_month = -6;
        assert_eq!(keys(&c), ["calendar.week_of_month"]);
        let mut c = CalendarConfig::default();
        c.test_weeks = 9;
        assert_eq!(keys(&c), ["calendar.test_weeks"]);
        let mut c = CalendarConfig::default();
        c.releases_per_year = 1;
        c.dates = vec![Date(d("2027-06-01")), Date(d("2027-03-01"))];
        assert!(keys(&c).contains(&"calendar.dates".to_owned()));
        c.dates = vec![Date(d("2027-06-01")), Date(d("2028-06-01"))];
        assert!(keys(&c).is_empty());
        c.releases_per_year = 2;
        assert_eq!(keys(&c), ["calendar.dates", "calendar.dates"]);
        assert!(year(&c, 2027).is_err());
    }

    #[test]
    fn is_workday_uses_the_given_days_and_holidays() {
        let c = example();
        let wd = [Weekday::Mon, Weekday::Tue];
        assert!(is_workday(&c, &wd, d("2027-01-04")));
        assert!(!is_workday(&c, &wd, d("2027-01-06")));
        assert!(!is_workday(&c, &wd, d("2027-01-07")));
    }

    #[test]
    fn coordination_calls_are_on_a_working_day_before_the_release() {
        let mut c = example();
        let co = CoordinationConfig::default();
        let r = dates(&c, ReleaseId::new(2027, 1)).expect("dates");
        let call = coordination(&c, &co, &r).expect("call");
        assert_eq!(call.date, d("2027-01-05"));
        assert_eq!(call.start.to_rfc3339(), "2027-01-05T10:00:00+01:00");
        assert_eq!(call.end.to_rfc3339(), "2027-01-05T11:00:00+01:00");
        assert_eq!(call.timezone, "Europe/Vienna");
        c.holidays.push(Date(d("2027-01-05")));
        assert_eq!(
            coordination(&c, &co, &r).expect("call").date,
            d("2027-01-04")
        );
        let co = CoordinationConfig {
            days_before_release: 3,
            time: "16:30".into(),
            timezone: Some("Europe/London".into()),
            ..CoordinationConfig::default()
        };
        let call = coordination(&c, &co, &r).expect("call");
        // 2027-01-09 is a Saturday.
        assert_eq!(call.date, d("2027-01-08"));
        assert_eq!(call.start.to_rfc3339(), "2027-01-08T16:30:00+00:00");
        let summer = dates(&c, ReleaseId::new(2027, 4)).expect("dates");
        let call = coordination(&c, &CoordinationConfig::default(), &summer).expect("call");
        assert_eq!(call.start.to_rfc3339(), "2027-07-06T10:00:00+02:00");
    }

    #[test]
    fn coordination_problems_name_their_keys() {
        let bad = CoordinationConfig {
            time: "25:00".into(),
            duration_minutes: 0,
            url: Some("meet.example.com".into()),
            languages: vec!["deutsch".into()],
            timezone: Some("Mars/Olympus".into()),
            ..CoordinationConfig::default()
        };
        let keys: Vec<String> = coordination_problems(&bad)
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "coordination.timezone",
                "coordination.time",
                "coordination.duration_minutes",
                "coordination.url",
                "coordination.languages"
            ]
        );
        assert!(coordination_problems(&CoordinationConfig::default()).is_empty());
    }

    fn arb_config() -> impl Strategy<Value = CalendarConfig> {
        (
            1u32..=12,
            prop::sample::select(vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ]),
            prop::sample::select(vec![1, 2, 3, 4, 5, -1, -2, -3, -4, -5]),
            1u32..=3,
            prop::collection::vec(0u32..800, 0..25),
        )
            .prop_map(|(n, weekday, week, test_weeks, hol)| {
                // n months spread over the year: distinct, increasing.
                let step = 12 / n;
                let months: Vec<u32> = (0..n).map(|i| 1 + i * step).collect();
                let base = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
                CalendarConfig {
                    releases_per_year: n,
                    months,
                    weekday,
                    week_of_month: week,
                    test_weeks,
                    holidays: hol
                        .into_iter()
                        .map(|o| Date(base + Duration::days(i64::from(o))))
                        .collect(),
                    ..CalendarConfig::default()
                }
            })
    }

    proptest! {
        #[test]
        fn every_year_has_its_slots_on_working_days(c in arb_config(), y in 2026i32..2030) {
            let rs = year(&c, y).expect("a valid rule always gives dates");
            prop_assert_eq!(rs.len(), c.releases_per_year as usize);
            for (i, r) in rs.iter().enumerate() {
                prop_assert_eq!(r.id, ReleaseId::new(y, u32::try_from(i + 1).expect("slot")));
                prop_assert!(is_workday(&c, &MON_FRI, r.release_date));
                prop_assert!(r.test_start < r.release_date);
                prop_assert!(r.dev_start <= r.release_date);
            }
            for w in rs.windows(2) {
                prop_assert!(w[0].release_date < w[1].release_date);
                prop_assert_eq!(w[1].dev_start, w[0].release_date.succ_opt().expect("date"));
            }
            if problems(&c).is_empty() {
                for r in &rs {
                    prop_assert!(r.dev_start <= r.test_start);
                }
                // Strictly increasing across the turn of the year too.
                let next = year(&c, y + 1).expect("next year");
                prop_assert!(rs[rs.len() - 1].release_date < next[0].release_date);
                prop_assert_eq!(next[0].dev_start, rs[rs.len() - 1].release_date.succ_opt().expect("date"));
            }
        }

        #[test]
        fn upcoming_is_strictly_after_and_increasing(c in arb_config(), off in 0i64..700, n in 0usize..10) {
            let after = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date") + Duration::days(off);
            let up = upcoming(&c, after, n).expect("upcoming");
            prop_assert_eq!(up.len(), n);
            prop_assert!(up.iter().all(|r| r.release_date > after));
            for w in up.windows(2) {
                prop_assert!(w[0].release_date < w[1].release_date);
                prop_assert!(w[0].id < w[1].id);
            }
        }
    }
}
