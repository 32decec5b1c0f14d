//! The test harness: a temporary workspace, a pinned clock, no colour, and the
//! binary run with arguments, checked the way a user would see it.

#![allow(dead_code)]

use std::collections::BTreeMap;
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
        }
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

/// `zyklus.toml` text without its `[coordination]` table, for tests that set their own.
pub fn without_coordination(cfg: &str) -> String {
    let mut doc: toml_edit::DocumentMut = cfg.parse().expect("zyklus.toml parses");
    doc.remove("coordination");
    doc.to_string()
}
