//! What `finish` will do, computed in memory: the release commit, the tag, the merges into
//! each receiving branch, what becomes of the worktrees on the hotfix branch, and the push.

use gix::ObjectId;

use super::{FinishPlan, Integration, OntoStep, Prior, Role};
use crate::foundation::error::Unpushed;
use crate::foundation::error::{Error, Result};
use crate::foundation::names::{BRANCH_PREFIX, BranchRole, TAG_PREFIX};
use crate::foundation::oid::short;
use crate::git::merge::{self, Labels, Mode, Outcome};
use crate::git::push::{self, PushPlan, PushRef};
use crate::git::refs::{self, Value};
use crate::git::repo::{Base, Repo, Worktree};
use crate::git::tags::ReleaseTags;
use crate::operations::release;
use crate::operations::tag::TagStep;
use crate::records::journal::{Held, Journal, ReleaseCommit, Store};
use crate::records::run::{FinishOptions, WorktreeStep};
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;
use crate::settings::review;

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
        crate::git::worktree::ensure_clean(worktree)?;
    }

    let facts = release::facts_now(journal, mem)?;
    let proposed = proposed_release(repo, journal, branch_tip)?;
    // A release made already (by an earlier attempt, or on the branch) sits on the merge.
    let onto = match (&prior.release, &proposed) {
        (None, None) => onto_step(repo, mem, config, journal, prior, branch_tip)?,
        (Some(_), _) => match &prior.onto {
            Some(onto) => Some(OntoStep {
                tag: onto.tag.clone(),
                release: mem.first_parent(onto.merge)?.unwrap_or(onto.merge),
                outcome: Outcome::Merge { commit: onto.merge },
            }),
            None => None,
        },
        (None, Some(_)) => None,
    };
    if onto
        .as_ref()
        .is_some_and(|o| matches!(o.outcome, Outcome::Conflict { .. }))
    {
        // Nothing else can be planned before a person resolves it.
        return Ok(FinishPlan {
            ticket: journal.ticket.clone(),
            branch: journal.branch.clone(),
            branch_tip,
            tip: branch_tip,
            release: None,
            held: Held::default(),
            onto,
            base: journal.base.clone(),
            version: journal.version.clone(),
            commits,
            tag: None,
            integrations: Vec::new(),
            older_than_production: None,
            develop_found: false,
            delete_branch: false,
            worktrees: Vec::new(),
            push: None,
            kept_on_remote: None,
            merged: None,
            settings: None,
        });
    }
    let release_base = onto
        .as_ref()
        .and_then(|o| o.outcome.new_tip())
        .unwrap_or(branch_tip);
    let (release, held) = match (&prior.release, &proposed) {
        (Some(release), _) => (Some(release.clone()), prior.held.clone()),
        (None, Some((release, held))) => (Some(release.clone()), held.clone()),
        // Read through `mem`: the merge into a newer release is there only.
        (None, None) => release_commit(
            mem,
            config,
            journal,
            options,
            &facts,
            release_base,
            version_files,
        )?,
    };
    // A release commit `finish --pr` made is on the branch already, under later commits.
    let tip = match (&release, &proposed) {
        (_, Some(_)) => branch_tip,
        (Some(release), None) => release.commit,
        (None, None) => release_base,
    };

    // A stopped run releases what it stopped with: a commit made on the branch since is not
    // in that release, and deleting the branch would lose it.
    if prior.release.is_some() && !mem.is_ancestor(branch_tip, tip)? {
        return Err(Error::StaleRef {
            name: format!("{BRANCH_PREFIX}{}", journal.branch),
            expected: "what the stopped run releases".into(),
            actual: format!(
                "{}, with commits made since the stop that the release lacks",
                short(branch_tip)
            ),
        });
    }
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
        // The merge mode is the landing's; develop's back-merge is a merge whatever it says.
        let outcome = match (role, options.merge, outcome) {
            (Role::Develop, _, outcome) => outcome,
            (_, Mode::FfOnly, Outcome::Merge { .. } | Outcome::Conflict { .. }) => {
                return Err(Error::NotFastForward {
                    ticket: journal.ticket.clone(),
                    ahead: repo.commits_between(tip, old)?.len(),
                    branch,
                });
            }
            (_, Mode::NoFf, Outcome::FastForward { to }) => Outcome::Merge {
                commit: merge::commit(
                    mem,
                    &merge::merge_message(&journal.branch, &branch),
                    mem.tree_of(to)?,
                    [old, to],
                )?,
            },
            (_, _, outcome) => outcome,
        };
        let conflicted = matches!(outcome, Outcome::Conflict { .. });
        integrations.push(Integration::new(&worktrees, branch, role, old, outcome)?);
        if conflicted {
            break;
        }
    }

    // Something must hold the fix once the run is over: the tag, or a branch it lands on.
    if tag.is_none() && integrations.is_empty() {
        return Err(Error::ReleasedNowhere {
            ticket: journal.ticket.clone(),
            version: journal.version.to_string(),
            why: match &older_than_production {
                Some(newest) => format!(
                    "{} is older than production's {newest}, and no maintained release branch of its line was found",
                    journal.version
                ),
                None => "no branch of its line was found".to_string(),
            },
        });
    }

    let delete_branch = !options.keep;
    let landing = integrations
        .first()
        .map(|i| i.branch.clone())
        .unwrap_or_else(|| config.production_branch.clone());
    let worktree_steps = if delete_branch {
        plan_worktrees(
            repo,
            journal,
            &worktrees,
            &hotfix_worktrees,
            &landing,
            &integrations,
            branch_tip,
        )?
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

    let develop_found =
        config.develop_found && integrations.iter().any(|i| i.role == Role::Develop);
    // The settings where the fix lands, as they are and as the landing leaves them.
    let (before, after) = match integrations.first() {
        Some(landing) => (
            landing.old,
            match landing.outcome {
                Outcome::Conflict { .. } => tip,
                _ => landing.outcome.new_tip().unwrap_or(landing.old),
            },
        ),
        None => (journal.base.commit(), tip),
    };
    let settings = review::of_fix(mem, journal.base.commit(), branch_tip, before, after)?;
    let mut plan = FinishPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        branch_tip,
        tip,
        release,
        held,
        onto,
        base: journal.base.clone(),
        version: journal.version.clone(),
        commits,
        tag,
        integrations,
        older_than_production,
        develop_found,
        delete_branch,
        worktrees: worktree_steps,
        push: None,
        kept_on_remote: None,
        merged: None,
        settings,
    };
    if options.push {
        push::ensure_remote(repo, &config.remote)?;
        for integration in &plan.integrations {
            ensure_nothing_else_unpushed(repo, &config.remote, journal, integration)?;
        }
        if let Some(tag) = &plan.tag {
            // The release may be in `mem` only.
            release::ensure_holds_published(mem, config, journal, tag.target)?;
        }
        plan.push = Some(push_plan(repo, &config.remote, journal, &plan)?);
        plan.kept_on_remote = kept_on_remote(repo, &config.remote, &plan)?;
    }
    refs::ensure_unlocked(repo, &plan.edits())?;
    crate::records::notes::ensure_writable(repo)?;
    Ok(plan)
}

/// The newest release of the hotfix's line below its version that the fix lacks (someone
/// released it since the hotfix started), with the fix merged into it in `mem`: `None` when
/// the fix holds every earlier release of its line.
pub(crate) fn onto_step(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    prior: &Prior,
    branch_tip: ObjectId,
) -> Result<Option<OntoStep>> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let tags = ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))?;
    let Some(newer) = tags.missing_below(repo, &journal.version, branch_tip)? else {
        return Ok(None);
    };
    if let Some(&was) = prior.expected.get(&newer.name)
        && was != newer.commit
    {
        return Err(Error::StaleRef {
            name: format!("{TAG_PREFIX}{}", newer.name),
            expected: short(was),
            actual: short(newer.commit),
        });
    }
    let outcome = match prior.resolved.get(&newer.name) {
        Some(&commit) => Outcome::Merge { commit },
        None => merge::integrate(
            mem,
            newer.commit,
            branch_tip,
            &Labels {
                ours: &newer.name,
                theirs: &journal.branch,
            },
            &merge::merge_message(&journal.branch, &newer.name),
        )?,
    };
    match outcome {
        // Someone released the fix itself: there is nothing left to release.
        Outcome::UpToDate => Err(Error::FixReleased {
            ticket: journal.ticket.clone(),
            tag: newer.name.clone(),
        }),
        Outcome::FastForward { .. } => Ok(None),
        outcome => Ok(Some(OntoStep {
            tag: newer.name.clone(),
            release: newer.commit,
            outcome,
        })),
    }
}

/// The release tag on `tip`, unless `options` say none: `--message`, else the template.
pub(crate) fn tag_step(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    facts: &crate::foundation::messages::Facts,
    tip: ObjectId,
) -> Result<Option<TagStep>> {
    if !options.tag {
        // No tag made, but the version is still what the release commit and the journal
        // say was released: someone else's tag of it makes that untrue.
        crate::operations::tag::ensure_version_free(repo, config, journal, tip)?;
        return Ok(None);
    }
    let message = match &options.message {
        Some(message) => message.clone(),
        None => config.messages.tag.render(facts),
    };
    crate::operations::tag::step(repo, mem, config, journal, tip, &message).map(Some)
}

/// The release commit of `options` on `tip` (version bump, changelog), made in `mem`.
pub(crate) fn release_commit(
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    facts: &crate::foundation::messages::Facts,
    tip: ObjectId,
    version_files: Option<&dyn VersionFiles>,
) -> Result<(Option<ReleaseCommit>, Held)> {
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
    release::commit(mem, tip, facts, &message, bump, changelog)
}

/// The release commit `finish --pr` or `tag` put on the branch, if the branch still holds
/// it, and what the fix held of its work already.
pub(crate) fn proposed_release(
    repo: &Repo,
    journal: &Journal,
    branch_tip: ObjectId,
) -> Result<Option<(ReleaseCommit, Held)>> {
    let proposed = journal
        .proposal
        .as_ref()
        .and_then(|p| Some((p.release.as_ref()?, &p.held)));
    // Made for the version the hotfix has now: a re-versioned one makes its own.
    let prepared = journal
        .prepared
        .as_ref()
        .filter(|p| p.tag == journal.tag)
        .and_then(|p| Some((p.release.as_ref()?, &p.held)));
    for (release, held) in proposed.into_iter().chain(prepared) {
        let on_branch = repo.git.find_object(release.commit).is_ok()
            && repo.is_ancestor(release.commit, branch_tip)?;
        if on_branch {
            return Ok(Some((release.clone(), held.clone())));
        }
    }
    Ok(None)
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
    integrations: &[Integration],
    branch_tip: ObjectId,
) -> Result<Vec<WorktreeStep>> {
    let landing_elsewhere = all.iter().any(|w| w.branch() == Some(landing));
    // Where `landing` will be once the integrations moved it.
    let landing_tip = match integrations.iter().find(|i| i.branch == landing) {
        Some(i) => Some(i.outcome.new_tip().unwrap_or(i.old)),
        None => repo.branch_tip(landing)?,
    };
    Ok(on_hotfix
        .iter()
        .map(|w| {
            let head_ref = w.head_ref();
            let path = w.path.clone();
            let created_by_start = journal
                .worktree
                .as_ref()
                .is_some_and(|p| crate::git::worktree::same_path(p, &w.path));
            if created_by_start {
                WorktreeStep::Remove { path, head_ref }
            } else if let Some(tip) = landing_tip.filter(|_| !landing_elsewhere) {
                WorktreeStep::Switch {
                    path,
                    head_ref,
                    to: landing.to_string(),
                    tip,
                }
            } else {
                WorktreeStep::Detach {
                    path,
                    head_ref,
                    at: landing.to_string(),
                    tip: landing_tip.unwrap_or(branch_tip),
                }
            }
        })
        .collect())
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
    // The same line released at or above this version since the hotfix started (its base
    // had no such release): a colleague's release, not an older line. Released as planned,
    // the fix would go out older than what runs; it needs another version.
    let same_line = newest.version.major_minor() == journal.version.major_minor();
    if same_line
        && tags
            .newest_at_or_above(repo, &journal.version, journal.base.commit())?
            .is_none()
    {
        // Tagged already (`git hotfix tag`): its version was chosen then, and the release
        // exists; what is left is to bring it into its line.
        let tagged = journal.prepared.as_ref().is_some_and(|p| {
            p.tag == journal.tag
                && matches!(repo.peeled_commit(&format!("{TAG_PREFIX}{}", p.tag)), Ok(Some(c)) if c == p.tip)
        });
        if tagged {
            return Ok(Landing {
                branch: Some((production.clone(), Role::Production)),
                newer_release: None,
            });
        }
        return Err(Error::VersionSuperseded {
            ticket: journal.ticket.clone(),
            version: journal.version.to_string(),
            newest: newest.name.clone(),
            suggestion: tags.next_free(&journal.version).to_string(),
        });
    }
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

/// The hotfix branch as `remote` had it when last fetched (the push's lease), and whether
/// the release holds it. A colleague may have pushed to it, or rewritten it, since.
fn published_branch(
    repo: &Repo,
    remote: &str,
    plan: &FinishPlan,
) -> Result<Option<(ObjectId, bool)>> {
    let tracking = format!("refs/remotes/{remote}/{}", plan.branch);
    match repo.ref_target(&tracking)? {
        Some(published) => Ok(Some((
            published,
            repo.is_ancestor(published, plan.branch_tip)?,
        ))),
        None => Ok(None),
    }
}

/// The published hotfix branch a push leaves on `remote`, as it holds commits the release
/// lacks: deleting it would lose them.
pub(crate) fn kept_on_remote(
    repo: &Repo,
    remote: &str,
    plan: &FinishPlan,
) -> Result<Option<ObjectId>> {
    Ok(published_branch(repo, remote, plan)?
        .filter(|(_, held)| !held)
        .map(|(published, _)| published))
}

/// The push leases each branch on its local tip, which must be what the remote has: a
/// branch holding commits the remote lacks (another hotfix's release, its run stopped
/// before its push, or finished without `--push`) would be refused after everything here
/// moved, or publish someone's release without its tag. Said before anything moves.
fn ensure_nothing_else_unpushed(
    repo: &Repo,
    remote: &str,
    journal: &Journal,
    integration: &Integration,
) -> Result<()> {
    let tracking = format!("refs/remotes/{remote}/{}", integration.branch);
    let Some(there) = repo.ref_target(&tracking)? else {
        return Ok(());
    };
    if there == integration.old || !repo.is_ancestor(there, integration.old)? {
        return Ok(());
    }
    let name = format!("{BRANCH_PREFIX}{}", integration.branch);
    let store = Store::new(repo);
    let stopped = store.active()?.into_iter().find(|other| {
        other.ticket != journal.ticket
            && other
                .run
                .as_ref()
                .is_some_and(|run| run.steps.moved().any(|e| e.name == name))
    });
    let unpushed = || -> Result<Option<Journal>> {
        for other in store.finished()?.into_iter().rev() {
            let tag = format!("{TAG_PREFIX}{}", other.tag);
            if other.unpublished.is_some()
                && let Some(released) = repo.peeled_commit(&tag)?
                && repo.is_ancestor(released, integration.old)?
                && !repo.is_ancestor(released, there)?
            {
                return Ok(Some(other));
            }
        }
        Ok(None)
    };
    let held_by = match stopped {
        Some(other) => Some(Unpushed::Stopped(other.ticket)),
        None => unpushed()?.map(|other| Unpushed::Finished(other.ticket)),
    };
    Err(Error::AheadOfRemote {
        branch: integration.branch.clone(),
        remote: remote.to_string(),
        count: repo.commits_between(there, integration.old)?.len(),
        held_by,
    })
}

pub(crate) fn push_plan(
    repo: &Repo,
    remote: &str,
    journal: &Journal,
    plan: &FinishPlan,
) -> Result<PushPlan> {
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
            // Delete the remote branch only if it was published, and only when the release
            // holds it: commits pushed there that this branch lacks stay (`kept_on_remote`).
            if let Some((published, true)) = published_branch(repo, remote, plan)? {
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
        && journal.release_pushed().is_none()
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
