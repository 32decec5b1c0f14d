//! Cluster neighbourhoods: the plan re-planned exactly a few related requests at a
//! time, everything else fixed.
//!
//! The release windows of [`bb`](super::bb) free whole releases, which says
//! nothing when there is one release (the NRP shape) and is too coarse for large
//! backlogs. Here a neighbourhood is a *cluster*: from a random request, the
//! requests related to it — its dependencies and dependents, and the other
//! requests of every commitment it is part of — breadth first, until it has half
//! its size; the other half is a random sample of the *core*, the requests whose
//! best and second-best option are closest under the capacity prices (where plans
//! differ, and where room is made). The cluster's requests get all their options
//! back (every slot of their window, or deferred); every other request stays where
//! the best plan has it. The neighbourhood is then solved by the branch and bound
//! of `bb` on the knapsack decomposition restricted to it (the fixed requests take
//! their units off the capacities), which either proves the cluster's best
//! arrangement or runs out of its share of the budget; every plan it meets goes to
//! the incumbent.
//!
//! The size adapts: a neighbourhood solved completely makes the next one larger,
//! one cut short by its budget makes it smaller. All choices come from a seeded
//! generator and the budget is counted in work units, so the result does not
//! depend on the machine.

use super::bb::{self, Masks};
use super::bound::cap_prices;
use super::clock::Deadline;
use super::model::Model;
use super::rng::Rng;
use super::search::Search;

/// The smallest and largest cluster, in groups.
const MIN_SIZE: f64 = 6.0;
const MAX_SIZE: f64 = 400.0;
/// Evaluations one neighbourhood may spend.
const EVALS_PER_NEIGHBOURHOOD: u64 = 120;

/// The groups of a cluster grown from `seed` (breadth first over dependencies,
/// dependents and shared commitments) until it has `size` groups or nothing
/// related is left. A commitment joins whole (all its requests and what they
/// need): freeing part of one could never gain it.
fn cluster(
    m: &Model,
    seed: usize,
    size: usize,
    mark: &mut [u32],
    taken: &mut [u32],
    stamp: u32,
) -> Vec<usize> {
    let mut out = Vec::with_capacity(size);
    let mut queue = std::collections::VecDeque::new();
    let mut add =
        |g: usize, out: &mut Vec<usize>, queue: &mut std::collections::VecDeque<usize>| {
            if mark[g] != stamp {
                mark[g] = stamp;
                out.push(g);
                queue.push_back(g);
            }
        };
    add(seed, &mut out, &mut queue);
    while let Some(g) = queue.pop_front() {
        if out.len() >= size {
            break;
        }
        for &c in &m.commits_of[g] {
            if taken[c] != stamp {
                taken[c] = stamp;
                for &h in &m.commits[c].closure {
                    add(h, &mut out, &mut queue);
                }
            }
        }
        for &h in m.deps[g].iter().chain(&m.dependents[g]) {
            if out.len() >= size {
                break;
            }
            add(h, &mut out, &mut queue);
        }
    }
    out
}

/// The groups ordered by how close their best option is to their second best
/// under the capacity prices λ (the "core" of a knapsack problem: where the
/// relaxation hesitates, the plans differ).
fn core(m: &Model, lambda: &[f64]) -> Vec<usize> {
    let r_n = m.r;
    let (price, _) = cap_prices(m, lambda);
    let mut margin: Vec<(f64, usize)> = (0..m.groups())
        .map(|g| {
            let hi = if m.mandatory[g] { m.latest[g] } else { r_n - 1 };
            let mut opts: Vec<f64> = (m.earliest[g]..=hi.min(r_n - 1))
                .map(|s| m.value[g][s] - m.value[g][r_n] - price[g * r_n + s])
                .collect();
            if !m.mandatory[g] {
                opts.push(0.0);
            }
            opts.sort_by(|a, b| b.total_cmp(a));
            let gap = if opts.len() < 2 {
                f64::INFINITY
            } else {
                opts[0] - opts[1]
            };
            (gap, g)
        })
        .collect();
    margin.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    margin.into_iter().map(|x| x.1).collect()
}

/// Re-plans clusters of the best plan exactly until `work` units are spent, the
/// deadline passes or the plan reaches `bound`. `lambda` are the capacity
/// relaxation's multipliers (the start of every neighbourhood's μ). Returns the
/// relaxations evaluated.
pub(crate) fn clusters<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    work: u64,
    bound: f64,
    deadline: Deadline,
) -> u64 {
    let g_n = m.groups();
    if m.r == 0 || m.k == 0 || m.r > 62 || g_n < 2 {
        return 0;
    }
    let root = Masks::root(m);
    let mut rng = Rng::new(0x00C1_057E_2027 ^ g_n as u64);
    let mut mark = vec![0u32; g_n];
    let mut taken = vec![0u32; m.commits.len()];
    let mut size = 24.0f64.min(g_n as f64);
    let mut spent = 0u64;
    let mut evals = 0u64;
    let tol = m.tolerance();
    let core = core(m, lambda);
    for round in 1u32.. {
        if spent >= work || deadline.passed() || search.best_value() >= bound - tol {
            break;
        }
        let cur = search.best_slots().to_vec();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let want = size.round() as usize;
        // Seeds alternate between a planned and a deferred group (when there are both),
        // so that clusters both make room and fill it.
        let planned: Vec<usize> = (0..g_n).filter(|&g| cur[g] < m.r).collect();
        let pool = if round % 2 == 0 && !planned.is_empty() && planned.len() < g_n {
            planned
        } else {
            (0..g_n).collect()
        };
        let seed = pool[rng.below(pool.len())];
        // Half a cluster of related groups (what must change together), half a
        // sample of the core (what can make room or fill it).
        let mut free = cluster(m, seed, want.div_ceil(2), &mut mark, &mut taken, round);
        let span = (want * 3).min(g_n);
        let mut pick: Vec<usize> = core[..span].to_vec();
        for i in 0..span {
            let j = i + rng.below(span - i);
            pick.swap(i, j);
        }
        for g in pick {
            if free.len() >= want {
                break;
            }
            if mark[g] != round {
                mark[g] = round;
                free.push(g);
            }
        }
        // A cluster that ran out of related groups: more seeds.
        let mut tries = 0;
        while free.len() < want && tries < 8 {
            tries += 1;
            let s = rng.below(g_n);
            if mark[s] != round {
                let more = cluster(m, s, want - free.len(), &mut mark, &mut taken, round);
                free.extend(more);
            }
        }
        // The cluster's groups are the ones marked in this round.
        let mut masks = Masks::around(&cur, |g| (mark[g] == round).then(|| root.0[g]));
        if !masks.propagate(m) || masks.free() < 2 {
            spent += g_n as u64;
            continue;
        }
        let left = work - spent;
        let done = bb::replan(
            m,
            search,
            lambda,
            masks,
            false,
            |per_eval| EVALS_PER_NEIGHBOURHOOD.min(left / per_eval + 1),
            deadline,
        );
        evals += done.evals;
        spent += done.evals.max(1) * done.per_eval;
        // Solved within its share: try larger clusters; cut short: smaller ones.
        size = if done.complete {
            (size * 1.15 + 1.0).min(MAX_SIZE)
        } else {
            (size * 0.85).max(MIN_SIZE)
        }
        .min(g_n as f64);
    }
    evals
}
