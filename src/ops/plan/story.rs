//! `plan --explain ID`: one request's story — its score and what makes it up, the
//! constraints on it, where the plan put it and why (or why not).

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::build::Built;
use super::reason::reason_text;
use super::solver::Solved;
use crate::model::{Id, Status};
use crate::ops::rounded;
use crate::workspace::Workspace;

/// One request's story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub effort: u32,
    /// Its score under the configured model, planned or not.
    pub score: f64,
    pub breakdown: BTreeMap<String, f64>,
    pub constraints: Vec<String>,
    /// Where it is now (`null`: not planned).
    pub release: Option<String>,
    pub story: Vec<String>,
}

fn join(ids: &[Id]) -> String {
    ids.iter().map(Id::as_str).collect::<Vec<_>>().join(", ")
}

/// The story of request `id` in a solved plan.
///
/// # Errors
/// When there is no such request.
pub fn story(ws: &Workspace, built: &Built, solved: &Solved, id: &str) -> Result<Story> {
    let q = ws.request(id)?;
    // Every request has a score, also one the planner never sees (a hotfix, one
    // blocked by a rejected request).
    let score = built
        .scores
        .get(id)
        .cloned()
        .or_else(|| crate::scoring::score(&ws.config.scoring, q).ok());
    let mut constraints = Vec::new();
    if !q.depends_on.is_empty() {
        constraints.push(format!("depends on {}", join(&q.depends_on)));
    }
    if !q.together_with.is_empty() {
        constraints.push(format!("ships together with {}", join(&q.together_with)));
    }
    if !q.team_effort.is_empty() {
        let teams: Vec<String> = q
            .team_effort
            .iter()
            .map(|(t, u)| format!("{t} {u}"))
            .collect();
        constraints.push(format!("uses team capacity: {}", teams.join(", ")));
    }
    if let Some(p) = q.pin {
        constraints.push(format!("pinned to {p}"));
    }
    if let Some(d) = q.deadline {
        constraints.push(format!("must be in production by {d}"));
    }
    for c in ws
        .partners
        .commitments
        .iter()
        .filter(|c| c.requests.iter().any(|r| r == id))
    {
        constraints.push(format!(
            "part of the commitment of {} (weight {}) with {}",
            c.partner,
            c.weight,
            c.requests.join(", ")
        ));
    }
    let index = built.candidate(id);
    let release = index
        .and_then(|i| solved.slot[i])
        .map(|s| built.horizon[s].id.to_string());
    let mut lines = Vec::new();
    match index {
        Some(i) => {
            if let Some(r) = &solved.reasons[i] {
                lines.push(reason_text(r));
            }
        }
        None => {
            if let Some(e) = built.excluded.iter().find(|e| e.id == id) {
                lines.push(format!("not planned: {}", e.reason));
            } else if q.status == Status::Done {
                lines.push("done: already shipped".into());
            } else if q.status == Status::Rejected {
                lines.push("rejected: never planned".into());
            } else if let Some(r) = ws
                .releases
                .values()
                .find(|r| r.scope.iter().any(|s| s == id))
            {
                lines.push(format!("in {} ({}), which is frozen", r.id, r.stage));
            }
        }
    }
    Ok(Story {
        id: q.id.to_string(),
        title: q.title.clone(),
        status: q.status,
        effort: q.effort,
        score: score.as_ref().map_or(0.0, |s| rounded(s.total, 2)),
        breakdown: score
            .map(|s| {
                s.breakdown
                    .into_iter()
                    .map(|(k, v)| (k, rounded(v, 2)))
                    .collect()
            })
            .unwrap_or_default(),
        constraints,
        release,
        story: lines,
    })
}
