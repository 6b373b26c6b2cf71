//! Doing and undoing one step, each from what is there now, so that both can run again
//! after an interruption at any point.

use std::path::PathBuf;

use gix::ObjectId;

use crate::foundation::error::{Error, Result};
use crate::foundation::oid::short;
use crate::git::push::{self, PushPlan, PushRef};
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::git::{cli, worktree};
use crate::records::run::Step;

use super::Forge;

/// Something `abort` took back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "undone", rename_all = "kebab-case")]
pub enum Undone {
    /// A ref put back from `from` to what it held before the run (`None`: deleted again).
    Ref {
        name: String,
        from: Option<Value>,
        to: Option<Value>,
    },
    /// A worktree's files brought back to `to`.
    Checkout {
        worktree: PathBuf,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        to: ObjectId,
    },
    /// A worktree the run removed, added back.
    Worktree { path: PathBuf },
    /// A ref of a remote put back (`None`: deleted there again).
    Remote {
        remote: String,
        name: String,
        #[serde(with = "crate::foundation::oid::hex_opt")]
        #[schemars(with = "Option<String>")]
        to: Option<ObjectId>,
    },
    /// The pull request the run opened from `head`, closed (`None`: the one open from
    /// `head`, if the run's call opened one before it was cut short).
    Pull { head: String, number: Option<u64> },
}

impl Undone {
    fn of_edit(edit: Edit) -> Undone {
        Undone::Ref {
            name: edit.name,
            from: edit.old,
            to: edit.new,
        }
    }

    /// A ref put back, as the journal's events record moves.
    pub fn ref_move(&self) -> Option<refs::RefMove> {
        match self {
            Undone::Ref { name, from, to } => Some(refs::RefMove {
                name: name.clone(),
                old: from.as_ref().and_then(Value::object),
                new: to.as_ref().and_then(Value::object),
            }),
            _ => None,
        }
    }
}

/// The failpoint name of a step.
pub(super) fn name(step: &Step) -> &'static str {
    match step {
        Step::Refs { .. } => "refs",
        Step::Checkout { .. } => "checkout",
        Step::RemoveWorktree { .. } => "remove-worktree",
        Step::Push { .. } => "push",
        Step::Pull { .. } => "pull",
    }
}

/// Do `step`. `resuming`: it was under way when the process died, so part of it (or all)
/// may be done; what is done is read, not assumed.
pub(super) fn perform(
    repo: &Repo,
    step: &mut Step,
    resuming: bool,
    forge: Option<&dyn Forge>,
) -> Result<()> {
    match step {
        Step::Refs { edits, message } => {
            let left = if resuming {
                refs::clear_own_locks(repo, edits)?;
                left_to_move(repo, edits)?
            } else {
                edits.clone()
            };
            refs::apply(repo, &left, message)
        }
        Step::Checkout {
            worktree,
            from,
            to,
            branch,
        } => {
            let worktree = repo.recorded_at(worktree);
            if !worktree.exists() {
                return Ok(());
            }
            worktree::follow(&worktree, branch.as_deref(), *from, *to, resuming, false)
        }
        Step::RemoveWorktree { path, .. } => {
            if resuming || path.exists() {
                cli::remove_worktree(repo.common_dir(), path)
            } else {
                Ok(())
            }
        }
        Step::Push { plan } if resuming => {
            push::push(repo, &left_to_push(repo, plan)?)?;
            // A push killed after the remote took it never updated the tracking refs.
            push::track(repo, plan)
        }
        Step::Push { plan } => push::push(repo, plan),
        // The forge finds the pull request a cut-short call opened: never two.
        Step::Pull {
            request, opened, ..
        } => {
            *opened = Some(forge.ok_or(Error::ForgeNeeded)?.ensure_pull(request)?);
            Ok(())
        }
    }
}

/// Take `step` back from wherever it got.
/// Check that every branch, tag and note ref the begun `steps` moved can be put back (none
/// was moved by someone else since); returns the worktree HEADs the undo switches back to
/// another branch. HEADs are checked as they are put back: a worktree the run removed is
/// added back by the undo first.
pub(super) fn ensure_refs_can_go_back(repo: &Repo, steps: &[Step]) -> Result<Vec<String>> {
    let mut switched = Vec::new();
    for step in steps {
        if let Step::Refs { edits, .. } = step {
            let refs: Vec<Edit> = edits
                .iter()
                .filter(|e| e.name.starts_with("refs/"))
                .cloned()
                .collect();
            refs_back(repo, &refs, false)?;
            switched.extend(
                edits
                    .iter()
                    .filter(|e| e.name.ends_with("HEAD"))
                    .filter(|e| {
                        matches!(
                            (&e.old, &e.new),
                            (Some(Value::Symbolic(a)), Some(Value::Symbolic(b))) if a != b
                        )
                    })
                    .map(|e| e.name.clone()),
            );
        }
    }
    Ok(switched)
}

/// `switched`: the HEADs (`main-worktree/HEAD`, `worktrees/<id>/HEAD`) the undo puts back
/// on another branch: a worktree's files go with its HEAD from wherever it is now.
pub(super) fn undo(
    repo: &Repo,
    step: &Step,
    forge: Option<&dyn Forge>,
    switched: &[String],
) -> Result<Vec<Undone>> {
    match step {
        Step::Refs { edits, message } => {
            let back = refs_back(repo, edits, true)?;
            refs::apply(repo, &back, &format!("{message} (aborted)"))?;
            Ok(back.into_iter().map(Undone::of_edit).collect())
        }
        Step::Checkout {
            worktree,
            from,
            to,
            branch,
        } => {
            let worktree = repo.recorded_at(worktree);
            if !worktree.exists() {
                return Ok(Vec::new());
            }
            let switching_back = repo
                .worktrees()?
                .iter()
                .any(|w| w.path == worktree && switched.contains(&w.head_ref()));
            worktree::follow(
                &worktree,
                branch.as_deref(),
                *to,
                *from,
                true,
                switching_back,
            )?;
            Ok(vec![Undone::Checkout {
                worktree,
                to: *from,
            }])
        }
        Step::RemoveWorktree { path, at } => {
            if path.exists() {
                return Ok(Vec::new());
            }
            cli::add_worktree_detached(repo.common_dir(), path, *at)?;
            Ok(vec![Undone::Worktree { path: path.clone() }])
        }
        Step::Push { plan } => {
            let back = push_back(repo, plan)?;
            push::push(repo, &back)?;
            push::track(repo, &back)?;
            Ok(remote_undone(&back))
        }
        Step::Pull {
            request,
            existing,
            opened,
        } => {
            let number = match opened {
                // One that was open before the run stays open.
                Some(opened) if !opened.created => return Ok(Vec::new()),
                Some(opened) => Some(opened.number),
                None => {
                    let forge = forge.ok_or(Error::ForgeNeeded)?;
                    forge
                        .open_pull(&request.head, &request.base)?
                        .filter(|n| Some(*n) != *existing)
                }
            };
            let Some(number) = number else {
                return Ok(Vec::new());
            };
            forge.ok_or(Error::ForgeNeeded)?.close_pull(number)?;
            Ok(vec![Undone::Pull {
                head: request.head.clone(),
                number: Some(number),
            }])
        }
    }
}

/// What undoing `step` would do now.
pub(super) fn preview_undo(repo: &Repo, step: &Step) -> Result<Vec<Undone>> {
    Ok(match step {
        Step::Refs { edits, .. } => refs_back(repo, edits, false)?
            .into_iter()
            .map(Undone::of_edit)
            .collect(),
        Step::Checkout { worktree, from, .. } => vec![Undone::Checkout {
            worktree: repo.recorded_at(worktree),
            to: *from,
        }],
        Step::RemoveWorktree { path, .. } if !path.exists() => {
            vec![Undone::Worktree { path: path.clone() }]
        }
        Step::RemoveWorktree { .. } => Vec::new(),
        Step::Push { plan } => remote_undone(&push_back(repo, plan)?),
        Step::Pull {
            request, opened, ..
        } => match opened {
            Some(opened) if !opened.created => Vec::new(),
            opened => vec![Undone::Pull {
                head: request.head.clone(),
                number: opened.as_ref().map(|o| o.number),
            }],
        },
    })
}

/// The edits of a step under way that have not landed; an error names a ref that holds
/// neither its old value nor its new one (someone else moved it).
fn left_to_move(repo: &Repo, edits: &[Edit]) -> Result<Vec<Edit>> {
    let mut left = Vec::new();
    for edit in edits {
        let now = refs::current(repo, &edit.name)?;
        if now == edit.new {
            continue;
        }
        if now != edit.old {
            return Err(Error::StaleRef {
                name: edit.name.clone(),
                expected: Value::show(edit.old.as_ref()),
                actual: Value::show(now.as_ref()),
            });
        }
        left.push(edit.clone());
    }
    Ok(left)
}

/// The edits that put back what landed of `edits`, last first.
fn refs_back(repo: &Repo, edits: &[Edit], clear_locks: bool) -> Result<Vec<Edit>> {
    let reversed: Vec<Edit> = edits.iter().rev().map(Edit::reversed).collect();
    if clear_locks {
        // A lock a killed move (or a killed undo) left holds one of the two values.
        refs::clear_own_locks(repo, edits)?;
        refs::clear_own_locks(repo, &reversed)?;
    }
    let mut back = Vec::new();
    for edit in &reversed {
        let now = refs::current(repo, &edit.name)?;
        if now == edit.new {
            continue;
        }
        if now != edit.old {
            return Err(Error::CannotUndo {
                name: edit.name.clone(),
                expected: Value::show(edit.old.as_ref()),
                actual: Value::show(now.as_ref()),
            });
        }
        back.push(edit.clone());
    }
    Ok(back)
}

/// The refs of a push under way that the remote does not hold yet.
fn left_to_push(repo: &Repo, plan: &PushPlan) -> Result<PushPlan> {
    let there = remote_values(repo, plan)?;
    let mut refs = Vec::new();
    for (r, now) in plan.refs.iter().zip(there) {
        if now == r.new {
            continue;
        }
        if now != r.expect {
            return Err(Error::RemoteMoved {
                remote: plan.remote.clone(),
                name: r.name.clone(),
                expected: r.expect.map_or("nothing".into(), short),
                actual: now.map_or("nothing".into(), short),
            });
        }
        refs.push(r.clone());
    }
    Ok(PushPlan {
        remote: plan.remote.clone(),
        refs,
    })
}

/// The push that takes back what landed of `plan`, each ref leased on what it holds now.
/// The push is atomic: it landed when some ref holds what it pushed; when none does, a ref
/// that moved was moved by someone else, and there is nothing of ours to take back.
fn push_back(repo: &Repo, plan: &PushPlan) -> Result<PushPlan> {
    let there = remote_values(repo, plan)?;
    let landed = plan
        .refs
        .iter()
        .zip(&there)
        .any(|(r, now)| r.new != r.expect && *now == r.new);
    if !landed {
        return Ok(PushPlan {
            remote: plan.remote.clone(),
            refs: Vec::new(),
        });
    }
    let mut refs = Vec::new();
    for (r, now) in plan.refs.iter().zip(there) {
        if now == r.expect {
            continue;
        }
        if now != r.new {
            return Err(Error::CannotUndoRemote {
                remote: plan.remote.clone(),
                name: r.name.clone(),
                pushed: r.new.map_or("nothing".into(), short),
                actual: now.map_or("nothing".into(), short),
            });
        }
        refs.push(PushRef {
            name: r.name.clone(),
            expect: r.new,
            new: r.expect,
        });
    }
    Ok(PushPlan {
        remote: plan.remote.clone(),
        refs,
    })
}

fn remote_values(repo: &Repo, plan: &PushPlan) -> Result<Vec<Option<ObjectId>>> {
    let names: Vec<&str> = plan.refs.iter().map(|r| r.name.as_str()).collect();
    let there = cli::remote_refs(repo, &plan.remote, &names)?;
    Ok(names.iter().map(|n| there.get(*n).copied()).collect())
}

fn remote_undone(back: &PushPlan) -> Vec<Undone> {
    back.refs
        .iter()
        .map(|r| Undone::Remote {
            remote: back.remote.clone(),
            name: r.name.clone(),
            to: r.new,
        })
        .collect()
}
