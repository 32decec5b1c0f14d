//! `zyklus changelog`: the release's section in a git repository's changelog —
//! idempotent, one commit, annotated tag, refusals, hand edits survive, and an
//! independent Keep a Changelog parser reads it back; real-world changelogs of
//! several shapes (`tests/fixtures/changelog/`) get the section in Keep a
//! Changelog order with every other byte kept. The repository's safety (paths,
//! links, locks, rollback, concurrency) is in `changelog_repo`.

use std::process::Command;

use std::path::Path;

use crate::fixtures::with_release;
use crate::support::Test;

pub(crate) use crate::fixtures::{git, repo};

pub(crate) fn zyklus_changelog(t: &Test, extra: &[&str]) -> crate::support::Run {
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
    // One language: German headings over German entries (the first workspace language).
    assert!(first.starts_with("# Changelog\n\nAlle wesentlichen Änderungen an diesem Projekt"));
    assert!(first.contains("## [2027.1] - 2027-01-12\n\n### Neu\n\n- Das Dashboard"));
    assert!(!first.contains("### Added"));
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
    let out = crate::fixtures::succeeded(out, "the Python keepachangelog check");
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

/// The fixtures: `tests/fixtures/changelog/<case>.md` is the changelog before,
/// `<case>.after.md` after `changelog 2027.1 --lang en` (with
/// `compare_url = "https://git.example/product/compare/{previous}...{tag}"`).
/// `ZYKLUS_BLESS=1` writes the `.after.md` files from what zyklus does (review
/// the diff before committing it).
fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/changelog")
        .join(name)
}

/// The versions an independent Keep a Changelog parser finds, in file order,
/// with the number of entries of 2027.1 per category.
fn parse_keepachangelog(file: &Path) -> (Vec<String>, serde_json::Value) {
    let script = r#"
import json, sys
try:
    import keepachangelog
except ImportError:
    sys.exit("the Python package keepachangelog is missing: pip install -r tests/requirements.txt")
d = keepachangelog.to_dict(sys.argv[1], show_unreleased=True)
r = d.get("2027.1", {})
print(json.dumps({
    "versions": list(d.keys()),
    "ours": {k: len(v) for k, v in r.items() if k != "metadata"},
    "url": r.get("metadata", {}).get("url"),
    "date": r.get("metadata", {}).get("release_date"),
}))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python3");
    let out = crate::fixtures::succeeded(out, "the Python keepachangelog check");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let versions = j["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v.as_str().expect("version").to_owned())
        .collect();
    (versions, j)
}

/// Runs `changelog 2027.1` on a repository whose committed changelog is the
/// fixture `case`; checks the result against `<case>.after.md`, that removing
/// the inserted text gives the fixture back byte for byte, and that a rerun
/// changes nothing. Returns the text after.
fn splice_fixture(case: &str) -> String {
    let t = with_release();
    let cfg = t.read("zyklus.toml").replace(
        "tag_prefix = \"v\"",
        "tag_prefix = \"v\"\ncompare_url = \"https://git.example/product/compare/{previous}...{tag}\"",
    );
    t.write("zyklus.toml", &cfg);
    let dir = repo(&t);
    let before = std::fs::read(fixture(&format!("{case}.md"))).expect("fixture");
    std::fs::write(dir.join("CHANGELOG.md"), &before).expect("write");
    git(&dir, &["add", "CHANGELOG.md"]);
    git(&dir, &["commit", "-q", "-m", "hand-written changelog"]);
    zyklus_changelog(&t, &["--lang", "en"])
        .ok()
        .stdout_has("committed CHANGELOG.md");
    let after = std::fs::read(dir.join("CHANGELOG.md")).expect("read");
    let expected_path = fixture(&format!("{case}.after.md"));
    if std::env::var_os("ZYKLUS_BLESS").is_some() {
        std::fs::write(&expected_path, &after).expect("bless");
    }
    let expected = std::fs::read(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (ZYKLUS_BLESS=1 writes it)",
            expected_path.display()
        )
    });
    let after = String::from_utf8(after).expect("utf-8");
    assert_eq!(
        after,
        String::from_utf8(expected).expect("utf-8"),
        "{case}: not as in {}",
        expected_path.display()
    );
    // Every byte of the fixture is still there, in order: what changed is insertions only.
    let before = String::from_utf8(before).expect("utf-8");
    let mut rest = after.as_str();
    for line in before.split_inclusive('\n') {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("{case}: line {line:?} of the fixture is gone or moved"));
        rest = &rest[at + line.len()..];
    }
    // Line endings stay those of the file.
    if before.contains("\r\n") {
        assert!(
            !after.replace("\r\n", "").contains('\n'),
            "{case}: mixed line endings"
        );
    }
    // A rerun changes nothing.
    zyklus_changelog(&t, &["--lang", "en"])
        .ok()
        .stdout_has("nothing to commit");
    assert_eq!(t.read("product/CHANGELOG.md"), after);
    assert_eq!(git(&dir, &["log", "--oneline"]).lines().count(), 2);
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    after
}

#[test]
fn keep_a_changelogs_own_changelog_gets_the_release_below_unreleased() {
    let after = splice_fixture("keepachangelog");
    let (versions, j) = parse_keepachangelog(&fixture("keepachangelog.after.md"));
    assert_eq!(
        versions,
        ["unreleased", "2027.1", "1.1.1", "1.1.0", "1.0.0"]
    );
    assert_eq!(
        j["ours"],
        serde_json::json!({"added": 2, "changed": 3, "fixed": 3})
    );
    assert_eq!(j["date"], "2027-01-12");
    assert_eq!(
        j["url"],
        "https://git.example/product/compare/v1.1.1...v2027.1"
    );
    assert!(after.contains(
        "[unreleased]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.1.1...HEAD\n[2027.1]: https://git.example/product/compare/v1.1.1...v2027.1\n[1.1.1]:"
    ));
}

#[test]
fn a_changelog_without_unreleased_gets_the_release_below_the_intro() {
    splice_fixture("no_unreleased");
    let (versions, j) = parse_keepachangelog(&fixture("no_unreleased.after.md"));
    assert_eq!(versions, ["2027.1", "2026.6", "2026.5"]);
    assert_eq!(
        j["ours"],
        serde_json::json!({"added": 2, "changed": 3, "fixed": 3})
    );
    // The file has no link references, so none is added.
    assert_eq!(j["url"], serde_json::Value::Null);
}

#[test]
fn empty_subsections_of_unreleased_stay_as_they_are() {
    splice_fixture("empty_subsections");
    let (versions, j) = parse_keepachangelog(&fixture("empty_subsections.after.md"));
    assert_eq!(versions, ["unreleased", "2027.1", "2026.6"]);
    assert_eq!(
        j["ours"],
        serde_json::json!({"added": 2, "changed": 3, "fixed": 3})
    );
}

#[test]
fn v_prefixed_versions_are_versions() {
    let after = splice_fixture("v_prefixed");
    let (versions, j) = parse_keepachangelog(&fixture("v_prefixed.after.md"));
    assert_eq!(versions, ["unreleased", "2027.1", "v2026.6", "v2026.5"]);
    assert_eq!(
        j["url"],
        "https://git.example/product/compare/v2026.6...v2027.1"
    );
    assert!(after
        .contains("[Unreleased]: https://git.example/product/compare/v2026.6...HEAD\n[2027.1]:"));
}

#[test]
fn level_four_subheadings_stay_in_their_release() {
    splice_fixture("subheadings");
    let (versions, _) = parse_keepachangelog(&fixture("subheadings.after.md"));
    assert_eq!(versions, ["unreleased", "2027.1", "2026.6"]);
}

#[test]
fn crlf_changelogs_keep_crlf() {
    let after = splice_fixture("crlf");
    let (versions, j) = parse_keepachangelog(&fixture("crlf.after.md"));
    assert_eq!(versions, ["unreleased", "2027.1", "2026.6"]);
    assert_eq!(
        j["url"],
        "https://git.example/product/compare/v2026.6...v2027.1"
    );
    assert!(after.contains("\r\n## [2027.1] - 2027-01-12\r\n\r\n### Added\r\n"));
}

#[test]
fn a_heading_in_a_fenced_code_block_is_not_a_section() {
    let after = splice_fixture("fenced");
    // The fences and the comment are intact, the example in them untouched.
    assert!(
        after.contains(
            "```markdown\n## [2027.1] - 2027-01-12\n\n### Added\n\n- Example entry\n```\n\n~~~\n## [Unreleased]\n~~~\n\n<!--\n## [2027.1] - draft\n-->\n\n## [2027.1] - 2027-01-12\n\n### Added\n\n- "
        ),
        "{after}"
    );
    assert_eq!(after.matches("```").count(), 2);
    assert_eq!(after.matches("~~~").count(), 2);
    assert_eq!(after.matches("## [2027.1] - 2027-01-12").count(), 2);
    let ours = after.rfind("## [2027.1] - 2027-01-12").expect("section");
    let old = after.find("## [2026.6]").expect("2026.6");
    assert!(ours < old);
}

#[test]
fn a_newer_release_already_in_the_file_stays_on_top() {
    splice_fixture("newer_release");
    let (versions, _) = parse_keepachangelog(&fixture("newer_release.after.md"));
    assert_eq!(versions, ["unreleased", "2027.2", "2027.1", "2026.6"]);
}

#[test]
fn a_hotfix_is_newer_than_its_release() {
    splice_fixture("hotfix_present");
    let (versions, _) = parse_keepachangelog(&fixture("hotfix_present.after.md"));
    assert_eq!(versions, ["2027.1.1", "2027.1", "2026.6"]);
}

/// Headings and entries in one language, whichever is asked for; an
/// independent Keep a Changelog parser reads the German one by its structure.
#[test]
fn the_changelog_is_in_one_language() {
    let t = with_release();
    let dir = repo(&t);
    zyklus_changelog(&t, &[]).ok();
    let (versions, j) = parse_keepachangelog(&dir.join("CHANGELOG.md"));
    assert_eq!(versions, ["2027.1"]);
    assert_eq!(
        j["ours"],
        serde_json::json!({"neu": 2, "verbessert": 3, "behoben": 3})
    );
    assert_eq!(j["date"], "2027-01-12");
    let t = with_release();
    let dir = repo(&t);
    zyklus_changelog(&t, &["--lang", "en"]).ok();
    let text = t.read("product/CHANGELOG.md");
    assert!(
        text.starts_with("# Changelog\n\nAll notable changes"),
        "{text}"
    );
    assert!(
        !text.contains("Das Dashboard") && !text.contains("### Neu"),
        "{text}"
    );
    let (_, j) = parse_keepachangelog(&dir.join("CHANGELOG.md"));
    assert_eq!(
        j["ours"],
        serde_json::json!({"added": 2, "changed": 3, "fixed": 3})
    );
    zyklus_changelog(&t, &["--lang", "fr"])
        .code(1)
        .stderr_has("`fr` is not a language of this workspace");
}

/// A hotfix in production gets its section, dated the day it went there, and
/// its tag (issue 10: this failed with "release 2026.6.1 has no release date").
#[test]
fn a_hotfix_in_production_gets_its_section_and_tag() {
    let t = crate::fixtures::hotfix_in_production();
    let dir = repo(&t);
    let r = t.run(&[
        "changelog",
        "2026.6.1",
        "--repo",
        "product",
        "--tag",
        "--lang",
        "en",
    ]);
    r.ok()
        .stdout_has("2026.6.1: committed CHANGELOG.md")
        .stdout_has("tag v2026.6.1 created");
    let text = t.read("product/CHANGELOG.md");
    assert!(
        text.contains("\n## [2026.6.1] - 2026-11-27\n\n### Fixed\n\n- Payments are confirmed immediately again"),
        "{text}"
    );
    assert_eq!(git(&dir, &["cat-file", "-t", "v2026.6.1"]).trim(), "tag");
    let (versions, _) = parse_keepachangelog(&dir.join("CHANGELOG.md"));
    assert_eq!(versions, ["2026.6.1"]);
}
