//! Primal search on the group model: a transactional state (slot per group, loads,
//! commitment values), moves that keep dependencies and windows intact by
//! construction (insert with everything needed, drop what only one element needs),
//! greedy construction, best-improvement local search with swaps, and a seeded
//! iterated local search. Also the exhaustive search used for tiny problems.

use std::time::Instant;

use super::model::Model;
use super::rng::Rng;
use super::Stats;

/// Something that has value when planned: a commitment, or a group with own value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    Commit(usize),
    Group(usize),
}

#[derive(Clone)]
pub(crate) struct Search<'a> {
    m: &'a Model,
    r: usize,
    slot: Vec<usize>,
    load: Vec<u64>,
    cval: Vec<f64>,
    /// Per group: counting commitments whose closure contains it.
    need: Vec<u32>,
    /// Per commitment: member groups not planned.
    miss: Vec<u32>,
    gval: f64,
    csum: f64,
    base: Vec<usize>,
    best: Vec<usize>,
    best_val: f64,
    pub nodes: u64,
    pub iterations: u64,
    pub hit_time: bool,
    /// Set by another search that reached the bound.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    node_limit: u64,
    deadline: Instant,
    rng: Rng,
    // transaction
    txn: u32,
    gstamp: Vec<u32>,
    cstamp: Vec<u32>,
    undo: Vec<(usize, usize)>,
    touched_c: Vec<usize>,
    // elements
    pub elems: Vec<Elem>,
    /// Closure of each commitment sorted dependents-first.
    ccl_desc: Vec<Vec<usize>>,
    stack: Vec<usize>,
    /// Per element: the iteration in which it may not be re-added by the greedy fill.
    tabu: Vec<u64>,
    /// Accept a worse local optimum within this fraction of the best (0 = only improving or equal).
    pub accept: f64,
    scanned: u64,
    next_time_check: u64,
    /// Randomise the next fill (after a perturbation).
    noise: bool,
}

const EPS: f64 = 1e-9;

impl<'a> Search<'a> {
    pub fn new(m: &'a Model, base: Vec<usize>, node_limit: u64, deadline: Instant) -> Self {
        let g_n = m.groups();
        let mut elems: Vec<Elem> = (0..m.commits.len())
            .filter(|&k| m.commits[k].possible && m.commits[k].weight > 0.0)
            .map(Elem::Commit)
            .collect();
        for g in 0..g_n {
            let best = m.value[g][..m.r]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            if best > m.value[g][m.r] + EPS {
                elems.push(Elem::Group(g));
            }
        }
        let mut topo_pos = vec![0; g_n];
        for (i, &g) in m.topo.iter().enumerate() {
            topo_pos[g] = i;
        }
        let ccl_desc = m
            .commits
            .iter()
            .map(|c| {
                let mut v = c.closure.clone();
                v.sort_by_key(|&g| std::cmp::Reverse(topo_pos[g]));
                v
            })
            .collect();
        let mut s = Self {
            m,
            r: m.r,
            slot: base.clone(),
            load: vec![0; m.r],
            cval: vec![0.0; m.commits.len()],
            miss: vec![0; m.commits.len()],
            need: vec![0; g_n],
            gval: 0.0,
            csum: 0.0,
            base: base.clone(),
            best: base,
            best_val: f64::NEG_INFINITY,
            nodes: 0,
            iterations: 0,
            hit_time: false,
            stop: None,
            node_limit,
            deadline,
            rng: Rng::new(0x5EED_2027),
            txn: 1,
            gstamp: vec![0; g_n],
            cstamp: vec![0; m.commits.len()],
            undo: Vec::new(),
            touched_c: Vec::new(),
            elems,
            ccl_desc,
            stack: Vec::new(),
            tabu: Vec::new(),
            noise: false,
            accept: 0.0,
            scanned: 0,
            next_time_check: 0,
        };
        s.tabu = vec![0; s.elems.len()];
        let base = s.slot.clone();
        s.load_state(&base);
        s.best_val = s.value();
        s
    }

    fn load_state(&mut self, slots: &[usize]) {
        self.nodes += (self.slot.len() + self.cval.len()) as u64 / 8;
        self.slot.copy_from_slice(slots);
        self.load.iter_mut().for_each(|l| *l = 0);
        self.gval = 0.0;
        for k in 0..self.miss.len() {
            let c = &self.m.commits[k];
            #[allow(clippy::cast_possible_truncation)]
            let miss = c.groups.iter().filter(|&&g| self.slot[g] >= self.r).count() as u32;
            self.miss[k] = miss;
        }
        for g in 0..self.slot.len() {
            let s = self.slot[g];
            if s < self.r {
                self.load[s] += self.m.effort[g];
            }
            self.gval += self.m.value[g][s];
        }
        self.csum = 0.0;
        self.need.iter_mut().for_each(|x| *x = 0);
        for k in 0..self.cval.len() {
            self.cval[k] = self.commit_value(k);
            self.csum += self.cval[k];
            if self.cval[k] > 0.0 {
                for &g in &self.m.commits[k].closure {
                    self.need[g] += 1;
                }
            }
        }
    }

    pub fn value(&self) -> f64 {
        self.gval + self.csum
    }

    pub fn best_value(&self) -> f64 {
        self.best_val
    }

    pub fn best_slots(&self) -> &[usize] {
        &self.best
    }

    /// A copy that searches with another random seed.
    pub fn fork(&self, seed: u64) -> Self {
        let mut s = self.clone();
        s.rng = Rng::new(seed);
        s
    }

    pub fn out_of_budget(&mut self) -> bool {
        if self.nodes >= self.node_limit {
            return true;
        }
        if let Some(stop) = self.stop {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return true;
            }
        }
        if self.nodes >= self.next_time_check {
            self.next_time_check = self.nodes + 50_000;
            if Instant::now() > self.deadline {
                self.hit_time = true;
            }
        }
        self.hit_time
    }

    /// Offers a feasible solution (group slots) as a candidate best.
    pub fn offer(&mut self, slots: &[usize], value: f64) {
        if value > self.best_val + EPS {
            self.best.copy_from_slice(slots);
            self.best_val = value;
        }
    }

    fn record_best(&mut self) {
        if !self.cap_ok() {
            return; // never keep an over-full plan (moves check capacity; this is a guard)
        }
        let v = self.value();
        if v > self.best_val + EPS {
            self.best.copy_from_slice(&self.slot);
            self.best_val = v;
        }
    }

    fn commit_value(&self, k: usize) -> f64 {
        let c = &self.m.commits[k];
        if !c.possible || self.miss[k] > 0 {
            return 0.0;
        }
        if self.r == 1 {
            return c.weight * self.m.weights[0];
        }
        let mut last = 0;
        for &g in &c.groups {
            let s = self.slot[g];
            if s >= self.r {
                return 0.0;
            }
            last = last.max(s);
        }
        if last > c.last {
            0.0
        } else {
            c.weight * self.m.weights[last]
        }
    }

    // ---- transactions -------------------------------------------------------

    fn set(&mut self, g: usize, s: usize) {
        let old = self.slot[g];
        if old == s {
            return;
        }
        if self.gstamp[g] != self.txn {
            self.gstamp[g] = self.txn;
            self.undo.push((g, old));
            for &k in &self.m.commits_of[g] {
                if self.cstamp[k] != self.txn {
                    self.cstamp[k] = self.txn;
                    self.touched_c.push(k);
                }
            }
        }
        self.raw_set(g, s);
    }

    fn raw_set(&mut self, g: usize, s: usize) {
        let old = self.slot[g];
        let e = self.m.effort[g];
        if old < self.r {
            self.load[old] -= e;
        }
        if s < self.r {
            self.load[s] += e;
        }
        if (old >= self.r) != (s >= self.r) {
            for &k in &self.m.commits_of[g] {
                if s >= self.r {
                    self.miss[k] += 1;
                } else {
                    self.miss[k] -= 1;
                }
            }
        }
        self.gval += self.m.value[g][s] - self.m.value[g][old];
        self.slot[g] = s;
    }

    fn txn_value(&self) -> f64 {
        let mut v = self.value();
        for &k in &self.touched_c {
            v += self.commit_value(k) - self.cval[k];
        }
        v
    }

    fn cap_ok(&self) -> bool {
        self.load.iter().zip(&self.m.caps).all(|(l, c)| l <= c)
    }

    fn commit(&mut self) {
        for i in 0..self.touched_c.len() {
            let k = self.touched_c[i];
            let nv = self.commit_value(k);
            self.csum += nv - self.cval[k];
            if (nv > 0.0) != (self.cval[k] > 0.0) {
                for &g in &self.m.commits[k].closure {
                    if nv > 0.0 {
                        self.need[g] += 1;
                    } else {
                        self.need[g] -= 1;
                    }
                }
            }
            self.cval[k] = nv;
        }
        self.nodes += 1 + self.undo.len() as u64;
        self.undo.clear();
        self.touched_c.clear();
        self.txn = self.txn.wrapping_add(1);
    }

    fn rollback(&mut self) {
        self.nodes += 1 + self.undo.len() as u64;
        while let Some((g, old)) = self.undo.pop() {
            self.raw_set(g, old);
        }
        self.touched_c.clear();
        self.txn = self.txn.wrapping_add(1);
    }

    // ---- moves --------------------------------------------------------------

    fn seeds(&self, e: Elem) -> &[usize] {
        match e {
            Elem::Commit(k) => &self.m.commits[k].groups,
            Elem::Group(g) => std::slice::from_ref(&self.m.members_index()[g]),
        }
    }

    fn last_slot(&self, e: Elem) -> usize {
        match e {
            Elem::Commit(k) => self.m.commits[k].last,
            Elem::Group(g) => {
                if self.m.mandatory[g] {
                    self.m.latest[g]
                } else {
                    self.r - 1
                }
            }
        }
    }

    /// Current completion slot of an element (R when it does not count).
    fn elem_slot(&self, e: Elem) -> usize {
        match e {
            Elem::Commit(k) => {
                if self.cval[k] > 0.0 {
                    self.m.commits[k]
                        .groups
                        .iter()
                        .map(|&g| self.slot[g])
                        .max()
                        .unwrap_or(self.r)
                } else {
                    self.r
                }
            }
            Elem::Group(g) => self.slot[g],
        }
    }

    /// Ships the element's groups (and what they need) in slot r or earlier.
    fn insert(&mut self, e: Elem, r: usize) -> bool {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.extend_from_slice(self.seeds(e));
        let mut ok = true;
        while let Some(h) = stack.pop() {
            if self.slot[h] <= r {
                continue;
            }
            if self.m.earliest[h] > r {
                ok = false;
                break;
            }
            self.set(h, r);
            stack.extend(self.m.deps[h].iter().copied());
        }
        self.stack = stack;
        ok
    }

    /// Moves group g to a later slot `target` (R = defer), with dependents that would
    /// otherwise ship earlier than it.
    fn postpone(&mut self, g: usize, target: usize) -> bool {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(g);
        let mut ok = true;
        while let Some(h) = stack.pop() {
            if self.slot[h] >= target {
                continue;
            }
            if self.m.mandatory[h] && target > self.m.latest[h] {
                ok = false;
                break;
            }
            self.set(h, target);
            stack.extend(self.m.dependents[h].iter().copied());
        }
        self.stack = stack;
        ok
    }

    /// Whether group h is needed by a counting commitment other than the one being
    /// dropped (`own`: h is in the closure of that counting commitment).
    fn needed_by_other(&self, h: usize, own: bool) -> bool {
        self.need[h] > u32::from(own)
    }

    fn has_own_value(&self, h: usize) -> bool {
        let s = self.slot[h];
        self.m.value[h][s] > self.m.value[h][self.r] + EPS
    }

    /// Drops an element: defers what only it needs (to `target`, R = defer).
    fn drop_elem(&mut self, e: Elem, target: usize) -> bool {
        match e {
            Elem::Group(g) => {
                if !self.postpone(g, target) {
                    return false;
                }
                // deps that only it needed
                let mut stack: Vec<usize> = self.m.deps[g].clone();
                while let Some(h) = stack.pop() {
                    if self.garbage(h, false, target) {
                        self.set(h, target);
                        stack.extend(self.m.deps[h].iter().copied());
                    }
                }
                true
            }
            Elem::Commit(k) => {
                if self.cval[k] <= 0.0 {
                    return true;
                }
                let list = std::mem::take(&mut self.ccl_desc[k]);
                for &h in &list {
                    if self.garbage(h, true, target) {
                        self.set(h, target);
                    }
                }
                self.ccl_desc[k] = list;
                true
            }
        }
    }

    /// Whether planned group h can go to `target` without losing anything (but the
    /// commitment being dropped, when `own`).
    fn garbage(&self, h: usize, own: bool, target: usize) -> bool {
        let s = self.slot[h];
        s < target
            && !self.m.mandatory[h]
            && !self.has_own_value(h)
            && !self.needed_by_other(h, own)
            && self.m.dependents[h].iter().all(|&d| self.slot[d] >= target)
    }

    /// Defers every planned group that nothing counting needs.
    fn cleanup(&mut self) {
        self.nodes += self.m.topo.len() as u64 / 8;
        for idx in (0..self.m.topo.len()).rev() {
            let h = self.m.topo[idx];
            if self.garbage(h, false, self.r) {
                self.set(h, self.r);
            }
        }
        self.commit();
    }

    // ---- construction and local search --------------------------------------

    /// Greedy fill: add elements by value per effort while they fit.
    /// Tries `(ratio, elem, slot)` moves best ratio first (ties by index), committing
    /// each that still fits and still improves the plan. `Some(true)` when any was
    /// committed; `None` when `budgeted` and the work budget ran out.
    fn insert_improving(
        &mut self,
        mut moves: Vec<(f64, usize, usize)>,
        budgeted: bool,
    ) -> Option<bool> {
        moves.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut added = false;
        for (_, i, r) in moves {
            if budgeted && self.out_of_budget() {
                return None;
            }
            let e = self.elems[i];
            if self.elem_slot(e) <= r {
                continue;
            }
            let before = self.value();
            if self.insert(e, r) && self.cap_ok() && self.txn_value() > before + EPS {
                self.commit();
                added = true;
            } else {
                self.rollback();
            }
        }
        Some(added)
    }

    pub fn greedy_fill(&mut self) {
        for _round in 0..3 {
            let mut cands: Vec<(f64, usize, usize)> = Vec::new();
            for i in 0..self.elems.len() {
                if self.out_of_budget() {
                    return;
                }
                if self.iterations > 0 && self.tabu[i] == self.iterations {
                    continue;
                }
                let e = self.elems[i];
                let cur = self.elem_slot(e);
                let last = self.last_slot(e);
                for r in 0..=last.min(self.r - 1) {
                    if r >= cur {
                        break;
                    }
                    let before = self.value();
                    let ok = self.insert(e, r) && self.cap_ok();
                    let delta = self.txn_value() - before;
                    let cost: u64 = self.undo.iter().map(|&(g, _)| self.m.effort[g]).sum();
                    self.rollback();
                    if ok && delta > EPS {
                        #[allow(clippy::cast_precision_loss)]
                        let ratio = delta / (cost as f64 + 1e-3);
                        cands.push((ratio, i, r));
                    }
                }
            }
            if cands.is_empty() {
                return;
            }
            if self.insert_improving(cands, true) != Some(true) {
                return;
            }
        }
    }

    /// Local search: fill (adds by value per effort) and swap (drop one, add one)
    /// until neither finds an improvement.
    pub fn local_search(&mut self) {
        while !self.out_of_budget() && self.swap_pass() {}
    }

    /// One round: adds that fit if there are any, else the first improving swap for
    /// each counting element. Returns whether anything improved.
    fn swap_pass(&mut self) -> bool {
        let r_n = self.r;
        // Per element and slot: the add delta and cost in the current state.
        let mut adds: Vec<(usize, usize, f64, u64)> = Vec::new(); // (elem, slot, delta, cost)
        let mut fits: Vec<(f64, usize, usize)> = Vec::new();
        for i in 0..self.elems.len() {
            if self.iterations > 0 && self.tabu[i] == self.iterations {
                continue;
            }
            let e = self.elems[i];
            let cur = self.elem_slot(e);
            let last = self.last_slot(e);
            for r in 0..=last.min(r_n - 1) {
                if r >= cur {
                    break;
                }
                let before = self.value();
                let ok = self.insert(e, r);
                let d = self.txn_value() - before;
                let fit = self.cap_ok();
                let c: u64 = self.undo.iter().map(|&(g, _)| self.m.effort[g]).sum();
                self.rollback();
                if ok && d > EPS {
                    adds.push((i, r, d, c));
                    if fit {
                        #[allow(clippy::cast_precision_loss)]
                        fits.push((d / (c as f64 + 1e-3), i, r));
                    }
                }
            }
        }
        if !fits.is_empty() {
            if self.noise {
                for f in &mut fits {
                    #[allow(clippy::cast_precision_loss)]
                    let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                    f.0 *= 1.0 + 0.5 * u;
                }
            }
            self.noise = false;
            if self.insert_improving(fits, false) == Some(true) {
                return true;
            }
        }
        if adds.is_empty() {
            return false;
        }
        adds.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        // Per slot: the adds into it (by delta), with the cheapest cost from each
        // position on, to stop scanning when nothing further can fit.
        let mut by_slot: Vec<Vec<(usize, f64, i64)>> = vec![Vec::new(); r_n];
        for &(j, r, d, c) in &adds {
            by_slot[r].push((j, d, i64::try_from(c).unwrap_or(i64::MAX)));
        }
        let min_cost: Vec<Vec<i64>> = by_slot
            .iter()
            .map(|list| {
                let mut m = vec![i64::MAX; list.len() + 1];
                for idx in (0..list.len()).rev() {
                    m[idx] = m[idx + 1].min(list[idx].2);
                }
                m
            })
            .collect();
        let room_now: Vec<i64> = (0..r_n)
            .map(|r| {
                i64::try_from(self.m.caps[r]).unwrap_or(i64::MAX)
                    - i64::try_from(self.load[r]).unwrap_or(0)
            })
            .collect();
        let mut improved = false;
        let mut drops: Vec<(usize, f64, Vec<i64>)> = Vec::new();
        for i in 0..self.elems.len() {
            if self.out_of_budget() {
                break;
            }
            let e1 = self.elems[i];
            let cur1 = self.elem_slot(e1);
            if cur1 >= r_n {
                continue;
            }
            // Defer it, or (with several slots) postpone it to a later slot.
            let mut done = false;
            for target in (cur1 + 1..=r_n).rev() {
                if done {
                    break;
                }
                let before = self.value();
                if !self.drop_elem(e1, target) {
                    self.rollback();
                    continue;
                }
                let loss = before - self.txn_value();
                let mut freed = vec![0i64; r_n];
                for &(g, old) in &self.undo {
                    let e = i64::try_from(self.m.effort[g]).unwrap_or(i64::MAX);
                    if old < r_n {
                        freed[old] += e;
                    }
                    if self.slot[g] < r_n {
                        freed[self.slot[g]] -= e;
                    }
                }
                self.rollback();
                if target == r_n && loss > -EPS {
                    drops.push((i, loss, freed.clone()));
                }
                let mut best: Option<(f64, usize, usize)> = None;
                for r in 0..r_n {
                    let room = room_now[r] + freed[r];
                    if room <= 0 {
                        continue;
                    }
                    let mut tries = 0;
                    for (idx, &(j, d, c)) in by_slot[r].iter().enumerate() {
                        self.scanned += 1;
                        if min_cost[r][idx] > room || d <= loss + EPS {
                            break; // nothing further fits, or can pay for the loss
                        }
                        if best.is_some_and(|(bg, _, _)| d - loss <= bg + EPS) {
                            break;
                        }
                        if j == i || c > room {
                            continue;
                        }
                        let e2 = self.elems[j];
                        if self.elem_slot(e2) <= r {
                            continue;
                        }
                        let ok = self.drop_elem(e1, target) && self.insert(e2, r) && self.cap_ok();
                        let gain = self.txn_value() - before;
                        self.rollback();
                        if ok && gain > EPS {
                            if best.is_none_or(|(bg, _, _)| gain > bg) {
                                best = Some((gain, j, r));
                            }
                            break;
                        }
                        tries += 1;
                        if tries >= 40 {
                            break;
                        }
                    }
                }
                if let Some((_, j, r)) = best {
                    let e2 = self.elems[j];
                    self.drop_elem(e1, target);
                    self.insert(e2, r);
                    self.commit();
                    improved = true;
                    done = true;
                }
            }
        }
        self.nodes += self.scanned / 8;
        self.scanned = 0;
        if !improved {
            improved = self.eject_pass(&adds, &drops);
        }
        improved
    }

    /// Adds one element, making room by dropping the counting elements that lose the
    /// least value per unit of freed room (an ejection move: one in, several out).
    fn eject_pass(
        &mut self,
        adds: &[(usize, usize, f64, u64)],
        drops: &[(usize, f64, Vec<i64>)],
    ) -> bool {
        let r_n = self.r;
        let mut by_slot: Vec<Vec<usize>> = Vec::with_capacity(r_n);
        for r in 0..r_n {
            let mut idx: Vec<usize> = (0..drops.len()).filter(|&k| drops[k].2[r] > 0).collect();
            #[allow(clippy::cast_precision_loss)]
            idx.sort_by(|&a, &b| {
                let ra = drops[a].1 / drops[a].2[r] as f64;
                let rb = drops[b].1 / drops[b].2[r] as f64;
                ra.total_cmp(&rb).then(a.cmp(&b))
            });
            by_slot.push(idx);
        }
        let mut tries = 0;
        for &(j, r, d, c) in adds {
            if tries >= 60 || self.out_of_budget() {
                break;
            }
            let room = i64::try_from(self.m.caps[r]).unwrap_or(i64::MAX)
                - i64::try_from(self.load[r]).unwrap_or(0);
            let need = i64::try_from(c).unwrap_or(i64::MAX) - room;
            if need <= 0 {
                continue;
            }
            let mut picked = Vec::new();
            let (mut freed, mut loss) = (0i64, 0.0);
            for &k in &by_slot[r] {
                if drops[k].0 == j {
                    continue;
                }
                picked.push(drops[k].0);
                freed += drops[k].2[r];
                loss += drops[k].1;
                if freed >= need || loss >= d {
                    break;
                }
            }
            if freed < need || loss >= d - EPS {
                continue;
            }
            tries += 1;
            let before = self.value();
            let mut ok = true;
            for &i in &picked {
                ok &= self.drop_elem(self.elems[i], r_n);
            }
            ok = ok && self.insert(self.elems[j], r) && self.cap_ok();
            if ok && self.txn_value() > before + EPS {
                self.commit();
                return true;
            }
            self.rollback();
        }
        false
    }

    /// Lagrangian repair: starts from a closure that may overload slots, then, slot
    /// by slot, postpones the planned group that loses the least value per unit of
    /// room until the slot fits; finally fills greedily.
    pub fn repair(&mut self, slots: &[usize]) {
        // Mandatory groups must keep their windows; start them from the closure
        // (which respects windows), everything else as in the closure too.
        self.load_state(slots);
        let r_n = self.r;
        for r in 0..r_n {
            if self.load[r] <= self.m.caps[r] {
                continue;
            }
            // Rank the groups in the slot once by value lost per unit of room freed.
            let target = if r + 1 < r_n { r + 1 } else { r_n };
            let mut ranked: Vec<(f64, usize)> = Vec::new();
            for g in 0..self.slot.len() {
                if self.slot[g] != r {
                    continue;
                }
                if self.out_of_budget() {
                    break;
                }
                let before = self.value();
                let load_before = self.load[r];
                let ok = self.postpone(g, target);
                let loss = before - self.txn_value();
                let freed = load_before.saturating_sub(self.load[r]);
                self.rollback();
                if ok && freed > 0 {
                    #[allow(clippy::cast_precision_loss)]
                    ranked.push((loss / freed as f64, g));
                }
            }
            ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (_, g) in ranked {
                if self.load[r] <= self.m.caps[r] {
                    break;
                }
                if self.slot[g] == r {
                    if self.postpone(g, target) {
                        self.commit();
                    } else {
                        self.rollback();
                    }
                }
            }
        }
        if self.cap_ok() {
            self.cleanup();
            self.greedy_fill();
            self.record_best();
        } else {
            let base = self.base.clone();
            self.load_state(&base);
        }
    }

    /// Builds a solution from the base by inserting elements in the given order.
    pub fn construct(&mut self, order: &[(Elem, usize)]) {
        let base = self.base.clone();
        self.load_state(&base);
        for &(e, r) in order {
            if self.out_of_budget() {
                break;
            }
            let last = self.last_slot(e).min(self.r - 1);
            for rr in r..=last {
                if self.elem_slot(e) <= rr {
                    break;
                }
                let before = self.value();
                if self.insert(e, rr) && self.cap_ok() && self.txn_value() > before + EPS {
                    self.commit();
                    break;
                }
                self.rollback();
            }
        }
        self.greedy_fill();
        self.record_best();
    }

    /// Iterated local search from the best solution (late-acceptance), until the budget
    /// is spent, the bound is reached, or `stall` rounds bring nothing new.
    pub fn run(&mut self, bound: f64, tol: f64, stall: u64, report: &mut dyn FnMut(f64)) {
        let best = self.best.clone();
        self.load_state(&best);
        self.local_search();
        self.record_best();
        report(self.best_val);
        let mut stale = 0u64;
        const HIST: usize = 60;
        let mut hist = vec![self.value(); HIST];
        let mut saved = self.slot.clone();
        let restart: u64 = 1500;
        while !self.out_of_budget() && self.best_val < bound - tol && stale < stall {
            self.iterations += 1;
            self.nodes += (self.elems.len() + self.slot.len()) as u64 / 8;
            let before = self.value();
            saved.copy_from_slice(&self.slot);
            // Perturb: drop a few counting elements.
            let counting: Vec<usize> = (0..self.elems.len())
                .filter(|&i| self.elem_slot(self.elems[i]) < self.r)
                .collect();
            if counting.is_empty() {
                break;
            }
            #[allow(clippy::cast_possible_truncation)]
            let kmax = if self.rng.below(8) == 0 {
                (counting.len() / 8).max(2)
            } else {
                (2 + (stale / 50) as usize).min(6).min(counting.len())
            };
            let k = 1 + self.rng.below(kmax);
            if self.rng.below(2) == 0 {
                for _ in 0..k {
                    let i = counting[self.rng.below(counting.len())];
                    self.tabu[i] = self.iterations;
                    let e = self.elems[i];
                    if self.drop_elem(e, self.r) {
                        self.commit();
                    } else {
                        self.rollback();
                    }
                }
            } else {
                // Drop a random planned group with everything that needs it.
                let planned: Vec<usize> = (0..self.slot.len())
                    .filter(|&g| self.slot[g] < self.r && !self.m.mandatory[g])
                    .collect();
                if !planned.is_empty() {
                    let moves = if self.r == 1 { k.min(2) } else { k };
                    for _ in 0..moves {
                        let g = planned[self.rng.below(planned.len())];
                        // With several releases, often just a later release.
                        let target = if self.r == 1 || self.slot[g] >= self.r {
                            self.r
                        } else {
                            self.slot[g] + 1 + self.rng.below(self.r - self.slot[g])
                        };
                        // The first release from `target` on where it fits (or defer).
                        for t in target..=self.r {
                            if self.postpone(g, t) && self.cap_ok() {
                                self.commit();
                                break;
                            }
                            self.rollback();
                        }
                    }
                    for i in 0..self.elems.len() {
                        if self.elem_slot(self.elems[i]) >= self.r {
                            self.tabu[i] = self.iterations;
                        }
                    }
                    self.cleanup();
                }
            }
            // Often force in a random element that is not counting.
            if self.rng.below(3) != 0 {
                let off: Vec<usize> = (0..self.elems.len())
                    .filter(|&i| self.elem_slot(self.elems[i]) >= self.r)
                    .collect();
                if !off.is_empty() {
                    let i = off[self.rng.below(off.len())];
                    let e = self.elems[i];
                    let r = self.rng.below(self.last_slot(e).min(self.r - 1) + 1);
                    if self.insert(e, r) && self.cap_ok() {
                        self.commit();
                    } else {
                        self.rollback();
                        // make room: drop random counting elements until it fits (bounded)
                        for _ in 0..4 {
                            let counting: Vec<usize> = (0..self.elems.len())
                                .filter(|&j| j != i && self.elem_slot(self.elems[j]) < self.r)
                                .collect();
                            if counting.is_empty() {
                                break;
                            }
                            let j = counting[self.rng.below(counting.len())];
                            if self.drop_elem(self.elems[j], self.r) {
                                self.commit();
                            } else {
                                self.rollback();
                            }
                            if self.insert(e, r) && self.cap_ok() {
                                self.commit();
                                break;
                            }
                            self.rollback();
                        }
                    }
                }
            }
            self.noise = self.rng.below(2) == 0;
            self.local_search();
            let v = self.value();
            if v > self.best_val + EPS {
                self.record_best();
                report(self.best_val);
                stale = 0;
            } else {
                stale += 1;
                if stale.is_multiple_of(restart) {
                    // Restart from the best with a fresh history.
                    let best = self.best.clone();
                    self.load_state(&best);
                    hist.iter_mut().for_each(|h| *h = self.best_val);
                    continue;
                }
            }
            #[allow(clippy::cast_possible_truncation)]
            let slot_h = (self.iterations as usize) % HIST;
            // Threshold accepting, cooling with the spent budget.
            #[allow(clippy::cast_precision_loss)]
            let cool = 1.0 - (self.nodes as f64 / self.node_limit.max(1) as f64).min(1.0);
            let delta = self.accept * cool * self.best_val.abs();
            if v + EPS >= hist[slot_h] || v + EPS >= before || v >= self.best_val - delta {
                hist[slot_h] = v;
            } else {
                self.load_state(&saved);
                hist[slot_h] = before;
            }
        }
        // Recompute exactly (undo accumulated round-off).
        let best = self.best.clone();
        self.load_state(&best);
        self.best_val = self.value();
    }
}

impl Model {
    /// Identity map used to borrow a group index as a one-element slice.
    pub(crate) fn members_index(&self) -> &[usize] {
        &self.index
    }
}

/// Exhaustive search for tiny problems: the optimum, or None when too big or over budget.
pub(crate) fn exhaustive(
    m: &Model,
    node_limit: u64,
    deadline: Instant,
    stats: &mut Stats,
) -> Option<(Vec<usize>, f64)> {
    let g_n = m.groups();
    #[allow(clippy::cast_precision_loss)]
    let space = ((m.r + 1) as f64).powi(i32::try_from(g_n).unwrap_or(i32::MAX));
    if space > 2.0e6 || m.r == 0 {
        return None;
    }
    struct Dfs<'m> {
        m: &'m Model,
        slot: Vec<usize>,
        load: Vec<u64>,
        best: Option<(Vec<usize>, f64)>,
        nodes: u64,
        limit: u64,
        deadline: Instant,
        aborted: bool,
    }
    impl Dfs<'_> {
        fn go(&mut self, i: usize) {
            if self.aborted {
                return;
            }
            self.nodes += 1;
            if self.nodes >= self.limit
                || (self.nodes.is_multiple_of(4096) && Instant::now() > self.deadline)
            {
                self.aborted = true;
                return;
            }
            let m = self.m;
            if i == m.topo.len() {
                let v = total_value(m, &self.slot);
                if self.best.as_ref().is_none_or(|(_, b)| v > *b + EPS) {
                    self.best = Some((self.slot.clone(), v));
                }
                return;
            }
            let g = m.topo[i];
            let mut lo = m.earliest[g];
            let mut any_deferred = false;
            for &d in &m.deps[g] {
                if self.slot[d] >= m.r {
                    any_deferred = true;
                } else {
                    lo = lo.max(self.slot[d]);
                }
            }
            let hi = if m.mandatory[g] { m.latest[g] } else { m.r - 1 };
            if !any_deferred {
                for s in lo..=hi {
                    if self.load[s] + m.effort[g] <= m.caps[s] {
                        self.load[s] += m.effort[g];
                        self.slot[g] = s;
                        self.go(i + 1);
                        self.load[s] -= m.effort[g];
                    }
                }
            }
            if !m.mandatory[g] {
                self.slot[g] = m.r;
                self.go(i + 1);
            }
            self.slot[g] = m.r;
        }
    }
    let mut dfs = Dfs {
        m,
        slot: vec![m.r; g_n],
        load: vec![0; m.r],
        best: None,
        nodes: 0,
        limit: node_limit,
        deadline,
        aborted: false,
    };
    dfs.go(0);
    stats.nodes += dfs.nodes;
    if dfs.aborted {
        return None;
    }
    dfs.best
}

/// The objective of a group-level assignment.
pub(crate) fn total_value(m: &Model, slot: &[usize]) -> f64 {
    let mut v: f64 = (0..slot.len()).map(|g| m.value[g][slot[g]]).sum();
    for c in &m.commits {
        if !c.possible {
            continue;
        }
        let mut last = 0;
        let mut all = true;
        for &g in &c.groups {
            if slot[g] >= m.r {
                all = false;
                break;
            }
            last = last.max(slot[g]);
        }
        if all && last <= c.last {
            v += c.weight * m.weights[last];
        }
    }
    v
}
