//! `plan`: assign the open requests to the releases of the planning horizon.
//!
//! - [`build`](build::build) turns a workspace into zyklus's planning problem (the
//!   horizon without frozen releases, what cannot be planned and why, deadline
//!   windows, commitments, the plan on disk, capacity what-ifs);
//! - `solver` is the one seam to [`crate::planning`] (`to_problem`, `from_plan`);
//! - [`plan`] / [`dry_run`] solve it and report it ([`PlanReport`]): the diff
//!   against the plan on disk, every deferred request's reason ([`reason`]), and
//!   with `explain` one request's [`story`](story::story);
//! - [`stage`] writes the horizon's release files through a transaction — never
//!   for a capacity what-if;
//! - [`compare`](compare::compare): the plan at a git revision against the plan now.

pub mod build;
pub mod compare;
pub mod reason;
pub mod report;
pub mod solver;
pub mod story;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Result;
use chrono::NaiveDate;
use toml_edit::value;

use crate::error::refused;
use crate::model::{facts, ReleaseId, Stage};
use crate::workspace::{edit, Transaction, Workspace};

pub use build::{build, Built, FrozenRelease};
pub use compare::{compare, CompareReport};
pub use reason::{deferred_reason, reason_text};
pub use report::{Change, Deferred, PlanReport, PlannedRelease, WhatIf, Why};
pub use solver::Progress;
pub use story::Story;

/// How many releases `plan` plans by default.
pub const DEFAULT_HORIZON: usize = 6;

/// What to plan: plain inputs, no command line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    /// How many open releases to plan.
    pub horizon: usize,
    /// Capacity what-ifs, `(release, units)`; the last one for a release counts.
    /// A plan with any is never written.
    pub capacity: Vec<(ReleaseId, u64)>,
    /// Team capacity what-ifs, `(release, team, units)`; the last one for a
    /// release and team counts. A plan with any is never written.
    pub team_capacity: Vec<(ReleaseId, String, u64)>,
    /// The request whose story to tell.
    pub explain: Option<String>,
    /// Solver safety net in seconds (default: `[planning] time_limit`).
    pub time_limit: Option<f64>,
}

impl PlanInput {
    /// Whether this is a what-if (capacities that are not the configured ones):
    /// such a plan is shown, never written.
    #[must_use]
    pub fn is_what_if(&self) -> bool {
        !self.capacity.is_empty() || !self.team_capacity.is_empty()
    }
}

impl Default for PlanInput {
    fn default() -> Self {
        Self {
            horizon: DEFAULT_HORIZON,
            capacity: Vec::new(),
            team_capacity: Vec::new(),
            explain: None,
            time_limit: None,
        }
    }
}

/// A solved plan and how the solve went.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    pub report: PlanReport,
    /// Whether the safety net (the solver's CPU time), not the work budget, ended
    /// the search (the plan may then differ between machines).
    pub hit_time_limit: bool,
    /// The safety net used, in seconds.
    pub time_limit: f64,
}

impl PlanOutcome {
    /// Whether the plan was made with capacity what-ifs (so it is never written).
    #[must_use]
    pub fn is_what_if(&self) -> bool {
        !self.report.what_if.is_empty()
    }
}

/// The solver's safety net for this run, in seconds.
///
/// # Errors
/// When it is not a positive number.
pub fn time_limit(ws: &Workspace, input: &PlanInput) -> Result<f64> {
    let limit = input.time_limit.unwrap_or(ws.config.planning.time_limit);
    if !limit.is_finite() || limit <= 0.0 {
        return Err(refused(
            format!("--time-limit {limit} is not a positive number of seconds"),
            "e.g. --time-limit 5",
        ));
    }
    Ok(limit)
}

/// Plans `ws` on `today`: builds the problem, solves it (reporting progress),
/// explains it and compares it with the plan on disk. Writes nothing.
///
/// # Errors
/// Contradictory input (nothing can be planned, named requests), no open release,
/// an unknown `explain` id, or an invalid time limit.
pub fn plan(
    ws: &Workspace,
    input: &PlanInput,
    today: NaiveDate,
    progress: &mut dyn FnMut(&Progress),
) -> Result<PlanOutcome> {
    let built = build(ws, input, today)?;
    if built.horizon.is_empty() {
        return Err(refused(
            "no open release to plan",
            "check [calendar] in zyklus.toml",
        ));
    }
    let limit = time_limit(ws, input)?;
    if let Some(id) = &input.explain {
        ws.request(id)?;
    }
    let solved = solver::solve(&built, Duration::from_secs_f64(limit), progress)?;
    let mut what_if: Vec<WhatIf> = Vec::new();
    for (id, _) in &input.capacity {
        if what_if.iter().all(|w| w.id != *id) {
            if let Some(h) = built.horizon.iter().find(|h| h.id == *id) {
                what_if.push(WhatIf {
                    id: *id,
                    team: None,
                    capacity: h.capacity,
                    configured: h.configured,
                });
            }
        }
    }
    for (id, team, _) in &input.team_capacity {
        let known = what_if
            .iter()
            .any(|w| w.id == *id && w.team.as_ref() == Some(team));
        let slot = built.horizon.iter().find(|h| h.id == *id);
        let index = built.teams.iter().position(|t| t == team);
        if let (false, Some(h), Some(i)) = (known, slot, index) {
            what_if.push(WhatIf {
                id: *id,
                team: Some(team.clone()),
                capacity: h.team_capacity[i],
                configured: facts::capacity_by_team(&ws.config, *id)
                    .get(team)
                    .copied()
                    .unwrap_or(0),
            });
        }
    }
    what_if.sort_by(|a, b| (a.id, &a.team).cmp(&(b.id, &b.team)));
    let mut report = report::assemble(ws, &built, &solved, what_if);
    if let Some(id) = &input.explain {
        report.explain = Some(story::story(ws, &built, &solved, id)?);
    }
    Ok(PlanOutcome {
        report,
        hit_time_limit: solved.hit_time_limit,
        time_limit: limit,
    })
}

/// [`plan`] without progress: what `plan --dry-run` shows, for other commands
/// (the release board's deferred requests, `plan --compare`).
///
/// # Errors
/// As [`plan`].
pub fn dry_run(ws: &Workspace, input: &PlanInput, today: NaiveDate) -> Result<PlanOutcome> {
    plan(ws, input, today, &mut |_| {})
}

/// The comment at the top of a release file that `plan` creates.
pub const RELEASE_HEADER: &str = "# Release file written by `zyklus plan` and `zyklus gate`. You may edit it;\n# zyklus validates it like any other input and keeps your comments.\n";

/// Stages the plan on the transaction: each horizon release's file gets the
/// plan's scope, its dates and its configured capacity (created in stage
/// `planned` when missing; comments, findings and history stay), and requests the
/// plan places in the horizon leave the scope of planned releases beyond it.
///
/// # Errors
/// A refusal for a plan made with capacity what-ifs (they are never written);
/// a release file that cannot be edited.
pub fn stage(tx: &mut Transaction, outcome: &PlanOutcome) -> Result<()> {
    if outcome.is_what_if() {
        return Err(refused(
            "a capacity what-if is never written",
            "plan without --capacity to write the plan; change [capacity] in zyklus.toml to change a capacity",
        ));
    }
    let report = &outcome.report;
    for r in &report.releases {
        let mut doc = tx.release_or_new(r.id, RELEASE_HEADER)?;
        if !doc.0.exists() {
            doc.set("id", value(r.id.to_string()));
            doc.set("stage", value(Stage::Planned.as_str()));
        }
        doc.set("dev_start", edit::date(r.dev_start)?);
        doc.set("test_start", edit::date(r.test_start)?);
        doc.set("release_date", edit::date(r.release_date)?);
        doc.set(
            "capacity",
            value(i64::try_from(r.capacity).unwrap_or(i64::MAX)),
        );
        doc.set_scope(&r.scope);
    }
    let horizon: BTreeSet<ReleaseId> = report.releases.iter().map(|r| r.id).collect();
    let planned: BTreeSet<&str> = report
        .releases
        .iter()
        .flat_map(|r| r.scope.iter().map(String::as_str))
        .collect();
    let beyond: Vec<(ReleaseId, Vec<String>)> = tx
        .workspace()
        .releases
        .values()
        .filter(|r| !r.is_frozen() && !horizon.contains(&r.id))
        .filter_map(|r| {
            let keep: Vec<String> = r
                .scope
                .iter()
                .filter(|s| !planned.contains(s.as_str()))
                .cloned()
                .collect();
            (keep.len() != r.scope.len()).then_some((r.id, keep))
        })
        .collect();
    for (id, keep) in beyond {
        tx.release(id)?.set_scope(&keep);
    }
    Ok(())
}
