//! Embeds `examples/agency/` into the binary for `zyklus init --example`, so the
//! sample never depends on the source tree at run time.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, base, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "toml" || x == "md" || x == "jinja")
        {
            out.push(p.strip_prefix(base).map(Path::to_path_buf).unwrap_or(p));
        }
    }
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let example = root.join("examples/agency");
    println!("cargo:rerun-if-changed=examples/agency");
    let mut files = Vec::new();
    collect(&example, &example, &mut files);
    let mut code = String::from("/// Files of the bundled example workspace: (relative path, contents).\npub const EXAMPLE_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.to_string_lossy().replace('\\', "/");
        let abs = example.join(f);
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.to_string_lossy()
        )
        .expect("write to string");
        println!("cargo:rerun-if-changed={}", abs.display());
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("example_files.rs");
    fs::write(out, code).expect("write example_files.rs");
}
