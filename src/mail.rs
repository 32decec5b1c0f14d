//! Announcement e-mails, and the only module that uses `lettre`: builds RFC 5322
//! messages (UTF-8 subject and body encoded as the RFC requires,
//! multipart/alternative with a plain-text and an HTML part, a deterministic
//! Message-ID and boundary so that rerunning writes the same file) and delivers
//! them over SMTP. The texts come rendered from `notes`; the clock comes from
//! the caller.
//!
//! Delivery never sends a password in clear text: with a user, TLS is required
//! (STARTTLS, or implicit TLS with `tls = "tls"`), and a server that does not
//! offer STARTTLS gets no AUTH at all; `tls = "none"` with a user is refused
//! before connecting. [`send_all`] delivers each message on its own, goes on
//! after a recipient is refused, and says per message what happened in words.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::error::refused;
use crate::model::config::{SmtpConfig, SmtpTls};

/// One e-mail, ready to be built.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The sender: an address, or `Name <address>`.
    pub from: String,
    /// The sender's display name when `from` is a bare address (`[smtp] from_name`).
    pub from_name: Option<String>,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets: `2027.1.alpenblick@partnerportal.example`.
    pub message_id: String,
    /// The language tag, sent as `Content-Language` (`de-AT`).
    pub lang: String,
    pub date: DateTime<FixedOffset>,
}

/// The bare address of a sender written as `Name <address>` or `address`.
#[must_use]
pub fn address_of(from: &str) -> String {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => from[a + 1..b].trim().to_owned(),
        _ => from.trim().to_owned(),
    }
}

/// The domain of an address (`releases@x.example` → `x.example`), for Message-IDs.
#[must_use]
pub fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn mailbox(address: &str, name: Option<&str>, what: &str) -> Result<Mailbox> {
    let addr = address.trim().parse().map_err(|e| {
        refused(
            format!("`{address}` is not a valid e-mail address ({e})"),
            format!("fix the {what}"),
        )
    })?;
    Ok(Mailbox::new(name.map(str::to_owned), addr))
}

/// Builds the message of `draft`.
///
/// # Errors
/// When an address is invalid.
pub fn build(draft: &Draft) -> Result<Message> {
    let what = "sender address (smtp.from in zyklus.toml)";
    let from = match (&draft.from_name, draft.from.parse::<Mailbox>()) {
        (Some(name), _) => mailbox(&address_of(&draft.from), Some(name), what)?,
        (None, Ok(m)) => m,
        (None, Err(_)) => mailbox(&draft.from, None, what)?,
    };
    let to = mailbox(
        &draft.to,
        draft.to_name.as_deref(),
        "recipient address (partners.toml)",
    )?;
    let secs = u64::try_from(draft.date.timestamp()).unwrap_or(0);
    let boundary = format!(
        "zyklus-{}",
        draft
            .message_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    let body = MultiPart::alternative()
        .boundary(boundary)
        .singlepart(SinglePart::plain(draft.text.clone()))
        .singlepart(SinglePart::html(draft.html.clone()));
    Message::builder()
        .from(from)
        .to(to)
        .subject(draft.subject.clone())
        .date(UNIX_EPOCH + Duration::from_secs(secs))
        .message_id(Some(format!("<{}>", draft.message_id)))
        .header(ContentLanguage(draft.lang.clone()))
        .multipart(body)
        .context("building the e-mail")
}

/// The `Content-Language` header (RFC 3282).
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl lettre::message::header::Header for ContentLanguage {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The message as RFC 5322 bytes (an `.eml` file).
#[must_use]
pub fn formatted(message: &Message) -> Vec<u8> {
    message.formatted()
}

/// The longest `[smtp] timeout_seconds` that makes sense.
pub const MAX_TIMEOUT_SECONDS: u64 = 600;

/// Problems of `[smtp]` that can be seen without connecting, as `(key path,
/// message, hint)` like the loader's other checks. Pure; `validate` calls it.
#[must_use]
pub fn config_problems(cfg: &SmtpConfig) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if cfg.tls == Some(SmtpTls::None) && cfg.user.is_some() {
        out.push((
            "smtp.tls".into(),
            "tls = \"none\" together with a user would send the password in clear text".into(),
            "use tls = \"starttls\" (or \"tls\" for implicit TLS), or remove `user` for a server that needs no login".into(),
        ));
    }
    if cfg.timeout_seconds == 0 || cfg.timeout_seconds > MAX_TIMEOUT_SECONDS {
        out.push((
            "smtp.timeout_seconds".into(),
            format!(
                "timeout_seconds is {}; it must be 1 to {MAX_TIMEOUT_SECONDS}",
                cfg.timeout_seconds
            ),
            "e.g. timeout_seconds = 30".into(),
        ));
    }
    if cfg.ca_file.as_deref().is_some_and(|f| f.trim().is_empty()) {
        out.push((
            "smtp.ca_file".into(),
            "ca_file is empty".into(),
            "name a PEM file of CA certificates, relative to the workspace, or remove the key"
                .into(),
        ));
    }
    out
}

/// How a connection is secured, as decided from `[smtp]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// STARTTLS when the server offers it, else plain (no user: nothing secret).
    Opportunistic,
    /// STARTTLS, or no connection.
    StartTls,
    /// Implicit TLS.
    Tls,
    /// Plain.
    None,
}

impl Security {
    /// The security `[smtp]` asks for: `tls` if set, else STARTTLS — required
    /// with a user, opportunistic without.
    ///
    /// # Errors
    /// When `tls = "none"` is combined with a user.
    pub fn of(cfg: &SmtpConfig) -> Result<Self> {
        Ok(match (cfg.tls, &cfg.user) {
            (Some(SmtpTls::None), Some(user)) => {
                return Err(refused(
                    format!("smtp.tls = \"none\" with smtp.user `{user}`: zyklus does not send a password without TLS"),
                    "use tls = \"starttls\" (or \"tls\"), or remove `user` for a server that needs no login",
                ))
            }
            (Some(SmtpTls::None), None) => Self::None,
            (Some(SmtpTls::Starttls), _) | (None, Some(_)) => Self::StartTls,
            (Some(SmtpTls::Tls), _) => Self::Tls,
            (None, None) => Self::Opportunistic,
        })
    }
}

/// An SMTP connection setup from `[smtp]`.
pub struct Mailer {
    transport: SmtpTransport,
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
}

impl Mailer {
    /// How the connections are secured.
    #[must_use]
    pub fn security(&self) -> Security {
        self.security
    }

    /// Sets up delivery through `cfg`; `password` is the value of the environment
    /// variable `cfg.password_env` names; `root` is the workspace, which a relative
    /// `ca_file` is relative to. Connects to nothing yet.
    ///
    /// # Errors
    /// When a user is configured without a password or with `tls = "none"`, or the
    /// CA file cannot be read.
    pub fn new(cfg: &SmtpConfig, password: Option<String>, root: &Path) -> Result<Self> {
        let security = Security::of(cfg)?;
        let timeout = Duration::from_secs(cfg.timeout_seconds.clamp(1, MAX_TIMEOUT_SECONDS));
        let mut params = TlsParameters::builder(cfg.host.clone());
        if let Some(file) = &cfg.ca_file {
            let path = root.join(file);
            let pem = std::fs::read(&path).map_err(|e| {
                refused(
                    format!("cannot read smtp.ca_file {}: {e}", path.display()),
                    "set ca_file to a PEM file of CA certificates, relative to the workspace",
                )
            })?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(refused(
                    format!("smtp.ca_file {} holds no PEM certificate", path.display()),
                    "it must contain -----BEGIN CERTIFICATE----- blocks",
                ));
            }
            let cert = Certificate::from_pem(&pem)
                .with_context(|| format!("reading the certificates in {}", path.display()))?;
            params = params.add_root_certificate(cert);
        }
        let params = params
            .build()
            .with_context(|| format!("setting up TLS for {}", cfg.host))?;
        let tls = match security {
            Security::Opportunistic => Tls::Opportunistic(params),
            Security::StartTls => Tls::Required(params),
            Security::Tls => Tls::Wrapper(params),
            Security::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(cfg.host.as_str())
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some(user) = &cfg.user {
            let Some(password) = password else {
                return Err(refused(
                    format!("smtp.user is `{user}` but there is no password"),
                    "set smtp.password_env in zyklus.toml to the name of an environment variable, and set that variable",
                ));
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
            host: cfg.host.clone(),
            port: cfg.port,
            security,
            timeout,
        })
    }

    /// Delivers one message, over a connection of its own.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the message; the error says
    /// why in words ([`Mailer::explain`]).
    pub fn send(&self, message: &Message) -> Result<(), Failure> {
        self.transport
            .send(message)
            .map(|_| ())
            .map_err(|e| self.explain(&e))
    }

    /// Why `e` happened, in words, and whether the next message would fail the
    /// same way (the server is unreachable, hangs, or its TLS or login fails).
    #[must_use]
    pub fn explain(&self, e: &lettre::transport::smtp::Error) -> Failure {
        let server = format!("{}:{}", self.host, self.port);
        if e.is_permanent() || e.is_transient() {
            let what = if e.is_permanent() {
                "refused"
            } else {
                "deferred"
            };
            let code = e.status().map(|c| c.to_string()).unwrap_or_default();
            let text = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_else(|| e.to_string());
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            // A failed login is the same for every message.
            let is_auth = code.starts_with("535") || code.starts_with("530");
            return Failure {
                reason: format!("the server {server} {what} it: {code} {text}").replace("  ", " "),
                fatal: is_auth,
            };
        }
        let io = io_cause(e);
        let kind = io.map(std::io::Error::kind);
        let said = without_errno(&chain(e));
        let reason = if matches!(
            kind,
            Some(std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        ) {
            format!(
                "the server {server} did not answer within {} s",
                self.timeout.as_secs()
            )
        } else if kind == Some(std::io::ErrorKind::ConnectionRefused) {
            format!("nothing accepts connections on {server} (connection refused)")
        } else if said.contains("STARTTLS") {
            format!(
                "the server {server} does not offer STARTTLS; TLS is required (smtp.tls, or a user is set), so nothing was sent, no password either"
            )
        } else if e.is_tls()
            || kind == Some(std::io::ErrorKind::InvalidData)
            || said.to_lowercase().contains("certificate")
        {
            let hint = if said.contains("UnknownIssuer")
                || said.to_lowercase().contains("certificate")
            {
                " (if the server's certificate is self-signed or from your own CA, set smtp.ca_file to that CA)"
            } else {
                ""
            };
            format!("the TLS connection to {server} failed: {said}{hint}")
        } else if matches!(
            kind,
            Some(
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
            )
        ) {
            format!("the server {server} closed the connection")
        } else if let Some(io) = io {
            format!(
                "cannot talk to {server}: {}",
                without_errno(&io.to_string())
            )
        } else {
            format!("cannot deliver through {server}: {said}")
        };
        Failure {
            reason,
            fatal: true,
        }
    }
}

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// In words, e.g. "the server smtp.example:587 did not answer within 30 s".
    pub reason: String,
    /// Whether every later message would fail the same way.
    pub fatal: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Failure {}

fn io_cause<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = c.source();
    }
    None
}

/// `Connection reset by peer (os error 104)` → `Connection reset by peer`: the
/// number says nothing to a reader.
fn without_errno(s: &str) -> String {
    let mut out = s.to_owned();
    while let Some(i) = out.find(" (os error ") {
        let end = out[i..].find(')').map_or(out.len(), |j| i + j + 1);
        out.replace_range(i..end, "");
    }
    out
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = c.source();
    }
    parts.join(": ")
}

/// One message for [`send_all`].
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub message: &'a Message,
    /// Whether it was delivered before (recorded in the release file): skipped.
    pub already_sent: bool,
}

/// What happened to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    AlreadySent,
    /// Not delivered, and why, in words.
    Failed(String),
}

/// Delivers every message not sent before, each on its own connection, and
/// calls `record` with its index right after it was delivered (to write it
/// down, so that a rerun sends only what is missing). A refused or deferred
/// message does not stop the others; a failure that every later message would
/// share (no connection, a timeout, TLS, the login) marks the rest as not tried,
/// and so does a failed `record`. Returns one outcome per message, in order.
pub fn send_all(
    mailer: &Mailer,
    items: &[Outgoing<'_>],
    record: &mut dyn FnMut(usize) -> Result<()>,
) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(items.len());
    let mut stop: Option<String> = None;
    for (i, item) in items.iter().enumerate() {
        if item.already_sent {
            out.push(Outcome::AlreadySent);
            continue;
        }
        if let Some(why) = &stop {
            out.push(Outcome::Failed(format!("not tried: {why}")));
            continue;
        }
        match mailer.send(item.message) {
            Ok(()) => match record(i) {
                Ok(()) => out.push(Outcome::Sent),
                Err(e) => {
                    let why =
                        format!("sent, but recording it failed ({e:#}); a rerun sends it again");
                    stop = Some(format!("recording an earlier delivery failed ({e:#})"));
                    out.push(Outcome::Failed(why));
                }
            },
            Err(f) => {
                if f.fatal {
                    stop = Some(f.reason.clone());
                }
                out.push(Outcome::Failed(f.reason));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(user: Option<&str>, tls: Option<SmtpTls>) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 1,
            from: "a@example.com".into(),
            from_name: None,
            user: user.map(str::to_owned),
            password_env: None,
            tls,
            ca_file: None,
            timeout_seconds: 30,
        }
    }

    #[test]
    fn credentials_require_tls() {
        assert_eq!(
            Security::of(&cfg(None, None)).ok(),
            Some(Security::Opportunistic)
        );
        assert_eq!(
            Security::of(&cfg(Some("u"), None)).ok(),
            Some(Security::StartTls)
        );
        assert_eq!(
            Security::of(&cfg(Some("u"), Some(SmtpTls::Tls))).ok(),
            Some(Security::Tls)
        );
        assert_eq!(
            Security::of(&cfg(None, Some(SmtpTls::None))).ok(),
            Some(Security::None)
        );
        assert!(Security::of(&cfg(Some("u"), Some(SmtpTls::None))).is_err());
        let keys: Vec<String> = config_problems(&cfg(Some("u"), Some(SmtpTls::None)))
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(keys, ["smtp.tls"]);
        assert!(Mailer::new(
            &cfg(Some("u"), Some(SmtpTls::None)),
            Some("pw".into()),
            Path::new(".")
        )
        .is_err());
    }

    #[test]
    fn a_refused_connection_is_said_in_words_and_stops_the_rest() {
        // A port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let mut c = cfg(None, Some(SmtpTls::None));
        c.port = port;
        let mailer = Mailer::new(&c, None, Path::new(".")).expect("mailer");
        let draft = Draft {
            from: "a@example.com".into(),
            from_name: Some("Partnerportal-Team".into()),
            to: "b@example.com".into(),
            to_name: None,
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            message_id: "m@example.com".into(),
            lang: "en-GB".into(),
            date: DateTime::parse_from_rfc3339("2027-01-12T10:00:00+01:00").expect("date"),
        };
        let m = build(&draft).expect("message");
        let eml = String::from_utf8(formatted(&m)).expect("utf-8");
        assert!(eml.contains("Content-Language: en-GB\r\n"), "{eml}");
        assert!(
            eml.contains("From: Partnerportal-Team <a@example.com>\r\n"),
            "{eml}"
        );
        assert_eq!(address_of("Portal <a@example.com>"), "a@example.com");
        assert_eq!(address_of("a@example.com"), "a@example.com");
        let items = [
            Outgoing {
                message: &m,
                already_sent: true,
            },
            Outgoing {
                message: &m,
                already_sent: false,
            },
            Outgoing {
                message: &m,
                already_sent: false,
            },
        ];
        let mut recorded = Vec::new();
        let out = send_all(&mailer, &items, &mut |i| {
            recorded.push(i);
            Ok(())
        });
        assert!(recorded.is_empty());
        assert_eq!(out[0], Outcome::AlreadySent);
        let Outcome::Failed(first) = &out[1] else {
            panic!("{out:?}")
        };
        assert!(first.contains("connection refused"), "{first}");
        let Outcome::Failed(second) = &out[2] else {
            panic!("{out:?}")
        };
        assert!(
            second.starts_with("not tried: nothing accepts connections"),
            "{second}"
        );
    }
}
