//! `zyklus release list|show|add|remove`.

use crate::fixtures::{example_with_release, release_toml};
use crate::support::Test;

#[test]
fn the_board_shows_every_slot_of_the_year() {
    let t = example_with_release();
    t.run(&["finding", "add", "2027.1", "--severity", "blocker", "x"])
        .ok();
    let j = t.run(&["--format", "json", "release", "list"]).ok().json();
    assert_eq!(j["year"], 2027);
    let rows = j["releases"].as_array().expect("releases");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(
        ids,
        ["2027.1", "2027.2", "2027.3", "2027.4", "2027.5", "2027.6"]
    );
    let r = &rows[0];
    assert_eq!(r["file"], true);
    assert_eq!(r["stage"], "planned");
    assert_eq!(r["release_date"], "2027-01-12");
    assert_eq!(r["next_gate"], "development");
    assert_eq!(r["next_gate_date"], "2026-11-11");
    assert_eq!(r["days_to_next_gate"], -16);
    assert_eq!(r["load"], 20);
    assert_eq!(r["capacity"], 40);
    assert_eq!(r["open_findings"], 1);
    assert_eq!(r["open_blockers"], 1);
    assert_eq!(rows[4]["capacity"], 30);
    assert_eq!(rows[4]["file"], false);
    t.run(&["release", "list"])
        .ok()
        .stdout_has("2027.2 *")
        .stdout_has("20/40")
        .stdout_has("1 open (1 blocker)");
    let j = t
        .run(&["--format", "json", "release", "list", "--year", "2026"])
        .ok()
        .json();
    assert_eq!(j["releases"].as_array().expect("releases").len(), 6);
}

#[test]
fn show_lists_scope_findings_and_history() {
    let t = example_with_release();
    t.run(&["gate", "advance", "2027.1", "--yes"]).ok();
    t.run(&["release", "show", "2027.1"])
        .ok()
        .stdout_has("Partner dashboard")
        .stdout_has("planned → development  by tester")
        .stdout_has("20/40 (scope frozen)");
    let j = t
        .run(&["--format", "json", "release", "show", "2027.1"])
        .ok()
        .json();
    assert_eq!(j["id"], "2027.1");
    assert_eq!(j["stage"], "development");
    assert_eq!(j["frozen"], true);
    assert_eq!(j["scope"][0]["id"], "CR-0004");
    assert_eq!(j["scope"][0]["effort"], 13);
    assert_eq!(j["history"][0]["to"], "development");
    t.run(&["release", "show", "2027.4"])
        .code(1)
        .stderr_has("no release 2027.4");
}

#[test]
fn scope_changes_are_checked_and_recorded() {
    let t = example_with_release();
    // Planned (not frozen): no reason needed.
    t.run(&["release", "add", "2027.1", "CR-0022"]).ok();
    t.run(&["release", "remove", "2027.1", "CR-0022"]).ok();
    t.run(&["gate", "advance", "2027.1", "--yes"]).ok();
    let before = t.snapshot();
    t.run(&["release", "add", "2027.1", "CR-0005", "--reason", "r"])
        .ok();
    // 20 + 13 = 33; CR-0015 (13) would make 46 of 40.
    let after_add = t.snapshot();
    assert_ne!(before, after_add);
    t.run(&["release", "add", "2027.1", "CR-0015", "--reason", "r"])
        .code(1)
        .stderr_has("46 of capacity 40");
    t.run(&["release", "add", "2027.1", "CR-0023", "--reason", "r"])
        .code(1)
        .stderr_has("rejected");
    t.run(&["release", "add", "2027.1", "CR-9999", "--reason", "r"])
        .code(1)
        .stderr_has("no request");
    t.run(&["release", "add", "2027.1", "CR-0005", "--reason", "r"])
        .code(1)
        .stderr_has("already in the scope");
    t.run(&["release", "remove", "2027.1", "CR-0009", "--reason", "r"])
        .code(1)
        .stderr_has("not in the scope");
    t.run(&["release", "remove", "2027.1", "CR-0004"])
        .code(1)
        .stderr_has("frozen");
    t.write(
        "releases/2027.2.toml",
        "id = \"2027.2\"\nscope = [\"CR-0009\"]\n",
    );
    let before = t.snapshot();
    t.run(&["release", "add", "2027.1", "CR-0009", "--reason", "r"])
        .code(1)
        .stderr_has("already in the scope of 2027.2");
    assert_eq!(t.snapshot(), before);
    t.run(&[
        "release",
        "remove",
        "2027.1",
        "CR-0004",
        "--reason",
        "descoped by the customer",
    ])
    .ok();
    let v = release_toml(&t, "2027.1");
    let scope: Vec<&str> = v["scope"]
        .as_array()
        .expect("scope")
        .iter()
        .map(|s| s.as_str().expect("id"))
        .collect();
    assert_eq!(scope, ["CR-0007", "CR-0017", "CR-0005"]);
    let h = v["history"].as_array().expect("history");
    assert_eq!(h.len(), 5);
    assert_eq!(h[0]["added"][0].as_str(), Some("CR-0022"));
    assert_eq!(h[1]["removed"][0].as_str(), Some("CR-0022"));
    assert_eq!(h[3]["from"].as_str(), Some("development"));
    assert_eq!(h[3]["to"].as_str(), Some("development"));
    assert_eq!(h[3]["added"][0].as_str(), Some("CR-0005"));
    assert_eq!(h[4]["removed"][0].as_str(), Some("CR-0004"));
    assert_eq!(h[4]["reason"].as_str(), Some("descoped by the customer"));
}

#[test]
fn a_capacity_in_the_file_wins() {
    let t = Test::example();
    t.write(
        "releases/2027.1.toml",
        "id = \"2027.1\"\ncapacity = 10\nscope = [\"CR-0007\"]\n",
    );
    t.run(&["release", "add", "2027.1", "CR-0010"]).ok();
    t.run(&["release", "add", "2027.1", "CR-0035"])
        .code(1)
        .stderr_has("11 of capacity 10");
}
