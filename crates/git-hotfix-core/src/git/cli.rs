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

use crate::foundation::error::{Error, Result};
use crate::foundation::oid::short;
use crate::git::repo::Repo;

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
    run_command(command)
}

fn run_command(mut command: Command) -> Result<Output> {
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

/// Bring the index and files of a worktree from `old` to `new` (git's two-way merge: local
/// changes to files the move does not touch are kept, any other refuses).
pub(crate) fn read_tree_two_way(workdir: &Path, old: ObjectId, new: ObjectId) -> Result<()> {
    run(
        workdir,
        ["read-tree", "-m", "-u", &old.to_string(), &new.to_string()],
    )
    .map(drop)
}

/// Whether [`read_tree_two_way`] would succeed (a file git would not overwrite, a path the
/// file system cannot hold), asked with `index` in place of the worktree's own, which is
/// neither locked nor written: a check killed half-way leaves the worktree as it was.
pub(crate) fn read_tree_two_way_would(
    workdir: &Path,
    index: &Path,
    old: ObjectId,
    new: ObjectId,
) -> Result<()> {
    for args in [
        &["update-index", "-q", "--unmerged", "--refresh"][..],
        &[
            "read-tree",
            "-m",
            "-u",
            "-n",
            &old.to_string(),
            &new.to_string(),
        ],
    ] {
        let mut command = git(workdir);
        command.env("GIT_INDEX_FILE", index).args(args);
        let output = run_command(command);
        // `--refresh` exits 1 when some files differ; the read-tree that follows judges.
        if args[0] == "read-tree" {
            output?;
        }
    }
    Ok(())
}

/// Refresh the index's stat data: a file whose times changed but whose content did not
/// (`touch`, a checkout of the same content) no longer counts as modified.
pub(crate) fn refresh_index(workdir: &Path) -> Result<()> {
    // `--refresh` exits 1 when some files do differ; that is for the caller to find out.
    let mut command = git(workdir);
    command.args(["update-index", "-q", "--unmerged", "--refresh"]);
    command.output().map(drop).map_err(|err| Error::GitCommand {
        command: "git update-index --refresh".into(),
        stderr: format!("could not run git: {err}"),
    })
}

/// The tracked files whose content in the worktree differs from the index.
pub(crate) fn unstaged_paths(workdir: &Path) -> Result<Vec<String>> {
    let output = run(workdir, ["diff", "--no-ext-diff", "--name-only", "-z"])?;
    Ok(nul_separated(&output.stdout))
}

/// The blob ids of `paths` as they are in the worktree, through the same filters (line
/// endings, `clean`) as `git add`.
pub(crate) fn hash_files(workdir: &Path, paths: &[String]) -> Result<Vec<ObjectId>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let input: String = paths.iter().map(|p| format!("{p}\n")).collect();
    let output = run_with_input(workdir, ["hash-object", "--stdin-paths"], input.as_bytes())?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            ObjectId::from_hex(line.trim().as_bytes()).map_err(|_| Error::GitCommand {
                command: "git hash-object --stdin-paths".into(),
                stderr: format!("unexpected output `{line}`"),
            })
        })
        .collect()
}

/// Write the index's version of `paths` over the worktree's, and refresh their stat data
/// in the index (`-u`): a `read-tree -m -u` that follows refuses entries it finds stale.
pub(crate) fn checkout_index(workdir: &Path, paths: &[String]) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let input: Vec<u8> = paths.iter().flat_map(|p| p.bytes().chain([0])).collect();
    run_with_input(
        workdir,
        ["checkout-index", "-u", "-f", "-z", "--stdin"],
        &input,
    )
    .map(drop)
}

fn nul_separated(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn run_with_input<const N: usize>(dir: &Path, args: [&str; N], input: &[u8]) -> Result<Output> {
    use std::io::Write as _;
    let mut command = git(dir);
    command
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let shown = format!("git {}", args.join(" "));
    let spawn_failed = |err: std::io::Error| Error::GitCommand {
        command: shown.clone(),
        stderr: format!("could not run git: {err}"),
    };
    let mut child = command.spawn().map_err(spawn_failed)?;
    let mut stdin = child.stdin.take().expect("piped");
    // Written from a thread: git may fill its stdout before it has read all of its input.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().map_err(spawn_failed)?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(Error::GitCommand {
            command: shown,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(output)
}

/// Where `name` (a full ref name) stands on `remote` now; `None` when it does not exist.
pub(crate) fn remote_ref(repo: &Repo, remote: &str, name: &str) -> Result<Option<ObjectId>> {
    let output =
        run(&repo.remote_dir(), ["ls-remote", "--refs", remote, name]).map_err(
            |err| match err {
                Error::GitCommand { stderr, .. } => Error::PushFailed {
                    remote: remote.to_string(),
                    message: format!("could not ask it where {name} stands: {stderr}"),
                },
                other => other,
            },
        )?;
    Ok(ls_remote_refs(&output.stdout).find_map(|(refname, id)| (refname == name).then_some(id)))
}

/// The branches `remote` has, by short name, and their tips.
pub(crate) fn remote_branches(repo: &Repo, remote: &str) -> Result<Vec<(String, ObjectId)>> {
    let output =
        run(&repo.remote_dir(), ["ls-remote", "--heads", remote]).map_err(|err| match err {
            Error::GitCommand { stderr, .. } => Error::FetchFailed {
                remote: remote.to_string(),
                what: "its branches".into(),
                message: stderr,
            },
            other => other,
        })?;
    Ok(ls_remote_refs(&output.stdout)
        .filter_map(|(name, id)| Some((name.strip_prefix("refs/heads/")?.to_string(), id)))
        .collect())
}

/// The names of the tags `remote` has (without `refs/tags/`).
pub(crate) fn remote_tags(repo: &Repo, remote: &str) -> Result<Vec<String>> {
    let output = run(
        &repo.remote_dir(),
        ["ls-remote", "--tags", "--refs", remote],
    )
    .map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::FetchFailed {
            remote: remote.to_string(),
            what: "its tags".into(),
            message: stderr,
        },
        other => other,
    })?;
    Ok(ls_remote_refs(&output.stdout)
        .filter_map(|(name, _)| Some(name.strip_prefix("refs/tags/")?.to_string()))
        .collect())
}

/// The tags `remote` has (without `refs/tags/`) and the commit each names: an annotated
/// tag's as git peels it (`^{}`), a lightweight tag's own.
pub(crate) fn remote_tag_commits(repo: &Repo, remote: &str) -> Result<Vec<(String, ObjectId)>> {
    let output =
        run(&repo.remote_dir(), ["ls-remote", "--tags", remote]).map_err(|err| match err {
            Error::GitCommand { stderr, .. } => Error::FetchFailed {
                remote: remote.to_string(),
                what: "its tags".into(),
                message: stderr,
            },
            other => other,
        })?;
    let mut tags: Vec<(String, ObjectId)> = Vec::new();
    for (name, id) in ls_remote_refs(&output.stdout) {
        let Some(name) = name.strip_prefix("refs/tags/") else {
            continue;
        };
        match name.strip_suffix("^{}") {
            // The peeled line follows the tag's own: it replaces it.
            Some(tag) => match tags.iter_mut().find(|(t, _)| t == tag) {
                Some(entry) => entry.1 = id,
                None => tags.push((tag.to_string(), id)),
            },
            None => tags.push((name.to_string(), id)),
        }
    }
    Ok(tags)
}

/// Where each of `names` (full ref names) stands on `remote` now, in one request; a name
/// the remote lacks is absent from the answer.
pub(crate) fn remote_refs(
    repo: &Repo,
    remote: &str,
    names: &[&str],
) -> Result<std::collections::HashMap<String, ObjectId>> {
    let mut args = vec!["ls-remote", "--refs", remote];
    args.extend(names);
    let output = run(&repo.remote_dir(), &args).map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::PushFailed {
            remote: remote.to_string(),
            message: format!("could not ask it where its refs stand: {stderr}"),
        },
        other => other,
    })?;
    Ok(ls_remote_refs(&output.stdout)
        .filter(|(name, _)| names.contains(&name.as_str()))
        .collect())
}

/// The `<id>\t<ref>` lines `git ls-remote` prints, as (ref, id).
fn ls_remote_refs(stdout: &[u8]) -> impl Iterator<Item = (String, ObjectId)> + '_ {
    stdout.split(|b| *b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let (id, name) = line.split_once('\t')?;
        Some((name.to_string(), ObjectId::from_hex(id.as_bytes()).ok()?))
    })
}

/// Remove the linked worktree at `path`, files and all (they are the commit it has checked
/// out: the caller made sure), and its administrative files.
pub(crate) fn remove_worktree(dir: &Path, path: &Path) -> Result<()> {
    if path.exists() {
        run(
            dir,
            [
                OsStr::new("worktree"),
                "remove".as_ref(),
                "--force".as_ref(),
                path.as_os_str(),
            ],
        )?;
    }
    // A removal killed half-way leaves the administrative files of a worktree that is gone.
    prune_worktrees(dir)
}

/// Forget the linked worktrees whose directory is gone (`git worktree prune`).
pub(crate) fn prune_worktrees(dir: &Path) -> Result<()> {
    run(dir, ["worktree", "prune"]).map(drop)
}

/// Add a linked worktree at `path`, detached at `commit`. What a removal killed half-way
/// left of an earlier worktree there goes first, so that the new one takes its name (and
/// its HEAD is the one the caller names).
pub(crate) fn add_worktree_detached(dir: &Path, path: &Path, commit: ObjectId) -> Result<()> {
    prune_worktrees(dir)?;
    let commit = commit.to_string();
    run(
        dir,
        [
            OsStr::new("worktree"),
            "add".as_ref(),
            "--detach".as_ref(),
            "--quiet".as_ref(),
            path.as_os_str(),
            commit.as_ref(),
        ],
    )
    .map(drop)
}

/// A fetch in the middle of a release leaves the repository's housekeeping for later: it
/// would slow the release down, and a kill during it leaves git's own lock behind.
const NO_MAINTENANCE: &str = "--no-auto-maintenance";

/// Fetch `branch` of `remote` into its remote-tracking ref, `refs/remotes/<remote>/<branch>`.
pub(crate) fn fetch_branch(repo: &Repo, remote: &str, branch: &str) -> Result<()> {
    let refspec = format!("+refs/heads/{branch}:refs/remotes/{remote}/{branch}");
    fetch(&repo.remote_dir(), remote, &refspec, branch)
}

/// Fetch the ref `source` of `remote` into the local ref `into`, replacing what it held.
pub(crate) fn fetch_ref(repo: &Repo, remote: &str, source: &str, into: &str) -> Result<()> {
    fetch(
        &repo.remote_dir(),
        remote,
        &format!("+{source}:{into}"),
        source,
    )
}

/// Fetch `branches` of `remote` into their remote-tracking refs, with the tags that point
/// into them (git's tag following), `depth` commits deep when given; `progress` lets git
/// show its progress on the terminal.
pub(crate) fn fetch_branches(
    repo: &Repo,
    remote: &str,
    branches: &[String],
    depth: Option<u32>,
    progress: bool,
) -> Result<()> {
    if branches.is_empty() {
        return Ok(());
    }
    let mut command = git(&repo.remote_dir());
    command.args(["fetch", NO_MAINTENANCE]);
    command.arg(if progress { "--progress" } else { "--quiet" });
    command.args(depth.map(|d| format!("--depth={d}")));
    command.arg(remote);
    for branch in branches {
        command.arg(format!(
            "+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        ));
    }
    let failed = |message: String| Error::FetchFailed {
        remote: remote.to_string(),
        what: branches.join(", "),
        message,
    };
    if progress {
        // git's progress goes to the terminal as it comes; its error with it.
        command.stdout(std::process::Stdio::null());
        let status = command
            .status()
            .map_err(|err| failed(format!("could not run git: {err}")))?;
        return match status.success() {
            true => Ok(()),
            false => Err(failed("git fetch failed (its message is above)".into())),
        };
    }
    let output = command
        .output()
        .map_err(|err| failed(format!("could not run git: {err}")))?;
    match output.status.success() {
        true => Ok(()),
        false => Err(failed(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        )),
    }
}

/// Fetch `commits` from `remote` by id, no refs and no tags: in a shallow clone, `depth`
/// commits of history each (a full clone fetches what it lacks, staying whole).
pub(crate) fn fetch_commits(
    repo: &Repo,
    remote: &str,
    commits: &[ObjectId],
    depth: Option<u32>,
) -> Result<()> {
    let mut args = vec![
        "fetch".to_string(),
        "--quiet".into(),
        "--no-tags".into(),
        NO_MAINTENANCE.into(),
    ];
    args.extend(depth.map(|d| format!("--depth={d}")));
    args.push(remote.into());
    args.extend(commits.iter().map(ObjectId::to_string));
    run(&repo.remote_dir(), &args)
        .map(drop)
        .map_err(|err| Error::FetchFailed {
            remote: remote.to_string(),
            what: commits
                .iter()
                .map(|c| short(*c))
                .collect::<Vec<_>>()
                .join(", "),
            message: err.to_string(),
        })
}

/// `git merge --ff-only` to `commit` in the worktree at `workdir`.
pub(crate) fn merge_ff_only(workdir: &Path, commit: ObjectId) -> Result<()> {
    let commit = commit.to_string();
    run(workdir, ["merge", "--ff-only", "--quiet", commit.as_str()]).map(drop)
}

/// Fetch each of `refspecs` from `remote` in one request, no tags followed.
pub(crate) fn fetch_refspecs(repo: &Repo, remote: &str, refspecs: &[String]) -> Result<()> {
    if refspecs.is_empty() {
        return Ok(());
    }
    let mut args = vec![
        "fetch".to_string(),
        "--quiet".into(),
        "--no-tags".into(),
        NO_MAINTENANCE.into(),
        remote.into(),
    ];
    args.extend(refspecs.iter().cloned());
    run(&repo.remote_dir(), &args)
        .map(drop)
        .map_err(|err| match err {
            Error::GitCommand { stderr, .. } => Error::FetchFailed {
                remote: remote.to_string(),
                what: refspecs.join(" "),
                message: stderr,
            },
            other => other,
        })
}

/// Fetch `refspec` from `remote`; a failure names `what` was fetched.
fn fetch(dir: &Path, remote: &str, refspec: &str, what: &str) -> Result<()> {
    let args = [
        "fetch",
        "--quiet",
        "--no-tags",
        NO_MAINTENANCE,
        remote,
        refspec,
    ];
    run(dir, args).map(drop).map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::FetchFailed {
            remote: remote.to_string(),
            what: what.to_string(),
            message: stderr,
        },
        other => other,
    })
}

/// Run `git push` with the given arguments and return what it printed, even when it fails:
/// a rejected push exits non-zero but its porcelain output says which refs were refused.
pub(crate) fn push(repo: &Repo, args: &[String]) -> Result<(bool, String, String)> {
    let mut command = git(&repo.remote_dir());
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
