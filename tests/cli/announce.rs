//! `zyklus announce`: .eml files per partner (parsed back by Python's `email`),
//! the wiki pages, and `--send` to a real SMTP server (aiosmtpd) on 127.0.0.1 —
//! each partner once, a rerun sends nothing new.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::fixtures::with_release;

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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    assert_eq!(de["from"], "releases@partnerportal.example");
    assert_eq!(
        de["subject"],
        "Partnerportal 2027.1: Die wichtigsten Neuerungen für Sie"
    );
    assert_eq!(de["type"], "multipart/alternative");
    assert_eq!(de["parts"], serde_json::json!(["text/plain", "text/html"]));
    assert_eq!(de["lang"], "de");
    assert_eq!(de["defects"], serde_json::json!([]));
    let plain = de["plain"].as_str().expect("plain");
    assert!(
        plain.contains("Das sind die wichtigsten Änderungen:"),
        "{plain}"
    );
    assert!(plain.contains("Freundliche Grüße"), "{plain}");
    // Donauwelle asked for the dashboard (CR-0004).
    assert!(
        plain.contains("im Vergleich zum Vorjahr. (auf Ihren Wunsch)"),
        "{plain}"
    );
    // Only major changes in the e-mail.
    assert!(!plain.contains("Webhook"), "{plain}");
    let html = de["html"].as_str().expect("html");
    assert!(html.contains("<li>Das Dashboard zeigt"), "{html}");
    assert!(html.contains("Grüße"), "{html}");
    let en = by("2027.1.brightside.eml");
    assert_eq!(en["subject"], "Partnerportal 2027.1: what is new for you");
    assert_eq!(en["lang"], "en");
    assert!(en["plain"]
        .as_str()
        .is_some_and(|p| p.contains("Dear Brightside Travel Ltd team")));
    assert_eq!(
        en["message_id"],
        "<zyklus.2027.1.brightside@partnerportal.example>"
    );
    // An ampersand in a name is escaped in HTML.
    let hk = by("2027.1.hansekontor.eml");
    assert!(hk["html"]
        .as_str()
        .is_some_and(|h| h.contains("GmbH &amp; Co. KG")));

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
        .is_some_and(|p| p.starts_with("Guten Tag,\n")));
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
    let r = t.run(&["announce", "2027.1", "--out", "out", "--send"]);
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
        "Partnerportal 2027.1: Die wichtigsten Neuerungen für Sie"
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
            "--format", "json", "announce", "2027.1", "--out", "out", "--send",
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
    t.run(&["announce", "2027.1", "--out", "out", "--send"])
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
    t.run(&["announce", "2027.1", "--out", "out", "--send"])
        .code(1)
        .stderr_has("--send needs an [smtp] section");
    t.write(
        "zyklus.toml",
        &cfg.replace("password_env =", "user = \"mailer\"\npassword_env ="),
    );
    t.run(&["announce", "2027.1", "--out", "out", "--send"])
        .code(1)
        .stderr_has("ZYKLUS_SMTP_PASSWORD (smtp.password_env) is not set");
}

#[test]
fn partner_language_outside_the_workspace_gets_the_default_language() {
    let t = with_release();
    let partners = t
        .read("partners.toml")
        .replacen("language = \"en\"", "language = \"fr\"", 1);
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
