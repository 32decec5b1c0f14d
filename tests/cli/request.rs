use crate::support::Test;

#[test]
fn list_filters_and_json() {
    let t = Test::example();
    let r = t.run(&["request", "list", "--kind", "hotfix"]);
    r.ok().stdout_has("CR-0026").stdout_lacks("CR-0001");
    let j = t
        .run(&["--format", "json", "request", "list", "--status", "done"])
        .json();
    let ids: Vec<&str> = j["requests"]
        .as_array()
        .expect("requests array")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["CR-0001", "CR-0002", "CR-0003", "CR-0025"]);
    let j = t
        .run(&[
            "--format",
            "json",
            "request",
            "list",
            "--partner",
            "kaiserblau",
        ])
        .json();
    assert!(j["requests"]
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["requested_by"]
            .as_array()
            .expect("list")
            .iter()
            .any(|p| p == "kaiserblau")));
}

#[test]
fn show_prints_one_request_or_a_clear_error() {
    let t = Test::example();
    t.run(&["request", "show", "CR-0009"])
        .ok()
        .stdout_has("GDPR")
        .stdout_has("deadline:")
        .stdout_has("[de]");
    t.run(&["request", "show", "CR-9999"])
        .code(1)
        .stderr_has("no request `CR-9999`")
        .stderr_has("zyklus request list");
}

#[test]
fn new_from_flags_writes_a_valid_file() {
    let t = Test::example();
    let r = t.run(&[
        "request",
        "new",
        "--title",
        "Prüfbericht als PDF",
        "--kind",
        "improvement",
        "--effort",
        "3",
        "--score",
        "value=7",
        "--score",
        "urgency=4",
        "--score",
        "risk=2",
        "--depends-on",
        "CR-0007",
        "--text",
        "de=Prüfberichte lassen sich als PDF laden.",
        "--text",
        "en=Audit reports download as PDF.",
    ]);
    r.ok();
    assert_eq!(r.stdout.trim(), "CR-0041");
    let file = t.read("requests/CR-0041.toml");
    assert!(file.contains("depends_on = [\"CR-0007\"]"), "{file}");
    assert!(file.contains("created = 2026-11-27"), "{file}");
    t.run(&["validate"]).ok();
}

#[test]
fn new_without_terminal_refuses_to_prompt() {
    let t = Test::example();
    let before = t.snapshot();
    t.run(&["request", "new", "--title", "Half"])
        .code(1)
        .stderr_has("not a terminal")
        .stderr_has("--effort");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn new_with_a_dangling_dependency_writes_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    t.run(&[
        "request",
        "new",
        "--title",
        "X",
        "--effort",
        "2",
        "--depends-on",
        "CR-4040",
    ])
    .code(1)
    .stderr_has("depends_on names `CR-4040`");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn set_keeps_comments_and_layout() {
    let t = Test::example();
    let before = t.read("requests/CR-0009.toml");
    assert!(before.starts_with('#'), "fixture has a comment first");
    t.run(&[
        "request", "set", "CR-0009", "--status", "done", "--effort", "6",
    ])
    .ok();
    let after = t.read("requests/CR-0009.toml");
    assert_eq!(after.lines().next(), before.lines().next(), "comment kept");
    assert!(after.contains("status = \"done\""));
    assert!(after.contains("effort = 6"));
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "only two lines change: {changed:?}");
}

#[test]
fn set_with_an_invalid_result_writes_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    t.run(&["request", "set", "CR-0009", "--score", "value=42"])
        .code(1)
        .stderr_has("outside its scale");
    t.run(&["request", "set", "CR-0009", "--status", "wip"])
        .code(2);
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_held_lock_makes_a_writer_fail_clearly() {
    let t = Test::example();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(t.path(".zyklus.lock"))
        .expect("open lock");
    lock.lock().expect("take lock");
    let before = t.snapshot();
    t.run(&["request", "set", "CR-0009", "--status", "done"])
        .code(1)
        .stderr_has("another zyklus process");
    assert_eq!(t.snapshot(), before);
    drop(lock);
    t.run(&["request", "set", "CR-0009", "--status", "done"])
        .ok();
}
