//! A backport run: its table (one row per line), its progress bar, its `--json`, and the
//! exit code its outcome gives.

use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::pick::EmptyBecause;
use git_hotfix_core::lifecycle;
use git_hotfix_core::operations::backport::{
    Backport, BackportOutcome, PickStatus, RefState, Stop, Target,
};
use git_hotfix_core::records::journal::TargetStatus;

use crate::context::Context;
use crate::error::{Exit, Result};
use crate::ui::{EMPHASIS, paint};

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

/// A line done: above the bar when there is one, else as a status line with `verb`.
pub fn target_done(
    context: &Context,
    bar: Option<&indicatif::ProgressBar>,
    target: &Target,
    onto_target: bool,
    verb: &str,
) {
    match bar {
        Some(bar) => {
            bar.println(format!("  {}", row(target, onto_target)));
            bar.inc(1);
        }
        None => context.ui.status(verb, row(target, onto_target)),
    }
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
        ui.json(&BackportDocument::new(run, Some(state), executed));
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
            let count = |status| run.targets.iter().filter(|t| t.status == status).count();
            let (picked, had) = (count(TargetStatus::Clean), count(TargetStatus::Empty));
            let total = run.targets.len();
            let message = format!("{} to {done} of {total} lines", what(run));
            if exit == Exit::Ok {
                // Said as it is: a line that had the fix already was given nothing.
                match (picked, had) {
                    (0, _) => ui.status(
                        "Unchanged",
                        format!("{} is on {had} of {total} lines already", what(run)),
                    ),
                    (_, 0) => ui.status("Backported", message),
                    _ => ui.status(
                        "Backported",
                        format!(
                            "{} to {picked} of {total} lines ({had} had it already)",
                            what(run)
                        ),
                    ),
                }
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

/// The `--json` document of a backport run, its plan, or its `continue`: what was picked
/// and, per target, what became of it.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct BackportDocument<'a> {
    pub hotfix: &'a Option<String>,
    pub name: &'a str,
    /// The commits picked, oldest first.
    pub sources: Vec<String>,
    pub targets: &'a [Target],
    /// `done`, `stopped` or `refused`; none for a plan.
    pub state: Option<&'static str>,
    pub stopped: &'a Option<Stop>,
    pub executed: bool,
    /// With `--plan --pr`: the GitHub requests the run would send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<String>>,
}

impl crate::document::Document for BackportDocument<'_> {
    const NAME: &'static str = "backport";
}

impl<'a> BackportDocument<'a> {
    pub fn new(run: &'a Backport, state: Option<&'static str>, executed: bool) -> Self {
        BackportDocument {
            hotfix: &run.hotfix,
            name: &run.name,
            sources: run.sources.iter().map(|s| s.commit.to_string()).collect(),
            targets: &run.targets,
            state,
            stopped: &run.stopped,
            executed,
            requests: None,
        }
    }
}

/// The line `skip` would leave out of a stopped backport.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct SkippedLine {
    pub skip: Option<String>,
}

impl crate::document::Document for crate::document::Planned<'_, SkippedLine> {
    const NAME: &'static str = "skip-backport-plan";
}

/// `ENG-1234 (2 commits)` or `3 commits`.
pub fn what(run: &Backport) -> String {
    let count = run.sources.len();
    let commits = format!("{count} commit{}", if count == 1 { "" } else { "s" });
    match &run.hotfix {
        Some(ticket) => format!("{} ({commits})", paint(EMPHASIS, ticket)),
        None => commits,
    }
}

pub fn verb(target: &Target) -> &'static str {
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

/// What proposing a backport does as it goes: the push, then each line's pull request.
pub fn proposing(context: &Context, said: lifecycle::backport::Said<'_>) {
    use lifecycle::backport::Said;
    let ui = &context.ui;
    match said {
        Said::Pushed { count, remote } => ui.status(
            "Pushed",
            format!(
                "{count} backport branch{} to {remote}",
                if count == 1 { "" } else { "es" },
            ),
        ),
        Said::Pull {
            target,
            pull,
            opened,
        } => {
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
    }
}
