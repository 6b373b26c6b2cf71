//! What must hold after every action of the simulation, asked of git, the remote and
//! production — git-hotfix's own records are only what is being checked:
//!
//! 1. Every release tag of a line holds every earlier release tag of that line: on the
//!    origin, and for each tag a run made in a clone, the earlier ones the clone knew then
//!    (`git merge-base --is-ancestor`).
//! 2. No commit anyone made is lost: each is reachable from a branch, tag or
//!    remote-tracking ref of some repository (the tool refuses to delete a branch whose
//!    commits nothing else holds); and a git-hotfix run takes no commit off the origin
//!    (save `abandon --delete-branch`, which is asked to, and an `abort` taking back what
//!    its own run pushed: the commits it made, and the person's, which their clone holds).
//! 3. What git-hotfix says is so: an exit 0 of `finish` means the hotfix is finished, its
//!    tag holds every commit of its fix and the branch it lands on holds the tag (and with
//!    `--push`, the origin has both); an exit 3 means a run waits on a conflict; a deploy or
//!    rollback that exits 0 left production on the release it names; a journal's tag and
//!    branch exist; "resolved" in a report only while production runs a release holding
//!    the fix.
//! 4. `abort` brings back the clone's refs, HEAD and checkout as they were before the run
//!    (what a catch-up fetched from the origin aside); once no run waits, nothing is left
//!    in `.git` (no conflict worktree, no lock) and the checkout is clean.
//! 5. `git fsck --strict` is clean in the repository that changed and in the origin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::{Op, Who, World};
use crate::common::{Run, TestEnv};

/// A clone as far as a run can change it, and the origin beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Branches and tags (not remote-tracking refs, not notes: they record times).
    refs: BTreeMap<String, String>,
    head: String,
    status: String,
}

pub fn snapshot(world: &World, who: Who) -> Snapshot {
    let dir = world.dir(who);
    Snapshot {
        refs: refs(&world.env, dir, &["refs/heads", "refs/tags"]),
        head: head(dir),
        status: world
            .env
            .git(dir, &["status", "--porcelain", "--untracked-files=all"]),
    }
}

/// What `.git/HEAD` says: `ref: refs/heads/main`, or a commit.
pub fn head(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".git/HEAD"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Each branch and tag of `dir` and the commit it names (a tag peeled).
fn commits(env: &TestEnv, dir: &Path) -> BTreeMap<String, String> {
    env.git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname) %(*objectname)",
            "refs/heads",
            "refs/tags",
        ],
    )
    .lines()
    .filter_map(|l| {
        let mut words = l.split(' ');
        let name = words.next()?;
        let id = words.next()?;
        let peeled = words.next().filter(|p| !p.is_empty()).unwrap_or(id);
        Some((name.to_string(), peeled.to_string()))
    })
    .collect()
}

fn refs(env: &TestEnv, dir: &Path, under: &[&str]) -> BTreeMap<String, String> {
    let mut args = vec!["for-each-ref", "--format=%(refname) %(objectname)"];
    args.extend(under);
    env.git(dir, &args)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(name, id)| (name.to_string(), id.to_string()))
        .collect()
}

/// 1, 2 and 5 after `who` acted (`by_tool`: through git-hotfix); first, what git-hotfix
/// says of `who`'s clone is read anew. Only `who`'s repository and the origin can have
/// changed: what the others reach is remembered from before.
pub fn check(world: &mut World, who: Who, tool_op: Option<&Op>) -> Result<(), String> {
    let by_tool = tool_op.is_some();
    let changed: [(String, PathBuf); 2] = [
        ("origin".into(), world.team.origin.clone()),
        (who.to_string(), world.dir(who).to_path_buf()),
    ];
    // What git-hotfix says of the clone it ran in (a commit or a pull with plain git
    // changes no journal).
    if by_tool && world.clones.contains_key(&who) {
        let status = Run::of(world.hotfix_command(who, &["status", "--all", "--json"]));
        if status.code != 0 {
            return Err(format!("`status --all --json` failed:\n{}", status.stderr));
        }
        let hotfixes = status.json()["hotfixes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        world.clones.get_mut(&who).expect("a tool user").hotfixes = hotfixes;
    }
    // 2. Nothing anyone made is lost: every commit some branch, tag or remote-tracking ref
    // of some repository reaches.
    for (name, dir) in &changed {
        let walked = world
            .env
            .git(dir, &["rev-list", "--branches", "--tags", "--remotes"]);
        let commits: std::collections::HashSet<String> =
            walked.lines().map(str::to_string).collect();
        // git-hotfix takes nothing off the origin: only `abandon --delete-branch` deletes a
        // branch whose commits nothing else there holds, as asked, and an `abort` takes back
        // what its own run pushed — the commits the run made, and the person's own, which
        // the aborting clone still holds.
        let deletes = matches!(tool_op, Some(Op::Abandon { delete: true, .. }));
        let aborted = matches!(tool_op, Some(Op::Abort));
        let held = if aborted {
            world
                .env
                .git(world.dir(who), &["rev-list", "--branches", "--tags"])
                .lines()
                .map(str::to_string)
                .collect()
        } else {
            std::collections::HashSet::new()
        };
        let taken_back = |c: &String| {
            aborted && (held.contains(c) || !world.precious.iter().any(|(p, _)| p == c))
        };
        if name == "origin"
            && by_tool
            && !deletes
            && let Some(lost) = world.reachable.get(name).and_then(|before| {
                before
                    .iter()
                    .find(|c| !commits.contains(*c) && !taken_back(c))
            })
        {
            return Err(format!(
                "the origin no longer reaches {} after git-hotfix's run",
                &lost[..7]
            ));
        }
        world.reachable.insert(name.clone(), commits);
    }
    let world = &*world;
    let env = &world.env;
    for (commit, what) in &world.precious {
        if !world
            .reachable
            .values()
            .any(|commits| commits.contains(commit))
        {
            return Err(format!(
                "{what} ({}) is on no branch or tag anywhere",
                &commit[..7]
            ));
        }
    }

    // 1. Releases of a line hold the earlier ones, on the origin the team shares.
    lines_hold_their_releases(env, "origin", &world.team.origin)?;

    // 5. fsck where git-hotfix wrote.
    for (name, dir) in changed.iter().filter(|_| by_tool) {
        let out = env.git_output(dir, &["fsck", "--strict", "--no-progress", "--no-dangling"]);
        if !out.status.success() {
            return Err(format!(
                "git fsck --strict fails in {name}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(())
}

/// 3 and 4, for the clone of `who` (a git-hotfix user) after its action `done`: what its
/// journals and the run's outcome say is so; an `abort` gave back the clone as it was; no
/// litter once no run waits. Returns the clone's state before a run that now waits.
pub fn check_clone(
    world: &World,
    who: Who,
    was_stopped: bool,
    done: Option<(&Op, &Run, bool, &Snapshot)>,
    began: Option<&Snapshot>,
) -> Result<(), String> {
    let env = &world.env;
    let dir = world.dir(who);
    let seen = &world.clones[&who];
    let commits = commits(env, dir);
    // What a report says of production is read again once production or the records of
    // its deploys changed; what a release holds, once a run may have made one.
    let production_moved = matches!(
        done,
        Some((
            Op::Deploy { .. } | Op::Verify { .. } | Op::Rollback | Op::FlagOff { .. },
            ..
        ))
    );
    let released = matches!(
        done,
        Some((Op::Finish { .. } | Op::Continue | Op::Tag { .. }, ..))
    );
    for hotfix in &seen.hotfixes {
        journal_is_true(world, dir, &commits, hotfix, released, production_moved)?;
    }
    if let Some((op, run, killed, before)) = done {
        new_releases_hold_the_known_ones(world, who, before)?;
        outcome_is_true(world, who, dir, op, run, killed, &seen.hotfixes)?;
        let aborted = *op == Op::Abort && run.code == 0 && was_stopped && !seen.run_in_progress();
        if let (true, Some(began)) = (aborted, began) {
            aborted_as_before(world, who, began)?;
        }
    }
    if !seen.run_in_progress() {
        nothing_left(env, dir)?;
    }
    Ok(())
}

/// The release tags `v<major>.<minor>.<patch>` of `dir`, each holding the one before it in
/// its line (pre-releases aside).
fn lines_hold_their_releases(env: &TestEnv, name: &str, dir: &Path) -> Result<(), String> {
    let tags = env.git(dir, &["tag", "--list", "v*", "--sort=v:refname"]);
    let mut by_line: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for tag in tags.lines().filter(|t| !t.contains('-')) {
        let Some((line, _)) = tag.rsplit_once('.') else {
            continue;
        };
        by_line.entry(line.to_string()).or_default().push(tag);
    }
    for releases in by_line.values() {
        for pair in releases.windows(2) {
            let out = env.git_output(dir, &["merge-base", "--is-ancestor", pair[0], pair[1]]);
            if !out.status.success() {
                return Err(format!(
                    "in {name}, release {} lacks the earlier {}",
                    pair[1], pair[0]
                ));
            }
        }
    }
    Ok(())
}

/// A release tag a run made in a clone holds every earlier release of its line the clone
/// knew then (had, or fetched during the run). A colleague's lower release that arrives
/// later cannot be known; publishing past it is what the origin's check is for.
fn new_releases_hold_the_known_ones(
    world: &World,
    who: Who,
    before: &Snapshot,
) -> Result<(), String> {
    let env = &world.env;
    let dir = world.dir(who);
    let now = refs(env, dir, &["refs/tags"]);
    let version = |name: &str| -> Option<(String, u64)> {
        let tag = name.strip_prefix("refs/tags/v")?;
        if tag.contains('-') {
            return None;
        }
        let (line, patch) = tag.rsplit_once('.')?;
        Some((line.to_string(), patch.parse().ok()?))
    };
    let origin = refs(env, &world.team.origin, &["refs/tags"]);
    for (name, id) in &now {
        // Unchanged, or fetched from the origin: not made by the run.
        if before.refs.get(name) == Some(id) || origin.get(name) == Some(id) {
            continue;
        }
        let Some((line, patch)) = version(name) else {
            continue;
        };
        for earlier in now.keys() {
            let older = version(earlier).is_some_and(|(l, p)| l == line && p < patch);
            if older
                && !env
                    .git_output(dir, &["merge-base", "--is-ancestor", earlier, name])
                    .status
                    .success()
            {
                return Err(format!(
                    "{who}'s run made {}, which lacks the earlier release {} it knew of",
                    name.trim_start_matches("refs/tags/"),
                    earlier.trim_start_matches("refs/tags/")
                ));
            }
        }
    }
    Ok(())
}

/// A journal's claims about refs, held against git.
fn journal_is_true(
    world: &World,
    dir: &Path,
    commits: &BTreeMap<String, String>,
    hotfix: &Value,
    released_now: bool,
    production_moved: bool,
) -> Result<(), String> {
    let env = &world.env;
    let ticket = hotfix["ticket"].as_str().unwrap_or_default();
    let branch = hotfix["branch"].as_str().unwrap_or_default();
    let tag = hotfix["tag"].as_str().unwrap_or_default();
    let running = !hotfix["run"].is_null();
    match hotfix["state"].as_str() {
        Some("active") if !running && !commits.contains_key(&format!("refs/heads/{branch}")) => {
            return Err(format!(
                "{ticket} is in progress, but its branch {branch} is gone"
            ));
        }
        Some("finished") => {
            let Some(released) = commits.get(&format!("refs/tags/{tag}")) else {
                return Err(format!(
                    "{ticket} is finished, but its tag {tag} is not here"
                ));
            };
            // Each commit of the fix made in this clone is in the release, or still on its
            // branch (committed after the pull request that released it was pushed).
            let kept = commits.get(&format!("refs/heads/{branch}"));
            for (commit, what) in world.precious.iter().filter(|_| released_now) {
                if what.ends_with(&format!("fix on {branch}")) && dir_made(world, dir, what) {
                    let holds = |tip: &str| {
                        env.git_output(dir, &["merge-base", "--is-ancestor", commit, tip])
                            .status
                            .success()
                    };
                    if !holds(released) && !kept.is_some_and(|tip| holds(tip)) {
                        return Err(format!(
                            "{ticket} is released as {tag}, which lacks {what} ({})",
                            &commit[..7]
                        ));
                    }
                }
            }
            if production_moved {
                resolved_only_while_running(world, dir, hotfix, released)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether the person whose clone `dir` is made the commit `what` tells of.
fn dir_made(world: &World, dir: &Path, what: &str) -> bool {
    [Who::Ada, Who::Cy]
        .into_iter()
        .any(|who| world.dir(who) == dir && what.starts_with(&format!("{who}'s")))
}

/// "Resolved" only while production runs a release that holds the fix.
fn resolved_only_while_running(
    world: &World,
    dir: &Path,
    hotfix: &Value,
    released: &str,
) -> Result<(), String> {
    let verified = hotfix["events"].as_array().is_some_and(|events| {
        events
            .iter()
            .any(|e| e["event"] == "deploy-ended" && e["action"] == "verify" && e["ok"] == true)
    });
    if !verified {
        return Ok(());
    }
    let env = &world.env;
    let ticket = hotfix["ticket"].as_str().unwrap_or_default();
    let facts = env.hotfix(
        dir,
        &["report", "pir", "--format", "json", "--hotfix", ticket],
    );
    if facts.code != 0 {
        return Err(format!(
            "`report pir` of {ticket} failed:\n{}",
            facts.stderr
        ));
    }
    if facts.report_facts()["status"] != "resolved" {
        return Ok(());
    }
    let Some(production) = env.running("production") else {
        return Err(format!(
            "{ticket} is reported resolved, and nothing runs in production"
        ));
    };
    let holds = env
        .rev(dir, &format!("refs/tags/v{production}^{{commit}}"))
        .is_some_and(|running| {
            env.git_output(dir, &["merge-base", "--is-ancestor", released, &running])
                .status
                .success()
        });
    if !holds {
        return Err(format!(
            "{ticket} is reported resolved, while production runs {production}, which lacks its release"
        ));
    }
    Ok(())
}

/// What an exit code says, held against the repository, the origin and production.
fn outcome_is_true(
    world: &World,
    who: Who,
    dir: &Path,
    op: &Op,
    run: &Run,
    killed: bool,
    hotfixes: &[Value],
) -> Result<(), String> {
    if killed {
        return Ok(());
    }
    let env = &world.env;
    let stopped = hotfixes.iter().any(|h| !h["run"]["conflict"].is_null());
    // A backport may also leave conflicting lines out and stop nothing (the README's exit 3).
    if run.code == 3 && !stopped && !matches!(op, Op::Backport { .. }) {
        return Err(format!(
            "{who}'s run exited 3 (stopped on a conflict), and no run waits on one"
        ));
    }
    match (op, run.code) {
        (Op::Finish { .. } | Op::Continue, 0) => {
            // The hotfix it finished: the one whose journal says so now and did not before.
            let said = run.stderr.lines().find_map(|l| {
                l.trim_start()
                    .strip_prefix("Finished hotfix ")
                    .and_then(|rest| rest.split(':').next())
            });
            let Some(ticket) = said else { return Ok(()) };
            let Some(hotfix) = hotfixes.iter().find(|h| h["ticket"] == ticket) else {
                return Err(format!(
                    "finish said {ticket} finished, and no journal of it is here"
                ));
            };
            if hotfix["state"] != "finished" {
                return Err(format!(
                    "finish said {ticket} finished; its journal says {}",
                    hotfix["state"]
                ));
            }
            let tag = hotfix["tag"].as_str().unwrap_or_default();
            let branch = hotfix["branch"].as_str().unwrap_or_default();
            // The branch goes, unless it holds commits the release lacks (kept, not lost).
            let left = env.git_output(
                dir,
                &[
                    "rev-list",
                    "--count",
                    &format!("{tag}..refs/heads/{branch}"),
                ],
            );
            let unreleased = String::from_utf8_lossy(&left.stdout).trim().to_string();
            if left.status.success() && unreleased == "0" {
                return Err(format!(
                    "finish said {ticket} finished, and its branch {branch} is still here"
                ));
            }
            if matches!(op, Op::Finish { push: true, .. }) {
                let here = env.rev(dir, &format!("refs/tags/{tag}"));
                let there = env.rev(&world.team.origin, &format!("refs/tags/{tag}"));
                if here != there {
                    return Err(format!(
                        "finish --push said it released {tag}, and the origin's {tag} is {there:?}, not {here:?}"
                    ));
                }
            }
        }
        (Op::Tag { push }, 0) => {
            let hotfix = hotfixes.iter().find(|h| {
                run.stderr
                    .contains(&format!("Tagged {}", h["tag"].as_str().unwrap_or("?")))
            });
            if let Some(hotfix) = hotfix {
                let tag = hotfix["tag"].as_str().unwrap_or_default();
                let version = hotfix["version"].as_str().unwrap_or_default();
                let shown = env.git_output(dir, &["show", &format!("{tag}:VERSION")]);
                let file = String::from_utf8_lossy(&shown.stdout).trim().to_string();
                if file != version {
                    return Err(format!(
                        "tag said it tagged {tag}, whose VERSION says {file}"
                    ));
                }
                if *push
                    && env.rev(&world.team.origin, &format!("refs/tags/{tag}"))
                        != env.rev(dir, &format!("refs/tags/{tag}"))
                {
                    return Err(format!(
                        "tag --push said it pushed {tag}, and the origin's differs"
                    ));
                }
            }
        }
        (Op::TakeBack { ticket }, 0) => {
            // In progress again, on its branch, waiting on nothing.
            let hotfix = hotfixes.iter().find(|h| h["ticket"] == ticket.as_str());
            let state = hotfix.map(|h| h["state"].clone());
            if state != Some(Value::from("active")) {
                return Err(format!(
                    "abort --hotfix {ticket} exited 0, and its journal says {state:?}"
                ));
            }
            let branch = hotfix
                .and_then(|h| h["branch"].as_str())
                .unwrap_or_default();
            if env.rev(dir, &format!("refs/heads/{branch}")).is_none() {
                return Err(format!(
                    "abort --hotfix {ticket} took its finish back, and its branch {branch} is not here"
                ));
            }
        }
        (Op::Deploy { ticket }, 0) | (Op::Verify { ticket }, 0) => {
            let version = hotfixes
                .iter()
                .find(|h| h["ticket"] == ticket.as_str())
                .and_then(|h| h["version"].as_str())
                .unwrap_or_default();
            let running = env.running("production");
            if running.as_deref() != Some(version) {
                return Err(format!(
                    "{ticket}'s {} exited 0, and production runs {running:?}, not {version}",
                    if matches!(op, Op::Deploy { .. }) {
                        "deploy"
                    } else {
                        "verify"
                    }
                ));
            }
        }
        (Op::FlagOff { ticket }, 0) => {
            // The feature is off in production, its release still runs, and no report of
            // the hotfix says it is resolved (its fix's feature does not run).
            if env.flag(super::model::FLAG).as_deref() != Some("off") {
                return Err(format!(
                    "rollback --flag of {ticket} exited 0, and the flag is {:?}",
                    env.flag(super::model::FLAG)
                ));
            }
            let facts = env.hotfix(
                dir,
                &["report", "pir", "--format", "json", "--hotfix", ticket],
            );
            if facts.code == 0 && facts.report_facts()["status"] == "resolved" {
                return Err(format!(
                    "{ticket}'s feature flag was just turned off, and its report says resolved"
                ));
            }
        }
        (Op::Rollback, 0) => {
            // "Rollback T: production from X to Y (why)", or without `from X` when no deploy
            // is recorded: the version after the first " to ".
            let said = run.stderr.lines().find_map(|l| {
                let rest = l.trim_start().strip_prefix("Rollback ")?;
                rest.match_indices(" to ")
                    .map(|(i, _)| &rest[i + 4..])
                    .find(|to| to.starts_with(|c: char| c.is_ascii_digit()))
                    .and_then(|to| to.split(' ').next())
                    .map(str::to_string)
            });
            let running = env.running("production");
            if said.is_some() && running != said {
                return Err(format!(
                    "rollback said it went to {said:?}, and production runs {running:?}"
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// After an `abort`, the clone is as it was before the run: each ref as it was, or as the
/// origin has it (a catch-up before the run fetched it), HEAD and the checkout as they were.
fn aborted_as_before(world: &World, who: Who, before: &Snapshot) -> Result<(), String> {
    let env = &world.env;
    let dir = world.dir(who);
    let now = snapshot(world, who);
    let origin = refs(env, &world.team.origin, &["refs/heads", "refs/tags"]);
    let names: std::collections::BTreeSet<&String> =
        before.refs.keys().chain(now.refs.keys()).collect();
    for name in names {
        let (was, is) = (before.refs.get(name), now.refs.get(name));
        if was == is {
            continue;
        }
        let ancestor = |repo: &Path, a: &str, b: &str| {
            env.git_output(repo, &["merge-base", "--is-ancestor", a, b])
                .status
                .success()
        };
        // Moved forward along what the origin has (it may have moved on since).
        let on_origin = |is: &str, there: &str| ancestor(&world.team.origin, is, there);
        let caught_up = match (was, is, origin.get(name)) {
            (_, Some(is), Some(there)) if name.starts_with("refs/tags/") => is == there,
            (Some(was), Some(is), Some(there)) => ancestor(dir, was, is) && on_origin(is, there),
            (None, Some(is), Some(there)) => on_origin(is, there),
            _ => false,
        };
        if !caught_up {
            return Err(format!(
                "after `abort`, {name} is {is:?}; before the run it was {was:?}"
            ));
        }
    }
    if now.head != before.head || now.status != before.status {
        return Err(format!(
            "after `abort`, HEAD and the checkout are {:?} {:?}; before the run {:?} {:?}",
            now.head, now.status, before.head, before.status
        ));
    }
    Ok(())
}

/// Once no run waits: no conflict worktree, no lock, a clean checkout.
fn nothing_left(env: &TestEnv, dir: &Path) -> Result<(), String> {
    // No one in the simulation makes a linked worktree but git-hotfix, for a conflict.
    let linked = std::fs::read_dir(dir.join(".git/worktrees"))
        .into_iter()
        .flatten();
    if let Some(extra) = linked.flatten().next() {
        return Err(format!(
            "no run waits, and the worktree {} is left",
            extra.file_name().to_string_lossy()
        ));
    }
    let status = env.git(dir, &["status", "--porcelain"]);
    if !status.is_empty() {
        return Err(format!(
            "no run waits, and the checkout is not clean:\n{status}"
        ));
    }
    let mut pending = vec![dir.join(".git")];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if path.ends_with("objects") {
                    continue;
                }
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "lock") {
                return Err(format!("no run waits, and {} is left", path.display()));
            }
        }
    }
    Ok(())
}
