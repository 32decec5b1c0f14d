//! `zyklus changelog`: the release's section in a git repository's changelog —
//! idempotent, one commit, annotated tag, refusals, hand edits survive, and an
//! independent Keep a Changelog parser reads it back.

use std::process::Command;

use crate::fixtures::{git, repo, with_release};
use crate::support::Test;

fn zyklus_changelog(t: &Test, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["changelog", "2027.1", "--repo", "product"];
    args.extend_from_slice(extra);
    t.run(&args)
}

#[test]
fn twice_is_byte_identical_one_commit_and_a_tag() {
    let mut t = with_release();
    t.at("2027-01-12T11:00:00+01:00");
    let dir = repo(&t);
    git(
        &dir,
        &["remote", "add", "origin", "git@github.com:acme/portal.git"],
    );
    zyklus_changelog(&t, &["--tag"])
        .ok()
        .stdout_has("2027.1: committed CHANGELOG.md")
        .stdout_has("tag v2027.1 created");
    let first = t.read("product/CHANGELOG.md");
    zyklus_changelog(&t, &["--tag"])
        .ok()
        .stdout_has("up to date; nothing to commit")
        .stdout_has("tag v2027.1 exists already");
    assert_eq!(first, t.read("product/CHANGELOG.md"));
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
    assert!(git(&dir, &["log", "--format=%s|%an|%aI"])
        .starts_with("docs(changelog): release 2027.1|Repo User|2027-01-12T11:00:00+01:00"));
    assert_eq!(git(&dir, &["cat-file", "-t", "v2027.1"]).trim(), "tag");
    assert_eq!(
        git(&dir, &["rev-parse", "v2027.1^{commit}"]),
        git(&dir, &["rev-parse", "HEAD"])
    );
    git(&dir, &["fsck", "--strict"]);
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    assert!(first.contains("## [2027.1] - 2027-01-12\n\n### Added\n\n- Das Dashboard"));
    assert!(first.ends_with("\n[2027.1]: https://github.com/acme/portal/releases/tag/v2027.1\n"));
}

#[test]
fn keep_a_changelog_parser_reads_it_back() {
    let t = with_release();
    let dir = repo(&t);
    git(
        &dir,
        &[
            "remote",
            "add",
            "origin",
            "https://gitlab.example.com/acme/portal.git",
        ],
    );
    zyklus_changelog(&t, &["--lang", "en"]).ok();
    let script = r#"
import json, sys
try:
    import keepachangelog
except ImportError:
    sys.exit("the Python package keepachangelog is missing: pip install -r tests/requirements.txt")
print(json.dumps(keepachangelog.to_dict(sys.argv[1])))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(dir.join("CHANGELOG.md"))
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let r = &j["2027.1"];
    assert_eq!(r["metadata"]["release_date"], "2027-01-12");
    assert_eq!(
        r["metadata"]["url"],
        "https://gitlab.example.com/acme/portal/-/tags/v2027.1"
    );
    assert_eq!(r["added"].as_array().map(Vec::len), Some(2));
    assert_eq!(r["changed"].as_array().map(Vec::len), Some(3));
    assert_eq!(r["fixed"].as_array().map(Vec::len), Some(3));
    assert!(r["fixed"][2]
        .as_str()
        .is_some_and(|s| s.contains("correct umlauts and ß. (CR-0035)")));
}

#[test]
fn hand_edits_survive_and_the_section_is_replaced() {
    let t = with_release();
    let dir = repo(&t);
    let hand = "# Changelog\n\nOur own intro, written by hand.\n\n## [Unreleased]\n\n- Work in progress\n\n## [2027.1] - 2027-01-12\n\n### Added\n\n- Stale text (CR-0004)\n\n## [2026.6] - 2026-11-10\n\n### Fixed\n\n- A hand-written entry\n";
    std::fs::write(dir.join("CHANGELOG.md"), hand).expect("write");
    git(&dir, &["add", "CHANGELOG.md"]);
    git(&dir, &["commit", "-q", "-m", "hand-written changelog"]);
    zyklus_changelog(&t, &[]).ok().stdout_has("committed");
    let after = t.read("product/CHANGELOG.md");
    assert!(after.starts_with("# Changelog\n\nOur own intro, written by hand.\n\n## [Unreleased]\n\n- Work in progress\n\n## [2027.1] - 2027-01-12\n"));
    assert!(after.ends_with("## [2026.6] - 2026-11-10\n\n### Fixed\n\n- A hand-written entry\n"));
    assert!(!after.contains("Stale text"));
    assert_eq!(after.matches("## [2027.1]").count(), 1);
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
    zyklus_changelog(&t, &[])
        .ok()
        .stdout_has("nothing to commit");
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
}

#[test]
fn dirty_changelog_is_refused_and_left_untouched() {
    let t = with_release();
    let dir = repo(&t);
    std::fs::write(dir.join("CHANGELOG.md"), "# Changelog\n").expect("write");
    git(&dir, &["add", "CHANGELOG.md"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    std::fs::write(
        dir.join("CHANGELOG.md"),
        "# Changelog\n\nuncommitted edit\n",
    )
    .expect("write");
    let before = t.snapshot();
    zyklus_changelog(&t, &["--tag"])
        .code(1)
        .stderr_has("CHANGELOG.md has uncommitted changes")
        .stderr_has("help:");
    assert_eq!(before, t.snapshot());
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
    assert_eq!(git(&dir, &["tag"]), "");
    // Staged but not committed is just as dirty.
    git(&dir, &["add", "CHANGELOG.md"]);
    zyklus_changelog(&t, &[])
        .code(1)
        .stderr_has("uncommitted changes");
}

#[test]
fn other_staged_changes_stay_out_of_the_commit() {
    let t = with_release();
    let dir = repo(&t);
    std::fs::write(dir.join("README.md"), "readme\n").expect("write");
    git(&dir, &["add", "README.md"]);
    zyklus_changelog(&t, &[]).ok();
    assert_eq!(
        git(&dir, &["show", "--name-only", "--format=", "HEAD"]).trim(),
        "CHANGELOG.md"
    );
    assert_eq!(git(&dir, &["status", "--porcelain"]), "A  README.md\n");
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let t = with_release();
    let dir = repo(&t);
    let before = t.snapshot();
    let r = zyklus_changelog(&t, &["--dry-run", "--tag"]);
    r.ok()
        .stdout_has("--- a/CHANGELOG.md")
        .stdout_has("+++ b/CHANGELOG.md")
        .stdout_has("+## [2027.1] - 2027-01-12")
        .stderr_has("would create tag v2027.1");
    assert_eq!(before, t.snapshot());
    assert!(!dir.join("CHANGELOG.md").exists());
}

#[test]
fn refuses_releases_not_in_production_unless_forced() {
    let t = with_release();
    repo(&t);
    let rel = t.read("releases/2027.1.toml").replace("production", "test");
    t.write("releases/2027.1.toml", &rel);
    zyklus_changelog(&t, &[])
        .code(1)
        .stderr_has("not in production")
        .stderr_has("--force");
    assert!(!t.exists("product/CHANGELOG.md"));
    zyklus_changelog(&t, &["--force"])
        .ok()
        .stdout_has("committed");
}

#[test]
fn refuses_detached_head_and_mid_merge() {
    let t = with_release();
    let dir = repo(&t);
    std::fs::write(dir.join("a.txt"), "a\n").expect("write");
    git(&dir, &["add", "a.txt"]);
    git(&dir, &["commit", "-q", "-m", "a"]);
    git(&dir, &["checkout", "-q", "--detach"]);
    zyklus_changelog(&t, &[])
        .code(1)
        .stderr_has("HEAD of")
        .stderr_has("detached")
        .stderr_has("git switch");
    git(&dir, &["checkout", "-q", "main"]);
    let head = git(&dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join(".git/MERGE_HEAD"), head).expect("write");
    zyklus_changelog(&t, &[])
        .code(1)
        .stderr_has("in the middle of a merge");
    assert!(!dir.join("CHANGELOG.md").exists());
}

#[test]
fn refuses_to_move_an_existing_tag() {
    let t = with_release();
    let dir = repo(&t);
    std::fs::write(dir.join("a.txt"), "a\n").expect("write");
    git(&dir, &["add", "a.txt"]);
    git(&dir, &["commit", "-q", "-m", "a"]);
    git(&dir, &["tag", "-a", "-m", "elsewhere", "v2027.1"]);
    zyklus_changelog(&t, &["--tag"])
        .code(1)
        .stderr_has("tag v2027.1 exists already");
    assert!(!dir.join("CHANGELOG.md").exists());
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 1);
}

#[test]
fn json_report_and_author_override() {
    let mut t = with_release();
    t.env("ZYKLUS_GIT_AUTHOR", "Release Bot <bot@example.com>");
    let dir = repo(&t);
    let j = t
        .run(&[
            "--format",
            "json",
            "changelog",
            "2027.1",
            "--repo",
            "product",
            "--tag",
        ])
        .ok()
        .json();
    assert_eq!(j["changed"], true);
    assert_eq!(j["tag"], "v2027.1");
    assert_eq!(j["tag_created"], true);
    assert!(j["commit"].is_string());
    assert_eq!(
        git(&dir, &["log", "--format=%an <%ae>"]).trim(),
        "Release Bot <bot@example.com>"
    );
}

#[test]
fn a_changelog_in_a_subdirectory_next_to_other_files() {
    let t = with_release();
    let dir = repo(&t);
    std::fs::create_dir_all(dir.join("docs")).expect("mkdir");
    std::fs::write(dir.join("docs/guide.md"), "guide\n").expect("write");
    std::fs::write(dir.join("main.rs"), "fn main() {}\n").expect("write");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "code"]);
    zyklus_changelog(&t, &["--file", "docs/CHANGES.md", "--tag"]).ok();
    zyklus_changelog(&t, &["--file", "docs/CHANGES.md", "--tag"])
        .ok()
        .stdout_has("nothing to commit");
    assert_eq!(
        git(&dir, &["ls-tree", "-r", "--name-only", "HEAD"]),
        "docs/CHANGES.md\ndocs/guide.md\nmain.rs\n"
    );
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    git(&dir, &["fsck", "--strict"]);
    // Paths that leave the repository are refused.
    zyklus_changelog(&t, &["--file", "../escape.md"])
        .code(1)
        .stderr_has("not a path inside the repository");
}
