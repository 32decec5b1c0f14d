//! The board's words in German and English: fixed labels as one struct per
//! language (a missing translation does not compile), sentences with numbers as
//! functions, and dates and numbers in each language's usual form.

use chrono::{Datelike, NaiveDate};

use super::Lang;
use crate::model::dates::Timestamp;
use crate::model::{Impact, Kind, Severity, Stage, Status};

/// Fixed labels.
pub(crate) struct Texts {
    pub board: &'static str,
    pub as_of: &'static str,
    pub skip: &'static str,
    pub releases: &'static str,
    pub back: &'static str,
    pub made_by: &'static str,
    pub timeline: &'static str,
    pub legend: &'static str,
    pub development: &'static str,
    pub test_phase: &'static str,
    pub release_date: &'static str,
    pub coordination: &'static str,
    pub today: &'static str,
    pub hotfix: &'static str,
    pub hotfixes: &'static str,
    pub timeline_table: &'static str,
    pub release: &'static str,
    pub stage: &'static str,
    pub next_gate: &'static str,
    pub all_met: &'static str,
    pub load: &'static str,
    pub open_findings: &'static str,
    pub none: &'static str,
    pub no_file: &'static str,
    pub sla_none: &'static str,
    pub reported: &'static str,
    pub due: &'static str,
    pub state: &'static str,
    pub no_reported_at: &'static str,
    pub deferred: &'static str,
    pub deferred_intro: &'static str,
    pub deferred_here: &'static str,
    pub deferred_none: &'static str,
    pub deferred_here_none: &'static str,
    pub reason: &'static str,
    pub request: &'static str,
    pub title: &'static str,
    pub facts: &'static str,
    pub frozen: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub deployed: &'static str,
    pub test_started: &'static str,
    pub signoff: &'static str,
    pub shipped: &'static str,
    pub check: &'static str,
    pub met: &'static str,
    pub unmet: &'static str,
    pub detail: &'static str,
    pub scope: &'static str,
    pub scope_empty: &'static str,
    pub kind: &'static str,
    pub impact: &'static str,
    pub effort: &'static str,
    pub score: &'static str,
    pub requested_by: &'static str,
    pub status: &'static str,
    pub missing: &'static str,
    pub total: &'static str,
    pub findings: &'static str,
    pub findings_none: &'static str,
    pub number: &'static str,
    pub severity: &'static str,
    pub description: &'static str,
    pub raised: &'static str,
    pub resolved: &'static str,
    pub open: &'static str,
    pub burndown: &'static str,
    pub burndown_table: &'static str,
    pub burndown_none: &'static str,
    pub date: &'static str,
    pub history: &'static str,
    pub history_none: &'static str,
    pub when: &'static str,
    pub transition: &'static str,
    pub by: &'static str,
    pub note: &'static str,
    pub forced: &'static str,
    pub added: &'static str,
    pub removed: &'static str,
    pub accepted: &'static str,
    pub unmet_then: &'static str,
    pub language: &'static str,
    pub months: [&'static str; 12],
}

pub(crate) const DE: Texts = Texts {
    board: "Release-Board",
    as_of: "Stand",
    skip: "Zum Inhalt springen",
    releases: "Releases",
    back: "Zur Übersicht",
    made_by: "Erstellt mit zyklus board",
    timeline: "Zeitleiste",
    legend: "Legende",
    development: "Entwicklung",
    test_phase: "Testphase (Code-Freeze)",
    release_date: "Release-Termin",
    coordination: "Koordinationstermin",
    today: "heute",
    hotfix: "Hotfix",
    hotfixes: "Hotfixes",
    timeline_table: "Die Zeitleiste als Tabelle",
    release: "Release",
    stage: "Stufe",
    next_gate: "Nächstes Gate",
    all_met: "alle Kriterien erfüllt",
    load: "Auslastung",
    open_findings: "Offene Befunde",
    none: "keine",
    no_file: "noch keine Release-Datei (`zyklus plan` legt sie an)",
    sla_none: "Keine offenen Hotfix-Anfragen.",
    reported: "Gemeldet",
    due: "Fällig",
    state: "Stand",
    no_reported_at: "ohne Meldezeitpunkt (reported_at)",
    deferred: "Zurückgestellte Anfragen",
    deferred_intro: "Anfragen, die der Planer in keinem Release des Planungshorizonts unterbringt, mit seinem Grund.",
    deferred_here: "Anfragen, die in diesem Release keinen Platz finden, mit dem Grund des Planers.",
    deferred_none: "Der Planer stellt nichts zurück.",
    deferred_here_none: "Keine Anfrage wartet auf Platz in diesem Release.",
    reason: "Grund",
    request: "Anfrage",
    title: "Titel",
    facts: "Eckdaten",
    frozen: "Umfang eingefroren",
    yes: "ja",
    no: "nein",
    deployed: "Auf dem Testsystem",
    test_started: "Test begonnen",
    signoff: "Freigabe",
    shipped: "In Produktion seit",
    check: "Kriterium",
    met: "erfüllt",
    unmet: "nicht erfüllt",
    detail: "Details",
    scope: "Umfang",
    scope_empty: "Der Umfang ist leer.",
    kind: "Art",
    impact: "Wirkung",
    effort: "Aufwand",
    score: "Punkte",
    requested_by: "Angefragt von",
    status: "Status",
    missing: "fehlt (keine Anfrage-Datei)",
    total: "Summe",
    findings: "Befunde",
    findings_none: "Keine Befunde.",
    number: "Nr.",
    severity: "Schwere",
    description: "Beschreibung",
    raised: "Gemeldet",
    resolved: "Behoben",
    open: "offen",
    burndown: "Burn-down der Befunde",
    burndown_table: "Der Burn-down als Tabelle",
    burndown_none: "Noch keine Testphase.",
    date: "Datum",
    history: "Gate-Historie",
    history_none: "Noch keine Übergänge.",
    when: "Zeitpunkt",
    transition: "Übergang",
    by: "Durch",
    note: "Notiz, Grund",
    forced: "erzwungen",
    added: "hinzugefügt",
    removed: "entfernt",
    accepted: "angenommen",
    unmet_then: "damals nicht erfüllt",
    language: "Sprache",
    months: [
        "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
    ],
};

pub(crate) const EN: Texts = Texts {
    board: "Release board",
    as_of: "As of",
    skip: "Skip to content",
    releases: "Releases",
    back: "Back to the board",
    made_by: "Made with zyklus board",
    timeline: "Timeline",
    legend: "Legend",
    development: "Development",
    test_phase: "Test phase (code freeze)",
    release_date: "Release date",
    coordination: "Coordination call",
    today: "today",
    hotfix: "Hotfix",
    hotfixes: "Hotfixes",
    timeline_table: "The timeline as a table",
    release: "Release",
    stage: "Stage",
    next_gate: "Next gate",
    all_met: "all checks met",
    load: "Load",
    open_findings: "Open findings",
    none: "none",
    no_file: "no release file yet (`zyklus plan` creates it)",
    sla_none: "No open hotfix requests.",
    reported: "Reported",
    due: "Due",
    state: "State",
    no_reported_at: "no report time (reported_at)",
    deferred: "Deferred requests",
    deferred_intro:
        "Requests the planner fits into no release of the planning horizon, with its reason.",
    deferred_here: "Requests that find no room in this release, with the planner's reason.",
    deferred_none: "The planner defers nothing.",
    deferred_here_none: "No request waits for room in this release.",
    reason: "Reason",
    request: "Request",
    title: "Title",
    facts: "Key facts",
    frozen: "Scope frozen",
    yes: "yes",
    no: "no",
    deployed: "On the test system",
    test_started: "Test started",
    signoff: "Sign-off",
    shipped: "In production since",
    check: "Check",
    met: "met",
    unmet: "unmet",
    detail: "Detail",
    scope: "Scope",
    scope_empty: "The scope is empty.",
    kind: "Kind",
    impact: "Impact",
    effort: "Effort",
    score: "Score",
    requested_by: "Requested by",
    status: "Status",
    missing: "missing (no request file)",
    total: "Total",
    findings: "Findings",
    findings_none: "No findings.",
    number: "No.",
    severity: "Severity",
    description: "Description",
    raised: "Raised",
    resolved: "Resolved",
    open: "open",
    burndown: "Findings burn-down",
    burndown_table: "The burn-down as a table",
    burndown_none: "No test phase yet.",
    date: "Date",
    history: "Gate history",
    history_none: "No transitions yet.",
    when: "When",
    transition: "Transition",
    by: "By",
    note: "Note, reason",
    forced: "forced",
    added: "added",
    removed: "removed",
    accepted: "accepted",
    unmet_then: "unmet at the time",
    language: "Language",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

impl Lang {
    pub(crate) fn t(self) -> &'static Texts {
        match self {
            Lang::De => &DE,
            Lang::En => &EN,
        }
    }

    pub(crate) fn stage(self, s: Stage) -> &'static str {
        match (self, s) {
            (Lang::De, Stage::Planned) => "geplant",
            (Lang::De, Stage::Development) => "Entwicklung",
            (Lang::De, Stage::Test) => "Test",
            (Lang::De, Stage::Production) => "Produktion",
            (Lang::De, Stage::Cancelled) => "abgebrochen",
            (Lang::En, Stage::Planned) => "planned",
            (Lang::En, Stage::Development) => "development",
            (Lang::En, Stage::Test) => "test",
            (Lang::En, Stage::Production) => "production",
            (Lang::En, Stage::Cancelled) => "cancelled",
        }
    }

    pub(crate) fn severity(self, s: Severity) -> &'static str {
        match (self, s) {
            (Lang::De, Severity::Blocker) | (Lang::En, Severity::Blocker) => "Blocker",
            (Lang::De, Severity::Major) => "schwer",
            (Lang::De, Severity::Minor) => "leicht",
            (Lang::En, Severity::Major) => "major",
            (Lang::En, Severity::Minor) => "minor",
        }
    }

    pub(crate) fn kind(self, k: Kind) -> &'static str {
        match (self, k) {
            (Lang::De, Kind::Feature) => "Neue Funktion",
            (Lang::De, Kind::Improvement) => "Verbesserung",
            (Lang::De, Kind::Bugfix) => "Fehlerbehebung",
            (Lang::En, Kind::Feature) => "feature",
            (Lang::En, Kind::Improvement) => "improvement",
            (Lang::En, Kind::Bugfix) => "bugfix",
            (_, Kind::Hotfix) => "Hotfix",
        }
    }

    pub(crate) fn impact(self, i: Impact) -> &'static str {
        match (self, i) {
            (Lang::De, Impact::Major) => "groß (E-Mail)",
            (Lang::De, Impact::Minor) => "klein (Wiki)",
            (Lang::En, Impact::Major) => "major (e-mail)",
            (Lang::En, Impact::Minor) => "minor (wiki)",
        }
    }

    pub(crate) fn status(self, s: Status) -> &'static str {
        match (self, s) {
            (Lang::De, Status::Open) => "offen",
            (Lang::De, Status::Accepted) => "angenommen",
            (Lang::De, Status::Done) => "erledigt",
            (Lang::De, Status::Rejected) => "abgelehnt",
            (Lang::En, Status::Open) => "open",
            (Lang::En, Status::Accepted) => "accepted",
            (Lang::En, Status::Done) => "done",
            (Lang::En, Status::Rejected) => "rejected",
        }
    }

    /// The name of a gate check (`gates::evaluate`); unknown names as they are.
    pub(crate) fn check(self, name: &str) -> &str {
        let (de, en) = match name {
            "scope_not_empty" => ("Umfang nicht leer", "scope not empty"),
            "scope_accepted" => ("alle Anfragen angenommen", "every request accepted"),
            "scope_implemented" => ("alle Anfragen umgesetzt", "every request implemented"),
            "test_deployed" => ("auf dem Testsystem", "deployed to the test system"),
            "test_duration" => ("Testphase lang genug", "test phase long enough"),
            "no_open_blocker" => ("kein offener Blocker", "no open blocker"),
            "release_date_reached" => ("Release-Termin erreicht", "release date reached"),
            "signoff" => ("Freigabe erteilt", "signed off"),
            _ => return name,
        };
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }

    /// A date: `20.03.2027` / `2027-03-20`.
    pub(crate) fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::De => d.format("%d.%m.%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// A date without the year, for chart labels: `20.3.` / `20 Mar`.
    pub(crate) fn day_month(self, d: NaiveDate) -> String {
        match self {
            Lang::De => format!("{}.{}.", d.day(), d.month()),
            Lang::En => format!("{} {}", d.day(), EN.months[d.month0() as usize]),
        }
    }

    /// A timestamp in its own offset: `20.03.2027 10:00 (+01:00)`.
    pub(crate) fn timestamp(self, t: Timestamp) -> String {
        format!("{} ({})", self.local_time(t), t.0.format("%:z"))
    }

    /// A timestamp's local date and time, without the offset: `20.03.2027 10:00`.
    pub(crate) fn local_time(self, t: Timestamp) -> String {
        format!("{} {}", self.date(t.0.date_naive()), t.0.format("%H:%M"))
    }

    /// A score with one decimal: `12,5` / `12.5`.
    pub(crate) fn number(self, x: f64) -> String {
        let s = format!("{x:.1}");
        match self {
            Lang::De => s.replace('.', ","),
            Lang::En => s,
        }
    }

    /// `n Tag(e)` / `n day(s)`.
    pub(crate) fn days(self, n: i64) -> String {
        match (self, n.abs() == 1) {
            (Lang::De, true) => format!("{n} Tag"),
            (Lang::De, false) => format!("{n} Tage"),
            (Lang::En, true) => format!("{n} day"),
            (Lang::En, false) => format!("{n} days"),
        }
    }

    /// When a gate is due, relative to today.
    pub(crate) fn due_in(self, days: i64) -> String {
        match (self, days) {
            (Lang::De, 0) => "heute fällig".into(),
            (Lang::En, 0) => "due today".into(),
            (Lang::De, 1) => "fällig in 1 Tag".into(),
            (Lang::De, d) if d > 0 => format!("fällig in {d} Tagen"),
            (Lang::En, d) if d > 0 => format!("due in {}", self.days(d)),
            (Lang::De, d) => format!("{} überfällig", self.days(-d)),
            (Lang::En, d) => format!("{} overdue", self.days(-d)),
        }
    }

    /// `into test` / `nach Test`.
    pub(crate) fn gate_into(self, to: Stage) -> String {
        match self {
            Lang::De => format!("nach {}", self.stage(to)),
            Lang::En => format!("into {}", self.stage(to)),
        }
    }

    /// Load against capacity in words.
    pub(crate) fn load(self, load: u64, capacity: u64) -> String {
        let pct = load
            .saturating_mul(100)
            .checked_div(capacity)
            .map(|p| format!(" ({p} %)"))
            .unwrap_or_default();
        let over = load.saturating_sub(capacity);
        let over = match (self, over) {
            (_, 0) => String::new(),
            (Lang::De, n) => format!(", {n} über der Kapazität"),
            (Lang::En, n) => format!(", {n} over capacity"),
        };
        match self {
            Lang::De => format!("{load} von {capacity} Einheiten{pct}{over}"),
            Lang::En => format!("{load} of {capacity} units{pct}{over}"),
        }
    }

    /// Working minutes as `3 h 05 min`.
    pub(crate) fn hours_minutes(self, minutes: i64) -> String {
        let m = minutes.abs();
        format!("{} h {:02} min", m / 60, m % 60)
    }

    /// The state of a hotfix request under the promise.
    /// `met` is whether a recorded reaction met the promise (`None`: no reaction).
    pub(crate) fn sla_state(
        self,
        late: bool,
        left_minutes: Option<i64>,
        met: Option<bool>,
    ) -> String {
        match (self, left_minutes) {
            (_, None) => self.t().no_reported_at.to_owned(),
            (Lang::De, Some(_)) if met == Some(true) => "reagiert, rechtzeitig".to_owned(),
            (Lang::En, Some(_)) if met == Some(true) => "reacted in time".to_owned(),
            (Lang::De, Some(m)) if met == Some(false) => {
                format!("reagiert, {} zu spät", self.hours_minutes(m))
            }
            (Lang::En, Some(m)) if met == Some(false) => {
                format!("reacted {} late", self.hours_minutes(m))
            }
            (Lang::De, Some(m)) if late => format!("ÜBERFÄLLIG seit {}", self.hours_minutes(m)),
            (Lang::En, Some(m)) if late => format!("LATE by {}", self.hours_minutes(m)),
            (Lang::De, Some(m)) => format!("fällig, noch {}", self.hours_minutes(m)),
            (Lang::En, Some(m)) => format!("due, {} left", self.hours_minutes(m)),
        }
    }

    pub(crate) fn sla_heading(self, hours: u32) -> String {
        match self {
            Lang::De => format!("Hotfix-Zusage: Reaktion in {hours} Arbeitsstunden"),
            Lang::En => format!("Hotfix promise: a reaction within {hours} working hours"),
        }
    }

    pub(crate) fn hotfix_on(self, base: &str) -> String {
        match self {
            Lang::De => format!("Hotfix auf {base}"),
            Lang::En => format!("hotfix on {base}"),
        }
    }

    pub(crate) fn no_gate(self, stage: Stage) -> String {
        match self {
            Lang::De => format!(
                "Kein weiteres Gate: das Release ist in der Stufe {}.",
                self.stage(stage)
            ),
            Lang::En => format!("No further gate: the release is in {}.", self.stage(stage)),
        }
    }

    pub(crate) fn test_starts(self, d: NaiveDate) -> String {
        match self {
            Lang::De => format!("Die Testphase beginnt am {}.", self.date(d)),
            Lang::En => format!("The test phase starts on {}.", self.date(d)),
        }
    }

    /// The text alternative of the timeline.
    pub(crate) fn timeline_desc(self, year: i32, today: NaiveDate, n: usize) -> String {
        match self {
            Lang::De => format!(
                "Die {n} Releases {year} auf einer Zeitachse von Januar bis Dezember: je Release die Entwicklungsphase, die Testphase ab dem Code-Freeze, der Release-Termin, der Koordinationstermin und die Hotfixes; eine Linie markiert heute, den {}. Dieselben Daten stehen in der Tabelle darunter.",
                self.date(today)
            ),
            Lang::En => format!(
                "The {n} releases of {year} on a time axis from January to December: for each release its development phase, the test phase from the code freeze, the release date, the coordination call and its hotfixes; a line marks today, {}. The table below holds the same data.",
                self.date(today)
            ),
        }
    }

    /// The text alternative of a burn-down chart.
    pub(crate) fn burndown_desc(
        self,
        id: &str,
        from: NaiveDate,
        to: NaiveDate,
        last: Option<(NaiveDate, u32, u32, u32)>,
    ) -> String {
        let now = match (self, last) {
            (_, None) => String::new(),
            (Lang::De, Some((d, b, ma, mi))) => {
                format!(
                    " Am {} offen: {b} Blocker, {ma} schwer, {mi} leicht.",
                    self.date(d)
                )
            }
            (Lang::En, Some((d, b, ma, mi))) => {
                format!(
                    " Open on {}: {b} blocker, {ma} major, {mi} minor.",
                    self.date(d)
                )
            }
        };
        match self {
            Lang::De => format!(
                "Offene Befunde von {id} je Tag und Schwere, vom {} bis zum {}.{now} Die Tabelle darunter enthält alle Werte.",
                self.date(from),
                self.date(to)
            ),
            Lang::En => format!(
                "Open findings of {id} per day and severity, from {} to {}.{now} The table below holds every value.",
                self.date(from),
                self.date(to)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 9).expect("date");
        assert_eq!(Lang::De.date(d), "09.03.2027");
        assert_eq!(Lang::En.date(d), "2027-03-09");
        assert_eq!(Lang::De.day_month(d), "9.3.");
        assert_eq!(Lang::En.day_month(d), "9 Mar");
        assert_eq!(Lang::De.number(12.25), "12,2");
        assert_eq!(Lang::En.number(7.0), "7.0");
        assert_eq!(Lang::En.due_in(-1), "1 day overdue");
        assert_eq!(Lang::De.due_in(3), "fällig in 3 Tagen");
        assert_eq!(Lang::De.due_in(-2), "2 Tage überfällig");
        assert_eq!(
            Lang::En.load(45, 40),
            "45 of 40 units (112 %), 5 over capacity"
        );
    }
}
