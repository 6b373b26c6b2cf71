use clap::Args;
use git_hotfix_core::settings::policy::PluginSource;
use git_hotfix_plugin_host::World;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::ui::{DIM, paint};

/// The policies in effect: where each plugin comes from, its sha256, its contract version
#[derive(Debug, Args)]
pub struct ListArgs {}

/// `plugin list`: each policy's plugin, what it is granted, and whether it loads.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ListDocument {
    pub policies: Vec<Row>,
}

impl crate::document::Document for ListDocument {
    const NAME: &'static str = "plugin-list";
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Row {
    policy: World,
    plugin: String,
    builtin: bool,
    sha256: Option<String>,
    /// The contract version it implements for this policy.
    contract: Option<String>,
    commands: Vec<String>,
    http: Vec<String>,
    /// Granted the real clocks and random bytes (otherwise fixed).
    clocks: bool,
    random: bool,
    error: Option<String>,
}

pub fn cmd_list(context: &Context, _args: ListArgs) -> Result<Exit> {
    let ui = &context.ui;
    // Outside a repository the built-ins are what would run.
    let repo = context.repo().ok();
    let config = repo.as_ref().map(|r| context.config(r)).transpose()?;
    let host = policies::host(config.as_ref(), context.cache_home.clone())?;
    let rows: Vec<Row> = World::ALL
        .into_iter()
        .map(|world| {
            let policy = policies::policy(config.as_ref(), world);
            // Loaded and checked against the contract, so that a plugin that would fail
            // when called fails here, saying why.
            let loaded = policies::load(ui, &host, repo.as_ref(), config.as_ref(), &policy)
                .and_then(|plugin| {
                    host.check_world(&plugin, world)
                        .map_err(policies::plugin_error)?;
                    Ok(plugin)
                });
            let (sha256, contract, error) = match &loaded {
                Ok(plugin) => (
                    Some(plugin.sha256.clone()),
                    plugin.version_of(world).map(str::to_string),
                    None,
                ),
                Err(err) => (None, None, Some(err.message.clone())),
            };
            Row {
                policy: world,
                plugin: policy.plugin.to_string(),
                builtin: matches!(policy.plugin, PluginSource::Builtin(_)),
                sha256,
                contract,
                commands: policy.commands,
                http: policy.http,
                clocks: policy.clocks,
                random: policy.random,
                error,
            }
        })
        .collect();
    let failed = rows.iter().filter(|r| r.error.is_some()).count();

    if !ui.json_mode() {
        let width = rows.iter().map(|r| r.plugin.len()).max().unwrap_or(0);
        for row in &rows {
            let detail = match (&row.error, &row.sha256) {
                (Some(error), _) => format!("error: {error}"),
                (None, Some(sha)) => format!(
                    "contract {}  sha256 {}",
                    row.contract.as_deref().unwrap_or("?"),
                    paint(DIM, &sha[..16])
                ),
                (None, None) => String::new(),
            };
            ui.out(format!(
                "{:<13}  {:<width$}  {detail}",
                row.policy.to_string(),
                row.plugin
            ));
            if !row.commands.is_empty() {
                ui.out(format!("{:<15}may run: {}", "", row.commands.join(", ")));
            }
            if !row.http.is_empty() {
                ui.out(format!("{:<15}may call: {}", "", row.http.join(", ")));
            }
            let real: Vec<&str> = [(row.clocks, "the clocks"), (row.random, "random bytes")]
                .into_iter()
                .filter_map(|(granted, what)| granted.then_some(what))
                .collect();
            if !real.is_empty() {
                ui.out(format!("{:<15}may read: {}", "", real.join(", ")));
            }
        }
    }
    let failure = (failed > 0).then(|| {
        CommandError::new(
            Exit::Error,
            format!(
                "{failed} of the policies could not be loaded; the commands that use {} fail the same way",
                if failed == 1 { "it" } else { "them" }
            ),
        )
        .hint("[policies.*] in .hotfix.toml names each plugin")
    });
    ui.conclude(&ListDocument { policies: rows }, failure)
}
