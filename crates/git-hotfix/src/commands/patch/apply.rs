use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::apply::Problem;
use git_hotfix_core::git::repo::Head;
use git_hotfix_core::operations::patch_apply::{
    self, ApplyOutcome, ApplyRequest, Patch, PatchRun, Status,
};

use crate::cli::{Context, PlanArg};
use crate::error::{CommandError, Exit, Result};

/// Apply a patch series onto a branch without a checkout, one commit per mail
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Patch files, mboxes, or directories of `*.patch` files (checked against their
    /// manifest.json when there is one)
    #[arg(value_name = "FILE|DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The branch to apply onto (default: the current one)
    #[arg(long, value_name = "BRANCH")]
    pub onto: Option<String>,
    /// When the context does not match, merge three-way from the blobs the patch's
    /// `index` lines name (they must be in this repository)
    #[arg(long = "3way", short = '3')]
    pub three_way: bool,
    /// Keep the carriage return that ends a line, as `git am --keep-cr` (default: git
    /// config `am.keepcr`, else each goes, as mail transport adds them); a CRLF file's
    /// patch needs it unless it travels in base 64 or quoted-printable
    #[arg(long, overrides_with = "no_keep_cr")]
    pub keep_cr: bool,
    /// Drop the carriage return that ends a line even when `am.keepcr` says to keep it
    #[arg(long)]
    pub no_keep_cr: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_apply(context: &Context, args: ApplyArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    if args.onto.is_none()
        && let Head::Detached { commit } = repo.head()?
    {
        return Err(CommandError::usage(format!(
            "HEAD is detached at {}: there is no current branch to apply onto",
            short(commit)
        ))
        .hint("name the branch with `--onto <branch>`"));
    }
    let request = ApplyRequest {
        inputs: args.inputs.iter().map(|p| context.cwd.join(p)).collect(),
        onto: args.onto,
        three_way: args.three_way,
        keep_cr: match (args.keep_cr, args.no_keep_cr) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    if args.plan.plan {
        let run = patch_apply::plan(&repo, &request)?;
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": run, "executed": false }));
            return Ok(Exit::Ok);
        }
        ui.out(format!(
            "Would apply onto {} ({}):",
            run.branch,
            short(run.tip)
        ));
        for patch in &run.patches {
            let what = match patch.status {
                Status::Applied if patch.merged => "applies by a three-way merge".to_string(),
                Status::Applied => "applies".to_string(),
                Status::Empty => "changes nothing: already there".to_string(),
                Status::Stopped => format!("stops: {}", stop_reason(&run)),
                Status::Pending | Status::Skipped => "not reached".to_string(),
            };
            ui.out(format!(
                "  - {}: {} — {what}",
                context.shown(&patch.origin),
                patch.subject
            ));
        }
        if run.stopped.is_none() && run.patches.iter().any(|p| p.commit.is_some()) {
            ui.out(format!("and move {} to the last commit", run.branch));
        }
        return Ok(Exit::Ok);
    }
    let outcome = patch_apply::run(&repo, &request, context.now)?;
    report(context, &repo, &outcome)
}

/// Why the run stops, in git's terms when it is a hunk.
fn stop_reason(run: &PatchRun) -> String {
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
        ui.json(&serde_json::json!({
            "state": match outcome {
                ApplyOutcome::Done { .. } => "done",
                ApplyOutcome::Stopped { .. } => "stopped",
            },
            "run": run,
            "stopped_patch": patch_apply::stopped_mail(repo, run),
            "executed": true,
        }));
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
