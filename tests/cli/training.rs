use crate::support::Test;

fn add(t: &Test, args: &[&str]) -> crate::support::Run {
    let mut a = vec!["training", "add"];
    a.extend_from_slice(args);
    t.run(&a)
}

#[test]
fn add_records_trainings_and_list_shows_them() {
    let t = Test::example();
    add(
        &t,
        &[
            "brightside",
            "--date",
            "2027-02-10",
            "--mode",
            "remote",
            "--topic",
            "Widget einbinden: Größen & Farben",
        ],
    )
    .ok()
    .stderr_has("wrote trainings/2027.toml")
    .stdout_has("2027-02-10 remote training for brightside")
    .stdout_has("1 of 5 booked trainings used, 4 left");
    add(
        &t,
        &["kaiserblau", "--date", "2027-01-20", "--mode", "onsite"],
    )
    .ok();
    let file = t.read("trainings/2027.toml");
    assert!(file.starts_with("# Partner trainings in 2027"), "{file}");
    assert!(file.contains("topic = \"Widget einbinden: Größen & Farben\""));
    assert_eq!(file.matches("[[training]]").count(), 2);

    let j = t
        .run(&["--format", "json", "training", "list", "--year", "2027"])
        .json();
    let list = j["trainings"].as_array().expect("trainings");
    assert_eq!(list.len(), 2);
    // Sorted by date.
    assert_eq!(list[0]["partner"], "kaiserblau");
    assert_eq!(list[0]["date"], "2027-01-20");
    assert_eq!(list[0]["mode"], "onsite");
    assert_eq!(list[0]["extra"], false);
    assert_eq!(list[1]["topic"], "Widget einbinden: Größen & Farben");
    let j = t
        .run(&[
            "--format",
            "json",
            "training",
            "list",
            "--year",
            "2027",
            "--partner",
            "brightside",
        ])
        .json();
    assert_eq!(j["trainings"].as_array().expect("list").len(), 1);
    t.run(&["training", "list", "--year", "2027"])
        .ok()
        .stdout_has("2027-01-20 Wed")
        .stdout_has("2 trainings in 2027");
    // Default year: the year of now (2026), which has none.
    t.run(&["training", "list"])
        .ok()
        .stdout_has("no trainings in 2026");
    t.run(&["validate"]).ok();
}

#[test]
fn quota_is_refused_without_extra_and_recorded_with_it() {
    let t = Test::example();
    // northstar booked 2 trainings a year.
    add(
        &t,
        &["northstar", "--date", "2027-02-01", "--mode", "remote"],
    )
    .ok();
    add(
        &t,
        &["northstar", "--date", "2027-03-01", "--mode", "remote"],
    )
    .ok()
    .stdout_has("0 left");
    let before = t.snapshot();
    add(
        &t,
        &["northstar", "--date", "2027-04-01", "--mode", "onsite"],
    )
    .code(1)
    .stderr_has("partner `northstar` has used all 2 trainings booked for 2027")
    .stderr_has("--extra");
    assert_eq!(t.snapshot(), before, "a refused training writes nothing");

    let r = t.run(&[
        "--format",
        "json",
        "training",
        "add",
        "northstar",
        "--date",
        "2027-04-01",
        "--mode",
        "onsite",
        "--extra",
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["training"]["extra"], true);
    assert_eq!(
        j["quota"],
        serde_json::json!({"booked": 2, "used": 2, "left": 0, "extra": 1})
    );
    assert!(t.read("trainings/2027.toml").contains("extra = true"));
    // The quota is per year: 2028 has room again.
    add(
        &t,
        &["northstar", "--date", "2028-01-15", "--mode", "remote"],
    )
    .ok()
    .stderr_has("wrote trainings/2028.toml");
}

#[test]
fn bad_input_writes_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    add(&t, &["nobody", "--date", "2027-02-01", "--mode", "remote"])
        .code(1)
        .stderr_has("no partner `nobody`")
        .stderr_has("northstar");
    add(&t, &["northstar", "--date", "2027-02-01", "--mode", "boat"])
        .code(2)
        .stderr_has("`boat` is not one of: onsite, remote");
    add(
        &t,
        &["northstar", "--date", "2027-02-30", "--mode", "remote"],
    )
    .code(2);
    t.run(&["training", "list", "--partner", "nobody"])
        .code(1)
        .stderr_has("no partner `nobody`");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn training_files_are_validated() {
    let t = Test::example();
    t.write(
        "trainings/2027.toml",
        "# kept\n[[training]]\npartner = \"northstar\"\ndate = 2027-02-10\nmode = \"remote\"\n\n\
         [[training]]\npartner = \"ghost\"\ndate = 2028-01-10\nmode = \"onsite\"\n",
    );
    let before = t.snapshot();
    t.run(&["validate"])
        .code(1)
        .stderr_has("trainings/2027.toml:8")
        .stderr_has("`ghost` is no partner")
        .stderr_has("trainings/2027.toml:9")
        .stderr_has("2028-01-10 is not in 2027");
    // A failing workspace blocks writers too.
    add(
        &t,
        &["northstar", "--date", "2027-03-10", "--mode", "remote"],
    )
    .code(1);
    assert_eq!(t.snapshot(), before);

    t.write(
        "trainings/2027.toml",
        "[[training]]\npartner = \"northstar\"\ndate = 2027-02-10\nmode = \"boat\"\n",
    );
    t.run(&["validate"])
        .code(1)
        .stderr_has("trainings/2027.toml:4");
    t.write("trainings/2027.toml", "");
    t.write("trainings/next.toml", "");
    t.run(&["validate"])
        .code(1)
        .stderr_has("`next.toml` is not named after a year");
}

#[test]
fn add_keeps_comments_of_an_existing_file() {
    let t = Test::example();
    t.write(
        "trainings/2027.toml",
        "# Trainings 2027 — planned with the partners in December.\n\n\
         [[training]]\npartner = \"northstar\"  # their new team\ndate = 2027-02-10\nmode = \"remote\"\n",
    );
    add(
        &t,
        &["alpenblick", "--date", "2027-05-05", "--mode", "onsite"],
    )
    .ok();
    let file = t.read("trainings/2027.toml");
    assert!(file.starts_with("# Trainings 2027 — planned with the partners in December."));
    assert!(file.contains("partner = \"northstar\"  # their new team"));
    assert!(file.contains("partner = \"alpenblick\""));
}
