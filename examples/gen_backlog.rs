//! Writes a synthetic zyklus workspace (for load and planning benchmarks of the CLI).
//!
//! usage: gen_backlog DIR [--requests N] [--partners P] [--seed S]
//!
//! The layout follows DESIGN.md §2: `zyklus.toml`, `requests/CR-NNNNN.toml` (effort,
//! scores for the weighted model's `value` and `urgency`, dependencies, couplings,
//! a few pins) and `partners.toml` with partners and their commitments. The same
//! seed always writes the same workspace.

use std::fmt::Write as _;
use std::path::PathBuf;

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % m.max(1)
    }
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir: Option<PathBuf> = None;
    let (mut n, mut partners, mut seed) = (300usize, 20usize, 1u64);
    let mut i = 0;
    while i < args.len() {
        let val = |i: usize| -> Result<u64, String> {
            args.get(i + 1)
                .ok_or(format!("{} needs a value", args[i]))?
                .parse()
                .map_err(|e| format!("{}: {e}", args[i]))
        };
        match args[i].as_str() {
            "--requests" => {
                n = usize::try_from(val(i)?).map_err(|e| e.to_string())?;
                i += 1;
            }
            "--partners" => {
                partners = usize::try_from(val(i)?).map_err(|e| e.to_string())?;
                i += 1;
            }
            "--seed" => {
                seed = val(i)?;
                i += 1;
            }
            other => dir = Some(PathBuf::from(other)),
        }
        i += 1;
    }
    let dir = dir.ok_or("usage: gen_backlog DIR [--requests N] [--partners P] [--seed S]")?;
    let reqdir = dir.join("requests");
    std::fs::create_dir_all(&reqdir).map_err(|e| format!("{}: {e}", reqdir.display()))?;
    std::fs::create_dir_all(dir.join("releases")).map_err(|e| e.to_string())?;
    let mut rng = Lcg(seed ^ 0x9E37_79B9_7F4A_7C15);
    let sizes = [1u64, 2, 3, 5, 8, 13];
    let mut total = 0;
    let id = |i: usize| format!("CR-{i:05}");
    for i in 0..n {
        let effort = sizes[usize::try_from(rng.below(6)).unwrap_or(0)];
        total += effort;
        let mut t = format!(
            "title = \"Synthetic change request {i}\"\nkind = \"feature\"\nstatus = \"accepted\"\neffort = {effort}\nimpact = \"{}\"\ncreated = 2026-11-01\n",
            if rng.below(5) == 0 { "major" } else { "minor" }
        );
        if i > 0 && rng.below(5) == 0 {
            let d = usize::try_from(rng.below(i as u64)).unwrap_or(0);
            let _ = writeln!(t, "depends_on = [\"{}\"]", id(d));
        }
        if i > 0 && rng.below(40) == 0 {
            let d = usize::try_from(rng.below(i as u64)).unwrap_or(0);
            let _ = writeln!(t, "together_with = [\"{}\"]", id(d));
        }
        let _ = write!(
            t,
            "[scores]\nvalue = {}\nurgency = {}\n[text]\nen = \"Synthetic request {i}.\"\nde = \"Synthetischer Antrag {i}.\"\n",
            1 + rng.below(10),
            1 + rng.below(10)
        );
        let path = reqdir.join(format!("{}.toml", id(i)));
        std::fs::write(&path, t).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let capacity = (total * 10 / 96).max(1);
    let config = format!(
        "[workspace]\nname = \"Synthetic backlog\"\nlanguages = [\"de\", \"en\"]\n\n[capacity]\ndefault = {capacity}\n\n[scoring]\nmodel = \"weighted\"\ncriteria.value = {{ weight = 3.0 }}\ncriteria.urgency = {{ weight = 2.0 }}\n\n[planning]\nrelease_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]\nstability_penalty = 0.05\n"
    );
    std::fs::write(dir.join("zyklus.toml"), config).map_err(|e| e.to_string())?;
    let mut p = String::new();
    for k in 0..partners {
        let _ = write!(
            p,
            "[[partner]]\nid = \"p{k:03}\"\nname = \"Partner {k}\"\nlanguage = \"{}\"\nemail = \"it@p{k:03}.example\"\ntrainings_booked = {}\n\n",
            if k % 2 == 0 { "de" } else { "en" },
            rng.below(5)
        );
    }
    for k in 0..n / 10 {
        let size = 2 + rng.below(4);
        let reqs: Vec<String> = (0..size)
            .map(|_| {
                format!(
                    "\"{}\"",
                    id(usize::try_from(rng.below(n as u64)).unwrap_or(0))
                )
            })
            .collect();
        let _ = write!(
            p,
            "[[commitment]]\npartner = \"p{:03}\"\nrequests = [{}]\nweight = {}\n\n",
            k % partners.max(1),
            reqs.join(", "),
            10 + rng.below(190)
        );
    }
    if partners > 0 {
        std::fs::write(dir.join("partners.toml"), p).map_err(|e| e.to_string())?;
    }
    println!(
        "wrote {n} requests, capacity {capacity} per release, to {}",
        dir.display()
    );
    Ok(())
}
