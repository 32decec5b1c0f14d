use crate::support::Test;

#[test]
fn list_shows_language_and_this_years_trainings() {
    let t = Test::example();
    t.run(&["partner", "list"])
        .ok()
        .stdout_has("alpenblick")
        .stdout_has("Hansekontor Marketing GmbH & Co. KG")
        .stdout_has("6 partners; trainings in 2026");
    let j = t.run(&["--format", "json", "partner", "list"]).json();
    assert_eq!(j["year"], 2026);
    let partners = j["partners"].as_array().expect("partners");
    assert_eq!(partners.len(), 6);
    let northstar = partners
        .iter()
        .find(|p| p["id"] == "northstar")
        .expect("northstar");
    assert_eq!(northstar["language"], "en-GB");
    assert_eq!(
        northstar["trainings"],
        serde_json::json!({"booked": 2, "used": 0, "left": 2, "extra": 0})
    );
}

#[test]
fn list_counts_the_years_training_file() {
    let t = Test::example();
    t.write(
        "trainings/2027.toml",
        "[[training]]\npartner = \"northstar\"\ndate = 2027-02-10\nmode = \"remote\"\n\n\
         [[training]]\npartner = \"northstar\"\ndate = 2027-03-10\nmode = \"onsite\"\nextra = true\n\n\
         [[training]]\npartner = \"alpenblick\"\ndate = 2027-03-11\nmode = \"onsite\"\n",
    );
    let j = t
        .run(&["--format", "json", "partner", "list", "--year", "2027"])
        .json();
    let get = |id: &str| {
        j["partners"]
            .as_array()
            .expect("partners")
            .iter()
            .find(|p| p["id"] == id)
            .expect("partner")["trainings"]
            .clone()
    };
    assert_eq!(
        get("northstar"),
        serde_json::json!({"booked": 2, "used": 1, "left": 1, "extra": 1})
    );
    assert_eq!(get("alpenblick")["left"], 3);
    // Another year has its own quota.
    let j = t.run(&["--format", "json", "partner", "list"]).json();
    assert!(j["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .all(|p| p["trainings"]["used"] == 0));
}

#[test]
fn a_workspace_without_partners() {
    let t = Test::with_requests("", &[]);
    t.run(&["partner", "list"]).ok().stdout_has("no partners");
}
