//! `zyklus hotfix new` and the hotfix gates.

use crate::fixtures::{release_toml, with_production};
use crate::support::Test;

#[test]
fn a_hotfix_goes_through_its_short_gates_at_once() {
    let mut t = with_production();
    t.run(&["hotfix", "new", "--request", "CR-0026"])
        .ok()
        .stdout_has("2026.6.1");
    let v = release_toml(&t, "2026.6.1");
    assert_eq!(v["stage"].as_str(), Some("planned"));
    assert_eq!(v["scope"].as_array().map(Vec::len), Some(1));
    assert!(t
        .read("releases/2026.6.1.toml")
        .starts_with("# Hotfix 2026.6.1 on top of 2026.6"));
    t.run(&["hotfix", "new", "--request", "CR-0027"])
        .ok()
        .stdout_has("2026.6.2");
    t.run(&["release", "list", "--year", "2026"])
        .ok()
        .stdout_has("2026.6.1");

    t.run(&["gate", "advance", "2026.6.1", "--yes"]).ok();
    t.run(&["request", "set", "CR-0026", "--status", "done"])
        .ok();
    t.at("2026-11-27T11:00:00+01:00");
    t.run(&["gate", "advance", "2026.6.1", "--yes", "--deployed", "hf-1"])
        .ok();
    t.at("2026-11-27T12:00:00+01:00");
    // No minimum test phase and no date gate, but a sign-off.
    let j = t
        .run(&["--format", "json", "gate", "check", "2026.6.1"])
        .code(3)
        .json();
    let failing: Vec<&str> = j["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(failing, ["signoff"]);
    t.run(&["gate", "advance", "2026.6.1", "--yes", "--signoff", "Ops"])
        .ok()
        .stderr_has("test → production");
    let v = release_toml(&t, "2026.6.1");
    assert_eq!(v["history"].as_array().map(Vec::len), Some(3));
    // The next hotfix goes on the latest production release (still 2026.6).
    t.run(&["hotfix", "new", "--request", "CR-0035"])
        .ok()
        .stdout_has("2026.6.3")
        .stderr_has("not a hotfix request");
}

#[test]
fn hotfix_gates_are_configurable() {
    let mut t = with_production();
    let cfg = t.read("zyklus.toml")
        + "\n[gates]\nhotfix_min_test_days = 2\nhotfix_require_signoff = false\nhotfix_date_gate = true\n";
    t.write("zyklus.toml", &cfg);
    t.write(
        "releases/2026.6.1.toml",
        "id = \"2026.6.1\"\nstage = \"test\"\nscope = [\"CR-0025\"]\ntest_started_at = 2026-11-26T12:00:00+01:00\n",
    );
    let j = t
        .run(&["--format", "json", "gate", "check", "2026.6.1"])
        .code(3)
        .json();
    assert_eq!(j["checks"][0]["name"], "test_duration");
    assert_eq!(j["checks"][0]["passed"], false);
    assert_eq!(j["checks"][2]["name"], "release_date_reached");
    assert_eq!(j["checks"][2]["passed"], true);
    assert_eq!(j["checks"][3]["passed"], true);
    t.at("2026-11-28T12:00:00+01:00");
    t.run(&["gate", "check", "2026.6.1"]).ok();
}

#[test]
fn refusals() {
    let t = Test::example();
    let before = t.snapshot();
    t.run(&["hotfix", "new", "--request", "CR-0026"])
        .code(1)
        .stderr_has("no release is in production");
    assert_eq!(t.snapshot(), before);
    let t = with_production();
    t.write(
        "releases/2027.1.toml",
        "id = \"2027.1\"\nscope = [\"CR-0027\"]\n",
    );
    let before2 = t.snapshot();
    t.run(&["hotfix", "new", "--request", "CR-0023"])
        .code(1)
        .stderr_has("rejected");
    t.run(&["hotfix", "new", "--request", "CR-0027"])
        .code(1)
        .stderr_has("already in the scope of 2027.1");
    t.run(&["hotfix", "new", "--request", "CR-0026", "--on", "2027.1"])
        .code(1)
        .stderr_has("not in production");
    t.run(&["hotfix", "new", "--request", "CR-0026", "--on", "2025.1"])
        .code(1)
        .stderr_has("no release 2025.1");
    t.run(&["hotfix", "new", "--request", "CR-0999"]).code(1);
    assert_eq!(t.snapshot(), before2);
    t.run(&["hotfix", "new", "--request", "CR-0026", "--on", "2026.6"])
        .ok()
        .stdout_has("2026.6.1");
}
