//! `zyklus changelog` never damages the product repository: paths inside `.git`
//! and outside the work tree are refused before anything is written, symbolic
//! links are never followed, git's locks are respected, a failure after the
//! first write puts everything back, concurrent runs make one commit, and a tag
//! on another commit is an error that names both commits.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::changelog::{git, repo, zyklus_changelog};
use crate::fixtures::with_release;
use crate::support::Test;

/// Every file under `dir` with its bytes — `.git` included, except its object
/// store (an undone commit may leave unreachable objects, as an aborted `git
/// commit` does, until `git gc`) and zyklus's own lock file.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("below root").to_path_buf();
            if rel == Path::new(".git/objects") || rel == Path::new(".git/zyklus-changelog.lock") {
                continue;
            }
            let meta = fs::symlink_metadata(&p).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&p).expect("link");
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(rel, fs::read(&p).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A repository with one commit (`README.md`).
fn repo_with_history(t: &Test) -> PathBuf {
    let dir = repo(t);
    fs::write(dir.join("README.md"), "readme\n").expect("write");
    git(&dir, &["add", "README.md"]);
    git(&dir, &["commit", "-q", "-m", "readme"]);
    dir
}

#[test]
fn a_file_inside_git_or_outside_the_work_tree_is_refused_before_writing() {
    let t = with_release();
    let dir = repo_with_history(&t);
    let config = fs::read(dir.join(".git/config")).expect("config");
    let before = snapshot(&dir);
    let outside = t.path("escape.md");
    for (file, says) in [
        (".git/config", "`.git` directory"),
        (".GIT/config", "`.git` directory"),
        ("./.git/config", "`.git` directory"),
        ("docs/../.git/config", "leaves the repository"),
        (".git/hooks/pre-commit", "`.git` directory"),
        ("sub/.Git/config", "`.git` directory"),
        ("../escape.md", "not a path inside the repository"),
        (outside.to_str().expect("utf-8"), "absolute path"),
    ] {
        zyklus_changelog(&t, &["--file", file])
            .code(1)
            .stderr_has(says)
            .stderr_has("help:");
        assert_eq!(
            before,
            snapshot(&dir),
            "--file {file} changed the repository"
        );
    }
    assert_eq!(fs::read(dir.join(".git/config")).expect("config"), config);
    assert!(!outside.exists());
    // git still works, and nothing was committed.
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
}

#[test]
fn changelog_file_in_git_is_refused_by_validate_with_its_line() {
    let t = with_release();
    let dir = repo_with_history(&t);
    for bad in [
        ".git/config",
        ".GIT/hooks/post-checkout",
        "../CHANGELOG.md",
        "/etc/motd",
    ] {
        let cfg = t
            .read("zyklus.toml")
            .replace("file = \"CHANGELOG.md\"", &format!("file = \"{bad}\""));
        let line = cfg
            .lines()
            .position(|l| l.starts_with("file = "))
            .expect("file line")
            + 1;
        let t2 = with_release();
        t2.write("zyklus.toml", &cfg);
        t2.run(&["validate"])
            .code(1)
            .stderr_has(&format!("zyklus.toml:{line}:"))
            .stderr_has(bad);
    }
    // And the command itself never gets to write.
    let cfg = t
        .read("zyklus.toml")
        .replace("file = \"CHANGELOG.md\"", "file = \".git/config\"");
    t.write("zyklus.toml", &cfg);
    let before = snapshot(&dir);
    zyklus_changelog(&t, &[]).code(1).stderr_has(".git/config");
    assert_eq!(before, snapshot(&dir));
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
}

#[cfg(unix)]
#[test]
fn a_committed_symlink_to_a_file_outside_is_not_followed() {
    let t = with_release();
    let dir = repo(&t);
    let secret = t.path("outside/secret.txt");
    t.write("outside/secret.txt", "top secret\n");
    std::os::unix::fs::symlink(&secret, dir.join("CHANGELOG.md")).expect("symlink");
    git(&dir, &["add", "CHANGELOG.md"]);
    git(&dir, &["commit", "-q", "-m", "link"]);
    let before = snapshot(&dir);
    zyklus_changelog(&t, &[])
        .code(1)
        .stderr_has("`CHANGELOG.md` is a symbolic link")
        .stderr_has("outside/secret.txt")
        .stderr_has("help:");
    assert_eq!(before, snapshot(&dir));
    assert_eq!(t.read("outside/secret.txt"), "top secret\n");
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
    assert!(!git(&dir, &["show", "HEAD:CHANGELOG.md"]).contains("secret\n"));
}

#[cfg(unix)]
#[test]
fn a_committed_directory_link_to_outside_is_not_written_through() {
    let t = with_release();
    let dir = repo(&t);
    fs::create_dir_all(t.path("outside/dir")).expect("mkdir");
    std::os::unix::fs::symlink(t.path("outside/dir"), dir.join("docs")).expect("symlink");
    git(&dir, &["add", "docs"]);
    git(&dir, &["commit", "-q", "-m", "docs link"]);
    let before = snapshot(&dir);
    zyklus_changelog(&t, &["--file", "docs/CHANGELOG.md"])
        .code(1)
        .stderr_has("`docs` is a symbolic link");
    assert_eq!(before, snapshot(&dir));
    assert_eq!(fs::read_dir(t.path("outside/dir")).expect("dir").count(), 0);
    assert_eq!(
        git(&dir, &["ls-tree", "HEAD", "docs"])
            .split_whitespace()
            .next(),
        Some("120000")
    );
    // The same link, only in HEAD (deleted in the work tree, unstaged), is refused too.
    fs::remove_file(dir.join("docs")).expect("rm link");
    zyklus_changelog(&t, &["--file", "docs/CHANGELOG.md"])
        .code(1)
        .stderr_has("`docs` is a symbolic link");
    assert!(!dir.join("docs").exists());
}

#[test]
fn a_locked_index_makes_no_commit_and_changes_nothing() {
    let t = with_release();
    let dir = repo_with_history(&t);
    fs::write(dir.join(".git/index.lock"), "").expect("lock");
    let before = snapshot(&dir);
    zyklus_changelog(&t, &["--tag"])
        .code(1)
        .stderr_has("the index is locked")
        .stderr_has("index.lock");
    assert_eq!(before, snapshot(&dir));
    assert!(!dir.join("CHANGELOG.md").exists());
    fs::remove_file(dir.join(".git/index.lock")).expect("unlock");
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
    // Without the lock, the same run goes through.
    zyklus_changelog(&t, &["--tag"])
        .ok()
        .stdout_has("committed");
}

#[test]
fn a_failure_after_the_write_puts_everything_back() {
    for (step, with_file) in [
        ("index", false),
        ("branch", false),
        ("tag", false),
        ("index", true),
        ("branch", true),
        ("tag", true),
    ] {
        let mut t = with_release();
        let dir = repo_with_history(&t);
        if with_file {
            fs::create_dir_all(dir.join("docs")).expect("mkdir");
            fs::write(
                dir.join("docs/CHANGES.md"),
                "# Changes\n\n## [2026.6] - 2026-11-10\n\n- old\n",
            )
            .expect("write");
            git(&dir, &["add", "docs"]);
            git(&dir, &["commit", "-q", "-m", "changes"]);
        }
        // Prime zyklus's lock file; it is not part of the snapshot anyway.
        let head = git(&dir, &["rev-parse", "HEAD"]);
        let before = snapshot(&dir);
        t.env("ZYKLUS_TEST_FAULT", step);
        zyklus_changelog(&t, &["--file", "docs/CHANGES.md", "--tag"])
            .code(1)
            .stderr_has(&format!("injected failure before the {step} step"))
            .stderr_has("the repository, index and work tree are as they were");
        assert_eq!(
            before,
            snapshot(&dir),
            "step {step}, existing file {with_file}"
        );
        assert_eq!(git(&dir, &["rev-parse", "HEAD"]), head);
        assert_eq!(git(&dir, &["status", "--porcelain"]), "");
        assert_eq!(git(&dir, &["tag"]), "");
        git(&dir, &["fsck", "--strict"]);
        // And then it works.
        t.env.remove("ZYKLUS_TEST_FAULT");
        zyklus_changelog(&t, &["--file", "docs/CHANGES.md", "--tag"])
            .ok()
            .stdout_has("committed");
        assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    }
}

#[test]
fn concurrent_runs_make_one_commit() {
    let t = with_release();
    let dir = repo_with_history(&t);
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                t.command(&["changelog", "2027.1", "--repo", "product", "--tag"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let mut committed = 0;
        for c in children {
            let out = c.wait_with_output().expect("wait");
            let out = crate::fixtures::succeeded(out, &format!("round {round}"));
            let stdout = String::from_utf8_lossy(&out.stdout);
            if stdout.contains("committed") {
                committed += 1;
            }
        }
        assert_eq!(committed, usize::from(round == 0), "round {round}");
        assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
        assert_eq!(git(&dir, &["tag"]), "v2027.1\n");
        assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    }
}

#[test]
fn a_second_run_waits_for_the_first() {
    let t = with_release();
    let dir = repo_with_history(&t);
    // Hold the lock as a running zyklus would.
    let held = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".git/zyklus-changelog.lock"))
        .expect("open lock");
    held.lock().expect("lock");
    let mut child = t
        .command(&["changelog", "2027.1", "--repo", "product"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().expect("poll").is_none(), "it did not wait");
    assert!(!dir.join("CHANGELOG.md").exists());
    held.unlock().expect("unlock");
    let out = child.wait_with_output().expect("wait");
    crate::fixtures::succeeded(out, "zyklus changelog, once the lock is free");
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
}

#[test]
fn a_tag_on_another_commit_is_an_error_naming_both() {
    let t = with_release();
    let dir = repo_with_history(&t);
    let old = git(&dir, &["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    git(&dir, &["tag", "-a", "-m", "too early", "v2027.1"]);
    // The changelog needs a commit: the tag would have to move.
    zyklus_changelog(&t, &["--tag"])
        .code(1)
        .stderr_has(&format!("tag v2027.1 exists already on commit {old}"));
    assert!(!dir.join("CHANGELOG.md").exists());
    // Written without the tag; now the changelog needs nothing, but the tag is on
    // a commit without the section.
    git(&dir, &["tag", "-d", "v2027.1"]);
    zyklus_changelog(&t, &[]).ok().stdout_has("committed");
    let new = git(&dir, &["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    git(&dir, &["tag", "-a", "-m", "too early", "v2027.1", &old]);
    let before = snapshot(&dir);
    zyklus_changelog(&t, &["--tag"])
        .code(1)
        .stderr_has(&format!("tag v2027.1 exists already on commit {old}"))
        .stderr_has(&format!("HEAD {new}"))
        .stderr_has("git tag -d v2027.1");
    assert_eq!(before, snapshot(&dir));
    // On the right commit it is fine — also once other commits follow.
    git(&dir, &["tag", "-d", "v2027.1"]);
    zyklus_changelog(&t, &["--tag"])
        .ok()
        .stdout_has("tag v2027.1 created");
    fs::write(dir.join("later.txt"), "later\n").expect("write");
    git(&dir, &["add", "later.txt"]);
    git(&dir, &["commit", "-q", "-m", "later"]);
    zyklus_changelog(&t, &["--tag"])
        .ok()
        .stdout_has("nothing to commit")
        .stdout_has("tag v2027.1 exists already");
    assert_eq!(
        git(&dir, &["rev-parse", "--short=7", "v2027.1^{commit}"]).trim(),
        new
    );
}
