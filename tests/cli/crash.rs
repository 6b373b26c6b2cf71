//! Recovery at every step boundary. Each command that writes is killed (a failpoint aborts
//! the process, as SIGKILL would) at each boundary of its run in turn; then `continue`
//! must give exactly what the uninterrupted command gives (refs, tags, the remote, HEAD,
//! a clean checkout, no lock left, no run waiting), and `abort`, on a second run killed at
//! the same point, exactly the state before (the remote included). Every file of the
//! checkout is `touch`ed after the kill: a stale stat cache must never get in the way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fake_github::FakeGitHub;

use crate::common::{Run, TestEnv};

/// A command, and the repository it runs in.
struct Scenario {
    name: &'static str,
    setup: fn(&TestEnv) -> Setup,
    args: &'static [&'static str],
    /// The command goes on with a run stopped in the setup (`continue`): `abort` then gives
    /// back the state before that run, not the one before the command.
    resumes: bool,
}

/// Where a scenario goes: before it, after it, and after an `abort` of its run.
struct Ends {
    before: State,
    after: State,
    aborted: State,
}

/// Where a scenario's command runs, and the repositories to compare.
pub struct Setup {
    /// The repository whose state is compared (its main worktree).
    pub repo: PathBuf,
    /// Where the command runs (the repository, or one of its worktrees).
    pub cwd: PathBuf,
    pub origin: Option<PathBuf>,
    /// The GitHub a run opens pull requests on; every command of the scenario talks to it.
    pub github: Option<FakeGitHub>,
}

const TOKEN: &str = "ghp_crash_test";

impl Setup {
    /// `git hotfix <args>` in `dir`, talking to the scenario's GitHub.
    fn command(&self, env: &TestEnv, dir: &Path, args: &[&str]) -> std::process::Command {
        let mut command = env.hotfix_command(dir, args);
        if let Some(github) = &self.github {
            command
                .env("GITHUB_TOKEN", TOKEN)
                .env("GITHUB_API_URL", github.url());
        }
        command
    }

    fn hotfix(&self, env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
        Run::of(self.command(env, dir, args))
    }
}

/// What a repository and its remote look like, as far as a run can change them. Notes are
/// left out of the values (they record wall-clock times), not out of existence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    refs: BTreeMap<String, String>,
    head: String,
    status: String,
    worktrees: Vec<String>,
    origin: BTreeMap<String, String>,
    /// The hotfixes the repository keeps journals of, in progress and finished.
    hotfixes: Vec<String>,
    /// The pull requests open on GitHub: head, base and title. An aborted run closes the
    /// one it opened (GitHub deletes none).
    pulls: Vec<String>,
}

pub fn state(env: &TestEnv, setup: &Setup) -> State {
    let root = env.root.path().canonicalize().unwrap();
    let relative = |text: String| text.replace(&*root.to_string_lossy(), "[TMP]");
    let mut refs = env.refs(&setup.repo);
    if let Some(notes) = refs.get_mut("refs/notes/hotfix") {
        *notes = "(notes)".into();
    }
    let head = env
        .git_output(&setup.repo, &["symbolic-ref", "-q", "HEAD"])
        .stdout;
    let head = match String::from_utf8_lossy(&head).trim() {
        "" => env.rev(&setup.repo, "HEAD").unwrap_or_default(),
        name => name.to_string(),
    };
    let worktrees = env
        .git(&setup.repo, &["worktree", "list", "--porcelain"])
        .split("\n\n")
        .filter(|w| !w.trim().is_empty())
        .map(|w| relative(w.trim().to_string()))
        .collect();
    let mut origin = setup
        .origin
        .as_ref()
        .map(|o| env.refs(o))
        .unwrap_or_default();
    if let Some(notes) = origin.get_mut("refs/notes/hotfix") {
        *notes = "(notes)".into();
    }
    State {
        refs,
        head,
        status: env.git(&setup.repo, &["status", "--porcelain"]),
        worktrees,
        origin,
        hotfixes: journals(&setup.repo),
        pulls: setup
            .github
            .iter()
            .flat_map(|g| g.pulls())
            .filter(|p| p.state == "open")
            .map(|p| format!("#{} {} -> {}: {}", p.number, p.head, p.base, p.title))
            .collect(),
    }
}

/// The journal files of the hotfixes, by name: `ENG-1.json` in progress,
/// `finished/ENG-1-1.2.4.json` finished.
fn journals(repo: &Path) -> Vec<String> {
    let dir = repo.join(".git/hotfix");
    let mut found = Vec::new();
    for sub in ["", "finished"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                found.push(format!("{sub}/{name}").trim_start_matches('/').to_string());
            }
        }
    }
    found.sort();
    found
}

/// Lock files anywhere in the repository: a run must leave none. The remote's are its
/// server's business (see [`recover`]).
fn locks(setup: &Setup) -> Vec<PathBuf> {
    let mut found = lock_files(&setup.repo.join(".git"));
    // The hotfix lock is an OS lock on a file that stays; it is released when its process dies.
    found.retain(|p| !p.ends_with(".git/hotfix/lock"));
    found
}

fn lock_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "lock"))
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, &mut found);
    found
}

/// Change the times of every tracked file of the checkout, not their content.
fn touch_everything(env: &TestEnv, repo: &Path) {
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    for file in env.git(repo, &["ls-files"]).lines() {
        if let Ok(handle) = std::fs::File::options().write(true).open(repo.join(file)) {
            handle.set_modified(later).unwrap();
        }
    }
}

/// The run killed at the `n`th boundary; `None` when the command has fewer (it ran to its end).
fn killed_at(env: &TestEnv, setup: &Setup, args: &[&str], n: usize) -> Option<Run> {
    let mut command = setup.command(env, &setup.cwd, args);
    command.env("GIT_HOTFIX_FAILPOINT", n.to_string());
    let run = Run::of(command);
    match run.code {
        -1 => Some(run),
        0 => None,
        code => panic!(
            "killed at boundary {n}, `git hotfix {}` exited {code} instead of dying:\n{}",
            args.join(" "),
            run.stderr
        ),
    }
}

/// After a kill: `way` (`continue` or `abort`) must work. A kill before anything was
/// journaled, or after the run was recorded complete, leaves nothing to continue or abort:
/// then the state is the one before (and the command itself is the way on) or the one
/// after.
fn recover(
    env: &TestEnv,
    setup: &Setup,
    way: &str,
    args: &[&str],
    ends: [&State; 2],
    point: &str,
) -> bool {
    let [before, after] = ends;
    touch_everything(env, &setup.repo);
    // A killed `git receive-pack` stands in for a remote that crashed mid-push; its admin
    // clears what it left before anyone goes on.
    if let Some(origin) = &setup.origin {
        for lock in lock_files(origin) {
            std::fs::remove_file(lock).unwrap();
        }
    }
    let run = setup.hotfix(env, &setup.repo, &[way]);
    if run.code == 1 && run.stderr.contains("no stopped run") {
        let now = state(env, setup);
        assert!(
            now == *before || now == *after,
            "{point}: `{way}` found no run, yet the state is neither the one before nor the one after:\n{now:#?}"
        );
        if now == *before && way == "continue" {
            setup.hotfix(env, &setup.cwd, args).ok();
        }
        return false;
    }
    assert_eq!(
        run.code,
        0,
        "{point}: `git hotfix {way}` after the kill failed:\n{}\nstatus:\n{}\nthe kill (strace):\n{}",
        run.stderr,
        env.git(&setup.repo, &["status", "--porcelain"]),
        std::fs::read_to_string(env.path("strace.out")).unwrap_or_default()
    );
    // No temporary file of a write the kill cut short is left.
    let litter: Vec<PathBuf> = files_under(&setup.repo.join(".git/hotfix"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect();
    assert!(litter.is_empty(), "{point}: left after `{way}`: {litter:?}");
    // Nothing waits any more.
    let again = setup.hotfix(env, &setup.repo, &["abort", "--plan"]);
    assert!(
        again.stderr.contains("no stopped run"),
        "{point}: a run still waits after `{way}`:\n{}{}",
        again.stdout,
        again.stderr
    );
    true
}

/// Abort after a kill: when it found a run to abort, the state before the run must be back.
#[track_caller]
fn abort_gives_back(env: &TestEnv, setup: &Setup, args: &[&str], ends: &Ends, point: &str) {
    let aborted = &ends.aborted;
    if recover(env, setup, "abort", args, [aborted, &ends.after], point) {
        assert_eq!(
            &state(env, setup),
            aborted,
            "{point}, `abort` did not give back the state before"
        );
    }
}

/// What `scenario` leaves before and after it runs uninterrupted, and after an abort.
fn ends(scenario: &Scenario) -> Ends {
    let reference = TestEnv::new();
    let setup = (scenario.setup)(&reference);
    let before = state(&reference, &setup);
    setup.hotfix(&reference, &setup.cwd, scenario.args).ok();
    let after = state(&reference, &setup);
    assert_ne!(
        before, after,
        "{}: the command changed nothing",
        scenario.name
    );
    assert!(locks(&setup).is_empty());
    let aborted = match scenario.resumes {
        false => before.clone(),
        true => {
            let reference = TestEnv::new();
            let setup = (scenario.setup)(&reference);
            setup.hotfix(&reference, &setup.repo, &["abort"]).ok();
            state(&reference, &setup)
        }
    };
    Ends {
        before,
        after,
        aborted,
    }
}

/// One kill point, both ways out: a copy killed by `kill` then continued must end as the
/// uninterrupted command does, a second copy killed the same way then aborted as before
/// it. `false` when `kill` did not land (the command ran to its end, as it must then).
fn both_ways(
    scenario: &Scenario,
    ends: &Ends,
    point: &str,
    kill: &dyn Fn(&TestEnv, &Setup) -> bool,
) -> bool {
    let Ends { before, after, .. } = ends;
    let env = TestEnv::new();
    let setup = (scenario.setup)(&env);
    if !kill(&env, &setup) {
        assert_eq!(
            &state(&env, &setup),
            after,
            "{point}: not killed, yet not done"
        );
        return false;
    }
    recover(
        &env,
        &setup,
        "continue",
        scenario.args,
        [before, after],
        point,
    );
    assert_eq!(
        &state(&env, &setup),
        after,
        "{point}, `continue` did not give the uninterrupted result"
    );
    assert_eq!(locks(&setup), Vec::<PathBuf>::new(), "{point}");
    env.fsck(&setup.repo);

    let env = TestEnv::new();
    let setup = (scenario.setup)(&env);
    assert!(kill(&env, &setup), "{point}: the second kill did not land");
    abort_gives_back(&env, &setup, scenario.args, ends, point);
    assert_eq!(locks(&setup), Vec::<PathBuf>::new(), "{point}");
    env.fsck(&setup.repo);
    true
}

/// Kill `scenario` at each of its step boundaries in turn; returns how many it has.
fn every_boundary(scenario: &Scenario) -> usize {
    let ends = ends(scenario);
    let mut n = 1;
    while both_ways(
        scenario,
        &ends,
        &format!("{}: killed at boundary {n}", scenario.name),
        &|env, setup| killed_at(env, setup, scenario.args, n).is_some(),
    ) {
        n += 1;
    }
    n - 1
}

/// `finish --push` of a hotfix checked out in the main worktree, with develop to merge into
/// and an origin to push to.
fn finish_push(env: &TestEnv) -> Setup {
    let fixture = env.with_origin(env.with_develop());
    env.start_and_fix(&fixture.dir);
    Setup {
        cwd: fixture.dir.clone(),
        repo: fixture.dir,
        origin: fixture.origin,
        github: None,
    }
}

/// `finish` from a linked worktree `start --worktree` made (removed by the finish), with
/// main checked out in the main worktree (its files follow the merge).
fn finish_from_worktree(env: &TestEnv) -> Setup {
    let repo = env.linear().dir;
    let wt = env.path("wt");
    env.hotfix(
        &repo,
        &["start", "ENG-7", "fix", "--worktree", wt.to_str().unwrap()],
    )
    .ok();
    env.commit(
        &wt,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "fixed\n")],
    );
    Setup {
        repo,
        cwd: wt,
        origin: None,
        github: None,
    }
}

/// Three release lines to backport a fix of main to, one of them checked out (it moves with
/// its files: `--onto-target`).
fn backport_onto_lines(env: &TestEnv) -> Setup {
    let repo = env.release_lines().dir;
    env.commit(
        &repo,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "signed\n")],
    );
    env.git(&repo, &["switch", "--quiet", "release/1.5"]);
    Setup {
        cwd: repo.clone(),
        repo,
        origin: None,
        github: None,
    }
}

/// Three mails from another clone, applied onto the checked-out main.
fn three_mails(env: &TestEnv) -> Setup {
    let repo = env.linear().dir;
    let other = crate::patch::clone_at(env, &repo, "other", "main");
    for n in 1..=3 {
        env.commit(
            &other,
            &format!("change {n}"),
            &[(&format!("file{n}.txt"), &format!("{n}\n"))],
        );
    }
    env.git(
        &other,
        &["format-patch", "--quiet", "-3", "-o", "../mails", "HEAD"],
    );
    Setup {
        cwd: repo.clone(),
        repo,
        origin: None,
        github: None,
    }
}

/// A hotfix released and pushed, to take back with `rollback --revert --push`.
fn released(env: &TestEnv) -> Setup {
    let setup = finish_push(env);
    env.hotfix(&setup.repo, &["finish", "--push"]).ok();
    setup
}

/// `finish --pr`: the release commit on the hotfix branch, pushed, and a pull request on
/// a GitHub of its own.
fn proposed(env: &TestEnv) -> Setup {
    let fixture = crate::github::proposed_hotfix(env);
    Setup {
        cwd: fixture.dir.clone(),
        repo: fixture.dir,
        origin: fixture.origin,
        github: Some(FakeGitHub::start("acme", "shop", TOKEN)),
    }
}

/// A hotfix of main to backport to three release lines, each through a pull request.
fn backport_proposed(env: &TestEnv) -> Setup {
    let fixture = env.with_origin(env.release_lines());
    let repo = fixture.dir.clone();
    env.git(&repo, &["config", "hotfix.github.repository", "acme/shop"]);
    env.hotfix(&repo, &["start", "ENG-1234", "fix", "--severity", "P1"])
        .ok();
    env.commit(
        &repo,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "signed\n")],
    );
    Setup {
        cwd: repo.clone(),
        repo,
        origin: fixture.origin,
        github: Some(FakeGitHub::start("acme", "shop", TOKEN)),
    }
}

const BACKPORT_PR: Scenario = Scenario {
    name: "backport --pr",
    setup: backport_proposed,
    args: &["backport", "--to", "release/*", "--pr"],
    resumes: false,
};

/// A hotfix whose pull request `finish --pr` opened has merged on GitHub.
fn merged(env: &TestEnv) -> Setup {
    let setup = proposed(env);
    setup.hotfix(env, &setup.repo, &["finish", "--pr"]).ok();
    let (origin, github) = (
        setup.origin.as_ref().unwrap(),
        setup.github.as_ref().unwrap(),
    );
    crate::github::merge_on_github(env, github, origin, 1);
    // Fetched already, as the run would first: a fetch is not something to take back.
    env.git(&setup.repo, &["fetch", "--quiet", "origin"]);
    setup
}

const AFTER_MERGE: Scenario = Scenario {
    name: "finish --after-merge",
    setup: merged,
    args: &["finish", "--after-merge"],
    resumes: false,
};

/// A mail whose second hunk's context changed here (line 22), applied onto the checked-out
/// main with a three-way merge.
fn mail_needing_three_ways(env: &TestEnv) -> Setup {
    let repo = env.linear().dir;
    let lines: String = (1..=30).map(|i| format!("line {i}\n")).collect();
    env.commit(&repo, "app", &[("app.txt", &lines)]);
    let other = crate::patch::clone_at(env, &repo, "other", "main");
    let fixed = lines
        .replace("line 5\n", "line 5 fixed\n")
        .replace("line 25\n", "line 25 fixed\n");
    env.commit(&other, "fix: both ends", &[("app.txt", &fixed)]);
    env.git(
        &other,
        &["format-patch", "--quiet", "-1", "-o", "../mails", "HEAD"],
    );
    let local = lines.replace("line 22\n", "line 22 local\n");
    env.commit(&repo, "local change", &[("app.txt", &local)]);
    Setup {
        cwd: repo.clone(),
        repo,
        origin: None,
        github: None,
    }
}

const PATCH_APPLY_3WAY: Scenario = Scenario {
    name: "patch apply --3way",
    setup: mail_needing_three_ways,
    args: &["patch", "apply", "--3way", "../mails"],
    resumes: false,
};

/// A finish stopped on its merge into main conflicting, resolved and staged: `continue`.
fn resolved_conflict(env: &TestEnv) -> Setup {
    let repo = env.with_develop().dir;
    env.commit(&repo, "main reworks auth", &[("auth.txt", "main auth\n")]);
    env.start_and_fix(&repo);
    env.hotfix(&repo, &["finish"]).expect(3);
    let worktree = repo.join(".git/hotfix/resolve/ENG-1234-main");
    crate::conflict::resolve(env, &worktree, "main + fix\n");
    Setup {
        cwd: repo.clone(),
        repo,
        origin: None,
        github: None,
    }
}

/// A backport to every maintained line stopped on release/1.3, which reworked auth.txt its
/// own way, and the conflict resolved in its worktree: `continue` takes the resolution, picks
/// the lines after it, and removes the worktree.
fn backport_resolved(env: &TestEnv) -> Setup {
    let repo = env.release_lines().dir;
    env.git(&repo, &["switch", "--quiet", "release/1.3"]);
    env.commit(&repo, "1.3 reworks auth", &[("auth.txt", "check on 1.3\n")]);
    env.git(&repo, &["switch", "--quiet", "main"]);
    env.start_and_fix(&repo);
    let args = ["backport", "--maintained", "--on-conflict", "pause"];
    env.hotfix(&repo, &args).expect(3);
    let worktree = repo.join(".git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3");
    crate::conflict::resolve(env, &worktree, "check signature on 1.3\n");
    Setup {
        cwd: repo.clone(),
        repo,
        origin: None,
        github: None,
    }
}

const CONTINUE_BACKPORT: Scenario = Scenario {
    name: "continue a backport after a conflict",
    setup: backport_resolved,
    args: &["continue"],
    resumes: true,
};

const CONTINUE_AFTER_CONFLICT: Scenario = Scenario {
    name: "continue after a conflict",
    setup: resolved_conflict,
    args: &["continue"],
    resumes: true,
};

const FINISH_PR: Scenario = Scenario {
    name: "finish --pr",
    setup: proposed,
    args: &["finish", "--pr"],
    resumes: false,
};

const FINISH_PUSH: Scenario = Scenario {
    name: "finish --push",
    setup: finish_push,
    args: &["finish", "--push"],
    resumes: false,
};

const FINISH_FROM_WORKTREE: Scenario = Scenario {
    name: "finish from a worktree",
    setup: finish_from_worktree,
    args: &["finish"],
    resumes: false,
};

const BACKPORT_ONTO_TARGETS: Scenario = Scenario {
    name: "backport --onto-target",
    setup: backport_onto_lines,
    resumes: false,
    args: &[
        "backport",
        "main",
        "--to",
        "release/1.3",
        "--to",
        "release/1.4",
        "--to",
        "release/1.5",
        "--onto-target",
    ],
};

const BACKPORT_TO_BRANCHES: Scenario = Scenario {
    name: "backport to new branches",
    setup: backport_onto_lines,
    args: &["backport", "main", "--to", "release/1.*"],
    resumes: false,
};

const TAG_PUSH: Scenario = Scenario {
    name: "tag --push",
    setup: finish_push,
    args: &["tag", "--push"],
    resumes: false,
};

const PATCH_APPLY: Scenario = Scenario {
    name: "patch apply",
    setup: three_mails,
    args: &["patch", "apply", "../mails"],
    resumes: false,
};

const ROLLBACK_REVERT_PUSH: Scenario = Scenario {
    name: "rollback --revert --push",
    setup: released,
    args: &["rollback", "--revert", "--push"],
    resumes: false,
};

/// The syscalls that make a run's writes land (renames, unlinks, syncs), that take locks,
/// and that wait for git: the moments a kill leaves the most half-done.
const KILL_AT: &[&str] = &[
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "fsync",
    "fdatasync",
    "flock",
    "wait4",
];

/// Whether strace can run here; CI requires it (`GIT_HOTFIX_REQUIRE_STRACE`).
fn strace() -> bool {
    let found = std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("GIT_HOTFIX_REQUIRE_STRACE").is_none(),
            "strace is required here and missing"
        );
        eprintln!("strace is not installed: the random-kill recovery test does not run");
    }
    found
}

/// The command run under strace, its `n`th call of `syscall` (in whichever process,
/// git-hotfix or a git it runs, gets there first) answered with SIGKILL. `false` when no
/// process made that many: the command ran to its end.
fn killed_at_syscall(env: &TestEnv, setup: &Setup, args: &[&str], syscall: &str, n: usize) -> bool {
    let trace = env.path("strace.out");
    let program = env!("CARGO_BIN_EXE_git-hotfix");
    let mut all = vec![
        "-f".to_string(),
        "-qq".into(),
        "-o".into(),
        trace.to_string_lossy().into_owned(),
        "-e".into(),
        format!("trace={syscall}"),
        "-e".into(),
        format!("inject={syscall}:signal=KILL:when={n}"),
        program.into(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let mut command = env.command_in(&setup.cwd, "strace");
    command.args(&all);
    if let Some(github) = &setup.github {
        command
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", github.url());
    }
    let run = Run::of(command);
    let killed = std::fs::read_to_string(&trace)
        .unwrap_or_default()
        .contains("killed by SIGKILL");
    if !killed {
        assert_eq!(run.code, 0, "not killed, yet it failed:\n{}", run.stderr);
    }
    killed
}

/// Kill `scenario` at each call of each syscall above in turn; returns how many points
/// were tried.
fn every_syscall(scenario: &Scenario) -> usize {
    let ends = ends(scenario);
    let mut tried = 0;
    for syscall in KILL_AT {
        for n in 1.. {
            let point = format!("{}: killed at {syscall} #{n}", scenario.name);
            let kill = |env: &TestEnv, setup: &Setup| {
                killed_at_syscall(env, setup, scenario.args, syscall, n)
            };
            if !both_ways(scenario, &ends, &point, &kill) {
                break;
            }
            tried += 1;
        }
    }
    eprintln!("{}: {tried} syscall kill points", scenario.name);
    tried
}

/// Both kinds of kill for one scenario.
fn recovers_everywhere(scenario: &Scenario) {
    let points = every_boundary(scenario);
    assert!(points > 0, "{}: no boundary was hit", scenario.name);
    eprintln!("{}: {points} step boundaries", scenario.name);
    if strace() {
        assert!(
            every_syscall(scenario) > 0,
            "{}: no kill landed",
            scenario.name
        );
    }
}

#[test]
fn finish_push_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&FINISH_PUSH);
}

#[test]
fn finish_from_a_worktree_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&FINISH_FROM_WORKTREE);
}

#[test]
fn backport_onto_targets_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&BACKPORT_ONTO_TARGETS);
}

#[test]
fn backport_to_new_branches_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&BACKPORT_TO_BRANCHES);
}

#[test]
fn tag_push_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&TAG_PUSH);
}

#[test]
fn patch_apply_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&PATCH_APPLY);
}

#[test]
fn rollback_revert_push_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&ROLLBACK_REVERT_PUSH);
}

#[test]
fn finish_pr_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&FINISH_PR);
}

#[test]
fn backport_pr_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&BACKPORT_PR);
}

#[test]
fn after_merge_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&AFTER_MERGE);
}

#[test]
fn patch_apply_3way_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&PATCH_APPLY_3WAY);
}

#[test]
fn continue_after_a_conflict_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&CONTINUE_AFTER_CONFLICT);
}

#[test]
fn continue_of_a_backport_recovers_from_a_kill_anywhere() {
    recovers_everywhere(&CONTINUE_BACKPORT);
}

/// `finish --push` whose push hangs in the remote's `hook` (`pre-receive`: the remote has
/// not taken the refs yet; `post-receive`: it has, and the client does not know), its whole
/// process group (git-hotfix, git push, receive-pack, the hook) then sent `signal`:
/// SIGKILL as a crash, SIGINT as Ctrl-C.
fn signalled_during_push(env: &TestEnv, setup: &Setup, hook: &str, signal: &str) -> bool {
    use std::os::unix::process::CommandExt;
    let origin = setup.origin.as_ref().expect("a remote");
    let started = env.path("push-started");
    let hook = crate::push::hook(
        origin,
        hook,
        &format!("touch '{}'\nsleep 30", started.display()),
    );
    let mut child = setup
        .command(env, &setup.cwd, &["finish", "--push"])
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "the push never began");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let group = format!("-{}", child.id());
    std::process::Command::new("kill")
        .args([signal, "--", &group])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    std::fs::remove_file(&hook).unwrap();
    std::fs::remove_file(&started).unwrap();
    !status.success()
}

#[test]
fn finish_push_recovers_from_a_kill_or_ctrl_c_while_the_remote_takes_the_push() {
    let ends = ends(&FINISH_PUSH);
    for hook in ["pre-receive", "post-receive"] {
        for signal in ["-KILL", "-INT"] {
            let point = format!("finish --push: {signal} during the remote's {hook}");
            let kill =
                |env: &TestEnv, setup: &Setup| signalled_during_push(env, setup, hook, signal);
            assert!(
                both_ways(&FINISH_PUSH, &ends, &point, &kill),
                "{point}: the run was not stopped"
            );
        }
    }
}

/// A repository restored elsewhere after a kill (a copy, another mount: new path, new
/// inodes, the same content): `abort` and `continue` there act on that copy's own
/// checkout, never on the place the run was journaled from.
#[test]
fn a_run_cut_short_goes_on_or_back_in_a_copy_of_the_repository() {
    for way in ["abort", "continue"] {
        let env = TestEnv::new();
        let setup = finish_push(&env);
        let fix = env.rev(&setup.repo, "HEAD").unwrap();
        // Killed after the files followed the merge, before the push.
        let mut command = setup.command(&env, &setup.cwd, &["finish", "--push"]);
        command.env("GIT_HOTFIX_FAILPOINT", "push");
        assert_eq!(Run::of(command).code, -1);
        let copy = env.path("restored");
        let copied = std::process::Command::new("cp")
            .args(["-r"])
            .arg(&setup.repo)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(copied.success());
        let original = crate::common::snapshot(&setup.repo);

        let run = env.hotfix(&copy, &[way]).ok();
        crate::common::assert_unchanged(&original, &crate::common::snapshot(&setup.repo));
        assert_eq!(
            env.git(&copy, &["status", "--porcelain"]),
            "",
            "{way}: {}",
            run.stderr
        );
        match way {
            "abort" => {
                assert_eq!(env.rev(&copy, "HEAD"), Some(fix.clone()));
                assert_eq!(env.rev(&copy, "v1.2.4"), None);
            }
            _ => {
                let origin = setup.origin.as_ref().unwrap();
                assert_eq!(env.rev(&copy, "main"), env.rev(origin, "main"));
                assert!(env.rev(origin, "v1.2.4").is_some());
            }
        }
        env.fsck(&copy);
    }
}
