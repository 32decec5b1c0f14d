//! One rule for what goes where (docs/commands.md, "Output"): stdout carries what a
//! command produces — a report, a document, JSON, or the id of what it created;
//! stderr carries what it says along the way — the files written, the checks of a
//! gate, confirmations of a change, warnings and errors. So a command that only
//! changes what exists prints nothing on stdout in table format, and its JSON
//! record with `--format json`.

use crate::support::{Run, Test};

/// Nothing on stdout, the change confirmed on stderr next to the files written.
#[track_caller]
fn changed(r: &Run, wrote: &str, says: &str) {
    r.ok();
    assert_eq!(r.stdout, "", "stdout of {:?}", r.args);
    r.stderr_has(&format!("wrote {wrote}")).stderr_has(says);
}

/// Exactly the new id on stdout (for scripts), the file written on stderr.
#[track_caller]
fn created(r: &Run, id: &str, wrote: &str) {
    r.ok();
    assert_eq!(r.stdout, format!("{id}\n"), "stdout of {:?}", r.args);
    r.stderr_has(&format!("wrote {wrote}"));
}

/// The JSON record of the change on stdout, and nothing but it.
#[track_caller]
fn json_record(r: &Run, key: &str) {
    r.ok();
    let j = r.json();
    assert!(j.get(key).is_some(), "{key} missing in {}", r.stdout);
}

#[test]
fn creating_prints_the_id_and_changing_prints_nothing_on_stdout() {
    let mut t = Test::example();
    t.run(&["plan", "--yes"]).ok();
    created(
        &t.run(&[
            "request", "new", "--title", "Streams", "--effort", "3", "--yes",
        ]),
        "CR-0041",
        "requests/CR-0041.toml",
    );
    changed(
        &t.run(&["request", "set", "CR-0041", "--effort", "5"]),
        "requests/CR-0041.toml",
        "",
    );
    json_record(
        &t.run(&[
            "--format", "json", "request", "set", "CR-0041", "--effort", "4",
        ]),
        "requests",
    );
    changed(
        &t.run(&["release", "accept", "2027.1"]),
        "releases/2027.1.toml",
        "accepted ",
    );
    changed(
        &t.run(&["gate", "advance", "2027.1", "--yes"]),
        "releases/2027.1.toml",
        "2027.1: planned → development",
    );
    created(
        &t.run(&[
            "finding",
            "add",
            "2027.1",
            "--severity",
            "minor",
            "Tooltip cut",
        ]),
        "1",
        "releases/2027.1.toml",
    );
    changed(
        &t.run(&["finding", "resolve", "2027.1", "1"]),
        "releases/2027.1.toml",
        "resolved finding #1 of 2027.1",
    );
    changed(
        &t.run(&["sla", "ack", "CR-0026"]),
        "requests/CR-0026.toml",
        "CR-0026: reaction recorded",
    );
    json_record(
        &t.run(&[
            "--format",
            "json",
            "sla",
            "ack",
            "CR-0027",
            "--at",
            "2026-11-27T09:00:00+01:00",
        ]),
        "met",
    );
    // Into test, then a new build on the test mirror.
    t.at("2026-12-22T09:00:00+01:00");
    let scope: Vec<String> = t
        .run(&["--format", "json", "release", "show", "2027.1"])
        .ok()
        .json()["scope"]
        .as_array()
        .expect("scope")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    let mut args = vec!["request", "set"];
    args.extend(scope.iter().map(String::as_str));
    args.extend(["--status", "done"]);
    t.run(&args).ok();
    let advance = t.run(&[
        "--format",
        "json",
        "gate",
        "advance",
        "2027.1",
        "--yes",
        "--deployed",
        "v2027.1-rc1",
    ]);
    json_record(&advance, "forced");
    assert_eq!(advance.json()["to"], "test", "{}", advance.stdout);
    changed(
        &t.run(&["gate", "deploy", "2027.1", "--deployed", "v2027.1-rc2"]),
        "releases/2027.1.toml",
        "v2027.1-rc2 deployed to the test mirror",
    );
}
