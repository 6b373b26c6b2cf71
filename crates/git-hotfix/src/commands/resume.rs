use clap::Args;
use git_hotfix_core::operations::backport::{self, Progress};
use git_hotfix_core::operations::finish::{self, ResumePreview};
use git_hotfix_core::operations::stopped::{self, StoppedRun};
use git_hotfix_core::operations::{patch_apply, revert};
use git_hotfix_core::records::run::RunKind;

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
use crate::document::Planned;
use crate::error::{Exit, Result};
use crate::render::backport::{progress_bar, row};
use crate::render::finish::finish_steps;
use crate::render::patch::Continued;

/// Resume a stopped run once its conflicts are resolved and staged (or retry its push)
#[derive(Debug, Args)]
pub struct ContinueArgs {
    #[command(flatten)]
    pub run: RunArg,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_continue(context: &Context, args: ContinueArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    match stopped::find(&repo, args.run.which(), "continue")? {
        StoppedRun::Backport(_) if args.plan.plan => {
            let preview = backport::preview_resume(&repo)?;
            if ui.json_mode() {
                ui.json(&crate::render::backport::BackportDocument::new(
                    &preview, None, false,
                ));
            } else {
                ui.out("Would continue the backport:");
                for target in &preview.targets {
                    ui.out(format!("  {}", row(target, preview.onto_target)));
                }
            }
            Ok(Exit::Ok)
        }
        StoppedRun::Backport(run) => {
            let pending = run.targets.iter().filter(|t| !t.done()).count();
            let bar = progress_bar(context, pending);
            let mut shown = |event: Progress<'_>| {
                if let Progress::Target(target) = event {
                    match &bar {
                        Some(bar) => {
                            bar.println(format!("  {}", row(target, run.onto_target)));
                            bar.inc(1);
                        }
                        None => ui.status("Done", row(target, run.onto_target)),
                    }
                }
            };
            let forge = crate::forge::for_steps(context, &repo, &run.steps)?;
            let engine_forge = forge
                .as_ref()
                .map(|f| f as &dyn git_hotfix_core::engine::Forge);
            let outcome = backport::resume(&repo, engine_forge, context.now, &mut shown);
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            crate::workflow::backport::finish_run(context, &repo, outcome?, forge)
        }
        StoppedRun::Patches(run) if args.plan.plan => {
            let left = run
                .patches
                .iter()
                .filter(|p| p.status == patch_apply::Status::Pending)
                .count();
            if ui.json_mode() {
                ui.json(&Planned::new(&Continued { run: &run }));
            } else if let Some(stop) = &run.stopped {
                ui.out(format!(
                    "Would commit what is staged in {} as {} ({}), apply the {left} patches after it, and move {}",
                    stop.worktree.display(),
                    context.shown(&run.patches[stop.patch].origin),
                    run.patches[stop.patch].subject,
                    run.branch
                ));
            }
            Ok(Exit::Ok)
        }
        StoppedRun::Patches(_) => {
            let outcome = patch_apply::resume(&repo, context.now)?;
            crate::render::patch::report(context, &repo, &outcome)
        }
        StoppedRun::Finish(journal) => continue_finish(context, *journal, args.plan.plan),
        StoppedRun::Deploy(journal) => {
            crate::workflow::deploy::resume(context, &repo, *journal, args.plan.plan)
        }
    }
}

fn continue_finish(
    context: &Context,
    mut journal: git_hotfix_core::Journal,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let policy = crate::policies::Loaded::for_world(
        context,
        &repo,
        &config,
        git_hotfix_plugin_host::World::VersionFiles,
    )?;
    let version_files = policy.version_files();
    if plan {
        let preview = finish::preview_resume(&repo, &config, &journal, Some(&version_files))?;
        if ui.json_mode() {
            ui.json(&Planned::new(&preview));
            return Ok(Exit::Ok);
        }
        match &preview {
            ResumePreview::Finish { plan } => {
                ui.out(format!("Would continue finishing {}:", journal.ticket));
                for line in finish_steps(plan) {
                    ui.out(format!("  - {line}"));
                }
            }
            ResumePreview::Steps { left } => {
                ui.out(format!(
                    "Would continue the {} of {} with what is left:",
                    journal.run.as_ref().map_or("finish", |r| r.kind.command()),
                    journal.ticket
                ));
                for recorded in left {
                    ui.out(format!("  - {}", crate::runs::step(&recorded.step)));
                }
            }
        }
        return Ok(Exit::Ok);
    }
    let rollback_pr = journal
        .run
        .as_ref()
        .is_some_and(|r| r.kind == RunKind::Revert && r.reverts.as_ref().is_some_and(|r| r.pr));
    if rollback_pr {
        revert::complete_start(&repo, &mut journal, context.now)?;
        return crate::workflow::finish::go_on(
            context,
            &repo,
            &config,
            journal,
            &version_files,
            None,
        );
    }
    let steps = journal
        .run
        .as_ref()
        .map(|r| r.steps.clone())
        .unwrap_or_default();
    let forge = crate::forge::for_steps(context, &repo, &steps)?;
    let outcome = finish::resume(
        &repo,
        &config,
        &mut journal,
        Some(&version_files),
        forge
            .as_ref()
            .map(|f| f as &dyn git_hotfix_core::engine::Forge),
        context.now,
    )?;
    let exit = crate::render::finish::report(context, &journal, &outcome, None)?;
    crate::audit::share_finished(context, &repo, &journal, &outcome);
    Ok(exit)
}
