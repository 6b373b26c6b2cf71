//! `git hotfix action`: the entry point of the GitHub action. It reads the event GitHub
//! Actions ran the workflow for and does what it asks: a merged pull request labelled
//! `backport <line>`, or a `/backport <line>…` comment on one from someone who may push, is
//! backported to each line with a pull request; the result is one comment on the pull
//! request (updated in place on a rerun), the job summary, step outputs and annotations.

mod release;
mod runner;

use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::foundation::error::Waiting;
use git_hotfix_core::git::repo::glob_matches;
use git_hotfix_core::lifecycle::bot::answer::{self, Row, Status};
use git_hotfix_core::lifecycle::bot::ask::{self, Ask, Commented, Idle, Reaction};
use git_hotfix_core::lifecycle::bot::branch_like;
use git_hotfix_core::operations::backport::{BackportOutcome, OnConflict};
use git_hotfix_core::{Config, Repo};
use git_hotfix_github::{Event, PullEvent};
use runner::{Level, Runner};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::{Forge, forge_error};
use crate::workflow::backport::{self, Asked};
use git_hotfix_core::operations::remote::{self, Reach};

/// How a line conflicting is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConflictAnswer {
    /// A draft pull request with the conflict markers committed, labelled `conflicts`
    Draft,
    /// Only a row in the comment, with the command that finishes it on a developer's machine
    Comment,
}

/// Do what a GitHub Actions event asks: backport a merged pull request to the lines its
/// labels or a `/backport <line>…` comment name, with a pull request each
#[derive(Debug, Args)]
pub struct ActionArgs {
    /// The event the workflow runs for: `pull_request`, `pull_request_target` or
    /// `issue_comment`
    #[arg(long, env = "GITHUB_EVENT_NAME", value_name = "NAME")]
    pub event: String,
    /// The event's payload, as GitHub wrote it
    #[arg(long, env = "GITHUB_EVENT_PATH", value_name = "FILE")]
    pub payload: PathBuf,
    /// What a line that conflicts gets
    #[arg(long, value_enum, value_name = "ANSWER", default_value = "draft")]
    pub on_conflict: ConflictAnswer,
    /// When a hotfix's pull request merged: tag it, but publish no GitHub release
    #[arg(long)]
    pub no_release: bool,
    /// A line (or glob) every merged pull request is backported to, besides those its
    /// labels name: for teams that do not label (repeatable)
    #[arg(long = "to", value_name = "BRANCH|GLOB")]
    pub to: Vec<String>,
    /// Say what the event would do (the lines, the picks, the pull requests, the comment)
    /// and write nothing: no push, no request that changes GitHub, no step outputs. For
    /// debugging a workflow with a payload saved from a run
    #[arg(long)]
    pub plan: bool,
}

pub fn cmd_action(context: &Context, args: ActionArgs) -> Result<Exit> {
    let runner = match args.plan {
        true => Runner::silent(),
        false => Runner::from_env(context.ui.json_mode()),
    };
    respond(context, &args, &runner)
        .map_err(on_the_runner)
        .inspect_err(|err| {
            let mut message = err.message.clone();
            for hint in &err.hints {
                message.push_str(&format!("\n{hint}"));
            }
            runner.annotate(Level::Error, "git-hotfix", &message);
            // The step failed: the files say so too, as far as they can be written.
            let _ = runner.summary(&format!("### git-hotfix failed\n\n{}\n", message));
            let _ = runner.outputs(&[("success", "false".into())]);
        })
}

fn respond(context: &Context, args: &ActionArgs, runner: &Runner) -> Result<Exit> {
    let ui = &context.ui;
    let text = std::fs::read(&args.payload).map_err(|err| {
        CommandError::new(
            Exit::Error,
            format!(
                "cannot read the event's payload {}: {err}",
                args.payload.display()
            ),
        )
        .hint("this runs in a GitHub Actions workflow (GITHUB_EVENT_PATH), or with `--event <name> --payload <file>`")
    })?;
    let payload: serde_json::Value = serde_json::from_slice(&text).map_err(|err| {
        CommandError::new(
            Exit::Error,
            format!(
                "the event's payload {} is not JSON: {err}",
                args.payload.display()
            ),
        )
    })?;
    let event = Event::parse(&args.event, &payload)
        .map_err(|err| CommandError::new(Exit::Error, err.to_string()))?;
    let Some(repository) = event.repository() else {
        let idle = Idle::Ignored {
            event: args.event.clone(),
        };
        return nothing(context, runner, &idle);
    };
    // The repository the event is about is the one GitHub is asked about.
    if let Ok(running) = std::env::var("GITHUB_REPOSITORY")
        && !running.is_empty()
        && running != repository.to_string()
    {
        return Err(CommandError::new(
            Exit::Error,
            format!("the event is about {repository}, but the workflow runs in {running}"),
        ));
    }
    let context = context.with_override("github.repository", &repository.to_string());
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let ask = match &event {
        Event::Pull {
            action,
            pull,
            label,
            ..
        } => ask::by_pull(
            &config,
            &args.to,
            &repository.to_string(),
            action,
            &bot_pull(pull),
            label.as_deref(),
        ),
        Event::Comment {
            action,
            number,
            on_pull,
            comment,
            body,
            author,
            ..
        } => match ask::comment_lines(action, *on_pull, body) {
            Err(idle) => Ask::Nothing(idle),
            Ok(targets) => {
                let forge = Forge::connect(&context, &repo, &config, false)?;
                let github = OnComment {
                    forge: &forge,
                    context: &context,
                    plan: args.plan,
                };
                let comment = ask::Comment {
                    number: *number,
                    id: *comment,
                    author: author.clone(),
                    targets,
                };
                ask::by_comment(&github, comment)?
            }
        },
        Event::Other { name } => Ask::Nothing(Idle::Ignored {
            event: name.clone(),
        }),
    };
    match ask {
        Ask::Nothing(idle) => nothing(&context, runner, &idle),
        Ask::Refused(refusal) if args.plan => {
            context.ui.status("Would refuse", refusal.to_string());
            Ok(Exit::Ok)
        }
        Ask::Refused(refusal) => {
            let (title, why) = (refusal.title(), refusal.to_string());
            context.ui.warn(&why);
            runner.annotate(Level::Warning, &title, &why);
            runner
                .summary(&format!("### {title}\n\n{}\n", answer::cell(&why)))
                .map_err(runner_error)?;
            write_outputs(runner, &[])?;
            Ok(Exit::Ok)
        }
        Ask::Backport { number, targets } => {
            ui.status(
                "Asked",
                format!("backport #{number} to {}", targets.join(", ")),
            );
            run_backport(&context, &repo, &config, runner, args, number, targets)
        }
        Ask::Release { release, targets } => {
            let Event::Pull { pull, .. } = &event else {
                unreachable!("a release is asked by a pull request");
            };
            let released =
                release
                    .map_err(CommandError::from)
                    .and_then(|journal| match args.plan {
                        true => release::plan(&context, &repo, &config, args, pull, &journal),
                        false => {
                            release::run(&context, &repo, &config, runner, args, pull, *journal)
                        }
                    });
            if targets.is_empty() {
                return released;
            }
            // The lines do not wait for the release: they are asked for on their own.
            if let Err(err) = &released {
                ui.warn(format!(
                    "the hotfix was not released ({}); the labels' lines are backported all the same",
                    err.message
                ));
            }
            ui.status(
                "Asked",
                format!("backport #{} to {}", pull.number, targets.join(", ")),
            );
            let backported =
                run_backport(&context, &repo, &config, runner, args, pull.number, targets);
            match (released, backported) {
                (Ok(Exit::Ok), backported) => backported,
                (Ok(exit), backported) => backported.map(|_| exit),
                (Err(err), Ok(_)) => Err(err),
                (Err(err), Err(other)) => {
                    ui.warn(format!("the backport failed too: {}", other.message));
                    Err(err)
                }
            }
        }
    }
}

/// A run left waiting in this checkout is no way on for the bot: the runner throws the
/// checkout away, and `git hotfix continue` would mean nothing there. A rerun of the job
/// goes on from what the remote and GitHub have (it finds the branches and pull requests,
/// and opens nothing twice).
fn on_the_runner(mut err: CommandError) -> CommandError {
    let Some(waiting) = err.waiting else {
        return err;
    };
    err.hints = vec![match waiting {
        Waiting::BackportPush => "nothing was pushed; if another run of this workflow pushed the same branches first (a `concurrency:` group per pull request keeps such runs apart), re-run this job: it goes on from what that run pushed and opened".into(),
        Waiting::BackportPulls => "the pull requests opened so far are kept; re-run this job: it opens the ones left, none twice".into(),
        _ => "re-run this job: it goes on from what the remote and GitHub have, doing nothing twice".into(),
    }];
    err
}

fn nothing(context: &Context, runner: &Runner, why: &Idle) -> Result<Exit> {
    context.ui.status("Nothing", format!("to do: {why}"));
    write_outputs(runner, &[])?;
    Ok(Exit::Ok)
}

/// The event's pull request, in the core's terms.
fn bot_pull(pull: &PullEvent) -> ask::Pull {
    ask::Pull {
        number: pull.number,
        merged: pull.merged,
        base: pull.base.clone(),
        head: pull.head.clone(),
        head_repository: pull.head_repository.clone(),
        body: pull.body.clone(),
        labels: pull.labels.clone(),
    }
}

/// GitHub, as a `/backport` comment's answer asks it; a plan only says how it would react.
struct OnComment<'a> {
    forge: &'a Forge,
    context: &'a Context,
    plan: bool,
}

impl Commented for OnComment<'_> {
    fn repository(&self) -> String {
        self.forge.github.repository().to_string()
    }

    fn permission(&self, login: &str) -> git_hotfix_core::Result<(String, bool)> {
        let permission = self
            .forge
            .run(self.forge.github.permission(login))
            .map_err(forge_error)?;
        Ok((permission.to_string(), permission.can_write()))
    }

    fn merged(&self, number: u64) -> git_hotfix_core::Result<bool> {
        let pull = self
            .forge
            .run(self.forge.github.pull(number))
            .map_err(forge_error)?;
        Ok(pull.is_some_and(|p| p.merged))
    }

    fn react(&self, comment: u64, reaction: Reaction) -> git_hotfix_core::Result<()> {
        let content = reaction.content();
        if self.plan {
            let said = format!("{content} to the comment");
            self.context.ui.status("Would react", said);
            return Ok(());
        }
        self.forge
            .run(self.forge.github.react(comment, content))
            .map_err(forge_error)
    }
}

fn run_backport(
    context: &Context,
    repo: &Repo,
    config: &Config,
    runner: &Runner,
    args: &ActionArgs,
    number: u64,
    targets: Vec<String>,
) -> Result<Exit> {
    let remote = &config.remote;
    // Even a plan reads the remote's lines: a CI checkout has none.
    let reach = Reach {
        offline: false,
        plan: false,
    };
    // A label or a comment may name a line that is not there, or text that is no branch
    // name: a row of the answer each, while the other lines go on.
    let (names, unusable): (Vec<String>, Vec<String>) =
        targets.iter().cloned().partition(|t| branch_like(t));
    let lines = remote::lines_matching(repo, config, &names, reach)?;
    let mut missing: Vec<Row> = names
        .iter()
        .filter(|t| !lines.iter().any(|l| glob_matches(t, l)))
        .map(|t| Row::missing(t, remote))
        .collect();
    missing.extend(unusable.iter().map(|t| {
        let mut row = Row::missing(&t.replace(['`', '|'], ""), remote);
        row.reason = Some("not a branch name".into());
        row
    }));
    if args.plan {
        for row in &missing {
            let why = row.reason.as_deref().unwrap_or_default();
            context.ui.out(format!("Would skip {}: {why}", row.line));
        }
    }
    let outcome = match lines.is_empty() {
        true => None,
        false => {
            let asked = Asked {
                pull: Some(number),
                to: lines,
                on_conflict: Some(match args.on_conflict {
                    ConflictAnswer::Draft => OnConflict::Commit,
                    ConflictAnswer::Comment => OnConflict::Skip,
                }),
                pr: true,
                plan: args.plan,
                plan_fetches: true,
                ..Asked::default()
            };
            backport::execute(context, repo, config, asked)?
        }
    };
    if args.plan {
        context.ui.out(format!(
            "Then: one comment on #{number} with a row per line (edited if there is one)"
        ));
        return Ok(Exit::Ok);
    }
    let mut exit = match &outcome {
        Some(outcome) => crate::render::backport::report(context, outcome)?,
        None => Exit::Ok,
    };
    let mut rows = match &outcome {
        Some(BackportOutcome::Done { run }) => answer::rows(run, missing),
        // Neither stops nor refuses: the run was asked to commit or skip conflicts.
        Some(_) | None => missing,
    };
    // In the order people asked for the lines (a glob's lines where the glob was).
    rows.sort_by_key(|row| {
        targets
            .iter()
            .position(|t| *t == row.line || glob_matches(t, &row.line))
            .unwrap_or(usize::MAX)
    });
    if exit == Exit::Ok && !rows.iter().all(Row::done) {
        exit = Exit::Error;
    }

    let run_url = run_url();
    let text = answer::markdown(number, &rows, remote, run_url.as_deref());
    runner.summary(&text).map_err(runner_error)?;
    for row in &rows {
        match row.status {
            Status::Conflict => runner.annotate(
                Level::Warning,
                &format!("Backport to {} conflicts", row.line),
                &match row.pull {
                    Some(pull) => format!(
                        "conflict in {}: draft #{pull} has the markers committed",
                        row.conflicts.join(", ")
                    ),
                    None => format!(
                        "conflict in {}: `{}` finishes it",
                        row.conflicts.join(", "),
                        answer::command(number, &row.line)
                    ),
                },
            ),
            Status::Missing | Status::Skipped => runner.annotate(
                Level::Error,
                &format!("No backport to {}", row.line),
                row.reason.as_deref().unwrap_or("skipped"),
            ),
            Status::Proposed | Status::HasIt => {}
        }
    }
    // What the run did is in the outputs before the comment is tried: a token that may not
    // comment must not hide the pull requests that were opened.
    write_outputs(runner, &rows)?;
    let forge = Forge::connect(context, repo, config, false)?;
    // The comment is every line ever asked for on the pull request: what this run did,
    // merged into what the comment said.
    let posted = forge.run(forge.github.ensure_comment(number, answer::MARKER, |said| {
        let earlier = said.map(answer::remembered).unwrap_or_default();
        answer::markdown(
            number,
            &answer::merged(earlier, &rows),
            remote,
            run_url.as_deref(),
        )
    }))?;
    if let Some(comment) = &posted.comment {
        let verb = match (posted.created, posted.updated) {
            (true, _) => "Commented",
            (false, true) => "Updated",
            (false, false) => "Unchanged",
        };
        context
            .ui
            .status(verb, format!("on #{number}: {}", comment.url));
    }
    Ok(exit)
}

/// The run's page, when the runner says where it is.
pub(super) fn run_url() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(format!(
        "{}/{}/actions/runs/{}",
        var("GITHUB_SERVER_URL")?,
        var("GITHUB_REPOSITORY")?,
        var("GITHUB_RUN_ID")?
    ))
}

fn write_outputs(runner: &Runner, rows: &[Row]) -> Result<()> {
    let created: Vec<String> = rows
        .iter()
        .filter(|r| r.created)
        .filter_map(|r| r.pull.map(|p| p.to_string()))
        .collect();
    runner
        .outputs(&[
            ("success", rows.iter().all(Row::done).to_string()),
            (
                "pull-requests",
                serde_json::to_string(rows).expect("rows serialize"),
            ),
            ("created-pull-requests", created.join(" ")),
        ])
        .map_err(runner_error)
}

pub(super) fn runner_error(err: std::io::Error) -> CommandError {
    CommandError::new(
        Exit::Internal,
        "could not write the step's outputs or summary for the runner",
    )
    .caused_by(&err)
}
