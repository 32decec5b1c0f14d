//! The planning engine: which open change request ships in which release slot.
//!
//! This module is pure. It owns the planning *model* ([`Problem`]: slots with
//! capacity and value weight, requests with effort/score/constraints, partner
//! commitments, the stability penalty), its exact [`objective`], an independent
//! feasibility [`check`], the [`solve`]r (Lagrangian max-closure bound, greedy
//! construction, deterministic iterated local search, exhaustive search for tiny
//! cases) and the [`explain`](explain::explain)ations of a plan. It never reads
//! files, prints, parses command lines or looks at the clock for anything but a
//! safety time limit: the same problem and options give the same plan.
//!
//! How [`solve`] works: requests coupled by `together_with` (or by a dependency
//! cycle that closes only through couplings) become one group; pins, deadlines and
//! dependencies give each group a window of slots. Relaxing capacity with Lagrange
//! multipliers turns planning into a maximum-weight closure over "group ships by
//! slot r" and "commitment complete by slot r" variables — one minimum cut (Dinic)
//! per multiplier vector, each a true upper bound; bisection (one slot) or
//! subgradient steps (several) tighten it, and every closure is turned into a plan
//! by a greedy construction and a Lagrangian repair. Two deterministic iterated
//! local searches (add, drop-and-add, postpone-and-add, ejection moves; a cautious
//! and a bold threshold walk) then run on the two cores within the node budget;
//! tiny problems are enumerated exhaustively and come back proven optimal. Small
//! problems (≤ 80 groups) that still have a gap get a best-first branch and bound
//! on the same closure network (domains per group, a few subgradient steps per
//! node) that proves the optimum or lowers the bound to its largest open node.

// Index loops over parallel per-group / per-slot arrays read clearer than zips here.
#![allow(clippy::needless_range_loop)]

mod bb;
mod bound;
pub mod explain;
mod flow;
mod model;
mod rng;
mod search;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use explain::{explain, DeferredReason, Occupant, PlannedReason, Reason, RequestReason};

/// Everything the solver needs: the horizon, the open requests and the commitments.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Problem {
    /// The planning horizon, earliest slot first.
    pub slots: Vec<Slot>,
    /// The open requests; all indices below refer to this vector.
    pub requests: Vec<Item>,
    /// Partner commitments: value only when every request ships (in time).
    pub commitments: Vec<Commitment>,
    /// Subtracted once per request the previous plan placed that is not in that same slot now.
    pub stability_penalty: f64,
}

/// One release slot of the horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Slot {
    /// The release id, e.g. `2027.1`.
    pub id: String,
    /// Capacity units available in this release.
    pub capacity: u64,
    /// Value multiplier of shipping in this slot (by default 1.0, 0.9, …).
    pub weight: f64,
}

/// One open change request.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Item {
    /// The request id, e.g. `CR-0042`.
    pub id: String,
    /// Capacity units it takes; must be > 0.
    pub effort: u64,
    /// Its (absolute) score; finite and >= 0.
    pub score: f64,
    /// Indices of requests that must ship in the same or an earlier slot.
    pub depends_on: Vec<usize>,
    /// Indices of requests that must ship in the same slot (symmetric).
    pub together_with: Vec<usize>,
    /// Must ship in exactly this slot.
    pub pin: Option<usize>,
    /// Deadline: must ship, in a slot with index <= latest.
    pub latest: Option<usize>,
    /// The slot the plan on disk gave it (for the stability penalty).
    pub previous: Option<usize>,
}

/// A partner commitment: a set of requests that is worth something only as a whole.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Commitment {
    /// Who it is for, used in explanations.
    pub label: String,
    /// Its value, multiplied by the weight of the slot in which its last request ships.
    pub weight: f64,
    /// Indices of the requests it needs. An empty commitment is worth nothing.
    pub requests: Vec<usize>,
    /// Counts only when its last request ships in a slot with index <= latest.
    pub latest: Option<usize>,
}

/// Solver budget. The node limit is the deterministic budget; the time limit only a
/// safety net (hitting it makes the result depend on the machine).
///
/// The default (60 M nodes, 8 s) is sized for the NRP benchmark: 1.5–4 s per case
/// on two cores. Multi-release searches also stop when a few hundred rounds bring
/// nothing new (≈0.3 s for 300 requests), and every search stops as soon as the
/// plan reaches the bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Safety net on wall-clock time.
    pub time_limit: Duration,
    /// Deterministic work budget (move evaluations and search nodes).
    pub node_limit: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(8),
            node_limit: 60_000_000,
        }
    }
}

/// Solver statistics.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Work units spent (move evaluations plus exhaustive-search nodes).
    pub nodes: u64,
    /// Local-search iterations (perturbation rounds).
    pub iterations: u64,
    /// Max-flow solves for the bound.
    pub flow_solves: u64,
    /// Wall-clock time spent.
    pub elapsed: Duration,
    /// Whether the wall-clock safety net stopped the search.
    pub hit_time_limit: bool,
    /// Whether the node budget ran out.
    pub hit_node_limit: bool,
    /// Whether an exhaustive search completed (so the plan is optimal).
    pub exhaustive: bool,
}

/// A plan: one slot (or none) per request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plan {
    /// Slot per request, `None` = deferred beyond the horizon.
    pub assignment: Vec<Option<usize>>,
    /// The exact objective of `assignment`.
    pub objective: f64,
    /// A true upper bound on the optimum.
    pub bound: f64,
    /// Whether `objective` is proven to be the optimum.
    pub proven_optimal: bool,
    /// How the solver spent its budget.
    pub stats: Stats,
}

impl Plan {
    /// Relative gap between bound and objective, in percent (0 when proven optimal).
    #[must_use]
    pub fn gap_percent(&self) -> f64 {
        if self.proven_optimal {
            return 0.0;
        }
        let denom = self.objective.abs().max(1e-9);
        (100.0 * (self.bound - self.objective) / denom).max(0.0)
    }
}

/// What the solver reports while it works.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Progress {
    /// The phase: `bound`, `search` or `exhaustive`.
    pub phase: &'static str,
    /// Best objective found so far.
    pub objective: f64,
    /// Best upper bound so far.
    pub bound: f64,
    /// Time since the solver started.
    pub elapsed: Duration,
}

/// Input that cannot be planned at all; names the requests involved.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contradiction {
    /// Malformed input (an index out of range, effort 0, a score that is not finite, …).
    #[error("invalid planning input: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// The dependencies form a cycle.
    #[error("dependency cycle: {}", .requests.join(" -> "))]
    DependencyCycle {
        /// The requests on the cycle, in order.
        requests: Vec<String>,
    },
    /// Requests that must ship together are pinned to different slots.
    #[error("requests {} must ship together but are pinned to different releases", names(.requests))]
    ConflictingPins {
        /// The coupled requests.
        requests: Vec<String>,
    },
    /// A coupled group needs more than any slot offers.
    #[error("requests {} must ship together but need {effort} units, more than any release offers (largest: {max_capacity})", names(.requests))]
    GroupTooLarge {
        /// The coupled requests.
        requests: Vec<String>,
        /// Their total effort.
        effort: u64,
        /// The largest capacity in the horizon.
        max_capacity: u64,
    },
    /// Requests pinned to a slot need more than its capacity.
    #[error("requests pinned to {slot} need {effort} units, capacity is {capacity}: {}", names(.requests))]
    PinsOverCapacity {
        /// The slot id.
        slot: String,
        /// The pinned requests (with what must ship with them).
        requests: Vec<String>,
        /// Their total effort.
        effort: u64,
        /// The slot's capacity.
        capacity: u64,
    },
    /// A pin earlier than a dependency can ship.
    #[error("{request} is pinned to {pinned} but depends on {dependency}, which cannot ship before {dependency_slot}")]
    PinBeforeDependency {
        /// The pinned request.
        request: String,
        /// Its pin.
        pinned: String,
        /// The dependency.
        dependency: String,
        /// The earliest slot the dependency can ship in.
        dependency_slot: String,
    },
    /// A deadline (own or inherited from a dependent) earlier than the request can ship.
    #[error(
        "{request} must ship by {latest} (because of {because}) but cannot ship before {earliest}"
    )]
    DeadlineTooEarly {
        /// The request.
        request: String,
        /// The latest slot allowed.
        latest: String,
        /// The request whose pin or deadline imposes it.
        because: String,
        /// The earliest slot it can ship in.
        earliest: String,
    },
    /// The requests that must ship (pins, deadlines and their dependencies) could not be packed.
    #[error("the requests that must ship (pinned, with deadlines, and what they need) do not fit the capacity: {}", names(.requests))]
    MandatoryDoNotFit {
        /// The mandatory requests.
        requests: Vec<String>,
    },
}

/// A list of request ids for a message: all of them up to 12, else the first 10 and a count.
fn names(ids: &[String]) -> String {
    if ids.len() <= 12 {
        ids.join(", ")
    } else {
        format!("{} and {} more", ids[..10].join(", "), ids.len() - 10)
    }
}

/// Why an assignment is not a feasible plan (see [`check`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The assignment has the wrong length.
    #[error("assignment has {got} entries, expected {expected}")]
    WrongLength {
        /// Entries given.
        got: usize,
        /// Requests in the problem.
        expected: usize,
    },
    /// A slot index outside the horizon.
    #[error("{request} is assigned to slot {slot}, outside the horizon")]
    NoSuchSlot {
        /// The request id.
        request: String,
        /// The index given.
        slot: usize,
    },
    /// Too much effort in a slot.
    #[error("{slot} is over capacity: {load} > {capacity}")]
    OverCapacity {
        /// The slot id.
        slot: String,
        /// Its load.
        load: u64,
        /// Its capacity.
        capacity: u64,
    },
    /// A request ships without (or before) a dependency.
    #[error("{request} ships before its dependency {dependency}")]
    Dependency {
        /// The dependent request.
        request: String,
        /// The dependency.
        dependency: String,
    },
    /// Coupled requests in different slots.
    #[error("{request} and {other} must ship together")]
    Together {
        /// One request.
        request: String,
        /// The other.
        other: String,
    },
    /// A pinned request elsewhere.
    #[error("{request} is pinned but not in its pinned slot")]
    Pin {
        /// The request id.
        request: String,
    },
    /// A request with a deadline ships late or not at all.
    #[error("{request} misses its deadline")]
    Deadline {
        /// The request id.
        request: String,
    },
}

/// The exact objective of an assignment (feasible or not; constraints are not checked).
///
/// Σ score·weight(slot) + Σ commitment weight·weight(slot of its last request) for
/// commitments that fully ship in time − penalty·#(requests moved from their previous slot).
#[must_use]
pub fn objective(problem: &Problem, assignment: &[Option<usize>]) -> f64 {
    let w = |s: usize| problem.slots.get(s).map_or(0.0, |x| x.weight);
    let mut total = 0.0;
    for (i, item) in problem.requests.iter().enumerate() {
        let slot = assignment.get(i).copied().flatten();
        if let Some(s) = slot {
            total += item.score * w(s);
        }
        if let Some(p) = item.previous {
            if slot != Some(p) {
                total -= problem.stability_penalty;
            }
        }
    }
    for c in &problem.commitments {
        if c.requests.is_empty() {
            continue;
        }
        let mut last = Some(0usize);
        for &r in &c.requests {
            match (last, assignment.get(r).copied().flatten()) {
                (Some(l), Some(s)) => last = Some(l.max(s)),
                _ => last = None,
            }
        }
        if let Some(l) = last {
            if c.latest.is_none_or(|lat| l <= lat) {
                total += c.weight * w(l);
            }
        }
    }
    total
}

/// Checks an assignment against every hard constraint of the problem.
///
/// # Errors
/// The first [`Violation`] found.
pub fn check(problem: &Problem, assignment: &[Option<usize>]) -> Result<(), Violation> {
    let n = problem.requests.len();
    if assignment.len() != n {
        return Err(Violation::WrongLength {
            got: assignment.len(),
            expected: n,
        });
    }
    let id = |i: usize| problem.requests[i].id.clone();
    let mut load = vec![0u64; problem.slots.len()];
    for (i, a) in assignment.iter().enumerate() {
        if let Some(s) = *a {
            if s >= problem.slots.len() {
                return Err(Violation::NoSuchSlot {
                    request: id(i),
                    slot: s,
                });
            }
            load[s] += problem.requests[i].effort;
        }
    }
    for (s, slot) in problem.slots.iter().enumerate() {
        if load[s] > slot.capacity {
            return Err(Violation::OverCapacity {
                slot: slot.id.clone(),
                load: load[s],
                capacity: slot.capacity,
            });
        }
    }
    for (i, item) in problem.requests.iter().enumerate() {
        let a = assignment[i];
        for &d in &item.depends_on {
            let ok = match (a, assignment.get(d).copied().flatten()) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => y <= x,
            };
            if !ok {
                return Err(Violation::Dependency {
                    request: id(i),
                    dependency: problem
                        .requests
                        .get(d)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                });
            }
        }
        for &t in &item.together_with {
            if assignment.get(t).copied().flatten() != a {
                return Err(Violation::Together {
                    request: id(i),
                    other: problem
                        .requests
                        .get(t)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                });
            }
        }
        if let Some(p) = item.pin {
            if a != Some(p) {
                return Err(Violation::Pin { request: id(i) });
            }
        }
        if let Some(l) = item.latest {
            if a.is_none_or(|s| s > l) {
                return Err(Violation::Deadline { request: id(i) });
            }
        }
    }
    Ok(())
}

/// Branch and bound runs only up to this many groups ...
const BB_MAX_GROUPS: usize = 80;
/// ... and on at most this much work (minimum cuts × network size; ≈0.3 s).
const BB_WORK: u64 = 4_000_000;

/// Plans the problem: the best assignment found within the budget, with a true upper bound.
///
/// # Errors
/// A [`Contradiction`] when the input cannot be planned at all.
pub fn solve(
    problem: &Problem,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Plan, Contradiction> {
    let start = Instant::now();
    let model = model::Model::build(problem)?;
    let deadline = start + options.time_limit;
    let mut stats = Stats::default();

    // A feasible start: the mandatory requests packed, everything else deferred.
    let base = model.pack_mandatory()?;
    let mut search = search::Search::new(&model, base, options.node_limit, deadline);

    // Bound (and closure-guided starting solutions).
    let lagr = bound::lagrangian(&model, &mut search, options.node_limit, deadline);
    stats.flow_solves = lagr.flow_solves;
    // Every plan's value lies on the grid of the objective's coefficients.
    let mut best_bound =
        bb::floor_to_grid(bb::grid(&model), lagr.bound - model.constant) + model.constant;
    progress(Progress {
        phase: "bound",
        objective: search.best_value() + model.constant,
        bound: best_bound,
        elapsed: start.elapsed(),
    });

    // Exhaustive search when the problem is tiny.
    let mut exhaustive = false;
    if let Some((slots, value)) =
        search::exhaustive(&model, options.node_limit, deadline, &mut stats)
    {
        search.offer(&slots, value);
        exhaustive = true;
        progress(Progress {
            phase: "exhaustive",
            objective: value + model.constant,
            bound: value + model.constant,
            elapsed: start.elapsed(),
        });
    }

    if model.r > 0
        && !exhaustive
        && search.best_value() + model.constant < best_bound - model.tolerance()
    {
        // Two independent, individually deterministic searches (one per core). The
        // first wins ties, and only the first may stop the second, so the result
        // does not depend on timing.
        // One release (the NRP shape) rewards long walks; with several releases the
        // Lagrangian repair does most of the work and the walk stops sooner.
        let stall = if model.r == 1 {
            60_000.max(50 * model.groups() as u64)
        } else {
            let g = model.groups().max(1) as u64;
            (30_000 / g + 2_000_000 / (g * g)).clamp(100, 20_000)
        };
        let tol = model.tolerance();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let mut second = search.fork(0xC0FF_EE00_2027);
        second.stop = Some(&stop);
        // Threshold accepting (cooling with the budget): a cautious and a bold walk.
        // With one release (the NRP shape) the cautious walk only accepts what is
        // no worse (measured best on the benchmark); with several it may wander 1 %.
        search.accept = if model.r == 1 { 0.0 } else { 0.01 };
        second.accept = 0.05;
        let bound_now = best_bound;
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| {
                second.run(bound_now, tol, stall, &mut |_| {});
            });
            search.run(bound_now, tol, stall, &mut |value| {
                if value >= bound_now - tol {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                progress(Progress {
                    phase: "search",
                    objective: value + model.constant,
                    bound: bound_now,
                    elapsed: start.elapsed(),
                });
            });
            let _ = handle.join();
        });
        if second.best_value() > search.best_value() + tol * 1e-3 {
            let slots = second.best_slots().to_vec();
            let v = second.best_value();
            search.offer(&slots, v);
        }
        stats.nodes += second.nodes;
        stats.iterations += second.iterations;
        stats.hit_time_limit |= second.hit_time;
    }
    stats.nodes += search.nodes;
    stats.iterations += search.iterations;
    stats.hit_time_limit |= search.hit_time || Instant::now() > deadline;
    stats.hit_node_limit = search.nodes >= options.node_limit;

    // Small problems with a gap left: prove (or tighten the bound) by branch and bound.
    let mut bb_proven = false;
    if !exhaustive
        && model.r > 0
        && model.groups() <= BB_MAX_GROUPS
        && search.best_value() + model.constant < best_bound - model.tolerance()
    {
        // Each node costs a few minimum cuts on a network of groups × slots nodes.
        let size = (model.groups() * model.r) as u64 + 1;
        let limit = (options.node_limit / 15).min(BB_WORK) / size;
        if let Some(res) = bb::branch_and_bound(
            &model,
            &mut search,
            &lagr.lambda,
            best_bound - model.constant,
            limit,
            deadline,
        ) {
            stats.nodes += res.nodes;
            stats.flow_solves += res.flow_solves;
            best_bound = best_bound.min(res.bound + model.constant);
            bb_proven = res.complete;
            stats.hit_time_limit |= Instant::now() > deadline;
        }
    }

    let assignment = model.assignment(search.best_slots());
    let obj = objective(problem, &assignment);
    if exhaustive {
        best_bound = obj;
    }
    best_bound = best_bound.max(obj);
    let proven = exhaustive || bb_proven || obj >= best_bound - model.tolerance();
    if proven {
        best_bound = obj;
    }
    stats.exhaustive = exhaustive;
    stats.elapsed = start.elapsed();
    Ok(Plan {
        assignment,
        objective: obj,
        bound: best_bound,
        proven_optimal: proven,
        stats,
    })
}
