//! A run as the journal keeps it: the steps a command takes, each recorded before it starts
//! so that `status`, `continue` and `abort` know what is done and what is left after any
//! interruption; and a finish's own state (its options, resolutions, release commit).

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use crate::git::push::PushPlan;
use crate::git::refs::Edit;
use crate::records::journal::ReleaseCommit;

/// The choices `finish` offers.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct FinishOptions {
    pub tag: bool,
    pub backmerge: bool,
    pub keep: bool,
    pub push: bool,
    /// Move the version in the version files, in the release commit.
    #[serde(default = "yes")]
    pub bump: bool,
    /// Add a changelog entry, in the release commit.
    #[serde(default = "yes")]
    pub changelog: bool,
    /// The changelog entry's text, instead of the `changelog-entry` template's.
    #[serde(default)]
    pub changelog_text: Option<String>,
    /// The tag message, instead of the `tag-message` template's.
    pub message: Option<String>,
    /// How the fix joins the branch it lands on (develop's back-merge is always a merge).
    #[serde(default)]
    pub merge: crate::git::merge::Mode,
    /// The hotfix notes go to the remote the release was pushed to (`push-notes = false`:
    /// they stay here).
    #[serde(default = "yes")]
    pub push_notes: bool,
    /// The fix changes the settings (`.hotfix.toml`, a policy plugin), and that was seen
    /// and accepted (`--accept-settings`, or a person asked).
    #[serde(default)]
    pub accept_settings: bool,
}

fn yes() -> bool {
    true
}

impl Default for FinishOptions {
    fn default() -> Self {
        FinishOptions {
            tag: true,
            backmerge: true,
            keep: false,
            push: false,
            bump: true,
            changelog: true,
            changelog_text: None,
            message: None,
            merge: Default::default(),
            push_notes: true,
            accept_settings: false,
        }
    }
}

/// What happens to a worktree that has the hotfix branch checked out when it is deleted.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum WorktreeStep {
    /// Switch it to branch `to`, whose tip will be `tip`.
    Switch {
        path: PathBuf,
        head_ref: String,
        to: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        tip: ObjectId,
    },
    /// Detach it at branch `at`'s tip `tip` (the branch is checked out elsewhere).
    Detach {
        path: PathBuf,
        head_ref: String,
        at: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        tip: ObjectId,
    },
    /// Remove it: `start --worktree` made it for this hotfix.
    Remove { path: PathBuf, head_ref: String },
    /// Keep it on the branch, which moves to the release commit (`--keep`): its files follow.
    Follow { path: PathBuf, head_ref: String },
}

impl WorktreeStep {
    pub(crate) fn head_ref(&self) -> &str {
        match self {
            WorktreeStep::Switch { head_ref, .. }
            | WorktreeStep::Detach { head_ref, .. }
            | WorktreeStep::Remove { head_ref, .. }
            | WorktreeStep::Follow { head_ref, .. } => head_ref,
        }
    }
}

/// Which command a journal's run is, and so what `continue` goes on with. The journal keeps
/// it as the command's words.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub enum RunKind {
    /// `finish`: the fix tagged and merged here (or, for a rollback, the revert's finish).
    #[serde(rename = "finish")]
    Finish,
    /// `finish --pr`: the release commit pushed and the pull request opened.
    #[serde(rename = "finish --pr")]
    Propose,
    /// `tag`: the release tagged (and pushed) before its merge.
    #[serde(rename = "tag")]
    Tag,
    /// `rollback --revert`: the hotfix that takes another back, being started; once it is,
    /// the run goes on as that hotfix's finish (or `finish --pr`).
    #[serde(rename = "rollback --revert")]
    Revert,
}

impl RunKind {
    /// The command, as a person types it.
    pub fn command(self) -> &'static str {
        match self {
            RunKind::Finish => "finish",
            RunKind::Propose => "finish --pr",
            RunKind::Tag => "tag",
            RunKind::Revert => "rollback --revert",
        }
    }
}

impl std::fmt::Display for RunKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.command())
    }
}

/// A finish in progress or stopped, kept in its hotfix's journal: the steps it takes (each
/// journaled before it starts), or the conflict it waits on before it can take any.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Run {
    #[serde(rename = "command")]
    pub kind: RunKind,
    pub options: FinishOptions,
    /// Where each receiving branch stood when the run began; refs move only from there.
    #[serde(with = "crate::foundation::oid::hex_map")]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub expected: BTreeMap<String, ObjectId>,
    /// Merge commits a person made for branches that conflicted.
    #[serde(with = "crate::foundation::oid::hex_map")]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub resolved: BTreeMap<String, ObjectId>,
    /// The release commit the run made: continuing must release the same one.
    #[serde(default)]
    pub release: Option<ReleaseCommit>,
    /// What the fix had done of the release commit's work already.
    #[serde(
        default,
        skip_serializing_if = "crate::records::journal::Held::is_empty"
    )]
    pub held: crate::records::journal::Held,
    /// The newer release of the line the fix was merged into, under the release commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onto: Option<crate::records::journal::Onto>,
    /// The pull request an `--after-merge` run releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    /// Merging into a branch conflicted; nothing is written until it is resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    #[serde(default)]
    pub steps: Steps,
    /// Set for `rollback --revert`: the run began by starting this hotfix to take another
    /// back, and `abort` forgets this hotfix too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<Reverting>,
    /// The version the hotfix had before this run re-versioned it (`--version`, `--next`):
    /// `abort` gives it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_before: Option<VersionBefore>,
}

/// A hotfix's version and tag name before a run changed them.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VersionBefore {
    pub version: crate::foundation::version::Version,
    pub tag: String,
}

impl Run {
    /// A run of `kind` with nothing done yet.
    pub fn new(kind: RunKind, options: FinishOptions) -> Run {
        Run {
            kind,
            options,
            expected: BTreeMap::new(),
            resolved: BTreeMap::new(),
            release: None,
            held: Default::default(),
            onto: None,
            merged: None,
            conflict: None,
            steps: Steps::default(),
            reverts: None,
            version_before: None,
        }
    }

    /// A run of `kind` that goes on from `prior`. A `rollback --revert` goes on as the
    /// finish of the hotfix it started: the steps it took stay first, so that `abort` takes
    /// the whole rollback back.
    pub fn after(prior: Option<&Run>, kind: RunKind, options: FinishOptions) -> Run {
        let mut run = Run::new(kind, options);
        if let Some(prior) = prior.filter(|p| p.reverts.is_some()) {
            run.reverts = prior.reverts.clone();
            run.steps = prior.steps.clone();
        }
        run.version_before = prior.and_then(|p| p.version_before.clone());
        run
    }
}

/// What a `rollback --revert` takes back, and how it goes on once its hotfix is started.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Reverting {
    /// The hotfix taken back.
    pub ticket: String,
    /// The revert commit, on this hotfix's branch.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
    /// Through a pull request (`finish --pr`) rather than a finish here.
    #[serde(default)]
    pub pr: bool,
}

/// A merge that conflicted, resolved by a person in `worktree`.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Conflict {
    /// What the fix is merged into: a receiving branch, or (`onto`) a newer release's tag.
    pub branch: String,
    pub worktree: PathBuf,
    pub paths: Vec<String>,
    /// The merge is of the fix into a newer release of its line, before its release commit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub onto: bool,
}

/// The steps of a run, in order.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Steps(pub Vec<Recorded>);

impl Steps {
    pub fn add(&mut self, step: Step) {
        self.0.push(Recorded {
            step,
            progress: Progress::Pending,
            failed: None,
        });
    }

    /// The steps not done yet.
    pub fn left(&self) -> impl Iterator<Item = &Recorded> {
        self.0.iter().filter(|r| r.progress != Progress::Done)
    }

    /// Why the run stopped, when a step failed.
    pub fn failure(&self) -> Option<&str> {
        self.0.iter().find_map(|r| r.failed.as_deref())
    }

    /// The edits of every Refs step that is done.
    pub fn moved(&self) -> impl Iterator<Item = &Edit> {
        self.0
            .iter()
            .filter(|r| r.progress == Progress::Done)
            .filter_map(|r| match &r.step {
                Step::Refs { edits, .. } => Some(edits.iter()),
                _ => None,
            })
            .flatten()
    }

    /// The pull requests the Pull steps that are done opened or updated.
    pub fn opened(&self) -> impl Iterator<Item = (&PullRequest, &OpenedPull)> {
        self.0
            .iter()
            .filter(|r| r.progress == Progress::Done)
            .filter_map(|r| match &r.step {
                Step::Pull {
                    request,
                    opened: Some(opened),
                    ..
                } => Some((&**request, opened)),
                _ => None,
            })
    }

    /// The push plans of every Push step that is done.
    pub fn pushed(&self) -> impl Iterator<Item = &PushPlan> {
        self.0
            .iter()
            .filter(|r| r.progress == Progress::Done)
            .filter_map(|r| match &r.step {
                Step::Push { plan } => Some(plan),
                _ => None,
            })
    }
}

/// A step and how far it got.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Recorded {
    #[serde(flatten)]
    pub step: Step,
    pub progress: Progress,
    /// What stopped it the last time it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// Where a step stands. `Started` after a crash means "look": the step may have done all,
/// some or none of its work, and running (or undoing) it again reads what is there first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Progress {
    Pending,
    Started,
    Done,
}

/// One thing a run does to the repository, a worktree or a remote.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Refs that move together, each by compare-and-swap from `old` to `new`.
    Refs { edits: Vec<Edit>, message: String },
    /// The files of the worktree at `worktree` follow the commit it has checked out, from
    /// `from` to `to`.
    Checkout {
        worktree: PathBuf,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        from: ObjectId,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        to: ObjectId,
        /// The branch it has checked out for the move (`None`: detached): a worktree
        /// switched to another since is someone's else now, and left alone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        branch: Option<String>,
    },
    /// A linked worktree goes (one `start --worktree` made); undone by adding it back,
    /// detached at `at`.
    RemoveWorktree {
        path: PathBuf,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        at: ObjectId,
    },
    /// Refs pushed to a remote in one atomic push, each leased on what the remote held.
    Push { plan: PushPlan },
    /// A pull request opened on the forge (or the one open for its head brought up to date);
    /// undone by closing it, when the run opened it.
    Pull {
        request: Box<PullRequest>,
        /// The pull request open for the head before the run, which the run only updates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        existing: Option<u64>,
        /// What the forge answered, once it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opened: Option<OpenedPull>,
    },
}

/// A pull request a run wants to exist, in the forge's terms.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PullRequest {
    /// The branch with the changes, in the same repository.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    pub title: String,
    pub body: String,
    pub draft: bool,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub assignees: Vec<String>,
    /// The milestone's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
    /// Merged by GitHub this way once it may (auto-merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_merge: Option<crate::settings::config::MergeMethod>,
}

/// The pull request a [`Step::Pull`] opened or updated.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct OpenedPull {
    pub number: u64,
    pub url: String,
    /// Opened by this run (not one that was open already).
    pub created: bool,
    /// What changed on one that was open (`title`, `labels P0`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// What went through only in part (a reviewer the forge would not ask).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A pull request the forge reports merged.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Merged {
    pub number: u64,
    pub url: String,
    /// The branch it merged into.
    pub base: String,
    /// The commit the merge made on `base` (or the squashed or rebased tip).
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
    /// When it merged, as the forge recorded it.
    pub at: Option<Timestamp>,
}
