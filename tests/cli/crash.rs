//! Crash safety of a multi-file commit (issue 10 §2): a re-plan that rewrites all
//! six release files is killed, or hit by an I/O error, at every one of its renames
//! (the journal's and the six files'). Afterwards the next command — `validate`
//! here — completes or drops the commit, the workspace is valid, the release files
//! hold the old plan or the new one and never a mix, and no temporary file or
//! journal is left.
//!
//! The faults come from `ZYKLUS_TEST_FAULT=rename:N:kill|eio` (see
//! `src/workspace/fsio.rs`), and once more from a real `strace` that kills the
//! process in the N-th `rename` system call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Test;

/// The journal's rename and one per release file.
const RENAMES: usize = 7;

/// Seven requests of ten units and ten units of capacity per release: the first
/// plan puts CR-1 … CR-6 into 2027.1 … 2027.6 (best first) and defers CR-7.
fn workspace() -> Test {
    let t = Test::with_requests(
        "[capacity]\ndefault = 10\n\n[planning]\nreplan_tolerance = 0\n\n[scoring]\ncriteria.value = { weight = 1.0, scale = [1, 10] }\n",
        &[],
    );
    for i in 1..=7 {
        t.write(
            &format!("requests/CR-{i}.toml"),
            &format!(
                "title = \"Request {i}\"\nstatus = \"accepted\"\neffort = 10\n[scores]\nvalue = {}\n",
                11 - i
            ),
        );
    }
    t.run(&["plan"]).ok();
    // Then 2027.1 loses its room (a `--capacity` what-if is never written, so the
    // configuration says it): the re-plan moves every request one release later
    // (with no tolerance: a stable re-plan within 0.5 % would keep CR-5 in 2027.5
    // and give 2027.6 to CR-4, and not every file would change).
    let config = t.read("zyklus.toml").replace(
        "default = 10\n",
        "default = 10\nreleases = { \"2027.1\" = 0 }\n",
    );
    t.write("zyklus.toml", &config);
    t
}

/// The re-plan under test: without room in 2027.1 every request moves one release
/// later, so all six release files change.
const REPLAN: [&str; 1] = ["plan"];

/// Files by relative path, with their bytes.
type Files = BTreeMap<PathBuf, Vec<u8>>;

/// The release files, by name.
fn releases(t: &Test) -> Files {
    t.snapshot()
        .into_iter()
        .filter(|(p, _)| p.starts_with("releases"))
        .collect()
}

/// Every file below the root whose name is a temporary file or the journal.
fn leftovers(root: &Path) -> Vec<String> {
    t_walk(root)
        .into_iter()
        .filter(|name| {
            let base = name.rsplit('/').next().unwrap_or(name);
            (base.starts_with(".zyklus-") && base.ends_with(".tmp")) || base == ".zyklus-journal"
        })
        .collect()
}

fn t_walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(t_walk(&p));
        } else {
            out.push(p.to_string_lossy().into_owned());
        }
    }
    out
}

/// A copy of `from` (files only, as the tests write them).
fn copy_of(from: &Test) -> Test {
    let t = Test::empty();
    for (rel, bytes) in from.snapshot() {
        let p = t.root().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }
    t
}

/// The plan before and after [`REPLAN`], checked to differ in every release file.
fn old_and_new() -> (Test, Files, Files) {
    let base = workspace();
    let old = releases(&base);
    assert_eq!(old.len(), 6, "six release files: {:?}", old.keys());
    let replanned = copy_of(&base);
    replanned.run(&REPLAN).ok();
    let new = releases(&replanned);
    assert_eq!(new.len(), 6);
    for (path, bytes) in &old {
        assert_ne!(Some(bytes), new.get(path), "{} must change", path.display());
    }
    (base, old, new)
}

/// After a fault: the journal is there exactly when the commit was decided; then
/// `validate` passes, leaves nothing behind, and the plan is all old or all new.
/// Returns whether it is the new plan.
#[track_caller]
fn check_after_fault(t: &Test, what: &str, old: &Files, new: &Files) -> bool {
    let r = t.run(&["validate"]);
    assert_eq!(r.code, 0, "{what}: validate after the fault\n{}", r.stderr);
    let left = leftovers(t.root());
    assert!(left.is_empty(), "{what}: left behind {left:?}");
    let now = releases(t);
    assert!(
        now == *old || now == *new,
        "{what}: the release files are a mix of the old and the new plan"
    );
    // Recovery wrote only what the commit had decided: a second run changes nothing.
    let before = t.snapshot();
    t.run(&["validate"]).ok();
    assert_eq!(before, t.snapshot(), "{what}: validate wrote again");
    now == *new
}

/// `zyklus` with a fault injected, run from outside the workspace (an abort may
/// leave a core file in the working directory).
fn run_with_fault(t: &Test, fault: &str, outside: &Path) -> std::process::Output {
    let root = t.root().to_str().expect("UTF-8 path").to_owned();
    let mut args = vec!["-C", root.as_str()];
    args.extend(REPLAN);
    t.command(&args)
        .current_dir(outside)
        .env("ZYKLUS_TEST_FAULT", fault)
        .output()
        .expect("run zyklus")
}

#[test]
fn a_kill_at_every_rename_leaves_the_old_or_the_new_plan() {
    let (base, old, new) = old_and_new();
    let outside = tempfile::tempdir().expect("tempdir");
    for n in 1..=RENAMES + 1 {
        let t = copy_of(&base);
        let out = run_with_fault(&t, &format!("rename:{n}:kill"), outside.path());
        let journal = t.exists(".zyklus-journal");
        if n <= RENAMES {
            assert!(
                !out.status.success(),
                "rename {n}: the kill must end the run"
            );
            // The journal's own rename decides the commit: killed at it, there is
            // none; killed at any later rename, it records what is still to do.
            assert_eq!(journal, n > 1, "rename {n}: journal");
            if n > 1 {
                assert!(
                    !leftovers(t.root()).is_empty(),
                    "rename {n}: the kill left pending files"
                );
            }
        } else {
            assert!(out.status.success(), "no rename {n}: the plan completes");
        }
        let is_new = check_after_fault(&t, &format!("kill at rename {n}"), &old, &new);
        assert_eq!(is_new, n > 1, "kill at rename {n}: decided = the new plan");
    }
}

#[test]
fn an_io_error_at_every_rename_leaves_the_old_or_the_new_plan() {
    let (base, old, new) = old_and_new();
    let outside = tempfile::tempdir().expect("tempdir");
    for n in 1..=RENAMES {
        let t = copy_of(&base);
        let out = run_with_fault(&t, &format!("rename:{n}:eio"), outside.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        if n == 1 {
            // Before the decision: nothing changed, and the run says so.
            assert_eq!(out.status.code(), Some(1), "rename 1\n{stderr}");
            assert!(stderr.contains("error:"), "{stderr}");
            assert_eq!(releases(&t), old, "rename 1: nothing written");
            assert!(leftovers(t.root()).is_empty(), "rename 1: cleaned up");
        } else {
            // After it: the commit retries what is left and completes.
            assert_eq!(out.status.code(), Some(0), "rename {n}\n{stderr}");
        }
        let is_new = check_after_fault(&t, &format!("EIO at rename {n}"), &old, &new);
        assert_eq!(is_new, n > 1, "EIO at rename {n}");
    }
}

#[test]
fn the_next_writing_command_completes_an_interrupted_commit() {
    let (base, _old, new) = old_and_new();
    let outside = tempfile::tempdir().expect("tempdir");
    let t = copy_of(&base);
    let out = run_with_fault(&t, "rename:4:kill", outside.path());
    assert!(!out.status.success());
    assert!(t.exists(".zyklus-journal"));
    // A writer takes the lock, completes the commit under it, and then re-plans
    // against the completed plan: the same plan, so it writes nothing more.
    let r = t.run(&REPLAN);
    r.ok();
    assert!(leftovers(t.root()).is_empty());
    assert_eq!(releases(&t), new);
    assert!(r.stderr.contains("already this plan"), "{}", r.stderr);
}

/// Whether `strace` can trace here (it is missing, or ptrace is not allowed in
/// some containers).
fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_real_sigkill_in_the_rename_system_call_leaves_the_old_or_the_new_plan() {
    if !cfg!(target_os = "linux") || !strace_works() {
        let msg = "SKIPPED: strace is not available (or may not trace here); the SIGKILL-in-rename test did not run. Install strace (.ci/run does) to run it.";
        assert!(
            std::env::var_os("ZYKLUS_REQUIRE_STRACE").is_none(),
            "{msg} ZYKLUS_REQUIRE_STRACE is set, so this is a failure."
        );
        eprintln!("{msg}");
        return;
    }
    let (base, old, new) = old_and_new();
    let outside = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_zyklus");
    for n in 1..=RENAMES {
        let t = copy_of(&base);
        let root = t.root().to_str().expect("UTF-8 path").to_owned();
        // glibc's rename() is the `rename` system call on x86-64 and `renameat`
        // (or `renameat2`) elsewhere; whichever it is, the n-th one is killed.
        let inject = format!("inject=rename,renameat,renameat2:signal=KILL:when={n}");
        let out = Command::new("strace")
            .args(["-f", "-qq", "-o", "/dev/null", "-e", &inject])
            .arg(bin)
            .args(["-C", &root])
            .args(REPLAN)
            .current_dir(outside.path())
            .env("ZYKLUS_NOW", &t.now)
            .env("NO_COLOR", "1")
            .env("ZYKLUS_USER", "tester")
            .env_remove("ZYKLUS_WORKSPACE")
            .env_remove("ZYKLUS_TEST_FAULT")
            .output()
            .expect("run strace");
        assert!(
            !out.status.success(),
            "rename {n}: SIGKILL must end the run\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(t.exists(".zyklus-journal"), n > 1, "rename {n}: journal");
        let is_new = check_after_fault(&t, &format!("SIGKILL in rename {n}"), &old, &new);
        assert_eq!(is_new, n > 1, "SIGKILL in rename {n}");
    }
}
