//! `zyklus finding add|list|resolve`.

use crate::fixtures::{example_with_release, release_toml};

#[test]
fn add_list_resolve() {
    let mut t = example_with_release();
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "major",
        "Slow search",
    ])
    .ok()
    .stdout_has("1");
    t.at("2026-11-28T09:30:00+01:00");
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "blocker",
        "Crash on save",
        "--request",
        "CR-0004",
    ])
    .ok()
    .stdout_has("2");
    // A request outside the scope is allowed, with a warning.
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "minor",
        "Typo",
        "--request",
        "CR-0009",
    ])
    .ok()
    .stderr_has("not in the scope");

    let j = t
        .run(&["--format", "json", "finding", "list", "2027.1"])
        .ok()
        .json();
    let f = j["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 3);
    assert_eq!(f[1]["release"], "2027.1");
    assert_eq!(f[1]["number"], 2);
    assert_eq!(f[1]["severity"], "blocker");
    assert_eq!(f[1]["request"], "CR-0004");
    assert_eq!(f[1]["open"], true);
    assert_eq!(f[1]["raised_at"], "2026-11-28T09:30:00+01:00");

    t.run(&["finding", "resolve", "2027.1", "2"])
        .ok()
        .stderr_has("resolved finding #2");
    t.run(&["finding", "resolve", "2027.1", "2"])
        .ok()
        .stderr_has("already");
    let j = t
        .run(&["--format", "json", "finding", "list", "--open"])
        .ok()
        .json();
    let numbers: Vec<i64> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["number"].as_i64().expect("n"))
        .collect();
    assert_eq!(numbers, [1, 3]);
    t.run(&["finding", "list"])
        .ok()
        .stdout_has("Crash on save")
        .stdout_has("resolved");
    let v = release_toml(&t, "2027.1");
    assert_eq!(
        v["finding"][1]["resolved_at"].to_string(),
        "2026-11-28T09:30:00+01:00"
    );
    t.run(&["validate"]).ok();
}

#[test]
fn bad_input_writes_nothing() {
    let t = example_with_release();
    let before = t.snapshot();
    t.run(&["finding", "add", "2027.1", "--severity", "blocker", "  "])
        .code(1)
        .stderr_has("empty");
    t.run(&["finding", "add", "2027.1", "--severity", "fatal", "x"])
        .code(2);
    t.run(&["finding", "add", "2027.9", "--severity", "minor", "x"])
        .code(1);
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "minor",
        "x",
        "--request",
        "CR-9999",
    ])
    .code(1)
    .stderr_has("no request `CR-9999`");
    t.run(&["finding", "resolve", "2027.1", "7"])
        .code(1)
        .stderr_has("no finding #7");
    t.run(&["finding", "list", "2031.1"]).code(1);
    assert_eq!(t.snapshot(), before);

    t.write(
        "releases/2027.1.toml",
        &t.read("releases/2027.1.toml")
            .replace("\"planned\"", "\"production\""),
    );
    t.run(&["finding", "add", "2027.1", "--severity", "minor", "x"])
        .code(1)
        .stderr_has("hotfix");
}
