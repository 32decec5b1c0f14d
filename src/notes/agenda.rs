//! The agenda of the partner coordination call before a release: the data its
//! template sees (scope with the partners who asked for each change, the major
//! changes, the open findings, stage, test start and release date, the call's own
//! date). Pure, like the rest of `notes`: the CLI passes in the dates it knows.

use chrono::NaiveDate;
use serde::Serialize;

use super::{long_date, Audience, Context, Item};
use crate::model::{Partners, Release, Request, Severity};

/// A partner as the agenda names it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerRef {
    pub id: String,
    /// The name from partners.toml, or the id when the partner is unknown.
    pub name: String,
}

/// One change of the scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeRow {
    #[serde(flatten)]
    pub item: Item,
    pub status: String,
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
    pub date: String,
    pub date_long: String,
    /// `HH:MM`, local time.
    pub time: String,
    pub duration_minutes: u32,
    pub url: Option<String>,
}

/// What the agenda template sees. `zyklus agenda --context` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaContext {
    pub product: String,
    pub lang: String,
    pub release: super::ReleaseInfo,
    pub test_start: Option<String>,
    pub test_start_long: Option<String>,
    pub call: Option<Call>,
    /// Every change of the scope, in changelog order (major first per section).
    pub scope: Vec<ScopeRow>,
    pub major: Vec<Item>,
    pub findings: Vec<OpenFinding>,
    pub blockers: usize,
    pub fallbacks: Vec<String>,
}

/// The dates the agenda shows, as the CLI resolved them.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgendaDates {
    pub release: Option<NaiveDate>,
    pub test_start: Option<NaiveDate>,
}

impl AgendaContext {
    /// Builds the agenda of `release` in `lang`.
    #[must_use]
    pub fn build(
        product: &str,
        release: &Release,
        requests: &[&Request],
        partners: &Partners,
        dates: AgendaDates,
        call: Option<Call>,
        lang: &str,
    ) -> Self {
        let notes = Context::build(
            product,
            release,
            requests,
            dates.release,
            lang,
            Audience::All,
        );
        let scope = notes
            .sections
            .iter()
            .flat_map(|g| g.items.iter())
            .map(|item| {
                let r = requests.iter().find(|r| r.id.as_str() == item.id);
                ScopeRow {
                    item: item.clone(),
                    status: r.map(|r| r.status.to_string()).unwrap_or_default(),
                    effort: r.map_or(0, |r| r.effort),
                    partners: item
                        .requested_by
                        .iter()
                        .map(|id| PartnerRef {
                            id: id.clone(),
                            name: partners
                                .get(id)
                                .map_or_else(|| id.clone(), |p| p.name.clone()),
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
            product: product.to_owned(),
            lang: lang.to_owned(),
            release: notes.release,
            test_start: dates.test_start.map(|d| d.format("%Y-%m-%d").to_string()),
            test_start_long: dates.test_start.map(|d| long_date(d, lang)),
            call,
            scope,
            major: notes.major,
            blockers: findings
                .iter()
                .filter(|f| f.severity == Severity::Blocker)
                .count(),
            findings,
            fallbacks: notes.fallbacks,
        }
    }
}

/// The call `days_before` the release date, at `time` for `minutes`.
#[must_use]
pub fn call(
    release_date: NaiveDate,
    days_before: u32,
    time: &str,
    minutes: u32,
    url: Option<String>,
    lang: &str,
) -> Option<Call> {
    let date = release_date.checked_sub_days(chrono::Days::new(u64::from(days_before)))?;
    Some(Call {
        date: date.format("%Y-%m-%d").to_string(),
        date_long: long_date(date, lang),
        time: time.to_owned(),
        duration_minutes: minutes,
        url,
    })
}
