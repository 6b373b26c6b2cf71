//! A merged hotfix pull request: the hotfix `finish --pr` carried in its body is finished
//! here as `git hotfix finish --after-merge` finishes it on the machine it started on — what
//! GitHub merged is tagged, the tag pushed with the hotfix's note, and its GitHub release
//! published — through the same code, so a rerun (or the developer's own `--after-merge`
//! later) finds the tag in place and does nothing twice.

use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::sync;
use git_hotfix_core::operations::finish::after_merge::{CatchUp, MergedPull};
use git_hotfix_core::operations::finish::{FinishOutcome, after_merge};
use git_hotfix_core::records::run::FinishOptions;
use git_hotfix_core::{Config, Error as CoreError, Journal, ObjectId, Repo};
use git_hotfix_github::PullEvent;

use super::runner::Runner;
use super::{ActionArgs, run_url, runner_error};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::Forge;
use git_hotfix_core::lifecycle::bot::answer::{cell, code};
use git_hotfix_core::lifecycle::finish::{self as lifecycle, AfterMerge};

/// The marker that finds the release's comment again on a rerun.
pub const MARKER: &str = "<!-- git-hotfix:release -->";

/// Finish the hotfix of merged pull request `pull`, and tell it on the pull request, in
/// the job summary and the step outputs.
pub fn run(
    context: &Context,
    repo: &Repo,
    config: &Config,
    runner: &Runner,
    args: &ActionArgs,
    pull: &PullEvent,
    carried: Journal,
) -> Result<Exit> {
    let ui = &context.ui;
    let mut journal = after_merge::adopt(repo, carried)?;
    ui.status(
        "Asked",
        format!(
            "release hotfix {} as {}: #{} merged",
            journal.ticket, journal.tag, pull.number
        ),
    );
    let merged = MergedPull {
        number: pull.number,
        url: pull.url.clone(),
        base: pull.base.clone(),
        head_sha: pull.head_sha.clone(),
        merge_commit: pull.merge_commit.clone(),
    };
    after_merge::record_merged(&mut journal, &merged)?;

    // What merged is tagged as it is: no release commit is made here.
    let options = FinishOptions {
        push: true,
        bump: false,
        changelog: false,
        merge: config.merge,
        push_notes: config.push_notes,
        ..FinishOptions::default()
    };
    let forge = Forge::connect(context, repo, config, false)?;
    git_hotfix_core::lifecycle::github::GitHub::check_access(&forge)?;
    let (ticket, tag) = (journal.ticket.clone(), journal.tag.clone());
    let done = match lifecycle::after_merge(
        repo,
        config,
        &forge,
        journal,
        &options,
        !args.no_release,
        context.now,
    ) {
        Ok(done) => done,
        // A record that what merged does not bear out: nothing was done, and a rerun
        // would refuse it again; the step's error says so.
        Err(err @ CoreError::CarriedRecord { .. }) => return Err(err.into()),
        Err(err) => {
            let err = CommandError::from(err);
            // Say on the pull request where it stopped, as the remote has it now.
            let pushed = sync::remote_tag(repo, &config.remote, &tag)
                .ok()
                .map(|there| there.is_some());
            let text = stopped(
                &ticket,
                &tag,
                &config.remote,
                pushed,
                &err,
                run_url().as_deref(),
            );
            if let Err(not) = forge.run(
                forge
                    .github
                    .ensure_comment(pull.number, MARKER, |_| text.clone()),
            ) {
                ui.warn(format!(
                    "could not say so on #{}: {}",
                    pull.number, not.message
                ));
            }
            return Err(err);
        }
    };
    let exit = crate::render::finish::after_merge(context, repo, &done)?;

    let released = Released::of(&done, repo, &config.remote)?;
    let text = released.markdown(pull.number, run_url().as_deref());
    runner.summary(&text).map_err(runner_error)?;
    runner
        .outputs(&[
            ("success", (exit == Exit::Ok).to_string()),
            ("tag", released.tag.clone()),
            (
                "commit",
                released.commit.map(|c| c.to_string()).unwrap_or_default(),
            ),
            ("release-url", released.url.clone().unwrap_or_default()),
            (
                "develop-pull-request",
                match &released.develop {
                    Some((_, CatchUp::Proposed { pull, .. })) => pull.number.to_string(),
                    _ => String::new(),
                },
            ),
        ])
        .map_err(runner_error)?;
    let posted = forge.run(
        forge
            .github
            .ensure_comment(pull.number, MARKER, |_| text.clone()),
    )?;
    if let Some(comment) = &posted.comment {
        ui.status(
            if posted.created {
                "Commented"
            } else {
                "Updated"
            },
            format!("on #{}: {}", pull.number, comment.url),
        );
    }
    Ok(exit)
}

/// The comment of a release that stopped: why, whether the tag reached `remote` (`None`:
/// the remote could not be asked), and that a rerun goes on from there.
fn stopped(
    ticket: &str,
    tag: &str,
    remote: &str,
    pushed: Option<bool>,
    err: &CommandError,
    run_url: Option<&str>,
) -> String {
    let mut text = format!(
        "{MARKER}\n### Release of {} stopped\n\nHotfix {} was not released: {}\n",
        code(tag),
        code(ticket),
        cell(&err.message)
    );
    text.push_str(&match pushed {
        Some(true) => format!(
            "\nThe tag {} is on `{remote}`; rerunning this workflow finishes the rest (the tag is taken as it is).\n",
            code(tag)
        ),
        Some(false) => format!(
            "\nNo tag {} is on `{remote}`; rerunning this workflow releases it.\n",
            code(tag)
        ),
        None => "\nRerunning this workflow goes on from what is done.\n".to_string(),
    });
    if let Some(url) = run_url {
        text.push_str(&format!(
            "\n<sub>By git-hotfix in [this run]({url}).</sub>\n"
        ));
    }
    text
}

/// What the release did, as the comment, the summary and the outputs tell it.
struct Released {
    ticket: String,
    tag: String,
    /// The commit the tag names, read from the repository.
    commit: Option<ObjectId>,
    remote: String,
    url: Option<String>,
    /// Whether this run finished it (not one before).
    finished_now: bool,
    develop: Option<(String, CatchUp)>,
}

impl Released {
    fn of(done: &AfterMerge, repo: &Repo, remote: &str) -> Result<Released> {
        let tag = done.journal.tag.clone();
        Ok(Released {
            ticket: done.journal.ticket.clone(),
            commit: repo.peeled_commit(&format!("refs/tags/{tag}"))?,
            tag,
            remote: remote.to_string(),
            url: done.release.as_ref().and_then(|p| p.url.clone()),
            finished_now: matches!(done.outcome, FinishOutcome::Finished { .. }),
            develop: done.develop.clone(),
        })
    }

    fn markdown(&self, number: u64, run_url: Option<&str>) -> String {
        let mut text = format!("{MARKER}\n### Released {}\n\n", code(&self.tag));
        let on = self
            .commit
            .map(|c| format!(" on {}", short(c)))
            .unwrap_or_default();
        text.push_str(&format!(
            "Hotfix {} is tagged {}{on}, the merge of #{number}, and the tag is on `{}`.\n",
            code(&self.ticket),
            code(&self.tag),
            self.remote,
        ));
        let mut items = Vec::new();
        if let Some(url) = &self.url {
            items.push(format!("GitHub release: {url}"));
        }
        match &self.develop {
            None => {}
            Some((name, CatchUp::HasIt)) => items.push(format!("{}: has the hotfix", code(name))),
            Some((name, CatchUp::Merged { commit })) => items.push(format!(
                "{}: GitHub merged the hotfix into it ({})",
                code(name),
                &commit[..commit.len().min(7)]
            )),
            Some((name, CatchUp::Proposed { pull, why })) => items.push(format!(
                "{}: #{} brings the hotfix in ({})",
                code(name),
                pull.number,
                why
            )),
        }
        if !items.is_empty() {
            text.push('\n');
            for item in items {
                text.push_str(&format!("- {item}\n"));
            }
        }
        if !self.finished_now {
            text.push_str("\nAn earlier run had released it; nothing was done twice.\n");
        }
        if let Some(url) = run_url {
            text.push_str(&format!(
                "\n<sub>By git-hotfix in [this run]({url}).</sub>\n"
            ));
        }
        text
    }
}

/// `action --plan` for a merged hotfix pull request: what the release would do, from the
/// record its body carries and the remote's tags as they are; nothing is read into this
/// clone's journals or written.
pub fn plan(
    context: &Context,
    repo: &Repo,
    config: &Config,
    args: &ActionArgs,
    pull: &PullEvent,
    journal: &Journal,
) -> Result<Exit> {
    let ui = &context.ui;
    ui.out(format!(
        "Would release hotfix {} as {}: #{} merged",
        journal.ticket, journal.tag, pull.number
    ));
    let merge = pull.merge_commit.as_deref().unwrap_or("(none named)");
    // A rerun finds the tag an earlier run pushed: the plan says what the remote has.
    match sync::remote_tag(repo, &config.remote, &journal.tag)? {
        Some(_) => ui.out(format!(
            "  {} is on {} already: found, not tagged again",
            journal.tag, config.remote
        )),
        None => ui.out(format!(
            "  tag {} at what GitHub merged ({merge}), and push it with the hotfix's note",
            journal.tag
        )),
    }
    match args.no_release {
        true => ui.out("  publish no GitHub release (--no-release)"),
        false => ui.out(format!("  publish the GitHub release of {}", journal.tag)),
    }
    ui.out("  bring the develop branch up to the release (a pull request when it is protected or conflicts)");
    ui.out(format!(
        "Then: one comment on #{} saying what was released",
        pull.number
    ));
    Ok(Exit::Ok)
}
