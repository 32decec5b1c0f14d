//! `zyklus notes`: release notes in German and English, fallback, formats,
//! template overrides and template errors.

use crate::fixtures::with_release;
use crate::support::Test;

#[test]
fn german_notes_group_by_kind_major_first() {
    let t = with_release();
    let r = t.run(&["notes", "2027.1"]);
    r.ok()
        .stdout_has("# Partnerportal 2027.1 – Versionshinweise")
        .stdout_has("Veröffentlicht am 12. Januar 2027.")
        .stdout_has("## Neu\n\n- **Das Dashboard zeigt")
        .stdout_has("(CR-0004)")
        .stdout_has("## Verbessert")
        .stdout_has("## Behoben")
        .stdout_has("korrekten Umlauten und ß. (CR-0035)");
    let neu = r.stdout.find("## Neu").expect("Neu");
    let verb = r.stdout.find("## Verbessert").expect("Verbessert");
    let beh = r.stdout.find("## Behoben").expect("Behoben");
    assert!(neu < verb && verb < beh, "{}", r.stdout);
    assert!(r.stderr.is_empty(), "no warnings expected: {}", r.stderr);
}

#[test]
fn english_notes_and_html() {
    let t = with_release();
    t.run(&["notes", "2027.1", "--lang", "en"])
        .ok()
        .stdout_has("# Partnerportal 2027.1 – Release notes")
        .stdout_has("Released on 12 January 2027.")
        .stdout_has("## Added")
        .stdout_has("## Changed")
        .stdout_has("## Fixed");
    t.run(&["notes", "2027.1", "--lang", "en", "--as", "html"])
        .ok()
        .stdout_has("<h2>Added</h2>")
        .stdout_has("<time datetime=\"2027-01-12\">12 January 2027</time>")
        .stdout_has("<strong>The dashboard shows");
}

#[test]
fn audience_filters_major_and_minor() {
    let t = with_release();
    t.run(&["notes", "2027.1", "--audience", "customers"])
        .ok()
        .stdout_has("CR-0004")
        .stdout_has("CR-0005")
        .stdout_lacks("CR-0011")
        .stdout_lacks("## Behoben");
    t.run(&["notes", "2027.1", "--audience", "wiki"])
        .ok()
        .stdout_lacks("CR-0004")
        .stdout_has("CR-0011")
        .stdout_has("CR-0035");
}

#[test]
fn json_shape_and_global_format_json() {
    let t = with_release();
    for args in [
        &["notes", "2027.1", "--as", "json"][..],
        &["--format", "json", "notes", "2027.1"][..],
    ] {
        let j = t.run(args).ok().json();
        assert_eq!(j["release"]["id"], "2027.1");
        assert_eq!(j["release"]["date"], "2027-01-12");
        assert_eq!(j["lang"], "de");
        assert_eq!(j["sections"][0]["key"], "added");
        assert_eq!(j["sections"][0]["items"][0]["id"], "CR-0004");
        assert_eq!(j["sections"][0]["items"][0]["major"], true);
        assert_eq!(j["count"], 8);
    }
}

#[test]
fn missing_language_falls_back_with_a_warning() {
    let t = with_release();
    let src = t.read("requests/CR-0017.toml");
    let without_en: String = src
        .lines()
        .filter(|l| !l.starts_with("en ="))
        .map(|l| format!("{l}\n"))
        .collect();
    t.write("requests/CR-0017.toml", &without_en);
    let r = t.run(&["notes", "2027.1", "--lang", "en"]);
    r.ok()
        .stderr_has("warning: CR-0017 has no [text] en")
        .stdout_has("Terminerinnerungen werden nach der Umstellung");
    let j = t
        .run(&["notes", "2027.1", "--lang", "en", "--as", "json"])
        .ok()
        .json();
    assert_eq!(j["fallbacks"][0], "CR-0017");
}

#[test]
fn unknown_language_and_release_are_errors() {
    let t = with_release();
    t.run(&["notes", "2027.1", "--lang", "fr"])
        .code(1)
        .stderr_has("`fr` is not a language of this workspace")
        .stderr_has("help:");
    t.run(&["notes", "2027.4"])
        .code(1)
        .stderr_has("no release 2027.4");
}

#[test]
fn workspace_template_overrides_the_built_in_one() {
    let t = with_release();
    t.write(
        "templates/notes.de.md.jinja",
        "Eigene Notizen {{ release.id }} vom {{ release.date }}\n{% for s in sections %}{% for i in s.items %}* {{ i.id }}\n{% endfor %}{% endfor %}",
    );
    let r = t.run(&["notes", "2027.1"]);
    r.ok()
        .stdout_has("Eigene Notizen 2027.1 vom 2027-01-12\n* CR-0004\n")
        .stdout_lacks("Versionshinweise");
    // English still uses the built-in template.
    t.run(&["notes", "2027.1", "--lang", "en"])
        .ok()
        .stdout_has("Release notes");
    let j = t.run(&["notes", "2027.1", "--context"]).ok().json();
    assert_eq!(j["template"], "templates/notes.de.md.jinja");
    assert_eq!(j["context"]["product"], "Partnerportal");
}

#[test]
fn template_errors_name_file_and_line() {
    let t = with_release();
    t.write(
        "templates/notes.de.md.jinja",
        "Zeile eins\nZeile zwei\n{{ release.no_such_field }}\n",
    );
    t.run(&["notes", "2027.1"])
        .code(1)
        .stderr_has("templates/notes.de.md.jinja:3")
        .stderr_has("undefined")
        .stderr_has("help: fix templates/notes.de.md.jinja");
    t.write("templates/notes.de.md.jinja", "ok\n{% for x in %}\n");
    t.run(&["notes", "2027.1"])
        .code(1)
        .stderr_has("templates/notes.de.md.jinja:2")
        .stderr_has("syntax error");
}

#[test]
fn endless_template_runs_out_of_fuel() {
    let t = with_release();
    t.write(
        "templates/notes.de.md.jinja",
        "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}",
    );
    t.run(&["notes", "2027.1"])
        .code(1)
        .stderr_has("templates/notes.de.md.jinja:1")
        .stderr_has("fuel");
}

/// The CI examples only use flags the commands have.
#[test]
fn ci_examples_use_existing_flags() {
    let t = Test::empty();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let mut checked = 0;
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let src = std::fs::read_to_string(dir.join(file)).expect("ci example");
        for line in src.lines() {
            let Some(pos) = line.find("zyklus ") else {
                continue;
            };
            let mut words = line[pos + 7..].split_whitespace();
            let Some(cmd) = words.next() else { continue };
            if !["notes", "changelog", "announce", "validate"].contains(&cmd) {
                continue;
            }
            let help = t.run(&[cmd, "--help"]);
            help.ok();
            for flag in words.filter(|w| w.starts_with("--")) {
                help.stdout_has(flag);
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "only {checked} flags found");
}

#[test]
fn release_date_comes_from_the_calendar_when_the_file_has_none() {
    let t = with_release();
    let rel = t
        .read("releases/2027.1.toml")
        .replace("release_date = 2027-01-12\n", "");
    t.write("releases/2027.1.toml", &rel);
    t.run(&["notes", "2027.1"])
        .ok()
        .stdout_has("Veröffentlicht am 12. Januar 2027.");
    // A hotfix not yet in production has its base release's date (one rule for
    // every command: `model::facts`).
    t.write(
        "releases/2027.1.1.toml",
        "id = \"2027.1.1\"\nstage = \"test\"\nscope = [\"CR-0026\"]\n",
    );
    t.run(&["notes", "2027.1.1", "--lang", "en"])
        .ok()
        .stdout_has("12 January 2027")
        .stdout_has("## Fixed");
}

#[test]
fn a_language_without_templates_asks_for_one() {
    let t = with_release();
    let cfg = t.read("zyklus.toml").replace(
        "languages = [\"de\", \"en\"]",
        "languages = [\"de\", \"en\", \"fr\"]",
    );
    t.write("zyklus.toml", &cfg);
    t.run(&["notes", "2027.1", "--lang", "fr"])
        .code(1)
        .stderr_has("templates/notes.fr.md.jinja: there is no such template")
        .stderr_has("help: write templates/notes.fr.md.jinja");
    t.write(
        "templates/notes.fr.md.jinja",
        "Notes de version {{ release.id }}\n{% for i in major %}- {{ i.text }}\n{% endfor %}",
    );
    t.run(&["notes", "2027.1", "--lang", "fr"])
        .ok()
        .stdout_has("Notes de version 2027.1")
        .stderr_has("CR-0004 has no [text] fr");
}

/// 2027.1 of [`with_release`] moved to `stage`, with `extra` lines in its file.
fn in_stage(stage: &str, extra: &str) -> Test {
    let t = with_release();
    let rel = t.read("releases/2027.1.toml").replace(
        "stage = \"production\"",
        &format!("stage = \"{stage}\"{extra}"),
    );
    t.write("releases/2027.1.toml", &rel);
    t
}

/// The wording follows the stage: planned for / on the test system since /
/// released on; a scope that is not frozen is preliminary, visibly and on stderr,
/// and so is a request nobody accepted.
#[test]
fn the_wording_follows_the_stage() {
    let t = in_stage("planned", "");
    let rel = t
        .read("releases/2027.1.toml")
        .replace("\"CR-0035\"]", "\"CR-0035\", \"CR-0033\"]");
    t.write("releases/2027.1.toml", &rel);
    insta::assert_snapshot!("notes_planned", t.zyklus("notes 2027.1"));
    insta::assert_snapshot!(
        "notes_planned_en_html",
        t.zyklus("notes 2027.1 --lang en --as html --audience customers")
    );
    let t = in_stage("development", "\nfrozen = true");
    t.zyklus("notes 2027.1 --lang en")
        .ok()
        .stdout_has("\nPlanned for release on 12 January 2027.\n")
        .stdout_lacks("Preliminary");
    assert!(t.zyklus("notes 2027.1").stderr.is_empty());
    let t = in_stage("test", "\ntest_started_at = 2026-12-22T09:30:00+01:00");
    insta::assert_snapshot!(
        "notes_in_test",
        t.zyklus("notes 2027.1 --lang en --audience wiki")
    );
    t.zyklus("notes 2027.1")
        .ok()
        .stdout_has("\nDiese Version ist seit dem 22. Dezember 2026 in der Testumgebung; ihre Veröffentlichung ist für den 12. Januar 2027 geplant.\n");
    with_release()
        .zyklus("notes 2027.1 --lang en")
        .ok()
        .stdout_has("\nReleased on 12 January 2027.\n");
    in_stage("cancelled", "")
        .zyklus("notes 2027.1")
        .ok()
        .stdout_has("\nDiese Version wurde abgesagt und wird nicht veröffentlicht.\n");
}

/// A hotfix in production has notes dated the day it went to production.
#[test]
fn a_hotfix_in_production_is_released_the_day_it_went_there() {
    let t = crate::fixtures::hotfix_in_production();
    t.zyklus("notes 2026.6.1 --lang en")
        .ok()
        .stdout_has("# Partnerportal 2026.6.1 – Release notes\n\nThis version is a hotfix for version 2026.6.\nReleased on 27 November 2026.\n\n## Fixed\n\n- Payments are confirmed immediately again");
    t.zyklus("notes 2026.6.1").ok().stdout_has(
        "Diese Version ist ein Hotfix zu Version 2026.6.\nVeröffentlicht am 27. November 2026.\n",
    );
}

/// Language tags (BCP 47): de-AT writes „Jänner", de picks the workspace's
/// German, en-US writes the month first; request texts keyed `de`/`en` serve
/// every variant.
#[test]
fn language_tags_pick_templates_texts_and_month_names() {
    let t = with_release();
    let cfg = t.read("zyklus.toml").replace(
        "languages = [\"de\", \"en\"]",
        "languages = [\"de-AT\", \"en-GB\"]",
    );
    t.write("zyklus.toml", &cfg);
    let v = t.zyklus("validate");
    v.ok();
    assert!(!v.stderr.contains("warning"), "{}", v.stderr);
    t.zyklus("notes 2027.1")
        .ok()
        .stdout_has("Veröffentlicht am 12. Jänner 2027.")
        .stdout_has("## Neu");
    t.zyklus("notes 2027.1 --lang de")
        .ok()
        .stdout_has("Veröffentlicht am 12. Jänner 2027.");
    t.zyklus("notes 2027.1 --lang de-DE")
        .ok()
        .stdout_has("Veröffentlicht am 12. Januar 2027.");
    t.zyklus("notes 2027.1 --lang en")
        .ok()
        .stdout_has("Released on 12 January 2027.")
        .stdout_has("The dashboard shows");
    t.zyklus("notes 2027.1 --lang en-US")
        .ok()
        .stdout_has("Released on January 12, 2027.");
    let j = t.zyklus("notes 2027.1 --as json").ok().json();
    assert_eq!(j["lang"], "de-AT");
    assert_eq!(j["language"], "de");
    t.zyklus("notes 2027.1 --lang fr")
        .code(1)
        .stderr_has("`fr` is not a language of this workspace");
    // A template for exactly one tag wins over the language's.
    t.write(
        "templates/notes.de-AT.md.jinja",
        "Österreich {{ release.date_long }}\n",
    );
    t.zyklus("notes 2027.1")
        .ok()
        .stdout_has("Österreich 12. Jänner 2027\n");
    t.zyklus("notes 2027.1 --lang de-DE")
        .ok()
        .stdout_has("# Partnerportal 2027.1 – Versionshinweise");
    // Tags that are none are refused with their place.
    let bad = t.read("zyklus.toml").replace("\"en-GB\"", "\"en_GB\"");
    t.write("zyklus.toml", &bad);
    t.zyklus("validate")
        .code(1)
        .stderr_has("`en_GB` is not a language tag (BCP 47)")
        .stderr_has("zyklus.toml:");
    t.write("zyklus.toml", &cfg);
    let partners =
        t.read("partners.toml")
            .replacen("language = \"de-AT\"", "language = \"deutsch\"", 1);
    t.write("partners.toml", &partners);
    t.zyklus("validate")
        .code(1)
        .stderr_has("`deutsch` is not a language tag")
        .stderr_has("partners.toml:");
}
