//! The command line: clap definitions, one file per command, and the settings
//! resolved once per run. Commands are glue: load the workspace, call one pure
//! function, hand the result to `output`.

pub mod agenda;
pub mod announce;
pub mod calendar;
pub mod changelog;
pub mod finding;
pub mod gate;
pub mod hotfix;
pub mod import;
pub mod init;
pub mod notes;
pub mod partner;
pub mod plan;
pub mod release;
pub mod request;
pub mod score;
pub mod sla;
pub mod training;
pub mod validate;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Level;
use crate::output::{Format, ReportDyn};
use crate::ui::{Paint, Prompt};
use crate::workspace::{self, Loaded};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  invalid input or a failed operation (nothing was written)
  2  usage error
  3  a gate or check that does not pass

Environment:
  ZYKLUS_WORKSPACE  the workspace directory (like -C)
  ZYKLUS_NOW        the current time as RFC 3339, for reproducible runs
  ZYKLUS_USER       who acts, recorded in release histories (default: $USER)
  NO_COLOR          turns colour off";

/// Plan, gate and announce a fixed release cadence from a TOML backlog.
#[derive(Debug, Parser)]
#[command(name = "zyklus", version, about, long_about = None, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Workspace directory (default: the nearest ancestor with a zyklus.toml)
    #[arg(
        short = 'C',
        long = "workspace",
        global = true,
        env = "ZYKLUS_WORKSPACE",
        value_name = "DIR"
    )]
    pub workspace: Option<PathBuf>,

    /// Output format of reports
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Answer yes to confirmations (needed when not on a terminal)
    #[arg(short, long, global = true)]
    pub yes: bool,

    /// Print no progress or warnings on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace (a minimal one, or --example for a realistic sample)
    Init(init::Args),
    /// Check every workspace file; report all problems with file, line and column
    Validate(validate::Args),
    /// Create, list, show and edit change requests
    #[command(subcommand)]
    Request(request::Command),
    /// Plan the next releases: the best scope for each, and the reason for what waits
    Plan(plan::Args),
    /// Score requests under the configured model, with each criterion's contribution
    Score(score::Args),
    /// The release dates of a year (dev start, test start, release, coordination call); --ics exports them
    Calendar(calendar::Args),
    /// Partners with their language and this year's trainings
    #[command(subcommand)]
    Partner(partner::Command),
    /// Record and list partner trainings (trainings/<YEAR>.toml)
    #[command(subcommand)]
    Training(training::Command),
    /// The status board of a year's releases; show one; change a frozen scope
    #[command(subcommand)]
    Release(release::Command),
    /// Check a release against its next gate, or move it there
    #[command(subcommand)]
    Gate(gate::Command),
    /// Findings of the test phase: add, list, resolve
    #[command(subcommand)]
    Finding(finding::Command),
    /// Hotfix releases (YYYY.N.P) on top of a production release
    #[command(subcommand)]
    Hotfix(hotfix::Command),
    /// Hotfix requests under the reaction promise: what is due, what is late (exit 3)
    Sla(sla::Args),
    /// Release notes of a release (markdown, html or json) from the requests' texts
    Notes(notes::Args),
    /// Write a production release's section into a git repository's CHANGELOG.md and commit it
    Changelog(changelog::Args),
    /// Customer e-mails for the major changes (.eml, --send over SMTP) and the wiki page for the rest
    Announce(announce::Args),
    /// The agenda of the partner coordination call before a release
    Agenda(agenda::Args),
    /// Create and update requests from a Jira CSV export or GitHub/GitLab issues JSON
    #[command(subcommand)]
    Import(import::Command),
}

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// A gate or check did not pass: exit 3.
    Unmet,
}

/// Everything resolved once from flags and environment.
pub struct Settings {
    pub format: Format,
    pub yes: bool,
    pub quiet: bool,
    pub out_paint: Paint,
    pub err_paint: Paint,
    pub now: DateTime<FixedOffset>,
    pub interactive: bool,
    pub workspace_arg: Option<PathBuf>,
    pub cwd: PathBuf,
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
        let now = match std::env::var("ZYKLUS_NOW") {
            Ok(s) if !s.is_empty() => DateTime::parse_from_rfc3339(&s).map_err(|e| {
                crate::error::with_hint(
                    format!("ZYKLUS_NOW=`{s}` is not an RFC 3339 timestamp ({e})"),
                    "write it like 2027-01-12T09:00:00+01:00, or unset it",
                )
            })?,
            _ => chrono::Local::now().fixed_offset(),
        };
        Ok(Self {
            format: cli.format,
            yes: cli.yes,
            quiet: cli.quiet,
            out_paint: Paint {
                enabled: colour(io::stdout().is_terminal()),
            },
            err_paint: Paint {
                enabled: colour(io::stderr().is_terminal()),
            },
            now,
            interactive: crate::ui::is_interactive(),
            workspace_arg: cli.workspace.clone(),
            cwd: std::env::current_dir().context("reading the current directory")?,
        })
    }

    /// Finds, loads and validates the workspace; prints its warnings.
    ///
    /// # Errors
    /// When there is no workspace or it has errors.
    pub fn load(&self) -> Result<Loaded> {
        let root = workspace::discover(self.workspace_arg.as_deref(), &self.cwd)?;
        let loaded = workspace::load(&root)?;
        self.print_warnings(&loaded.warnings);
        Ok(loaded)
    }

    /// Prints diagnostics of level warning to stderr (unless quiet).
    pub fn print_warnings(&self, diags: &[crate::error::Diagnostic]) {
        if self.quiet {
            return;
        }
        let mut err = io::stderr().lock();
        for d in diags.iter().filter(|d| d.level == Level::Warning) {
            let _ = d.write_to(&mut err, &self.err_paint);
        }
    }

    /// A warning on stderr (unless quiet).
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let label = self.err_paint.apply(crate::ui::Style::Warning, "warning");
            let _ = writeln!(io::stderr(), "{label}: {message}");
        }
    }

    /// A status line on stderr (unless quiet).
    pub fn status(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "{message}");
        }
    }

    /// Writes a report to stdout in the chosen format.
    ///
    /// # Errors
    /// When stdout fails (a closed pipe is turned into success by `run`).
    pub fn emit(&self, report: &dyn ReportDyn) -> Result<()> {
        let mut out = io::stdout().lock();
        crate::output::emit(report, self.format, &self.out_paint, &mut out)?;
        out.flush()?;
        Ok(())
    }

    /// The prompt for this run: dialoguer on a terminal, an error otherwise.
    #[must_use]
    pub fn prompt(&self, hint: &str) -> Box<dyn Prompt> {
        crate::ui::prompt_for(self.interactive, hint)
    }

    /// Asks to confirm an action: `--yes` answers; without a terminal it fails.
    ///
    /// # Errors
    /// Without `--yes` and without a terminal, or when the terminal fails.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if self.yes {
            return Ok(true);
        }
        self.prompt("pass --yes to confirm without a terminal")
            .confirm(question, false)
    }

    /// Who is acting, for history entries: `ZYKLUS_USER`, git-style env, or `$USER`.
    #[must_use]
    pub fn actor(&self) -> String {
        ["ZYKLUS_USER", "GIT_AUTHOR_NAME", "USER", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".into())
    }
}

/// Parses arguments and runs the command; returns the process exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(crate::error::exit::USAGE);
        }
    };
    let settings = match Settings::resolve(&cli) {
        Ok(s) => s,
        Err(e) => {
            crate::error::report(&e, &mut io::stderr(), &Paint::plain());
            return crate::error::exit::FAILURE;
        }
    };
    match dispatch(cli.command, &settings) {
        Ok(Outcome::Success) => crate::error::exit::OK,
        Ok(Outcome::Unmet) => crate::error::exit::UNMET,
        Err(e) if crate::error::is_broken_pipe(&e) => crate::error::exit::OK,
        Err(e) => {
            crate::error::report(&e, &mut io::stderr().lock(), &settings.err_paint);
            crate::error::exit::FAILURE
        }
    }
}

fn dispatch(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Init(a) => init::run(&a, s),
        Command::Validate(a) => validate::run(&a, s),
        Command::Request(c) => request::run(c, s),
        Command::Plan(a) => plan::run(&a, s),
        Command::Score(a) => score::run(&a, s),
        Command::Calendar(a) => calendar::run(&a, s),
        Command::Partner(c) => partner::run(c, s),
        Command::Training(c) => training::run(c, s),
        Command::Release(c) => release::run(c, s),
        Command::Gate(c) => gate::run(c, s),
        Command::Finding(c) => finding::run(c, s),
        Command::Hotfix(c) => hotfix::run(c, s),
        Command::Sla(a) => sla::run(&a, s),
        Command::Notes(a) => notes::run(&a, s),
        Command::Changelog(a) => changelog::run(&a, s),
        Command::Announce(a) => announce::run(&a, s),
        Command::Agenda(a) => agenda::run(&a, s),
        Command::Import(c) => import::run(c, s),
    }
}
