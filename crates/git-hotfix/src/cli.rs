//! The command line: global flags, the subcommands, and the mapping to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use git_hotfix_core::operations::stopped::Which;
use git_hotfix_core::{Config, Repo};
use jiff::Timestamp;

use crate::commands;
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
(continue/abort), 4 refused by a policy, 5 remote failure."
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
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE", global = true, value_parser = key_value)]
    pub config: Vec<(String, String)>,
    /// Run as if started in this directory
    #[arg(short = 'C', value_name = "PATH", global = true)]
    pub directory: Option<PathBuf>,
}

/// `--plan` (alias `--dry-run`) for commands that write.
#[derive(Debug, Default, Args)]
pub struct PlanArg {
    /// Show what would happen and write nothing
    #[arg(long, visible_alias = "dry-run")]
    pub plan: bool,
}

/// Which stopped run `continue`, `skip` and `abort` act on.
#[derive(Debug, Args)]
pub struct RunArg {
    /// The stopped finish of this hotfix (default: the only run stopped)
    #[arg(long, value_name = "TICKET", conflicts_with_all = ["backport", "patches"])]
    pub hotfix: Option<String>,
    /// The stopped backport
    #[arg(long, conflicts_with = "patches")]
    pub backport: bool,
    /// The stopped `patch apply`
    #[arg(long)]
    pub patches: bool,
}

impl RunArg {
    pub fn which(&self) -> Which<'_> {
        match &self.hotfix {
            Some(ticket) => Which::Finish(ticket),
            None if self.backport => Which::Backport,
            None if self.patches => Which::Patches,
            None => Which::Only,
        }
    }
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

pub fn key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((key.trim().to_string(), value.to_string()))
}

/// What every command gets: the terminal, where it runs, the overrides, and the time.
pub struct Context {
    pub ui: Ui,
    pub cwd: PathBuf,
    pub overrides: Vec<(String, String)>,
    /// `--verbose`: list what a line sums up.
    pub verbose: bool,
    pub now: Timestamp,
    /// Where compiled plugins are cached: `$XDG_CACHE_HOME`, else `~/.cache`.
    pub cache_home: Option<PathBuf>,
    /// Whether the settings file here was compared with the committed one (once a run).
    pub settings_checked: std::sync::atomic::AtomicBool,
}

impl Context {
    pub fn repo(&self) -> Result<Repo> {
        Ok(Repo::discover(&self.cwd)?)
    }

    pub fn config(&self, repo: &Repo) -> Result<Config> {
        let config = Config::load(repo, &self.overrides)?;
        if !self
            .settings_checked
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.warn_uncommitted_settings(repo, &config);
        }
        Ok(config)
    }

    /// The settings come from the file committed on the production branch: an edit of it
    /// here that is not committed does not apply, and should not be ignored without a word.
    fn warn_uncommitted_settings(&self, repo: &Repo, config: &Config) {
        use git_hotfix_core::git::repo::Head;
        use git_hotfix_core::settings::config::FILE_NAME;
        let Some(root) = repo.workdir() else { return };
        let Ok(here) = std::fs::read(root.join(FILE_NAME)) else {
            return;
        };
        let committed = match repo.head() {
            Ok(Head::Branch { commit, .. } | Head::Detached { commit }) => {
                repo.read_file_at(commit, FILE_NAME).ok().flatten()
            }
            _ => None,
        };
        if committed.as_deref() == Some(here.as_slice()) {
            return;
        }
        let applies = match &config.file {
            Some(origin) => format!("the one committed on {} applies", origin.branch),
            None => format!(
                "none is committed on {}, so none applies",
                config.production_branch
            ),
        };
        self.ui.warn(format!(
            "{FILE_NAME} has changes that are not committed: {applies} (commit it on {} for them to take effect; `-c <key>=<value>` sets one for a command)",
            config.production_branch
        ));
    }

    /// The same context with one more `-c key=value`, for a command that knows a setting
    /// better than the repository does (the action: the event's GitHub repository).
    pub fn with_override(&self, key: &str, value: &str) -> Context {
        let mut overrides = self.overrides.clone();
        overrides.push((key.to_string(), value.to_string()));
        Context {
            ui: self.ui.clone(),
            cwd: self.cwd.clone(),
            overrides,
            verbose: self.verbose,
            now: self.now,
            cache_home: self.cache_home.clone(),
            settings_checked: std::sync::atomic::AtomicBool::new(
                self.settings_checked
                    .load(std::sync::atomic::Ordering::Relaxed),
            ),
        }
    }

    /// `path` as given on the command line, made absolute from `cwd` with `.` and `..`
    /// taken out (`main-wt/../client-wt` is `client-wt`), so that it is shown, stored and
    /// compared as git shows worktrees. Symbolic links are left as they are.
    pub fn absolute(&self, path: impl AsRef<std::path::Path>) -> PathBuf {
        git_hotfix_core::git::worktree::absolute(&self.cwd, path.as_ref())
    }

    /// A path the core was given joined to `cwd`, shown relative to it as people wrote it.
    pub fn shown(&self, path: &str) -> String {
        std::path::Path::new(path)
            .strip_prefix(&self.cwd)
            .map_or_else(|_| path.to_string(), |p| p.display().to_string())
    }
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            if err.use_stderr() && json_asked() {
                Ui::new(true, false).json(&usage_error(&err).to_json());
            }
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Ok.into()
            };
        }
    };
    // The crash tests stop a run dead at a step boundary (debug builds only).
    if let Some(spec) = std::env::var_os("GIT_HOTFIX_FAILPOINT") {
        git_hotfix_core::engine::failpoint::arm(&spec.to_string_lossy());
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
        now: Timestamp::now(),
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
        Command::Completions(args) => commands::completions::cmd_completions(context, args),
        Command::Man(args) => commands::man::cmd_man(context, args),
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
        ui.json(&err.to_json());
    }
    ui.error(&err.message, &err.hints);
    err.exit.into()
}
