//! A backport as `backport` and the action ask for it: the lines caught up with the
//! remote, a merged pull request's commits found on GitHub, the run; and with `--pr`, every
//! backport branch pushed in one leased push and proposed to its line in a pull request of
//! its own. Each pull request is remembered in the backport's journal as it opens, so
//! `continue` after a failure opens only the ones left.

use git_hotfix_core::foundation::names::BackportTemplate;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::lifecycle;
use git_hotfix_core::operations::backport::merged::{self, MergedPull};
use git_hotfix_core::operations::backport::{
    self, Backport, BackportOutcome, BackportRequest, OnConflict, Progress, SourcePull, What,
};
use git_hotfix_core::records::carried;
use git_hotfix_core::{Config, ObjectId, Repo};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::{Access, Forge};
use crate::render::backport::{BackportDocument, progress_bar, row, target_done, verb, what};
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

/// When a finished run asked for pull requests, push its branches and open them (on
/// `forge`, or on GitHub connected to now), saying each as it goes; a stopped or refused
/// run as it is.
pub fn propose(
    context: &Context,
    repo: &Repo,
    outcome: BackportOutcome,
    forge: Option<Forge>,
) -> Result<BackportOutcome> {
    if !matches!(&outcome, BackportOutcome::Done { run } if run.open_pulls) {
        return Ok(outcome);
    }
    let config = context.config(repo)?;
    let github = Access::with(context, repo, &config, forge);
    let said = &mut |said: lifecycle::backport::Said<'_>| {
        crate::render::backport::proposing(context, said)
    };
    let proposed =
        lifecycle::backport::propose(repo, &config, outcome, &github, context.now, said)?;
    // The pull requests are in the finished hotfix's record now: its notes follow.
    if let Some(journal) = &proposed.hotfix {
        crate::audit::share(context, repo, journal);
    }
    Ok(proposed.outcome)
}

/// `backport --pr --plan`: the push and the requests the run would make, sent nowhere.
pub fn plan_lines(
    context: &Context,
    repo: &Repo,
    config: &Config,
    run: &Backport,
) -> Result<Vec<String>> {
    let forge = Forge::connect(context, repo, config, true)?;
    let mut lines = lifecycle::backport::rehearse(repo, config, &forge, run)?;
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
    /// A plan that first brings the lines from the remote into this clone, as a run does
    /// (the bot's: a CI checkout has one commit and no line).
    pub plan_fetches: bool,
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
        plan: args.plan && !args.plan_fetches,
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
    let (picked, mainline) = match (args.pull, args.commits.is_empty()) {
        (Some(number), _) => merged_pull(context, repo, config, number)?,
        (None, true) => (What::Hotfix(args.hotfix), None),
        (None, false) => (What::Commits(args.commits), None),
    };
    let request = BackportRequest {
        what: picked,
        to: args.to,
        maintained: args.maintained,
        cascade: args.cascade,
        branch_template: args.branch_template,
        onto_target: args.onto_target,
        mainline: args.mainline.or(mainline),
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
            lifecycle::github::GitHub::check_access(&forge)?;
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
fn merged_pull(
    context: &Context,
    repo: &Repo,
    config: &Config,
    number: u64,
) -> Result<(What, Option<u32>)> {
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
    let (method, commits) = merged::picks(repo, &config.remote, &pull)?;
    let merged::Picks {
        mut commits,
        mainline,
        skipped,
    } = merged::merge_commits(
        repo,
        &pull,
        method,
        commits,
        config.github.backport_merge_commits,
    )?;
    for merge in &skipped {
        context.ui.status(
            "Left out",
            format!(
                "{} {}: a merge commit (backport-merge-commits = \"skip\")",
                short(*merge),
                repo.summary(*merge)?
            ),
        );
    }
    // Picked as one change, the merge holds the release commit as a squash does.
    let held = match mainline {
        Some(_) => merged::Method::Squash,
        None => method,
    };
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
        match merged::leave_out(repo, held, &mut commits, &release)? {
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
            merged::LeftOut::NotFound if held == merged::Method::Squash => context.ui.warn(format!(
                "#{number} is picked as one change: its one commit holds the release commit \"{summary}\" too (version files, changelog), which the lines get with the fix"
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
    let pull = SourcePull {
        number,
        title: state.title,
        author: state.author,
        url: state.url,
        labels: state.labels,
        assignees: state.assignees,
        reviewers: state.requested_reviewers,
        milestone: state.milestone,
    };
    Ok((What::Pull { pull, commits }, mainline))
}
