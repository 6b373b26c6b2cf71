//! What an environment runs, as the journals and notes record it: each deploy puts its
//! release there, each rollback takes back what came after the release it goes back to.
//! Read from every hotfix, so a colleague's release (its note fetched) counts too.

use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::foundation::version::Version;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTags;
use crate::records::journal::{Action, EventKind, Journal, Store};
use crate::settings::config::Config;
use crate::settings::policy::PluginSource;
use crate::settings::review::{self, KeyChange};

/// One release an environment ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Running {
    pub version: String,
    /// When it was put there.
    pub at: Timestamp,
    /// The hotfix whose deploy or rollback put it there.
    pub by: String,
}

/// The releases `environment` runs and ran before, oldest first: the last is running now,
/// the one before it is where a rollback goes.
pub fn stack(repo: &Repo, environment: &str) -> Result<Vec<Running>> {
    Ok(replay(&journals(repo)?, environment))
}

/// Whose release an environment runs, as deploys and rollbacks record it.
#[derive(Debug, Clone)]
pub enum Owner {
    /// No deploy there is recorded.
    Unknown,
    /// A hotfix's own release.
    Hotfix(Box<Journal>),
    /// A release no hotfix made (a colleague's, put back by a rollback).
    Other { version: String },
}

/// The hotfix whose release `environment` runs now, as deploys and rollbacks record it.
pub fn running_hotfix(repo: &Repo, environment: &str) -> Result<Owner> {
    let all = journals(repo)?;
    let Some(now) = replay(&all, environment).pop() else {
        return Ok(Owner::Unknown);
    };
    Ok(all
        .into_iter()
        .filter(|j| j.version.to_string() == now.version)
        .find(|j| j.state != crate::records::journal::State::Abandoned)
        .map_or(
            Owner::Other {
                version: now.version,
            },
            |j| Owner::Hotfix(Box::new(j)),
        ))
}

/// Every hotfix this repository knows of: its journals, in progress and ended, and the notes
/// of hotfixes finished in other clones.
fn journals(repo: &Repo) -> Result<Vec<Journal>> {
    let store = Store::new(repo);
    let mut journals = store.active()?;
    journals.extend(store.ended()?);
    // Notes tell of hotfixes finished in other clones, and of what other clones did with
    // ours: a local journal is the fuller record, and takes the deploys and rollbacks
    // another clone recorded in the note.
    let (noted, _) = crate::records::notes::all(repo)?;
    for note in noted.into_iter().map(|n| n.journal) {
        let same = |j: &&mut Journal| j.ticket == note.ticket && j.version == note.version;
        match journals.iter_mut().find(same) {
            Some(local) => {
                let theirs: Vec<_> = note
                    .events
                    .iter()
                    .filter(|e| matches!(e.what, EventKind::DeployEnded { .. }))
                    .filter(|e| !local.events.contains(e))
                    .cloned()
                    .collect();
                local.events.extend(theirs);
            }
            None => journals.push(note),
        }
    }
    Ok(journals)
}

/// Where a rollback of an environment goes, and why there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Target {
    /// The release it runs now (taken to be the hotfix's when no deploy is recorded).
    pub from: String,
    /// Whether a deploy or rollback there is recorded at all: if not, `from` is a guess.
    pub recorded: bool,
    /// The release it goes back to; `None` when nothing says which.
    pub to: Option<String>,
    pub why: Why,
}

/// Why a rollback goes where it goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Why {
    /// A person named it (`rollback --to`).
    Named,
    /// It ran there before the release running now, put there by a deploy or a rollback
    /// of `by` at `at`.
    RanBefore { by: String, at: Timestamp },
    /// No deploy before the running release is recorded: the release that one was built
    /// on — the newest earlier release its tag holds (the one its hotfix branched from, or
    /// a newer one it was merged into).
    BuiltOn,
    /// Nothing is known to run there: the hotfix's own release is taken to run, and the
    /// rollback goes to the release it branched from.
    Base,
    /// No release is known to go back to.
    Unknown,
}

/// Where a rollback of `environment` for `journal` goes: `to` when a person named it; else
/// what ran there before what runs now, as every journal and note records deploys and
/// rollbacks; else the release what runs now (or the hotfix's, when nothing is recorded)
/// was built on; else the one the hotfix branched from.
pub fn rollback_target(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    environment: &str,
    to: Option<&Version>,
) -> Result<Target> {
    let ran = stack(repo, environment)?;
    let from = ran
        .last()
        .map_or_else(|| journal.version.to_string(), |now| now.version.clone());
    let (to, why) = match (to, ran.as_slice()) {
        (Some(to), _) => (Some(to.to_string()), Why::Named),
        (None, [.., before, _]) => (
            Some(before.version.clone()),
            Why::RanBefore {
                by: before.by.clone(),
                at: before.at,
            },
        ),
        (None, [_]) => match built_on(repo, config, journal, &from)? {
            Some(version) => (Some(version), Why::BuiltOn),
            None => (None, Why::Unknown),
        },
        (None, []) => match built_on(repo, config, journal, &from)? {
            Some(version) => (Some(version), Why::BuiltOn),
            None => match base_version(config, journal)? {
                Some(version) => (Some(version), Why::Base),
                None => (None, Why::Unknown),
            },
        },
    };
    // Going back to what runs is no rollback.
    let (to, why) = match to {
        Some(to) if to == from && why != Why::Named => (None, Why::Unknown),
        to => (to, why),
    };
    Ok(Target {
        from,
        recorded: !ran.is_empty(),
        to,
        why,
    })
}

/// The version of the release tag the hotfix branched from, when it branched from one.
fn base_version(config: &Config, journal: &Journal) -> Result<Option<String>> {
    let crate::git::repo::Base::Tag { name, .. } = &journal.base else {
        return Ok(None);
    };
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    Ok(pattern
        .version_of(name, journal.product.as_deref())
        .and_then(|v| v.ok())
        .map(|v| v.to_string()))
}

/// The newest release below `version` that `version`'s tag holds: what it was built on.
fn built_on(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    version: &str,
) -> Result<Option<String>> {
    let Some(version) = Version::parse(version) else {
        return Ok(None);
    };
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let mut tags = ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))?;
    let Some(released) = tags.find_version(&version).map(|t| t.commit) else {
        return Ok(None);
    };
    tags.tags.retain(|t| t.version < version);
    Ok(tags
        .newest_reachable_from(repo, released)?
        .map(|t| t.version.to_string()))
}

/// What `environment` runs now, and whether that holds `journal`'s release (the commit
/// its tag names): `None` when no deploy there is recorded; `holds` is `None` when either
/// tag is unknown here.
pub fn running(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    environment: &str,
) -> Result<Option<(Running, Option<bool>)>> {
    let Some(now) = stack(repo, environment)?.pop() else {
        return Ok(None);
    };
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let tags = ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))?;
    let commit = |version: &str| {
        Version::parse(version).and_then(|v| tags.find_version(&v).map(|t| t.commit))
    };
    let holds = match (commit(&journal.version.to_string()), commit(&now.version)) {
        (Some(ours), Some(running)) => Some(repo.is_ancestor(ours, running)?),
        _ => None,
    };
    Ok(Some((now, holds)))
}

/// Play the successful deploys and rollbacks on `environment` of all `journals` in time order.
fn replay(journals: &[Journal], environment: &str) -> Vec<Running> {
    let mut moves: Vec<(Timestamp, Action, String, &str)> = Vec::new();
    for journal in journals {
        for event in &journal.events {
            let EventKind::DeployEnded {
                action,
                environment: env,
                ok: true,
                version,
                ..
            } = &event.what
            else {
                continue;
            };
            if env != environment {
                continue;
            }
            // Journals from before versions were recorded: a deploy put the hotfix's own.
            let version = match (action, version) {
                (_, Some(version)) => version.clone(),
                (Action::Deploy, None) => journal.version.to_string(),
                _ => continue,
            };
            moves.push((event.at, *action, version, &journal.ticket));
        }
    }
    moves.sort_by_key(|(at, ..)| *at);
    let mut stack: Vec<Running> = Vec::new();
    for (at, action, version, by) in moves {
        let running = Running {
            version,
            at,
            by: by.to_string(),
        };
        match action {
            Action::Deploy => {
                if stack
                    .last()
                    .is_none_or(|top| top.version != running.version)
                {
                    stack.push(running);
                }
            }
            Action::Rollback => {
                while stack
                    .last()
                    .is_some_and(|top| top.version != running.version)
                {
                    stack.pop();
                }
                if stack.is_empty() {
                    stack.push(running);
                }
            }
            Action::Verify => {}
        }
    }
    stack
}

/// What changed of the deploy policy (its grants, steps and plugin) in the settings a
/// deploy runs under now, since the release `environment` runs now was made: the version
/// running and each change. `None` when nothing changed, no deploy there is recorded, or
/// that release's tag or the settings file is unknown here.
pub fn deploy_policy_since_running(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    environment: &str,
) -> Result<Option<(String, Vec<KeyChange>)>> {
    let (Some(now), Some(file)) = (stack(repo, environment)?.pop(), &config.file) else {
        return Ok(None);
    };
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let tags = ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))?;
    let Some(running) = Version::parse(&now.version).and_then(|v| tags.find_version(&v)) else {
        return Ok(None);
    };
    let plugin = match &config.policies.deploy.plugin {
        PluginSource::File(path) => Some(path.as_str()),
        PluginSource::Builtin(_) => None,
    };
    let changed: Vec<KeyChange> = review::between(repo, running.commit, file.commit)?
        .into_iter()
        .filter(|k| k.key.starts_with("policies.deploy.") || Some(k.key.as_str()) == plugin)
        .collect();
    Ok((!changed.is_empty()).then_some((now.version, changed)))
}
