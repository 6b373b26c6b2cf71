//! `tag`: the annotated release tag on the hotfix tip, on its own or as part of `finish`.

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine;
use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::BranchRole;
use crate::foundation::names::TAG_PREFIX;
use crate::foundation::version::Version;
use crate::git::push::PushPlan;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::git::tags::{self, ReleaseTags};
use crate::records::journal::{EventKind, Journal, Store};
use crate::records::run::{FinishOptions, Run, Step, Steps};
use crate::settings::config::Config;

/// The tag a run makes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagStep {
    pub name: String,
    pub message: String,
    #[serde(with = "crate::foundation::oid::hex")]
    pub target: ObjectId,
    /// The new annotated tag object; `None` when the tag already exists on the tip.
    #[serde(with = "crate::foundation::oid::hex_opt")]
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

/// What `git hotfix tag` will do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagPlan {
    pub ticket: String,
    pub branch: String,
    pub version: Version,
    pub tag: TagStep,
}

/// Plan tagging the hotfix tip (at another version: [`reversion`] first).
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    message: Option<&str>,
) -> Result<TagPlan> {
    if let Some(run) = &journal.run {
        return Err(Error::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.command.clone(),
        });
    }
    let tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    let message = match message {
        Some(message) => message.to_string(),
        None => config
            .messages
            .tag
            .render(&crate::operations::release::facts_now(journal, mem)?),
    };
    let tag = step(repo, mem, config, journal, tip, &message)?;
    refs::ensure_unlocked(repo, tag.edit().as_slice())?;
    Ok(TagPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        version: journal.version.clone(),
        tag,
    })
}

/// How a tag run is named in the journal.
pub(crate) const COMMAND: &str = "tag";

/// Create the tag planned by [`plan`] (with its objects in `mem`) and, with `push`, push it
/// to the configured remote: the steps of a run journaled in the hotfix's journal, so that
/// `continue` and `abort` take up a run that stopped or was killed. Returns what was pushed.
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
    if let Some(edit) = plan.tag.edit() {
        steps.add(Step::Refs {
            edits: vec![edit],
            message: format!("hotfix tag: {} {}", journal.ticket, plan.version),
        });
    }
    if let Some(push) = pushing.as_ref().filter(|p| !p.refs.is_empty()) {
        steps.add(Step::Push { plan: push.clone() });
    }
    journal.run = Some(Run {
        steps,
        ..Run::new(COMMAND, FinishOptions::default())
    });
    proceed(repo, journal, now)?;
    Ok(pushing)
}

/// Take the steps of a tag run that are left, then record what they did.
pub(crate) fn proceed(
    repo: &Repo,
    journal: &mut Journal,
    now: Timestamp,
) -> Result<(Vec<Edit>, Option<PushPlan>)> {
    let store = Store::new(repo);
    let run = engine::run_in_journal(repo, journal, &store, None, now)?;
    store.save(journal)?;
    Ok((
        run.steps.moved().cloned().collect(),
        run.steps.pushed().next().cloned(),
    ))
}
