//! `git hotfix`: emergency releases as a git subcommand.

mod cli;
mod commands;
mod error;
mod forge;
mod policies;
mod ui;

fn main() -> std::process::ExitCode {
    cli::run()
}
