//! `zyklus gate check|advance`: a release of the example walked from planned to
//! production with the clock moving forward, every refusal on the way, a forced
//! advance, a rollback, and two advances racing for the same release.

use crate::fixtures::{example_with_release, release_toml, RELEASE_2027_1};
use crate::support::Test;

fn failing(j: &serde_json::Value) -> Vec<String> {
    j["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

fn check_names(entry: &toml::Value) -> Vec<(String, bool)> {
    entry
        .get("checks")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["name"].as_str().expect("name").to_owned(),
                        c["passed"].as_bool().expect("passed"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[allow(clippy::too_many_lines)]
fn a_release_walks_from_planned_to_production() {
    let mut t = example_with_release();

    // planned → development: the scope is accepted.
    let r = t.run(&["--format", "json", "gate", "check", "2027.1"]);
    r.ok();
    let j = r.json();
    let mut keys: Vec<&str> = j
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["checks", "from", "passed", "release", "to"]);
    assert_eq!(j["release"], "2027.1");
    assert_eq!(j["from"], "planned");
    assert_eq!(j["to"], "development");
    assert_eq!(j["passed"], true);
    for c in j["checks"].as_array().expect("checks") {
        let mut keys: Vec<&str> = c
            .as_object()
            .expect("check")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["detail", "name", "passed"]);
    }
    t.run(&["gate", "check", "2027.1"])
        .ok()
        .stdout_has("scope_accepted")
        .stdout_has("passes");

    // Refused: no terminal and no --yes; skipping a stage.
    let before = t.snapshot();
    t.run(&["gate", "advance", "2027.1"])
        .code(1)
        .stderr_has("--yes");
    assert_eq!(t.snapshot(), before);
    t.run(&["gate", "advance", "2027.1", "--to", "test", "--yes"])
        .code(1)
        .stderr_has("skips a stage");
    t.run(&["gate", "check", "2027.1", "--to", "production"])
        .code(1)
        .stderr_has("skips a stage");
    assert_eq!(t.snapshot(), before);

    t.run(&["gate", "advance", "2027.1", "--yes", "--note", "kick-off"])
        .ok()
        .stderr_has("2027.1: planned → development");
    let rel = t.read("releases/2027.1.toml");
    assert!(rel.starts_with("# Release 2027.1, written by hand for the test."));
    assert!(
        rel.contains("stage = \"development\" # where it stands"),
        "{rel}"
    );
    assert!(rel.contains("frozen = true"));

    // A frozen scope changes only with a reason, and is recorded.
    t.at("2026-12-01T11:00:00+01:00");
    t.run(&["release", "add", "2027.1", "CR-0035"])
        .code(1)
        .stderr_has("--reason");
    t.run(&[
        "release",
        "add",
        "2027.1",
        "CR-0035",
        "--reason",
        "one-line fix, fits",
    ])
    .ok();

    // development → test: not implemented, not deployed.
    t.at("2026-12-21T16:00:00+01:00");
    let j = t
        .run(&["--format", "json", "gate", "check", "2027.1"])
        .code(3)
        .json();
    assert_eq!(failing(&j), ["scope_implemented", "test_deployed"]);
    for cr in ["CR-0004", "CR-0007", "CR-0035"] {
        t.run(&["request", "set", cr, "--status", "done"]).ok();
    }
    let before = t.snapshot();
    t.run(&["gate", "advance", "2027.1", "--yes"])
        .code(3)
        .stderr_has("test_deployed")
        .stderr_has("--force --reason");
    // CR-0017 is still open: forcing needs a reason (usage error without one).
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--deployed",
        "v2027.1-rc1",
        "--yes",
    ])
    .code(3)
    .stderr_has("scope_implemented");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--deployed",
        "v2027.1-rc1",
        "--yes",
        "--force",
    ])
    .code(2);
    assert_eq!(t.snapshot(), before);
    t.at("2026-12-22T09:00:00+01:00");
    let j = t
        .run(&[
            "--format",
            "json",
            "gate",
            "advance",
            "2027.1",
            "--deployed",
            "v2027.1-rc1",
            "--yes",
            "--force",
            "--reason",
            "CR-0017 is verified on the test mirror",
        ])
        .ok()
        .json();
    assert_eq!(j["forced"], true);
    assert_eq!(j["to"], "test");
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["deployed"].as_str(), Some("v2027.1-rc1"));
    assert_eq!(
        v["test_started_at"].to_string(),
        "2026-12-22T09:00:00+01:00"
    );

    // A blocker is found; the release goes back to development.
    t.at("2026-12-23T10:00:00+01:00");
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "blocker",
        "Checkout crashes",
        "--request",
        "CR-0004",
    ])
    .ok()
    .stdout_has("1");
    t.run(&["gate", "advance", "2027.1", "--to", "development", "--yes"])
        .code(1)
        .stderr_has("needs a reason");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--to",
        "development",
        "--yes",
        "--reason",
        "blocker #1 needs a rebuild",
    ])
    .ok();
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["stage"].as_str(), Some("development"));
    assert!(v.get("deployed").is_none() && v.get("test_started_at").is_none());

    // Back into test with a new build, everything implemented.
    t.at("2026-12-28T09:00:00+01:00");
    t.run(&["request", "set", "CR-0017", "--status", "done"])
        .ok();
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--deployed",
        "v2027.1-rc2",
        "--yes",
    ])
    .ok();

    // test → production: every criterion refused on its own.
    t.at("2027-01-11T09:00:00+01:00");
    let j = t
        .run(&["--format", "json", "gate", "check", "2027.1"])
        .code(3)
        .json();
    assert_eq!(
        failing(&j),
        [
            "test_duration",
            "no_open_blocker",
            "release_date_reached",
            "signoff"
        ]
    );
    let before = t.snapshot();
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--signoff",
        "Anna Berger",
        "--yes",
    ])
    .code(3)
    .stderr_has("release date 2027-01-12 is 1 day away")
    .stderr_has("open blocker");
    assert_eq!(t.snapshot(), before);
    t.run(&["finding", "resolve", "2027.1", "1"]).ok();
    t.at("2027-01-12T10:00:00+01:00");
    let j = t
        .run(&["--format", "json", "gate", "check", "2027.1"])
        .code(3)
        .json();
    assert_eq!(failing(&j), ["test_duration", "signoff"]);
    t.run(&["gate", "advance", "2027.1", "--yes"])
        .code(3)
        .stderr_has("no sign-off recorded")
        .stderr_has("tested 15 of 21 days");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--yes",
        "--signoff",
        "Anna Berger",
    ])
    .code(3)
    .stderr_has("test_duration");
    t.at("2027-01-18T09:00:00+01:00");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--yes",
        "--signoff",
        "Anna Berger",
    ])
    .ok()
    .stderr_has("test → production");

    // Production is final.
    let before = t.snapshot();
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--to",
        "cancelled",
        "--reason",
        "x",
        "--yes",
    ])
    .code(1)
    .stderr_has("does not change stage");
    t.run(&["gate", "check", "2027.1"])
        .code(1)
        .stderr_has("hotfix");
    t.run(&["release", "add", "2027.1", "CR-0022", "--reason", "late"])
        .code(1)
        .stderr_has("production");
    assert_eq!(t.snapshot(), before);
    t.run(&["validate"]).ok();

    // The history, entry by entry.
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["stage"].as_str(), Some("production"));
    assert_eq!(v["signoff"].as_str(), Some("Anna Berger"));
    let h = v["history"].as_array().expect("history");
    assert_eq!(h.len(), 6);
    let step = |i: usize| -> (&str, &str, &str, bool) {
        (
            h[i]["from"].as_str().expect("from"),
            h[i]["to"].as_str().expect("to"),
            h[i]["at"]
                .as_datetime()
                .map(|_| "")
                .expect("at is a TOML datetime"),
            h[i]["forced"].as_bool().expect("forced"),
        )
    };
    for e in h {
        assert_eq!(e["by"].as_str(), Some("tester"));
    }
    assert_eq!(step(0), ("planned", "development", "", false));
    assert_eq!(h[0]["note"].as_str(), Some("kick-off"));
    assert_eq!(h[0]["at"].to_string(), "2026-11-27T10:00:00+01:00");
    assert_eq!(
        check_names(&h[0]),
        [
            ("scope_not_empty".into(), true),
            ("scope_accepted".into(), true)
        ]
    );

    assert_eq!(step(1), ("development", "development", "", false));
    assert_eq!(
        h[1]["added"].as_array().expect("added")[0].as_str(),
        Some("CR-0035")
    );
    assert_eq!(h[1]["reason"].as_str(), Some("one-line fix, fits"));

    assert_eq!(step(2), ("development", "test", "", true));
    assert_eq!(
        h[2]["reason"].as_str(),
        Some("CR-0017 is verified on the test mirror")
    );
    assert_eq!(h[2]["deployed"].as_str(), Some("v2027.1-rc1"));
    assert_eq!(
        check_names(&h[2]),
        [
            ("scope_implemented".into(), false),
            ("test_deployed".into(), true)
        ]
    );

    assert_eq!(step(3), ("test", "development", "", false));
    assert_eq!(h[3]["reason"].as_str(), Some("blocker #1 needs a rebuild"));
    assert!(check_names(&h[3]).is_empty());

    assert_eq!(step(4), ("development", "test", "", false));
    assert_eq!(h[4]["deployed"].as_str(), Some("v2027.1-rc2"));
    assert_eq!(h[4]["at"].to_string(), "2026-12-28T09:00:00+01:00");

    assert_eq!(step(5), ("test", "production", "", false));
    assert_eq!(h[5]["signoff"].as_str(), Some("Anna Berger"));
    assert_eq!(
        check_names(&h[5]),
        [
            ("test_duration".into(), true),
            ("no_open_blocker".into(), true),
            ("release_date_reached".into(), true),
            ("signoff".into(), true)
        ]
    );
    assert_eq!(h[5]["at"].to_string(), "2027-01-18T09:00:00+01:00");

    let f = &v["finding"].as_array().expect("findings")[0];
    assert_eq!(f["number"].as_integer(), Some(1));
    assert_eq!(f["resolved_at"].to_string(), "2027-01-11T09:00:00+01:00");
}

#[test]
fn cancelling_needs_a_reason_and_is_recorded() {
    let t = example_with_release();
    t.run(&["gate", "advance", "2027.1", "--to", "cancelled", "--yes"])
        .code(1)
        .stderr_has("needs a reason");
    t.run(&[
        "gate",
        "advance",
        "2027.1",
        "--to",
        "cancelled",
        "--yes",
        "--reason",
        "merged into 2027.2",
    ])
    .ok();
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["stage"].as_str(), Some("cancelled"));
    assert_eq!(
        v["history"][0]["reason"].as_str(),
        Some("merged into 2027.2")
    );
    t.run(&["gate", "check", "2027.1"]).code(1);
}

#[test]
fn flags_that_do_not_fit_the_transition_are_refused() {
    let t = example_with_release();
    let before = t.snapshot();
    t.run(&["gate", "advance", "2027.1", "--deployed", "abc", "--yes"])
        .code(1)
        .stderr_has("--deployed is recorded when a release enters test");
    t.run(&["gate", "advance", "2027.1", "--signoff", "X", "--yes"])
        .code(1)
        .stderr_has("--signoff");
    t.run(&["gate", "check", "2099.1"])
        .code(1)
        .stderr_has("no release 2099.1");
    t.run(&["gate", "check", "2027.1", "--to", "nowhere"])
        .code(2);
    assert_eq!(t.snapshot(), before);
}

#[test]
fn gates_follow_the_config() {
    let t = example_with_release();
    let cfg = t.read("zyklus.toml") + "\n[gates]\nmin_test_days = 7\nrequire_signoff = false\n";
    t.write("zyklus.toml", &cfg);
    let mut v: toml::Table = toml::from_str(RELEASE_2027_1).expect("toml");
    v.insert("stage".into(), "test".into());
    v.insert(
        "test_started_at".into(),
        toml::Value::Datetime("2027-01-04T09:00:00+01:00".parse().expect("dt")),
    );
    t.write("releases/2027.1.toml", &toml::to_string(&v).expect("toml"));
    let mut t = t;
    t.at("2027-01-12T09:00:00+01:00");
    let j = t
        .run(&["--format", "json", "gate", "check", "2027.1"])
        .ok()
        .json();
    assert!(j["checks"][0]["detail"]
        .as_str()
        .expect("detail")
        .contains("minimum is 7 days"));
    assert!(j["checks"][3]["detail"]
        .as_str()
        .expect("detail")
        .contains("not required"));

    t.write(
        "zyklus.toml",
        &(t.read("zyklus.toml") + "hotfix_min_test_days = 9999\n"),
    );
    t.run(&["validate"])
        .code(1)
        .stderr_has("hotfix_min_test_days");
}

#[test]
fn the_release_date_comes_from_the_calendar_when_the_file_has_none() {
    let mut t = Test::example();
    t.write(
        "releases/2027.1.toml",
        "id = \"2027.1\"\nstage = \"test\"\nscope = [\"CR-0001\"]\nsignoff = \"A\"\ntest_started_at = 2026-12-01T09:00:00+01:00\n",
    );
    t.at("2027-01-11T12:00:00+01:00");
    t.run(&["gate", "check", "2027.1"])
        .code(3)
        .stdout_has("release date 2027-01-12 is 1 day away");
    t.at("2027-01-12T00:00:00+01:00");
    t.run(&["gate", "check", "2027.1"]).ok();
}

#[test]
fn two_advances_at_once_move_the_release_once() {
    let t = example_with_release();
    let spawn = || {
        t.command(&["gate", "advance", "2027.1", "--to", "development", "--yes"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn zyklus")
    };
    let (a, b) = (spawn(), spawn());
    let outs = [
        a.wait_with_output().expect("wait"),
        b.wait_with_output().expect("wait"),
    ];
    let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        1,
        "exactly one succeeds: {codes:?}\n{}",
        outs.iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
    let loser = outs
        .iter()
        .find(|o| !o.status.success())
        .expect("one fails");
    assert_eq!(loser.status.code(), Some(1));
    let err = String::from_utf8_lossy(&loser.stderr);
    assert!(err.contains("already in development"), "{err}");
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["stage"].as_str(), Some("development"));
    assert_eq!(v["history"].as_array().expect("history").len(), 1);
    t.run(&["validate"]).ok();
}
