//! `zyklus completions SHELL` and `zyklus man --out DIR`: generated from the clap
//! definitions; checked by the programs that read them (bash parses the script,
//! man renders a page).

use std::process::Command;

use crate::support::Test;

#[test]
fn every_shell_gets_a_script_and_bash_parses_it() {
    let t = Test::empty();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = t.run(&["completions", shell]);
        r.ok();
        assert!(r.stdout.contains("zyklus"), "{shell}: {}", r.stdout);
        assert!(r.stderr.is_empty(), "{shell}: {}", r.stderr);
    }
    let bash = t.run(&["completions", "bash"]);
    for word in ["request", "gate", "deploy", "sla", "ack", "--deployed"] {
        assert!(bash.stdout.contains(word), "bash completes {word}");
    }
    t.write("zyklus.bash", &bash.stdout);
    let out = Command::new("bash")
        .arg("-n")
        .arg(t.path("zyklus.bash"))
        .output()
        .expect("bash runs");
    crate::fixtures::succeeded(out, "bash -n");
    t.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn man_writes_a_page_per_command_that_man_renders() {
    let t = Test::empty();
    let r = t.run(&["man", "--out", "man1"]);
    r.ok().stderr_has("man pages into man1");
    let tree = t.tree("man1");
    for page in [
        "zyklus.1",
        "zyklus-request-set.1",
        "zyklus-gate-deploy.1",
        "zyklus-sla-ack.1",
        "zyklus-release-accept.1",
    ] {
        assert!(tree.lines().any(|l| l == page), "{page} in:\n{tree}");
    }
    assert!(!tree.contains("help.1"), "no page for clap's help:\n{tree}");
    let page = t.read("man1/zyklus-gate-deploy.1");
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff: {page}");
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED: `man` is not installed; the page was not rendered (apt-get install man-db)"
        );
        return;
    }
    let out = Command::new("man")
        .arg("-l")
        .arg(t.path("man1/zyklus-gate-deploy.1"))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .expect("man runs");
    let out = crate::fixtures::succeeded(out, "man -l");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("zyklus-gate-deploy"), "{text}");
    assert!(text.contains("--deployed"), "{text}");
}
