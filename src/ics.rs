//! The release calendar as RFC 5545 iCalendar text, built with the `icalendar`
//! crate: one all-day event per release date and per test start, and one timed
//! event per partner coordination call (with a `TZID` and the matching
//! `VTIMEZONE`). UIDs are stable (`release-2027.1@<workspace slug>.zyklus`), so
//! re-importing an export updates the events instead of duplicating them, and
//! DTSTAMP is the `now` passed in, so the same input gives the same bytes. Pure:
//! it returns the text; the caller writes the file.
//!
//! Nothing from the workspace reaches the file unescaped: every TEXT value goes
//! through [`text`] (line breaks become one `\n`, other control characters are
//! dropped) and then the crate's RFC 5545 §3.3.11 escaping (`\\`, `\;`, `\,`,
//! `\n`) and line folding at 75 octets; a URL must pass [`check_url`] (which
//! `validate` applies to `[coordination] url` too), so a CR/LF in the
//! configuration can never start a property or an event of its own.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, Property};

use crate::model::calendar::{CoordinationCall, ReleaseDates};
use crate::model::config::CoordinationConfig;
use crate::model::lang;

/// Checks that `url` is an absolute `http` or `https` URL with a host, as the
/// WHATWG URL parser reads it, and without whitespace or control characters (the
/// parser would silently drop a CR/LF or tab; zyklus refuses them instead). Pure;
/// `validate` calls it for `[coordination] url`.
///
/// # Errors
/// A sentence saying what is wrong.
pub fn check_url(url: &str) -> Result<(), String> {
    if let Some(c) = url.chars().find(|c| c.is_control() || c.is_whitespace()) {
        let what = match c {
            '\r' | '\n' => "a line break",
            c if c.is_control() => "a control character",
            _ => "a space",
        };
        return Err(format!(
            "`{}` contains {what}; a URL cannot",
            url.escape_debug()
        ));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    Ok(())
}

/// Problems of `[coordination]` that are the calendar file's business, as
/// `(key path, message, hint)` like the loader's other checks.
#[must_use]
pub fn config_problems(config: &CoordinationConfig) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(url) = &config.url {
        if let Err(e) = check_url(url) {
            out.push((
                "coordination.url".into(),
                e,
                "write one http(s) URL on one line, e.g. url = \"https://meet.example.com/release\"".into(),
            ));
        }
    }
    out
}

/// A TEXT value made safe for a content line: CR LF and lone CR become LF (which
/// the writer escapes as `\n`), other control characters but tab are dropped.
#[must_use]
pub fn text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// What goes into an export.
pub struct Input<'a> {
    /// The product name (`workspace.name`), used in summaries and the UID domain.
    pub workspace_name: &'a str,
    /// Language tags of the texts; the first gives the calendar name and the
    /// summaries, every language a description.
    pub languages: &'a [String],
    /// `calendar.timezone`, announced as the calendar's zone.
    pub timezone: &'a str,
    pub releases: &'a [ReleaseDates],
    pub coordination: &'a [CoordinationCall],
    /// DTSTAMP of every event.
    pub now: DateTime<Utc>,
}

/// Lower-case ASCII slug of a name for UIDs: umlauts transliterated, anything else
/// outside `a-z0-9` collapsed to `-`.
#[must_use]
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let piece = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if piece == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(piece);
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "workspace".into()
    } else {
        trimmed.to_owned()
    }
}

/// The stable UID of an event: `KIND-ID@SLUG.zyklus`.
#[must_use]
pub fn uid(kind: &str, id: &str, workspace_name: &str) -> String {
    format!("{kind}-{id}@{}.zyklus", slug(workspace_name))
}

/// The texts of the calendar in one language: summaries are short headlines,
/// descriptions full sentences with the dates written out.
struct Texts {
    /// The calendar's name (`X-WR-CALNAME`).
    calendar: fn(&str) -> String,
    test: &'static str,
    release: &'static str,
    call: &'static str,
    /// (version, test start, release date) → description of the test start.
    test_desc: fn(&str, &str, &str) -> String,
    /// (version, release date) → description of the release day.
    release_desc: fn(&str, &str) -> String,
    /// (version, release date) → description of the call.
    call_desc: fn(&str, &str) -> String,
    link: &'static str,
}

fn texts(tag: &str) -> Texts {
    match lang::primary(tag).as_str() {
        "de" => Texts {
            calendar: |name| format!("{name} – Veröffentlichungstermine"),
            test: "Beginn der Testphase",
            release: "Veröffentlichung",
            call: "Partnerabstimmung",
            test_desc: |id, test, release| {
                format!(
                    "Am {test} wird Version {id} als Ganzes in der Testumgebung bereitgestellt; ab diesem Tag kommen keine weiteren Änderungen hinzu. Die Testphase dauert bis zur Veröffentlichung am {release}."
                )
            },
            release_desc: |id, release| format!("Am {release} wird Version {id} veröffentlicht."),
            call_desc: |id, release| {
                format!(
                    "In der Partnerabstimmung besprechen wir mit den Partnern die Veröffentlichung von Version {id} am {release}."
                )
            },
            link: "Link zur Besprechung",
        },
        _ => Texts {
            calendar: |name| format!("{name} release dates"),
            test: "Test phase begins",
            release: "Release",
            call: "Partner coordination call",
            test_desc: |id, test, release| {
                format!(
                    "On {test}, version {id} is deployed as a whole to the test system; from that day on, no further changes are added. The test phase lasts until the release on {release}."
                )
            },
            release_desc: |id, release| format!("Version {id} is released on {release}."),
            call_desc: |id, release| {
                format!(
                    "In this coordination call we go through the release of version {id} on {release} with the partners."
                )
            },
            link: "Meeting link",
        },
    }
}

/// One text per language of `tags` (the first tag of each language: `de-AT`
/// and `de` give one German text, dated the Austrian way), separated by a blank
/// line.
fn describe(tags: &[String], f: impl Fn(&Texts, &str) -> String) -> String {
    let tags: Vec<&str> = if tags.is_empty() {
        vec!["en"]
    } else {
        tags.iter().map(String::as_str).collect()
    };
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for tag in tags {
        let key = if lang::primary(tag) == "de" {
            "de"
        } else {
            "en"
        };
        if !seen.contains(&key) {
            seen.push(key);
            parts.push(f(&texts(tag), tag));
        }
    }
    parts.join("\n\n")
}

/// The iCalendar text.
///
/// # Errors
/// When a coordination call's time zone is unknown or formatting fails.
pub fn render(input: &Input<'_>) -> Result<String, String> {
    let name = input.workspace_name;
    let first = input.languages.first().map_or("en", String::as_str);
    let t = texts(first);
    let long = |d: NaiveDate, tag: &str| lang::long_date(d, tag);
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            format!("-//zyklus//zyklus {}//EN", env!("CARGO_PKG_VERSION")),
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .append_property(Property::new("X-WR-CALNAME", text(&(t.calendar)(name))))
        .append_property(Property::new("X-WR-TIMEZONE", text(input.timezone)));

    for r in input.releases {
        let id = r.id.to_string();
        cal.push(
            Event::new()
                .uid(&uid("test", &id, name))
                .timestamp(input.now)
                .summary(&text(&format!("{name} {id}: {}", t.test)))
                .description(&text(&describe(input.languages, |t, tag| {
                    (t.test_desc)(&id, &long(r.test_start, tag), &long(r.release_date, tag))
                })))
                .starts(r.test_start)
                .ends(next_day(r.test_start))
                .append_property(Property::new("TRANSP", "TRANSPARENT"))
                .append_property(Property::new("CATEGORIES", "zyklus,test"))
                .done(),
        );
        cal.push(
            Event::new()
                .uid(&uid("release", &id, name))
                .timestamp(input.now)
                .summary(&text(&format!("{name} {id}: {}", t.release)))
                .description(&text(&describe(input.languages, |t, tag| {
                    (t.release_desc)(&id, &long(r.release_date, tag))
                })))
                .starts(r.release_date)
                .ends(next_day(r.release_date))
                .append_property(Property::new("TRANSP", "TRANSPARENT"))
                .append_property(Property::new("CATEGORIES", "zyklus,release"))
                .done(),
        );
    }

    for c in input.coordination {
        let id = c.release.to_string();
        let tz: Tz = c
            .timezone
            .parse()
            .map_err(|_| format!("`{}` is not an IANA time zone", c.timezone))?;
        let release_day = input
            .releases
            .iter()
            .find(|r| r.id == c.release)
            .map(|r| r.release_date);
        let call_langs = if c.languages.is_empty() {
            input.languages
        } else {
            &c.languages
        };
        let call_first = call_langs.first().map_or("en", String::as_str);
        if let Some(url) = &c.url {
            check_url(url)?;
        }
        let desc = describe(call_langs, |t, tag| {
            let mut d = (t.call_desc)(&id, &release_day.map_or_else(String::new, |d| long(d, tag)));
            if let Some(url) = &c.url {
                let _ = write!(d, "\n{}: {url}", t.link);
            }
            d
        });
        let mut ev = Event::new();
        ev.uid(&uid("coordination", &id, name))
            .timestamp(input.now)
            .summary(&text(&format!("{name} {id}: {}", texts(call_first).call)))
            .description(&text(&desc))
            .starts(CalendarDateTime::WithTimezone {
                date_time: c.start.with_timezone(&tz).naive_local(),
                tzid: c.timezone.clone(),
            })
            .ends(CalendarDateTime::WithTimezone {
                date_time: c.end.with_timezone(&tz).naive_local(),
                tzid: c.timezone.clone(),
            })
            .append_property(Property::new("CATEGORIES", "zyklus,coordination"));
        if let Some(url) = &c.url {
            ev.url(url).location(&text(url));
        }
        cal.push(ev.done());
    }
    let mut text = cal.to_string();
    // One VTIMEZONE per zone the coordination calls use (RFC 5545 §3.6.5). The
    // icalendar crate has no builder for it, so it goes in as text, before the
    // first event; its lines are short and need no folding or escaping.
    let mut zones: Vec<&str> = input
        .coordination
        .iter()
        .map(|c| c.timezone.as_str())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let mut blocks = String::new();
    for zone in zones {
        let years = input
            .coordination
            .iter()
            .filter(|c| c.timezone == zone)
            .map(|c| c.date.year());
        let lo = years.clone().min().unwrap_or(1970);
        let hi = years.max().unwrap_or(1970);
        blocks.push_str(&vtimezone(zone, lo, hi)?);
    }
    if !blocks.is_empty() {
        // Before the first event: a line of its own, found as one — an escaped
        // value may contain the same letters, never a CRLF.
        let at = text
            .find("\r\nBEGIN:VEVENT\r\n")
            .or_else(|| text.find("\r\nEND:VCALENDAR"))
            .ok_or("the calendar text has no END:VCALENDAR")?
            + 2;
        text.insert_str(at, &blocks);
    }
    Ok(text)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// A `VTIMEZONE` for `zone` covering `from_year..=to_year`: one `STANDARD` or
/// `DAYLIGHT` observance for the offset in force on 1 January of `from_year`, and one
/// for every transition up to the end of `to_year` (found from the tz database).
fn vtimezone(zone: &str, from_year: i32, to_year: i32) -> Result<String, String> {
    let tz: Tz = zone
        .parse()
        .map_err(|_| format!("`{zone}` is not an IANA time zone"))?;
    let start = Utc
        .with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
        .single()
        .ok_or("year out of range")?;
    let end = Utc
        .with_ymd_and_hms(to_year + 1, 1, 1, 0, 0, 0)
        .single()
        .ok_or("year out of range")?;
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n");
    let observance =
        |out: &mut String, at: DateTime<Utc>, from: i32, to_off: &<Tz as TimeZone>::Offset| {
            let to = to_off.fix().local_minus_utc();
            let kind = if to_off.dst_offset().is_zero() {
                "STANDARD"
            } else {
                "DAYLIGHT"
            };
            // DTSTART is the local time just before the change (in the old offset).
            let local = at.naive_utc() + Duration::seconds(i64::from(from));
            let _ = write!(
                out,
                "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
                local.format("%Y%m%dT%H%M%S"),
                offset_text(from),
                offset_text(to)
            );
            if let Some(abbr) = to_off.abbreviation() {
                let _ = write!(out, "TZNAME:{abbr}\r\n");
            }
            let _ = write!(out, "END:{kind}\r\n");
        };
    let first = offset_at(start);
    let first_secs = first.fix().local_minus_utc();
    observance(&mut out, start, first_secs, &first);
    // Scan day by day for a change of offset, then bisect to the second.
    let mut prev_t = start;
    let mut prev = first_secs;
    let mut t = start + Duration::days(1);
    while t <= end {
        let now = offset_at(t).fix().local_minus_utc();
        if now != prev {
            let (mut lo, mut hi) = (prev_t, t);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid).fix().local_minus_utc() == prev {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let off = offset_at(hi);
            observance(&mut out, hi, prev, &off);
            prev = now;
        }
        prev_t = t;
        t += Duration::days(1);
    }
    out.push_str("END:VTIMEZONE\r\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReleaseId;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Partnerportal"), "partnerportal");
        assert_eq!(slug("Größe & Übersicht!"), "groesse-uebersicht");
        assert_eq!(slug("  "), "workspace");
    }

    #[test]
    fn vienna_has_two_transitions_a_year() {
        let v = vtimezone("Europe/Vienna", 2027, 2027).expect("zone");
        assert_eq!(v.matches("BEGIN:DAYLIGHT").count(), 1, "{v}");
        assert_eq!(v.matches("BEGIN:STANDARD").count(), 2, "{v}");
        assert!(v.contains("DTSTART:20270328T020000"), "{v}");
        assert!(v.contains("DTSTART:20271031T030000"), "{v}");
        let utc = vtimezone("UTC", 2027, 2027).expect("zone");
        assert_eq!(utc.matches("BEGIN:STANDARD").count(), 1);
    }

    #[test]
    fn events_have_stable_uids_and_dtstamp() {
        let r = ReleaseDates {
            id: ReleaseId::new(2027, 1),
            dev_start: NaiveDate::from_ymd_opt(2026, 11, 11).expect("date"),
            test_start: NaiveDate::from_ymd_opt(2026, 12, 22).expect("date"),
            release_date: NaiveDate::from_ymd_opt(2027, 1, 12).expect("date"),
        };
        let now = Utc
            .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
            .single()
            .expect("now");
        let langs = vec!["de".to_owned(), "en".to_owned()];
        let input = Input {
            workspace_name: "Größenportal",
            languages: &langs,
            timezone: "Europe/Vienna",
            releases: &[r],
            coordination: &[],
            now,
        };
        let a = render(&input).expect("ics");
        assert_eq!(a, render(&input).expect("ics"));
        assert!(
            a.contains("UID:release-2027.1@groessenportal.zyklus"),
            "{a}"
        );
        assert!(a.contains("DTSTAMP:20261127T090000Z"), "{a}");
        assert!(a.contains("DTSTART;VALUE=DATE:20270112"), "{a}");
        assert!(a.contains("Größenportal"), "{a}");
        assert!(a.lines().all(|l| l.len() <= 75), "{a}");
    }
}
