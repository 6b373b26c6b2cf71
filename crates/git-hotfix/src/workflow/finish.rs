//! A finish here: the GitHub release it publishes, what it pushes later (`finish --push`
//! of a finished hotfix, `tag --push`), and a rollback that goes on as its hotfix's finish.

use git_hotfix_core::operations::finish;
use git_hotfix_core::operations::finish::{FinishOutcome, publish};
use git_hotfix_core::records::journal::Store;
use git_hotfix_core::records::run::FinishOptions;
use git_hotfix_core::settings::config::Config;
use git_hotfix_core::settings::policy::VersionFiles;
use git_hotfix_core::{Error as CoreError, Journal, Repo};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::Forge;
use crate::render::finish::{FinishedAlreadyDocument, pushed, report_release};
use crate::workflow::pull_request;

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
    let exit = crate::render::finish::report(context, &journal, &outcome, published.as_ref())?;
    crate::audit::share_finished(context, repo, &journal, &outcome);
    Ok(exit)
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

/// A rollback whose hotfix is started goes on as that hotfix's finish, here or through a
/// pull request; whatever stops it, its run waits in the journal for `continue` or `abort`.
pub fn go_on(
    context: &Context,
    repo: &Repo,
    config: &Config,
    journal: Journal,
    version_files: &dyn VersionFiles,
    forge: Option<Forge>,
) -> Result<Exit> {
    let run = journal.run.clone().expect("a rollback's run");
    let pr = run.reverts.as_ref().is_some_and(|r| r.pr);
    let ticket = journal.ticket.clone();
    let finished = match pr {
        true => pull_request::run(
            context,
            repo,
            config,
            journal,
            &run.options,
            version_files,
            pull_request::PullOptions {
                draft: false,
                plan: false,
            },
        ),
        false => finish_here(
            context,
            repo,
            config,
            journal,
            &run.options,
            version_files,
            forge,
        ),
    };
    finished.map_err(|err| {
        match Store::new(repo).run_waits(&ticket) {
            true if err.hints.is_empty() => err
                .hint("`git hotfix continue` goes on with the rollback; `git hotfix abort` takes all of it back"),
            _ => err,
        }
    })
}

/// What a `finish` of a hotfix that finished already may still do.
pub struct Later {
    /// Push what the finish made that the remote lacks (`tag_only`: its tag alone).
    pub push: bool,
    pub tag_only: bool,
    /// Publish (or update) the GitHub release of its tag.
    pub release: bool,
    pub plan: bool,
}

/// `finish` (or `tag --push`) of a hotfix that finished already: nothing to do but, with
/// `--push`, pushing what the remote lacks, and with `--release`, publishing its release
/// (again: an existing one is brought up to date).
pub fn finished_already(
    context: &Context,
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    later: Later,
) -> Result<Exit> {
    let ui = &context.ui;
    // The token must work before anything is pushed.
    let forge = match journal.released().is_some() && later.release {
        true => {
            let forge = Forge::connect(context, repo, config, later.plan)?;
            if !later.plan {
                forge.run(forge.github.check_access())?;
            }
            Some(forge)
        }
        false => None,
    };
    let pushed = match later.push {
        true => Some(push_later(
            context,
            repo,
            config,
            &mut journal,
            later.tag_only,
            later.plan,
        )?),
        false => None,
    };
    let published = match (forge, journal.released()) {
        (Some(forge), Some(released)) => {
            let outcome = forge.publish_release(context, repo, config, &mut journal, released)?;
            if later.plan {
                for line in forge.planned_lines() {
                    ui.out(format!("Would send {line}"));
                }
            }
            Some(outcome)
        }
        _ => None,
    };
    if ui.json_mode() {
        ui.json(&FinishedAlreadyDocument {
            executed: !later.plan,
            finished_already: true,
            pushed: pushed.as_ref(),
            release: published.as_ref(),
        });
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
