//! Shared fixtures: the example workspace with release files in the stages the
//! commands need (a planned release, a production release, a release in test with
//! findings), and the helpers that read back what a command wrote. One copy of each,
//! so that no test module reaches into another for its starting point.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::Test;

/// Release 2027.1 with the calendar's dates and three accepted requests (20 of 40).
pub const RELEASE_2027_1: &str = r#"# Release 2027.1, written by hand for the test.
id = "2027.1"
stage = "planned" # where it stands
dev_start = 2026-11-11
test_start = 2026-12-22
release_date = 2027-01-12
scope = ["CR-0004", "CR-0007", "CR-0017"]
"#;

/// A copy of the example with the planned release [`RELEASE_2027_1`].
pub fn example_with_release() -> Test {
    let t = Test::example();
    t.write("releases/2027.1.toml", RELEASE_2027_1);
    t
}

/// A release file of the workspace, parsed.
pub fn release_toml(t: &Test, id: &str) -> toml::Value {
    toml::from_str(&t.read(&format!("releases/{id}.toml"))).expect("release file is TOML")
}

/// A copy of the example with a production release 2027.1 (mixed kinds, some major).
pub fn with_release() -> Test {
    let t = Test::example();
    t.write(
        "releases/2027.1.toml",
        r#"id = "2027.1"
stage = "production"
release_date = 2027-01-12
scope = ["CR-0004", "CR-0005", "CR-0011", "CR-0015", "CR-0017", "CR-0022", "CR-0024", "CR-0035"]
"#,
    );
    t
}

/// A copy of the example with release 2026.6 in production, for hotfixes on top of it.
pub fn with_production() -> Test {
    let t = Test::example();
    t.write(
        "releases/2026.6.toml",
        "id = \"2026.6\"\nstage = \"production\"\nscope = [\"CR-0001\", \"CR-0002\"]\nfrozen = true\n",
    );
    t
}

/// [`with_production`] with hotfix 2026.6.1 (CR-0026) taken through its gates:
/// in production since 2026-11-27 12:00.
pub fn hotfix_in_production() -> Test {
    let mut t = with_production();
    t.zyklus("hotfix new --request CR-0026").ok();
    t.zyklus("gate advance 2026.6.1 --yes").ok();
    t.zyklus("request set CR-0026 --status done").ok();
    t.zyklus("gate advance 2026.6.1 --yes --deployed hf-1").ok();
    t.at("2026-11-27T12:00:00+01:00");
    t.zyklus("gate advance 2026.6.1 --yes --signoff Ops").ok();
    t
}

/// [`with_release`] with 2027.1 back in test, an open blocker and a resolved
/// finding, and a `[coordination]` call 7 days before the release.
pub fn with_findings_and_call() -> Test {
    let t = with_release();
    let rel = t.read("releases/2027.1.toml").replace("production", "test")
        + r#"
[[finding]]
number = 1
severity = "blocker"
text = "Umsatz im Dashboard doppelt gezählt"
raised_at = 2026-12-22T14:10:00+01:00
request = "CR-0004"

[[finding]]
number = 2
severity = "minor"
text = "Already fixed typo"
raised_at = 2026-12-23T09:00:00+01:00
resolved_at = 2026-12-28T09:00:00+01:00
"#;
    t.write("releases/2027.1.toml", &rel);
    let cfg = crate::support::without_coordination(&t.read("zyklus.toml"))
        + "\n[coordination]\ndays_before_release = 7\ntime = \"10:00\"\nduration_minutes = 45\nurl = \"https://meet.example/pp\"\n";
    t.write("zyklus.toml", &cfg);
    t
}

/// `out`, after asserting that its command succeeded; the failure message names
/// the command (`what`) and shows its stdout and stderr.
pub fn succeeded(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `git` in `dir` with a fixed author, and returns its stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .output()
        .expect("run git");
    let out = succeeded(out, &format!("git {args:?}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An empty git repository (no commits) next to the workspace, in `product/`.
pub fn repo(t: &Test) -> PathBuf {
    let dir = t.path("product");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["config", "user.name", "Repo User"]);
    git(&dir, &["config", "user.email", "repo@example.com"]);
    dir
}

/// 2027.1 in test since 2026-12-22 with build rc1 and its scope done; now
/// 2027-01-05 14:00.
pub fn release_in_test() -> Test {
    let mut t = example_with_release();
    let release = t
        .read("releases/2027.1.toml")
        .replace("\"planned\"", "\"test\"")
        .replace(
            "scope = [",
            "frozen = true\ndeployed = \"v2027.1-rc1\"\ntest_started_at = 2026-12-22T09:00:00+01:00\nscope = [",
        );
    t.write("releases/2027.1.toml", &release);
    for cr in ["CR-0004", "CR-0007", "CR-0017"] {
        let file = format!("requests/{cr}.toml");
        t.write(
            &file,
            &t.read(&file)
                .replace("status = \"accepted\"", "status = \"done\""),
        );
    }
    t.at("2027-01-05T14:00:00+01:00");
    t
}
