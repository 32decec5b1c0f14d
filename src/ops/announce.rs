//! `announce`: the customer e-mail for a release's major changes (one per
//! partner in its language, or one per workspace language without partners), the
//! wiki page for everything else, and delivery over SMTP.
//!
//! Customers must never get a wrong e-mail, so sending has rules:
//! - only a release whose scope is frozen and that is in **test** or
//!   **production** is announced; anything else is refused unless forced with a
//!   reason, which is recorded in the release history;
//! - each recipient gets the announcement once; every delivery is recorded under
//!   `[[sent]]` in the release file right after it happened, with the scope it was
//!   written for;
//! - when the scope changed after an announcement went out, the report says so,
//!   and `resend_changed` writes those recipients a correction (what came in, what
//!   was taken out), recorded like a send.
//!
//! Listing the recipients and asking for confirmation is the command's job; this
//! module decides what goes out and records it.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::{notes, Context as OpsContext};
use crate::error::refused;
use crate::mail::{self, Draft, Mailer};
use crate::model::dates::Timestamp;
use crate::model::release::{HistoryEntry, SentRecord};
use crate::model::{lang, Partner, Release, ReleaseId, Stage};
use crate::notes::{Audience, CorrectionContext};
use crate::workspace::{Transaction, Workspace};

/// The recipient of per-language e-mails when there is no `[smtp]` sender either.
pub const FALLBACK_TO: &str = "announce@example.invalid";

/// What `announce` was asked to do.
#[derive(Debug, Clone)]
pub struct AnnounceRequest {
    pub id: ReleaseId,
    /// Deliver the announcements over SMTP.
    pub send: bool,
    /// Deliver corrections to the recipients whose announcement was written for
    /// another scope (and nothing else).
    pub resend_changed: bool,
    /// Send although the release is not frozen in test or production.
    pub force: bool,
    /// Why, with `force` (recorded in the release history).
    pub reason: Option<String>,
    /// Show what would go out; write and send nothing.
    pub dry_run: bool,
    /// The output directory as the user named it (`out`), to name the files in
    /// the report (`out/2027.1.alpenblick.eml`).
    pub out: String,
}

/// What an e-mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Announcement,
    Correction,
}

/// What happened to an e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The `.eml` file was written (no sending asked for).
    Written,
    /// Dry run: the file would be written.
    WouldWrite,
    /// Dry run with sending: it would be delivered.
    WouldSend,
    /// Delivered now.
    Sent,
    /// Delivered before (recorded in the release file); not again.
    AlreadySent,
    /// Not delivered; `error` says why.
    Failed,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Written => "written",
            Status::WouldWrite => "would-write",
            Status::WouldSend => "would-send",
            Status::Sent => "sent",
            Status::AlreadySent => "already-sent",
            Status::Failed => "failed",
        }
    }
}

/// One e-mail.
#[derive(Debug, Serialize)]
pub struct Email {
    /// The `.eml` file as the user names it (`out/2027.1.alpenblick.eml`).
    pub file: String,
    /// Its path in the output directory (`2027.1.alpenblick.eml`).
    #[serde(skip)]
    pub name: String,
    pub kind: Kind,
    pub to: String,
    pub partner: Option<String>,
    /// The language tag (`de-AT`), also the e-mail's `Content-Language`.
    pub lang: String,
    pub subject: String,
    pub message_id: String,
    pub status: Status,
    /// Why it failed, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With a dry run: the sender and the plain-text body, as they would go out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip)]
    pub draft: Draft,
    #[serde(skip)]
    pub message: lettre::Message,
    /// The scope this e-mail was written for (recorded with a delivery).
    #[serde(skip)]
    scope: Vec<String>,
}

/// A wiki page.
#[derive(Debug)]
pub struct WikiPage {
    /// The page's path in the output directory (`wiki/2027.1.de.md`).
    pub name: String,
    /// As the user names it (`out/wiki/2027.1.de.md`).
    pub file: String,
    pub lang: String,
    pub text: String,
}

/// A recipient whose last e-mail was written for another scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeChange {
    pub to: String,
    pub partner: Option<String>,
    /// When the last e-mail went out.
    pub announced_at: Timestamp,
    /// Requests in the scope now that the last e-mail did not cover.
    pub added: Vec<String>,
    /// Requests the last e-mail covered that are no longer in the scope.
    pub removed: Vec<String>,
}

/// What `announce` prepared (and, after [`deliver`], did); `--format json`
/// prints it.
#[derive(Debug, Serialize)]
pub struct Announcement {
    pub release: String,
    pub stage: Stage,
    /// Whether the scope is frozen.
    pub frozen: bool,
    /// Number of major changes (what the e-mail announces).
    pub major: usize,
    pub dry_run: bool,
    /// Whether delivery was asked for (`--send` or `--resend-changed`).
    pub send: bool,
    /// Sending although the rules say no (`--force --reason`).
    pub forced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub emails: Vec<Email>,
    /// The wiki pages, as the user names them.
    pub wiki: Vec<String>,
    #[serde(skip)]
    pub pages: Vec<WikiPage>,
    /// Recipients told about another scope than the current one.
    pub changed: Vec<ScopeChange>,
    /// Warnings for stderr.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// A status line for stderr (e.g. no major changes, nothing to correct).
    #[serde(skip)]
    pub notes: Vec<String>,
    #[serde(skip)]
    id: ReleaseId,
}

impl Announcement {
    /// The e-mails that a send would deliver now (not delivered before).
    pub fn pending(&self) -> impl Iterator<Item = &Email> {
        self.emails
            .iter()
            .filter(|e| e.status != Status::AlreadySent)
    }

    /// How many e-mails failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.emails
            .iter()
            .filter(|e| e.status == Status::Failed)
            .count()
    }
}

/// Why `release` may not be announced to customers now, if it may not: its
/// scope must be frozen and it must be in test or production.
#[must_use]
pub fn send_refusal(release: &Release) -> Option<String> {
    let ok_stage = matches!(release.stage, Stage::Test | Stage::Production);
    match (release.is_frozen(), ok_stage) {
        (true, true) => None,
        (false, _) => Some(format!(
            "{} is {} and its scope is not frozen",
            release.id, release.stage
        )),
        (true, false) if release.stage == Stage::Planned => {
            Some(format!("{} is still planned", release.id))
        }
        (true, false) if release.stage == Stage::Cancelled => {
            Some(format!("{} is cancelled", release.id))
        }
        (true, false) => Some(format!("{} is in {}", release.id, release.stage)),
    }
}

/// One recipient: a partner with an address, or a workspace language.
struct Recipient<'a> {
    partner: Option<&'a Partner>,
    lang: String,
    to: String,
    key: String,
}

fn recipients<'a>(ws: &'a Workspace, from: &str, warnings: &mut Vec<String>) -> Vec<Recipient<'a>> {
    let langs = &ws.config.workspace.languages;
    let mut out = Vec::new();
    for p in &ws.partners.partners {
        match &p.email {
            Some(email) => {
                // A language the workspace does not write in falls back to the
                // default one (the loader warns about it).
                let lang = p
                    .language
                    .as_deref()
                    .and_then(|l| lang::resolve(l, langs))
                    .unwrap_or_else(|| ws.config.workspace.default_lang().to_owned());
                out.push(Recipient {
                    partner: Some(p),
                    lang,
                    to: email.clone(),
                    key: p.id.clone(),
                });
            }
            None => warnings.push(format!(
                "partner {} has no email in partners.toml: no announcement for it",
                p.id
            )),
        }
    }
    if out.is_empty() {
        for l in langs {
            out.push(Recipient {
                partner: None,
                lang: l.clone(),
                to: mail::address_of(from),
                key: l.clone(),
            });
        }
    }
    out
}

/// The `[[sent]]` records of one recipient, oldest first: for a partner those to
/// its address, for a per-language message those with its message ids.
fn records<'r>(release: &'r Release, r: &Recipient<'_>, id_stem: &str) -> Vec<&'r SentRecord> {
    release
        .sent
        .iter()
        .filter(|s| {
            if r.partner.is_some() {
                s.to.eq_ignore_ascii_case(&r.to)
            } else {
                s.message_id
                    .strip_prefix(id_stem)
                    .is_some_and(|rest| rest.starts_with('@') || rest.starts_with(".correction-"))
            }
        })
        .collect()
}

/// Builds the e-mails, the wiki pages and the report; writes and sends nothing.
///
/// # Errors
/// When sending is asked for a release that may not be announced (and not
/// forced), on an unknown release, a template error, or an invalid address.
#[allow(clippy::too_many_lines)]
pub fn prepare(
    ws: &Workspace,
    req: &AnnounceRequest,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Announcement> {
    let release = ws.release(req.id)?;
    let send = req.send || req.resend_changed;
    let refusal = send_refusal(release);
    if let (true, Some(why)) = (send, &refusal) {
        if !req.force {
            return Err(refused(
                format!("{why}: customers get e-mails only about a release whose scope is frozen and that is in test or production; nothing was sent"),
                "advance it with `zyklus gate advance` first, or override with --force --reason \"…\" (recorded in the release history)",
            ));
        }
    }
    let templates = notes::templates(ws)?;
    let first = ws.config.workspace.default_lang().to_owned();
    let customers = notes::context(ws, release, &first, Audience::Customers);
    let mut warnings = notes::warnings(release, &customers);
    let mut notes_out = Vec::new();
    let smtp = ws.config.smtp.as_ref();
    let from = smtp.map_or_else(|| FALLBACK_TO.to_owned(), |c| c.from.clone());
    let from_name = smtp.and_then(|c| c.from_name.clone());
    let domain = mail::domain_of(&mail::address_of(&from));
    let scope: Vec<String> = release.scope.clone();
    let current: BTreeSet<&str> = scope.iter().map(String::as_str).collect();
    let initial = match (req.dry_run, send) {
        (true, true) => Status::WouldSend,
        (true, false) => Status::WouldWrite,
        (false, _) => Status::Written,
    };

    let mut emails = Vec::new();
    let mut changed = Vec::new();
    if customers.count == 0 {
        notes_out.push(format!(
            "{}: no major changes in the scope, so no customer e-mail",
            release.id
        ));
    } else {
        let mut warned = BTreeSet::new();
        for r in recipients(ws, &from, &mut warnings) {
            let stem = format!("zyklus.{}.{}", release.id, r.key);
            let past = records(release, &r, &stem);
            let ctx = notes::context(ws, release, &r.lang, Audience::Customers)
                .for_recipient(r.partner, &r.to);
            if warned.insert(lang::primary(&r.lang)) && !lang::same_language(&r.lang, &first) {
                warnings.extend(notes::fallback_warnings(&ctx));
            }
            let last = past.last().filter(|s| !s.scope.is_empty());
            let change = last.and_then(|s| {
                let then: BTreeSet<&str> = s.scope.iter().map(String::as_str).collect();
                (then != current).then(|| ScopeChange {
                    to: r.to.clone(),
                    partner: r.partner.map(|p| p.id.clone()),
                    announced_at: s.at,
                    added: current.difference(&then).map(|x| (*x).to_owned()).collect(),
                    removed: then.difference(&current).map(|x| (*x).to_owned()).collect(),
                })
            });
            let render = |kind: &str, ext: &str, c: &dyn erased::Ser| {
                c.render(&templates, &templates.name_for(kind, &r.lang, ext))
            };
            let (kind, name, message_id, subject, text, html) = if req.resend_changed {
                let Some(change) = &change else { continue };
                let n = past.iter().filter(|s| s.correction).count() + 1;
                let reqs = |ids: &[String]| {
                    ids.iter()
                        .filter_map(|id| ws.requests.get(id.as_str()))
                        .collect::<Vec<_>>()
                };
                let c = CorrectionContext::build(
                    ctx,
                    &reqs(&change.added),
                    &reqs(&change.removed),
                    change.announced_at.0.date_naive(),
                );
                (
                    Kind::Correction,
                    format!("{}.{}.correction-{n}.eml", release.id, r.key),
                    format!("{stem}.correction-{n}@{domain}"),
                    render("correction", "subject", &c)?,
                    render("correction", "txt", &c)?,
                    render("correction", "html", &c)?,
                )
            } else {
                (
                    Kind::Announcement,
                    format!("{}.{}.eml", release.id, r.key),
                    format!("{stem}@{domain}"),
                    render("mail", "subject", &ctx)?,
                    render("mail", "txt", &ctx)?,
                    render("mail", "html", &ctx)?,
                )
            };
            let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
            let already = match kind {
                Kind::Announcement => {
                    !past.is_empty() || release.sent.iter().any(|s| s.message_id == message_id)
                }
                Kind::Correction => release.sent.iter().any(|s| s.message_id == message_id),
            };
            let draft = Draft {
                from: from.clone(),
                from_name: from_name.clone(),
                to: r.to.clone(),
                to_name: r.partner.map(|p| p.name.clone()),
                subject: subject.clone(),
                text: text.clone(),
                html,
                message_id: message_id.clone(),
                lang: r.lang.clone(),
                date: now,
            };
            let message = mail::build(&draft)?;
            emails.push(Email {
                file: shown(&req.out, &name),
                name,
                kind,
                to: r.to.clone(),
                partner: r.partner.map(|p| p.id.clone()),
                lang: r.lang.clone(),
                subject,
                message_id,
                status: if already && send {
                    Status::AlreadySent
                } else {
                    initial
                },
                error: None,
                from: req.dry_run.then(|| sender(&draft)),
                text: req.dry_run.then_some(text),
                draft,
                message,
                scope: scope.clone(),
            });
            changed.extend(change);
        }
    }
    if !changed.is_empty() && !req.resend_changed {
        let mut added: BTreeSet<&str> = BTreeSet::new();
        let mut removed: BTreeSet<&str> = BTreeSet::new();
        for c in &changed {
            added.extend(c.added.iter().map(String::as_str));
            removed.extend(c.removed.iter().map(String::as_str));
        }
        let mut what = Vec::new();
        if !added.is_empty() {
            what.push(format!(
                "added {}",
                added.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        if !removed.is_empty() {
            what.push(format!(
                "removed {}",
                removed.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        let n = changed.len();
        warnings.push(format!(
            "the scope of {} changed ({}) after the announcement went to {n} {}: `zyklus announce {} --out DIR --resend-changed` sends {} a correction",
            release.id,
            what.join("; "),
            if n == 1 { "recipient" } else { "recipients" },
            release.id,
            if n == 1 { "it" } else { "them" },
        ));
    }
    if req.resend_changed && changed.is_empty() && customers.count > 0 {
        notes_out.push(format!(
            "{}: the scope is as announced to every recipient; no correction to send",
            release.id
        ));
    }

    let mut wiki = Vec::new();
    for l in &ws.config.workspace.languages {
        let ctx = notes::context(ws, release, l, Audience::Wiki);
        if !lang::same_language(l, &first) {
            for w in notes::fallback_warnings(&ctx) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
        let text = templates
            .render(&templates.name_for("wiki", l, "md"), &ctx)
            .map_err(notes::template_error)?;
        let name = format!("wiki/{}.{l}.md", release.id);
        wiki.push(WikiPage {
            file: shown(&req.out, &name),
            name,
            lang: l.clone(),
            text,
        });
    }

    Ok(Announcement {
        release: release.id.to_string(),
        stage: release.stage,
        frozen: release.is_frozen(),
        major: customers.count,
        dry_run: req.dry_run,
        send,
        forced: send && refusal.is_some(),
        reason: (send && refusal.is_some())
            .then(|| req.reason.clone().unwrap_or_default().trim().to_owned()),
        emails,
        wiki: wiki.iter().map(|p| p.file.clone()).collect(),
        pages: wiki,
        changed,
        warnings,
        notes: notes_out,
        id: release.id,
    })
}

/// `name` in the output directory `out` as the user named it.
fn shown(out: &str, name: &str) -> String {
    if out.is_empty() {
        name.to_owned()
    } else {
        format!("{}/{name}", out.trim_end_matches('/'))
    }
}

/// The sender of `d` as a reader sees it: `Name <address>`.
fn sender(d: &Draft) -> String {
    match &d.from_name {
        Some(n) => format!("{n} <{}>", mail::address_of(&d.from)),
        None => d.from.clone(),
    }
}

/// Rendering either context through a template, without naming its type.
mod erased {
    use crate::notes::Templates;

    pub trait Ser {
        fn render(&self, t: &Templates, name: &str) -> anyhow::Result<String>;
    }

    impl<T: serde::Serialize> Ser for T {
        fn render(&self, t: &Templates, name: &str) -> anyhow::Result<String> {
            t.render(name, self).map_err(super::notes::template_error)
        }
    }
}

/// The SMTP connection of the workspace; `password` looks up the environment
/// variable `[smtp] password_env` names.
///
/// # Errors
/// Without `[smtp]`, or with a user but no password.
pub fn mailer(ws: &Workspace, password: &dyn Fn(&str) -> Option<String>) -> Result<Mailer> {
    let Some(cfg) = &ws.config.smtp else {
        return Err(refused(
            "--send needs an [smtp] section in zyklus.toml",
            "add [smtp] with host, port and from (and user/password_env if the server needs a login); the .eml files were written",
        ));
    };
    let pw = match &cfg.password_env {
        Some(var) => match password(var) {
            Some(v) => Some(v),
            None if cfg.user.is_none() => None,
            None => {
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
    Mailer::new(cfg, pw, &ws.root)
}

/// Delivers what `a` has pending, each e-mail on its own connection, and records
/// every delivery in the release file right after it happened (a checkpoint of
/// `tx`), so a rerun sends only what is missing. A forced send is recorded in the
/// release history before the first e-mail goes out. Updates the statuses in `a`.
///
/// # Errors
/// When the history entry of a forced send cannot be recorded; failed deliveries
/// are statuses, not errors.
pub fn deliver(
    tx: &mut Transaction,
    ctx: &OpsContext,
    a: &mut Announcement,
    mailer: &Mailer,
) -> Result<()> {
    let id = a.id;
    if a.forced && a.pending().next().is_some() {
        let stage = tx.workspace().release(id)?.stage;
        let frozen = tx.workspace().release(id)?.is_frozen();
        let entry = HistoryEntry {
            note: format!(
                "announcement e-mails sent although the release is {stage}{}",
                if frozen {
                    ""
                } else {
                    " and its scope is not frozen"
                }
            ),
            forced: true,
            reason: a.reason.clone().unwrap_or_default(),
            ..HistoryEntry::new(stage, stage, Timestamp(ctx.now), ctx.actor.clone())
        };
        tx.release(id)?.push_history(&entry)?;
        tx.checkpoint()?;
    }
    let items: Vec<mail::Outgoing<'_>> = a
        .emails
        .iter()
        .map(|e| mail::Outgoing {
            message: &e.message,
            already_sent: e.status == Status::AlreadySent,
        })
        .collect();
    let emails = &a.emails;
    let outcomes = mail::send_all(mailer, &items, &mut |i| {
        let e = &emails[i];
        tx.release(id)?.push_sent(&SentRecord {
            to: e.to.clone(),
            at: Timestamp(ctx.now),
            message_id: e.message_id.clone(),
            scope: e.scope.clone(),
            correction: e.kind == Kind::Correction,
        })?;
        tx.checkpoint()?;
        Ok(())
    });
    drop(items);
    for (e, outcome) in a.emails.iter_mut().zip(outcomes) {
        match outcome {
            mail::Outcome::Sent => e.status = Status::Sent,
            mail::Outcome::AlreadySent => e.status = Status::AlreadySent,
            mail::Outcome::Failed(why) => {
                e.status = Status::Failed;
                e.error = Some(why);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_frozen_release_in_test_or_production_may_be_announced() {
        let mut r = Release::new("2027.1".parse().expect("id"));
        let said = |r: &Release| send_refusal(r);
        assert_eq!(
            said(&r).as_deref(),
            Some("2027.1 is planned and its scope is not frozen")
        );
        // Frozen by hand but still planned: not on the test system yet.
        r.frozen = true;
        assert_eq!(said(&r).as_deref(), Some("2027.1 is still planned"));
        r.stage = Stage::Development;
        assert_eq!(said(&r).as_deref(), Some("2027.1 is in development"));
        for ok in [Stage::Test, Stage::Production] {
            r.stage = ok;
            assert_eq!(said(&r), None, "{ok}");
        }
        r.stage = Stage::Cancelled;
        assert_eq!(said(&r).as_deref(), Some("2027.1 is cancelled"));
    }

    #[test]
    fn shown_paths_follow_the_out_directory_as_named() {
        assert_eq!(shown("out", "2027.1.a.eml"), "out/2027.1.a.eml");
        assert_eq!(
            shown("../x/", "wiki/2027.1.de.md"),
            "../x/wiki/2027.1.de.md"
        );
        assert_eq!(shown("", "2027.1.a.eml"), "2027.1.a.eml");
    }
}
