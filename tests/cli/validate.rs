use crate::support::Test;

const OK_REQUEST: &str = "title = \"A\"\neffort = 3\n[scores]\nvalue = 5\nurgency = 5\n";

fn ws(requests: &[(&str, &str)]) -> Test {
    Test::with_requests(
        "[scoring]\ncriteria.value = { weight = 3.0, scale = [1, 10] }\ncriteria.urgency = { weight = 2.0, scale = [1, 10] }\n",
        requests,
    )
}

#[test]
fn the_bundled_example_is_valid() {
    let t = Test::example();
    t.run(&["validate"]).ok().stdout_has("valid: 40 requests");
}

#[test]
fn the_repository_roadmap_is_valid() {
    let t = Test::empty();
    let root = env!("CARGO_MANIFEST_DIR");
    t.run(&["-C", root, "validate"]).ok();
}

#[test]
fn workspace_is_found_from_a_subdirectory_and_via_env() {
    let mut t = ws(&[("CR-1", OK_REQUEST)]);
    let mut cmd = t.command(&["validate"]);
    cmd.current_dir(t.path("requests"));
    crate::fixtures::succeeded(cmd.output().expect("run"), "validate from requests/");
    let elsewhere = Test::empty();
    let root = t.root().to_str().expect("utf-8 path").to_owned();
    t.env("ZYKLUS_WORKSPACE", &root);
    let mut cmd = t.command(&["validate"]);
    cmd.current_dir(elsewhere.root());
    crate::fixtures::succeeded(cmd.output().expect("run"), "validate via ZYKLUS_WORKSPACE");
}

#[test]
fn no_workspace_is_a_clear_error() {
    let t = Test::empty();
    t.run(&["validate"])
        .code(1)
        .stderr_has("no zyklus.toml")
        .stderr_has("zyklus init");
}

#[test]
fn toml_syntax_errors_point_at_line_and_column() {
    let t = ws(&[("CR-1", "title = \"A\"\neffort = = 3\n")]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("requests/CR-1.toml:2:")
        .stderr_has("invalid TOML");
}

#[test]
fn missing_keys_and_wrong_types_are_errors() {
    let t = ws(&[
        ("CR-1", "title = \"A\"\n"),
        ("CR-2", "title = \"B\"\neffort = \"three\"\n"),
    ]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("requests/CR-1.toml")
        .stderr_has("missing field `effort`")
        .stderr_has("requests/CR-2.toml:2:10")
        .stderr_has("2 errors");
}

#[test]
fn unknown_keys_warn_with_their_line() {
    let t = ws(&[("CR-1", "title = \"A\"\neffort = 3\nimpakt = \"major\"\n")]);
    t.run(&["validate"])
        .ok()
        .stderr_has("warning: unknown key `impakt`")
        .stderr_has("requests/CR-1.toml:3:1");
}

#[test]
fn invalid_ids_and_case_duplicates_are_errors() {
    let t = ws(&[
        ("-bad", OK_REQUEST),
        ("CR-1", OK_REQUEST),
        ("cr-1", OK_REQUEST),
    ]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("`-bad` is not a valid request id")
        .stderr_has("differ only in case");
}

#[test]
fn dangling_references_are_errors_at_the_value() {
    let t = ws(&[
        (
            "CR-1",
            "title = \"A\"\neffort = 3\ndepends_on = [\"CR-9\"]\ntogether_with = [\"CR-8\"]\nrequested_by = [\"nobody\"]\npin = \"2027\"\n",
        ),
    ]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("requests/CR-1.toml:3:15")
        .stderr_has("depends_on names `CR-9`")
        .stderr_has("together_with names `CR-8`")
        .stderr_has("requested_by names `nobody`")
        .stderr_has("`2027` is not a release id")
        .stderr_has("4 errors");
}

#[test]
fn dependency_cycles_are_named() {
    let t = ws(&[
        (
            "CR-1",
            "title = \"A\"\neffort = 3\ndepends_on = [\"CR-2\"]\n",
        ),
        (
            "CR-2",
            "title = \"B\"\neffort = 3\ndepends_on = [\"CR-3\"]\n",
        ),
        (
            "CR-3",
            "title = \"C\"\neffort = 3\ndepends_on = [\"CR-1\"]\n",
        ),
    ]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("dependency cycle: CR-1 → CR-2 → CR-3 → CR-1");
}

#[test]
fn effort_scores_and_enums_are_checked() {
    let t = ws(&[
        ("CR-1", "title = \"A\"\neffort = 0\n"),
        ("CR-2", "title = \"B\"\neffort = 2\n[scores]\nvalue = 11\n"),
        ("CR-3", "title = \"C\"\neffort = 2\nkind = \"feture\"\n"),
        ("CR-4", "title = \"D\"\neffort = 2\nimpact = \"huge\"\n"),
        ("CR-5", "title = \"E\"\neffort = 2\nstatus = \"wip\"\n"),
    ]);
    t.run(&["validate"])
        .code(1)
        .stderr_has("effort is 0")
        .stderr_has("score `value` = 11 is outside its scale [1, 10]")
        .stderr_has("unknown variant `feture`")
        .stderr_has("unknown variant `huge`")
        .stderr_has("unknown variant `wip`")
        .stderr_has("5 errors");
}

#[test]
fn partner_and_commitment_references_are_checked() {
    let t = ws(&[("CR-1", OK_REQUEST)]);
    t.write(
        "partners.toml",
        "[[partner]]\nid = \"acme\"\nname = \"ACME\"\n\n[[partner]]\nid = \"acme\"\nname = \"Again\"\n\n[[commitment]]\npartner = \"ghost\"\nrequests = [\"CR-1\", \"CR-404\"]\nweight = 5\n",
    );
    t.run(&["validate"])
        .code(1)
        .stderr_has("duplicate partner id `acme`")
        .stderr_has("which is no partner")
        .stderr_has("names `CR-404`, which is no request");
}

#[test]
fn release_files_are_checked() {
    let t = ws(&[("CR-1", OK_REQUEST)]);
    t.write(
        "releases/2027.1.toml",
        "id = \"2027.1\"\nscope = [\"CR-1\", \"CR-77\"]\n",
    );
    t.write("releases/2027.2.toml", "id = \"2027.3\"\n");
    t.run(&["validate"])
        .code(1)
        .stderr_has("releases/2027.1.toml:2:18")
        .stderr_has("names `CR-77`, which is no request")
        .stderr_has("named 2027.2.toml but says id = \"2027.3\"");
}

#[test]
fn validate_json_lists_diagnostics() {
    let t = ws(&[("CR-1", "title = \"A\"\neffort = -1\n")]);
    let r = t.run(&["--format", "json", "validate"]);
    r.code(1);
    let j = r.json();
    assert_eq!(j["valid"], false);
    assert_eq!(j["errors"], 1);
    assert_eq!(j["diagnostics"][0]["file"], "requests/CR-1.toml");
    assert_eq!(j["diagnostics"][0]["line"], 2);
}

#[test]
fn usage_errors_exit_2() {
    let t = Test::empty();
    t.run(&["frobnicate"]).code(2);
    t.run(&["--format", "xml", "validate"]).code(2);
}

#[test]
fn a_bad_clock_is_an_error() {
    let mut t = ws(&[]);
    t.at("yesterday");
    t.run(&["validate"]).code(1).stderr_has("ZYKLUS_NOW");
}

// Each problem points at the key or value that causes it, as the parser saw it
// (issue 10: the old text-searching locator missed these or chose the wrong line).
// The whole diagnostic output is compared: headline, place, source line, caret, hint.

/// Runs `validate` and compares the whole of stderr.
#[track_caller]
fn diagnoses(t: &Test, code: i32, expected: &str) {
    let r = t.run(&["validate"]);
    r.code(code);
    assert_eq!(r.stderr, expected, "stderr differs");
}

#[test]
fn a_duplicate_partner_id_points_at_the_duplicate() {
    let t = ws(&[("CR-1", OK_REQUEST)]);
    t.write(
        "partners.toml",
        "# Partners.\n\n\
         [[partner]]\nid = \"alpenblick\"\nname = \"Alpenblick Reisen GmbH\"\nlanguage = \"de\"\n\n\
         [[partner]]\nid = \"donauwelle\"\nname = \"Donauwelle Touristik GmbH\"\nlanguage = \"de\"\n\n\
         [[partner]]\nlanguage = \"de\"\nname = \"Hansekontor Marketing GmbH\"\nemail = \"technik@hansekontor.example\"\n\n\n\
         # copied from the one above\nid = \"donauwelle\"\n",
    );
    diagnoses(
        &t,
        1,
        "\
error: duplicate partner id `donauwelle`
  --> partners.toml:20:6
     |
  20 | id = \"donauwelle\"
     |      ^
  = help: give each partner its own id
error: 1 error in the workspace; nothing was written
",
    );
}

#[test]
fn a_score_in_an_inline_table_points_at_the_value() {
    let t = ws(&[(
        "CR-1",
        "title = \"A\"\neffort = 3\nscores = { value = 11, urgency = 5 }\n",
    )]);
    diagnoses(
        &t,
        1,
        "\
error: score `value` = 11 is outside its scale [1, 10]
  --> requests/CR-1.toml:3:20
    |
  3 | scores = { value = 11, urgency = 5 }
    |                    ^
  = help: use a value within the scale set in zyklus.toml
error: 1 error in the workspace; nothing was written
",
    );
}

#[test]
fn text_in_an_unknown_language_points_at_its_dotted_key() {
    let t = ws(&[(
        "CR-1",
        "title = \"A\"\neffort = 3\ntext.de = \"Hallo\"\ntext.xx = \"Hallo\"\n[scores]\nvalue = 5\nurgency = 5\n",
    )]);
    diagnoses(
        &t,
        0,
        "\
warning: text in `xx`, which is not one of the workspace languages [\"de\", \"en\"]
  --> requests/CR-1.toml:4:6
    |
  4 | text.xx = \"Hallo\"
    |      ^
  = help: add the language to [workspace] languages, or fix the key
",
    );
}

#[test]
fn a_negative_commitment_weight_points_at_that_weight() {
    let t = ws(&[("CR-1", OK_REQUEST)]);
    t.write(
        "partners.toml",
        "[[partner]]\nid = \"acme\"\nname = \"ACME\"\n\n\
         [[commitment]]\npartner = \"acme\"\nrequests = [\"CR-1\"]\nweight = 5\n\n\
         [[commitment]]\npartner = \"acme\"\nrequests = [\"CR-1\"]\nby = 2027-06-30\nweight = -3\n",
    );
    diagnoses(
        &t,
        1,
        "\
error: commitment of `acme` has weight -3; it must be ≥ 0
  --> partners.toml:14:10
     |
  14 | weight = -3
     |          ^
  = help: e.g. weight = 20
error: 1 error in the workspace; nothing was written
",
    );
}

#[test]
fn a_criterion_written_as_a_dotted_key_points_at_its_name() {
    let t = Test::with_requests(
        "\n[scoring]\nmodel = \"wsjf\"\ncriteria.business_value = { scale = [1, 10] }\ncriteria.value = { weight = 3 }\ncriteria.risk_reduction = { scale = [1, 5], invert = true }\n",
        &[],
    );
    diagnoses(
        &t,
        1,
        "\
error: the wsjf model uses the criteria business_value, time_criticality, risk_reduction; `value` is not one of them
  --> zyklus.toml:8:10
    |
  8 | criteria.value = { weight = 3 }
    |          ^
  = help: remove `value`, or use model = \"weighted\" for criteria of your own
error: criterion `risk_reduction`: `weight` and `invert` do not apply to the wsjf model
  --> zyklus.toml:9:45
    |
  9 | criteria.risk_reduction = { scale = [1, 5], invert = true }
    |                                             ^
  = help: remove them; only `scale` may be set for its criteria
error: 2 errors in the workspace; nothing was written
",
    );
}

#[test]
fn a_bad_language_code_points_at_that_element() {
    let t = Test::empty();
    t.write(
        "zyklus.toml",
        "[workspace]\nname = \"Test\"\nlanguages = [\"de\", \"de_AT\"]\n",
    );
    diagnoses(
        &t,
        1,
        "\
error: `de_AT` is not a language tag (BCP 47) such as \"de\", \"de-AT\" or \"en-GB\"
  --> zyklus.toml:3:20
    |
  3 | languages = [\"de\", \"de_AT\"]
    |                    ^
  = help: use language tags such as \"de\", \"de-AT\", \"en\" or \"en-GB\"
error: 1 error in the workspace; nothing was written
",
    );
}

#[test]
fn an_unknown_dependency_in_a_multiline_array_points_at_the_id() {
    let t = ws(&[
        ("CR-1", OK_REQUEST),
        (
            "CR-2",
            "title = \"B\"\neffort = 3\ndepends_on = [\n  \"CR-1\", # and \"CR-9\", once it is written\n  \"CR-9\",\n]\n[scores]\nvalue = 5\nurgency = 5\n",
        ),
    ]);
    diagnoses(
        &t,
        1,
        "\
error: depends_on names `CR-9`, which is no request in requests/
  --> requests/CR-2.toml:5:3
    |
  5 |   \"CR-9\",
    |   ^
  = help: fix the id, or create the request with `zyklus request new`
error: 1 error in the workspace; nothing was written
",
    );
}

#[test]
fn an_id_listed_twice_points_at_the_second_mention() {
    let t = ws(&[
        ("CR-1", OK_REQUEST),
        (
            "CR-2",
            "title = \"B\"\neffort = 3\ndepends_on = [\"CR-1\", \"CR-1\"]\n[scores]\nvalue = 5\nurgency = 5\n",
        ),
    ]);
    diagnoses(
        &t,
        0,
        "\
warning: `CR-1` is listed twice in depends_on
  --> requests/CR-2.toml:3:23
    |
  3 | depends_on = [\"CR-1\", \"CR-1\"]
    |                       ^
  = help: remove the duplicate
",
    );
}

#[test]
fn an_unknown_key_points_at_the_key_in_its_table() {
    let t = ws(&[("CR-1", OK_REQUEST)]);
    t.write(
        "partners.toml",
        "[[partner]]\nid = \"acme\"\nname = \"ACME\"\nemail = \"it@acme.example\"\n\n\
         [[partner]]\nid = \"globex\"\nname = \"Globex\"\nemial = \"it@globex.example\"\n",
    );
    diagnoses(
        &t,
        0,
        "\
warning: unknown key `partner[1].emial` in partners.toml; it is ignored
  --> partners.toml:9:1
    |
  9 | emial = \"it@globex.example\"
    | ^
  = help: check the spelling against docs/workspace.md
",
    );
}
