//! Interactive `request new` on a real terminal (a pseudo-terminal driven by
//! rexpect): it asks for what the flags leave out, writes the request once all
//! answers are in, and writes nothing when the person presses Ctrl-C.

use std::process::Stdio;

use rexpect::session::{spawn_command, PtySession};

use crate::support::Test;

fn spawn(t: &Test, args: &[&str]) -> PtySession {
    let mut cmd = t.command(args);
    // On the pseudo-terminal: stdin, stdout and stderr are its slave.
    cmd.stdin(Stdio::inherit()).env("TERM", "xterm");
    spawn_command(cmd, Some(20_000)).expect("spawn zyklus on a pty")
}

#[test]
fn request_new_asks_on_a_terminal() {
    let t = Test::example();
    let mut p = spawn(
        &t,
        &["request", "new", "--kind", "feature", "--impact", "minor"],
    );
    p.exp_string("Title").expect("asks for the title");
    p.send_line("Kalenderexport als PDF").expect("type");
    p.exp_string("Effort").expect("asks for the effort");
    p.send_line("zero").expect("type");
    p.exp_string("effort must be a whole number above 0")
        .expect("says why");
    p.exp_string("Effort").expect("asks again");
    p.send_line("3").expect("type");
    p.exp_string("Score `risk`").expect("asks for risk");
    p.send_line("").expect("skip risk");
    p.exp_string("Score `urgency`").expect("asks for urgency");
    p.send_line("42").expect("out of scale");
    p.exp_string("outside the scale").expect("says why");
    p.exp_string("Score `urgency`").expect("asks again");
    p.send_line("5").expect("type");
    p.exp_string("Score `value`").expect("asks for value");
    p.send_line("7").expect("type");
    p.exp_string("text [de]").expect("asks for the German text");
    p.send_line("Buchungen lassen sich als PDF exportieren.")
        .expect("type");
    p.exp_string("text [en]")
        .expect("asks for the English text");
    p.send_line("").expect("no English text");
    p.exp_string("wrote requests/CR-0041.toml").expect("writes");
    p.exp_eof().expect("ends");
    let status = p.process().wait().expect("exit status");
    assert!(format!("{status:?}").contains("Exited"), "{status:?}");
    let file = t.read("requests/CR-0041.toml");
    assert!(
        file.contains("title = \"Kalenderexport als PDF\""),
        "{file}"
    );
    assert!(file.contains("effort = 3"), "{file}");
    assert!(
        file.contains("urgency = 5") && file.contains("value = 7"),
        "{file}"
    );
    assert!(!file.contains("risk"), "{file}");
    assert!(!file.contains("en ="), "{file}");
    t.run(&["validate"]).ok();
}

#[test]
fn ctrl_c_while_asking_writes_nothing() {
    let t = Test::example();
    let before = t.snapshot();
    let mut p = spawn(&t, &["request", "new"]);
    p.exp_string("Title").expect("asks for the title");
    p.send_line("Halb fertig").expect("type");
    p.exp_string("Kind").expect("asks for the kind");
    p.send_control('c').expect("Ctrl-C");
    p.exp_eof().expect("ends");
    let status = p.process().wait().expect("exit status");
    let shown = format!("{status:?}");
    assert!(
        shown.contains("SIGINT") || shown.contains("Exited"),
        "ended by Ctrl-C: {shown}"
    );
    assert!(
        !shown.contains("Exited(_, 0)") && !shown.ends_with(", 0)"),
        "{shown}"
    );
    assert_eq!(t.snapshot(), before, "nothing written");
    assert!(!t.exists("requests/CR-0041.toml"));
}
