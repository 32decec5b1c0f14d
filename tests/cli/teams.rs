//! Capacity per team and stable re-planning, as a product owner meets them: the
//! `[capacity.teams]` and request keys and their diagnostics, the retired
//! `stability_penalty`, the planner respecting every team's capacity, and a
//! re-plan after a small what-if that keeps the plan on disk.

use insta::assert_snapshot;
use serde_json::Value;

use crate::support::Test;

const SCORING: &str = "[scoring]\ncriteria.value = { weight = 1.0, scale = [0, 100] }\n";

const TEAMS: &str = "[capacity.teams]\nbackend = { default = 10, releases = { \"2027.2\" = 4 } }\nfrontend = { default = 6 }\n";

fn request(extra: &str) -> String {
    format!("title = \"R\"\neffort = 5\n{extra}\n[scores]\nvalue = 10\n")
}

#[test]
fn team_keys_are_checked_where_they_are_written() {
    let t = Test::with_requests(
        &format!("{SCORING}{TEAMS}"),
        &[
            ("CR-1", &request("team = \"backnd\"")),
            (
                "CR-2",
                &request("team = \"backend\"\n[team_effort]\nbackend = 5"),
            ),
            ("CR-3", &request("[team_effort]\nbackend = 3\nfrontend = 3")),
            ("CR-4", &request("[team_effort]\nbackend = 2\nmobile = 3")),
            (
                "CR-5",
                &request("[team_effort]\nbackend = -1\nfrontend = 6"),
            ),
            ("CR-6", &request("team = \"frontend\"")),
            ("CR-7", &request("")),
        ],
    );
    assert_snapshot!("teams_invalid_requests", t.zyklus("validate"));
}

#[test]
fn a_team_without_configured_teams_is_an_error() {
    let t = Test::with_requests(SCORING, &[("CR-1", &request("team = \"backend\""))]);
    assert_snapshot!("teams_none_configured", t.zyklus("validate"));
}

#[test]
fn team_capacities_and_the_tolerance_are_checked_in_zyklus_toml() {
    let t = Test::with_requests(
        &format!(
            "{SCORING}[capacity.teams]\nbackend = {{ default = -3, releases = {{ \"2027.2\" = -1 }} }}\n\"front end\" = {{ default = 4, releases = {{ \"2027.x\" = 2 }} }}\n[planning]\nreplan_tolerance = 120\n"
        ),
        &[("CR-1", &request(""))],
    );
    assert_snapshot!("teams_invalid_config", t.zyklus("validate"));
}

#[test]
fn the_retired_stability_penalty_is_a_warning_not_an_error() {
    let t = Test::with_requests(
        &format!("{SCORING}[planning]\nstability_penalty = 0.05\n"),
        &[("CR-1", &request(""))],
    );
    assert_snapshot!("teams_stability_penalty_retired", t.zyklus("validate"));
    t.run(&["plan", "--dry-run"]).ok();
}

fn plan_json(t: &Test, extra: &[&str]) -> Value {
    let mut args = vec![
        "--format",
        "json",
        "plan",
        "--dry-run",
        "--time-limit",
        "600",
    ];
    args.extend_from_slice(extra);
    let r = t.run(&args);
    r.ok();
    r.json()
}

#[test]
fn the_plan_respects_every_team_capacity_and_the_total() {
    // No [capacity] default: the total is the sum of the teams (16, in 2027.2 10).
    let mut requests: Vec<(String, String)> = Vec::new();
    for i in 1..=6 {
        requests.push((format!("CR-B{i}"), request("team = \"backend\"")));
        requests.push((format!("CR-F{i}"), request("team = \"frontend\"")));
        requests.push((
            format!("CR-S{i}"),
            request("[team_effort]\nbackend = 2\nfrontend = 3"),
        ));
    }
    let refs: Vec<(&str, &str)> = requests
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let t = Test::with_requests(&format!("{SCORING}{TEAMS}"), &refs);
    let p = plan_json(&t, &["--horizon", "3"]);
    let mut backend_full = false;
    for r in p["releases"].as_array().expect("releases") {
        let cap = &r["capacity_by_team"];
        let load = &r["load_by_team"];
        for team in ["backend", "frontend"] {
            assert!(
                load[team].as_u64() <= cap[team].as_u64(),
                "{team} over its capacity in {}: {r}",
                r["id"]
            );
        }
        assert!(r["load"].as_u64() <= r["capacity"].as_u64());
        let total = cap["backend"].as_u64().unwrap_or(0) + cap["frontend"].as_u64().unwrap_or(0);
        assert_eq!(
            r["capacity"].as_u64(),
            Some(total),
            "the total is the teams' sum"
        );
        backend_full |= r["id"] == "2027.2" && cap["backend"] == 4;
    }
    assert!(backend_full, "2027.2 has backend's override: {p}");
    let deferred = p["deferred"].as_array().expect("deferred");
    assert!(
        deferred
            .iter()
            .any(|d| d["reason"].as_str().is_some_and(|r| r.starts_with("team "))),
        "a deferred request names the full team: {p}"
    );
}

#[test]
fn a_team_what_if_plans_with_that_room_and_writes_nothing() {
    // The agency's backend is full in 2027.2; what if it had 30 units there?
    let t = Test::example();
    let before = t.snapshot();
    let r = t.run(&[
        "--format",
        "json",
        "plan",
        "--capacity",
        "2027.2:backend=30",
    ]);
    r.ok()
        .stderr_has("--capacity is a what-if: nothing written");
    assert_eq!(t.snapshot(), before, "a what-if writes nothing");
    let p = r.json();
    assert_eq!(
        p["what_if"],
        serde_json::json!([{"id": "2027.2", "team": "backend", "capacity": 30, "configured": 24}])
    );
    let r2 = &p["releases"][1];
    assert_eq!(r2["id"], "2027.2");
    assert_eq!(r2["capacity_by_team"]["backend"], 30);
    assert_eq!(
        r2["capacity_by_team"]["frontend"], 16,
        "the other team keeps its room"
    );
    let backend = r2["load_by_team"]["backend"].as_u64().expect("load");
    assert!(
        backend > 24 && backend <= 30,
        "the planner uses the room the what-if gives: backend load {backend}"
    );
    // The table marks the team's line.
    t.run(&["plan", "--dry-run", "--capacity", "2027.2:backend=30"])
        .ok()
        .stdout_has("(what-if; configured 24)");
}

#[test]
fn a_team_what_if_names_a_configured_team_and_a_release_of_the_horizon() {
    let t = Test::example();
    let before = t.snapshot();
    t.run(&["plan", "--capacity", "2027.2:backnd=30"])
        .code(1)
        .stderr_has("error: --capacity 2027.2:backnd=…: there is no team backnd")
        .stderr_has("the teams are backend, frontend");
    t.run(&["plan", "--capacity", "2027.9:backend=30"])
        .code(1)
        .stderr_has("2027.9 is not an open release of the horizon");
    t.run(&["plan", "--capacity", "2027.2:=30"])
        .code(2)
        .stderr_has("names no team after `:`");
    assert_eq!(t.snapshot(), before);
    let plain = Test::with_requests(SCORING, &[("CR-1", &request(""))]);
    plain
        .run(&["plan", "--dry-run", "--capacity", "2027.1:backend=3"])
        .code(1)
        .stderr_has("no teams are configured");
}

#[test]
fn raising_the_last_release_moves_nothing_in_the_others() {
    // The scenario: after a plan is written, a what-if that only gives the
    // last release more room leaves the other releases as they are.
    let t = Test::example();
    t.run(&["plan", "--time-limit", "600"]).ok();
    let p = plan_json(&t, &["--capacity", "2027.6=47"]);
    let changes = p["changes"].as_array().expect("changes");
    assert!(
        changes.iter().all(|c| c["from"] == "2027.6"
            || c["to"] == "2027.6"
            || c["from"].is_null() && c["to"].is_null()),
        "only 2027.6 may change: {changes:?}"
    );
    assert_eq!(p["moves"].as_u64(), Some(changes.len() as u64));
    assert_eq!(
        p["kept"]
            .as_u64()
            .zip(p["baseline_planned"].as_u64())
            .map(|(k, b)| b - k),
        Some(changes.iter().filter(|c| !c["from"].is_null()).count() as u64)
    );
    let best = p["unconstrained_best"]
        .as_f64()
        .expect("unconstrained_best");
    let objective = p["objective"].as_f64().expect("objective");
    assert!(
        objective >= best * (1.0 - 0.005) - 0.01,
        "{objective} within 0.5 % of {best}"
    );
}
