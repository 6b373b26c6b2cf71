//! Moving refs: every edit is compare-and-swap on the value read when the plan was made,
//! and all edits of one step go through one transaction, so they land together or not at all.

use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use crate::foundation::error::{Error, Result};
use crate::foundation::oid::short;
use crate::git::repo::Repo;

/// What a ref holds: a commit or tag object, or (for HEADs) another ref.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Value {
    Object(
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        ObjectId,
    ),
    Symbolic(String),
}

impl Value {
    fn target(&self) -> Result<Target> {
        Ok(match self {
            Value::Object(id) => Target::Object(*id),
            Value::Symbolic(name) => Target::Symbolic(full_name(name)?),
        })
    }

    pub fn show(value: Option<&Value>) -> String {
        match value {
            None => "nothing".into(),
            Some(Value::Object(id)) => short(*id),
            Some(Value::Symbolic(name)) => name.clone(),
        }
    }

    pub fn object(&self) -> Option<ObjectId> {
        match self {
            Value::Object(id) => Some(*id),
            Value::Symbolic(_) => None,
        }
    }
}

/// One ref edit: `old` is what it must hold now (`None`: must not exist), `new` what it
/// will hold (`None`: deleted).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Edit {
    pub name: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl Edit {
    pub fn to_move(&self) -> RefMove {
        RefMove {
            name: self.name.clone(),
            old: self.old.as_ref().and_then(Value::object),
            new: self.new.as_ref().and_then(Value::object),
        }
    }

    /// The edit that undoes this one.
    pub fn reversed(&self) -> Edit {
        Edit {
            name: self.name.clone(),
            old: self.new.clone(),
            new: self.old.clone(),
        }
    }
}

fn full_name(name: &str) -> Result<gix::refs::FullName> {
    name.try_into().map_err(
        |err: gix::validate::reference::name::Error| Error::InvalidRefName {
            name: name.to_string(),
            reason: err.to_string(),
        },
    )
}

/// The current value of a ref, without following symbolic refs.
pub fn current(repo: &Repo, name: &str) -> Result<Option<Value>> {
    let found = repo
        .git
        .try_find_reference(name)
        .map_err(|source| Error::Git {
            context: format!("could not read `{name}`"),
            source,
        })?;
    Ok(found.map(|r| match r.target() {
        gix::refs::TargetRef::Object(id) => Value::Object(id.to_owned()),
        gix::refs::TargetRef::Symbolic(name) => Value::Symbolic(name.as_bstr().to_string()),
    }))
}

/// Refuse before writing anything when a ref no longer holds what the plan saw.
pub fn ensure_unmoved(repo: &Repo, edits: &[Edit]) -> Result<()> {
    for edit in edits {
        let actual = current(repo, &edit.name)?;
        if actual != edit.old {
            return Err(Error::StaleRef {
                name: edit.name.clone(),
                expected: Value::show(edit.old.as_ref()),
                actual: Value::show(actual.as_ref()),
            });
        }
    }
    Ok(())
}

/// Apply `edits` in one transaction with `message` in the reflogs.
pub fn apply(repo: &Repo, edits: &[Edit], message: &str) -> Result<()> {
    if edits.is_empty() {
        return Ok(());
    }
    ensure_unmoved(repo, edits)?;
    // Every reflog entry names the committer: without an identity, say so as git does,
    // not as the reference transaction fails half-way through its explanation.
    repo.committer()?;
    let log = LogChange {
        mode: RefLog::AndReference,
        force_create_reflog: false,
        message: message.into(),
    };
    // Where each HEAD that switches branch stands now, for its reflog.
    let switching: Vec<(&Edit, Option<ObjectId>)> = edits
        .iter()
        .filter(|e| e.name.ends_with("HEAD") && matches!(e.new, Some(Value::Symbolic(_))))
        .map(|e| Ok((e, peeled(repo, e.old.as_ref())?)))
        .collect::<Result<_>>()?;
    let mut transaction = Vec::with_capacity(edits.len());
    for edit in edits {
        let expected = match &edit.old {
            Some(old) => PreviousValue::MustExistAndMatch(old.target()?),
            None => PreviousValue::MustNotExist,
        };
        let change = match &edit.new {
            Some(new) => Change::Update {
                log: log.clone(),
                expected,
                new: new.target()?,
            },
            None => Change::Delete {
                expected,
                log: RefLog::AndReference,
            },
        };
        transaction.push(RefEdit {
            change,
            name: full_name(&edit.name)?,
            deref: false,
        });
    }
    repo.git.edit_references(transaction).map_err(|source| {
        // Name the lock file when another process holds one: that is what the user must act on.
        for edit in edits {
            let lock = lock_path(repo, &edit.name);
            if lock.exists() {
                return Error::Locked { path: lock };
            }
        }
        if let Err(stale) = ensure_unmoved(repo, edits) {
            return stale;
        }
        Error::Git {
            context: "could not update refs".into(),
            source,
        }
    })?;
    for (edit, from) in switching {
        log_switch(repo, edit, from)?;
    }
    Ok(())
}

/// The commit `value` names, following a symbolic ref.
fn peeled(repo: &Repo, value: Option<&Value>) -> Result<Option<ObjectId>> {
    Ok(match value {
        Some(Value::Object(id)) => Some(*id),
        Some(Value::Symbolic(name)) => match current(repo, name)? {
            Some(Value::Object(id)) => Some(id),
            _ => None,
        },
        None => None,
    })
}

/// A HEAD that now names another branch gets git's `checkout: moving from A to B` line in
/// its reflog, as `git switch` writes it: gix writes reflogs for object ids only.
fn log_switch(repo: &Repo, edit: &Edit, from: Option<ObjectId>) -> Result<()> {
    let Some(to) = peeled(repo, edit.new.as_ref())? else {
        return Ok(());
    };
    let null = ObjectId::null(repo.git.object_hash());
    let short_name = |value: Option<&Value>| match value {
        Some(Value::Symbolic(name)) => name.trim_start_matches("refs/heads/").to_string(),
        Some(Value::Object(id)) => id.to_string(),
        None => "nothing".to_string(),
    };
    let dir = if edit.name == "HEAD" {
        repo.git_dir().to_path_buf()
    } else if let Some(rest) = edit.name.strip_prefix("worktrees/") {
        let id = rest.trim_end_matches("/HEAD");
        repo.common_dir().join("worktrees").join(id)
    } else {
        repo.common_dir().to_path_buf()
    };
    let signature = repo.committer()?;
    let offset = signature.time.offset;
    let line = format!(
        "{} {to} {} <{}> {} {}{:02}{:02}\tcheckout: moving from {} to {}\n",
        from.unwrap_or(null),
        signature.name,
        signature.email,
        signature.time.seconds,
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 3600,
        offset.abs() % 3600 / 60,
        short_name(edit.old.as_ref()),
        short_name(edit.new.as_ref()),
    );
    let log = dir.join("logs").join("HEAD");
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        std::fs::create_dir_all(log.parent().expect("a directory"))?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)?
            .write_all(line.as_bytes())
    };
    write().map_err(|source| Error::Io {
        context: "could not write the reflog",
        path: log.clone(),
        source,
    })
}

/// Where git would put the lock file of `name`.
fn lock_path(repo: &Repo, name: &str) -> std::path::PathBuf {
    let base = if name == "HEAD" {
        repo.git_dir()
    } else if let Some(rest) = name.strip_prefix("worktrees/") {
        return repo
            .common_dir()
            .join("worktrees")
            .join(format!("{rest}.lock"));
    } else if let Some(rest) = name.strip_prefix("main-worktree/") {
        return repo.common_dir().join(format!("{rest}.lock"));
    } else {
        repo.common_dir()
    };
    base.join(format!("{name}.lock"))
}

/// Remove the lock files a killed run of ours left on refs it was moving: under the hotfix
/// lock no other run of ours is alive, and a lock that is empty or holds exactly the value we
/// were writing is the one our transaction made. Any other lock is left for its owner.
pub fn clear_own_locks(repo: &Repo, edits: &[Edit]) -> Result<()> {
    for edit in edits {
        let lock = lock_path(repo, &edit.name);
        let Ok(content) = std::fs::read_to_string(&lock) else {
            continue;
        };
        let ours = match &edit.new {
            Some(Value::Object(id)) => {
                ObjectId::from_hex(content.trim().as_bytes()).ok() == Some(*id)
            }
            Some(Value::Symbolic(name)) => content.trim() == format!("ref: {name}"),
            None => false,
        };
        if content.is_empty() || ours {
            remove_own_lock(lock)?;
        }
    }
    Ok(())
}

/// Remove a lock file a killed run of ours left (the caller made sure it is ours).
pub(crate) fn remove_own_lock(lock: std::path::PathBuf) -> Result<()> {
    std::fs::remove_file(&lock).map_err(|source| Error::Io {
        context: "could not remove a lock left by a killed run",
        path: lock,
        source,
    })
}

/// Refuse early when another git process holds a lock on one of the refs a plan will move.
pub fn ensure_unlocked(repo: &Repo, edits: &[Edit]) -> Result<()> {
    for edit in edits {
        let lock = lock_path(repo, &edit.name);
        if lock.exists() {
            return Err(Error::Locked { path: lock });
        }
    }
    Ok(())
}

/// A ref a run moved; `None` means absent (created or deleted).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RefMove {
    pub name: String,
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub old: Option<ObjectId>,
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub new: Option<ObjectId>,
}
