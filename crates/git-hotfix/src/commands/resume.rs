use clap::Args;
use git_hotfix_core::engine;
use git_hotfix_core::operations::backport::{self, Progress};
use git_hotfix_core::operations::finish::{self, ResumePreview};
use git_hotfix_core::operations::stopped::{self, Continuing, Resumed, StoppedRun};
use git_hotfix_core::operations::{deploy, patch_apply};
use git_hotfix_core::settings::policy::VersionFiles;
use git_hotfix_plugin_host::World;

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
use crate::document::Planned;
use crate::error::{Exit, Result};
use crate::policies::Loaded;
use crate::render::backport::{progress_bar, row, target_done};
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
    let repo = context.repo()?;
    let run = stopped::find(&repo, args.run.which(), "continue")?;
    if args.plan.plan {
        return plan(context, &repo, run);
    }
    let config = context.config(&repo)?;
    // A finish may make its release commit again: with the version files policy.
    let policy = match &run {
        StoppedRun::Finish(_) => Some(Loaded::for_world(
            context,
            &repo,
            &config,
            World::VersionFiles,
        )?),
        _ => None,
    };
    let version_files = policy.as_ref().map(Loaded::version_files);
    let forge = crate::forge::for_steps(context, &repo, &run.steps())?;
    let (bar, onto_target) = match &run {
        StoppedRun::Backport(run) => (
            progress_bar(context, run.targets.iter().filter(|t| !t.done()).count()),
            run.onto_target,
        ),
        _ => (None, false),
    };
    let mut shown = |event: Progress<'_>| {
        if let Progress::Target(target) = event {
            target_done(context, bar.as_ref(), target, onto_target, "Done");
        }
    };
    let resumed = stopped::resume(
        &repo,
        run,
        &config,
        Continuing {
            version_files: version_files.as_ref().map(|v| v as &dyn VersionFiles),
            forge: forge.as_ref().map(|f| f as &dyn engine::Forge),
            now: context.now,
            progress: &mut shown,
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match resumed? {
        Resumed::Backport(outcome) => {
            crate::workflow::backport::finish_run(context, &repo, outcome, forge)
        }
        Resumed::Patches(outcome) => crate::render::patch::report(context, &repo, &outcome),
        Resumed::Finish { journal, outcome } => {
            let exit = crate::render::finish::report(context, &journal, &outcome, None)?;
            crate::audit::share_finished(context, &repo, &journal, &outcome);
            Ok(exit)
        }
        Resumed::RollbackToPropose(journal) => {
            let version_files = version_files.expect("a finish's policy");
            let github = crate::forge::Access::new(context, &repo, &config);
            let finished = git_hotfix_core::lifecycle::finish::rollback_goes_on(
                &repo,
                &config,
                *journal,
                &version_files,
                &github,
                false,
                context.now,
            )?;
            crate::render::finish::finished(context, &repo, &finished, &github)
        }
        Resumed::Deploy { journal, cut, from } => {
            crate::workflow::deploy::resume(context, &repo, *journal, &cut, from, false)
        }
    }
}

/// What `continue` would do, computed in memory: nothing is written.
fn plan(context: &Context, repo: &git_hotfix_core::Repo, run: StoppedRun) -> Result<Exit> {
    let ui = &context.ui;
    match run {
        StoppedRun::Backport(_) => {
            let preview = backport::preview_resume(repo)?;
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
        StoppedRun::Patches(run) => {
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
        StoppedRun::Finish(journal) => plan_finish(context, repo, &journal),
        StoppedRun::Deploy(journal) => {
            let (cut, from) = deploy::resumes_at(&journal)
                .map(|(cut, from)| (cut.clone(), from))
                .ok_or(git_hotfix_core::Error::NoStoppedRun { action: "continue" })?;
            crate::workflow::deploy::resume(context, repo, *journal, &cut, from, true)
        }
    }
}

fn plan_finish(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    journal: &git_hotfix_core::Journal,
) -> Result<Exit> {
    let ui = &context.ui;
    let config = context.config(repo)?;
    let policy = Loaded::for_world(context, repo, &config, World::VersionFiles)?;
    let version_files = policy.version_files();
    let preview = finish::preview_resume(repo, &config, journal, Some(&version_files))?;
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
    Ok(Exit::Ok)
}
