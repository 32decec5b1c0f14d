//! A structure-aware fuzz test of the workspace loader and validator (issue 11,
//! item 19).
//!
//! It starts from valid workspace files — the bundled example, a release file with
//! findings and history, a training file — and mutates them the ways a careless
//! hand or an attacker would: byte flips, truncation, deleted and duplicated lines
//! (keys), values of another type, huge, negative, NaN and out-of-range numbers,
//! invalid dates, control characters, long strings and keys, and lines from other
//! files. For every mutated workspace the loader (a library call, for speed) must
//! not panic, must accept it or reject it with diagnostics that each name a
//! workspace file, and must not write anything. On a sample, the real binary runs
//! `validate` and one reading command: never exit 101, exit 1 exactly when the
//! loader rejected the workspace, stderr naming a file, nothing written.
//!
//! A run is reproducible: CI pins `PROPTEST_RNG_SEED` (see `.ci/run`). The default
//! is a small share; run it longer with, e.g.,
//! `PROPTEST_CASES=5000 cargo test --release --test fuzz_loader`, and vary the seed
//! with `PROPTEST_RNG_SEED=<n>`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use zyklus::error::Invalid;

/// Cases per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 96;

/// A release file in test, with every kind of table zyklus writes.
const RELEASE: &str = r#"# Release 2027.1
id = "2027.1"
stage = "test"
dev_start = 2026-11-11
test_start = 2026-12-22
release_date = 2027-01-12
capacity = 40
deployed = "v2027.1-rc1"
test_started_at = 2026-12-22T09:00:00+01:00
scope = ["CR-0004", "CR-0007", "CR-0017"]

[[finding]]
number = 1
severity = "blocker"
text = "Revenue counted twice\non the dashboard"
raised_at = 2026-12-22T14:10:00+01:00
request = "CR-0004"

[[finding]]
number = 2
severity = "minor"
text = "Typo"
raised_at = 2026-12-23T09:00:00+01:00
resolved_at = 2026-12-28T09:00:00+01:00

[[history]]
from = "planned"
to = "development"
at = 2026-11-11T09:00:00+01:00
by = "tester"
note = "Kick-off"

[[history]]
from = "development"
to = "test"
at = 2026-12-22T09:00:00+01:00
by = "tester"
forced = true
reason = "deployment window"
deployed = "v2027.1-rc1"
checks = [{ name = "all_done", passed = false, detail = "CR-0017 is open" }]
"#;

/// A training file of 2027.
const TRAININGS: &str = r#"[[training]]
date = 2027-02-03
partner = "alpenblick"
mode = "onsite"
topic = "New booking widget"

[[training]]
date = 2027-03-10
partner = "donauwelle"
mode = "remote"
extra = true
"#;

/// The valid workspace every case starts from: relative path → text.
fn seed() -> &'static BTreeMap<String, String> {
    static SEED: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    SEED.get_or_init(|| {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agency");
        let mut files = BTreeMap::new();
        for rel in ["zyklus.toml", "partners.toml"] {
            files.insert(rel.to_owned(), read(&example.join(rel)));
        }
        let mut requests: Vec<PathBuf> = std::fs::read_dir(example.join("requests"))
            .expect("requests/")
            .map(|e| e.expect("entry").path())
            .collect();
        requests.sort();
        for p in requests {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            files.insert(format!("requests/{name}"), read(&p));
        }
        files.insert("releases/2027.1.toml".to_owned(), RELEASE.to_owned());
        files.insert("trainings/2027.toml".to_owned(), TRAININGS.to_owned());
        files
    })
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Values of every type and of absurd size, for [`Mutation::Value`].
const VALUES: &[&str] = &[
    "\"\"",
    "\"text\"",
    "'literal'",
    "0",
    "-1",
    "1",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "1.5",
    "-0.0",
    "1e308",
    "-1e308",
    "5e-324",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "true",
    "[]",
    "[1, \"a\", true]",
    "{}",
    "{ a = 1 }",
    "2027-01-12",
    "2027-02-30",
    "0000-01-01",
    "9999-12-31",
    "\"+99999-01-01\"",
    "\"-0001-12-31\"",
    "2027-13-01",
    "2027-01-12T25:00:00+01:00",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00Z",
    "10:00:00",
    "\"2027.7\"",
    "\"2027.0\"",
    "\"1970.1\"",
    "\"9999.12.4294967295\"",
    "\"CR-99999999999999999999999\"",
    "\"../../etc/passwd\"",
    "\"a@b@c\"",
    "\"<a@b>\"",
];

/// Lines to insert, taken from the formats of all workspace files.
const LINES: &[&str] = &[
    "pin = \"2027.7\"",
    "pin = \"2027.3.1\"",
    "depends_on = [\"CR-0001\", \"CR-0001\", \"CR-9999\"]",
    "together_with = [\"CR-0002\"]",
    "requested_by = [\"nobody\"]",
    "deadline = 1999-01-01",
    "reported_at = 2027-02-12T20:00:00+01:00",
    "kind = \"hotfix\"",
    "status = \"rejected\"",
    "source = \"\"",
    "[scores]",
    "value = 11",
    "[text]",
    "xx = \"unknown language\"",
    "test_weeks = 52",
    "week_of_month = -5",
    "dates = [2027-06-01, 2027-03-01]",
    "releases = { \"2027.x\" = 1, \"2027.12\" = 2 }",
    "model = \"rice\"",
    "criteria.reach = { scale = [0, 1e7] }",
    "release_weights = [1000, 0]",
    "time_limit = 3600",
    "[[partner]]",
    "id = \"alpenblick\"",
    "email = \"a,b\"",
    "[[commitment]]",
    "partner = \"ghost\"",
    "requests = []",
    "weight = -1",
    "[[finding]]",
    "number = 1",
    "severity = \"fatal\"",
    "[[history]]",
    "from = \"production\"",
    "stage = \"cancelled\"",
    "scope = [\"CR-0004\", \"CR-0004\"]",
    "[[training]]",
    "date = 2026-12-31",
    "[smtp]",
    "tls = \"none\"",
    "user = \"me\"",
    "[coordination]",
    "url = \"javascript:alert(1)\"",
    "[changelog]",
    "file = \".git/config\"",
    "[import.jira]",
    "kind = { field = \"\", map = { Bug = \"nope\" } }",
];

/// Control characters, written as TOML escapes or as raw bytes.
const CONTROL: &[&str] = &[
    "\\u0000",
    "\\u001b[2J",
    "\\r",
    "\\n",
    "\\t",
    "\\u007f",
    "\\u009b",
    "\\b",
    "\\f",
    "\u{1b}",
    "\u{0}",
    "\r",
    "\u{9b}",
    "\u{7f}",
];

/// One change to one file of the workspace.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero value.
    FlipByte(Index, u8),
    /// Cut the file at a byte.
    Truncate(Index),
    /// Delete a line (a key, a table header).
    DeleteLine(Index),
    /// Write a line twice (a duplicated key or table).
    DuplicateLine(Index),
    /// Replace the value of a `key = value` line.
    Value(Index, Index),
    /// Insert a line from another format.
    InsertLine(Index, Index),
    /// Put a control character into a line (inside a string, if it has one).
    Control(Index, Index),
    /// Replace the value of a line by a string of `n` characters.
    LongString(Index, usize),
    /// Add a key of `n` characters.
    LongKey(usize),
    /// Swap two lines.
    SwapLines(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<Index>(), 1u8..=255).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(l, v)| Mutation::Value(l, v)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, l)| Mutation::InsertLine(a, l)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(l, c)| Mutation::Control(l, c)),
        1 => (any::<Index>(), prop_oneof![Just(200usize), Just(5_000), Just(100_000)])
            .prop_map(|(l, n)| Mutation::LongString(l, n)),
        1 => prop_oneof![Just(100usize), Just(70_000)].prop_map(Mutation::LongKey),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

/// The nearest char boundary at or before `i`.
fn boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Applies `m` to the bytes of a file.
fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if let Mutation::FlipByte(i, b) = m {
        if !bytes.is_empty() {
            let at = i.index(bytes.len());
            bytes[at] ^= b;
        }
        return;
    }
    if let Mutation::Truncate(i) = m {
        let at = i.index(bytes.len() + 1);
        bytes.truncate(at);
        return;
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    match m {
        Mutation::FlipByte(..) | Mutation::Truncate(_) => unreachable!(),
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(n));
        }
        Mutation::DuplicateLine(i) => {
            let at = i.index(n);
            lines.insert(at, lines[at].clone());
        }
        Mutation::Value(l, v) => {
            let at = l.index(n);
            if let Some(eq) = lines[at].find(" = ") {
                let value = VALUES[v.index(VALUES.len())];
                lines[at] = format!("{} = {value}", &lines[at][..eq]);
            }
        }
        Mutation::InsertLine(a, l) => {
            lines.insert(a.index(n + 1), LINES[l.index(LINES.len())].to_owned());
        }
        Mutation::Control(l, c) => {
            let at = l.index(n);
            let line = &lines[at];
            let pos = line.find('"').map_or(line.len(), |q| q + 1);
            let pos = boundary(line, pos);
            let mut new = line.clone();
            new.insert_str(pos, CONTROL[c.index(CONTROL.len())]);
            lines[at] = new;
        }
        Mutation::LongString(l, len) => {
            let at = l.index(n);
            if let Some(eq) = lines[at].find(" = ") {
                lines[at] = format!("{} = \"{}\"", &lines[at][..eq], "ü".repeat(*len));
            }
        }
        Mutation::LongKey(len) => lines.push(format!("{} = 1", "k".repeat(*len))),
        Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    *bytes = out.into_bytes();
}

/// Which file a mutation hits.
#[derive(Debug, Clone)]
enum Target {
    Config,
    Partners,
    /// Any file of the workspace (mostly requests).
    Any(Index),
}

/// zyklus.toml and partners.toml are hit more often than their share: every other
/// file is read in their light.
fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => Just(Target::Config),
        2 => Just(Target::Partners),
        5 => any::<Index>().prop_map(Target::Any),
    ]
}

/// A mutated workspace written into a fresh directory.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(mutations: &[(Target, Mutation)]) -> Self {
        let mut files: BTreeMap<String, Vec<u8>> = seed()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
            .collect();
        let names: Vec<String> = files.keys().cloned().collect();
        for (target, m) in mutations {
            let name = match target {
                Target::Config => "zyklus.toml",
                Target::Partners => "partners.toml",
                Target::Any(i) => &names[i.index(names.len())],
            };
            let bytes = files.get_mut(name).expect("file");
            apply(bytes, m);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        for (rel, bytes) in &files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write");
        }
        Self { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Every file below the root but the lock file, with its bytes.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for e in std::fs::read_dir(dir).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, root, out);
                } else if p.file_name().is_some_and(|n| n != ".zyklus.lock") {
                    let rel = p.strip_prefix(root).expect("below root").to_path_buf();
                    out.insert(rel, std::fs::read(&p).expect("read"));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.root(), self.root(), &mut out);
        out
    }

    fn zyklus(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_zyklus"))
            .arg("-C")
            .arg(self.root())
            .args(args)
            .current_dir(self.root())
            .env("ZYKLUS_NOW", "2026-11-27T10:00:00+01:00")
            .env("NO_COLOR", "1")
            .env("ZYKLUS_USER", "fuzz")
            .env_remove("ZYKLUS_WORKSPACE")
            .env_remove("ZYKLUS_TEST_FAULT")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run zyklus")
    }
}

/// Whether `text` names one of the workspace's files.
fn names_a_file(text: &str) -> bool {
    [
        "zyklus.toml",
        "partners.toml",
        "requests/",
        "releases/",
        "trainings/",
    ]
    .iter()
    .any(|f| text.contains(f))
}

/// Reading commands to run through the binary on a sample.
const COMMANDS: &[&[&str]] = &[
    &["request", "list"],
    &["release", "list"],
    &["plan", "--dry-run", "--time-limit", "0.5"],
    &["calendar", "--year", "2027"],
    &["score"],
    &["sla"],
    &["partner", "list"],
    &["release", "show", "2027.1"],
];

fn check(mutations: &[(Target, Mutation)], binary: Option<Index>) -> Result<(), TestCaseError> {
    let case = Case::new(mutations);
    let before = case.files();
    let loaded = zyklus::workspace::load(case.root());
    let valid = match &loaded {
        Ok(_) => true,
        Err(e) => {
            match e.downcast_ref::<Invalid>() {
                Some(Invalid(diags)) => {
                    prop_assert!(!diags.is_empty(), "an Invalid without diagnostics");
                    for d in diags {
                        prop_assert!(
                            names_a_file(&d.file.to_string_lossy()),
                            "a diagnostic names no workspace file: {d:?}"
                        );
                        prop_assert!(
                            d.message.chars().count() <= 400,
                            "a message of {} characters",
                            d.message.chars().count()
                        );
                    }
                }
                None => prop_assert!(
                    names_a_file(&format!("{e:#}")),
                    "an error that names no file: {e:#}"
                ),
            }
            false
        }
    };
    prop_assert_eq!(&before, &case.files(), "loading wrote something");
    if let Some(pick) = binary {
        let v = case.zyklus(&["validate"]);
        let stderr = String::from_utf8_lossy(&v.stderr);
        prop_assert!(
            !stderr.contains("panicked"),
            "validate panicked:\n{}",
            stderr
        );
        prop_assert_eq!(
            v.status.code(),
            Some(if valid { 0 } else { 1 }),
            "validate: {}",
            stderr
        );
        if !valid {
            prop_assert!(names_a_file(&stderr), "validate names no file:\n{}", stderr);
        }
        let args = COMMANDS[pick.index(COMMANDS.len())];
        let r = case.zyklus(args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        prop_assert!(
            !stderr.contains("panicked"),
            "{:?} panicked:\n{}",
            args,
            stderr
        );
        let code = r.status.code();
        prop_assert!(
            matches!(code, Some(0..=3)),
            "{:?} exited {:?}:\n{}",
            args,
            code,
            stderr
        );
        if !valid {
            prop_assert_eq!(
                code,
                Some(1),
                "{:?} on an invalid workspace: {}",
                args,
                stderr
            );
        }
        prop_assert_eq!(&before, &case.files(), "{:?} wrote something", args);
    }
    Ok(())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        // Shrinking runs the binary again and again; a failure is shown unshrunk
        // after a while rather than never.
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_workspaces_are_loaded_or_refused_never_panic_never_written(
        mutations in prop::collection::vec((target(), mutation()), 1..4),
        binary in prop::option::weighted(0.2, any::<Index>()),
    ) {
        check(&mutations, binary)?;
    }
}

/// Every mutation kind once on each kind of file, through the binary too (a fixed
/// sweep, independent of the seed).
#[test]
fn every_mutation_on_every_kind_of_file() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut index = || {
        any::<Index>()
            .new_tree(&mut runner)
            .expect("index")
            .current()
    };
    let names: Vec<&String> = seed().keys().collect();
    let kinds_of_file = [
        "zyklus.toml",
        "partners.toml",
        "requests/CR-0001.toml",
        "releases/2027.1.toml",
        "trainings/2027.toml",
    ];
    for (k, name) in kinds_of_file.iter().enumerate() {
        let f = names.iter().position(|n| n == name).expect("a seed file");
        // An Index maps onto any length; find one that picks this file.
        let file = std::iter::repeat_with(&mut index)
            .find(|i| i.index(names.len()) == f)
            .expect("an index for the file");
        let i = index();
        let kinds = [
            Mutation::FlipByte(i, 0x80),
            Mutation::Truncate(i),
            Mutation::DeleteLine(i),
            Mutation::DuplicateLine(i),
            Mutation::Value(i, i),
            Mutation::InsertLine(i, i),
            Mutation::Control(i, i),
            Mutation::LongString(i, 5_000),
            Mutation::LongKey(70_000),
            Mutation::SwapLines(i, i),
        ];
        for (j, m) in kinds.into_iter().enumerate() {
            // Each reading command in turn.
            let command = index();
            let binary = ((j + k) % 2 == 0).then_some(command);
            if let Err(e) = check(&[(Target::Any(file), m.clone())], binary) {
                panic!("{m:?} on {name}: {e}");
            }
        }
    }
}
