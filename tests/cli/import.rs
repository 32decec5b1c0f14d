//! `zyklus import jira|github|gitlab`: tracker exports with every quirk
//! (`tests/fixtures/import/`) into request files, and again after local edits.

use std::fs;
use std::path::Path;

use crate::support::Test;

/// Scoring with two criteria, so imported requests are checked against them.
const CONFIG: &str = "\
[scoring]
model = \"weighted\"
criteria.value = { weight = 3.0 }
criteria.urgency = { weight = 2.0 }
";

/// A request that was there before the import (no source: never matched).
const EXISTING: &str = "title = \"Existing\"\neffort = 2\n";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// A workspace with CR-0007 and the fixture `name` copied in.
fn workspace(config_extra: &str, fixtures: &[&str]) -> Test {
    let t = Test::with_requests(config_extra, &[("CR-0007", EXISTING)]);
    for f in fixtures {
        t.write(f, &fixture(f));
    }
    t
}

const JIRA_TABLE: &str = "\
┌────────┬─────────┬─────────┬───────────────────────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────┐
│ issue  ┆ request ┆ action  ┆ title                                     ┆ detail                                                                                 │
╞════════╪═════════╪═════════╪═══════════════════════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════╡
│ PP-101 ┆ CR-0008 ┆ created ┆ Booking export hangs on large files       ┆                                                                                        │
│ PP-102 ┆ CR-0009 ┆ created ┆ Booking widget for partner sites          ┆                                                                                        │
│ PP-103 ┆ CR-0010 ┆ created ┆ Faster search, also in the \"partner list\" ┆                                                                                        │
│ PP-104 ┆         ┆ skipped ┆ Renew TLS certificates                    ┆ closed (status Done)                                                                   │
│ PP-105 ┆         ┆ skipped ┆ Partner self-service                      ┆ Issue Type `Epic` maps to no kind                                                      │
│ PP-106 ┆         ┆ skipped ┆ Dark mode for the admin UI                ┆ no effort (looked at Custom field (Story Points), Custom field (Story point estimate)) │
│ PP-107 ┆         ┆ skipped ┆ Typo in the invoice e-mail                ┆ invalid effort `0`: a number above 0 is needed                                         │
│ PP-108 ┆ CR-0011 ┆ created ┆ Session expires during checkout           ┆                                                                                        │
└────────┴─────────┴─────────┴───────────────────────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────┘
";

const CR_0008: &str = "\
title = \"Booking export hangs on large files\"
kind = \"bugfix\"
status = \"open\"
effort = 3
impact = \"minor\"
created = 2026-11-27
source = \"PP-101\"

[text]
de = \"Der Buchungsexport bricht bei großen Dateien nicht mehr ab.\"
en = \"The booking export no longer stops on large files.\"
";

const CR_0009: &str = "\
title = \"Booking widget for partner sites\"
kind = \"feature\"
status = \"open\"
effort = 8
impact = \"major\"
created = 2026-12-02
source = \"PP-102\"

[text]
de = \"Partner können ein Buchungs-Widget in ihre eigenen Websites einbinden.\"
en = \"Partners can embed a booking widget in their own sites.\"
";

const CR_0010: &str = "\
title = 'Faster search, also in the \"partner list\"'
kind = \"improvement\"
status = \"open\"
effort = 3
impact = \"minor\"
created = 2026-12-05
source = \"PP-103\"
";

const CR_0011: &str = "\
title = \"Session expires during checkout\"
kind = \"bugfix\"
status = \"open\"
effort = 5
impact = \"minor\"
created = 2027-01-05
source = \"PP-108\"

[text]
de = \"Die Sitzung läuft beim Bezahlen nicht mehr ab.\"
en = \"The session no longer expires during checkout.\"
";

#[test]
fn jira_first_import_creates_requests_and_a_second_changes_nothing() {
    let t = workspace(CONFIG, &["jira.csv"]);
    let r = t.run(&["import", "jira", "jira.csv"]);
    r.ok();
    assert_eq!(
        r.stdout,
        format!("{JIRA_TABLE}4 created, 0 updated, 0 unchanged, 4 skipped\n")
    );
    assert_eq!(
        r.stderr,
        "wrote requests/CR-0008.toml\nwrote requests/CR-0009.toml\nwrote requests/CR-0010.toml\nwrote requests/CR-0011.toml\n"
    );
    assert_eq!(t.read("requests/CR-0008.toml"), CR_0008);
    assert_eq!(t.read("requests/CR-0009.toml"), CR_0009);
    assert_eq!(t.read("requests/CR-0010.toml"), CR_0010);
    assert_eq!(t.read("requests/CR-0011.toml"), CR_0011);
    assert_eq!(t.read("requests/CR-0007.toml"), EXISTING);
    t.run(&["validate"]).ok();

    let before = t.snapshot();
    let r = t.run(&["--format", "json", "import", "jira", "jira.csv"]);
    r.ok();
    assert_eq!(r.stderr, "");
    assert_eq!(t.snapshot(), before, "a second import wrote something");
    let j = r.json();
    assert_eq!(
        (
            &j["created"],
            &j["updated"],
            &j["unchanged"],
            &j["skipped"],
            &j["dry_run"]
        ),
        (&0.into(), &0.into(), &4.into(), &4.into(), &false.into())
    );
    let items = j["items"].as_array().expect("items");
    let row = |i: &serde_json::Value| {
        format!(
            "{} {} {} {} {}",
            i["line"],
            i["source"].as_str().unwrap_or("-"),
            i["id"].as_str().unwrap_or("-"),
            i["action"].as_str().unwrap_or("-"),
            i["reason_code"].as_str().unwrap_or("-"),
        )
    };
    assert_eq!(
        items.iter().map(row).collect::<Vec<_>>(),
        [
            // Line numbers count the multi-line descriptions before them.
            "2 PP-101 CR-0008 unchanged -",
            "7 PP-102 CR-0009 unchanged -",
            "15 PP-103 CR-0010 unchanged -",
            "16 PP-104 - skipped closed",
            "17 PP-105 - skipped unmapped_kind",
            "18 PP-106 - skipped no_effort",
            "20 PP-107 - skipped invalid_effort",
            "21 PP-108 CR-0011 unchanged -",
        ]
    );
}

#[test]
fn jira_reimport_updates_owned_keys_and_keeps_local_edits() {
    let t = workspace(CONFIG, &["jira.csv"]);
    t.run(&["import", "jira", "jira.csv"]).ok();

    // Local edits: a comment, a status, a dependency, scores, a comment on the
    // effort, and a major impact (the tracker gives none, so the default stays out).
    let edited = "\
# Reviewed with support on 2026-11-30.
title = \"Booking export hangs on large files\"
kind = \"bugfix\"
status = \"accepted\"
effort = 3 # estimated in refinement
impact = \"major\"
created = 2026-11-27
source = \"PP-101\"
depends_on = [\"CR-0007\"]

[scores]
value = 8
urgency = 6

[text]
de = \"Der Buchungsexport bricht bei großen Dateien nicht mehr ab.\"
en = \"The booking export no longer stops on large files.\"
";
    t.write("requests/CR-0008.toml", edited);
    // In Jira: PP-101 re-estimated to 5, PP-102 renamed, PP-103 closed, PP-107
    // estimated now.
    let csv = fixture("jira.csv")
        .replace(
            ",Export,API,PP Sprint 41,PP Sprint 42,3.0,",
            ",Export,API,PP Sprint 41,PP Sprint 42,5,",
        )
        .replace(
            "Booking widget for partner sites,PP-102",
            "Booking widget for partner websites,PP-102",
        )
        .replace(",,,,,0,0|i0003h:", ",,,,,1,0|i0003h:")
        .replace(
            "PP-103,10103,Improvement,Open,",
            "PP-103,10103,Improvement,Done,",
        );
    assert_ne!(csv, fixture("jira.csv"));
    t.write("jira.csv", &csv);

    let r = t.run(&["import", "jira", "jira.csv"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "\
┌────────┬─────────┬───────────┬───────────────────────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────┐
│ issue  ┆ request ┆ action    ┆ title                                     ┆ detail                                                                                 │
╞════════╪═════════╪═══════════╪═══════════════════════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════╡
│ PP-101 ┆ CR-0008 ┆ updated   ┆ Booking export hangs on large files       ┆ effort                                                                                 │
│ PP-102 ┆ CR-0009 ┆ updated   ┆ Booking widget for partner websites       ┆ title                                                                                  │
│ PP-103 ┆ CR-0010 ┆ skipped   ┆ Faster search, also in the \"partner list\" ┆ closed (status Done); CR-0010 left as it is                                            │
│ PP-104 ┆         ┆ skipped   ┆ Renew TLS certificates                    ┆ closed (status Done)                                                                   │
│ PP-105 ┆         ┆ skipped   ┆ Partner self-service                      ┆ Issue Type `Epic` maps to no kind                                                      │
│ PP-106 ┆         ┆ skipped   ┆ Dark mode for the admin UI                ┆ no effort (looked at Custom field (Story Points), Custom field (Story point estimate)) │
│ PP-107 ┆ CR-0012 ┆ created   ┆ Typo in the invoice e-mail                ┆                                                                                        │
│ PP-108 ┆ CR-0011 ┆ unchanged ┆ Session expires during checkout           ┆                                                                                        │
└────────┴─────────┴───────────┴───────────────────────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────┘
1 created, 2 updated, 1 unchanged, 4 skipped
"
    );
    assert_eq!(
        r.stderr,
        "wrote requests/CR-0008.toml\nwrote requests/CR-0009.toml\nwrote requests/CR-0012.toml\n"
    );
    // Only the effort changed; its comment and every local edit stayed.
    assert_eq!(
        t.read("requests/CR-0008.toml"),
        edited.replace("effort = 3 #", "effort = 5 #")
    );
    assert_eq!(
        t.read("requests/CR-0009.toml"),
        CR_0009.replace("partner sites\"", "partner websites\"")
    );
    assert_eq!(
        t.read("requests/CR-0012.toml"),
        "\
title = \"Typo in the invoice e-mail\"
kind = \"bugfix\"
status = \"open\"
effort = 1
impact = \"minor\"
created = 2026-12-07
source = \"PP-107\"
"
    );
    // A closed issue leaves its request alone: done means shipped, in zyklus.
    assert_eq!(t.read("requests/CR-0010.toml"), CR_0010);
    t.run(&["validate"]).ok();

    // And once more: nothing left to do.
    let before = t.snapshot();
    let r = t.run(&["import", "jira", "jira.csv"]);
    r.ok()
        .stdout_has("0 created, 0 updated, 4 unchanged, 4 skipped\n");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn keys_the_mapping_does_not_own_keep_local_edits() {
    let config = format!("{CONFIG}\n[import.github]\nupdate = [\"effort\", \"kind\"]\n");
    let t = workspace(&config, &["github.json"]);
    let r = t.run(&["import", "github", "github.json"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "\
┌───────────────────────┬─────────┬─────────┬──────────────────────────────────────┬───────────────────────────────────────────────────────────────────────────────┐
│ issue                 ┆ request ┆ action  ┆ title                                ┆ detail                                                                        │
╞═══════════════════════╪═════════╪═════════╪══════════════════════════════════════╪═══════════════════════════════════════════════════════════════════════════════╡
│ acme/partnerportal#12 ┆ CR-0008 ┆ created ┆ Booking export hangs on large files  ┆                                                                               │
│ acme/partnerportal#15 ┆ CR-0009 ┆ created ┆ Booking widget for partner sites     ┆                                                                               │
│ acme/partnerportal#18 ┆         ┆ skipped ┆ Remove the old login page            ┆ closed (status CLOSED)                                                        │
│ acme/partnerportal#21 ┆         ┆ skipped ┆ Dark mode                            ┆ no effort (looked at labels effort:… / effort/… / points:… / points/… / sp:…) │
│ acme/partnerportal#22 ┆ CR-0010 ┆ created ┆ Broken link in the FAQ               ┆                                                                               │
│ acme/partnerportal#23 ┆         ┆ skipped ┆ Logout button does nothing on Safari ┆ invalid effort `tbd`: a number above 0 is needed                              │
└───────────────────────┴─────────┴─────────┴──────────────────────────────────────┴───────────────────────────────────────────────────────────────────────────────┘
3 created, 0 updated, 0 unchanged, 3 skipped
"
    );
    let cr8 = "\
title = \"Booking export hangs on large files\"
kind = \"bugfix\"
status = \"open\"
effort = 3
impact = \"minor\"
created = 2026-11-02
source = \"https://github.com/acme/partnerportal/issues/12\"

[text]
de = \"Der Buchungsexport bricht bei großen Dateien nicht mehr ab.\"
en = \"The booking export no longer stops on large files.\"
";
    assert_eq!(t.read("requests/CR-0008.toml"), cr8);
    assert_eq!(
        t.read("requests/CR-0009.toml"),
        "\
title = \"Booking widget for partner sites\"
kind = \"feature\"
status = \"open\"
effort = 8
impact = \"major\"
created = 2026-11-20
source = \"https://github.com/acme/partnerportal/issues/15\"

[text]
de = \"Partner können ein Buchungs-Widget einbinden.\"
en = \"Partners can embed a booking widget.\"
"
    );
    // The #22 label `documentation` maps to no kind: the default, feature.
    assert!(t
        .read("requests/CR-0010.toml")
        .starts_with("title = \"Broken link in the FAQ\"\nkind = \"feature\"\n"));

    // Locally: a better title and a polished German text (neither is owned here).
    let edited = cr8
        .replace(
            "title = \"Booking export hangs on large files\"",
            "title = \"Large booking exports finish\" # for the release notes",
        )
        .replace("nicht mehr ab.\"", "jetzt vollständig ab.\"");
    t.write("requests/CR-0008.toml", &edited);
    // On GitHub: #12 re-labelled effort:5, retitled, and its text rewritten.
    let json = fixture("github.json")
        .replace("\"effort:3\"", "\"effort:5\"")
        .replace(
            "\"Booking export hangs on large files\"",
            "\"Export hangs\"",
        )
        .replace("no longer stops", "never stops");
    t.write("github.json", &json);
    let r = t.run(&["--format", "json", "import", "github", "github.json"]);
    r.ok();
    let j = r.json();
    assert_eq!(
        j["items"][0],
        serde_json::json!({
            "source": "https://github.com/acme/partnerportal/issues/12",
            "id": "CR-0008",
            "action": "updated",
            "title": "Export hangs",
            "changed": ["effort"],
            "index": 1,
        })
    );
    assert_eq!((&j["updated"], &j["unchanged"]), (&1.into(), &2.into()));
    assert_eq!(
        t.read("requests/CR-0008.toml"),
        edited.replace("effort = 3", "effort = 5")
    );
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let t = workspace(CONFIG, &["jira.csv"]);
    let before = t.snapshot();
    let r = t.run(&["import", "jira", "jira.csv", "--dry-run"]);
    r.ok();
    assert_eq!(
        r.stdout,
        format!(
            "{JIRA_TABLE}4 created, 0 updated, 0 unchanged, 4 skipped (dry run: nothing written)\n"
        )
    );
    assert_eq!(r.stderr, "");
    let j = t
        .run(&[
            "--format",
            "json",
            "import",
            "jira",
            "jira.csv",
            "--dry-run",
        ])
        .json();
    assert_eq!((&j["dry_run"], &j["created"]), (&true.into(), &4.into()));
    assert_eq!(j["items"][0]["id"], "CR-0008");
    assert_eq!(t.snapshot(), before);
    assert!(!t.exists(".zyklus.lock"), "a dry run takes no lock");
}

#[test]
fn an_import_that_would_make_the_workspace_invalid_writes_nothing() {
    // Priority Highest maps to urgency 12, outside the criterion's scale 0..10.
    let config = "\
[scoring]
model = \"weighted\"
criteria.urgency = { weight = 2.0 }

[import.jira]
scores.urgency = { field = \"Priority\", map = { Highest = \"12\", High = \"8\", Medium = \"5\", Low = \"3\", Lowest = \"1\" } }
";
    let t = workspace(config, &["jira.csv"]);
    let before = t.snapshot();
    for dry in [false, true] {
        let mut args = vec!["import", "jira", "jira.csv"];
        if dry {
            args.push("--dry-run");
        }
        let r = t.run(&args);
        r.code(1);
        assert_eq!(r.stdout, "");
        assert_eq!(
            r.stderr,
            "\
error: score `urgency` = 12 is outside its scale [0, 10]
  --> requests/CR-0011.toml:10:11
     |
  10 | urgency = 12
     |           ^
  = help: use a value within the scale set in zyklus.toml
error: importing jira.csv would make the workspace invalid; nothing was written
  caused by: 1 error in the workspace; nothing was written
"
        );
        assert_eq!(t.snapshot(), before);
    }
    // The scores the mapping gives land in the request files when they fit.
    let fixed = config.replace("Highest = \"12\"", "Highest = \"10\"");
    t.write(
        "zyklus.toml",
        &format!("[workspace]\nname = \"Test\"\nlanguages = [\"de\", \"en\"]\n{fixed}"),
    );
    t.run(&["import", "jira", "jira.csv"]).ok();
    assert!(t
        .read("requests/CR-0011.toml")
        .ends_with("source = \"PP-108\"\n\n[scores]\nurgency = 10\n\n[text]\nde = \"Die Sitzung läuft beim Bezahlen nicht mehr ab.\"\nen = \"The session no longer expires during checkout.\"\n"));
}

#[test]
fn bad_files_are_errors_that_name_the_file() {
    let t = workspace(
        CONFIG,
        &["jira-broken.csv", "github-broken.json", "jira.csv"],
    );
    t.write("other.csv", "Key,Title\r\nPP-1,Export hangs\r\n");
    let before = t.snapshot();
    let cases: &[(&[&str], &str)] = &[
        (
            &["import", "jira", "jira-broken.csv"],
            "error: jira-broken.csv:3: invalid CSV: this record has 1 field, the header has 4 (zyklus import jira)\n  = help: a quote is probably unbalanced on this line or the one before; export the issues again or fix the quoting\n",
        ),
        (
            &["import", "github", "github-broken.json"],
            "error: github-broken.json:5:3: invalid JSON: trailing comma (zyklus import github)\n  = help: save the output of `gh issue list --json number,title,body,labels,milestone,createdAt,state,url` (or GitLab's issues API) unchanged\n",
        ),
        (
            &["import", "github", "jira.csv"],
            "error: jira.csv:1:1: invalid JSON: expected value (zyklus import github)\n  = help: save the output of `gh issue list --json number,title,body,labels,milestone,createdAt,state,url` (or GitLab's issues API) unchanged\n",
        ),
        (
            &["import", "jira", "other.csv"],
            "error: other.csv has no field `Issue key` (the issues' source for `zyklus import jira`); its fields are: Key, Title\n  = help: check that it is a Jira export, or name the field in zyklus.toml: [import.jira] source = \"…\"\n",
        ),
        (
            &["import", "jira", "missing.csv"],
            "error: reading missing.csv\n  caused by: No such file or directory (os error 2)\n",
        ),
    ];
    for (args, stderr) in cases {
        let r = t.run(args);
        r.code(1);
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(&r.stderr, stderr, "{args:?}");
    }
    assert_eq!(t.snapshot(), before);
    // A usage error is exit 2.
    t.run(&["import", "trello", "x.json"]).code(2);
}

#[test]
fn gitlab_issues_take_effort_from_weight_or_scoped_labels() {
    let t = workspace(CONFIG, &["gitlab.json"]);
    let r = t.run(&["--format", "json", "import", "gitlab", "gitlab.json"]);
    r.ok();
    let j = r.json();
    assert_eq!(
        (&j["tracker"], &j["created"], &j["skipped"]),
        (&"gitlab".into(), &2.into(), &1.into())
    );
    assert_eq!(j["items"][2]["reason"], "closed (status closed)");
    assert_eq!(
        t.read("requests/CR-0008.toml"),
        "\
title = \"Booking export hangs on large files\"
kind = \"bugfix\"
status = \"open\"
effort = 3
impact = \"minor\"
created = 2026-11-02
source = \"https://gitlab.example.com/acme/partnerportal/-/issues/5\"

[text]
de = \"Der Export bricht nicht mehr ab.\"
en = \"The export no longer stops.\"
"
    );
    assert!(t
        .read("requests/CR-0009.toml")
        .contains("effort = 8\nimpact = \"major\"\n"));
}

#[test]
fn mappings_and_sources_are_validated() {
    let t = workspace(
        &format!("{CONFIG}\n[import.jira]\nkind = {{ field = \"Issue Type\", map = {{ Bug = \"bug\" }} }}\n"),
        &["jira.csv"],
    );
    let r = t.run(&["import", "jira", "jira.csv"]);
    r.code(1)
        .stderr_has("error: [import.jira] kind: `bug` is not a kind (feature, improvement, bugfix, hotfix)\n  --> zyklus.toml:")
        .stderr_has("help: map values and defaults of `kind` must be a kind");
    assert!(!t.exists("requests/CR-0008.toml"));

    // Two requests claiming one issue would make re-imports ambiguous.
    let t = Test::with_requests(
        "",
        &[
            ("CR-0001", "title = \"a\"\neffort = 1\nsource = \"PP-1\"\n"),
            ("CR-0002", "title = \"b\"\neffort = 1\nsource = \"PP-1\"\n"),
        ],
    );
    t.run(&["validate"]).code(1).stderr_has(
        "error: source `PP-1` is also the source of CR-0001\n  --> requests/CR-0002.toml:3:10",
    );
}
