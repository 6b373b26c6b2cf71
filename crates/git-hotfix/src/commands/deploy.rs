//! `deploy` and `verify` (and `rollback`'s steps): the deploy policy's steps for the
//! hotfix's release, run one by one, each step's start, end and result kept in the journal.

use clap::Args;
use git_hotfix_core::Journal;
use git_hotfix_core::records::journal::{Action, EventKind, Item, PRODUCTION, STAGING};
use git_hotfix_core::views::{deployed, incident};

use crate::args::{StepArgs, environment_name};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::workflow::deploy::{Request, perform};

/// Deploy the hotfix's release with the deploy policy's steps
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// `staging` or `production` (default: staging; production once staging is verified,
    /// or when the severity lets staging be skipped)
    #[arg(value_parser = environment_name)]
    pub environment: Option<String>,
    /// Deploy to production even though staging is not verified
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub steps: StepArgs,
}

/// Verify an environment with the deploy policy's checks (smoke tests, health URL)
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `staging` or `production` (default: where the release was deployed last)
    #[arg(value_parser = environment_name)]
    pub environment: Option<String>,
    #[command(flatten)]
    pub steps: StepArgs,
}

pub fn cmd_deploy(context: &Context, args: DeployArgs) -> Result<Exit> {
    let repo = context.repo()?;
    let journal = incident::select(&repo, args.steps.hotfix.as_deref())?;
    if !repo.tag_exists(&journal.tag)? {
        return Err(CommandError::new(
            Exit::Error,
            format!(
                "nothing to deploy: {} of {} is not tagged yet",
                journal.tag, journal.ticket
            ),
        )
        .hint("finish the hotfix first: `git hotfix finish`"));
    }
    let config = context.config(&repo)?;
    // What runs is known to the team through the pushed release's notes.
    if journal.release_pushed().is_none() && repo.has_remote(&config.remote) {
        context.ui.warn(format!(
            "{} was never pushed: other clones will not know what this deploy puts there, nor take it back (`git hotfix finish --push --hotfix {}` publishes it)",
            journal.tag, journal.ticket
        ));
    }
    let staging_verified = incident::deploy_done(&journal, Item::StagingVerified).is_some();
    let may_skip = journal
        .assessment
        .as_ref()
        .is_some_and(|a| a.skip_staging_allowed);
    // A team without a staging environment (`staging = false`) goes to production, and
    // nothing holds it there.
    if !config.staging && args.environment.as_deref() == Some(STAGING) {
        return Err(CommandError::usage(
            "there is no staging environment here (`staging = false` in settings)",
        )
        .hint("deploy to production: `git hotfix deploy production`"));
    }
    let staging_verified = staging_verified || !config.staging;
    let environment = args.environment.unwrap_or_else(|| {
        if staging_verified || may_skip {
            PRODUCTION.to_string()
        } else {
            STAGING.to_string()
        }
    });
    let mut forced = false;
    if environment == PRODUCTION && !staging_verified {
        let level = journal
            .assessment
            .as_ref()
            .map_or("an unassessed hotfix".to_string(), |a| {
                a.level().to_string()
            });
        if may_skip {
            context.ui.status(
                "Skipping",
                format!("staging: the severity policy lets {level} go straight to production"),
            );
        } else if args.force {
            forced = true;
            context
                .ui
                .warn("deploying to production before staging is verified (--force)");
        } else {
            return Err(CommandError::new(
                Exit::Policy,
                format!(
                    "production before a verified staging: the severity policy does not let {level} skip it"
                ),
            )
            .hint("deploy and verify staging first: `git hotfix deploy staging`, then `git hotfix verify staging`")
            .hint("or, if production cannot wait, `git hotfix deploy production --force` (the journal records it); a team with no staging environment sets `staging = false`"));
        }
    }
    // The steps and grants come from the production branch as it is now: a change since
    // what runs there is worth a word before it runs.
    if let Some((running, changed)) =
        deployed::deploy_policy_since_running(&repo, &config, &journal, &environment)?
    {
        let changed: Vec<String> = changed.iter().map(ToString::to_string).collect();
        context.ui.warn(format!(
            "the deploy policy changed since {running}, which {environment} runs now; this deploy runs under the new one: {}",
            changed.join("; ")
        ));
    }
    let release = policies::release(&config, &journal, &environment)?;
    perform(
        context,
        &repo,
        &config,
        journal,
        Request {
            action: Action::Deploy,
            release,
            forced,
            recorded: true,
            resume: None,
            flag: None,
        },
        &args.steps,
    )
}

pub fn cmd_verify(context: &Context, args: VerifyArgs) -> Result<Exit> {
    let repo = context.repo()?;
    let journal = incident::select(&repo, args.steps.hotfix.as_deref())?;
    let environment = match args.environment {
        Some(environment) => environment,
        None => last_deployed(&journal).ok_or_else(|| {
            CommandError::usage(format!(
                "{} has not been deployed yet: say which environment to verify",
                journal.ticket
            ))
            .hint("`git hotfix verify staging` or `git hotfix verify production`")
        })?,
    };
    let config = context.config(&repo)?;
    let release = policies::release(&config, &journal, &environment)?;
    perform(
        context,
        &repo,
        &config,
        journal,
        Request {
            action: Action::Verify,
            release,
            forced: false,
            recorded: true,
            resume: None,
            flag: None,
        },
        &args.steps,
    )
}

/// Where the release went last (deploy or rollback), for `verify`.
fn last_deployed(journal: &Journal) -> Option<String> {
    journal.events.iter().rev().find_map(|e| match &e.what {
        EventKind::DeployEnded {
            action: Action::Deploy | Action::Rollback,
            environment,
            ok: true,
            ..
        } => Some(environment.clone()),
        _ => None,
    })
}
