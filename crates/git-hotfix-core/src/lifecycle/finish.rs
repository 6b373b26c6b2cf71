//! `finish`, from its arguments to where the hotfix is next: which way it goes (here,
//! through a pull request, after that pull request merged, or — finished here already —
//! only its push and release), the checks before anything moves, and what goes to GitHub
//! with it (the release of the tag, develop brought up to a merged hotfix). The command
//! parses its flags into a [`FinishRequest`], makes one call, [`finish`], and says what
//! the typed [`Finished`] holds.

use jiff::Timestamp;

use super::github::{Connect, GitHub, MergeOutcome, Release, ReleaseOutcome};
use crate::foundation::error::{Error, Result, Waiting};
use crate::foundation::names;
use crate::git::diff::{self, Style};
use crate::git::merge::Mode as MergeMode;
use crate::git::repo::Repo;
use crate::operations::finish::after_merge::{self, CatchUp};
use crate::operations::finish::begin::{self, Begin, Begun};
use crate::operations::finish::checks::{self, CheckRunner};
use crate::operations::finish::propose::{self, ProposePlan};
use crate::operations::finish::publish::{self, Publish};
use crate::operations::finish::{self as finishing, FinishOutcome, FinishPlan};
use crate::records::journal::{EventKind, Journal, ReleaseCommit, Released, Store};
use crate::records::run::{FinishOptions, Merged, OpenedPull, PullRequest};
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;
use crate::views::pull;

/// What the command line asked of a finish.
#[derive(Debug, Clone, Default)]
pub struct FinishRequest<'a> {
    /// Which hotfix, the version, the remote: where every finish begins.
    pub begin: Begin<'a>,
    /// `--pr` (`Some(true)`) or `--no-pr` (`Some(false)`); `None`: `[github] pr` decides.
    pub pull_request: Option<bool>,
    /// `--draft`: the pull request opens as a draft.
    pub draft: bool,
    /// `--release`: publish the tag's GitHub release (`[github] release` asks it too, for
    /// a tag that is pushed).
    pub release: bool,
    /// `--no-checks`.
    pub no_checks: bool,
    pub flags: Flags,
}

/// How the release is made, as the flags say it.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub no_tag: bool,
    pub no_backmerge: bool,
    pub keep: bool,
    pub no_bump: bool,
    pub no_changelog: bool,
    /// `--changelog`: the entry's text.
    pub changelog: Option<String>,
    /// `--message`: the tag's.
    pub message: Option<String>,
    /// `--ff`, `--ff-only`, `--no-ff`; `None`: `merge` in settings.
    pub merge: Option<MergeMode>,
    pub accept_settings: bool,
}

impl FinishRequest<'_> {
    fn plan(&self) -> bool {
        self.begin.reach.plan
    }

    /// Whether the tag's GitHub release is wanted (published once the tag is pushed).
    fn release_wanted(&self, config: &Config) -> bool {
        self.release || (config.github.release && !self.flags.no_tag)
    }

    fn options(&self, config: &Config) -> FinishOptions {
        let flags = &self.flags;
        FinishOptions {
            tag: !flags.no_tag,
            backmerge: !flags.no_backmerge,
            keep: flags.keep,
            push: self.begin.push,
            bump: !flags.no_bump,
            changelog: !flags.no_changelog,
            changelog_text: flags.changelog.clone(),
            message: flags.message.clone(),
            merge: flags.merge.unwrap_or(config.merge),
            push_notes: config.push_notes,
            accept_settings: flags.accept_settings,
        }
    }
}

/// What a finish needs from outside the repository, each asked only when needed.
pub struct Ports<'a> {
    pub github: &'a dyn Connect,
    /// The version files policy (a plugin, loaded on first use).
    pub policies: &'a mut dyn Policies,
    pub checks: &'a mut dyn CheckRunner,
    /// Asked when the fix changes the team's settings and `--accept-settings` was not
    /// given: `None` where nobody can answer (no terminal).
    pub accept_settings: Option<&'a mut dyn FnMut(&SettingsChanged<'_>) -> bool>,
    pub said: &'a mut dyn FnMut(Said<'_>),
}

/// Loads the policies a finish runs, when it runs them.
pub trait Policies {
    fn version_files(&mut self) -> Result<&dyn VersionFiles>;
}

/// The settings a fix changes, for a person to accept.
#[derive(Debug)]
pub struct SettingsChanged<'a> {
    pub ticket: &'a str,
    pub files: &'a [String],
    pub changes: &'a [String],
}

/// What a finish does as it goes, for the command to say as it happens.
#[derive(Debug)]
pub enum Said<'a> {
    Began(begin::Said<'a>),
    Checked(checks::Said<'a>),
    /// No commit of the fix touches a test: the checklist's `regression-test` stays
    /// unticked.
    Untested,
    /// `[github] release` is set, and the tag stays here (no `--push`).
    ReleaseStaysHere,
    /// A later push sent (or, planned, would send) what the remote lacked.
    PushedLater {
        journal: &'a Journal,
        publish: &'a Publish,
    },
}

/// Where a finish left the hotfix.
#[derive(Debug)]
pub enum Finished {
    /// Finished here: merged, tagged (pushed), or stopped on a conflict.
    Here {
        journal: Box<Journal>,
        outcome: Box<FinishOutcome>,
        /// The tag's GitHub release, when one was published.
        release: Option<ReleaseOutcome>,
    },
    /// `--plan` of a finish here.
    HerePlanned(Box<HerePlan>),
    /// Put up for review: the release commit pushed on the hotfix branch, the pull request
    /// opened.
    Proposed {
        plan: Box<ProposePlan>,
        pull: OpenedPull,
    },
    /// `--plan` of a finish through a pull request.
    ProposePlanned {
        plan: Box<ProposePlan>,
        pull: PullRequest,
    },
    /// `--after-merge`: what merged tagged and released.
    Merged(Box<AfterMerge>),
    /// `--plan` of `--after-merge`: its steps, as lines for people.
    MergePlanned { ticket: String, steps: Vec<String> },
    /// The hotfix was finished here already: its push or its release was what was left.
    Already(Box<Already>),
}

/// `--plan` of a finish here.
#[derive(Debug)]
pub struct HerePlan {
    pub plan: FinishPlan,
    /// The checks it would run first.
    pub checks: Vec<String>,
    /// The release commit's changes, as a diff.
    pub release_diff: Option<String>,
    /// Whether it would publish the tag's GitHub release.
    pub release: bool,
}

/// What `finish --after-merge` did.
#[derive(Debug)]
pub struct AfterMerge {
    pub journal: Journal,
    pub outcome: FinishOutcome,
    /// The GitHub release, when one was asked for.
    pub release: Option<ReleaseOutcome>,
    /// How the develop branch (named) came to have the hotfix.
    pub develop: Option<(String, CatchUp)>,
}

/// What a finish of a hotfix finished already did.
#[derive(Debug)]
pub struct Already {
    pub journal: Journal,
    pub pushed: Option<Publish>,
    pub release: Option<ReleaseOutcome>,
    pub plan: bool,
}

/// Finish the hotfix `request` names, the way it asks.
pub fn finish(
    repo: &Repo,
    config: &Config,
    request: &FinishRequest<'_>,
    ports: Ports<'_>,
) -> Result<Finished> {
    let Ports {
        github,
        policies,
        checks,
        accept_settings,
        said,
    } = ports;
    let plan = request.plan();
    let now = request.begin.now;
    let release = request.release_wanted(config);
    let began = begin::begin(repo, config, &request.begin, &mut |s| said(Said::Began(s)))?;
    let mut journal = match began {
        Begun::Ready(journal) => journal,
        Begun::FinishedAlready(journal) => {
            let later = Later {
                push: request.begin.push,
                tag_only: false,
                release,
                plan,
            };
            return finished_already(repo, config, journal, later, github, now, said)
                .map(|a| Finished::Already(Box::new(a)));
        }
    };
    let options = request.options(config);
    if request.begin.after_merge {
        let options = FinishOptions {
            push: true,
            ..options
        };
        // Nothing to ask GitHub about without a pull request.
        proposed_pull(&journal)?;
        let github = github.github(plan)?;
        github.check_access()?;
        if plan {
            return plan_after_merge(repo, config, journal, github, &options, release, now);
        }
        return after_merge(repo, config, github, journal, &options, release, now)
            .map(|done| Finished::Merged(Box::new(done)));
    }
    let version_files = policies.version_files()?;
    if !plan {
        if untested(repo, &journal)? {
            said(Said::Untested);
        }
        let said = &mut |s: checks::Said<'_>| said(Said::Checked(s));
        let checked =
            checks::before_finish(repo, config, &mut journal, request.no_checks, checks, said);
        checks.done();
        checked?;
    }
    if request.pull_request.unwrap_or(config.github.pr) {
        let github = github.github(plan)?;
        return propose(
            repo,
            config,
            journal,
            &options,
            version_files,
            github,
            request,
        );
    }
    if request.release && !options.push {
        return Err(Error::ReleaseNotPushed);
    }
    // `[github] release` publishes only what is pushed.
    if release && !options.push && options.tag {
        said(Said::ReleaseStaysHere);
    }
    let release = release && options.push;
    if plan {
        return plan_here(
            repo,
            config,
            journal,
            &options,
            version_files,
            github,
            request,
        );
    }
    let here_with = Here {
        version_files,
        github: releasing(github, release)?,
        accept_settings,
    };
    here(repo, config, journal, &options, here_with, now)
}

/// The GitHub a finish publishes its release on, when it does: the token must work before
/// anything moves.
pub fn releasing(github: &dyn Connect, release: bool) -> Result<Option<&dyn GitHub>> {
    if !release {
        return Ok(None);
    }
    let github = github.github(false)?;
    github.check_access()?;
    Ok(Some(github))
}

/// What a finish here works with besides the repository.
pub struct Here<'a> {
    pub version_files: &'a dyn VersionFiles,
    /// Where the pushed tag gets its GitHub release, when it does.
    pub github: Option<&'a dyn GitHub>,
    /// A fix that changes the team's settings, refused before anything was written, may
    /// be accepted by a person.
    pub accept_settings: Option<&'a mut dyn FnMut(&SettingsChanged<'_>) -> bool>,
}

/// Finish `journal` here, and publish the pushed tag's GitHub release.
fn here(
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    with: Here<'_>,
    now: Timestamp,
) -> Result<Finished> {
    let Here {
        version_files,
        github,
        accept_settings: accept,
    } = with;
    let run = |journal: &mut Journal, options: &FinishOptions| {
        finishing::run(repo, config, journal, options, Some(version_files), now)
    };
    let outcome = match (run(&mut journal, options), accept) {
        (
            Err(Error::SettingsChange {
                ticket,
                files,
                changes,
            }),
            Some(accept),
        ) => {
            let asked = SettingsChanged {
                ticket: &ticket,
                files: &files,
                changes: &changes,
            };
            if !accept(&asked) {
                return Err(Error::SettingsNotAccepted { ticket });
            }
            let accepted = FinishOptions {
                accept_settings: true,
                ..options.clone()
            };
            run(&mut journal, &accepted)?
        }
        (outcome, _) => outcome?,
    };
    let release = match (github, &outcome, journal.released()) {
        (Some(github), FinishOutcome::Finished { pushed: true, .. }, Some(released)) => Some(
            publish_release(repo, config, github, &mut journal, released, now)?,
        ),
        _ => None,
    };
    Ok(Finished::Here {
        journal: Box::new(journal),
        outcome: Box::new(outcome),
        release,
    })
}

/// `--plan` of a finish here: the plan, the checks first, the release commit's diff, and
/// the release published on a recording client.
fn plan_here(
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    version_files: &dyn VersionFiles,
    github: &dyn Connect,
    request: &FinishRequest<'_>,
) -> Result<Finished> {
    let release = request.release_wanted(config) && options.push;
    let checks = match request.no_checks {
        true => Vec::new(),
        false => checks::configured(config, &journal)?.to_vec(),
    };
    let mem = repo.in_memory();
    let plan = finishing::plan(
        repo,
        &mem,
        config,
        &journal,
        options,
        &Default::default(),
        Some(version_files),
    )?;
    // The release commit is in memory: its diff shows the exact edits.
    let release_diff = match &plan.release {
        Some(commit) => Some(
            diff::commit(&mem, commit.commit, Style::Review)?
                .iter()
                .map(|f| String::from_utf8_lossy(&f.text).into_owned())
                .collect(),
        ),
        None => None,
    };
    if release {
        let released = Released {
            tag: plan
                .tag
                .as_ref()
                .map_or(journal.tag.clone(), |t| t.name.clone()),
            notes: plan.release.as_ref().and_then(ReleaseCommit::notes),
        };
        let github = github.github(true)?;
        publish_release(
            repo,
            config,
            github,
            &mut journal,
            released,
            request.begin.now,
        )?;
    }
    Ok(Finished::HerePlanned(Box::new(HerePlan {
        plan,
        checks,
        release_diff,
        release,
    })))
}

/// `finish --pr`: the release commit on the hotfix branch, the branch pushed, and a pull
/// request into production opened (or brought up to date); planned, the same on a
/// recording client.
fn propose(
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    options: &FinishOptions,
    version_files: &dyn VersionFiles,
    github: &dyn GitHub,
    request: &FinishRequest<'_>,
) -> Result<Finished> {
    let draft = request.draft;
    if request.plan() {
        let mem = repo.in_memory();
        let plan = propose::plan(repo, &mem, config, &journal, options, Some(version_files))?;
        let pull = pull_request(config, &journal, &plan, draft);
        github.check_access()?;
        github.rehearse_pull(&pull)?;
        return Ok(Finished::ProposePlanned {
            plan: Box::new(plan),
            pull,
        });
    }
    // The token must work before anything is pushed.
    github.check_access()?;
    let describe =
        |journal: &Journal, plan: &ProposePlan| pull_request(config, journal, plan, draft);
    let opening = propose::Opening {
        describe: &describe,
        forge: github,
    };
    let now = request.begin.now;
    let ticket = journal.ticket.clone();
    let (plan, proposed) = propose::run(
        repo,
        config,
        &mut journal,
        options,
        Some(version_files),
        opening,
        now,
    )
    .map_err(|err| waits(repo, &ticket, Waiting::Proposal, err))?;
    let pull = proposed
        .pull
        .expect("a finish --pr run opens its pull request");
    Ok(Finished::Proposed {
        plan: Box::new(plan),
        pull,
    })
}

/// A rollback whose hotfix is started goes on as that hotfix's finish, here or through a
/// pull request (as it started); whatever stops it, its run waits in the journal for
/// `continue` or `abort`.
pub fn rollback_goes_on(
    repo: &Repo,
    config: &Config,
    journal: Journal,
    version_files: &dyn VersionFiles,
    github: &dyn Connect,
    release: bool,
    now: Timestamp,
) -> Result<Finished> {
    let run = journal.run.clone().expect("a rollback's run");
    let ticket = journal.ticket.clone();
    let finished = match run.reverts.as_ref().is_some_and(|r| r.pr) {
        true => {
            let request = FinishRequest {
                begin: Begin {
                    now,
                    ..Begin::default()
                },
                ..FinishRequest::default()
            };
            let github = github.github(false)?;
            propose(
                repo,
                config,
                journal,
                &run.options,
                version_files,
                github,
                &request,
            )
        }
        false => {
            let with = Here {
                version_files,
                github: releasing(github, release)?,
                accept_settings: None,
            };
            here(repo, config, journal, &run.options, with, now)
        }
    };
    finished.map_err(|err| waits(repo, &ticket, Waiting::Rollback, err))
}

/// `err`, told that the run of `ticket` waits when its journal holds it (whichever step
/// stopped it: the push, GitHub).
fn waits(repo: &Repo, ticket: &str, run: Waiting, err: Error) -> Error {
    match Store::new(repo).run_waits(ticket) {
        true => Error::RunWaits {
            run,
            source: Box::new(err),
        },
        false => err,
    }
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
        milestone: None,
        auto_merge: None,
    }
}

/// `--plan` of `--after-merge`: GitHub asked on a recording client, the steps as lines.
fn plan_after_merge(
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    github: &dyn GitHub,
    options: &FinishOptions,
    release: bool,
    now: Timestamp,
) -> Result<Finished> {
    let pull = proposed_pull(&journal)?;
    github.pull(pull.number)?;
    if release {
        let released = Released {
            tag: journal.tag.clone(),
            notes: journal
                .proposal
                .as_ref()
                .and_then(|p| p.release.as_ref())
                .and_then(ReleaseCommit::notes),
        };
        // On a recording client: nothing is published, nor recorded.
        publish_release(repo, config, github, &mut journal, released, now)?;
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
        github.branch(config.develop_branch.as_deref().unwrap_or("develop"))?;
        steps.push(
            "bring develop up to the hotfix: GitHub merges it, or a pull request does when develop is protected or the merge conflicts"
                .to_string(),
        );
    }
    Ok(Finished::MergePlanned {
        ticket: journal.ticket.clone(),
        steps,
    })
}

fn proposed_pull(journal: &Journal) -> Result<crate::records::journal::PullRecord> {
    journal
        .proposal
        .as_ref()
        .and_then(|p| p.pull.clone())
        .ok_or_else(|| Error::NotProposed {
            ticket: journal.ticket.clone(),
        })
}

/// Ask GitHub what merged of the hotfix's pull request, tag it and finish the hotfix; with
/// `release`, publish the tag's GitHub release too; develop is brought up to it on GitHub.
pub fn after_merge(
    repo: &Repo,
    config: &Config,
    github: &dyn GitHub,
    mut journal: Journal,
    options: &FinishOptions,
    release: bool,
    now: Timestamp,
) -> Result<AfterMerge> {
    let pull = proposed_pull(&journal)?;
    let Some(state) = github.pull(pull.number)? else {
        return Err(Error::PullGone {
            number: pull.number,
        });
    };
    let merge_commit = state
        .merge_commit
        .as_deref()
        .filter(|_| state.merged)
        .and_then(|sha| gix::ObjectId::from_hex(sha.as_bytes()).ok());
    let Some(merge_commit) = merge_commit else {
        return Err(Error::PullNotMerged {
            number: pull.number,
            url: state.url,
            open: state.state == "open",
        });
    };
    after_merge::fetch(repo, config, &state.base, merge_commit, &journal.tag)?;
    // A record carried in the pull request's body says what is released only as far as
    // what merged says it too; checked before anything is written.
    crate::records::carried::verify_merged(repo, &journal, merge_commit)?;
    // What merged of the branch, as GitHub has it (review commits pushed there included).
    let head = state.head_sha.clone();
    let merged = Merged {
        number: state.number,
        url: state.url.clone(),
        base: state.base.clone(),
        commit: merge_commit,
        at: state.merged_at.as_deref().and_then(|t| t.parse().ok()),
    };
    let outcome = after_merge::run(repo, config, &mut journal, options, &merged, now)?;
    let finished = matches!(outcome, FinishOutcome::Finished { .. });
    let release = match journal.released() {
        Some(released) if release && finished => Some(publish_release(
            repo,
            config,
            github,
            &mut journal,
            released,
            now,
        )?),
        _ => None,
    };
    let develop = match finished && options.backmerge && merged.base == config.production_branch {
        true => catch_up_develop(config, github, &journal, &merged, &head)?,
        false => None,
    };
    Ok(AfterMerge {
        journal,
        outcome,
        release,
        develop,
    })
}

/// The develop branch a hotfix merged into production is brought into: the configured or
/// found one, else GitHub's `develop` unless `develop-branch = ""` (a one-branch checkout
/// has no local develop to find).
fn develop_on_github(
    config: &Config,
    github: &dyn GitHub,
) -> Result<Option<super::github::Branch>> {
    let name = match (&config.develop_branch, config.develop_off) {
        (Some(name), _) => name.clone(),
        (None, true) => return Ok(None),
        (None, false) => "develop".to_string(),
    };
    if name == config.production_branch {
        return Ok(None);
    }
    github.branch(&name)
}

/// Bring develop up to the hotfix that merged into production, as a local `finish` merges
/// it back: GitHub merges the hotfix branch as it merged (`head`) (`POST /merges`, so no
/// clone needs the history a merge base takes); when develop is protected, or the merge
/// conflicts, a pull request from a branch at the hotfix does it instead.
fn catch_up_develop(
    config: &Config,
    github: &dyn GitHub,
    journal: &Journal,
    merged: &Merged,
    head: &str,
) -> Result<Option<(String, CatchUp)>> {
    let Some(develop) = develop_on_github(config, github)? else {
        return Ok(None);
    };
    let name = develop.name.clone();
    if github.has_commit(&name, head)? {
        return Ok(Some((name, CatchUp::HasIt)));
    }
    let branch = format!("catch-up/{name}/{}", journal.tag);
    names::validate_ref(names::BRANCH_PREFIX, &branch)?;
    // An earlier run's pull request stands as it is (people may be resolving it).
    if let Some(pull) = github.pull_open_from(&branch, &name)? {
        let why = "an earlier run opened it".to_string();
        return Ok(Some((name, CatchUp::Proposed { pull, why })));
    }
    let why = if develop.protected {
        format!("`{name}` is protected")
    } else {
        let message = crate::git::merge::merge_message(&journal.branch, &name);
        match github.merge_into(&name, head, &message)? {
            MergeOutcome::Merged { sha } => {
                return Ok(Some((name, CatchUp::Merged { commit: sha })));
            }
            MergeOutcome::HasIt => return Ok(Some((name, CatchUp::HasIt))),
            MergeOutcome::Conflict => format!("merging it into `{name}` conflicts"),
            MergeOutcome::Refused { reason } => format!("GitHub would not merge it: {reason}"),
        }
    };
    github.ensure_branch(&branch, head)?;
    let request = PullRequest {
        head: branch.clone(),
        base: name.clone(),
        title: format!("Merge hotfix {} into {name}", journal.tag),
        body: pull::catch_up(journal, merged, &name, &branch, &config.remote, &why),
        draft: false,
        labels: vec!["hotfix".into()],
        reviewers: config.github.reviewers.clone(),
        assignees: config.github.assignees.clone(),
        milestone: None,
        auto_merge: None,
    };
    let pull = github.ensure_pull(&request)?;
    Ok(Some((name, CatchUp::Proposed { pull, why })))
}

/// Publish (or bring up to date) the GitHub release of `released`, a tag that is on the
/// remote already, and remember its page in the journal.
pub fn publish_release(
    repo: &Repo,
    config: &Config,
    github: &dyn GitHub,
    journal: &mut Journal,
    released: Released,
    now: Timestamp,
) -> Result<ReleaseOutcome> {
    let release = Release {
        name: released.tag.clone(),
        body: released
            .notes
            .unwrap_or_else(|| format!("{}: {}\n", journal.ticket, journal.description)),
        // A fix to an older line leaves the repository's latest release where it is.
        make_latest: crate::operations::release::is_latest(repo, config, journal)?,
        tag: released.tag,
    };
    let outcome = github
        .ensure_release(&release)
        .map_err(|err| Error::ReleaseNotPublished {
            ticket: journal.ticket.clone(),
            source: Box::new(err),
        })?;
    if let Some(url) = &outcome.url {
        let known = journal.events.iter().any(
            |e| matches!(&e.what, EventKind::ReleasePublished { url: known, .. } if known == url),
        );
        if !known {
            let what = EventKind::ReleasePublished {
                tag: release.tag.clone(),
                url: url.clone(),
            };
            Store::new(repo).append(journal, now, what)?;
        }
    }
    Ok(outcome)
}

/// What a `finish` of a hotfix that finished already may still do.
#[derive(Debug, Clone, Copy)]
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
    repo: &Repo,
    config: &Config,
    mut journal: Journal,
    later: Later,
    github: &dyn Connect,
    now: Timestamp,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<Already> {
    // The token must work before anything is pushed.
    let github = match journal.released().is_some() && later.release {
        true => {
            let github = github.github(later.plan)?;
            if !later.plan {
                github.check_access()?;
            }
            Some(github)
        }
        false => None,
    };
    let pushed = match later.push {
        true => {
            let publish = push_later(repo, config, &mut journal, later.tag_only, later.plan, now)?;
            said(Said::PushedLater {
                journal: &journal,
                publish: &publish,
            });
            Some(publish)
        }
        false => None,
    };
    let release = match (github, journal.released()) {
        (Some(github), Some(released)) => Some(publish_release(
            repo,
            config,
            github,
            &mut journal,
            released,
            now,
        )?),
        _ => None,
    };
    Ok(Already {
        journal,
        pushed,
        release,
        plan: later.plan,
    })
}

/// Push what the finish of `journal` made (only its tag: `tag_only`) that the remote lacks;
/// planned, only say what.
fn push_later(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    tag_only: bool,
    plan: bool,
    now: Timestamp,
) -> Result<Publish> {
    let publish = publish::plan(repo, config, journal, tag_only)?;
    if !plan {
        publish::run(repo, journal, &publish, now)?;
    }
    Ok(publish)
}

/// Whether no commit of the fix touches a test: the workflow asks for a regression test
/// with every fix, and the checklist's item would otherwise stay unticked unseen.
fn untested(repo: &Repo, journal: &Journal) -> Result<bool> {
    let checklist = crate::views::incident::checklist(repo, journal, &[])?;
    Ok(checklist
        .iter()
        .any(|tick| tick.item == crate::records::journal::Item::RegressionTest && !tick.done()))
}
