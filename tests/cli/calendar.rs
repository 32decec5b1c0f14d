use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::Test;

/// Parses an `.ics` file with the Python `icalendar` package, an independent
/// RFC 5545 parser, and returns its events as JSON.
pub fn parse_ics(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
try:
    import icalendar
except ImportError:
    sys.exit("the Python package `icalendar` is missing: pip install -r tests/requirements.txt")
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
def iso(p):
    if p is None:
        return None
    return p.dt.isoformat()
events = []
for e in cal.walk("VEVENT"):
    s = e.get("DTSTART").dt
    timed = hasattr(s, "hour")
    events.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "description": str(e.get("DESCRIPTION", "")),
        "start": iso(e.get("DTSTART")),
        "end": iso(e.get("DTEND")),
        "stamp": iso(e.get("DTSTAMP")),
        "all_day": not timed,
        "tz": str(s.tzinfo) if timed and s.tzinfo else None,
        "url": str(e["URL"]) if "URL" in e else None,
    })
print(json.dumps({
    "timezones": [str(t["TZID"]) for t in cal.walk("VTIMEZONE")],
    "events": events,
}, ensure_ascii=False))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
        .expect("python3 must be installed to check .ics files");
    let what = format!("python icalendar parsing {}", path.display());
    let out = crate::fixtures::succeeded(out, &what);
    serde_json::from_slice(&out.stdout).expect("JSON from the checker")
}

fn release_dates(j: &Value) -> Vec<String> {
    j["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| r["release_date"].as_str().expect("date").to_owned())
        .collect()
}

const COORDINATION: &str = "
[coordination]
days_before_release = 7
time = \"10:00\"
duration_minutes = 90
url = \"https://meet.example.com/partnerportal?room=release&lang=de,en\"
languages = [\"de\", \"en\"]
";

#[test]
fn the_year_of_the_example() {
    let t = Test::example();
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    assert_eq!(
        release_dates(&j),
        [
            "2027-01-12",
            "2027-03-09",
            "2027-05-11",
            "2027-07-13",
            "2027-09-14",
            "2027-11-09"
        ]
    );
    let first = &j["releases"][0];
    assert_eq!(first["id"], "2027.1");
    assert_eq!(first["dev_start"], "2026-11-11");
    assert_eq!(first["test_start"], "2026-12-22");
    assert_eq!(first["stage"], Value::Null);
    assert_eq!(j["releases"][1]["dev_start"], "2027-01-13");

    // Default: the year of the next release (2027.1 on 2027-01-12), as
    // `release list` shows, not the year of now (2026, all of it past).
    let j = t.run(&["--format", "json", "calendar"]).json();
    assert_eq!(j["year"], 2027);
    assert_eq!(j["releases"][0]["id"], "2027.1");
    t.run(&["calendar", "--year", "2027"])
        .ok()
        .stdout_has("2027-01-12 Tue")
        .stdout_has("6 releases in 2027");
}

#[test]
fn holidays_and_weekends_move_releases_and_stage_comes_from_the_release_file() {
    let t = Test::example();
    let cfg = t.read("zyklus.toml").replace(
        "2027-01-01, 2027-01-06,",
        "2027-01-01, 2027-01-06, 2027-01-12,",
    );
    t.write("zyklus.toml", &cfg);
    t.write(
        "releases/2027.2.toml",
        "id = \"2027.2\"\nstage = \"development\"\n",
    );
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    assert_eq!(j["releases"][0]["release_date"], "2027-01-13");
    assert_eq!(j["releases"][1]["dev_start"], "2027-01-14");
    assert_eq!(j["releases"][1]["stage"], "development");

    // A Saturday rule lands on the Monday after.
    let t = Test::with_requests("[calendar]\nweekday = \"sat\"\nweek_of_month = -1\n", &[]);
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    assert_eq!(release_dates(&j)[0], "2027-02-01");
}

#[test]
fn other_cadences_and_explicit_dates() {
    let t = Test::with_requests(
        "[calendar]\nreleases_per_year = 4\nmonths = [2, 5, 8, 11]\ntest_weeks = 2\n",
        &[],
    );
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    assert_eq!(
        release_dates(&j),
        ["2027-02-09", "2027-05-11", "2027-08-10", "2027-11-09"]
    );
    assert_eq!(j["releases"][3]["id"], "2027.4");
    assert_eq!(j["releases"][3]["test_start"], "2027-10-26");

    let t = Test::with_requests(
        "[calendar]\nreleases_per_year = 2\ndates = [2027-03-02, 2027-09-04, 2028-03-07, 2028-09-05]\n",
        &[],
    );
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    // 2027-09-04 is a Saturday.
    assert_eq!(release_dates(&j), ["2027-03-02", "2027-09-06"]);
    t.run(&["calendar", "--year", "2029"])
        .code(1)
        .stderr_has("zyklus.toml: calendar.dates lists no release dates for 2029");
    t.run(&["calendar", "--year", "1900"])
        .code(1)
        .stderr_has("error: year 1900 is outside the calendar");
}

#[test]
fn bad_calendar_config_names_key_and_line() {
    let cases: [(&str, &str, &str); 6] = [
        ("months = [1, 3, 5]\n", "zyklus.toml:5", "months lists 3"),
        (
            "months = [1, 3, 5, 7, 9, 13]\n",
            "zyklus.toml:5",
            "month 13",
        ),
        ("week_of_month = 0\n", "zyklus.toml:5", "week_of_month is 0"),
        (
            "test_weeks = 10\n",
            "zyklus.toml:5",
            "starts before the release before it ships",
        ),
        (
            "releases_per_year = 1\ndates = [2027-06-01, 2027-03-01]\n",
            "zyklus.toml:6",
            "not in order",
        ),
        (
            "releases_per_year = 2\ndates = [2027-03-01, 2027-06-01, 2028-03-01]\n",
            "zyklus.toml:6",
            "1 release date in 2028",
        ),
    ];
    for (extra, at, message) in cases {
        let t = Test::with_requests(&format!("[calendar]\n{extra}"), &[]);
        let before = t.snapshot();
        t.run(&["calendar", "--ics", "out.ics"])
            .code(1)
            .stderr_has(at)
            .stderr_has(message);
        assert_eq!(t.snapshot(), before, "nothing written for {extra}");
    }
}

#[test]
fn ics_export_parses_and_is_stable() {
    let t = Test::example();
    let cfg = t.read("zyklus.toml").replace(
        "name = \"Partnerportal\"",
        "name = \"Partnerportal Größe; Süd, \\\"Wien\\\"\"",
    );
    t.write("zyklus.toml", &cfg);
    t.run(&["calendar", "--year", "2027", "--ics", "releases.ics"])
        .ok()
        .stderr_has("wrote releases.ics (18 events)");
    let first = t.read("releases.ics");
    assert!(first.contains("\r\n"), "CRLF line ends");
    assert!(first.lines().all(|l| l.trim_end_matches('\r').len() <= 75));
    let j = parse_ics(&t.path("releases.ics"));
    let events = j["events"].as_array().expect("events");
    assert_eq!(
        events.len(),
        18,
        "release, test start and coordination call of six releases"
    );
    let release = events
        .iter()
        .find(|e| e["uid"] == "release-2027.1@partnerportal-groesse-sued-wien.zyklus")
        .expect("release event");
    assert_eq!(release["start"], "2027-01-12");
    assert_eq!(release["end"], "2027-01-13");
    assert_eq!(release["all_day"], true);
    assert_eq!(release["stamp"], "2026-11-27T09:00:00+00:00");
    assert_eq!(
        release["summary"],
        "Partnerportal Größe; Süd, \"Wien\" 2027.1: Veröffentlichung"
    );
    let test = events
        .iter()
        .find(|e| e["uid"] == "test-2027.1@partnerportal-groesse-sued-wien.zyklus")
        .expect("test event");
    assert_eq!(test["start"], "2026-12-22");
    assert!(test["description"]
        .as_str()
        .expect("text")
        .contains("Testphase"));

    // Re-export later: same UIDs, only DTSTAMP differs.
    let mut t2 = Test::example();
    t2.write("zyklus.toml", &cfg);
    t2.at("2026-12-01T08:00:00+01:00");
    t2.run(&["calendar", "--year", "2027", "--ics", "releases.ics"])
        .ok();
    let second = t2.read("releases.ics");
    let uids = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(uids(&first), uids(&second));
    let strip = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("DTSTAMP"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&first), strip(&second));
    // Same clock: byte-identical.
    t.run(&["calendar", "--year", "2027", "--ics", "releases.ics"])
        .ok();
    assert_eq!(t.read("releases.ics"), first);
}

#[test]
fn coordination_calls_in_table_json_and_ics() {
    let t = Test::example();
    let cfg = format!(
        "{}{COORDINATION}",
        crate::support::without_coordination(&t.read("zyklus.toml"))
    );
    t.write("zyklus.toml", &cfg);
    t.run(&["calendar", "--year", "2027"])
        .ok()
        .stdout_has("coordination call")
        .stdout_has("2027-01-05 Tue 10:00 Europe/Vienna");
    let j = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .json();
    let call = &j["releases"][3]["coordination"];
    assert_eq!(call["date"], "2027-07-06");
    assert_eq!(call["start"], "2027-07-06T10:00:00+02:00");
    assert_eq!(call["end"], "2027-07-06T11:30:00+02:00");
    assert_eq!(call["timezone"], "Europe/Vienna");

    t.run(&["calendar", "--year", "2027", "--ics", "out/cal.ics"])
        .ok()
        .stderr_has("18 events");
    let j = parse_ics(&t.path("out/cal.ics"));
    assert_eq!(j["timezones"], serde_json::json!(["Europe/Vienna"]));
    let calls: Vec<&Value> = j["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["uid"].as_str().expect("uid").starts_with("coordination-"))
        .collect();
    assert_eq!(calls.len(), 6);
    let c = calls
        .iter()
        .find(|e| e["uid"] == "coordination-2027.4@partnerportal.zyklus")
        .expect("call of 2027.4");
    assert_eq!(c["start"], "2027-07-06T10:00:00+02:00");
    assert_eq!(c["end"], "2027-07-06T11:30:00+02:00");
    assert_eq!(c["tz"], "Europe/Vienna");
    assert_eq!(
        c["url"],
        "https://meet.example.com/partnerportal?room=release&lang=de,en"
    );
    assert_eq!(c["summary"], "Partnerportal 2027.4: Partnerabstimmung");
    assert!(c["description"]
        .as_str()
        .expect("text")
        .contains("https://meet.example.com/partnerportal?room=release&lang=de,en"));
    let winter = calls
        .iter()
        .find(|e| e["uid"] == "coordination-2027.1@partnerportal.zyklus")
        .expect("call of 2027.1");
    assert_eq!(winter["start"], "2027-01-05T10:00:00+01:00");
}

#[test]
fn coordination_config_errors() {
    let t = Test::with_requests(
        "[coordination]\ntime = \"25:00\"\ntimezone = \"Mars/Olympus\"\n",
        &[],
    );
    t.run(&["calendar"])
        .code(1)
        .stderr_has("zyklus.toml:5")
        .stderr_has("`25:00` is not a time of day")
        .stderr_has("zyklus.toml:6")
        .stderr_has("`Mars/Olympus` is not an IANA time zone");
}
