//! Working-time arithmetic for the hotfix reaction promise (`zyklus sla`).
//!
//! The rule: the clock runs around the clock (24 hours) on working days and stands
//! still on every other day. A working day is one whose weekday is listed in
//! `[support] workdays` and which is not one of `[calendar] holidays`; callers pass
//! that test in as a function. Day boundaries are the local midnights *in the
//! timestamp's own UTC offset* (a report stamped `+01:00` is counted in `+01:00`), so
//! the result carries the same offset. A report on a non-working day starts the
//! clock at 00:00 of the next working day. When the promised hours run out exactly
//! at the end of a working day, the deadline is the following midnight (00:00 of
//! the next calendar day). Example, 12 h on Mon–Fri: reported Friday 20:00 →
//! 4 h on Friday + 8 h on Monday → due Monday 08:00.
//!
//! Pure: no clock, no files, no configuration types; it must not read `now` itself.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};

/// How many days the arithmetic looks ahead for a working day before giving up
/// (a workday test that never says yes would otherwise loop forever).
const MAX_DAYS: u32 = 3 * 366;

/// Local midnight starting the day after `t`'s local date, in `t`'s offset.
fn next_midnight(t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let next = t.date_naive().succ_opt()?;
    let naive = next.and_hms_opt(0, 0, 0)?;
    t.offset().from_local_datetime(&naive).single()
}

/// The deadline `hours` working hours after `reported`, or `None` when no working
/// day follows within three years (e.g. an empty `workdays` list) or the date
/// leaves chrono's range.
pub fn due<F>(
    reported: DateTime<FixedOffset>,
    hours: u32,
    is_workday: F,
) -> Option<DateTime<FixedOffset>>
where
    F: Fn(NaiveDate) -> bool,
{
    let mut remaining = Duration::hours(i64::from(hours));
    let mut t = reported;
    for _ in 0..=(MAX_DAYS + hours / 24 + 1) {
        let end = next_midnight(t)?;
        if is_workday(t.date_naive()) {
            let available = end - t;
            if remaining <= available {
                return t.checked_add_signed(remaining);
            }
            remaining -= available;
        }
        t = end;
    }
    None
}

/// Working time between `from` and `to` (zero when `to` is not after `from`),
/// counted in `from`'s offset.
pub fn between<F>(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, is_workday: F) -> Duration
where
    F: Fn(NaiveDate) -> bool,
{
    let to = to.with_timezone(from.offset());
    let mut total = Duration::zero();
    let mut t = from;
    while t < to {
        let Some(end) = next_midnight(t) else {
            break;
        };
        let stop = end.min(to);
        if is_workday(t.date_naive()) {
            total += stop - t;
        }
        t = end;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Weekday};
    use proptest::prelude::*;

    fn ts(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("timestamp")
    }

    fn mon_fri(d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    fn with_holidays(holidays: &'static [(i32, u32, u32)]) -> impl Fn(NaiveDate) -> bool {
        move |d| {
            mon_fri(d)
                && !holidays
                    .iter()
                    .any(|&(y, m, day)| NaiveDate::from_ymd_opt(y, m, day) == Some(d))
        }
    }

    #[test]
    fn friday_evening_is_due_monday_morning() {
        let r = ts("2027-02-12T20:00:00+01:00");
        assert_eq!(due(r, 12, mon_fri), Some(ts("2027-02-15T08:00:00+01:00")));
    }

    #[test]
    fn within_one_day() {
        let r = ts("2027-02-10T08:30:00+01:00");
        assert_eq!(due(r, 12, mon_fri), Some(ts("2027-02-10T20:30:00+01:00")));
    }

    #[test]
    fn ending_exactly_at_midnight_is_the_next_midnight() {
        let r = ts("2027-02-12T12:00:00+01:00");
        assert_eq!(due(r, 12, mon_fri), Some(ts("2027-02-13T00:00:00+01:00")));
    }

    #[test]
    fn reported_on_a_weekend_starts_monday() {
        let r = ts("2027-02-13T15:00:00+01:00");
        assert_eq!(due(r, 12, mon_fri), Some(ts("2027-02-15T12:00:00+01:00")));
    }

    #[test]
    fn holidays_and_year_end() {
        // Thu 2026-12-24 22:00: 2 h on Thursday; Fri 25th and Sat 26th are holidays
        // or weekend, Sunday too; Monday 28th gives the other 10 h.
        let f = with_holidays(&[(2026, 12, 25), (2026, 12, 26), (2027, 1, 1)]);
        let r = ts("2026-12-24T22:00:00+01:00");
        assert_eq!(due(r, 12, &f), Some(ts("2026-12-28T10:00:00+01:00")));
        // Thu 2026-12-31 20:00 → 4 h on the 31st, New Year and the weekend stop
        // the clock, 8 h on Monday 2027-01-04.
        let r = ts("2026-12-31T20:00:00+01:00");
        assert_eq!(due(r, 12, &f), Some(ts("2027-01-04T08:00:00+01:00")));
    }

    #[test]
    fn the_offset_of_the_timestamp_sets_the_day_boundaries() {
        // Friday 20:00 at +01:00 is Friday 19:00 UTC; in its own offset 4 h are
        // left on Friday.
        let r = ts("2027-02-12T20:00:00+01:00");
        let d = due(r, 12, mon_fri).expect("due");
        assert_eq!(d.offset(), r.offset());
        assert_eq!(d.to_rfc3339(), "2027-02-15T08:00:00+01:00");
    }

    #[test]
    fn no_workdays_gives_none() {
        assert_eq!(due(ts("2027-02-12T20:00:00+01:00"), 12, |_| false), None);
    }

    #[test]
    fn between_counts_only_working_days() {
        let a = ts("2027-02-12T20:00:00+01:00");
        let b = ts("2027-02-15T08:00:00+01:00");
        assert_eq!(between(a, b, mon_fri), Duration::hours(12));
        assert_eq!(between(b, a, mon_fri), Duration::zero());
    }

    fn holiday_set(d: NaiveDate, holidays: &[NaiveDate], workdays: u8) -> bool {
        let bit = d.weekday().num_days_from_monday();
        (workdays >> bit) & 1 == 1 && !holidays.contains(&d)
    }

    proptest! {
        #[test]
        fn due_is_exactly_hours_of_working_time_later(
            // 2026-01-01 .. 2029-12-31, minute resolution, around year ends too.
            minutes in 0i64..(4 * 366 * 24 * 60),
            offset_h in -11i32..=12,
            hours in 1u32..=72,
            workdays in 1u8..=0x7f,
            holiday_days in proptest::collection::vec(0i64..(4 * 366), 0..40),
        ) {
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
            let holidays: Vec<NaiveDate> =
                holiday_days.iter().map(|d| base + Duration::days(*d)).collect();
            let off = FixedOffset::east_opt(offset_h * 3600).expect("offset");
            let naive = base.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minutes);
            let reported = off.from_local_datetime(&naive).single().expect("local");
            let f = |d: NaiveDate| holiday_set(d, &holidays, workdays);
            let d = due(reported, hours, f).expect("some working day follows");
            prop_assert!(d >= reported);
            prop_assert_eq!(d.offset(), reported.offset());
            prop_assert_eq!(between(reported, d, f), Duration::hours(i64::from(hours)));
            // The deadline lies on a working day, or is the midnight closing one.
            let on_workday = f(d.date_naive());
            let closes_workday = d.time() == chrono::NaiveTime::MIN
                && d.date_naive().pred_opt().is_some_and(f);
            prop_assert!(on_workday || closes_workday);
            // No earlier minute already has the full hours.
            let before = d - Duration::minutes(1);
            prop_assert!(before < reported || between(reported, before, f) < Duration::hours(i64::from(hours)));
        }
    }
}
