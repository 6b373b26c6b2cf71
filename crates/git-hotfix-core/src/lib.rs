//! The library behind `git hotfix`: configuration, versions and tags, plans, in-memory
//! merges and the journal, on gitoxide.
//!
//! It never prints, prompts or reads the environment; the CLI passes everything in (the
//! overrides, the time — `foundation::clock`, which the tests may fix) and renders what
//! comes back. Every operation is a plan first (plain data that can be shown or
//! serialized), then an execution that writes objects, then moves refs last.
//!
//! What lives outside the repository reaches an operation through a port, a trait the CLI
//! implements: the forge ([`engine::Forge`]), a deploy policy's steps
//! ([`operations::deploy::StepRunner`]), the project's checks
//! ([`operations::finish::checks::CheckRunner`]), the version files
//! ([`settings::policy::VersionFiles`]), GitHub for the lifecycle
//! ([`lifecycle::github::GitHub`]). What an operation does as it goes comes back as
//! typed events (each operation's `Said`), and what it did as a typed result, for the CLI
//! to say in text or JSON.
//!
//! The modules are layered, and each layer uses only the ones before it (a test holds it
//! so):
//!
//! 1. [`foundation`]: errors, object ids, versions, templates, names, changelog and patch
//!    text: no repository;
//! 2. [`git`]: the repository and what git does to it: refs, merges, picks, diffs, pushes,
//!    worktrees;
//! 3. [`settings`]: `.hotfix.toml`, git config and flags, and the policies they name;
//! 4. [`records`]: what is kept of a hotfix: its journal, and its note in the repository;
//! 5. [`engine`]: the one sequencer every writing command runs through: steps journaled
//!    before they start, so that `continue` and `abort` work from any point;
//! 6. [`operations`]: start, finish, backport, patch apply, revert, tag, …;
//! 7. [`views`]: read-only answers: status, the incident's clock and checklist, reports;
//! 8. [`lifecycle`]: a hotfix's way from a command's arguments to its next state: which
//!    operations run, and what goes to GitHub with them (a finish here, through a pull
//!    request, after its merge).

pub mod engine;
pub mod foundation;
pub mod git;
pub mod lifecycle;
pub mod operations;
pub mod records;
pub mod settings;
pub mod views;

pub use foundation::error::{Error, Result};
pub use foundation::version::Version;
pub use git::repo::Repo;
pub use gix::ObjectId;
pub use records::journal::Journal;
pub use settings::config::Config;

/// The layers, lowest first; a module may use its own layer and those before it.
#[cfg(test)]
const LAYERS: &[&str] = &[
    "foundation",
    "git",
    "settings",
    "records",
    "engine",
    "operations",
    "views",
    "lifecycle",
];

#[cfg(test)]
mod layers {
    use std::path::Path;

    use super::LAYERS;

    fn rank(layer: &str) -> Option<usize> {
        LAYERS.iter().position(|l| *l == layer)
    }

    /// Every `crate::<layer>` a source file names, code and doc links alike.
    fn named_layers(text: &str) -> Vec<String> {
        text.match_indices("crate::")
            .map(|(at, _)| {
                text[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '{')
                    .collect()
            })
            .collect()
    }

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
    fn each_layer_uses_only_the_layers_below_it() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let Some(own) = relative
                .iter()
                .next()
                .and_then(|l| rank(&l.to_string_lossy()))
            else {
                continue; // lib.rs: it names every layer
            };
            let text = std::fs::read_to_string(file).unwrap();
            for named in named_layers(&text) {
                match rank(&named) {
                    Some(used) if used <= own => {}
                    Some(_) => wrong.push(format!(
                        "{} ({}) uses crate::{named}",
                        relative.display(),
                        LAYERS[own]
                    )),
                    None => wrong.push(format!(
                        "{} names crate::{named}, which is no layer (name the layer: crate::<layer>::<module>)",
                        relative.display()
                    )),
                }
            }
        }
        wrong.sort();
        wrong.dedup();
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    }
}
