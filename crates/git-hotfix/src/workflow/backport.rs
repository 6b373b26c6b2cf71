//! A backport as `backport` and the action ask for it: the lines caught up with the
//! remote, a merged pull request's commits found on GitHub, the run; and with `--pr`, every
//! backport branch pushed in one leased push and proposed to its line in a pull request of
//! its own. Each pull request is remembered in the backport's journal as it opens, so
//! `continue` after a failure opens only the ones left.

use git_hotfix_core::foundation::names::BackportTemplate;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::push::{self, PushPlan};
use git_hotfix_core::operations::backport::merged::{self, MergedPull};
use git_hotfix_core::operations::backport::{
    self, Backport, BackportOutcome, BackportRequest, OnConflict, Progress, What,
};
use git_hotfix_core::records::carried;
use git_hotfix_core::records::journal::{PullRecord, Store, TargetStatus};
use git_hotfix_core::records::run::{PullRequest, Step};
use git_hotfix_core::views::pull;
use git_hotfix_core::{Config, Journal, ObjectId, Repo};
use git_hotfix_github::Pull;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::{self, Forge};
use crate::render::backport::{BackportDocument, progress_bar, row, target_done, verb, what};
use crate::ui::{EMPHASIS, paint};
use git_hotfix_core::operations::remote::{self, Reach};

/// End a backport run: when it asked for pull requests, push its branches and open them
/// (connecting to GitHub unless `forge` is given), then tell how it went.
pub fn finish_run(
    context: &Context,
    repo: &Repo,
    outcome: BackportOutcome,
    forge: Option<Forge>,
) -> Result<Exit> {
    let outcome = propose(context, repo, outcome, forge)?;
    crate::render::backport::report(context, &outcome)
}

/// When a finished run asked for pull requests, push its branches and open them
/// (connecting to GitHub unless `forge` is given); a stopped or refused run as it is.
pub fn propose(
    context: &Context,
    repo: &Repo,
    outcome: BackportOutcome,
    forge: Option<Forge>,
) -> Result<BackportOutcome> {
    let BackportOutcome::Done { mut run } = outcome else {
        return Ok(outcome);
    };
    if run.open_pulls {
        let config = context.config(repo)?;
        let forge = match forge {
            Some(forge) => forge,
            None => {
                let forge = Forge::connect(context, repo, &config, false)?;
                forge.run(forge.github.check_access())?;
                forge
            }
        };
        open_pulls(context, repo, &config, &forge, &mut run)?;
        backport::complete(repo, &mut run, context.now)?;
        // The pull requests are in the finished hotfix's record now: its notes follow.
        if let Some(journal) = run
            .hotfix
            .as_deref()
            .map(|ticket| Store::new(repo).load_finished(ticket))
            .transpose()?
            .flatten()
        {
            crate::audit::share(context, repo, &journal);
        }
    }
    Ok(BackportOutcome::Done { run })
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
    context: &Context,
    repo: &Repo,
    config: &Config,
    forge: &Forge,
    run: &mut Backport,
) -> Result<()> {
    let ui = &context.ui;
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
    if !proposing {
        let tips: Vec<(String, ObjectId)> = branches
            .iter()
            .map(|(_, branch, tip)| (branch.clone(), *tip))
            .collect();
        push = push::publish_branches(repo, &config.remote, &tips).map_err(|err| {
            CommandError::from(err).hint(
                "the backport branches are made; `git hotfix continue` pushes them and opens the pull requests",
            )
        })?;
        let journal = hotfix_journal(repo, run)?;
        for (index, branch, _) in &branches {
            let target = &run.targets[*index];
            // A branch an earlier run left has its pull request already: found, not rewritten.
            let found = match target.existing {
                Some(_) => forge.run(forge.github.open_pull(branch, &target.target))?,
                None => None,
            };
            match found {
                Some(Pull { number, url }) => {
                    backport::record_pull(repo, run, *index, PullRecord { number, url })?
                }
                None => requests.push(request(repo, config, journal.as_ref(), run, *index)?),
            }
        }
    }
    let pushing = push.refs.len();
    let remote = push.remote.clone();
    backport::propose(repo, run, push, requests, forge).map_err(|err| {
        CommandError::from(err).hint(
            "the pull requests opened so far are kept; `git hotfix continue` opens the ones left",
        )
    })?;
    if pushing > 0 {
        ui.status(
            "Pushed",
            format!(
                "{pushing} backport branch{} to {remote}",
                if pushing == 1 { "" } else { "es" },
            ),
        );
    }
    for (index, branch, _) in branches {
        let target = &run.targets[index];
        let Some(pull) = &target.pull else { continue };
        let opened = run
            .steps
            .opened()
            .find(|(request, _)| request.head == branch)
            .map(|(_, opened)| opened);
        for warning in opened.iter().flat_map(|o| &o.warnings) {
            ui.warn(warning);
        }
        let verb = match opened {
            Some(o) if o.created => "Opened",
            Some(o) if !o.changes.is_empty() => "Updated",
            _ => "Unchanged",
        };
        ui.status(
            verb,
            format!(
                "{:<24} #{} {}",
                target.target,
                pull.number,
                paint(EMPHASIS, &pull.url)
            ),
        );
    }
    Ok(())
}

/// The pull request proposing target `index`'s branch.
fn request(
    repo: &Repo,
    config: &Config,
    journal: Option<&Journal>,
    run: &Backport,
    index: usize,
) -> Result<PullRequest> {
    let target = &run.targets[index];
    let text = pull::backport(repo, config, journal, target)?;
    Ok(PullRequest {
        head: target.branch.clone(),
        base: target.target.clone(),
        title: text.title,
        body: text.body,
        // Committed conflict markers must not be merged by accident.
        draft: target.status == TargetStatus::Conflict || config.github.draft,
        labels: text.labels,
        reviewers: config.github.reviewers.clone(),
        assignees: config.github.assignees.clone(),
    })
}

/// The journal of the hotfix whose commits these are, in progress or finished.
fn hotfix_journal(repo: &Repo, run: &Backport) -> Result<Option<Journal>> {
    let Some(ticket) = &run.hotfix else {
        return Ok(None);
    };
    Ok(Store::new(repo).load_any(ticket)?)
}

/// `backport --pr --plan`: the push and the requests the run would make, sent nowhere.
pub fn plan_lines(
    context: &Context,
    repo: &Repo,
    config: &Config,
    run: &Backport,
) -> Result<Vec<String>> {
    let forge = Forge::connect(context, repo, config, true)?;
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
            forge.run(forge.github.open_pull(branch, &target.target))?;
        } else {
            let spec = forge::spec(&request(repo, config, journal.as_ref(), run, index)?);
            forge.run(forge.github.ensure_pull(&spec))?;
        }
    }
    lines.extend(forge.planned_lines());
    Ok(lines)
}

/// A backport as asked for, by `backport`'s flags or by the action.
#[derive(Debug, Default)]
pub struct Asked {
    /// Commits or ranges, oldest first (none: the hotfix's).
    pub commits: Vec<String>,
    pub hotfix: Option<String>,
    /// What merged pull request N put on its base.
    pub pull: Option<u64>,
    /// Target branches or globs; `maintained`: every maintained line instead.
    pub to: Vec<String>,
    pub maintained: bool,
    pub cascade: bool,
    pub branch_template: Option<BackportTemplate>,
    pub onto_target: bool,
    pub mainline: Option<u32>,
    /// What a conflict does; `None`: pause on a terminal, skip otherwise.
    pub on_conflict: Option<OnConflict>,
    /// Push each backport branch and open its pull request.
    pub pr: bool,
    pub offline: bool,
    pub plan: bool,
}

/// Run the backport `args` ask for, pull requests included: its outcome, or `None` for a
/// `--plan` (shown already). The command and the GitHub action both come through here.
pub fn execute(
    context: &Context,
    repo: &Repo,
    config: &Config,
    args: Asked,
) -> Result<Option<BackportOutcome>> {
    let ui = &context.ui;
    if args.to.is_empty() && !args.maintained {
        return Err(CommandError::usage(
            "say where to backport: `--to <branch|glob>` or `--maintained`",
        )
        .hint("`--maintained` uses release-branches from .hotfix.toml"));
    }
    let on_conflict = match args.on_conflict {
        Some(chosen) => chosen,
        // A person can resolve a conflict; a script cannot.
        None if ui.interactive() => OnConflict::Pause,
        None => OnConflict::Skip,
    };
    // The lines as the remote has them: a backport onto a stale line is rejected at push.
    let patterns = match args.maintained {
        true => &config.release_branches,
        false => &args.to,
    };
    let reach = Reach {
        offline: args.offline,
        plan: args.plan,
    };
    let lines = remote::lines_matching(repo, config, patterns, reach)?;
    // A pull request's backport branches have known names: those an earlier run pushed
    // (from another clone, a CI's) are fetched too, so that this run goes on from them
    // instead of being refused at the push.
    let mut branches = lines.clone();
    if let (Some(number), true) = (args.pull, args.pr) {
        let template = args
            .branch_template
            .as_ref()
            .unwrap_or(&config.backport_branch_template);
        for line in &lines {
            branches.push(template.render(line, &backport::pull_name(number), None)?);
        }
    }
    let caught_up = remote::catch_up(repo, config, &branches, reach, context.ui.interactive())?;
    crate::render::remote::caught_up(context, caught_up.as_ref());
    let picked = match (args.pull, args.commits.is_empty()) {
        (Some(number), _) => merged_pull(context, repo, config, number)?,
        (None, true) => What::Hotfix(args.hotfix),
        (None, false) => What::Commits(args.commits),
    };
    let request = BackportRequest {
        what: picked,
        to: args.to,
        maintained: args.maintained,
        cascade: args.cascade,
        branch_template: args.branch_template,
        onto_target: args.onto_target,
        mainline: args.mainline,
        on_conflict,
        open_pulls: args.pr,
    };

    if args.plan {
        let plan = backport::plan(repo, &repo.in_memory(), config, &request)?;
        let requests = match args.pr {
            true => plan_lines(context, repo, config, &plan)?,
            false => Vec::new(),
        };
        if ui.json_mode() {
            let mut document = BackportDocument::new(&plan, None, false);
            document.requests = Some(requests);
            ui.json(&document);
        } else {
            ui.out(format!("Would backport {}:", what(&plan)));
            for target in &plan.targets {
                ui.out(format!("  {}", row(target, plan.onto_target)));
            }
            if !requests.is_empty() {
                ui.out("");
                ui.out("Then (an open pull request for a branch is kept, not opened twice):");
                for line in requests {
                    ui.out(format!("  {line}"));
                }
            }
        }
        return Ok(None);
    }

    // With `--pr`, the token must work before anything is written.
    let forge = match args.pr {
        true => {
            let forge = Forge::connect(context, repo, config, false)?;
            forge.run(forge.github.check_access())?;
            Some(forge)
        }
        false => None,
    };

    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut shown = |event: Progress<'_>| match event {
        Progress::Planned(plan) => bar = progress_bar(context, plan.targets.len()),
        Progress::Target(target) => target_done(
            context,
            bar.as_ref(),
            target,
            request.onto_target,
            verb(target),
        ),
    };
    let outcome = backport::run(repo, config, &request, context.now, &mut shown);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    propose(context, repo, outcome?, forge).map(Some)
}

/// What merged pull request `number` put on its base, as GitHub tells it and this clone
/// (fetching what it lacks) shows it.
fn merged_pull(context: &Context, repo: &Repo, config: &Config, number: u64) -> Result<What> {
    let forge = Forge::connect(context, repo, config, false)?;
    let repository = forge.github.repository().to_string();
    // GitHub answers 404 for a number that is not a pull request (an issue's, say).
    let state = forge.run(async {
        match forge.github.pull(number).await {
            Err(git_hotfix_github::Error::NotFound { .. }) => Ok(None),
            other => other,
        }
    })?;
    let Some(state) = state else {
        return Err(CommandError::new(
            Exit::Error,
            format!("GitHub has no pull request #{number} in {repository}"),
        )
        .hint(
            "check the number; a private repository also answers so when the token cannot see it",
        ));
    };
    let merge = match (state.merged, &state.merge_commit) {
        (true, Some(sha)) => sha,
        _ => {
            return Err(CommandError::new(
                Exit::Error,
                format!(
                    "pull request #{number} ({}) has not merged: there is nothing to backport yet",
                    state.url
                ),
            )
            .hint("merge it, then run this again"));
        }
    };
    let id = |sha: &str| {
        ObjectId::from_hex(sha.as_bytes()).map_err(|_| {
            CommandError::new(
                Exit::Remote,
                format!(
                    "GitHub named `{sha}` for pull request #{number}, which is not a commit id"
                ),
            )
        })
    };
    let pull = MergedPull {
        merge: id(merge)?,
        head: id(&state.head_sha)?,
        commits: state.commits,
    };
    let (method, mut commits) = merged::picks(repo, &config.remote, &pull)?;
    // A hotfix's pull request (`finish --pr`) names its release commit in its body: the
    // version bump is the hotfix's line's, not the targets'.
    let release = carried::read(&state.body)
        .ok()
        .flatten()
        .and_then(|journal| journal.proposal)
        .and_then(|proposal| proposal.release);
    if let Some(release) = release {
        let summary = release
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        match merged::leave_out(repo, method, &mut commits, &release)? {
            merged::LeftOut::Left(left) => context.ui.status(
                "Left out",
                format!(
                    "{} {summary}: the hotfix's release commit (each line bumps its own version)",
                    short(left)
                ),
            ),
            merged::LeftOut::Kept { commit, paths } => context.ui.warn(format!(
                "#{number}'s body names {} as its release commit, but it changes {} too: it is picked like the others",
                short(commit),
                paths.join(", ")
            )),
            merged::LeftOut::NotFound if method == merged::Method::Squash => context.ui.warn(format!(
                "#{number} was squashed: its one commit holds the release commit \"{summary}\" too (version files, changelog), which the lines get with the fix"
            )),
            merged::LeftOut::NotFound => {}
        }
    }
    context.ui.status(
        "Picking",
        format!(
            "#{number} {} (merged by {method} into {}): {} commit{}",
            state.title,
            state.base,
            commits.len(),
            if commits.len() == 1 { "" } else { "s" }
        ),
    );
    Ok(What::Pull { number, commits })
}
