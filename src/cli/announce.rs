//! `zyklus announce ID --out DIR [--send]`: arguments and glue. What goes out,
//! to whom, and the rules for sending are [`crate::ops::announce`]'s; this file
//! writes the files, lists the recipients and asks before anything is sent.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::{Outcome, Settings};
use crate::error::refused;
use crate::mail;
use crate::model::ReleaseId;
use crate::ops::announce::{self, AnnounceRequest};
use crate::ops::Context;
use crate::output::announce::{preview, Recipients};
use crate::output::Format;
use crate::workspace::{exports, fsio};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes DIR/<ID>.<partner>.eml for every partner with an e-mail address in partners.toml
(in the partner's language), or DIR/<ID>.<lang>.eml per workspace language when there are
no partners (addressed to smtp.from, to forward to a list); and DIR/wiki/<ID>.<lang>.md per
language with every change that is not major. Templates: mail.<lang>.subject.jinja,
mail.<lang>.txt.jinja, mail.<lang>.html.jinja, wiki.<lang>.md.jinja, and for corrections
correction.<lang>.*.jinja (override in templates/). DIR may not be the workspace itself or
inside its requests/, releases/, trainings/, templates/ or .git/.

The texts follow the release's stage and are marked preliminary while its scope is not
frozen. The e-mails greet formally (\"Sehr geehrte Damen und Herren,\" / \"Dear Sir or
Madam,\") unless a partner has its own `salutation`; they link the wiki page when
[announce] wiki_url is set and close with [announce] signature in their language. The sender
is smtp.from with smtp.from_name as its display name; Content-Language is the partner's tag.

--send delivers the e-mails over SMTP, but only for a release whose scope is frozen and that
is in test or production; anything else is refused unless --force --reason \"…\" (recorded
in the release history). Before sending, the recipients are listed (partner, address,
language, subject) and a terminal is asked; without one --yes is needed. --dry-run shows
exactly what would go out (headers and text of every e-mail, every wiki page) and writes
and sends nothing. Every delivery is recorded under `sent` in releases/<ID>.toml with the
scope it announced, so a rerun sends only what is missing; when the scope changes after an
announcement, announce says so, and --resend-changed sends those partners a correction
(what came in, what was taken out), recorded like a send.

SMTP: [smtp] in zyklus.toml; the password comes from the environment variable
smtp.password_env names. With a user, TLS is required: STARTTLS by default, implicit TLS
with smtp.tls = \"tls\"; a server without STARTTLS gets no password. smtp.tls = \"none\"
allows a plain connection, only without a user; smtp.ca_file adds a CA (PEM) to trust. Each
e-mail goes on its own: a refused recipient does not stop the others; the report says per
e-mail sent / already-sent / failed and why, and the exit code is 1 if any failed.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Directory for the .eml files and the wiki pages (created if missing)
    #[arg(long, value_name = "DIR", required_unless_present = "dry_run")]
    pub out: Option<PathBuf>,
    /// Deliver the e-mails over SMTP (a frozen release in test or production only)
    #[arg(long)]
    pub send: bool,
    /// Send a correction to the partners whose announcement was written for another scope
    #[arg(long, conflicts_with = "send")]
    pub resend_changed: bool,
    /// Show exactly what would go out; write and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Send although the release is not frozen in test or production (needs --reason; recorded)
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why, with --force (recorded in the release history)
    #[arg(long, requires = "force")]
    pub reason: Option<String>,
}

/// Runs `zyklus announce`.
///
/// # Errors
/// On invalid input, a send that the rules refuse, a template error, a failed
/// write or a failed delivery.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let sending = (a.send || a.resend_changed) && !a.dry_run;
    // Sending holds the workspace lock from the first look at what was sent
    // until the last delivery is recorded.
    let mut tx = if sending { Some(s.begin()?) } else { None };
    let loaded = if tx.is_none() { Some(s.load()?) } else { None };
    let ws = match (&tx, &loaded) {
        (Some(tx), _) => tx.workspace(),
        (None, Some(l)) => &l.workspace,
        (None, None) => unreachable!("a workspace is loaded or locked"),
    };
    let out = a
        .out
        .as_ref()
        .map(|o| exports::export_dir(&ws.root, &s.cwd, o, "--out"))
        .transpose()?;
    let request = AnnounceRequest {
        id: a.id,
        send: a.send,
        resend_changed: a.resend_changed,
        force: a.force,
        reason: a.reason.clone(),
        dry_run: a.dry_run,
        out: a
            .out
            .as_ref()
            .map(|o| o.display().to_string())
            .unwrap_or_default(),
    };
    let mut ann = announce::prepare(ws, &request, s.now)?;
    for w in &ann.warnings {
        s.warn(w);
    }
    for n in &ann.notes {
        s.status(n);
    }
    if a.dry_run {
        if s.shell.format() == Format::Json {
            s.emit(&ann)?;
        } else {
            s.shell.document(&preview(&ann))?;
            s.status("dry run: nothing written, nothing sent");
        }
        return Ok(Outcome::Success);
    }
    let Some(out) = out else {
        return Err(crate::error::usage(
            "--out DIR is needed unless --dry-run",
            "pass --out DIR",
        ));
    };
    for e in &ann.emails {
        let path = out.join(&e.name);
        fsio::write_atomic(&path, mail::formatted(&e.message))
            .with_context(|| format!("writing {}", e.file))?;
    }
    for p in &ann.pages {
        let path = out.join(&p.name);
        fsio::write_atomic(&path, &p.text).with_context(|| format!("writing {}", p.file))?;
    }
    if let Some(tx) = tx.as_mut() {
        let pending = ann.pending().count();
        if pending > 0 {
            let ws = tx.workspace();
            let mailer = announce::mailer(ws, &|var| std::env::var(var).ok())?;
            s.shell.emit_to_stderr(&Recipients(&ann))?;
            let question = format!(
                "Send {pending} e-mail{} about {} {}{}?",
                if pending == 1 { "" } else { "s" },
                ws.config.workspace.name,
                ann.release,
                if ann.forced {
                    " although the rules say no"
                } else {
                    ""
                }
            );
            if !s.confirm(&question)? {
                return Err(refused(
                    "not confirmed; nothing was sent (the files were written)",
                    "run it again and answer yes",
                ));
            }
            let ctx = Context {
                now: s.now,
                actor: s.actor.clone(),
            };
            announce::deliver(tx, &ctx, &mut ann, &mailer)?;
            for e in ann
                .emails
                .iter()
                .filter(|e| e.status == announce::Status::Sent)
            {
                s.status(&format!("sent {} to {}", e.file, e.to));
            }
            for e in &ann.emails {
                if let Some(why) = &e.error {
                    s.warn(&format!("not sent: {} to {}: {why}", e.file, e.to));
                }
            }
        } else if !ann.emails.is_empty() {
            s.status(&format!(
                "{}: every e-mail was sent before; nothing to send",
                ann.release
            ));
        }
    }
    s.emit(&ann)?;
    let failed = ann.failed();
    if failed > 0 {
        return Err(refused(
            format!(
                "delivering over SMTP failed for {failed} of {} e-mails (see above why)",
                ann.emails.len()
            ),
            "fix the cause and run the same `zyklus announce` command again: it sends only what is missing",
        ));
    }
    Ok(Outcome::Success)
}
