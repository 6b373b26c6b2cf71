use std::path::PathBuf;

use clap::{Args, CommandFactory};

use crate::cli::{Cli, Context};
use crate::error::{CommandError, Exit, Result};

/// Print the manual page, or write one page per command into a directory
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write git-hotfix.1 and git-hotfix-<command>.1 here (e.g. ~/.local/share/man/man1)
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

pub fn cmd_man(context: &Context, args: ManArgs) -> Result<Exit> {
    let command = Cli::command();
    let io = |err: std::io::Error| {
        CommandError::new(Exit::Error, format!("could not write the manual: {err}"))
    };
    match args.output_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(io)?;
            clap_mangen::generate_to(command, &dir).map_err(io)?;
            if context.ui.json_mode() {
                context.ui.json(&serde_json::json!({ "written": dir }));
            }
            context
                .ui
                .status("Wrote", format!("manual pages to {}", dir.display()));
            context
                .ui
                .hint("`git help hotfix` finds them when that directory is on man's path");
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(io)?;
            let page = String::from_utf8_lossy(&page);
            if context.ui.json_mode() {
                context.ui.json(&serde_json::json!({ "page": page }));
            } else {
                context.ui.out(page.trim_end());
            }
        }
    }
    Ok(Exit::Ok)
}
