//! `git hotfix`: emergency releases as a git subcommand.

mod audit;
mod checks;
mod cli;
mod commands;
mod error;
mod forge;
mod policies;
mod remote;
mod runs;
mod steps;
mod ui;
mod when;

fn main() -> std::process::ExitCode {
    cli::run()
}
