//! The `.ics` export cannot be injected into: `[coordination] url` must be one
//! http(s) URL (a CR/LF in it is refused by `validate` with its line), and every
//! text that reaches the file is escaped and folded, so that an independent
//! parser (Python `icalendar`) reads back exactly the events zyklus wrote.

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;
use zyklus::model::calendar::{CoordinationCall, ReleaseDates};
use zyklus::model::ReleaseId;

use crate::support::Test;

/// Calendar and events as Python `icalendar` reads them.
fn parse(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
try:
    import icalendar
except ImportError:
    sys.exit("the Python package `icalendar` is missing: pip install -r tests/requirements.txt")
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
print(json.dumps({
    "name": str(cal.get("X-WR-CALNAME", "")),
    "zone": str(cal.get("X-WR-TIMEZONE", "")),
    "events": [{k: str(e.get(k, "")) for k in ("UID", "SUMMARY", "DESCRIPTION", "LOCATION", "URL")}
               for e in cal.walk("VEVENT")],
    "components": [c.name for c in cal.walk()],
}, ensure_ascii=False))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
        .expect("python3");
    let what = format!("python icalendar parsing {}", path.display());
    let out = crate::fixtures::succeeded(out, &what);
    serde_json::from_slice(&out.stdout).expect("JSON from the checker")
}

/// RFC 5545 TEXT escaping, for values the parser leaves escaped (`X-` properties).
fn escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Content lines are at most 75 octets, and only real events begin or end.
fn check_lines(ics: &str, events: usize) {
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line:?}");
        assert!(
            !line.contains('\r') && !line.contains('\n'),
            "raw line break: {line:?}"
        );
    }
    assert_eq!(ics.matches("\r\nBEGIN:VEVENT\r\n").count(), events);
    assert_eq!(ics.matches("\r\nEND:VEVENT\r\n").count(), events);
}

const INJECTED_URL: &str = r#"url = "https://meet.example/x\r\nATTACH:https://evil.example/payload\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED""#;

#[test]
fn a_url_with_line_breaks_is_refused_by_validate_and_calendar() {
    let t = Test::example();
    let cfg = t.read("zyklus.toml");
    let original = cfg
        .lines()
        .find(|l| l.starts_with("url = "))
        .expect("url line")
        .to_owned();
    let line = cfg
        .lines()
        .position(|l| l.starts_with("url = "))
        .expect("url line")
        + 1;
    for bad in [
        INJECTED_URL.to_owned(),
        r#"url = "https://meet.example/x\nSUMMARY:INJECTED""#.to_owned(),
        r#"url = "https://meet.example/a b""#.to_owned(),
        r#"url = "javascript:alert(1)""#.to_owned(),
        r#"url = "https://""#.to_owned(),
        r#"url = "meet.example.com/call""#.to_owned(),
    ] {
        t.write("zyklus.toml", &cfg.replace(&original, &bad));
        let before = t.snapshot();
        let r = t.run(&["validate"]);
        r.code(1).stderr_has(&format!("zyklus.toml:{line}:"));
        assert_eq!(
            r.stderr.matches(&format!("zyklus.toml:{line}:")).count(),
            1,
            "one problem for the key: {}",
            r.stderr
        );
        t.run(&["calendar", "--year", "2027", "--ics", "out.ics"])
            .code(1);
        assert!(!t.exists("out.ics"));
        assert_eq!(before, t.snapshot(), "{bad}");
    }
    let r = {
        t.write("zyklus.toml", &cfg.replace(&original, INJECTED_URL));
        t.run(&["validate"])
    };
    r.code(1).stderr_has("a line break");
}

#[test]
fn an_evil_workspace_name_stays_inside_its_properties() {
    let t = Test::example();
    // Line breaks and other control characters are refused by `validate` in every
    // string of a workspace file (tests/cli/hardening.rs); what is left to escape
    // are iCalendar's own separators and long lines.
    let evil = r#"Evil; Portal, \\ END:VEVENT BEGIN:VEVENT SUMMARY:INJECTED X: Größenwahn über alles und noch viel mehr Text, damit gefaltet wird"#;
    let cfg = t
        .read("zyklus.toml")
        .replace("name = \"Partnerportal\"", &format!("name = \"{evil}\""));
    t.write("zyklus.toml", &cfg);
    t.run(&["calendar", "--year", "2027", "--ics", "out.ics"])
        .ok();
    let ics = t.read("out.ics");
    // Six releases, each a test start and a release date, and six calls.
    check_lines(&ics, 18);
    let j = parse(&t.path("out.ics"));
    let events = j["events"].as_array().expect("events");
    assert_eq!(events.len(), 18, "{j}");
    let name = "Evil; Portal, \\ END:VEVENT BEGIN:VEVENT SUMMARY:INJECTED X: Größenwahn über alles und noch viel mehr Text, damit gefaltet wird";
    // Python icalendar keeps X- properties as written (escaped).
    assert_eq!(
        j["name"],
        escaped(&format!("{name} – Veröffentlichungstermine"))
    );
    assert!(events
        .iter()
        .all(|e| e["SUMMARY"].as_str().is_some_and(|s| s.starts_with(name))));
    assert!(!events.iter().any(|e| e["SUMMARY"] == "INJECTED"));
    for c in j["components"].as_array().expect("components") {
        assert!(
            ["VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"]
                .contains(&c.as_str().expect("name")),
            "{c}"
        );
    }
}

#[test]
fn the_library_escapes_every_text_property() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil =
        "a\\b;c,d\r\ne\rf\ng\u{0}h\u{7}i\u{1b}j\u{7f}k END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:X";
    let long = "Ünïcödé ".repeat(30);
    let name = format!("{evil} {long}");
    let langs = vec!["en".to_owned()];
    let releases = [ReleaseDates {
        id: ReleaseId::new(2027, 1),
        dev_start: NaiveDate::from_ymd_opt(2026, 11, 11).expect("date"),
        test_start: NaiveDate::from_ymd_opt(2026, 12, 22).expect("date"),
        release_date: NaiveDate::from_ymd_opt(2027, 1, 12).expect("date"),
    }];
    let start = chrono::FixedOffset::east_opt(3600)
        .expect("offset")
        .with_ymd_and_hms(2027, 1, 5, 10, 0, 0)
        .single()
        .expect("start");
    let calls = [CoordinationCall {
        release: ReleaseId::new(2027, 1),
        date: NaiveDate::from_ymd_opt(2027, 1, 5).expect("date"),
        time: "10:00".into(),
        timezone: "Europe/Vienna".into(),
        start,
        end: start + chrono::Duration::minutes(60),
        duration_minutes: 60,
        url: Some("https://meet.example/call?x=1,2;y=3".into()),
        languages: langs.clone(),
    }];
    let input = zyklus::ics::Input {
        workspace_name: &name,
        languages: &langs,
        timezone: evil,
        releases: &releases,
        coordination: &calls,
        now: Utc
            .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
            .single()
            .expect("now"),
    };
    let ics = zyklus::ics::render(&input).expect("ics");
    check_lines(&ics, 3);
    let path = dir.path().join("x.ics");
    std::fs::write(&path, &ics).expect("write");
    let j = parse(&path);
    let clean = "a\\b;c,d\ne\nf\nghijk END:VEVENT\nBEGIN:VEVENT\nSUMMARY:X";
    assert_eq!(j["name"], escaped(&format!("{clean} {long} release dates")));
    assert_eq!(j["zone"], escaped(clean));
    let events = j["events"].as_array().expect("events");
    assert_eq!(events.len(), 3);
    assert!(events[0]["SUMMARY"]
        .as_str()
        .is_some_and(|s| s.starts_with(&format!("{clean} {long}"))));
    assert_eq!(events[2]["URL"], "https://meet.example/call?x=1,2;y=3");
    assert_eq!(events[2]["LOCATION"], "https://meet.example/call?x=1,2;y=3");
    // A URL that is not one is an error, not a property.
    let bad = [CoordinationCall {
        url: Some("https://x.example/\r\nEND:VEVENT".into()),
        ..calls[0].clone()
    }];
    let err = zyklus::ics::render(&zyklus::ics::Input {
        coordination: &bad,
        ..input
    })
    .expect_err("refused");
    assert!(err.contains("line break"), "{err}");
}

/// An export never replaces a workspace file (issue 11, item 11): the config, a
/// request, the partners, anything in the data directories or `.git`, the lock
/// — refused with a clear error, and nothing is written.
#[test]
fn the_export_never_replaces_a_workspace_file() {
    let t = Test::example();
    std::fs::create_dir_all(t.path(".git")).expect("git dir");
    t.write(".git/config", "[core]\n");
    t.write("releases/2027.1.toml", "id = \"2027.1\"\n");
    t.write("templates/notes.de.md.jinja", "x\n");
    t.write("trainings/2027.toml", "");
    t.write(".zyklus.lock", "");
    let before = t.snapshot();
    insta::assert_snapshot!(
        "calendar_ics_over_the_config",
        t.zyklus("calendar --ics zyklus.toml")
    );
    for target in [
        "requests/CR-0001.toml",
        "partners.toml",
        "releases/2027.1.toml",
        "releases/new.ics",
        "trainings/2027.toml",
        "templates/cal.ics",
        ".git/config",
        ".zyklus.lock",
        "out/../zyklus.toml",
        "requests",
    ] {
        t.run(&["calendar", "--ics", target])
            .code(1)
            .stderr_has(&format!("--ics {target} "));
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(t.path("partners.toml"), t.path("cal.ics")).expect("link");
        t.run(&["calendar", "--ics", "cal.ics"])
            .code(1)
            .stderr_has("partners.toml");
        std::fs::remove_file(t.path("cal.ics")).expect("unlink");
    }
    assert_eq!(t.snapshot(), before, "nothing may be written");
    t.zyklus("validate").ok();
    // Beside the workspace's files it is fine.
    t.run(&["calendar", "--ics", "releases.ics"]).ok();
    t.run(&["calendar", "--ics", "exports/cal.ics"]).ok();
}

/// Summaries are headlines in the first language, descriptions full sentences
/// in every language with the dates written out; the calendar has a name in the
/// first language.
#[test]
fn texts_are_sentences_with_dates_written_out() {
    let t = Test::example();
    t.run(&["calendar", "--year", "2027", "--ics", "cal.ics"])
        .ok();
    let j = parse(&t.path("cal.ics"));
    insta::assert_snapshot!(
        "calendar_ics_texts",
        serde_json::to_string_pretty(&j["events"].as_array().expect("events")[..3]).expect("json")
    );
    assert_eq!(j["name"], "Partnerportal – Veröffentlichungstermine");
    assert!(!t.read("cal.ics").contains("Produktivsetzung"));
    let en = t.read("zyklus.toml").replace(
        "languages = [\"de\", \"en\"]",
        "languages = [\"en-GB\", \"de-AT\"]",
    );
    t.write("zyklus.toml", &en);
    t.run(&["calendar", "--year", "2027", "--ics", "cal.ics"])
        .ok();
    let text = t.read("cal.ics");
    assert!(
        text.contains("SUMMARY:Partnerportal 2027.1: Release\r\n"),
        "{text}"
    );
    assert!(
        text.contains("SUMMARY:Partnerportal 2027.1: Test phase begins\r\n"),
        "{text}"
    );
    assert!(
        text.contains("SUMMARY:Partnerportal 2027.1: Partner coordination call\r\n"),
        "{text}"
    );
    let j = parse(&t.path("cal.ics"));
    assert_eq!(j["name"], "Partnerportal release dates");
    let release = j["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["SUMMARY"] == "Partnerportal 2027.1: Release")
        .expect("release");
    assert_eq!(
        release["DESCRIPTION"],
        "Version 2027.1 is released on 12 January 2027.\n\nAm 12. Jänner 2027 wird Version 2027.1 veröffentlicht."
    );
}
