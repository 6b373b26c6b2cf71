//! `plugin`: look at the policy plugins — what is configured, what a file implements,
//! whether a plugin passes its cases, one call tried by hand, which deploy steps it would
//! run, and the cache of compiled plugins.

pub mod cache;
pub mod call;
pub mod check;
pub mod list;
pub mod plan;
pub mod test;

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::{Exit, Result};

/// Inspect and test policy plugins (severity, version files, deploy steps)
#[derive(Debug, Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    List(list::ListArgs),
    Check(check::CheckArgs),
    Test(test::TestArgs),
    Call(call::CallArgs),
    Plan(plan::PlanArgs),
    Cache(cache::CacheArgs),
}

pub fn cmd_plugin(context: &Context, args: PluginArgs) -> Result<Exit> {
    match args.command {
        PluginCommand::List(args) => list::cmd_list(context, args),
        PluginCommand::Check(args) => check::cmd_check(context, args),
        PluginCommand::Test(args) => test::cmd_test(context, args),
        PluginCommand::Call(args) => call::cmd_call(context, args),
        PluginCommand::Plan(args) => plan::cmd_plan(context, args),
        PluginCommand::Cache(args) => cache::cmd_cache(context, args),
    }
}
