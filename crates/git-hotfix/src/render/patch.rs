//! A `patch apply` run: one line per patch, and why it stopped.

use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::apply::Problem;
use git_hotfix_core::operations::patch_apply::{self, ApplyOutcome, Patch, PatchRun, Status};

use std::path::PathBuf;

use crate::context::Context;
use crate::document::{Document, Planned};
use crate::error::{Exit, Result};

/// The `--json` document of a `patch apply` run, or of its `continue` or `skip`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PatchApplyDocument<'a> {
    /// `done` or `stopped`.
    pub state: &'static str,
    pub run: &'a PatchRun,
    /// The patch it stopped on, as a mail file to read or `git am`.
    pub stopped_patch: Option<PathBuf>,
    pub executed: bool,
}

impl Document for PatchApplyDocument<'_> {
    const NAME: &'static str = "patch-apply";
}

impl Document for Planned<'_, PatchRun> {
    const NAME: &'static str = "patch-apply-plan";
}

/// The stopped `patch apply` run `continue` would go on with.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Continued<'a> {
    #[serde(rename = "continue")]
    pub run: &'a PatchRun,
}

impl Document for Planned<'_, Continued<'_>> {
    const NAME: &'static str = "continue-patch-apply-plan";
}

/// The patch `skip` would leave out of a stopped `patch apply`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Skipped<'a> {
    pub skip: Option<&'a Patch>,
}

impl Document for Planned<'_, Skipped<'_>> {
    const NAME: &'static str = "skip-patch-apply-plan";
}

/// Why the run stops, in git's terms when it is a hunk.
pub fn stop_reason(run: &PatchRun) -> String {
    let Some(stop) = &run.stopped else {
        return String::new();
    };
    let Some(first) = stop.failures.first() else {
        return "it does not apply".into();
    };
    let mut reason = first.to_string();
    if let Problem::Hunk { line, .. } = &first.problem {
        reason.push_str(&format!(" (git: patch failed: {}:{line})", first.path));
    }
    if stop.failures.len() > 1 {
        reason.push_str(&format!(", and {} more", stop.failures.len() - 1));
    }
    reason
}

fn row(context: &Context, patch: &Patch) -> Option<(&'static str, String)> {
    let name = context.shown(&patch.origin);
    let verb = match patch.status {
        Status::Applied if patch.merged => "Merged",
        Status::Applied => "Applied",
        Status::Empty => "Empty",
        Status::Skipped => "Skipped",
        Status::Pending | Status::Stopped => return None,
    };
    let detail = match patch.commit {
        Some(commit) => format!("{name}: {} ({})", patch.subject, short(commit)),
        None if patch.status == Status::Empty => {
            format!("{name}: {} (already there)", patch.subject)
        }
        None => format!("{name}: {}", patch.subject),
    };
    Some((verb, detail))
}

/// Tell how a run (or a resumed one) ended; exit 3 when it stopped.
pub fn report(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    outcome: &ApplyOutcome,
) -> Result<Exit> {
    let ui = &context.ui;
    let run = outcome.run();
    let exit = match outcome {
        ApplyOutcome::Done { .. } => Exit::Ok,
        ApplyOutcome::Stopped { .. } => Exit::Conflict,
    };
    if ui.json_mode() {
        ui.json(&PatchApplyDocument {
            state: match outcome {
                ApplyOutcome::Done { .. } => "done",
                ApplyOutcome::Stopped { .. } => "stopped",
            },
            run,
            stopped_patch: patch_apply::stopped_mail(repo, run),
            executed: true,
        });
        return Ok(exit);
    }
    for patch in &run.patches {
        if let Some((verb, detail)) = row(context, patch) {
            ui.status(verb, detail);
        }
    }
    let Some(stop) = &run.stopped else {
        let tip = run.result.unwrap_or(run.tip);
        if tip == run.tip {
            ui.status("Unchanged", format!("{}: nothing to commit", run.branch));
        } else {
            let commits = run.patches.iter().filter(|p| p.commit.is_some()).count();
            ui.status(
                "Updated",
                format!(
                    "{} {}..{} ({commits} commit{})",
                    run.branch,
                    short(run.tip),
                    short(tip),
                    if commits == 1 { "" } else { "s" }
                ),
            );
        }
        return Ok(exit);
    };
    let patch = &run.patches[stop.patch];
    let worktree = stop.worktree.display();
    let mut hints = Vec::new();
    if !stop.conflicts.is_empty() {
        hints.push(format!(
            "the three-way merge conflicts in {}: `cd {worktree}`, resolve them (or `git mergetool`), `git add` them, then `git hotfix continue`",
            stop.conflicts.join(", ")
        ));
    } else if stop.rejects.is_empty() {
        hints.push(format!(
            "in {worktree} the hunks that applied are staged; the others are in the saved patch below: apply them by hand, `git add` the files, then `git hotfix continue`"
        ));
    } else {
        hints.push(format!(
            "in {worktree} the hunks that applied are staged and the others are in {}: apply those by hand, `git add` the files, delete the .rej files, then `git hotfix continue`",
            stop.rejects.join(", ")
        ));
    }
    match &stop.no_three_way {
        Some(why) => hints.push(format!("--3way could not merge: {why}")),
        None if !run.three_way => hints.push(
            "or `git hotfix abort` and apply again with `--3way`, which merges when this repository has the blobs the patch was made from".into(),
        ),
        None => {}
    }
    if let Some(mail) = patch_apply::stopped_mail(repo, run) {
        hints.push(format!("the patch is saved at {}", mail.display()));
    }
    hints.push(format!(
        "`git hotfix skip` leaves this patch out; `git hotfix abort` stops here: {} has not moved",
        run.branch
    ));
    ui.error(
        &format!(
            "{} ({}) does not apply onto {}: {}",
            context.shown(&patch.origin),
            patch.subject,
            run.branch,
            stop_reason(run)
        ),
        &hints,
    );
    Ok(exit)
}
