//! The project's own checks (`checks` in settings: its tests, type check, build), run on
//! the fix in its checkout before `finish` releases it or proposes it. A failing check
//! stops the finish before anything moves; the journal keeps what ran and how it ended,
//! and the checklist's `tested` follows it.

use git_hotfix_core::foundation::clock;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::records::journal::{EventKind, StepResult, Store};
use git_hotfix_core::{Config, Journal, Repo};
use git_hotfix_plugin_host::{RunStep, Step};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::steps::{Committed, Runner};

/// How long one check may run: a full test suite and a build, on a slow machine.
const TIMEOUT_SECONDS: u32 = 3600;

/// The checks `journal`'s product runs; empty when none are configured.
pub fn configured<'a>(config: &'a Config, journal: &Journal) -> Result<&'a [String]> {
    let product = config.product(journal.product.as_deref())?;
    Ok(config.checks_of(product.map(|(_, p)| p)))
}

/// Run the checks on the hotfix's tip, in the worktree that has its branch checked out;
/// `skip` (`--no-checks`) records that they were not run instead. Checks that passed on
/// this very commit are not run again. `journal` is updated and saved.
pub fn before_finish(
    context: &Context,
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    skip: bool,
) -> Result<()> {
    let ui = &context.ui;
    let commands = configured(config, journal)?.to_vec();
    if commands.is_empty() {
        return Ok(());
    }
    let store = Store::new(repo);
    if skip {
        record(&store, journal, EventKind::ChecksSkipped)?;
        ui.warn("the project's checks were not run (`--no-checks`): `tested` stays unticked");
        return Ok(());
    }
    let tip = repo.require_branch(
        &journal.branch,
        git_hotfix_core::foundation::names::BranchRole::Hotfix,
    )?;
    let passed = journal.events.iter().any(|e| {
        matches!(&e.what, EventKind::ChecksRan { commit, result: StepResult::Ok, commands: ran, .. }
            if *commit == tip && *ran == commands)
    });
    if passed {
        ui.status(
            "Checked",
            format!("{} passed its checks already", short(tip)),
        );
        return Ok(());
    }
    let Some(worktree) = repo.worktrees_on(&journal.branch)?.into_iter().next() else {
        return Err(CommandError::new(
            Exit::Error,
            format!(
                "the checks run in the fix's checkout, and `{}` is checked out nowhere",
                journal.branch
            ),
        )
        .hint(format!(
            "`git switch {}` and finish there, or release without them: `--no-checks`",
            journal.branch
        )));
    };
    // The checks test what is committed: not a local edit that the release would not have.
    git_hotfix_core::git::worktree::ensure_clean(&worktree)?;

    let runner = Runner::new(ui, worktree.path.clone(), Committed::default(), false);
    let mut failed = None;
    for (n, command) in commands.iter().enumerate() {
        ui.status(&format!("[{}/{}]", n + 1, commands.len()), command);
        let ran = runner.run(&Step::Run(RunStep {
            argv: command.split_whitespace().map(String::from).collect(),
            env: Vec::new(),
            timeout_seconds: TIMEOUT_SECONDS,
            description: command.clone(),
        }));
        if ran.result != StepResult::Ok || runner.interrupted() {
            failed = Some((command.clone(), ran.result, ran.detail));
            break;
        }
    }
    let (result, detail) = match &failed {
        Some((command, result, detail)) => (
            *result,
            Some(format!(
                "`{command}`: {}",
                detail.as_deref().unwrap_or("failed")
            )),
        ),
        None => (StepResult::Ok, None),
    };
    record(
        &store,
        journal,
        EventKind::ChecksRan {
            commit: tip,
            commands: commands.clone(),
            result,
            detail,
        },
    )?;
    match failed {
        None => {
            ui.status(
                "Checked",
                format!(
                    "{}: {} check{} passed",
                    short(tip),
                    commands.len(),
                    if commands.len() == 1 { "" } else { "s" }
                ),
            );
            Ok(())
        }
        Some((command, _, detail)) => Err(CommandError::new(
            Exit::Error,
            format!(
                "the check `{command}` failed on {}, so nothing was released: {}",
                short(tip),
                detail.as_deref().unwrap_or("it failed")
            ),
        )
        .hint(format!(
            "fix it on `{}`, commit, and finish again; `--no-checks` releases without them (the journal says so)",
            journal.branch
        ))),
    }
}

/// Add `what` to the journal as it is stored now (another command may have written since
/// this one read it), under the lock.
fn record(store: &Store, journal: &mut Journal, what: EventKind) -> Result<()> {
    let _lock = store.lock()?;
    if let Some(stored) = store.load_any(&journal.ticket)? {
        *journal = stored;
    }
    journal.record(clock::now(), what);
    Ok(store.save(journal)?)
}
