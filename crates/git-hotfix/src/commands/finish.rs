use clap::Args;
use git_hotfix_core::diff::{self, Style};
use git_hotfix_core::finish::{self, FinishOptions, FinishOutcome, FinishPlan};
use git_hotfix_core::merge::Outcome;
use git_hotfix_core::repo::short;
use git_hotfix_core::{Error as CoreError, Journal};

use crate::cli::{Context, PlanArg};
use crate::commands::finish_pr;
use crate::commands::status::{finish_steps, release_edits};
use crate::error::{Exit, Result};
use crate::policies::Loaded;
use crate::ui::{EMPHASIS, paint};
use git_hotfix_plugin_host::World;

/// Finish the hotfix: tag it, merge it into production (and develop), delete the branch;
/// or, with `--pr`, push it and open a pull request into production
#[derive(Debug, Args)]
pub struct FinishArgs {
    /// Instead of merging here: put the release commit on the hotfix branch, push it, and
    /// open (or update) a pull request into production on GitHub (default: `[github] pr`)
    #[arg(long, conflicts_with_all = ["no_pr", "no_tag", "no_backmerge", "keep", "push", "message"])]
    pub pr: bool,
    /// Merge here even when `[github] pr` is set
    #[arg(long)]
    pub no_pr: bool,
    /// Open the pull request as a draft
    #[arg(long)]
    pub draft: bool,
    /// Do not create the release tag
    #[arg(long)]
    pub no_tag: bool,
    /// Do not merge the fix back into the develop branch
    #[arg(long)]
    pub no_backmerge: bool,
    /// Keep the hotfix branch
    #[arg(long)]
    pub keep: bool,
    /// Push the refs that moved and the tag, atomically, with leases on their old values
    #[arg(long)]
    pub push: bool,
    /// Do not move the version in the version files
    #[arg(long)]
    pub no_bump: bool,
    /// Do not add a changelog entry
    #[arg(long, conflicts_with = "changelog")]
    pub no_changelog: bool,
    /// The changelog entry's text (default: the `changelog-entry` template, or
    /// `<description> (<ticket>, <severity>)`)
    #[arg(long, value_name = "TEXT")]
    pub changelog: Option<String>,
    /// The tag message (default: the `tag-message` template, `Hotfix <version>: <description>`)
    #[arg(short, long, value_name = "MSG")]
    pub message: Option<String>,
    /// The hotfix to finish (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_finish(context: &Context, args: FinishArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let mut journal = finish::select(&repo, args.hotfix.as_deref())?;
    if let Some(run) = &journal.run {
        return Err(CoreError::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.command.clone(),
        }
        .into());
    }
    let options = FinishOptions {
        tag: !args.no_tag,
        backmerge: !args.no_backmerge,
        keep: args.keep,
        push: args.push,
        bump: !args.no_bump,
        changelog: !args.no_changelog,
        changelog_text: args.changelog,
        message: args.message,
    };
    let policy = Loaded::for_world(context, &repo, &config, World::VersionFiles)?;
    let version_files = policy.version_files();
    if (args.pr || config.github.pr) && !args.no_pr {
        let pull = finish_pr::PullOptions {
            draft: args.draft,
            plan: args.plan.plan,
        };
        return finish_pr::run(
            context,
            &repo,
            &config,
            journal,
            &options,
            &version_files,
            pull,
        );
    }

    if args.plan.plan {
        let mem = repo.in_memory();
        let plan = finish::plan(
            &repo,
            &mem,
            &config,
            &journal,
            &options,
            &Default::default(),
            Some(&version_files),
        )?;
        // The release commit is in memory: its diff shows the exact edits.
        let diff = match &plan.release {
            Some(release) => Some(diff::commit(&mem, release.commit, Style::Review)?),
            None => None,
        };
        let diff: Option<String> = diff.map(|files| {
            files
                .iter()
                .map(|f| String::from_utf8_lossy(&f.text).into_owned())
                .collect()
        });
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": plan, "release_diff": diff, "executed": false }));
        } else {
            ui.out(format!(
                "Would finish hotfix {} ({} commit{} on {}):",
                paint(EMPHASIS, &plan.ticket),
                plan.commits.len(),
                if plan.commits.len() == 1 { "" } else { "s" },
                plan.branch
            ));
            for line in finish_steps(&plan) {
                ui.out(format!("  - {line}"));
            }
            if let Some(diff) = diff {
                ui.out("");
                ui.out("The release commit's changes:");
                ui.out(diff.trim_end());
            }
        }
        return Ok(Exit::Ok);
    }

    let outcome = finish::run(
        &repo,
        &config,
        &mut journal,
        &options,
        Some(&version_files),
        context.now,
    )?;
    report(context, &journal, &outcome)
}

/// Tell what a finished or stopped run did; shared with `continue`.
pub fn report(context: &Context, journal: &Journal, outcome: &FinishOutcome) -> Result<Exit> {
    let ui = &context.ui;
    let exit = match outcome {
        FinishOutcome::Stopped { .. } => Exit::Conflict,
        _ => Exit::Ok,
    };
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "executed": true, "outcome": outcome }));
        return Ok(exit);
    }
    match outcome {
        FinishOutcome::Finished {
            plan,
            pushed,
            warnings,
            ..
        } => {
            done_steps(context, plan, *pushed);
            for warning in warnings {
                ui.warn(warning);
            }
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
        }
        FinishOutcome::Completed { pushed } => {
            if let Some(push) = pushed {
                let refs: Vec<&str> = push.refs.iter().map(|r| r.name.as_str()).collect();
                ui.status("Pushed", format!("{} to {}", refs.join(" "), push.remote));
            }
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
        }
        FinishOutcome::Stopped {
            branch,
            worktree,
            paths,
            ..
        } => {
            ui.error(
                &format!(
                    "merging {} into {branch} conflicts in {}; stopped for you to resolve them in {}",
                    journal.branch,
                    paths.join(", "),
                    worktree.display()
                ),
                &[],
            );
            ui.hint(format!(
                "`cd {}`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`",
                worktree.display()
            ));
            ui.hint("`git hotfix abort` drops the run; no ref has moved");
        }
    }
    Ok(exit)
}

fn done_steps(context: &Context, plan: &FinishPlan, pushed: bool) {
    let ui = &context.ui;
    if let Some(release) = &plan.release {
        ui.status(
            "Committed",
            format!("{} ({})", release.message.trim(), short(release.commit)),
        );
        for line in release_edits(release) {
            ui.status("", line);
        }
    }
    if let Some(tag) = &plan.tag {
        let verb = if tag.object.is_some() {
            "Tagged"
        } else {
            "Kept"
        };
        ui.status(
            verb,
            format!("{} on {}", paint(EMPHASIS, &tag.name), short(tag.target)),
        );
    }
    for integration in &plan.integrations {
        let branch = &integration.branch;
        match &integration.outcome {
            Outcome::UpToDate => ui.status("Unchanged", format!("{branch} already has the fix")),
            Outcome::FastForward { to } => ui.status(
                "Merged",
                format!("into {branch} (fast-forward to {})", short(*to)),
            ),
            Outcome::Merge { commit } => ui.status(
                "Merged",
                format!("into {branch} (merge commit {})", short(*commit)),
            ),
            Outcome::Conflict { .. } => {}
        }
    }
    if let Some(newest) = &plan.older_than_production {
        ui.status(
            "Skipped",
            format!("production: {} is older than {newest}", plan.version),
        );
        ui.hint("bring the fix to newer lines with `git hotfix backport`");
    }
    if plan.delete_branch {
        ui.status("Deleted", &plan.branch);
    }
    for step in &plan.worktrees {
        match step {
            finish::WorktreeStep::Switch { path, to, .. } => {
                ui.status("Switched", format!("{} to {to}", path.display()))
            }
            finish::WorktreeStep::Detach { path, at, .. } => {
                ui.status("Detached", format!("{} at {at}", path.display()))
            }
            finish::WorktreeStep::Follow { path, .. } => ui.status(
                "Updated",
                format!("{} to the release commit", path.display()),
            ),
            finish::WorktreeStep::Remove { path, .. } => {
                ui.status("Removed", format!("worktree {}", path.display()))
            }
        }
    }
    if let (true, Some(push)) = (pushed, &plan.push) {
        let refs: Vec<&str> = push.refs.iter().map(|r| r.name.as_str()).collect();
        ui.status("Pushed", format!("{} to {}", refs.join(" "), push.remote));
    }
}
