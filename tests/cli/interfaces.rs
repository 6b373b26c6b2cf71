//! What scripts and people rely on: `--json` everywhere, exit codes, quiet mode, completions,
//! the manual, and the demo.

use insta::assert_snapshot;

use crate::common::{Run, TestEnv, assert_unchanged, scrub, snapshot};

#[test]
fn every_command_answers_json_with_one_document() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.with_develop());
    let repo = &fixture.dir;
    let json = |args: &[&str], code: i32| env.hotfix(repo, args).expect(code).json();

    assert_eq!(
        json(&["start", "ENG-1234", "fix", "--json"], 0)["executed"],
        true
    );
    env.commit(repo, "fix", &[("auth.txt", "fixed\n")]);
    assert_eq!(
        json(&["status", "--json"], 0)["hotfix"]["ticket"],
        "ENG-1234"
    );
    assert_eq!(
        json(&["status", "--all", "--json"], 0)["hotfixes"][0]["ticket"],
        "ENG-1234"
    );
    assert_eq!(
        json(&["tag", "--plan", "--json"], 0)["plan"]["tag"]["name"],
        "v1.2.4"
    );
    assert_eq!(json(&["finish", "--plan", "--json"], 0)["executed"], false);
    let finished = json(&["finish", "--push", "--json"], 0);
    assert_eq!(finished["outcome"]["state"], "finished");
    assert_eq!(finished["outcome"]["pushed"], true);
    assert_eq!(
        json(&["init", "--force", "--plan", "--json"], 0)["executed"],
        false
    );
    assert!(
        json(&["completions", "bash", "--json"], 0)["script"]
            .as_str()
            .unwrap()
            .contains("git-hotfix")
    );
    assert!(
        json(&["man", "--json"], 0)["page"]
            .as_str()
            .unwrap()
            .contains(".TH")
    );

    // Failures are one document too, with the exit code and the hints.
    let error = json(&["continue", "--json"], 1);
    assert_eq!(error["error"]["exit"], 1);
    assert_eq!(
        error["error"]["message"],
        "there is no stopped run to continue"
    );
    let error = json(&["start", "ENG 1", "--json"], 2);
    assert_eq!(error["error"]["kind"], "usage");
    assert_eq!(error["error"]["hints"][0], "try `ENG-1`");
    env.fsck(&fixture.dir);
}

#[test]
fn conflicts_and_continue_in_json() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();

    let stopped = env.hotfix(&repo, &["finish", "--json"]).expect(3).json();
    assert_eq!(stopped["outcome"]["state"], "stopped");
    assert_eq!(stopped["outcome"]["paths"][0], "auth.txt");
    let unresolved = env.hotfix(&repo, &["continue", "--json"]).expect(3).json();
    assert_eq!(unresolved["error"]["kind"], "conflict");
    let aborted = env.hotfix(&repo, &["abort", "--json"]).ok().json();
    assert_eq!(aborted["executed"], true);
    env.fsck(&repo);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = env.hotfix(&repo, &["-q", "start", "ENG-1", "x"]).ok();
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "");
    env.fsck(&repo);
}

#[test]
fn completions_for_each_shell() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = env.hotfix(env.root.path(), &["completions", shell]).ok();
        for command in ["start", "finish", "continue", "abort", "status"] {
            assert!(run.stdout.contains(command), "{shell}: no {command}");
        }
    }
    let bash = env
        .hotfix(env.root.path(), &["completions", "bash"])
        .ok()
        .stdout;
    assert!(
        bash.contains("_git_hotfix()"),
        "git's bash completion is bridged"
    );
    // The script is valid bash.
    let script = env.path("completion.bash");
    std::fs::write(&script, &bash).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// `git hotfix fin<TAB>` through git's own bash completion, when the machine has it.
#[test]
fn bash_completes_git_hotfix_through_gits_completion() {
    let git_completion = std::path::Path::new("/usr/share/bash-completion/completions/git");
    if !git_completion.exists() {
        eprintln!("skipped: git's bash completion is not installed here");
        return;
    }
    let env = TestEnv::new();
    let script = env.path("completion.bash");
    let bash = env
        .hotfix(env.root.path(), &["completions", "bash"])
        .ok()
        .stdout;
    std::fs::write(&script, bash).unwrap();
    let driver = format!(
        r#"source {git}
source {ours}
complete_line() {{
  COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}
  read -ra COMP_WORDS <<< "$COMP_LINE"
  [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
  COMPREPLY=()
  __git_wrap__git_main
  echo "${{COMPREPLY[*]}}"
}}
complete_line "git hotfix fin"
complete_line "git hotfix finish --no-"
complete_line "git hotfix start --fr"
"#,
        git = git_completion.display(),
        ours = script.display()
    );
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_git-hotfix"))
        .parent()
        .unwrap();
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(driver)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines,
        [
            "finish",
            "--no-pr --no-tag --no-backmerge --no-ff --no-checks --no-bump --no-changelog",
            "--from"
        ],
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_manual_installs_where_git_help_finds_it() {
    let env = TestEnv::new();
    let man1 = env.path("man/man1");
    env.hotfix(
        env.root.path(),
        &["man", "--output-dir", man1.to_str().unwrap()],
    )
    .ok();
    let page = std::fs::read_to_string(man1.join("git-hotfix.1")).unwrap();
    assert!(page.contains(".TH git-hotfix 1"), "{page}");
    assert!(man1.join("git-hotfix-start.1").exists());
    assert!(man1.join("git-hotfix-finish.1").exists());

    // `git help hotfix` runs `man git-hotfix`; with the directory on MANPATH it is found.
    let has_man = std::process::Command::new("man")
        .arg("-w")
        .arg("man")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_man {
        // git knows `hotfix` is a command once git-hotfix is on PATH, as after `cargo install`.
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_git-hotfix"))
            .parent()
            .unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let output = std::process::Command::new("git")
            .args(["help", "hotfix"])
            .env("PATH", path)
            .env("MANPATH", env.path("man"))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains("hotfix"), "{text}");
    }
}

/// Installed as `cargo install` installs it, `man --install` puts the pages beside the
/// program, where man looks for the programs on PATH: `git hotfix --help`, which git turns
/// into `man git-hotfix`, works with no MANPATH.
#[test]
fn git_hotfix_help_works_once_the_pages_are_installed_beside_the_program() {
    let has_man = std::process::Command::new("man")
        .args(["-w", "man"])
        .output()
        .is_ok_and(|o| o.status.success());
    let env = TestEnv::new();
    let bin = env.path("prefix/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let program = bin.join("git-hotfix");
    // A link, not a copy: the debug build is hundreds of megabytes.
    if std::fs::hard_link(env!("CARGO_BIN_EXE_git-hotfix"), &program).is_err() {
        eprintln!("skipped: cannot link the program into a temporary prefix here");
        return;
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .current_dir(env.root.path())
            .env("PATH", &path)
            .env_remove("MANPATH")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap()
    };
    let installed = run(program.to_str().unwrap(), &["man", "--install"]);
    assert!(installed.status.success(), "{installed:?}");
    let man1 = env.path("prefix/share/man/man1");
    let start = std::fs::read_to_string(man1.join("git-hotfix-start.1")).unwrap();
    assert!(
        start.contains(".SH SYNOPSIS\ngit hotfix start [OPTIONS] <TICKET> [DESCRIPTION]..."),
        "{start}"
    );
    assert!(start.contains(".SH EXAMPLES"), "{start}");
    assert!(man1.join("git-hotfix-patch-export.1").exists());
    if !has_man {
        eprintln!("skipped: no man here to read the pages with");
        return;
    }
    let help = run("git", &["hotfix", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.status.success(),
        "{}",
        String::from_utf8_lossy(&help.stderr)
    );
    assert!(
        text.contains("EXIT STATUS") && text.contains("EXAMPLES"),
        "{text}"
    );
}

#[test]
fn the_demo_runs_the_whole_flow_on_a_throwaway_repository() {
    let env = TestEnv::new();
    let run = env.hotfix(env.root.path(), &["demo", "--dir", "demo"]).ok();
    assert!(
        run.stdout
            .contains("$ git hotfix start ENG-1234 fix auth bypass"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("$ git hotfix finish --push"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("Finished hotfix ENG-1234: released 1.2.4"),
        "{}",
        run.stderr
    );
    let shop = env.path("demo/shop");
    let origin = env.path("demo/origin.git");
    assert_eq!(env.rev(&shop, "v1.2.4^{commit}"), env.rev(&shop, "main"));
    assert_eq!(env.rev(&origin, "main"), env.rev(&shop, "main"));
    assert_eq!(env.parents(&shop, "develop").len(), 2);
    // Finish bumped VERSION and wrote the changelog in a release commit on the fix...
    assert_eq!(env.git(&shop, &["show", "v1.2.4:VERSION"]), "1.2.4\n");
    let changelog = env.git(&shop, &["show", "v1.2.4:CHANGELOG.md"]);
    assert!(
        changelog
            .contains("## [1.2.4] - 2026-03-05\n\n### Fixed\n\n- fix auth bypass (ENG-1234, P0)\n"),
        "{changelog}"
    );
    assert_eq!(
        env.git(&shop, &["log", "-1", "--format=%s", "v1.2.4"])
            .trim(),
        "Release 1.2.4 (ENG-1234)"
    );
    // ...which the backport leaves out: 1.1 gets the fix, and keeps its own version.
    let backport = "backport/release/1.1/ENG-1234-fix-auth-bypass";
    assert_eq!(
        env.parents(&shop, backport),
        vec![env.rev(&shop, "release/1.1").unwrap()]
    );
    assert_eq!(
        env.git(&shop, &["show", &format!("{backport}:VERSION")]),
        "1.1.0\n"
    );
    // The assessment at start is in the journal.
    let all = env
        .hotfix(&shop, &["status", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(all["hotfixes"][0]["assessment"]["severity"], "P0");
    assert!(
        run.stdout
            .contains("$ git hotfix backport --hotfix ENG-1234 --maintained"),
        "{}",
        run.stdout
    );
    env.fsck(&shop);
    env.fsck(&origin);

    let json = env
        .hotfix(env.root.path(), &["demo", "--dir", "demo2", "--json"])
        .ok()
        .json();
    assert_eq!(json["tag"], "v1.2.4");
}

#[test]
fn help_and_version() {
    let env = TestEnv::new();
    let run = env.hotfix(env.root.path(), &["--help"]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"
    Emergency releases as a git subcommand: branch from production, fix, tag, merge, push

    Usage: git hotfix [OPTIONS] <COMMAND>

    Commands:
      start        Start a hotfix: branch from what is in production, with the next patch version
      assess       Assess how urgent an incident is, with the severity policy
      status       Show the hotfix in progress: branch, base, version, commits, and what finish will do
      check        Tick an item of the incident's checklist that git-hotfix cannot see happen
      finish       Finish the hotfix: tag it, merge it into production (and develop), delete the branch;
                   or, with `--pr`, push it and open a pull request into production
      tag          Tag the hotfix tip on its own, for teams that merge through pull requests
      deploy       Deploy the hotfix's release with the deploy policy's steps
      verify       Verify an environment with the deploy policy's checks (smoke tests, health URL)
      rollback     Roll back: redeploy the release before with the deploy policy's rollback steps, turn
                   a feature flag off (`--flag`), or (`--revert`) release a revert of the hotfix
      log          List past hotfixes from the notes in the repository: time to deploy, and whether it
                   was within the severity's target
      report       Write an incident document from the hotfix's record: the post-incident review, the
                   chat message, the status page notice, the email to users
      backport     Pick the fix onto release lines, each on a branch of its own, without a checkout
      action       Do what a GitHub Actions event asks: backport a merged pull request to the lines its
                   labels or a `/backport <line>…` comment name, with a pull request each
      continue     Resume a stopped run once its conflicts are resolved and staged (or retry its push)
      skip         Leave out what a run stopped on and go on: the line of a backport, the patch of a
                   `patch apply`
      abort        Undo a stopped or interrupted run: drop its conflict worktree, and take back what it
                   did (refs, worktrees, and what it pushed), reading each from where it is now
      abandon      End a hotfix on purpose, without releasing it: the journal records it as abandoned
                   and the branch stays (unless `--delete-branch`)
      plugin       Inspect and test policy plugins (severity, version files, deploy steps)
      patch        Patch files: export commits as a series `git am` applies (with a manifest of their
                   provenance), or apply a series onto a branch
      init         Write a commented .hotfix.toml from what this repository already does
      demo         Show a whole hotfix on a throwaway repository: start, fix, finish, push, deploy,
                   report, backport
      completions  Print a shell completion script
      man          Print the manual page, or write one page per command into a directory
      help         Print this message or the help of the given subcommand(s)

    Options:
          --json                Print one JSON document on stdout instead of text
      -q, --quiet               Print only warnings and errors
      -v, --verbose             Print the details a line sums up (each tag left out, …)
      -c, --config <KEY=VALUE>  Override a setting for this command (`-c production-branch=trunk`)
      -C <PATH>                 Run as if started in this directory
      -h, --help                Print help
      -V, --version             Print version

    Exit codes: 0 done, 1 error, 2 usage, 3 stopped on a conflict (continue/abort), 4 refused by a
    policy, 5 remote failure, 6 internal (git or the filesystem failed).
    ");
    let run = env.hotfix(env.root.path(), &["--version"]).ok();
    assert!(run.stdout.starts_with("git-hotfix "), "{}", run.stdout);
}

#[test]
fn git_runs_it_as_a_subcommand_with_its_own_options() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_git-hotfix"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let git_dir = repo.join(".git");
    // From elsewhere, with the repository given to git, as in an alias or a CI step.
    let output = std::process::Command::new("git")
        .current_dir(env.root.path())
        .arg(format!("--git-dir={}", git_dir.display()))
        .arg(format!("--work-tree={}", repo.display()))
        .args(["hotfix", "start", "ENG-1", "x", "--no-checkout", "--json"])
        .env("PATH", path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    crate::common::schema::validate(&json).unwrap();
    assert_eq!(json["plan"]["branch"], "hotfix/ENG-1-x");
    assert!(env.rev(&repo, "hotfix/ENG-1-x").is_some());
    env.fsck(&repo);
}

#[test]
fn git_dash_c_settings_reach_it_as_they_reach_git() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["branch", "trunk-next"]);
    env.git(&repo, &["config", "--unset", "user.name"]);
    env.git(&repo, &["config", "--unset", "user.email"]);
    env.start_and_fix(&repo);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_git-hotfix"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    // As a team alias would: the identity and a hotfix setting, only on the command line.
    let output = env
        .command_in(&repo, "git")
        .env("PATH", path)
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .args([
            "-c",
            "user.name=Bo O'Brien",
            "-c",
            "user.email=bo@example.com",
            "-c",
            "hotfix.developBranch=trunk-next",
            "hotfix",
            "finish",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tag = env.git(&repo, &["cat-file", "tag", "v1.2.4"]);
    assert!(tag.contains("tagger Bo O'Brien <bo@example.com>"), "{tag}");
    let fix = env.rev(&repo, "v1.2.4^{commit}").unwrap();
    env.git(&repo, &["merge-base", "--is-ancestor", &fix, "trunk-next"]);
    env.fsck(&repo);
}

#[test]
fn a_malformed_git_config_parameters_is_named() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = Run::of({
        let mut command = env.hotfix_command(&repo, &["status"]);
        command.env("GIT_CONFIG_PARAMETERS", "'user.name'='unterminated");
        command
    })
    .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: GIT_CONFIG_PARAMETERS (git's `-c` settings) cannot be read: `'unterminated` has no closing quote
    hint: write each setting as `git -c key=value hotfix …`, or unset GIT_CONFIG_PARAMETERS
    ");
}

#[test]
fn a_quiet_demo_says_only_where_the_result_is() {
    let env = TestEnv::new();
    let run = env
        .hotfix(env.root.path(), &["-q", "demo", "--dir", "demo"])
        .ok();
    let repo = env.path("demo/shop");
    assert_eq!(
        run.stdout,
        format!(
            "Released v1.2.4 on main and backported it to release/1.1 in {}\nRemove it with: rm -rf {}\n",
            repo.display(),
            env.path("demo").display()
        )
    );
    assert_eq!(run.stderr, "");
    // What it says happened did.
    assert!(env.rev(&repo, "v1.2.4").is_some());
    assert!(
        env.rev(&repo, "backport/release/1.1/ENG-1234-fix-auth-bypass")
            .is_some()
    );
}

/// `git --git-dir=… hotfix demo` exports the caller's repository to the demo: the demo's
/// git and git-hotfix commands work on its own throwaway repositories, never on that one.
#[test]
fn the_demo_never_touches_the_repository_git_names_in_the_environment() {
    let env = TestEnv::new();
    let mine = env.linear().dir;
    let refs = env.refs(&mine);
    let before = snapshot(&mine);
    let mut command = env.hotfix_command(env.root.path(), &["-q", "demo", "--dir", "demo"]);
    command
        .env("GIT_DIR", mine.join(".git"))
        .env("GIT_WORK_TREE", &mine);
    Run::of(command).ok();
    assert_eq!(env.refs(&mine), refs);
    assert_unchanged(&before, &snapshot(&mine));
    let shop = env.path("demo/shop");
    assert!(env.rev(&shop, "v1.2.4").is_some());
    env.fsck(&shop);
}
