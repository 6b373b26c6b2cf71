//! The audit trail that travels with the repository: a finished hotfix's journal (its times,
//! severity, versions, refs, pull requests and deploy results) as a git note on the commit
//! its tag names, under `refs/notes/hotfix`. Every save of a finished journal refreshes it;
//! `git hotfix log` and the reports read it in any clone that fetched the notes.
//!
//! The notes tree is git's: one blob per annotated commit, named by its id (flat, or fanned
//! out as `ab/cdef…` when git itself wrote many), so `git notes --ref hotfix show v1.2.4`
//! prints a note too (on the commit: `git notes --ref hotfix show v1.2.4^{commit}`).

use std::collections::BTreeMap;

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::TAG_PREFIX;
use crate::foundation::oid::short;
use crate::git::cli;
use crate::git::push::{self, PushPlan, PushRef};
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::records::journal::{Journal, SCHEMA};

pub const REF: &str = "refs/notes/hotfix";
/// Where a remote's notes are fetched to before they are merged with ours.
fn tracking(remote: &str) -> String {
    format!("refs/hotfix/notes/{remote}")
}

/// A hotfix as its note tells it.
#[derive(Debug, Clone)]
pub struct Noted {
    /// The commit the note is on (the release's tagged commit).
    pub commit: ObjectId,
    pub journal: Journal,
}

/// Write (or rewrite) the note of a finished `journal` on the commit its tag names. Nothing
/// when the tag does not exist or the note already says the same.
pub fn record(repo: &Repo, journal: &Journal) -> Result<()> {
    let Some(edit) = prepare(repo, journal)? else {
        return Ok(());
    };
    clear_own_lock(repo)?;
    refs::apply(repo, &[edit], "git hotfix: note")
}

/// Remove the note on `commit`: a release taken back before it left this clone is no
/// release, wherever the notes ref has moved since. Nothing when there is none.
pub fn forget(repo: &Repo, commit: ObjectId, ticket: &str) -> Result<()> {
    let Some(old) = repo.ref_target(REF)? else {
        return Ok(());
    };
    let tree = repo.tree_of(old)?;
    let Some((path, _)) = existing_note(repo, tree, commit)? else {
        return Ok(());
    };
    let context = || format!("could not remove the hotfix note of {ticket}");
    let mut editor = repo.git.edit_tree(tree).context(context)?;
    editor.remove(path.as_str()).context(context)?;
    let tree = editor.write().context(context)?.detach();
    let message = format!("git hotfix: {ticket} taken back\n");
    let new = notes_commit(repo, tree, vec![old], &message)?;
    clear_own_lock(repo)?;
    let edit = Edit {
        name: REF.to_string(),
        old: Some(Value::Object(old)),
        new: Some(Value::Object(new)),
    };
    refs::apply(repo, &[edit], "git hotfix: note")
}

/// The objects of `journal`'s note, written; and the edit of the notes ref that records it
/// (`None`: nothing to record). A run makes the edit one of its steps.
pub fn prepare(repo: &Repo, journal: &Journal) -> Result<Option<Edit>> {
    // A deploy's steps are noted with its end, which always follows: one note per deploy.
    if matches!(
        journal.events.last().map(|e| &e.what),
        Some(
            crate::records::journal::EventKind::DeployStep { .. }
                | crate::records::journal::EventKind::DeployStepStarted(_)
        )
    ) {
        return Ok(None);
    }
    let Some(target) = repo.peeled_commit(&format!("{TAG_PREFIX}{}", journal.tag))? else {
        return Ok(None);
    };
    let blob = write_note(repo, journal)?;
    let context = || format!("could not write the hotfix note of {}", journal.ticket);
    let old = repo.ref_target(REF)?;
    let notes = match old {
        Some(commit) => Some(repo.tree_of(commit)?),
        None => None,
    };
    let (path, blob) = match notes {
        Some(tree) => match existing_note(repo, tree, target)? {
            Some((_, id)) if id == blob => return Ok(None),
            // What another clone recorded of this release (merged in from the remote)
            // stays in the note.
            Some((path, id)) => match joined(repo, blob, id)? {
                Some(joined) if joined == id => return Ok(None),
                Some(joined) => (path, joined),
                None => (path, blob),
            },
            None => (target.to_string(), blob),
        },
        None => (target.to_string(), blob),
    };
    let base = notes.unwrap_or_else(|| ObjectId::empty_tree(repo.git.object_hash()));
    let mut editor = repo.git.edit_tree(base).context(context)?;
    editor
        .upsert(path, EntryKind::Blob, blob)
        .context(context)?;
    let tree = editor.write().context(context)?.detach();
    let message = format!(
        "git hotfix: {} {} ({})\n",
        journal.ticket,
        journal.version,
        journal
            .events
            .last()
            .map_or("noted", |e| event_name(&e.what))
    );
    let commit = notes_commit(repo, tree, old.into_iter().collect(), &message)?;
    Ok(Some(Edit {
        name: REF.to_string(),
        old: old.map(Value::Object),
        new: Some(Value::Object(commit)),
    }))
}

/// A git-hotfix killed while it moved the notes ref leaves its lock, holding one of our
/// notes commits (or nothing yet, for a moment): under the hotfix lock no git-hotfix is
/// writing, so such a lock is removed. Any other lock is someone else's, and stays.
fn clear_own_lock(repo: &Repo) -> Result<()> {
    if let Some((lock, true)) = lock_of(repo) {
        refs::remove_own_lock(lock)?;
    }
    Ok(())
}

/// Refuse, before a run moves anything, when the notes ref is locked by someone else (a
/// `git notes` under way, or one killed): the release would be made, and its note not.
pub fn ensure_writable(repo: &Repo) -> Result<()> {
    match lock_of(repo) {
        Some((path, false)) => Err(Error::Locked { path }),
        _ => Ok(()),
    }
}

/// The lock of the notes ref, if there is one, and whether a killed git-hotfix left it.
fn lock_of(repo: &Repo) -> Option<(std::path::PathBuf, bool)> {
    let lock = repo.common_dir().join(format!("{REF}.lock"));
    let content = std::fs::read_to_string(&lock).ok()?;
    let ours = match ObjectId::from_hex(content.trim().as_bytes()) {
        Ok(id) => repo
            .message(id)
            .is_ok_and(|message| message.starts_with("git hotfix:")),
        Err(_) => {
            let age = std::fs::metadata(&lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.elapsed().ok());
            content.is_empty() && age.is_some_and(|a| a.as_secs() >= 10)
        }
    };
    Some((lock, ours))
}

fn event_name(what: &crate::records::journal::EventKind) -> &'static str {
    // The serialized tag of the event: what the note's commit message says happened.
    use crate::records::journal::EventKind as E;
    match what {
        E::Finished { .. } => "finished",
        E::Pushed { .. } => "pushed",
        E::Checked { .. } => "checked",
        E::Unchecked { .. } => "unchecked",
        E::DeployEnded { action, .. } => action.name(),
        E::ReleasePublished { .. } => "release published",
        E::Backported { .. } => "backported",
        E::Assessed { .. } => "assessed",
        _ => "updated",
    }
}

/// The note on `commit` in the notes tree `tree`: its path there and its blob.
fn existing_note(
    repo: &Repo,
    tree: ObjectId,
    commit: ObjectId,
) -> Result<Option<(String, ObjectId)>> {
    let hex = commit.to_string();
    let tree = repo
        .git
        .find_tree(tree)
        .context(|| "could not read the hotfix notes".into())?;
    for path in [hex.clone(), format!("{}/{}", &hex[..2], &hex[2..])] {
        if let Some(entry) = tree
            .lookup_entry_by_path(&path)
            .context(|| "could not read the hotfix notes".into())?
        {
            return Ok(Some((path, entry.object_id())));
        }
    }
    Ok(None)
}

fn notes_commit(
    repo: &Repo,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    message: &str,
) -> Result<ObjectId> {
    // The notes record what happened; a machine without an identity still keeps them.
    let signature = match repo.committer() {
        Ok(signature) => signature,
        Err(Error::NoIdentity) => gix::actor::Signature {
            name: "git-hotfix".into(),
            email: "git-hotfix@localhost".into(),
            time: gix::date::Time::now_local_or_utc(),
        },
        Err(err) => return Err(err),
    };
    let (mut committer, mut author) = (Default::default(), Default::default());
    let commit = repo
        .git
        .new_commit_as(
            signature.to_ref(&mut committer),
            signature.to_ref(&mut author),
            message,
            tree,
            parents,
        )
        .context(|| "could not write the hotfix notes".into())?
        .id;
    Ok(commit)
}

/// Every note in the notes tree of `commit`: the annotated commit, and the blob.
fn entries(repo: &Repo, notes_commit: ObjectId) -> Result<BTreeMap<ObjectId, ObjectId>> {
    let context = || "could not read the hotfix notes".to_string();
    let tree = repo
        .git
        .find_tree(repo.tree_of(notes_commit)?)
        .context(context)?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .context(context)?;
    Ok(recorder
        .records
        .into_iter()
        .filter(|entry| entry.mode.is_blob())
        .filter_map(|entry| {
            let name: String = entry.filepath.to_string().replace('/', "");
            let commit = ObjectId::from_hex(name.as_bytes()).ok()?;
            Some((commit, entry.oid))
        })
        .collect())
}

/// The hotfixes the notes tell of, oldest detection first; notes this git-hotfix cannot read
/// (another tool's, a newer schema) are counted, not fatal.
pub fn all(repo: &Repo) -> Result<(Vec<Noted>, usize)> {
    let Some(notes) = repo.ref_target(REF)? else {
        return Ok((Vec::new(), 0));
    };
    let mut noted = Vec::new();
    let mut unreadable = 0;
    for (commit, blob) in entries(repo, notes)? {
        let data = repo
            .git
            .find_blob(blob)
            .context(|| format!("could not read the note on {}", short(commit)))?
            .take_data();
        match parse(&data) {
            Some(journal) => noted.push(Noted { commit, journal }),
            None => unreadable += 1,
        }
    }
    noted.sort_by_key(|n| n.journal.detected_at());
    Ok((noted, unreadable))
}

/// The blob of `journal`'s note: what another clone may know of it, secrets redacted.
fn write_note(repo: &Repo, journal: &Journal) -> Result<ObjectId> {
    let text = serde_json::to_string_pretty(&journal.portable()).expect("serializable");
    let text = format!("{}\n", crate::foundation::redact::redact(&text));
    let context = || format!("could not write the hotfix note of {}", journal.ticket);
    Ok(repo
        .git
        .write_blob(text.as_bytes())
        .context(context)?
        .detach())
}

/// Two notes of one release (the developer's finish and the GitHub action's, say): ours,
/// with the events of kinds only theirs has, in time order. `None` when they are not of the same
/// hotfix and version, or one cannot be read: then ours stands.
fn joined(repo: &Repo, ours: ObjectId, theirs: ObjectId) -> Result<Option<ObjectId>> {
    let read = |id: ObjectId| {
        repo.git
            .find_blob(id)
            .ok()
            .and_then(|blob| parse(&blob.data))
    };
    let (Some(mut journal), Some(other)) = (read(ours), read(theirs)) else {
        return Ok(None);
    };
    if journal.ticket != other.ticket || journal.version != other.version {
        return Ok(None);
    }
    // What they recorded of a kind we have no record of (the release they published);
    // where both recorded a kind (both finished), ours tells it.
    let kind = |e: &crate::records::journal::Event| std::mem::discriminant(&e.what);
    let theirs_only: Vec<_> = other
        .events
        .into_iter()
        .filter(|e| !journal.events.iter().any(|o| kind(o) == kind(e)))
        .collect();
    if theirs_only.is_empty() {
        return Ok(None);
    }
    journal.events.extend(theirs_only);
    // Stable: events of one moment keep the order they were recorded in.
    journal.events.sort_by_key(|e| e.at);
    write_note(repo, &journal).map(Some)
}

fn parse(data: &[u8]) -> Option<Journal> {
    crate::records::journal::decode(data, SCHEMA).ok()
}

/// The newest note of `ticket`.
pub fn find(repo: &Repo, ticket: &str) -> Result<Option<Journal>> {
    let (noted, _) = all(repo)?;
    Ok(noted
        .into_iter()
        .rev()
        .map(|n| n.journal)
        .find(|j| j.ticket == ticket))
}

/// Bring `remote`'s notes into ours without pushing anything: fetched, then merged as
/// [`publish`] merges them, so that what other clones recorded (their releases, deploys
/// and rollbacks) counts here. Says whether ours changed.
pub fn refresh(repo: &Repo, remote: &str) -> Result<bool> {
    if !repo.has_remote(remote) {
        return Ok(false);
    }
    let Some(theirs) = cli::remote_ref(repo, remote, REF)? else {
        return Ok(false);
    };
    let ours = repo.ref_target(REF)?;
    let known = repo.git.find_object(theirs).is_ok();
    if ours == Some(theirs)
        || (known && ours.is_some_and(|o| repo.is_ancestor(theirs, o).unwrap_or(false)))
    {
        return Ok(false);
    }
    cli::fetch_ref(repo, remote, REF, &tracking(remote))?;
    match ours {
        Some(ours) if !repo.is_ancestor(ours, theirs)? => {
            merge(repo, ours, theirs, remote)?;
        }
        _ => refs::apply(
            repo,
            &[Edit {
                name: REF.to_string(),
                old: ours.map(Value::Object),
                new: Some(Value::Object(theirs)),
            }],
            "git hotfix: notes from the remote",
        )?,
    }
    Ok(true)
}

/// Publish our notes on `remote`: theirs are fetched and merged first (a note of theirs
/// we lack is kept; where both have one, ours is the newer record, and takes the events
/// of theirs of the same release it lacks), then pushed, leased
/// on what they had. `false` when they had everything already.
pub fn publish(repo: &Repo, remote: &str) -> Result<bool> {
    let Some(plan) = publishing(repo, remote)? else {
        return Ok(false);
    };
    push::push(repo, &plan)?;
    Ok(true)
}

/// The push that publishes our notes on `remote`, theirs merged in first (see [`publish`]);
/// `None` when they have everything already. A run makes it one of its steps.
pub fn publishing(repo: &Repo, remote: &str) -> Result<Option<PushPlan>> {
    push::ensure_remote(repo, remote)?;
    let Some(ours) = repo.ref_target(REF)? else {
        return Ok(None);
    };
    let theirs = cli::remote_ref(repo, remote, REF)?;
    let mut new = ours;
    if let Some(theirs) = theirs {
        let known = repo.git.find_object(theirs).is_ok();
        if !known || !repo.is_ancestor(theirs, ours)? {
            cli::fetch_ref(repo, remote, REF, &tracking(remote))?;
            if repo.is_ancestor(ours, theirs)? {
                refs::apply(
                    repo,
                    &[Edit {
                        name: REF.to_string(),
                        old: Some(Value::Object(ours)),
                        new: Some(Value::Object(theirs)),
                    }],
                    "git hotfix: notes from the remote",
                )?;
                return Ok(None);
            }
            new = merge(repo, ours, theirs, remote)?;
        }
    }
    if theirs == Some(new) {
        return Ok(None);
    }
    Ok(Some(PushPlan {
        remote: remote.to_string(),
        refs: vec![PushRef {
            name: REF.to_string(),
            expect: theirs,
            new: Some(new),
        }],
    }))
}

/// A notes commit with both histories: every note of either; where both have one, ours,
/// with the events of theirs it lacks when both tell the same release.
fn merge(repo: &Repo, ours: ObjectId, theirs: ObjectId, remote: &str) -> Result<ObjectId> {
    let mut notes = entries(repo, theirs)?;
    for (commit, blob) in entries(repo, ours)? {
        let blob = match notes.get(&commit) {
            Some(&other) if other != blob => joined(repo, blob, other)?.unwrap_or(blob),
            _ => blob,
        };
        notes.insert(commit, blob);
    }
    let context = || "could not merge the hotfix notes".to_string();
    let mut editor = repo
        .git
        .edit_tree(ObjectId::empty_tree(repo.git.object_hash()))
        .context(context)?;
    for (commit, blob) in notes {
        editor
            .upsert(commit.to_string(), EntryKind::Blob, blob)
            .context(context)?;
    }
    let tree = editor.write().context(context)?.detach();
    let message = format!("git hotfix: merge the notes of {remote}\n");
    let commit = notes_commit(repo, tree, vec![ours, theirs], &message)?;
    clear_own_lock(repo)?;
    refs::apply(
        repo,
        &[Edit {
            name: REF.to_string(),
            old: Some(Value::Object(ours)),
            new: Some(Value::Object(commit)),
        }],
        message.trim_end(),
    )?;
    Ok(commit)
}
