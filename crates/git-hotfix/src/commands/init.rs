use clap::Args;
use git_hotfix_core::operations::init;

use crate::args::PlanArg;
use crate::context::Context;
use crate::error::{Exit, Result};

/// Write a commented .hotfix.toml from what this repository already does
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing .hotfix.toml
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_init(context: &Context, args: InitArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    // The version-files policy finds the version files; without a working one (or with
    // settings that do not load, which `init --force` is there to replace), none are.
    let policy = context
        .config(&repo)
        .map_err(|err| err.message)
        .and_then(|config| {
            crate::policies::Loaded::for_world(
                context,
                &repo,
                &config,
                git_hotfix_plugin_host::World::VersionFiles,
            )
            .map_err(|err| err.message)
        })
        .inspect_err(|message| ui.warn(format!("{message}; no version files are looked for")))
        .ok();
    let version_files = policy.as_ref().map(|p| p.version_files());
    let plan = init::plan(
        &repo,
        args.force,
        version_files
            .as_ref()
            .map(|v| v as &dyn git_hotfix_core::settings::policy::VersionFiles),
    )?;
    if args.plan.plan {
        if ui.json_mode() {
            ui.json(&InitDocument {
                plan: &plan,
                executed: false,
            });
        } else {
            ui.out(format!("Would write {}:\n", plan.path.display()));
            ui.out(&plan.text);
        }
        return Ok(Exit::Ok);
    }
    init::execute(&plan)?;
    if ui.json_mode() {
        ui.json(&InitDocument {
            plan: &plan,
            executed: true,
        });
        return Ok(Exit::Ok);
    }
    let detected = &plan.detected;
    let verb = if plan.replaces { "Replaced" } else { "Wrote" };
    ui.status(verb, plan.path.display());
    ui.status("Production", &detected.production_branch);
    if let Some(develop) = &detected.develop_branch {
        ui.status("Develop", develop);
    }
    if !detected.release_branches.is_empty() {
        ui.status("Lines", detected.release_branches.join(", "));
    }
    if !detected.version_files.is_empty() {
        ui.status("Versions", detected.version_files.join(", "));
    }
    for (product, files) in &detected.product_files {
        ui.status("Versions", format!("{product}: {}", files.join(", ")));
    }
    ui.status(
        "Tags",
        format!(
            "{} ({} existing tag{} match)",
            detected.tag_pattern,
            detected.tags_matched,
            if detected.tags_matched == 1 { "" } else { "s" }
        ),
    );
    ui.hint(format!(
        "review it, then commit it on {}: `git add .hotfix.toml && git commit -m \"Add git-hotfix settings\"`",
        detected.production_branch
    ));
    Ok(Exit::Ok)
}

/// `init`: the configuration written (or that would be), and what it found.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct InitDocument<'a> {
    pub plan: &'a init::InitPlan,
    pub executed: bool,
}

impl crate::document::Document for InitDocument<'_> {
    const NAME: &'static str = "init";
}
