//! Loading and validating a large workspace (DESIGN §8: 10,000 requests in a
//! fraction of a second). Run with `cargo bench --bench load`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

/// Writes a workspace of `n` requests with dependencies, couplings, scores and
/// texts, like a large real backlog.
fn generate(root: &Path, n: usize) {
    fs::create_dir_all(root.join("requests")).expect("requests dir");
    fs::write(
        root.join("zyklus.toml"),
        "[workspace]\nname = \"Bench\"\nlanguages = [\"de\", \"en\"]\n\n[scoring]\nmodel = \"weighted\"\ncriteria.value = { weight = 3.0, scale = [1, 10] }\ncriteria.urgency = { weight = 2.0, scale = [1, 10] }\n",
    )
    .expect("config");
    let mut partners = String::new();
    for p in 0..50 {
        writeln!(
            partners,
            "[[partner]]\nid = \"p{p}\"\nname = \"Partner {p}\"\nlanguage = \"de\"\n"
        )
        .expect("fmt");
    }
    fs::write(root.join("partners.toml"), partners).expect("partners");
    for i in 1..=n {
        let mut s = format!(
            "title = \"Request {i}\"\nkind = \"feature\"\nstatus = \"open\"\neffort = {}\nimpact = \"minor\"\nrequested_by = [\"p{}\"]\ncreated = 2026-11-01\n",
            1 + i % 13,
            i % 50
        );
        if i > 10 && i % 3 == 0 {
            writeln!(s, "depends_on = [\"CR-{:05}\"]", i - 7).expect("fmt");
        }
        write!(
            s,
            "[scores]\nvalue = {}\nurgency = {}\n[text]\nen = \"Request {i} in English.\"\nde = \"Änderung {i} auf Deutsch.\"\n",
            1 + i % 10,
            1 + (i * 7) % 10
        )
        .expect("fmt");
        fs::write(root.join(format!("requests/CR-{i:05}.toml")), s).expect("request");
    }
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), 10_000);
    let mut group = c.benchmark_group("workspace");
    group.sample_size(10);
    group.bench_function("load+validate 10k requests", |b| {
        b.iter(|| {
            let loaded = zyklus::workspace::load(dir.path()).expect("valid workspace");
            assert_eq!(loaded.workspace.requests.len(), 10_000);
        });
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
