//! `score`: every request's score with its breakdown, sorted and filtered. The
//! numbers come from [`crate::scoring`]; which requests are shown and in which
//! order is decided here.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::request::Filter;
use crate::model::config::{Model, ScoringConfig};
use crate::model::{Id, Request, Status};
use crate::scoring;
use crate::workspace::Workspace;

/// How to order the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Highest score first.
    #[default]
    Score,
    /// By id.
    Id,
    /// Smallest effort first.
    Effort,
    /// Highest score per capacity unit first.
    ValuePerEffort,
}

/// One scored request.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: Id,
    pub score: f64,
    pub breakdown: BTreeMap<String, f64>,
    pub title: String,
    pub status: Status,
    pub effort: u32,
    /// `score / effort`.
    pub value_per_effort: f64,
}

/// The JSON of `score`: `{"model", "criteria", "requests": [{"id", "score", "breakdown", …}]}`.
#[derive(Debug, Serialize)]
pub struct ScoreReport {
    pub model: &'static str,
    /// The criteria, in breakdown order.
    pub criteria: Vec<String>,
    pub requests: Vec<Row>,
    /// Requests without any score yet (they score 0), for a warning.
    #[serde(skip)]
    pub unscored: Vec<Id>,
}

/// Scores the requests `filter` selects — by default (`all` false and no status
/// filter) the open and accepted ones — sorted by `sort`, ties by id.
///
/// # Errors
/// When a request cannot be scored (the loader normally catches this first).
pub fn score(ws: &Workspace, filter: &Filter, all: bool, sort: SortKey) -> Result<ScoreReport> {
    let default_statuses = !all && filter.status.is_none();
    let requests: Vec<&Request> = ws
        .requests
        .values()
        .filter(|r| filter.matches(r))
        .filter(|r| !default_statuses || r.status.is_plannable())
        .collect();
    let criteria = scoring::required_criteria(&ws.config.scoring);
    let unscored = requests
        .iter()
        .filter(|r| !criteria.is_empty() && criteria.iter().all(|c| !r.scores.contains_key(*c)))
        .map(|r| r.id.clone())
        .collect();
    let mut report = build(&ws.config.scoring, requests, sort)?;
    report.unscored = unscored;
    Ok(report)
}

/// Scores `requests`, sorted by `sort`.
///
/// # Errors
/// When a request cannot be scored.
pub fn build<'a>(
    config: &ScoringConfig,
    requests: impl IntoIterator<Item = &'a Request>,
    sort: SortKey,
) -> Result<ScoreReport> {
    let mut rows = Vec::new();
    for r in requests {
        let s = scoring::score(config, r)
            .map_err(|e| crate::error::refused(e.to_string(), e.hint()))?;
        rows.push(Row {
            id: r.id.clone(),
            score: s.total,
            value_per_effort: if r.effort == 0 {
                0.0
            } else {
                s.total / f64::from(r.effort)
            },
            breakdown: s.breakdown,
            title: r.title.clone(),
            status: r.status,
            effort: r.effort,
        });
    }
    let desc = |a: f64, b: f64| b.partial_cmp(&a).unwrap_or(Ordering::Equal);
    rows.sort_by(|a, b| {
        let primary = match sort {
            SortKey::Score => desc(a.score, b.score),
            SortKey::Id => Ordering::Equal,
            SortKey::Effort => a.effort.cmp(&b.effort),
            SortKey::ValuePerEffort => desc(a.value_per_effort, b.value_per_effort),
        };
        primary.then_with(|| a.id.cmp(&b.id))
    });
    let mut criteria: Vec<String> = scoring::required_criteria(config)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if config.model == Model::Rice {
        criteria.push("effort".into());
    }
    Ok(ScoreReport {
        model: config.model.as_str(),
        criteria,
        requests: rows,
        unscored: Vec::new(),
    })
}
