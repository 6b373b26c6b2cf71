//! `patch`: patch files for places that cannot pull — export a series with its manifest,
//! and apply one.

pub mod apply;
pub mod export;

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::{Exit, Result};

/// Patch files: export commits as a series `git am` applies (with a manifest of their
/// provenance), or apply a series onto a branch
#[derive(Debug, Args)]
pub struct PatchArgs {
    #[command(subcommand)]
    pub command: PatchCommand,
}

#[derive(Debug, Subcommand)]
pub enum PatchCommand {
    Export(export::ExportArgs),
    Apply(apply::ApplyArgs),
}

pub fn cmd_patch(context: &Context, args: PatchArgs) -> Result<Exit> {
    match args.command {
        PatchCommand::Export(args) => export::cmd_export(context, args),
        PatchCommand::Apply(args) => apply::cmd_apply(context, args),
    }
}
