//! Recombination for one release (the NRP shape). The walks of `search` settle in
//! one deep local optimum, while the optimum often lies in another basin dozens of
//! requests away (nrp2@0.5: 55 of 620 requirements differ). So each round walks on
//! a *perturbed* objective (every commitment weight and score scaled by a seeded
//! factor in 1 ± `NOISE`) to a good plan of another basin, from the mandatory plan
//! (even rounds) or from the best plan with the requests of most of its
//! commitments taken out (odd rounds; closer plans, which matter on large
//! backlogs). The groups on which that plan and the best one disagree are then
//! re-planned exactly on the true objective (the tree of `bb` on the decomposition
//! restricted to them), everything else fixed: an optimised crossover. A second
//! crossover frees the disagreements with the previous round's plan too.
//!
//! Two rounds' walks run at a time, one per core. Every walk is seeded by its
//! round and starts from the best plan as it was before the pair, and the
//! crossovers run in round order, so the result does not depend on timing.

use super::bb::{self, Masks};
use super::clock::Deadline;
use super::model::Model;
use super::rng::Rng;
use super::search::{total_value, Search};

/// Relative noise on the objective's coefficients for the perturbed walks.
const NOISE: f64 = 0.1;

/// Odd rounds take out the requests of this share of the best plan's commitments.
const DESTROY: f64 = 0.6;

/// A crossover frees at most this many groups (larger ones rarely finish); when
/// more differ, it frees those of a seeded sample of commitments.
const MAX_FREE: usize = 275;

/// The budget of a recombination.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// Rounds (perturbed walk plus crossovers).
    pub rounds: u64,
    /// Work units per perturbed walk.
    pub walk: u64,
    /// Rounds without improvement after which a walk stops.
    pub stall: u64,
    /// Work units per crossover (relaxations × their size).
    pub crossover: u64,
}

/// What a recombination spent.
#[derive(Debug, Default)]
pub(crate) struct Spent {
    /// Work units of the perturbed walks.
    pub nodes: u64,
    /// Relaxations evaluated by the crossovers.
    pub evals: u64,
    /// Whether the safety net cut a walk short.
    pub hit_time: bool,
}

/// A copy of `m` whose commitment weights and scores are scaled by seeded factors.
fn perturbed(m: &Model, round: u64) -> Model {
    let mut rng = Rng::new(0x0C05_5002_7000 ^ round);
    let mut p = m.clone();
    for c in &mut p.commits {
        c.weight *= 1.0 + NOISE * (2.0 * rng.unit() - 1.0);
    }
    for v in &mut p.value {
        let f = 1.0 + NOISE * (2.0 * rng.unit() - 1.0);
        for x in v.iter_mut() {
            *x *= f;
        }
    }
    p.integral = false;
    p
}

/// Where the walk of `round` starts: `best` with every group deferred that no
/// kept commitment needs (mandatory groups stay). Even rounds keep none, odd ones
/// a seeded 1 − `DESTROY` of the commitments. Dependencies stay met: a kept
/// commitment's closure holds everything its groups depend on.
fn start(m: &Model, best: &[usize], round: u64) -> Vec<usize> {
    let mut keep = m.mandatory.clone();
    if round % 2 == 1 {
        let mut rng = Rng::new(0xDE57_0000 ^ round);
        for c in &m.commits {
            if rng.unit() >= DESTROY {
                for &g in &c.closure {
                    keep[g] = true;
                }
            }
        }
    }
    (0..m.groups())
        .map(|g| if keep[g] { best[g] } else { m.r })
        .collect()
}

/// The walk of `round` on its perturbed objective: its best plan (group slots),
/// the work it spent and whether the safety net cut it short.
fn perturbed_walk(
    m: &Model,
    base: &[usize],
    best: &[usize],
    round: u64,
    budget: &Budget,
    deadline: Deadline,
) -> (Vec<usize>, u64, bool) {
    let pm = perturbed(m, round);
    let from = start(m, best, round);
    let mut walker = Search::new(&pm, base.to_vec(), budget.walk, deadline);
    walker.offer(&from, total_value(&pm, &from));
    walker.run(f64::INFINITY, pm.tolerance(), budget.stall, &mut |_| {});
    (walker.best_slots().to_vec(), walker.nodes, walker.hit_time)
}

/// Rounds of perturbed walks and crossovers with the best plan of `search`, within
/// `budget`; stops early at `bound`. The walks start from the search's base (the
/// mandatory plan).
pub(crate) fn recombine<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    budget: &Budget,
    bound: f64,
    deadline: Deadline,
) -> Spent {
    let tol = m.tolerance();
    // Owned: the crossovers below borrow the search mutably.
    let base = search.base().to_vec();
    let base = base.as_slice();
    let mut spent = Spent::default();
    let mut previous: Option<Vec<usize>> = None;
    let mut round = 0;
    while round < budget.rounds {
        if deadline.passed() || search.best_value() >= bound - tol {
            break;
        }
        // Two walks at a time: this thread takes the first, another the second.
        let pair = (budget.rounds - round).min(2);
        let best = search.best_slots().to_vec();
        let path = deadline.spent();
        let walks: Vec<(Vec<usize>, u64, bool)> = std::thread::scope(|scope| {
            let best = &best;
            let second = (pair == 2).then(|| {
                scope.spawn(move || {
                    let deadline = deadline.on_this_thread(path);
                    perturbed_walk(m, base, best, round + 1, budget, deadline)
                })
            });
            let mut walks = vec![perturbed_walk(m, base, best, round, budget, deadline)];
            if let Some(h) = second {
                walks.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            walks
        });
        for (i, (other, nodes, hit)) in walks.into_iter().enumerate() {
            spent.nodes += nodes;
            spent.hit_time |= hit;
            let seed = round + i as u64;
            if search.best_value() < bound - tol && !deadline.passed() {
                let mut with: Vec<&[usize]> = vec![&other];
                spent.evals +=
                    crossover(m, search, lambda, &with, budget.crossover, seed, deadline);
                if let Some(p) = previous.as_deref() {
                    with.push(p);
                    spent.evals +=
                        crossover(m, search, lambda, &with, budget.crossover, seed, deadline);
                }
            }
            previous = Some(other);
        }
        round += pair;
    }
    spent
}

/// Re-plans exactly the groups on which the best plan and any of `others`
/// disagree (each may take any of their places), everything else fixed as in the
/// best plan, on at most `work` units of relaxations of the decomposition
/// restricted to them. Returns the relaxations evaluated.
pub(super) fn crossover<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    others: &[&[usize]],
    work: u64,
    seed: u64,
    deadline: Deadline,
) -> u64 {
    if m.r == 0 || m.k == 0 || m.r > 62 {
        return 0;
    }
    let root = Masks::root(m);
    let cur = search.best_slots().to_vec();
    let g_n = m.groups();
    let mut differ: Vec<bool> = (0..g_n)
        .map(|g| others.iter().any(|o| o[g] != cur[g]))
        .collect();
    // Too many differ: free those of a few commitments at a time (whose groups
    // the plans disagree about), in a seeded order, up to MAX_FREE groups.
    if differ.iter().filter(|&&d| d).count() > MAX_FREE {
        let mut rng = Rng::new(0x5E1E_C700 ^ seed);
        let mut order: Vec<usize> = (0..m.commits.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut take = vec![false; g_n];
        let mut taken = 0;
        for k in order {
            let groups: Vec<usize> = m.commits[k]
                .closure
                .iter()
                .copied()
                .filter(|&g| differ[g] && !take[g])
                .collect();
            if groups.is_empty() || taken + groups.len() > MAX_FREE {
                continue;
            }
            taken += groups.len();
            for g in groups {
                take[g] = true;
            }
        }
        differ = take;
    }
    let masks = Masks::around(&cur, |g| {
        differ[g].then(|| {
            root.0[g]
                & others
                    .iter()
                    .fold(1u64 << cur[g], |a, o| a | (1u64 << o[g]))
        })
    });
    bb::improve(m, search, lambda, masks, work, deadline)
}
