//! `plugin pin`: a policy's plugin file named in `.hotfix.toml` with its sha256, the rest of
//! the file (comments, other keys, the policy's grants and settings) as it was; and where
//! the plugin file stands against the production branch, where every clone reads it from.

use std::path::{Path, PathBuf};

use crate::foundation::error::{ConfigError, Error, IoContext, Location, Result};
use crate::git::repo::Repo;
use crate::records::journal::write_atomically;
use crate::settings::config::FILE_NAME;

/// A plugin file as the team would read it: from the root of its repository.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Located {
    /// The repository's working tree.
    pub root: PathBuf,
    /// The path `.hotfix.toml` names, relative to `root`, with `/`.
    pub path: String,
}

/// Where the repository's root holds `file` (an absolute, canonical path), if it does.
pub fn locate(file: &Path) -> Option<Located> {
    let root = file
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())?;
    let path = file.strip_prefix(root).ok()?;
    let path = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Some(Located {
        root: root.to_path_buf(),
        path,
    })
}

/// The plugin file against the production branch's tip.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Committed {
    /// The branch holds these very bytes.
    Same,
    /// The branch holds another version of the file.
    Differs,
    /// The branch lacks the file (or has no tip yet).
    Missing,
}

/// Whether `branch` holds `path` with these `bytes`.
pub fn committed(repo: &Repo, branch: &str, path: &str, bytes: &[u8]) -> Result<Committed> {
    let Some(tip) = repo.branch_tip(branch)? else {
        return Ok(Committed::Missing);
    };
    Ok(match repo.read_file_at(tip, path)? {
        None => Committed::Missing,
        Some(held) if held == bytes => Committed::Same,
        Some(_) => Committed::Differs,
    })
}

/// What `pin` did to `.hotfix.toml`.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Pinned {
    /// The `.hotfix.toml` of the working tree that was (or would have been) written.
    pub config: PathBuf,
    /// `[policies.<kind>]`.
    pub policy: String,
    pub plugin: String,
    pub sha256: String,
    /// What the file named before, if anything.
    pub before: Option<Before>,
    /// False when the file already said this: nothing was written.
    pub changed: bool,
}

/// A policy's plugin as `.hotfix.toml` named it before the pin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Before {
    pub plugin: String,
    pub sha256: Option<String>,
}

/// Name `plugin` (a repository-relative `.wasm` path) with `sha256` under
/// `[policies.<policy>]` of `root`'s `.hotfix.toml`, made if missing. The other keys of the
/// table and the rest of the file stay as written; the file is replaced whole or not at all.
pub fn pin(root: &Path, policy: &str, plugin: &str, sha256: &str) -> Result<Pinned> {
    let config = root.join(FILE_NAME);
    let text = match std::fs::read_to_string(&config) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).io_context("could not read", config),
    };
    let at = |message: String, offset: usize| {
        let before = &text[..offset.min(text.len())];
        Error::Config(ConfigError {
            location: Location::File {
                origin: FILE_NAME.to_string(),
                line: before.matches('\n').count() + 1,
                column: offset - before.rfind('\n').map_or(0, |i| i + 1) + 1,
            },
            key: Some(format!("policies.{policy}")),
            message,
        })
    };
    let mut document: toml_edit::DocumentMut =
        text.parse().map_err(|err: toml_edit::TomlError| {
            at(
                err.message().to_string(),
                err.span().map_or(0, |span| span.start),
            )
        })?;

    let policies = document
        .entry("policies")
        .or_insert_with(|| {
            let mut table = toml_edit::Table::new();
            // `[policies.severity]` without an empty `[policies]` above it.
            table.set_implicit(true);
            toml_edit::Item::Table(table)
        })
        .as_table_mut()
        .ok_or_else(|| at("`policies` is not a table".into(), 0))?;
    let table = policies
        .entry(policy)
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
        .as_table_mut()
        .ok_or_else(|| at(format!("`policies.{policy}` is not a table"), 0))?;
    let text_of = |item: Option<&toml_edit::Item>| item.and_then(|i| i.as_str()).map(str::to_owned);
    let before = text_of(table.get("plugin")).map(|named| Before {
        plugin: named,
        sha256: text_of(table.get("sha256")),
    });
    let changed = before
        != Some(Before {
            plugin: plugin.to_string(),
            sha256: Some(sha256.to_string()),
        });
    if changed {
        table.insert("plugin", toml_edit::value(plugin));
        table.insert("sha256", toml_edit::value(sha256));
        // A new key goes last: put the pin right under the plugin it pins.
        let mut order: Vec<String> = Vec::new();
        for (key, _) in table.iter().filter(|(key, _)| *key != "sha256") {
            order.push(key.to_string());
            if key == "plugin" {
                order.push("sha256".into());
            }
        }
        let rank = |key: &toml_edit::Key| order.iter().position(|k| k == key.get());
        table.sort_values_by(|a, _, b, _| rank(a).cmp(&rank(b)));
        write_atomically(&config, document.to_string().as_bytes())?;
    }
    Ok(Pinned {
        config,
        policy: policy.to_string(),
        plugin: plugin.to_string(),
        sha256: sha256.to_string(),
        before,
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_pin_changes_two_keys_and_keeps_the_rest_of_the_file_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        let before = "# The team's settings.\nproduction-branch = \"main\"\n\n[policies.deploy]\nplugin = \"builtin:deploy\"\ncommands = [\"kubectl\"]  # granted by ops\n\n[policies.deploy.settings]\nhealth-url = \"https://app.example.com/health\"\n";
        std::fs::write(&file, before).unwrap();

        let pinned = pin(dir.path(), "deploy", "policies/deploy.wasm", SHA).unwrap();
        assert!(pinned.changed);
        assert_eq!(
            pinned.before,
            Some(Before {
                plugin: "builtin:deploy".into(),
                sha256: None
            })
        );
        let after = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            after,
            before.replace(
                "plugin = \"builtin:deploy\"\n",
                &format!("plugin = \"policies/deploy.wasm\"\nsha256 = \"{SHA}\"\n")
            )
        );
        // The same pin again writes nothing.
        let again = pin(dir.path(), "deploy", "policies/deploy.wasm", SHA).unwrap();
        assert!(!again.changed);

        // A policy the file does not have yet gets its table; the file parses as settings.
        pin(dir.path(), "severity", "policies/strict.wasm", SHA).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.ends_with(&format!(
                "[policies.severity]\nplugin = \"policies/strict.wasm\"\nsha256 = \"{SHA}\"\n"
            )),
            "{text}"
        );
        crate::settings::config::tests_parse(&text).unwrap();
    }

    #[test]
    fn no_file_is_made_whole_and_a_broken_one_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        pin(dir.path(), "severity", "strict.wasm", SHA).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(),
            format!("[policies.severity]\nplugin = \"strict.wasm\"\nsha256 = \"{SHA}\"\n")
        );

        let broken = "production-branch = \"main\n[policies\n";
        std::fs::write(dir.path().join(FILE_NAME), broken).unwrap();
        let err = pin(dir.path(), "severity", "strict.wasm", SHA).unwrap_err();
        assert!(err.to_string().contains(FILE_NAME), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(),
            broken
        );
    }
}
