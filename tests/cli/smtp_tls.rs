//! `zyklus announce --send` never sends a password in clear text: against a real
//! SMTP server (`tests/smtp_server.py`, aiosmtpd) with a throw-away CA, AUTH
//! happens only after STARTTLS (or over implicit TLS), a server without
//! STARTTLS gets no password, and `tls = "none"` with a user is refused before
//! connecting.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::fixtures::with_release;
use crate::support::Test;

/// `tests/smtp_server.py` running on 127.0.0.1 until dropped.
pub(crate) struct Server {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Server {
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port line");
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "the SMTP server did not start (pip install -r tests/requirements.txt): {line:?}"
            )
        });
        Self {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// What the server saw, one JSON object per step.
    pub(crate) fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("events.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("event json"))
            .collect()
    }

    /// The recipients of every delivered message.
    pub(crate) fn received(&self) -> Vec<String> {
        let mut r: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("dir")
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "rcpt"))
            .map(|e| std::fs::read_to_string(e.path()).expect("rcpt"))
            .collect();
        r.sort();
        r
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The example workspace sending to `port` on 127.0.0.1, with `extra` lines in
/// `[smtp]`.
pub(crate) fn workspace(port: u16, extra: &str) -> Test {
    let mut t = with_release();
    let cfg = t
        .read("zyklus.toml")
        .replace("host = \"localhost\"", "host = \"127.0.0.1\"")
        .replace(
            "port = 2525",
            &format!(
                "port = {port}{}{extra}",
                if extra.is_empty() { "" } else { "\n" }
            ),
        );
    t.write("zyklus.toml", &cfg);
    t.env("ZYKLUS_SMTP_PASSWORD", "s3cret-pw");
    t
}

fn events_named<'a>(events: &'a [serde_json::Value], name: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn with_a_user_auth_happens_only_after_starttls() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "starttls", "--auth"]);
    let ca = server.dir.join("ca.pem");
    let t = workspace(
        server.port,
        &format!("user = \"mailer\"\nca_file = \"{}\"", ca.display()),
    );
    t.run(&["validate"]).ok();
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .ok()
        .stdout_has("sent");
    assert_eq!(server.received().len(), 6);
    let events = server.events();
    let auths = events_named(&events, "auth");
    assert_eq!(auths.len(), 6, "{events:?}");
    for a in &auths {
        assert_eq!(a["tls"], true, "AUTH before STARTTLS: {events:?}");
        assert_eq!(a["login"], "mailer");
        assert_eq!(a["password"], "s3cret-pw");
    }
    assert_eq!(events_named(&events, "starttls").len(), 6);
    // On every connection: EHLO in the clear, STARTTLS, EHLO again, AUTH.
    let order: Vec<&str> = events
        .iter()
        .take(4)
        .map(|e| e["event"].as_str().expect("event"))
        .collect();
    assert_eq!(order, ["ehlo", "starttls", "ehlo", "auth"]);
    assert!(events
        .iter()
        .filter(|e| e["event"] != "ehlo" && e["event"] != "starttls")
        .all(|e| e["tls"] == true));
}

#[test]
fn a_server_without_starttls_gets_no_password() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "plain", "--auth"]);
    let t = workspace(server.port, "user = \"mailer\"");
    let release = t.read("releases/2027.1.toml");
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stdout_has("does not offer STARTTLS")
        .stderr_has("delivering over SMTP failed for 6 of 6 e-mails");
    let events = server.events();
    assert!(events_named(&events, "auth").is_empty(), "{events:?}");
    assert!(!serde_json::to_string(&events)
        .expect("json")
        .contains("s3cret-pw"));
    // One connection found out; the other e-mails were not tried.
    assert_eq!(events_named(&events, "ehlo").len(), 1, "{events:?}");
    assert!(server.received().is_empty());
    assert_eq!(t.read("releases/2027.1.toml"), release);
}

#[test]
fn implicit_tls_with_a_user() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "tls", "--auth"]);
    let ca = server.dir.join("ca.pem");
    let t = workspace(
        server.port,
        &format!(
            "user = \"mailer\"\ntls = \"tls\"\nca_file = \"{}\"",
            ca.display()
        ),
    );
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .ok();
    assert_eq!(server.received().len(), 6);
    let events = server.events();
    assert!(events.iter().all(|e| e["tls"] == true), "{events:?}");
    assert_eq!(events_named(&events, "auth").len(), 6);
    assert!(events_named(&events, "starttls").is_empty());
}

#[test]
fn a_self_signed_server_needs_its_ca() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "starttls", "--auth"]);
    let t = workspace(server.port, "user = \"mailer\"");
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stdout_has("TLS connection to 127.0.0.1")
        .stdout_has("smtp.ca_file");
    assert!(events_named(&server.events(), "auth").is_empty());
    assert!(server.received().is_empty());
}

#[test]
fn tls_none_with_a_user_is_refused_before_connecting() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "plain", "--auth"]);
    let t = workspace(server.port, "user = \"mailer\"\ntls = \"none\"");
    let line = t
        .read("zyklus.toml")
        .lines()
        .position(|l| l.starts_with("tls = "))
        .expect("tls line")
        + 1;
    t.run(&["validate"])
        .code(1)
        .stderr_has(&format!("zyklus.toml:{line}:"))
        .stderr_has("clear text");
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stderr_has("clear text");
    assert!(server.events().is_empty(), "{:?}", server.events());
}

#[test]
fn tls_none_without_a_user_is_a_plain_connection() {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &["--mode", "starttls"]);
    let t = workspace(server.port, "tls = \"none\"");
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .ok();
    assert_eq!(server.received().len(), 6);
    let events = server.events();
    assert!(events_named(&events, "starttls").is_empty(), "{events:?}");
    assert!(events.iter().all(|e| e["tls"] == false));
}
