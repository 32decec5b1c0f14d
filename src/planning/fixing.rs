//! Reduced-cost fixing for one release (the NRP shape), and an exact re-plan of
//! what it leaves free. On these backlogs the Lagrangian bound is often within a
//! few points of the optimum (nrp4@0.3: 10691 against 10690), so most requests
//! lose more than the gap when forced to the other side of the bound's closure:
//! no plan better than the incumbent can differ from the closure there. Those are
//! fixed; the branch and bound of `bb` then searches the few left (51 of 3,250 on
//! nrp4@0.3) exactly. When it explores them completely, the incumbent is optimal.

use super::bb::{self, Masks};
use super::bound::{Effort, Net};
use super::clock::Deadline;
use super::model::Model;
use super::search::Search;

/// How hard fixing looks for each loss (a group whose loss is not found stays
/// free).
const FIX: Effort = Effort {
    paths: 64,
    visits: 100_000,
};

/// The core: groups re-planned when too many are left free to fix.
const CORE: usize = 300;

/// How hard the losses are looked for when ranking the groups for the core (less
/// than for fixing: a ranking, not a proof).
const CORE_EFFORT: Effort = Effort {
    paths: 2,
    visits: 3_000,
};

/// Fixings (each with a re-plan) at most, while each improves the incumbent.
const ROUNDS: usize = 3;

/// What fixing and the re-plan found.
#[derive(Debug, Default)]
pub(crate) struct Fixed {
    /// Whether the incumbent is proven optimal (within tolerance).
    pub proven: bool,
    /// Relaxations the re-plan evaluated.
    pub evals: u64,
}

/// Fixes by reduced cost at the multipliers `lambda` against the incumbent of
/// `search`; when at most `max_free` groups are left free, re-plans them exactly
/// (everything else fixed, probing first) on at most `work` units of relaxations.
/// When more are left, re-plans the core instead (see [`core`]). A re-plan that
/// improves the incumbent fixes more: then again, up to `ROUNDS` times. `None`
/// when it does not apply (not exactly one release, or nothing constrained).
pub(crate) fn fix_and_replan<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    work: u64,
    max_free: usize,
    deadline: Deadline,
) -> Option<Fixed> {
    if m.r != 1 || m.k == 0 {
        return None;
    }
    // A better plan is better by at least a grid step (1 with integer data).
    let gain = if m.integral { 1.0 } else { m.tolerance() };
    let mut net = Net::build(m);
    let mut total = Fixed::default();
    for _ in 0..ROUNDS {
        let before = search.best_value();
        let beat = before + gain;
        let losses = net.losses(m, lambda, beat, FIX, max_free, search.best_slots())?;
        if losses.stopped {
            total.evals += core(m, search, &mut net, lambda, beat, work, deadline);
        } else {
            let mut masks = Masks::root(m);
            for (mask, f) in masks.0.iter_mut().zip(losses.fixed()) {
                if let Some(slot) = f {
                    *mask &= 1 << slot;
                }
            }
            // Every better plan keeps the fixed groups where the closure has them:
            // when they cannot all hold together, there is no better plan.
            if !masks.propagate(m) || !masks.fits(m) {
                total.proven = true;
                break;
            }
            if masks.free() > max_free || deadline.passed() {
                break;
            }
            let done = bb::replan(
                m,
                search,
                lambda,
                masks,
                true,
                |per_eval| work / per_eval + 1,
                deadline,
            );
            total.evals += done.evals;
            total.proven = done.complete;
            if done.complete {
                break;
            }
        }
        if search.best_value() <= before + m.tolerance() || deadline.passed() {
            break;
        }
    }
    Some(total)
}

/// Too many groups to fix: re-plans exactly the `CORE` groups that lose the least
/// when forced across the cut (where plans near the bound's differ, as in the core
/// of a knapsack), everything else as in the incumbent, on at most `work` units.
/// Returns the relaxations evaluated. An improvement only: nothing is proven.
fn core<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    net: &mut Net,
    lambda: &[f64],
    beat: f64,
    work: u64,
    deadline: Deadline,
) -> u64 {
    let Some(losses) = net.losses(
        m,
        lambda,
        beat,
        CORE_EFFORT,
        usize::MAX,
        search.best_slots(),
    ) else {
        return 0;
    };
    let mut order: Vec<usize> = (0..m.groups())
        .filter(|&g| losses.lost[g].is_finite())
        .collect();
    order.sort_by(|&a, &b| losses.lost[a].total_cmp(&losses.lost[b]).then(a.cmp(&b)));
    let root = Masks::root(m);
    let mut masks = Masks::around(search.best_slots(), |_| None);
    for &g in order.iter().take(CORE) {
        masks.0[g] = root.0[g];
    }
    bb::improve(m, search, lambda, masks, work, deadline)
}
