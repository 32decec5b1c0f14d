//! The command line: clap definitions, one file per command, and the settings
//! resolved once per run. Commands are glue: load the workspace, call one pure
//! function, hand the result to `output`.

pub mod agenda;
pub mod announce;
pub mod board;
pub mod calendar;
pub mod changelog;
pub mod completions;
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
mod request_prompt;
pub mod score;
mod settings;
pub mod sla;
pub mod training;
pub mod validate;

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use crate::output::{Format, Shell};
pub use settings::Settings;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  invalid input or a failed operation (nothing was written)
  2  usage error
  3  a gate or check that does not pass

Environment:
  ZYKLUS_WORKSPACE  the workspace directory (like -C)
  ZYKLUS_NOW        the current time as RFC 3339, for reproducible runs
  ZYKLUS_USER       who acts, recorded in release histories (default:
                    $GIT_AUTHOR_NAME, $USER, then git's user.name)
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
    /// The release board: a static HTML site of a year's releases (timeline, gates, scope, findings)
    #[command(long_about = board::LONG_ABOUT, after_help = board::AFTER_HELP)]
    Board(board::Args),
    /// Create and update requests from a Jira CSV export or GitHub/GitLab issues JSON
    #[command(subcommand)]
    Import(import::Command),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::CompletionsArgs),
    /// Write a man page for every command into a directory
    Man(completions::ManArgs),
}

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// A gate or check did not pass: exit 3.
    Unmet,
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
            Shell::plain().error(&e);
            return crate::error::exit_code(&e);
        }
    };
    match dispatch(cli.command, &settings) {
        Ok(Outcome::Success) => crate::error::exit::OK,
        Ok(Outcome::Unmet) => crate::error::exit::UNMET,
        Err(e) if crate::error::is_broken_pipe(&e) => crate::error::exit::OK,
        Err(e) => {
            settings.shell.error(&e);
            crate::error::exit_code(&e)
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
        Command::Board(a) => board::run(&a, s),
        Command::Import(c) => import::run(c, s),
        Command::Completions(a) => completions::completions(&a, s),
        Command::Man(a) => completions::man(&a, s),
    }
}
