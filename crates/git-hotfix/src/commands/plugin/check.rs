use clap::Args;
use git_hotfix_plugin_host::{self as host, SUPPORTED, Wasm, World};

use git_hotfix_core::operations::pin::{self, Committed, Located};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies::{self, Implemented, implemented, usable};
use crate::ui::{EMPHASIS, paint};

/// Which policies a plugin implements, and whether this git-hotfix can run it
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A .wasm component, or a built-in such as `builtin:severity`
    pub plugin: String,
}

/// `plugin check`: the policies a plugin implements, and which this host can use.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CheckDocument<'a> {
    pub plugin: &'a str,
    pub sha256: &'a str,
    pub implements: &'a [Implemented],
    pub exports: &'a [String],
    /// It imports nothing outside the contract.
    pub imports_ok: bool,
    pub usable: &'a [World],
}

impl crate::document::Document for CheckDocument<'_> {
    const NAME: &'static str = "plugin-check";
}

pub fn cmd_check(context: &Context, args: CheckArgs) -> Result<Exit> {
    let ui = &context.ui;
    let bytes = policies::read_named(&args.plugin, &context.cwd)?;
    let host = policies::host_here(context)?;
    let plugin = policies::compile(ui, &host, &args.plugin, Wasm::new(&bytes))?;
    let (imports, implemented) = implemented(&host, &plugin);
    let usable = usable(&implemented);

    let document = CheckDocument {
        plugin: &args.plugin,
        sha256: &plugin.sha256,
        implements: &implemented,
        exports: &plugin.exports,
        imports_ok: imports.is_ok(),
        usable: &usable,
    };
    if !ui.json_mode() {
        ui.out(paint(EMPHASIS, &args.plugin));
        ui.out(format!("  sha256  {}", plugin.sha256));
        for item in &implemented {
            // The line is already about this plugin: its name need not be said again.
            let verdict = match &item.problem {
                None => "compatible",
                Some(problem) => problem
                    .strip_prefix(&format!("{} ", plugin.name))
                    .unwrap_or(problem),
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
            ui.out(format!(
                "(`git hotfix plugin pin {}` writes them)",
                crate::ui::shell_word(&args.plugin)
            ));
        }
    }
    if !args.plugin.starts_with("builtin:")
        && let Some(warning) = not_where_it_is_read(context, &args.plugin, &bytes)
    {
        ui.warn(warning);
    }

    let failure = match imports {
        Err(err) => Some(policies::plugin_error(err)),
        Ok(()) if implemented.iter().any(|item| !item.compatible) || usable.is_empty() => {
            Some(incompatible(&args.plugin, &plugin, &implemented))
        }
        Ok(()) => None,
    };
    ui.conclude(&document, failure)
}

/// Why a policy of `plugin` cannot run here: another contract version, a function missing
/// or of another type, or no policy at all.
fn incompatible(name: &str, plugin: &host::Plugin, implemented: &[Implemented]) -> CommandError {
    let message = match implemented.iter().find(|item| !item.compatible) {
        Some(item) => item
            .problem
            .clone()
            .unwrap_or_else(|| format!("{name}: the {} policy cannot run", item.policy)),
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
    CommandError::new(Exit::Error, message).hint(format!(
        "build it against wit/ of this git-hotfix (contract {SUPPORTED}; examples/policies/ shows how in Rust, Python and JavaScript)"
    ))
}

/// Why a pin to `spec` would not work for the team: the file is outside any repository, or
/// the production branch (where every clone reads plugin files from) lacks it or holds
/// another version of it.
pub(super) fn not_where_it_is_read(context: &Context, spec: &str, bytes: &[u8]) -> Option<String> {
    let file = std::fs::canonicalize(context.cwd.join(spec)).ok()?;
    let Some(Located { root, path }) = pin::locate(&file) else {
        return Some(format!(
            "{spec} is in no git repository: copy it into the repository and commit it on the production branch, where git-hotfix reads plugin files"
        ));
    };
    let repo = git_hotfix_core::Repo::discover(&root).ok()?;
    let production = context.config(&repo).ok()?.production_branch;
    match pin::committed(&repo, &production, &path, bytes).ok()? {
        Committed::Missing => Some(format!(
            "{path} is not committed on {production}: commit it there, where every clone and CI reads plugin files from"
        )),
        Committed::Differs => Some(format!(
            "{path} differs from the one committed on {production}: commit it there, or pin the committed one"
        )),
        Committed::Same => None,
    }
}

/// The path `.hotfix.toml` would name: from the root of the repository the file is in
/// (wherever the command runs), else as given.
fn repo_relative(context: &Context, spec: &str) -> String {
    std::fs::canonicalize(context.cwd.join(spec))
        .ok()
        .and_then(|file| pin::locate(&file))
        .map_or_else(|| spec.to_string(), |located| located.path)
}
