//! `git hotfix`: emergency releases as a git subcommand.
//!
//! The binary over `git-hotfix-core`, from the top down: `cli` parses and dispatches;
//! `commands/` has one module per subcommand (its flags, a call, its output) and no command
//! calls another; `workflow/` joins the core's operations with what lives outside it
//! (GitHub in `forge`, the policies in `policies`, the deploy steps in `steps`, the remote in
//! `remote`); `render/` shows a result the same wherever it is shown; `context`, `args`,
//! `error` and `ui` are what all of them share.

mod args;
mod audit;
mod checks;
mod cli;
mod commands;
mod context;
mod error;
mod forge;
mod policies;
mod remote;
mod render;
mod runs;
mod steps;
mod ui;
mod when;
mod workflow;

fn main() -> std::process::ExitCode {
    cli::run()
}

/// The layering above, held: what a module may not name, by where it stands.
#[cfg(test)]
mod layers {
    use std::path::Path;

    /// Folders and what their files never name; the files at the top (but `main` and `cli`)
    /// are shared by all, so they name none of the four.
    const RULES: &[(&str, &[&str])] = &[
        ("commands", &["crate::commands", "crate::cli"]),
        ("workflow", &["crate::commands", "crate::cli"]),
        (
            "render",
            &["crate::commands", "crate::cli", "crate::workflow"],
        ),
        (
            "",
            &[
                "crate::commands",
                "crate::cli",
                "crate::workflow",
                "crate::render",
            ],
        ),
    ];

    fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn no_command_uses_another_and_nothing_shared_uses_a_command() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let shown = relative.to_string_lossy();
            if shown == "main.rs" || shown == "cli.rs" {
                continue;
            }
            let folder = match relative.components().count() {
                1 => String::new(),
                _ => relative
                    .iter()
                    .next()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            };
            let (_, never) = RULES.iter().find(|(f, _)| *f == folder).unwrap_or_else(|| {
                panic!(
                    "{} is in no layer: add its folder to RULES",
                    relative.display()
                )
            });
            let text = std::fs::read_to_string(file).unwrap();
            for name in never.iter().filter(|n| text.contains(&format!("{n}::"))) {
                wrong.push(format!("{} names {name}", relative.display()));
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    }
}
