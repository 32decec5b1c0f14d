//! The one owner of stdout and stderr (cargo's `Shell`): reports, documents,
//! status lines, warnings, errors, progress and confirmations all go through a
//! [`Shell`], which knows the output format, whether to be quiet, whether colour is
//! on for each stream, and whether anyone is at a terminal to answer. Everything it
//! prints passes a [`SafeWriter`], so text from workspace files cannot drive the
//! terminal.

use std::io::{self, IsTerminal, Write};

use anyhow::Result;

use super::term::SafeWriter;
use super::{Format, ReportDyn};
use crate::error::{Diagnostic, Level};
use crate::ui::{Paint, Prompt, Style};

/// Where output goes and how it looks, resolved once per run.
#[derive(Debug, Clone)]
pub struct Shell {
    format: Format,
    quiet: bool,
    yes: bool,
    interactive: bool,
    out_paint: Paint,
    err_paint: Paint,
    err_is_terminal: bool,
}

impl Shell {
    /// A shell for this process: colour per stream as decided by the caller.
    #[must_use]
    pub fn new(format: Format, quiet: bool, yes: bool, out_colour: bool, err_colour: bool) -> Self {
        Self {
            format,
            quiet,
            yes,
            interactive: crate::ui::is_interactive(),
            out_paint: Paint {
                enabled: out_colour,
            },
            err_paint: Paint {
                enabled: err_colour,
            },
            err_is_terminal: io::stderr().is_terminal(),
        }
    }

    /// A plain shell (no colour, no terminal): for errors before flags are known.
    #[must_use]
    pub fn plain() -> Self {
        Self {
            format: Format::Table,
            quiet: false,
            yes: false,
            interactive: false,
            out_paint: Paint::plain(),
            err_paint: Paint::plain(),
            err_is_terminal: false,
        }
    }

    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    #[must_use]
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Whether `--yes` was given.
    #[must_use]
    pub fn assumes_yes(&self) -> bool {
        self.yes
    }

    #[must_use]
    pub fn out_paint(&self) -> Paint {
        self.out_paint
    }

    #[must_use]
    pub fn err_paint(&self) -> Paint {
        self.err_paint
    }

    /// Writes a report to stdout in the chosen format.
    ///
    /// # Errors
    /// When stdout fails (a closed pipe is turned into success by the caller).
    pub fn emit(&self, report: &dyn ReportDyn) -> Result<()> {
        let mut out = SafeWriter::new(io::stdout().lock(), self.out_paint);
        super::emit(report, self.format, &self.out_paint, &mut out)?;
        out.flush()?;
        Ok(())
    }

    /// The result of a command that changed something: with `--format json` its
    /// report on stdout; for people a status line on stderr (unless quiet).
    ///
    /// # Errors
    /// When stdout fails.
    pub fn done(&self, report: &dyn ReportDyn, message: &str) -> Result<()> {
        match self.format {
            Format::Json => self.emit(report),
            Format::Table => {
                self.status(message);
                Ok(())
            }
        }
    }

    /// Writes a report to stderr as a table (e.g. the gate checks before a
    /// confirmation), unless quiet.
    ///
    /// # Errors
    /// When stderr fails.
    pub fn emit_to_stderr(&self, report: &dyn ReportDyn) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut err = SafeWriter::new(io::stderr().lock(), self.err_paint);
        report.render_dyn(&mut err, &self.err_paint)?;
        err.flush()?;
        Ok(())
    }

    /// Writes a document (release notes, an agenda) to stdout as it is.
    ///
    /// # Errors
    /// When stdout fails.
    pub fn document(&self, text: &str) -> Result<()> {
        let mut out = SafeWriter::new(io::stdout().lock(), Paint::plain());
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()?;
        Ok(())
    }

    fn to_stderr(&self, text: &str) {
        let mut err = SafeWriter::new(io::stderr().lock(), self.err_paint);
        // Failing to write to stderr leaves nothing better to do.
        let _ = writeln!(err, "{text}").and_then(|()| err.flush());
    }

    /// A status line on stderr (unless quiet).
    pub fn status(&self, message: &str) {
        if !self.quiet {
            self.to_stderr(message);
        }
    }

    /// A warning on stderr (unless quiet).
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let label = self.err_paint.apply(Style::Warning, "warning");
            self.to_stderr(&format!("{label}: {message}"));
        }
    }

    /// The warnings among `diags` on stderr (unless quiet).
    pub fn warnings(&self, diags: &[Diagnostic]) {
        if self.quiet {
            return;
        }
        let mut err = SafeWriter::new(io::stderr().lock(), self.err_paint);
        for d in diags.iter().filter(|d| d.level == Level::Warning) {
            let _ = super::diag::write_diagnostic(d, &mut err, &self.err_paint);
        }
        let _ = err.flush();
    }

    /// Every diagnostic (errors and warnings) on stderr, even when quiet: what
    /// `validate` reports is its output.
    pub fn diagnostics(&self, diags: &[Diagnostic]) {
        let mut err = SafeWriter::new(io::stderr().lock(), self.err_paint);
        for d in diags {
            let _ = super::diag::write_diagnostic(d, &mut err, &self.err_paint);
        }
        let _ = err.flush();
    }

    /// An error with its diagnostics, causes and hint on stderr (always).
    pub fn error(&self, err: &anyhow::Error) {
        let mut w = SafeWriter::new(io::stderr().lock(), self.err_paint);
        let _ = super::diag::write_error(err, &mut w, &self.err_paint);
        let _ = w.flush();
    }

    /// Whether a progress line would be shown (stderr is a terminal, table output,
    /// not quiet).
    #[must_use]
    pub fn shows_progress(&self) -> bool {
        self.err_is_terminal && !self.quiet && self.format == Format::Table
    }

    /// Replaces the progress line on stderr (only when [`Self::shows_progress`]).
    pub fn progress(&self, message: &str) {
        if self.shows_progress() {
            let shown = super::term::escape(message);
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[K{shown}").and_then(|()| err.flush());
        }
    }

    /// Clears the progress line.
    pub fn progress_done(&self) {
        if self.shows_progress() {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[K").and_then(|()| err.flush());
        }
    }

    /// The prompt for this run: dialoguer on a terminal; without one, every
    /// question fails with `hint` (what to pass instead).
    #[must_use]
    pub fn prompt(&self, hint: &str) -> Box<dyn Prompt> {
        crate::ui::prompt_for(self.interactive, hint)
    }

    /// Asks to confirm an action: `--yes` answers; without a terminal it fails
    /// with a hint to pass `--yes`.
    ///
    /// # Errors
    /// Without `--yes` and without a terminal, or when the terminal fails.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if self.yes {
            return Ok(true);
        }
        let question = super::term::escape(question);
        self.prompt("pass --yes to confirm without a terminal")
            .confirm(&question, false)
    }
}
