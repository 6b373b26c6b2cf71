//! The manual: one page per command, from the same definitions as `--help`, with a synopsis
//! in clap's usage words and examples from the README; written where `git help hotfix` (and
//! so `git hotfix --help`, which git turns into it) finds them.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};

/// Print the manual page, or write one page per command into a directory
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write git-hotfix.1 and git-hotfix-<command>.1 here (e.g. ~/.local/share/man/man1)
    #[arg(long, value_name = "DIR", conflicts_with = "install")]
    pub output_dir: Option<PathBuf>,
    /// Write the pages beside this git-hotfix, in `<prefix>/share/man/man1` for the
    /// `<prefix>/bin` it runs from: man searches there for the programs on PATH, so
    /// `git help hotfix` and `git hotfix --help` work with no setting
    #[arg(long)]
    pub install: bool,
}

/// `cli` is the whole command line's definition, as `--help` shows it.
pub fn cmd_man(context: &Context, args: ManArgs, cli: clap::Command) -> Result<Exit> {
    let io = |err: std::io::Error| {
        CommandError::new(Exit::Error, format!("could not write the manual: {err}"))
    };
    let dir = match (args.output_dir, args.install) {
        (Some(dir), _) => Some(dir),
        (None, true) => Some(beside_the_program().map_err(io)?),
        (None, false) => None,
    };
    let mut command = cli.disable_help_subcommand(true);
    command.build();
    let Some(dir) = dir else {
        let page = String::from_utf8_lossy(&page(&command, "").map_err(io)?).into_owned();
        if context.ui.json_mode() {
            context.ui.json(&ManPage { page: &page });
        } else {
            context.ui.out(page.trim_end());
        }
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut written = Vec::new();
    write_pages(&command, "", &dir, &mut written).map_err(io)?;
    if context.ui.json_mode() {
        context.ui.json(&ManPages {
            written: &dir,
            pages: &written,
        });
    }
    context.ui.status(
        "Wrote",
        format!("{} manual pages to {}", written.len(), dir.display()),
    );
    if !args.install {
        context.ui.hint(
            "`git help hotfix` finds them when that directory's parent is on MANPATH; `--install` puts them where it looks already",
        );
    }
    Ok(Exit::Ok)
}

/// `<prefix>/share/man/man1` for the `<prefix>/bin` this program runs from.
fn beside_the_program() -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?.canonicalize()?;
    let prefix = exe
        .parent()
        .and_then(|bin| bin.parent())
        .ok_or_else(|| std::io::Error::other("the program has no parent directory"))?;
    Ok(prefix.join("share").join("man").join("man1"))
}

fn write_pages(
    command: &clap::Command,
    path: &str,
    dir: &std::path::Path,
    written: &mut Vec<String>,
) -> std::io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let path = format!("{path} {}", sub.get_name()).trim().to_string();
        write_pages(sub, &path, dir, written)?;
    }
    let name = format!("{}.1", page_name(path));
    std::fs::write(dir.join(&name), page(command, path)?)?;
    written.push(name);
    Ok(())
}

/// `git-hotfix`, `git-hotfix-start`, `git-hotfix-patch-export`.
fn page_name(path: &str) -> String {
    std::iter::once("git-hotfix")
        .chain(path.split_whitespace())
        .collect::<Vec<_>>()
        .join("-")
}

/// The page of `command`, `path` its words after `git hotfix` (empty for the top).
fn page(command: &clap::Command, path: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(command.clone()).title(page_name(path));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    // clap_mangen's synopsis leaves value names out (`[-C ]`): clap's own usage has them.
    let usage = command.clone().render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    let usage = match path {
        "" => usage.replacen("git-hotfix", "git hotfix", 1),
        _ => usage.to_string(),
    };
    writeln!(out, ".SH SYNOPSIS\n{}", roff_line(&usage))?;
    man.render_description_section(&mut out)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if command.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    let examples = examples(path);
    if !examples.is_empty() {
        writeln!(out, ".SH EXAMPLES")?;
        for (what, commands) in examples {
            writeln!(out, ".PP\n{}\n.PP\n.nf\n.RS 4", roff_line(what))?;
            for line in commands.lines() {
                writeln!(out, "{}", roff_line(line))?;
            }
            writeln!(out, ".RE\n.fi")?;
        }
    }
    if path.is_empty() {
        writeln!(
            out,
            ".SH EXIT STATUS\n0 done; 1 error; 2 usage; 3 stopped on a conflict; 4 refused by a policy; 5 the remote or GitHub failed or refused; 6 internal: git, the filesystem or git-hotfix itself failed.\n.SH SEE ALSO\n{}",
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| format!("\\fB{}\\fR(1)", page_name(s.get_name())))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    } else {
        writeln!(out, ".SH SEE ALSO\n\\fBgit-hotfix\\fR(1)")?;
    }
    Ok(out)
}

/// Text as one roff line: backslashes and dashes escaped, a leading dot or quote guarded.
fn roff_line(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Examples for a command's page, as the README shows them: what, then the commands.
fn examples(path: &str) -> &'static [(&'static str, &'static str)] {
    match path {
        "" => &[
            (
                "A hotfix from start to release:",
                "git hotfix start ENG-1234 fix auth bypass --assess --detected-at \"20 minutes ago\"\ngit commit -am \"fix: refuse unsigned tokens\"\ngit hotfix finish --plan\ngit hotfix finish --push",
            ),
            (
                "Deploy, verify, and write the review:",
                "git hotfix deploy --yes\ngit hotfix verify\ngit hotfix report pir -o review.md",
            ),
            ("See it work on a throwaway repository:", "git hotfix demo"),
        ],
        "start" => &[
            (
                "Branch from the newest release, assessing the severity with the policy:",
                "git hotfix start ENG-1234 fix auth bypass --assess",
            ),
            (
                "Fix an older line, numbered as a pre-release, in a worktree of its own:",
                "git hotfix start ENG-1240 fix export --from v1.1.4 --pre-release --worktree ../fix-1.1",
            ),
            (
                "In a monorepo, one product's release:",
                "git hotfix start ENG-77 checkout button --product web --severity P1",
            ),
        ],
        "finish" => &[
            (
                "Look first, then release and push:",
                "git hotfix finish --plan\ngit hotfix finish --push",
            ),
            (
                "Through a pull request on GitHub, then once it merged:",
                "git hotfix finish --pr\ngit hotfix finish --after-merge --release",
            ),
            (
                "Keep production linear; release without waiting for develop:",
                "git hotfix finish --ff-only --no-backmerge",
            ),
        ],
        "backport" => &[
            (
                "The hotfix to every maintained line, as pull requests:",
                "git hotfix backport --maintained --pr",
            ),
            (
                "Named commits to two lines, then after a conflict:",
                "git hotfix backport 1a2b3c4 --to release/1.1 --to release/1.2\ngit hotfix continue",
            ),
            (
                "What merged pull request 123 put on main, to a line, stopping at a conflict:",
                "git hotfix backport --pull 123 --to release/1.1 --pr",
            ),
        ],
        "action" => &[
            (
                "In a workflow, through the action (action.yml):",
                "- uses: git-hotfix/git-hotfix@v0",
            ),
            (
                "The entry point on a saved event payload:",
                "git hotfix action --event pull_request --payload event.json",
            ),
        ],
        "deploy" => &[
            (
                "Staging first, then production:",
                "git hotfix deploy staging --yes\ngit hotfix verify staging\ngit hotfix deploy production --yes",
            ),
            (
                "See the steps and their grants:",
                "git hotfix deploy --plan",
            ),
        ],
        "rollback" => &[
            ("Back to the release before:", "git hotfix rollback --yes"),
            (
                "Take the fix back with a release:",
                "git hotfix rollback --revert",
            ),
        ],
        "status" => &[
            ("The hotfix, its clock and checklist:", "git hotfix status"),
            ("Every hotfix, as JSON:", "git hotfix status --all --json"),
        ],
        "report" => &[(
            "The post-incident review and the status page:",
            "git hotfix report pir -o review.md\ngit hotfix report status-page",
        )],
        "patch export" => &[(
            "Patch files of the fix for a place that cannot pull:",
            "git hotfix patch export --hotfix ENG-1234 -o out/",
        )],
        "patch apply" => &[("Apply them there:", "git hotfix patch apply out/")],
        "plugin check" => &[(
            "Check a policy against the contract, and pin it:",
            "git hotfix plugin check policies/severity.wasm",
        )],
        "plugin test" => &[(
            "Run a policy's cases:",
            "git hotfix plugin test policies/severity.wasm --cases policies/cases",
        )],
        "check" => &[(
            "Tick what git-hotfix cannot see happen:",
            "git hotfix check communicated --note \"posted in #incidents\"",
        )],
        "init" => &[("Write a starting .hotfix.toml:", "git hotfix init")],
        _ => &[],
    }
}

/// `man --json`: the page of `git hotfix`, in roff.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ManPage<'a> {
    pub page: &'a str,
}

impl crate::document::Document for ManPage<'_> {
    const NAME: &'static str = "man-page";
}

/// `man --output-dir` or `--install`: where the pages went.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ManPages<'a> {
    pub written: &'a std::path::Path,
    pub pages: &'a [String],
}

impl crate::document::Document for ManPages<'_> {
    const NAME: &'static str = "man";
}
