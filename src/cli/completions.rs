//! `zyklus completions SHELL` and `zyklus man --out DIR`: shell completion
//! scripts (clap_complete) and one man page per command and subcommand
//! (clap_mangen), both generated from the clap definitions themselves, so they
//! cannot drift from the real command line. Neither needs a workspace.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use super::{Cli, Outcome, Settings};
use crate::workspace::fsio;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install, for example:
  zyklus completions bash > ~/.local/share/bash-completion/completions/zyklus
  zyklus completions zsh  > \"${fpath[1]}/_zyklus\"
  zyklus completions fish > ~/.config/fish/completions/zyklus.fish
  zyklus completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes zyklus.1 and zyklus-<command>[-<subcommand>].1 into DIR (created if missing).
Read one with `man -l DIR/zyklus-gate-advance.1`, or install them:
  zyklus man --out ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Directory to write the pages into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Prints the completion script for `a.shell` to stdout.
///
/// # Errors
/// When stdout fails.
pub fn completions(a: &CompletionsArgs, s: &Settings) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "zyklus", &mut script);
    s.shell.document(&String::from_utf8(script)?)?;
    Ok(Outcome::Success)
}

/// Every man page: the name of its file and its roff text.
///
/// # Errors
/// When rendering fails (it writes to memory, so it does not).
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, name: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
        let cmd = cmd
            .clone()
            .display_name(name.to_owned())
            .bin_name(name.replace('-', " "));
        let mut text = Vec::new();
        clap_mangen::Man::new(cmd.clone()).render(&mut text)?;
        out.push((format!("{name}.1"), text));
        for sub in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            walk(sub, &format!("{name}-{}", sub.get_name()), out)?;
        }
        Ok(())
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, "zyklus", &mut out)?;
    Ok(out)
}

/// Writes the man pages into `a.out`.
///
/// # Errors
/// When a page cannot be written.
pub fn man(a: &ManArgs, s: &Settings) -> Result<Outcome> {
    let dir = s.cwd.join(&a.out);
    let pages = pages()?;
    for (name, text) in &pages {
        let path = dir.join(name);
        fsio::write_atomic(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    s.status(&format!(
        "wrote {} man pages into {} (read one with `man -l {}`)",
        pages.len(),
        a.out.display(),
        a.out.join("zyklus.1").display()
    ));
    Ok(Outcome::Success)
}
