use clap::{Args, ValueEnum};

use crate::context::Context;
use crate::error::{Exit, Result};

/// Print a shell completion script
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// clap_complete's bash script spells subcommand functions two different ways when the
/// binary's name has a hyphen, so it is generated under this name and registered for
/// `git-hotfix` afterwards.
const BASH_NAME: &str = "githotfix";

/// git's bash completion calls `_git_<subcommand>` for `git <subcommand> <TAB>`; this hands
/// the words over to the completion of `git-hotfix`.
const BASH_GIT_BRIDGE: &str = r#"
_git_hotfix() {
    local COMP_WORDS=(git-hotfix "${words[@]:2}")
    local COMP_CWORD=$((cword - 1))
    local COMP_LINE="git-hotfix ${COMP_LINE#*hotfix}"
    _githotfix git-hotfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

/// Name every command after the binary (`git-hotfix finish`), not as shown in help
/// (`git hotfix finish`): the generators derive their function names from these.
fn named(command: clap::Command, bin_name: &str) -> clap::Command {
    command.bin_name(bin_name).mut_subcommands(|sub| {
        let name = format!("{bin_name} {}", sub.get_name());
        named(sub, &name)
    })
}

/// `cli` is the whole command line's definition, as `--help` shows it.
pub fn cmd_completions(
    context: &Context,
    args: CompletionsArgs,
    cli: clap::Command,
) -> Result<Exit> {
    let (shell, name) = match args.shell {
        Shell::Bash => (clap_complete::Shell::Bash, BASH_NAME),
        Shell::Zsh => (clap_complete::Shell::Zsh, "git-hotfix"),
        Shell::Fish => (clap_complete::Shell::Fish, "git-hotfix"),
    };
    let mut command = named(cli, name);
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if matches!(args.shell, Shell::Bash) {
        script = script.replace(
            &format!("-o default {BASH_NAME}\n"),
            "-o default git-hotfix\n",
        );
        script.push_str(BASH_GIT_BRIDGE);
    }
    if context.ui.json_mode() {
        let shell = format!("{:?}", args.shell).to_lowercase();
        context.ui.json(&Completions {
            shell: &shell,
            script: &script,
        });
    } else {
        context.ui.out(script.trim_end());
    }
    Ok(Exit::Ok)
}

/// `completions --json`: the script for a shell.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Completions<'a> {
    pub shell: &'a str,
    pub script: &'a str,
}

impl crate::document::Document for Completions<'_> {
    const NAME: &'static str = "completions";
}
