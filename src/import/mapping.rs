//! One issue through the mapping: the request keys the tracker gives for it, or
//! the reason it is skipped (closed, no effort, a value that does not fit).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

use super::config::{parse_number, Resolved, Rule};
use super::{Position, Record};
use crate::model::{Impact, Kind};

/// A value and whether the tracker gave it (`false`: the rule's default).
/// Defaults are written when a request is created, never over a local edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<T> {
    pub value: T,
    pub from_tracker: bool,
}

/// The request keys one issue gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The issue key or URL, stored as `source`.
    pub source: String,
    pub at: Position,
    pub title: String,
    pub kind: Mapped<Kind>,
    /// Capacity units, > 0 (a fractional estimate is rounded up).
    pub effort: u32,
    pub impact: Mapped<Impact>,
    pub team: Option<Mapped<String>>,
    pub created: Option<NaiveDate>,
    pub scores: BTreeMap<String, Mapped<f64>>,
    /// Language → text, from the description's sections.
    pub text: BTreeMap<String, String>,
}

/// Why an issue is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The issue is closed (its status is listed in `closed`).
    Closed { status: String },
    /// The issue has no key / URL.
    NoSource { field: String },
    /// The issue has no title.
    NoTitle { field: String },
    /// No rule for `effort` found a value.
    NoEffort { rules: String },
    /// The effort is not a number above 0.
    InvalidEffort { value: String },
    /// The value that should give the kind maps to none.
    UnmappedKind {
        rules: String,
        value: Option<String>,
    },
    /// Another value does not fit its request key.
    Invalid {
        key: String,
        value: String,
        why: String,
    },
    /// The same issue appears earlier in the file.
    Duplicate { first: Position },
}

impl Skip {
    /// A stable word for scripts: `closed`, `no_effort`, ….
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Skip::Closed { .. } => "closed",
            Skip::NoSource { .. } => "no_source",
            Skip::NoTitle { .. } => "no_title",
            Skip::NoEffort { .. } => "no_effort",
            Skip::InvalidEffort { .. } => "invalid_effort",
            Skip::UnmappedKind { .. } => "unmapped_kind",
            Skip::Invalid { .. } => "invalid",
            Skip::Duplicate { .. } => "duplicate",
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Closed { status } => write!(f, "closed (status {status})"),
            Skip::NoSource { field } => write!(f, "no {field}"),
            Skip::NoTitle { field } => write!(f, "no title ({field} is empty)"),
            Skip::NoEffort { rules } => write!(f, "no effort (looked at {rules})"),
            Skip::InvalidEffort { value } => {
                write!(f, "invalid effort `{value}`: a number above 0 is needed")
            }
            Skip::UnmappedKind { rules, value: None } => {
                write!(f, "no kind ({rules} gives none)")
            }
            Skip::UnmappedKind {
                rules,
                value: Some(v),
            } => write!(f, "{rules} `{v}` maps to no kind"),
            Skip::Invalid { key, value, why } => write!(f, "invalid {key} `{value}`: {why}"),
            Skip::Duplicate { first } => write!(f, "the same issue is already at {first}"),
        }
    }
}

/// What the mapping made of one issue.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Draft(Box<Draft>),
    Skipped {
        /// The key / URL, when the issue has one.
        source: Option<String>,
        title: Option<String>,
        at: Position,
        reason: Skip,
    },
}

/// Applies the mapping `m` to `record`; `languages` are the workspace's, whose
/// description sections become texts.
#[must_use]
pub fn map(record: &Record, m: &Resolved, languages: &[String]) -> Outcome {
    let source = record.first(&m.source).map(str::to_owned);
    let title = record.first(&m.title).map(one_line);
    let skip = |reason: Skip| Outcome::Skipped {
        source: source.clone(),
        title: title.clone(),
        at: record.at,
        reason,
    };
    let Some(src) = source.clone() else {
        return skip(Skip::NoSource {
            field: m.source.clone(),
        });
    };
    if let Some(status) = record.first(&m.status) {
        if m.closed.iter().any(|c| c.eq_ignore_ascii_case(status)) {
            return skip(Skip::Closed {
                status: status.to_owned(),
            });
        }
    }
    let Some(title_text) = title.clone().filter(|t| !t.is_empty()) else {
        return skip(Skip::NoTitle {
            field: m.title.clone(),
        });
    };
    match draft(record, m, languages, src, title_text) {
        Ok(d) => Outcome::Draft(Box::new(d)),
        Err(reason) => skip(reason),
    }
}

fn draft(
    record: &Record,
    m: &Resolved,
    languages: &[String],
    source: String,
    title: String,
) -> Result<Draft, Skip> {
    let kind = match eval(&m.kind, record) {
        Some((v, from_tracker)) => match v.to_ascii_lowercase().parse::<Kind>() {
            Ok(k) => Mapped {
                value: k,
                from_tracker,
            },
            Err(_) => {
                return Err(Skip::UnmappedKind {
                    rules: describe(&m.kind),
                    value: Some(v),
                })
            }
        },
        None => {
            return Err(Skip::UnmappedKind {
                rules: describe(&m.kind),
                value: m
                    .kind
                    .first()
                    .and_then(|r| record.first(&r.field))
                    .map(str::to_owned),
            })
        }
    };
    let effort = match eval(&m.effort, record) {
        None => {
            return Err(Skip::NoEffort {
                rules: describe(&m.effort),
            })
        }
        Some((v, _)) => effort(&v).ok_or(Skip::InvalidEffort { value: v })?,
    };
    let impact = match eval(&m.impact, record) {
        Some((v, from_tracker)) => Mapped {
            value: v
                .to_ascii_lowercase()
                .parse::<Impact>()
                .map_err(|why| Skip::Invalid {
                    key: "impact".into(),
                    value: v.clone(),
                    why,
                })?,
            from_tracker,
        },
        None => Mapped {
            value: Impact::default(),
            from_tracker: false,
        },
    };
    let team = eval(&m.team, record).map(|(value, from_tracker)| Mapped {
        value,
        from_tracker,
    });
    let created = match record.first(&m.created) {
        None => None,
        Some(raw) => Some(
            parse_date(raw, &m.date_formats).ok_or_else(|| Skip::Invalid {
                key: m.created.clone(),
                value: raw.to_owned(),
                why: format!(
                    "not a date (add its format to [import.{}] date_formats)",
                    m.tracker
                ),
            })?,
        ),
    };
    let mut scores = BTreeMap::new();
    for (name, rules) in &m.scores {
        if let Some((v, from_tracker)) = eval(rules, record) {
            let value = parse_number(&v).ok_or_else(|| Skip::Invalid {
                key: format!("score `{name}`"),
                value: v.clone(),
                why: "not a number".into(),
            })?;
            scores.insert(
                name.clone(),
                Mapped {
                    value,
                    from_tracker,
                },
            );
        }
    }
    let text = match record.first(&m.description) {
        Some(d) if m.texts => super::sections::sections(d, languages),
        _ => BTreeMap::new(),
    };
    Ok(Draft {
        source,
        at: record.at,
        title,
        kind,
        effort,
        impact,
        team,
        created,
        scores,
        text,
    })
}

/// The first value the rules give: `(value, from the tracker)`; a rule's default
/// (`from_tracker = false`) only when no rule finds a value.
#[must_use]
pub fn eval(rules: &[Rule], record: &Record) -> Option<(String, bool)> {
    for rule in rules {
        for raw in record.values(&rule.field) {
            let v = if rule.prefix.is_empty() {
                Some(raw.as_str())
            } else {
                rule.prefix
                    .iter()
                    .find_map(|p| strip_prefix_ignore_case(raw, p))
            };
            let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            if rule.map.is_empty() {
                return Some((v.to_owned(), true));
            }
            if let Some(hit) = rule
                .map
                .iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(v))
                .map(|(_, to)| to.clone())
            {
                return Some((hit, true));
            }
        }
    }
    rules
        .iter()
        .find_map(|r| r.default.clone())
        .map(|d| (d, false))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The rules as a message names them: `Labels, Custom field (Points)`.
fn describe(rules: &[Rule]) -> String {
    if rules.is_empty() {
        return "nothing: no rule is configured".into();
    }
    rules
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An estimate as whole capacity units: `3.0` → 3, `2.5` → 3; `None` unless > 0
/// and within `u32`.
fn effort(v: &str) -> Option<u32> {
    let n = parse_number(v)?;
    if n <= 0.0 || n > f64::from(u32::MAX) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(n.ceil() as u32)
}

/// Whitespace (a stray newline in a summary) collapsed to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A date from RFC 3339, `YYYY-MM-DD`, or one of `formats` (date-time or date).
#[must_use]
pub fn parse_date(raw: &str, formats: &[String]) -> Option<NaiveDate> {
    let s = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.date_naive());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    formats.iter().find_map(|f| {
        chrono::NaiveDateTime::parse_from_str(s, f)
            .map(|t| t.date())
            .or_else(|_| NaiveDate::parse_from_str(s, f))
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::config::Mapping;
    use crate::import::Tracker;

    fn langs() -> Vec<String> {
        vec!["de".into(), "en".into()]
    }

    fn jira(fields: &[(&str, &str)]) -> Record {
        let mut r = Record::new(Position::Line(2));
        for (k, v) in fields {
            r.push(k, v);
        }
        r
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn jira_dates_in_their_export_formats() {
        let m = Mapping::default().resolve(Tracker::Jira);
        let f = &m.date_formats;
        assert_eq!(parse_date("27/Nov/26 9:15 AM", f), Some(date(2026, 11, 27)));
        assert_eq!(parse_date("02/Dec/26 11:40 PM", f), Some(date(2026, 12, 2)));
        assert_eq!(
            parse_date("27/nov/2026 09:15 am", f),
            Some(date(2026, 11, 27))
        );
        assert_eq!(parse_date("2026-11-27 09:15", f), Some(date(2026, 11, 27)));
        assert_eq!(parse_date("27.11.2026 09:15", f), Some(date(2026, 11, 27)));
        assert_eq!(
            parse_date("2026-11-27T23:30:00-05:00", f),
            Some(date(2026, 11, 27))
        );
        assert_eq!(parse_date("31/Feb/26 9:15 AM", f), None);
        assert_eq!(parse_date("yesterday", f), None);
    }

    #[test]
    fn a_jira_story_becomes_a_draft() {
        let m = Mapping::default().resolve(Tracker::Jira);
        let r = jira(&[
            ("Summary", "Booking  widget"),
            ("Issue key", "PP-2"),
            ("Issue Type", "Story"),
            ("Status", "To Do"),
            ("Labels", "partner"),
            ("Labels", "impact:major"),
            ("Created", "27/Nov/26 9:15 AM"),
            ("Custom field (Story Points)", ""),
            ("Custom field (Story point estimate)", "2.5"),
            (
                "Description",
                "internal\nen: Widget\nde: Widget für Partner",
            ),
        ]);
        let Outcome::Draft(d) = map(&r, &m, &langs()) else {
            panic!("not a draft: {:?}", map(&r, &m, &langs()));
        };
        assert_eq!(d.source, "PP-2");
        assert_eq!(d.title, "Booking widget");
        assert_eq!(d.kind.value, Kind::Feature);
        assert_eq!(d.effort, 3);
        assert_eq!(
            d.impact,
            Mapped {
                value: Impact::Major,
                from_tracker: true
            }
        );
        assert_eq!(d.created, Some(date(2026, 11, 27)));
        assert_eq!(d.text["de"], "Widget für Partner");
        assert_eq!(d.text["en"], "Widget");
        assert!(d.team.is_none() && d.scores.is_empty());
    }

    #[test]
    fn skips_say_why() {
        let m = Mapping::default().resolve(Tracker::Jira);
        let base = [
            ("Summary", "x"),
            ("Issue key", "PP-9"),
            ("Issue Type", "Bug"),
            ("Status", "Open"),
            ("Custom field (Story Points)", "3"),
        ];
        let reason = |changes: &[(&str, &str)]| {
            let mut fields: Vec<(&str, &str)> = base
                .iter()
                .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
                .copied()
                .collect();
            fields.extend_from_slice(changes);
            match map(&jira(&fields), &m, &langs()) {
                Outcome::Skipped { reason, .. } => reason.to_string(),
                Outcome::Draft(d) => format!("draft {d:?}"),
            }
        };
        assert_eq!(reason(&[("Status", "Done")]), "closed (status Done)");
        assert_eq!(reason(&[("Issue key", "")]), "no Issue key");
        assert_eq!(reason(&[("Summary", " ")]), "no title (Summary is empty)");
        assert_eq!(
            reason(&[("Custom field (Story Points)", "")]),
            "no effort (looked at Custom field (Story Points), Custom field (Story point estimate))"
        );
        assert_eq!(
            reason(&[("Custom field (Story Points)", "0")]),
            "invalid effort `0`: a number above 0 is needed"
        );
        assert_eq!(
            reason(&[("Issue Type", "Epic")]),
            "Issue Type `Epic` maps to no kind"
        );
        assert_eq!(
            reason(&[("Created", "someday")]),
            "invalid Created `someday`: not a date (add its format to [import.jira] date_formats)"
        );
    }

    #[test]
    fn github_labels_give_kind_effort_and_defaults() {
        let m = Mapping::default().resolve(Tracker::Github);
        let mut r = Record::new(Position::Index(1));
        for (k, v) in [
            ("url", "https://github.com/acme/portal/issues/12"),
            ("title", "Export hangs"),
            ("state", "OPEN"),
            ("labels", "needs-triage"),
            ("labels", "Points/5"),
            ("createdAt", "2026-11-02T08:15:00Z"),
        ] {
            r.push(k, v);
        }
        let Outcome::Draft(d) = map(&r, &m, &langs()) else {
            panic!("not a draft");
        };
        assert_eq!(d.effort, 5);
        assert_eq!(
            d.kind,
            Mapped {
                value: Kind::Feature,
                from_tracker: false
            }
        );
        assert!(!d.impact.from_tracker);
        r.push("labels", "bug");
        let Outcome::Draft(d) = map(&r, &m, &langs()) else {
            panic!("not a draft");
        };
        assert_eq!(d.kind.value, Kind::Bugfix);
        assert!(d.kind.from_tracker);
    }
}
