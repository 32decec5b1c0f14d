//! The test harness: a temporary workspace, a pinned clock, no colour, and the
//! binary run with arguments, checked the way a user would see it.
//!
//! For snapshot tests (insta), a [`Run`] displays as a normalised transcript of the
//! session — the command line, the exit code, stdout and stderr — so
//! `insta::assert_snapshot!("name", t.run(&[..]))` compares all of it at once;
//! [`Test::files`] and [`Test::tree`] do the same for what a command wrote.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::CommandCargoExt;

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2026-11-27T10:00:00+01:00";

/// A temporary workspace to run zyklus in.
pub struct Test {
    pub dir: tempfile::TempDir,
    pub now: String,
    pub env: BTreeMap<String, String>,
}

/// What one run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The arguments after `zyklus`, for the transcript.
    pub args: Vec<String>,
    /// The workspace the run happened in, replaced by `[WS]` in the transcript.
    pub root: PathBuf,
}

/// The transcript a snapshot holds: the command line as the user typed it, the exit
/// code, stdout and stderr, normalised with [`normalise`].
impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(|a| shell_word(a)).collect();
        writeln!(f, "$ zyklus {}", args.join(" "))?;
        writeln!(f, "--- exit {}", self.code)?;
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if text.is_empty() {
                writeln!(f, "--- {name}: empty")?;
            } else {
                writeln!(f, "--- {name}")?;
                f.write_str(&normalise(text, &self.root))?;
                if !text.ends_with('\n') {
                    writeln!(f, "\n--- ({name} has no final newline)")?;
                }
            }
        }
        Ok(())
    }
}

/// An argument as a shell would need it: quoted when it is empty or holds spaces
/// or quotes.
fn shell_word(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| !c.is_whitespace() && !"'\"$\\;&|<>*?()`".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Replaces what differs between two runs of the same test, so that snapshots
/// compare only behaviour:
/// - the temporary workspace directory (as given and canonicalised) → `[WS]`;
/// - the planner's wall-clock time: `"solve_ms": 123` → `"solve_ms": [MS]` in JSON
///   and `(123 ms)` → `([MS] ms)` in the table. The plan itself is deterministic (the
///   work budget is counted in moves), only the time it took is not;
/// - the version (`zyklus 0.1.0` in an iCalendar PRODID) → `zyklus [VERSION]`, so
///   that a release bump does not touch the snapshots.
///
/// Everything else zyklus prints is deterministic for a pinned `ZYKLUS_NOW`
/// (e-mail `Message-ID`, MIME boundaries and `Date`, iCalendar `DTSTAMP`, git commit
/// ids with a pinned author), and stays in the snapshots unchanged.
pub fn normalise(text: &str, root: &Path) -> String {
    let mut out = text.to_owned();
    let mut roots = vec![root.to_path_buf()];
    if let Ok(canonical) = root.canonicalize() {
        roots.insert(0, canonical);
    }
    for r in roots {
        let r = r.to_string_lossy();
        if !r.is_empty() {
            out = out.replace(r.as_ref(), "[WS]");
        }
    }
    out = out.replace(
        concat!("zyklus ", env!("CARGO_PKG_VERSION")),
        "zyklus [VERSION]",
    );
    out = replace_number_after(&out, "\"solve_ms\": ", "", "[MS]");
    replace_number_after(&out, "(", " ms)", "[MS]")
}

/// Replaces every run of digits that follows `before` and is followed by `after`.
fn replace_number_after(text: &str, before: &str, after: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(before) {
        let start = pos + before.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && rest[digits..].starts_with(after) {
            out.push_str(with);
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.code(0)
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The repository's bundled example workspace.
pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agency")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for e in fs::read_dir(from).expect("read dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy file");
        }
    }
}

impl Test {
    /// An empty directory (no workspace).
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            now: NOW.into(),
            env: BTreeMap::new(),
        }
    }

    /// A copy of `examples/agency`.
    pub fn example() -> Self {
        let t = Self::empty();
        copy_dir(&example_dir(), t.dir.path());
        t
    }

    /// A minimal valid workspace with the given request files (`(id, toml)`).
    pub fn with_requests(config_extra: &str, requests: &[(&str, &str)]) -> Self {
        let t = Self::empty();
        t.write(
            "zyklus.toml",
            &format!("[workspace]\nname = \"Test\"\nlanguages = [\"de\", \"en\"]\n{config_extra}"),
        );
        fs::create_dir_all(t.path("requests")).expect("requests dir");
        for (id, body) in requests {
            t.write(&format!("requests/{id}.toml"), body);
        }
        t
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create parent");
        }
        fs::write(p, contents).expect("write file");
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Sets the clock for later runs.
    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.into();
        self
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// A `Command` for zyklus in the workspace, with the harness environment.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::cargo_bin("zyklus").expect("zyklus binary");
        cmd.current_dir(self.root())
            .args(args)
            .env_remove("ZYKLUS_WORKSPACE")
            // clap wraps help at $COLUMNS; without it (and without a terminal) at 100.
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .env("ZYKLUS_NOW", &self.now)
            .env("NO_COLOR", "1")
            .env("ZYKLUS_USER", "tester")
            .stdin(std::process::Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs zyklus with `args` in the workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = self.command(args).output().expect("run zyklus");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            root: self.root().to_path_buf(),
        }
    }

    /// Runs `zyklus` with the arguments of a command line, as a user would type it:
    /// words are split at whitespace, and '…' or "…" quote a word that holds spaces
    /// (no escapes, no variables, no globs). `t.zyklus("notes 2027.1 --lang en")`.
    pub fn zyklus(&self, line: &str) -> Run {
        let words = split_words(line);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        self.run(&args)
    }

    /// The file `rel`, or every file below the directory `rel` (the root for `""`),
    /// sorted by path, each as a `--- path` line and its text, normalised: what a
    /// command wrote, for a snapshot.
    pub fn files(&self, rel: &str) -> String {
        let mut out = String::new();
        for (path, bytes) in self.snapshot() {
            let path = slash_path(&path);
            let rel = rel.trim_end_matches('/');
            if rel.is_empty() || path == rel || path.starts_with(&format!("{rel}/")) {
                let text = String::from_utf8_lossy(&bytes);
                // insta stores snapshots with LF line endings; say which ones the file
                // has, so that a change from CRLF (.ics, .eml) to LF still shows.
                let crlf = text.matches("\r\n").count();
                let endings = match (crlf, text.matches('\n').count()) {
                    (0, _) => "",
                    (c, n) if c == n => " (CRLF line endings)",
                    _ => " (mixed CRLF and LF line endings)",
                };
                out.push_str(&format!("--- {path}{endings}\n"));
                out.push_str(&normalise(&text.replace("\r\n", "\n"), self.root()));
                if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                    out.push_str("\n--- (no final newline)\n");
                }
            }
        }
        out
    }

    /// The paths of every file and directory below `rel` (the root for `""`), one a
    /// line, directories with a trailing `/`, sorted: a file list for a snapshot.
    /// The lock file is left out, as in [`Test::snapshot`].
    pub fn tree(&self, rel: &str) -> String {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            for e in fs::read_dir(dir).expect("read dir").flatten() {
                let p = e.path();
                if p.file_name().is_some_and(|n| n == ".zyklus.lock") {
                    continue;
                }
                let rel = slash_path(p.strip_prefix(root).expect("below root"));
                if p.is_dir() {
                    out.push(format!("{rel}/"));
                    walk(&p, root, out);
                } else {
                    out.push(rel);
                }
            }
        }
        let base = self.path(rel);
        let mut out = Vec::new();
        walk(&base, &base, &mut out);
        out.sort();
        out.iter().map(|l| format!("{l}\n")).collect()
    }

    /// Every file below the root with its bytes, to prove a command wrote nothing.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for e in fs::read_dir(dir).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, root, out);
                } else if p.file_name().is_some_and(|n| n != ".zyklus.lock") {
                    let rel = p.strip_prefix(root).expect("below root").to_path_buf();
                    out.insert(rel, fs::read(&p).expect("read file"));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.root(), self.root(), &mut out);
        out
    }
}

/// A command line split into words: whitespace separates them, and single or double
/// quotes group a word (the quotes themselves are dropped).
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.get_or_insert_with(String::new).push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            None if c.is_whitespace() => words.extend(word.take()),
            None => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quote in {line:?}");
    words.extend(word);
    words
}

/// A relative path with `/` between its parts, on every platform.
fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `zyklus.toml` text without its `[coordination]` table, for tests that set their own.
pub fn without_coordination(cfg: &str) -> String {
    let mut doc: toml_edit::DocumentMut = cfg.parse().expect("zyklus.toml parses");
    doc.remove("coordination");
    doc.to_string()
}
