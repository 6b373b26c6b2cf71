//! `patch`: patch files for places that cannot pull — export a series with its manifest,
//! and apply one.

mod export;

use clap::{Args, Subcommand};

use crate::cli::Context;
use crate::error::{Exit, Result};

/// Export commits as patch files `git am` applies, with a manifest of their provenance
#[derive(Debug, Args)]
pub struct PatchArgs {
    #[command(subcommand)]
    pub command: PatchCommand,
}

#[derive(Debug, Subcommand)]
pub enum PatchCommand {
    Export(export::ExportArgs),
}

pub fn cmd_patch(context: &Context, args: PatchArgs) -> Result<Exit> {
    match args.command {
        PatchCommand::Export(args) => export::cmd_export(context, args),
    }
}
