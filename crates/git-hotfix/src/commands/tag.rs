use clap::Args;
use git_hotfix_core::foundation::names;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::lifecycle::finish::{self as lifecycle, Finished, Later};
use git_hotfix_core::lifecycle::github::Connect;
use git_hotfix_core::operations::remote;
use git_hotfix_core::operations::{finish, tag};
use git_hotfix_core::records::journal::{ReleaseCommit, Released, Store};
use git_hotfix_plugin_host::World;

use crate::args::PlanArg;
use crate::context::Context;
use crate::error::{Exit, Result};
use crate::forge::Access;
use crate::policies::Loaded;
use crate::render::finish::{committed, release_edits, report_release};
use crate::ui::{EMPHASIS, paint};

/// Tag the hotfix tip on its own, for teams that merge through pull requests
#[derive(Debug, Args)]
pub struct TagArgs {
    /// The version to tag (default: the one chosen at start)
    #[arg(value_name = "X.Y.Z")]
    pub version: Option<String>,
    /// Allow a version below the newest release of its line (a release meant to go out older)
    #[arg(long, requires = "version")]
    pub allow_older_version: bool,
    /// The tag message (default: `Hotfix <version>: <description>`)
    #[arg(short, long, value_name = "MSG")]
    pub message: Option<String>,
    /// The hotfix to tag (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    /// Push the tag (refused when the remote has another tag of that name)
    #[arg(long)]
    pub push: bool,
    /// Publish a GitHub release for the tag once it is pushed (default: `[github] release`
    /// when pushing)
    #[arg(long, requires = "push")]
    pub release: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_tag(context: &Context, args: TagArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let mut journal = match finish::select(&repo, args.hotfix.as_deref()) {
        Ok(journal) => journal,
        // Finished without pushing: `--push` sends its tag now.
        Err(err) => {
            let finished = match (&args.hotfix, args.push && args.version.is_none()) {
                (Some(ticket), true) => Store::new(&repo).load_finished(&names::ticket(ticket)?)?,
                _ => None,
            };
            let Some(journal) = finished else {
                return Err(err.into());
            };
            let later = Later {
                push: true,
                tag_only: true,
                release: args.release || config.github.release,
                plan: args.plan.plan,
            };
            let plan = args.plan.plan;
            let github = Access::new(context, &repo, &config);
            let said =
                &mut |said: lifecycle::Said<'_>| crate::render::finish::said(context, said, plan);
            let already = lifecycle::finished_already(
                &repo,
                &config,
                journal,
                later,
                &github,
                context.now,
                said,
            )?;
            let finished = Finished::Already(Box::new(already));
            return crate::render::finish::finished(context, &repo, &finished, &github);
        }
    };
    let release = args.push && (args.release || config.github.release);
    let mem = repo.in_memory();
    if let Some(text) = &args.version {
        let version = tag::Choice::Exactly(Version::parse_arg(text)?);
        tag::reversion(
            &repo,
            &config,
            &mut journal,
            version,
            args.allow_older_version,
            context.now,
        )?;
    }
    // A version someone released on the remote, not fetched here, is not ours to tag.
    remote::ensure_tag_free(
        &repo,
        &config,
        &journal.tag,
        journal.version.next_patch().to_string(),
        remote::Reach {
            offline: false,
            plan: args.plan.plan,
        },
    )?;
    let policy = Loaded::for_world(context, &repo, &config, World::VersionFiles)?;
    let version_files = policy.version_files();
    let plan = tag::plan(
        &repo,
        &mem,
        &config,
        &journal,
        args.message.as_deref(),
        Some(&version_files),
    )?;
    let released = Released {
        tag: plan.tag.name.clone(),
        notes: plan
            .release
            .as_ref()
            .or(journal.proposal.as_ref().and_then(|p| p.release.as_ref()))
            .or(journal.prepared.as_ref().and_then(|p| p.release.as_ref()))
            .and_then(ReleaseCommit::notes),
    };
    let github = Access::new(context, &repo, &config);
    let forge = match release {
        true => Some(github.github(args.plan.plan)?),
        false => None,
    };
    let publish = |journal: &mut git_hotfix_core::Journal, forge, released| {
        lifecycle::publish_release(&repo, &config, forge, journal, released, context.now)
    };
    if args.plan.plan {
        let mut requests = Vec::new();
        if let Some(forge) = forge {
            publish(&mut journal, forge, released)?;
            requests = github.planned_lines();
        }
        if ui.json_mode() {
            ui.json(&TagPlanDocument {
                plan: &plan,
                push: args.push,
                requests: &requests,
                executed: false,
            });
            return Ok(Exit::Ok);
        }
        for line in release_lines(&plan) {
            ui.out(format!("Would {line}"));
        }
        if plan.tag.object.is_some() {
            ui.out(format!(
                "Would tag {} on {} (\"{}\")",
                plan.tag.name,
                short(plan.tag.target),
                plan.tag.message
            ));
        } else {
            ui.out(format!(
                "{} is already on {}",
                plan.tag.name,
                short(plan.tag.target)
            ));
        }
        if args.push {
            ui.out(format!("Would push it to {}", config.remote));
        }
        for line in requests {
            ui.out(format!("Would send {line}"));
        }
        return Ok(Exit::Ok);
    }
    // The token must work before anything is written.
    if let Some(forge) = forge {
        forge.check_access()?;
    }
    let pushed = tag::run(
        &repo,
        mem,
        &config,
        &mut journal,
        &plan,
        args.push,
        context.now,
    )?;
    let published = match forge {
        Some(forge) => Some(publish(&mut journal, forge, released)?),
        None => None,
    };
    if ui.json_mode() {
        ui.json(&TagDocument {
            plan: &plan,
            pushed: pushed.as_ref(),
            release: published.as_ref(),
            executed: true,
        });
        return Ok(Exit::Ok);
    }
    if let Some(merge) = plan.onto.as_ref().and_then(|o| o.outcome.new_tip()) {
        ui.status(
            "Merged",
            format!(
                "the fix into {}, released since {} started ({})",
                plan.onto.as_ref().map_or("", |o| o.tag.as_str()),
                plan.ticket,
                short(merge)
            ),
        );
    }
    if let Some(release) = &plan.release {
        committed(context, release);
    }
    if plan.tag.object.is_some() {
        ui.status(
            "Tagged",
            format!(
                "{} on {}",
                paint(EMPHASIS, &plan.tag.name),
                short(plan.tag.target)
            ),
        );
    } else {
        ui.status(
            "Kept",
            format!("{} (already on {})", plan.tag.name, short(plan.tag.target)),
        );
    }
    match &pushed {
        Some(push) if push.refs.is_empty() => {
            ui.status("Unchanged", format!("{} on {}", plan.tag.name, push.remote))
        }
        Some(push) => ui.status("Pushed", format!("{} to {}", plan.tag.name, push.remote)),
        None => {}
    }
    if let Some(outcome) = &published {
        report_release(context, &plan.tag.name, outcome);
    }
    Ok(Exit::Ok)
}

/// What the release made before the tag will be, as `--plan` says it.
fn release_lines(plan: &tag::TagPlan) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(onto) = &plan.onto {
        lines.push(format!(
            "merge the fix into {}, released since {} started",
            onto.tag, plan.ticket
        ));
    }
    if let Some(release) = &plan.release {
        lines.push(format!(
            "commit \"{}\" on {}: {}",
            release.message.trim(),
            plan.branch,
            release_edits(release).join("; ")
        ));
    }
    lines
}

/// `tag --plan`: the tag (and release commit) it would make, and the GitHub requests.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct TagPlanDocument<'a> {
    pub plan: &'a tag::TagPlan,
    pub push: bool,
    pub requests: &'a [String],
    pub executed: bool,
}

impl crate::document::Document for TagPlanDocument<'_> {
    const NAME: &'static str = "tag-plan";
}

/// `tag`: the tag made, what was pushed, and the GitHub release published.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct TagDocument<'a> {
    pub plan: &'a tag::TagPlan,
    pub pushed: Option<&'a git_hotfix_core::git::push::PushPlan>,
    pub release: Option<&'a git_hotfix_core::lifecycle::github::ReleaseOutcome>,
    pub executed: bool,
}

impl crate::document::Document for TagDocument<'_> {
    const NAME: &'static str = "tag";
}
