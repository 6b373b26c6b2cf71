//! `tag`: the release on the hotfix branch and its annotated tag, ahead of `finish` (teams
//! that tag before they merge); and the tag step of `finish` itself.

use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine;
use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::BranchRole;
use crate::foundation::names::{BRANCH_PREFIX, TAG_PREFIX};
use crate::foundation::version::Version;
use crate::git::merge::Outcome;
use crate::git::push::PushPlan;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::git::tags::{self, ReleaseTags};
use crate::operations::finish::{self, OntoStep};
use crate::records::journal::{EventKind, Held, Journal, Prepared, ReleaseCommit, Store};
use crate::records::run::{FinishOptions, Run, RunKind, Step, Steps};
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;

/// The tag a run makes.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct TagStep {
    pub name: String,
    pub message: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub target: ObjectId,
    /// The new annotated tag object; `None` when the tag already exists on the tip.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub object: Option<ObjectId>,
}

impl TagStep {
    /// The ref edit that creates the tag, unless it exists already.
    pub fn edit(&self) -> Option<Edit> {
        self.object.map(|object| Edit {
            name: format!("{TAG_PREFIX}{}", self.name),
            old: None,
            new: Some(Value::Object(object)),
        })
    }
}

/// Plan the tag `journal.tag` on `tip`, writing the tag object to `mem`. A tag that already
/// points at the tip is accepted as done; one that points elsewhere is an error.
pub fn step(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    tip: ObjectId,
    message: &str,
) -> Result<TagStep> {
    let name = journal.tag.clone();
    let message = message.to_string();
    if ensure_version_free(repo, config, journal, tip)? {
        return Ok(TagStep {
            name,
            message,
            target: tip,
            object: None,
        });
    }
    let tagger = mem.committer()?;
    let mut text = message.clone();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let object = gix::objs::Tag {
        target: tip,
        target_kind: gix::objs::Kind::Commit,
        name: name.as_str().into(),
        tagger: Some(tagger),
        message: text.into(),
        signature: None,
    };
    let id = mem
        .git
        .write_object(&object)
        .context(|| format!("could not write tag {name}"))?
        .detach();
    Ok(TagStep {
        name,
        message,
        target: tip,
        object: Some(id),
    })
}

/// Refuse the hotfix's version when its tag names another commit than `tip` (a colleague
/// released it), suggesting the next free version. Says whether the tag is on `tip` already.
pub(crate) fn ensure_version_free(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    tip: ObjectId,
) -> Result<bool> {
    let Some(existing) = repo.peeled_commit(&format!("{TAG_PREFIX}{}", journal.tag))? else {
        return Ok(false);
    };
    if existing == tip {
        return Ok(true);
    }
    let known = release_tags(repo, config, journal)?;
    Err(Error::TagExists {
        name: journal.tag.clone(),
        suggestion: Some(known.next_free(&journal.version).to_string()),
    })
}

/// Give the hotfix another version (and so another tag): `tag --version`, `finish --version`
/// and `finish --next`. The version must be free, and not below the newest release of its
/// line unless `allow_older`. Recorded in the journal's timeline; the caller saves it.
pub fn reversion(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    version: Choice,
    allow_older: bool,
    now: Timestamp,
) -> Result<()> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let name = product.map(|(n, _)| n);
    let known = ReleaseTags::read(repo, pattern, name)?;
    let version = match version {
        Choice::Exactly(version) => version,
        Choice::NextFree => known.next_free(&journal.version),
    };
    if version == journal.version {
        return Ok(());
    }
    if let Some(release) = journal.proposal.as_ref().and_then(|p| p.release.as_ref())
        && repo.git.find_object(release.commit).is_ok()
    {
        return Err(Error::ProposedVersion {
            ticket: journal.ticket.clone(),
            version: journal.version.to_string(),
        });
    }
    // Tagged ahead of its finish, and nothing committed since: that tag is the release
    // (unless it was taken back). Commits since need a release of their own.
    if let Some(prepared) = &journal.prepared
        && repo.peeled_commit(&format!("{TAG_PREFIX}{}", prepared.tag))? == Some(prepared.tip)
        && repo.branch_tip(&journal.branch)? == Some(prepared.tip)
    {
        return Err(Error::TaggedVersion {
            ticket: journal.ticket.clone(),
            tag: prepared.tag.clone(),
        });
    }
    let tag = tags::ensure_untagged(repo, &known, pattern, name, &version)?;
    if !allow_older {
        let previous = known.newest_reachable_from(repo, journal.base.commit())?;
        if let Some(newer) = known.newer_in_line(&version, previous) {
            return Err(Error::VersionBelowReleased {
                version: version.to_string(),
                newest: newer.name.clone(),
            });
        }
    }
    journal.record(
        now,
        EventKind::Reversioned {
            from: journal.version.to_string(),
            to: version.to_string(),
        },
    );
    journal.tag = tag;
    journal.version = version;
    Ok(())
}

/// The release tags of the hotfix's product (or of the repository).
fn release_tags(repo: &Repo, config: &Config, journal: &Journal) -> Result<ReleaseTags> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))
}

/// The version `reversion` gives.
#[derive(Debug, Clone)]
pub enum Choice {
    Exactly(Version),
    /// The first version after the hotfix's, and after every release of its line, that no
    /// tag names.
    NextFree,
}

/// What `git hotfix tag` will do: the release made on the hotfix branch (the fix merged
/// into a newer release of its line when someone released one meanwhile, the release
/// commit), then the tag on it — the same release `finish` makes, so that `finish` later
/// releases the branch as it is and keeps the tag.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct TagPlan {
    pub ticket: String,
    pub branch: String,
    pub version: Version,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub branch_tip: ObjectId,
    /// The newer release of the line the fix is merged into first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onto: Option<OntoStep>,
    /// The release commit made now, on the fix.
    pub release: Option<ReleaseCommit>,
    #[serde(skip_serializing_if = "Held::is_empty")]
    pub held: Held,
    /// Worktrees on the branch: their files follow it to the release.
    pub worktrees: Vec<PathBuf>,
    pub tag: TagStep,
}

impl TagPlan {
    /// What the branch holds once the release is made: the tagged commit.
    pub fn tip(&self) -> ObjectId {
        self.tag.target
    }
}

/// Plan the release of the hotfix branch and its tag (at another version: [`reversion`]
/// first). A release commit made earlier (by `finish --pr`, or an earlier `tag`) is kept.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    message: Option<&str>,
    version_files: Option<&dyn VersionFiles>,
) -> Result<TagPlan> {
    if let Some(run) = &journal.run {
        return Err(Error::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.kind.to_string(),
        });
    }
    let branch_tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    // A release of no fix would tag what was released already.
    if crate::records::fix::fix_ids(repo, journal, branch_tip)?.is_empty() {
        return Err(Error::NothingToFinish {
            branch: journal.branch.clone(),
            base: journal.base.label(),
        });
    }
    let facts = crate::operations::release::facts_now(journal, mem)?;
    let message = match message {
        Some(message) => message.to_string(),
        None => config.messages.tag.render(&facts),
    };
    let (onto, release, held) = match finish::proposed_release(repo, journal, branch_tip)? {
        Some((_, held)) => (None, None, held),
        None => {
            let onto =
                finish::onto_step(repo, mem, config, journal, &Default::default(), branch_tip)?;
            if let Some(OntoStep {
                tag,
                outcome: Outcome::Conflict { paths },
                ..
            }) = &onto
            {
                return Err(Error::OntoConflicts {
                    tag: tag.clone(),
                    branch: journal.branch.clone(),
                    paths: paths.clone(),
                });
            }
            let base = onto
                .as_ref()
                .and_then(|o| o.outcome.new_tip())
                .unwrap_or(branch_tip);
            let (release, held) = finish::release_commit(
                mem,
                config,
                journal,
                &FinishOptions::default(),
                &facts,
                base,
                version_files,
            )?;
            (onto, release, held)
        }
    };
    let tip = release
        .as_ref()
        .map(|r| r.commit)
        .or_else(|| onto.as_ref().and_then(|o| o.outcome.new_tip()))
        .unwrap_or(branch_tip);
    let worktrees = repo.worktrees_on(&journal.branch)?;
    if tip != branch_tip {
        for worktree in &worktrees {
            crate::git::worktree::ensure_clean(worktree)?;
        }
    }
    let tag = step(repo, mem, config, journal, tip, &message)?;
    let plan = TagPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        version: journal.version.clone(),
        branch_tip,
        onto,
        release,
        held,
        worktrees: worktrees.into_iter().map(|w| w.path).collect(),
        tag,
    };
    refs::ensure_unlocked(repo, &plan.edits())?;
    Ok(plan)
}

impl TagPlan {
    /// The tag, and the branch moved to the release.
    fn edits(&self) -> Vec<Edit> {
        let mut edits: Vec<Edit> = self.tag.edit().into_iter().collect();
        if self.tip() != self.branch_tip {
            edits.push(Edit {
                name: format!("{BRANCH_PREFIX}{}", self.branch),
                old: Some(Value::Object(self.branch_tip)),
                new: Some(Value::Object(self.tip())),
            });
        }
        edits
    }
}

/// Make the release and the tag planned by [`plan`] (with their objects in `mem`) and, with
/// `push`, push the tag to the configured remote: the steps of a run journaled in the
/// hotfix's journal, so that `continue` and `abort` take up a run that stopped or was
/// killed. Returns what was pushed.
pub fn run(
    repo: &Repo,
    mem: Repo,
    config: &Config,
    journal: &mut Journal,
    plan: &TagPlan,
    push: bool,
    now: Timestamp,
) -> Result<Option<PushPlan>> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    let pushing = match push {
        true => {
            // The release may be in `mem` only.
            crate::operations::release::ensure_holds_published(&mem, config, journal, plan.tip())?;
            let object = match plan.tag.object {
                Some(object) => object,
                None => repo
                    .ref_target(&format!("{TAG_PREFIX}{}", plan.tag.name))?
                    .expect("a tag on the tip"),
            };
            Some(crate::git::push::publish_tag(
                repo,
                &config.remote,
                &plan.tag.name,
                object,
            )?)
        }
        false => None,
    };
    repo.keep_objects(mem)?;
    let mut steps = Steps::default();
    let edits = plan.edits();
    if !edits.is_empty() {
        steps.add(Step::Refs {
            edits,
            message: format!("hotfix tag: {} {}", journal.ticket, plan.version),
        });
    }
    if plan.tip() != plan.branch_tip {
        for worktree in &plan.worktrees {
            steps.add(Step::Checkout {
                worktree: repo.recorded_worktree(worktree),
                from: plan.branch_tip,
                to: plan.tip(),
                branch: Some(plan.branch.clone()),
            });
        }
    }
    if let Some(push) = pushing.as_ref().filter(|p| !p.refs.is_empty()) {
        steps.add(Step::Push { plan: push.clone() });
    }
    journal.run = Some(Run {
        steps,
        release: plan.release.clone(),
        held: plan.held.clone(),
        onto: plan.onto.as_ref().and_then(OntoStep::record),
        ..Run::new(RunKind::Tag, FinishOptions::default())
    });
    proceed(repo, journal, now)?;
    Ok(pushing)
}

/// Take the steps of a tag run that are left, then record what they did: the release the
/// branch now carries, for `finish` to release as it is.
pub(crate) fn proceed(
    repo: &Repo,
    journal: &mut Journal,
    now: Timestamp,
) -> Result<(Vec<Edit>, Option<PushPlan>)> {
    let store = Store::new(repo);
    let run = engine::run_in_journal(repo, journal, &store, None, now)?;
    let branch = format!("{BRANCH_PREFIX}{}", journal.branch);
    let moved_to = run
        .steps
        .moved()
        .find(|e| e.name == branch)
        .and_then(|e| e.new.as_ref().and_then(Value::object));
    if let Some(tip) = moved_to {
        journal.prepared = Some(Prepared {
            tag: journal.tag.clone(),
            tip,
            release: run.release.clone(),
            held: run.held.clone(),
            onto: run.onto.clone(),
        });
    }
    store.save(journal)?;
    Ok((
        run.steps.moved().cloned().collect(),
        run.steps.pushed().next().cloned(),
    ))
}
