use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::foundation::patch::MANIFEST;
use git_hotfix_core::operations::backport::What;
use git_hotfix_core::operations::patch_export as export;

use crate::context::Context;
use crate::error::{Exit, Result};

/// Write one mbox patch per commit (`0001-<subject>.patch`) and manifest.json
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Commits or ranges (`A..B`), oldest first (default: the current hotfix's fix)
    #[arg(value_name = "COMMIT|RANGE")]
    pub commits: Vec<String>,
    /// Export the fix of this hotfix (in progress or finished), without its release commit
    #[arg(long, value_name = "TICKET", conflicts_with = "commits")]
    pub hotfix: Option<String>,
    /// The directory to write into (default: the current one)
    #[arg(short, long, value_name = "DIR", conflicts_with = "stdout")]
    pub output_dir: Option<PathBuf>,
    /// Print the series as one mbox instead (no manifest)
    #[arg(long, conflicts_with = "json")]
    pub stdout: bool,
}

pub fn cmd_export(context: &Context, args: ExportArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let what = if args.commits.is_empty() {
        What::Hotfix(args.hotfix)
    } else {
        What::Commits(args.commits)
    };
    let series = export::export(&repo, &what, &config.remote)?;
    if args.stdout {
        ui.raw(&series.mbox());
        return Ok(Exit::Ok);
    }
    // Paths are shown as given; they are written relative to where the command runs.
    let shown = args.output_dir.unwrap_or_else(|| PathBuf::from("."));
    let written = series.write_to(&context.absolute(&shown))?;
    if ui.json_mode() {
        ui.json(&ExportDocument {
            written: &written,
            manifest: &series.manifest,
        });
        return Ok(Exit::Ok);
    }
    for patch in &series.patches {
        ui.status(
            "Wrote",
            format!(
                "{} ({} {})",
                shown.join(&patch.name).display(),
                short(patch.commit),
                patch.subject
            ),
        );
    }
    ui.status("Wrote", shown.join(MANIFEST).display());
    ui.hint(format!(
        "apply them elsewhere with `git am {}/*.patch`",
        shown.display()
    ));
    Ok(Exit::Ok)
}

/// `patch export`: the files written, and the manifest that lists them.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ExportDocument<'a> {
    pub written: &'a [PathBuf],
    pub manifest: &'a git_hotfix_core::foundation::patch::Manifest,
}

impl crate::document::Document for ExportDocument<'_> {
    const NAME: &'static str = "patch-export";
}
