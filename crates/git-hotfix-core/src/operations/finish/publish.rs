//! Push later: `finish --push` (or `tag --push`) on a hotfix finished without `--push`
//! sends what its finish made that the remote lacks, leased, and says what was there.

use std::collections::BTreeMap;

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::{BRANCH_PREFIX, TAG_PREFIX};
use crate::git::cli;
use crate::git::push::{self, PushPlan, PushRef};
use crate::git::repo::Repo;
use crate::records::journal::{EventKind, Journal, State, Store};
use crate::settings::config::Config;

/// What a later push of a finished hotfix sends, and what the remote had already.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Publish {
    pub push: PushPlan,
    /// Refs the remote holds as the finish left them (or past them, for a branch).
    pub already: Vec<String>,
    /// The published hotfix branch left on the remote, as it has commits the deleted local
    /// branch had not.
    pub left: Vec<String>,
}

/// Plan publishing the refs `journal`'s finish moved, or only its tag (`tag_only`), on the
/// configured remote. A branch the remote moved past is left as it is when it holds the
/// release, and refused when it does not (the remote would lose commits).
pub fn plan(repo: &Repo, config: &Config, journal: &Journal, tag_only: bool) -> Result<Publish> {
    push::ensure_remote(repo, &config.remote)?;
    let tag = format!("{TAG_PREFIX}{}", journal.tag);
    let hotfix = format!("{BRANCH_PREFIX}{}", journal.branch);
    // Where the finish left each ref, the last move winning.
    let mut left_at: BTreeMap<String, (Option<ObjectId>, Option<ObjectId>)> = BTreeMap::new();
    for event in &journal.events {
        if let EventKind::RefsMoved { refs } = &event.what {
            for moved in refs {
                let wanted = match tag_only {
                    true => moved.name == tag,
                    false => moved.name == tag || moved.name.starts_with(BRANCH_PREFIX),
                };
                if wanted {
                    let old = left_at.get(&moved.name).map_or(moved.old, |(old, _)| *old);
                    left_at.insert(moved.name.clone(), (old, moved.new));
                }
            }
        }
    }
    // Tagged before the journal recorded moves (or by hand): the tag as it is here.
    if !left_at.contains_key(&tag)
        && let Some(id) = repo.ref_target(&tag)?
    {
        left_at.insert(tag.clone(), (None, Some(id)));
    }
    let names: Vec<&str> = left_at.keys().map(String::as_str).collect();
    let remote = cli::remote_refs(repo, &config.remote, &names)?;

    let mut publish = Publish {
        push: PushPlan {
            remote: config.remote.clone(),
            refs: Vec::new(),
        },
        already: Vec::new(),
        left: Vec::new(),
    };
    for (name, (old, new)) in left_at {
        let there = remote.get(&name).copied();
        match (new, there) {
            (None, None) => {}
            // The hotfix branch, deleted here: deleted there only as it was published.
            (None, Some(there)) if Some(there) == old && name == hotfix => {
                publish.push.refs.push(PushRef {
                    name,
                    expect: Some(there),
                    new: None,
                })
            }
            (None, Some(_)) => publish.left.push(name),
            (Some(new), Some(there)) if there == new => publish.already.push(name),
            (Some(_), Some(_)) if name.starts_with(TAG_PREFIX) => {
                return Err(Error::TagOnRemote {
                    name: name.trim_start_matches(TAG_PREFIX).to_string(),
                    remote: config.remote.clone(),
                });
            }
            (Some(new), Some(there)) => {
                let known = repo.git.find_object(there).is_ok();
                // The branch as it is here now: a person who brought the remote's commits
                // in since (as the refusal below asks) pushes that, as it holds the release.
                let local = match repo.ref_target(&name)? {
                    Some(local) if local != new && repo.is_ancestor(new, local)? => local,
                    _ => new,
                };
                if known && repo.is_ancestor(new, there)? {
                    publish.already.push(name);
                } else if known && repo.is_ancestor(there, local)? {
                    publish.push.refs.push(PushRef {
                        name,
                        expect: Some(there),
                        new: Some(local),
                    });
                } else {
                    return Err(Error::BehindRemote {
                        branch: name.trim_start_matches(BRANCH_PREFIX).to_string(),
                        remote: config.remote.clone(),
                        remote_tip: there,
                    });
                }
            }
            (Some(new), None) => publish.push.refs.push(PushRef {
                name,
                expect: None,
                new: Some(new),
            }),
        }
    }
    let tag_goes = publish
        .push
        .refs
        .iter()
        .any(|r| r.name == tag && r.new.is_some());
    if tag_goes && let Some(released) = repo.peeled_commit(&tag)? {
        crate::operations::release::ensure_holds_published(repo, config, journal, released)?;
    }
    Ok(publish)
}

/// Push `publish` in one atomic, leased push and record it in the finished journal.
pub fn run(repo: &Repo, journal: &mut Journal, publish: &Publish, now: Timestamp) -> Result<()> {
    debug_assert_eq!(journal.state, State::Finished);
    if publish.push.refs.is_empty() {
        return Ok(());
    }
    push::push(repo, &publish.push)?;
    push::track(repo, &publish.push)?;
    // Out now: no longer a finish `abort` can take back.
    journal.unpublished = None;
    Store::new(repo).append(
        journal,
        now,
        EventKind::Pushed {
            remote: publish.push.remote.clone(),
            refs: publish.push.refs.iter().map(|r| r.name.clone()).collect(),
        },
    )
}
