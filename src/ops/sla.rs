//! `sla`, `sla ack`, `sla report`: the hotfix reaction promise. Every request of
//! kind `hotfix` with a `reported_at` gets a deadline `[support] reaction_hours`
//! working hours later ([`crate::model::workhours`]: the clock runs on the working
//! days of `[support] workdays` minus `[calendar] holidays`). `sla ack` records
//! when the team reacted (`reacted_at`, and a note); a reaction on or before the
//! deadline *met* the promise, a later one *missed* it. An open hotfix past its
//! deadline without a reaction is *late* (exit 3 of `sla`).

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::Serialize;
use toml_edit::value;

use super::Context;
use crate::error::{invalid, refused};
use crate::model::dates::Timestamp;
use crate::model::{calendar, workhours, Config, Id, Kind, Request, Status};
use crate::workspace::{edit, Transaction, Workspace};

fn is_workday(config: &Config) -> impl Fn(NaiveDate) -> bool + '_ {
    move |d| calendar::is_workday(&config.calendar, &config.support.workdays, d)
}

/// Working minutes from `from` to `to`, negative when `to` is earlier.
fn signed_minutes(config: &Config, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> i64 {
    if to >= from {
        workhours::between(from, to, is_workday(config)).num_minutes()
    } else {
        -workhours::between(to, from, is_workday(config)).num_minutes()
    }
}

/// The deadline of a hotfix request reported at `reported`.
#[must_use]
pub fn due(config: &Config, reported: Timestamp) -> Option<DateTime<FixedOffset>> {
    workhours::due(
        reported.0,
        config.support.reaction_hours,
        is_workday(config),
    )
}

pub use crate::model::sla::SlaRow;

/// The JSON of `sla`: `{"reaction_hours", "now", "late", "requests": [row…]}`.
#[derive(Debug, Serialize)]
pub struct Sla {
    pub reaction_hours: u32,
    pub now: Timestamp,
    /// How many are late.
    pub late: usize,
    pub requests: Vec<SlaRow>,
}

impl Sla {
    /// Recorded reactions that met and that missed the promise.
    #[must_use]
    pub fn met_missed(&self) -> (usize, usize) {
        let met = self.requests.iter().filter(|r| r.met == Some(true)).count();
        let missed = self
            .requests
            .iter()
            .filter(|r| r.met == Some(false))
            .count();
        (met, missed)
    }
}

/// The hotfix requests under the promise at `now`: the open and accepted ones
/// (`all`: every hotfix request, done and rejected ones too).
#[must_use]
pub fn report(ws: &Workspace, now: DateTime<FixedOffset>, all: bool) -> Sla {
    let config = &ws.config;
    let mut requests: Vec<SlaRow> = ws
        .requests
        .values()
        .filter(|r| r.kind == Kind::Hotfix)
        .filter(|r| all || matches!(r.status, Status::Open | Status::Accepted))
        .map(|r| {
            let due = r.reported_at.and_then(|t| due(config, t));
            let reacted = r.reaction.as_ref().map(|x| x.at);
            let (late, left_minutes, met) = match (due, reacted) {
                (Some(d), Some(at)) => (
                    false,
                    Some(signed_minutes(config, at.0, d)),
                    Some(at.0 <= d),
                ),
                (Some(d), None) => {
                    let late = now > d;
                    let left = if late {
                        -workhours::between(d, now, is_workday(config)).num_minutes()
                    } else {
                        workhours::between(now.with_timezone(d.offset()), d, is_workday(config))
                            .num_minutes()
                    };
                    (late, Some(left), None)
                }
                (None, _) => (false, None, None),
            };
            SlaRow {
                id: r.id.to_string(),
                title: r.title.clone(),
                status: r.status,
                reported_at: r.reported_at,
                due: due.map(Timestamp),
                late,
                left_minutes,
                release: ws
                    .releases
                    .values()
                    .find(|rel| rel.scope.iter().any(|x| x == r.id.as_str()))
                    .map(|rel| rel.id),
                reacted_at: reacted,
                met,
            }
        })
        .collect();
    requests.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    Sla {
        reaction_hours: config.support.reaction_hours,
        now: Timestamp(now),
        late: requests.iter().filter(|r| r.late).count(),
        requests,
    }
}

/// The JSON of `sla ack`.
#[derive(Debug, Serialize)]
pub struct Acked {
    pub request: Id,
    pub reported_at: Timestamp,
    pub due: Option<Timestamp>,
    pub reacted_at: Timestamp,
    pub note: Option<String>,
    /// Working minutes from the report to the reaction.
    pub reaction_minutes: i64,
    pub met: bool,
    /// Working minutes left at the reaction (negative: by how much it missed).
    pub left_minutes: Option<i64>,
    /// False when exactly this reaction was recorded already.
    pub changed: bool,
}

/// Records that the team reacted to hotfix request `id` at `at` (default: now),
/// with an optional note: `reacted_at` and `reaction_note` in its file.
///
/// # Errors
/// An unknown request, one that is no hotfix or has no `reported_at`, a time
/// before the report or after now, or a different reaction recorded already.
pub fn ack(
    tx: &mut Transaction,
    ctx: &Context,
    id: &str,
    at: Option<DateTime<FixedOffset>>,
    note: Option<&str>,
) -> Result<Acked> {
    let ws = tx.workspace();
    let r = ws.request(id)?;
    if r.kind != Kind::Hotfix {
        return Err(refused(
            format!(
                "{} is a {}, not a hotfix request; the reaction promise covers hotfix requests",
                r.id, r.kind
            ),
            format!(
                "if it is one: `zyklus request set {} --kind hotfix --reported-at TIME`",
                r.id
            ),
        ));
    }
    let Some(reported) = r.reported_at else {
        return Err(refused(
            format!(
                "{} has no reported_at, so its reaction clock never started",
                r.id
            ),
            format!(
                "record when it was reported first: `zyklus request set {} --reported-at TIME`",
                r.id
            ),
        ));
    };
    let at = at.unwrap_or(ctx.now);
    if at < reported.0 {
        return Err(invalid(
            format!(
                "the reaction at {} is before the report at {reported}",
                Timestamp(at)
            ),
            "pass the time the team reacted with --at (RFC 3339)",
        ));
    }
    if at > ctx.now {
        return Err(invalid(
            format!("the reaction at {} is in the future", Timestamp(at)),
            "record a reaction once it happened",
        ));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let changed = match &r.reaction {
        None => true,
        Some(x) if x.at.0 == at && x.note.as_deref() == note => false,
        Some(x) => {
            return Err(refused(
                format!("the reaction to {} is recorded already, at {}", r.id, x.at),
                format!(
                    "to correct it, edit reacted_at in {}",
                    ws.relative(&ws.request_path(&r.id)).display()
                ),
            ))
        }
    };
    let config = &ws.config;
    let due = due(config, reported);
    let out = Acked {
        request: r.id.clone(),
        reported_at: reported,
        due: due.map(Timestamp),
        reacted_at: Timestamp(at),
        note: note.map(str::to_owned),
        reaction_minutes: signed_minutes(config, reported.0, at),
        met: due.is_none_or(|d| at <= d),
        left_minutes: due.map(|d| signed_minutes(config, at, d)),
        changed,
    };
    if changed {
        let mut doc = tx.request(&out.request)?;
        doc.put("reacted_at", Some(edit::timestamp(at)?));
        doc.put("reaction_note", note.map(value));
    }
    Ok(out)
}

/// What happened to one hotfix request of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Reacted on or before the deadline.
    Met,
    /// Reacted after the deadline, or still open past it without a reaction.
    Missed,
    /// Open, no reaction yet, the deadline still ahead.
    Pending,
    /// Done or rejected without a recorded reaction (or without a deadline).
    Unrecorded,
}

/// One hotfix request in `sla report`.
#[derive(Debug, Serialize)]
pub struct ReportRow {
    pub id: Id,
    pub title: String,
    pub partners: Vec<String>,
    pub reported_at: Timestamp,
    pub due: Option<Timestamp>,
    pub reacted_at: Option<Timestamp>,
    /// Working minutes from report to reaction.
    pub reaction_minutes: Option<i64>,
    pub verdict: Verdict,
}

/// The figures of a group of requests.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub requests: usize,
    pub met: usize,
    pub missed: usize,
    pub pending: usize,
    pub unrecorded: usize,
    /// Median working minutes from report to reaction, over recorded reactions
    /// (the mean of the middle two, rounded down, for an even count).
    pub median_minutes: Option<i64>,
    /// The longest reaction in working minutes.
    pub worst_minutes: Option<i64>,
}

impl Figures {
    fn of<'a>(rows: impl IntoIterator<Item = &'a ReportRow>) -> Self {
        let mut f = Figures::default();
        let mut minutes = Vec::new();
        for r in rows {
            f.requests += 1;
            match r.verdict {
                Verdict::Met => f.met += 1,
                Verdict::Missed => f.missed += 1,
                Verdict::Pending => f.pending += 1,
                Verdict::Unrecorded => f.unrecorded += 1,
            }
            minutes.extend(r.reaction_minutes);
        }
        minutes.sort_unstable();
        let n = minutes.len();
        f.median_minutes = match n {
            0 => None,
            _ if n % 2 == 1 => Some(minutes[n / 2]),
            _ => Some((minutes[n / 2 - 1] + minutes[n / 2]).div_euclid(2)),
        };
        f.worst_minutes = minutes.last().copied();
        f
    }
}

/// One partner's figures (`partner` null: requests no partner asked for).
#[derive(Debug, Serialize)]
pub struct PartnerFigures {
    pub partner: Option<String>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The JSON of `sla report`: `{"year", "reaction_hours", "total": figures,
/// "partners": [{"partner", "name", …figures}], "requests": [row…]}`.
#[derive(Debug, Serialize)]
pub struct YearReport {
    pub year: i32,
    pub reaction_hours: u32,
    pub total: Figures,
    pub partners: Vec<PartnerFigures>,
    pub requests: Vec<ReportRow>,
}

fn verdict(r: &Request, due: Option<DateTime<FixedOffset>>, now: DateTime<FixedOffset>) -> Verdict {
    match (due, &r.reaction) {
        (Some(d), Some(x)) if x.at.0 <= d => Verdict::Met,
        (Some(_), Some(_)) => Verdict::Missed,
        (Some(d), None) if r.status.is_plannable() => {
            if now > d {
                Verdict::Missed
            } else {
                Verdict::Pending
            }
        }
        _ => Verdict::Unrecorded,
    }
}

/// The promise over the hotfix requests reported in `year` (the date of their
/// `reported_at`), in total and per partner (a request asked for by two partners
/// counts for both).
#[must_use]
pub fn year_report(ws: &Workspace, year: i32, now: DateTime<FixedOffset>) -> YearReport {
    let config = &ws.config;
    let mut requests: Vec<ReportRow> = ws
        .requests
        .values()
        .filter(|r| r.kind == Kind::Hotfix)
        .filter_map(|r| {
            let reported = r.reported_at?;
            (reported.0.date_naive().year() == year).then_some((r, reported))
        })
        .map(|(r, reported)| {
            let due = due(config, reported);
            ReportRow {
                id: r.id.clone(),
                title: r.title.clone(),
                partners: r.requested_by.iter().map(ToString::to_string).collect(),
                reported_at: reported,
                due: due.map(Timestamp),
                reacted_at: r.reaction.as_ref().map(|x| x.at),
                reaction_minutes: r
                    .reaction
                    .as_ref()
                    .map(|x| signed_minutes(config, reported.0, x.at.0)),
                verdict: verdict(r, due, now),
            }
        })
        .collect();
    requests.sort_by(|a, b| a.reported_at.cmp(&b.reported_at).then(a.id.cmp(&b.id)));
    let mut ids: Vec<&str> = requests
        .iter()
        .flat_map(|r| r.partners.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut partners: Vec<PartnerFigures> = ids
        .into_iter()
        .map(|p| PartnerFigures {
            partner: Some(p.to_owned()),
            name: ws.partners.get(p).map(|x| x.name.clone()),
            figures: Figures::of(
                requests
                    .iter()
                    .filter(|r| r.partners.iter().any(|x| x == p)),
            ),
        })
        .collect();
    if requests.iter().any(|r| r.partners.is_empty()) {
        partners.push(PartnerFigures {
            partner: None,
            name: None,
            figures: Figures::of(requests.iter().filter(|r| r.partners.is_empty())),
        });
    }
    YearReport {
        year,
        reaction_hours: config.support.reaction_hours,
        total: Figures::of(&requests),
        partners,
        requests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minutes: Option<i64>, verdict: Verdict) -> ReportRow {
        ReportRow {
            id: Id::parse("CR-1").expect("id"),
            title: String::new(),
            partners: Vec::new(),
            reported_at: Timestamp(
                DateTime::parse_from_rfc3339("2027-02-12T20:00:00+01:00").expect("ts"),
            ),
            due: None,
            reacted_at: None,
            reaction_minutes: minutes,
            verdict,
        }
    }

    #[test]
    fn figures_count_verdicts_and_take_median_and_worst() {
        let rows = [
            row(Some(30), Verdict::Met),
            row(Some(800), Verdict::Missed),
            row(Some(100), Verdict::Met),
            row(None, Verdict::Pending),
            row(Some(61), Verdict::Met),
        ];
        let f = Figures::of(&rows);
        assert_eq!((f.requests, f.met, f.missed, f.pending), (5, 3, 1, 1));
        // 30, 61, 100, 800: the middle two average to 80 (rounded down).
        assert_eq!(f.median_minutes, Some(80));
        assert_eq!(f.worst_minutes, Some(800));
        assert_eq!(Figures::of(&rows[..1]).median_minutes, Some(30));
        assert_eq!(Figures::of(&rows[3..4]).median_minutes, None);
    }
}
