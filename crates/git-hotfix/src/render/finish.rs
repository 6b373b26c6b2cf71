//! A finish, in text and `--json`: its plan's steps, what a run did (moved, tagged,
//! merged, pushed), the pull request it opened, the GitHub release it published.

use git_hotfix_core::Journal;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::merge::Outcome;
use git_hotfix_core::lifecycle::finish::{
    AfterMerge, Already, Finished, HerePlan, SettingsChanged,
};
use git_hotfix_core::lifecycle::github::ReleaseOutcome;
use git_hotfix_core::operations::finish::ResumePreview;
use git_hotfix_core::operations::finish::after_merge::CatchUp;
use git_hotfix_core::operations::finish::begin::Said;
use git_hotfix_core::operations::finish::checks;
use git_hotfix_core::operations::finish::propose::ProposePlan;
use git_hotfix_core::operations::finish::publish::Publish;
use git_hotfix_core::operations::finish::{FinishOutcome, FinishPlan, Role};
use git_hotfix_core::records::journal::ReleaseCommit;
use git_hotfix_core::records::run::{OpenedPull, WorktreeStep};
use git_hotfix_core::{Repo, lifecycle};
use git_hotfix_github::{PullSpec, Request};

use crate::context::Context;
use crate::document::{Document, Planned};
use crate::error::{Exit, Result};
use crate::forge::Access;
use crate::ui::{EMPHASIS, paint};

/// The `--json` document of a finish run, or of its `continue`: what it did, and the GitHub
/// release it published.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct FinishDocument<'a> {
    pub executed: bool,
    pub outcome: &'a FinishOutcome,
    pub release: Option<&'a ReleaseOutcome>,
}

impl Document for FinishDocument<'_> {
    const NAME: &'static str = "finish";
}

/// `finish --plan`: the plan, the checks it would run, the release commit's edits and the
/// GitHub requests.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct FinishPlanDocument<'a> {
    pub plan: &'a FinishPlan,
    /// The commands `[checks]` would run before anything moves.
    pub checks: &'a [String],
    /// The release commit's diff: the exact edits to the version files and the changelog.
    pub release_diff: Option<String>,
    pub requests: Vec<String>,
    pub executed: bool,
}

impl Document for FinishPlanDocument<'_> {
    const NAME: &'static str = "finish-plan";
}

/// `finish` (or `tag`) of a hotfix finished here already: what it pushed and published.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct FinishedAlreadyDocument<'a> {
    pub executed: bool,
    pub finished_already: bool,
    pub pushed: Option<&'a Publish>,
    pub release: Option<&'a ReleaseOutcome>,
}

impl Document for FinishedAlreadyDocument<'_> {
    const NAME: &'static str = "finished-already";
}

/// `finish --pr --plan`: the proposal, the pull request as it would be asked for, and the
/// GitHub requests.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ProposePlanDocument<'a> {
    pub plan: &'a ProposePlan,
    pub pull: &'a PullSpec,
    pub requests: Vec<Request>,
    pub executed: bool,
}

impl Document for ProposePlanDocument<'_> {
    const NAME: &'static str = "propose-plan";
}

/// `finish --pr`: the proposal made and the pull request opened (or brought up to date).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ProposedDocument<'a> {
    pub executed: bool,
    pub proposal: &'a ProposePlan,
    pub pull: ProposedPull<'a>,
}

impl Document for ProposedDocument<'_> {
    const NAME: &'static str = "propose";
}

/// A pull request a run opened.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ProposedPull<'a> {
    pub pull: PullLink<'a>,
    /// Opened by this run (not one that was open already).
    pub created: bool,
    /// What changed on one that was open (`title`, `labels P0`).
    pub changes: &'a [String],
    /// What went through only in part (a reviewer the forge would not ask).
    pub warnings: &'a [String],
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PullLink<'a> {
    pub number: u64,
    pub url: &'a str,
}

impl<'a> ProposedPull<'a> {
    pub fn of(opened: &'a OpenedPull) -> Self {
        ProposedPull {
            pull: PullLink {
                number: opened.number,
                url: &opened.url,
            },
            created: opened.created,
            changes: &opened.changes,
            warnings: &opened.warnings,
        }
    }
}

/// `finish --after-merge --plan`: the steps, and the GitHub requests.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct AfterMergePlanDocument<'a> {
    pub steps: &'a [String],
    pub requests: &'a [String],
    pub executed: bool,
}

impl Document for AfterMergePlanDocument<'_> {
    const NAME: &'static str = "after-merge-plan";
}

impl Document for Planned<'_, ResumePreview> {
    const NAME: &'static str = "continue-finish-plan";
}

/// What a finish does as it goes.
pub fn said(context: &Context, said: lifecycle::finish::Said<'_>, plan: bool) {
    use lifecycle::finish::Said as S;
    let ui = &context.ui;
    match said {
        S::Began(said) => began(context, said, plan),
        S::Checked(said) => checked(context, said),
        S::Untested => ui.warn(
            "no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)",
        ),
        S::ReleaseStaysHere => {
            ui.hint("`[github] release` is set but the tag stays here: `--push` publishes both")
        }
        S::PushedLater { journal, publish } => pushed_later(context, journal, publish, plan),
    }
}

/// Ask a person on the terminal whether the settings a fix changes go into production.
pub fn accept_settings(context: &Context, asked: &SettingsChanged<'_>) -> bool {
    let ui = &context.ui;
    ui.warn(format!(
        "{} changes the team's settings in {}, which this finish puts into production:",
        asked.ticket,
        asked.files.join(", ")
    ));
    for change in asked.changes {
        ui.out(format!("  {change}"));
    }
    ui.confirm("Accept these settings?") == Some(true)
}

/// Tell where a finish left the hotfix; the exit code says how it ended. `github` holds
/// what a `--plan` would have sent.
pub fn finished(
    context: &Context,
    repo: &Repo,
    finished: &Finished,
    github: &Access<'_>,
) -> Result<Exit> {
    let ui = &context.ui;
    match finished {
        Finished::Here {
            journal,
            outcome,
            release,
        } => {
            let exit = report(context, journal, outcome, release.as_ref())?;
            crate::audit::share_finished(context, repo, journal, outcome);
            Ok(exit)
        }
        Finished::HerePlanned(plan) => {
            here_plan(context, plan, github.planned_lines());
            Ok(Exit::Ok)
        }
        Finished::Proposed { plan, pull } => {
            if ui.json_mode() {
                ui.json(&ProposedDocument {
                    executed: true,
                    proposal: plan,
                    pull: ProposedPull::of(pull),
                });
            } else {
                proposed(context, plan, pull);
            }
            Ok(Exit::Ok)
        }
        Finished::ProposePlanned { plan, pull } => {
            let spec = crate::forge::spec(pull);
            let forge = github.forge().expect("a proposal plan asks GitHub");
            propose_plan(context, plan, &spec, forge);
            Ok(Exit::Ok)
        }
        Finished::Merged(done) => after_merge(context, repo, done),
        Finished::MergePlanned { ticket, steps } => {
            let requests = github.planned_lines();
            if ui.json_mode() {
                ui.json(&AfterMergePlanDocument {
                    steps,
                    requests: &requests,
                    executed: false,
                });
                return Ok(Exit::Ok);
            }
            ui.out(format!(
                "Would finish hotfix {} after its merge:",
                paint(EMPHASIS, ticket)
            ));
            for step in steps {
                ui.out(format!("  - {step}"));
            }
            ui.out("");
            let repository = github.forge().map(|f| f.github.repository().to_string());
            ui.out(format!(
                "GitHub requests (to {}):",
                repository.unwrap_or_default()
            ));
            for line in requests {
                ui.out(format!("  {line}"));
            }
            Ok(Exit::Ok)
        }
        Finished::Already(already) => {
            let pushed = already.pushed.as_ref();
            if !already.plan && pushed.is_some_and(|p| !p.push.refs.is_empty()) {
                crate::audit::share(context, repo, &already.journal);
            }
            finished_already(context, already, github);
            Ok(Exit::Ok)
        }
    }
}

/// What `finish --after-merge` did; shared with the bot's release.
pub fn after_merge(context: &Context, repo: &Repo, done: &AfterMerge) -> Result<Exit> {
    let exit = report(context, &done.journal, &done.outcome, done.release.as_ref())?;
    crate::audit::share_finished(context, repo, &done.journal, &done.outcome);
    report_catch_up(context, done.develop.as_ref());
    Ok(exit)
}

/// `finish --plan`: the steps, the checks first, the release commit's diff, the requests.
fn here_plan(context: &Context, here: &HerePlan, requests: Vec<String>) {
    let ui = &context.ui;
    let plan = &here.plan;
    let requests = match here.release {
        true => requests,
        false => Vec::new(),
    };
    if ui.json_mode() {
        ui.json(&FinishPlanDocument {
            plan,
            checks: &here.checks,
            release_diff: here.release_diff.clone(),
            requests,
            executed: false,
        });
        return;
    }
    ui.out(format!(
        "Would finish hotfix {} ({} commit{} on {}):",
        paint(EMPHASIS, &plan.ticket),
        plan.commits.len(),
        if plan.commits.len() == 1 { "" } else { "s" },
        plan.branch
    ));
    if !here.checks.is_empty() {
        let listed: Vec<String> = here.checks.iter().map(|c| format!("`{c}`")).collect();
        ui.out(format!("  - run the checks: {}", listed.join(", ")));
    }
    for line in finish_steps(plan) {
        ui.out(format!("  - {line}"));
    }
    if !requests.is_empty() {
        ui.out("  - publish the GitHub release of the tag");
    }
    if let Some(diff) = &here.release_diff {
        ui.out("");
        ui.out("The release commit's changes:");
        ui.out(diff.trim_end());
    }
    if !requests.is_empty() {
        ui.out("");
        ui.out("GitHub requests (an existing release is updated instead):");
        for line in requests {
            ui.out(format!("  {line}"));
        }
    }
}

/// `finish --pr --plan`: the local steps, the pull request, the requests.
fn propose_plan(
    context: &Context,
    plan: &ProposePlan,
    spec: &PullSpec,
    forge: &crate::forge::Forge,
) {
    let ui = &context.ui;
    if ui.json_mode() {
        ui.json(&ProposePlanDocument {
            plan,
            pull: spec,
            requests: forge.github.planned(),
            executed: false,
        });
        return;
    }
    ui.out(format!(
        "Would open a pull request for hotfix {} ({} into {}):",
        paint(EMPHASIS, &plan.ticket),
        plan.branch,
        plan.base
    ));
    for line in local_steps(plan) {
        ui.out(format!("  - {line}"));
    }
    ui.out(format!("  - open \"{}\"", spec.title));
    ui.out("");
    ui.out(format!(
        "GitHub requests (to {}; an open pull request for the branch is updated instead):",
        forge.github.repository()
    ));
    for line in forge.planned_lines() {
        ui.out(format!("  {line}"));
    }
}

/// What a later push sent, what the remote had already, and what it left there.
fn pushed_later(context: &Context, journal: &Journal, publish: &Publish, plan: bool) {
    let ui = &context.ui;
    let remote = &publish.push.remote;
    pushed(context, &publish.push, plan);
    if !publish.already.is_empty() {
        ui.status(
            "Unchanged",
            format!("{} already on {remote}", publish.already.join(" ")),
        );
    }
    if publish.push.refs.is_empty() && publish.already.is_empty() && publish.left.is_empty() {
        ui.status(
            "Unchanged",
            format!(
                "{} made nothing to push (no tag, no branch moved)",
                journal.ticket
            ),
        );
    }
    for name in &publish.left {
        ui.status(
            "Kept",
            format!("{name} on {remote}: it has commits the deleted branch had not"),
        );
    }
}

/// `finish` (or `tag --push`) of a hotfix finished already.
pub fn finished_already(context: &Context, already: &Already, github: &Access<'_>) {
    let ui = &context.ui;
    if already.plan && already.release.is_some() {
        for line in github.planned_lines() {
            ui.out(format!("Would send {line}"));
        }
    }
    if ui.json_mode() {
        ui.json(&FinishedAlreadyDocument {
            executed: !already.plan,
            finished_already: true,
            pushed: already.pushed.as_ref(),
            release: already.release.as_ref(),
        });
        return;
    }
    let journal = &already.journal;
    if already.pushed.is_none() {
        ui.status(
            "Unchanged",
            format!(
                "hotfix {} finished already: released {}",
                journal.ticket, journal.version
            ),
        );
    }
    if let Some(release) = already.release.as_ref().filter(|_| !already.plan) {
        report_release(context, &journal.tag, release);
    }
}

/// What the beginning of a finish did: the remote caught up, the version chosen again.
pub fn began(context: &Context, said: Said<'_>, plan: bool) {
    match said {
        Said::CaughtUp(caught_up) => crate::render::remote::caught_up(context, Some(caught_up)),
        Said::Reversioned {
            ticket,
            from,
            to,
            tag,
        } => context.ui.status(
            // Said as under way: it is recorded only once the finish's run starts.
            match plan {
                true => "Would re-version",
                false => "Re-versioning",
            },
            format!("{ticket}: {from} → {to} (tag {tag})"),
        ),
    }
}

/// What the project's checks did before the finish.
pub fn checked(context: &Context, said: checks::Said<'_>) {
    let ui = &context.ui;
    match said {
        checks::Said::Skipped => {
            ui.warn("the project's checks were not run (`--no-checks`): `tested` stays unticked")
        }
        checks::Said::PassedAlready { tip } => ui.status(
            "Checked",
            format!("{} passed its checks already", short(tip)),
        ),
        checks::Said::Check { n, of, command } => ui.status(&format!("[{}/{of}]", n + 1), command),
        checks::Said::Passed { tip, count } => ui.status(
            "Checked",
            format!(
                "{}: {count} check{} passed",
                short(tip),
                if count == 1 { "" } else { "s" }
            ),
        ),
    }
}

/// Tell what happened to the GitHub release of `tag`.
pub fn report_release(context: &Context, tag: &str, outcome: &ReleaseOutcome) {
    let ui = &context.ui;
    let what = format!("GitHub release {}", paint(EMPHASIS, tag));
    if outcome.created {
        ui.status("Published", what);
    } else if outcome.changes.is_empty() {
        ui.status("Unchanged", what);
    } else {
        ui.status(
            "Updated",
            format!("{what} ({})", outcome.changes.join(", ")),
        );
    }
    if let Some(url) = &outcome.url {
        ui.out(url);
    }
}

/// Tell what a finished or stopped run did; shared with `continue`.
pub fn report(
    context: &Context,
    journal: &Journal,
    outcome: &FinishOutcome,
    release: Option<&ReleaseOutcome>,
) -> Result<Exit> {
    let ui = &context.ui;
    let exit = match outcome {
        FinishOutcome::Stopped { .. } => Exit::Conflict,
        _ => Exit::Ok,
    };
    if ui.json_mode() {
        ui.json(&FinishDocument {
            executed: true,
            outcome,
            release,
        });
        return Ok(exit);
    }
    match outcome {
        FinishOutcome::Finished {
            plan,
            pushed,
            notes_pushed,
            ..
        } => {
            done_steps(context, plan, *pushed);
            notes_went(context, notes_pushed.as_deref());
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
            if let Some(release) = release {
                report_release(context, &journal.tag, release);
            }
        }
        FinishOutcome::Completed {
            moved,
            pushed,
            notes_pushed,
        } => {
            moved_and_pushed(context, moved, pushed.as_ref());
            notes_went(context, notes_pushed.as_deref());
            ui.status(
                "Finished",
                format!("hotfix {}: released {}", journal.ticket, journal.version),
            );
        }
        FinishOutcome::Resumed {
            kind,
            moved,
            pushed,
            pull,
        } => {
            moved_and_pushed(context, moved, pushed.as_ref());
            if let Some(pull) = pull {
                report_pull(context, pull);
            }
            ui.status("Completed", format!("the {kind} of {}", journal.ticket));
        }
        FinishOutcome::Stopped {
            plan,
            branch,
            worktree,
            paths,
        } => {
            ui.error(
                &format!(
                    "merging {} into {branch} conflicts in {}; stopped for you to resolve them in {}",
                    journal.branch,
                    paths.join(", "),
                    worktree.display()
                ),
                &[],
            );
            ui.hint(format!(
                "`cd {}`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`",
                worktree.display()
            ));
            ui.hint("`git hotfix abort` drops the run; no ref has moved");
            if let Some(onto) = plan.onto.as_ref().filter(|o| o.tag == *branch) {
                ui.hint(format!(
                    "{} was released since {} started: {} must hold it, as every release holds the earlier ones of its line",
                    onto.tag, journal.ticket, journal.tag
                ));
            }
            // Production does not wait for develop: an emergency ships first, and develop
            // catches up after.
            let develop = plan
                .integrations
                .iter()
                .any(|i| i.branch == *branch && i.role == Role::Develop);
            if develop {
                let tag = plan
                    .tag
                    .as_ref()
                    .map_or(journal.tag.as_str(), |t| t.name.as_str());
                ui.hint(format!(
                    "to release now and merge {branch} later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge {tag} into {branch} (`git switch {branch} && git merge {tag}`)"
                ));
            }
        }
    }
    Ok(exit)
}

fn notes_went(context: &Context, remote: Option<&str>) {
    if let Some(remote) = remote {
        context.ui.status(
            "Pushed",
            format!(
                "the hotfix notes ({}) to {remote}",
                git_hotfix_core::records::notes::REF
            ),
        );
    }
}

/// What a continued run's steps moved and pushed, all runs of it together.
fn moved_and_pushed(
    context: &Context,
    moved: &[git_hotfix_core::git::refs::Edit],
    pushed: Option<&git_hotfix_core::git::push::PushPlan>,
) {
    let ui = &context.ui;
    let refs: Vec<String> = moved
        .iter()
        .filter(|e| e.name.starts_with("refs/"))
        .map(|e| e.name.clone())
        .collect();
    if !refs.is_empty() {
        ui.status("Moved", refs.join(" "));
    }
    if let Some(push) = pushed {
        self::pushed(context, push, false);
    }
}

/// What a push did on the remote: the refs it set, and apart, the ones it deleted.
pub fn pushed(context: &Context, push: &git_hotfix_core::git::push::PushPlan, plan: bool) {
    let (deleted, set): (Vec<_>, Vec<_>) = push.refs.iter().partition(|r| r.new.is_none());
    let names = |refs: &[&git_hotfix_core::git::push::PushRef]| {
        refs.iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !set.is_empty() {
        let verb = if plan { "Would push" } else { "Pushed" };
        context
            .ui
            .status(verb, format!("{} to {}", names(&set), push.remote));
    }
    if !deleted.is_empty() {
        let verb = if plan { "Would delete" } else { "Deleted" };
        context
            .ui
            .status(verb, format!("{} on {}", names(&deleted), push.remote));
    }
}

fn done_steps(context: &Context, plan: &FinishPlan, pushed: bool) {
    let ui = &context.ui;
    if let Some(merged) = &plan.merged {
        ui.status(
            "Merged",
            format!(
                "#{} into {} on GitHub ({})",
                merged.number,
                merged.base,
                short(merged.commit)
            ),
        );
    }
    if let Some(onto) = &plan.onto
        && let Some(merge) = onto.outcome.new_tip()
    {
        ui.status(
            "Merged",
            format!(
                "the fix into {}, released since {} started (merge commit {})",
                onto.tag,
                plan.ticket,
                short(merge)
            ),
        );
    }
    // A release commit that went through a pull request was reported then, and one
    // `git hotfix tag` made (its tag kept) when it was made.
    let tagged_before = plan.tag.as_ref().is_some_and(|t| t.object.is_none());
    if let Some(release) = plan
        .release
        .as_ref()
        .filter(|_| plan.merged.is_none() && !tagged_before)
    {
        committed(context, release);
    }
    if let Some(tag) = &plan.tag {
        let verb = if tag.object.is_some() {
            "Tagged"
        } else {
            "Kept"
        };
        ui.status(
            verb,
            format!("{} on {}", paint(EMPHASIS, &tag.name), short(tag.target)),
        );
    }
    for integration in &plan.integrations {
        let branch = &integration.branch;
        match &integration.outcome {
            Outcome::UpToDate => ui.status("Unchanged", format!("{branch} already has the fix")),
            Outcome::FastForward { to } if plan.merged.is_some() => ui.status(
                "Updated",
                format!("{branch} to what GitHub merged ({})", short(*to)),
            ),
            Outcome::FastForward { to } => ui.status(
                "Merged",
                format!("into {branch} (fast-forward to {})", short(*to)),
            ),
            Outcome::Merge { commit } => ui.status(
                "Merged",
                format!("into {branch} (merge commit {})", short(*commit)),
            ),
            Outcome::Conflict { .. } => {}
        }
    }
    if let Some(develop) = plan
        .integrations
        .iter()
        .find(|i| plan.develop_found && i.role == Role::Develop)
    {
        ui.hint(format!(
            "{} got the fix as the develop branch found by name; `develop-branch` in .hotfix.toml names another (\"\" for none)",
            develop.branch
        ));
    }
    if let Some(newest) = &plan.older_than_production {
        ui.status(
            "Skipped",
            format!("production: {} is older than {newest}", plan.version),
        );
        ui.hint("bring the fix to newer lines with `git hotfix backport`");
    }
    if plan.delete_branch {
        ui.status("Deleted", &plan.branch);
    }
    for step in &plan.worktrees {
        match step {
            WorktreeStep::Switch { path, to, .. } => {
                ui.status("Switched", format!("{} to {to}", path.display()))
            }
            WorktreeStep::Detach { path, at, .. } => {
                ui.status("Detached", format!("{} at {at}", path.display()))
            }
            WorktreeStep::Follow { path, .. } => ui.status(
                "Updated",
                format!("{} to the release commit", path.display()),
            ),
            WorktreeStep::Remove { path, .. } => {
                ui.status("Removed", format!("worktree {}", path.display()))
            }
        }
    }
    if let (true, Some(push)) = (pushed, &plan.push) {
        self::pushed(context, push, false);
        if let Some(kept) = plan.kept_on_remote {
            let released = plan
                .tag
                .as_ref()
                .map_or_else(|| short(plan.tip).to_string(), |t| t.name.clone());
            ui.warn(format!(
                "kept {} on {} at {}: it has commits the release lacks, pushed there by someone else; see them with `git log {released}..{}/{}`",
                plan.branch,
                push.remote,
                short(kept),
                push.remote,
                plan.branch
            ));
        }
    }
}

/// The release commit a run made, and what it changes, one line per file.
pub fn committed(context: &Context, release: &ReleaseCommit) {
    let ui = &context.ui;
    ui.status(
        "Committed",
        format!("{} ({})", release.message.trim(), short(release.commit)),
    );
    for line in release_edits(release) {
        ui.status("", line);
    }
}

/// What a release commit changes, one line per file.
pub fn release_edits(release: &ReleaseCommit) -> Vec<String> {
    let mut lines: Vec<String> = release
        .bumps
        .iter()
        .map(|b| format!("{} {} -> {}", b.path, b.from, b.to))
        .collect();
    if let Some(entry) = &release.changelog {
        lines.push(format!(
            "{} {} entry \"{}\"",
            entry.path,
            if entry.created {
                "created with an"
            } else {
                "gets an"
            },
            entry.text
        ));
    }
    lines
}

/// The steps of a finish plan, one sentence each; shared by `status` and `finish --plan`.
pub fn finish_steps(plan: &FinishPlan) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(change) = &plan.settings {
        lines.push(format!(
            "change the team's settings in {}, once accepted (`--accept-settings`, or a yes on a terminal):",
            change.files.join(", ")
        ));
        lines.extend(change.keys.iter().map(|k| format!("  {k}")));
    }
    if let Some(onto) = &plan.onto {
        let tag = &onto.tag;
        lines.push(match &onto.outcome {
            Outcome::Conflict { paths } => format!(
                "stop: merging the fix into {tag}, released since the hotfix started, conflicts in {}",
                paths.join(", ")
            ),
            outcome => format!(
                "merge the fix into {tag} first, released since the hotfix started: a release holds every earlier release of its line{}",
                outcome
                    .new_tip()
                    .map(|c| format!(" (merge commit {})", short(c)))
                    .unwrap_or_default()
            ),
        });
    }
    if let Some(release) = &plan.release {
        lines.push(format!(
            "commit \"{}\" ({}) on the fix: {}",
            release.message.trim(),
            short(release.commit),
            release_edits(release).join("; ")
        ));
    }
    let mut held = plan.held.version_files.clone();
    held.extend(plan.held.changelog.iter().cloned());
    if !held.is_empty() {
        lines.push(format!(
            "keep {}: the fix has {} for {} already",
            held.join(", "),
            if held.len() == 1 { "it" } else { "them" },
            plan.version
        ));
    }
    if let Some(tag) = &plan.tag {
        match tag.object {
            Some(_) => lines.push(format!(
                "tag {} on {} (\"{}\")",
                tag.name,
                short(tag.target),
                tag.message
            )),
            None => lines.push(format!(
                "keep tag {} (already on {})",
                tag.name,
                short(tag.target)
            )),
        }
    }
    for integration in &plan.integrations {
        let branch = &integration.branch;
        if integration.role == Role::Develop && plan.develop_found {
            lines.push(format!(
                "back-merge into {branch}: found by name, as no `develop-branch` is configured (`develop-branch = \"\"` turns this off)"
            ));
        }
        lines.push(match &integration.outcome {
            Outcome::UpToDate => format!("leave {branch}: it already has the fix"),
            Outcome::FastForward { to } => format!("fast-forward {branch} to {}", short(*to)),
            Outcome::Merge { commit } => {
                format!("merge into {branch} (merge commit {})", short(*commit))
            }
            Outcome::Conflict { paths } => format!(
                "stop: merging into {branch} conflicts in {}",
                paths.join(", ")
            ),
        });
    }
    if let Some(newest) = &plan.older_than_production {
        lines.push(format!(
            "not merge into production: {} is older than {newest} (backport newer lines with `git hotfix backport`)",
            plan.version
        ));
    }
    if plan.delete_branch {
        lines.push(format!("delete {}", plan.branch));
    }
    for step in &plan.worktrees {
        lines.push(match step {
            WorktreeStep::Switch { path, to, .. } => {
                format!("switch {} to {to}", path.display())
            }
            WorktreeStep::Detach { path, at, .. } => {
                format!(
                    "detach {} at {at} ({at} is checked out elsewhere)",
                    path.display()
                )
            }
            WorktreeStep::Remove { path, .. } => format!("remove the worktree {}", path.display()),
            WorktreeStep::Follow { path, .. } => {
                format!("update {} to the release commit", path.display())
            }
        });
    }
    for integration in &plan.integrations {
        if let (Some(path), Some(_)) = (&integration.checked_out, integration.outcome.new_tip()) {
            lines.push(format!(
                "update the worktree {} where {} is checked out",
                path.display(),
                integration.branch
            ));
        }
    }
    if let Some(push) = &plan.push {
        let refs: Vec<&str> = push.refs.iter().map(|r| r.name.as_str()).collect();
        lines.push(format!(
            "push to {} atomically, with leases: {}",
            push.remote,
            refs.join(" ")
        ));
        if let Some(kept) = plan.kept_on_remote {
            lines.push(format!(
                "keep {} on {}: it has commits the release lacks (at {})",
                plan.branch,
                push.remote,
                short(kept)
            ));
        }
    }
    lines
}

pub fn local_steps(plan: &ProposePlan) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(release) = plan.release.as_ref().filter(|_| plan.release_is_new) {
        lines.push(format!(
            "commit \"{}\" on {}: {}",
            release.message.trim(),
            plan.branch,
            release_edits(release).join(", ")
        ));
    }
    if plan.push.refs.is_empty() {
        lines.push(format!(
            "{} is up to date on {}",
            plan.branch, plan.push.remote
        ));
    } else {
        lines.push(format!("push {} to {}", plan.branch, plan.push.remote));
    }
    lines
}

pub fn proposed(context: &Context, plan: &ProposePlan, opened: &OpenedPull) {
    let ui = &context.ui;
    if let Some(release) = plan.release.as_ref().filter(|_| plan.release_is_new) {
        committed(context, release);
    }
    if plan.push.refs.is_empty() {
        ui.status(
            "Unchanged",
            format!("{} on {}", plan.branch, plan.push.remote),
        );
    } else {
        ui.status("Pushed", format!("{} to {}", plan.branch, plan.push.remote));
    }
    report_pull(context, opened);
}

/// Tell what became of the pull request a run opened; shared with `continue`.
pub fn report_pull(context: &Context, opened: &OpenedPull) {
    let ui = &context.ui;
    for warning in &opened.warnings {
        ui.warn(warning);
    }
    let what = format!(
        "pull request #{}",
        paint(EMPHASIS, opened.number.to_string())
    );
    if opened.created {
        ui.status("Opened", what);
    } else if opened.changes.is_empty() {
        ui.status("Unchanged", what);
    } else {
        ui.status("Updated", format!("{what} ({})", opened.changes.join("; ")));
    }
    ui.out(&opened.url);
    ui.hint("once it is merged, `git hotfix finish --after-merge` tags what merged");
}

/// Tell how develop came to have the hotfix.
pub fn report_catch_up(context: &Context, develop: Option<&(String, CatchUp)>) {
    let ui = &context.ui;
    match develop {
        None => {}
        Some((name, CatchUp::HasIt)) => {
            ui.status("Unchanged", format!("{name}: it has the hotfix"))
        }
        Some((name, CatchUp::Merged { commit })) => ui.status(
            "Merged",
            format!(
                "the hotfix into {name} on GitHub ({})",
                &commit[..commit.len().min(7)]
            ),
        ),
        Some((name, CatchUp::Proposed { pull, why })) => {
            let verb = if pull.created { "Opened" } else { "Found" };
            ui.status(
                verb,
                format!(
                    "pull request #{} into {name} ({why}): {}",
                    pull.number, pull.url
                ),
            );
        }
    }
}
