//! `zyklus announce --send` delivers per partner: a refused recipient does not
//! stop the others, every e-mail is reported as sent / already-sent / failed
//! with the reason in words, the exit code is 1 if any failed, and a rerun sends
//! only what is missing. A server that hangs is given up after the configured
//! timeout, said as such.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::smtp_tls::{workspace, Server};
use crate::support::Test;

#[test]
fn a_refused_recipient_does_not_stop_the_others_and_a_rerun_sends_the_rest() {
    let t0 = Test::empty();
    let refused = "it@alpenblick-reisen.example";
    let server = Server::start(&t0.path("inbox"), &["--refuse", refused]);
    let t = workspace(server.port, "");
    let r = t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"]);
    r.code(1)
        .stdout_has("failed        out/2027.1.alpenblick.eml  → it@alpenblick-reisen.example")
        .stdout_has("550")
        .stdout_has("mailbox unavailable")
        .stdout_has("sent          out/2027.1.northstar.eml")
        .stderr_has("delivering over SMTP failed for 1 of 6 e-mails")
        .stderr_has("sends only what is missing");
    assert!(!r.stdout.contains("os error") && !r.stderr.contains("os error"));
    let got = server.received();
    assert_eq!(got.len(), 5, "{got:?}");
    assert!(!got.contains(&refused.to_owned()));
    let rel = t.read("releases/2027.1.toml");
    assert_eq!(rel.matches("[[sent]]").count(), 5, "{rel}");
    assert!(!rel.contains(refused));
    t.run(&["validate"]).ok();
    drop(server);

    // The mailbox exists again: the rerun sends only the missing e-mail.
    let t1 = Test::empty();
    let server = Server::start(&t1.path("inbox"), &[]);
    let cfg = t.read("zyklus.toml");
    let old_port = cfg
        .lines()
        .find_map(|l| l.strip_prefix("port = "))
        .expect("port")
        .to_owned();
    t.write(
        "zyklus.toml",
        &cfg.replace(
            &format!("port = {old_port}"),
            &format!("port = {}", server.port),
        ),
    );
    let j = t
        .run(&[
            "--format", "json", "announce", "2027.1", "--out", "out", "--send", "--yes",
        ])
        .ok()
        .json();
    let statuses: Vec<(&str, &str)> = j["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| {
            (
                e["partner"].as_str().expect("partner"),
                e["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|(_, s)| *s == "already-sent")
            .count(),
        5,
        "{statuses:?}"
    );
    assert!(statuses.contains(&("alpenblick", "sent")), "{statuses:?}");
    assert_eq!(server.received(), [refused.to_owned()]);
    assert_eq!(
        t.read("releases/2027.1.toml").matches("[[sent]]").count(),
        6
    );
}

#[test]
fn a_hanging_server_is_a_timeout_in_words() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let t = workspace(port, "timeout_seconds = 1");
    let release = t.read("releases/2027.1.toml");
    let started = Instant::now();
    let r = t.run(&[
        "--format", "json", "announce", "2027.1", "--out", "out", "--send", "--yes",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    r.code(1)
        .stderr_has("delivering over SMTP failed for 6 of 6 e-mails");
    let j = r.json();
    let errors: Vec<&str> = j["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| {
            assert_eq!(e["status"], "failed");
            e["error"].as_str().expect("error")
        })
        .collect();
    let said = format!("the server 127.0.0.1:{port} did not answer within 1 s");
    assert_eq!(errors[0], said);
    assert!(
        errors[1..]
            .iter()
            .all(|e| *e == format!("not tried: {said}")),
        "{errors:?}"
    );
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
    assert_eq!(t.read("releases/2027.1.toml"), release);
}

#[test]
fn smtp_timeout_must_be_sensible() {
    let t = workspace(25, "timeout_seconds = 0");
    t.run(&["validate"])
        .code(1)
        .stderr_has("timeout_seconds is 0");
}
