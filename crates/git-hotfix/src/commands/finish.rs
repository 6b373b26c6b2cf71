use clap::Args;
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::git::diff::{self, Style};
use git_hotfix_core::git::merge::Mode as MergeMode;
use git_hotfix_core::operations::finish::begin::{Begin, Begun, Said};
use git_hotfix_core::operations::finish::checks;
use git_hotfix_core::operations::remote::Reach;
use git_hotfix_core::operations::{finish, tag};
use git_hotfix_core::records::journal::{ReleaseCommit, Released};
use git_hotfix_core::records::run::FinishOptions;
use git_hotfix_core::{Journal, Repo};
use git_hotfix_plugin_host::World;

use crate::args::PlanArg;
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::Forge;
use crate::policies::Loaded;
use crate::render::finish::{FinishPlanDocument, finish_steps};
use crate::steps::Checks;
use crate::ui::{EMPHASIS, paint};
use crate::workflow::finish::{Later, finish_here, finished_already, releasing};
use crate::workflow::pull_request;

/// Finish the hotfix: tag it, merge it into production (and develop), delete the branch;
/// or, with `--pr`, push it and open a pull request into production
#[derive(Debug, Default, Args)]
pub struct FinishArgs {
    /// Instead of merging here: put the release commit on the hotfix branch, push it, and
    /// open (or update) a pull request into production on GitHub (default: `[github] pr`)
    #[arg(long, conflicts_with_all = ["no_pr", "no_tag", "no_backmerge", "keep", "push", "message"])]
    pub pr: bool,
    /// Merge here even when `[github] pr` is set
    #[arg(long)]
    pub no_pr: bool,
    /// Once the pull request `--pr` opened has merged on GitHub: fetch what merged, tag it,
    /// push the tag, catch the local production branch up and delete the hotfix branch
    #[arg(long, conflicts_with_all = ["pr", "no_pr", "draft", "no_backmerge", "push", "no_bump", "no_changelog", "changelog"])]
    pub after_merge: bool,
    /// Publish a GitHub release for the tag, with the changelog entry as its notes (default:
    /// `[github] release`); the tag must reach GitHub: with `--push` or `--after-merge`
    #[arg(long, conflicts_with_all = ["pr", "no_tag"])]
    pub release: bool,
    /// Open the pull request as a draft
    #[arg(long)]
    pub draft: bool,
    /// Do not create the release tag
    #[arg(long)]
    pub no_tag: bool,
    /// Do not merge the fix back into the develop branch
    #[arg(long)]
    pub no_backmerge: bool,
    /// Land the fix only by fast-forward: refuse if production moved, rather than make a
    /// merge commit (default: `merge` in settings, else `ff`)
    #[arg(long, conflicts_with_all = ["no_ff", "ff", "pr"])]
    pub ff_only: bool,
    /// Land the fix with a merge commit even when production has not moved
    #[arg(long, conflicts_with_all = ["ff", "pr"])]
    pub no_ff: bool,
    /// Fast-forward when production has not moved, else a merge commit (git's default)
    #[arg(long, conflicts_with = "pr")]
    pub ff: bool,
    /// Keep the hotfix branch
    #[arg(long)]
    pub keep: bool,
    /// Release without running the project's checks (`checks` in settings); the journal
    /// records it and `tested` stays unticked
    #[arg(long, conflicts_with = "after_merge")]
    pub no_checks: bool,
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
    /// Release as this version instead of the one planned (when its tag was taken, say):
    /// the tag, the release commit and the journal follow
    #[arg(long, value_name = "X.Y.Z", conflicts_with_all = ["next", "after_merge"])]
    pub version: Option<String>,
    /// Release as the first version after the planned one, and after every release of its
    /// line, that no tag names
    #[arg(long, conflicts_with = "after_merge")]
    pub next: bool,
    /// Allow `--version` below the newest release of its line (a release meant to go out older)
    #[arg(long, requires = "version")]
    pub allow_older_version: bool,
    /// Decide from local state: do not fetch production, develop and the tags from the
    /// remote first (default: `offline` in settings, else fetch)
    #[arg(long)]
    pub offline: bool,
    /// The fix changes the team's settings (`.hotfix.toml`, a policy plugin) and that is
    /// meant: finish without asking (the plan shows each change, old and new)
    #[arg(long)]
    pub accept_settings: bool,
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
    let release = args.release || (config.github.release && !args.no_tag);
    let version = match (&args.version, args.next) {
        (Some(text), _) => Some(tag::Choice::Exactly(Version::parse_arg(text)?)),
        (None, true) => Some(tag::Choice::NextFree),
        (None, false) => None,
    };
    let request = Begin {
        hotfix: args.hotfix.as_deref(),
        version,
        allow_older_version: args.allow_older_version,
        after_merge: args.after_merge,
        push: args.push,
        reach: Reach {
            offline: args.offline,
            plan: args.plan.plan,
        },
        progress: ui.interactive(),
        now: context.now,
    };
    let said = &mut |said: Said<'_>| crate::render::finish::began(context, said, args.plan.plan);
    let mut journal = match finish::begin::begin(&repo, &config, &request, said)? {
        Begun::Ready(journal) => journal,
        Begun::FinishedAlready(journal) => {
            let later = Later {
                push: args.push,
                tag_only: false,
                release,
                plan: args.plan.plan,
            };
            return finished_already(context, &repo, &config, journal, later);
        }
    };
    let options = FinishOptions {
        tag: !args.no_tag,
        backmerge: !args.no_backmerge,
        keep: args.keep,
        push: args.push,
        bump: !args.no_bump,
        changelog: !args.no_changelog,
        changelog_text: args.changelog,
        message: args.message,
        merge: match (args.ff, args.ff_only, args.no_ff) {
            (true, _, _) => MergeMode::Ff,
            (_, true, _) => MergeMode::FfOnly,
            (_, _, true) => MergeMode::NoFf,
            _ => config.merge,
        },
        push_notes: config.push_notes,
        accept_settings: args.accept_settings,
    };
    if args.after_merge {
        let options = FinishOptions {
            push: true,
            ..options
        };
        return pull_request::after_merge(
            context,
            &repo,
            &config,
            journal,
            &options,
            release,
            args.plan.plan,
        );
    }
    let policy = Loaded::for_world(context, &repo, &config, World::VersionFiles)?;
    let version_files = policy.version_files();
    if !args.plan.plan {
        warn_untested(context, &repo, &journal)?;
        let said = &mut |said: checks::Said<'_>| crate::render::finish::checked(context, said);
        // The runner (and its Ctrl-C catch) lives for the checks only.
        let runner = &mut Checks::new(ui);
        checks::before_finish(&repo, &config, &mut journal, args.no_checks, runner, said)?;
    }
    if (args.pr || config.github.pr) && !args.no_pr {
        let pull = pull_request::PullOptions {
            draft: args.draft,
            plan: args.plan.plan,
        };
        return pull_request::run(
            context,
            &repo,
            &config,
            journal,
            &options,
            &version_files,
            pull,
        );
    }

    if args.release && !args.push {
        return Err(CommandError::new(
            Exit::Usage,
            "`--release` publishes the tag on GitHub, and a local finish keeps it here",
        )
        .hint("add `--push`, or publish later with `git hotfix finish --release --hotfix <ticket>` once the tag is pushed"));
    }
    // `[github] release` publishes only what is pushed.
    if release && !options.push && options.tag {
        ui.hint("`[github] release` is set but the tag stays here: `--push` publishes both");
    }
    let release = release && options.push;
    if args.plan.plan {
        let checks = match args.no_checks {
            true => &[][..],
            false => checks::configured(&config, &journal)?,
        };
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
        let requests = if release {
            let forge = Forge::connect(context, &repo, &config, true)?;
            let released = Released {
                tag: plan
                    .tag
                    .as_ref()
                    .map_or(journal.tag.clone(), |t| t.name.clone()),
                notes: plan.release.as_ref().and_then(ReleaseCommit::notes),
            };
            forge.publish_release(context, &repo, &config, &mut journal, released)?;
            forge.planned_lines()
        } else {
            Vec::new()
        };
        if ui.json_mode() {
            ui.json(&FinishPlanDocument {
                plan: &plan,
                checks,
                release_diff: diff,
                requests,
                executed: false,
            });
        } else {
            ui.out(format!(
                "Would finish hotfix {} ({} commit{} on {}):",
                paint(EMPHASIS, &plan.ticket),
                plan.commits.len(),
                if plan.commits.len() == 1 { "" } else { "s" },
                plan.branch
            ));
            if !checks.is_empty() {
                let listed: Vec<String> = checks.iter().map(|c| format!("`{c}`")).collect();
                ui.out(format!("  - run the checks: {}", listed.join(", ")));
            }
            for line in finish_steps(&plan) {
                ui.out(format!("  - {line}"));
            }
            if !requests.is_empty() {
                ui.out("  - publish the GitHub release of the tag");
            }
            if let Some(diff) = diff {
                ui.out("");
                ui.out("The release commit's changes:");
                ui.out(diff.trim_end());
            }
            if !requests.is_empty() {
                ui.out("");
                ui.out("GitHub requests (an existing release is updated instead):");
                for line in requests {
                    ui.out(format!("  {line}"));
                }
            }
        }
        return Ok(Exit::Ok);
    }

    let forge = releasing(context, &repo, &config, release)?;
    finish_here(
        context,
        &repo,
        &config,
        journal,
        &options,
        &version_files,
        forge,
    )
}

/// Say so when no commit of the fix touches a test: the workflow asks for a regression
/// test with every fix, and the checklist's item would otherwise stay unticked unseen.
fn warn_untested(context: &Context, repo: &Repo, journal: &Journal) -> Result<()> {
    let checklist = git_hotfix_core::views::incident::checklist(repo, journal)?;
    let untested = checklist.iter().any(|tick| {
        tick.item == git_hotfix_core::records::journal::Item::RegressionTest && !tick.done()
    });
    if untested {
        context.ui.warn(
            "no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)",
        );
    }
    Ok(())
}
