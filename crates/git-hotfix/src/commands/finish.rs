use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::git::diff::{self, Style};
use git_hotfix_core::git::merge::{Mode as MergeMode, Outcome};
use git_hotfix_core::operations::finish::{self, FinishOutcome, FinishPlan, publish};
use git_hotfix_core::operations::tag;
use git_hotfix_core::records::run::FinishOptions;
use git_hotfix_core::{Error as CoreError, Journal};

use git_hotfix_core::Repo;
use git_hotfix_core::foundation::names;
use git_hotfix_core::records::journal::ReleaseCommit;
use git_hotfix_core::records::journal::{Released, Store};
use git_hotfix_core::settings::config::Config;
use git_hotfix_core::settings::policy::VersionFiles;
use git_hotfix_github::ReleaseOutcome;

use crate::cli::{Context, PlanArg};
use crate::commands::finish_pr;
use crate::commands::status::{finish_steps, release_edits};
use crate::error::{CommandError, Exit, Result};
use crate::forge::Forge;
use crate::policies::Loaded;
use crate::remote::Reach;
use crate::ui::{EMPHASIS, paint};
use git_hotfix_plugin_host::World;

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
    let mut journal = match finish::select(&repo, args.hotfix.as_deref()) {
        Ok(journal) => journal,
        Err(err) => {
            let finished = match &args.hotfix {
                Some(ticket) => Store::new(&repo).load_finished(&names::ticket(ticket)?)?,
                None => None,
            };
            return match finished {
                Some(journal) if args.version.is_some() || args.next => Err(CommandError::usage(
                    format!(
                        "{} is finished (released {} here): `--version` and `--next` choose the version of a hotfix in progress",
                        journal.ticket, journal.tag
                    ),
                )
                .hint(match journal.unpublished {
                    // Its name may be taken on the remote: publishing as it is cannot work.
                    Some(_) => format!(
                        "its release never left this clone: `git hotfix abort --hotfix {}` takes the finish back, and a finish after it may choose another version",
                        journal.ticket
                    ),
                    None => "`git hotfix finish --push --hotfix <ticket>` publishes the release as it is".to_string(),
                })),
                Some(journal) => finished_already(
                    context,
                    &repo,
                    &config,
                    journal,
                    Later {
                        push: args.push,
                        release,
                        plan: args.plan.plan,
                    },
                ),
                None => Err(err.into()),
            };
        }
    };
    if let Some(run) = &journal.run {
        return Err(CoreError::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.command.clone(),
        }
        .into());
    }
    let reach = Reach {
        offline: args.offline,
        plan: args.plan.plan,
    };
    if !args.after_merge {
        // What the finish merges into, as the remote has it, and the tags with it.
        let mut branches = vec![config.production_branch.clone()];
        branches.extend(config.develop_branch.clone());
        if let git_hotfix_core::git::repo::Base::Branch { name, .. } = &journal.base
            && !branches.contains(name)
        {
            branches.push(name.clone());
        }
        crate::remote::catch_up(context, &repo, &config, &branches, reach)?;
        if args.push {
            // The published hotfix branch as it is now: a colleague may have pushed to it,
            // rewritten it or deleted it, and the push deletes it only as the release holds it.
            crate::remote::track(&repo, &config, std::slice::from_ref(&journal.branch), reach)?;
        }
    }
    let version = match (&args.version, args.next) {
        (Some(text), _) => Some(tag::Choice::Exactly(Version::parse_arg(text)?)),
        (None, true) => Some(tag::Choice::NextFree),
        (None, false) => None,
    };
    if let Some(version) = version {
        // Saved with the run; a `--plan` only shows it.
        let from = journal.version.clone();
        tag::reversion(
            &repo,
            &config,
            &mut journal,
            version,
            args.allow_older_version,
            context.now,
        )?;
        if from != journal.version {
            // Said as under way: it is recorded only once the finish's run starts.
            let verb = if args.plan.plan {
                "Would re-version"
            } else {
                "Re-versioning"
            };
            ui.status(
                verb,
                format!(
                    "{}: {from} → {} (tag {})",
                    journal.ticket, journal.version, journal.tag
                ),
            );
        }
    }
    if !args.after_merge {
        crate::remote::ensure_tag_free(
            &repo,
            &config,
            &journal.tag,
            journal.version.next_patch().to_string(),
            reach,
        )?;
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
        return finish_pr::after_merge(
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
        crate::checks::before_finish(context, &repo, &config, &mut journal, args.no_checks)?;
    }
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
            false => crate::checks::configured(&config, &journal)?,
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
            ui.json(&serde_json::json!({
                "plan": plan,
                "checks": checks,
                "release_diff": diff,
                "requests": requests,
                "executed": false,
            }));
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

/// The forge a finish publishes its GitHub release on, when it does: the token must work
/// before anything moves.
pub fn releasing(
    context: &Context,
    repo: &Repo,
    config: &Config,
    release: bool,
) -> Result<Option<Forge>> {
    if !release {
        return Ok(None);
    }
    let forge = Forge::connect(context, repo, config, false)?;
    forge.run(forge.github.check_access())?;
    Ok(Some(forge))
}

/// Finish `journal` here and tell what was done; the pushed tag gets its GitHub release on
/// `forge`. Also how a `rollback --revert` goes on once it has started its hotfix.
pub fn finish_here(
    context: &Context,
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    version_files: &dyn VersionFiles,
    forge: Option<Forge>,
) -> Result<Exit> {
    let run = |journal: &mut Journal, options: &FinishOptions| {
        finish::run(
            repo,
            config,
            journal,
            options,
            Some(version_files),
            context.now,
        )
    };
    let outcome = match run(&mut journal, options) {
        // Refused before anything was written: a person on a terminal may accept it.
        Err(CoreError::SettingsChange {
            ticket,
            files,
            changes,
        }) if context.ui.interactive() => {
            let ui = &context.ui;
            ui.warn(format!(
                "{ticket} changes the team's settings in {}, which this finish puts into production:",
                files.join(", ")
            ));
            for change in &changes {
                ui.out(format!("  {change}"));
            }
            if ui.confirm("Accept these settings?") != Some(true) {
                return Err(CommandError::new(
                    Exit::Policy,
                    "not finished: the settings change was not accepted; nothing was written",
                )
                .hint("take the settings change out of the fix, or `git hotfix finish --accept-settings`"));
            }
            let accepted = FinishOptions {
                accept_settings: true,
                ..options.clone()
            };
            run(&mut journal, &accepted)?
        }
        outcome => outcome?,
    };
    let published = match (&forge, &outcome, journal.released()) {
        (Some(forge), FinishOutcome::Finished { pushed: true, .. }, Some(released)) => {
            Some(forge.publish_release(context, repo, config, &mut journal, released)?)
        }
        _ => None,
    };
    report(context, repo, &journal, &outcome, published.as_ref())
}

/// What a `finish` of a hotfix that finished already may still do.
struct Later {
    /// Push what the finish made that the remote lacks.
    push: bool,
    /// Publish (or update) the GitHub release of its tag.
    release: bool,
    plan: bool,
}

/// `finish` of a hotfix that finished already: nothing to do but, with `--push`, pushing
/// what the remote lacks, and with `--release`, publishing its release (again: an existing
/// one is brought up to date).
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

fn finished_already(
    context: &Context,
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    later: Later,
) -> Result<Exit> {
    let ui = &context.ui;
    let pushed = match later.push {
        true => Some(push_later(
            context,
            repo,
            config,
            &mut journal,
            false,
            later.plan,
        )?),
        false => None,
    };
    let published = match journal.released().filter(|_| later.release) {
        Some(released) => {
            let forge = Forge::connect(context, repo, config, later.plan)?;
            if !later.plan {
                forge.run(forge.github.check_access())?;
            }
            let outcome = forge.publish_release(context, repo, config, &mut journal, released)?;
            if later.plan {
                for line in forge.planned_lines() {
                    ui.out(format!("Would send {line}"));
                }
            }
            Some(outcome)
        }
        None => None,
    };
    if ui.json_mode() {
        ui.json(&serde_json::json!({
            "executed": !later.plan,
            "finished_already": true,
            "pushed": pushed,
            "release": published,
        }));
        return Ok(Exit::Ok);
    }
    if pushed.is_none() {
        ui.status(
            "Unchanged",
            format!(
                "hotfix {} finished already: released {}",
                journal.ticket, journal.version
            ),
        );
    }
    if let Some(outcome) = published.filter(|_| !later.plan) {
        report_release(context, &journal.tag, &outcome);
    }
    Ok(Exit::Ok)
}

/// Push what the finish of `journal` made (only its tag: `tag_only`) that the remote lacks,
/// and tell what was sent and what was there already; shared with `tag --push`.
pub fn push_later(
    context: &Context,
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    tag_only: bool,
    plan: bool,
) -> Result<publish::Publish> {
    let ui = &context.ui;
    let publish = publish::plan(repo, config, journal, tag_only)?;
    if !plan {
        publish::run(repo, journal, &publish, context.now)?;
    }
    let remote = &publish.push.remote;
    pushed(context, &publish.push, plan);
    if !publish.already.is_empty() {
        ui.status(
            "Unchanged",
            format!("{} already on {remote}", publish.already.join(" ")),
        );
    }
    if publish.push.refs.is_empty() && publish.already.is_empty() && publish.left.is_empty() {
        ui.status(
            "Unchanged",
            format!(
                "{} made nothing to push (no tag, no branch moved)",
                journal.ticket
            ),
        );
    }
    for name in &publish.left {
        ui.status(
            "Kept",
            format!("{name} on {remote}: it has commits the deleted branch had not"),
        );
    }
    if !plan && !publish.push.refs.is_empty() {
        crate::audit::share(context, repo, journal);
    }
    Ok(publish)
}

/// Tell what happened to the GitHub release of `tag`.
pub fn report_release(context: &Context, tag: &str, outcome: &ReleaseOutcome) {
    let ui = &context.ui;
    let what = format!("GitHub release {}", paint(EMPHASIS, tag));
    if outcome.created {
        ui.status("Published", what);
    } else if outcome.changes.is_empty() {
        ui.status("Unchanged", what);
    } else {
        ui.status(
            "Updated",
            format!("{what} ({})", outcome.changes.join(", ")),
        );
    }
    if let Some(url) = &outcome.url {
        ui.out(url);
    }
}

/// Tell what a finished or stopped run did; shared with `continue`.
pub fn report(
    context: &Context,
    repo: &Repo,
    journal: &Journal,
    outcome: &FinishOutcome,
    release: Option<&ReleaseOutcome>,
) -> Result<Exit> {
    let ui = &context.ui;
    let exit = match outcome {
        FinishOutcome::Stopped { .. } => Exit::Conflict,
        _ => Exit::Ok,
    };
    // Once finished (and pushed), the hotfix's notes go where its release went.
    let share = || {
        if !matches!(outcome, FinishOutcome::Stopped { .. }) {
            crate::audit::share(context, repo, journal);
        }
    };
    if ui.json_mode() {
        share();
        ui.json(&serde_json::json!({ "executed": true, "outcome": outcome, "release": release }));
        return Ok(exit);
    }
    match outcome {
        FinishOutcome::Finished {
            plan,
            pushed,
            notes_pushed,
            ..
        } => {
            done_steps(context, plan, *pushed);
            notes_went(context, notes_pushed.as_deref());
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
            if let Some(release) = release {
                report_release(context, &journal.tag, release);
            }
            share();
        }
        FinishOutcome::Completed {
            moved,
            pushed,
            notes_pushed,
        } => {
            moved_and_pushed(context, moved, pushed.as_ref());
            notes_went(context, notes_pushed.as_deref());
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
            share();
        }
        FinishOutcome::Resumed {
            command,
            moved,
            pushed,
            pull,
        } => {
            moved_and_pushed(context, moved, pushed.as_ref());
            if let Some(pull) = pull {
                finish_pr::report_pull(context, pull);
            }
            ui.status("Completed", format!("the {command} of {}", journal.ticket));
        }
        FinishOutcome::Stopped {
            plan,
            branch,
            worktree,
            paths,
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
            if let Some(onto) = plan.onto.as_ref().filter(|o| o.tag == *branch) {
                ui.hint(format!(
                    "{} was released since {} started: {} must hold it, as every release holds the earlier ones of its line",
                    onto.tag, journal.ticket, journal.tag
                ));
            }
            // Production does not wait for develop: an emergency ships first, and develop
            // catches up after.
            let develop = plan
                .integrations
                .iter()
                .any(|i| i.branch == *branch && i.role == finish::Role::Develop);
            if develop {
                let tag = plan
                    .tag
                    .as_ref()
                    .map_or(journal.tag.as_str(), |t| t.name.as_str());
                ui.hint(format!(
                    "to release now and merge {branch} later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge {tag} into {branch} (`git switch {branch} && git merge {tag}`)"
                ));
            }
        }
    }
    Ok(exit)
}

fn notes_went(context: &Context, remote: Option<&str>) {
    if let Some(remote) = remote {
        context.ui.status(
            "Pushed",
            format!(
                "the hotfix notes ({}) to {remote}",
                git_hotfix_core::records::notes::REF
            ),
        );
    }
}

/// What a continued run's steps moved and pushed, all runs of it together.
fn moved_and_pushed(
    context: &Context,
    moved: &[git_hotfix_core::git::refs::Edit],
    pushed: Option<&git_hotfix_core::git::push::PushPlan>,
) {
    let ui = &context.ui;
    let refs: Vec<String> = moved
        .iter()
        .filter(|e| e.name.starts_with("refs/"))
        .map(|e| e.name.clone())
        .collect();
    if !refs.is_empty() {
        ui.status("Moved", refs.join(" "));
    }
    if let Some(push) = pushed {
        self::pushed(context, push, false);
    }
}

/// What a push did on the remote: the refs it set, and apart, the ones it deleted.
fn pushed(context: &Context, push: &git_hotfix_core::git::push::PushPlan, plan: bool) {
    let (deleted, set): (Vec<_>, Vec<_>) = push.refs.iter().partition(|r| r.new.is_none());
    let names = |refs: &[&git_hotfix_core::git::push::PushRef]| {
        refs.iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !set.is_empty() {
        let verb = if plan { "Would push" } else { "Pushed" };
        context
            .ui
            .status(verb, format!("{} to {}", names(&set), push.remote));
    }
    if !deleted.is_empty() {
        let verb = if plan { "Would delete" } else { "Deleted" };
        context
            .ui
            .status(verb, format!("{} on {}", names(&deleted), push.remote));
    }
}

fn done_steps(context: &Context, plan: &FinishPlan, pushed: bool) {
    let ui = &context.ui;
    if let Some(merged) = &plan.merged {
        ui.status(
            "Merged",
            format!(
                "#{} into {} on GitHub ({})",
                merged.number,
                merged.base,
                short(merged.commit)
            ),
        );
    }
    if let Some(onto) = &plan.onto
        && let Some(merge) = onto.outcome.new_tip()
    {
        ui.status(
            "Merged",
            format!(
                "the fix into {}, released since {} started (merge commit {})",
                onto.tag,
                plan.ticket,
                short(merge)
            ),
        );
    }
    // A release commit that went through a pull request was reported then, and one
    // `git hotfix tag` made (its tag kept) when it was made.
    let tagged_before = plan.tag.as_ref().is_some_and(|t| t.object.is_none());
    if let Some(release) = plan
        .release
        .as_ref()
        .filter(|_| plan.merged.is_none() && !tagged_before)
    {
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
            Outcome::FastForward { to } if plan.merged.is_some() => ui.status(
                "Updated",
                format!("{branch} to what GitHub merged ({})", short(*to)),
            ),
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
    if let Some(develop) = plan
        .integrations
        .iter()
        .find(|i| plan.develop_found && i.role == finish::Role::Develop)
    {
        ui.hint(format!(
            "{} got the fix as the develop branch found by name; `develop-branch` in .hotfix.toml names another (\"\" for none)",
            develop.branch
        ));
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
            git_hotfix_core::records::run::WorktreeStep::Switch { path, to, .. } => {
                ui.status("Switched", format!("{} to {to}", path.display()))
            }
            git_hotfix_core::records::run::WorktreeStep::Detach { path, at, .. } => {
                ui.status("Detached", format!("{} at {at}", path.display()))
            }
            git_hotfix_core::records::run::WorktreeStep::Follow { path, .. } => ui.status(
                "Updated",
                format!("{} to the release commit", path.display()),
            ),
            git_hotfix_core::records::run::WorktreeStep::Remove { path, .. } => {
                ui.status("Removed", format!("worktree {}", path.display()))
            }
        }
    }
    if let (true, Some(push)) = (pushed, &plan.push) {
        self::pushed(context, push, false);
        if let Some(kept) = plan.kept_on_remote {
            let released = plan
                .tag
                .as_ref()
                .map_or_else(|| short(plan.tip).to_string(), |t| t.name.clone());
            ui.warn(format!(
                "kept {} on {} at {}: it has commits the release lacks, pushed there by someone else; see them with `git log {released}..{}/{}`",
                plan.branch,
                push.remote,
                short(kept),
                push.remote,
                plan.branch
            ));
        }
    }
}
