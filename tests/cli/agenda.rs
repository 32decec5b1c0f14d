//! `zyklus agenda`: the coordination call's agenda in German and English, with the
//! scope's partners, major changes, open findings, stage and dates.

use crate::fixtures::with_findings_and_call;

#[test]
fn german_agenda_has_scope_partners_findings_and_dates() {
    let t = with_findings_and_call();
    t.run(&["agenda", "2027.1"])
        .ok()
        .stdout_has("# Abstimmung Partnerportal 2027.1 – Tagesordnung")
        .stdout_has("Termin: 5. Januar 2027, 10:00 Uhr (45 Minuten) – https://meet.example/pp")
        .stdout_has("- Phase: Test")
        .stdout_has("- Testbeginn (Code-Freeze): 22. Dezember 2026")
        .stdout_has("- Veröffentlichung: 12. Januar 2027")
        .stdout_has("## 2. Umfang (8 Änderungen)")
        .stdout_has("(CR-0004) | Neu | Donauwelle Touristik GmbH, Brightside Travel Ltd |")
        .stdout_has("- #1 [blocker] Umsatz im Dashboard doppelt gezählt (CR-0004)")
        .stdout_lacks("Already fixed typo")
        .stdout_has("1 Blocker offen");
}

#[test]
fn english_agenda_and_json() {
    let t = with_findings_and_call();
    t.run(&["agenda", "2027.1", "--lang", "en"])
        .ok()
        .stdout_has("# Partnerportal 2027.1 coordination call – agenda")
        .stdout_has("When: 5 January 2027, 10:00 (45 minutes)")
        .stdout_has("## 3. Major changes (customer e-mail)")
        .stdout_has("(CR-0024) | Fixed | Donauwelle Touristik GmbH |");
    let j = t.run(&["agenda", "2027.1", "--as", "json"]).ok().json();
    assert_eq!(j["template"], "agenda.de.md.jinja (built in)");
    let c = &j["context"];
    assert_eq!(c["call"]["date"], "2027-01-05");
    assert_eq!(c["test_start"], "2026-12-22");
    assert_eq!(c["blockers"], 1);
    assert_eq!(c["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        c["scope"][0]["partners"][0]["name"],
        "Donauwelle Touristik GmbH"
    );
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
