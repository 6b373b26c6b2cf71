//! `tag`: the annotated release tag on the hotfix tip, on its own or as part of `finish`.

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::BranchRole;
use crate::foundation::names::TAG_PREFIX;
use crate::foundation::version::Version;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::git::tags::{self, ReleaseTags};
use crate::records::journal::{EventKind, Journal, Store};
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
    journal: &Journal,
    tip: ObjectId,
    message: &str,
) -> Result<TagStep> {
    let name = journal.tag.clone();
    let message = message.to_string();
    if let Some(existing) = repo.peeled_commit(&format!("{TAG_PREFIX}{name}"))? {
        if existing == tip {
            return Ok(TagStep {
                name,
                message,
                target: tip,
                object: None,
            });
        }
        return Err(Error::TagExists {
            name,
            suggestion: Some(journal.version.next_patch().to_string()),
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

/// What `git hotfix tag` will do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagPlan {
    pub ticket: String,
    pub branch: String,
    pub version: Version,
    pub tag: TagStep,
}

/// Plan tagging the hotfix tip, optionally at another `version` than the one chosen at start.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &mut Journal,
    version: Option<&str>,
    message: Option<&str>,
) -> Result<TagPlan> {
    if let Some(run) = &journal.run {
        return Err(Error::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.command.clone(),
        });
    }
    let tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    if let Some(text) = version {
        let version = Version::parse_arg(text)?;
        if version != journal.version {
            let product = config.product(journal.product.as_deref())?;
            let (pattern, _) = config.naming(product.map(|(_, p)| p));
            let name = product.map(|(n, _)| n);
            let known = ReleaseTags::read(repo, pattern, name)?;
            journal.tag = tags::ensure_untagged(repo, &known, pattern, name, &version)?;
            journal.version = version;
        }
    }
    let message = match message {
        Some(message) => message.to_string(),
        None => config
            .messages
            .tag
            .render(&crate::operations::release::facts_now(journal, mem)?),
    };
    let tag = step(repo, mem, journal, tip, &message)?;
    refs::ensure_unlocked(repo, tag.edit().as_slice())?;
    Ok(TagPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        version: journal.version.clone(),
        tag,
    })
}

/// Create the tag planned by [`plan`] (with its objects in `mem`) and record it.
pub fn execute(
    repo: &Repo,
    mem: Repo,
    journal: &mut Journal,
    plan: &TagPlan,
    now: Timestamp,
) -> Result<()> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    repo.keep_objects(mem)?;
    if let Some(edit) = plan.tag.edit() {
        refs::apply(
            repo,
            std::slice::from_ref(&edit),
            &format!("hotfix tag: {} {}", journal.ticket, plan.version),
        )?;
        journal.record(
            now,
            EventKind::RefsMoved {
                refs: vec![edit.to_move()],
            },
        );
    }
    store.save(journal)
}

/// Push the tag of `plan` to the configured remote (nothing when it is there already) and
/// record the push. Returns what was pushed.
pub fn push(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    plan: &TagPlan,
    now: Timestamp,
) -> Result<crate::git::push::PushPlan> {
    let push = crate::git::push::publish_tag(repo, &config.remote, &plan.tag.name)?;
    crate::git::push::push(repo, &push)?;
    if !push.refs.is_empty() {
        Store::new(repo).append(journal, now, crate::operations::finish::pushed_event(&push))?;
    }
    Ok(push)
}
