//! The one seam between zyklus's planning problem ([`Built`]) and the solver
//! ([`crate::planning`]): [`to_problem`] is the only place that constructs a
//! `Problem`/`Item`/`Slot`/`Commitment`, [`from_plan`] the only place that reads a
//! `Plan` (and its explanations). A change to the solver's API lands here.

use std::time::Duration;

use anyhow::Result;

use super::build::Built;
use crate::planning::{self, Commitment, Item, Options, Plan, Problem, Reason, Slot};

/// What the solver reports while it works.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// `bound`, `search` or `exhaustive`.
    pub phase: &'static str,
    /// The best objective found so far.
    pub objective: f64,
    /// The best upper bound so far.
    pub bound: f64,
    pub elapsed: Duration,
}

/// A solved plan in the terms of [`Built`].
#[derive(Debug, Clone)]
pub struct Solved {
    /// The horizon release of each candidate (`None`: deferred).
    pub slot: Vec<Option<usize>>,
    /// Why each candidate is where it is (the solver explains every one).
    pub reasons: Vec<Option<Reason>>,
    pub objective: f64,
    pub bound: f64,
    /// (bound − objective) / objective in percent; 0 when proven optimal.
    pub gap: f64,
    pub optimal: bool,
    pub elapsed: Duration,
    /// Whether the wall-clock safety net, not the work budget, ended the search.
    pub hit_time_limit: bool,
    /// The best objective found before stable re-planning (= `objective`
    /// without a plan on disk).
    pub unconstrained_best: f64,
    /// Candidates placed elsewhere than in the plan on disk (deferral counts).
    pub moves: usize,
    /// Candidates the plan on disk places that stay where they were …
    pub kept: usize,
    /// … of this many.
    pub baseline_planned: usize,
}

/// The solver's problem for `built`.
#[must_use]
pub fn to_problem(built: &Built) -> Problem {
    Problem {
        slots: built
            .horizon
            .iter()
            .map(|h| Slot {
                id: h.id.to_string(),
                capacity: Some(h.capacity),
                team_capacity: h.team_capacity.clone(),
                weight: h.weight,
            })
            .collect(),
        requests: built
            .candidates
            .iter()
            .map(|c| Item {
                id: c.id.to_string(),
                effort: c.effort,
                score: c.score,
                depends_on: c.depends_on.clone(),
                together_with: c.together_with.clone(),
                pin: c.pin,
                latest: c.latest,
                team_effort: c.team_effort.clone(),
                baseline: c.previous,
            })
            .collect(),
        commitments: built
            .commitments
            .iter()
            .map(|g| Commitment {
                label: g.partner.clone(),
                weight: g.weight,
                requests: g.requests.clone(),
                latest: g.latest,
            })
            .collect(),
        teams: built.teams.clone(),
        has_baseline: built.has_baseline,
        replan_tolerance: built.replan_tolerance,
    }
}

/// Reads a plan and its explanations back into the terms of [`Built`].
#[must_use]
pub fn from_plan(problem: &Problem, plan: &Plan) -> Solved {
    let mut reasons: Vec<Option<Reason>> = vec![None; problem.requests.len()];
    for r in planning::explain(problem, plan) {
        if let Some(slot) = reasons.get_mut(r.request) {
            *slot = Some(r.reason);
        }
    }
    Solved {
        slot: plan.assignment.clone(),
        reasons,
        objective: plan.objective,
        bound: plan.bound,
        gap: plan.gap_percent(),
        optimal: plan.proven_optimal,
        elapsed: plan.stats.elapsed,
        hit_time_limit: plan.stats.hit_time_limit,
        unconstrained_best: plan.unconstrained_best,
        moves: plan.moves,
        kept: plan.kept,
        baseline_planned: plan.baseline_planned,
    }
}

/// Solves `built` within `time_limit` (a safety net; the work budget is
/// deterministic), reporting progress.
///
/// # Errors
/// A refusal naming the requests when the input is contradictory.
pub fn solve(
    built: &Built,
    time_limit: Duration,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Solved> {
    let problem = to_problem(built);
    let options = Options {
        time_limit,
        ..Options::default()
    };
    let plan = planning::solve(&problem, &options, &mut |p: planning::Progress| {
        progress(&Progress {
            phase: p.phase,
            objective: p.objective,
            bound: p.bound,
            elapsed: p.elapsed,
        });
    })
    .map_err(|e| {
        crate::error::refused(
            format!("the plan is contradictory: {e}"),
            "change the pins, deadlines, couplings or capacities named above; nothing was written",
        )
    })?;
    Ok(from_plan(&problem, &plan))
}
