//! `zyklus announce ID --out DIR [--send]`: the customer e-mail for the release's
//! major changes (one per partner in its language, or one per language without
//! partners) as `.eml` files, the wiki page for everything else, and — with
//! `--send` — delivery over SMTP, each recipient at most once per release (what
//! was sent is recorded in the release file).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;
use toml_edit::{ArrayOfTables, Item, Table};

use super::notes::{context, load_templates, template_error, warn_fallbacks};
use super::{Outcome, Settings};
use crate::error::refused;
use crate::mail::{self, Draft, Mailer};
use crate::model::{Partner, Release, ReleaseId};
use crate::notes::{render, Audience, Templates};
use crate::output::Report;
use crate::ui::Paint;
use crate::workspace::{edit, fsio, Loaded, Workspace};

/// The recipient of per-language e-mails when there is no `[smtp]` sender either.
pub const FALLBACK_TO: &str = "announce@example.invalid";

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes DIR/<ID>.<partner>.eml for every partner with an e-mail address in partners.toml
(in the partner's language), or DIR/<ID>.<lang>.eml per workspace language when there are
no partners (addressed to smtp.from, to forward to a list); and DIR/wiki/<ID>.<lang>.md per
language with every change that is not major. Templates: mail.<lang>.subject.jinja,
mail.<lang>.txt.jinja, mail.<lang>.html.jinja, wiki.<lang>.md.jinja (override in templates/).

--send delivers the e-mails over SMTP ([smtp] in zyklus.toml; the password comes from the
environment variable smtp.password_env names). With a user, TLS is required: STARTTLS by
default, implicit TLS with smtp.tls = \"tls\"; a server without STARTTLS gets no password.
smtp.tls = \"none\" allows a plain connection, only without a user; smtp.ca_file adds a CA
(PEM) to trust, e.g. for a self-signed test server. Each e-mail goes on its own: a refused
recipient does not stop the others; the report says per e-mail sent / already-sent / failed
and why, and the exit code is 1 if any failed. Every delivery is recorded under `sent` in
releases/<ID>.toml, so a rerun sends only what is missing.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Directory for the .eml files and the wiki pages (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Deliver the e-mails over SMTP
    #[arg(long)]
    pub send: bool,
}

/// One e-mail in the report.
#[derive(Debug, Serialize)]
pub struct EmailReport {
    pub file: String,
    pub to: String,
    pub partner: Option<String>,
    pub lang: String,
    pub message_id: String,
    /// `written`, `sent`, `already-sent` or `failed` (with --send).
    pub status: &'static str,
    /// Why it failed, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What `announce` did; `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct AnnounceReport {
    pub release: String,
    pub major: usize,
    pub emails: Vec<EmailReport>,
    pub wiki: Vec<String>,
}

impl Report for AnnounceReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.emails.is_empty() {
            writeln!(w, "{}: no major changes, no e-mail", self.release)?;
        }
        for e in &self.emails {
            writeln!(w, "{:<13} {}  → {}", e.status, e.file, e.to)?;
            if let Some(why) = &e.error {
                writeln!(w, "{:<13} {why}", "")?;
            }
        }
        for p in &self.wiki {
            writeln!(w, "{:<13} {p}", "written")?;
        }
        Ok(())
    }
}

struct Planned {
    draft: Draft,
    key: String,
    partner: Option<String>,
}

/// Runs `zyklus announce`.
///
/// # Errors
/// On invalid input, a template error, a failed write or a failed delivery.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = if a.send {
        Some(fsio::lock(&root)?)
    } else {
        None
    };
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let release = ws.release(a.id)?;
    let templates = load_templates(&ws.root)?;
    let out = if a.out.is_absolute() {
        a.out.clone()
    } else {
        s.cwd.join(&a.out)
    };

    let planned = plan_emails(ws, release, &templates, s)?;
    let major = context(ws, release, default_lang(ws), Audience::Customers).count;
    let mut report = AnnounceReport {
        release: release.id.to_string(),
        major,
        emails: Vec::new(),
        wiki: Vec::new(),
    };

    let mut messages = Vec::new();
    for p in &planned {
        let message = mail::build(&p.draft)?;
        let file = out.join(format!("{}.{}.eml", release.id, p.key));
        fsio::write_atomic(&file, mail::formatted(&message))?;
        report.emails.push(EmailReport {
            file: shown(&file, s),
            to: p.draft.to.clone(),
            partner: p.partner.clone(),
            lang: p.draft.lang.clone(),
            message_id: p.draft.message_id.clone(),
            status: "written",
            error: None,
        });
        messages.push(message);
    }
    for lang in &ws.config.workspace.languages {
        let ctx = context(ws, release, lang, Audience::Wiki);
        warn_fallbacks(s, &ctx);
        let page = templates
            .render(&render::name("wiki", lang, "md"), &ctx)
            .map_err(template_error)?;
        let file = out.join("wiki").join(format!("{}.{lang}.md", release.id));
        fsio::write_atomic(&file, page)?;
        report.wiki.push(shown(&file, s));
    }

    let failed = if a.send && !planned.is_empty() {
        send_all(&loaded, release, &planned, &messages, &mut report, s)?
    } else {
        0
    };
    s.emit(&report)?;
    if failed > 0 {
        return Err(refused(
            format!(
                "delivering over SMTP failed for {failed} of {} e-mails (see above why)",
                planned.len()
            ),
            "fix the cause and run the same `zyklus announce --send` again: it sends only what is missing",
        ));
    }
    Ok(Outcome::Success)
}

fn default_lang(ws: &Workspace) -> &str {
    ws.config
        .workspace
        .languages
        .first()
        .map_or("en", String::as_str)
}

fn shown(path: &Path, s: &Settings) -> String {
    path.strip_prefix(&s.cwd)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The e-mails to write: one per partner with an address, else one per language.
fn plan_emails(
    ws: &Workspace,
    release: &Release,
    templates: &Templates,
    s: &Settings,
) -> Result<Vec<Planned>> {
    let any_major = context(ws, release, default_lang(ws), Audience::Customers).count > 0;
    if !any_major {
        s.status(&format!(
            "{}: no major changes in the scope, so no customer e-mail",
            release.id
        ));
        return Ok(Vec::new());
    }
    let from = ws
        .config
        .smtp
        .as_ref()
        .map_or_else(|| FALLBACK_TO.to_owned(), |c| c.from.clone());
    let domain = mail::domain_of(&from);
    let mut recipients: Vec<(Option<&Partner>, String, String, String)> = Vec::new();
    for p in &ws.partners.partners {
        match &p.email {
            Some(email) => {
                // A language the workspace does not write in falls back to the
                // default one (the loader warns about it).
                let lang = p
                    .language
                    .clone()
                    .filter(|l| ws.config.workspace.languages.contains(l))
                    .unwrap_or_else(|| default_lang(ws).to_owned());
                recipients.push((Some(p), lang, email.clone(), p.id.clone()));
            }
            None => s.warn(&format!(
                "partner {} has no email in partners.toml: no announcement for it",
                p.id
            )),
        }
    }
    if recipients.is_empty() {
        for lang in &ws.config.workspace.languages {
            recipients.push((None, lang.clone(), from.clone(), lang.clone()));
        }
    }
    let mut warned = std::collections::BTreeSet::new();
    let mut planned = Vec::new();
    for (partner, lang, to, key) in recipients {
        let ctx = context(ws, release, &lang, Audience::Customers).for_recipient(partner, &to);
        if warned.insert(lang.clone()) {
            warn_fallbacks(s, &ctx);
        }
        let render = |kind: &str, ext: &str| {
            templates
                .render(&render::name(kind, &lang, ext), &ctx)
                .map_err(template_error)
        };
        let subject = render("mail", "subject")?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = render("mail", "txt")?;
        let html = render("mail", "html")?;
        planned.push(Planned {
            draft: Draft {
                from: from.clone(),
                to,
                to_name: partner.map(|p| p.name.clone()),
                subject,
                text,
                html,
                message_id: format!("zyklus.{}.{key}@{domain}", release.id),
                lang,
                date: s.now,
            },
            key,
            partner: partner.map(|p| p.id.clone()),
        });
    }
    Ok(planned)
}

/// Delivers what was not delivered before ([`mail::send_all`]); records each
/// delivery in the release file right after it succeeded. Returns how many
/// e-mails failed.
fn send_all(
    loaded: &Loaded,
    release: &Release,
    planned: &[Planned],
    messages: &[lettre::Message],
    report: &mut AnnounceReport,
    s: &Settings,
) -> Result<usize> {
    let ws = &loaded.workspace;
    let Some(cfg) = &ws.config.smtp else {
        return Err(refused(
            "--send needs an [smtp] section in zyklus.toml",
            "add [smtp] with host, port and from (and user/password_env if the server needs a login); the .eml files were written",
        ));
    };
    let password = match &cfg.password_env {
        Some(var) => match std::env::var(var) {
            Ok(v) => Some(v),
            Err(_) if cfg.user.is_none() => None,
            Err(_) => {
                return Err(refused(
                    format!("the environment variable {var} (smtp.password_env) is not set"),
                    format!(
                        "set {var} to the SMTP password of {}",
                        cfg.user.as_deref().unwrap_or("the user")
                    ),
                ))
            }
        },
        None => None,
    };
    let mailer = Mailer::new(cfg, password, &ws.root)?;
    let path = ws.release_path(release.id);
    let items: Vec<mail::Outgoing<'_>> = planned
        .iter()
        .zip(messages)
        .map(|(p, message)| mail::Outgoing {
            message,
            already_sent: release.sent.iter().any(|r| {
                r.message_id == p.draft.message_id
                    || (p.partner.is_some() && r.to.eq_ignore_ascii_case(&p.draft.to))
            }),
        })
        .collect();
    let outcomes = mail::send_all(&mailer, &items, &mut |i| {
        record_sent(loaded, &path, &planned[i].draft, s)
    });
    let mut failed = 0;
    for ((p, outcome), entry) in planned.iter().zip(outcomes).zip(&mut report.emails) {
        match outcome {
            mail::Outcome::Sent => {
                entry.status = "sent";
                s.status(&format!("sent {} to {}", entry.file, p.draft.to));
            }
            mail::Outcome::AlreadySent => entry.status = "already-sent",
            mail::Outcome::Failed(why) => {
                failed += 1;
                entry.status = "failed";
                s.warn(&format!(
                    "not sent: {} to {}: {why}",
                    entry.file, p.draft.to
                ));
                entry.error = Some(why);
            }
        }
    }
    Ok(failed)
}

/// Appends one `[[sent]]` entry to the release file (atomically, validated).
fn record_sent(loaded: &Loaded, path: &Path, draft: &Draft, s: &Settings) -> Result<()> {
    let ws = &loaded.workspace;
    let src = std::fs::read_to_string(path)?;
    let mut doc = edit::parse(&src, ws.relative(path))?;
    let mut t = Table::new();
    t.insert("to", toml_edit::value(draft.to.clone()));
    t.insert("at", edit::timestamp(s.now)?);
    t.insert("message_id", toml_edit::value(draft.message_id.clone()));
    match doc.get_mut("sent") {
        Some(Item::ArrayOfTables(a)) => a.push(t),
        Some(_) => {
            return Err(refused(
                format!(
                    "`sent` in {} is not a list of [[sent]] tables",
                    ws.relative(path).display()
                ),
                "fix or remove the `sent` key by hand",
            ))
        }
        None => {
            let mut a = ArrayOfTables::new();
            a.push(t);
            doc.insert("sent", Item::ArrayOfTables(a));
        }
    }
    let mut changes = fsio::Changes::new();
    changes.write(path, doc.to_string());
    loaded.check_changes(&changes)?;
    changes.commit(&ws.root, s.fault)?;
    Ok(())
}
