//! Generates a realistic planning workspace for benchmarks and tests:
//! `cargo run --release --example gen_backlog -- --requests N --seed S OUT_DIR`.
//!
//! Six releases of 2027 (run `zyklus plan` with `ZYKLUS_NOW=2026-12-01T00:00:00Z`),
//! capacity for roughly 40 % of the backlog, Fibonacci efforts, weighted scores,
//! dependency chains, couplings, a few pins and deadlines, and partner
//! commitments — the shapes a real backlog has.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

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
    eprintln!("usage: gen_backlog --requests N [--seed S] OUT_DIR");
    ExitCode::from(2)
}

#[allow(clippy::too_many_lines)]
fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut n, mut seed, mut out) = (None, 1_u64, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--requests" => n = args.next().and_then(|v| v.parse::<usize>().ok()),
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(s) => seed = s,
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

    if let Err(e) = write(
        &out, n, capacity, partners, &efforts, &deps, &together, &pin, &deadline, &mut rng,
    ) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
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

#[allow(clippy::too_many_arguments)]
fn write(
    out: &std::path::Path,
    n: usize,
    capacity: u64,
    partners: usize,
    efforts: &[u64],
    deps: &[Vec<usize>],
    together: &[Vec<usize>],
    pin: &[Option<u64>],
    deadline: &[Option<&str>],
    rng: &mut Rng,
) -> std::io::Result<()> {
    fs::create_dir_all(out.join("requests"))?;
    fs::create_dir_all(out.join("releases"))?;
    fs::write(
        out.join("zyklus.toml"),
        format!(
            "[workspace]\nname = \"Generated backlog\"\nlanguages = [\"de\", \"en\"]\n\n[capacity]\ndefault = {capacity}\n\n\
             [scoring]\nmodel = \"weighted\"\ncriteria.value = {{ weight = 3.0, scale = [1, 10] }}\n\
             criteria.urgency = {{ weight = 2.0, scale = [1, 10] }}\ncriteria.risk = {{ weight = 1.0, invert = true, scale = [1, 10] }}\n\n\
             [planning]\nrelease_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]\nstability_penalty = 0.05\n"
        ),
    )?;
    let mut p = String::new();
    for k in 0..partners {
        let lang = if k % 3 == 0 { "en" } else { "de" };
        let _ = writeln!(p, "[[partner]]\nid = \"p{k:03}\"\nname = \"Partner {k}\"\nlanguage = \"{lang}\"\nemail = \"it@p{k:03}.example\"\n");
    }
    for k in 0..partners {
        if rng.chance(60) {
            let size = 2 + rng.below(3);
            let reqs: Vec<usize> = (0..size)
                .map(|_| usize::try_from(rng.below(n as u64)).unwrap_or(0))
                .collect();
            let mut reqs = reqs;
            reqs.sort_unstable();
            reqs.dedup();
            let _ = writeln!(
                p,
                "[[commitment]]\npartner = \"p{k:03}\"\nrequests = [{}]\nweight = {}\n",
                list(&reqs),
                10 + rng.below(41)
            );
        }
    }
    fs::write(out.join("partners.toml"), p)?;
    for i in 0..n {
        let kind = ["feature", "feature", "improvement", "bugfix"]
            [usize::try_from(rng.below(4)).unwrap_or(0)];
        let mut s = format!(
            "title = \"Generated request {}\"\nkind = \"{kind}\"\nstatus = \"{}\"\neffort = {}\nimpact = \"{}\"\ncreated = 2026-10-01\n",
            i + 1,
            if rng.chance(50) { "accepted" } else { "open" },
            efforts[i],
            if rng.chance(15) { "major" } else { "minor" },
        );
        if !deps[i].is_empty() {
            let _ = writeln!(s, "depends_on = [{}]", list(&deps[i]));
        }
        if !together[i].is_empty() {
            let _ = writeln!(s, "together_with = [{}]", list(&together[i]));
        }
        if let Some(slot) = pin[i] {
            let _ = writeln!(s, "pin = \"2027.{slot}\"");
        }
        if let Some(d) = deadline[i] {
            let _ = writeln!(s, "deadline = {d}");
        }
        let _ = write!(
            s,
            "[scores]\nvalue = {}\nurgency = {}\nrisk = {}\n[text]\nen = \"Generated change {}.\"\nde = \"Erzeugte Änderung {}.\"\n",
            1 + rng.below(10),
            1 + rng.below(10),
            1 + rng.below(10),
            i + 1,
            i + 1
        );
        fs::write(out.join("requests").join(format!("{}.toml", id(i))), s)?;
    }
    Ok(())
}
