//! Two releases re-planned exactly at a time.
//!
//! The plans the walks and the branch and bound leave behind differ from the
//! optimum by exchanges between releases that no single move makes worthwhile:
//! two small requests move into the earlier release and a larger one, with what
//! depends on it, moves into the later one, which makes room for a deferred
//! request there. Such an exchange between slots s < t is found exactly here.
//! Every group in s, in t or deferred is *in play* and may take any of those
//! three places (within its window, and keeping its dependencies on the groups
//! that stay where they are); everything else stays. The best arrangement of
//! the groups in play is then a knapsack over the free capacity of s and of t
//! in every resource, solved by dynamic programming over the loads.
//!
//! Groups in play that a dependency or a commitment ties together are one item
//! whose options are their joint places, enumerated (up to [`MAX_JOINT`]; a
//! larger tie stays where it is), so dependencies hold and commitments count
//! exactly: the dynamic program's best is the best plan of the neighbourhood.
//! When the loads of every resource in both slots make too many states, the
//! groups are played one resource signature at a time (the groups using the same
//! set of resources, the others fixed). Pairs are swept until a sweep finds
//! nothing or the work budget (states × options) is spent, so the result does not
//! depend on the machine.

use super::bb::plan_ok;
use super::clock::Deadline;
use super::model::{find, Model};
use super::search::{total_value, Search};

/// The most states (load combinations) of one dynamic program.
const MAX_STATES: usize = 1 << 17;
/// The most joint options of one item (groups tied by dependencies or commitments).
const MAX_JOINT: usize = 1024;
/// The most back-pointers (items × states) of one dynamic program.
const MAX_TABLE: usize = 1 << 25;

/// One joint option of an item: the places of its groups, their load in every
/// dimension and their value (commitments included).
struct Choice {
    places: Vec<usize>,
    load: Vec<u64>,
    /// The load summed over each side's dimensions (s, t).
    side: [u64; 2],
    value: f64,
}

/// Groups in play that must be placed together, with their joint options.
struct Item {
    groups: Vec<usize>,
    choices: Vec<Choice>,
}

/// A dimension of the dynamic program: a resource in one of the two slots.
struct Dim {
    slot: usize,
    res: usize,
    free: u64,
}

/// What the exchanges did.
pub(crate) struct Outcome {
    /// Work spent (dynamic-programming cells × options).
    pub work: u64,
    /// Whether the plan is *pair-optimal*: the last sweep found nothing, and it
    /// played every pair whole (all groups in either slot or deferred at once,
    /// not one set of resources at a time, none skipped for the budget).
    pub pair_optimal: bool,
}

/// Improves the best plan of `search` by exchanges between two slots until a
/// sweep over all pairs finds nothing, `work` units are spent or the deadline
/// passes.
pub(crate) fn improve<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    work: u64,
    deadline: Deadline,
) -> Outcome {
    let mut out = Outcome {
        work: 0,
        pair_optimal: false,
    };
    if m.r < 2 {
        return out;
    }
    let mut cur = search.best_slots().to_vec();
    let mut val = total_value(m, &cur);
    let tol = m.tolerance();
    loop {
        let mut better = false;
        let mut whole = true;
        // Neighbouring releases first: most exchanges are between them.
        for gap in 1..m.r {
            for s in 0..m.r - gap {
                let t = s + gap;
                if out.work >= work || deadline.passed() {
                    return out;
                }
                let classes = classes(m, &cur, s, t);
                whole &= classes.len() == 1 && classes[0].whole;
                for class in classes {
                    let Some(next) =
                        best_arrangement(m, &cur, s, t, &class.play, &mut out.work, work)
                    else {
                        whole = false;
                        continue;
                    };
                    let v = total_value(m, &next);
                    if v > val + tol && plan_ok(m, &next) {
                        cur = next;
                        val = v;
                        better = true;
                        search.offer(&cur, val);
                    }
                }
            }
        }
        if !better {
            out.pair_optimal = whole;
            return out;
        }
    }
}

/// The resources (bit set) group g uses that are limited in slot s or t.
fn signature(m: &Model, g: usize, s: usize, t: usize) -> u64 {
    m.uses[g]
        .iter()
        .filter(|&&(j, _)| m.caps[s * m.k + j] != u64::MAX || m.caps[t * m.k + j] != u64::MAX)
        .fold(0, |acc, &(j, _)| acc | 1u64 << j.min(63))
}

/// The state space of one dynamic program: a dimension per limited resource and
/// slot, except that a resource whose units are, for every group in play, the sum
/// of the others' (the total, when every request is on a team) is no dimension
/// but a limit on the sum of its slot's dimensions.
struct Layout {
    dims: Vec<Dim>,
    /// Per side (s, t): the free units of the summed resource (`u64::MAX`: none).
    sums: [u64; 2],
    states: usize,
}

/// The free units of resource `res` in `slot` once the groups not in play take
/// theirs (`u64::MAX`: unlimited).
fn free(m: &Model, cur: &[usize], play: &[bool], slot: usize, res: usize) -> u64 {
    let cap = m.caps[slot * m.k + res];
    if cap == u64::MAX {
        return cap;
    }
    let fixed: u64 = (0..m.groups())
        .filter(|&g| cur[g] == slot && !play[g])
        .map(|g| m.units(g, res))
        .sum();
    cap.saturating_sub(fixed)
}

/// The layout for the groups `play` (everything else fixed where `cur` has it);
/// None when it has more than [`MAX_STATES`] states.
fn layout(m: &Model, cur: &[usize], s: usize, t: usize, play: &[bool]) -> Option<Layout> {
    let mut used = 0u64;
    for (g, _) in play.iter().enumerate().filter(|x| *x.1) {
        used |= signature(m, g, s, t);
    }
    let res: Vec<usize> = (0..m.k).filter(|&j| used >> j.min(63) & 1 == 1).collect();
    let limited = |j: usize| m.caps[s * m.k + j] != u64::MAX && m.caps[t * m.k + j] != u64::MAX;
    let summed = (res.len() > 1)
        .then(|| {
            res.iter().copied().find(|&j| {
                res.iter().all(|&o| o == j || limited(o))
                    && (0..m.groups()).filter(|&g| play[g]).all(|g| {
                        m.units(g, j)
                            == res
                                .iter()
                                .filter(|&&o| o != j)
                                .map(|&o| m.units(g, o))
                                .sum::<u64>()
                    })
            })
        })
        .flatten();
    let mut dims = Vec::new();
    let mut states = 1usize;
    for slot in [s, t] {
        for &j in res.iter().filter(|&&j| Some(j) != summed) {
            let free = free(m, cur, play, slot, j);
            if free == u64::MAX {
                continue;
            }
            states = states.checked_mul(usize::try_from(free).ok()?.checked_add(1)?)?;
            if states > MAX_STATES {
                return None;
            }
            dims.push(Dim { slot, res: j, free });
        }
    }
    let sums = summed.map_or([u64::MAX; 2], |j| {
        [free(m, cur, play, s, j), free(m, cur, play, t, j)]
    });
    Some(Layout { dims, sums, states })
}

/// A set of groups to play for two slots.
struct Class {
    /// Per group: in play.
    play: Vec<bool>,
    /// Whether these are all groups in either slot or deferred.
    whole: bool,
}

/// The sets of groups to play for slots s and t: all groups in s, t or deferred
/// together when their loads make few enough states; else, for every two
/// resource signatures, the groups whose resources are among theirs (the largest
/// such sets that fit: with three teams, every two teams and the total).
fn classes(m: &Model, cur: &[usize], s: usize, t: usize) -> Vec<Class> {
    let r_n = m.r;
    let here = |g: usize| cur[g] == s || cur[g] == t || cur[g] >= r_n;
    let all: Vec<bool> = (0..m.groups()).map(here).collect();
    if layout(m, cur, s, t, &all).is_some() {
        return vec![Class {
            play: all,
            whole: true,
        }];
    }
    let sig: Vec<u64> = (0..m.groups()).map(|g| signature(m, g, s, t)).collect();
    let mut sigs: Vec<u64> = (0..m.groups())
        .filter(|&g| all[g])
        .map(|g| sig[g])
        .collect();
    sigs.sort_unstable();
    sigs.dedup();
    let play = |set: u64| -> Vec<bool> {
        (0..m.groups())
            .map(|g| all[g] && sig[g] & !set == 0)
            .collect()
    };
    let mut fits: Vec<u64> = Vec::new();
    for (i, &a) in sigs.iter().enumerate() {
        for &b in &sigs[i..] {
            let set = a | b;
            if !fits.contains(&set) && layout(m, cur, s, t, &play(set)).is_some() {
                fits.push(set);
            }
        }
    }
    let maximal: Vec<u64> = fits
        .iter()
        .copied()
        .filter(|&x| !fits.iter().any(|&y| y != x && x & !y == 0))
        .collect();
    maximal
        .into_iter()
        .map(|set| Class {
            play: play(set),
            whole: false,
        })
        .collect()
}

/// Whether group g may take place x (a slot, or R = deferred) while every group
/// not in play stays where `cur` has it.
fn allowed(m: &Model, cur: &[usize], play: &[bool], g: usize, x: usize) -> bool {
    let r_n = m.r;
    if x < r_n {
        if x < m.earliest[g] || (m.mandatory[g] && x > m.latest[g]) {
            return false;
        }
        if m.deps[g].iter().any(|&d| !play[d] && cur[d] > x) {
            return false;
        }
        !m.dependents[g]
            .iter()
            .any(|&h| !play[h] && cur[h] < r_n && x > cur[h])
    } else {
        !m.mandatory[g] && !m.dependents[g].iter().any(|&h| !play[h] && cur[h] < r_n)
    }
}

/// The items of the groups in play: groups tied by a dependency or a commitment
/// among them form one item, with every joint option that keeps their
/// dependencies and fits the free capacities.
fn items(m: &Model, cur: &[usize], s: usize, t: usize, play: &[bool], lay: &Layout) -> Vec<Item> {
    let dims = &lay.dims;
    let r_n = m.r;
    let g_n = m.groups();
    let mut parent: Vec<usize> = (0..g_n).collect();
    let union = |a: usize, b: usize, parent: &mut Vec<usize>| {
        let (x, y) = (find(parent, a), find(parent, b));
        if x != y {
            parent[x.max(y)] = x.min(y);
        }
    };
    for g in (0..g_n).filter(|&g| play[g]) {
        for &d in m.deps[g].iter().filter(|&&d| play[d]) {
            union(g, d, &mut parent);
        }
        for &c in &m.commits_of[g] {
            if m.commits[c].possible {
                for &h in m.commits[c].groups.iter().filter(|&&h| play[h]) {
                    union(g, h, &mut parent);
                }
            }
        }
    }
    let mut comps: Vec<Vec<usize>> = vec![Vec::new(); g_n];
    for g in (0..g_n).filter(|&g| play[g]) {
        let root = find(&mut parent, g);
        comps[root].push(g);
    }
    let mut out = Vec::new();
    let mut place = cur.to_vec();
    for comp in comps.into_iter().filter(|c| !c.is_empty()) {
        let opts: Vec<Vec<usize>> = comp
            .iter()
            .map(|&g| {
                let o: Vec<usize> = [s, t, r_n]
                    .into_iter()
                    .filter(|&x| allowed(m, cur, play, g, x))
                    .collect();
                if o.is_empty() {
                    vec![cur[g]]
                } else {
                    o
                }
            })
            .collect();
        let joint = opts
            .iter()
            .try_fold(1usize, |acc, o| acc.checked_mul(o.len()))
            .filter(|&n| n <= MAX_JOINT);
        let opts: Vec<Vec<usize>> = if joint.is_some() {
            opts
        } else {
            comp.iter().map(|&g| vec![cur[g]]).collect()
        };
        let mut commits: Vec<usize> = comp
            .iter()
            .flat_map(|&g| m.commits_of[g].iter().copied())
            .filter(|&c| m.commits[c].possible)
            .collect();
        commits.sort_unstable();
        commits.dedup();
        let mut choices = Vec::new();
        let mut pick = vec![0usize; comp.len()];
        'combos: loop {
            for (i, &g) in comp.iter().enumerate() {
                place[g] = opts[i][pick[i]];
            }
            let keeps_deps = comp
                .iter()
                .all(|&g| place[g] >= r_n || m.deps[g].iter().all(|&d| place[d] <= place[g]));
            if keeps_deps {
                let mut load = vec![0u64; dims.len()];
                for &g in &comp {
                    for (d, dim) in dims.iter().enumerate() {
                        if place[g] == dim.slot {
                            load[d] += m.units(g, dim.res);
                        }
                    }
                }
                let mut side = [0u64; 2];
                for (l, d) in load.iter().zip(dims) {
                    side[usize::from(d.slot == t)] += l;
                }
                if load.iter().zip(dims).all(|(l, d)| *l <= d.free)
                    && side.iter().zip(&lay.sums).all(|(l, f)| l <= f)
                {
                    let mut value: f64 = comp.iter().map(|&g| m.value[g][place[g]]).sum();
                    for &c in &commits {
                        let cm = &m.commits[c];
                        let last = cm.groups.iter().map(|&h| place[h]).max().unwrap_or(0);
                        if last < r_n && last <= cm.last {
                            value += cm.weight * m.weights[last];
                        }
                    }
                    choices.push(Choice {
                        places: comp.iter().map(|&g| place[g]).collect(),
                        load,
                        side,
                        value,
                    });
                }
            }
            // The next combination (odometer).
            for i in 0..comp.len() {
                pick[i] += 1;
                if pick[i] < opts[i].len() {
                    continue 'combos;
                }
                pick[i] = 0;
            }
            break;
        }
        for &g in &comp {
            place[g] = cur[g];
        }
        out.push(Item {
            groups: comp,
            choices,
        });
    }
    out
}

/// The best arrangement of the groups `play` over slots s, t and deferred, as
/// group slots (None when the dynamic program is too large for the budget).
fn best_arrangement(
    m: &Model,
    cur: &[usize],
    s: usize,
    t: usize,
    play: &[bool],
    spent: &mut u64,
    work: u64,
) -> Option<Vec<usize>> {
    // The layout again, not the one `classes` checked: an earlier class of this
    // pair may have moved groups that take this class's room.
    let lay = layout(m, cur, s, t, play)?;
    let items = items(m, cur, s, t, play, &lay);
    let (dims, states) = (&lay.dims, lay.states);
    let choices: usize = items.iter().map(|it| it.choices.len() + 1).sum();
    let cost = (states as u64).saturating_mul(choices as u64);
    if items.iter().any(|it| it.choices.is_empty())
        || states.saturating_mul(items.len()) > MAX_TABLE
        || *spent + cost > work
    {
        return None;
    }
    *spent += cost;
    let mut stride = vec![1usize; dims.len()];
    for d in 1..dims.len() {
        stride[d] = stride[d - 1] * (usize::try_from(dims[d - 1].free).ok()? + 1);
    }
    let delta = |o: &Choice| -> usize {
        o.load
            .iter()
            .zip(&stride)
            .map(|(&l, &st)| l as usize * st)
            .sum()
    };
    // Per state, the load of each side (for the summed resource's limit).
    let summed = lay.sums.iter().any(|&f| f != u64::MAX);
    let mut side_load: Vec<[u64; 2]> = Vec::new();
    if summed {
        side_load.reserve(states);
        let mut load = vec![0u64; dims.len()];
        for idx in 0..states {
            if idx > 0 {
                for (d, dim) in dims.iter().enumerate() {
                    load[d] += 1;
                    if load[d] <= dim.free {
                        break;
                    }
                    load[d] = 0;
                }
            }
            let mut side = [0u64; 2];
            for (l, d) in load.iter().zip(dims) {
                side[usize::from(d.slot == t)] += l;
            }
            side_load.push(side);
        }
    }
    let mut best = vec![f64::NEG_INFINITY; states];
    best[0] = 0.0;
    let mut back: Vec<Vec<u16>> = Vec::with_capacity(items.len());
    let mut pos = vec![0usize; dims.len()];
    for item in &items {
        let mut next = vec![f64::NEG_INFINITY; states];
        let mut choice = vec![u16::MAX; states];
        for (k, o) in item.choices.iter().enumerate() {
            // The states this choice fits on form a box (every load ≤ free − its
            // load); its runs along the first dimension are contiguous.
            let shift = delta(o);
            let extent: Vec<usize> = dims
                .iter()
                .zip(&o.load)
                .map(|(d, &l)| (d.free - l) as usize + 1)
                .collect();
            let run = extent.first().copied().unwrap_or(1);
            #[allow(clippy::cast_possible_truncation)]
            let k = k as u16;
            pos.iter_mut().for_each(|p| *p = 0);
            'boxed: loop {
                let base: usize = (1..dims.len()).map(|d| pos[d] * stride[d]).sum();
                let (from, to) = (&best[base..base + run], base + shift);
                if summed {
                    let room = [lay.sums[0] - o.side[0], lay.sums[1] - o.side[1]];
                    for (i, &v) in from.iter().enumerate() {
                        let l = side_load[base + i];
                        if l[0] <= room[0] && l[1] <= room[1] && v + o.value > next[to + i] {
                            next[to + i] = v + o.value;
                            choice[to + i] = k;
                        }
                    }
                } else {
                    for (i, &v) in from.iter().enumerate() {
                        if v + o.value > next[to + i] {
                            next[to + i] = v + o.value;
                            choice[to + i] = k;
                        }
                    }
                }
                for d in 1..dims.len() {
                    pos[d] += 1;
                    if pos[d] < extent[d] {
                        continue 'boxed;
                    }
                    pos[d] = 0;
                }
                break;
            }
        }
        best = next;
        back.push(choice);
    }
    let mut idx = (0..states).fold(0, |b, i| if best[i] > best[b] { i } else { b });
    if best[idx] == f64::NEG_INFINITY {
        // No arrangement fits (the current one always does; a guard).
        return None;
    }
    let mut out = cur.to_vec();
    for (item, choice) in items.iter().zip(&back).rev() {
        let o = &item.choices[usize::from(choice[idx])];
        for (&g, &x) in item.groups.iter().zip(&o.places) {
            out[g] = x;
        }
        idx -= delta(o);
    }
    Some(out)
}
