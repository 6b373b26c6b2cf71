//! What an environment runs, as the journals and notes record it: each deploy puts its
//! release there, each rollback takes back what came after the release it goes back to.
//! Read from every hotfix, so a colleague's release (its note fetched) counts too.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::foundation::version::Version;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTags;
use crate::records::journal::{Action, EventKind, Journal, Store};
use crate::settings::config::Config;

/// One release an environment ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    let store = Store::new(repo);
    let mut journals = store.active()?;
    journals.extend(store.ended()?);
    // Notes tell of hotfixes finished in other clones; a local journal is the fuller record.
    let known: BTreeSet<(String, String)> = journals
        .iter()
        .map(|j| (j.ticket.clone(), j.version.to_string()))
        .collect();
    let (noted, _) = crate::records::notes::all(repo)?;
    journals.extend(
        noted
            .into_iter()
            .map(|n| n.journal)
            .filter(|j| !known.contains(&(j.ticket.clone(), j.version.to_string()))),
    );
    Ok(replay(&journals, environment))
}

/// Where a rollback of `environment` goes, as (from, to) versions: from what runs there to
/// what ran before it; when only what runs is known, to the newest release below it.
/// `None` when nothing is known to run there.
pub fn rollback(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    environment: &str,
) -> Result<Option<(String, Option<String>)>> {
    let ran = stack(repo, environment)?;
    Ok(match ran.as_slice() {
        [] => None,
        [.., before, now] => Some((now.version.clone(), Some(before.version.clone()))),
        [now] => {
            let product = config.product(journal.product.as_deref())?;
            let (pattern, _) = config.naming(product.map(|(_, p)| p));
            let tags = ReleaseTags::read(repo, pattern, product.map(|(n, _)| n))?;
            let below = Version::parse(&now.version).and_then(|running| {
                tags.versions()
                    .filter(|v| **v < running)
                    .max()
                    .map(Version::to_string)
            });
            Some((now.version.clone(), below))
        }
    })
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
