//! Solves Next Release Problem benchmark instances with the zyklus planner.
//!
//! usage: nrp_solve FILE RATIO [--node-limit N] [--time-limit SECS]
//!        nrp_solve --all [BENCH_DIR] [--only nrp1,nrp-e1] [--ratios 0.3,0.5] [--node-limit N]
//!        nrp_solve --synthetic REQUESTS SLOTS [SEED]   (a generated multi-release backlog)
//!        nrp_solve --problem FILE.json [--out PLAN.json] [--baseline PLAN.json]
//!        nrp_solve --workspace DIR --date YYYY-MM-DD   (prints the problem `zyklus plan` builds)
//!
//! `--problem` solves a planning problem written as JSON (by `gen_backlog --problem`
//! or `benches/plan_quality.py`) and prints one JSON line: objective, bound,
//! unconstrained best, moves, kept, seconds, work and whether the safety net hit;
//! `--out` writes the assignment (slot index or null per request); `--baseline`
//! reads one as the plan on disk (stable re-planning against it).
//!
//! `NRP_PROBLEM_OUT=FILE` also writes the problem as JSON (for `benches/plan_quality.py optimum`).
//!
//! Builds the problem exactly like `bench/nrp/nrp_bench.py`: one slot (weight 1.0,
//! capacity = ⌊ratio · Σ cost⌋), requests with score 0 and their prerequisites,
//! one commitment per customer (weight = profit) over the requirements they asked for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zyklus::planning::{self, Commitment, Item, Options, Problem, Slot};

struct Instance {
    costs: Vec<u64>,
    deps: Vec<(usize, usize)>,
    customers: Vec<(u64, Vec<usize>)>,
}

fn parse(path: &Path) -> Result<Instance, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut it = text
        .split_whitespace()
        .map(|t| t.parse::<u64>().map_err(|e| format!("{t}: {e}")));
    let mut nx = || {
        it.next()
            .unwrap_or_else(|| Err("unexpected end of file".into()))
    };
    let mut costs = Vec::new();
    for _ in 0..nx()? {
        for _ in 0..nx()? {
            costs.push(nx()?);
        }
    }
    let mut deps = Vec::new();
    for _ in 0..nx()? {
        let a = usize::try_from(nx()?).map_err(|e| e.to_string())?;
        let b = usize::try_from(nx()?).map_err(|e| e.to_string())?;
        deps.push((a, b));
    }
    let mut customers = Vec::new();
    for _ in 0..nx()? {
        let w = nx()?;
        let q = nx()?;
        let mut reqs = Vec::new();
        for _ in 0..q {
            reqs.push(usize::try_from(nx()?).map_err(|e| e.to_string())?);
        }
        reqs.sort_unstable();
        reqs.dedup();
        customers.push((w, reqs));
    }
    Ok(Instance {
        costs,
        deps,
        customers,
    })
}

#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn budget(inst: &Instance, ratio: f64) -> u64 {
    let total: u64 = inst.costs.iter().sum();
    (ratio * total as f64 + 1e-9) as u64
}

#[allow(clippy::cast_precision_loss)]
fn problem(inst: &Instance, ratio: f64) -> Problem {
    let mut requests: Vec<Item> = inst
        .costs
        .iter()
        .enumerate()
        .map(|(j, &c)| Item {
            id: format!("R{:04}", j + 1),
            effort: c,
            ..Item::default()
        })
        .collect();
    for &(a, b) in &inst.deps {
        requests[b - 1].depends_on.push(a - 1);
    }
    for r in &mut requests {
        r.depends_on.sort_unstable();
        r.depends_on.dedup();
    }
    let commitments = inst
        .customers
        .iter()
        .enumerate()
        .map(|(i, (w, reqs))| Commitment {
            label: format!("C{:04}", i + 1),
            weight: *w as f64,
            requests: reqs.iter().map(|r| r - 1).collect(),
            latest: None,
        })
        .collect();
    Problem {
        slots: vec![Slot {
            id: "2027.1".into(),
            capacity: Some(budget(inst, ratio)),
            team_capacity: Vec::new(),
            weight: 1.0,
        }],
        requests,
        commitments,
        ..Problem::default()
    }
}

struct Row {
    objective: f64,
    bound: f64,
    secs: f64,
    proven: bool,
    nodes: u64,
    iters: u64,
    /// Whether the wall-clock safety net, not the work budget, ended the search.
    hit_time_limit: bool,
}

fn solve(inst: &Instance, ratio: f64, options: &Options) -> Result<Row, String> {
    let p = problem(inst, ratio);
    if let Some(path) = std::env::var_os("NRP_PROBLEM_OUT") {
        let json = serde_json::to_string(&p).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|e| e.to_string())?;
    }
    let t = Instant::now();
    let plan = planning::solve(&p, options, &mut progress_printer()).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    planning::check(&p, &plan.assignment).map_err(|e| format!("infeasible plan: {e}"))?;
    // Independent NRP scoring.
    let chosen: Vec<bool> = plan.assignment.iter().map(Option::is_some).collect();
    let value: u64 = inst
        .customers
        .iter()
        .filter(|(_, reqs)| reqs.iter().all(|&r| chosen[r - 1]))
        .map(|(w, _)| *w)
        .sum();
    if std::env::var_os("NRP_DUMP").is_some() {
        let sat: Vec<String> = inst
            .customers
            .iter()
            .enumerate()
            .filter(|(_, (_, reqs))| reqs.iter().all(|&r| chosen[r - 1]))
            .map(|(i, _)| i.to_string())
            .collect();
        eprintln!("customers {}", sat.join(" "));
    }
    #[allow(clippy::cast_precision_loss)]
    let value = value as f64;
    if (value - plan.objective).abs() > 1e-6 {
        return Err(format!(
            "objective {} but NRP value {value}",
            plan.objective
        ));
    }
    Ok(Row {
        objective: plan.objective,
        bound: plan.bound,
        secs,
        proven: plan.proven_optimal,
        nodes: plan.stats.nodes,
        iters: plan.stats.iterations,
        hit_time_limit: plan.stats.hit_time_limit,
    })
}

/// A deterministic, workspace-like backlog: scores, dependencies, couplings, pins,
/// deadlines, a previous plan and partner commitments over `slots` releases.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
#[allow(clippy::needless_range_loop)]
fn synthetic(n: usize, slots: usize, seed: u64, with_commitments: bool) -> Problem {
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut rnd = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m.max(1)
    };
    let sizes = [1, 2, 3, 5, 8, 13];
    let mut requests: Vec<Item> = (0..n)
        .map(|i| Item {
            id: format!("CR-{i:05}"),
            effort: sizes[rnd(6) as usize],
            score: rnd(100) as f64,
            ..Item::default()
        })
        .collect();
    let total: u64 = requests.iter().map(|r| r.effort).sum();
    let chain = std::env::var_os("NRP_CHAIN").is_some();
    for i in 1..n {
        if chain {
            requests[i].depends_on.push(i - 1);
        } else if rnd(5) == 0 {
            let d = rnd(i as u64) as usize;
            requests[i].depends_on.push(d);
        }
        if rnd(40) == 0 && !chain {
            let t = rnd(i as u64) as usize;
            requests[i].together_with.push(t);
        }
        if rnd(50) == 0 && requests[i].depends_on.is_empty() {
            requests[i].pin = Some(rnd(slots as u64) as usize);
        } else if rnd(30) == 0 && requests[i].depends_on.is_empty() {
            requests[i].latest = Some(slots - 1);
        }
        if rnd(3) == 0 {
            requests[i].baseline = Some(rnd(slots as u64) as usize);
        }
    }
    let commitments = (0..if with_commitments { n / 10 } else { 0 })
        .map(|k| Commitment {
            label: format!("P{k}"),
            weight: (10 + rnd(190)) as f64,
            requests: (0..2 + rnd(4)).map(|_| rnd(n as u64) as usize).collect(),
            latest: (rnd(4) == 0).then(|| rnd(slots as u64) as usize),
        })
        .collect();
    let cap = (total as f64 / (slots as f64 * 1.6)) as u64;
    Problem {
        slots: (0..slots)
            .map(|s| Slot {
                id: format!("2027.{}", s + 1),
                capacity: Some(cap),
                team_capacity: Vec::new(),
                weight: 1.0 - 0.1 * s as f64,
            })
            .collect(),
        requests,
        commitments,
        has_baseline: true,
        ..Problem::default()
    }
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = Options::default();
    if let Ok(t) = std::env::var("NRP_TUNE") {
        options.tuning = t.split(',').map(|x| x.parse().unwrap_or(0.0)).collect();
    }
    let mut positional = Vec::new();
    let mut all = false;
    let mut only: Option<Vec<String>> = None;
    let mut problem_file: Option<String> = None;
    let mut out_file: Option<String> = None;
    let mut baseline_file: Option<String> = None;
    let (mut workspace, mut date): (Option<String>, Option<String>) = (None, None);
    let mut ratios = vec!["0.3".to_string(), "0.5".into(), "0.7".into()];
    let mut i = 0;
    while i < args.len() {
        let val = |i: usize| {
            args.get(i + 1)
                .cloned()
                .ok_or(format!("{} needs a value", args[i]))
        };
        match args[i].as_str() {
            "--all" => all = true,
            "--node-limit" => {
                options.node_limit = val(i)?.parse().map_err(|e| format!("--node-limit: {e}"))?;
                i += 1;
            }
            "--time-limit" => {
                let s: f64 = val(i)?.parse().map_err(|e| format!("--time-limit: {e}"))?;
                options.time_limit = Duration::from_secs_f64(s);
                i += 1;
            }
            "--problem" => {
                problem_file = Some(val(i)?);
                i += 1;
            }
            "--out" => {
                out_file = Some(val(i)?);
                i += 1;
            }
            "--baseline" => {
                baseline_file = Some(val(i)?);
                i += 1;
            }
            "--workspace" => {
                workspace = Some(val(i)?);
                i += 1;
            }
            "--date" => {
                date = Some(val(i)?);
                i += 1;
            }
            "--only" => {
                only = Some(val(i)?.split(',').map(String::from).collect());
                i += 1;
            }
            "--ratios" => {
                ratios = val(i)?.split(',').map(String::from).collect();
                i += 1;
            }
            "--synthetic" => positional.insert(0, "--synthetic".into()),
            other => positional.push(other.to_string()),
        }
        i += 1;
    }
    if let Some(dir) = workspace {
        return dump_workspace(&dir, date.as_deref().unwrap_or("2026-12-01"));
    }
    if let Some(file) = problem_file {
        return solve_json(
            &file,
            out_file.as_deref(),
            baseline_file.as_deref(),
            &options,
        );
    }
    if positional.first().is_some_and(|p| p == "--synthetic") {
        let num = |k: usize, d: u64| {
            positional
                .get(k)
                .map_or(Ok(d), |v| v.parse::<u64>().map_err(|e| e.to_string()))
        };
        let n = usize::try_from(num(1, 300)?).map_err(|e| e.to_string())?;
        let slots = usize::try_from(num(2, 6)?).map_err(|e| e.to_string())?;
        let p = synthetic(n, slots, num(3, 1)?, num(4, 1)? != 0);
        if std::env::var_os("NRP_DUMP").is_some() {
            let opt = |o: Option<usize>| o.map_or("-".to_string(), |x| x.to_string());
            let list = |v: &[usize]| {
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            };
            for sl in &p.slots {
                eprintln!("S {:?} {}", sl.capacity, sl.weight);
            }
            for it in &p.requests {
                eprintln!(
                    "I {} {} {} {} {} d{} t{}",
                    it.effort,
                    it.score,
                    opt(it.pin),
                    opt(it.latest),
                    opt(it.baseline),
                    list(&it.depends_on),
                    list(&it.together_with)
                );
            }
            for c in &p.commitments {
                eprintln!("C {} {} r{}", c.weight, opt(c.latest), list(&c.requests));
            }
            eprintln!("P {}", p.replan_tolerance);
        }
        let t = Instant::now();
        let mut last = (0.0, f64::NEG_INFINITY);
        let plan = planning::solve(&p, &options, &mut |pr| {
            if pr.objective > last.1 {
                last = (pr.elapsed.as_secs_f64(), pr.objective);
            }
        })
        .map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "last improvement (first search) at {:.2}s: {:.2}",
            last.0, last.1
        );
        planning::check(&p, &plan.assignment).map_err(|e| format!("infeasible plan: {e}"))?;
        let t_explain = Instant::now();
        let reasons = planning::explain(&p, &plan);
        println!(
            "explained {} requests in {:.2}s",
            reasons.len(),
            t_explain.elapsed().as_secs_f64()
        );
        let planned = plan.assignment.iter().filter(|a| a.is_some()).count();
        println!(
            "requests {n} slots {slots}: objective {:.2} bound {:.2} gap {:.3}% proven {} planned {planned} nodes {} iters {} flows {} secs {secs:.2}",
            plan.objective,
            plan.bound,
            plan.gap_percent(),
            plan.proven_optimal,
            plan.stats.nodes,
            plan.stats.iterations,
            plan.stats.flow_solves
        );
        return Ok(());
    }
    if !all {
        let [file, ratio] = positional.as_slice() else {
            return Err("usage: nrp_solve FILE RATIO | nrp_solve --all [BENCH_DIR]".into());
        };
        let ratio: f64 = ratio.parse().map_err(|e| format!("ratio: {e}"))?;
        let inst = parse(Path::new(file))?;
        let row = solve(&inst, ratio, &options)?;
        println!(
            "objective {} bound {} proven {} nodes {} secs {:.2}",
            row.objective, row.bound, row.proven, row.nodes, row.secs
        );
        return Ok(());
    }
    let dir = PathBuf::from(
        positional
            .first()
            .map_or("/work/shared/bench/nrp", String::as_str),
    );
    let optima_text =
        std::fs::read_to_string(dir.join("optima.tsv")).map_err(|e| format!("optima.tsv: {e}"))?;
    let mut optima: HashMap<(String, String), f64> = HashMap::new();
    for line in optima_text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() > 5 {
            let v: f64 = f[5].parse().map_err(|e| format!("optima.tsv: {e}"))?;
            optima.insert((f[0].to_string(), f[1].to_string()), v);
        }
    }
    let mut files = Vec::new();
    for sub in ["classic-nrp", "realistic-nrp"] {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .map_err(|e| format!("{sub}: {e}"))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("nrp") && n.ends_with(".txt"))
            })
            .collect();
        names.sort();
        files.extend(names);
    }
    println!(
        "{:<14}{:>9}{:>9}{:>8}{:>10}{:>8}{:>7}{:>11}{:>8}{:>5}",
        "case", "optimum", "ours", "gap%", "bound", "secs", "proven", "nodes", "iters", "net"
    );
    let (mut gaps, mut worst, mut at_opt, mut failures, mut bad_bounds, mut max_secs) =
        (Vec::new(), 0.0f64, 0, 0, 0, 0.0f64);
    let mut nets = 0;
    for path in files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if only.as_ref().is_some_and(|o| !o.contains(&name)) {
            continue;
        }
        let inst = parse(&path)?;
        for r in &ratios {
            let ratio: f64 = r.parse().map_err(|e| format!("ratio: {e}"))?;
            let case = format!("{name}@{r}");
            let Some(&opt) = optima.get(&(name.clone(), r.clone())) else {
                println!("{case:<14} no optimum known");
                continue;
            };
            match solve(&inst, ratio, &options) {
                Ok(row) => {
                    let gap = 100.0 * (opt - row.objective) / opt;
                    gaps.push(gap);
                    worst = worst.max(gap);
                    max_secs = max_secs.max(row.secs);
                    if gap <= 1e-9 {
                        at_opt += 1;
                    }
                    let flag = if row.bound < opt - 1e-6 {
                        bad_bounds += 1;
                        "  BOUND BELOW OPTIMUM"
                    } else {
                        ""
                    };
                    nets += usize::from(row.hit_time_limit);
                    println!(
                        "{case:<14}{opt:>9}{:>9}{gap:>8.3}{:>10}{:>8.2}{:>7}{:>11}{:>8}{:>5}{flag}",
                        row.objective,
                        row.bound,
                        row.secs,
                        row.proven,
                        row.nodes,
                        row.iters,
                        if row.hit_time_limit { "hit" } else { "-" }
                    );
                }
                Err(e) => {
                    failures += 1;
                    println!("{case:<14}{opt:>9}  FAIL {e}");
                }
            }
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
    println!(
        "summary: {} solved, {failures} failed, {at_opt} at optimum, mean gap {mean:.3}%, worst gap {worst:.3}%, slowest {max_secs:.2}s, bounds below optimum: {bad_bounds}, ended by the safety net: {nets}",
        gaps.len()
    );
    Ok(())
}

/// `--problem FILE.json`: solve, check, print one JSON line.
/// Prints the planning problem that `zyklus plan` builds for the workspace at
/// `dir` on `date` (default horizon, configured capacities) as JSON.
fn dump_workspace(dir: &str, date: &str) -> Result<(), String> {
    let today =
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| format!("--date: {e}"))?;
    let loaded = zyklus::workspace::open(Path::new(dir)).map_err(|e| format!("{e:#}"))?;
    let built = zyklus::ops::plan::build(
        &loaded.workspace,
        &zyklus::ops::plan::PlanInput::default(),
        today,
    )
    .map_err(|e| format!("{e:#}"))?;
    let p = zyklus::ops::plan::solver::to_problem(&built);
    println!("{}", serde_json::to_string(&p).map_err(|e| e.to_string())?);
    Ok(())
}

fn solve_json(
    file: &str,
    out: Option<&str>,
    baseline: Option<&str>,
    options: &Options,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut p: Problem = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    if let Some(b) = baseline {
        let text = std::fs::read_to_string(b).map_err(|e| format!("{b}: {e}"))?;
        let places: Vec<Option<usize>> =
            serde_json::from_str(&text).map_err(|e| format!("{b}: {e}"))?;
        if places.len() != p.requests.len() {
            return Err(format!(
                "{b}: {} places for {} requests",
                places.len(),
                p.requests.len()
            ));
        }
        p.has_baseline = true;
        for (it, place) in p.requests.iter_mut().zip(places) {
            it.baseline = place;
        }
    }
    let t = Instant::now();
    let plan = planning::solve(&p, options, &mut progress_printer()).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    planning::check(&p, &plan.assignment).map_err(|e| format!("infeasible plan: {e}"))?;
    let line = serde_json::json!({
        "requests": p.requests.len(),
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap_percent(),
        "proven": plan.proven_optimal,
        "unconstrained_best": plan.unconstrained_best,
        "moves": plan.moves,
        "kept": plan.kept,
        "baseline_planned": plan.baseline_planned,
        "secs": secs,
        "nodes": plan.stats.nodes,
        "flow_solves": plan.stats.flow_solves,
        "hit_time_limit": plan.stats.hit_time_limit,
        "hit_node_limit": plan.stats.hit_node_limit,
    });
    println!("{line}");
    if let Some(out) = out {
        let a = serde_json::to_string(&plan.assignment).map_err(|e| e.to_string())?;
        std::fs::write(out, a).map_err(|e| format!("{out}: {e}"))?;
    }
    Ok(())
}

/// With `NRP_PROGRESS` set, a progress callback that prints each change of phase,
/// objective or bound with the wall-clock and the process CPU time (user + system,
/// all threads) spent so far: where the work goes on a loaded machine.
fn progress_printer() -> impl FnMut(planning::Progress) {
    let verbose = std::env::var_os("NRP_PROGRESS").is_some();
    let mut last = String::new();
    move |pr: planning::Progress| {
        let s = format!("{} {:.2} {:.2}", pr.phase, pr.objective, pr.bound);
        if verbose && s != last {
            eprintln!(
                "{:>7.3}s wall {:>7.3}s cpu {s}",
                pr.elapsed.as_secs_f64(),
                cpu_secs()
            );
            last = s;
        }
    }
}

/// CPU seconds this process has used (Linux `/proc/self/stat`; 0 elsewhere).
#[allow(clippy::cast_precision_loss)]
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 (indices 11 and 12 after the name).
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    ticks as f64 / 100.0
}
