//! `demo`: the whole flow on a throwaway repository, narrated. The sample history is made
//! with the `git` commands a person would type (they are printed as they run); the hotfix
//! itself runs through the same code as `git hotfix start` and `finish`.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use crate::args::PlanArg;
use crate::context::Context;
use crate::document::{Document, Planned};
use crate::error::{CommandError, Exit, Result};
use crate::ui::{DIM, EMPHASIS, Ui, paint, shell_word};

/// Show a whole hotfix on a throwaway repository: start, fix, finish, push, deploy, report,
/// backport
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Make the demo repositories here (default: a new directory under the system temp dir)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArg,
}

const TICKET: &str = "ENG-1234";
const DESCRIPTION: &str = "fix auth bypass";
const DEMO_CHANGELOG: &str = "# Changelog

## [Unreleased]

## [1.2.3] - 2026-02-01

### Added

- Faster checkout

[unreleased]: https://github.com/example/shop/compare/v1.2.3...HEAD
[1.2.3]: https://github.com/example/shop/compare/v1.1.0...v1.2.3
";

/// The demo's settings: its branches, and a deploy policy running its own script.
const DEMO_CONFIG: &str = r#"production-branch = "main"
develop-branch = "develop"
release-branches = ["release/*"]

[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]
[policies.deploy.settings]
"deploy" = "./deploy.sh {environment} {version}"
"verify" = "./deploy.sh smoke-test {environment}"
"#;

/// Stands in for kubectl: says what it would do.
const DEMO_DEPLOY: &str = "#!/bin/sh\necho \"deploy.sh: $1 $2 ... ok\"\n";

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|err| {
        CommandError::new(
            Exit::Error,
            format!("could not make {} executable: {err}", path.display()),
        )
    })
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

pub fn cmd_demo(context: &Context, args: DemoArgs) -> Result<Exit> {
    let ui = &context.ui;
    let root = match args.dir {
        Some(dir) => context.absolute(dir),
        None => std::env::temp_dir().join(format!(
            "git-hotfix-demo-{}-{}",
            std::process::id(),
            context.now.as_second()
        )),
    };
    let repo = root.join("shop");
    let origin = root.join("origin.git");

    if args.plan.plan {
        if ui.json_mode() {
            ui.json(&Planned::new(&DemoPlan {
                repository: &repo,
                origin: &origin,
                ticket: TICKET,
            }));
        } else {
            ui.out(format!(
                "Would make a demo repository in {}",
                repo.display()
            ));
            ui.out("  - release v1.2.3 on main, a develop branch, an origin to push to");
            ui.out(format!(
                "  - git hotfix start {TICKET} {DESCRIPTION} --assess"
            ));
            ui.out("  - commit a fix, git hotfix status, git hotfix finish --push");
            ui.out("  - git hotfix deploy --yes, git hotfix verify, git hotfix report internal");
            ui.out("  - git hotfix backport --hotfix ENG-1234 --maintained (release/1.1)");
        }
        return Ok(Exit::Ok);
    }
    if repo.exists() {
        return Err(
            CommandError::new(Exit::Error, format!("{} already exists", repo.display()))
                .hint("pass another `--dir`, or remove it"),
        );
    }

    // The hotfix runs as a person runs it: `git hotfix …` in the demo repository, printed
    // first. They narrate in text; with --json only the final document is printed, and with
    // --quiet only where the result is.
    let hotfix = Hotfix { ui, dir: &repo };
    let narrate = |text: &str| {
        if ui.narrating() {
            ui.out(format!("\n{}", paint(EMPHASIS, text)));
        }
    };

    narrate(
        "1. A product in production: v1.2.3 on main, 1.1 still maintained, work going on in develop",
    );
    std::fs::create_dir_all(&root).map_err(|err| {
        CommandError::new(
            Exit::Error,
            format!("could not create {}: {err}", root.display()),
        )
    })?;
    let git = Git { ui, dir: &root };
    git.run(&["init", "--quiet", "--bare", "-b", "main", "origin.git"])?;
    git.run(&["init", "--quiet", "-b", "main", "shop"])?;
    let git = Git { ui, dir: &repo };
    git.run(&["config", "user.name", "On-call Engineer"])?;
    git.run(&["config", "user.email", "oncall@example.com"])?;
    write(&repo, "auth.py", "def check(token):\n    return True\n")?;
    write(&repo, "VERSION", "1.1.0\n")?;
    write(&repo, ".hotfix.toml", DEMO_CONFIG)?;
    write(&repo, "deploy.sh", DEMO_DEPLOY)?;
    make_executable(&repo.join("deploy.sh"))?;
    git.run(&["add", "."])?;
    git.run(&["commit", "--quiet", "-m", "Release 1.1.0"])?;
    git.run(&["tag", "-a", "v1.1.0", "-m", "Release 1.1.0"])?;
    git.run(&["switch", "--quiet", "-c", "release/1.1"])?;
    write(&repo, "support.py", "LEGACY = True\n")?;
    git.run(&["add", "support.py"])?;
    git.run(&[
        "commit",
        "--quiet",
        "-m",
        "Keep 1.1 working for old clients",
    ])?;
    git.run(&["switch", "--quiet", "main"])?;
    write(&repo, "checkout.py", "def pay():\n    return 'fast'\n")?;
    write(&repo, "VERSION", "1.2.3\n")?;
    write(&repo, "CHANGELOG.md", DEMO_CHANGELOG)?;
    git.run(&["add", "checkout.py", "VERSION", "CHANGELOG.md"])?;
    git.run(&["commit", "--quiet", "-m", "Release 1.2.3"])?;
    git.run(&["tag", "-a", "v1.2.3", "-m", "Release 1.2.3"])?;
    git.run(&["switch", "--quiet", "-c", "develop"])?;
    write(&repo, "dashboard.py", "def render():\n    return 'new'\n")?;
    git.run(&["add", "dashboard.py"])?;
    git.run(&["commit", "--quiet", "-m", "New dashboard (unreleased)"])?;
    git.run(&["switch", "--quiet", "main"])?;
    git.run(&["remote", "add", "origin", &origin.to_string_lossy()])?;
    git.run(&[
        "push",
        "--quiet",
        "origin",
        "main",
        "develop",
        "release/1.1",
        "v1.1.0",
        "v1.2.3",
    ])?;

    narrate(
        "2. Production is on fire: start the hotfix from what is released, assessing its severity",
    );
    let mut start = vec!["start", TICKET];
    start.extend(DESCRIPTION.split(' '));
    start.extend(["--assess", "--detected-at", "20 minutes ago"]);
    hotfix.run(&start)?;

    narrate("3. Fix it, with a regression test");
    if ui.narrating() {
        ui.out(paint(
            DIM,
            "(auth.py now refuses unsigned tokens; test_auth.py proves it)",
        ));
    }
    write(
        &repo,
        "auth.py",
        "def check(token):\n    return token is not None and token.signed\n",
    )?;
    write(
        &repo,
        "test_auth.py",
        "from auth import check\n\ndef test_unsigned_token_is_refused():\n    assert not check(None)\n",
    )?;
    git.run(&["add", "auth.py", "test_auth.py"])?;
    git.run(&[
        "commit",
        "--quiet",
        "-m",
        "fix: refuse unsigned tokens (ENG-1234)",
        "-m",
        "Root cause: check() accepted any token, signed or not.",
    ])?;
    hotfix.run(&["status"])?;

    narrate(
        "4. Finish: a release commit (VERSION 1.2.4, a CHANGELOG.md entry), tag v1.2.4, merge into main and develop, delete the branch, push",
    );
    // The demo merges locally, whatever a global `[hotfix "github"] pr` says.
    let exit = hotfix.run(&["finish", "--push", "--no-pr"])?;

    narrate(
        "5. Deploy to production (a P0 may skip staging) and verify, with the deploy policy's steps",
    );
    hotfix.run(&["deploy", "--yes"])?;
    hotfix.run(&["verify", "--yes"])?;

    hotfix.run(&[
        "report",
        "internal",
        "--hotfix",
        TICKET,
        "--impact",
        "unsigned tokens were accepted at login",
    ])?;

    narrate("6. Backport the fix to the maintained lines (release/1.1), without a checkout");
    let backported = hotfix.run(&[
        "backport",
        "--hotfix",
        TICKET,
        "--maintained",
        "--on-conflict",
        "skip",
    ])?;
    let exit = if exit == Exit::Ok { backported } else { exit };
    let branch = "backport/release/1.1/ENG-1234-fix-auth-bypass";
    // What is said of the result is read from the repository, not assumed.
    let tag = git.output(&["describe", "--tags", "--exact-match", "main"])?;
    let tag = tag.trim();
    let backport = git
        .command(&["rev-parse", "--verify", "--quiet", branch])
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(branch);

    narrate("7. The result");
    let graph = git.output(&[
        "log",
        "--oneline",
        "--graph",
        "--branches",
        "--tags",
        "--remotes",
        "--decorate",
    ])?;
    if ui.json_mode() {
        ui.json(&DemoDocument {
            executed: true,
            repository: &repo,
            origin: &origin,
            tag,
            main: git.output(&["rev-parse", "main"])?.trim(),
            develop: git.output(&["rev-parse", "develop"])?.trim(),
            backport,
        });
    } else if !ui.narrating() {
        ui.out(match backport {
            Some(_) => format!(
                "Released {tag} on main and backported it to release/1.1 in {}",
                repo.display()
            ),
            None => format!(
                "Released {tag} on main in {}; the backport to release/1.1 was left out",
                repo.display()
            ),
        });
        ui.out(format!("Remove it with: rm -rf {}", root.display()));
    } else {
        ui.out(graph.trim_end());
        ui.out("\nLook around:");
        let dir = repo.display();
        for command in [
            format!("git -C {dir} log --oneline --graph --branches --tags"),
            format!("git -C {dir} show --no-patch v1.2.4"),
            format!("git -C {dir} log --oneline release/1.1..{branch}"),
            format!("git -C {dir} ls-remote origin"),
            format!("git -C {dir} hotfix status --hotfix {TICKET}"),
            format!("git -C {dir} hotfix report pir --hotfix {TICKET}"),
            format!("git -C {dir} hotfix log"),
        ] {
            ui.out(format!("  {command}"));
        }
        ui.out(format!("\nRemove it with: rm -rf {}", root.display()));
    }
    Ok(exit)
}

/// The demo's git commands, shown before they run. The throwaway repository must not
/// depend on the user's global settings for signing or hooks.
struct Git<'a> {
    ui: &'a Ui,
    dir: &'a Path,
}

impl Git<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(self.dir)
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(["-c", "core.hooksPath=/dev/null"])
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0");
        away_from_callers_repository(&mut command);
        command
    }

    fn run(&self, args: &[&str]) -> Result<()> {
        let shown: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
        show_command(self.ui, &format!("git {}", shown.join(" ")));
        self.output(args).map(drop)
    }

    fn output(&self, args: &[&str]) -> Result<String> {
        let output = self
            .command(args)
            .output()
            .map_err(|err| CommandError::new(Exit::Error, format!("could not run git: {err}")))?;
        if !output.status.success() {
            return Err(CommandError::new(
                Exit::Error,
                format!(
                    "`git {}` failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// The demo's `git hotfix` commands: this program, run in the demo repository and shown
/// before it runs. Never a prompt: a demo must not stop.
struct Hotfix<'a> {
    ui: &'a Ui,
    dir: &'a Path,
}

impl Hotfix<'_> {
    /// Run `git hotfix <args>`: a conflict stop is an outcome, any other failure an error.
    fn run(&self, args: &[&str]) -> Result<Exit> {
        let shown: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
        show_command(self.ui, &format!("git hotfix {}", shown.join(" ")));
        let program = std::env::current_exe().map_err(|err| {
            CommandError::new(Exit::Error, format!("could not find this program: {err}"))
        })?;
        let mut command = Command::new(program);
        command
            .arg("-C")
            .arg(self.dir)
            .args(args)
            .stdin(std::process::Stdio::null());
        away_from_callers_repository(&mut command);
        let failed = |code: Option<i32>, stderr: &str| {
            let why = stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("");
            CommandError::new(
                Exit::Error,
                format!(
                    "`git hotfix {}` failed{}{}",
                    shown.join(" "),
                    code.map(|c| format!(" (exit {c})")).unwrap_or_default(),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {why}")
                    }
                ),
            )
        };
        let (status, stderr) = if self.ui.narrating() {
            let status = command
                .status()
                .map_err(|err| failed(None, &err.to_string()))?;
            (status, String::new())
        } else {
            let output = command
                .output()
                .map_err(|err| failed(None, &err.to_string()))?;
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            (output.status, stderr)
        };
        match status.code() {
            Some(0) => Ok(Exit::Ok),
            Some(3) => Ok(Exit::Conflict),
            code => Err(failed(code, &stderr)),
        }
    }
}

/// git's variables that name a repository (`git --git-dir=… hotfix demo` exports them):
/// the demo's commands work on the demo's repositories only, never on the caller's.
fn away_from_callers_repository(command: &mut Command) {
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
    ] {
        command.env_remove(name);
    }
}

fn show_command(ui: &Ui, command: &str) {
    if ui.narrating() {
        ui.out(paint(DIM, format!("$ {command}")));
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::write(dir.join(name), text)
        .map_err(|err| CommandError::new(Exit::Error, format!("could not write {name}: {err}")))
}

/// Where the demo would make its repositories.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct DemoPlan<'a> {
    pub repository: &'a Path,
    pub origin: &'a Path,
    pub ticket: &'a str,
}

impl Document for Planned<'_, DemoPlan<'_>> {
    const NAME: &'static str = "demo-plan";
}

/// `demo`: the repositories it made, and what the hotfix left in them (read from git).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct DemoDocument<'a> {
    pub executed: bool,
    pub repository: &'a Path,
    pub origin: &'a Path,
    /// The release tag on `main`.
    pub tag: &'a str,
    pub main: &'a str,
    pub develop: &'a str,
    /// The backport branch of the maintained line, when the backport made it.
    pub backport: Option<&'a str>,
}

impl Document for DemoDocument<'_> {
    const NAME: &'static str = "demo";
}
