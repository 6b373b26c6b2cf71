//! The command line: global flags, the subcommands, and the mapping to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};
use git_hotfix_core::foundation::clock;
use jiff::Timestamp;

use crate::commands;
use crate::context::Context;
use crate::document::{ErrorBody, Failure};
use crate::error::{CommandError, Exit, Result};
use crate::ui::Ui;

/// Emergency releases as a git subcommand: branch from production, fix, tag, merge, push
#[derive(Debug, Parser)]
#[command(
    name = "git-hotfix",
    bin_name = "git hotfix",
    version,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 done, 1 error, 2 usage, 3 stopped on a conflict \
(continue/abort), 4 refused by a policy, 5 remote failure, 6 internal (git or the filesystem \
failed)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only warnings and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print the details a line sums up (each tag left out, …)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Override a setting for this command (`-c production-branch=trunk`)
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE", global = true, value_parser = crate::args::key_value)]
    pub config: Vec<(String, String)>,
    /// Run as if started in this directory
    #[arg(short = 'C', value_name = "PATH", global = true)]
    pub directory: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Start(commands::start::StartArgs),
    Assess(commands::assess::AssessArgs),
    Status(commands::status::StatusArgs),
    Check(commands::check::CheckArgs),
    Finish(commands::finish::FinishArgs),
    Tag(commands::tag::TagArgs),
    Deploy(commands::deploy::DeployArgs),
    Verify(commands::deploy::VerifyArgs),
    Rollback(commands::rollback::RollbackArgs),
    Log(commands::log::LogArgs),
    Report(commands::report::ReportArgs),
    Backport(commands::backport::BackportArgs),
    Action(commands::action::ActionArgs),
    Continue(commands::resume::ContinueArgs),
    Skip(commands::skip::SkipArgs),
    Abort(commands::abort::AbortArgs),
    Abandon(commands::abandon::AbandonArgs),
    Plugin(commands::plugin::PluginArgs),
    Patch(commands::patch::PatchArgs),
    Init(commands::init::InitArgs),
    Demo(commands::demo::DemoArgs),
    Completions(commands::completions::CompletionsArgs),
    Man(commands::man::ManArgs),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            if err.use_stderr() && json_asked() {
                Ui::new(true, false).json(&Failure {
                    error: ErrorBody::of(&usage_error(&err)),
                });
            }
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Ok.into()
            };
        }
    };
    // The crash tests stop a run dead at a step boundary, and the snapshot tests fix the
    // clock (debug builds only).
    if let Some(spec) = std::env::var_os("GIT_HOTFIX_FAILPOINT") {
        git_hotfix_core::engine::failpoint::arm(&spec.to_string_lossy());
    }
    if let Some(at) = std::env::var("GIT_HOTFIX_NOW")
        .ok()
        .and_then(|at| at.parse::<Timestamp>().ok())
    {
        clock::fix(at);
    }
    // The tokens of the environment are masked in all output from the start, whether or not
    // this command talks to GitHub (a deploy script may print its environment).
    for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Ok(token) = std::env::var(name) {
            git_hotfix_core::foundation::redact::register(&token);
        }
    }
    let ui = Ui::new(cli.global.json, cli.global.quiet);
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let cwd = match cli.global.directory {
        Some(dir) => git_hotfix_core::git::worktree::absolute(&here, &dir),
        None => here,
    };
    let context = Context {
        ui,
        cwd,
        overrides: cli.global.config,
        verbose: cli.global.verbose,
        now: clock::now(),
        cache_home: std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache"))),
        settings_checked: Default::default(),
    };
    match dispatch(&context, cli.command) {
        Ok(exit) => exit.into(),
        Err(err) => report(&context.ui, &err),
    }
}

fn dispatch(context: &Context, command: Command) -> Result<Exit> {
    match command {
        Command::Start(args) => commands::start::cmd_start(context, args),
        Command::Assess(args) => commands::assess::cmd_assess(context, args),
        Command::Status(args) => commands::status::cmd_status(context, args),
        Command::Check(args) => commands::check::cmd_check(context, args),
        Command::Finish(args) => commands::finish::cmd_finish(context, args),
        Command::Tag(args) => commands::tag::cmd_tag(context, args),
        Command::Deploy(args) => commands::deploy::cmd_deploy(context, args),
        Command::Verify(args) => commands::deploy::cmd_verify(context, args),
        Command::Rollback(args) => commands::rollback::cmd_rollback(context, args),
        Command::Log(args) => commands::log::cmd_log(context, args),
        Command::Report(args) => commands::report::cmd_report(context, args),
        Command::Backport(args) => commands::backport::cmd_backport(context, args),
        Command::Action(args) => commands::action::cmd_action(context, args),
        Command::Continue(args) => commands::resume::cmd_continue(context, args),
        Command::Skip(args) => commands::skip::cmd_skip(context, args),
        Command::Abort(args) => commands::abort::cmd_abort(context, args),
        Command::Abandon(args) => commands::abandon::cmd_abandon(context, args),
        Command::Plugin(args) => commands::plugin::cmd_plugin(context, args),
        Command::Patch(args) => commands::patch::cmd_patch(context, args),
        Command::Init(args) => commands::init::cmd_init(context, args),
        Command::Demo(args) => commands::demo::cmd_demo(context, args),
        Command::Completions(args) => {
            commands::completions::cmd_completions(context, args, Cli::command())
        }
        Command::Man(args) => commands::man::cmd_man(context, args, Cli::command()),
    }
}

/// Whether `--json` was asked for, when the arguments could not be parsed (before a `--`).
fn json_asked() -> bool {
    std::env::args()
        .skip(1)
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--json")
}

/// clap's refusal as a usage error: its first paragraph the message, the others (the
/// usage, the tip) hints, as `--json` shows every other error.
fn usage_error(err: &clap::Error) -> CommandError {
    let text = err.render().to_string();
    let mut paragraphs = text.split("\n\n").map(|p| {
        p.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let message = paragraphs.next().unwrap_or_default();
    let message = message.trim_start_matches("error: ").to_string();
    paragraphs
        .filter(|p| !p.is_empty())
        .fold(CommandError::usage(message), |err, hint| err.hint(hint))
}

fn report(ui: &Ui, err: &CommandError) -> ExitCode {
    if ui.json_mode() {
        ui.json(&Failure {
            error: ErrorBody::of(err),
        });
    }
    ui.failure(&err.message, &err.causes, &err.hints);
    err.exit.into()
}
