//! Announcement e-mails, and the only module that uses `lettre`: builds RFC 5322
//! messages (UTF-8 subject and body encoded as the RFC requires,
//! multipart/alternative with a plain-text and an HTML part, a deterministic
//! Message-ID and boundary so that rerunning writes the same file) and delivers
//! them over SMTP (STARTTLS when the server offers it). The texts come rendered
//! from `notes`; the clock comes from the caller.

use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::error::refused;
use crate::model::config::SmtpConfig;

/// One e-mail, ready to be built.
#[derive(Debug, Clone)]
pub struct Draft {
    pub from: String,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets: `2027.1.alpenblick@partnerportal.example`.
    pub message_id: String,
    pub lang: String,
    pub date: DateTime<FixedOffset>,
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
    let from = match draft.from.parse::<Mailbox>() {
        Ok(m) => m,
        Err(_) => mailbox(
            &draft.from,
            None,
            "sender address (smtp.from in zyklus.toml)",
        )?,
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

/// An SMTP connection setup from `[smtp]`.
pub struct Mailer {
    transport: SmtpTransport,
}

impl Mailer {
    /// Sets up delivery through `cfg`; `password` is the value of the environment
    /// variable `cfg.password_env` names.
    ///
    /// # Errors
    /// When a user is configured without a password.
    pub fn new(cfg: &SmtpConfig, password: Option<String>) -> Result<Self> {
        let tls = TlsParameters::new(cfg.host.clone())
            .with_context(|| format!("setting up TLS for {}", cfg.host))?;
        let mut builder = SmtpTransport::builder_dangerous(cfg.host.as_str())
            .port(cfg.port)
            .tls(Tls::Opportunistic(tls))
            .timeout(Some(Duration::from_secs(30)));
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
        })
    }

    /// Delivers one message.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the message.
    pub fn send(&self, message: &Message) -> Result<()> {
        self.transport
            .send(message)
            .map(|_| ())
            .map_err(|e| anyhow::Error::new(e).context("delivering over SMTP"))
    }
}
