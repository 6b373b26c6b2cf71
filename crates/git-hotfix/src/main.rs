//! `git hotfix`: emergency releases as a git subcommand.

mod args;
mod audit;
mod checks;
mod cli;
mod commands;
mod context;
mod error;
mod forge;
mod policies;
mod remote;
mod render;
mod runs;
mod steps;
mod ui;
mod when;
mod workflow;

fn main() -> std::process::ExitCode {
    cli::run()
}
