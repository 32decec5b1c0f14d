//! `zyklus plan --compare REF` on a scripted git history: the example workspace in
//! `planning/` of a repository, a commit with the plan written, a commit that
//! moves requests (a pin, a rejection, a new request, a deleted one), a commit
//! that changes a capacity, and an uncommitted edit. Whole outputs (table, JSON,
//! Markdown) as snapshots; the errors for no repository and an unknown revision.

use std::fs;

use insta::assert_snapshot;

use crate::fixtures::git;
use crate::support::Test;

/// The commits of [`history`], oldest first, short ids.
struct History {
    t: Test,
    commits: Vec<String>,
}

impl History {
    /// Runs `zyklus -C planning <line>` and returns its transcript with the
    /// commit ids replaced by `[PLANNED]`, `[MOVED]`, `[CAPACITY]`.
    fn zyklus(&self, line: &str) -> String {
        let mut out = self
            .t
            .zyklus(&format!("-C planning {line} --time-limit 600"))
            .to_string();
        for (id, name) in self
            .commits
            .iter()
            .zip(["[PLANNED]", "[MOVED]", "[CAPACITY]"])
        {
            out = out.replace(id.as_str(), name);
        }
        out
    }

    fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let path = self.t.path(&format!("planning/{rel}"));
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, f(text)).expect("write");
    }

    fn commit(&mut self, message: &str) {
        let root = self.t.root();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", message]);
        self.commits.push(
            git(root, &["rev-parse", "--short=7", "HEAD"])
                .trim()
                .to_owned(),
        );
    }
}

const NEW_REQUEST: &str = r#"title = "Booking API: webhooks for cancellations"
kind = "feature"
status = "accepted"
effort = 5
[scores]
value = 10
urgency = 9
risk = 2
"#;

/// The example in `planning/` of a fresh repository, with three commits.
fn history() -> History {
    let example = Test::example();
    let t = Test::empty();
    let ws = t.path("planning");
    fs::create_dir_all(&ws).expect("mkdir");
    for e in fs::read_dir(example.root())
        .expect("read example")
        .flatten()
    {
        fs::rename(e.path(), ws.join(e.file_name())).expect("move into planning/");
    }
    git(t.root(), &["init", "-q", "-b", "main"]);
    let mut h = History {
        t,
        commits: Vec::new(),
    };
    // 1. The plan on disk.
    let r = h.t.zyklus("-C planning plan --time-limit 600");
    assert_eq!(r.code, 0, "{r}");
    h.commit("Plan 2027");
    // 2. A change that moves requests: a pin, a rejection, a new request and a
    //    deleted one — without re-planning, as a pull request would.
    h.edit("requests/CR-0029.toml", |f| {
        f.replacen('\n', "\npin = \"2027.2\"\n", 1)
    });
    h.edit("requests/CR-0031.toml", |f| {
        f.replace("status = \"accepted\"", "status = \"rejected\"")
            .replace("status = \"open\"", "status = \"rejected\"")
    });
    h.t.write("planning/requests/CR-0041.toml", NEW_REQUEST);
    fs::remove_file(h.t.path("planning/requests/CR-0040.toml")).expect("remove CR-0040");
    h.edit("releases/2027.6.toml", |f| {
        f.replace("  \"CR-0040\",\n", "")
    });
    h.commit("Pin CR-0029, reject CR-0031, add CR-0041, drop CR-0040");
    // 3. More room in 2027.3.
    h.edit("zyklus.toml", |f| {
        f.replace(
            "releases = { \"2027.5\" = 30 }",
            "releases = { \"2027.5\" = 30, \"2027.3\" = 50 }",
        )
    });
    h.commit("2027.3 gets 50 units");
    h
}

#[test]
fn compare_shows_moves_backlog_and_capacity_changes_as_table_json_and_markdown() {
    let h = history();
    let before = h.t.snapshot();
    assert_snapshot!("plan_compare_table", h.zyklus("plan --compare HEAD~2"));
    assert_snapshot!(
        "plan_compare_json",
        h.zyklus("--format json plan --compare HEAD~2")
    );
    assert_snapshot!(
        "plan_compare_markdown",
        h.zyklus("plan --compare HEAD~2 --as markdown")
    );
    assert_snapshot!("plan_compare_capacity", h.zyklus("plan --compare HEAD~1"));
    assert_snapshot!("plan_compare_unchanged", h.zyklus("plan --compare HEAD"));
    assert_eq!(h.t.snapshot(), before, "--compare writes nothing");

    // An uncommitted edit: --compare HEAD shows what it does.
    h.t.write(
        "planning/requests/CR-0042.toml",
        &NEW_REQUEST
            .replace("webhooks for cancellations", "bulk cancellation")
            .replace("urgency = 9", "urgency = 10"),
    );
    assert_snapshot!("plan_compare_uncommitted", h.zyklus("plan --compare HEAD"));
}

#[test]
fn compare_refuses_without_a_repository_or_with_an_unknown_revision() {
    let t = Test::example();
    assert_snapshot!(
        "plan_compare_no_repository",
        t.zyklus("plan --compare HEAD")
    );
    git(t.root(), &["init", "-q", "-b", "main"]);
    assert_snapshot!(
        "plan_compare_no_commit_yet",
        t.zyklus("plan --compare HEAD")
    );
    git(t.root(), &["add", "-A"]);
    git(t.root(), &["commit", "-q", "-m", "workspace"]);
    assert_snapshot!(
        "plan_compare_unknown_revision",
        t.zyklus("plan --compare origin/main")
    );
    t.run(&["plan", "--compare", "HEAD", "--capacity", "2027.1=3"])
        .code(2);
    t.run(&["plan", "--as", "markdown"]).code(2);
}
