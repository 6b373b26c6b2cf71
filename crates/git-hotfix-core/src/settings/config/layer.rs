//! One source of settings (the file, git config) parsed and checked key by key, so that a
//! mistake is named where it was made; sources stack into [`Config`](super::Config).

use std::collections::BTreeMap;

use gix::bstr::ByteSlice;

use crate::foundation::changelog::FormatSetting;
use crate::foundation::error::{ConfigError, Location};
use crate::foundation::messages::MessageTemplate;
use crate::foundation::names::BranchTemplate;
use crate::foundation::names::{BackportLabel, BackportTemplate};
use crate::git::repo::Repo;
use crate::git::tags::TagPattern;
use crate::settings::policy::{PluginLimits, PolicyConfig};

use super::{
    BackportBody, BackportTitle, GitHub, LabelMapping, LabelPattern, MergeCommits, MergeMethod,
    PullTitle,
};

/// `backport-label-mapping`: a table of regular expressions and the lines they name.
fn label_mapping<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<LabelMapping>>, D::Error> {
    let table = <BTreeMap<String, String> as serde::Deserialize>::deserialize(deserializer)?;
    table
        .iter()
        .map(|(pattern, target)| LabelMapping::parse(pattern, target))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `[[escalation]]`: rungs in the order they come, each named once.
fn escalation_ladder<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<super::Escalation>>, D::Error> {
    let rungs = <Vec<super::Escalation> as serde::Deserialize>::deserialize(deserializer)?;
    for (n, rung) in rungs.iter().enumerate() {
        if rung.to.trim().is_empty() {
            return Err(serde::de::Error::custom("an escalation's `to` is empty"));
        }
        if let Some(before) = rungs[..n].iter().find(|r| r.after.0 >= rung.after.0) {
            return Err(serde::de::Error::custom(format!(
                "escalations come in order: `{}` after {} comes before `{}` after {}",
                before.to,
                String::from(before.after),
                rung.to,
                String::from(rung.after)
            )));
        }
        if rungs[..n]
            .iter()
            .any(|r| r.to.trim().eq_ignore_ascii_case(rung.to.trim()))
        {
            return Err(serde::de::Error::custom(format!(
                "`{}` is escalated to twice",
                rung.to
            )));
        }
    }
    Ok(Some(rungs))
}

/// One source of settings; every field is optional so sources can be stacked.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Layer {
    pub(super) production_branch: Option<String>,
    pub(super) develop_branch: Option<String>,
    pub(super) release_branches: Option<Vec<crate::foundation::names::BranchGlob>>,
    pub(super) branch_template: Option<BranchTemplate>,
    pub(super) tag_pattern: Option<TagPattern>,
    pub(super) remote: Option<String>,
    pub(super) offline: Option<bool>,
    pub(super) merge: Option<crate::git::merge::Mode>,
    pub(super) checks: Option<Vec<String>>,
    pub(super) staging: Option<bool>,
    pub(super) push_notes: Option<bool>,
    pub(super) monitoring: Option<super::Window>,
    pub(super) follow_up: Option<super::Window>,
    pub(super) backport_branch_template: Option<BackportTemplate>,
    pub(super) version_files: Option<Vec<String>>,
    pub(super) changelog: Option<String>,
    pub(super) changelog_format: Option<FormatSetting>,
    pub(super) release_message: Option<MessageTemplate>,
    pub(super) tag_message: Option<MessageTemplate>,
    pub(super) changelog_entry: Option<MessageTemplate>,
    /// Only in the file: a plugin and its grants are the team's decision.
    #[serde(default)]
    pub(super) policies: PoliciesLayer,
    pub(super) plugin_limits: Option<PluginLimits>,
    pub(super) production_version: Option<super::ProductionVersion>,
    /// The team's severity levels, most urgent first (`[[severity-levels]]`).
    pub(super) severity_levels: Option<crate::settings::severity::SeverityTable>,
    #[serde(default, deserialize_with = "escalation_ladder")]
    pub(super) escalation: Option<Vec<super::Escalation>>,
    #[serde(default)]
    pub(super) products: BTreeMap<String, ProductLayer>,
    #[serde(default)]
    pub(super) github: GitHubLayer,
    /// `-c policies.<kind>.<key>=…`: one key of a policy changed for one command, on top of
    /// the file's policy (never from git config, which would outlive the command).
    #[serde(skip)]
    pub(super) policy_flags: Vec<PolicyFlag>,
}

/// One key of one policy set with `-c`, already checked.
#[derive(Debug, Clone)]
pub(super) struct PolicyFlag {
    /// `severity`, `version-files` or `deploy`.
    pub(super) policy: &'static str,
    pub(super) change: PolicyChange,
}

#[derive(Debug, Clone)]
pub(super) enum PolicyChange {
    Plugin(crate::settings::policy::PluginSource),
    Sha256(crate::settings::policy::Sha256),
    Commands(Vec<String>),
    Http(Vec<String>),
    Clocks(bool),
    Random(bool),
    /// `settings.<key>`: replaces every value of the key.
    Setting(String, String),
}

impl PolicyFlag {
    pub(super) fn apply(&self, policy: &mut PolicyConfig) {
        match self.change.clone() {
            PolicyChange::Plugin(plugin) => policy.plugin = plugin,
            PolicyChange::Sha256(sha256) => policy.sha256 = Some(sha256),
            PolicyChange::Commands(commands) => policy.commands = commands,
            PolicyChange::Http(http) => policy.http = http,
            PolicyChange::Clocks(clocks) => policy.clocks = clocks,
            PolicyChange::Random(random) => policy.random = random,
            PolicyChange::Setting(key, value) => {
                policy.settings.0.retain(|(k, _)| *k != key);
                policy.settings.0.push((key, value));
            }
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct GitHubLayer {
    #[serde(default, deserialize_with = "api_url")]
    pub(super) api_url: Option<String>,
    pub(super) repository: Option<String>,
    pub(super) pr: Option<bool>,
    pub(super) draft: Option<bool>,
    pub(super) reviewers: Option<Vec<String>>,
    pub(super) assignees: Option<Vec<String>>,
    pub(super) labels: Option<Vec<String>>,
    pub(super) pr_title: Option<PullTitle>,
    pub(super) backport_pr_title: Option<BackportTitle>,
    pub(super) backport_pr_body: Option<BackportBody>,
    pub(super) release: Option<bool>,
    pub(super) backport_labels: Option<Vec<BackportLabel>>,
    #[serde(default, deserialize_with = "label_mapping")]
    pub(super) backport_label_mapping: Option<Vec<LabelMapping>>,
    pub(super) backport_add_labels: Option<Vec<String>>,
    pub(super) backport_copy_labels: Option<LabelPattern>,
    pub(super) backport_copy_assignees: Option<bool>,
    pub(super) backport_copy_reviewers: Option<bool>,
    pub(super) backport_copy_milestone: Option<bool>,
    pub(super) backport_auto_merge: Option<MergeMethod>,
    pub(super) backport_merge_commits: Option<MergeCommits>,
}

impl GitHubLayer {
    pub(super) fn under(self, over: GitHubLayer) -> GitHubLayer {
        GitHubLayer {
            api_url: over.api_url.or(self.api_url),
            repository: over.repository.or(self.repository),
            pr: over.pr.or(self.pr),
            draft: over.draft.or(self.draft),
            reviewers: over.reviewers.or(self.reviewers),
            assignees: over.assignees.or(self.assignees),
            labels: over.labels.or(self.labels),
            pr_title: over.pr_title.or(self.pr_title),
            backport_pr_title: over.backport_pr_title.or(self.backport_pr_title),
            backport_pr_body: over.backport_pr_body.or(self.backport_pr_body),
            release: over.release.or(self.release),
            backport_labels: over.backport_labels.or(self.backport_labels),
            backport_label_mapping: over.backport_label_mapping.or(self.backport_label_mapping),
            backport_add_labels: over.backport_add_labels.or(self.backport_add_labels),
            backport_copy_labels: over.backport_copy_labels.or(self.backport_copy_labels),
            backport_copy_assignees: over
                .backport_copy_assignees
                .or(self.backport_copy_assignees),
            backport_copy_reviewers: over
                .backport_copy_reviewers
                .or(self.backport_copy_reviewers),
            backport_copy_milestone: over
                .backport_copy_milestone
                .or(self.backport_copy_milestone),
            backport_auto_merge: over.backport_auto_merge.or(self.backport_auto_merge),
            backport_merge_commits: over.backport_merge_commits.or(self.backport_merge_commits),
        }
    }

    pub(super) fn settings(self) -> GitHub {
        let defaults = GitHub::default();
        GitHub {
            api_url: self.api_url.filter(|u| !u.is_empty()),
            committed_api_url: None,
            repository: self.repository.filter(|r| !r.is_empty()),
            pr: self.pr.unwrap_or(defaults.pr),
            draft: self.draft.unwrap_or(defaults.draft),
            reviewers: self.reviewers.unwrap_or(defaults.reviewers),
            assignees: self.assignees.unwrap_or(defaults.assignees),
            labels: self.labels.unwrap_or(defaults.labels),
            pr_title: self.pr_title.unwrap_or(defaults.pr_title),
            backport_pr_title: self.backport_pr_title.unwrap_or(defaults.backport_pr_title),
            backport_pr_body: self.backport_pr_body,
            release: self.release.unwrap_or(defaults.release),
            backport_labels: self.backport_labels.unwrap_or(defaults.backport_labels),
            backport_label_mapping: self
                .backport_label_mapping
                .unwrap_or(defaults.backport_label_mapping),
            backport_add_labels: self
                .backport_add_labels
                .unwrap_or(defaults.backport_add_labels),
            backport_copy_labels: self.backport_copy_labels,
            backport_copy_assignees: self
                .backport_copy_assignees
                .unwrap_or(defaults.backport_copy_assignees),
            backport_copy_reviewers: self
                .backport_copy_reviewers
                .unwrap_or(defaults.backport_copy_reviewers),
            backport_copy_milestone: self
                .backport_copy_milestone
                .unwrap_or(defaults.backport_copy_milestone),
            backport_auto_merge: self.backport_auto_merge,
            backport_merge_commits: self
                .backport_merge_commits
                .unwrap_or(defaults.backport_merge_commits),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct PoliciesLayer {
    pub(super) severity: Option<PolicyConfig>,
    pub(super) version_files: Option<PolicyConfig>,
    pub(super) deploy: Option<PolicyConfig>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ProductLayer {
    pub(super) tag_pattern: Option<TagPattern>,
    pub(super) branch_template: Option<BranchTemplate>,
    pub(super) version_files: Option<Vec<String>>,
    pub(super) changelog: Option<String>,
    pub(super) changelog_format: Option<FormatSetting>,
    pub(super) changelog_heading: Option<String>,
    pub(super) checks: Option<Vec<String>>,
}

impl Layer {
    /// `over` wins wherever it says something.
    pub(super) fn under(mut self, over: Layer) -> Layer {
        self.production_branch = over.production_branch.or(self.production_branch);
        self.develop_branch = over.develop_branch.or(self.develop_branch);
        self.release_branches = over.release_branches.or(self.release_branches);
        self.branch_template = over.branch_template.or(self.branch_template);
        self.tag_pattern = over.tag_pattern.or(self.tag_pattern);
        self.remote = over.remote.or(self.remote);
        self.offline = over.offline.or(self.offline);
        self.merge = over.merge.or(self.merge);
        self.checks = over.checks.or(self.checks);
        self.staging = over.staging.or(self.staging);
        self.push_notes = over.push_notes.or(self.push_notes);
        self.monitoring = over.monitoring.or(self.monitoring);
        self.follow_up = over.follow_up.or(self.follow_up);
        self.backport_branch_template = over
            .backport_branch_template
            .or(self.backport_branch_template);
        self.version_files = over.version_files.or(self.version_files);
        self.changelog = over.changelog.or(self.changelog);
        self.changelog_format = over.changelog_format.or(self.changelog_format);
        self.release_message = over.release_message.or(self.release_message);
        self.tag_message = over.tag_message.or(self.tag_message);
        self.changelog_entry = over.changelog_entry.or(self.changelog_entry);
        self.plugin_limits = over.plugin_limits.or(self.plugin_limits);
        self.production_version = over.production_version.or(self.production_version);
        self.severity_levels = over.severity_levels.or(self.severity_levels);
        self.escalation = over.escalation.or(self.escalation);
        self.github = self.github.under(over.github);
        self.policies = PoliciesLayer {
            severity: over.policies.severity.or(self.policies.severity),
            version_files: over.policies.version_files.or(self.policies.version_files),
            deploy: over.policies.deploy.or(self.policies.deploy),
        };
        // Applied in order: a later flag wins.
        self.policy_flags.extend(over.policy_flags);
        for (name, product) in over.products {
            let base = self.products.remove(&name).unwrap_or_default();
            self.products.insert(
                name,
                ProductLayer {
                    tag_pattern: product.tag_pattern.or(base.tag_pattern),
                    branch_template: product.branch_template.or(base.branch_template),
                    version_files: product.version_files.or(base.version_files),
                    changelog: product.changelog.or(base.changelog),
                    changelog_format: product.changelog_format.or(base.changelog_format),
                    changelog_heading: product.changelog_heading.or(base.changelog_heading),
                    checks: product.checks.or(base.checks),
                },
            );
        }
        self
    }
}

/// What a key set from git config or `--config` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// Comma-separated.
    List,
    /// `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, as git reads booleans.
    Bool,
}

use Kind::{Bool, List, Text};

/// The keys that git config and `--config` may set.
const KEYS: &[(&str, Kind)] = &[
    ("production-branch", Text),
    ("develop-branch", Text),
    ("release-branches", List),
    ("branch-template", Text),
    ("tag-pattern", Text),
    ("remote", Text),
    ("offline", Bool),
    ("merge", Text),
    ("checks", List),
    ("staging", Bool),
    ("push-notes", Bool),
    ("monitoring", Text),
    ("follow-up", Text),
    ("backport-branch-template", Text),
    ("version-files", List),
    ("changelog", Text),
    ("changelog-format", Text),
    ("release-message", Text),
    ("tag-message", Text),
    ("changelog-entry", Text),
];
const PRODUCT_KEYS: &[(&str, Kind)] = &[
    ("tag-pattern", Text),
    ("changelog-heading", Text),
    ("checks", List),
    ("branch-template", Text),
    ("version-files", List),
    ("changelog", Text),
    ("changelog-format", Text),
];
/// `github.*` from `--config`, `[hotfix "github"]` in git config.
const GITHUB_KEYS: &[(&str, Kind)] = &[
    ("api-url", Text),
    ("repository", Text),
    ("pr", Bool),
    ("draft", Bool),
    ("reviewers", List),
    ("assignees", List),
    ("labels", List),
    ("pr-title", Text),
    ("backport-pr-title", Text),
    ("backport-pr-body", Text),
    ("release", Bool),
    ("backport-labels", List),
    ("backport-add-labels", List),
    ("backport-copy-labels", Text),
    ("backport-copy-assignees", Bool),
    ("backport-copy-reviewers", Bool),
    ("backport-copy-milestone", Bool),
    ("backport-auto-merge", Text),
    ("backport-merge-commits", Text),
];

/// `policies.<kind>.*` from `--config` only: a policy and its grants are the team's, in the
/// committed file; `-c` tries one for one command.
const POLICY_KEYS: &[(&str, Kind)] = &[
    ("plugin", Text),
    ("sha256", Text),
    ("commands", List),
    ("http", List),
    ("clocks", Bool),
    ("random", Bool),
];
const POLICIES: &[&str] = &["severity", "version-files", "deploy"];

/// git config spells keys `productionBranch`; the file spells them `production-branch`.
fn canonical_key(spelled: &str, keys: &[(&'static str, Kind)]) -> Option<(&'static str, Kind)> {
    let squash = |k: &str| k.replace(['-', '_'], "").to_ascii_lowercase();
    let wanted = squash(spelled);
    keys.iter().copied().find(|(key, _)| squash(key) == wanted)
}

/// Parse the text of a `.hotfix.toml`; `origin` names it in errors.
pub(super) fn parse_file(text: &str, origin: &str) -> Result<Layer, ConfigError> {
    let at = |span: Option<std::ops::Range<usize>>| {
        let offset = span.map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        Location::File {
            origin: origin.to_string(),
            line,
            column,
        }
    };
    let deserializer = toml::Deserializer::parse(text).map_err(|err| ConfigError {
        location: at(err.span()),
        key: None,
        message: format!("not valid TOML: {}", err.message()),
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let key = err.path().to_string();
        let inner = err.into_inner();
        ConfigError {
            location: at(inner.span()),
            message: describe(&key, inner.message()),
            key: Some(key),
        }
    })
}

/// `unknown field` is serde's word; ours is key, and the key leads the sentence.
fn describe(key: &str, message: &str) -> String {
    let message = message.replace("unknown field", "unknown key");
    if key.is_empty() || key == "." || message.contains(&format!("`{key}`")) {
        message
    } else {
        format!("`{key}`: {message}")
    }
}

/// Build a layer from `key = value` pairs (git config or `--config`), refusing unknown keys.
pub(super) fn parse_pairs(
    pairs: impl IntoIterator<Item = (String, String, Location)>,
) -> Result<Layer, ConfigError> {
    let mut table = toml::Table::new();
    let mut policy_flags = Vec::new();
    // Where each key was set, so that a value refused below is blamed on its source.
    let mut locations: BTreeMap<String, Location> = BTreeMap::new();
    for (key, value, location) in pairs {
        let unknown = |location: Location| ConfigError {
            message: format!("unknown key `{key}`"),
            key: Some(key.clone()),
            location,
        };
        let parts: Vec<&str> = key.split('.').collect();
        if parts.first() == Some(&"policies") {
            policy_flags.push(policy_flag(&key, &parts, &value, location)?);
            continue;
        }
        let (slot, name, kind): (&mut toml::Table, &str, Kind) = match parts.as_slice() {
            [name] => {
                let (canonical, kind) =
                    canonical_key(name, KEYS).ok_or_else(|| unknown(location.clone()))?;
                (&mut table, canonical, kind)
            }
            [github, name] if *github == "github" => {
                let (canonical, kind) =
                    canonical_key(name, GITHUB_KEYS).ok_or_else(|| unknown(location.clone()))?;
                let github = table
                    .entry("github")
                    .or_insert_with(|| toml::Value::Table(Default::default()));
                (
                    github.as_table_mut().expect("github is a table"),
                    canonical,
                    kind,
                )
            }
            [products, product, name] if *products == "products" => {
                let (canonical, kind) =
                    canonical_key(name, PRODUCT_KEYS).ok_or_else(|| unknown(location.clone()))?;
                let products = table
                    .entry("products")
                    .or_insert_with(|| toml::Value::Table(Default::default()));
                let product = products
                    .as_table_mut()
                    .expect("products is a table")
                    .entry(product.to_string())
                    .or_insert_with(|| toml::Value::Table(Default::default()));
                (
                    product.as_table_mut().expect("a product is a table"),
                    canonical,
                    kind,
                )
            }
            _ => return Err(unknown(location)),
        };
        let value = typed(&key, kind, value, &location)?;
        slot.insert(name.to_string(), value);
        let mut canonical = parts[..parts.len() - 1].join(".");
        canonical.push_str(if canonical.is_empty() { "" } else { "." });
        canonical.push_str(name);
        locations.insert(canonical, location);
    }
    let mut layer: Layer =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|err| {
            let key = err.path().to_string();
            let location = locations
                .iter()
                .find(|(set, _)| key == **set || key.starts_with(&format!("{set}.")))
                .map_or(Location::Flag, |(_, location)| location.clone());
            ConfigError {
                message: describe(&key, err.into_inner().message()),
                key: Some(key),
                location,
            }
        })?;
    layer.policy_flags = policy_flags;
    Ok(layer)
}

/// A value given as text, as the key's kind has it: a list is comma-separated, a boolean
/// is true/yes/on/1 or false/no/off/0.
fn typed(
    key: &str,
    kind: Kind,
    value: String,
    location: &Location,
) -> Result<toml::Value, ConfigError> {
    Ok(match kind {
        List => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| toml::Value::String(v.to_string()))
                .collect(),
        ),
        Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => toml::Value::Boolean(true),
            "false" | "no" | "off" | "0" | "" => toml::Value::Boolean(false),
            _ => {
                return Err(ConfigError {
                    message: format!("`{key}` is true or false, not `{value}`"),
                    key: Some(key.to_string()),
                    location: location.clone(),
                });
            }
        },
        Text => toml::Value::String(value),
    })
}

/// `policies.<kind>.<key>=value` (or `policies.<kind>.settings.<name>=value`), from `-c`.
fn policy_flag(
    key: &str,
    parts: &[&str],
    value: &str,
    location: Location,
) -> Result<PolicyFlag, ConfigError> {
    use crate::settings::policy::Sha256;
    let refused = |message: String| ConfigError {
        message,
        key: Some(key.to_string()),
        location: location.clone(),
    };
    if location != Location::Flag {
        return Err(refused(format!(
            "`{key}`: a policy and its grants are set in the committed .hotfix.toml (the team's), or tried for one command with `-c {key}=…`, not in git config"
        )));
    }
    let policy = parts
        .get(1)
        .and_then(|kind| POLICIES.iter().find(|p| **p == *kind))
        .ok_or_else(|| {
            refused(format!(
                "unknown key `{key}`: the policies are {}",
                POLICIES.join(", ")
            ))
        })?;
    let change = match &parts[2..] {
        ["settings", name @ ..] if !name.is_empty() && name.iter().all(|n| !n.is_empty()) => {
            PolicyChange::Setting(name.join("."), value.to_string())
        }
        [name] => {
            let (canonical, kind) = canonical_key(name, POLICY_KEYS).ok_or_else(|| {
                refused(format!(
                    "unknown key `{key}`: a policy has {}, settings.<name>",
                    POLICY_KEYS
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let typed = typed(key, kind, value.to_string(), &location)?;
            let wrong = |err: toml::de::Error| refused(describe(key, err.message()));
            match (canonical, typed) {
                ("plugin", value) => {
                    PolicyChange::Plugin(serde::Deserialize::deserialize(value).map_err(wrong)?)
                }
                ("sha256", value) => PolicyChange::Sha256(
                    <Sha256 as serde::Deserialize>::deserialize(value).map_err(wrong)?,
                ),
                ("commands", value) => {
                    PolicyChange::Commands(serde::Deserialize::deserialize(value).map_err(wrong)?)
                }
                ("http", value) => {
                    PolicyChange::Http(serde::Deserialize::deserialize(value).map_err(wrong)?)
                }
                ("clocks", toml::Value::Boolean(on)) => PolicyChange::Clocks(on),
                ("random", toml::Value::Boolean(on)) => PolicyChange::Random(on),
                _ => unreachable!("POLICY_KEYS and this match name the same keys"),
            }
        }
        _ => return Err(refused(format!("unknown key `{key}`"))),
    };
    Ok(PolicyFlag { policy, change })
}

/// The `hotfix.*` entries of git config; `[hotfix "api"]` sections configure product `api`.
pub(super) fn git_config_pairs(repo: &Repo) -> Vec<(String, String, Location)> {
    let snapshot = repo.git.config_snapshot();
    let file = snapshot.plumbing();
    let mut pairs = Vec::new();
    for section in file.sections_by_name("hotfix").into_iter().flatten() {
        let location = Location::GitConfig {
            file: section.meta().path.clone(),
        };
        // `[hotfix "github"]` holds the GitHub settings; any other subsection is a product.
        let prefix = match section.header().subsection_name() {
            Some(name) if name == "github" => "github.".to_string(),
            // `[hotfix "policies.deploy"]`: named as such, so that the refusal says why.
            Some(name) if name.starts_with(b"policies.") => format!("{}.", name.to_str_lossy()),
            Some(product) => format!("products.{}.", product.to_str_lossy()),
            None => String::new(),
        };
        let body = section.body();
        for name in body.value_names() {
            if let Some(value) = body.values(&name).last() {
                pairs.push((
                    format!("{prefix}{name}"),
                    value.to_str_lossy().into_owned(),
                    location.clone(),
                ));
            }
        }
    }
    pairs
}

/// The GitHub API is reached over HTTP(S): anything else (`ftp://`, a bare host) is a
/// mistake named where it was written, not a request that fails later. Empty: unset.
fn api_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    let lower = text.to_ascii_lowercase();
    if text.is_empty() || lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(Some(text))
    } else {
        Err(serde::de::Error::custom(format!(
            "`{text}` is not an http(s) URL (GitHub Enterprise: `https://github.example.com/api/v3`)"
        )))
    }
}
