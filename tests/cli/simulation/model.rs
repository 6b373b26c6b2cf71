//! The world of the simulation and what each actor may do in it.
//!
//! - **Ada and Cy** use git-hotfix, each in a clone of the origin: start (now and then on the
//!   older line), commit a fix, finish (with or without `--push`, re-versioned with `--next`
//!   or `--version`), tag, propose (`finish --pr`) and release what merged
//!   (`finish --after-merge`), backport to `release/2.2`, abandon, deploy, verify, roll
//!   back, continue and abort; `git pull` like anyone. Any of their runs may be killed at a
//!   step boundary (`GIT_HOTFIX_FAILPOINT`, which aborts the process as SIGKILL would).
//! - **Bo** uses plain git: commits and pushes to main (now and then touching the file the
//!   fixes touch), releases (version files, changelog, tag, push), rewrites a hotfix branch
//!   on the origin with a force-push, or deletes one.
//! - **GitHub** (a fake one serving the origin's git data) merges an open pull request as
//!   its merge button does, and runs the action (`git hotfix action`, the entry point of the
//!   GitHub Action) for a merged one, in a fresh one-commit checkout: the first run or a
//!   rerun.
//! - **Production** is the file the deploy script writes (`../production/production`).
//!
//! An action is chosen from what the world looks like (a stopped run is most often
//! continued or aborted), with the seed's random numbers only, so that a seed replays the
//! same day. Not modelled: linked worktrees of a person's own, staging, several products,
//! squash and rebase merges on GitHub, backport labels, and kills inside `deploy` (not a
//! journaled run yet) or inside the action.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::invariants::{self, Snapshot};
use crate::common::team::{Team, changelog, released_versions};
use crate::common::{Run, TestEnv};
use fake_github::FakeGitHub;

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Ada,
    Cy,
    Bo,
    /// GitHub and the action's runs: merging pull requests, releasing what merged.
    Bot,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Who::Ada => "ada",
            Who::Cy => "cy",
            Who::Bo => "bo",
            Who::Bot => "github",
        })
    }
}

/// What a person using git-hotfix knows of their clone, read after every action.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// `status --all --json`'s journals.
    pub hotfixes: Vec<Value>,
    /// The state of the clone before the run now stopped in it began: an `abort` must
    /// bring it back.
    pub before_run: Option<Snapshot>,
    /// The next ticket number this person starts.
    pub tickets: u32,
}

impl Seen {
    pub fn run_in_progress(&self) -> bool {
        self.hotfixes.iter().any(|h| !h["run"].is_null())
    }

    fn with_state<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.hotfixes.iter().filter(move |h| h["state"] == state)
    }
}

/// What one schedule did, summed over many.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub actions: usize,
    pub kills: usize,
    pub stops: usize,
    pub continued: usize,
    pub aborted: usize,
    pub releases: usize,
    /// Finishes taken back with `abort --hotfix`.
    pub taken_back: usize,
    pub refusals: usize,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.actions += other.actions;
        self.kills += other.kills;
        self.stops += other.stops;
        self.continued += other.continued;
        self.aborted += other.aborted;
        self.releases += other.releases;
        self.taken_back += other.taken_back;
        self.refusals += other.refusals;
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} actions: {} kills, {} stops, {} continued, {} aborted, {} hotfixes released, {} finishes taken back, {} refusals",
            self.actions,
            self.kills,
            self.stops,
            self.continued,
            self.aborted,
            self.releases,
            self.taken_back,
            self.refusals
        )
    }
}

pub struct World {
    pub env: TestEnv,
    /// GitHub, serving the origin's git data as GitHub's own.
    pub github: FakeGitHub,
    pub team: Team,
    pub cy: PathBuf,
    pub clones: BTreeMap<Who, Seen>,
    /// Commits someone made that must stay reachable from a ref in some repository.
    pub precious: Vec<(String, String)>,
    /// The commits each repository's branches, tags and remote-tracking refs reach, as of
    /// the last action that could change them.
    pub reachable: BTreeMap<String, std::collections::HashSet<String>>,
    /// What happened, one line per action: the report of a failing seed.
    pub schedule: Vec<String>,
    pub tally: Tally,
    rng: fastrand::Rng,
    seed: u64,
    /// Bo's commits so far (for unique contents).
    commits: u32,
}

/// The team's world, made once and copied for each schedule: the origin and the clones
/// name each other by relative paths, so a copy is a world of its own.
pub struct Template(TestEnv);

impl Template {
    pub fn new() -> Template {
        let env = TestEnv::new();
        let team = env.team();
        let cy = env.clone_of("cy", "Cy Oncall", "cy@example.com");
        env.clone_of("github", "GitHub", "noreply@github.com");
        env.git(&team.ada, &["fetch", "--quiet", "--tags", "origin"]);
        for clone in [&team.ada, &cy] {
            env.git(clone, &["config", "hotfix.github.repository", "acme/shop"]);
        }
        Template(env)
    }
}

impl World {
    pub fn new(template: &Template, seed: u64) -> World {
        let env = TestEnv::new();
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", template.0.root.path().display()))
            .arg(env.root.path())
            .status()
            .expect("cp runs");
        assert!(status.success(), "the template world copies");
        let team = Team {
            origin: env.path("origin.git"),
            ada: env.path("ada"),
            bo: env.path("bo"),
        };
        let cy = env.path("cy");
        let github = FakeGitHub::start("acme", "shop", crate::action::TOKEN);
        github.serve_git(&team.origin);
        let mut clones = BTreeMap::new();
        clones.insert(Who::Ada, Seen::default());
        clones.insert(Who::Cy, Seen::default());
        World {
            env,
            github,
            team,
            cy,
            clones,
            precious: Vec::new(),
            reachable: BTreeMap::new(),
            schedule: Vec::new(),
            tally: Tally::default(),
            rng: fastrand::Rng::with_seed(seed),
            seed,
            commits: 0,
        }
    }

    pub fn tally(&self) -> Tally {
        self.tally.clone()
    }

    pub fn dir(&self, who: Who) -> &Path {
        match who {
            Who::Ada => &self.team.ada,
            Who::Cy => &self.cy,
            Who::Bo => &self.team.bo,
            Who::Bot => &self.team.origin,
        }
    }

    /// `git hotfix <args>` in `who`'s clone, talking to the world's GitHub.
    pub fn hotfix_command(&self, who: Who, args: &[&str]) -> std::process::Command {
        let mut command = self.env.hotfix_command(self.dir(who), args);
        command
            .env("GITHUB_TOKEN", crate::action::TOKEN)
            .env("GITHUB_API_URL", self.github.url());
        command
    }

    /// One action by someone, then every invariant.
    pub fn step(&mut self) -> Result<(), String> {
        let who = match self.rng.u32(0..20) {
            0..=6 => Who::Ada,
            7..=11 => Who::Cy,
            12..=16 => Who::Bo,
            _ => Who::Bot,
        };
        self.act(who)
    }

    /// The end of the day: each stopped run is continued or aborted, so that the checks of a
    /// finished run (nothing left in `.git`) apply to every clone.
    pub fn settle(&mut self) -> Result<(), String> {
        for who in [Who::Ada, Who::Cy] {
            for _ in 0..3 {
                if !self.clones[&who].run_in_progress() {
                    break;
                }
                let op = match self.rng.bool() {
                    true => Op::Continue,
                    false => Op::Abort,
                };
                self.tool(who, op, None)?;
            }
        }
        Ok(())
    }

    fn act(&mut self, who: Who) -> Result<(), String> {
        if who == Who::Bot {
            let pulls = self.github.pulls();
            let open = pulls.iter().any(|p| p.state == "open");
            let merged = pulls.iter().any(|p| p.merged);
            return match (open, merged) {
                (true, true) if self.rng.bool() => self.merge_on_github(),
                (true, false) => self.merge_on_github(),
                (_, true) => self.release_on_github(),
                // Nothing on GitHub yet: Bo acts instead.
                (false, false) => self.act(Who::Bo),
            };
        }
        if who == Who::Bo {
            let action = match self.rng.u32(0..10) {
                0..=3 => Plain::Commit,
                4..=6 => Plain::Release,
                7..=8 => Plain::RewriteHotfix,
                _ => Plain::DeleteHotfix,
            };
            return self.colleague(action);
        }
        let op = self.choose(who);
        // A run may be killed at any of its first step boundaries.
        let kill = (op.writes() && self.rng.u32(0..4) == 0).then(|| match self.rng.u32(0..3) {
            0 => self.rng.u32(4..10),
            _ => self.rng.u32(1..4),
        });
        self.tool(who, op, kill)
    }

    /// What `who` does next, as a person would from where things stand: a stopped run is
    /// mostly continued or aborted, a fresh branch gets its fix, a finished hotfix is
    /// deployed, verified, now and then rolled back.
    fn choose(&mut self, who: Who) -> Op {
        let seen = self.clones[&who].clone();
        if seen.run_in_progress() && self.rng.u32(0..5) != 0 {
            return match self.rng.bool() {
                true => Op::Continue,
                false => Op::Abort,
            };
        }
        let branch = self.current_branch(who);
        let ticket_of = |state: &str| -> Vec<String> {
            seen.with_state(state)
                .map(|h| h["ticket"].as_str().unwrap().to_string())
                .collect()
        };
        let (active, finished) = (ticket_of("active"), ticket_of("finished"));
        let current = seen
            .hotfixes
            .iter()
            .find(|h| h["state"] == "active" && h["branch"] == branch.as_str());
        let fixes = self
            .precious
            .iter()
            .filter(|(_, what)| what.ends_with(&format!("fix on {branch}")))
            .count();
        let mut options: Vec<(u32, Op)> = Vec::new();
        if active.len() < 2 {
            options.push((
                if active.is_empty() && finished.is_empty() {
                    12
                } else {
                    3
                },
                Op::Start {
                    ticket: String::new(),
                    old_line: self.rng.u32(0..5) == 0,
                },
            ));
        }
        if current.is_some() {
            options.push((
                if fixes == 0 { 12 } else { 3 },
                Op::Fix {
                    conflicting: self.rng.u32(0..3) == 0,
                },
            ));
        }
        let finishing = match current {
            Some(hotfix) => Some((None, hotfix)),
            None => (!active.is_empty()).then(|| {
                let ticket = &active[self.rng.usize(0..active.len())];
                let hotfix = seen
                    .hotfixes
                    .iter()
                    .find(|h| h["ticket"] == ticket.as_str());
                (Some(ticket.clone()), hotfix.expect("a journal"))
            }),
        };
        if let Some((ticket, hotfix)) = finishing {
            let planned = hotfix["version"].as_str().unwrap_or("0.0.0").to_string();
            let reversion = match self.rng.u32(0..6) {
                0 => Some("--next".to_string()),
                1 => Some(format!("--version={}", above(&planned))),
                _ => None,
            };
            options.push((
                if fixes > 0 { 8 } else { 2 },
                Op::Finish {
                    ticket: ticket.clone(),
                    push: self.rng.bool(),
                    reversion,
                },
            ));
            if ticket.is_none() {
                options.push((
                    2,
                    Op::Tag {
                        push: self.rng.bool(),
                    },
                ));
                options.push((if fixes > 0 { 5 } else { 1 }, Op::Propose));
            }
            // Its pull request merged on GitHub: release what merged, as the developer.
            let merged = hotfix["proposal"]["pull"]["number"]
                .as_u64()
                .is_some_and(|n| {
                    self.github
                        .pulls()
                        .iter()
                        .any(|p| p.number == n && p.merged)
                });
            if merged {
                let ticket = hotfix["ticket"].as_str().unwrap().to_string();
                options.push((6, Op::AfterMerge { ticket }));
            }
            let ticket = hotfix["ticket"].as_str().unwrap().to_string();
            options.push((
                1,
                Op::Abandon {
                    ticket,
                    delete: self.rng.bool(),
                },
            ));
        }
        let pick =
            |list: &[String], rng: &mut fastrand::Rng| list[rng.usize(0..list.len())].clone();
        if !finished.is_empty() {
            options.push((
                5,
                Op::Deploy {
                    ticket: pick(&finished, &mut self.rng),
                },
            ));
            options.push((
                3,
                Op::Verify {
                    ticket: pick(&finished, &mut self.rng),
                },
            ));
            options.push((2, Op::Rollback));
            options.push((
                1,
                Op::FlagOff {
                    ticket: pick(&finished, &mut self.rng),
                },
            ));
            options.push((
                1,
                Op::TakeBack {
                    ticket: pick(&finished, &mut self.rng),
                },
            ));
            options.push((
                2,
                Op::Backport {
                    ticket: pick(&finished, &mut self.rng),
                },
            ));
        }
        options.push((2, Op::Pull));
        let total: u32 = options.iter().map(|(w, _)| w).sum();
        let mut at = self.rng.u32(0..total);
        let mut op = Op::Pull;
        for (weight, option) in options {
            if at < weight {
                op = option;
                break;
            }
            at -= weight;
        }
        if let Op::Start { ticket, .. } = &mut op {
            let seen = self.clones.get_mut(&who).expect("a tool user");
            seen.tickets += 1;
            let prefix = if who == Who::Ada { "A" } else { "C" };
            *ticket = format!("{prefix}-{}", seen.tickets);
        }
        op
    }

    fn current_branch(&self, who: Who) -> String {
        invariants::head(self.dir(who))
            .strip_prefix("ref: refs/heads/")
            .unwrap_or_default()
            .to_string()
    }

    /// `git hotfix <op>` by `who`, killed at boundary `kill` if given; then the checks.
    pub fn tool(&mut self, who: Who, op: Op, kill: Option<u32>) -> Result<(), String> {
        let dir = self.dir(who).to_path_buf();
        self.tally.actions += 1;
        if let Op::Fix { conflicting } = op {
            return self.fix(who, conflicting);
        }
        if op == Op::Pull {
            // `git pull` as on any branch: fetch, and bring the remote's main into main.
            let env = &self.env;
            env.git(&dir, &["fetch", "--quiet", "origin"]);
            let mut said = format!("{who}: git fetch");
            if self.current_branch(who) == "main" {
                let merged =
                    env.git_output(&dir, &["merge", "--quiet", "--no-edit", "origin/main"]);
                said = match merged.status.success() {
                    true => format!("{who}: git pull"),
                    false => {
                        // A conflicting pull is given up, as a person would.
                        env.git_output(&dir, &["merge", "--abort"]);
                        format!("{who}: git pull (conflicts: merge --abort)")
                    }
                };
            }
            self.schedule.push(said);
            return self.check(who, None);
        }
        if op == Op::Continue {
            self.resolve_conflicts(who);
        }
        let before = invariants::snapshot(self, who);
        let args = op.args();
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = self.hotfix_command(who, &words);
        if let Some(n) = kill {
            command.env("GIT_HOTFIX_FAILPOINT", n.to_string());
        }
        let run = Run::of(command);
        // Aborted by the failpoint: no exit code, killed by a signal.
        let killed = kill.is_some() && run.code == -1;
        self.schedule.push(format!(
            "{who}: git hotfix {}{} → {}",
            args.join(" "),
            kill.map(|n| format!(" (killed at boundary {n})"))
                .unwrap_or_default(),
            match (killed, run.code) {
                (true, _) => "killed".to_string(),
                (false, code) => format!("exit {code}{}", first_line(&run.stderr)),
            }
        ));
        // A refusal names what is wrong with the request; "could not …" is git-hotfix (or
        // git under it) failing at its own work.
        let internal = run.code == 1 && run.stderr.contains("error: could not");
        if killed {
            self.tally.kills += 1;
        } else if internal || !matches!(run.code, 0 | 1 | 3 | 4 | 5) {
            return Err(self.violation(&format!(
                "git hotfix {} exited {}:\n{}",
                args.join(" "),
                run.code,
                run.stderr
            )));
        }
        match run.code {
            0 if matches!(op, Op::TakeBack { .. }) && !killed => self.tally.taken_back += 1,
            3 => self.tally.stops += 1,
            1 | 4 | 5 if !killed => self.tally.refusals += 1,
            _ => {}
        }
        let was_stopped = self.clones[&who].run_in_progress();
        let finished = |seen: &Seen| seen.with_state("finished").count();
        let finished_before = finished(&self.clones[&who]);
        self.check(who, Some((&op, &run, killed, before)))?;
        self.tally.releases += finished(&self.clones[&who]).saturating_sub(finished_before);
        let now_stopped = self.clones[&who].run_in_progress();
        if run.code == 0 && was_stopped && !now_stopped {
            match op {
                Op::Continue => self.tally.continued += 1,
                Op::Abort => self.tally.aborted += 1,
                _ => {}
            }
        }
        Ok(())
    }

    /// Commit a fix on the hotfix branch checked out: a file of its own, and now and then
    /// a line others change too.
    fn fix(&mut self, who: Who, conflicting: bool) -> Result<(), String> {
        let dir = self.dir(who).to_path_buf();
        let branch = self.current_branch(who);
        let n = self.rng.u32(0..1000);
        let mut files = vec![(
            format!("fix-{}.txt", branch.replace('/', "-")),
            format!("{n}\n"),
        )];
        if conflicting {
            files.push(("auth.txt".into(), format!("check {who} {n}\n")));
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let commit = self.env.commit(&dir, &format!("fix: {branch} {n}"), &files);
        self.precious
            .push((commit.clone(), format!("{who}'s fix on {branch}")));
        self.schedule.push(format!(
            "{who}: git commit on {branch}{}",
            if conflicting {
                " (touching auth.txt)"
            } else {
                ""
            }
        ));
        self.check(who, None)
    }

    /// In every conflict worktree git-hotfix made in `who`'s clone, resolve as a person
    /// would: both sides' lines kept, and `git add`.
    fn resolve_conflicts(&mut self, who: Who) {
        let dir = self.dir(who).to_path_buf();
        let list = self.env.git(&dir, &["worktree", "list", "--porcelain"]);
        for worktree in list.lines().filter_map(|l| l.strip_prefix("worktree ")) {
            let worktree = Path::new(worktree);
            if !worktree.to_string_lossy().contains("/.git/hotfix/") || !worktree.exists() {
                continue;
            }
            let unmerged = self
                .env
                .git(worktree, &["diff", "--name-only", "--diff-filter=U"]);
            for path in unmerged.lines() {
                let file = worktree.join(path);
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                let resolved: String = text
                    .lines()
                    .filter(|l| {
                        !l.starts_with("<<<<<<<")
                            && !l.starts_with("=======")
                            && !l.starts_with(">>>>>>>")
                            && !l.starts_with("|||||||")
                    })
                    .map(|l| format!("{l}\n"))
                    .collect();
                std::fs::write(&file, resolved).unwrap();
                self.env.git(worktree, &["add", "--", path]);
            }
            if !unmerged.is_empty() {
                self.schedule.push(format!(
                    "{who}: resolve {} and git add",
                    unmerged.trim().replace('\n', ", ")
                ));
            }
        }
    }

    /// GitHub's merge button on an open pull request whose branch is on the origin: a
    /// merge commit onto its base, as GitHub makes it; a conflict is left for a person.
    fn merge_on_github(&mut self) -> Result<(), String> {
        self.tally.actions += 1;
        let open: Vec<_> = self
            .github
            .pulls()
            .into_iter()
            .filter(|p| p.state == "open")
            .collect();
        if open.is_empty() {
            self.schedule.push("github: (no pull request open)".into());
            return self.check(Who::Bot, None);
        }
        let pull = open[self.rng.usize(0..open.len())].clone();
        let env = &self.env;
        let gh = self.env.path("github");
        env.git(&gh, &["fetch", "--quiet", "--prune", "origin"]);
        let head = env.rev(&gh, &format!("refs/remotes/origin/{}", pull.head));
        let Some(head) = head else {
            self.schedule.push(format!(
                "github: #{} cannot merge ({} is gone from the origin)",
                pull.number, pull.head
            ));
            return self.check(Who::Bot, None);
        };
        env.git(
            &gh,
            &[
                "switch",
                "--quiet",
                "--detach",
                &format!("origin/{}", pull.base),
            ],
        );
        let message = format!(
            "Merge pull request #{} from acme/{}",
            pull.number, pull.head
        );
        let merged = env.git_output(&gh, &["merge", "--quiet", "--no-ff", "-m", &message, &head]);
        if !merged.status.success() {
            env.git_output(&gh, &["merge", "--abort"]);
            self.schedule.push(format!(
                "github: #{} has conflicts, not merged",
                pull.number
            ));
            return self.check(Who::Bot, None);
        }
        let merge = env.rev(&gh, "HEAD").unwrap();
        let pushed = env.git_output(
            &gh,
            &[
                "push",
                "--quiet",
                "origin",
                &format!("HEAD:refs/heads/{}", pull.base),
            ],
        );
        if !pushed.status.success() {
            self.schedule.push(format!(
                "github: #{} not merged ({} moved)",
                pull.number, pull.base
            ));
            return self.check(Who::Bot, None);
        }
        let commits = env.git(&gh, &["rev-list", "--count", &format!("{merge}^1..{head}")]);
        self.github
            .set_head(pull.number, &head, commits.trim().parse().unwrap_or(1));
        self.github
            .merge(pull.number, &merge, "2026-03-05T15:10:00Z");
        self.precious
            .push((merge, format!("github's merge of #{}", pull.number)));
        self.schedule
            .push(format!("github: merge #{} into {}", pull.number, pull.base));
        self.check(Who::Bot, None)
    }

    /// The action's run for a merged pull request (the first, or a rerun), in a fresh
    /// one-commit checkout as `actions/checkout` makes; what it says is held against the
    /// origin.
    fn release_on_github(&mut self) -> Result<(), String> {
        self.tally.actions += 1;
        let merged: Vec<_> = self
            .github
            .pulls()
            .into_iter()
            .filter(|p| p.merged)
            .collect();
        if merged.is_empty() {
            self.schedule
                .push("github: (no merged pull request to release)".into());
            return self.check(Who::Bot, None);
        }
        let pull = merged[self.rng.usize(0..merged.len())].clone();
        self.commits += 1;
        let name = format!("ci-{}", self.commits);
        let url = format!("file://{}", self.team.origin.display());
        self.env.git(
            self.env.root.path(),
            &["clone", "--quiet", "--depth", "1", "--no-tags", &url, &name],
        );
        let ci = self.env.path(&name);
        let event = crate::action::pull_payload(&self.github, pull.number, "closed", &[], None);
        let (command, outputs, _) = crate::action::action(
            &self.env,
            &self.github,
            &ci,
            "pull_request_target",
            &event,
            &[],
        );
        let run = Run::of(command);
        let outputs = std::fs::read_to_string(outputs).unwrap_or_default();
        let output = |name: &str| {
            outputs
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .unwrap_or_default()
                .to_string()
        };
        self.schedule.push(format!(
            "github: the action for merged #{} → exit {}{}",
            pull.number,
            run.code,
            first_line(&run.stderr)
        ));
        if !matches!(run.code, 0 | 1 | 5) || run.stderr.contains("error: could not") {
            return Err(self.violation(&format!("the action exited {}:\n{}", run.code, run.stderr)));
        }
        std::fs::remove_dir_all(&ci).ok();
        // A release it reports is on the origin, on what merged.
        let (tag, commit) = (output("tag"), output("commit"));
        if run.code == 0 && !tag.is_empty() {
            if run.stderr.contains("Tagged") {
                self.tally.releases += 1;
            }
            let there = self
                .env
                .rev(&self.team.origin, &format!("refs/tags/{tag}^{{commit}}"));
            if there.as_deref() != Some(commit.as_str()) {
                return Err(self.violation(&format!(
                    "the action said it released {tag} on {commit}; the origin's {tag} is {there:?}"
                )));
            }
        }
        self.check(Who::Bot, None)
    }

    /// Bo does `action` with plain git.
    fn colleague(&mut self, action: Plain) -> Result<(), String> {
        self.tally.actions += 1;
        let bo = self.team.bo.clone();
        let env = &self.env;
        env.git(&bo, &["switch", "--quiet", "main"]);
        env.git_output(
            &bo,
            &["fetch", "--quiet", "--tags", "--prune", "--force", "origin"],
        );
        env.git(&bo, &["reset", "--quiet", "--hard", "origin/main"]);
        let said = match action {
            Plain::Commit => {
                self.commits += 1;
                let n = self.commits;
                let touch_auth = self.rng.u32(0..3) == 0;
                let mut files = vec![(format!("bo-{n}.txt"), format!("{n}\n"))];
                if touch_auth {
                    files.push(("auth.txt".into(), format!("check bo {n}\n")));
                }
                let files: Vec<(&str, &str)> = files
                    .iter()
                    .map(|(p, c)| (p.as_str(), c.as_str()))
                    .collect();
                let commit = env.commit(&bo, &format!("bo: work {n}"), &files);
                let pushed = env
                    .git_output(&bo, &["push", "--quiet", "origin", "main"])
                    .status
                    .success();
                if pushed {
                    self.precious
                        .push((commit, format!("bo's work {n} on main")));
                }
                format!(
                    "bo: commit on main{}, push",
                    if touch_auth { " touching auth.txt" } else { "" }
                )
            }
            Plain::Release => self.colleague_release(),
            Plain::RewriteHotfix | Plain::DeleteHotfix => {
                let heads = env.git(&bo, &["ls-remote", "--heads", "origin", "hotfix/*"]);
                let branches: Vec<&str> = heads
                    .lines()
                    .filter_map(|l| l.split('\t').nth(1))
                    .filter_map(|r| r.strip_prefix("refs/heads/"))
                    .collect();
                if branches.is_empty() {
                    "bo: (no hotfix branch on origin to touch)".to_string()
                } else {
                    let branch = branches[self.rng.usize(0..branches.len())].to_string();
                    if action == Plain::DeleteHotfix {
                        env.git(&bo, &["push", "--quiet", "origin", "--delete", &branch]);
                        format!("bo: git push origin --delete {branch}")
                    } else {
                        self.commits += 1;
                        let n = self.commits;
                        env.git(
                            &bo,
                            &[
                                "switch",
                                "--quiet",
                                "-C",
                                "rewrite",
                                &format!("origin/{branch}"),
                            ],
                        );
                        // The last commit rewritten, as `commit --amend` and a force-push do;
                        // a rework of Bo's own it replaces is his to drop.
                        let replaced = env.rev(&bo, "HEAD").unwrap();
                        self.precious.retain(|(c, what)| {
                            *c != replaced || !what.starts_with("bo's force-push")
                        });
                        env.git(&bo, &["reset", "--quiet", "--soft", "HEAD^"]);
                        let commit = env.commit(
                            &bo,
                            &format!("bo: rework {branch} {n}"),
                            &[(&format!("bo-rework-{n}.txt"), "reworked\n")],
                        );
                        env.git(
                            &bo,
                            &[
                                "push",
                                "--quiet",
                                "--force",
                                "origin",
                                &format!("HEAD:refs/heads/{branch}"),
                            ],
                        );
                        env.git(&bo, &["switch", "--quiet", "main"]);
                        self.precious
                            .push((commit, format!("bo's force-push to {branch}")));
                        format!("bo: rewrite {branch} on origin (force-push)")
                    }
                }
            }
        };
        self.schedule.push(said);
        self.check(Who::Bo, None)
    }

    /// Bo releases main as the next version of its line, with plain git — first merging in
    /// a release of the line that main lacks, as a careful person would.
    fn colleague_release(&mut self) -> String {
        let env = &self.env;
        let bo = &self.team.bo;
        let tags = env.git(bo, &["tag", "--list", "v2.3.*", "--sort=-v:refname"]);
        let newest = tags.lines().next().unwrap_or("v2.3.4").to_string();
        if env
            .git_output(bo, &["merge-base", "--is-ancestor", &newest, "main"])
            .status
            .code()
            == Some(1)
        {
            let merged = env.git_output(bo, &["merge", "--quiet", "--no-edit", &newest]);
            if !merged.status.success() {
                env.git_output(bo, &["merge", "--abort"]);
                return format!("bo: (main lacks {newest} and merging it conflicts: no release)");
            }
        }
        let patch: u32 = newest
            .rsplit('.')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(4);
        let version = format!("2.3.{}", patch + 1);
        let mut versions = vec![version.clone()];
        versions.extend(released_versions(bo));
        let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
        let commit = env.commit(
            bo,
            &format!("Release {version}"),
            &[
                ("VERSION", &format!("{version}\n")),
                ("CHANGELOG.md", &changelog(&versions)),
            ],
        );
        let tag = format!("v{version}");
        env.tag(bo, &tag);
        let pushed = env
            .git_output(bo, &["push", "--quiet", "--atomic", "origin", "main", &tag])
            .status
            .success();
        if !pushed {
            env.git(bo, &["tag", "-d", &tag]);
            return format!("bo: release {version} refused by origin (someone was first)");
        }
        self.precious
            .push((commit, format!("bo's release {version}")));
        format!("bo: release {version} (tag {tag}, pushed)")
    }

    /// Every invariant, after an action of `who`; `done` is git-hotfix's run, when it was:
    /// its op, outcome, whether it was killed, and the clone before it.
    fn check(&mut self, who: Who, done: Option<(&Op, &Run, bool, Snapshot)>) -> Result<(), String> {
        let was_stopped = self.clones.get(&who).is_some_and(Seen::run_in_progress);
        let mut checked = invariants::check(self, who, done.as_ref().map(|(op, ..)| *op));
        if checked.is_ok() && self.clones.contains_key(&who) {
            let began = self.clones[&who].before_run.clone();
            checked = invariants::check_clone(
                self,
                who,
                was_stopped,
                done.as_ref()
                    .map(|(op, run, killed, before)| (*op, *run, *killed, before)),
                began.as_ref(),
            );
            // A run that began and now waits: `abort` must give back the clone as it was —
            // unless the person changed it meanwhile (committed, started another hotfix).
            let seen = self.clones.get_mut(&who).expect("a tool user");
            let resumed = matches!(done, Some((Op::Continue | Op::Abort, ..)));
            match (was_stopped, seen.run_in_progress(), done) {
                // A take-back cut short waits as the finish it takes back, stopped at its
                // end: what was before that finish is not known here.
                (false, true, Some((Op::TakeBack { .. }, ..))) => seen.before_run = None,
                (false, true, Some((_, _, _, before))) => seen.before_run = Some(before),
                (_, false, _) => seen.before_run = None,
                (true, true, _) if !resumed => seen.before_run = None,
                _ => {}
            }
        }
        checked.map_err(|broken| self.violation(&broken))
    }

    /// What a failing seed reports: what broke, and the day that led to it.
    pub fn violation(&self, broken: &str) -> String {
        let mut report = format!("seed {}: {broken}\n\nThe schedule:\n", self.seed);
        for (i, line) in self.schedule.iter().enumerate() {
            report.push_str(&format!("  {:>2}. {line}\n", i + 1));
        }
        report.push_str(&format!(
            "\nThe world: {}\n",
            self.env.root.path().display()
        ));
        report
    }
}

fn first_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .map(|l| format!(" ({})", l.trim_start_matches("error: ")))
        .unwrap_or_default()
}

/// One patch above `version`: a version someone may ask for when theirs was taken.
fn above(version: &str) -> String {
    let (rest, patch) = version.rsplit_once('.').unwrap_or((version, "0"));
    let patch: u32 = patch.parse().unwrap_or(0);
    format!("{rest}.{}", patch + 1)
}

/// The feature flag a rollback by flag turns off.
pub const FLAG: &str = "new-checkout";

/// What a person using git-hotfix does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Start {
        ticket: String,
        old_line: bool,
    },
    Fix {
        conflicting: bool,
    },
    Finish {
        ticket: Option<String>,
        push: bool,
        /// `--next`, or `--version=X.Y.Z`.
        reversion: Option<String>,
    },
    Tag {
        push: bool,
    },
    /// `finish --pr`: the release commit on the branch, pushed, a pull request.
    Propose,
    /// `finish --after-merge`: release what the pull request merged.
    AfterMerge {
        ticket: String,
    },
    Backport {
        ticket: String,
    },
    Abandon {
        ticket: String,
        delete: bool,
    },
    Deploy {
        ticket: String,
    },
    Verify {
        ticket: String,
    },
    Rollback,
    /// `rollback --flag`: the hotfix's feature turned off in production, its release kept.
    FlagOff {
        ticket: String,
    },
    /// `abort --hotfix`: take back a finish that pushed nothing (refused once it did).
    TakeBack {
        ticket: String,
    },
    Continue,
    Abort,
    Pull,
}

impl Op {
    /// Whether it runs steps a kill can cut.
    fn writes(&self) -> bool {
        matches!(
            self,
            Op::Start { .. }
                | Op::Finish { .. }
                | Op::Tag { .. }
                | Op::Propose
                | Op::AfterMerge { .. }
                | Op::Backport { .. }
                | Op::Abandon { .. }
                | Op::TakeBack { .. }
                | Op::Continue
                | Op::Abort
        )
    }

    fn args(&self) -> Vec<String> {
        let s = |list: &[&str]| list.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        match self {
            Op::Start { ticket, old_line } => {
                let mut args = s(&["start", ticket, "fix", "--severity", "P0"]);
                if *old_line {
                    args.extend(s(&["--from", "v2.2.9"]));
                }
                args
            }
            Op::Fix { .. } | Op::Pull => unreachable!("not git-hotfix"),
            Op::Finish {
                ticket,
                push,
                reversion,
            } => {
                let mut args = s(&["finish"]);
                if *push {
                    args.push("--push".into());
                }
                args.extend(reversion.clone());
                if let Some(ticket) = ticket {
                    args.extend(["--hotfix".to_string(), ticket.clone()]);
                }
                args
            }
            Op::Tag { push } => {
                let mut args = s(&["tag"]);
                if *push {
                    args.push("--push".into());
                }
                args
            }
            Op::Propose => s(&["finish", "--pr"]),
            Op::AfterMerge { ticket } => s(&["finish", "--after-merge", "--hotfix", ticket]),
            Op::Backport { ticket } => s(&["backport", "--hotfix", ticket, "--to", "release/2.2"]),
            Op::Abandon { ticket, delete } => {
                let mut args = s(&["abandon", "--hotfix", ticket, "--reason", "not needed"]);
                if *delete {
                    args.push("--delete-branch".into());
                }
                args
            }
            Op::Deploy { ticket } => s(&["deploy", "production", "--yes", "--hotfix", ticket]),
            Op::Verify { ticket } => s(&["verify", "production", "--hotfix", ticket]),
            Op::Rollback => s(&["rollback", "--yes"]),
            Op::FlagOff { ticket } => s(&["rollback", "--flag", FLAG, "--yes", "--hotfix", ticket]),
            Op::TakeBack { ticket } => s(&["abort", "--hotfix", ticket]),
            Op::Continue => s(&["continue"]),
            Op::Abort => s(&["abort"]),
        }
    }
}

/// What Bo does with plain git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    Commit,
    Release,
    RewriteHotfix,
    DeleteHotfix,
}
