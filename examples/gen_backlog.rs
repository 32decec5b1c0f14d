//! Generates a realistic planning workspace for benchmarks and tests:
//! `cargo run --release --example gen_backlog -- --requests N --seed S [--teams]
//! [--problem FILE.json] OUT_DIR`.
//!
//! Six releases of 2027 (run `zyklus plan` with `ZYKLUS_NOW=2026-12-01T00:00:00Z`),
//! capacity for roughly 40 % of the backlog, Fibonacci efforts, weighted scores,
//! dependency chains, couplings, a few pins and deadlines, and partner
//! commitments — the shapes a real backlog has.
//!
//! `--teams` adds three teams (`[capacity.teams]`): most requests belong to one
//! team (`team = "backend"`), about one in five splits its effort over two
//! (`[team_effort]`); team capacities cover roughly 40 % of each team's demand,
//! backend has less in 2027.4, and the total is a little below the teams' sum.
//! A coupled pair that needs more of a team than any release offers is uncoupled,
//! and a pin that would overfill its team is dropped, so that `zyklus plan` never
//! refuses the workspace as contradictory.
//! Without `--teams` the backlog is the same as before the option existed.
//!
//! `--problem FILE.json` also writes the planning problem that `zyklus plan`
//! builds from the workspace (at the time above, without a plan on disk) as
//! JSON, for `examples/nrp_solve.rs --problem` and `benches/plan_quality.py`.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

use zyklus::planning::{Commitment, Item, Problem, Slot};

/// xorshift64*: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const EFFORTS: [u64; 7] = [1, 2, 3, 5, 8, 13, 21];

fn usage() -> ExitCode {
    eprintln!("usage: gen_backlog --requests N [--seed S] [--teams] [--problem FILE.json] OUT_DIR");
    ExitCode::from(2)
}

/// The teams of `--teams`, and the share of single-team requests each gets.
const TEAMS: [(&str, u64); 3] = [("backend", 45), ("frontend", 35), ("mobile", 20)];

/// Everything random about one request that the workspace shows.
struct Drawn {
    kind: &'static str,
    accepted: bool,
    major: bool,
    value: u64,
    urgency: u64,
    risk: u64,
    /// Units per team (empty without teams).
    teams: Vec<(usize, u64)>,
}

#[allow(clippy::too_many_lines)]
fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut n, mut seed, mut out) = (None, 1_u64, None);
    let (mut teams, mut problem_json) = (false, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--requests" => n = args.next().and_then(|v| v.parse::<usize>().ok()),
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(s) => seed = s,
                None => return usage(),
            },
            "--teams" => teams = true,
            "--problem" => match args.next() {
                Some(p) => problem_json = Some(PathBuf::from(p)),
                None => return usage(),
            },
            _ if out.is_none() && !a.starts_with('-') => out = Some(PathBuf::from(a)),
            _ => return usage(),
        }
    }
    let (Some(n), Some(out)) = (n, out) else {
        return usage();
    };
    if n == 0 {
        return usage();
    }
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    let efforts: Vec<u64> = (0..n)
        .map(|_| EFFORTS[usize::try_from(rng.below(6)).unwrap_or(0)])
        .collect();
    let total: u64 = efforts.iter().sum();
    let capacity = (total * 40 / 100 / 6).max(21);
    let partners = (n / 10).clamp(3, 200);

    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut together: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pin: Vec<Option<u64>> = vec![None; n];
    let mut deadline: Vec<Option<&str>> = vec![None; n];
    let mut pinned_load = [0_u64; 6];
    for (i, d) in deps.iter_mut().enumerate().skip(1) {
        if rng.chance(20) {
            d.push(usize::try_from(rng.below(u64::try_from(i).unwrap_or(1))).unwrap_or(0));
        }
    }
    for i in 0..n {
        let free = deps[i].is_empty() && !deps.iter().any(|d| d.contains(&i));
        if free
            && i + 1 < n
            && rng.chance(3)
            && together[i].is_empty()
            && together[i + 1].is_empty()
            && deps[i + 1].is_empty()
        {
            together[i].push(i + 1);
            together[i + 1].push(i);
        } else if free && together[i].is_empty() && efforts[i] <= 5 && rng.chance(2) {
            let slot = 1 + rng.below(5);
            let s = usize::try_from(slot).unwrap_or(0);
            if pinned_load[s] + efforts[i] <= capacity / 4 {
                pinned_load[s] += efforts[i];
                pin[i] = Some(slot + 1);
            }
        } else if free && together[i].is_empty() && efforts[i] <= 5 && rng.chance(2) {
            deadline[i] = Some(
                ["2027-06-30", "2027-09-30", "2027-12-31"]
                    [usize::try_from(rng.below(3)).unwrap_or(0)],
            );
        }
    }

    let mut b = Backlog {
        n,
        capacity,
        partners,
        efforts,
        deps,
        together,
        pin,
        deadline,
    };
    let (commitments, drawn, caps) = draw(&b, teams, &mut rng);
    if let Some(c) = &caps {
        fit_teams(&mut b, &drawn, c);
    }
    if let Err(e) = write(&out, &b, &commitments, &drawn, caps.as_ref()) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    if let Some(path) = problem_json {
        let p = problem(&b, &commitments, &drawn, caps.as_ref());
        let text = match serde_json::to_string(&p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = fs::write(&path, text) {
            eprintln!("error: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "wrote {n} requests, {partners} partners, capacity {capacity}/release to {}",
        out.display()
    );
    ExitCode::SUCCESS
}

fn id(i: usize) -> String {
    format!("CR-{:05}", i + 1)
}

fn list(ids: &[usize]) -> String {
    ids.iter()
        .map(|&i| format!("\"{}\"", id(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The structure of a backlog, drawn before anything is written.
struct Backlog {
    n: usize,
    capacity: u64,
    partners: usize,
    efforts: Vec<u64>,
    deps: Vec<Vec<usize>>,
    together: Vec<Vec<usize>>,
    pin: Vec<Option<u64>>,
    deadline: Vec<Option<&'static str>>,
}

/// Team capacities: per team (default, capacity in 2027.4), and the total default.
struct TeamCaps {
    teams: Vec<(u64, u64)>,
    total: u64,
}

impl TeamCaps {
    /// The capacity of team `t` in slot `s` (2027.4 is slot 3).
    fn of(&self, t: usize, s: usize) -> u64 {
        let (default, r4) = self.teams[t];
        if s == 3 {
            r4
        } else {
            default
        }
    }
}

/// A drawn commitment: partner index, requests, weight.
type DrawnCommitment = (usize, Vec<usize>, u64);

/// Commitments (partner, requests, weight), the per-request draws and, with
/// teams, the team capacities — drawn in the order the workspace was always
/// written in, so that a seed without `--teams` gives the same backlog as ever.
#[allow(clippy::type_complexity)] // the planning branch's generator, kept as it is
fn draw(
    b: &Backlog,
    teams: bool,
    rng: &mut Rng,
) -> (Vec<DrawnCommitment>, Vec<Drawn>, Option<TeamCaps>) {
    let n = b.n;
    let mut commitments = Vec::new();
    for k in 0..b.partners {
        if rng.chance(60) {
            let size = 2 + rng.below(3);
            let mut reqs: Vec<usize> = (0..size)
                .map(|_| usize::try_from(rng.below(n as u64)).unwrap_or(0))
                .collect();
            reqs.sort_unstable();
            reqs.dedup();
            commitments.push((k, reqs, 10 + rng.below(41)));
        }
    }
    let mut drawn: Vec<Drawn> = (0..n)
        .map(|_| {
            let kind = ["feature", "feature", "improvement", "bugfix"]
                [usize::try_from(rng.below(4)).unwrap_or(0)];
            let accepted = rng.chance(50);
            let major = rng.chance(15);
            Drawn {
                kind,
                accepted,
                major,
                value: 1 + rng.below(10),
                urgency: 1 + rng.below(10),
                risk: 1 + rng.below(10),
                teams: Vec::new(),
            }
        })
        .collect();
    if !teams {
        return (commitments, drawn, None);
    }
    let mut demand = [0u64; TEAMS.len()];
    for (i, d) in drawn.iter_mut().enumerate() {
        let e = b.efforts[i];
        let pick = |rng: &mut Rng| {
            let x = rng.below(100);
            let mut acc = 0;
            TEAMS
                .iter()
                .position(|&(_, share)| {
                    acc += share;
                    x < acc
                })
                .unwrap_or(0)
        };
        let first = pick(rng);
        if e >= 2 && rng.chance(20) {
            let second = (first + 1 + usize::try_from(rng.below(2)).unwrap_or(0)) % TEAMS.len();
            let part = 1 + rng.below(e - 1);
            d.teams = vec![(first, e - part), (second, part)];
            d.teams.sort_unstable();
        } else {
            d.teams = vec![(first, e)];
        }
        for &(t, u) in &d.teams {
            demand[t] += u;
        }
    }
    let caps: Vec<(u64, u64)> = demand
        .iter()
        .map(|&dm| {
            let c = (dm * (36 + rng.below(9)) / 100 / 6).max(8);
            (c, c)
        })
        .collect();
    let mut caps = caps;
    caps[0].1 = caps[0].0 * 2 / 3; // backend is short in 2027.4
    let total = caps.iter().map(|c| c.0).sum::<u64>() * 9 / 10;
    (commitments, drawn, Some(TeamCaps { teams: caps, total }))
}

/// Keeps a backlog with teams free of contradictions, which `zyklus plan` refuses:
/// a coupled pair that needs more of a team than any release offers is uncoupled,
/// and a pin that would overfill its team in its release is dropped. Backlogs that
/// had neither are unchanged.
fn fit_teams(b: &mut Backlog, drawn: &[Drawn], caps: &TeamCaps) {
    // The largest capacity of each team (2027.4 may only be smaller).
    let most: Vec<u64> = caps.teams.iter().map(|&(d, r4)| d.max(r4)).collect();
    for i in 0..b.n {
        let Some(&j) = b.together[i].first() else {
            continue;
        };
        if j < i {
            continue;
        }
        let mut need = vec![0u64; most.len()];
        for &(t, u) in drawn[i].teams.iter().chain(&drawn[j].teams) {
            need[t] += u;
        }
        if need.iter().zip(&most).any(|(n, m)| n > m) {
            b.together[i].clear();
            b.together[j].clear();
        }
    }
    // Pins per release (2027.1 is index 0; pins are 2027.2 and later).
    let mut load = vec![vec![0u64; most.len()]; 6];
    for (pin, d) in b.pin.iter_mut().zip(drawn) {
        let Some(slot) = *pin else { continue };
        let s = usize::try_from(slot).unwrap_or(1) - 1;
        let fits = d
            .teams
            .iter()
            .all(|&(t, u)| load[s][t] + u <= caps.of(t, s));
        if fits {
            for &(t, u) in &d.teams {
                load[s][t] += u;
            }
        } else {
            *pin = None;
        }
    }
}

/// The planning problem `zyklus plan` builds from the workspace on 2026-12-01.
#[allow(clippy::cast_precision_loss)]
fn problem(
    b: &Backlog,
    commitments: &[(usize, Vec<usize>, u64)],
    drawn: &[Drawn],
    caps: Option<&TeamCaps>,
) -> Problem {
    let weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5];
    let slots = (0..6)
        .map(|s| Slot {
            id: format!("2027.{}", s + 1),
            capacity: Some(match caps {
                None => b.capacity,
                Some(c) if s == 3 => c.total * 3 / 4,
                Some(c) => c.total,
            }),
            team_capacity: caps.map_or_else(Vec::new, |c| {
                (0..c.teams.len()).map(|t| c.of(t, s)).collect()
            }),
            weight: weights[s],
        })
        .collect();
    let requests = (0..b.n)
        .map(|i| {
            let d = &drawn[i];
            Item {
                id: id(i),
                effort: b.efforts[i],
                score: (3 * d.value + 2 * d.urgency + (11 - d.risk)) as f64,
                depends_on: b.deps[i].clone(),
                together_with: b.together[i].clone(),
                pin: b.pin[i].map(|p| usize::try_from(p).unwrap_or(1) - 1),
                // Release dates: Jan 12, Mar 9, May 11, Jul 13, Sep 14, Nov 9.
                latest: b.deadline[i].map(|dl| match dl {
                    "2027-06-30" => 2,
                    "2027-09-30" => 4,
                    _ => 5,
                }),
                team_effort: d.teams.clone(),
                baseline: None,
            }
        })
        .collect();
    let commitments = commitments
        .iter()
        .map(|(k, reqs, w)| Commitment {
            label: format!("p{k:03}"),
            weight: *w as f64,
            requests: reqs.clone(),
            latest: None,
        })
        .collect();
    Problem {
        slots,
        requests,
        commitments,
        teams: if caps.is_some() {
            TEAMS.iter().map(|t| t.0.to_string()).collect()
        } else {
            Vec::new()
        },
        ..Problem::default()
    }
}

fn write(
    out: &std::path::Path,
    b: &Backlog,
    commitments: &[(usize, Vec<usize>, u64)],
    drawn: &[Drawn],
    caps: Option<&TeamCaps>,
) -> std::io::Result<()> {
    fs::create_dir_all(out.join("requests"))?;
    fs::create_dir_all(out.join("releases"))?;
    let capacity = match caps {
        None => format!("[capacity]\ndefault = {}\n", b.capacity),
        Some(c) => {
            let mut s = format!(
                "[capacity]\ndefault = {}\nreleases = {{ \"2027.4\" = {} }}\n\n[capacity.teams]\n",
                c.total,
                c.total * 3 / 4
            );
            for (t, &(d, r4)) in c.teams.iter().enumerate() {
                if d == r4 {
                    let _ = writeln!(s, "{} = {{ default = {d} }}", TEAMS[t].0);
                } else {
                    let _ = writeln!(
                        s,
                        "{} = {{ default = {d}, releases = {{ \"2027.4\" = {r4} }} }}",
                        TEAMS[t].0
                    );
                }
            }
            s
        }
    };
    fs::write(
        out.join("zyklus.toml"),
        format!(
            "[workspace]\nname = \"Generated backlog\"\nlanguages = [\"de\", \"en\"]\n\n{capacity}\n\
             [scoring]\nmodel = \"weighted\"\ncriteria.value = {{ weight = 3.0, scale = [1, 10] }}\n\
             criteria.urgency = {{ weight = 2.0, scale = [1, 10] }}\ncriteria.risk = {{ weight = 1.0, invert = true, scale = [1, 10] }}\n\n\
             [planning]\nrelease_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]\n"
        ),
    )?;
    let mut p = String::new();
    for k in 0..b.partners {
        let lang = if k % 3 == 0 { "en" } else { "de" };
        let _ = writeln!(p, "[[partner]]\nid = \"p{k:03}\"\nname = \"Partner {k}\"\nlanguage = \"{lang}\"\nemail = \"it@p{k:03}.example\"\n");
    }
    for (k, reqs, weight) in commitments {
        let _ = writeln!(
            p,
            "[[commitment]]\npartner = \"p{k:03}\"\nrequests = [{}]\nweight = {weight}\n",
            list(reqs),
        );
    }
    fs::write(out.join("partners.toml"), p)?;
    for (i, d) in drawn.iter().enumerate() {
        let mut s = format!(
            "title = \"Generated request {}\"\nkind = \"{}\"\nstatus = \"{}\"\neffort = {}\nimpact = \"{}\"\ncreated = 2026-10-01\n",
            i + 1,
            d.kind,
            if d.accepted { "accepted" } else { "open" },
            b.efforts[i],
            if d.major { "major" } else { "minor" },
        );
        if !b.deps[i].is_empty() {
            let _ = writeln!(s, "depends_on = [{}]", list(&b.deps[i]));
        }
        if !b.together[i].is_empty() {
            let _ = writeln!(s, "together_with = [{}]", list(&b.together[i]));
        }
        if let Some(slot) = b.pin[i] {
            let _ = writeln!(s, "pin = \"2027.{slot}\"");
        }
        if let Some(dl) = b.deadline[i] {
            let _ = writeln!(s, "deadline = {dl}");
        }
        if let [(t, _)] = d.teams.as_slice() {
            let _ = writeln!(s, "team = \"{}\"", TEAMS[*t].0);
        }
        let _ = write!(
            s,
            "[scores]\nvalue = {}\nurgency = {}\nrisk = {}\n",
            d.value, d.urgency, d.risk
        );
        if d.teams.len() > 1 {
            let _ = writeln!(s, "[team_effort]");
            for &(t, u) in &d.teams {
                let _ = writeln!(s, "{} = {u}", TEAMS[t].0);
            }
        }
        let _ = write!(
            s,
            "[text]\nen = \"Generated change {}.\"\nde = \"Erzeugte Änderung {}.\"\n",
            i + 1,
            i + 1
        );
        fs::write(out.join("requests").join(format!("{}.toml", id(i))), s)?;
    }
    Ok(())
}
