//! End-to-end tests: the built `git-hotfix` on real repositories, checked with `git`.
// Tests say on stderr when a check needs something this machine lacks.
#![allow(clippy::print_stderr)]

mod common;

mod action;
mod backport;
mod bad_input;
mod colleague;
mod conflict;
mod crash;
mod deploy;
mod finish;
mod github;
mod hostile_patches;
mod incident;
mod init;
mod interfaces;
mod notes;
mod output;
mod patch;
mod patch_apply;
mod patch_fuzz;
mod plan;
mod policies;
mod pull_backport;
mod push;
mod release;
mod report;
mod runbooks;
mod settings_review;
mod simulation;
mod start;
mod team;
