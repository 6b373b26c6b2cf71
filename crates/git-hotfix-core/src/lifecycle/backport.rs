//! A backport's way onto GitHub (`backport --pr`, the bot): once its lines are picked,
//! every backport branch pushed in one leased push and proposed to its line in a pull
//! request of its own. The push and each pull request are steps of the run, so a
//! `continue` after a failure does only what is left (and never opens one twice).

use gix::ObjectId;
use jiff::Timestamp;

use super::github::{Connect, GitHub};
use crate::foundation::error::{Error, Result, Waiting};
use crate::git::push::{self, PushPlan};
use crate::git::repo::Repo;
use crate::operations::backport::{self, Backport, BackportOutcome, Target};
use crate::records::journal::{Journal, PullRecord, Store, TargetStatus};
use crate::records::run::{OpenedPull, PullRequest, Step};
use crate::settings::config::Config;
use crate::views::pull;

/// What proposing does as it goes, for the command to say.
#[derive(Debug)]
pub enum Said<'a> {
    /// `count` backport branches pushed to `remote`.
    Pushed { count: usize, remote: &'a str },
    /// A line's pull request: `opened` when this run opened it or brought it up to date,
    /// `None` when it was found as it was.
    Pull {
        target: &'a Target,
        pull: &'a PullRecord,
        opened: Option<&'a OpenedPull>,
    },
}

/// How proposing left the backport.
#[derive(Debug)]
pub struct Proposed {
    pub outcome: BackportOutcome,
    /// The finished hotfix whose record now holds the pull requests (its notes follow it
    /// to the remote).
    pub hotfix: Option<Journal>,
}

/// When a finished run asked for pull requests, push its branches and open them on the
/// GitHub `connect` reaches; a stopped or refused run, or one that asked for none, as it is.
pub fn propose(
    repo: &Repo,
    config: &Config,
    outcome: BackportOutcome,
    connect: &dyn Connect,
    now: Timestamp,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<Proposed> {
    let BackportOutcome::Done { mut run } = outcome else {
        return Ok(Proposed {
            outcome,
            hotfix: None,
        });
    };
    if !run.open_pulls {
        return Ok(Proposed {
            outcome: BackportOutcome::Done { run },
            hotfix: None,
        });
    }
    let github = connect.github(false)?;
    github.check_access()?;
    open_pulls(repo, config, github, &mut run, said)?;
    backport::complete(repo, &mut run, now)?;
    let hotfix = match run.hotfix.as_deref() {
        Some(ticket) => Store::new(repo).load_finished(ticket)?,
        None => None,
    };
    Ok(Proposed {
        outcome: BackportOutcome::Done { run },
        hotfix,
    })
}

/// The targets that go up for review: index, backport branch and its tip.
fn proposed(run: &Backport) -> Vec<(usize, String, ObjectId)> {
    if run.onto_target {
        return Vec::new();
    }
    run.targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((i, t.branch.clone(), t.proposed_tip()?)))
        .collect()
}

fn open_pulls(
    repo: &Repo,
    config: &Config,
    github: &dyn GitHub,
    run: &mut Backport,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<()> {
    let branches = proposed(run);
    // The first time: the push and the pull requests become steps of the run; a `continue`
    // does the ones left of them.
    let proposing = run
        .steps
        .0
        .iter()
        .any(|r| matches!(r.step, Step::Pull { .. }));
    let mut requests = Vec::new();
    let mut push = PushPlan {
        remote: config.remote.clone(),
        refs: Vec::new(),
    };
    let waits = |run: Waiting| {
        move |err| Error::RunWaits {
            run,
            source: Box::new(err),
        }
    };
    if !proposing {
        let tips: Vec<(String, ObjectId)> = branches
            .iter()
            .map(|(_, branch, tip)| (branch.clone(), *tip))
            .collect();
        push = push::publish_branches(repo, &config.remote, &tips)
            .map_err(waits(Waiting::BackportPush))?;
        let journal = hotfix_journal(repo, run)?;
        for (index, branch, _) in &branches {
            let target = &run.targets[*index];
            // A branch an earlier run left has its pull request already: found, not rewritten.
            let found = match target.existing {
                Some(_) => github.pull_open_from(branch, &target.target)?,
                None => None,
            };
            match found {
                Some(OpenedPull { number, url, .. }) => {
                    backport::record_pull(repo, run, *index, PullRecord { number, url })?
                }
                None => requests.push(pull_request(repo, config, journal.as_ref(), run, *index)?),
            }
        }
    }
    let pushing = push.refs.len();
    let remote = push.remote.clone();
    backport::propose(repo, run, push, requests, github).map_err(waits(Waiting::BackportPulls))?;
    if pushing > 0 {
        said(Said::Pushed {
            count: pushing,
            remote: &remote,
        });
    }
    for (index, branch, _) in branches {
        let target = &run.targets[index];
        let Some(pull) = &target.pull else { continue };
        let opened = run
            .steps
            .opened()
            .find(|(request, _)| request.head == branch)
            .map(|(_, opened)| opened);
        said(Said::Pull {
            target,
            pull,
            opened,
        });
    }
    Ok(())
}

/// The pull request proposing target `index`'s branch.
pub fn pull_request(
    repo: &Repo,
    config: &Config,
    journal: Option<&Journal>,
    run: &Backport,
    index: usize,
) -> Result<PullRequest> {
    let target = &run.targets[index];
    let text = pull::backport(repo, config, journal, run.source_pull.as_ref(), target)?;
    let github = &config.github;
    // Committed conflict markers must not be merged by accident.
    let draft = target.status == TargetStatus::Conflict || github.draft;
    Ok(PullRequest {
        head: target.branch.clone(),
        base: target.target.clone(),
        title: text.title,
        body: text.body,
        draft,
        milestone: run
            .source_pull
            .as_ref()
            .and_then(|s| s.milestone)
            .filter(|_| github.backport_copy_milestone),
        // Only a clean pick may merge itself.
        auto_merge: github.backport_auto_merge.filter(|_| !draft),
        labels: text.labels,
        reviewers: with_copied(
            &config.github.reviewers,
            config.github.backport_copy_reviewers,
            run.source_pull.as_ref().map(|s| &s.reviewers),
        ),
        assignees: with_copied(
            &config.github.assignees,
            config.github.backport_copy_assignees,
            run.source_pull.as_ref().map(|s| &s.assignees),
        ),
    })
}

/// The people a setting names, then those copied from the merged pull request when the
/// team asks for it, once each.
fn with_copied(named: &[String], copy: bool, source: Option<&Vec<String>>) -> Vec<String> {
    let mut people = named.to_vec();
    for person in source.filter(|_| copy).into_iter().flatten() {
        if !people.contains(person) {
            people.push(person.clone());
        }
    }
    people
}

/// The journal of the hotfix whose commits these are, in progress or finished.
pub fn hotfix_journal(repo: &Repo, run: &Backport) -> Result<Option<Journal>> {
    let Some(ticket) = &run.hotfix else {
        return Ok(None);
    };
    Store::new(repo).load_any(ticket)
}

/// `backport --pr --plan`: the requests the run would make, asked of a recording
/// `github`; returns the pushes, as lines for people.
pub fn rehearse(
    repo: &Repo,
    config: &Config,
    github: &dyn GitHub,
    run: &Backport,
) -> Result<Vec<String>> {
    let journal = hotfix_journal(repo, run)?;
    let mut lines = Vec::new();
    // Nothing is written yet: the branches would point at the picks.
    let branches = run
        .targets
        .iter()
        .enumerate()
        .filter(|_| !run.onto_target)
        .filter(|(_, t)| t.result.or(t.existing).is_some());
    for (index, target) in branches {
        let branch = &target.branch;
        lines.push(format!("push {branch} to {}", config.remote));
        if target.existing.is_some() {
            github.pull_open_from(branch, &target.target)?;
        } else {
            github.rehearse_pull(&pull_request(repo, config, journal.as_ref(), run, index)?)?;
        }
    }
    Ok(lines)
}
