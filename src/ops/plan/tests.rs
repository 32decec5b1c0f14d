//! The planning problem builder on small workspaces loaded from memory: the
//! horizon, what cannot be planned (to a fixpoint), deadline windows,
//! commitments, what-if capacities, the plan on disk and the contradictions; and
//! the use cases around it (`--explain` scores, what-ifs never staged).

use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::workspace::{load_files, Overlay};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

fn rid(s: &str) -> ReleaseId {
    s.parse().expect("release id")
}

/// A workspace from `files` (paths relative to the root) and extra configuration,
/// loaded entirely from memory. Every request scores `value` on one criterion.
fn ws(config_extra: &str, files: &[(String, String)]) -> Workspace {
    let root = Path::new("/ws");
    let mut overlay = Overlay::new();
    overlay.insert(
        root.join("zyklus.toml"),
        format!(
            "[workspace]\nname = \"T\"\nlanguages = [\"en\"]\n\
             [scoring]\ncriteria.value = {{ weight = 1.0, scale = [0, 100] }}\n{config_extra}"
        )
        .into_bytes(),
    );
    for (rel, text) in files {
        overlay.insert(root.join(rel), text.clone().into_bytes());
    }
    load_files(root, &overlay)
        .map(|l| l.workspace)
        .unwrap_or_else(|e| match e.downcast_ref::<crate::error::Invalid>() {
            Some(invalid) => panic!("{:#?}", invalid.0),
            None => panic!("{e:#}"),
        })
}

/// `requests/<id>.toml` with effort 5, score `value` and extra keys.
fn req(id: &str, value: u32, extra: &str) -> (String, String) {
    (
        format!("requests/{id}.toml"),
        format!("title = \"Request {id}\"\neffort = 5\n{extra}\n[scores]\nvalue = {value}\n"),
    )
}

fn release(id: &str, stage: &str, scope: &[&str]) -> (String, String) {
    let scope: Vec<String> = scope.iter().map(|s| format!("\"{s}\"")).collect();
    (
        format!("releases/{id}.toml"),
        format!(
            "id = \"{id}\"\nstage = \"{stage}\"\nscope = [{}]\n",
            scope.join(", ")
        ),
    )
}

fn horizon(n: usize) -> PlanInput {
    PlanInput {
        horizon: n,
        ..PlanInput::default()
    }
}

fn horizon_ids(b: &Built) -> Vec<String> {
    b.horizon.iter().map(|h| h.id.to_string()).collect()
}

fn candidate<'a>(b: &'a Built, id: &str) -> &'a build::Candidate {
    &b.candidates[b
        .candidate(id)
        .unwrap_or_else(|| panic!("{id} is no candidate"))]
}

fn excluded(b: &Built) -> Vec<(String, String)> {
    b.excluded
        .iter()
        .map(|e| (e.id.clone(), e.reason.clone()))
        .collect()
}

fn error(ws: &Workspace, input: &PlanInput) -> String {
    match build(ws, input, today()) {
        Ok(_) => panic!("expected a contradiction"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn the_horizon_skips_frozen_releases_and_counts_their_scope_as_shipped() {
    let w = ws(
        "",
        &[
            release("2027.1", "development", &["A"]),
            release("2027.2", "planned", &["B"]),
            req("A", 10, ""),
            req("B", 10, ""),
            req("C", 10, "depends_on = [\"A\"]"),
        ],
    );
    let b = build(&w, &horizon(3), today()).expect("build");
    assert_eq!(horizon_ids(&b), ["2027.2", "2027.3", "2027.4"]);
    assert_eq!(
        b.frozen,
        [FrozenRelease {
            id: rid("2027.1"),
            stage: Stage::Development,
            load: 5,
            scope: vec!["A".into()],
        }]
    );
    let ids: Vec<&str> = b.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["B", "C"], "A ships in the frozen release");
    assert!(
        candidate(&b, "C").depends_on.is_empty(),
        "a dependency in a frozen release is met"
    );
    assert_eq!(
        candidate(&b, "B").previous,
        Some(0),
        "the plan on disk had B in 2027.2"
    );
    assert_eq!(candidate(&b, "C").previous, None);
    assert!(b
        .horizon
        .iter()
        .all(|h| h.capacity == 40 && h.configured == 40));
    let weights: Vec<f64> = b.horizon.iter().map(|h| h.weight).collect();
    assert_eq!(weights, [1.0, 0.9, 0.8]);
}

#[test]
fn what_cannot_be_planned_is_found_to_a_fixpoint() {
    let w = ws(
        "",
        &[
            req("A", 10, "status = \"rejected\""),
            req("B", 10, "depends_on = [\"A\"]"),
            req("C", 10, "together_with = [\"B\"]"),
            req("D", 10, "depends_on = [\"C\"]"),
            req("H", 55, "kind = \"hotfix\""),
            req("E", 10, "depends_on = [\"H\"]"),
            req("P", 10, "pin = \"2028.1\""),
            req("Q", 10, "depends_on = [\"P\"]"),
            req("R", 10, "pin = \"2027.2\""),
        ],
    );
    let b = build(&w, &horizon(3), today()).expect("build");
    assert_eq!(
        excluded(&b),
        [
            ("B".into(), "needs A, which is rejected".into()),
            ("C".into(), "needs B, which cannot be planned".into()),
            ("D".into(), "needs C, which cannot be planned".into()),
            (
                "H".into(),
                "a hotfix ships outside the cycle: use `zyklus hotfix new`".into()
            ),
            ("P".into(), "pinned to 2028.1, beyond the horizon".into()),
            ("Q".into(), "needs P, which cannot be planned".into()),
        ]
    );
    let ids: Vec<&str> = b.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["E", "R"],
        "a hotfix dependency ships before the horizon"
    );
    assert_eq!(candidate(&b, "R").pin, Some(1));
    assert!(candidate(&b, "E").depends_on.is_empty());
}

#[test]
fn a_deadline_becomes_the_latest_release_unless_the_next_one_still_meets_it() {
    let files = [
        req("A", 10, "deadline = 2027-06-30"),
        req("B", 10, "deadline = 2027-04-01"),
        req("C", 10, "deadline = 2027-03-09"),
    ];
    let w = ws("", &files);
    let b = build(&w, &horizon(6), today()).expect("build");
    // 2027.1 on 01-12, 2027.2 on 03-09, 2027.3 on 05-11, 2027.4 on 07-13.
    assert_eq!(candidate(&b, "A").latest, Some(2));
    assert_eq!(candidate(&b, "B").latest, Some(1));
    assert_eq!(
        candidate(&b, "C").latest,
        Some(1),
        "a release on the day meets it"
    );
    // With two releases, 2027.3 (05-11) after the horizon still meets 06-30: A is
    // free to wait; B's 04-01 is missed by 2027.3, so it binds.
    let b = build(&w, &horizon(2), today()).expect("build");
    assert_eq!(candidate(&b, "A").latest, None);
    assert_eq!(candidate(&b, "B").latest, Some(1));
}

#[test]
fn commitments_count_with_their_date_and_only_when_they_can_complete() {
    let names = [
        "early",
        "anytime",
        "too-early",
        "shipped",
        "blocked",
        "northstar",
    ];
    let partners: String = names
        .iter()
        .map(|p| format!("[[partner]]\nid = \"{p}\"\nname = \"{p}\"\n"))
        .collect::<String>()
        + "\
        [[commitment]]\npartner = \"early\"\nrequests = [\"A\", \"B\"]\nweight = 20\nby = 2027-04-01\n\
        [[commitment]]\npartner = \"anytime\"\nrequests = [\"A\", \"S\"]\nweight = 5\n\
        [[commitment]]\npartner = \"too-early\"\nrequests = [\"A\"]\nweight = 5\nby = 2026-12-31\n\
        [[commitment]]\npartner = \"shipped\"\nrequests = [\"S\"]\nweight = 5\n\
        [[commitment]]\npartner = \"blocked\"\nrequests = [\"A\", \"H\"]\nweight = 5\n";
    let w = ws(
        "",
        &[
            ("partners.toml".to_owned(), partners.to_owned()),
            release("2026.6", "production", &["S"]),
            req("S", 10, "status = \"done\""),
            req("A", 10, ""),
            req("B", 10, ""),
            req("H", 10, "kind = \"hotfix\""),
        ],
    );
    let b = build(&w, &horizon(6), today()).expect("build");
    let goals: Vec<(&str, Vec<&str>, Option<usize>)> = b
        .commitments
        .iter()
        .map(|g| {
            (
                g.partner.as_str(),
                g.requests
                    .iter()
                    .map(|&i| b.candidates[i].id.as_str())
                    .collect(),
                g.latest,
            )
        })
        .collect();
    assert_eq!(
        goals,
        [
            ("early", vec!["A", "B"], Some(1)),
            ("anytime", vec!["A"], None),
        ],
        "a date before every release, a shipped or an unplannable request drop a commitment"
    );

    let rejected = format!(
        "{partners}[[commitment]]\npartner = \"northstar\"\nrequests = [\"X\"]\nweight = 5\n"
    );
    let w = ws(
        "",
        &[
            ("partners.toml".to_owned(), rejected),
            req("X", 10, "status = \"rejected\""),
            req("A", 10, ""),
            req("B", 10, ""),
            req("S", 10, "status = \"done\""),
            req("H", 10, "kind = \"hotfix\""),
        ],
    );
    assert!(
        error(&w, &horizon(6)).contains("the commitment of `northstar` needs X, which is rejected")
    );
}

#[test]
fn what_if_capacities_replace_the_configured_ones_of_horizon_releases() {
    let w = ws(
        "[capacity]\ndefault = 30\nreleases = { \"2027.3\" = 12 }\n",
        &[req("A", 10, "")],
    );
    let input = PlanInput {
        horizon: 3,
        capacity: vec![(rid("2027.2"), 50), (rid("2027.2"), 20)],
        ..PlanInput::default()
    };
    let b = build(&w, &input, today()).expect("build");
    let caps: Vec<(u64, u64)> = b
        .horizon
        .iter()
        .map(|h| (h.capacity, h.configured))
        .collect();
    assert_eq!(
        caps,
        [(30, 30), (20, 30), (12, 12)],
        "the last what-if counts"
    );
    let outside = PlanInput {
        horizon: 3,
        capacity: vec![(rid("2027.4"), 5)],
        ..PlanInput::default()
    };
    let e = error(&w, &outside);
    assert!(
        e.contains("2027.4 is not an open release of the horizon"),
        "{e}"
    );
}

#[test]
fn contradictions_are_errors_that_name_the_request() {
    let frozen = ws(
        "",
        &[
            release("2027.1", "development", &[]),
            req("A", 10, "pin = \"2027.1\""),
        ],
    );
    let e = error(&frozen, &horizon(6));
    assert!(e.contains("A is pinned to 2027.1, which is frozen"), "{e}");

    let past = ws("", &[req("A", 10, "pin = \"2026.6\"")]);
    let e = error(&past, &horizon(6));
    assert!(
        e.contains("A is pinned to 2026.6, which is already past"),
        "{e}"
    );

    let early = ws("", &[req("A", 10, "deadline = 2026-12-24")]);
    let e = error(&early, &horizon(6));
    assert!(
        e.contains(
            "A must be in production by 2026-12-24, but the first open release is 2027.1 on 2027-01-12"
        ),
        "{e}"
    );

    let blocked = ws(
        "",
        &[
            req("X", 10, "status = \"rejected\""),
            req("A", 10, "deadline = 2027-06-30\ndepends_on = [\"X\"]"),
        ],
    );
    let e = error(&blocked, &horizon(6));
    assert!(
        e.contains("A has a deadline but cannot be planned: needs X, which is rejected"),
        "{e}"
    );
}

#[test]
fn the_solver_sees_the_built_problem_one_to_one() {
    let w = ws(
        "",
        &[
            req("A", 10, ""),
            req("B", 20, "depends_on = [\"A\"]\npin = \"2027.2\""),
        ],
    );
    let b = build(&w, &horizon(2), today()).expect("build");
    let p = solver::to_problem(&b);
    let slots: Vec<(&str, Option<u64>, f64)> = p
        .slots
        .iter()
        .map(|s| (s.id.as_str(), s.capacity, s.weight))
        .collect();
    assert_eq!(
        slots,
        [("2027.1", Some(40), 1.0), ("2027.2", Some(40), 0.9)]
    );
    assert!(p.teams.is_empty() && !p.has_baseline);
    assert_eq!(p.requests.len(), 2);
    assert_eq!(p.requests[1].id, "B");
    assert_eq!(p.requests[1].depends_on, [0]);
    assert_eq!(p.requests[1].pin, Some(1));
    assert!((p.requests[1].score - 20.0).abs() < 1e-9);
}

#[test]
fn team_what_ifs_replace_one_team_of_one_release_and_are_checked() {
    let w = ws(
        "[capacity.teams]\nbackend = { default = 24, releases = { \"2027.2\" = 16 } }\nfrontend = { default = 16 }\n",
        &[req("A", 10, "team = \"frontend\"")],
    );
    let input = PlanInput {
        horizon: 3,
        team_capacity: vec![
            (rid("2027.2"), "backend".into(), 40),
            (rid("2027.2"), "backend".into(), 30),
            (rid("2027.3"), "frontend".into(), 2),
        ],
        ..PlanInput::default()
    };
    assert!(input.is_what_if());
    let b = build(&w, &input, today()).expect("build");
    let caps: Vec<Vec<u64>> = b.horizon.iter().map(|h| h.team_capacity.clone()).collect();
    assert_eq!(
        caps,
        [vec![24, 16], vec![30, 16], vec![24, 2]],
        "the last what-if of a release and team counts; the other teams keep theirs"
    );
    let one = |id: &str, team: &str| PlanInput {
        horizon: 3,
        team_capacity: vec![(rid(id), team.into(), 3)],
        ..PlanInput::default()
    };
    let unknown = one("2027.2", "mobile");
    let e = error(&w, &unknown);
    assert!(
        e.contains("--capacity 2027.2:mobile=…: there is no team mobile"),
        "{e}"
    );
    let e = error(&w, &one("2027.4", "backend"));
    assert!(
        e.contains("2027.4 is not an open release of the horizon"),
        "{e}"
    );
    let no_teams = ws("", &[req("A", 10, "")]);
    let e = error(&no_teams, &unknown);
    assert!(e.contains("there is no team mobile"), "{e}");
}

#[test]
fn teams_their_capacities_and_the_plan_on_disk_reach_the_solver() {
    let w = ws(
        "[capacity.teams]\nbackend = { default = 24, releases = { \"2027.2\" = 16 } }\nfrontend = { default = 16 }\n\
         [planning]\nreplan_tolerance = 1.5\n",
        &[
            req("A", 10, "team = \"frontend\""),
            req("B", 20, "[team_effort]\nbackend = 3\nfrontend = 2"),
            req("C", 30, ""),
            release("2027.2", "planned", &["A"]),
        ],
    );
    let b = build(&w, &horizon(2), today()).expect("build");
    let p = solver::to_problem(&b);
    assert_eq!(p.teams, ["backend", "frontend"]);
    let slots: Vec<(Option<u64>, Vec<u64>)> = p
        .slots
        .iter()
        .map(|s| (s.capacity, s.team_capacity.clone()))
        .collect();
    // No [capacity] default: the total is the sum of the teams.
    assert_eq!(slots, [(Some(40), vec![24, 16]), (Some(32), vec![16, 16])]);
    let by_id = |id: &str| &p.requests[b.candidate(id).expect("candidate")];
    assert_eq!(by_id("A").team_effort, [(1, 5)]);
    assert_eq!(by_id("B").team_effort, [(0, 3), (1, 2)]);
    assert!(by_id("C").team_effort.is_empty());
    assert_eq!(by_id("A").baseline, Some(1));
    assert_eq!(by_id("B").baseline, None);
    assert!(p.has_baseline);
    assert!((p.replan_tolerance - 1.5).abs() < 1e-9);
}

#[test]
fn explain_shows_the_real_score_of_a_request_that_is_not_planned() {
    let w = ws(
        "",
        &[
            req("H", 55, "kind = \"hotfix\""),
            req("X", 10, "status = \"rejected\""),
            req("B", 42, "depends_on = [\"X\"]"),
            req("A", 10, ""),
        ],
    );
    for (id, score, line) in [
        (
            "H",
            55.0,
            "not planned: a hotfix ships outside the cycle: use `zyklus hotfix new`",
        ),
        ("B", 42.0, "not planned: needs X, which is rejected"),
    ] {
        let input = PlanInput {
            explain: Some(id.into()),
            ..horizon(2)
        };
        let out = dry_run(&w, &input, today()).expect("plan");
        let story = out.report.explain.expect("story");
        assert!((story.score - score).abs() < 1e-9, "{id}: {}", story.score);
        assert_eq!(story.breakdown.get("value").copied(), Some(score));
        assert_eq!(story.release, None);
        assert_eq!(story.story, [line]);
    }
}

#[test]
fn a_plan_reports_rounded_numbers_and_its_what_ifs() {
    let w = ws(
        "[planning]\nrelease_weights = [1.0, 0.7]\n",
        &[req("A", 33, ""), req("B", 17, "")],
    );
    let input = PlanInput {
        capacity: vec![(rid("2027.1"), 5)],
        ..horizon(2)
    };
    let out = dry_run(&w, &input, today()).expect("plan");
    assert!(out.is_what_if());
    assert_eq!(
        out.report.what_if,
        [WhatIf {
            id: rid("2027.1"),
            team: None,
            capacity: 5,
            configured: 40,
        }]
    );
    // 33 × 1.0 + 17 × 0.7, to two decimals.
    assert_eq!(out.report.objective.to_string(), "44.9");
    assert_eq!(out.report.releases[0].scope, ["A"]);
    assert_eq!(out.report.releases[1].scope, ["B"]);
}

#[test]
fn a_what_if_is_never_staged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("zyklus.toml"),
        "[workspace]\nname = \"T\"\nlanguages = [\"en\"]\n\
         [scoring]\ncriteria.value = { weight = 1.0, scale = [0, 100] }\n",
    )
    .expect("config");
    std::fs::create_dir(root.join("requests")).expect("requests");
    std::fs::write(
        root.join("requests/A.toml"),
        "title = \"A\"\neffort = 5\n[scores]\nvalue = 10\n",
    )
    .expect("request");
    let mut tx = Transaction::begin(root).expect("begin");
    let input = PlanInput {
        capacity: vec![(rid("2027.1"), 5)],
        ..horizon(1)
    };
    let out = dry_run(tx.workspace(), &input, today()).expect("plan");
    let e = stage(&mut tx, &out).expect_err("a what-if is refused");
    assert!(e.to_string().contains("never written"), "{e}");
    assert!(!tx.is_dirty());

    let out = dry_run(tx.workspace(), &horizon(1), today()).expect("plan");
    stage(&mut tx, &out).expect("stage");
    let written = tx.commit().expect("commit").written;
    assert_eq!(written, [Path::new("releases/2027.1.toml")]);
    let text = std::fs::read_to_string(root.join("releases/2027.1.toml")).expect("read");
    assert!(text.starts_with(RELEASE_HEADER), "{text}");
    assert!(text.contains("scope = [\n  \"A\",\n]"), "{text}");
}
