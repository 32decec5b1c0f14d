use serde_json::Value;

use crate::support::Test;

fn rows(j: &Value) -> Vec<(String, f64)> {
    j["requests"]
        .as_array()
        .expect("requests array")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").to_owned(),
                r["score"].as_f64().expect("score"),
            )
        })
        .collect()
}

#[test]
fn example_scores_open_and_accepted_requests_highest_first() {
    let t = Test::example();
    let j = t.run(&["--format", "json", "score"]).json();
    let rows = rows(&j);
    assert_eq!(rows.len(), 34, "40 requests minus 4 done and 2 rejected");
    assert_eq!(rows[0], ("CR-0026".to_owned(), 55.0));
    // value 9·3 + urgency 10·2 + risk (10 + 1 − 3)·1
    let first = &j["requests"][0];
    assert_eq!(first["breakdown"]["value"], 27.0);
    assert_eq!(first["breakdown"]["urgency"], 20.0);
    assert_eq!(first["breakdown"]["risk"], 8.0);
    for w in rows.windows(2) {
        assert!(
            w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0),
            "{w:?} out of order"
        );
    }
    assert!(!rows
        .iter()
        .any(|(id, _)| id == "CR-0001" || id == "CR-0023"));
    let all = t.run(&["--format", "json", "score", "--all"]).json();
    assert_eq!(all["requests"].as_array().expect("array").len(), 40);

    t.run(&["score"])
        .ok()
        .stdout_has("CR-0026")
        .stdout_has("score/effort")
        .stdout_has("34 requests, model weighted");
}

#[test]
fn sorting_and_filters() {
    let t = Test::example();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--format", "json", "score"];
        a.extend_from_slice(args);
        rows(&t.run(&a).json()).into_iter().map(|r| r.0).collect()
    };
    let by_id = ids(&["--sort", "id"]);
    let mut sorted = by_id.clone();
    sorted.sort();
    assert_eq!(by_id, sorted);

    let j = t
        .run(&["--format", "json", "score", "--sort", "effort"])
        .json();
    let efforts: Vec<u64> = j["requests"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["effort"].as_u64().expect("effort"))
        .collect();
    assert!(efforts.windows(2).all(|w| w[0] <= w[1]), "{efforts:?}");

    let j = t
        .run(&["--format", "json", "score", "--sort", "value-per-effort"])
        .json();
    let vpe: Vec<f64> = j["requests"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["value_per_effort"].as_f64().expect("vpe"))
        .collect();
    assert!(vpe.windows(2).all(|w| w[0] >= w[1]), "{vpe:?}");
    assert_eq!(ids(&["--sort", "value-per-effort"])[0], "CR-0027");

    assert_eq!(ids(&["--kind", "hotfix"]), ["CR-0026", "CR-0027"]);
    assert_eq!(ids(&["--status", "done"]).len(), 4);
    assert!(!ids(&["--partner", "kaiserblau"]).is_empty());
    t.run(&["score", "--sort", "nonsense"]).code(2);
}

#[test]
fn scores_are_absolute() {
    let t = Test::example();
    let before = t.run(&["--format", "json", "score", "--all"]).json();
    t.write(
        "requests/CR-0099.toml",
        "title = \"Everything, at once\"\neffort = 40\n[scores]\nvalue = 10\nurgency = 10\nrisk = 1\n",
    );
    // CR-0040 is referenced by no other file, so it can go.
    std::fs::remove_file(t.path("requests/CR-0040.toml")).expect("remove");
    let after = t.run(&["--format", "json", "score", "--all"]).json();
    assert!(after["requests"]
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["id"] != "CR-0040"));
    let find = |j: &Value, id: &str| -> Option<Value> {
        j["requests"]
            .as_array()
            .expect("array")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    };
    assert_eq!(find(&after, "CR-0099").expect("new")["score"], 60.0);
    for r in before["requests"].as_array().expect("array") {
        let id = r["id"].as_str().expect("id");
        if let Some(a) = find(&after, id) {
            assert_eq!(a["score"], r["score"], "{id}");
            assert_eq!(a["breakdown"], r["breakdown"], "{id}");
        }
    }
}

#[test]
fn wsjf_and_rice_models() {
    let t = Test::with_requests(
        "[scoring]\nmodel = \"wsjf\"\n",
        &[
            (
                "A-1",
                "title = \"a\"\neffort = 4\n[scores]\nbusiness_value = 8\ntime_criticality = 4\nrisk_reduction = 2\n",
            ),
            (
                "A-2",
                "title = \"b\"\neffort = 1\n[scores]\nbusiness_value = 1\ntime_criticality = 1\nrisk_reduction = 1\n",
            ),
        ],
    );
    let j = t.run(&["--format", "json", "score"]).json();
    assert_eq!(j["model"], "wsjf");
    assert_eq!(rows(&j), [("A-1".to_owned(), 3.5), ("A-2".to_owned(), 3.0)]);
    assert_eq!(j["requests"][0]["breakdown"]["business_value"], 2.0);

    let t = Test::with_requests(
        "[scoring]\nmodel = \"rice\"\ncriteria.confidence = { scale = [0, 1] }\n",
        &[(
            "R-1",
            "title = \"r\"\neffort = 4\n[scores]\nreach = 100\nimpact = 2\nconfidence = 0.5\n",
        )],
    );
    let j = t.run(&["--format", "json", "score"]).json();
    assert_eq!(rows(&j), [("R-1".to_owned(), 25.0)]);
    assert_eq!(j["requests"][0]["breakdown"]["effort"], 4.0);
}

#[test]
fn missing_criteria_count_zero_with_a_warning_and_bad_values_are_errors() {
    let t = Test::with_requests(
        "[scoring]\nmodel = \"wsjf\"\n",
        &[(
            "A-1",
            "title = \"a\"\neffort = 4\n[scores]\nbusiness_value = 8\ntime_criticality = 4\n",
        )],
    );
    let r = t.run(&["--format", "json", "score"]);
    r.ok()
        .stderr_has("requests/A-1.toml:3")
        .stderr_has("no score for criterion `risk_reduction`: it counts 0");
    assert_eq!(rows(&r.json()), [("A-1".to_owned(), 3.0)]);

    let t = Test::example();
    let src = t.read("requests/CR-0010.toml");
    t.write(
        "requests/CR-0010.toml",
        &src.lines()
            .filter(|l| !l.starts_with("risk"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let r = t.run(&["--format", "json", "score"]);
    r.ok().stderr_has("requests/CR-0010.toml");
    let row = r.json()["requests"]
        .as_array()
        .expect("array")
        .iter()
        .find(|x| x["id"] == "CR-0010")
        .cloned()
        .expect("CR-0010");
    assert_eq!(row["breakdown"]["risk"], 0.0);
    assert!(row["score"].as_f64().expect("score").is_finite());

    let t = Test::example();
    let src = t.read("requests/CR-0010.toml");
    let bad = src
        .lines()
        .map(|l| {
            if l.starts_with("value") {
                "value = 11"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    t.write("requests/CR-0010.toml", &bad);
    t.run(&["score"])
        .code(1)
        .stderr_has("requests/CR-0010.toml:")
        .stderr_has("outside its scale");

    let t = Test::with_requests(
        "[scoring]\nmodel = \"rice\"\ncriteria.value = { weight = 2.0 }\n",
        &[],
    );
    t.run(&["score"])
        .code(1)
        .stderr_has("zyklus.toml:6:10")
        .stderr_has("`value` is not one of them");

    let t = Test::with_requests(
        "[scoring]\nmodel = \"rice\"\n",
        &[(
            "R-1",
            "title = \"r\"\neffort = 4\n[scores]\nreach = -5\nimpact = 2\nconfidence = 1\n",
        )],
    );
    t.run(&["score"])
        .code(1)
        .stderr_has("requests/R-1.toml:4")
        .stderr_has("negative");
}

#[test]
fn unscored_requests_score_zero_with_a_warning() {
    let t = Test::with_requests(
        "[scoring]\ncriteria.value = { weight = 2.0 }\n",
        &[
            ("A-1", "title = \"a\"\neffort = 4\n"),
            ("A-2", "title = \"b\"\neffort = 2\n[scores]\nvalue = 3\n"),
        ],
    );
    t.run(&["validate"]).ok();
    let r = t.run(&["--format", "json", "score"]);
    r.ok()
        .stderr_has("1 request not scored yet, scoring 0: A-1");
    assert_eq!(
        rows(&r.json()),
        [("A-2".to_owned(), 6.0), ("A-1".to_owned(), 0.0)]
    );
}

#[test]
fn no_criteria_scores_every_request_zero() {
    let t = Test::with_requests(
        "",
        &[
            ("A-1", "title = \"a\"\neffort = 4\n"),
            ("A-2", "title = \"b\"\neffort = 2\n[scores]\nvalue = 3\n"),
        ],
    );
    let j = t.run(&["--format", "json", "score"]).json();
    assert_eq!(rows(&j), [("A-1".to_owned(), 0.0), ("A-2".to_owned(), 0.0)]);
    t.run(&["score"]).ok().stdout_has("every score is 0");
}
