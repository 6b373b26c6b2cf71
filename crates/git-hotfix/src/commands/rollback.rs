use clap::Args;
use git_hotfix_core::foundation::names;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::lifecycle::finish as lifecycle;
use git_hotfix_core::operations::remote;
use git_hotfix_core::operations::revert;
use git_hotfix_core::records::journal::PRODUCTION;
use git_hotfix_core::records::run::FinishOptions;
use git_hotfix_core::views::{deployed, incident};
use git_hotfix_plugin_host::World;

use crate::args::{StepArgs, environment_name};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::ui::{EMPHASIS, paint};
use crate::workflow::deploy::{Request, perform};

/// Roll back: redeploy the release before with the deploy policy's rollback steps, turn a
/// feature flag off (`--flag`), or (`--revert`) release a revert of the hotfix
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The release to go back to (default: the one that ran there before the one running
    /// now, as the journals and notes record deploys and rollbacks; else the one the hotfix
    /// branched from)
    #[arg(long, value_name = "TAG")]
    pub to: Option<String>,
    /// Where (default: production)
    #[arg(long, value_parser = environment_name, default_value = PRODUCTION)]
    pub environment: String,
    /// Instead: revert the fix on a hotfix of its own (`<ticket>-rollback`) and finish it
    /// like any hotfix: the next version, its changelog entry, a tag, the merges
    #[arg(long, conflicts_with = "to")]
    pub revert: bool,
    /// Instead: turn this feature flag off with the deploy policy's `rollback-flag` steps;
    /// the release keeps running, and the incident is open again as after any rollback
    #[arg(long, value_name = "NAME", conflicts_with_all = ["to", "revert"])]
    pub flag: Option<String>,
    /// With `--revert`: push the release, as `finish --push`
    #[arg(long, requires = "revert")]
    pub push: bool,
    /// With `--revert`: open a pull request for it, as `finish --pr`
    #[arg(long, requires = "revert", conflicts_with = "push")]
    pub pr: bool,
    #[command(flatten)]
    pub steps: StepArgs,
}

pub fn cmd_rollback(context: &Context, args: RollbackArgs) -> Result<Exit> {
    if args.revert {
        return revert(context, &args);
    }
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    if let Err(err) = remote::refresh_deploy_records(&repo, &config, args.steps.plan) {
        crate::render::remote::records_not_refreshed(context, &config.remote, &err);
    }
    let journal = incident::select_running(
        &repo,
        args.steps.hotfix.as_deref(),
        &args.environment,
        args.to.is_some(),
    )?;
    let mut release = policies::release(&config, &journal, &args.environment)?;
    if let Some(flag) = &args.flag {
        let flag = names::feature_flag(flag)?;
        // The release that runs there keeps running: only the flag goes.
        let running = deployed::rollback_target(&repo, &config, &journal, &args.environment, None)?;
        release.version = running.from;
        release.previous_version = None;
        let stays = match running.recorded {
            true => format!(" ({} keeps running)", release.version),
            false => String::new(),
        };
        context.ui.status(
            "Rollback",
            format!(
                "{}: {} by turning feature flag `{flag}` off{stays}",
                journal.ticket, args.environment
            ),
        );
        let request = Request::rollback(release, running.recorded, Some(flag));
        return perform(context, &repo, &config, journal, request, &args.steps);
    }
    if args.to.is_none() && !repo.tag_exists(&journal.tag)? {
        return Err(CommandError::new(
            Exit::Error,
            format!(
                "{} was never released ({} is not tagged): {} does not run it, so there is nothing of it to roll back",
                journal.ticket, journal.tag, args.environment
            ),
        )
        .hint(format!(
            "to put {} back on another release anyway, name it: `git hotfix rollback --to <tag>`",
            args.environment
        )));
    }
    let named = match &args.to {
        Some(tag) => {
            if !repo.tag_exists(tag)? {
                return Err(CommandError::usage(format!(
                    "there is no tag `{tag}` to roll back to"
                ))
                .hint("`git tag --list` shows the releases"));
            }
            let version = policies::release_version(&config, &journal, tag)?.ok_or_else(|| {
                CommandError::usage(format!("`{tag}` is not a release tag"))
                    .hint("name a tag that follows the tag pattern, e.g. `v1.2.3`")
            })?;
            Some(Version::parse_arg(&version)?)
        }
        None => None,
    };
    // What runs there now and what ran before it, as every hotfix's journal and note
    // record: a colleague's newer release, or a rollback done already, moves both.
    let target =
        deployed::rollback_target(&repo, &config, &journal, &args.environment, named.as_ref())?;
    release.version = target.from.clone();
    release.previous_version = target.to.clone();
    let Some(to) = &target.to else {
        return Err(CommandError::usage(format!(
            "no release is recorded on {} before {}, and {} did not branch from a release tag: say which release to go back to",
            args.environment, release.version, journal.ticket
        ))
        .hint("`git hotfix rollback --to v1.2.3`"));
    };
    let why = match &target.why {
        deployed::Why::Named => "as asked".to_string(),
        deployed::Why::RanBefore { by, at } => format!(
            "it ran there before, put there by {by} at {}",
            at.strftime("%Y-%m-%d %H:%M UTC")
        ),
        deployed::Why::BuiltOn if !target.recorded => format!(
            "it is the release {} was built on, not recorded as having run there either",
            target.from
        ),
        deployed::Why::BuiltOn => format!(
            "no deploy before {} is recorded: it is the release {} was built on, not recorded as having run there",
            target.from, target.from
        ),
        deployed::Why::Base => format!(
            "nothing is recorded as running there, and {} branched from it",
            journal.ticket
        ),
        deployed::Why::Unknown => String::new(),
    };
    // With no deploy recorded, what runs there is not known: said as a guess, not a fact.
    let from = match target.recorded {
        true => format!("from {}", target.from),
        false => format!(
            "(no deploy to it is recorded: taken to run {}, the release of {})",
            target.from, journal.ticket
        ),
    };
    context.ui.status(
        "Rollback",
        format!(
            "{}: {} {from} to {to} ({why})",
            journal.ticket, args.environment
        ),
    );
    let request = Request::rollback(release, target.recorded, None);
    perform(context, &repo, &config, journal, request, &args.steps)
}

/// Revert the hotfix on a hotfix of its own, then finish that through `finish` itself.
fn revert(context: &Context, args: &RollbackArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let journal = incident::select(&repo, args.steps.hotfix.as_deref())?;
    let mem = repo.in_memory();
    let plan = revert::plan(&repo, &mem, &config, &journal)?;
    let what = format!(
        "{} commit{} of {} on {}",
        plan.reverted.len(),
        if plan.reverted.len() == 1 { "" } else { "s" },
        journal.ticket,
        journal.tag
    );
    if args.steps.plan {
        if ui.json_mode() {
            ui.json(&crate::document::Planned::new(&plan));
        } else {
            ui.out(format!(
                "Would take {} back:",
                paint(EMPHASIS, &journal.ticket)
            ));
            ui.out(format!(
                "  - revert {what} ({}, \"{}\")",
                short(plan.commit),
                plan.message.lines().next().unwrap_or_default()
            ));
            ui.out(format!(
                "  - as hotfix {} on {}, releasing {} as tag {}",
                plan.start.ticket, plan.start.branch, plan.start.version, plan.start.tag
            ));
            ui.out(format!(
                "  - then `git hotfix finish{}`",
                if args.push {
                    " --push"
                } else if args.pr {
                    " --pr"
                } else {
                    ""
                }
            ));
        }
        return Ok(Exit::Ok);
    }
    let options = FinishOptions {
        push: args.push,
        merge: config.merge,
        push_notes: config.push_notes,
        // A revert puts back the settings production had before the fix, and a 3 a.m.
        // rollback is not held for them.
        accept_settings: true,
        ..Default::default()
    };
    // `[github] pr` and `[github] release` apply as they do to any finish.
    let pr = args.pr || (config.github.pr && !args.push);
    let policy = policies::Loaded::for_world(context, &repo, &config, World::VersionFiles)?;
    let version_files = policy.version_files();
    let github = crate::forge::Access::new(context, &repo, &config);
    let release = !pr && config.github.release && args.push;
    // The token must work before anything is written.
    lifecycle::releasing(&github, release)?;
    let started = revert::execute(&repo, mem, &plan, options, pr, context.now)?;
    ui.status(
        "Reverted",
        format!(
            "{what} on {} ({})",
            paint(EMPHASIS, &started.branch),
            short(plan.commit)
        ),
    );
    let finished = lifecycle::rollback_goes_on(
        &repo,
        &config,
        started,
        &version_files,
        &github,
        release,
        context.now,
    )?;
    crate::render::finish::finished(context, &repo, &finished, &github)
}

impl crate::document::Document for crate::document::Planned<'_, revert::RevertPlan> {
    const NAME: &'static str = "rollback-plan";
}
