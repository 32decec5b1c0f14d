//! The settings of one run, resolved once from flags and environment: the shell,
//! the clock, who acts, where the workspace is, and a fault to inject for the crash
//! tests. Commands load, begin and commit through them.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};

use super::{Cli, ColorChoice};
use crate::output::{ReportDyn, Shell};
use crate::ui::Prompt;
use crate::workspace::{self, fsio, Loaded, Transaction};

/// Everything resolved once from flags and environment: no command reads an
/// environment variable or the clock itself.
pub struct Settings {
    /// The one owner of stdout and stderr.
    pub shell: Shell,
    /// The current time (`ZYKLUS_NOW`, else the clock).
    pub now: DateTime<FixedOffset>,
    /// Who acts, for history entries.
    pub actor: String,
    /// `-C` / `ZYKLUS_WORKSPACE`.
    pub workspace_arg: Option<PathBuf>,
    pub cwd: PathBuf,
    /// A fault to inject into commits (`ZYKLUS_TEST_FAULT`, for the crash tests).
    pub fault: Option<fsio::Fault>,
}

impl Settings {
    /// Resolves flags and environment.
    ///
    /// # Errors
    /// When `ZYKLUS_NOW` is not RFC 3339 or the current directory is unreadable.
    pub fn resolve(cli: &Cli) -> Result<Self> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colour = |tty: bool| match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let shell = Shell::new(
            cli.format,
            cli.quiet,
            cli.yes,
            colour(io::stdout().is_terminal()),
            colour(io::stderr().is_terminal()),
        );
        let now = match std::env::var("ZYKLUS_NOW") {
            Ok(s) if !s.is_empty() => DateTime::parse_from_rfc3339(&s).map_err(|e| {
                crate::error::invalid(
                    format!("ZYKLUS_NOW=`{s}` is not an RFC 3339 timestamp ({e})"),
                    "write it like 2027-01-12T09:00:00+01:00, or unset it",
                )
            })?,
            _ => chrono::Local::now().fixed_offset(),
        };
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let fault = std::env::var("ZYKLUS_TEST_FAULT")
            .ok()
            .and_then(|f| fsio::Fault::parse(&f));
        Ok(Self {
            shell,
            now,
            actor: crate::ops::actor(
                |key| std::env::var(key).ok(),
                || crate::git::configured_user_name(&cwd),
            ),
            workspace_arg: cli.workspace.clone(),
            cwd,
            fault,
        })
    }

    /// The workspace root (`-C`, `ZYKLUS_WORKSPACE`, or the nearest ancestor).
    ///
    /// # Errors
    /// When there is no workspace.
    pub fn root(&self) -> Result<PathBuf> {
        workspace::discover(self.workspace_arg.as_deref(), &self.cwd)
    }

    /// Finds, loads and validates the workspace for reading; prints its warnings.
    ///
    /// # Errors
    /// When there is no workspace or it has errors.
    pub fn load(&self) -> Result<Loaded> {
        let loaded = workspace::open(&self.root()?)?;
        self.shell.warnings(&loaded.warnings);
        Ok(loaded)
    }

    /// Locks and loads the workspace for writing; prints its warnings.
    ///
    /// # Errors
    /// When there is no workspace, the lock is held too long, or it has errors.
    pub fn begin(&self) -> Result<Transaction> {
        let mut tx = Transaction::begin(&self.root()?)?;
        tx.inject(self.fault);
        self.shell.warnings(tx.warnings());
        Ok(tx)
    }

    /// Commits a transaction and says on stderr what it wrote.
    ///
    /// # Errors
    /// When the result would be invalid (nothing written) or writing fails.
    pub fn commit(&self, tx: Transaction) -> Result<Vec<PathBuf>> {
        let done = tx.commit()?;
        for p in &done.written {
            self.shell.status(&format!("wrote {}", p.display()));
        }
        Ok(done.written)
    }

    /// Writes a report to stdout in the chosen format.
    ///
    /// # Errors
    /// When stdout fails (a closed pipe is turned into success by `run`).
    pub fn emit(&self, report: &dyn ReportDyn) -> Result<()> {
        self.shell.emit(report)
    }

    /// A warning on stderr (unless quiet).
    pub fn warn(&self, message: &str) {
        self.shell.warn(message);
    }

    /// A status line on stderr (unless quiet).
    pub fn status(&self, message: &str) {
        self.shell.status(message);
    }

    /// Asks to confirm an action: `--yes` answers; without a terminal it fails.
    ///
    /// # Errors
    /// Without `--yes` and without a terminal, or when the terminal fails.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        self.shell.confirm(question)
    }

    /// The prompt for this run: dialoguer on a terminal, an error otherwise.
    #[must_use]
    pub fn prompt(&self, hint: &str) -> Box<dyn Prompt> {
        self.shell.prompt(hint)
    }
}
