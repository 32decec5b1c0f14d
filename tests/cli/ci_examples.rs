//! The CI examples in `examples/ci/` run only commands zyklus has: every `zyklus …`
//! command line in their shell steps is found, its variables replaced by a
//! plausible value, and run with `--help` appended — clap rejects an unknown
//! subcommand, flag or value before it prints the help. No network, no CI needed.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::Test;

/// What a `$VARIABLE` or `${{ expression }}` stands for: valid as a release id, a
/// git revision and a file name alike.
const PLACEHOLDER: &str = "2027.1";

/// A shell line split into commands at `;`, `|`, `&`, `(` and `)` outside quotes.
fn segments(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if ";|&()".contains(c) => {
                out.push(String::new());
                continue;
            }
            None => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// The words of a command, quotes removed, up to a redirection; a word with a
/// variable in it becomes [`PLACEHOLDER`].
fn words(command: &str) -> Vec<String> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut word: Option<(String, bool)> = None;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.get_or_insert_with(Default::default).0.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                word.get_or_insert_with(Default::default);
            }
            None if c.is_whitespace() => words.extend(word.take()),
            None if c == '>' || c == '<' => {
                // A redirection ends the command's arguments.
                word = None;
                break;
            }
            None => word.get_or_insert_with(Default::default).0.push(c),
        }
        if c == '$' {
            if let Some(w) = word.as_mut() {
                w.1 = true;
            }
        }
    }
    words.extend(word);
    words
        .into_iter()
        .map(|(w, var)| if var { PLACEHOLDER.to_owned() } else { w })
        .collect()
}

/// Every `zyklus …` command in the shell steps of a CI file (comments skipped).
fn zyklus_commands(yaml: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for raw in yaml.lines() {
        let line = raw.trim_start();
        if line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("- ").unwrap_or(line);
        let line = line.strip_prefix("run:").map_or(line, str::trim_start);
        for segment in segments(line) {
            let mut s = segment.trim();
            for prefix in ["if ", "then ", "! ", "else "] {
                s = s.strip_prefix(prefix).unwrap_or(s).trim_start();
            }
            let mut w = words(s);
            if w.first().is_some_and(|first| first == "zyklus") {
                w.remove(0);
                found.push(w);
            }
        }
    }
    found
}

#[test]
fn the_command_line_reader_reads_shell_lines_like_a_shell() {
    assert_eq!(
        zyklus_commands(
            "      - run: zyklus validate\n\
             # zyklus frobnicate (a comment)\n\
             \x20   zyklus plan --compare \"origin/$BASE\" --as markdown > plan.md\n\
             \x20   - cargo install --git \"$ZYKLUS_GIT\" zyklus\n\
             \x20   if zyklus gate check \"${{ steps.x.outputs.id }}\"; then echo ok; fi\n"
        ),
        [
            vec!["validate".to_owned()],
            ["plan", "--compare", PLACEHOLDER, "--as", "markdown"]
                .map(str::to_owned)
                .to_vec(),
            ["gate", "check", PLACEHOLDER].map(str::to_owned).to_vec(),
        ]
    );
}

#[test]
fn every_zyklus_command_in_the_ci_examples_exists() {
    let t = Test::empty();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    for (file, expected) in [
        (
            "github-actions.yml",
            &["validate", "plan", "notes", "changelog"][..],
        ),
        (
            "gitlab-ci.yml",
            &["validate", "plan", "notes", "changelog"][..],
        ),
    ] {
        let yaml = std::fs::read_to_string(dir.join(file)).expect("ci example");
        let commands = zyklus_commands(&yaml);
        let subcommands: BTreeSet<&str> = commands
            .iter()
            .filter_map(|c| c.iter().find(|w| !w.starts_with('-') && *w != "json"))
            .map(String::as_str)
            .collect();
        for e in expected {
            assert!(subcommands.contains(e), "{file} runs no `zyklus {e}`");
        }
        assert!(
            commands
                .iter()
                .any(|c| c.iter().any(|w| w == "--compare") && c.iter().any(|w| w == "markdown")),
            "{file} posts no `plan --compare … --as markdown`"
        );
        for command in &commands {
            let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
            args.push("--help");
            let r = t.run(&args);
            assert!(
                r.code == 0 && r.stdout.contains("Usage: zyklus"),
                "{file}: `zyklus {}` is not a command zyklus has:\n{}",
                command.join(" "),
                r.stderr
            );
        }
    }
}
