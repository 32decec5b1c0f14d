//! `zyklus score`: every request's score with its breakdown, sorted and filtered.
//! Glue only: the numbers come from [`crate::scoring`].

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;

use super::request::Filter;
use super::{Outcome, Settings};
use crate::model::{Id, Request, Status};
use crate::output::{self, Report};
use crate::scoring;
use crate::ui::Paint;

/// How to order the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SortKey {
    /// Highest score first
    #[default]
    Score,
    /// By id
    Id,
    /// Smallest effort first
    Effort,
    /// Highest score per capacity unit first
    ValuePerEffort,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every request, whatever its status (default: open and accepted ones)
    #[arg(long)]
    pub all: bool,
    /// Order of the rows (ties by id)
    #[arg(long, value_enum, default_value_t = SortKey::Score)]
    pub sort: SortKey,
    #[command(flatten)]
    pub filter: Filter,
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

/// The JSON of `score`: `{"model", "requests": [{"id", "score", "breakdown", …}]}`.
#[derive(Debug, Serialize)]
pub struct ScoreReport {
    pub model: &'static str,
    /// The criteria, in breakdown order.
    pub criteria: Vec<String>,
    pub requests: Vec<Row>,
}

/// Rounds for display: two decimals, without trailing zeros.
#[must_use]
pub fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_owned()
    }
}

impl Report for ScoreReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no requests match");
        }
        let mut header = vec!["id".to_owned(), "score".to_owned()];
        header.extend(self.criteria.iter().cloned());
        header.extend(["effort".into(), "score/effort".into(), "title".into()]);
        let mut t = output::table(header);
        for r in &self.requests {
            let mut row = vec![r.id.to_string(), num(r.score)];
            row.extend(
                self.criteria
                    .iter()
                    .map(|c| r.breakdown.get(c).map_or_else(String::new, |v| num(*v))),
            );
            row.extend([
                r.effort.to_string(),
                num(r.value_per_effort),
                r.title.clone(),
            ]);
            t.add_row(row);
        }
        output::write_table(w, &t)?;
        writeln!(
            w,
            "{} requests, model {}{}",
            self.requests.len(),
            self.model,
            if self.criteria.is_empty() {
                " (no criteria configured: every score is 0)"
            } else {
                ""
            }
        )
    }
}

/// Scores the requests `keep` selects, sorted by `sort`.
///
/// # Errors
/// When a request cannot be scored (the loader normally catches this first).
pub fn build<'a>(
    config: &crate::model::config::ScoringConfig,
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
    if config.model == crate::model::config::Model::Rice {
        criteria.push("effort".into());
    }
    Ok(ScoreReport {
        model: config.model.as_str(),
        criteria,
        requests: rows,
    })
}

/// Runs `zyklus score`.
///
/// # Errors
/// When the workspace does not load or a request cannot be scored.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let filter = a.filter.to_filter();
    let default_statuses = !a.all && a.filter.status.is_none();
    let requests = ws
        .requests
        .values()
        .filter(|r| filter.matches(r))
        .filter(|r| !default_statuses || r.status.is_plannable());
    let requests: Vec<&Request> = requests.collect();
    let criteria = scoring::required_criteria(&ws.config.scoring);
    let unscored: Vec<&str> = requests
        .iter()
        .filter(|r| !criteria.is_empty() && criteria.iter().all(|c| !r.scores.contains_key(*c)))
        .map(|r| r.id.as_str())
        .collect();
    if !unscored.is_empty() {
        s.warn(&format!(
            "{} not scored yet, scoring 0: {} (add their [scores], e.g. `zyklus request set ID --score NAME=VALUE`)",
            crate::error::plural(unscored.len(), "request"),
            unscored.join(", ")
        ));
    }
    let report = build(&ws.config.scoring, requests, a.sort)?;
    s.emit(&report)?;
    Ok(Outcome::Success)
}
