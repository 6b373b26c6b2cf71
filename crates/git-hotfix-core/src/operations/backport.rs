//! `backport`: the commits of a fix picked onto every maintained line in the object
//! database, each line on a branch of its own, in one run that a conflict pauses (or skips)
//! and `continue`, `skip` or `abort` resume.
//!
//! The plan picks every target in memory. The run persists those objects, then moves one
//! ref per target with compare-and-swap, writing the journal before and after each move, so
//! a process killed at any point leaves a state `continue` and `abort` understand.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine::{self, Undone};
use crate::foundation::error::{Error, IoContext, Result};
use crate::foundation::names;
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BackportTemplate;
use crate::foundation::names::BranchRole;
use crate::foundation::oid::short;
use crate::git::pick::{self, EmptyBecause, Picked, Source};
use crate::git::refs::{Edit, Value};
use crate::git::repo::Repo;
use crate::git::resolve::{self, Resolving};
use crate::git::worktree;
use crate::records::journal::TargetStatus;
use crate::records::journal::{self, EventKind};
use crate::records::run::{Step, Steps};
use crate::settings::config::Config;

/// Bumped whenever a field of the backport journal changes meaning.
pub const SCHEMA: u32 = 1;

/// What to pick.
#[derive(Debug, Clone)]
pub enum What {
    /// Commits and `A..B` ranges, in the order given.
    Commits(Vec<String>),
    /// The commits of a hotfix (by ticket), or of the current one.
    Hotfix(Option<String>),
}

/// What to do when a target conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    pub branch_template: Option<String>,
    /// Move the target branches themselves instead of making backport branches.
    pub onto_target: bool,
    pub mainline: Option<u32>,
    pub on_conflict: OnConflict,
    /// Each backport branch goes up for review in a pull request, opened by the caller
    /// between [`run`] and [`complete`].
    pub open_pulls: bool,
}

/// A commit to pick, as the journal keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceCommit {
    #[serde(with = "crate::foundation::oid::hex")]
    pub commit: ObjectId,
    #[serde(with = "crate::foundation::oid::hex_opt")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefState {
    /// Not written.
    Untouched,
    /// The journal says it is about to move: after a crash, look at the ref.
    Moving,
    /// Written by this run.
    Written,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PickStatus {
    Picked,
    Conflict,
    Empty,
}

/// One commit on one target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PickRecord {
    #[serde(with = "crate::foundation::oid::hex")]
    pub source: ObjectId,
    pub status: PickStatus,
    /// The commit made, for a pick.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    pub result: Option<ObjectId>,
    /// The tree after this pick (the target's, when empty), for comparing with git.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    pub tree: Option<ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub empty: Option<EmptyBecause>,
}

/// One target line of a backport.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    pub target: String,
    /// The target's tip the picks start from (and, with `--onto-target`, the compare-and-swap
    /// value).
    #[serde(with = "crate::foundation::oid::hex")]
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
    pub result: Option<ObjectId>,
    #[serde(rename = "ref")]
    pub ref_state: RefState,
    /// The backport branch an earlier run left, which has the picks already.
    #[serde(
        default,
        with = "crate::foundation::oid::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stop {
    /// Index into `targets`.
    pub target: usize,
    /// Index into that target's commits.
    pub pick: usize,
    /// The tip the conflicting pick goes onto.
    #[serde(with = "crate::foundation::oid::hex")]
    pub onto: ObjectId,
    pub worktree: PathBuf,
    pub paths: Vec<String>,
}

/// A backport run: its plan, and in the journal its progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// Compute the whole backport in memory: objects go to `mem` only.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    request: &BackportRequest,
) -> Result<Backport> {
    if let Some(run) = load(repo)? {
        return Err(Error::RunInProgress {
            ticket: run.hotfix.unwrap_or(run.name),
            command: "backport".into(),
        });
    }
    let Sources {
        journal,
        name,
        commits,
    } = sources(repo, &request.what)?;
    let hotfix = journal.map(|j| j.ticket);
    let sources = commits
        .iter()
        .map(|&c| Source::of(repo, c, request.mainline))
        .collect::<Result<Vec<_>>>()?;

    let template = match &request.branch_template {
        Some(text) => BackportTemplate::parse(text).map_err(|err| {
            Error::Config(crate::foundation::error::ConfigError {
                location: crate::foundation::error::Location::Flag,
                key: Some("backport-branch-template".into()),
                message: format!("`backport-branch-template`: {err}"),
            })
        })?,
        None => config.backport_branch_template.clone(),
    };
    let lines = targets_of(repo, config, request)?;
    if lines.is_empty() {
        return Err(Error::NoTargets {
            asked: if request.maintained {
                config.release_branches.clone()
            } else {
                request.to.clone()
            },
        });
    }

    let mut targets = Vec::new();
    for line in lines {
        let tip = repo.require_branch(&line, BranchRole::ReleaseLine)?;
        if request.onto_target {
            worktree::ensure_clean_on(repo, &line)?;
        }
        let branch = if request.onto_target {
            line.clone()
        } else {
            template.render(&line, &name)?
        };
        targets.push(Target {
            target: line,
            tip,
            branch,
            status: TargetStatus::Pending,
            reason: None,
            conflicts: Vec::new(),
            commits: Vec::new(),
            result: None,
            ref_state: RefState::Untouched,
            existing: None,
            pull: None,
        });
    }
    let mut run = Backport {
        schema: SCHEMA,
        hotfix,
        name,
        sources: sources
            .iter()
            .map(|s| SourceCommit {
                commit: s.commit,
                parent: s.parent,
            })
            .collect(),
        cascade: request.cascade,
        onto_target: request.onto_target,
        on_conflict: request.on_conflict,
        targets,
        stopped: None,
        events: Vec::new(),
        open_pulls: request.open_pulls,
        steps: Steps::default(),
    };
    for index in 0..run.targets.len() {
        compute_target(mem, &mut run, index)?;
    }
    Ok(run)
}

/// The commits to pick: the hotfix's, or the ones named, oldest first.
/// The commits a backport picks (and `patch export` writes), oldest first.
pub struct Sources {
    /// The hotfix they are the fix of.
    pub journal: Option<journal::Journal>,
    /// What names them in branch and file names: the hotfix branch without its prefix, or
    /// the last commit's short id.
    pub name: String,
    pub commits: Vec<ObjectId>,
}

/// The commits `what` names; a hotfix's are its fix without the release commit, which
/// moves that line's version files (a target's own release bumps its own).
pub fn sources(repo: &Repo, what: &What) -> Result<Sources> {
    match what {
        What::Hotfix(ticket) => {
            let journal = hotfix_journal(repo, ticket.as_deref())?;
            let tip = hotfix_tip(repo, &journal)?;
            let mut commits = repo.commits_between(journal.base.commit(), tip)?;
            commits.reverse();
            let releases = journal.release_commits();
            commits.retain(|c| !releases.contains(c));
            if commits.is_empty() {
                return Err(Error::NothingToFinish {
                    branch: journal.branch.clone(),
                    base: journal.base.label(),
                });
            }
            let name = journal
                .branch
                .split_once('/')
                .map_or(journal.branch.as_str(), |(_, rest)| rest)
                .to_string();
            Ok(Sources {
                journal: Some(journal),
                name,
                commits,
            })
        }
        What::Commits(revs) => {
            let mut commits = Vec::new();
            for rev in revs {
                match rev.split_once("..") {
                    Some((from, to)) => {
                        let from = repo.resolve(from)?.commit();
                        let to = repo
                            .resolve(if to.is_empty() { "HEAD" } else { to })?
                            .commit();
                        let mut range = repo.commits_between(from, to)?;
                        range.reverse();
                        commits.extend(range);
                    }
                    None => commits.push(repo.resolve(rev)?.commit()),
                }
            }
            let Some(last) = commits.last() else {
                return Err(Error::UnknownRevision {
                    rev: revs.join(" "),
                });
            };
            Ok(Sources {
                journal: None,
                name: short(*last),
                commits,
            })
        }
    }
}

/// The hotfix named, else the current one, else the only one in progress; finished ones too.
fn hotfix_journal(repo: &Repo, ticket: Option<&str>) -> Result<journal::Journal> {
    let store = journal::Store::new(repo);
    if let Some(ticket) = ticket {
        let id = names::ticket(ticket)?;
        return store.load_any(&id)?.ok_or_else(|| Error::NotAHotfix {
            selector: format!("ticket `{id}`"),
        });
    }
    match crate::operations::finish::select(repo, None) {
        Ok(journal) => Ok(journal),
        Err(err) => {
            let mut active = store.active()?;
            if active.len() == 1 {
                Ok(active.remove(0))
            } else {
                Err(err)
            }
        }
    }
}

/// The last commit of a hotfix: its branch, or for a finished one the tip it had when
/// `finish` deleted it.
fn hotfix_tip(repo: &Repo, journal: &journal::Journal) -> Result<ObjectId> {
    if let Some(tip) = repo.branch_tip(&journal.branch)? {
        return Ok(tip);
    }
    let branch = format!("{BRANCH_PREFIX}{}", journal.branch);
    journal
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            EventKind::RefsMoved { refs } => refs
                .iter()
                .find(|r| r.name == branch && r.new.is_none())
                .and_then(|r| r.old),
            _ => None,
        })
        .ok_or(Error::MissingBranch {
            name: journal.branch.clone(),
            role: BranchRole::Hotfix,
        })
}

/// The target branches: named ones (or globs), or the maintained lines; oldest line first.
fn targets_of(repo: &Repo, config: &Config, request: &BackportRequest) -> Result<Vec<String>> {
    let patterns: Vec<String> = if request.maintained {
        config.release_branches.clone()
    } else {
        request.to.clone()
    };
    if patterns.is_empty() {
        return Err(Error::NoTargets { asked: Vec::new() });
    }
    let mut lines = Vec::new();
    for pattern in &patterns {
        if pattern.contains(['*', '?', '[']) {
            lines.extend(repo.branches_matching(pattern)?);
        } else {
            repo.require_branch(pattern, BranchRole::ReleaseLine)?;
            lines.push(pattern.clone());
        }
    }
    lines.sort_by_key(|name| line_order(name));
    lines.dedup();
    Ok(lines)
}

/// Order release lines by the version in their names (`release/1.9` before `release/1.10`),
/// lines without a number last.
fn line_order(name: &str) -> (bool, Vec<u64>, String) {
    let numbers: Vec<u64> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    (numbers.is_empty(), numbers, name.to_string())
}

/// Pick the commits onto target `index` in memory, from where it stands (its tip, or the
/// stop of a paused run), until done or a conflict. Everything is read through `mem`, which
/// also sees the picks of earlier targets that are not written yet (for `--cascade`).
fn compute_target(mem: &Repo, run: &mut Backport, index: usize) -> Result<()> {
    let sources = sources_for(run, index);
    let target = &mut run.targets[index];
    if matches!(target.status, TargetStatus::Skipped) {
        return Ok(());
    }
    if let Some(reason) = cascade_blocked(&run.targets[..index], run.cascade) {
        let target = &mut run.targets[index];
        target.status = TargetStatus::Skipped;
        target.reason = Some(reason);
        return Ok(());
    }
    let target = &mut run.targets[index];
    // A backport branch left by an earlier run: fine if it already has the picks.
    if !run.onto_target
        && target.commits.is_empty()
        && let Some(existing) = mem.branch_tip(&target.branch)?
    {
        let trailers = pick::picked_from(mem, &mem.commits_between(target.tip, existing)?)?;
        if sources.iter().all(|s| trailers.contains(&s.commit)) {
            target.status = TargetStatus::Empty;
            target.reason = Some(format!("already backported on {}", target.branch));
            target.existing = Some(existing);
        } else {
            target.status = TargetStatus::Skipped;
            target.reason = Some(format!(
                "branch {} exists; delete it or choose another --branch-template",
                target.branch
            ));
        }
        return Ok(());
    }

    let mut tip = target
        .commits
        .iter()
        .rev()
        .find_map(|p| p.result)
        .unwrap_or(target.tip);
    let start = target.commits.len();
    let mut already: Option<AlreadyThere> = None;
    for source in &sources[start..] {
        match pick::pick(mem, tip, source)? {
            Picked::Commit { commit, tree } => {
                target.commits.push(PickRecord {
                    source: source.commit,
                    status: PickStatus::Picked,
                    result: Some(commit),
                    tree: Some(tree),
                    empty: None,
                });
                tip = commit;
            }
            // Why it is empty is worth saying, and costs a look at the target's history.
            Picked::Empty { why } => {
                let found = already.get_or_insert_with(|| AlreadyThere::new(target.tip, &sources));
                let why = if mem.is_ancestor(source.commit, target.tip)? {
                    EmptyBecause::Contained
                } else if found.by_trailer(mem, source.commit)? {
                    EmptyBecause::Trailer
                } else {
                    why
                };
                target
                    .commits
                    .push(empty_record(mem, source.commit, tip, why)?);
            }
            // A change the target has in another form is no conflict: look for it there.
            Picked::Conflict { paths } => {
                let found = already.get_or_insert_with(|| AlreadyThere::new(target.tip, &sources));
                let why = if found.by_trailer(mem, source.commit)? {
                    Some(EmptyBecause::Trailer)
                } else if found.by_patch(mem, source)? {
                    Some(EmptyBecause::SamePatch)
                } else {
                    None
                };
                if let Some(why) = why {
                    target
                        .commits
                        .push(empty_record(mem, source.commit, tip, why)?);
                    continue;
                }
                if run.on_conflict == OnConflict::Commit {
                    let (commit, tree) = pick::commit_markers(mem, tip, source, &paths)?;
                    target.commits.push(PickRecord {
                        source: source.commit,
                        status: PickStatus::Conflict,
                        result: Some(commit),
                        tree: Some(tree),
                        empty: None,
                    });
                    for path in paths {
                        if !target.conflicts.contains(&path) {
                            target.conflicts.push(path);
                        }
                    }
                    tip = commit;
                    continue;
                }
                target.commits.push(PickRecord {
                    source: source.commit,
                    status: PickStatus::Conflict,
                    result: None,
                    tree: None,
                    empty: None,
                });
                target.status = TargetStatus::Conflict;
                target.conflicts = paths;
                return Ok(());
            }
        }
    }
    target.result = (tip != target.tip).then_some(tip);
    target.status = if !target.conflicts.is_empty() {
        // `--on-conflict commit`: the markers are on the branch.
        TargetStatus::Conflict
    } else if target.result.is_some() {
        TargetStatus::Clean
    } else {
        TargetStatus::Empty
    };
    Ok(())
}

fn empty_record(
    mem: &Repo,
    source: ObjectId,
    tip: ObjectId,
    why: EmptyBecause,
) -> Result<PickRecord> {
    let tree = mem.tree_of(tip)?;
    Ok(PickRecord {
        source,
        status: PickStatus::Empty,
        result: None,
        tree: Some(tree),
        empty: Some(why),
    })
}

/// With `--cascade`, a line receives what the previous line got; after a line that did not
/// get the fix the chain is broken.
fn cascade_blocked(before: &[Target], cascade: bool) -> Option<String> {
    let previous = before.last().filter(|_| cascade)?;
    (!previous.done()).then(|| format!("cascade stopped at {}", previous.target))
}

/// The commits target `index` receives: the sources, or with `--cascade` what the previous
/// line got (its picks, or the source where the previous line already had it).
fn sources_for(run: &Backport, index: usize) -> Vec<Source> {
    let originals: Vec<Source> = run.sources.iter().map(|&s| s.into()).collect();
    if !run.cascade || index == 0 {
        return originals;
    }
    let previous = &run.targets[index - 1];
    let mut parent = Some(previous.tip);
    originals
        .iter()
        .zip(&previous.commits)
        .map(|(original, record)| match record.result {
            Some(commit) => {
                let source = Source { commit, parent };
                parent = Some(commit);
                source
            }
            None => *original,
        })
        .collect()
}

/// Finds changes a target already has, by trailer or by patch id; computed once per target
/// and only when needed (patch ids only when a pick conflicts).
struct AlreadyThere {
    tip: ObjectId,
    hide: Vec<ObjectId>,
    commits: Option<Vec<ObjectId>>,
    trailers: Option<HashSet<ObjectId>>,
    patches: Option<HashMap<ObjectId, ()>>,
}

impl AlreadyThere {
    fn new(tip: ObjectId, sources: &[Source]) -> Self {
        AlreadyThere {
            tip,
            hide: sources.iter().map(|s| s.commit).collect(),
            commits: None,
            trailers: None,
            patches: None,
        }
    }

    /// The target's commits since it forked from the sources.
    fn commits(&mut self, repo: &Repo) -> Result<&[ObjectId]> {
        if self.commits.is_none() {
            let walk = repo
                .git
                .rev_walk([self.tip])
                .with_hidden(self.hide.iter().copied())
                .all()
                .map_err(|source| Error::Git {
                    context: format!("could not walk {}", short(self.tip)),
                    source,
                })?;
            let mut commits = Vec::new();
            for info in walk {
                commits.push(
                    info.map_err(|source| Error::Git {
                        context: format!("could not walk {}", short(self.tip)),
                        source,
                    })?
                    .id,
                );
            }
            self.commits = Some(commits);
        }
        Ok(self.commits.as_deref().expect("just filled"))
    }

    fn by_trailer(&mut self, repo: &Repo, source: ObjectId) -> Result<bool> {
        if self.trailers.is_none() {
            let commits = self.commits(repo)?.to_vec();
            self.trailers = Some(pick::picked_from(repo, &commits)?);
        }
        Ok(self
            .trailers
            .as_ref()
            .expect("just filled")
            .contains(&source))
    }

    fn by_patch(&mut self, repo: &Repo, source: &Source) -> Result<bool> {
        if self.patches.is_none() {
            let commits = self.commits(repo)?.to_vec();
            let mut patches = HashMap::new();
            for commit in commits {
                // Merges carry no single change of their own.
                if let Ok(theirs) = Source::of(repo, commit, None) {
                    patches.insert(pick::patch_id(repo, &theirs)?, ());
                }
            }
            self.patches = Some(patches);
        }
        let wanted = pick::patch_id(repo, source)?;
        Ok(self
            .patches
            .as_ref()
            .expect("just filled")
            .contains_key(&wanted))
    }
}

/// What a run tells as it goes: the plan once, then each target as it is handled.
pub enum Progress<'a> {
    Planned(&'a Backport),
    Target(&'a Target),
}

/// How a run (or a resumed one) ended.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum BackportOutcome {
    /// Every target handled; some may have conflicted (`--on-conflict skip`) or been skipped.
    Done { run: Backport },
    /// Paused on a conflict: `continue`, `skip` or `abort`.
    Stopped { run: Backport },
    /// `--on-conflict abort` and a target conflicted: nothing was written.
    Refused { run: Backport },
}

impl BackportOutcome {
    pub fn run(&self) -> &Backport {
        match self {
            BackportOutcome::Done { run }
            | BackportOutcome::Stopped { run }
            | BackportOutcome::Refused { run } => run,
        }
    }
}

/// Plan and run a backport; `progress` hears of the plan and of each target as it is written.
pub fn run(
    repo: &Repo,
    config: &Config,
    request: &BackportRequest,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let mem = repo.in_memory();
    let mut run = plan(repo, &mem, config, request)?;
    if request.on_conflict == OnConflict::Abort && run.conflicted() {
        return Ok(BackportOutcome::Refused { run });
    }
    progress(Progress::Planned(&run));
    let store = journal::Store::new(repo);
    let _lock = store.lock()?;
    repo.keep_objects(mem)?;
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Started {
            base: run.name.clone(),
            commit: run.sources.last().expect("at least one source").commit,
        },
    });
    save(repo, &run)?;
    proceed(repo, run, now, progress)
}

/// Go through the targets in order: compute the pending ones (from the tips of that moment;
/// with `pause`, only up to the first conflict), write every clean one in one transaction
/// journaled before and after, then pause at the conflict or finish.
fn proceed(
    repo: &Repo,
    mut run: Backport,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let mem = repo.in_memory();
    let mut pause_at = None;
    for index in 0..run.targets.len() {
        if run.targets[index].status == TargetStatus::Pending {
            if run.targets[index].commits.is_empty() {
                run.targets[index].tip =
                    repo.require_branch(&run.targets[index].target, BranchRole::ReleaseLine)?;
            }
            compute_target(&mem, &mut run, index)?;
        }
        if run.targets[index].status == TargetStatus::Conflict
            && run.on_conflict == OnConflict::Pause
        {
            pause_at = Some(index);
            break;
        }
    }
    repo.keep_objects(mem)?;

    let handled = pause_at.unwrap_or(run.targets.len());
    // Clean targets, and with `--on-conflict commit` conflicted ones, get their branch.
    let clean: Vec<usize> = (0..handled)
        .filter(|&i| {
            let target = &run.targets[i];
            let writable = target.status == TargetStatus::Clean
                || (target.status == TargetStatus::Conflict && target.result.is_some());
            writable && target.ref_state == RefState::Untouched
        })
        .collect();
    write_targets(repo, &mut run, &clean)?;
    for target in &run.targets[..handled] {
        progress(Progress::Target(target));
    }

    if let Some(index) = pause_at {
        pause(repo, &mut run, index)?;
        // Later lines are picked again after the resolution, from their tips then.
        for later in &mut run.targets[index + 1..] {
            reset(later);
        }
        save(repo, &run)?;
        progress(Progress::Target(&run.targets[index]));
        return Ok(BackportOutcome::Stopped { run });
    }
    if run.open_pulls {
        // The caller opens the pull requests, then calls `complete`; until then the run
        // stays current, so that `continue` opens the ones a failure left out.
        save(repo, &run)?;
        return Ok(BackportOutcome::Done { run });
    }
    complete(repo, &mut run, now)?;
    Ok(BackportOutcome::Done { run })
}

/// End a run whose targets are all handled: archive its journal and tell the hotfix's.
pub fn complete(repo: &Repo, run: &mut Backport, now: Timestamp) -> Result<()> {
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Finished {
            tag: None,
            release: None,
            notes: None,
            bumped: Vec::new(),
        },
    });
    archive(repo, run, now)?;
    record_in_hotfix(repo, run, now)
}

/// Remember the pull request opened (or found) for target `index`.
pub fn record_pull(
    repo: &Repo,
    run: &mut Backport,
    index: usize,
    pull: journal::PullRecord,
) -> Result<()> {
    let _lock = journal::Store::new(repo).lock()?;
    run.targets[index].pull = Some(pull);
    save(repo, run)
}

/// Forget what was computed for a target, so it is picked again.
fn reset(target: &mut Target) {
    target.status = TargetStatus::Pending;
    target.reason = None;
    target.conflicts.clear();
    target.commits.clear();
    target.result = None;
}

/// Create (or move) the branches of `indices` in one transaction, and the files of the
/// worktrees that have a moved target checked out with them: steps of the run's own,
/// journaled before they start.
fn write_targets(repo: &Repo, run: &mut Backport, indices: &[usize]) -> Result<()> {
    if indices.is_empty() {
        return Ok(());
    }
    let onto_target = run.onto_target;
    let edits: Vec<Edit> = indices
        .iter()
        .filter_map(|&i| run.targets[i].edit(onto_target))
        .collect();
    run.steps.add(Step::Refs {
        edits,
        message: format!("hotfix backport: {}", run.name),
    });
    if onto_target {
        for &i in indices {
            let target = &run.targets[i];
            worktree::ensure_clean_on(repo, &target.target)?;
            for checked_out in repo.worktrees_on(&target.target)? {
                run.steps.add(Step::Checkout {
                    worktree: checked_out.path,
                    from: target.tip,
                    to: target.result.expect("an edit"),
                });
            }
        }
    }
    for &i in indices {
        run.targets[i].ref_state = RefState::Moving;
    }
    engine::run(repo, run)?;
    settle(run);
    save(repo, run)
}

/// Targets whose refs a step under way was moving are written once that step is done.
fn settle(run: &mut Backport) {
    let moved: Vec<Edit> = run.steps.moved().cloned().collect();
    let onto_target = run.onto_target;
    for target in &mut run.targets {
        if target.ref_state == RefState::Moving
            && target.edit(onto_target).is_some_and(|e| moved.contains(&e))
        {
            target.ref_state = RefState::Written;
        }
    }
}

/// Stop at target `index`'s conflict: a resolution worktree for the conflicting pick.
fn pause(repo: &Repo, run: &mut Backport, index: usize) -> Result<()> {
    let sources = sources_for(run, index);
    let target = &run.targets[index];
    let pick_index = target.commits.len() - 1;
    let onto = target
        .commits
        .iter()
        .rev()
        .find_map(|p| p.result)
        .unwrap_or(target.tip);
    let source = sources[pick_index];
    let worktree = resolve::path_for(repo, &run.name, &target.target);
    // A worktree left by a run killed while making it is replaced.
    resolve::remove(repo, &worktree)?;
    let theirs = pick::theirs_label(repo, &source)?;
    let message = pick::message_of(repo, &source)?;
    let paths = resolve::create(
        repo,
        &worktree,
        onto,
        &Resolving::Pick {
            source: source.commit,
            parent: source.parent,
        },
        &crate::git::merge::Labels {
            ours: "HEAD",
            theirs: &theirs,
        },
        &message,
    )?;
    run.stopped = Some(Stop {
        target: index,
        pick: pick_index,
        onto,
        worktree,
        paths,
    });
    Ok(())
}

/// Resume a paused run with the resolution made in its worktree, or finish an interrupted one.
pub fn resume(
    repo: &Repo,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let (_lock, mut run) = open_stopped(repo, "continue")?;
    finish_interrupted(repo, &mut run)?;
    let mem = repo.in_memory();
    if let Some(stop) = take_resolution(&mem, &mut run)? {
        repo.keep_objects(mem)?;
        resolve::remove(repo, &stop.worktree)?;
        save(repo, &run)?;
    }
    proceed(repo, run, now, progress)
}

/// Take a paused run's resolution from its worktree: the conflicting pick becomes the commit
/// made there (written to `mem`), and its target goes on from there. Returns the stop.
fn take_resolution(mem: &Repo, run: &mut Backport) -> Result<Option<Stop>> {
    let Some(stop) = run.stopped.take() else {
        return Ok(None);
    };
    let source = sources_for(run, stop.target)[stop.pick];
    let commit = resolve::read(
        mem,
        &stop.worktree,
        stop.onto,
        &Resolving::Pick {
            source: source.commit,
            parent: source.parent,
        },
        |tree| pick::commit_pick(mem, stop.onto, &source, tree),
    )?;
    let tree = mem.tree_of(commit)?;
    let target = &mut run.targets[stop.target];
    target.commits[stop.pick] = PickRecord {
        source: source.commit,
        status: PickStatus::Picked,
        result: Some(commit),
        tree: Some(tree),
        empty: None,
    };
    target.status = TargetStatus::Pending;
    target.conflicts.clear();
    Ok(Some(stop))
}

/// What `continue` would do, computed in memory: the resolution taken and every pending
/// target picked from its tip now.
pub fn preview_resume(repo: &Repo) -> Result<Backport> {
    let mut run = load(repo)?.ok_or(Error::NoStoppedRun { action: "continue" })?;
    let mem = repo.in_memory();
    take_resolution(&mem, &mut run)?;
    for index in 0..run.targets.len() {
        if run.targets[index].status == TargetStatus::Pending {
            if run.targets[index].commits.is_empty() {
                run.targets[index].tip =
                    repo.require_branch(&run.targets[index].target, BranchRole::ReleaseLine)?;
            }
            compute_target(&mem, &mut run, index)?;
        }
    }
    Ok(run)
}

/// Leave the paused target out and go on with the others.
pub fn skip(
    repo: &Repo,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let (_lock, mut run) = open_stopped(repo, "skip")?;
    finish_interrupted(repo, &mut run)?;
    if let Some(stop) = run.stopped.take() {
        resolve::remove(repo, &stop.worktree)?;
        let target = &mut run.targets[stop.target];
        target.status = TargetStatus::Skipped;
        target.reason = Some("skipped after a conflict".into());
        target.result = None;
        save(repo, &run)?;
    }
    proceed(repo, run, now, progress)
}

/// Undo the run: remove its resolution worktree and every branch it created, and put back
/// targets it moved.
pub fn abort(repo: &Repo, now: Timestamp) -> Result<(Backport, Vec<Undone>)> {
    let (_lock, mut run) = open_stopped(repo, "abort")?;
    if let Some(stop) = run.stopped.take() {
        resolve::remove(repo, &stop.worktree)?;
    }
    let undone = engine::undo(repo, &mut run)?;
    for target in &mut run.targets {
        target.ref_state = RefState::Untouched;
    }
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Aborted {
            command: "backport".into(),
            restored: undone.iter().filter_map(Undone::ref_move).collect(),
        },
    });
    archive(repo, &run, now)?;
    Ok((run, undone))
}

/// Do what was under way when a run was interrupted, before going on from there.
fn finish_interrupted(repo: &Repo, run: &mut Backport) -> Result<()> {
    engine::run(repo, run)?;
    settle(run);
    save(repo, run)
}

/// Take the hotfix lock and the stopped run, its refs settled after a possible crash.
fn open_stopped(repo: &Repo, action: &'static str) -> Result<(journal::OperationLock, Backport)> {
    let lock = journal::Store::new(repo).lock()?;
    let mut run = load(repo)?.ok_or(Error::NoStoppedRun { action })?;
    settle(&mut run);
    Ok((lock, run))
}

/// Tell the hotfix's journal what its backport did, for status and reports.
fn record_in_hotfix(repo: &Repo, run: &Backport, now: Timestamp) -> Result<()> {
    let Some(ticket) = &run.hotfix else {
        return Ok(());
    };
    let store = journal::Store::new(repo);
    let Some(mut journal) = store.load_any(ticket)? else {
        return Ok(());
    };
    journal.record(
        now,
        EventKind::Backported {
            targets: run
                .targets
                .iter()
                .map(|t| journal::BackportedTarget {
                    target: t.target.clone(),
                    branch: (t.ref_state == RefState::Written).then(|| t.branch.clone()),
                    status: t.status,
                    pull: t.pull.clone(),
                })
                .collect(),
        },
    );
    store.save(&journal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::template::TemplateError;

    #[test]
    fn lines_sort_by_the_version_in_their_names() {
        let mut lines = vec![
            "release/1.10",
            "main",
            "release/1.9",
            "release/2.0",
            "release/1.9.1",
        ];
        lines.sort_by_key(|l| line_order(l));
        assert_eq!(
            lines,
            [
                "release/1.9",
                "release/1.9.1",
                "release/1.10",
                "release/2.0",
                "main"
            ]
        );
    }

    #[test]
    fn backport_templates_need_the_target() {
        let t = BackportTemplate::parse(BackportTemplate::DEFAULT).unwrap();
        assert_eq!(
            t.render("release/1.2", "ENG-1-fix").unwrap(),
            "backport/release/1.2/ENG-1-fix"
        );
        assert_eq!(
            BackportTemplate::parse("backport/{name}"),
            Err(TemplateError::Missing("target"))
        );
    }
}
