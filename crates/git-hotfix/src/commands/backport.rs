use clap::{Args, ValueEnum};
use git_hotfix_core::foundation::names::BackportTemplate;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::pick::EmptyBecause;
use git_hotfix_core::operations::backport::merged::{self, MergedPull};
use git_hotfix_core::operations::backport::{
    self, Backport, BackportOutcome, BackportRequest, OnConflict, PickStatus, Progress, RefState,
    Target, What,
};
use git_hotfix_core::records::carried;
use git_hotfix_core::records::journal::TargetStatus;
use git_hotfix_core::{Config, ObjectId, Repo};

use crate::cli::{Context, PlanArg};
use crate::commands::backport_pr;
use crate::error::{CommandError, Exit, Result};
use crate::forge::Forge;
use crate::remote::Reach;
use crate::ui::{EMPHASIS, paint};

/// Pick the fix onto release lines, each on a branch of its own, without a checkout
#[derive(Debug, Args)]
pub struct BackportArgs {
    /// Commits or ranges (`A..B`) to pick, oldest first (default: the current hotfix's commits)
    #[arg(value_name = "COMMIT|RANGE")]
    pub commits: Vec<String>,
    /// Pick the commits of this hotfix (in progress or finished)
    #[arg(long, value_name = "TICKET", conflicts_with = "commits")]
    pub hotfix: Option<String>,
    /// Pick what merged pull request N put on its base on GitHub, whichever way it merged
    /// (merge commit, squash, rebase), fetching the commits this clone lacks
    #[arg(long, value_name = "N", conflicts_with_all = ["commits", "hotfix"])]
    pub pull: Option<u64>,
    /// A target branch or glob (`release/*`); repeatable
    #[arg(long = "to", value_name = "BRANCH|GLOB", value_parser = branch_glob)]
    pub to: Vec<String>,
    /// Every maintained release line of .hotfix.toml
    #[arg(long, conflicts_with = "to")]
    pub maintained: bool,
    /// Each line receives the commits as picked onto the previous one (1.2 -> 1.3 -> ...)
    #[arg(long)]
    pub cascade: bool,
    /// Name of the backport branches, with `{target}` and `{name}` or `{ticket}` (default:
    /// `backport-branch-template`, else `backport/{target}/{name}`)
    #[arg(long, value_name = "TEMPLATE", value_parser = |text: &str| BackportTemplate::parse(text))]
    pub branch_template: Option<BackportTemplate>,
    /// Move the target branches themselves instead of making backport branches
    #[arg(long)]
    pub onto_target: bool,
    /// Pick merges relative to this parent (1-based), as `git cherry-pick -m`
    #[arg(long, value_name = "N")]
    pub mainline: Option<u32>,
    /// What a conflict does: pause there (default on a terminal), skip the line (default
    /// otherwise), abort before writing anything, or commit the conflict markers on the
    /// line's branch (with `--pr`, in a draft pull request labelled `conflicts`)
    #[arg(long, value_enum, value_name = "MODE")]
    pub on_conflict: Option<OnConflictArg>,
    /// Push each backport branch and open a pull request into its line on GitHub
    #[arg(long, conflicts_with = "onto_target")]
    pub pr: bool,
    /// Decide from local state: do not fetch the lines and their tags from the remote first
    /// (default: `offline` in settings, else fetch)
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnConflictArg {
    Pause,
    Skip,
    Abort,
    Commit,
}

pub fn cmd_backport(context: &Context, args: BackportArgs) -> Result<Exit> {
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    match execute(context, &repo, &config, args)? {
        Some(outcome) => report(context, &outcome),
        None => Ok(Exit::Ok),
    }
}

/// Run the backport `args` ask for, pull requests included: its outcome, or `None` for a
/// `--plan` (shown already). The command and the GitHub action both come through here.
pub fn execute(
    context: &Context,
    repo: &Repo,
    config: &Config,
    args: BackportArgs,
) -> Result<Option<BackportOutcome>> {
    let ui = &context.ui;
    if args.to.is_empty() && !args.maintained {
        return Err(CommandError::usage(
            "say where to backport: `--to <branch|glob>` or `--maintained`",
        )
        .hint("`--maintained` uses release-branches from .hotfix.toml"));
    }
    let on_conflict = match args.on_conflict {
        Some(OnConflictArg::Pause) => OnConflict::Pause,
        Some(OnConflictArg::Skip) => OnConflict::Skip,
        Some(OnConflictArg::Abort) => OnConflict::Abort,
        Some(OnConflictArg::Commit) => OnConflict::Commit,
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
        plan: args.plan.plan,
    };
    let lines = crate::remote::lines_matching(repo, config, patterns, reach)?;
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
    crate::remote::catch_up(context, repo, config, &branches, reach)?;
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

    if args.plan.plan {
        let plan = backport::plan(repo, &repo.in_memory(), config, &request)?;
        let requests = match args.pr {
            true => backport_pr::plan_lines(context, repo, config, &plan)?,
            false => Vec::new(),
        };
        if ui.json_mode() {
            let mut json = json(&plan, None, false);
            json["requests"] = serde_json::json!(requests);
            ui.json(&json);
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
        Progress::Target(target) => match &bar {
            Some(bar) => {
                bar.println(format!("  {}", row(target, request.onto_target)));
                bar.inc(1);
            }
            None => ui.status(verb(target), row(target, request.onto_target)),
        },
    };
    let outcome = backport::run(repo, config, &request, context.now, &mut shown);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    backport_pr::propose(context, repo, outcome?, forge).map(Some)
}

/// A bar for several targets on a terminal; the table lines print above it.
pub fn progress_bar(context: &Context, targets: usize) -> Option<indicatif::ProgressBar> {
    if !context.ui.interactive() || targets < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(targets as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("  {bar:30} {pos}/{len} lines")
            .expect("a valid template"),
    );
    Some(bar)
}

/// Tell how a run ended, with the exit code: 0 only when every line got the fix.
pub fn report(context: &Context, outcome: &BackportOutcome) -> Result<Exit> {
    let ui = &context.ui;
    let run = outcome.run();
    let exit = match outcome {
        BackportOutcome::Stopped { .. } | BackportOutcome::Refused { .. } => Exit::Conflict,
        BackportOutcome::Done { run } if run.conflicted() => Exit::Conflict,
        BackportOutcome::Done { run } if !run.all_done() => Exit::Error,
        BackportOutcome::Done { .. } => Exit::Ok,
    };
    if ui.json_mode() {
        let state = match outcome {
            BackportOutcome::Done { .. } => "done",
            BackportOutcome::Stopped { .. } => "stopped",
            BackportOutcome::Refused { .. } => "refused",
        };
        let executed = !matches!(outcome, BackportOutcome::Refused { .. });
        ui.json(&json(run, Some(state), executed));
        return Ok(exit);
    }
    match outcome {
        BackportOutcome::Stopped { run } => {
            let stop = run.stopped.as_ref().expect("a stopped run");
            let target = &run.targets[stop.target];
            ui.error(
                &format!(
                    "picking {} onto {} conflicts in {}; stopped for you to resolve them in {}",
                    short(target.commits[stop.pick].source),
                    target.target,
                    stop.paths.join(", "),
                    stop.worktree.display()
                ),
                &[
                    format!(
                        "`cd {}`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`",
                        stop.worktree.display()
                    ),
                    "`git hotfix skip` leaves this line out; `git hotfix abort` removes every branch this run made".into(),
                ],
            );
        }
        BackportOutcome::Refused { run } => {
            for target in &run.targets {
                ui.out(format!("  {}", row(target, run.onto_target)));
            }
            ui.error(
                "a line conflicts and --on-conflict abort was asked: nothing was written",
                &[
                    "backport with `--on-conflict pause` to resolve it, or `skip` to leave it out"
                        .into(),
                ],
            );
        }
        BackportOutcome::Done { run } => {
            let done = run.targets.iter().filter(|t| t.done()).count();
            let message = format!("{} to {done} of {} lines", what(run), run.targets.len());
            if exit == Exit::Ok {
                ui.status("Backported", message);
            } else {
                let left: Vec<&str> = run
                    .targets
                    .iter()
                    .filter(|t| !t.done())
                    .map(|t| t.target.as_str())
                    .collect();
                let mut hints = vec!["the table above says why for each line".to_string()];
                let with_markers: Vec<&str> = run
                    .targets
                    .iter()
                    .filter(|t| t.markers_committed())
                    .map(|t| t.branch.as_str())
                    .collect();
                if !with_markers.is_empty() {
                    hints.push(format!(
                        "the conflict markers are committed on {}: resolve them there and push{}",
                        with_markers.join(", "),
                        if run.open_pulls {
                            " (their pull requests are drafts until then)"
                        } else {
                            ""
                        }
                    ));
                }
                ui.error(&format!("{message}; not done: {}", left.join(", ")), &hints);
            }
        }
    }
    Ok(exit)
}

/// The one document of `--json`: what was picked and, per target, what became of it.
pub fn json(run: &Backport, state: Option<&str>, executed: bool) -> serde_json::Value {
    serde_json::json!({
        "hotfix": run.hotfix,
        "name": run.name,
        "sources": run.sources.iter().map(|s| s.commit.to_string()).collect::<Vec<_>>(),
        "targets": run.targets,
        "state": state,
        "stopped": run.stopped,
        "executed": executed,
    })
}

/// `ENG-1234 (2 commits)` or `3 commits`.
fn what(run: &Backport) -> String {
    let count = run.sources.len();
    let commits = format!("{count} commit{}", if count == 1 { "" } else { "s" });
    match &run.hotfix {
        Some(ticket) => format!("{} ({commits})", paint(EMPHASIS, ticket)),
        None => commits,
    }
}

fn verb(target: &Target) -> &'static str {
    match target.status {
        TargetStatus::Clean => "Picked",
        TargetStatus::Empty => "Has it",
        TargetStatus::Conflict => "Conflict",
        TargetStatus::Skipped => "Skipped",
        TargetStatus::Pending => "Pending",
    }
}

/// One line of the table: target, status, and the branch, the paths or why.
pub fn row(target: &Target, onto_target: bool) -> String {
    let status = match target.status {
        TargetStatus::Clean => "clean",
        TargetStatus::Conflict => "conflict",
        TargetStatus::Empty => "empty",
        TargetStatus::Skipped => "skipped",
        TargetStatus::Pending => "pending",
    };
    let detail = match target.status {
        TargetStatus::Clean => {
            let picked = target
                .commits
                .iter()
                .filter(|c| c.status == PickStatus::Picked)
                .count();
            let place = if onto_target {
                format!("{} moved", target.target)
            } else {
                target.branch.clone()
            };
            let written = if target.ref_state == RefState::Written {
                format!(" at {}", short(target.result.expect("a result")))
            } else {
                String::new()
            };
            format!("{place}{written} ({picked} picked)")
        }
        TargetStatus::Conflict if target.markers_committed() => format!(
            "{} (conflict markers committed in {})",
            target.branch,
            target.conflicts.join(", ")
        ),
        TargetStatus::Conflict => target.conflicts.join(", "),
        TargetStatus::Empty => target.reason.clone().unwrap_or_else(|| {
            let why = target.commits.iter().find_map(|c| c.empty);
            match why {
                Some(EmptyBecause::Contained) => "already contains the commits".into(),
                Some(EmptyBecause::Trailer) => "already has them (cherry-picked earlier)".into(),
                Some(EmptyBecause::SamePatch) => "already has the same change".into(),
                _ => "already has the change".into(),
            }
        }),
        TargetStatus::Skipped | TargetStatus::Pending => target.reason.clone().unwrap_or_default(),
    };
    format!("{:<24} {status:<9} {detail}", target.target)
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

/// `--to`, checked as `release-branches` is: a pattern git's matcher gives up on matches
/// nothing, silently.
fn branch_glob(text: &str) -> std::result::Result<String, String> {
    git_hotfix_core::foundation::names::BranchGlob::parse(text).map(|glob| glob.0)
}
