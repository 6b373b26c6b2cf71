//! The few things done by running `git` itself, because gix cannot do them yet or cannot
//! do them with git's exact safety. Everything else goes through gix.
//!
//! - updating an existing worktree's files from one commit to another (`git switch`,
//!   `git read-tree -m -u`): gix checks out into empty directories only, and git's
//!   two-tree update is what keeps local files safe;
//! - pushing (`git push --porcelain --atomic --force-with-lease`) and asking a remote
//!   where a ref stands (`git ls-remote`): gix has no push, and git knows the remote's
//!   transport and credentials; fetching a branch (`git fetch`), for the same reason.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use gix::ObjectId;

use crate::error::{Error, Result};

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    // Never wait for a password or an editor: a hotfix may run from CI or an alias.
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_EDITOR", ":");
    command
}

fn run<I, S>(dir: &Path, args: I) -> Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = git(dir);
    command.args(args);
    let shown = format!(
        "git {}",
        command
            .get_args()
            .skip(2)
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = command.output().map_err(|err| Error::GitCommand {
        command: shown.clone(),
        stderr: format!("could not run git: {err}"),
    })?;
    if !output.status.success() {
        return Err(Error::GitCommand {
            command: shown,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(output)
}

/// Check out `branch` in the worktree at `workdir`.
pub fn switch(workdir: &Path, branch: &str) -> Result<()> {
    run(workdir, ["switch", "--no-guess", "--quiet", branch])
        .map(drop)
        .map_err(|err| checkout_failed(err, workdir, branch))
}

/// Detach the worktree at `workdir` at `commit`, updating its files.
pub fn switch_detached(workdir: &Path, commit: ObjectId) -> Result<()> {
    let target = commit.to_string();
    run(workdir, ["switch", "--detach", "--quiet", &target])
        .map(drop)
        .map_err(|err| checkout_failed(err, workdir, &target))
}

/// git's own explanation (files in the way, a lock) is the useful part of a failed switch.
fn checkout_failed(err: Error, workdir: &Path, target: &str) -> Error {
    match err {
        Error::GitCommand { stderr, .. } => Error::CheckoutFailed {
            target: target.to_string(),
            worktree: workdir.to_path_buf(),
            reason: stderr
                .lines()
                .map(|l| l.trim_start_matches("error: ").trim())
                .filter(|l| !l.is_empty() && *l != "Aborting")
                .collect::<Vec<_>>()
                .join(" "),
        },
        other => other,
    }
}

/// Bring the index and files of a clean worktree from `old` to `new` after its branch moved.
pub fn update_worktree(workdir: &Path, old: ObjectId, new: ObjectId) -> Result<()> {
    run(
        workdir,
        ["read-tree", "-m", "-u", &old.to_string(), &new.to_string()],
    )
    .map(drop)
}

/// Where `name` (a full ref name) stands on `remote` now; `None` when it does not exist.
pub(crate) fn remote_ref(dir: &Path, remote: &str, name: &str) -> Result<Option<ObjectId>> {
    let output = run(dir, ["ls-remote", "--refs", remote, name]).map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::PushFailed {
            remote: remote.to_string(),
            message: format!("could not ask it where {name} stands: {stderr}"),
        },
        other => other,
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout.lines().find_map(|line| {
        let (id, refname) = line.split_once('\t')?;
        (refname == name).then(|| ObjectId::from_hex(id.as_bytes()).ok())?
    }))
}

/// Fetch `branch` of `remote` into its remote-tracking ref, `refs/remotes/<remote>/<branch>`.
pub(crate) fn fetch_branch(dir: &Path, remote: &str, branch: &str) -> Result<()> {
    let refspec = format!("+refs/heads/{branch}:refs/remotes/{remote}/{branch}");
    run(dir, ["fetch", "--quiet", "--no-tags", remote, &refspec])
        .map(drop)
        .map_err(|err| match err {
            Error::GitCommand { stderr, .. } => Error::FetchFailed {
                remote: remote.to_string(),
                what: branch.to_string(),
                message: stderr,
            },
            other => other,
        })
}

/// Fetch the ref `source` of `remote` into the local ref `into`, replacing what it held.
pub(crate) fn fetch_ref(dir: &Path, remote: &str, source: &str, into: &str) -> Result<()> {
    let refspec = format!("+{source}:{into}");
    run(dir, ["fetch", "--quiet", "--no-tags", remote, &refspec])
        .map(drop)
        .map_err(|err| match err {
            Error::GitCommand { stderr, .. } => Error::FetchFailed {
                remote: remote.to_string(),
                what: source.to_string(),
                message: stderr,
            },
            other => other,
        })
}

/// Run `git push` with the given arguments and return what it printed, even when it fails:
/// a rejected push exits non-zero but its porcelain output says which refs were refused.
pub(crate) fn push(dir: &Path, args: &[String]) -> Result<(bool, String, String)> {
    let mut command = git(dir);
    command.arg("push").args(args);
    let output = command.output().map_err(|err| Error::GitCommand {
        command: "git push".into(),
        stderr: format!("could not run git: {err}"),
    })?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}
