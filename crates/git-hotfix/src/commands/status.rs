use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::operations::backport::{self, Backport};
use git_hotfix_core::operations::patch_apply::{self, PatchRun};
use git_hotfix_core::records::journal::{Item, State, Store, continue_runs, cut_short_said};
use git_hotfix_core::settings::policy::VersionFiles;
use git_hotfix_core::views::escalation::{Rung, RungState};
use git_hotfix_core::views::incident::{self, By, Clock, Reading, Tick, minutes_text};
use git_hotfix_core::views::production;
use git_hotfix_core::views::status::{self, FinishPreview, HotfixStatus};
use git_hotfix_core::{Error as CoreError, Journal, Repo};
use git_hotfix_plugin_host::sanitize;

use crate::context::Context;
use crate::error::{Exit, Result};
use crate::render::backport::row;
use crate::render::finish::finish_steps;
use crate::render::say_picked;
use crate::ui::{DIM, EMPHASIS, GOOD, LATE, SHORT, paint};

/// Show the hotfix in progress: branch, base, version, commits, and what finish will do
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The hotfix to show (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    /// List every hotfix, in progress and finished
    #[arg(long, conflicts_with = "hotfix")]
    pub all: bool,
}

pub fn cmd_status(context: &Context, args: StatusArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let store = Store::new(&repo);
    let backport = backport::load(&repo)?;
    let patches = patch_apply::load(&repo)?;

    if args.all {
        let mut all = store.active()?;
        all.extend(store.ended()?);
        if ui.json_mode() {
            ui.json(&StatusAllDocument {
                hotfixes: &all,
                backport: backport.as_ref(),
                patch_apply: patches.as_ref(),
            });
        } else if all.is_empty() {
            ui.out("No hotfixes yet.");
        } else {
            for line in summary_lines(&all) {
                ui.out(line);
            }
        }
        return Ok(Exit::Ok);
    }

    // The hotfix on this branch, the only one in progress, the open incident of a finished
    // one, else the most recent finished one; with several in progress and none checked
    // out, list them.
    let journal = match incident::select_recent(&repo, args.hotfix.as_deref()) {
        // A stopped backport or patch run says more than a hotfix long verified.
        Ok((_, true)) if backport.is_some() || patches.is_some() => None,
        // Nothing in progress, every incident closed: where the deploy runbook starts,
        // production's state, rather than an old hotfix's details.
        Ok((journal, true)) if !ui.json_mode() && args.hotfix.is_none() => {
            ui.out("No hotfix in progress.");
            ui.out("");
            let config = context.config(&repo)?;
            let production = production::read(&repo, &config, &crate::http::Production)?;
            for line in production_lines(&production) {
                ui.out(line);
            }
            ui.hint(format!(
                "{} ({}): the most recent hotfix, its production verified; `git hotfix status --hotfix {}` shows it",
                journal.ticket, journal.version, journal.ticket
            ));
            return Ok(Exit::Ok);
        }
        Ok((journal, picked)) => {
            if picked {
                say_picked(context, &journal);
            }
            Some(journal)
        }
        Err(CoreError::NoIncident | CoreError::AmbiguousHotfix { .. }) if args.hotfix.is_none() => {
            None
        }
        Err(err) => return Err(err.into()),
    };
    let Some(journal) = journal else {
        let active = store.active()?;
        // Where a deploy runbook starts: what production is, when nothing is under way.
        let production = match active.is_empty() {
            true => Some(production::read(
                &repo,
                &context.config(&repo)?,
                &crate::http::Production,
            )?),
            false => None,
        };
        if ui.json_mode() {
            ui.json(&StatusDocument {
                hotfix: None,
                in_progress: Some(&active),
                production: Some(production.as_ref()),
                backport: backport.as_ref(),
                patch_apply: patches.as_ref(),
            });
        } else if active.is_empty() {
            if backport.is_none() && patches.is_none() {
                ui.out("No hotfix in progress.");
                if let Some(production) = &production {
                    ui.out("");
                    for line in production_lines(production) {
                        ui.out(line);
                    }
                }
                ui.hint("start one with `git hotfix start <ticket> <description>`");
            }
            if let Some(run) = &backport {
                render_backport(context, &repo, run);
            }
            if let Some(run) = &patches {
                render_patch_run(context, &repo, run);
            }
        } else {
            ui.out("Hotfixes in progress:");
            for line in summary_lines(&active) {
                ui.out(format!("  {line}"));
            }
            ui.hint("show one with `git hotfix status --hotfix <ticket>`");
        }
        return Ok(Exit::Ok);
    };

    let config = context.config(&repo)?;
    // A broken version-files plugin must not hide the hotfix: say so and show the rest.
    let policy = crate::policies::Loaded::for_world(
        context,
        &repo,
        &config,
        git_hotfix_plugin_host::World::VersionFiles,
    )
    .inspect_err(|err| {
        ui.warn(format!(
            "{}; finish cannot bump the version files",
            err.message
        ))
    })
    .ok();
    let version_files = policy.as_ref().map(|p| p.version_files());
    let status = status::of(
        &repo,
        &config,
        journal,
        version_files.as_ref().map(|v| v as &dyn VersionFiles),
        &crate::http::Production,
        context.now,
    )?;
    if ui.json_mode() {
        ui.json(&StatusDocument {
            hotfix: Some(&status),
            in_progress: None,
            production: None,
            backport: backport.as_ref(),
            patch_apply: patches.as_ref(),
        });
    } else {
        render(
            context,
            &status,
            Store::new(&repo).in_use(),
            crate::workflow::deploy::live_step_group(&repo),
        );
        if let Some(run) = &backport {
            ui.out("");
            render_backport(context, &repo, run);
        }
        if let Some(run) = &patches {
            ui.out("");
            render_patch_run(context, &repo, run);
        }
    }
    Ok(Exit::Ok)
}

/// How a journaled run stands: under way in another git-hotfix, or waiting on a person.
fn run_state(repo: &Repo) -> &'static str {
    match Store::new(repo).in_use() {
        true => "under way (another git hotfix is running it)",
        false => "stopped",
    }
}

/// A backport run that is stopped (or was interrupted): each line's state and the way on.
fn render_backport(context: &Context, repo: &Repo, run: &Backport) {
    let ui = &context.ui;
    let of = run.hotfix.as_deref().unwrap_or(&run.name);
    let state = run_state(repo);
    ui.out(format!("Backport of {} {state}:", paint(EMPHASIS, of)));
    for target in &run.targets {
        ui.out(format!("  {}", row(target, run.onto_target)));
    }
    if state != "stopped" {
        return;
    }
    match &run.stopped {
        Some(stop) => ui.out(format!(
            "  Resolve in {}, `git add` the files there, then `git hotfix continue` (or `skip`, `abort`).",
            stop.worktree.display()
        )),
        None => ui.out("  `git hotfix continue` goes on with the lines not done; `git hotfix abort` undoes it."),
    }
}

/// A stopped `patch apply`: each mail's state and the way on.
fn render_patch_run(context: &Context, repo: &Repo, run: &PatchRun) {
    let ui = &context.ui;
    ui.out(format!(
        "Patch apply onto {} {}:",
        paint(EMPHASIS, &run.branch),
        run_state(repo)
    ));
    for patch in &run.patches {
        let state = match patch.status {
            patch_apply::Status::Pending => "pending",
            patch_apply::Status::Applied => "applied",
            patch_apply::Status::Empty => "empty",
            patch_apply::Status::Skipped => "skipped",
            patch_apply::Status::Stopped => "stopped",
        };
        ui.out(format!(
            "  {state:<8} {}: {}",
            context.shown(&patch.origin),
            patch.subject
        ));
    }
    if let Some(stop) = &run.stopped {
        ui.out(format!(
            "  Apply the rest in {}, `git add` it there, then `git hotfix continue` (or `skip`, `abort`).",
            stop.worktree.display()
        ));
    }
}

/// `P0 · 1h12m left of 2h`, coloured by how much is left.
pub fn clock_text(clock: &Clock) -> String {
    let target = minutes_text(i64::from(clock.target_minutes));
    let (style, text) = match clock.reading {
        Reading::Running { left_minutes } => (
            if left_minutes * 4 < i64::from(clock.target_minutes) {
                SHORT
            } else {
                GOOD
            },
            format!(
                "{} left of {target} (deadline {})",
                minutes_text(left_minutes),
                clock.deadline.strftime("%H:%M UTC")
            ),
        ),
        Reading::Overdue { over_minutes } => (
            LATE,
            format!(
                "overdue by {} ({target} ended {})",
                minutes_text(over_minutes),
                clock.deadline.strftime("%H:%M UTC")
            ),
        ),
        Reading::Met { took_minutes } => (
            GOOD,
            format!(
                "deployed in {}, within {target}",
                minutes_text(took_minutes)
            ),
        ),
        Reading::Missed { took_minutes } => (
            LATE,
            format!(
                "deployed in {}, over the {target} target",
                minutes_text(took_minutes)
            ),
        ),
    };
    format!("{} · {}", clock.severity, paint(style, text))
}

/// `[x] fix committed            14:31  T+28m`, with who ticked it when a person did.
/// A checklist label in its column, and at least two spaces after a long one.
fn column(label: &str) -> String {
    match label.chars().count() {
        n if n >= 24 => format!("{label}  "),
        _ => format!("{label:<24}"),
    }
}

/// `T+20m`: a moment from detection.
fn offset(at: jiff::Timestamp, detected: jiff::Timestamp) -> String {
    let minutes = at.duration_since(detected).as_mins();
    format!(
        "T{}{}",
        if minutes < 0 { "-" } else { "+" },
        minutes_text(minutes.abs())
    )
}

/// A rung of the escalation ladder as a checklist line: done, due, coming, or missed.
fn rung_line(rung: &Rung, detected: jiff::Timestamp) -> Option<String> {
    let label = column(&format!("escalated to {}", rung.to));
    let due = rung.due.strftime("%H:%M").to_string();
    Some(match rung.state {
        RungState::NotNeeded => return None,
        RungState::Escalated { at } => format!(
            "[x] {label}{}  {}{}",
            at.strftime("%H:%M"),
            offset(at, detected),
            paint(DIM, "  (checked)")
        ),
        RungState::Due { over_minutes } => format!(
            "[ ] {label}{}",
            paint(
                LATE,
                format!(
                    "due {due}, {} ago  `git hotfix check escalated`",
                    minutes_text(over_minutes)
                )
            )
        ),
        RungState::Upcoming { in_minutes } => format!(
            "[ ] {label}{}",
            paint(DIM, format!("due {due}, in {}", minutes_text(in_minutes)))
        ),
        RungState::Missed => format!("[ ] {label}{}", paint(LATE, format!("missed (due {due})"))),
    })
}

fn tick_line(tick: &Tick, detected: jiff::Timestamp) -> String {
    let label = tick.item.label();
    let Some(at) = tick.at else {
        let due = tick
            .due
            .map(|due| format!("due {} UTC", due.strftime("%Y-%m-%d %H:%M")));
        let how = tick
            .item
            .by_hand_only()
            .then(|| format!("`git hotfix check {}`", tick.item.name()));
        let after: Vec<String> = due.into_iter().chain(how).collect();
        return if after.is_empty() {
            format!("[ ] {label}")
        } else {
            format!("[ ] {}{}", column(label), paint(DIM, after.join("  ")))
        };
    };
    let mut line = format!(
        "[x] {}{}  {}",
        column(label),
        at.strftime("%H:%M"),
        offset(at, detected)
    );
    if tick.by == Some(By::Person) {
        line.push_str(&paint(DIM, "  (checked)"));
    }
    if let Some(note) = &tick.note {
        line.push_str(&format!("  {note}"));
    }
    line
}

/// The escalation to make now, or the next one and when.
fn escalation_line(rungs: &[Rung]) -> Option<String> {
    if let Some(due) = rungs
        .iter()
        .find(|r| matches!(r.state, RungState::Due { .. }))
    {
        let RungState::Due { over_minutes } = due.state else {
            unreachable!("found as due")
        };
        return Some(paint(
            LATE,
            format!(
                "{} now: due {} ({} ago), then `git hotfix check escalated`",
                due.to,
                due.due.strftime("%H:%M UTC"),
                minutes_text(over_minutes)
            ),
        ));
    }
    rungs.iter().find_map(|r| match r.state {
        RungState::Upcoming { in_minutes } => Some(format!(
            "next: {} at {} (in {})",
            r.to,
            r.due.strftime("%H:%M UTC"),
            minutes_text(in_minutes)
        )),
        _ => None,
    })
}

/// What the service says it runs, against what the journals record: the two disagree
/// when a deploy or rollback happened outside git-hotfix, or did not take.
fn reported_line(reported: &production::Reported) -> String {
    let url = sanitize::line(&reported.url);
    match (&reported.version, reported.agrees, &reported.recorded) {
        (Some(version), Some(true), _) => {
            format!(
                "  {:<11} says it runs {version} ({url}), as recorded",
                "service"
            )
        }
        (Some(version), Some(false), Some(recorded)) => paint(
            LATE,
            format!(
                "  {:<11} says it runs {version} ({url}), but the journals record {recorded}: a deploy or rollback happened outside git-hotfix, or did not take",
                "service"
            ),
        ),
        (Some(version), _, _) => format!(
            "  {:<11} says it runs {version} ({url}); no deploy of it is recorded",
            "service"
        ),
        (None, _, _) => paint(
            LATE,
            format!(
                "  {:<11} {url}: {}",
                "service",
                reported.problem.as_deref().unwrap_or("gave no version")
            ),
        ),
    }
}

/// `Production: main at 1a2b3c4`, its newest release, what each environment runs, what
/// the service says it runs, the last hotfixes.
fn production_lines(production: &production::Production) -> Vec<String> {
    let mut lines = vec![match production.tip {
        Some(tip) => format!("Production: {} at {}", production.branch, short(tip)),
        None => format!("Production: {} (no such branch yet)", production.branch),
    }];
    if production.releases.is_empty() {
        lines.push("  release     none tagged yet".to_string());
    }
    for release in &production.releases {
        let product = release
            .product
            .as_deref()
            .map(|p| format!("{p}: "))
            .unwrap_or_default();
        lines.push(format!(
            "  release     {product}{} ({})",
            release.tag,
            short(release.commit)
        ));
    }
    for (environment, running) in &production.environments {
        lines.push(match running {
            Some(running) => format!(
                "  {environment:<11} runs {} since {} ({})",
                running.version,
                running.at.strftime("%Y-%m-%d %H:%M UTC"),
                running.by
            ),
            None => format!("  {environment:<11} {}", paint(DIM, "no deploy recorded")),
        });
    }
    if let Some(reported) = &production.reported {
        lines.push(reported_line(reported));
    }
    if !production.recent.is_empty() {
        lines.push("Last hotfixes:".to_string());
        for recent in &production.recent {
            lines.push(format!(
                "  {}  {}  {}{}{}",
                recent.ticket,
                recent.version,
                recent.state,
                recent
                    .severity
                    .as_deref()
                    .map(|s| format!(" · {s}"))
                    .unwrap_or_default(),
                recent
                    .at
                    .map(|at| format!(" · {}", at.strftime("%Y-%m-%d")))
                    .unwrap_or_default()
            ));
        }
    }
    lines
}

/// One line per hotfix, its columns as wide as their widest value (a ticket may be long).
fn summary_lines(journals: &[Journal]) -> Vec<String> {
    let state = |journal: &Journal| match (&journal.state, &journal.run) {
        (State::Finished, _) => "finished",
        (State::Abandoned, _) => "abandoned",
        (State::Active, Some(_)) => "stopped",
        (State::Active, None) => "in progress",
    };
    let width = |column: &dyn Fn(&Journal) -> usize| journals.iter().map(column).max().unwrap_or(0);
    let tickets = width(&|j| j.ticket.chars().count());
    let states = width(&|j| state(j).len());
    let branches = width(&|j| j.branch.chars().count());
    journals
        .iter()
        .map(|journal| {
            format!(
                "{:<tickets$}  {:<states$}  {:<branches$}  {}",
                journal.ticket,
                state(journal),
                journal.branch,
                journal.version
            )
        })
        .collect()
}

/// `under_way`: another git-hotfix holds the lock (a deploy step without its end runs now);
/// `live_group`: what a killed git-hotfix's deploy step started, still running.
fn render(context: &Context, status: &HotfixStatus, under_way: bool, live_group: Option<i32>) {
    let ui = &context.ui;
    let journal = &status.journal;
    let title = if journal.description.is_empty() {
        journal.ticket.clone()
    } else {
        format!("{}: {}", journal.ticket, journal.description)
    };
    ui.out(format!("Hotfix {}", paint(EMPHASIS, title)));
    let tip = status
        .tip
        .map(|t| format!(" at {}", short(t)))
        .unwrap_or_else(|| " (deleted)".into());
    ui.out(format!("  branch   {}{tip}", journal.branch));
    ui.out(format!(
        "  base     {} ({})",
        journal.base.label(),
        short(journal.base.commit())
    ));
    ui.out(format!(
        "  version  {}, tag {}",
        journal.version, journal.tag
    ));
    if let Some(assessed) = &journal.assessment {
        ui.out(format!("  severity {}", crate::render::summary(assessed)));
    }
    if let Some(started) = journal.started_at() {
        let elapsed = context.now.duration_since(started);
        let minutes = elapsed.as_secs().max(0) / 60;
        ui.out(format!(
            "  started  {} ({}h{:02}m ago)",
            started.strftime("%Y-%m-%d %H:%M UTC"),
            minutes / 60,
            minutes % 60
        ));
    }
    if let Some(detected) = journal.detected_at {
        ui.out(format!(
            "  detected {} ({} ago)",
            detected.strftime("%Y-%m-%d %H:%M UTC"),
            minutes_text(context.now.duration_since(detected).as_mins())
        ));
    }
    if let Some(clock) = &status.clock {
        ui.out(format!("  clock    {}", clock_text(clock)));
    }
    if let Some(line) = escalation_line(&status.escalations) {
        ui.out(format!("  escalate {line}"));
    }
    if let Some(worktree) = &journal.worktree {
        ui.out(format!("  worktree {}", worktree.display()));
    }
    match journal.state {
        State::Active => ui.out(format!(
            "  commits  {} since the base",
            status.commits.len()
        )),
        State::Finished => ui.out(format!(
            "  commits  {} in the fix, released as {}",
            status.commits.len(),
            journal.tag
        )),
        State::Abandoned => ui.out(format!(
            "  commits  {} since the base; abandoned, not released",
            status.commits.len()
        )),
    }
    for commit in &status.commits {
        ui.out(format!(
            "    {} {}",
            paint(DIM, short(commit.id)),
            commit.summary
        ));
    }
    if let Some(cut) = journal.cut_short().filter(|_| under_way) {
        ui.out(format!(
            "  {} under way: step {} (`{}`), begun {} by git-hotfix pid {}",
            cut.run_name(),
            cut.index + 1,
            cut.step,
            cut.started.strftime("%Y-%m-%d %H:%M UTC"),
            cut.pid
        ));
    } else if let Some((cut, ended)) = journal.open_deploy() {
        ui.out(paint(LATE, format!("  {}", cut_short_said(cut, ended))));
        if let Some(group) = live_group {
            ui.out(paint(
                LATE,
                format!(
                    "  what the step started still runs (process group {group}): wait for it, or `kill -- -{group}`, before going on"
                ),
            ));
        }
        ui.out(format!(
            "  `git hotfix continue --hotfix {t}` runs {}; `git hotfix abort --hotfix {t}` records it as failed",
            continue_runs(ended),
            t = journal.ticket
        ));
    }
    if let Some(production) = &status.production {
        let running = &production.running;
        ui.out(format!(
            "  production runs {} since {} ({}){}",
            running.version,
            running.at.strftime("%Y-%m-%d %H:%M UTC"),
            running.by,
            match production.holds_fix {
                Some(true) => ", which holds the fix".to_string(),
                Some(false) => paint(LATE, ", without the fix"),
                None => String::new(),
            }
        ));
        if let Some(off) = &production.flagged_off {
            ui.out(paint(
                LATE,
                format!(
                    "  its feature flag {} is off since {} (rollback --flag): the release runs, the fix's feature does not; `git hotfix verify` once it is back on",
                    off.flag,
                    off.at.strftime("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
    }
    if let Some(reported) = &status.reported {
        ui.out(reported_line(reported));
    }
    if let Some(detected) = journal.detected_at() {
        ui.out("");
        ui.out("Checklist:");
        let mut rungs_shown = false;
        for tick in &status.checklist {
            // The ladder's rungs, with their states, where the checklist has them.
            if tick.item == Item::Escalated {
                if !std::mem::replace(&mut rungs_shown, true) {
                    for line in status
                        .escalations
                        .iter()
                        .filter_map(|r| rung_line(r, detected))
                    {
                        ui.out(format!("  {line}"));
                    }
                }
                continue;
            }
            ui.out(format!("  {}", tick_line(tick, detected)));
        }
    }
    if let Some(run) = &status.stopped {
        ui.out("");
        match &run.conflict {
            Some(conflict) => {
                ui.out(format!(
                    "Stopped: merging into {} conflicts in {}.",
                    conflict.branch,
                    conflict.paths.join(", ")
                ));
                ui.out(format!(
                    "  Resolve in {}, `git add` the files there, then `git hotfix continue`.",
                    conflict.worktree.display()
                ));
            }
            None => {
                ui.out(format!(
                    "Stopped: the {} of {} did not end ({}).",
                    run.kind,
                    journal.ticket,
                    run.steps.failure().unwrap_or("it was interrupted")
                ));
                for line in crate::runs::progress(&run.steps) {
                    ui.out(format!("  {line}"));
                }
                ui.out("  `git hotfix continue` does what is left.");
            }
        }
        ui.out("  `git hotfix abort` undoes the run.");
        return;
    }
    // Proposed on GitHub: it is released once the pull request merges, not by a local
    // finish.
    if let Some(proposal) = journal
        .proposal
        .as_ref()
        .filter(|_| journal.state == State::Active)
        && let Some(pull) = &proposal.pull
    {
        ui.out("");
        ui.out(format!(
            "Proposed: pull request #{} into {}: {}",
            pull.number, proposal.base, pull.url
        ));
        ui.out(
            "  Once it merges, `git hotfix finish --after-merge` tags what merged (the git-hotfix action does it on the merge, and then this takes its tag).",
        );
        return;
    }
    match &status.finish {
        Some(FinishPreview::Plan { plan }) => {
            ui.out("");
            ui.out("Finish will:");
            for line in finish_steps(plan) {
                ui.out(format!("  - {line}"));
            }
        }
        Some(FinishPreview::Refused { reason: why }) => {
            ui.out("");
            ui.out(format!("Finish would refuse: {why}"));
        }
        None => {}
    }
}

/// `status --all`: every hotfix's journal, and the stopped backport or patch run.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct StatusAllDocument<'a> {
    pub hotfixes: &'a [Journal],
    pub backport: Option<&'a Backport>,
    pub patch_apply: Option<&'a PatchRun>,
}

impl crate::document::Document for StatusAllDocument<'_> {
    const NAME: &'static str = "status-all";
}

/// `status`: the hotfix in question, or (none being in question) those in progress and
/// production's state when none is; and the stopped backport or patch run.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct StatusDocument<'a> {
    pub hotfix: Option<&'a HotfixStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<&'a [Journal]>,
    /// What production is, when nothing is in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub production: Option<Option<&'a production::Production>>,
    pub backport: Option<&'a Backport>,
    pub patch_apply: Option<&'a PatchRun>,
}

impl crate::document::Document for StatusDocument<'_> {
    const NAME: &'static str = "status";
}
