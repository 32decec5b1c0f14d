//! `zyklus board`: the release board as a static site. A year of the example
//! workspace is played through with the real commands (plan, gates, findings, a
//! hotfix) up to 20 March 2027, when 2027.2 is late in test with an open blocker;
//! then the site is checked as files, as JSON, and in headless Chromium.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Test;

/// The moment the board is drawn at (also that of `docs/board.png`).
pub const BOARD_NOW: &str = "2027-03-20T10:00:00+01:00";

fn scope_of(t: &Test, id: &str) -> Vec<String> {
    let j = t
        .run(&["--format", "json", "release", "show", id])
        .ok()
        .json();
    j["scope"]
        .as_array()
        .expect("scope")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect()
}

fn set_status(t: &Test, ids: &[String], status: &str) {
    for id in ids {
        t.run(&["request", "set", id, "--status", status]).ok();
    }
}

fn finding(t: &mut Test, at: &str, release: &str, severity: &str, text: &str) {
    t.at(at);
    t.run(&["finding", "add", release, "--severity", severity, text])
        .ok();
}

fn resolve(t: &mut Test, at: &str, release: &str, n: &str) {
    t.at(at);
    t.run(&["finding", "resolve", release, n]).ok();
}

/// The example workspace on 20 March 2027, after a year of work: 2027.1 in
/// production with hotfix 2027.1.1, 2027.2 in test past its date with an open
/// blocker, 2027.3 in development, the rest planned; one hotfix request late
/// and one due.
#[allow(clippy::too_many_lines)]
pub fn busy_year() -> Test {
    let mut t = Test::example();
    t.run(&["plan"]).ok();

    // 2027.1: development, test from the code freeze, findings, production.
    t.at("2026-12-01T09:00:00+01:00");
    let s1 = scope_of(&t, "2027.1");
    set_status(&t, &s1, "accepted");
    t.run(&["gate", "advance", "2027.1", "--yes"]).ok();
    t.at("2026-12-22T09:00:00+01:00");
    set_status(&t, &s1, "done");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--yes",
        "--deployed",
        "v2027.1-rc1",
    ])
    .ok();
    finding(
        &mut t,
        "2026-12-23T11:00:00+01:00",
        "2027.1",
        "major",
        "Rechnungs-PDF: Umlaute im Firmennamen fehlen",
    );
    finding(
        &mut t,
        "2026-12-28T14:30:00+01:00",
        "2027.1",
        "minor",
        "Tooltip im Buchungs-Widget abgeschnitten",
    );
    finding(
        &mut t,
        "2027-01-04T09:15:00+01:00",
        "2027.1",
        "blocker",
        "Login über SSO schlägt für Partner mit \"&\" im Namen fehl",
    );
    resolve(&mut t, "2027-01-07T16:00:00+01:00", "2027.1", "3");
    resolve(&mut t, "2027-01-08T10:00:00+01:00", "2027.1", "1");
    t.at("2027-01-12T10:00:00+01:00");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--yes",
        "--signoff",
        "Anna Berger",
    ])
    .ok();

    // 2027.2 into development; a hotfix on 2027.1 for CR-0026.
    t.at("2027-01-13T09:00:00+01:00");
    let s2 = scope_of(&t, "2027.2");
    set_status(&t, &s2, "accepted");
    t.run(&["gate", "advance", "2027.2", "--yes"]).ok();
    t.at("2027-01-20T08:00:00+01:00");
    t.run(&["hotfix", "new", "--request", "CR-0026"])
        .ok()
        .stdout_has("2027.1.1");
    t.run(&["gate", "advance", "2027.1.1", "--yes"]).ok();
    t.run(&["request", "set", "CR-0026", "--status", "done"])
        .ok();
    t.at("2027-01-20T11:00:00+01:00");
    t.run(&[
        "gate",
        "advance",
        "2027.1.1",
        "--yes",
        "--deployed",
        "hf-2027.1.1",
    ])
    .ok();
    t.at("2027-01-21T09:00:00+01:00");
    t.run(&["gate", "advance", "2027.1.1", "--yes", "--signoff", "Ops"])
        .ok();

    // 2027.2: the test phase and its findings; one blocker is still open.
    t.at("2027-02-16T09:00:00+01:00");
    set_status(&t, &s2, "done");
    t.run(&[
        "gate",
        "advance",
        "2027.2",
        "--yes",
        "--deployed",
        "v2027.2-rc1",
    ])
    .ok();
    finding(
        &mut t,
        "2027-02-17T10:00:00+01:00",
        "2027.2",
        "major",
        "Kalender-Export: Zeitzone fehlt in wiederkehrenden Terminen",
    );
    finding(
        &mut t,
        "2027-02-18T09:30:00+01:00",
        "2027.2",
        "minor",
        "Tippfehler in der englischen Hilfe",
    );
    finding(
        &mut t,
        "2027-02-18T15:00:00+01:00",
        "2027.2",
        "minor",
        "Spaltenbreite der Partnerliste auf Tablets",
    );
    finding(
        &mut t,
        "2027-02-22T11:00:00+01:00",
        "2027.2",
        "blocker",
        "Datenmigration bricht bei leeren Adressfeldern ab",
    );
    finding(
        &mut t,
        "2027-02-24T13:00:00+01:00",
        "2027.2",
        "major",
        "Suche liefert archivierte Angebote",
    );
    resolve(&mut t, "2027-02-19T12:00:00+01:00", "2027.2", "2");
    resolve(&mut t, "2027-02-25T17:00:00+01:00", "2027.2", "4");
    finding(
        &mut t,
        "2027-03-01T08:45:00+01:00",
        "2027.2",
        "blocker",
        "Zahlungsbestätigung wird doppelt versendet",
    );
    resolve(&mut t, "2027-03-03T16:00:00+01:00", "2027.2", "5");
    resolve(&mut t, "2027-03-08T10:00:00+01:00", "2027.2", "3");

    // 2027.3 into development.
    t.at("2027-03-10T09:00:00+01:00");
    let s3 = scope_of(&t, "2027.3");
    set_status(&t, &s3, "accepted");
    t.run(&["gate", "advance", "2027.3", "--yes"]).ok();

    // A hotfix request reported on Friday afternoon: due on Monday.
    t.write(
        "requests/CR-0041.toml",
        "title = \"Partner-Login: Passwort-Reset-Mail kommt nicht an\"\nkind = \"hotfix\"\nstatus = \"accepted\"\neffort = 2\nimpact = \"minor\"\nrequested_by = [\"alpenblick\"]\ncreated = 2027-03-19\nreported_at = 2027-03-19T16:00:00+01:00\n[scores]\nvalue = 8\nurgency = 10\nrisk = 2\n[text]\nde = \"Die Mail zum Zurücksetzen des Passworts kommt wieder an.\"\nen = \"The password reset e-mail arrives again.\"\n",
    );
    // Captured in March: too big for any release, and one that needs it.
    t.write(
        "requests/CR-0042.toml",
        "title = \"Neues Abrechnungssystem für Agenturen\"\nkind = \"feature\"\neffort = 60\nimpact = \"major\"\nrequested_by = [\"kaiserblau\", \"brightside\"]\ncreated = 2027-03-15\n[scores]\nvalue = 9\nurgency = 6\nrisk = 8\n",
    );
    t.write(
        "requests/CR-0043.toml",
        "title = \"Abrechnungs-Export für Steuerberater\"\nkind = \"feature\"\neffort = 3\nimpact = \"minor\"\nrequested_by = [\"kaiserblau\"]\ncreated = 2027-03-16\ndepends_on = [\"CR-0042\"]\n[scores]\nvalue = 5\nurgency = 4\nrisk = 2\n",
    );
    t.at(BOARD_NOW);
    t
}

/// Every file below `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).expect("read dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(e.path().is_file(), "{name} is not a file");
        out.insert(name, fs::read(e.path()).expect("read"));
    }
    out
}

fn page(t: &Test, rel: &str) -> String {
    t.read(rel)
}

#[test]
fn the_board_is_a_self_contained_and_deterministic_site() {
    let t = busy_year();
    let before = t.snapshot();
    t.run(&["board", "--out", "site"])
        .ok()
        .stderr_has("wrote 8 of 8 pages into site")
        .stdout_has("8 pages in site");
    let site = files(&t.path("site"));
    let names: Vec<&str> = site.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "index.html",
            "release-2027.1.1.html",
            "release-2027.1.html",
            "release-2027.2.html",
            "release-2027.3.html",
            "release-2027.4.html",
            "release-2027.5.html",
            "release-2027.6.html",
        ]
    );
    // Nothing but the site was written.
    let mut after = t.snapshot();
    after.retain(|p, _| !p.starts_with("site"));
    assert_eq!(before, after);

    // Same input and clock: same bytes, whether rewritten or written elsewhere.
    t.run(&["board", "--out", "site"])
        .ok()
        .stderr_has("the board in site is up to date");
    t.run(&["board", "--out", "elsewhere/site"]).ok();
    assert_eq!(site, files(&t.path("elsewhere/site")));

    // Self-contained: no script, no stylesheet, font or image from anywhere.
    for (name, bytes) in &site {
        let html = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"de\">"),
            "{name}"
        );
        for banned in [
            "<script",
            "<link rel=\"stylesheet\"",
            "@import",
            "@font-face",
            " src=",
            "url(http",
            "<img",
            "<iframe",
        ] {
            assert!(!html.contains(banned), "{name} contains {banned}");
        }
        let external: Vec<&str> = html
            .match_indices("http")
            .map(|(i, _)| &html[i..(i + 30).min(html.len())])
            .filter(|s| {
                !s.starts_with("http://www.w3.org/2000/svg") && !s.starts_with("http-equiv")
            })
            .collect();
        assert!(external.is_empty(), "{name} refers to {external:?}");
    }
    let index = page(&t, "site/index.html");
    for id in [
        "2027.1", "2027.1.1", "2027.2", "2027.3", "2027.4", "2027.5", "2027.6",
    ] {
        assert!(
            index.contains(&format!("<a href=\"release-{id}.html\">{id}</a>")),
            "{id}"
        );
    }
}

#[test]
fn the_json_is_the_data_of_the_pages() {
    let t = busy_year();
    let j = t
        .run(&["--format", "json", "board", "--out", "site"])
        .ok()
        .json();
    assert_eq!(j["year"], 2027);
    assert_eq!(j["lang"], "de");
    assert_eq!(j["today"], "2027-03-20");
    assert_eq!(j["now"], BOARD_NOW);
    let ids: Vec<&str> = j["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        ["2027.1", "2027.2", "2027.3", "2027.4", "2027.5", "2027.6"]
    );
    let stages: Vec<&str> = j["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| r["stage"].as_str().expect("stage"))
        .collect();
    assert_eq!(
        stages,
        [
            "production",
            "test",
            "development",
            "planned",
            "planned",
            "planned"
        ]
    );

    let r1 = &j["releases"][0];
    assert_eq!(r1["hotfixes"][0]["id"], "2027.1.1");
    assert_eq!(r1["hotfixes"][0]["base"], "2027.1");
    assert_eq!(r1["hotfixes"][0]["stage"], "production");
    assert_eq!(r1["shipped_at"], "2027-01-12T10:00:00+01:00");
    assert_eq!(r1["next_gate"], serde_json::Value::Null);
    assert_eq!(r1["coordination"]["date"], "2027-01-05");

    // 2027.2 is late: its date has passed, a blocker is open, nobody signed off.
    let r2 = &j["releases"][1];
    assert_eq!(r2["release_date"], "2027-03-09");
    assert_eq!(r2["test_start"], "2027-02-16");
    assert_eq!(r2["next_gate"]["to"], "production");
    assert_eq!(r2["next_gate"]["days_left"], -11);
    let unmet: Vec<&str> = r2["next_gate"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(unmet, ["no_open_blocker", "signoff"]);
    assert_eq!(
        r2["open_findings"],
        serde_json::json!({"blocker": 1, "major": 1, "minor": 0})
    );
    assert_eq!(r2["findings"].as_array().map(Vec::len), Some(6));
    assert!(r2["scope"][0]["score"].is_number());
    assert!(r2["scope"][0]["requested_by"].is_array());
    // Per team: the example's backend and frontend, each against its capacity;
    // every request in the scope has a team, so the teams add up to the total.
    let teams = r2["load"]["teams"].as_array().expect("teams");
    let names: Vec<(&str, u64)> = teams
        .iter()
        .map(|t| {
            (
                t["team"].as_str().expect("team"),
                t["capacity"].as_u64().expect("capacity"),
            )
        })
        .collect();
    assert_eq!(names, [("backend", 24), ("frontend", 16)]);
    let sum: u64 = teams
        .iter()
        .map(|t| t["load"].as_u64().expect("load"))
        .sum();
    assert_eq!(Some(sum), r2["load"]["load"].as_u64());

    // The burn-down runs from the code freeze to today (the release is late).
    let b = &r2["burndown"];
    assert_eq!(b["start"], "2027-02-16");
    assert_eq!(b["end"], "2027-03-20");
    let days = b["days"].as_array().expect("days");
    assert_eq!(days.len(), 33);
    let open = |date: &str| {
        let d = days.iter().find(|d| d["date"] == date).expect("day");
        (d["blocker"].clone(), d["major"].clone(), d["minor"].clone())
    };
    assert_eq!(open("2027-02-16"), (0.into(), 0.into(), 0.into()));
    assert_eq!(open("2027-02-18"), (0.into(), 1.into(), 2.into()));
    assert_eq!(open("2027-03-01"), (1.into(), 2.into(), 1.into()));
    assert_eq!(open("2027-03-20"), (1.into(), 1.into(), 0.into()));
    // 2027.4 has not reached its test phase: no burn-down.
    assert_eq!(j["releases"][3]["burndown"], serde_json::Value::Null);

    // The hotfix promise: CR-0027 is months late, CR-0041 due on Monday.
    let sla: Vec<(&str, bool)> = j["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().expect("id"),
                s["late"].as_bool().expect("late"),
            )
        })
        .collect();
    assert_eq!(sla, [("CR-0027", true), ("CR-0041", false)]);
    assert_eq!(j["sla"][1]["due"], "2027-03-22T04:00:00+01:00");

    // Deferred requests come from the planner, with its reason in German;
    // hotfix requests wait for no release and are not among them.
    assert_eq!(
        j["deferred"],
        serde_json::json!([
            {
                "id": "CR-0042",
                "title": "Neues Abrechnungssystem für Agenturen",
                "release": null,
                "reason": "braucht zusammen mit allem, was mit ihr ausgeliefert werden muss, 60 Einheiten; das größte Release bietet 40"
            },
            {
                "id": "CR-0043",
                "title": "Abrechnungs-Export für Steuerberater",
                "release": null,
                "reason": "hängt von CR-0042 ab; diese Anfrage ist zurückgestellt"
            }
        ])
    );
}

#[test]
fn the_hotfix_table_judges_as_sla_does_reactions_included() {
    let t = busy_year();
    // CR-0027 is months past its deadline: late on the board and in `sla`.
    let page_before = {
        t.run(&["board", "--out", "site"]).ok();
        page(&t, "site/index.html")
    };
    assert!(page_before.contains("ÜBERFÄLLIG seit"), "{page_before}");
    // The team records its (late) reaction: no longer late, but a missed promise.
    t.run(&["sla", "ack", "CR-0027", "--at", "2027-03-19T15:00:00+01:00"])
        .ok();
    let board = t
        .run(&["--format", "json", "board", "--out", "site"])
        .ok()
        .json();
    let sla = t.run(&["--format", "json", "sla"]).ok().json();
    // Every row of the board is the row of `sla`, field by field.
    let rows = board["sla"].as_array().expect("board sla");
    let want = sla["requests"].as_array().expect("sla requests");
    assert_eq!(rows.len(), want.len());
    for (row, w) in rows.iter().zip(want) {
        for key in [
            "id",
            "due",
            "late",
            "left_minutes",
            "release",
            "reacted_at",
            "met",
        ] {
            assert_eq!(row[key], w[key], "{key} of {}", row["id"]);
        }
    }
    let acked = rows.iter().find(|r| r["id"] == "CR-0027").expect("CR-0027");
    assert_eq!(acked["late"], false);
    assert_eq!(acked["met"], false);
    assert_eq!(acked["reacted_at"], "2027-03-19T15:00:00+01:00");
    let html = page(&t, "site/index.html");
    assert!(!html.contains("ÜBERFÄLLIG seit"), "{html}");
    let line = html
        .lines()
        .find(|l| l.contains(">CR-0027<"))
        .expect("the CR-0027 row");
    assert!(
        line.contains("reagiert, ") && line.contains(" zu spät"),
        "{line}"
    );
    assert!(!line.contains("class=\"late\""), "{line}");
}

#[test]
fn every_text_from_a_file_is_escaped() {
    let t = Test::with_requests(
        "",
        &[(
            "CR-1",
            r#"title = "<script>alert(\"x\")</script> & 'quotes' bell"
kind = "feature"
status = "done"
effort = 3
requested_by = ["p1"]
[text]
en = "Text with </td></tr> and [31m escapes"
"#,
        )],
    );
    t.write(
        "partners.toml",
        "[[partner]]\nid = \"p1\"\nname = \"<b>Bold & Co</b>\"\n",
    );
    t.write(
        "releases/2027.1.toml",
        r#"id = "2027.1"
stage = "test"
scope = ["CR-1"]
deployed = "rc<1>"
test_started_at = 2026-12-22T09:00:00+01:00
[[finding]]
number = 1
severity = "blocker"
text = "<img src=x onerror=alert(1)>"
raised_at = 2026-12-23T09:00:00+01:00
[[history]]
from = "development"
to = "test"
at = 2026-12-22T09:00:00+01:00
by = "Eve <eve@example.com>"
note = "</td></tr></table><script>x</script>"
"#,
    );
    let mut t = t;
    t.at("2027-01-02T10:00:00+01:00");
    t.run(&["board", "--out", "site", "--lang", "en"]).ok();
    for (name, bytes) in files(&t.path("site")) {
        let html = String::from_utf8(bytes).expect("UTF-8");
        for raw in [
            "<script",
            "<img",
            "<b>",
            "</td></tr></table>",
            "\u{7}",
            "\u{1b}",
            "'quotes'",
            "\"x\"",
        ] {
            assert!(!html.contains(raw), "{name} contains {raw:?} unescaped");
        }
    }
    let r = page(&t, "site/release-2027.1.html");
    for escaped in [
        // Control characters never get this far: `validate` refuses them in every
        // string of a workspace file (tests/cli/hardening.rs); the page escapes
        // them all the same (src/board/html.rs).
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; bell",
        "Text with &lt;/td&gt;&lt;/tr&gt; and [31m escapes",
        "&lt;b&gt;Bold &amp; Co&lt;/b&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "Eve &lt;eve@example.com&gt;",
        "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;x&lt;/script&gt;",
        "rc&lt;1&gt;",
    ] {
        assert!(r.contains(escaped), "release page lacks {escaped:?}");
    }
}

#[test]
fn out_stays_clear_of_git_and_the_workspace_files() {
    let t = Test::example();
    fs::create_dir_all(t.path(".git/objects")).expect("git dir");
    let before = t.snapshot();
    for (out, says) in [
        (".git/board", "inside a .git directory"),
        ("site/../.git", "inside a .git directory"),
        (".", "is the workspace itself"),
        ("releases", "inside the workspace's releases/ directory"),
        (
            "requests/site",
            "inside the workspace's requests/ directory",
        ),
        ("zyklus.toml", "is a file, not a directory"),
    ] {
        t.run(&["board", "--out", out]).code(1).stderr_has(says);
    }
    assert_eq!(before, t.snapshot(), "a refused board writes nothing");
    // A directory of its own inside the workspace is fine (GitLab Pages: public/),
    // and a page that is a symbolic link is replaced, never written through.
    fs::create_dir_all(t.path("public")).expect("public");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../zyklus.toml", t.path("public/index.html")).expect("symlink");
    let config = t.read("zyklus.toml");
    t.run(&["board", "--out", "public"]).ok();
    assert_eq!(t.read("zyklus.toml"), config);
    assert!(t.read("public/index.html").starts_with("<!DOCTYPE html>"));
    assert!(!t.path("public/index.html").is_symlink());
}

#[test]
fn the_language_is_the_workspaces_first_unless_chosen() {
    let t = Test::example();
    t.run(&["board", "--out", "de"]).ok();
    let de = page(&t, "de/index.html");
    assert!(de.contains("<html lang=\"de\">"));
    assert!(de.contains("<h1>Release-Board 2027</h1>"));
    t.run(&["board", "--out", "en", "--lang", "en"]).ok();
    let en = page(&t, "en/index.html");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("<h1>Release board 2027</h1>"));
    t.run(&["board", "--out", "fr", "--lang", "fr"])
        .code(2)
        .stderr_has("invalid value 'fr'");
    t.run(&["board", "--out", "y", "--year", "2026"]).ok();
    assert!(page(&t, "y/index.html").contains("<h1>Release-Board 2026</h1>"));
}

#[test]
fn help_says_what_the_board_shows() {
    let t = Test::empty();
    t.run(&["board", "--help"])
        .ok()
        .stdout_has("static, self-contained HTML site")
        .stdout_has("release-<ID>.html")
        .stdout_has("--out <DIR>")
        .stdout_has("--lang <LANG>")
        .stdout_has("--format json prints the board's data");
    t.run(&["--help"]).ok().stdout_has("board");
}

// ---------------------------------------------------------------------------
// The real browser

/// The Chromium binary: `CHROMIUM`, else Debian's.
fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Whether Chromium and Playwright are there; `.ci/run` sets
/// `ZYKLUS_REQUIRE_BROWSER=1` once it has installed them, and then a missing
/// browser fails instead of skipping.
fn browser_missing() -> Option<String> {
    let mut missing = Vec::new();
    if !chromium().is_file() {
        missing.push(format!("no Chromium at {}", chromium().display()));
    }
    let pw = Command::new("python3")
        .args(["-c", "import playwright.sync_api"])
        .output();
    if !pw.is_ok_and(|o| o.status.success()) {
        missing.push("no Python playwright (pip install -r tests/requirements.txt)".into());
    }
    if missing.is_empty() {
        return None;
    }
    let why = missing.join("; ");
    assert!(
        std::env::var_os("ZYKLUS_REQUIRE_BROWSER").is_none(),
        "ZYKLUS_REQUIRE_BROWSER is set but {why}"
    );
    Some(why)
}

#[test]
fn the_board_in_headless_chromium() {
    if let Some(why) = browser_missing() {
        eprintln!(
            "\n======================================================================\n\
             SKIPPED the_board_in_headless_chromium: {why}.\n\
             Install Debian's chromium (apt-get install -y chromium) and\n\
             `python3 -m pip install -r tests/requirements.txt`; .ci/run does both.\n\
             ======================================================================\n"
        );
        return;
    }
    let t = busy_year();
    let json = t.run(&["--format", "json", "board", "--out", "site"]);
    json.ok();
    t.write("board.json", &json.stdout);
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_board.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&checker)
        .arg("--site")
        .arg(t.path("site"))
        .arg("--board")
        .arg(t.path("board.json"))
        .arg("--chromium")
        .arg(chromium());
    // `ZYKLUS_BOARD_SCREENSHOT=$PWD/docs/board.png cargo test --test cli board_in_headless`
    // regenerates the README's screenshot from this very board.
    if let Some(png) = std::env::var_os("ZYKLUS_BOARD_SCREENSHOT") {
        cmd.arg("--screenshot").arg(png);
    }
    // `ZYKLUS_BOARD_SITE=DIR` keeps a copy of the site to look at.
    if let Some(keep) = std::env::var_os("ZYKLUS_BOARD_SITE") {
        let keep = PathBuf::from(keep);
        fs::create_dir_all(&keep).expect("create ZYKLUS_BOARD_SITE");
        for (name, bytes) in files(&t.path("site")) {
            fs::write(keep.join(name), bytes).expect("copy the site");
        }
    }
    let out = crate::fixtures::succeeded(cmd.output().expect("run python3"), "the browser check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("8 pages checked"), "{stdout}");
    println!("{stdout}");
}
