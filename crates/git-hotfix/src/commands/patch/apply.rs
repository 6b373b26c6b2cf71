use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::repo::Head;
use git_hotfix_core::operations::patch_apply::{self, ApplyRequest, Status};

use crate::args::PlanArg;
use crate::context::Context;
use crate::document::Planned;
use crate::error::{CommandError, Exit, Result};
use crate::render::patch::{report, stop_reason};

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
            ui.json(&Planned::new(&run));
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
