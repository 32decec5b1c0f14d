//! `zyklus agenda`: the coordination call's agenda (Partnerabstimmung) in German
//! and English, with the scope's partners, major changes, open findings, stage
//! and dates; the call's day and time as `calendar` has them, with time zone.

use crate::fixtures::with_findings_and_call;

#[test]
fn german_agenda_has_scope_partners_findings_and_dates() {
    let t = with_findings_and_call();
    t.run(&["agenda", "2027.1"])
        .ok()
        .stdout_has("# Partnerportal 2027.1 – Tagesordnung der Partnerabstimmung\n")
        .stdout_has("Termin: Dienstag, 5. Januar 2027, 10:00–10:45 CET (Wien)\nLink: https://meet.example/pp\n")
        .stdout_has("- Stand: in der Testphase\n")
        .stdout_has("- Beginn der Testphase: 22. Dezember 2026\n")
        .stdout_has("- Veröffentlichung: 12. Januar 2027\n")
        .stdout_has("## 2. Umfang (8 Änderungen)")
        .stdout_has("(CR-0004) | Neu | Donauwelle, Brightside |")
        .stdout_has("- Befund 1 (blockierend): Umsatz im Dashboard doppelt gezählt – CR-0004\n")
        .stdout_lacks("Already fixed typo")
        .stdout_has("**1 blockierender Befund ist offen: Solange er nicht behoben ist, kann die Version nicht veröffentlicht werden.**")
        .stdout_has("## 6. Allfälliges\n");
}

#[test]
fn english_agenda_and_json() {
    let t = with_findings_and_call();
    t.run(&["agenda", "2027.1", "--lang", "en"])
        .ok()
        .stdout_has("# Partnerportal 2027.1 – Agenda of the partner coordination call")
        .stdout_has("When: Tuesday, 5 January 2027, 10:00–10:45 CET (Vienna)")
        .stdout_has("## 3. Major changes (customer e-mail)")
        .stdout_has("(CR-0024) | Fixed | Donauwelle |")
        .stdout_has("- Finding 1 (blocker): ")
        .stdout_has("**1 blocker is open: the version cannot be released until it is resolved.**")
        .stdout_has("## 6. Any other business\n");
    let j = t.run(&["agenda", "2027.1", "--as", "json"]).ok().json();
    assert_eq!(j["template"], "agenda.de.md.jinja (built in)");
    let c = &j["context"];
    assert_eq!(c["call"]["date"], "2027-01-05");
    assert_eq!(c["call"]["zone"], "CET");
    assert_eq!(c["call"]["city"], "Wien");
    assert_eq!(c["test_start"], "2026-12-22");
    assert_eq!(c["blockers"], 1);
    assert_eq!(c["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        c["scope"][0]["partners"][0]["name"],
        "Donauwelle Touristik GmbH"
    );
    assert_eq!(c["scope"][0]["partners"][0]["short_name"], "Donauwelle");
}

#[test]
fn two_blockers_are_plural() {
    let t = with_findings_and_call();
    let rel = t.read("releases/2027.1.toml")
        + "\n[[finding]]\nnumber = 3\nseverity = \"blocker\"\ntext = \"Login fails\"\nraised_at = 2026-12-29T09:00:00+01:00\n";
    t.write("releases/2027.1.toml", &rel);
    t.run(&["agenda", "2027.1"])
        .ok()
        .stdout_has("**2 blockierende Befunde sind offen: Solange sie nicht behoben sind,");
    t.run(&["agenda", "2027.1", "--lang", "en"])
        .ok()
        .stdout_has(
            "**2 blockers are open: the version cannot be released until they are resolved.**",
        );
}

/// The call is the one `calendar` exports: a holiday moves it to the working
/// day before, in the agenda too.
#[test]
fn the_call_is_the_calendars_call() {
    let t = with_findings_and_call();
    let cfg = t
        .read("zyklus.toml")
        .replace("days_before_release = 7", "days_before_release = 6");
    t.write("zyklus.toml", &cfg);
    let cal = t
        .run(&["--format", "json", "calendar", "--year", "2027"])
        .ok()
        .json();
    assert_eq!(cal["releases"][0]["coordination"]["date"], "2027-01-05");
    t.run(&["agenda", "2027.1"])
        .ok()
        .stdout_has("Termin: Dienstag, 5. Januar 2027, 10:00–10:45 CET (Wien)");
}

#[test]
fn agenda_template_can_be_overridden() {
    let t = with_findings_and_call();
    t.write(
        "templates/agenda.de.md.jinja",
        "Agenda {{ release.id }}: {{ scope | length }} Punkte, {{ findings | length }} Befund(e)\n",
    );
    t.run(&["agenda", "2027.1"])
        .ok()
        .stdout_has("Agenda 2027.1: 8 Punkte, 1 Befund(e)\n");
}
