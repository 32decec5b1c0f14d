//! Errors, how they are printed, and which exit code they map to.
//!
//! Exit codes (documented in `--help` and the README):
//! 0 success; 1 invalid input or a failed operation; 2 usage error (clap);
//! 3 a gate or check that does not pass.
//!
//! Data problems are [`Diagnostic`]s that point at a file, line and column and say
//! what to do; everything else is an `anyhow::Error` whose chain is printed as
//! `error: …` / `caused by: …`, with a [`Hint`] from anywhere in the chain last.

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

/// Process exit codes.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const UNMET: u8 = 3;
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// A problem in a workspace file, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// Path relative to the workspace root (or as given).
    pub file: PathBuf,
    /// 1-based line and column, when the problem comes from a place in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The offending source line, for the caret display.
    #[serde(skip)]
    pub snippet: Option<String>,
}

impl Diagnostic {
    #[must_use]
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            snippet: None,
        }
    }

    #[must_use]
    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(file, message)
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Points the diagnostic at a 1-based line and column of `source`.
    #[must_use]
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.snippet = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned);
        self
    }

    /// The `file:line:col` location as printed.
    #[must_use]
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file.display()),
            (Some(l), None) => format!("{}:{l}", self.file.display()),
            _ => self.file.display().to_string(),
        }
    }

    /// Writes the diagnostic the way cargo and rustc do: headline, location, the
    /// source line with a caret, then the hint.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_to(&self, w: &mut dyn Write, paint: &crate::ui::Paint) -> io::Result<()> {
        let (label, style) = match self.level {
            Level::Error => ("error", crate::ui::Style::Error),
            Level::Warning => ("warning", crate::ui::Style::Warning),
        };
        writeln!(w, "{}: {}", paint.apply(style, label), self.message)?;
        writeln!(
            w,
            "  {} {}",
            paint.apply(crate::ui::Style::Dim, "-->"),
            self.location()
        )?;
        if let (Some(line), Some(col), Some(src)) = (self.line, self.column, &self.snippet) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(w, "  {pad} |")?;
            writeln!(w, "  {num} | {src}")?;
            let caret_pad: String = src
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(w, "  {pad} | {caret_pad}{}", paint.apply(style, "^"))?;
        }
        if let Some(h) = &self.hint {
            writeln!(
                w,
                "  = {}: {h}",
                paint.apply(crate::ui::Style::Hint, "help")
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// The workspace has errors; each one is a diagnostic.
#[derive(Debug, thiserror::Error)]
#[error("{} in the workspace; nothing was written", plural(.0.iter().filter(|d| d.level == Level::Error).count(), "error"))]
pub struct Invalid(pub Vec<Diagnostic>);

/// An error the user can fix, with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Hint {
    pub message: String,
    pub hint: String,
}

/// Builds an error with a hint on what to do.
pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Hint {
        message: message.into(),
        hint: hint.into(),
    }
    .into()
}

/// `1 error`, `2 errors`.
#[must_use]
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether an error is just a closed stdout (`zyklus … | head`), which is no error.
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints an error with its cause chain and hint to `w`.
pub fn report(err: &anyhow::Error, w: &mut dyn Write, paint: &crate::ui::Paint) {
    // Failing to print an error to stderr leaves nothing better to do.
    let _ = write_report(err, w, paint);
}

fn write_report(
    err: &anyhow::Error,
    w: &mut dyn Write,
    paint: &crate::ui::Paint,
) -> io::Result<()> {
    if let Some(Invalid(diags)) = err.downcast_ref::<Invalid>() {
        for d in diags {
            d.write_to(w, paint)?;
        }
    }
    writeln!(
        w,
        "{}: {err}",
        paint.apply(crate::ui::Style::Error, "error")
    )?;
    for cause in err.chain().skip(1) {
        writeln!(w, "  caused by: {cause}")?;
    }
    if let Some(h) = err.chain().find_map(|c| c.downcast_ref::<Hint>()) {
        writeln!(
            w,
            "  = {}: {}",
            paint.apply(crate::ui::Style::Hint, "help"),
            h.hint
        )?;
    }
    Ok(())
}
