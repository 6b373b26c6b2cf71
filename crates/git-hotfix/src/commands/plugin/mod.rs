//! `plugin`: look at the policy plugins — what is configured, what a file implements,
//! whether a plugin passes its cases, one call tried by hand, which deploy steps it would
//! run, the cache of compiled plugins, a new policy to start from, and pinning one in
//! `.hotfix.toml`.

pub mod cache;
pub mod call;
pub mod check;
pub mod list;
pub mod new;
pub mod pin;
pub mod plan;
pub mod test;

use clap::{Args, Subcommand, ValueEnum};
use git_hotfix_plugin_host::World;

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
    New(new::NewArgs),
    Pin(pin::PinArgs),
    Cache(cache::CacheArgs),
}

pub fn cmd_plugin(context: &Context, args: PluginArgs) -> Result<Exit> {
    match args.command {
        PluginCommand::List(args) => list::cmd_list(context, args),
        PluginCommand::Check(args) => check::cmd_check(context, args),
        PluginCommand::Test(args) => test::cmd_test(context, args),
        PluginCommand::Call(args) => call::cmd_call(context, args),
        PluginCommand::Plan(args) => plan::cmd_plan(context, args),
        PluginCommand::New(args) => new::cmd_new(context, args),
        PluginCommand::Pin(args) => pin::cmd_pin(context, args),
        PluginCommand::Cache(args) => cache::cmd_cache(context, args),
    }
}

/// A kind of policy, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Severity,
    VersionFiles,
    Deploy,
}

impl Kind {
    pub fn world(self) -> World {
        match self {
            Kind::Severity => World::Severity,
            Kind::VersionFiles => World::VersionFiles,
            Kind::Deploy => World::Deploy,
        }
    }
}
