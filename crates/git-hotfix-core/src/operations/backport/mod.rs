//! `backport`: the commits of a fix picked onto every maintained line in the object
//! database, each line on a branch of its own, in one run that a conflict pauses (or skips)
//! and `continue`, `skip` or `abort` resume.
//!
//! The plan picks every target in memory. The run persists those objects, then moves one
//! ref per target with compare-and-swap, writing the journal before and after each move, so
//! a process killed at any point leaves a state `continue` and `abort` understand.

pub mod merged;
mod plan;
mod run;

pub use plan::{Sources, plan, sources};
pub use run::{BackportOutcome, Progress, complete, preview_resume, propose, record_pull, run};

use std::path::PathBuf;

use gix::ObjectId;

use crate::foundation::names::BackportTemplate;
use jiff::Timestamp;

use crate::engine;
use crate::foundation::error::{IoContext, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::git::pick::{EmptyBecause, Source};
use crate::git::refs::{Edit, Value};
use crate::git::repo::Repo;
use crate::records::journal;
use crate::records::journal::TargetStatus;
use crate::records::run::Steps;

/// Bumped whenever a field of the backport journal changes meaning.
pub const SCHEMA: u32 = 1;

/// What to pick.
#[derive(Debug, Clone)]
pub enum What {
    /// Commits and `A..B` ranges, in the order given.
    Commits(Vec<String>),
    /// The commits of a hotfix (by ticket), or of the current one.
    Hotfix(Option<String>),
    /// What a merged pull request put on its base (see [`merged::picks`]), oldest first.
    Pull {
        pull: SourcePull,
        commits: Vec<ObjectId>,
    },
}

/// The merged pull request a backport picks, as its backport pull requests name it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SourcePull {
    pub number: u64,
    pub title: String,
    /// Who opened it (a login), when GitHub said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    pub url: String,
    /// Its labels when it was picked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Its assignees (logins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignees: Vec<String>,
    /// The reviews requested on it: logins, and teams as `org/team`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// Its milestone's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
}

/// The name a pull request's backport goes by (in its branches' `{name}`): `pr-123`.
pub fn pull_name(number: u64) -> String {
    format!("pr-{number}")
}

/// What to do when a target conflicts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum OnConflict {
    /// Stop there for a person to resolve; `continue`, `skip` or `abort`.
    Pause,
    /// Leave that target out and go on.
    Skip,
    /// Write nothing unless every target is clean.
    Abort,
    /// Commit the conflict markers on the target's backport branch, for a person to
    /// resolve there (in its pull request); the run goes on and ends non-zero.
    Commit,
}

#[derive(Debug, Clone)]
pub struct BackportRequest {
    pub what: What,
    /// Branches or globs.
    pub to: Vec<String>,
    /// The release lines of `.hotfix.toml`.
    pub maintained: bool,
    pub cascade: bool,
    pub branch_template: Option<BackportTemplate>,
    /// Move the target branches themselves instead of making backport branches.
    pub onto_target: bool,
    pub mainline: Option<u32>,
    pub on_conflict: OnConflict,
    /// Each backport branch goes up for review in a pull request, opened by the caller
    /// between [`run`] and [`complete`].
    pub open_pulls: bool,
}

/// A commit to pick, as the journal keeps it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SourceCommit {
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub parent: Option<ObjectId>,
}

impl From<SourceCommit> for Source {
    fn from(s: SourceCommit) -> Source {
        Source {
            commit: s.commit,
            parent: s.parent,
        }
    }
}

/// Where a target's ref stands in the run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RefState {
    /// Not written.
    Untouched,
    /// The journal says it is about to move: after a crash, look at the ref.
    Moving,
    /// Written by this run.
    Written,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PickStatus {
    Picked,
    Conflict,
    Empty,
}

/// One commit on one target.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PickRecord {
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub source: ObjectId,
    pub status: PickStatus,
    /// The commit made, for a pick.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub result: Option<ObjectId>,
    /// The tree after this pick (the target's, when empty), for comparing with git.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub tree: Option<ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub empty: Option<EmptyBecause>,
}

/// One target line of a backport.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Target {
    pub target: String,
    /// The target's tip the picks start from (and, with `--onto-target`, the compare-and-swap
    /// value).
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub tip: ObjectId,
    /// The branch that receives the picks (the target itself with `--onto-target`).
    pub branch: String,
    pub status: TargetStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    pub conflicts: Vec<String>,
    pub commits: Vec<PickRecord>,
    /// The tip after the picks, when anything was picked.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub result: Option<ObjectId>,
    #[serde(rename = "ref")]
    pub ref_state: RefState,
    /// The backport branch an earlier run left, which has the picks already.
    #[serde(
        default,
        with = "crate::foundation::oid::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub existing: Option<ObjectId>,
    /// The pull request that proposes the branch to the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<journal::PullRecord>,
}

impl Target {
    /// Whether this target got the fix (picked, or already had it).
    pub fn done(&self) -> bool {
        matches!(self.status, TargetStatus::Clean | TargetStatus::Empty)
    }

    /// Whether this target's branch holds the conflict markers for someone to resolve.
    pub fn markers_committed(&self) -> bool {
        self.status == TargetStatus::Conflict && self.proposed_tip().is_some()
    }

    /// The tip of this target's backport branch, when it has one to propose: written by
    /// this run (conflict markers and all) or left by an earlier one.
    pub fn proposed_tip(&self) -> Option<ObjectId> {
        match self.ref_state {
            RefState::Written => self.result,
            _ => self.existing,
        }
    }

    fn edit(&self, onto_target: bool) -> Option<Edit> {
        let result = self.result?;
        Some(Edit {
            name: format!("{BRANCH_PREFIX}{}", self.branch),
            old: onto_target.then_some(Value::Object(self.tip)),
            new: Some(Value::Object(result)),
        })
    }
}

/// Where a paused run stopped.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Stop {
    /// Index into `targets`.
    pub target: usize,
    /// Index into that target's commits.
    pub pick: usize,
    /// The tip the conflicting pick goes onto.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub onto: ObjectId,
    pub worktree: PathBuf,
    pub paths: Vec<String>,
}

/// A backport run: its plan, and in the journal its progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Backport {
    pub schema: u32,
    /// The hotfix whose commits these are, if any.
    pub hotfix: Option<String>,
    /// `{name}` of the branch template: the hotfix branch without its prefix, or a commit.
    pub name: String,
    pub sources: Vec<SourceCommit>,
    pub cascade: bool,
    pub onto_target: bool,
    pub on_conflict: OnConflict,
    pub targets: Vec<Target>,
    pub stopped: Option<Stop>,
    pub events: Vec<journal::Event>,
    /// The run ends with a pull request per backport branch (`--pr`).
    #[serde(default)]
    pub open_pulls: bool,
    /// The merged pull request whose commits these are (`--pull`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_pull: Option<SourcePull>,
    /// What the run wrote and writes, each step journaled before it starts.
    #[serde(default)]
    pub steps: Steps,
}

impl engine::Record for Backport {
    fn steps(&mut self) -> &mut Steps {
        &mut self.steps
    }

    fn save(&self, repo: &Repo) -> Result<()> {
        save(repo, self)
    }
}

impl Backport {
    pub fn all_done(&self) -> bool {
        self.targets.iter().all(Target::done)
    }

    pub fn conflicted(&self) -> bool {
        self.targets
            .iter()
            .any(|t| t.status == TargetStatus::Conflict)
    }
}

/// The backport journals: `current.json` for the run in progress, the others finished.
fn journal_dir(repo: &Repo) -> PathBuf {
    repo.common_dir().join("hotfix").join("backports")
}

fn journal_path(repo: &Repo) -> PathBuf {
    journal_dir(repo).join("current.json")
}

/// The backport run that stopped (or was interrupted), if any.
pub fn load(repo: &Repo) -> Result<Option<Backport>> {
    journal::read_json(&journal_path(repo), SCHEMA)
}

fn save(repo: &Repo, run: &Backport) -> Result<()> {
    journal::write_json(&journal_path(repo), run)
}

/// Move a finished (or aborted) run out of the way, keeping it for the record.
fn archive(repo: &Repo, run: &Backport, now: Timestamp) -> Result<()> {
    let name = format!("{}-{}.json", run.name, now.as_second());
    journal::write_json(&journal_dir(repo).join(name), run)?;
    let path = journal_path(repo);
    std::fs::remove_file(&path).io_context("could not remove", &path)
}
