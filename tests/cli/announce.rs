//! `zyklus announce`: .eml files per partner (parsed back by Python's `email`),
//! the wiki pages, and `--send` to a real SMTP server (aiosmtpd) on 127.0.0.1 —
//! each partner once, a rerun sends nothing new; and the send rules: only a
//! frozen release in test or production (else refused, nothing sent, unless
//! forced with a recorded reason), recipients listed and confirmed (`--yes`
//! without a terminal), `--dry-run` writes and sends nothing, a changed scope is
//! said and `--resend-changed` sends corrections.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::fixtures::with_release;
use crate::smtp_tls::{workspace, Server};
use crate::support::Test;

/// Parses every .eml in `dir` with Python's `email` (policy=default) and returns
/// `[{file, to, subject, type, lang, plain, html, message_id}]`.
fn parse_emls(dir: &Path) -> serde_json::Value {
    let script = r#"
import email, email.policy, glob, json, os, sys
out = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    plain = m.get_body(("plain",))
    html = m.get_body(("html",))
    out.append({
        "file": os.path.basename(f),
        "to": str(m["To"]),
        "from": str(m["From"]),
        "subject": str(m["Subject"]),
        "type": m.get_content_type(),
        "lang": str(m["Content-Language"]),
        "message_id": str(m["Message-ID"]),
        "date": str(m["Date"]),
        "parts": [p.get_content_type() for p in m.iter_parts()],
        "plain": plain.get_content() if plain else None,
        "html": html.get_content() if html else None,
        "defects": [str(d) for d in m.defects],
    })
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(dir)
        .output()
        .expect("python3");
    let out = crate::fixtures::succeeded(out, "the Python e-mail check");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn one_email_per_partner_in_its_language_and_wiki_pages() {
    let t = with_release();
    let r = t.run(&["announce", "2027.1", "--out", "out"]);
    r.ok()
        .stdout_has("out/2027.1.alpenblick.eml")
        .stdout_has("out/wiki/2027.1.de.md");
    let mails = parse_emls(&t.path("out"));
    let mails = mails.as_array().expect("array");
    assert_eq!(mails.len(), 6, "{mails:?}");
    let by = |file: &str| {
        mails
            .iter()
            .find(|m| m["file"] == file)
            .unwrap_or_else(|| panic!("{file} missing"))
    };
    let de = by("2027.1.donauwelle.eml");
    assert_eq!(
        de["to"],
        "Donauwelle Touristik GmbH <partnerportal@donauwelle.example>"
    );
    assert_eq!(
        de["from"],
        "Partnerportal-Team <releases@partnerportal.example>"
    );
    assert_eq!(
        de["subject"],
        "Partnerportal 2027.1: die wichtigsten Änderungen für Sie"
    );
    assert_eq!(de["type"], "multipart/alternative");
    assert_eq!(de["parts"], serde_json::json!(["text/plain", "text/html"]));
    // The partner's language tag, as Content-Language.
    assert_eq!(de["lang"], "de-AT");
    assert_eq!(de["defects"], serde_json::json!([]));
    let plain = de["plain"].as_str().expect("plain");
    assert!(
        plain.starts_with("Sehr geehrte Damen und Herren,\n\nam 12. Jänner 2027 wurde das Partnerportal 2027.1 veröffentlicht.\n"),
        "{plain}"
    );
    assert!(
        plain.contains("Die wichtigsten Änderungen für Sie:"),
        "{plain}"
    );
    assert!(plain.contains("Mit freundlichen Grüßen"), "{plain}");
    assert!(plain.contains("Firmenbuch FN 123456a"), "{plain}");
    assert!(
        plain.contains("im Wiki: https://wiki.partnerportal.example/de/releases/2027.1"),
        "{plain}"
    );
    // Donauwelle asked for the dashboard (CR-0004).
    assert!(
        plain.contains("* Auf Ihren Wunsch: Das Dashboard zeigt"),
        "{plain}"
    );
    // Only major changes in the e-mail.
    assert!(!plain.contains("Webhook"), "{plain}");
    let html = de["html"].as_str().expect("html");
    assert!(
        html.contains("<li><em>Auf Ihren Wunsch:</em> Das Dashboard zeigt"),
        "{html}"
    );
    assert!(html.contains("Grüßen"), "{html}");
    let en = by("2027.1.brightside.eml");
    assert_eq!(
        en["subject"],
        "Partnerportal 2027.1: the most important changes for you"
    );
    assert_eq!(en["lang"], "en-GB");
    // Brightside's own salutation.
    assert!(en["plain"].as_str().is_some_and(
        |p| p.starts_with("Dear Ms Patel,\n\nOn 12 January 2027 we released Partnerportal 2027.1.")
    ));
    assert_eq!(
        en["message_id"],
        "<zyklus.2027.1.brightside@partnerportal.example>"
    );
    // A German partner writes „Januar", an ampersand in a name survives the header.
    let hk = by("2027.1.hansekontor.eml");
    assert_eq!(hk["lang"], "de-DE");
    assert!(hk["plain"]
        .as_str()
        .is_some_and(|p| p.contains("am 12. Januar 2027")));
    assert_eq!(
        hk["to"],
        "\"Hansekontor Marketing GmbH & Co. KG\" <technik@hansekontor.example>"
    );

    let wiki_de = t.read("out/wiki/2027.1.de.md");
    assert!(wiki_de.contains("## Behoben"));
    assert!(wiki_de.contains("korrekten Umlauten und ß. (CR-0035)"));
    assert!(
        !wiki_de.contains("CR-0004"),
        "major changes are in the e-mail"
    );
    let wiki_en = t.read("out/wiki/2027.1.en.md");
    assert!(wiki_en.contains("## Changed"));

    // Writing again gives the same bytes.
    let first = std::fs::read(t.path("out/2027.1.kaiserblau.eml")).expect("eml");
    t.run(&["announce", "2027.1", "--out", "out"]).ok();
    assert_eq!(
        first,
        std::fs::read(t.path("out/2027.1.kaiserblau.eml")).expect("eml")
    );
}

#[test]
fn without_partners_one_email_per_language() {
    let t = with_release();
    std::fs::remove_file(t.path("partners.toml")).expect("rm partners");
    // Requests must not name partners that no longer exist.
    for e in std::fs::read_dir(t.path("requests"))
        .expect("dir")
        .flatten()
    {
        let src = std::fs::read_to_string(e.path()).expect("read");
        let kept: String = src
            .lines()
            .filter(|l| !l.starts_with("requested_by"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(e.path(), kept).expect("write");
    }
    t.run(&["announce", "2027.1", "--out", "out"]).ok();
    let mails = parse_emls(&t.path("out"));
    let files: Vec<&str> = mails
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["file"].as_str())
        .collect();
    assert_eq!(files, ["2027.1.de.eml", "2027.1.en.eml"]);
    assert_eq!(mails[0]["to"], "releases@partnerportal.example");
    assert!(mails[0]["plain"]
        .as_str()
        .is_some_and(|p| p.starts_with("Sehr geehrte Damen und Herren,\n")));
    assert_eq!(mails[1]["lang"], "en");
}

#[test]
fn no_major_changes_means_no_email() {
    let t = with_release();
    let rel = t
        .read("releases/2027.1.toml")
        .replace("\"CR-0004\", \"CR-0005\", ", "");
    t.write("releases/2027.1.toml", &rel);
    t.run(&["announce", "2027.1", "--out", "out"])
        .ok()
        .stderr_has("no major changes")
        .stdout_has("no e-mail");
    assert!(t.exists("out/wiki/2027.1.en.md"));
    // No e-mail goes out, so the wiki page says nothing about one.
    let wiki = t.read("out/wiki/2027.1.de.md");
    assert!(
        wiki.starts_with("# Partnerportal 2027.1 – Änderungen\n"),
        "{wiki}"
    );
    assert!(!wiki.contains("E-Mail"), "{wiki}");
    assert_eq!(parse_emls(&t.path("out")).as_array().map(Vec::len), Some(0));
}

/// An SMTP server (aiosmtpd) on 127.0.0.1 that writes each message to `dir`.
struct Smtp {
    child: Child,
    port: u16,
}

impl Smtp {
    fn start(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("mkdir");
        let script = r#"
import os, socket, sys
try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("the Python package aiosmtpd is missing: pip install -r tests/requirements.txt")
out = sys.argv[1]
class Handler:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Handler.n += 1
        base = os.path.join(out, "%03d" % Handler.n)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        return "250 OK"
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
c = Controller(Handler(), hostname="127.0.0.1", port=port)
c.start()
print(port, flush=True)
sys.stdin.read()
c.stop()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(dir)
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
            panic!("the SMTP server did not start (is aiosmtpd installed?): {line:?}")
        });
        Self { child, port }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn received(dir: &Path) -> Vec<String> {
    let mut r: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rcpt"))
        .map(|e| std::fs::read_to_string(e.path()).expect("rcpt"))
        .collect();
    r.sort();
    r
}

#[test]
fn send_delivers_once_per_partner_and_a_rerun_sends_nothing() {
    let t = with_release();
    let inbox = t.path("inbox");
    let server = Smtp::start(&inbox);
    let cfg = t
        .read("zyklus.toml")
        .replace("host = \"localhost\"", "host = \"127.0.0.1\"")
        .replace("port = 2525", &format!("port = {}", server.port));
    t.write("zyklus.toml", &cfg);
    let r = t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"]);
    r.ok()
        .stdout_has("sent")
        .stderr_has("sent out/2027.1.alpenblick.eml to it@alpenblick-reisen.example");
    let got = received(&inbox);
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(got.contains(&"ops@northstar-marketing.example".to_owned()));
    // What arrived parses, with umlauts intact.
    let mails = parse_emls(&inbox);
    let de = mails
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["to"].as_str().is_some_and(|s| s.contains("kaiserblau")))
        .expect("kaiserblau mail");
    assert_eq!(
        de["subject"],
        "Partnerportal 2027.1: die wichtigsten Änderungen für Sie"
    );
    assert!(de["plain"]
        .as_str()
        .is_some_and(|p| p.contains("Änderungen")));
    // Recorded in the release file, which stays valid.
    let rel = t.read("releases/2027.1.toml");
    assert_eq!(rel.matches("[[sent]]").count(), 6, "{rel}");
    assert!(rel.contains("to = \"it@alpenblick-reisen.example\""));
    assert!(rel.contains("message_id = \"zyklus.2027.1.alpenblick@partnerportal.example\""));
    t.run(&["validate"]).ok();

    // A rerun sends nothing new.
    let j = t
        .run(&[
            "--format", "json", "announce", "2027.1", "--out", "out", "--send", "--yes",
        ])
        .ok()
        .json();
    assert!(j["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .all(|e| e["status"] == "already-sent"));
    assert_eq!(received(&inbox).len(), 6);
    assert_eq!(t.read("releases/2027.1.toml"), rel);
}

#[test]
fn send_without_server_fails_clearly_and_records_nothing() {
    let t = with_release();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cfg = t
        .read("zyklus.toml")
        .replace("host = \"localhost\"", "host = \"127.0.0.1\"")
        .replace("port = 2525", &format!("port = {port}"));
    t.write("zyklus.toml", &cfg);
    let before = t.read("releases/2027.1.toml");
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stderr_has("delivering over SMTP");
    assert_eq!(t.read("releases/2027.1.toml"), before);
}

#[test]
fn send_needs_smtp_config_and_password() {
    let t = with_release();
    let cfg = t.read("zyklus.toml");
    let without: String = cfg.split("[smtp]").next().expect("head").to_owned();
    t.write("zyklus.toml", &without);
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stderr_has("--send needs an [smtp] section");
    t.write(
        "zyklus.toml",
        &cfg.replace("password_env =", "user = \"mailer\"\npassword_env ="),
    );
    t.run(&["announce", "2027.1", "--out", "out", "--send", "--yes"])
        .code(1)
        .stderr_has("ZYKLUS_SMTP_PASSWORD (smtp.password_env) is not set");
}

#[test]
fn partner_language_outside_the_workspace_gets_the_default_language() {
    let t = with_release();
    let partners = t
        .read("partners.toml")
        .replacen("language = \"en-GB\"", "language = \"fr\"", 1);
    t.write("partners.toml", &partners);
    t.run(&["announce", "2027.1", "--out", "out"])
        .ok()
        .stderr_has("speaks `fr`");
    let mails = parse_emls(&t.path("out"));
    let bright = mails
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["file"] == "2027.1.brightside.eml")
        .expect("brightside");
    assert_eq!(bright["lang"], "de");
}

// ---------------------------------------------------------------------------
// The send rules: customers never get a wrong e-mail.

/// The example sending to a real local SMTP server, with 2027.1 in `stage`.
fn sending_in(stage: &str) -> (Test, Server, Test) {
    let t0 = Test::empty();
    let server = Server::start(&t0.path("inbox"), &[]);
    let t = workspace(server.port, "");
    let rel = t
        .read("releases/2027.1.toml")
        .replace("stage = \"production\"", &format!("stage = \"{stage}\""));
    t.write("releases/2027.1.toml", &rel);
    (t, server, t0)
}

#[test]
fn send_is_refused_for_a_planned_release_and_nothing_is_sent() {
    let (t, server, _t0) = sending_in("planned");
    let before = t.snapshot();
    let r = t.zyklus("announce 2027.1 --out out --send --yes");
    insta::assert_snapshot!("announce_send_planned_refused", r);
    assert_eq!(r.code, 1);
    assert!(server.received().is_empty());
    assert!(server.events().is_empty(), "{:?}", server.events());
    assert_eq!(t.snapshot(), before, "nothing may be written");
    // In development the scope is frozen, but the release is not on the test
    // system yet: refused too.
    let rel = t
        .read("releases/2027.1.toml")
        .replace("planned", "development");
    t.write("releases/2027.1.toml", &rel);
    t.zyklus("announce 2027.1 --out out --send --yes")
        .code(1)
        .stderr_has("2027.1 is in development: customers get e-mails only about");
    assert!(server.received().is_empty());
}

#[test]
fn force_needs_a_reason_and_is_recorded_in_the_history() {
    let (t, server, _t0) = sending_in("planned");
    t.zyklus("announce 2027.1 --out out --send --yes --force")
        .code(2)
        .stderr_has("--reason");
    assert!(server.received().is_empty());
    let r = t.zyklus(
        "announce 2027.1 --out out --send --yes --force --reason 'partner council asked for an early preview'",
    );
    r.ok();
    assert_eq!(server.received().len(), 6);
    let rel = crate::fixtures::release_toml(&t, "2027.1");
    let history = rel["history"].as_array().expect("history");
    assert_eq!(history.len(), 1, "{rel:?}");
    let h = &history[0];
    assert_eq!(h["from"].as_str(), Some("planned"));
    assert_eq!(h["to"].as_str(), Some("planned"));
    assert_eq!(h["forced"].as_bool(), Some(true));
    assert_eq!(
        h["reason"].as_str(),
        Some("partner council asked for an early preview")
    );
    assert_eq!(
        h["note"].as_str(),
        Some(
            "announcement e-mails sent although the release is planned and its scope is not frozen"
        )
    );
    // The e-mails say that the scope may still change.
    let mails = parse_emls(&server.dir);
    assert!(mails.as_array().expect("array").iter().all(|m| {
        let p = m["plain"].as_str().unwrap_or_default();
        p.contains("Der Umfang dieser Version steht noch nicht endgültig fest")
            || p.contains("the scope of this version is not final yet")
    }));
    t.zyklus("validate").ok();
}

#[test]
fn without_a_terminal_sending_needs_yes_and_lists_the_recipients() {
    let (t, server, _t0) = sending_in("test");
    let release = t.read("releases/2027.1.toml");
    let r = t.zyklus("announce 2027.1 --out out --send");
    insta::assert_snapshot!("announce_send_without_yes", r);
    assert_eq!(r.code, 1);
    assert!(server.received().is_empty());
    assert_eq!(t.read("releases/2027.1.toml"), release);
}

#[test]
fn dry_run_shows_exactly_what_would_go_out_and_writes_nothing() {
    let (t, server, _t0) = sending_in("test");
    let before = t.snapshot();
    insta::assert_snapshot!(
        "announce_dry_run",
        t.zyklus("announce 2027.1 --out out --send --dry-run")
    );
    let j = t
        .zyklus("--format json announce 2027.1 --send --dry-run")
        .ok()
        .json();
    assert_eq!(j["emails"][0]["status"], "would-send");
    assert!(j["emails"][0]["text"].as_str().is_some_and(|p| p.contains(
        "Seit dem 22. Dezember 2026 können Sie alle Änderungen in der Testumgebung ausprobieren."
    )));
    assert!(server.received().is_empty());
    assert!(server.events().is_empty());
    assert_eq!(t.snapshot(), before, "a dry run writes nothing");
    // Dry runs follow the rules too.
    let rel = t
        .read("releases/2027.1.toml")
        .replace("\"test\"", "\"planned\"");
    t.write("releases/2027.1.toml", &rel);
    t.zyklus("announce 2027.1 --send --dry-run")
        .code(1)
        .stderr_has("scope is not frozen");
}

#[test]
fn a_changed_scope_is_said_and_resend_changed_sends_corrections() {
    let (t, server, _t0) = sending_in("test");
    t.zyklus("announce 2027.1 --out out --send --yes").ok();
    assert_eq!(server.received().len(), 6);
    // After the announcement, SSO (CR-0005) is taken out and 2FA (CR-0031) comes in.
    let rel = t
        .read("releases/2027.1.toml")
        .replacen("\"CR-0005\"", "\"CR-0031\"", 1);
    t.write("releases/2027.1.toml", &rel);
    t.zyklus("validate").ok();
    insta::assert_snapshot!(
        "announce_scope_changed",
        t.zyklus("announce 2027.1 --out out --send --yes")
    );
    assert_eq!(
        server.received().len(),
        6,
        "nothing new without --resend-changed"
    );
    insta::assert_snapshot!(
        "announce_resend_changed",
        t.zyklus("announce 2027.1 --out out --resend-changed --yes")
    );
    assert_eq!(server.received().len(), 12);
    let mails = parse_emls(&server.dir);
    let correction = mails
        .as_array()
        .expect("array")
        .iter()
        .find(|m| {
            m["to"].as_str().is_some_and(|to| to.contains("kaiserblau"))
                && m["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("Korrektur"))
        })
        .expect("kaiserblau's correction");
    insta::assert_snapshot!(
        "announce_correction_plain",
        correction["plain"].as_str().expect("plain")
    );
    let rel = crate::fixtures::release_toml(&t, "2027.1");
    let sent = rel["sent"].as_array().expect("sent");
    assert_eq!(sent.len(), 12);
    assert!(sent[6..]
        .iter()
        .all(|s| s["correction"].as_bool() == Some(true)
            && s["scope"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("CR-0031")))));
    // Corrected: nothing more to say.
    t.zyklus("announce 2027.1 --out out --resend-changed --yes")
        .ok()
        .stderr_has("no correction to send");
    assert_eq!(server.received().len(), 12);
    t.zyklus("validate").ok();
}

#[test]
fn out_may_not_be_inside_the_workspace_data() {
    let t = with_release();
    let before = t.snapshot();
    for out in [
        "releases",
        "requests/x",
        "templates",
        ".",
        ".git/x",
        "trainings",
    ] {
        t.run(&["announce", "2027.1", "--out", out])
            .code(1)
            .stderr_has("--out");
    }
    assert_eq!(t.snapshot(), before);
}
