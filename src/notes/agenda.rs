//! The agenda of the partner coordination call (*Partnerabstimmung*) before a
//! release: the data its template sees — scope with the partners who asked for
//! each change, the major changes, the open findings, stage, test start and
//! release date, and the call itself with its time zone. Pure, like the rest of
//! `notes`: `ops::agenda` passes in the dates and the call as `model` gives them.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::{Audience, Context, Input, Item, ReleaseInfo};
use crate::model::calendar::CoordinationCall;
use crate::model::lang;
use crate::model::{Partners, Severity};

/// A partner as the agenda names it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerRef {
    pub id: String,
    /// The name from partners.toml, or the id when the partner is unknown.
    pub name: String,
    /// The short name without the legal form (`short_name`, else `name`).
    pub short_name: String,
}

/// One change of the scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeRow {
    #[serde(flatten)]
    pub item: Item,
    pub effort: u32,
    pub partners: Vec<PartnerRef>,
}

/// One open finding of the test phase.
#[derive(Debug, Clone, Serialize)]
pub struct OpenFinding {
    pub number: u32,
    pub severity: Severity,
    pub text: String,
    pub request: Option<String>,
    pub raised_at: String,
}

/// The coordination call itself.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// With the weekday, in the agenda's language: `Dienstag, 5. Jänner 2027`.
    pub date_long: String,
    /// `HH:MM`, local time of `timezone`.
    pub time: String,
    /// `HH:MM`, when the call ends.
    pub end_time: String,
    /// The IANA zone (`Europe/Vienna`).
    pub timezone: String,
    /// The zone's abbreviation on that day (`CET`, `CEST`).
    pub zone: String,
    /// The zone's city in the agenda's language (`Wien`, `Vienna`).
    pub city: String,
    pub duration_minutes: u32,
    pub url: Option<String>,
}

/// The call `c` as the agenda in `tag` shows it.
#[must_use]
pub fn call(c: &CoordinationCall, tag: &str) -> Call {
    let tz: Option<Tz> = c.timezone.parse().ok();
    let (time, end_time, zone) = match tz {
        Some(tz) => {
            let start = c.start.with_timezone(&tz);
            let end = c.end.with_timezone(&tz);
            (
                start.format("%H:%M").to_string(),
                end.format("%H:%M").to_string(),
                start.format("%Z").to_string(),
            )
        }
        None => (
            c.start.format("%H:%M").to_string(),
            c.end.format("%H:%M").to_string(),
            c.start.format("%:z").to_string(),
        ),
    };
    Call {
        date: c.date.format("%Y-%m-%d").to_string(),
        date_long: lang::long_date_with_weekday(c.date, tag),
        time,
        end_time,
        timezone: c.timezone.clone(),
        zone,
        city: lang::zone_city(&c.timezone, tag),
        duration_minutes: c.duration_minutes,
        url: c.url.clone(),
    }
}

/// What the agenda template sees. `zyklus agenda --as json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaContext {
    pub product: String,
    pub product_in_text: String,
    /// The language tag (`de-AT`) and its primary language (`de`).
    pub lang: String,
    pub language: String,
    pub release: ReleaseInfo,
    /// When the test phase starts (or started), `YYYY-MM-DD` and written out.
    pub test_start: Option<String>,
    pub test_start_long: Option<String>,
    pub call: Option<Call>,
    /// Every change of the scope, in changelog order (major first per section).
    pub scope: Vec<ScopeRow>,
    pub major: Vec<Item>,
    /// Whether customers get an e-mail for this release (it has major changes).
    pub customer_email: bool,
    pub findings: Vec<OpenFinding>,
    pub blockers: usize,
    pub fallbacks: Vec<String>,
    pub not_accepted: Vec<String>,
}

impl AgendaContext {
    /// Builds the agenda from the notes' `input` (its audience is ignored: the
    /// agenda shows every change), the partners, the test start and the call.
    #[must_use]
    pub fn build(
        input: Input<'_>,
        partners: &Partners,
        test_start: Option<NaiveDate>,
        call: Option<Call>,
    ) -> Self {
        let release = input.release;
        let requests = input.requests;
        let tag = input.lang.to_owned();
        let notes = Context::build(Input {
            audience: Audience::All,
            ..input
        });
        let scope = notes
            .sections
            .iter()
            .flat_map(|g| g.items.iter())
            .map(|item| {
                let r = requests.iter().find(|r| r.id.as_str() == item.id);
                ScopeRow {
                    item: item.clone(),
                    effort: r.map_or(0, |r| r.effort),
                    partners: item
                        .requested_by
                        .iter()
                        .map(|id| match partners.get(id) {
                            Some(p) => PartnerRef {
                                id: id.clone(),
                                name: p.name.clone(),
                                short_name: p.short().to_owned(),
                            },
                            None => PartnerRef {
                                id: id.clone(),
                                name: id.clone(),
                                short_name: id.clone(),
                            },
                        })
                        .collect(),
                }
            })
            .collect();
        let findings: Vec<OpenFinding> = release
            .open_findings()
            .map(|f| OpenFinding {
                number: f.number,
                severity: f.severity,
                text: f.text.clone(),
                request: f.request.clone(),
                raised_at: f.raised_at.0.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect();
        Self {
            product: notes.product,
            product_in_text: notes.product_in_text,
            lang: notes.lang,
            language: notes.language,
            release: notes.release,
            test_start: test_start.map(|d| d.format("%Y-%m-%d").to_string()),
            test_start_long: test_start.map(|d| lang::long_date(d, &tag)),
            call,
            scope,
            major: notes.major,
            customer_email: notes.customer_email,
            blockers: findings
                .iter()
                .filter(|f| f.severity == Severity::Blocker)
                .count(),
            findings,
            fallbacks: notes.fallbacks,
            not_accepted: notes.not_accepted,
        }
    }
}
