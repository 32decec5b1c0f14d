//! The team lead's day (issue 13): several requests accepted at once, a release's
//! whole scope accepted in one step, a new build during the test phase, scores
//! that must name a criterion, editing texts and dependencies, and who is
//! recorded as acting. Whole outputs, as snapshots.

use insta::assert_snapshot;

use crate::fixtures::release_toml;
use crate::support::Test;

fn status_of(t: &Test, id: &str) -> String {
    let v: toml::Value =
        toml::from_str(&t.read(&format!("requests/{id}.toml"))).expect("request TOML");
    v["status"].as_str().expect("status").to_owned()
}

#[test]
fn request_set_takes_several_ids_all_or_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    assert_snapshot!(
        "request_set_unknown_among_several",
        t.zyklus("request set CR-0013 CR-9999 CR-0033 --status accepted")
    );
    assert_eq!(t.snapshot(), before, "nothing written");
    assert_snapshot!(
        "request_set_several",
        t.zyklus("request set CR-0013 CR-0033 --status accepted")
    );
    assert_eq!(status_of(&t, "CR-0013"), "accepted");
    assert_eq!(status_of(&t, "CR-0033"), "accepted");
    assert_snapshot!(
        "request_set_several_again_json",
        t.zyklus("--format json request set CR-0013 CR-0033 CR-0013 --status accepted")
    );
}

#[test]
fn an_unknown_criterion_is_an_error_and_writes_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    assert_snapshot!(
        "request_new_unknown_criterion",
        t.zyklus("request new --title Typo --effort 2 --score valeu=3 --score value=4")
    );
    assert_snapshot!(
        "request_set_unknown_criterion",
        t.zyklus("request set CR-0009 --score valeu=3")
    );
    assert_eq!(t.snapshot(), before);
}

#[test]
fn request_set_edits_texts_and_dependencies() {
    let t = Test::example();
    assert_snapshot!(
        "request_set_texts_and_dependencies",
        t.zyklus(
            "request set CR-0013 --text 'en=Partners subscribe to their bookings as an iCal feed.' \
             --text de= --depends-on CR-0033 --together-with CR-0004"
        )
    );
    assert_snapshot!(
        "request_set_texts_and_dependencies_file",
        t.files("requests/CR-0013.toml")
    );
    t.zyklus("request set CR-0013 --no-depends-on CR-0033 --no-together-with CR-0004")
        .ok();
    let v: toml::Value = toml::from_str(&t.read("requests/CR-0013.toml")).expect("toml");
    assert!(v.get("depends_on").is_none() && v.get("together_with").is_none());
    assert_snapshot!(
        "request_set_depends_on_itself",
        t.zyklus("request set CR-0013 --depends-on CR-0013")
    );
}

#[test]
fn request_set_help_describes_every_flag() {
    let t = Test::empty();
    let help = t.zyklus("request set --help");
    assert_snapshot!("request_set_help", help);
    // Every option line is followed by its description on the same line.
    for line in help
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
    {
        assert!(
            line.trim_start().contains("  "),
            "a flag without a description: {line}"
        );
    }
}

#[test]
fn request_new_refuses_to_wrap_ids_around() {
    let t = Test::with_requests(
        "",
        &[("CR-18446744073709551615", "title = \"Last\"\neffort = 1\n")],
    );
    let before = t.snapshot();
    assert_snapshot!(
        "request_new_ids_run_out",
        t.zyklus("request new --title Next --effort 1")
    );
    assert_eq!(t.snapshot(), before);
    t.zyklus("request new --title Next --effort 1 --id CR-0001")
        .ok();
}

/// The example with a planned 2027.2 whose scope holds open, accepted and done requests.
fn with_planned_scope() -> Test {
    let t = Test::example();
    t.write(
        "releases/2027.2.toml",
        "id = \"2027.2\"\nstage = \"planned\"\nscope = [\"CR-0013\", \"CR-0033\", \"CR-0001\"]\n",
    );
    t
}

#[test]
fn release_accept_accepts_the_whole_scope_once() {
    let t = with_planned_scope();
    assert_snapshot!("release_accept", t.zyklus("release accept 2027.2"));
    assert_eq!(status_of(&t, "CR-0013"), "accepted");
    assert_eq!(status_of(&t, "CR-0033"), "accepted");
    assert_eq!(status_of(&t, "CR-0001"), "done");
    assert_snapshot!("release_accept_file", t.files("releases/2027.2.toml"));
    assert_snapshot!(
        "release_accept_again_json",
        t.zyklus("--format json release accept 2027.2")
    );
    t.zyklus("gate check 2027.2").ok();
}

#[test]
fn release_accept_refuses_a_rejected_request_and_writes_nothing() {
    let t = with_planned_scope();
    t.write(
        "requests/CR-0033.toml",
        &t.read("requests/CR-0033.toml")
            .replace("status = \"open\"", "status = \"rejected\""),
    );
    let before = t.snapshot();
    assert_snapshot!("release_accept_rejected", t.zyklus("release accept 2027.2"));
    assert_eq!(t.snapshot(), before);
}

#[test]
fn gate_deploy_records_a_build_without_restarting_the_clock() {
    let mut t = crate::fixtures::release_in_test();
    assert_snapshot!(
        "gate_deploy",
        t.zyklus("gate deploy 2027.1 --deployed v2027.1-rc2 --note 'fixes #1'")
    );
    assert_snapshot!("gate_deploy_file", t.files("releases/2027.1.toml"));
    assert_snapshot!(
        "gate_deploy_again_json",
        t.zyklus("--format json gate deploy 2027.1 --deployed v2027.1-rc2")
    );
    // The 21 days still count from 2026-12-22: on release day at 07:45 they are met.
    t.at("2027-01-12T07:45:00+01:00");
    let j = t.zyklus("--format json gate check 2027.1").json();
    assert_eq!(j["checks"][0]["name"], "test_duration");
    assert_eq!(j["checks"][0]["passed"], true, "{j}");
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["deployed"].as_str(), Some("v2027.1-rc2"));
}

#[test]
fn gate_deploy_outside_the_test_phase_is_refused() {
    let t = crate::fixtures::example_with_release();
    let before = t.snapshot();
    assert_snapshot!(
        "gate_deploy_planned",
        t.zyklus("gate deploy 2027.1 --deployed v1")
    );
    assert_eq!(t.snapshot(), before);
}

#[test]
fn by_falls_back_to_git_user_name_without_user() {
    let t = crate::fixtures::example_with_release();
    crate::fixtures::git(t.root(), &["init", "-q"]);
    crate::fixtures::git(t.root(), &["config", "user.name", "Gitta Lead"]);
    let home = tempfile::tempdir().expect("home");
    let out = t
        .command(&["gate", "advance", "2027.1", "--yes"])
        .env_remove("ZYKLUS_USER")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("USER")
        .env_remove("USERNAME")
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run");
    crate::fixtures::succeeded(out, "zyklus gate advance");
    let v = release_toml(&t, "2027.1");
    assert_eq!(v["history"][0]["by"].as_str(), Some("Gitta Lead"));
}
