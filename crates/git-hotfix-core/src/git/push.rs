//! Pushing exactly the refs a run changed, atomically, each leased on the value it had before.

use gix::ObjectId;

use crate::foundation::error::{Error, Result};
use crate::git::cli;
use crate::git::repo::Repo;

/// What to push where.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PushPlan {
    pub remote: String,
    pub refs: Vec<PushRef>,
}

/// One ref on the remote: it must hold `expect` (`None`: must not exist) and will hold `new`
/// (`None`: deleted).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PushRef {
    pub name: String,
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub expect: Option<ObjectId>,
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub new: Option<ObjectId>,
}

/// Refuse a remote that is not configured, before anything moves.
pub fn ensure_remote(repo: &Repo, remote: &str) -> Result<()> {
    if !repo.has_remote(remote) {
        return Err(Error::UnknownRemote {
            remote: remote.to_string(),
        });
    }
    Ok(())
}

/// The push that publishes local `branches` (name, tip) on `remote`: each leased on where
/// the remote's branch stands now, left out when it is there already, and refused when the
/// remote's branch holds commits the local one lacks (pushing would drop them).
pub fn publish_branches(
    repo: &Repo,
    remote: &str,
    branches: &[(String, ObjectId)],
) -> Result<PushPlan> {
    ensure_remote(repo, remote)?;
    let mut refs = Vec::new();
    for (branch, tip) in branches {
        let name = format!("{}{branch}", crate::foundation::names::BRANCH_PREFIX);
        let remote_tip = cli::remote_ref(repo, remote, &name)?;
        if let Some(remote_tip) = remote_tip {
            let known = repo.git.find_object(remote_tip).is_ok();
            if !known || !repo.is_ancestor(remote_tip, *tip)? {
                return Err(Error::BehindRemote {
                    branch: branch.clone(),
                    remote: remote.to_string(),
                    remote_tip,
                });
            }
        }
        if remote_tip != Some(*tip) {
            refs.push(PushRef {
                name,
                expect: remote_tip,
                new: Some(*tip),
            });
        }
    }
    Ok(PushPlan {
        remote: remote.to_string(),
        refs,
    })
}

/// The push that publishes tag `name` (the tag object `local`) on `remote`: nothing when it
/// is there already, an error when the remote has a tag of that name that is another one.
pub fn publish_tag(repo: &Repo, remote: &str, name: &str, local: ObjectId) -> Result<PushPlan> {
    ensure_remote(repo, remote)?;
    let full = format!("{}{name}", crate::foundation::names::TAG_PREFIX);
    let refs = match cli::remote_ref(repo, remote, &full)? {
        Some(there) if there == local => Vec::new(),
        Some(_) => {
            return Err(Error::TagOnRemote {
                name: name.to_string(),
                remote: remote.to_string(),
            });
        }
        None => vec![PushRef {
            name: full,
            expect: None,
            new: Some(local),
        }],
    };
    Ok(PushPlan {
        remote: remote.to_string(),
        refs,
    })
}

/// Push `plan` in one atomic push; a rejection names every refused ref and why. Only to a
/// configured remote: a plan read back from a journal names its remote as text.
pub fn push(repo: &Repo, plan: &PushPlan) -> Result<()> {
    if plan.refs.is_empty() {
        return Ok(());
    }
    ensure_remote(repo, &plan.remote)?;
    let mut args = vec![
        "--porcelain".to_string(),
        "--atomic".to_string(),
        plan.remote.clone(),
    ];
    for r in &plan.refs {
        let expect = r.expect.map(|id| id.to_string()).unwrap_or_default();
        args.push(format!("--force-with-lease={}:{expect}", r.name));
    }
    for r in &plan.refs {
        let source = r.new.map(|id| id.to_string()).unwrap_or_default();
        args.push(format!("{source}:{}", r.name));
    }
    let (ok, stdout, stderr) = cli::push(repo, &args)?;
    let rejected = rejected_refs(&stdout);
    if ok && rejected.is_empty() {
        return Ok(());
    }
    if rejected.is_empty() {
        return Err(Error::PushFailed {
            remote: plan.remote.clone(),
            message: stderr.trim().to_string(),
        });
    }
    Err(Error::PushRejected {
        remote: plan.remote.clone(),
        rejected,
    })
}

/// Bring the remote-tracking refs of the branches in `plan` to what `plan` pushed, as
/// `git push` does once the remote took them, when the remote is fetched the usual way
/// (`refs/heads/*` to `refs/remotes/<remote>/*`).
pub fn track(repo: &Repo, plan: &PushPlan) -> Result<()> {
    let usual = format!("+refs/heads/*:refs/remotes/{}/*", plan.remote);
    if repo.config_string(&format!("remote.{}.fetch", plan.remote)) != Some(usual) {
        return Ok(());
    }
    let mut edits = Vec::new();
    for r in &plan.refs {
        let Some(branch) = r.name.strip_prefix(crate::foundation::names::BRANCH_PREFIX) else {
            continue;
        };
        let name = format!("refs/remotes/{}/{branch}", plan.remote);
        let old = crate::git::refs::current(repo, &name)?;
        let new = r.new.map(crate::git::refs::Value::Object);
        if old != new {
            edits.push(crate::git::refs::Edit { name, old, new });
        }
    }
    crate::git::refs::apply(repo, &edits, "git hotfix: pushed")
}

/// The refs `git push --porcelain` marked `!`, with git's reason.
fn rejected_refs(porcelain: &str) -> Vec<(String, String)> {
    porcelain
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("!\t")?;
            let (refspec, summary) = rest.split_once('\t').unwrap_or((rest, ""));
            let name = refspec.rsplit_once(':').map_or(refspec, |(_, to)| to);
            let reason = summary
                .trim()
                .trim_start_matches("[rejected]")
                .trim_start_matches("[remote rejected]")
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_string();
            Some((name.to_string(), reason))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_rejections_are_read() {
        let out = "To /tmp/origin.git\n\
                   !\t1234:refs/heads/main\t[rejected] (stale info)\n\
                   !\t5678:refs/tags/v1.2.4\t[rejected] (atomic push failed)\n\
                   Done\n";
        assert_eq!(
            rejected_refs(out),
            vec![
                ("refs/heads/main".to_string(), "stale info".to_string()),
                (
                    "refs/tags/v1.2.4".to_string(),
                    "atomic push failed".to_string()
                ),
            ]
        );
        assert!(rejected_refs("To x\n \trefs/heads/main:refs/heads/main\t1..2\nDone\n").is_empty());
    }
}
