//! A fix that changes the team's settings: `.hotfix.toml`, or a policy plugin it names.
//!
//! The settings are trusted because they are committed on the production branch, and a
//! finish is the step that puts a fix there: a grant, a deploy step, a plugin pin or an
//! api-url riding in with the fix would take effect unreviewed. So a finish shows such a
//! change key by key, old against new, and goes on only once it is accepted.

use std::collections::{BTreeMap, BTreeSet};

use gix::ObjectId;

use super::config::FILE_NAME;
use crate::foundation::error::Result;
use crate::foundation::patch::sha256;
use crate::git::repo::Repo;

/// What a fix changes in the settings where it lands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct SettingsChange {
    /// The files it changes: `.hotfix.toml`, policy plugins.
    pub files: Vec<String>,
    /// Each setting that differs, as it is where the fix lands and as it would be.
    pub keys: Vec<KeyChange>,
}

/// One setting (a key of `.hotfix.toml`, dotted; or a plugin file, by its sha256).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct KeyChange {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl std::fmt::Display for KeyChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.old, &self.new) {
            (None, Some(new)) => write!(f, "{}: added, {new}", self.key),
            (Some(old), None) => write!(f, "{}: removed (was {old})", self.key),
            (Some(old), Some(new)) => write!(f, "{}: {old} → {new}", self.key),
            (None, None) => write!(f, "{}", self.key),
        }
    }
}

/// What the fix's own commits (`base`..`tip`) change of the settings, told as `before`
/// (the tip of the branch it lands on) against `after` (that branch once it lands). A
/// setting the branch already had, or a change the landing does not keep, is none.
pub fn of_fix(
    repo: &Repo,
    base: ObjectId,
    tip: ObjectId,
    before: ObjectId,
    after: ObjectId,
) -> Result<Option<SettingsChange>> {
    let read = |commit: ObjectId, path: &str| repo.read_file_at(commit, path);
    let mut paths = BTreeSet::new();
    for path in files_of(repo, &[base, tip, before, after])? {
        if read(base, &path)? != read(tip, &path)? {
            paths.insert(path);
        }
    }
    Ok(changes(repo, paths, before, after)?.map(|(files, keys)| SettingsChange { files, keys }))
}

/// The settings that differ between two commits (`.hotfix.toml`, the plugins it names).
pub fn between(repo: &Repo, before: ObjectId, after: ObjectId) -> Result<Vec<KeyChange>> {
    let paths = files_of(repo, &[before, after])?;
    Ok(changes(repo, paths, before, after)?.map_or_else(Vec::new, |(_, keys)| keys))
}

/// `.hotfix.toml` and the plugin files it names in any of `commits`.
fn files_of(repo: &Repo, commits: &[ObjectId]) -> Result<BTreeSet<String>> {
    let mut paths = BTreeSet::from([FILE_NAME.to_string()]);
    for &commit in commits {
        if let Some(text) = repo.read_file_at(commit, FILE_NAME)? {
            paths.extend(plugin_files(&text));
        }
    }
    Ok(paths)
}

/// Of `paths`, the files that differ between `before` and `after`, and each setting in them
/// that does.
fn changes(
    repo: &Repo,
    paths: BTreeSet<String>,
    before: ObjectId,
    after: ObjectId,
) -> Result<Option<(Vec<String>, Vec<KeyChange>)>> {
    let read = |commit: ObjectId, path: &str| repo.read_file_at(commit, path);
    let mut files = Vec::new();
    let mut keys = Vec::new();
    for path in paths {
        let (old, new) = (read(before, &path)?, read(after, &path)?);
        if old == new {
            continue;
        }
        if path == FILE_NAME {
            let changed = key_changes(old.as_deref(), new.as_deref());
            // Comments, spacing, key order: the same settings.
            if changed.is_empty() {
                continue;
            }
            keys.extend(changed);
        } else {
            let digest = |bytes: Option<Vec<u8>>| bytes.map(|b| format!("sha256 {}", sha256(&b)));
            keys.push(KeyChange {
                key: path.clone(),
                old: digest(old),
                new: digest(new),
            });
        }
        files.push(path);
    }
    if !files.is_empty() {
        keys.extend(broken_pins(repo, after)?);
    }
    Ok((!files.is_empty()).then_some((files, keys)))
}

/// Each plugin whose file at `commit` does not have the sha256 `.hotfix.toml` pins there:
/// the settings this change leaves would refuse that policy.
fn broken_pins(repo: &Repo, commit: ObjectId) -> Result<Vec<KeyChange>> {
    let Some(table) = parse(repo.read_file_at(commit, FILE_NAME)?.as_deref()) else {
        return Ok(Vec::new());
    };
    let Some(toml::Value::Table(policies)) = table.get("policies") else {
        return Ok(Vec::new());
    };
    let mut broken = Vec::new();
    for (name, policy) in policies {
        let (Some(plugin), Some(pin)) = (
            policy.get("plugin").and_then(toml::Value::as_str),
            policy.get("sha256").and_then(toml::Value::as_str),
        ) else {
            continue;
        };
        let actual = repo
            .read_file_at(commit, plugin)?
            .map(|bytes| sha256(&bytes));
        if actual.as_deref() != Some(&pin.to_ascii_lowercase()) {
            broken.push(KeyChange {
                key: format!("policies.{name}.sha256"),
                old: Some(pin.to_string()),
                new: Some(match actual {
                    Some(actual) => format!(
                        "{plugin} is sha256 {actual}: the pin no longer matches, and the {name} policy would be refused"
                    ),
                    None => format!("{plugin} is missing: the {name} policy would be refused"),
                }),
            });
        }
    }
    Ok(broken)
}

/// The plugin files `.hotfix.toml` names (`plugin = "policies/deploy.wasm"`).
fn plugin_files(text: &[u8]) -> Vec<String> {
    let Some(table) = parse(Some(text)) else {
        return Vec::new();
    };
    let Some(toml::Value::Table(policies)) = table.get("policies") else {
        return Vec::new();
    };
    policies
        .values()
        .filter_map(|policy| policy.get("plugin")?.as_str())
        .filter(|plugin| plugin.ends_with(".wasm"))
        .map(str::to_string)
        .collect()
}

fn parse(text: Option<&[u8]>) -> Option<toml::Table> {
    std::str::from_utf8(text?).ok()?.parse().ok()
}

/// The keys that differ between two versions of `.hotfix.toml`, dotted, values as TOML.
fn key_changes(old: Option<&[u8]>, new: Option<&[u8]>) -> Vec<KeyChange> {
    let flat = |text: Option<&[u8]>| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match (text, parse(text)) {
            (None, _) => {}
            (Some(_), Some(table)) => flatten("", &toml::Value::Table(table), &mut out),
            // Unreadable: the file is all there is to show (a finish will refuse to load it).
            (Some(bytes), None) => {
                out.insert(
                    "(not valid TOML)".into(),
                    format!("sha256 {}", sha256(bytes)),
                );
            }
        }
        out
    };
    let (old, new) = (flat(old), flat(new));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| KeyChange {
            key: k.clone(),
            old: old.get(k).cloned(),
            new: new.get(k).cloned(),
        })
        .collect()
}

fn flatten(key: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (name, value) in table {
                let key = match key {
                    "" => name.clone(),
                    _ => format!("{key}.{name}"),
                };
                flatten(&key, value, out);
            }
        }
        value => {
            out.insert(key.to_string(), value.to_string());
        }
    }
}
