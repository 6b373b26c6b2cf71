//! The errors of the core, each carrying what a user needs to act on it.

use std::path::PathBuf;

/// Everything that can stop a core operation.
///
/// Variants name the thing (the ref, the path, the version); the CLI adds the way out and
/// chooses the exit code, so the wording here stays free of command-line advice.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository: {}", path.display())]
    NotARepository { path: PathBuf },

    #[error("this is a bare repository: it has no worktree to {action}")]
    BareRepository { action: &'static str },

    #[error("HEAD is unborn: branch `{branch}` has no commits yet")]
    UnbornHead { branch: String },

    #[error("HEAD is detached at {commit}: not on a branch")]
    DetachedHead { commit: String },

    #[error("the worktree at {} has local changes: {}", worktree.display(), files_list(files))]
    DirtyWorktree {
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("branch `{name}` already exists")]
    BranchExists { name: String },

    #[error("the {role} branch `{name}` does not exist")]
    MissingBranch {
        name: String,
        role: crate::foundation::names::BranchRole,
    },

    #[error("tag `{name}` already exists")]
    TagExists {
        name: String,
        suggestion: Option<String>,
    },

    #[error("{version} is lower than {newest}, the newest release of its line")]
    VersionBelowReleased { version: String, newest: String },

    #[error(
        "{newest} reached production after {ticket} started: releasing {version} now would put it out older than what runs"
    )]
    VersionSuperseded {
        ticket: String,
        version: String,
        newest: String,
        suggestion: String,
    },

    #[error(
        "{tag} was released since the hotfix started, and merging {branch} into it conflicts in {}",
        paths.join(", ")
    )]
    OntoConflicts {
        tag: String,
        branch: String,
        paths: Vec<String>,
    },

    #[error(
        "{release} lacks {missing}, an earlier release of its line that `{remote}` has: it is not published"
    )]
    LacksRelease {
        release: String,
        missing: String,
        remote: String,
    },

    #[error("`{item}` at {at} would be before the incident was detected ({detected})")]
    BeforeDetection {
        item: String,
        at: String,
        detected: String,
    },

    #[error("{}", match (asked, roles.is_empty()) {
        (_, true) => "there is no escalation ladder to tick: `[[escalation]]` in .hotfix.toml names who is called in when".to_string(),
        (Some(asked), false) => format!("`{asked}` is not on the escalation ladder ({})", roles.join(", ")),
        (None, false) => format!("every escalation is ticked already ({})", roles.join(", ")),
    })]
    NotOnLadder {
        asked: Option<String>,
        roles: Vec<String>,
    },

    #[error("git-hotfix ticked `{item}` itself; only a tick given with `check` can be taken back")]
    TickedByWorkflow { item: &'static str },

    #[error("{environment} runs {version}, which no hotfix released (a rollback put it back)")]
    RunsNoHotfix {
        environment: String,
        version: String,
    },

    #[error("{release} would go out older than {newer}, which `{remote}` has released without it")]
    OlderThanReleased {
        release: String,
        newer: String,
        remote: String,
        suggestion: String,
    },

    #[error("the fix of {ticket} is released already: {tag} holds all of it")]
    FixReleased { ticket: String, tag: String },

    #[error(
        "finishing {ticket} this way would release {version} nowhere: no tag is made and no branch receives the fix ({why})"
    )]
    ReleasedNowhere {
        ticket: String,
        version: String,
        why: String,
    },

    #[error(
        "{branch} moved since {ticket} started ({ahead} commit{s} the hotfix does not have), and a fast-forward-only finish makes no merge commit",
        s = if *ahead == 1 { "" } else { "s" }
    )]
    NotFastForward {
        ticket: String,
        branch: String,
        ahead: usize,
    },

    #[error(
        "the pull request of {ticket} carries the release commit of {version}: the version cannot change under it"
    )]
    ProposedVersion { ticket: String, version: String },

    #[error(
        "{ticket} was tagged {tag} by `git hotfix tag`: its version cannot change under the tag"
    )]
    TaggedVersion { ticket: String, tag: String },

    #[error("the finish of {ticket} cannot be taken back: {why}")]
    FinishPublished { ticket: String, why: String },

    /// `changes`: each setting that differs, old → new, as a line.
    #[error("{ticket} changes the team's settings in {}, which a finish puts into production", files.join(", "))]
    SettingsChange {
        ticket: String,
        files: Vec<String>,
        changes: Vec<String>,
    },

    #[error("`{branch}` is checked out in {}", worktree.display())]
    BranchCheckedOut { branch: String, worktree: PathBuf },

    #[error("`{branch}` holds {} commit{} that no other branch or tag has ({})", commits.len(), if commits.len() == 1 { "" } else { "s" }, commits.join(", "))]
    OnlyHolder {
        branch: String,
        commits: Vec<String>,
    },

    #[error("no tag matching `{pattern}` is reachable from {from}{}", if ignored.is_empty() { String::new() } else { format!(" (not semver, left out: {})", ignored.join(", ")) })]
    NoVersionTag {
        pattern: String,
        from: String,
        /// Tags that follow the pattern but are not semver.
        ignored: Vec<String>,
    },

    #[error(
        "{commit} is a merge of {parents} parents: say which parent's side to pick with --mainline N"
    )]
    MergeCommit { commit: String, parents: usize },

    #[error("the pull request's commits hold {} merge commit{}: {}", merges.len(), if merges.len() == 1 { "" } else { "s" }, merges.join(", "))]
    MergesInPull { merges: Vec<String> },

    #[error("no branch to backport to{}", if asked.is_empty() { String::new() } else { format!(": nothing matches {}", asked.join(", ")) })]
    NoTargets { asked: Vec<String> },

    #[error(
        "backport branch `{branch}` holds commits that are not {line}'s: the template `{template}` names every line's backport alike, and this one was made for another line"
    )]
    BackportBranchTaken {
        template: String,
        branch: String,
        line: String,
    },

    #[error("the backport branch template `{template}` names the backports to {} alike: `{branch}`", lines.join(" and "))]
    BackportBranchShared {
        template: String,
        branch: String,
        lines: Vec<String>,
    },

    #[error("the {policy} policy refused: {message}")]
    Policy { policy: String, message: String },

    #[error("the {policy} policy failed: {message}")]
    PolicyFailed { policy: String, message: String },

    #[error("the version-files plugin {plugin} answered `{call}` wrongly: {problem}")]
    PolicyAnswer {
        plugin: String,
        call: &'static str,
        problem: String,
    },

    #[error("version file {path} {problem}")]
    VersionFile { path: String, problem: String },

    #[error("changelog {path}: {problem}")]
    Changelog { path: String, problem: String },

    #[error("{path} is a submodule: patches of submodules are not supported")]
    Submodule { path: String },

    #[error("{} has patches that are not part of this series: {}", dir.display(), files.join(", "))]
    OtherPatches { dir: PathBuf, files: Vec<String> },

    #[error("{origin} is refused: {failure}")]
    PatchRefused { origin: String, failure: String },

    #[error("{origin} is not a patch git-hotfix can read: {problem}")]
    PatchUnreadable { origin: String, problem: String },

    #[error("{} has no patch files (*.patch)", dir.display())]
    NoPatches { dir: PathBuf },

    #[error("{} does not match its manifest: its sha256 is {actual}, the manifest says {expected}", file.display())]
    PatchChecksum {
        file: PathBuf,
        expected: String,
        actual: String,
    },

    #[error("a `patch apply` onto `{branch}` is stopped")]
    PatchRunStopped { branch: String },

    #[error("{} still has rejected hunks: {}", worktree.display(), files_list(files))]
    RejectsLeft {
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("nothing is staged in {}: the patch's change is not there", worktree.display())]
    NothingStaged { worktree: PathBuf },

    #[error("`{rev}` does not name a commit")]
    UnknownRevision { rev: String },

    #[error("{what} `{value}` is not a semantic version (expected X.Y.Z)")]
    NotSemver { what: &'static str, value: String },

    #[error("{what} `{value}` cannot be used in a branch name: {reason}")]
    InvalidName {
        what: &'static str,
        value: String,
        reason: String,
        suggestion: Option<String>,
    },

    #[error("feature flag {value:?} cannot be passed to the deploy policy: {reason}")]
    InvalidFlag { value: String, reason: String },

    #[error("`{name}` is not a valid reference name: {reason}")]
    InvalidRefName { name: String, reason: String },

    #[error("product `{name}` is not configured (known: {})", if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownProduct { name: String, known: Vec<String> },

    #[error("{what} is required: this repository configures several products ({})", known.join(", "))]
    ProductRequired {
        what: &'static str,
        known: Vec<String>,
    },

    #[error("no hotfix is in progress for {selector}")]
    NotAHotfix { selector: String },

    #[error("a hotfix for `{ticket}` is already in progress on `{branch}`")]
    HotfixInProgress { ticket: String, branch: String },

    #[error("several hotfixes are in progress ({}): say which one", tickets.join(", "))]
    AmbiguousHotfix { tickets: Vec<String> },

    #[error("{ticket} is not released: only a finished, tagged hotfix can be rolled back")]
    NotReleased { ticket: String },

    #[error("there is nothing of {ticket} to revert: its fix changes nothing in what is released")]
    NothingToRevert { ticket: String },

    #[error("reverting {ticket} on {onto} conflicts in {}", paths.join(", "))]
    RevertConflicts {
        ticket: String,
        onto: String,
        paths: Vec<String>,
    },

    #[error(
        "no incident is open: no hotfix is in progress, and every finished one is verified in production"
    )]
    NoIncident,

    #[error("several runs are stopped ({}): say which", runs.join(", "))]
    AmbiguousRun { runs: Vec<String> },

    #[error("`{branch}` has no commits beyond its base {base}")]
    NothingToFinish { branch: String, base: String },

    #[error("hotfix `{ticket}` has a stopped `{command}` run")]
    RunInProgress { ticket: String, command: String },

    #[error("the checks run in the fix's checkout, and `{branch}` is checked out nowhere")]
    ChecksNowhere { branch: String },

    #[error("the check `{command}` failed on {tip}, so nothing was released: {detail}")]
    CheckFailed {
        command: String,
        tip: String,
        detail: String,
        /// The hotfix branch, where the fix goes.
        branch: String,
    },

    #[error(
        "a step a killed git-hotfix began still runs (process group {group}): another would run beside it"
    )]
    StepStillRunning { group: i32 },

    /// A deploy, verify or rollback a killed git-hotfix began has no recorded end.
    #[error("{said}")]
    DeployCutShort {
        said: String,
        ticket: String,
        environment: String,
        /// `deploy`, `verify` or `rollback`.
        action: &'static str,
        /// What `continue` runs.
        then: &'static str,
    },

    #[error(
        "{ticket} is finished (released {tag} here): `--version` and `--next` choose the version of a hotfix in progress"
    )]
    VersionOfFinished {
        ticket: String,
        tag: String,
        /// Its release never left this clone.
        unpublished: bool,
    },

    #[error("there is no stopped run to {action}")]
    NoStoppedRun { action: &'static str },

    /// `skip` leaves out a backport's line or a mail: a finish has nothing to leave out,
    /// and a deploy step's outcome is not something to skip.
    #[error("the stopped run is {run}{}", if *cut_short { ", cut short: a step's outcome cannot be skipped" } else { ": there is nothing to skip in it" })]
    NothingToSkip { run: String, cut_short: bool },

    #[error("the conflicts in {} are not resolved yet: {}", worktree.display(), files_list(files))]
    UnresolvedConflicts {
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("{} still has conflict markers in {}", worktree.display(), files_list(files))]
    MarkersLeft {
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("{} has changes that are not staged: {}", worktree.display(), files_list(files))]
    UnstagedResolution {
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("HEAD in {} moved to {head}, which is not the merge of {ours} and {theirs}", worktree.display())]
    NotTheMerge {
        worktree: PathBuf,
        head: String,
        ours: String,
        theirs: String,
    },

    #[error("`{name}` moved: expected {expected}, found {actual}")]
    StaleRef {
        name: String,
        expected: String,
        actual: String,
    },

    #[error(
        "`{name}` is at {actual}, neither where the run found it nor where it put it ({expected}): it moved since"
    )]
    CannotUndo {
        name: String,
        expected: String,
        actual: String,
    },

    /// The forge (GitHub) failed a call; the CLI's own error, with its exit code and hints.
    #[error("{0}")]
    Forge(Box<dyn std::error::Error + Send + Sync>),

    #[error("the run's next step is a call to GitHub, and no connection to GitHub was made")]
    ForgeNeeded,

    /// What a port failed with (a policy plugin that would not load, say): the caller's
    /// own error, handed back to it whole.
    #[error("{0}")]
    Port(Box<dyn std::error::Error + Send + Sync>),

    /// The tag is pushed, and GitHub would not publish its release.
    #[error("{source}")]
    ReleaseNotPublished {
        ticket: String,
        #[source]
        source: Box<Error>,
    },

    /// A finish (a proposal, a rollback's) stopped, and its run waits in the journal for
    /// `continue` or `abort`.
    #[error("{source}")]
    RunWaits {
        run: Waiting,
        #[source]
        source: Box<Error>,
    },

    #[error("`--release` publishes the tag on GitHub, and a local finish keeps it here")]
    ReleaseNotPushed,

    #[error("not finished: the settings change was not accepted; nothing was written")]
    SettingsNotAccepted { ticket: String },

    #[error("pull request #{number} is gone from GitHub")]
    PullGone { number: u64 },

    #[error("pull request #{number} {}", if *open { "has not merged yet" } else { "was closed without merging" })]
    PullNotMerged {
        number: u64,
        url: String,
        open: bool,
    },

    #[error(
        "`{remote}` moved `{name}` since the run began: it is at {actual}, where the run expected {expected}"
    )]
    RemoteMoved {
        remote: String,
        name: String,
        expected: String,
        actual: String,
    },

    #[error(
        "`{remote}` keeps what the run pushed: its `{name}` moved on since (it is at {actual}, the run pushed {pushed})"
    )]
    CannotUndoRemote {
        remote: String,
        name: String,
        pushed: String,
        actual: String,
    },

    #[error("`{}` is locked by another git process", path.display())]
    Locked { path: PathBuf },

    /// `doing`: what it is doing, when its journal says (a deploy step under way).
    #[error("another git hotfix is writing to this repository ({})", doing.clone().unwrap_or_else(|| format!("it holds {}", path.display())))]
    Busy {
        path: PathBuf,
        doing: Option<String>,
    },

    #[error("{} is a symbolic link: git-hotfix keeps its records inside the repository and follows no link there", path.display())]
    LinkedRecords { path: PathBuf },

    #[error("`{branch}` is checked out in {} with local changes: {}", worktree.display(), files_list(files))]
    CheckedOutElsewhere {
        branch: String,
        worktree: PathBuf,
        files: Vec<String>,
    },

    #[error("`{branch}` and `{remote}/{branch}` have diverged: each has commits the other lacks")]
    Diverged { branch: String, remote: String },

    #[error("GIT_CONFIG_PARAMETERS (git's `-c` settings) cannot be read: {problem}")]
    ConfigParameters { problem: String },

    #[error("no committer identity is configured (user.name and user.email)")]
    NoIdentity,

    #[error("{path} already exists")]
    FileExists { path: PathBuf },

    #[error("the push to `{remote}` was rejected: {}", rejected.iter().map(|(r, why)| format!("{r} ({why})")).collect::<Vec<_>>().join(", "))]
    PushRejected {
        remote: String,
        rejected: Vec<(String, String)>,
    },

    #[error("`{remote}` has a tag `{name}` that is not the local one")]
    TagOnRemote { name: String, remote: String },

    #[error("no remote named `{remote}` is configured")]
    UnknownRemote { remote: String },

    #[error("the push to `{remote}` failed: {message}")]
    PushFailed { remote: String, message: String },

    #[error("could not fetch `{what}` from `{remote}`: {message}")]
    FetchFailed {
        remote: String,
        what: String,
        message: String,
    },

    #[error(
        "pull request #{number} merged as {}, which `{tracking}` does not hold",
        crate::foundation::oid::short(*commit)
    )]
    MergeNotOnBase {
        number: u64,
        commit: gix::ObjectId,
        tracking: String,
    },

    #[error("`{branch}` holds {count} commit{} that `{remote}` lacks{}", if *count == 1 { "" } else { "s" }, match held_by {
        Some(Unpushed::Stopped(ticket)) => format!(": the release of {ticket}, whose run stopped before its push"),
        Some(Unpushed::Finished(ticket)) => format!(": the release of {ticket}, finished without `--push`"),
        None => String::new(),
    })]
    AheadOfRemote {
        branch: String,
        remote: String,
        count: usize,
        held_by: Option<Unpushed>,
    },

    #[error("`{branch}` on `{remote}` has commits the local branch lacks ({})", crate::foundation::oid::short(*remote_tip))]
    BehindRemote {
        branch: String,
        remote: String,
        remote_tip: gix::ObjectId,
    },

    #[error(
        "no branch to open the pull request into: {version} is older than production's {newest}, and no maintained release branch of its line was found"
    )]
    NoPullBase { version: String, newest: String },

    #[error("hotfix {ticket} has no pull request: `finish --after-merge` follows `finish --pr`")]
    NotProposed { ticket: String },

    #[error("could not check out `{target}` in {}: {reason}", worktree.display())]
    CheckoutFailed {
        target: String,
        worktree: PathBuf,
        reason: String,
    },

    #[error("`{command}` failed: {stderr}")]
    GitCommand { command: String, stderr: String },

    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error("the journal {} is unreadable: {reason}", path.display())]
    Journal { path: PathBuf, reason: String },

    #[error("the hotfix record in the pull request's body cannot be used: {reason}")]
    CarriedRecord { reason: String },

    #[error("{context}")]
    Git {
        context: String,
        #[source]
        source: gix::Error,
    },

    #[error("{context}: {}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn files_list(files: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut text = files
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        text.push_str(&format!(" and {} more", files.len() - SHOWN));
    }
    text
}

/// Attach a sentence of context to a gix failure.
pub(crate) trait GitContext<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<gix::Error>> GitContext<T> for std::result::Result<T, E> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Git {
            context: context(),
            source: source.into(),
        })
    }
}

pub(crate) trait IoContext<T> {
    fn io_context(self, context: &'static str, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_context(self, context: &'static str, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| Error::Io {
            context,
            path: path.into(),
            source,
        })
    }
}

/// A setting that could not be used, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ConfigError {
    pub location: Location,
    /// The dotted key (`products.api.tag-pattern`), when one is to blame.
    pub key: Option<String>,
    pub message: String,
}

/// Which run waits after [`Error::RunWaits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// `finish --pr`'s: going on never opens two pull requests.
    Proposal,
    /// A rollback's, its hotfix included.
    Rollback,
    /// A backport's, its branches made and not pushed.
    BackportPush,
    /// A backport's, some of its pull requests opened.
    BackportPulls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File {
        origin: String,
        line: usize,
        column: usize,
    },
    GitConfig {
        file: Option<PathBuf>,
    },
    Flag,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File {
                origin,
                line,
                column,
            } => write!(f, "{origin}, line {line}, column {column}"),
            Location::GitConfig { file: Some(file) } => {
                write!(f, "git config {}", file.display())
            }
            Location::GitConfig { file: None } => f.write_str("git config"),
            Location::Flag => f.write_str("--config"),
        }
    }
}

/// Whose unpushed release a branch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpushed {
    /// A hotfix whose finish stopped (or was cut short) before its push.
    Stopped(String),
    /// A hotfix finished without `--push`.
    Finished(String),
}
