//! The terminal: colour, status lines on stderr, and prompts.
//!
//! Prompts sit behind the [`Prompt`] trait so commands never talk to dialoguer
//! directly: a terminal gets [`TerminalPrompt`], anything else [`NoPrompt`], which
//! fails with a hint to pass `--yes` or the missing flags instead of hanging CI.

use std::io::IsTerminal;

use anyhow::Result;

/// What a piece of text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Error,
    Warning,
    Hint,
    Good,
    Bad,
    Dim,
    Bold,
}

/// Applies ANSI colours when enabled, passes text through when not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    #[must_use]
    pub fn plain() -> Self {
        Self { enabled: false }
    }

    #[must_use]
    pub fn apply(&self, style: Style, text: &str) -> String {
        if !self.enabled {
            return text.to_owned();
        }
        let code = match style {
            Style::Error | Style::Bad => "1;31",
            Style::Warning => "1;33",
            Style::Hint => "1;36",
            Style::Good => "32",
            Style::Dim => "2",
            Style::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// Asks the person at the terminal.
pub trait Prompt {
    /// Asks a yes/no question.
    ///
    /// # Errors
    /// When there is nobody to ask, or the terminal fails.
    fn confirm(&mut self, question: &str, default: bool) -> Result<bool>;

    /// Asks for a line of text; `default` is offered when given.
    ///
    /// # Errors
    /// When there is nobody to ask, or the terminal fails.
    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String>;

    /// Asks to pick one of `items`; returns its index.
    ///
    /// # Errors
    /// When there is nobody to ask, or the terminal fails.
    fn select(&mut self, prompt: &str, items: &[&str], default: usize) -> Result<usize>;
}

/// Prompts on a real terminal with dialoguer.
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn confirm(&mut self, question: &str, default: bool) -> Result<bool> {
        Ok(dialoguer::Confirm::new()
            .with_prompt(question)
            .default(default)
            .interact()?)
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String> {
        let mut input = dialoguer::Input::<String>::new().with_prompt(prompt);
        if let Some(d) = default {
            input = input.default(d.to_owned());
        }
        Ok(input.interact_text()?)
    }

    fn select(&mut self, prompt: &str, items: &[&str], default: usize) -> Result<usize> {
        Ok(dialoguer::Select::new()
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact()?)
    }
}

/// Used without a terminal: every question is an error that says what to pass.
pub struct NoPrompt {
    /// What to pass instead, e.g. `--yes`.
    pub hint: String,
}

impl NoPrompt {
    fn refuse(&self, what: &str) -> anyhow::Error {
        crate::error::refused(
            format!("{what} needs an answer, but stdin is not a terminal"),
            self.hint.clone(),
        )
    }
}

impl Prompt for NoPrompt {
    fn confirm(&mut self, question: &str, _default: bool) -> Result<bool> {
        Err(self.refuse(&format!("the question `{question}`")))
    }

    fn input(&mut self, prompt: &str, _default: Option<&str>) -> Result<String> {
        Err(self.refuse(prompt))
    }

    fn select(&mut self, prompt: &str, _items: &[&str], _default: usize) -> Result<usize> {
        Err(self.refuse(prompt))
    }
}

/// Whether stdin and stderr are both terminals, so that prompting makes sense.
#[must_use]
pub fn is_interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The prompt for this run.
#[must_use]
pub fn prompt_for(interactive: bool, hint: &str) -> Box<dyn Prompt> {
    if interactive {
        Box::new(TerminalPrompt)
    } else {
        Box::new(NoPrompt { hint: hint.into() })
    }
}
