use clap::Args;
use std::collections::BTreeMap;

use git_hotfix_core::settings::policy::PluginSource;
use git_hotfix_plugin_host::{CACHE_LIMIT_BYTES, CacheEntry, Removed, sha256_hex};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::ui::{DIM, paint};

/// `plugin cache`: the compiled plugins kept, and what `--prune` or `--clear` removed.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CacheDocument<'a> {
    pub dir: &'a str,
    pub entries: &'a [Named<'a>],
    /// In all, with what killed runs left.
    pub bytes: u64,
    pub limit_bytes: u64,
    pub removed: Option<Removed>,
}

impl crate::document::Document for CacheDocument<'_> {
    const NAME: &'static str = "plugin-cache";
}

/// A compiled plugin and what it was compiled from, when that is known here.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Named<'a> {
    #[serde(flatten)]
    pub entry: &'a CacheEntry,
    /// `builtin:severity`, or the plugin file this repository's settings pin to it.
    pub plugin: Option<String>,
}

/// The plugins whose compiled form the cache may hold, by the sha256 of their component:
/// the built-ins, and the files this repository's settings pin.
fn known(context: &Context) -> BTreeMap<String, String> {
    let mut known: BTreeMap<String, String> = policies::BUILTINS
        .iter()
        .map(|(name, bytes)| (sha256_hex(bytes), format!("builtin:{name}")))
        .collect();
    let config = context
        .repo()
        .ok()
        .and_then(|repo| context.config(&repo).ok());
    if let Some(config) = config {
        let configured = &config.policies;
        for policy in [
            &configured.severity,
            &configured.version_files,
            &configured.deploy,
        ] {
            if let (PluginSource::File(path), Some(pin)) = (&policy.plugin, &policy.sha256) {
                known.insert(pin.0.clone(), path.clone());
            }
        }
    }
    known
}

/// The compiled plugins kept between runs: what is there, and removing it
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Remove what an older git-hotfix compiled and what a killed run left, and keep the
    /// rest within the size limit (each compile does this too)
    #[arg(long, conflicts_with = "clear")]
    pub prune: bool,
    /// Remove every compiled plugin (the next run of each compiles it again)
    #[arg(long)]
    pub clear: bool,
}

pub fn cmd_cache(context: &Context, args: CacheArgs) -> Result<Exit> {
    let ui = &context.ui;
    let host = policies::host(None, context.cache_home.clone())?;
    let Some(dir) = host.cache_dir().map(|d| d.display().to_string()) else {
        return Err(CommandError::new(
            Exit::Error,
            "there is no cache directory: neither XDG_CACHE_HOME nor HOME is set",
        ));
    };
    let failed = |err: std::io::Error| {
        CommandError::new(
            Exit::Error,
            format!("could not manage the cache in {dir}: {err}"),
        )
    };
    let removed: Option<Removed> = if args.clear {
        Some(host.clear_cache().map_err(failed)?)
    } else if args.prune {
        Some(host.prune_cache(CACHE_LIMIT_BYTES).map_err(failed)?)
    } else {
        None
    };
    let (entries, stray_bytes) = host.cache_entries().map_err(failed)?;
    let total: u64 = entries.iter().map(|e| e.bytes).sum::<u64>() + stray_bytes;
    let known = known(context);
    let entries: Vec<Named> = entries
        .iter()
        .map(|entry| Named {
            entry,
            plugin: known.get(&entry.component).cloned(),
        })
        .collect();

    if !ui.json_mode() {
        if let Some(removed) = removed {
            ui.status(
                "Removed",
                format!(
                    "{} compiled plugin{} ({})",
                    removed.entries,
                    if removed.entries == 1 { "" } else { "s" },
                    mib(removed.bytes)
                ),
            );
        }
        let strays = if stray_bytes > 0 {
            format!(
                " (of which {} left by runs that were killed)",
                mib(stray_bytes)
            )
        } else {
            String::new()
        };
        ui.out(format!(
            "{dir}: {} compiled plugin{}, {}{strays} of {}",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            mib(total),
            mib(CACHE_LIMIT_BYTES)
        ));
        for Named { entry, plugin } in &entries {
            let note = if entry.current {
                String::new()
            } else {
                paint(DIM, "  (an older git-hotfix's: --prune removes it)")
            };
            let plugin = plugin
                .as_deref()
                .unwrap_or("(not a built-in, nor pinned here)");
            ui.out(format!(
                "  {}  {:>9}  {plugin}{note}",
                &entry.component[..16.min(entry.component.len())],
                mib(entry.bytes)
            ));
        }
    }
    let document = CacheDocument {
        dir: &dir,
        entries: &entries,
        bytes: total,
        limit_bytes: CACHE_LIMIT_BYTES,
        removed,
    };
    ui.conclude(&document, None)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}
