//! Finishing through a pull request. `finish --pr`: the release commit on the hotfix
//! branch, the branch pushed, and a pull request into production opened (or brought up to
//! date) on GitHub. `finish --after-merge`: once GitHub merged it, what merged is tagged.

use git_hotfix_core::foundation::names;
use git_hotfix_core::git::repo::Repo;
use git_hotfix_core::operations::finish::FinishOutcome;
use git_hotfix_core::operations::finish::after_merge::{self, CatchUp};
use git_hotfix_core::operations::finish::propose::{self, ProposePlan};
use git_hotfix_core::records::journal::{ReleaseCommit, Released, Store};
use git_hotfix_core::records::run::{FinishOptions, Merged, OpenedPull, PullRequest};
use git_hotfix_core::settings::config::Config;
use git_hotfix_core::settings::policy::VersionFiles;
use git_hotfix_core::views::pull;
use git_hotfix_core::{Error as CoreError, Journal, ObjectId};
use git_hotfix_github::{MergeOutcome, ReleaseOutcome};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::{self, Forge};
use crate::render::finish::{
    AfterMergePlanDocument, ProposePlanDocument, ProposedDocument, ProposedPull, local_steps,
};
use crate::ui::{EMPHASIS, paint};

/// How the pull request is opened.
pub struct PullOptions {
    pub draft: bool,
    pub plan: bool,
}

pub fn run(
    context: &Context,
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    version_files: &dyn VersionFiles,
    pull_options: PullOptions,
) -> Result<Exit> {
    let ui = &context.ui;
    let forge = Forge::connect(context, repo, config, pull_options.plan)?;

    if pull_options.plan {
        let mem = repo.in_memory();
        let plan = propose::plan(repo, &mem, config, &journal, options, Some(version_files))?;
        let spec = forge::spec(&pull_request(config, &journal, &plan, pull_options.draft));
        forge.run(forge.github.check_access())?;
        forge.run(forge.github.ensure_pull(&spec))?;
        if ui.json_mode() {
            ui.json(&ProposePlanDocument {
                plan: &plan,
                pull: &spec,
                requests: forge.github.planned(),
                executed: false,
            });
            return Ok(Exit::Ok);
        }
        ui.out(format!(
            "Would open a pull request for hotfix {} ({} into {}):",
            paint(EMPHASIS, &plan.ticket),
            plan.branch,
            plan.base
        ));
        for line in local_steps(&plan) {
            ui.out(format!("  - {line}"));
        }
        ui.out(format!("  - open \"{}\"", spec.title));
        ui.out("");
        ui.out(format!(
            "GitHub requests (to {}; an open pull request for the branch is updated instead):",
            forge.github.repository()
        ));
        for line in forge.planned_lines() {
            ui.out(format!("  {line}"));
        }
        return Ok(Exit::Ok);
    }

    // The token must work before anything is pushed.
    forge.run(forge.github.check_access())?;
    let draft = pull_options.draft;
    let journal_ticket = journal.ticket.clone();
    let describe =
        |journal: &Journal, plan: &ProposePlan| pull_request(config, journal, plan, draft);
    let (plan, proposed) = propose::run(
        repo,
        config,
        &mut journal,
        options,
        Some(version_files),
        propose::Opening {
            describe: &describe,
            forge: &forge,
        },
        context.now,
    )
    .map_err(|err| {
        let mut err = CommandError::from(err);
        // The run waits in the journal, whichever step stopped it (the push, GitHub).
        if Store::new(repo).run_waits(&journal_ticket) {
            err.hints = vec![
                "`git hotfix continue` goes on from where it stopped (it never opens two pull requests); `git hotfix abort` takes the run back"
                    .into(),
            ];
        }
        err
    })?;
    let opened = proposed
        .pull
        .expect("a finish --pr run opens its pull request");
    if ui.json_mode() {
        ui.json(&ProposedDocument {
            executed: true,
            proposal: &plan,
            pull: ProposedPull::of(&opened),
        });
        return Ok(Exit::Ok);
    }
    crate::render::finish::proposed(context, &plan, &opened);
    Ok(Exit::Ok)
}

/// The pull request `plan` asks for, in `config`'s words.
fn pull_request(
    config: &Config,
    journal: &Journal,
    plan: &ProposePlan,
    draft: bool,
) -> PullRequest {
    let text = pull::hotfix(config, journal, plan);
    PullRequest {
        head: plan.branch.clone(),
        base: plan.base.clone(),
        title: text.title,
        body: text.body,
        draft: draft || config.github.draft,
        labels: text.labels,
        reviewers: config.github.reviewers.clone(),
        assignees: config.github.assignees.clone(),
    }
}

/// `finish --after-merge`: ask GitHub whether the hotfix's pull request merged, then tag
/// the merge and finish; with `release`, publish the tag's GitHub release too.
pub fn after_merge(
    context: &Context,
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    release: bool,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    let Some(pull) = journal.proposal.as_ref().and_then(|p| p.pull.clone()) else {
        return Err(CoreError::NotProposed {
            ticket: journal.ticket.clone(),
        }
        .into());
    };
    let forge = Forge::connect(context, repo, config, plan)?;
    forge.run(forge.github.check_access())?;

    if plan {
        forge.run(forge.github.pull(pull.number))?;
        if release {
            let released = Released {
                tag: journal.tag.clone(),
                notes: journal
                    .proposal
                    .as_ref()
                    .and_then(|p| p.release.as_ref())
                    .and_then(ReleaseCommit::notes),
            };
            forge.publish_release(context, repo, config, &mut journal, released)?;
        }
        let base = journal.proposal.as_ref().map_or("", |p| p.base.as_str());
        let mut steps = vec![
            format!(
                "ask GitHub whether #{} ({}) has merged",
                pull.number, pull.url
            ),
            format!("fetch {base} from {}", config.remote),
        ];
        if options.tag {
            steps.push(format!(
                "tag {} on the merge, and push the tag",
                journal.tag
            ));
        }
        steps.push(format!(
            "bring the local {base} up to {}/{base}",
            config.remote
        ));
        if !options.keep {
            steps.push(format!("delete {}", journal.branch));
        }
        if release {
            steps.push(format!("publish the GitHub release of {}", journal.tag));
        }
        if options.backmerge && base == config.production_branch {
            forge.run(
                forge
                    .github
                    .branch(config.develop_branch.as_deref().unwrap_or("develop")),
            )?;
            steps.push(
                "bring develop up to the hotfix: GitHub merges it, or a pull request does when develop is protected or the merge conflicts"
                    .to_string(),
            );
        }
        let requests = forge.planned_lines();
        if ui.json_mode() {
            ui.json(&AfterMergePlanDocument {
                steps: &steps,
                requests: &requests,
                executed: false,
            });
            return Ok(Exit::Ok);
        }
        ui.out(format!(
            "Would finish hotfix {} after its merge:",
            paint(EMPHASIS, &journal.ticket)
        ));
        for step in steps {
            ui.out(format!("  - {step}"));
        }
        ui.out("");
        ui.out(format!(
            "GitHub requests (to {}):",
            forge.github.repository()
        ));
        for line in requests {
            ui.out(format!("  {line}"));
        }
        return Ok(Exit::Ok);
    }

    finish_merged(context, repo, config, &forge, journal, options, release)?.report(context, repo)
}

/// What `finish --after-merge` did.
pub struct AfterMerge {
    pub journal: Journal,
    pub outcome: FinishOutcome,
    /// The GitHub release, when one was asked for.
    pub published: Option<ReleaseOutcome>,
    /// How the develop branch (named) came to have the hotfix.
    pub develop: Option<(String, CatchUp)>,
}

impl AfterMerge {
    /// Tell what it did; the exit code says how it ended.
    pub fn report(&self, context: &Context, repo: &Repo) -> Result<Exit> {
        let exit = crate::render::finish::report(
            context,
            &self.journal,
            &self.outcome,
            self.published.as_ref(),
        )?;
        crate::audit::share_finished(context, repo, &self.journal, &self.outcome);
        crate::render::finish::report_catch_up(context, self.develop.as_ref());
        Ok(exit)
    }
}

/// Ask GitHub what merged of the hotfix's pull request, tag it and finish the hotfix; with
/// `release`, publish the tag's GitHub release too.
pub fn finish_merged(
    context: &Context,
    repo: &Repo,
    config: &Config,
    forge: &Forge,
    mut journal: Journal,
    options: &FinishOptions,
    release: bool,
) -> Result<AfterMerge> {
    let Some(pull) = journal.proposal.as_ref().and_then(|p| p.pull.clone()) else {
        return Err(CoreError::NotProposed {
            ticket: journal.ticket.clone(),
        }
        .into());
    };
    let state = forge.run(forge.github.pull(pull.number))?;
    let Some(state) = state else {
        return Err(CommandError::new(
            Exit::Remote,
            format!("pull request #{} is gone from GitHub", pull.number),
        )
        .hint("open it again with `git hotfix finish --pr`"));
    };
    let merge_commit = state
        .merge_commit
        .as_deref()
        .filter(|_| state.merged)
        .and_then(|sha| ObjectId::from_hex(sha.as_bytes()).ok());
    let Some(merge_commit) = merge_commit else {
        let (message, hint) = if state.state == "open" {
            (
                format!("pull request #{} has not merged yet", pull.number),
                format!(
                    "get it reviewed and merged ({}), then run `git hotfix finish --after-merge` again",
                    state.url
                ),
            )
        } else {
            (
                format!("pull request #{} was closed without merging", pull.number),
                "reopen it on GitHub, or run `git hotfix finish --pr` again to open a new one"
                    .to_string(),
            )
        };
        return Err(CommandError::new(Exit::Error, message).hint(hint));
    };
    after_merge::fetch(repo, config, &state.base, &journal.tag)?;
    // What merged of the branch, as GitHub has it (review commits pushed there included).
    let head = state.head_sha.clone();
    let merged = Merged {
        number: state.number,
        url: state.url.clone(),
        base: state.base.clone(),
        commit: merge_commit,
        at: state.merged_at.as_deref().and_then(|t| t.parse().ok()),
    };
    let outcome = after_merge::run(repo, config, &mut journal, options, &merged, context.now)?;
    let finished = matches!(outcome, FinishOutcome::Finished { .. });
    let published = match journal.released() {
        Some(released) if release && finished => {
            Some(forge.publish_release(context, repo, config, &mut journal, released)?)
        }
        _ => None,
    };
    let develop = match finished && options.backmerge && merged.base == config.production_branch {
        true => catch_up_develop(config, forge, &journal, &merged, &head)?,
        false => None,
    };
    Ok(AfterMerge {
        journal,
        outcome,
        published,
        develop,
    })
}

/// The develop branch a hotfix merged into production is brought into: the configured or
/// found one, else GitHub's `develop` unless `develop-branch = ""` (a one-branch checkout
/// has no local develop to find).
fn develop_on_github(config: &Config, forge: &Forge) -> Result<Option<git_hotfix_github::Branch>> {
    let name = match (&config.develop_branch, config.develop_off) {
        (Some(name), _) => name.clone(),
        (None, true) => return Ok(None),
        (None, false) => "develop".to_string(),
    };
    if name == config.production_branch {
        return Ok(None);
    }
    forge.run(forge.github.branch(&name))
}

/// Bring develop up to the hotfix that merged into production, as a local `finish` merges
/// it back: GitHub merges the hotfix branch as it merged (`head`) (`POST /merges`, so no clone
/// needs the history a merge base takes); when develop is protected, or the merge
/// conflicts, a pull request from a branch at the hotfix does it instead.
fn catch_up_develop(
    config: &Config,
    forge: &Forge,
    journal: &Journal,
    merged: &Merged,
    head: &str,
) -> Result<Option<(String, CatchUp)>> {
    let Some(develop) = develop_on_github(config, forge)? else {
        return Ok(None);
    };
    let name = develop.name.clone();
    if forge.run(forge.github.has_commit(&name, head))? {
        return Ok(Some((name, CatchUp::HasIt)));
    }
    let branch = format!("catch-up/{name}/{}", journal.tag);
    names::validate_ref(names::BRANCH_PREFIX, &branch)?;
    // An earlier run's pull request stands as it is (people may be resolving it).
    if let Some(pull) = forge.run(forge.github.open_pull(&branch, &name))? {
        let pull = OpenedPull {
            number: pull.number,
            url: pull.url,
            created: false,
            changes: Vec::new(),
            warnings: Vec::new(),
        };
        let why = "an earlier run opened it".to_string();
        return Ok(Some((name, CatchUp::Proposed { pull, why })));
    }
    let why = if develop.protected {
        format!("`{name}` is protected")
    } else {
        let message = git_hotfix_core::git::merge::merge_message(&journal.branch, &name);
        match forge.run(forge.github.merge_into(&name, head, &message))? {
            MergeOutcome::Merged { sha } => {
                return Ok(Some((name, CatchUp::Merged { commit: sha })));
            }
            MergeOutcome::HasIt => return Ok(Some((name, CatchUp::HasIt))),
            MergeOutcome::Conflict => format!("merging it into `{name}` conflicts"),
            MergeOutcome::Refused { reason } => format!("GitHub would not merge it: {reason}"),
        }
    };
    forge.run(forge.github.ensure_branch(&branch, head))?;
    let request = PullRequest {
        head: branch.clone(),
        base: name.clone(),
        title: format!("Merge hotfix {} into {name}", journal.tag),
        body: pull::catch_up(journal, merged, &name, &branch, &config.remote, &why),
        draft: false,
        labels: vec!["hotfix".into()],
        reviewers: config.github.reviewers.clone(),
        assignees: config.github.assignees.clone(),
    };
    let outcome = forge.run(forge.github.ensure_pull(&forge::spec(&request)))?;
    let pull = outcome.pull.expect("a live client opens the pull request");
    Ok(Some((
        name,
        CatchUp::Proposed {
            pull: OpenedPull {
                number: pull.number,
                url: pull.url,
                created: outcome.created,
                changes: outcome.changes,
                warnings: outcome.warnings,
            },
            why,
        },
    )))
}
