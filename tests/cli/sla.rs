//! `zyklus sla`: the 12-working-hour reaction promise for hotfix requests.

use crate::support::Test;

fn hotfix(reported: &str, status: &str) -> String {
    format!(
        "title = \"Hotfix\"\nkind = \"hotfix\"\nstatus = \"{status}\"\neffort = 1\nimpact = \"minor\"\nreported_at = {reported}\n\
         [scores]\nvalue = 5\nurgency = 5\nrisk = 5\n"
    )
}

#[test]
fn the_example_has_one_late_hotfix() {
    let mut t = Test::example();
    let r = t.run(&["--format", "json", "sla"]);
    r.code(3);
    let j = r.json();
    assert_eq!(j["reaction_hours"], 12);
    assert_eq!(j["late"], 1);
    let rows = j["requests"].as_array().expect("requests");
    assert_eq!(rows[0]["id"], "CR-0026");
    // Thursday 21:40 + 2 h 20 on Thursday + 9 h 40 on Friday.
    assert_eq!(rows[0]["due"], "2026-11-27T09:40:00+01:00");
    assert_eq!(rows[0]["late"], true);
    assert_eq!(rows[0]["left_minutes"], -20);
    assert_eq!(rows[1]["id"], "CR-0027");
    assert_eq!(rows[1]["late"], false);
    t.run(&["sla"])
        .code(3)
        .stdout_has("LATE 0h20")
        .stdout_has("1 late");

    t.at("2026-11-27T09:00:00+01:00");
    let j = t.run(&["--format", "json", "sla"]).ok().json();
    assert_eq!(j["late"], 0);
    assert_eq!(j["requests"][0]["left_minutes"], 40);
}

#[test]
fn weekends_and_holidays_stop_the_clock() {
    let mut t = Test::example();
    t.write(
        "requests/CR-0026.toml",
        &hotfix("2027-02-12T20:00:00+01:00", "open"),
    );
    // Monday 2026-12-07 20:00: 4 h Monday, the 8th is a holiday, 8 h Wednesday.
    t.write(
        "requests/CR-0027.toml",
        &hotfix("2026-12-07T20:00:00+01:00", "accepted"),
    );
    // Done hotfixes are not listed.
    t.write(
        "requests/CR-0041.toml",
        &hotfix("2026-12-01T08:00:00+01:00", "done"),
    );
    t.at("2026-12-09T07:00:00+01:00");
    let j = t.run(&["--format", "json", "sla"]).ok().json();
    let rows = j["requests"].as_array().expect("requests");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "CR-0027");
    assert_eq!(rows[0]["due"], "2026-12-09T08:00:00+01:00");
    assert_eq!(rows[0]["left_minutes"], 60);
    assert_eq!(rows[1]["id"], "CR-0026");
    assert_eq!(rows[1]["due"], "2027-02-15T08:00:00+01:00");
    t.at("2026-12-09T08:00:01+01:00");
    t.run(&["sla"]).code(3);
}

#[test]
fn the_promise_is_configurable_and_checked() {
    let t = Test::example();
    let cfg = t
        .read("zyklus.toml")
        .replace("reaction_hours = 12", "reaction_hours = 48");
    t.write("zyklus.toml", &cfg);
    let j = t.run(&["--format", "json", "sla"]).ok().json();
    // Thursday 21:40 + 48 working hours: 2h20 Thu, 24 Fri, 21h40 Mon.
    assert_eq!(j["requests"][0]["due"], "2026-11-30T21:40:00+01:00");
    t.write(
        "zyklus.toml",
        &cfg.replace("reaction_hours = 48", "reaction_hours = 0"),
    );
    t.run(&["sla"]).code(1).stderr_has("reaction_hours");
}

#[test]
fn a_hotfix_without_reported_at_is_listed_with_a_warning() {
    let t = Test::example();
    let src = t.read("requests/CR-0027.toml");
    let src: String = src
        .lines()
        .filter(|l| !l.starts_with("reported_at"))
        .map(|l| format!("{l}\n"))
        .collect();
    t.write("requests/CR-0027.toml", &src);
    t.run(&["sla"])
        .code(3)
        .stderr_has("CR-0027 has no reported_at")
        .stdout_has("no reported_at");
}

#[test]
fn ack_records_the_reaction_and_sla_judges_it() {
    let mut t = Test::example();
    let before = t.snapshot();
    insta::assert_snapshot!("sla_ack_not_a_hotfix", t.zyklus("sla ack CR-0009"));
    insta::assert_snapshot!(
        "sla_ack_before_report",
        t.zyklus("sla ack CR-0026 --at 2026-11-26T20:00:00+01:00")
    );
    assert_eq!(t.snapshot(), before);
    // CR-0026 was due Fri 09:40: a reaction at 10:00 missed it by 20 minutes.
    insta::assert_snapshot!(
        "sla_ack_missed",
        t.zyklus("sla ack CR-0026 --note 'Zertifikat getauscht'")
    );
    insta::assert_snapshot!("sla_ack_file", t.files("requests/CR-0026.toml"));
    insta::assert_snapshot!(
        "sla_ack_met_json",
        t.zyklus("--format json sla ack CR-0027 --at 2026-11-27T09:00:00+01:00")
    );
    insta::assert_snapshot!("sla_ack_again_differently", t.zyklus("sla ack CR-0027"));
    // Nothing is late any more: exit 0, and both are judged.
    insta::assert_snapshot!("sla_after_ack", t.zyklus("sla"));
    t.zyklus("request set CR-0026 CR-0027 --status done").ok();
    t.zyklus("sla").ok().stdout_has("no open hotfix requests");
    insta::assert_snapshot!("sla_all", t.zyklus("sla --all"));
    t.at("2026-12-01T10:00:00+01:00");
    insta::assert_snapshot!("sla_report", t.zyklus("sla report --year 2026"));
    insta::assert_snapshot!(
        "sla_report_markdown_de",
        t.zyklus("sla report --year 2026 --as markdown")
    );
    insta::assert_snapshot!(
        "sla_report_markdown_en",
        t.zyklus("sla report --year 2026 --as markdown --lang en")
    );
    insta::assert_snapshot!(
        "sla_report_json",
        t.zyklus("--format json sla report --year 2026")
    );
    t.zyklus("sla report --year 2025")
        .ok()
        .stdout_has("no hotfix requests reported in 2025");
}

#[test]
fn ack_needs_reported_at() {
    let t = Test::example();
    let src: String = t
        .read("requests/CR-0027.toml")
        .lines()
        .filter(|l| !l.starts_with("reported_at"))
        .map(|l| format!("{l}\n"))
        .collect();
    t.write("requests/CR-0027.toml", &src);
    insta::assert_snapshot!("sla_ack_without_reported_at", t.zyklus("sla ack CR-0027"));
    t.zyklus("request set CR-0027 --reported-at 2026-11-27T08:15:00+01:00")
        .ok();
    t.zyklus("sla ack CR-0027").ok();
}
