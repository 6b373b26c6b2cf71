use clap::{Args, ValueEnum};
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::operations::finish;
use git_hotfix_core::records::journal::Action;
use git_hotfix_core::{Config, Repo};
use git_hotfix_plugin_host::Release;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies::{self, DeploySteps};
use crate::ui::{EMPHASIS, paint};

/// `plugin plan`: the steps a deploy policy plans for a release, each within its grants
/// or not; nothing runs.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PluginPlanDocument<'a> {
    pub release: &'a Release,
    pub action: Action,
    pub plugin: String,
    pub steps: Vec<policies::PlannedStep<'a>>,
}

impl crate::document::Document for PluginPlanDocument<'_> {
    const NAME: &'static str = "plugin-plan";
}

/// The deploy policy's steps for an environment, each checked against its grants; runs nothing
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Where: `staging`, `production`, ...
    pub environment: String,
    /// Which steps
    #[arg(long, value_enum, default_value_t = ActionArg::Deploy)]
    pub action: ActionArg,
    /// The version to release (default: the current hotfix's)
    #[arg(long = "version", value_name = "X.Y.Z")]
    pub release_version: Option<String>,
    /// The hotfix whose release it is (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET", conflicts_with = "release_version")]
    pub hotfix: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ActionArg {
    Deploy,
    Verify,
    Rollback,
}

pub fn cmd_plan(context: &Context, args: PlanArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let release = release_of(&repo, &config, &args)?;
    let action = match args.action {
        ActionArg::Deploy => Action::Deploy,
        ActionArg::Verify => Action::Verify,
        ActionArg::Rollback => Action::Rollback,
    };
    let planned = DeploySteps::plan(context, &repo, &config, release, action)?;
    let document = PluginPlanDocument {
        release: &planned.release,
        action,
        plugin: planned.policy.plugin.to_string(),
        steps: planned.shown(),
    };
    if !ui.json_mode() {
        ui.out(format!(
            "{:?} {} in {} with {}:",
            args.action,
            paint(EMPHASIS, &planned.release.tag),
            planned.release.environment,
            planned.policy.plugin
        ));
        for line in planned.lines() {
            ui.out(line);
        }
    }
    ui.conclude(&document, planned.not_granted())
}

/// The release the steps are for: the hotfix's, or the version asked for.
fn release_of(repo: &Repo, config: &Config, args: &PlanArgs) -> Result<Release> {
    let release = |version: &Version, tag: String, previous: Option<String>| Release {
        version: version.to_string(),
        previous_version: previous,
        tag,
        environment: args.environment.clone(),
        settings: Vec::new(),
    };
    if let Some(text) = &args.release_version {
        let version = Version::parse_arg(text)?;
        let product = config.product(None)?;
        let (pattern, _) = config.naming(product.map(|(_, p)| p));
        let tag = pattern.render(&version, product.map(|(name, _)| name));
        return Ok(release(&version, tag, None));
    }
    let journal = finish::select(repo, args.hotfix.as_deref())
        .map_err(|err| CommandError::from(err).hint("or say which release: `--version X.Y.Z`"))?;
    policies::release(config, &journal, &args.environment)
}
