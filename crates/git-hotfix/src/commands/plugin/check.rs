use std::path::Path;

use clap::Args;
use git_hotfix_plugin_host::{self as host, SUPPORTED_VERSIONS, World};

use crate::cli::Context;
use crate::error::{CommandError, Exit, Result, conclude};
use crate::policies;
use crate::ui::{EMPHASIS, paint};

/// Which policies a plugin implements, and whether this git-hotfix can run it
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A .wasm component, or a built-in such as `builtin:severity`
    pub plugin: String,
}

#[derive(Debug, serde::Serialize)]
struct Implemented {
    policy: World,
    contract: String,
    compatible: bool,
}

pub fn cmd_check(context: &Context, args: CheckArgs) -> Result<Exit> {
    let ui = &context.ui;
    let bytes = policies::read_named(&args.plugin, &context.cwd)?;
    let host = policies::host(None, context.cache_home.clone())?;
    let plugin = host
        .load(&args.plugin, &bytes)
        .map_err(policies::plugin_error)?;
    let implemented: Vec<Implemented> = World::ALL
        .into_iter()
        .filter_map(|world| {
            plugin.version_of(world).map(|version| Implemented {
                policy: world,
                contract: version.to_string(),
                compatible: SUPPORTED_VERSIONS.contains(&version),
            })
        })
        .collect();
    let imports = host.check_imports(&plugin);
    let usable: Vec<World> = if imports.is_ok() {
        plugin.worlds()
    } else {
        Vec::new()
    };

    let document = serde_json::json!({
        "plugin": args.plugin,
        "sha256": plugin.sha256,
        "implements": implemented,
        "exports": plugin.exports,
        "imports-ok": imports.is_ok(),
        "usable": usable,
    });
    if !ui.json_mode() {
        ui.out(paint(EMPHASIS, &args.plugin));
        ui.out(format!("  sha256  {}", plugin.sha256));
        for item in &implemented {
            let verdict = if item.compatible {
                "compatible".to_string()
            } else {
                format!(
                    "not supported (this git-hotfix supports {})",
                    SUPPORTED_VERSIONS.join(", ")
                )
            };
            ui.out(format!(
                "  {:<13} contract {}  {verdict}",
                item.policy.to_string(),
                item.contract
            ));
        }
        if !usable.is_empty() && !args.plugin.starts_with("builtin:") {
            ui.out("\nTo use it, commit it and add to .hotfix.toml:");
            let path = repo_relative(context, &args.plugin);
            for world in &usable {
                ui.out(format!("  [policies.{world}]"));
                ui.out(format!("  plugin = {path:?}"));
                ui.out(format!("  sha256 = \"{}\"", plugin.sha256));
            }
        }
    }

    let failure = match imports {
        Err(err) => Some(policies::plugin_error(err).hint(
            "a policy plugin may import only WASI (which gives it nothing); build it with git-hotfix-plugin-sdk",
        )),
        Ok(()) if usable.is_empty() => Some(incompatible(&args.plugin, &plugin, &implemented)),
        Ok(()) => None,
    };
    conclude(ui, document, failure)
}

/// Why nothing in `plugin` can run here: another contract version, or no policy at all.
fn incompatible(name: &str, plugin: &host::Plugin, implemented: &[Implemented]) -> CommandError {
    let message = match implemented.first() {
        Some(item) => host::Error::WrongVersion {
            plugin: name.to_string(),
            world: item.policy,
            found: item.contract.clone(),
        }
        .to_string(),
        None => format!(
            "{name} implements none of the policies ({}); it exports {}",
            World::ALL.map(|w| w.to_string()).join(", "),
            if plugin.exports.is_empty() {
                "nothing".to_string()
            } else {
                plugin.exports.join(", ")
            }
        ),
    };
    CommandError::new(Exit::Error, message)
        .hint("build it with git-hotfix-plugin-sdk, against the wit/ of this git-hotfix")
}

/// The path `.hotfix.toml` would name: from the repository's root when the file is in it.
fn repo_relative(context: &Context, spec: &str) -> String {
    let file = std::fs::canonicalize(context.cwd.join(spec)).ok();
    let root = context
        .repo()
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf));
    let root = root.and_then(|root| std::fs::canonicalize(root).ok());
    match (file, root) {
        (Some(file), Some(root)) => file
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| spec.to_string()),
        _ => spec.to_string(),
    }
}
