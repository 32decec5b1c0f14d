//! Stable re-planning: among the plans whose objective is within the tolerance of
//! the best plan found, one with the fewest moves against the baseline (ties: the
//! higher objective).
//!
//! A move is linear in the "group ships by slot r" variables, so a plan's
//! objective less `p` per move is the same kind of objective the rest of the solver
//! maximises. The phase walks the trade-off between moves and objective with that
//! penalty: it starts from the baseline repaired to feasibility and from the best
//! plan, searches under a falling sequence of penalties (a move first worth the
//! whole objective, so only moves that buy objective are made), keeps the plan
//! with the fewest moves that reaches the threshold, and finally tries to undo each
//! remaining move on its own and in pairs. Tiny problems are enumerated exactly.

use super::clock::Deadline;
use super::model::Model;
use super::search::{self, total_moves, total_value, Search, Stable};
use super::Stats;

/// The group slots with the fewest moves whose objective is at least
/// `best_obj · (1 − tolerance/100)` (`best` is such a plan: the fallback).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fewest_moves(
    m: &Model,
    base: Vec<usize>,
    best: &[usize],
    best_obj: f64,
    tolerance: f64,
    budget: u64,
    deadline: Deadline,
    stats: &mut Stats,
) -> Vec<usize> {
    let scale = best_obj.abs().max(1.0);
    let threshold = best_obj - best_obj.abs() * tolerance / 100.0 - 1e-9 * scale;
    let best_moves = total_moves(m, best);
    if best_moves == 0 {
        return best.to_vec();
    }
    if let Some((slots, _)) = search::exhaustive(m, budget, deadline, stats, Some(threshold)) {
        if total_moves(m, &slots) <= best_moves {
            return slots;
        }
    }
    let mut s = Search::new(m, base, budget, deadline);
    s.stable = Some(Stable {
        threshold,
        moves: best_moves,
        objective: total_value(m, best),
        slots: best.to_vec(),
    });
    // From the top: undo the best plan's moves while it stays within the threshold.
    s.reset_to(best);
    s.undo_moves();
    // From the bottom: the baseline, repaired, improved by local search with a
    // price per move; the price is bisected (on a log scale) between one that
    // keeps the plan below the threshold and one that reaches it.
    let start = baseline_slots(m);
    s.set_penalty(scale);
    s.repair(&start);
    let start = s.slots().to_vec();
    let mut p_ok: Option<f64> = None; // largest price whose plan reached the threshold
    let mut p_short: Option<f64> = None; // smallest price whose plan missed it
    let mut p = scale;
    for _ in 0..14 {
        if s.out_of_budget() {
            break;
        }
        s.set_penalty(p);
        s.reset_to(&start);
        s.local_search();
        s.note_current();
        if s.objective() >= threshold {
            p_ok = Some(p_ok.map_or(p, |x: f64| x.max(p)));
        } else {
            p_short = Some(p_short.map_or(p, |x: f64| x.min(p)));
        }
        p = match (p_ok, p_short) {
            (Some(_), None) => break, // the most stable plan reaches the threshold
            (None, Some(short)) => short / 8.0,
            (Some(ok), Some(short)) => {
                if short / ok < 1.3 {
                    break;
                }
                (ok * short).sqrt()
            }
            (None, None) => break,
        };
        if p < scale * 1e-9 {
            break;
        }
    }
    // A short walk at the price that worked, from the best stable plan, then undo
    // what can be undone.
    let g = m.groups().max(1) as u64;
    let stall = (4_000 / g + 100_000 / (g * g)).clamp(20, 400);
    if let Some(ok) = p_ok {
        s.set_penalty(ok);
        let from = s.stable_slots();
        s.reset_to(&from);
        s.run(f64::INFINITY, 0.0, stall, &mut |_| {});
    }
    s.set_penalty(0.0);
    let from = s.stable_slots();
    s.reset_to(&from);
    s.undo_moves();
    stats.nodes += s.nodes;
    stats.iterations += s.iterations;
    stats.hit_time_limit |= s.hit_time;
    stats.hit_node_limit |= s.nodes >= budget;
    s.stable_slots()
}

/// Each group in the slot where it moves the fewest of its members (ties: the
/// earliest), moved into its window and after its dependencies; capacity is not
/// checked.
fn baseline_slots(m: &Model) -> Vec<usize> {
    let mut slots: Vec<usize> = (0..m.groups())
        .map(|g| {
            let s = (0..=m.r).min_by_key(|&s| (m.moves[g][s], s)).unwrap_or(m.r);
            if m.mandatory[g] {
                s.clamp(m.earliest[g], m.latest[g])
            } else if s < m.r && s < m.earliest[g] {
                m.earliest[g]
            } else {
                s
            }
        })
        .collect();
    // No group ships before its dependencies (or at all when one does not ship).
    for &g in &m.topo {
        let after = m.deps[g].iter().map(|&d| slots[d]).max().unwrap_or(0);
        if after > slots[g] {
            slots[g] = after;
        }
    }
    slots
}
