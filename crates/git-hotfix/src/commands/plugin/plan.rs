use clap::{Args, ValueEnum};
use git_hotfix_core::repo::Base;
use git_hotfix_core::version::Version;
use git_hotfix_core::{Config, Repo, finish};
use git_hotfix_plugin_host::{Action, Grants, Release, Step, World};

use crate::cli::Context;
use crate::error::{CommandError, Exit, Result, conclude};
use crate::policies;
use crate::ui::{EMPHASIS, paint};

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
    let mut release = release_of(&repo, &config, &args)?;
    let policy = policies::policy(Some(&config), World::Deploy);
    release.settings = policy.settings.clone().into_iter().collect();
    let host = policies::host(Some(&config), context.cache_home.clone())?;
    let plugin = policies::load(&host, Some(&repo), Some(&config), &policy)?;
    let action = match args.action {
        ActionArg::Deploy => Action::Deploy,
        ActionArg::Verify => Action::Verify,
        ActionArg::Rollback => Action::Rollback,
    };
    let steps = host
        .plan(&plugin, &release, action)
        .map_err(policies::plugin_error)?
        .value;
    let grants = Grants {
        commands: policy.commands.clone(),
        http: policy.http.clone(),
    };
    let checked: Vec<_> = steps
        .iter()
        .map(|step| (step, grants.check(step)))
        .collect();

    let document = serde_json::json!({
        "release": release,
        "action": format!("{:?}", args.action).to_lowercase(),
        "plugin": policy.plugin.to_string(),
        "steps": checked
            .iter()
            .map(|(step, granted)| serde_json::json!({ "step": step, "granted": granted.is_ok() }))
            .collect::<Vec<_>>(),
    });
    if !ui.json_mode() {
        ui.out(format!(
            "{:?} {} in {} with {}:",
            args.action,
            paint(EMPHASIS, &release.tag),
            release.environment,
            policy.plugin
        ));
        for (n, (step, granted)) in checked.iter().enumerate() {
            let mark = if granted.is_ok() {
                ""
            } else {
                "   NOT GRANTED"
            };
            ui.out(format!("  {}. {}{mark}", n + 1, describe(step)));
        }
    }
    let refused: Vec<_> = checked
        .into_iter()
        .filter_map(|(_, granted)| granted.err())
        .collect();
    let failure =
        (!refused.is_empty()).then(|| policies::not_granted(World::Deploy, &policy, &refused));
    conclude(ui, document, failure)
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
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let previous = match &journal.base {
        Base::Tag { name, .. } => pattern
            .version_of(name, journal.product.as_deref())
            .and_then(|v| v.ok())
            .map(|v| v.to_string()),
        _ => None,
    };
    Ok(release(&journal.version, journal.tag.clone(), previous))
}

fn describe(step: &Step) -> String {
    match step {
        Step::Run(run) => format!(
            "run      {} (timeout {} s){}",
            run.argv.join(" "),
            run.timeout_seconds,
            if run.description.is_empty() {
                String::new()
            } else {
                format!(": {}", run.description)
            }
        ),
        Step::HttpCheck(check) => format!(
            "check    {} answers {} ({} tries, {} s apart)",
            check.url, check.expect_status, check.retries, check.interval_seconds
        ),
        Step::Wait(seconds) => format!("wait     {seconds} s"),
        Step::Confirm(question) => format!("confirm  {question}"),
    }
}
