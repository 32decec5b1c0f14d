//! A stronger bound for small and mid-size backlogs: Lagrangian decomposition.
//!
//! The capacity relaxation of `bound` prices every unit of a release the same
//! for every request (λ per release and resource), so its bound is the LP bound,
//! which is weak when a few large requests fill a release. Here every
//! (release, resource) knapsack keeps its own copy y of the "group ships in slot
//! r" variables x, and the copies are tied to x by one multiplier per group,
//! slot and resource (μ): the bound is
//!
//!   max over closures of [objective − Σ μ·x]  +  Σ over knapsacks of max Σ μ·y,
//!
//! the first a maximum-weight closure (the same network as before), each of the
//! others a 0/1 knapsack solved exactly by dynamic programming. For any μ it is a
//! true upper bound (a plan gives y = x in every knapsack); with μ = λ·units it
//! is at most the capacity relaxation's bound, and subgradient steps on μ take it
//! down towards the bound of "closure ∩ every knapsack's integer hull", which
//! cuts off every fractional knapsack solution (all cover inequalities at once).

use super::bb::Masks;
use super::bound::{deflection, improves, Net};
use super::clock::Deadline;
use super::model::Model;

/// One knapsack: a (slot, resource) with a finite capacity and the groups that
/// may ship in that slot and use that resource.
#[derive(Clone, Debug)]
struct Knapsack {
    r: usize,
    cap: u64,
    /// (group, units)
    items: Vec<(usize, u64)>,
}

/// The decomposition's state: the knapsacks and their multipliers.
#[derive(Clone, Debug)]
pub(crate) struct Decomp {
    kps: Vec<Knapsack>,
    /// Multipliers, one per knapsack item (parallel to `items`).
    pub mu: Vec<Vec<f64>>,
    /// Dynamic-programming work of one evaluation (Σ items × capacity).
    pub work: u64,
}

/// The result of one evaluation.
pub(crate) struct Eval {
    /// The bound (before rounding to the grid).
    pub bound: f64,
    /// The closure's slot per group (R = not shipped).
    pub slots: Vec<usize>,
    /// Per knapsack and item: whether the knapsack takes it.
    pub take: Vec<Vec<bool>>,
}

impl Decomp {
    /// The knapsacks of the model, with multipliers from the capacity
    /// relaxation's λ (`lambda[r * K + j]`); `None` when their dynamic programs
    /// would cost more than `max_work` per evaluation.
    pub fn new(m: &Model, lambda: &[f64], max_work: u64) -> Option<Self> {
        let r_n = m.r;
        let d = Self::build(m, lambda, &|_| 0, &|g, r| {
            let hi = if m.mandatory[g] { m.latest[g] } else { r_n - 1 };
            m.earliest[g] <= r && r <= hi
        });
        if d.work > max_work {
            return None;
        }
        Some(d)
    }

    /// The knapsacks of a neighbourhood (`masks`: the options per group, see
    /// [`Masks`]): only the groups with more than one option are items; a group
    /// fixed to a slot takes its units off that slot's capacities.
    pub fn restricted(m: &Model, lambda: &[f64], masks: &Masks) -> Self {
        let (r_n, k) = (m.r, m.k);
        let mut fixed = vec![0u64; r_n * k];
        for g in 0..m.groups() {
            let mask = masks.0[g];
            if mask.count_ones() == 1 && (mask.trailing_zeros() as usize) < r_n {
                m.add_load(&mut fixed, g, mask.trailing_zeros() as usize);
            }
        }
        Self::build(m, lambda, &|i| fixed[i], &|g, r| {
            masks.0[g].count_ones() > 1 && masks.0[g] & (1 << r) != 0
        })
    }

    /// One knapsack per (slot, resource) with a finite capacity, less `taken(r·K + j)`
    /// units, over the groups `item(g, r)` admits; knapsacks that can never be full
    /// are left out. μ starts at λ · units.
    fn build(
        m: &Model,
        lambda: &[f64],
        taken: &dyn Fn(usize) -> u64,
        item: &dyn Fn(usize, usize) -> bool,
    ) -> Self {
        let (r_n, k) = (m.r, m.k);
        let mut kps = Vec::new();
        let mut mu = Vec::new();
        let mut work = 0u64;
        for r in 0..r_n {
            for j in 0..k {
                let cap = m.caps[r * k + j];
                if cap == u64::MAX {
                    continue;
                }
                let cap = cap.saturating_sub(taken(r * k + j));
                let items: Vec<(usize, u64)> = (0..m.groups())
                    .filter(|&g| item(g, r))
                    .filter_map(|g| m.uses[g].iter().find(|x| x.0 == j).map(|x| (g, x.1)))
                    .collect();
                let total: u64 = items.iter().map(|x| x.1).sum();
                if total <= cap {
                    continue; // it can never be full: no copy needed
                }
                work = work.saturating_add(items.len() as u64 * cap.min(total));
                #[allow(clippy::cast_precision_loss)]
                mu.push(
                    items
                        .iter()
                        .map(|&(_, u)| u as f64 * lambda.get(r * k + j).copied().unwrap_or(0.0))
                        .collect(),
                );
                kps.push(Knapsack { r, cap, items });
            }
        }
        Self { kps, mu, work }
    }

    /// The knapsacks: (slot, items as (group, units)).
    pub fn knapsacks(&self) -> impl Iterator<Item = (usize, &Vec<(usize, u64)>)> {
        self.kps.iter().map(|k| (k.r, &k.items))
    }

    /// Whether there is any knapsack at all.
    pub fn is_empty(&self) -> bool {
        self.kps.is_empty()
    }

    /// The bound for the current μ; with `masks`, only for plans where every
    /// group ships in one of the slots its mask allows (or is deferred, if allowed).
    pub fn eval(&self, m: &Model, net: &mut Net, masks: Option<&Masks>) -> Eval {
        let r_n = m.r;
        let mut price = vec![0.0; m.groups() * r_n];
        for (kp, mu) in self.kps.iter().zip(&self.mu) {
            for (&(g, _), &x) in kp.items.iter().zip(mu) {
                price[g * r_n + kp.r] += x;
            }
        }
        let fix = masks.map(|mk| mk.forcing(m));
        let (closure, slots) = net.eval_prices(m, &price, 0.0, fix.as_deref());
        let mut total = closure;
        let mut take = Vec::with_capacity(self.kps.len());
        let mut scratch = Scratch::default();
        for (kp, mu) in self.kps.iter().zip(&self.mu) {
            let (v, t) = knapsack(kp, mu, masks, &mut scratch);
            total += v;
            take.push(t);
        }
        Eval {
            bound: total,
            slots,
            take,
        }
    }
}

#[derive(Default)]
struct Scratch {
    dp: Vec<f64>,
    keep: Vec<u64>,
}

/// max Σ μ·y over the knapsack's items with Σ units·y ≤ capacity (items the forcing
/// puts into the slot are taken, items it rules out are not), and the choice.
fn knapsack(
    kp: &Knapsack,
    mu: &[f64],
    masks: Option<&Masks>,
    scratch: &mut Scratch,
) -> (f64, Vec<bool>) {
    let n = kp.items.len();
    let mut take = vec![false; n];
    let mut cap = kp.cap;
    let mut value = 0.0;
    // Forced in (its only option is this slot) or out (this slot is not an option).
    let state = |g: usize| -> (bool, bool) {
        masks.map_or((false, false), |mk| {
            let bit = 1u64 << kp.r;
            (mk.0[g] == bit, mk.0[g] & bit == 0)
        })
    };
    let mut free: Vec<usize> = Vec::with_capacity(n);
    for (idx, &(g, u)) in kp.items.iter().enumerate() {
        let (forced_in, out) = state(g);
        if forced_in {
            take[idx] = true;
            value += mu[idx];
            cap = cap.saturating_sub(u);
        } else if !out && mu[idx] > 0.0 {
            free.push(idx);
        }
    }
    let free: Vec<usize> = free.into_iter().filter(|&i| kp.items[i].1 <= cap).collect();
    let total: u64 = free.iter().map(|&i| kp.items[i].1).sum();
    if total <= cap {
        for &i in &free {
            take[i] = true;
            value += mu[i];
        }
        return (value, take);
    }
    let c = usize::try_from(cap).unwrap_or(usize::MAX);
    let words = (c + 1).div_ceil(64);
    scratch.dp.clear();
    scratch.dp.resize(c + 1, 0.0);
    scratch.keep.clear();
    scratch.keep.resize(free.len() * words, 0);
    for (k, &i) in free.iter().enumerate() {
        let u = usize::try_from(kp.items[i].1).unwrap_or(usize::MAX);
        let p = mu[i];
        for w in (u..=c).rev() {
            let cand = scratch.dp[w - u] + p;
            if cand > scratch.dp[w] {
                scratch.dp[w] = cand;
                scratch.keep[k * words + w / 64] |= 1 << (w % 64);
            }
        }
    }
    value += scratch.dp[c];
    let mut w = c;
    for k in (0..free.len()).rev() {
        if scratch.keep[k * words + w / 64] & (1 << (w % 64)) != 0 {
            let i = free[k];
            take[i] = true;
            w -= usize::try_from(kp.items[i].1).unwrap_or(0);
        }
    }
    (value, take)
}

/// How a descent on μ went.
pub(crate) struct Descent {
    /// The best (lowest) bound seen, before rounding; μ is left at its multipliers.
    pub bound: f64,
    /// The evaluation that gave it (for branching).
    pub eval: Option<Eval>,
    /// Evaluations spent.
    pub evals: u64,
    /// Whether the closure agreed with every knapsack (the bound is a plan's value).
    pub exact: bool,
    /// Closures of improving evaluations (for primal repair), the last is the best.
    pub closures: Vec<Vec<usize>>,
}

/// Parameters of a descent.
pub(crate) struct Schedule {
    pub iters: u64,
    /// Start step factor.
    pub theta: f64,
    /// Halve the step (and go back to the best μ) after this many evaluations without
    /// improvement.
    pub patience: u32,
    /// Stop below this step factor.
    pub min_theta: f64,
    /// Polyak target: incumbent + this fraction of (best bound − incumbent).
    pub aim: f64,
    /// Deflection factor (Camerini–Fratta–Maffioli: 1.5; 0 = plain subgradient).
    pub deflect: f64,
}

impl Decomp {
    /// Subgradient descent on μ (Polyak steps towards `incumbent`, directions
    /// deflected as in Camerini–Fratta–Maffioli, back to the best μ whenever the
    /// step shrinks), until the rounded bound `stop(bound)` no longer beats the
    /// incumbent, the closure agrees with every knapsack, or the schedule ends.
    #[allow(clippy::too_many_arguments)]
    pub fn descend(
        &mut self,
        m: &Model,
        net: &mut Net,
        masks: Option<&Masks>,
        incumbent: &dyn Fn() -> f64,
        beaten: &dyn Fn(f64) -> bool,
        s: &Schedule,
        deadline: Deadline,
    ) -> Descent {
        let mut best = f64::INFINITY;
        let mut best_mu = self.mu.clone();
        let mut best_eval = None;
        let mut dir: Vec<Vec<f64>> = self.mu.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut theta = s.theta;
        let mut stale = 0;
        let mut evals = 0;
        let mut exact = false;
        let mut closures = Vec::new();
        for it in 0..s.iters {
            if it > 0 && it % 16 == 0 && deadline.passed() {
                break;
            }
            let e = self.eval(m, net, masks);
            evals += 1;
            let eb = e.bound;
            let improved = improves(e.bound, best);
            if improved {
                best = e.bound;
                best_mu.clone_from(&self.mu);
                stale = 0;
                closures.push(e.slots.clone());
            } else {
                stale += 1;
            }
            let inc = incumbent();
            // The subgradient y − x and the deflected direction.
            let mut gd = 0.0;
            let mut dd = 0.0;
            let mut any = false;
            let g: Vec<Vec<f64>> = self
                .kps
                .iter()
                .zip(&e.take)
                .map(|(kp, take)| {
                    kp.items
                        .iter()
                        .zip(take)
                        .map(|(&(grp, _), &y)| {
                            let x = e.slots[grp] == kp.r;
                            f64::from(u8::from(y)) - f64::from(u8::from(x))
                        })
                        .collect()
                })
                .collect();
            for (gv, dv) in g.iter().zip(&dir) {
                for (a, b) in gv.iter().zip(dv) {
                    gd += a * b;
                    dd += b * b;
                    any |= *a != 0.0;
                }
            }
            if !any {
                exact = true;
                if !improved {
                    closures.push(e.slots.clone());
                }
            }
            if improved {
                best_eval = Some(e);
            }
            if exact {
                break;
            }
            if !beaten(best) {
                break;
            }
            if s.deflect < 0.0 {
                // The volume algorithm: an average of the subgradients, stepped from
                // the best multipliers.
                let alpha = if evals == 1 { 1.0 } else { -s.deflect };
                if improved {
                    theta = (theta * 1.1).min(2.0);
                } else if stale >= s.patience {
                    theta *= 0.66;
                    stale = 0;
                    if theta < s.min_theta {
                        break;
                    }
                }
                let mut norm = 0.0;
                for (gv, dv) in g.iter().zip(dir.iter_mut()) {
                    for (a, b) in gv.iter().zip(dv.iter_mut()) {
                        *b = alpha * a + (1.0 - alpha) * *b;
                        norm += *b * *b;
                    }
                }
                let target = inc + s.aim * (best - inc).max(0.0);
                let t = theta * (best - target).max(1e-9 * best.abs().max(1.0)) / norm.max(1e-12);
                for ((mu, bm), dv) in self.mu.iter_mut().zip(&best_mu).zip(&dir) {
                    for ((w, b0), b) in mu.iter_mut().zip(bm).zip(dv) {
                        *w = b0 - t * b;
                    }
                }
                continue;
            }
            if stale >= s.patience {
                theta *= 0.5;
                stale = 0;
                self.mu.clone_from(&best_mu);
                dir.iter_mut()
                    .for_each(|v| v.iter_mut().for_each(|x| *x = 0.0));
                if theta < s.min_theta {
                    break;
                }
                continue;
            }
            let beta = deflection(gd, dd, s.deflect);
            let mut norm = 0.0;
            for (gv, dv) in g.iter().zip(dir.iter_mut()) {
                for (a, b) in gv.iter().zip(dv.iter_mut()) {
                    *b = a + beta * *b;
                    norm += *b * *b;
                }
            }
            let target = inc + s.aim * (best - inc).max(0.0);
            let t = theta * (eb - target).max(1e-9 * eb.abs().max(1.0)) / norm.max(1e-12);
            for (mu, dv) in self.mu.iter_mut().zip(&dir) {
                for (w, b) in mu.iter_mut().zip(dv) {
                    *w -= t * b;
                }
            }
        }
        self.mu = best_mu;
        Descent {
            bound: best,
            eval: best_eval,
            evals,
            exact,
            closures,
        }
    }
}

/// Result of [`tighten`]: the best bound and the multipliers that gave it.
pub(crate) struct Tightened {
    pub bound: f64,
    pub decomp: Decomp,
    pub evals: u64,
    /// Closure slots of the evaluations (for primal repair), best bound last.
    pub closures: Vec<Vec<usize>>,
}

/// Subgradient descent on μ from the capacity multipliers, until the bound meets
/// `incumbent` (within `tol`), `iters` evaluations are spent or the deadline passes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn tighten(
    m: &Model,
    mut d: Decomp,
    incumbent: f64,
    tol: f64,
    iters: u64,
    deadline: Deadline,
    floor: &dyn Fn(f64) -> f64,
    tuning: &[f64],
) -> Tightened {
    let mut net = Net::build(m);
    let knob = |i: usize, d: f64| tuning.get(i).copied().filter(|x| *x != 0.0).unwrap_or(d);
    let r = d.descend(
        m,
        &mut net,
        None,
        &|| incumbent,
        &|b| floor(b) > incumbent + tol,
        &Schedule {
            iters,
            theta: knob(7, 1.0),
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            patience: knob(5, 20.0) as u32,
            min_theta: 1e-4,
            aim: knob(4, 0.0).max(0.0),
            deflect: knob(6, 1.5).max(0.0),
        },
        deadline,
    );
    Tightened {
        bound: r.bound,
        decomp: d,
        evals: r.evals,
        closures: r.closures,
    }
}
