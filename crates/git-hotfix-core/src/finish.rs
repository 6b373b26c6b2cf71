//! `finish`, `continue` and `abort`: tag the fix, bring it into its line (and develop),
//! delete the branch and push. Everything is computed in memory first; objects are written
//! only when the whole plan holds, and refs move last, in one compare-and-swap transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use crate::config::Config;
use crate::error::{Error, GitContext, Result};
use crate::git_cli;
use crate::journal::{EventKind, Journal, State, Store};
use crate::merge::{self, Labels, Outcome};
use crate::merged::Merged;
use crate::policy::VersionFiles;
use crate::push::{self, PushPlan, PushRef};
use crate::refs::{self, Edit, Value};
use crate::release::{self, ReleaseCommit};
use crate::repo::{
    BRANCH_PREFIX, Base, BranchRole, CommitSummary, Repo, TAG_PREFIX, Worktree, short,
};
use crate::resolve::{self, Resolving};
use crate::tag::TagStep;
use crate::tags::ReleaseTags;
use crate::version::Version;

/// The choices `finish` offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FinishOptions {
    pub tag: bool,
    pub backmerge: bool,
    pub keep: bool,
    pub push: bool,
    /// Move the version in the version files, in the release commit.
    #[serde(default = "yes")]
    pub bump: bool,
    /// Add a changelog entry, in the release commit.
    #[serde(default = "yes")]
    pub changelog: bool,
    /// The changelog entry's text, instead of the `changelog-entry` template's.
    #[serde(default)]
    pub changelog_text: Option<String>,
    /// The tag message, instead of the `tag-message` template's.
    pub message: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for FinishOptions {
    fn default() -> Self {
        FinishOptions {
            tag: true,
            backmerge: true,
            keep: false,
            push: false,
            bump: true,
            changelog: true,
            changelog_text: None,
            message: None,
        }
    }
}

/// Why a branch receives the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Production,
    ReleaseLine,
    Develop,
}

impl Role {
    fn branch_role(self) -> BranchRole {
        match self {
            Role::Production => BranchRole::Production,
            Role::ReleaseLine => BranchRole::ReleaseLine,
            Role::Develop => BranchRole::Develop,
        }
    }
}

/// One branch that receives the hotfix.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Integration {
    pub branch: String,
    pub role: Role,
    #[serde(with = "crate::oid::hex")]
    pub old: ObjectId,
    pub outcome: Outcome,
    /// The worktree that has this branch checked out; its files follow the branch.
    pub checked_out: Option<PathBuf>,
}

impl Integration {
    /// `branch` receiving the fix as `outcome`; a worktree that has it checked out must be
    /// clean, as its files follow the branch.
    pub(crate) fn new(
        worktrees: &[Worktree],
        branch: String,
        role: Role,
        old: ObjectId,
        outcome: Outcome,
    ) -> Result<Integration> {
        let checked_out = worktrees
            .iter()
            .find(|w| w.branch() == Some(branch.as_str()));
        if let Some(worktree) = checked_out
            && outcome.new_tip().is_some()
        {
            let files = crate::repo::dirty_files_of(&open_worktree(worktree)?)?;
            if !files.is_empty() {
                return Err(Error::CheckedOutElsewhere {
                    branch,
                    worktree: worktree.path.clone(),
                    files,
                });
            }
        }
        Ok(Integration {
            branch,
            role,
            old,
            outcome,
            checked_out: checked_out.map(|w| w.path.clone()),
        })
    }
}

/// What happens to a worktree that has the hotfix branch checked out when it is deleted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum WorktreeStep {
    /// Switch it to this branch.
    Switch {
        path: PathBuf,
        head_ref: String,
        to: String,
    },
    /// Detach it at this branch's tip (the branch is checked out elsewhere).
    Detach {
        path: PathBuf,
        head_ref: String,
        at: String,
    },
    /// Remove it: `start --worktree` made it for this hotfix.
    Remove { path: PathBuf, head_ref: String },
    /// Keep it on the branch, which moves to the release commit (`--keep`): its files follow.
    Follow { path: PathBuf, head_ref: String },
}

impl WorktreeStep {
    fn head_ref(&self) -> &str {
        match self {
            WorktreeStep::Switch { head_ref, .. }
            | WorktreeStep::Detach { head_ref, .. }
            | WorktreeStep::Remove { head_ref, .. }
            | WorktreeStep::Follow { head_ref, .. } => head_ref,
        }
    }

    fn path(&self) -> &PathBuf {
        match self {
            WorktreeStep::Switch { path, .. }
            | WorktreeStep::Detach { path, .. }
            | WorktreeStep::Remove { path, .. }
            | WorktreeStep::Follow { path, .. } => path,
        }
    }
}

/// Everything `finish` will do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FinishPlan {
    pub ticket: String,
    pub branch: String,
    /// The hotfix branch's tip: refs move from here (compare-and-swap).
    #[serde(with = "crate::oid::hex")]
    pub branch_tip: ObjectId,
    /// What is released: the release commit, or the branch tip when there is none.
    #[serde(with = "crate::oid::hex")]
    pub tip: ObjectId,
    /// The commit that moves the version in the version files, on top of the fix.
    pub release: Option<ReleaseCommit>,
    pub base: Base,
    pub version: Version,
    pub commits: Vec<CommitSummary>,
    pub tag: Option<TagStep>,
    pub integrations: Vec<Integration>,
    /// Set when the fix is for a line older than production: it is tagged on its own line
    /// and not merged into production (newer lines get it by backport).
    pub older_than_production: Option<String>,
    pub delete_branch: bool,
    pub worktrees: Vec<WorktreeStep>,
    pub push: Option<PushPlan>,
    /// Set for `finish --after-merge`: the fix reached its line through this pull request,
    /// and the plan only tags the merge, catches the local branch up and tidies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
}

impl FinishPlan {
    /// The first integration that conflicts: the run will stop there.
    pub fn conflict(&self) -> Option<&Integration> {
        self.integrations
            .iter()
            .find(|i| matches!(i.outcome, Outcome::Conflict { .. }))
    }

    /// The ref edits that make this plan true, in one transaction.
    pub(crate) fn edits(&self) -> Vec<Edit> {
        let mut edits = Vec::new();
        edits.extend(self.tag.as_ref().and_then(TagStep::edit));
        for integration in &self.integrations {
            if let Some(new) = integration.outcome.new_tip() {
                edits.push(Edit {
                    name: format!("{BRANCH_PREFIX}{}", integration.branch),
                    old: Some(Value::Object(integration.old)),
                    new: Some(Value::Object(new)),
                });
            }
        }
        let branch = format!("{BRANCH_PREFIX}{}", self.branch);
        if self.delete_branch {
            // A worktree on the branch is detached where its files are first, so that it
            // never points at a branch that no longer exists; git then switches its files.
            for step in &self.worktrees {
                edits.push(Edit {
                    name: step.head_ref().to_string(),
                    old: Some(Value::Symbolic(branch.clone())),
                    new: Some(Value::Object(self.branch_tip)),
                });
            }
            edits.push(Edit {
                name: branch,
                old: Some(Value::Object(self.branch_tip)),
                new: None,
            });
        } else if self.tip != self.branch_tip && self.merged.is_none() {
            // Kept: the branch takes the release commit too.
            edits.push(Edit {
                name: branch,
                old: Some(Value::Object(self.branch_tip)),
                new: Some(Value::Object(self.tip)),
            });
        }
        edits
    }
}

/// A run that stopped and waits for `continue` or `abort`; kept in the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub command: String,
    pub options: FinishOptions,
    /// Where each receiving branch stood when the run began; refs move only from there.
    #[serde(with = "crate::oid::hex_map")]
    pub expected: BTreeMap<String, ObjectId>,
    /// Merge commits a person made for branches that conflicted.
    #[serde(with = "crate::oid::hex_map")]
    pub resolved: BTreeMap<String, ObjectId>,
    /// The release commit the run made: continuing must release the same one.
    #[serde(default)]
    pub release: Option<ReleaseCommit>,
    /// The pull request an `--after-merge` run releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    pub stage: Stage,
}

/// What a stopped run carries into the next attempt.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    pub resolved: BTreeMap<String, ObjectId>,
    pub expected: BTreeMap<String, ObjectId>,
    pub release: Option<ReleaseCommit>,
}

impl Prior {
    pub fn of(run: Option<&Run>) -> Prior {
        run.map(|run| Prior {
            resolved: run.resolved.clone(),
            expected: run.expected.clone(),
            release: run.release.clone(),
        })
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "stage", rename_all = "kebab-case")]
pub enum Stage {
    /// Merging into `branch` conflicted; the resolution happens in `worktree`.
    Conflict {
        branch: String,
        worktree: PathBuf,
        paths: Vec<String>,
    },
    /// Recorded just before the refs move: if the process dies after that (Ctrl-C during
    /// the push), `continue` finishes the job and `abort` puts back what moved.
    Moving {
        applied: Vec<Edit>,
        worktrees: Vec<WorktreeStep>,
        push: Option<PushPlan>,
    },
    /// The refs moved but the push did not go through.
    PushFailed {
        applied: Vec<Edit>,
        worktrees: Vec<WorktreeStep>,
        push: PushPlan,
        reason: String,
    },
}

/// How a `finish` (or `continue`) ended.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum FinishOutcome {
    Finished {
        plan: FinishPlan,
        moved: Vec<Edit>,
        pushed: bool,
        /// Things that went through but deserve a look (a worktree that could not be removed).
        warnings: Vec<String>,
    },
    /// A finish whose refs had already moved (its push failed, or it was interrupted) is
    /// now complete; `pushed` says what went to the remote.
    Completed { pushed: Option<PushPlan> },
    /// Stopped on a conflict; `continue` or `abort` from here.
    Stopped {
        plan: FinishPlan,
        branch: String,
        worktree: PathBuf,
        paths: Vec<String>,
    },
}

/// Pick the hotfix a command works on: the named ticket, else the one whose branch is checked out.
pub fn select(repo: &Repo, ticket: Option<&str>) -> Result<Journal> {
    let store = Store::new(repo);
    if let Some(ticket) = ticket {
        let id = crate::names::ticket(ticket)?;
        return store.load(&id)?.ok_or_else(|| Error::NotAHotfix {
            selector: format!("ticket `{id}`"),
        });
    }
    let (branch, _) = repo.current_branch()?;
    store
        .active()?
        .into_iter()
        .find(|j| j.branch == branch)
        .ok_or_else(|| Error::NotAHotfix {
            selector: format!("branch `{branch}`"),
        })
}

/// The hotfix with a stopped run.
pub fn select_stopped(repo: &Repo, ticket: Option<&str>, action: &'static str) -> Result<Journal> {
    if ticket.is_some() {
        let journal = select(repo, ticket)?;
        return match journal.run {
            Some(_) => Ok(journal),
            None => Err(Error::NoStoppedRun { action }),
        };
    }
    let mut stopped: Vec<Journal> = Store::new(repo)
        .active()?
        .into_iter()
        .filter(|j| j.run.is_some())
        .collect();
    match stopped.len() {
        0 => Err(Error::NoStoppedRun { action }),
        1 => Ok(stopped.remove(0)),
        _ => {
            let current = repo.current_branch().ok().map(|(b, _)| b);
            match stopped
                .iter()
                .position(|j| Some(&j.branch) == current.as_ref())
            {
                Some(i) => Ok(stopped.remove(i)),
                None => Err(Error::AmbiguousHotfix {
                    tickets: stopped.into_iter().map(|j| j.ticket).collect(),
                }),
            }
        }
    }
}

/// Compute what `finish` will do. Objects it needs (merge commits, the tag) are written
/// to `mem`, which should hold them in memory until [`run`] persists them.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    prior: &Prior,
    version_files: Option<&dyn VersionFiles>,
) -> Result<FinishPlan> {
    let (resolved, expected) = (&prior.resolved, &prior.expected);
    let branch_tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    let commits = repo.commit_summaries(journal.base.commit(), branch_tip)?;
    if commits.is_empty() {
        return Err(Error::NothingToFinish {
            branch: journal.branch.clone(),
            base: journal.base.label(),
        });
    }

    let worktrees = repo.worktrees()?;
    let hotfix_worktrees: Vec<&Worktree> = worktrees
        .iter()
        .filter(|w| w.branch() == Some(journal.branch.as_str()))
        .collect();
    for worktree in &hotfix_worktrees {
        ensure_clean_worktree(worktree)?;
    }

    let facts = release::Facts::now(journal, mem)?;
    let proposed = proposed_release(repo, journal, branch_tip)?;
    let release = match (&prior.release, &proposed) {
        (Some(release), _) | (None, Some(release)) => Some(release.clone()),
        (None, None) => release_commit(
            repo,
            mem,
            config,
            journal,
            options,
            &facts,
            branch_tip,
            version_files,
        )?,
    };
    // A release commit `finish --pr` made is on the branch already, under later commits.
    let tip = match (&release, &proposed) {
        (_, Some(_)) | (None, _) => branch_tip,
        (Some(release), None) => release.commit,
    };

    let tag = tag_step(repo, mem, config, journal, options, &facts, tip)?;

    let Landing {
        branch: line,
        newer_release: older_than_production,
    } = line_of(repo, config, journal)?;
    let mut receivers = Vec::new();
    if let Some((branch, role)) = line {
        receivers.push((branch, role));
        let develop = config.develop_branch.as_ref().filter(|d| {
            role == Role::Production && options.backmerge && **d != config.production_branch
        });
        if let Some(develop) = develop {
            receivers.push((develop.clone(), Role::Develop));
        }
    }

    let mut integrations = Vec::new();
    for (branch, role) in receivers {
        let old = repo.require_branch(&branch, role.branch_role())?;
        if let Some(&was) = expected.get(&branch)
            && was != old
        {
            return Err(Error::StaleRef {
                name: format!("{BRANCH_PREFIX}{branch}"),
                expected: short(was),
                actual: short(old),
            });
        }
        let outcome = match resolved.get(&branch) {
            Some(&commit) => Outcome::Merge { commit },
            None => merge::integrate(
                mem,
                old,
                tip,
                &Labels {
                    ours: &branch,
                    theirs: &journal.branch,
                },
                &merge::merge_message(&journal.branch, &branch),
            )?,
        };
        let conflicted = matches!(outcome, Outcome::Conflict { .. });
        integrations.push(Integration::new(&worktrees, branch, role, old, outcome)?);
        if conflicted {
            break;
        }
    }

    let delete_branch = !options.keep;
    let landing = integrations
        .first()
        .map(|i| i.branch.clone())
        .unwrap_or_else(|| config.production_branch.clone());
    let worktree_steps = if delete_branch {
        plan_worktrees(repo, journal, &worktrees, &hotfix_worktrees, &landing)
    } else if tip != branch_tip {
        hotfix_worktrees
            .iter()
            .map(|w| WorktreeStep::Follow {
                path: w.path.clone(),
                head_ref: w.head_ref(),
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut plan = FinishPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        branch_tip,
        tip,
        release,
        base: journal.base.clone(),
        version: journal.version.clone(),
        commits,
        tag,
        integrations,
        older_than_production,
        delete_branch,
        worktrees: worktree_steps,
        push: None,
        merged: None,
    };
    if options.push {
        push::ensure_remote(repo, &config.remote)?;
        plan.push = Some(push_plan(repo, &config.remote, &plan)?);
    }
    refs::ensure_unlocked(repo, &plan.edits())?;
    Ok(plan)
}

/// The release tag on `tip`, unless `options` say none: `--message`, else the template.
pub(crate) fn tag_step(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    facts: &release::Facts,
    tip: ObjectId,
) -> Result<Option<TagStep>> {
    if !options.tag {
        return Ok(None);
    }
    let message = match &options.message {
        Some(message) => message.clone(),
        None => config.messages.tag.render(facts),
    };
    crate::tag::step(repo, mem, journal, tip, &message).map(Some)
}

/// The release commit of `options` on `tip` (version bump, changelog), made in `mem`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn release_commit(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    facts: &release::Facts,
    tip: ObjectId,
    version_files: Option<&dyn VersionFiles>,
) -> Result<Option<ReleaseCommit>> {
    let product = config.product(journal.product.as_deref())?.map(|(_, p)| p);
    let bump = version_files
        .filter(|_| options.bump)
        .map(|policy| release::VersionBump {
            policy,
            named: config.version_files_of(product),
        });
    let changelog = config
        .changelog_of(product)
        .filter(|_| options.changelog)
        .map(|file| release::ChangelogSpec {
            file,
            text: options.changelog_text.as_deref(),
            template: config.messages.changelog_entry.as_ref(),
        });
    let message = config.messages.release.render(facts);
    release::commit(repo, mem, tip, facts, &message, bump, changelog)
}

/// The release commit `finish --pr` put on the branch, if the branch still holds it.
pub(crate) fn proposed_release(
    repo: &Repo,
    journal: &Journal,
    branch_tip: ObjectId,
) -> Result<Option<ReleaseCommit>> {
    let Some(release) = journal.proposal.as_ref().and_then(|p| p.release.as_ref()) else {
        return Ok(None);
    };
    let on_branch = repo.git.find_object(release.commit).is_ok()
        && repo.is_ancestor(release.commit, branch_tip)?;
    Ok(on_branch.then(|| release.clone()))
}

/// What happens to each worktree that has the hotfix branch checked out once the branch is
/// deleted: the one `start --worktree` made is removed, the others move to `landing`
/// (detached there when `landing` is checked out elsewhere, as git allows a branch in one
/// worktree only).
pub(crate) fn plan_worktrees(
    repo: &Repo,
    journal: &Journal,
    all: &[Worktree],
    on_hotfix: &[&Worktree],
    landing: &str,
) -> Vec<WorktreeStep> {
    let landing_elsewhere = all.iter().any(|w| w.branch() == Some(landing));
    let landing_exists = repo.branch_tip(landing).ok().flatten().is_some();
    on_hotfix
        .iter()
        .map(|w| {
            let head_ref = w.head_ref();
            let path = w.path.clone();
            let created_by_start = journal
                .worktree
                .as_ref()
                .is_some_and(|p| same_path(p, &w.path));
            if created_by_start {
                WorktreeStep::Remove { path, head_ref }
            } else if landing_elsewhere || !landing_exists {
                WorktreeStep::Detach {
                    path,
                    head_ref,
                    at: landing.to_string(),
                }
            } else {
                WorktreeStep::Switch {
                    path,
                    head_ref,
                    to: landing.to_string(),
                }
            }
        })
        .collect()
}

/// Where a hotfix lands: the branch that receives it, and, for an old line, the newer
/// production release it must not be merged into.
pub(crate) struct Landing {
    pub(crate) branch: Option<(String, Role)>,
    pub(crate) newer_release: Option<String>,
}

/// The branch that receives the fix, or why none does.
pub(crate) fn line_of(repo: &Repo, config: &Config, journal: &Journal) -> Result<Landing> {
    let production = &config.production_branch;
    match &journal.base {
        Base::Branch { name, .. } => {
            let role = if name == production {
                Role::Production
            } else {
                Role::ReleaseLine
            };
            return Ok(Landing {
                branch: Some((name.clone(), role)),
                newer_release: None,
            });
        }
        Base::Tag { .. } | Base::Commit { .. } => {}
    }
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let product_name = product.map(|(n, _)| n);
    let tags = ReleaseTags::read(repo, pattern, product_name)?;
    let tip = repo.require_branch(production, BranchRole::Production)?;
    // Production already released something at or above this version: an older line.
    let Some(newest) = tags.newest_at_or_above(repo, &journal.version, tip)? else {
        return Ok(Landing {
            branch: Some((production.clone(), Role::Production)),
            newer_release: None,
        });
    };
    let newest = newest.name.clone();
    // An older line: its release branch (if one is maintained) receives the fix.
    let mut lines = Vec::new();
    for glob in &config.release_branches {
        for branch in repo.branches_matching(glob)? {
            let Some(line_tip) = repo.branch_tip(&branch)? else {
                continue;
            };
            if !repo.is_ancestor(journal.base.commit(), line_tip)? {
                continue;
            }
            let same_line = tags
                .newest_reachable_from(repo, line_tip)?
                .is_some_and(|t| t.version.major_minor() == journal.version.major_minor());
            if same_line && !lines.contains(&branch) {
                lines.push(branch);
            }
        }
    }
    Ok(Landing {
        branch: (lines.len() == 1).then(|| (lines.remove(0), Role::ReleaseLine)),
        newer_release: Some(newest),
    })
}

pub(crate) fn push_plan(repo: &Repo, remote: &str, plan: &FinishPlan) -> Result<PushPlan> {
    let mut refs = Vec::new();
    for edit in plan.edits() {
        if !edit.name.starts_with("refs/") {
            continue;
        }
        // After a merge on the forge, the receiving branch caught up with the remote.
        let caught_up = plan.merged.is_some()
            && plan
                .integrations
                .iter()
                .any(|i| edit.name == format!("{BRANCH_PREFIX}{}", i.branch));
        if caught_up {
            continue;
        }
        let is_hotfix_branch = edit.name == format!("{BRANCH_PREFIX}{}", plan.branch);
        if is_hotfix_branch {
            // Delete the remote branch only if it was published.
            let tracking = format!("refs/remotes/{remote}/{}", plan.branch);
            if let Some(published) = repo.ref_target(&tracking)? {
                refs.push(PushRef {
                    name: edit.name.clone(),
                    expect: Some(published),
                    new: None,
                });
            }
            continue;
        }
        refs.push(PushRef {
            name: edit.name.clone(),
            expect: edit.old.as_ref().and_then(Value::object),
            new: edit.new.as_ref().and_then(Value::object),
        });
    }
    if let Some(TagStep {
        name, object: None, ..
    }) = &plan.tag
    {
        // Tagged earlier by `git hotfix tag`: push it now if it is not there yet.
        let full = format!("{TAG_PREFIX}{name}");
        if let Some(id) = repo.ref_target(&full)? {
            refs.push(PushRef {
                name: full,
                expect: None,
                new: Some(id),
            });
        }
    }
    Ok(PushPlan {
        remote: remote.to_string(),
        refs,
    })
}

/// Run `finish`: plan, then stop on a conflict or write everything.
pub fn run(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    run_locked(
        repo,
        repo.in_memory(),
        config,
        journal,
        options,
        version_files,
        now,
    )
}

/// The body of a run, with the hotfix lock held; `mem` may already hold objects the run
/// needs (a resolution being continued), which are persisted only if the plan holds.
fn run_locked(
    repo: &Repo,
    mem: Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    let prior = Prior::of(journal.run.as_ref());
    let plan = plan(repo, &mem, config, journal, options, &prior, version_files)?;
    let Prior {
        resolved,
        mut expected,
        ..
    } = prior;
    for integration in &plan.integrations {
        expected
            .entry(integration.branch.clone())
            .or_insert(integration.old);
    }

    if let Some(conflict) = plan.conflict() {
        // Resolutions continued from an earlier stop must outlive this process.
        persist_objects(repo, mem)?;
        let branch = conflict.branch.clone();
        let worktree = resolve::path_for(repo, &journal.ticket, &branch);
        let paths = resolve::create(
            repo,
            &worktree,
            conflict.old,
            &Resolving::Merge { theirs: plan.tip },
            &Labels {
                ours: &branch,
                theirs: &journal.branch,
            },
            &merge::merge_message(&journal.branch, &branch),
        )?;
        journal.run = Some(Run {
            command: "finish".into(),
            options: options.clone(),
            expected,
            resolved,
            release: plan.release.clone(),
            merged: None,
            stage: Stage::Conflict {
                branch: branch.clone(),
                worktree: worktree.clone(),
                paths: paths.clone(),
            },
        });
        journal.record(
            now,
            EventKind::Stopped {
                command: "finish".into(),
                reason: format!("conflict merging into {branch}: {}", paths.join(", ")),
            },
        );
        store.save(journal)?;
        return Ok(FinishOutcome::Stopped {
            plan,
            branch,
            worktree,
            paths,
        });
    }

    execute(repo, mem, journal, options, expected, resolved, plan, now)
}

/// Write a plan that holds: its objects, then every ref in one transaction (recorded in
/// the journal first, so that an interruption can be continued or undone), then the push.
#[allow(clippy::too_many_arguments)]
pub(crate) fn execute(
    repo: &Repo,
    mem: Repo,
    journal: &mut Journal,
    options: &FinishOptions,
    expected: BTreeMap<String, ObjectId>,
    resolved: BTreeMap<String, ObjectId>,
    plan: FinishPlan,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    persist_objects(repo, mem)?;
    let edits = plan.edits();
    let before = journal.run.clone();
    journal.run = Some(Run {
        command: "finish".into(),
        options: options.clone(),
        expected,
        resolved,
        release: plan.release.clone(),
        merged: plan.merged.clone(),
        stage: Stage::Moving {
            applied: edits.clone(),
            worktrees: plan.worktrees.clone(),
            push: plan.push.clone(),
        },
    });
    store.save(journal)?;
    if let Err(err) = refs::apply(
        repo,
        &edits,
        &format!("hotfix finish: {} {}", journal.ticket, journal.version),
    ) {
        // Nothing moved: the journal goes back to what it said before.
        journal.run = before;
        store.save(journal)?;
        return Err(err);
    }
    journal.record(
        now,
        EventKind::RefsMoved {
            refs: edits
                .iter()
                .filter(|e| e.name.starts_with("refs/"))
                .map(Edit::to_move)
                .collect(),
        },
    );
    store.save(journal)?;
    let warnings = follow_worktrees(repo, &plan);
    let pushed = push_and_complete(
        repo,
        journal,
        &edits,
        &plan.worktrees,
        plan.push.as_ref(),
        now,
    )?;
    Ok(FinishOutcome::Finished {
        plan,
        moved: edits,
        pushed: pushed.is_some(),
        warnings,
    })
}

/// After the refs moved: push (a failure stops the run, to be retried or undone) and
/// mark the hotfix finished. Returns what was pushed.
fn push_and_complete(
    repo: &Repo,
    journal: &mut Journal,
    applied: &[Edit],
    worktrees: &[WorktreeStep],
    push: Option<&PushPlan>,
    now: Timestamp,
) -> Result<Option<PushPlan>> {
    let store = Store::new(repo);
    if let Some(push_plan) = push {
        if let Err(err) = push::push(repo, push_plan) {
            let run = journal.run.as_mut().expect("a run is in progress");
            run.stage = Stage::PushFailed {
                applied: applied.to_vec(),
                worktrees: worktrees.to_vec(),
                push: push_plan.clone(),
                reason: err.to_string(),
            };
            journal.record(
                now,
                EventKind::Stopped {
                    command: "finish".into(),
                    reason: format!("push to {} failed: {err}", push_plan.remote),
                },
            );
            store.save(journal)?;
            return Err(err);
        }
        journal.record(now, pushed_event(push_plan));
    }
    let tag = applied
        .iter()
        .find_map(|e| e.name.strip_prefix(TAG_PREFIX))
        .map(str::to_string)
        .or_else(|| {
            let run = journal.run.as_ref()?;
            run.options.tag.then(|| journal.tag.clone())
        });
    let release = journal.run.take().and_then(|run| run.release);
    complete(&store, journal, tag, release, now)?;
    Ok(push.cloned())
}

/// Whether the refs of an interrupted run moved: all of them, none, or (someone else moved
/// one meanwhile) an error naming it.
fn moved(repo: &Repo, applied: &[Edit]) -> Result<bool> {
    refs::clear_own_locks(repo, applied)?;
    let refs: Vec<&Edit> = applied
        .iter()
        .filter(|e| e.name.starts_with("refs/"))
        .collect();
    let mut at_new = 0;
    for edit in &refs {
        let now = refs::current(repo, &edit.name)?;
        if now == edit.new {
            at_new += 1;
        } else if now != edit.old {
            return Err(Error::StaleRef {
                name: edit.name.clone(),
                expected: Value::show(edit.new.as_ref()),
                actual: Value::show(now.as_ref()),
            });
        }
    }
    Ok(at_new > 0 && at_new == refs.len())
}

/// Resume a stopped run: take the resolution (or retry the push) and go on.
pub fn resume(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    version_files: Option<&dyn VersionFiles>,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let Some(run) = journal.run.clone() else {
        return Err(Error::NoStoppedRun { action: "continue" });
    };
    match &run.stage {
        Stage::Conflict {
            branch, worktree, ..
        } => {
            let store = Store::new(repo);
            let _lock = store.lock()?;
            let tip = released_tip(repo, journal, &run)?;
            // The merge commit stays in memory until the rest of the run holds.
            let mem = repo.in_memory();
            let ours = run.expected[branch];
            let commit = resolve::read(
                &mem,
                worktree,
                ours,
                &Resolving::Merge { theirs: tip },
                |tree| {
                    let message = merge::merge_message(&journal.branch, branch);
                    merge::commit(&mem, &message, tree, [ours, tip])
                },
            )?;
            let mut resumed = run.clone();
            resumed.resolved.insert(branch.clone(), commit);
            journal.run = Some(resumed);
            match run_locked(repo, mem, config, journal, &run.options, version_files, now) {
                Ok(outcome) => {
                    resolve::remove(repo, worktree)?;
                    Ok(outcome)
                }
                Err(err) => {
                    // A failed attempt leaves the run and its worktree as they were.
                    journal.run = Some(run.clone());
                    Err(err)
                }
            }
        }
        Stage::PushFailed {
            applied,
            worktrees,
            push,
            ..
        } => {
            let store = Store::new(repo);
            let _lock = store.lock()?;
            let pushed = push_and_complete(repo, journal, applied, worktrees, Some(push), now)?;
            Ok(FinishOutcome::Completed { pushed })
        }
        Stage::Moving {
            applied,
            worktrees,
            push,
        } => {
            let store = Store::new(repo);
            let _lock = store.lock()?;
            if moved(repo, applied)? {
                let pushed =
                    push_and_complete(repo, journal, applied, worktrees, push.as_ref(), now)?;
                return Ok(FinishOutcome::Completed { pushed });
            }
            // Interrupted before anything moved: run it again from the start.
            journal.run = None;
            store.save(journal)?;
            match &run.merged {
                Some(merged) => {
                    crate::merged::run_locked(repo, config, journal, &run.options, merged, now)
                }
                None => run_locked(
                    repo,
                    repo.in_memory(),
                    config,
                    journal,
                    &run.options,
                    version_files,
                    now,
                ),
            }
        }
    }
}

/// What a stopped run releases: its release commit, or the hotfix branch's tip.
fn released_tip(repo: &Repo, journal: &Journal, run: &Run) -> Result<ObjectId> {
    match &run.release {
        Some(release) => Ok(release.commit),
        None => repo.require_branch(&journal.branch, BranchRole::Hotfix),
    }
}

/// What `continue` would do, computed in memory.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "next", rename_all = "kebab-case")]
pub enum ResumePreview {
    /// The resolution is complete: the finish goes on with this plan.
    Finish { plan: Box<FinishPlan> },
    /// The refs moved already: only the push is left.
    Push { push: PushPlan },
    /// An interrupted run whose refs moved: the push (if any) and the journal are left.
    Complete { push: Option<PushPlan> },
}

pub fn preview_resume(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    version_files: Option<&dyn VersionFiles>,
) -> Result<ResumePreview> {
    let Some(run) = &journal.run else {
        return Err(Error::NoStoppedRun { action: "continue" });
    };
    match &run.stage {
        Stage::Conflict {
            branch, worktree, ..
        } => {
            let mem = repo.in_memory();
            let tip = released_tip(repo, journal, run)?;
            let ours = run.expected[branch];
            let commit = resolve::read(
                &mem,
                worktree,
                ours,
                &Resolving::Merge { theirs: tip },
                |tree| {
                    let message = merge::merge_message(&journal.branch, branch);
                    merge::commit(&mem, &message, tree, [ours, tip])
                },
            )?;
            let mut prior = Prior::of(Some(run));
            prior.resolved.insert(branch.clone(), commit);
            let plan = plan(
                repo,
                &mem,
                config,
                journal,
                &run.options,
                &prior,
                version_files,
            )?;
            Ok(ResumePreview::Finish {
                plan: Box::new(plan),
            })
        }
        Stage::PushFailed { push, .. } => Ok(ResumePreview::Push { push: push.clone() }),
        Stage::Moving { applied, push, .. } if moved(repo, applied)? => {
            Ok(ResumePreview::Complete { push: push.clone() })
        }
        Stage::Moving { .. } => {
            let mem = repo.in_memory();
            let mut fresh = journal.clone();
            fresh.run = None;
            let plan = match &run.merged {
                Some(merged) => {
                    crate::merged::plan(repo, &mem, config, &fresh, &run.options, merged)?
                }
                None => plan(
                    repo,
                    &mem,
                    config,
                    &fresh,
                    &run.options,
                    &Prior::default(),
                    version_files,
                )?,
            };
            Ok(ResumePreview::Finish {
                plan: Box::new(plan),
            })
        }
    }
}

/// The ref edits that undo `applied`, last first; HEADs are put back by switching worktrees.
pub fn restore_edits(applied: &[Edit]) -> Vec<Edit> {
    applied
        .iter()
        .rev()
        .filter(|e| e.name.starts_with("refs/"))
        .map(Edit::reversed)
        .collect()
}

/// What `abort` would do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AbortPreview {
    /// The conflict worktree it removes.
    pub remove_worktree: Option<PathBuf>,
    /// The ref edits that put back what the run moved.
    pub restore: Vec<Edit>,
}

pub fn preview_abort(repo: &Repo, journal: &Journal) -> Result<AbortPreview> {
    let Some(run) = &journal.run else {
        return Err(Error::NoStoppedRun { action: "abort" });
    };
    Ok(match &run.stage {
        Stage::Conflict { worktree, .. } => AbortPreview {
            remove_worktree: Some(worktree.clone()),
            restore: Vec::new(),
        },
        Stage::PushFailed { applied, .. } => AbortPreview {
            remove_worktree: None,
            restore: restore_edits(applied),
        },
        Stage::Moving { applied, .. } => AbortPreview {
            remove_worktree: None,
            restore: if moved(repo, applied)? {
                restore_edits(applied)
            } else {
                Vec::new()
            },
        },
    })
}

/// Undo a stopped run: drop the resolution worktree, or put back every ref the run moved.
pub fn abort(repo: &Repo, journal: &mut Journal, now: Timestamp) -> Result<Vec<Edit>> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    let Some(run) = journal.run.clone() else {
        return Err(Error::NoStoppedRun { action: "abort" });
    };
    let restored = match &run.stage {
        Stage::Conflict { worktree, .. } => {
            resolve::remove(repo, worktree)?;
            Vec::new()
        }
        Stage::PushFailed {
            applied, worktrees, ..
        } => restore(repo, journal, applied, worktrees)?,
        Stage::Moving {
            applied, worktrees, ..
        } if moved(repo, applied)? => restore(repo, journal, applied, worktrees)?,
        Stage::Moving { .. } => Vec::new(),
    };
    journal.run = None;
    journal.record(
        now,
        EventKind::Aborted {
            command: run.command.clone(),
            restored: restored.iter().map(Edit::to_move).collect(),
        },
    );
    store.save(journal)?;
    Ok(restored)
}

/// Put refs back after a finish whose push failed, and worktrees with them.
fn restore(
    repo: &Repo,
    journal: &Journal,
    applied: &[Edit],
    worktrees: &[WorktreeStep],
) -> Result<Vec<Edit>> {
    let reversed = restore_edits(applied);
    let all = repo.worktrees()?;
    let moved_branch = |w: &Worktree| {
        w.branch().and_then(|b| {
            reversed
                .iter()
                .find(|e| e.name == format!("{BRANCH_PREFIX}{b}"))
        })
    };
    for worktree in &all {
        if moved_branch(worktree).is_some() {
            ensure_clean_worktree(worktree)?;
        }
    }
    refs::apply(
        repo,
        &reversed,
        &format!("hotfix abort: {} {}", journal.ticket, journal.version),
    )?;
    for worktree in &all {
        if let Some(edit) = moved_branch(worktree)
            && let (Some(Value::Object(from)), Some(Value::Object(to))) = (&edit.old, &edit.new)
        {
            git_cli::update_worktree(&worktree.path, *from, *to)?;
        }
    }
    for step in worktrees {
        match step {
            WorktreeStep::Switch { path, .. } | WorktreeStep::Detach { path, .. } => {
                git_cli::switch(path, &journal.branch)?;
            }
            WorktreeStep::Remove { path, .. } => {
                repo.add_worktree(path, &format!("{BRANCH_PREFIX}{}", journal.branch))?;
            }
            // Still on the branch: its files came back with it above.
            WorktreeStep::Follow { .. } => {}
        }
    }
    Ok(reversed)
}

/// After the refs moved: bring the files of affected worktrees along. Failures here are
/// reported, not fatal: the release is done and every ref is where it should be.
fn follow_worktrees(repo: &Repo, plan: &FinishPlan) -> Vec<String> {
    let mut warnings = Vec::new();
    for integration in &plan.integrations {
        if let (Some(path), Some(new)) = (&integration.checked_out, integration.outcome.new_tip())
            && let Err(err) = git_cli::update_worktree(path, integration.old, new)
        {
            warnings.push(format!(
                "{} moved but the worktree at {} was not updated: {err}",
                integration.branch,
                path.display()
            ));
        }
    }
    for step in &plan.worktrees {
        let result = match step {
            WorktreeStep::Switch { path, to, .. } => git_cli::switch(path, to),
            WorktreeStep::Detach { path, at, .. } => {
                repo.branch_tip(at).and_then(|tip| match tip {
                    Some(tip) => git_cli::switch_detached(path, tip),
                    None => Ok(()),
                })
            }
            WorktreeStep::Follow { path, .. } => {
                git_cli::update_worktree(path, plan.branch_tip, plan.tip)
            }
            WorktreeStep::Remove { path, .. } => repo
                .git
                .remove_worktree(
                    path,
                    gix::worktree::remove::Force::Never,
                    gix::progress::Discard,
                )
                .context(|| format!("could not remove the worktree at {}", path.display())),
        };
        if let Err(err) = result {
            warnings.push(match step {
                WorktreeStep::Switch { path, to, .. } => format!(
                    "{} stays detached at the hotfix tip: {err}; run `git switch {to}` there when the way is clear",
                    path.display()
                ),
                _ => format!("the worktree at {} was left as it is: {err}", step.path().display()),
            });
        }
    }
    warnings
}

pub(crate) fn pushed_event(plan: &PushPlan) -> EventKind {
    EventKind::Pushed {
        remote: plan.remote.clone(),
        refs: plan.refs.iter().map(|r| r.name.clone()).collect(),
    }
}

pub(crate) fn complete(
    store: &Store,
    journal: &mut Journal,
    tag: Option<String>,
    release: Option<ReleaseCommit>,
    now: Timestamp,
) -> Result<()> {
    let notes = release.as_ref().and_then(ReleaseCommit::notes);
    let bumped = release
        .as_ref()
        .map(|r| r.bumps.iter().map(|b| b.path.clone()).collect())
        .unwrap_or_default();
    journal.record(
        now,
        EventKind::Finished {
            tag,
            release: release.map(|r| r.commit),
            notes,
            bumped,
        },
    );
    journal.state = State::Finished;
    store.save(journal)
}

/// Write the objects a plan made in memory to the object database.
pub(crate) fn persist_objects(repo: &Repo, mut mem: Repo) -> Result<()> {
    use gix::objs::Write;
    let Some(storage) = mem.git.objects.take_object_memory() else {
        return Ok(());
    };
    for (id, (kind, data)) in storage.iter() {
        repo.git
            .write_buf_with_known_id(*kind, data, *id)
            .context(|| format!("could not write object {}", short(*id)))?;
    }
    Ok(())
}

pub(crate) fn ensure_clean_worktree(worktree: &Worktree) -> Result<()> {
    let git = open_worktree(worktree)?;
    let files = crate::repo::dirty_files_of(&git)?;
    if !files.is_empty() {
        return Err(Error::DirtyWorktree {
            worktree: worktree.path.clone(),
            files,
        });
    }
    let lock = git.git_dir().join("index.lock");
    if lock.exists() {
        return Err(Error::Locked { path: lock });
    }
    Ok(())
}

fn open_worktree(worktree: &Worktree) -> Result<gix::Repository> {
    gix::open(&worktree.path)
        .context(|| format!("could not open the worktree at {}", worktree.path.display()))
}

fn same_path(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
