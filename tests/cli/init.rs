use crate::support::Test;

#[test]
fn init_writes_a_minimal_valid_workspace() {
    let t = Test::empty();
    t.run(&["init"]).ok().stderr_has("Created a new workspace");
    assert!(t.exists("zyklus.toml") && t.exists("requests") && t.exists("releases"));
    assert!(t.read("zyklus.toml").contains("# zyklus workspace"));
    t.run(&["validate"]).ok().stdout_has("valid: 0 requests");
}

#[test]
fn init_example_writes_the_bundled_sample() {
    let t = Test::empty();
    t.run(&["init", "--example", "demo"]).ok();
    let r = t.run(&["-C", "demo", "validate"]);
    r.ok().stdout_has("40 requests").stdout_has("6 partners");
    assert!(t.read("demo/requests/CR-0009.toml").contains("deadline"));
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let t = Test::empty();
    t.write("zyklus.toml", "# mine\n");
    let before = t.snapshot();
    t.run(&["init"]).code(1).stderr_has("already exists");
    assert_eq!(t.snapshot(), before);
}
