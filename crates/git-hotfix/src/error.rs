//! The CLI's one error type: whose fault it is, the way out, and the exit code.

use std::process::ExitCode;

use git_hotfix_core::Error as Core;
use git_hotfix_core::foundation::error::{ConfigError, Location, Waiting};
use git_hotfix_core::foundation::names::BranchRole;

/// Exit codes, as docs/exit-codes.md lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    Ok = 0,
    Error = 1,
    Usage = 2,
    /// Stopped on a conflict: `continue`, `abort`.
    Conflict = 3,
    /// Refused by a policy.
    Policy = 4,
    /// The remote or the forge failed.
    Remote = 5,
    /// git, the filesystem or git-hotfix itself failed: not the user's doing (the causes
    /// say what failed).
    Internal = 6,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug)]
pub struct CommandError {
    pub exit: Exit,
    pub message: String,
    /// What led to it, outermost first: the error's source chain (`caused by:` lines).
    pub causes: Vec<String>,
    pub hints: Vec<String>,
    /// The run the failure left waiting in this clone, for `continue` or `abort` (the
    /// hints say so; where the clone is thrown away, as on a CI runner, they are no way on).
    pub waiting: Option<Waiting>,
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A forge failure travels through the core's engine as its source, and comes back whole.
impl std::error::Error for CommandError {}

impl CommandError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CommandError {
            exit,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
            waiting: None,
        }
    }

    /// Caused by `err`, and what caused it in turn.
    pub fn caused_by(mut self, err: &dyn std::error::Error) -> Self {
        let (message, causes) = chain(err);
        self.causes.push(message);
        self.causes.extend(causes);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }
}

impl From<git_hotfix_github::Error> for CommandError {
    fn from(err: git_hotfix_github::Error) -> Self {
        use git_hotfix_github::Error as G;
        let (message, causes) = chain(&err);
        let (exit, hint) = match &err {
            G::NoToken { .. } => (
                Exit::Error,
                "create a token with `repo` scope (or `contents` and `pull_requests` write) and export it as GITHUB_TOKEN",
            ),
            G::MalformedToken { .. } => (
                Exit::Error,
                "copy the token again, without spaces or quotes",
            ),
            G::BadRepository { .. } => (
                Exit::Error,
                "write it `owner/name` in `[github] repository` or `-c github.repository=owner/name`",
            ),
            G::BadApiUrl { .. } => (
                Exit::Error,
                "set GITHUB_API_URL or `[github] api-url` to the API's root, e.g. https://github.example.com/api/v3",
            ),
            G::Unreachable { .. } => (
                Exit::Remote,
                "check the network and GITHUB_API_URL, then run the same command again: what was done is kept",
            ),
            G::Unauthorized { .. } => (
                Exit::Remote,
                "make a new token and export it as GITHUB_TOKEN (or `gh auth login`)",
            ),
            G::Forbidden { .. } | G::NoPushPermission { .. } => (
                Exit::Remote,
                "give the token that permission (or use one that has it), then run the same command again",
            ),
            G::NotFound { .. } => (
                Exit::Remote,
                "check `[github] repository`; GitHub also answers 404 when the token cannot see a private repository",
            ),
            G::Invalid { .. } | G::Refused { .. } => (
                Exit::Remote,
                "fix what GitHub names, then run the same command again",
            ),
            G::RateLimited { .. } | G::Server { .. } | G::Unexpected { .. } => (
                Exit::Remote,
                "run the same command again later: what was done is kept, and nothing is done twice",
            ),
        };
        CommandError {
            causes,
            ..CommandError::new(exit, message).hint(hint)
        }
    }
}

impl From<Core> for CommandError {
    fn from(err: Core) -> Self {
        let err = match err {
            Core::Forge(inner) => match inner.downcast::<CommandError>() {
                Ok(command) => return *command,
                Err(other) => Core::Forge(other),
            },
            Core::Port(inner) => match inner.downcast::<CommandError>() {
                Ok(command) => return *command,
                Err(other) => Core::Port(other),
            },
            Core::RunWaits { run, source } => {
                let mut err = CommandError::from(*source);
                let hint = match run {
                    Waiting::Proposal => {
                        err.hints.clear();
                        "`git hotfix continue` goes on from where it stopped (it never opens two pull requests); `git hotfix abort` takes the run back"
                    }
                    Waiting::Rollback if !err.hints.is_empty() => "",
                    Waiting::Rollback => {
                        "`git hotfix continue` goes on with the rollback; `git hotfix abort` takes all of it back"
                    }
                    Waiting::BackportPush => {
                        "the backport branches are made; `git hotfix continue` pushes them and opens the pull requests"
                    }
                    Waiting::BackportPulls => {
                        "the pull requests opened so far are kept; `git hotfix continue` opens the ones left"
                    }
                };
                if !hint.is_empty() {
                    err.hints.push(hint.into());
                }
                err.waiting = Some(run);
                return err;
            }
            Core::ReleaseNotPublished { ticket, source } => {
                return CommandError::from(*source).hint(format!(
                    "the tag is pushed; `git hotfix finish --release --hotfix {ticket}` publishes its release"
                ));
            }
            err => err,
        };
        let (message, causes) = chain(&err);
        let error = |hint: &str| CommandError::new(Exit::Error, message.clone()).hint(hint);
        let command = match &err {
            Core::NotARepository { .. } => {
                error("run it inside a git repository (or create one with `git init`)")
            }
            Core::BareRepository { .. } => error(
                "in a bare repository, create the branch only (`--no-checkout`) or check it out elsewhere (`--worktree <path>`)",
            ),
            Core::UnbornHead { .. } => error("make a first commit, then start the hotfix"),
            Core::DetachedHead { .. } => error(
                "switch to the hotfix branch (`git switch <branch>`) or name the hotfix with `--hotfix <ticket>`",
            ),
            Core::DirtyWorktree { .. } => {
                error("commit or stash them (`git stash --include-untracked`), then run this again")
            }
            Core::BranchExists { name } => error(&format!(
                "finish or delete it (`git branch -D {name}`), or choose another ticket or description"
            )),
            Core::MissingBranch { role, name } => error(&match role {
                BranchRole::Production => "create it, or name the right one with `production-branch` in .hotfix.toml (or `-c production-branch=<name>`)".to_string(),
                BranchRole::Develop => "create it, name the right one with `develop-branch`, or finish with `--no-backmerge`".to_string(),
                BranchRole::ReleaseLine => "create it again, or start the hotfix from a tag".to_string(),
                BranchRole::PatchTarget => format!(
                    "create it (`git branch {name} <start>`), or name another with `--onto`"
                ),
                BranchRole::Hotfix => format!(
                    "it was deleted outside git hotfix: recreate it at the fix (`git branch {name} <commit>`; `git reflog` lists recent commits), or end the hotfix with `git hotfix abandon --hotfix <ticket>`"
                ),
            }),
            Core::TagExists {
                suggestion: Some(next),
                ..
            } => error(&format!("choose another version, e.g. `--version {next}`")),
            Core::TagExists { .. } => error("choose another version with `--version X.Y.Z`"),
            Core::VersionBelowReleased { .. } => error(
                "choose a version above it, or add `--allow-older-version` if this release is meant to go out older",
            ),
            Core::VersionSuperseded { suggestion, .. } => error(&format!(
                "re-version the hotfix: `git hotfix finish --version {suggestion}` (or `--next`)"
            )),
            Core::OntoConflicts { tag, branch, .. } => error(&format!(
                "the release must hold {tag}: merge it into the branch yourself (`git switch {branch} && git merge {tag}`), resolve and commit, then run it again — or `git hotfix finish`, which stops for the resolution"
            )),
            Core::LacksRelease {
                release, missing, ..
            } => CommandError::new(Exit::Remote, message.clone()).hint(format!(
                "{missing} was released since {release} was made here: a release holds every earlier release of its line, so this one cannot go out as it is; never pushed, it can be remade — `git tag -d {release}`, merge {missing} into the branch it was released on, and tag that (`git tag -a {release}`)"
            )),
            Core::NotOnLadder { roles, .. } => CommandError::usage(message.clone()).hint(
                match roles.is_empty() {
                    true => "add the runbook's rungs (`after = \"15m\"`, `to = \"senior engineer\"`), or write who was called in with `check communicated --note`",
                    false => "name one with `--note <who>`, or take a tick back with `--undo`",
                },
            ),
            Core::TickedByWorkflow { .. } => {
                error("the journal's events are the record of what happened")
            }
            Core::BeforeDetection { .. } => CommandError::usage(message.clone()).hint(
                "give the time it happened (`--at \"10 minutes ago\"`, `--at 14:03`); the detection time is `start --detected-at`'s",
            ),
            Core::RunsNoHotfix { .. } => error(
                "say whose rollback it is and where it goes: `git hotfix rollback --hotfix <ticket> --to <tag>`",
            ),
            Core::OlderThanReleased {
                suggestion, newer, ..
            } => CommandError::new(Exit::Remote, message.clone()).hint(format!(
                "release it above {newer}: `git hotfix finish --version {suggestion}` (or `git hotfix tag {suggestion}`), which takes {newer} in"
            )),
            Core::FixReleased { ticket, .. } => error(&format!(
                "nothing is left to release: `git hotfix abandon --hotfix {ticket} --reason \"released in another release\"`"
            )),
            Core::ReleasedNowhere { .. } => error(
                "drop `--no-tag` so the tag holds the fix, or name the line's branch in `release-branches`",
            ),
            Core::AheadOfRemote {
                branch,
                remote,
                held_by,
                ..
            } => CommandError::new(Exit::Remote, message.clone()).hint(match held_by {
                Some(git_hotfix_core::foundation::error::Unpushed::Stopped(ticket)) => format!(
                    "`git hotfix continue --hotfix {ticket}` pushes it (or `git hotfix abort --hotfix {ticket}` takes it back); then finish this one"
                ),
                Some(git_hotfix_core::foundation::error::Unpushed::Finished(ticket)) => format!(
                    "`git hotfix finish --push --hotfix {ticket}` publishes it first; then finish this one"
                ),
                None => format!(
                    "push them first if they are meant to be released (`git push {remote} {branch}`), or finish without `--push`"
                ),
            }),
            Core::SettingsNotAccepted { .. } => CommandError::new(Exit::Policy, message.clone())
                .hint("take the settings change out of the fix, or `git hotfix finish --accept-settings`"),
            Core::ReleaseNotPushed => CommandError::usage(message.clone()).hint(
                "add `--push`, or publish later with `git hotfix finish --release --hotfix <ticket>` once the tag is pushed",
            ),
            Core::PullGone { .. } => CommandError::new(Exit::Remote, message.clone())
                .hint("open it again with `git hotfix finish --pr`"),
            Core::PullNotMerged { url, open: true, .. } => error(&format!(
                "get it reviewed and merged ({url}), then run `git hotfix finish --after-merge` again"
            )),
            Core::PullNotMerged { open: false, .. } => error(
                "reopen it on GitHub, or run `git hotfix finish --pr` again to open a new one",
            ),
            Core::SettingsChange { changes, .. } => {
                let mut error = CommandError::new(Exit::Policy, message.clone());
                for change in changes {
                    error = error.hint(format!("changed: {change}"));
                }
                error.hint("review it (`git hotfix finish --plan` shows it), then `git hotfix finish --accept-settings`; or take the change out of the fix and finish it on its own, reviewed (`git hotfix finish --pr`)")
            }
            Core::FinishPublished { .. } => error(
                "a release that left this clone stays released: fix forward (a new hotfix over it), or take production back with `git hotfix rollback`",
            ),
            Core::TaggedVersion { tag, .. } => error(&format!(
                "finish it as tagged; if {tag} was never pushed, `git tag -d {tag}` lets it take another version"
            )),
            Core::ProposedVersion { .. } => error(
                "finish it as proposed, or close the pull request and `git hotfix abandon` the hotfix",
            ),
            Core::Diverged { branch, remote } => CommandError::new(Exit::Remote, message.clone())
                .hint(format!(
                    "bring them together (`git switch {branch}` and `git pull --rebase {remote} {branch}`, or a merge), then run it again; `--offline` decides from the local branch as it is"
                )),
            Core::ConfigParameters { .. } => error(
                "write each setting as `git -c key=value hotfix …`, or unset GIT_CONFIG_PARAMETERS",
            ),
            Core::BranchCheckedOut { worktree, .. } => error(&format!(
                "switch that worktree to another branch first (`git -C {} switch <branch>`)",
                worktree.display()
            )),
            Core::OnlyHolder { branch, .. } => error(&format!(
                "keep the branch (leave out `--delete-branch`), or delete it yourself: `git branch -D {branch}`"
            )),
            Core::NoVersionTag { .. } => error(
                "pass the version to release with `--version X.Y.Z`, or tag the release in production first",
            ),
            Core::UnknownRevision { rev } => CommandError::usage(message.clone())
                .hint(format!("check it with `git rev-parse --verify {rev}`")),
            Core::NotSemver { .. } => {
                CommandError::usage(message.clone()).hint("write versions as X.Y.Z, e.g. 1.2.4")
            }
            Core::InvalidName {
                suggestion: Some(suggestion),
                ..
            } => CommandError::usage(message.clone()).hint(format!("try `{suggestion}`")),
            Core::InvalidName { .. } => CommandError::usage(message.clone()),
            Core::InvalidFlag { .. } => CommandError::usage(message.clone()).hint(
                "name the flag as the flag service knows it: letters, digits, `-`, `_`, `.`, `:` and `/`, not starting with `-`",
            ),
            Core::InvalidRefName { .. } => {
                error("git's rules for names are in `git help check-ref-format`")
            }
            Core::UnknownProduct { .. } | Core::ProductRequired { .. } => {
                CommandError::usage(message.clone()).hint("name the product with `--product <name>`")
            }
            Core::NotAHotfix { .. } => error(
                "start one with `git hotfix start <ticket> <description>`; `git hotfix status --all` lists them",
            ),
            Core::HotfixInProgress { .. } => {
                error("`git hotfix status` shows it; finish it first, or use another ticket")
            }
            Core::AmbiguousHotfix { .. } => error("name one with `--hotfix <ticket>`"),
            Core::NotReleased { .. } => error(
                "finish it first; an unreleased hotfix is ended with `git hotfix abandon`",
            ),
            Core::NothingToRevert { .. } => error(
                "`git hotfix rollback --to <tag>` redeploys an earlier release instead",
            ),
            Core::RevertConflicts { onto, .. } => error(&format!(
                "revert it by hand on a hotfix from {onto}: `git hotfix start <ticket> <description> --from {onto}`, `git revert` there, then `git hotfix finish`"
            )),
            Core::NoIncident => error(
                "name a finished one with `--hotfix <ticket>`; `git hotfix status --all` lists them",
            ),
            Core::AmbiguousRun { .. } => error(
                "name one: `--hotfix <ticket>` for a finish, `--backport` for the backport, `--patches` for the patch apply",
            ),
            Core::Policy { policy, .. } => CommandError::new(Exit::Policy, message.clone()).hint(
                if policy == "version-files" {
                    "configure version-files in .hotfix.toml, or finish with `--no-bump`"
                } else {
                    "the policy is configured in .hotfix.toml ([policies.*])"
                },
            ),
            Core::PolicyFailed { policy, .. } => error(&format!(
                "nothing was written; fix the plugin or name another in .hotfix.toml ([policies.{policy}]){}",
                if policy == "version-files" { ", or finish with `--no-bump`" } else { "" }
            )),
            Core::PolicyAnswer { plugin, call, .. } => CommandError::new(Exit::Policy, message.clone()).hint(format!(
                "nothing was written; the plugin's `{call}` must be fixed by whoever wrote {plugin} (or finish with `--no-bump`)"
            )),
            Core::Changelog { .. } => error(
                "fix the file or the changelog settings in .hotfix.toml (changelog, changelog-format), or finish with `--no-changelog`",
            ),
            Core::Submodule { .. } => error(
                "leave the submodule change out of the patches, and update the submodule by hand where they are applied",
            ),
            Core::OtherPatches { .. } => error(
                "a series is the files its manifest lists, and `git am <dir>/*.patch` would take the others too: move them out, or export to an empty directory with `-o`",
            ),
            Core::PatchRefused { .. } => error(
                "nothing was applied or written: git refuses this change too; look at where the patch comes from, and apply what is wanted by hand",
            ),
            Core::PatchUnreadable { .. } => error(
                "nothing was applied: ask for the patch again as `git format-patch` or `git hotfix patch export` write it (a mail cut short or edited on the way is damaged); a bare diff applies with `git apply`",
            ),
            Core::NoPatches { .. } => {
                error("name the patch files, or the directory `git hotfix patch export` wrote")
            }
            Core::PatchChecksum { .. } => error(
                "the file changed after it was exported: get the series again from its source (nothing was applied)",
            ),
            Core::PatchRunStopped { .. } => error(
                "resume it with `git hotfix continue`, leave its patch out with `git hotfix skip`, or drop it with `git hotfix abort`",
            ),
            Core::RejectsLeft { .. } => CommandError::new(Exit::Conflict, message.clone()).hint(
                "apply the hunks of each .rej file by hand, `git add` the files, delete the .rej files, then `git hotfix continue` (or `git hotfix skip`)",
            ),
            Core::NothingStaged { .. } => CommandError::new(Exit::Conflict, message.clone()).hint(
                "stage the patch's change there with `git add`, or leave the patch out with `git hotfix skip`",
            ),
            Core::UnstagedResolution { .. } => CommandError::new(Exit::Conflict, message.clone())
                .hint("`git add` them there (or `git checkout -- <file>` to drop those changes), then `git hotfix continue`"),
            Core::VersionFile { .. } => error(
                "fix version-files in .hotfix.toml (paths from the repository root), or finish with `--no-bump`",
            ),
            Core::MergeCommit { .. } => CommandError::usage(message.clone())
                .hint("`--mainline 1` picks the change the merge brought to its first parent"),
            Core::MergesInPull { .. } => error(
                "say what to do with them in .hotfix.toml: `[github] backport-merge-commits = \"skip\"` picks the other commits, `\"pick\"` the pull request as one change (the merge GitHub made, against its base)",
            ),
            Core::BackportBranchTaken { branch, .. } => CommandError::new(Exit::Error, message.clone()).hint(format!(
                "once it is merged or no longer wanted, delete it (`git branch -D {branch}`); or put `{{target}}` in backport-branch-template (or `--branch-template`)"
            )),
            Core::BackportBranchShared { .. } => CommandError::usage(message.clone()).hint(
                "backport to one of them at a time (`--to`), or put `{target}` in backport-branch-template (or `--branch-template`)",
            ),
            Core::NoTargets { .. } => error(
                "name existing branches with `--to`, or set release-branches in .hotfix.toml for `--maintained`",
            ),
            Core::NothingToFinish { .. } => error("commit the fix on the hotfix branch first"),
            Core::RunInProgress { .. } => {
                error("resume it with `git hotfix continue`, or undo it with `git hotfix abort`")
            }
            Core::VersionOfFinished {
                ticket,
                unpublished,
                ..
            } => CommandError::usage(message.clone()).hint(match unpublished {
                // Its name may be taken on the remote: publishing as it is cannot work.
                true => format!(
                    "its release never left this clone: `git hotfix abort --hotfix {ticket}` takes the finish back, and a finish after it may choose another version"
                ),
                false => "`git hotfix finish --push --hotfix <ticket>` publishes the release as it is"
                    .to_string(),
            }),
            Core::ChecksNowhere { branch } => error(&format!(
                "`git switch {branch}` and finish there, or release without them: `--no-checks`"
            )),
            Core::CheckFailed { branch, .. } => error(&format!(
                "fix it on `{branch}`, commit, and finish again; `--no-checks` releases without them (the journal says so)"
            )),
            Core::StepStillRunning { group } => error(&format!(
                "wait for it to end, or stop it (`kill -- -{group}`); then run this again"
            )),
            Core::DeployCutShort {
                ticket,
                environment,
                action,
                then,
                ..
            } => error(&format!(
                "look at {environment} first; then `git hotfix continue --hotfix {ticket}` runs {then}, or `git hotfix abort --hotfix {ticket}` records the {action} as failed"
            )),
            Core::NoStoppedRun { .. } => CommandError::new(Exit::Error, message.clone()),
            Core::NothingToSkip { cut_short: false, .. } => CommandError::usage(message.clone())
                .hint("resolve it and `git hotfix continue`, or `git hotfix abort`"),
            Core::NothingToSkip { cut_short: true, .. } => CommandError::usage(message.clone())
                .hint("`git hotfix continue` runs the step again and the rest; `git hotfix abort` records it as failed"),
            // Taken apart above: what is left is a forge failure that is no CommandError.
            Core::Forge(_)
            | Core::Port(_)
            | Core::ForgeNeeded
            | Core::RunWaits { .. }
            | Core::ReleaseNotPublished { .. } => CommandError::new(Exit::Error, message.clone()),
            Core::MarkersLeft { worktree, .. } => {
                CommandError::new(Exit::Conflict, message.clone()).hint(format!(
                    "edit them out in {} (`git diff --check` finds them), `git add` again, then `git hotfix continue`",
                    worktree.display()
                ))
            }
            Core::UnresolvedConflicts { worktree, .. } => {
                CommandError::new(Exit::Conflict, message.clone()).hint(format!(
                    "resolve them in {}, `git add` them there, then run `git hotfix continue` (or `git hotfix abort`)",
                    worktree.display()
                ))
            }
            Core::NotTheMerge {
                worktree, ours, ..
            } => CommandError::new(Exit::Conflict, message.clone()).hint(format!(
                "put HEAD back with `git -C {} reset --soft {ours}` and stage the resolution, or `git hotfix abort`",
                worktree.display()
            )),
            // Not a rebase: the hotfix's fix is what lies between its base and its tip, and
            // a rebased branch would carry production's new commits into its backports.
            Core::NotFastForward { branch, .. } => error(&format!(
                "merge this once with `--ff` (a merge commit), or `--plan` it first; a hotfix started from {branch}'s tip (`git hotfix start … --from {branch}`) fast-forwards"
            )),
            Core::StaleRef { .. } => error(
                "someone moved it since the plan was made: `git hotfix abort` if a run is stopped, update, then finish again",
            ),
            Core::Locked { path } => error(&format!(
                "wait for the other process; if none is running, remove {}",
                path.display()
            )),
            Core::Busy { .. } => error("wait for it to finish, then run this again"),
            Core::LinkedRecords { path } => error(&format!(
                "remove the link (`rm {}`), move back what it points to if it holds hotfix records, and run this again",
                path.display()
            )),
            Core::CheckedOutElsewhere { .. } => error(
                "commit or stash the changes in that worktree, or switch it to another branch",
            ),
            Core::NoIdentity => error(
                "set it with `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`",
            ),
            Core::FileExists { .. } => {
                error("choose another path, or pass `--force` where the command offers it")
            }
            Core::UnknownRemote { remote } => error(&format!(
                "add it with `git remote add {remote} <url>`, or name another with `-c remote=<name>`"
            )),
            Core::PushRejected { rejected, .. } if rejected.iter().any(|(_, why)| remote_moved(why)) => {
                CommandError::new(Exit::Remote, message.clone())
                    .hint("the remote moved since the run began, so pushing again cannot work")
                    .hint(
                        "`git hotfix abort` takes back what the run did here; then run the same command again (`finish` and `backport` fetch what the remote has first; before any other, `git pull` the branch)",
                    )
            }
            Core::PushRejected { .. } => CommandError::new(Exit::Remote, message.clone())
                .hint("`git hotfix continue` pushes again once the remote accepts it, or `git hotfix abort` takes back what the run did"),
            Core::RemoteMoved { .. } => CommandError::new(Exit::Remote, message.clone())
                .hint("pushing again cannot work: `git hotfix abort` takes back what the run did here; then bring the remote's changes in (`git pull`) and run it again"),
            Core::CannotUndoRemote { .. } => CommandError::new(Exit::Remote, message.clone())
                .hint("abort stopped there and changed nothing more; `git hotfix continue` completes the run instead, so that here and the remote agree"),
            Core::CannotUndo { .. } => error(
                "abort stopped there and changed nothing more: look at it (`git reflog`), then put it back by hand and abort again, or `git hotfix continue` to complete the run",
            ),
            Core::PushFailed { .. } => CommandError::new(Exit::Remote, message.clone()).hint(
                "the local release is complete; `git hotfix continue` pushes again once the remote is reachable",
            ),
            Core::TagOnRemote { name, remote } => CommandError::new(Exit::Remote, message.clone())
                .hint(format!(
                    "someone released under that name: look at theirs (`git fetch {remote} refs/tags/{name}:refs/theirs/{name}`, then `git log refs/theirs/{name}`); a finish that made {name} here and was never pushed is taken back by `git hotfix abort --hotfix <ticket>`, and finished again above theirs (`git hotfix finish --push --next --hotfix <ticket>`)"
                )),
            Core::FetchFailed { .. } => CommandError::new(Exit::Remote, message.clone()).hint(
                "check the remote (`git remote -v`, the network), then run the same command again: nothing has moved; `--offline` decides from local state instead (start, finish, backport)",
            ),
            Core::MergeNotOnBase { tracking, .. } => error(&format!(
                "fetch and look (`git log --oneline {}`): the merge may have been rewritten; tag the release by hand with `git hotfix tag` if so",
                tracking.trim_start_matches("refs/remotes/")
            )),
            Core::BehindRemote { branch, remote, .. } => {
                CommandError::new(Exit::Remote, message.clone()).hint(format!(
                    "someone pushed to it: `git fetch {remote}`, merge `{remote}/{branch}` into `{branch}` (`git switch {branch} && git merge {remote}/{branch}`), then run it again"
                ))
            }
            Core::NoPullBase { .. } => error(
                "create the release branch of that line (and list it in `release-branches`), or tag it with `git hotfix tag` and bring the fix to newer lines with `git hotfix backport --pr`",
            ),
            Core::NotProposed { .. } => {
                error("open the pull request first with `git hotfix finish --pr`")
            }
            Core::Config(ConfigError {
                location: Location::Flag,
                key,
                ..
            }) => CommandError::usage(message.clone()).hint(format!(
                "correct the value given with `-c {}=…`",
                // A list's item is set with the list (`-c release-branches=a,b`).
                key.as_deref()
                    .map_or("<key>", |k| k.split('[').next().unwrap_or(k))
            )),
            Core::Config(ConfigError {
                location: Location::GitConfig { .. },
                key,
                ..
            }) => {
                // git config spells a product's key in its own section: `hotfix.api.tag-pattern`.
                let key = key.as_deref().unwrap_or("<key>");
                let key = key.strip_prefix("products.").unwrap_or(key);
                if key.starts_with("policies.") {
                    // No value is right there: a policy is the committed file's.
                    error(&format!(
                        "remove it with `git config --unset hotfix.{key}`, and set it in .hotfix.toml"
                    ))
                } else {
                    error(&format!(
                        "fix it with `git config hotfix.{key} <value>`, or remove it with `git config --unset hotfix.{key}`"
                    ))
                }
            }
            Core::Config(_) => {
                error("fix it in the file (committed on the production branch), or override it with `-c <key>=<value>`")
            }
            Core::Journal { path, .. } => error(&format!(
                "if that hotfix is over, move {} out of the way",
                path.display()
            )),
            Core::CarriedRecord { .. } => error(
                "`git hotfix finish --pr` writes it again; or finish where the hotfix started: `git hotfix finish --after-merge`",
            ),
            Core::CheckoutFailed { .. } => error(
                "nothing was left half-done; move the files git names out of the way and run it again",
            ),
            Core::GitCommand { .. } | Core::Git { .. } | Core::Io { .. } => {
                CommandError::new(Exit::Internal, message.clone())
            }
        };
        CommandError { causes, ..command }
    }
}

/// A push refused because the remote's ref is not where the lease said: pushing the same
/// again cannot succeed.
fn remote_moved(why: &str) -> bool {
    ["stale info", "fetch first", "non-fast-forward"]
        .iter()
        .any(|reason| why.contains(reason))
}

/// The message, and the source chain under it: each cause that its message (or a cause
/// above it) does not say already.
fn chain(err: &dyn std::error::Error) -> (String, Vec<String>) {
    let message = err.to_string();
    let mut causes: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        let said = message.contains(&text) || causes.iter().any(|c| c.contains(&text));
        if !said && !text.is_empty() {
            causes.push(text);
        }
        source = cause.source();
    }
    (message, causes)
}

pub type Result<T, E = CommandError> = std::result::Result<T, E>;
