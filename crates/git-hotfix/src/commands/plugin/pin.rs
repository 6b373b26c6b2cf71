//! `plugin pin`: name a plugin file and its sha256 in `.hotfix.toml`, as `plugin check`
//! prints them, and say what is left for the team to read it (committing both).

use clap::Args;
use git_hotfix_core::operations::pin::{self, Committed, Pinned};
use git_hotfix_plugin_host::Wasm;

use super::Kind;
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies::{self, implemented, usable};

/// Pin a plugin file in .hotfix.toml: its path in the repository and its sha256
#[derive(Debug, Args)]
pub struct PinArgs {
    /// The .wasm component, inside the repository whose .hotfix.toml names it
    pub plugin: String,
    /// The policy it is pinned as, when it implements more than one
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
}

/// `plugin pin`: what `.hotfix.toml` now names, and whether the plugin file is committed
/// on the production branch, where every clone reads it from.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct PinDocument<'a> {
    #[serde(flatten)]
    pub pinned: &'a Pinned,
    pub production_branch: &'a str,
    pub committed: &'a Committed,
}

impl crate::document::Document for PinDocument<'_> {
    const NAME: &'static str = "plugin-pin";
}

pub fn cmd_pin(context: &Context, args: PinArgs) -> Result<Exit> {
    let ui = &context.ui;
    if args.plugin.starts_with("builtin:") {
        return Err(
            CommandError::usage(format!("{} is built in: it needs no pin", args.plugin)).hint(
                format!(
                    "name it in .hotfix.toml as it is: plugin = \"{}\"",
                    args.plugin
                ),
            ),
        );
    }
    let bytes = policies::read_named(&args.plugin, &context.cwd)?;
    let located = std::fs::canonicalize(context.cwd.join(&args.plugin))
        .ok()
        .and_then(|file| pin::locate(&file))
        .ok_or_else(|| {
            CommandError::new(
                Exit::Error,
                format!(
                    "{} is in no git repository: there is no .hotfix.toml to pin it in",
                    args.plugin
                ),
            )
            .hint("copy it into the repository whose releases it decides, then pin it there")
        })?;
    let repo = git_hotfix_core::Repo::discover(&located.root)?;
    let config = context.config(&repo)?;

    let host = policies::host_here(context)?;
    let plugin = policies::compile(ui, &host, &args.plugin, Wasm::new(&bytes))?;
    let (imports, implemented) = implemented(&host, &plugin);
    imports.map_err(policies::plugin_error)?;
    let usable = usable(&implemented);
    let world = match (args.kind, usable.as_slice()) {
        (Some(kind), _) if usable.contains(&kind.world()) => kind.world(),
        (None, [one]) => *one,
        (Some(kind), _) => {
            return Err(CommandError::new(
                Exit::Error,
                format!(
                    "{} does not implement a {} policy this git-hotfix can run",
                    args.plugin,
                    kind.world()
                ),
            )
            .hint(format!(
                "`git hotfix plugin check {}` says what it implements",
                crate::ui::shell_word(&args.plugin)
            )));
        }
        (None, []) => {
            return Err(CommandError::new(
                Exit::Error,
                format!(
                    "{} implements no policy this git-hotfix can run",
                    args.plugin
                ),
            )
            .hint(format!(
                "`git hotfix plugin check {}` says why",
                crate::ui::shell_word(&args.plugin)
            )));
        }
        (None, many) => {
            let names: Vec<String> = many.iter().map(|w| w.to_string()).collect();
            return Err(CommandError::usage(format!(
                "{} implements several policies ({}): say which to pin it as",
                args.plugin,
                names.join(", ")
            ))
            .hint(format!("--kind {}", names[0])));
        }
    };

    let pinned = pin::pin(
        &located.root,
        world.interface(),
        &located.path,
        &plugin.sha256,
    )
    .map_err(|err| match err {
        // The working tree's file, which `-c` cannot stand in for.
        git_hotfix_core::Error::Config(_) => {
            CommandError::new(Exit::Error, err.to_string()).hint(format!(
                "fix {} in the working tree, then pin again",
                located.root.join(".hotfix.toml").display()
            ))
        }
        other => other.into(),
    })?;
    let production = &config.production_branch;
    let committed = pin::committed(&repo, production, &located.path, &bytes)?;

    if !ui.json_mode() {
        let config_path = pinned.config.display();
        match &pinned.before {
            _ if !pinned.changed => ui.status(
                "Unchanged",
                format!(
                    "{config_path} already pins {} as [policies.{world}]",
                    pinned.plugin
                ),
            ),
            Some(before) => ui.status(
                "Pinned",
                format!(
                    "{} as [policies.{world}] in {config_path} (it named {})",
                    pinned.plugin, before.plugin
                ),
            ),
            None => ui.status(
                "Pinned",
                format!("{} as [policies.{world}] in {config_path}", pinned.plugin),
            ),
        }
        ui.out(format!("  sha256 = \"{}\"", pinned.sha256));
        let where_read = match committed {
            Committed::Same => format!("{} is committed on {production} as it is", pinned.plugin),
            Committed::Missing => format!("{} is not committed on {production} yet", pinned.plugin),
            Committed::Differs => format!(
                "{} differs from the one committed on {production}",
                pinned.plugin
            ),
        };
        ui.out(format!(
            "{where_read}; every clone and CI reads .hotfix.toml and plugin files from {production}: commit both there"
        ));
    }
    let document = PinDocument {
        pinned: &pinned,
        production_branch: production,
        committed: &committed,
    };
    ui.conclude(&document, None)
}
