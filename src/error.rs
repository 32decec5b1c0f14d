//! Errors: what kind each one is, which exit code it maps to, and what to do
//! about it. Printing lives in [`crate::output`]; this module imports nothing of
//! the crate, so that every layer can use it.
//!
//! Exit codes (documented in `--help` and the README):
//! 0 success; 1 invalid input or a failed or refused operation (nothing was
//! written); 2 usage error; 3 a gate or check that does not pass.
//!
//! Data problems are [`Diagnostic`]s that point at a file, line and column and say
//! what to do, collected in [`Invalid`]. Everything else is an [`Error`] with a
//! [`ErrorKind`] and a hint, carried in an `anyhow::Error` whose context chain says
//! what zyklus was doing.

use std::fmt;
use std::io;
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

/// The longest source line a diagnostic quotes; longer ones are cut around the column.
const SNIPPET_MAX: usize = 160;

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

    /// Points the diagnostic at a 1-based line and column of `source`. The quoted
    /// line is bounded (a 5 MB line is not printed whole) and the column adjusted.
    #[must_use]
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        if let Some(text) = source.lines().nth(line.saturating_sub(1)) {
            let chars = text.chars().count();
            if chars <= SNIPPET_MAX {
                self.snippet = Some(text.to_owned());
            } else {
                let start = column
                    .saturating_sub(SNIPPET_MAX / 2)
                    .min(chars - SNIPPET_MAX);
                let cut: String = text.chars().skip(start).take(SNIPPET_MAX).collect();
                self.snippet = Some(cut);
                self.column = Some(column - start);
            }
        }
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

/// What kind of failure an [`Error`] is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Input that is wrong: a value, an id, a file outside the workspace. Exit 1.
    Invalid,
    /// An operation the workspace's state does not allow (a frozen scope, a
    /// dirty repository, no confirmation). Exit 1.
    Refused,
    /// Something outside zyklus failed: a file system, a server. Exit 1.
    Failed,
    /// A gate or check that does not pass. Exit 3.
    Unmet,
    /// The command line itself is wrong. Exit 2.
    Usage,
}

impl ErrorKind {
    /// The process exit code of this kind.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Invalid | ErrorKind::Refused | ErrorKind::Failed => exit::FAILURE,
            ErrorKind::Unmet => exit::UNMET,
            ErrorKind::Usage => exit::USAGE,
        }
    }
}

/// An error the user can act on: its kind, what happened, and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        Self {
            kind,
            message: message.into(),
            hint: (!hint.is_empty()).then_some(hint),
        }
    }
}

/// Wrong input (exit 1), with what to do about it.
pub fn invalid(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Error::new(ErrorKind::Invalid, message, hint).into()
}

/// An operation the workspace's state refuses (exit 1), with what to do about it.
pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Error::new(ErrorKind::Refused, message, hint).into()
}

/// Something outside zyklus failed (exit 1), with what to do about it.
pub fn failed(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Error::new(ErrorKind::Failed, message, hint).into()
}

/// A gate or check that does not pass (exit 3).
pub fn unmet(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Error::new(ErrorKind::Unmet, message, hint).into()
}

/// A command line that cannot work (exit 2).
pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Error::new(ErrorKind::Usage, message, hint).into()
}

/// The exit code of a failed command: the kind of the first [`Error`] in the
/// chain; 1 for everything else.
#[must_use]
pub fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|c| c.downcast_ref::<Error>())
        .map_or(exit::FAILURE, |e| e.kind.exit_code())
}

/// The hint of the first [`Error`] in the chain that has one.
#[must_use]
pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    err.chain()
        .filter_map(|c| c.downcast_ref::<Error>())
        .find_map(|e| e.hint.as_deref())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_exit_codes_through_context() {
        use anyhow::Context as _;
        let e: anyhow::Result<()> = Err(unmet("gate", "fix it"));
        let e = e.context("advancing 2027.1").expect_err("error");
        assert_eq!(exit_code(&e), exit::UNMET);
        assert_eq!(hint_of(&e), Some("fix it"));
        assert_eq!(exit_code(&usage("x", "")), exit::USAGE);
        assert_eq!(exit_code(&anyhow::anyhow!("plain")), exit::FAILURE);
        assert_eq!(hint_of(&refused("x", "")), None);
    }

    #[test]
    fn long_lines_are_quoted_around_the_column() {
        let src = format!("title = \"{}\"", "x".repeat(10_000));
        let d = Diagnostic::error("f.toml", "m").at(&src, 1, 5_000);
        let snippet = d.snippet.expect("snippet");
        assert_eq!(snippet.chars().count(), SNIPPET_MAX);
        assert_eq!(d.column, Some(SNIPPET_MAX / 2));
    }
}
