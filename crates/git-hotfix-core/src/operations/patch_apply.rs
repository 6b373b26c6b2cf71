//! `patch apply`: a series of patch mails applied onto a branch in the object database,
//! one commit per mail with the mail's author, date and message — `git am` without a
//! checkout. The branch moves once, when every mail is in, so a run that stops has changed
//! nothing: a mail that does not apply stops it with a resolution worktree (the hunks that
//! applied, `.rej` files for the others, or a three-way merge's conflicts), and `continue`,
//! `skip` or `abort` go on from there.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine::resumable::{Resumable, aborted_event};
use crate::engine::{self, Undone};
use crate::foundation::error::{Error, GitContext, IoContext, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BranchRole;
use crate::foundation::patch::mail::{self, Mail};
use crate::foundation::patch::parse::{self, FilePatch};
use crate::foundation::patch::{MANIFEST, MANIFEST_FORMAT, Manifest, sha256};
use crate::git::apply::{self, Applied, Failure};
use crate::git::merge::Labels;
use crate::git::refs::{Edit, Value};
use crate::git::repo::Repo;
use crate::git::resolve::{self, Resolving};
use crate::records::journal::{self, EventKind, Store};
use crate::records::run::{Step, Steps};

/// Bumped whenever a field of the run's journal changes meaning.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// Patch files, mboxes, or directories of `*.patch` files (with a manifest, or not).
    pub inputs: Vec<PathBuf>,
    /// The branch to apply onto; the current one when `None`.
    pub onto: Option<String>,
    /// Fall back to a three-way merge from the blobs the `index` lines name.
    pub three_way: bool,
    /// Keep the carriage return of each line that ends in one (`git am --keep-cr`); `None`:
    /// as git config `am.keepcr` says, else not.
    pub keep_cr: Option<bool>,
}

/// One mail as read from the inputs.
#[derive(Debug, Clone)]
struct Input {
    /// Where it came from: a file, or `file#n` for the n-th mail of an mbox.
    origin: String,
    bytes: Vec<u8>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pending,
    Applied,
    /// The branch already has the change: no commit was made (as `git am -3` does).
    Empty,
    Skipped,
    /// The run stopped on it.
    Stopped,
}

/// One mail of the run.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Patch {
    pub origin: String,
    pub subject: String,
    pub status: Status,
    /// The commit made of it.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub commit: Option<ObjectId>,
    /// Applied by a three-way merge.
    pub merged: bool,
}

/// Where a run stopped, and why.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Stop {
    /// Index into `patches`.
    pub patch: usize,
    /// The commit the stopped mail goes onto.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub onto: ObjectId,
    pub worktree: PathBuf,
    pub resolving: Resolving,
    /// What does not apply, the first as `git apply` reports it.
    pub failures: Vec<Failure>,
    /// The paths a three-way merge left conflicted.
    pub conflicts: Vec<String>,
    /// The `.rej` files left in the worktree.
    pub rejects: Vec<String>,
    /// Why `--3way` could not merge, when it was asked for.
    pub no_three_way: Option<String>,
}

/// A `patch apply` run: its series, and in the journal its progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PatchRun {
    pub schema: u32,
    /// The branch the commits go onto (short name).
    pub branch: String,
    /// Its tip when the run started: the commits go on it, and it moves only from there.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub tip: ObjectId,
    pub three_way: bool,
    pub patches: Vec<Patch>,
    pub stopped: Option<Stop>,
    /// The branch's new tip, once written.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub result: Option<ObjectId>,
    pub events: Vec<journal::Event>,
    /// What the run writes once every mail is in, each step journaled before it starts.
    #[serde(default)]
    pub steps: Steps,
}

impl engine::Record for PatchRun {
    fn steps(&mut self) -> &mut Steps {
        &mut self.steps
    }

    fn save(&self, repo: &Repo) -> Result<()> {
        save(repo, self)
    }
}

impl PatchRun {
    /// The last commit made so far: where the next mail goes.
    fn last_commit(&self) -> ObjectId {
        self.patches
            .iter()
            .rev()
            .find_map(|p| p.commit)
            .unwrap_or(self.tip)
    }
}

/// How a run (or a resumed one) ended.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ApplyOutcome {
    /// Every mail applied, empty or skipped, and the branch moved.
    Done { run: PatchRun },
    /// Stopped on a mail that does not apply: `continue`, `skip` or `abort`.
    Stopped { run: PatchRun },
}

impl ApplyOutcome {
    pub fn run(&self) -> &PatchRun {
        match self {
            ApplyOutcome::Done { run } | ApplyOutcome::Stopped { run } => run,
        }
    }
}

/// A mail and its file patches.
struct Parsed {
    /// Where it was read from, to name it.
    origin: String,
    mail: Mail,
    files: Vec<FilePatch>,
}

fn parse_input(origin: &str, bytes: &[u8]) -> Result<Parsed> {
    let unreadable = |problem: String| Error::PatchUnreadable {
        origin: origin.to_string(),
        problem,
    };
    let mail = mail::parse(bytes).map_err(|err| unreadable(err.to_string()))?;
    let files =
        parse::parse(&mail.patch).map_err(|err| unreadable(format!("in its diff, {err}")))?;
    if files.is_empty() {
        return Err(unreadable("it has no diff".into()));
    }
    if let Some(failure) = files.iter().find_map(parse::outside_the_tree) {
        return Err(Error::PatchRefused {
            origin: origin.to_string(),
            failure,
        });
    }
    Ok(Parsed {
        origin: origin.to_string(),
        mail,
        files,
    })
}

/// The mails of `inputs`, in order. A directory gives its `*.patch` files by name, or with
/// a manifest the files it lists, each checked against its sha256.
fn read_inputs(inputs: &[PathBuf], keep_cr: bool) -> Result<Vec<Input>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            files.extend(series_in(input)?);
        } else {
            let bytes = std::fs::read(input).io_context("could not read", input)?;
            files.push((input.clone(), bytes));
        }
    }
    let mut mails = Vec::new();
    for (path, bytes) in files {
        let split = mail::split(&bytes);
        if split.is_empty() {
            return Err(Error::PatchUnreadable {
                origin: path.display().to_string(),
                problem: "it is empty: there is no mail in it".into(),
            });
        }
        let several = split.len() > 1;
        for (n, mail) in split.into_iter().enumerate() {
            let origin = if several {
                format!("{}#{}", path.display(), n + 1)
            } else {
                path.display().to_string()
            };
            mails.push(Input {
                origin,
                bytes: match keep_cr {
                    true => mail.to_vec(),
                    false => without_crs(mail),
                },
            });
        }
    }
    Ok(mails)
}

/// The mail without the carriage return of each line that ends in CRLF, as `git am`
/// reads a mail (its `mailsplit`) unless told to keep them: mail transport adds them. A
/// CRLF file's CRs survive inside base 64 or quoted-printable (as `git format-patch`
/// writes such a file's patch when asked, and `patch export` does), or with `--keep-cr`.
fn without_crs(mail: &[u8]) -> Vec<u8> {
    mail.split_inclusive(|b| *b == b'\n')
        .flat_map(|l| match l.strip_suffix(b"\r\n") {
            Some(line) => [line, b"\n"],
            None => [l, b""],
        })
        .flatten()
        .copied()
        .collect()
}

/// `git format-patch --cover-letter` writes it; it carries no change to apply.
const COVER_LETTER: &str = "0000-cover-letter.patch";

/// The patch files of a directory, with their content.
fn series_in(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut patches: Vec<String> = std::fs::read_dir(dir)
        .io_context("could not read", dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".patch") && name != COVER_LETTER)
        .collect();
    patches.sort();
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.exists() {
        if patches.is_empty() {
            return Err(Error::NoPatches {
                dir: dir.to_path_buf(),
            });
        }
        return patches
            .into_iter()
            .map(|name| {
                let path = dir.join(name);
                let bytes = std::fs::read(&path).io_context("could not read", &path)?;
                Ok((path, bytes))
            })
            .collect();
    }
    let unreadable = |problem: String| Error::PatchUnreadable {
        origin: manifest_path.display().to_string(),
        problem,
    };
    let text = std::fs::read(&manifest_path).io_context("could not read", &manifest_path)?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|err| unreadable(err.to_string()))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(unreadable(format!(
            "its format is `{}`, this git-hotfix reads `{MANIFEST_FORMAT}`",
            manifest.format
        )));
    }
    let listed: Vec<&str> = manifest.patches.iter().map(|p| p.file.as_str()).collect();
    let others: Vec<String> = patches
        .into_iter()
        .filter(|name| !listed.contains(&name.as_str()))
        .collect();
    if !others.is_empty() {
        return Err(Error::OtherPatches {
            dir: dir.to_path_buf(),
            files: others,
        });
    }
    if manifest.patches.is_empty() {
        return Err(unreadable("it lists no patch".into()));
    }
    let mut series = Vec::new();
    for entry in &manifest.patches {
        // The manifest names files next to it, nothing else.
        if entry.file.contains(['/', '\\']) || entry.file.starts_with('.') {
            return Err(unreadable(format!("`{}` is not a file name", entry.file)));
        }
        let path = dir.join(&entry.file);
        let bytes = std::fs::read(&path).io_context("could not read", &path)?;
        let actual = sha256(&bytes);
        if actual != entry.sha256 {
            return Err(Error::PatchChecksum {
                file: path,
                expected: entry.sha256.clone(),
                actual,
            });
        }
        series.push((path, bytes));
    }
    Ok(series)
}

/// The branch a run goes onto, and its tip.
fn target(repo: &Repo, onto: Option<&str>) -> Result<(String, ObjectId)> {
    match onto {
        Some(branch) => Ok((
            branch.to_string(),
            repo.require_branch(branch, BranchRole::PatchTarget)?,
        )),
        None => repo.current_branch(),
    }
}

/// Where the run's journal and its copy of the mails live.
fn journal_dir(repo: &Repo) -> PathBuf {
    repo.common_dir().join("hotfix").join("apply")
}

fn journal_path(repo: &Repo) -> PathBuf {
    journal_dir(repo).join("current.json")
}

fn mails_dir(repo: &Repo) -> PathBuf {
    journal_dir(repo).join("current")
}

fn mail_path(repo: &Repo, index: usize) -> PathBuf {
    mails_dir(repo).join(format!("{:04}.patch", index + 1))
}

/// The stopped run, if any.
pub fn load(repo: &Repo) -> Result<Option<PatchRun>> {
    journal::read_json(&journal_path(repo), SCHEMA)
}

fn save(repo: &Repo, run: &PatchRun) -> Result<()> {
    journal::write_json(&journal_path(repo), run)
}

/// Keep the mails with the journal, so a stopped run does not depend on the files it was
/// given (they may be moved or edited before `continue`).
fn save_mails(repo: &Repo, mails: &[Vec<u8>]) -> Result<()> {
    for (index, mail) in mails.iter().enumerate() {
        let path = mail_path(repo, index);
        if !path.exists() {
            journal::write_atomically(&path, mail)?;
        }
    }
    Ok(())
}

fn load_mails(repo: &Repo, run: &PatchRun) -> Result<Vec<Vec<u8>>> {
    (0..run.patches.len())
        .map(|index| {
            let path = mail_path(repo, index);
            std::fs::read(&path).io_context("could not read the saved patch", &path)
        })
        .collect()
}

/// The saved copy of the mail a run stopped on, for people to read.
pub fn stopped_mail(repo: &Repo, run: &PatchRun) -> Option<PathBuf> {
    run.stopped.as_ref().map(|s| mail_path(repo, s.patch))
}

/// Put a finished (or aborted) run's journal aside for the record, and drop its mails.
fn archive(repo: &Repo, run: &PatchRun, now: Timestamp) -> Result<()> {
    let path = journal_path(repo);
    if !path.exists() {
        return Ok(());
    }
    let name = format!("{}-{}.json", run.branch.replace('/', "-"), now.as_second());
    journal::write_json(&journal_dir(repo).join(name), run)?;
    std::fs::remove_file(&path).io_context("could not remove", &path)?;
    let mails = mails_dir(repo);
    if mails.exists() {
        std::fs::remove_dir_all(&mails).io_context("could not remove", &mails)?;
    }
    Ok(())
}

/// What a run would do, computed in memory: every mail applied until the first that does
/// not apply (its stop names the worktree a real run would make). Writes nothing.
pub fn plan(repo: &Repo, request: &ApplyRequest) -> Result<PatchRun> {
    let (mut run, mails) = prepare(repo, request)?;
    let mem = repo.in_memory();
    apply_pending(repo, &mem, &mut run, &mails)?;
    Ok(run)
}

/// Apply a series: commits in memory, then the branch moved once (and the worktree that
/// has it checked out, which must be clean, updated), or a stop with a resolution worktree.
pub fn run(repo: &Repo, request: &ApplyRequest, now: Timestamp) -> Result<ApplyOutcome> {
    let (mut run, mails) = prepare(repo, request)?;
    let _lock = Store::new(repo).lock()?;
    // Checked again under the lock: another run may have stopped in the meantime.
    ensure_none_stopped(repo)?;
    // Mails a run killed while it was put aside left behind are no one's.
    let stale = mails_dir(repo);
    if stale.exists() {
        std::fs::remove_dir_all(&stale).io_context("could not remove", &stale)?;
    }
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Started {
            base: run.branch.clone(),
            commit: run.tip,
        },
    });
    proceed(repo, run, &mails, now)
}

/// Read and check everything before anything is written: the mails, the branch, and the
/// worktrees that have it checked out.
fn prepare(repo: &Repo, request: &ApplyRequest) -> Result<(PatchRun, Vec<Vec<u8>>)> {
    ensure_none_stopped(repo)?;
    let keep_cr = request
        .keep_cr
        .unwrap_or_else(|| repo.config_bool("am.keepcr").unwrap_or(false));
    let inputs = read_inputs(&request.inputs, keep_cr)?;
    let mut patches = Vec::new();
    for input in &inputs {
        let parsed = parse_input(&input.origin, &input.bytes)?;
        patches.push(Patch {
            origin: input.origin.clone(),
            subject: parsed.mail.subject,
            status: Status::Pending,
            commit: None,
            merged: false,
        });
    }
    let (branch, tip) = target(repo, request.onto.as_deref())?;
    crate::git::worktree::ensure_clean_on(repo, &branch)?;
    let run = PatchRun {
        schema: SCHEMA,
        branch,
        tip,
        three_way: request.three_way,
        patches,
        stopped: None,
        result: None,
        events: Vec::new(),
        steps: Steps::default(),
    };
    Ok((run, inputs.into_iter().map(|i| i.bytes).collect()))
}

/// One stopped run at a time: its journal and worktree have one place each.
fn ensure_none_stopped(repo: &Repo) -> Result<()> {
    match load(repo)? {
        Some(run) => Err(Error::PatchRunStopped { branch: run.branch }),
        None => Ok(()),
    }
}

/// What the resolution worktree of a stop is made with, beyond the stop itself.
struct ForWorktree {
    /// The stopped mail's commit message.
    message: String,
    /// The `.rej` files to leave there: path and content.
    rejects: Vec<(String, Vec<u8>)>,
}

/// Apply the pending mails in order onto the last commit made, in `mem`, until one does
/// not apply: that one is marked stopped and the run's stop set (its worktree not made:
/// what it needs comes back).
fn apply_pending(
    repo: &Repo,
    mem: &Repo,
    run: &mut PatchRun,
    mails: &[Vec<u8>],
) -> Result<Option<ForWorktree>> {
    for (index, mail) in mails.iter().enumerate() {
        if run.patches[index].status != Status::Pending {
            continue;
        }
        let parsed = parse_input(&run.patches[index].origin, mail)?;
        let onto = run.last_commit();
        let patch = &mut run.patches[index];
        match apply_one(mem, onto, &parsed, run.three_way)? {
            One::Commit { commit, merged } => {
                patch.status = Status::Applied;
                patch.commit = Some(commit);
                patch.merged = merged;
            }
            One::Empty => patch.status = Status::Empty,
            One::Stop(stopping) => {
                patch.status = Status::Stopped;
                run.stopped = Some(Stop {
                    patch: index,
                    onto,
                    worktree: resolve::path_for(repo, "apply", &run.branch),
                    resolving: stopping.resolving,
                    failures: stopping.failures,
                    conflicts: stopping.conflicts,
                    rejects: stopping.rejects.iter().map(|(p, _)| p.clone()).collect(),
                    no_three_way: stopping.no_three_way,
                });
                return Ok(Some(ForWorktree {
                    message: parsed.mail.message(),
                    rejects: stopping.rejects,
                }));
            }
        }
    }
    Ok(None)
}

/// What applying one mail gave.
enum One {
    Commit { commit: ObjectId, merged: bool },
    Empty,
    Stop(Stopping),
}

/// Why a mail stops the run, and what its worktree starts from.
struct Stopping {
    resolving: Resolving,
    failures: Vec<Failure>,
    conflicts: Vec<String>,
    /// The `.rej` files for what did not apply: path and content (none after a merge).
    rejects: Vec<(String, Vec<u8>)>,
    no_three_way: Option<String>,
}

fn apply_one(mem: &Repo, onto: ObjectId, parsed: &Parsed, three_way: bool) -> Result<One> {
    let ours = mem.tree_of(onto)?;
    let rejected = match apply::apply(mem, ours, &parsed.files)? {
        Applied::Clean { tree } => return committed(mem, &parsed.mail, onto, ours, tree, false),
        Applied::Rejected(rejected) => rejected,
        Applied::Refused(failure) => {
            return Err(Error::PatchRefused {
                origin: parsed.origin.clone(),
                failure: failure.to_string(),
            });
        }
    };
    // Without a merge, the person gets what applied and a `.rej` file for the rest.
    let mut stop = Stopping {
        resolving: Resolving::Patch {
            base: ours,
            theirs: rejected.partial,
        },
        failures: rejected.failures,
        conflicts: Vec::new(),
        rejects: rejected.rejects,
        no_three_way: None,
    };
    if !three_way {
        return Ok(One::Stop(stop));
    }
    let base = match ancestor(mem, ours, &parsed.files)? {
        Ok(base) => base,
        Err(why) => {
            stop.no_three_way = Some(why);
            return Ok(One::Stop(stop));
        }
    };
    let theirs = match apply::apply(mem, base, &parsed.files)? {
        Applied::Clean { tree } => tree,
        Applied::Rejected(_) | Applied::Refused(_) => {
            stop.no_three_way =
                Some("the patch does not apply to the blobs its `index` lines name".into());
            return Ok(One::Stop(stop));
        }
    };
    let labels = Labels {
        ours: "HEAD",
        theirs: &parsed.mail.subject,
    };
    let merged = crate::git::merge::three_way(mem, base, ours, theirs, &labels)?;
    if !merged.conflicts.is_empty() {
        stop.conflicts = merged.conflicts;
        stop.resolving = Resolving::Patch { base, theirs };
        stop.rejects.clear();
        return Ok(One::Stop(stop));
    }
    committed(mem, &parsed.mail, onto, ours, merged.tree, true)
}

/// The commit of a mail whose change gave `tree`; none when it changes nothing.
fn committed(
    mem: &Repo,
    mail: &Mail,
    onto: ObjectId,
    ours: ObjectId,
    tree: ObjectId,
    merged: bool,
) -> Result<One> {
    if tree == ours {
        return Ok(One::Empty);
    }
    let commit = commit_mail(mem, mail, tree, onto)?;
    Ok(One::Commit { commit, merged })
}

/// `git am -3`'s ancestor: `ours` with each patched file as its `index` line says it was
/// (created files absent). `Err` says why there is none: a blob this repository lacks.
fn ancestor(
    repo: &Repo,
    ours: ObjectId,
    files: &[FilePatch],
) -> Result<std::result::Result<ObjectId, String>> {
    let context = || "could not build the three-way ancestor".to_string();
    let mut editor = repo.git.edit_tree(ours).context(context)?;
    for file in files {
        if let Some(old_path) = &file.old_path {
            match &file.old_id {
                Some(hex) => {
                    let Some(id) = blob_named(repo, hex) else {
                        return Ok(Err(format!(
                            "this repository lacks blob {hex} ({old_path} before the patch)"
                        )));
                    };
                    let kind = match &file.old_mode {
                        Some(mode) => apply::kind_of(mode),
                        None => apply::entry_at(repo, ours, old_path)?
                            .map_or(gix::objs::tree::EntryKind::Blob, |e| e.kind),
                    };
                    editor
                        .upsert(old_path.as_str(), kind, id)
                        .context(context)?;
                }
                // A rename or mode change without an `index` line: the file as it is here.
                None if apply::entry_at(repo, ours, old_path)?.is_some() => {}
                None => {
                    return Ok(Err(format!(
                        "{old_path} is not here and its patch names no blob"
                    )));
                }
            }
        }
        if let Some(new_path) = &file.new_path
            && file.old_path.as_ref() != Some(new_path)
        {
            editor.remove(new_path.as_str()).context(context)?;
        }
    }
    Ok(Ok(editor.write().context(context)?.detach()))
}

/// The blob an `index` line names (abbreviated or full), if this repository has it.
fn blob_named(repo: &Repo, hex: &str) -> Option<ObjectId> {
    let id = repo.git.rev_parse_single(hex).ok()?.detach();
    repo.git.find_blob(id).ok().map(|_| id)
}

/// The commit of a mail: its author, date and message, the configured committer.
fn commit_mail(repo: &Repo, mail: &Mail, tree: ObjectId, parent: ObjectId) -> Result<ObjectId> {
    let author = gix::actor::Signature {
        name: mail.author_name.as_str().into(),
        email: mail.author_email.as_str().into(),
        time: gix::date::Time {
            seconds: mail.date.0,
            offset: mail.date.1,
        },
    };
    crate::git::merge::commit_as(repo, &author, &mail.message(), tree, [parent])
}

/// Apply what is pending (in memory), then stop with a worktree, or move the branch.
fn proceed(
    repo: &Repo,
    mut run: PatchRun,
    mails: &[Vec<u8>],
    now: Timestamp,
) -> Result<ApplyOutcome> {
    let mem = repo.in_memory();
    let stopped = apply_pending(repo, &mem, &mut run, mails)?;
    repo.keep_objects(mem)?;
    if let Some(for_worktree) = stopped {
        stop(repo, &mut run, mails, for_worktree, now)?;
        return Ok(ApplyOutcome::Stopped { run });
    }
    let tip = run.last_commit();
    run.result = Some(tip);
    if tip != run.tip && run.steps.0.is_empty() {
        let branch = format!("{BRANCH_PREFIX}{}", run.branch);
        crate::git::worktree::ensure_clean_on(repo, &run.branch)?;
        for worktree in repo.worktrees_on(&run.branch)? {
            crate::git::worktree::ensure_can_follow(&worktree.path, run.tip, tip)?;
        }
        run.steps.add(Step::Refs {
            edits: vec![Edit {
                name: branch,
                old: Some(Value::Object(run.tip)),
                new: Some(Value::Object(tip)),
            }],
            message: format!("hotfix patch apply: {}", run.patches.len()),
        });
        for worktree in repo.worktrees_on(&run.branch)? {
            run.steps.add(Step::Checkout {
                worktree: repo.recorded_worktree(&worktree.path),
                from: run.tip,
                to: tip,
                branch: Some(run.branch.clone()),
            });
        }
        // From here on the run is journaled, with its mails, for `continue` and `abort`.
        save_mails(repo, mails)?;
        save(repo, &run)?;
    }
    if let Err(err) = engine::run(repo, &mut run) {
        run.events.push(journal::Event {
            at: now,
            what: EventKind::Stopped {
                command: "patch apply".into(),
                reason: err.to_string(),
            },
        });
        save(repo, &run)?;
        return Err(err);
    }
    let moved: Vec<_> = run.steps.moved().map(Edit::to_move).collect();
    if !moved.is_empty() {
        run.events.push(journal::Event {
            at: now,
            what: EventKind::RefsMoved { refs: moved },
        });
    }
    archive(repo, &run, now)?;
    Ok(ApplyOutcome::Done { run })
}

/// Make the resolution worktree of the run's stop and save the run with its mails.
fn stop(
    repo: &Repo,
    run: &mut PatchRun,
    mails: &[Vec<u8>],
    for_worktree: ForWorktree,
    now: Timestamp,
) -> Result<()> {
    let stop = run.stopped.as_ref().expect("stopped");
    let patch = &run.patches[stop.patch];
    // A worktree left by a run killed while making it is replaced.
    resolve::remove(repo, &stop.worktree)?;
    resolve::create(
        repo,
        &stop.worktree,
        stop.onto,
        &stop.resolving,
        &Labels {
            ours: "HEAD",
            theirs: &patch.subject,
        },
        &for_worktree.message,
    )?;
    // What did not apply, as `git apply --reject` leaves it — unless the tree has a file
    // (or a link) of that name: the hunks are in the saved mail then.
    let mut left = Vec::new();
    for (path, content) in &for_worktree.rejects {
        if resolve::leave_file(&stop.worktree, path, content)? {
            left.push(path.clone());
        }
    }
    let reason = stop
        .failures
        .first()
        .map_or_else(|| "it does not apply".into(), ToString::to_string);
    let event = journal::Event {
        at: now,
        what: EventKind::Stopped {
            command: "patch apply".into(),
            reason: format!("{}: {reason}", patch.origin),
        },
    };
    run.stopped.as_mut().expect("stopped").rejects = left;
    run.events.push(event);
    save_mails(repo, mails)?;
    save(repo, run)
}

/// `continue`, `skip` and `abort` of a `patch apply`: what is its own of them.
impl Resumable for PatchRun {
    type Key = ();
    type Outcome = ApplyOutcome;
    /// The time.
    type With<'a> = Timestamp;

    fn key(&self) {}

    fn reload(self, repo: &Repo) -> Result<Option<PatchRun>> {
        load(repo)
    }

    fn waiting_in(repo: &Repo, _: &()) -> Option<PathBuf> {
        load(repo).ok().flatten()?.stopped.map(|s| s.worktree)
    }

    fn waits_in(&self) -> Option<PathBuf> {
        self.stopped.as_ref().map(|s| s.worktree.clone())
    }

    /// What was staged (or committed) in the worktree becomes the stopped mail's commit;
    /// refused while a reject file is left or nothing is staged.
    fn take_resolution(&mut self, repo: &Repo) -> Result<()> {
        let Some(stop) = &self.stopped else {
            return Ok(());
        };
        let left: Vec<String> = stop
            .rejects
            .iter()
            .filter(|r| stop.worktree.join(r).exists())
            .cloned()
            .collect();
        if !left.is_empty() {
            return Err(Error::RejectsLeft {
                worktree: stop.worktree.clone(),
                files: left,
            });
        }
        let mails = load_mails(repo, self)?;
        let parsed = parse_input(&self.patches[stop.patch].origin, &mails[stop.patch])?;
        let mem = repo.in_memory();
        let ours = mem.tree_of(stop.onto)?;
        let commit = resolve::read(&mem, &stop.worktree, stop.onto, &stop.resolving, |tree| {
            if tree == ours {
                return Err(Error::NothingStaged {
                    worktree: stop.worktree.clone(),
                });
            }
            commit_mail(&mem, &parsed.mail, tree, stop.onto)
        })?;
        repo.keep_objects(mem)?;
        let stop = self.stopped.take().expect("stopped");
        let patch = &mut self.patches[stop.patch];
        patch.status = Status::Applied;
        patch.commit = Some(commit);
        save(repo, self)
    }

    fn leave_out(&mut self, repo: &Repo) -> Result<()> {
        if let Some(stop) = self.stopped.take() {
            self.patches[stop.patch].status = Status::Skipped;
            save(repo, self)?;
        }
        Ok(())
    }

    fn proceed(self, repo: &Repo, now: Timestamp) -> Result<ApplyOutcome> {
        let mails = load_mails(repo, &self)?;
        proceed(repo, self, &mails, now)
    }

    fn before_undo(&mut self, _repo: &Repo) -> Result<()> {
        self.stopped = None;
        Ok(())
    }

    /// The branch is back where it was; the record is put aside and its mails dropped.
    fn aborted(mut self, repo: &Repo, undone: &[Undone], now: Timestamp) -> Result<()> {
        self.events.push(journal::Event {
            at: now,
            what: aborted_event("patch apply", undone),
        });
        archive(repo, &self, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_loses_its_carriage_return_as_git_am_reads_a_mail() {
        assert_eq!(
            without_crs(b"From: a\r\n\r\n-x\r\n+y\r\n"),
            b"From: a\n\n-x\n+y\n"
        );
        assert_eq!(
            without_crs(b"From: a\n\n x\n+y\r\n"),
            b"From: a\n\n x\n+y\n"
        );
        // The last line need not end in a newline, and a CR elsewhere stays.
        assert_eq!(without_crs(b"a\rb\r\nc\r"), b"a\rb\nc\r");
    }
}
