//! Settings: `.hotfix.toml` on the production branch, then git config `hotfix.*`, then flags.
//!
//! The file is read from the production branch's tip, not the worktree, so a hotfix of an old
//! release line follows the rules the team has today rather than those of years ago.
mod layer;
pub mod reference;

use std::collections::BTreeMap;
use std::fmt;

use gix::ObjectId;

use crate::foundation::changelog::FormatSetting;
use crate::foundation::error::{ConfigError, Location};
use crate::foundation::messages::Messages;
use crate::foundation::names::BranchTemplate;
use crate::foundation::names::{BackportLabel, BackportTemplate};
use crate::foundation::oid::short;
use crate::git::repo::Repo;
use crate::git::tags::TagPattern;
use crate::settings::policy::{PluginLimits, Policies};

use layer::{Layer, git_config_pairs, parse_file, parse_pairs};

pub const FILE_NAME: &str = ".hotfix.toml";
pub const DEFAULT_TAG_PATTERN: &str = "v{version}";
pub const DEFAULT_PRODUCT_TAG_PATTERN: &str = "{product}/prod-v{version}";
pub const DEFAULT_REMOTE: &str = "origin";
pub const DEFAULT_CHANGELOG: &str = "CHANGELOG.md";

/// The settings in effect for one command.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Config {
    pub production_branch: String,
    pub develop_branch: Option<String>,
    /// `develop_branch` was not configured but found by name (`develop`, or git-flow's).
    pub develop_found: bool,
    /// `develop-branch = ""`: hotfixes go into no develop branch, whatever exists.
    #[serde(skip)]
    pub develop_off: bool,
    pub release_branches: Vec<String>,
    pub branch_template: BranchTemplate,
    pub tag_pattern: TagPattern,
    pub remote: String,
    /// Decide from local state: no fetch from `remote` first (`offline = true`, `--offline`).
    pub offline: bool,
    /// How `finish` lands the fix: `merge = "ff" | "ff-only" | "no-ff"`.
    pub merge: crate::git::merge::Mode,
    /// The project's own checks, run on the fix before `finish` (tests, type check, build):
    /// each an argv, split on whitespace.
    pub checks: Vec<String>,
    /// The team deploys to a staging environment before production (`staging = false`:
    /// there is none, and production is not held for it).
    pub staging: bool,
    /// The hotfix notes follow a pushed release to its remote (`push-notes = false`: they
    /// stay local, for teams whose remote takes only reviewed refs).
    pub push_notes: bool,
    /// How long production is watched after it is verified (`monitoring = "30m"`).
    pub monitoring: Window,
    /// When the people told hear again after production is verified (`follow-up = "24h"`).
    pub follow_up: Window,
    pub backport_branch_template: BackportTemplate,
    /// The version files of the repository's own release (products have their own).
    pub version_files: Vec<String>,
    /// The changelog of the repository's own release: `None` when not configured (then
    /// `CHANGELOG.md` gets entries if it exists), empty when none is wanted.
    pub changelog: Option<String>,
    pub changelog_format: FormatSetting,
    pub messages: Messages,
    pub policies: Policies,
    pub plugin_limits: PluginLimits,
    /// Where the service says which version it runs, when the team says where.
    pub production_version: Option<ProductionVersion>,
    /// The team's own severity levels, laid over the severity policy's answers.
    pub severity_levels: Option<crate::settings::severity::SeverityTable>,
    /// The escalation ladder: who is called in how long after detection, while the
    /// incident is open (`[[escalation]]`).
    pub escalation: Vec<Escalation>,
    pub products: BTreeMap<String, Product>,
    pub github: GitHub,
    /// Where `.hotfix.toml` was read from, if there was one.
    pub file: Option<FileOrigin>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Product {
    pub tag_pattern: TagPattern,
    pub branch_template: Option<BranchTemplate>,
    pub version_files: Vec<String>,
    /// The product's own changelog, instead of the repository's.
    pub changelog: Option<String>,
    pub changelog_format: Option<FormatSetting>,
    /// In a changelog shared by products, the heading of this product's table when it is
    /// not named after the product (`Staff Mobile` for `app`).
    pub changelog_heading: Option<String>,
    /// The product's own checks, instead of the repository's.
    pub checks: Option<Vec<String>>,
}

/// A span of time in settings, as people write it: `30m`, `2h`, `1h 30m`, `24h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(into = "String")]
pub struct Window(pub jiff::SignedDuration);

impl Window {
    pub fn minutes(minutes: i64) -> Window {
        Window(jiff::SignedDuration::from_mins(minutes))
    }
}

impl From<Window> for String {
    fn from(window: Window) -> String {
        format!("{:#}", window.0)
    }
}

impl<'de> serde::Deserialize<'de> for Window {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.trim()
            .parse::<jiff::SignedDuration>()
            .ok()
            .filter(|d| !d.is_negative())
            .map(Window)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{text}` is not a span of time such as `30m`, `2h` or `1h 30m`"
                ))
            })
    }
}

/// One rung of the escalation ladder: `after = "15m"`, `to = "senior engineer"`.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Escalation {
    /// How long after detection.
    pub after: Window,
    /// Who is called in.
    pub to: String,
}

/// `[production-version]`: where the service itself says which version it runs (`status`
/// shows it beside what the journals record). The body is the version, or holds it at a
/// JSON pointer or in a regular expression's first group.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case", try_from = "ProductionVersionKeys")]
pub struct ProductionVersion {
    pub url: String,
    pub json_pointer: Option<String>,
    pub regex: Option<String>,
    /// How long `verify production` waits for the service to report the release.
    pub wait: Window,
}

/// [`ProductionVersion`] as written, before it is checked.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProductionVersionKeys {
    url: String,
    json_pointer: Option<String>,
    regex: Option<String>,
    wait: Option<Window>,
}

impl TryFrom<ProductionVersionKeys> for ProductionVersion {
    type Error = String;

    fn try_from(keys: ProductionVersionKeys) -> Result<Self, String> {
        let lower = keys.url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(format!("`url`: `{}` is not an http(s) URL", keys.url));
        }
        if let Some(pointer) = &keys.json_pointer
            && !pointer.is_empty()
            && !pointer.starts_with('/')
        {
            return Err(format!(
                "`json-pointer`: `{pointer}` is not a JSON pointer (it starts with `/`: `/version`, `/build/version`)"
            ));
        }
        if keys.json_pointer.is_some() && keys.regex.is_some() {
            return Err("give `json-pointer` or `regex`, not both".into());
        }
        if let Some(regex) = &keys.regex {
            regex::Regex::new(regex).map_err(|err| format!("`regex`: {err}"))?;
        }
        Ok(ProductionVersion {
            url: keys.url,
            json_pointer: keys.json_pointer,
            regex: keys.regex,
            wait: keys.wait.unwrap_or(Window::minutes(1)),
        })
    }
}

/// The `[github]` table: where the repository lives and how its pull requests look.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct GitHub {
    /// From the user's own settings (git config, `-c`): `None`: `GITHUB_API_URL`, else
    /// `https://api.github.com`.
    pub api_url: Option<String>,
    /// What the committed `.hotfix.toml` says. Whoever can commit there is not trusted
    /// with the token of whoever runs the next command: it is used only when the user's
    /// own settings say the same.
    pub committed_api_url: Option<String>,
    /// `owner/name`; `None`: from the remote's URL.
    pub repository: Option<String>,
    /// `finish` opens a pull request instead of merging (as `--pr`).
    pub pr: bool,
    pub draft: bool,
    /// Logins, or `org/team`.
    pub reviewers: Vec<String>,
    pub assignees: Vec<String>,
    /// Put on every hotfix pull request, besides the severity's.
    pub labels: Vec<String>,
    pub pr_title: PullTitle,
    /// The title of a backport's pull request.
    pub backport_pr_title: BackportTitle,
    /// Its body; `None`: git-hotfix's own.
    pub backport_pr_body: Option<BackportBody>,
    /// `tag` and `finish` publish a GitHub release (as `--release`).
    pub release: bool,
    /// The labels that ask the GitHub action for a backport (`backport {target}`).
    pub backport_labels: Vec<BackportLabel>,
    /// Labels that name a line through a regular expression (`^v(\d+)\.(\d+)\.\d+$` →
    /// `release/$1.$2`), as sorenlouv/backport's `branchLabelMapping`.
    pub backport_label_mapping: Vec<LabelMapping>,
    /// Put on every backport pull request, besides `backport`.
    pub backport_add_labels: Vec<String>,
    /// The merged pull request's labels that its backports get too (those asking for a
    /// backport never: the backport would ask for itself).
    pub backport_copy_labels: Option<LabelPattern>,
    /// The merged pull request's assignees are its backports' too.
    pub backport_copy_assignees: bool,
    /// The reviewers requested on the merged pull request are requested on its backports.
    pub backport_copy_reviewers: bool,
    /// The merged pull request's milestone is its backports' too.
    pub backport_copy_milestone: bool,
    /// A clean backport's pull request is merged by GitHub this way once its checks and
    /// reviews allow (auto-merge); `None`: a person merges it.
    pub backport_auto_merge: Option<MergeMethod>,
    /// What a backport of a merged pull request does with the merge commits among its
    /// commits (a branch brought up to date by merging its base).
    pub backport_merge_commits: MergeCommits,
}

/// How GitHub merges a pull request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MergeMethod {
    Merge,
    Squash,
    Rebase,
}

/// What a pull request's backport does with the merge commits among its commits, as
/// korthout/backport-action's `merge_commits`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MergeCommits {
    /// Refuse the backport, naming them: nothing is picked.
    #[default]
    Fail,
    /// Pick the other commits only.
    Skip,
    /// Pick the whole pull request as one change: its merge commit against the base it
    /// merged into (`--mainline 1`); a squash or rebase, whose commits are no merges, as
    /// it is.
    Pick,
}

impl GitHub {
    /// The lines `label` asks the bot to backport to: through `backport-labels` and
    /// `backport-label-mapping`, once each.
    pub fn lines_asked_by(&self, label: &str) -> Vec<String> {
        let named = self
            .backport_labels
            .iter()
            .filter_map(|pattern| pattern.target(label).map(str::to_string));
        let mapped = self
            .backport_label_mapping
            .iter()
            .filter_map(|mapping| mapping.target(label));
        let mut lines: Vec<String> = Vec::new();
        for line in named.chain(mapped) {
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        lines
    }
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub {
            api_url: None,
            committed_api_url: None,
            repository: None,
            pr: false,
            draft: false,
            reviewers: Vec::new(),
            assignees: Vec::new(),
            labels: vec!["hotfix".into()],
            pr_title: PullTitle::parse(PullTitle::DEFAULT).expect("valid default"),
            backport_pr_title: BackportTitle::parse(BackportTitle::DEFAULT).expect("valid default"),
            backport_pr_body: None,
            release: false,
            backport_labels: BackportLabel::DEFAULTS
                .iter()
                .map(|l| BackportLabel::parse(l).expect("valid default"))
                .collect(),
            backport_label_mapping: Vec::new(),
            backport_add_labels: Vec::new(),
            backport_copy_labels: None,
            backport_copy_assignees: false,
            backport_copy_reviewers: false,
            backport_copy_milestone: false,
            backport_auto_merge: None,
            backport_merge_commits: MergeCommits::Fail,
        }
    }
}

/// A regular expression labels are matched against (the whole name: `^` and `$` are
/// implied), as korthout/backport-action's `copy_labels_pattern`.
#[derive(Debug, Clone)]
pub struct LabelPattern {
    /// As the setting wrote it.
    source: String,
    whole: regex::Regex,
}

impl LabelPattern {
    pub fn parse(source: &str) -> Result<Self, String> {
        let whole = regex::Regex::new(&format!("^(?:{source})$"))
            .map_err(|err| format!("not a regular expression: {err}"))?;
        Ok(LabelPattern {
            source: source.to_string(),
            whole,
        })
    }

    pub fn matches(&self, label: &str) -> bool {
        self.whole.is_match(label)
    }

    fn source(&self) -> &str {
        &self.source
    }
}

/// A label pattern and the line it names: `$1`, `${name}` are its capture groups.
#[derive(Debug, Clone)]
pub struct LabelMapping {
    pattern: regex::Regex,
    target: String,
}

impl LabelMapping {
    pub fn parse(pattern: &str, target: &str) -> Result<Self, String> {
        let pattern = regex::Regex::new(pattern)
            .map_err(|err| format!("`{pattern}` is not a regular expression: {err}"))?;
        Ok(LabelMapping {
            pattern,
            target: target.to_string(),
        })
    }

    /// The line `label` names, if the pattern matches it.
    pub fn target(&self, label: &str) -> Option<String> {
        let captures = self.pattern.captures(label)?;
        let mut line = String::new();
        captures.expand(&self.target, &mut line);
        Some(line)
    }
}

impl PartialEq for LabelMapping {
    fn eq(&self, other: &Self) -> bool {
        self.pattern.as_str() == other.pattern.as_str() && self.target == other.target
    }
}

impl Eq for LabelMapping {}

impl serde::Serialize for LabelMapping {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut mapping = serializer.serialize_struct("LabelMapping", 2)?;
        mapping.serialize_field("pattern", self.pattern.as_str())?;
        mapping.serialize_field("target", &self.target)?;
        mapping.end()
    }
}

impl schemars::JsonSchema for LabelMapping {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LabelMapping".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": {
                "pattern": { "type": "string", "format": "regex" },
                "target": { "type": "string" }
            },
            "required": ["pattern", "target"]
        })
    }
}

impl PartialEq for LabelPattern {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

impl Eq for LabelPattern {}

impl serde::Serialize for LabelPattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.source())
    }
}

impl<'de> serde::Deserialize<'de> for LabelPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LabelPattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for LabelPattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LabelPattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "regex" })
    }
}

/// A setting written as a `{placeholder}` template: the placeholders it may use, checked
/// when the settings are read, so that a typo is named there and not in a pull request.
macro_rules! text_template {
    ($(#[$doc:meta])* $name:ident, [$($placeholder:literal),* $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(crate::foundation::template::Template);

        impl $name {
            pub const PLACEHOLDERS: &'static [&'static str] = &[$($placeholder),*];

            pub fn parse(source: &str) -> Result<Self, crate::foundation::template::TemplateError> {
                crate::foundation::template::Template::parse(source, Self::PLACEHOLDERS).map($name)
            }

            pub fn render(&self, value: impl FnMut(&str) -> String) -> String {
                self.0.render(value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_template!(
    /// The title of a hotfix pull request: `{tags} {ticket}: {description}`, where `{tags}`
    /// is `[RELEASE]` (the policy deploys at once) `[HOTFIX]` and the severity, `[HOTFIX][P0]`.
    PullTitle,
    ["tags", "ticket", "description", "severity", "version", "product", "branch", "base"]
);

impl PullTitle {
    pub const DEFAULT: &'static str = "{tags} {ticket}: {description}";
}

text_template!(
    /// The title of a backport's pull request: `[Backport {line}] {title}`, `{title}` being
    /// the merged pull request's (or the hotfix's).
    BackportTitle,
    ["line", "title", "number", "author", "branch"]
);

impl BackportTitle {
    pub const DEFAULT: &'static str = "[Backport {line}] {title}";
}

text_template!(
    /// The body of a backport's pull request, when a team writes its own; `{default}` is
    /// the one git-hotfix writes (source, commits, conflicts, testing), `{commits}` its list
    /// of commits.
    BackportBody,
    ["line", "title", "number", "author", "url", "branch", "commits", "default"]
);

/// The changelog a release writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changelog<'a> {
    /// From the repository's root.
    pub path: &'a str,
    pub format: FormatSetting,
    /// Create the file when it is missing (it was configured).
    pub create: bool,
    /// The heading of the product's table, when a product names its own.
    pub heading: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FileOrigin {
    /// The branch (or `HEAD`) whose tip held the file.
    pub branch: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
}

impl fmt::Display for FileOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{FILE_NAME}` on {} ({})",
            self.branch,
            short(self.commit)
        )
    }
}

impl Config {
    /// A file the configuration names (a plugin, a report template): in the worktree when it
    /// is there, else as committed where `.hotfix.toml` was read from, so the same rules
    /// apply on any branch. `None` when neither has it.
    pub fn repository_file(
        &self,
        repo: &Repo,
        path: &str,
    ) -> crate::foundation::error::Result<Option<Vec<u8>>> {
        if let Some(workdir) = repo.workdir()
            && let Ok(bytes) = std::fs::read(workdir.join(path))
        {
            return Ok(Some(bytes));
        }
        match &self.file {
            Some(origin) => repo.read_file_at(origin.commit, path),
            None => Ok(None),
        }
    }

    /// Read the settings of `repo`, with `overrides` (`key=value` from `--config`) on top.
    pub fn load(
        repo: &Repo,
        overrides: &[(String, String)],
    ) -> crate::foundation::error::Result<Config> {
        let flags = parse_pairs(
            overrides
                .iter()
                .map(|(k, v)| (k.clone(), v.clone(), Location::Flag)),
        )?;
        let git = parse_pairs(git_config_pairs(repo))?;
        let explicit = flags
            .production_branch
            .clone()
            .or_else(|| git.production_branch.clone());

        let mut file = None;
        let hint = match &explicit {
            Some(branch) => Some(branch.clone()),
            None => default_production(repo)?,
        };
        if let Some(branch) = &hint {
            file = read_file(repo, branch)?;
        }
        if file.is_none() && hint.is_none() {
            // No main or master: the committed file at HEAD may say which branch it is.
            if let Ok(crate::git::repo::Head::Branch { commit, .. }) = repo.head() {
                file = read_file_at(repo, "HEAD", commit)?;
            }
        }
        // The file names another production branch: its copy there is the one that counts.
        if explicit.is_none()
            && let Some((layer, origin)) = &file
            && let Some(named) = &layer.production_branch
            && *named != origin.branch
            && let Some(there) = read_file(repo, named)?
        {
            file = Some(there);
        }

        let (mut file_layer, origin) = match file {
            Some((layer, origin)) => (layer, Some(origin)),
            None => (Layer::default(), None),
        };
        let committed_api_url = file_layer.github.api_url.take().filter(|u| !u.is_empty());
        let merged = file_layer.under(git).under(flags);
        let production_branch = match merged.production_branch {
            Some(branch) => branch,
            None => hint.unwrap_or_else(|| "main".into()),
        };
        crate::foundation::names::validate_ref(
            crate::foundation::names::BRANCH_PREFIX,
            &production_branch,
        )?;
        // Not configured: the branch git-flow names, else one called `develop`, as the fix
        // left out of develop is lost in the next release. `develop-branch = ""` says none.
        let develop_off = merged.develop_branch.as_deref() == Some("");
        let (develop_branch, develop_found) = match merged.develop_branch {
            Some(branch) => (Some(branch).filter(|b| !b.is_empty()), false),
            None => {
                let found = default_develop(repo, &production_branch)?;
                let by_name = found.is_some();
                (found, by_name)
            }
        };
        if let Some(develop) = &develop_branch {
            crate::foundation::names::validate_ref(
                crate::foundation::names::BRANCH_PREFIX,
                develop,
            )?;
        }
        // A remote named that does not exist, in a repository that has others, is a typo or
        // another clone's name: nothing would be fetched or pushed, without a word.
        let remote = merged.remote.unwrap_or_else(|| DEFAULT_REMOTE.into());
        if !repo.has_remote(&remote) && repo.has_remotes() {
            return Err(crate::foundation::error::Error::UnknownRemote { remote });
        }
        let tag_pattern = merged
            .tag_pattern
            .unwrap_or_else(|| TagPattern::parse(DEFAULT_TAG_PATTERN).expect("valid default"));
        let products = merged
            .products
            .into_iter()
            .map(|(name, p)| {
                let tag_pattern = p.tag_pattern.unwrap_or_else(|| {
                    if tag_pattern.uses_product() {
                        tag_pattern.clone()
                    } else {
                        TagPattern::parse(DEFAULT_PRODUCT_TAG_PATTERN).expect("valid default")
                    }
                });
                let product = Product {
                    tag_pattern,
                    branch_template: p.branch_template,
                    version_files: p.version_files.unwrap_or_default(),
                    changelog: p.changelog,
                    changelog_format: p.changelog_format,
                    changelog_heading: p.changelog_heading.filter(|h| !h.trim().is_empty()),
                    checks: p.checks,
                };
                (name, product)
            })
            .collect();
        Ok(Config {
            production_branch,
            develop_branch,
            develop_found,
            develop_off,
            release_branches: merged
                .release_branches
                .unwrap_or_default()
                .into_iter()
                .map(|glob| glob.0)
                .collect(),
            branch_template: merged.branch_template.unwrap_or_else(|| {
                BranchTemplate::parse(BranchTemplate::DEFAULT).expect("valid default")
            }),
            tag_pattern,
            remote,
            offline: merged.offline.unwrap_or(false),
            merge: merged.merge.unwrap_or_default(),
            checks: merged.checks.unwrap_or_default(),
            staging: merged.staging.unwrap_or(true),
            push_notes: merged.push_notes.unwrap_or(true),
            monitoring: merged.monitoring.unwrap_or(Window::minutes(30)),
            follow_up: merged.follow_up.unwrap_or(Window::minutes(24 * 60)),
            backport_branch_template: merged.backport_branch_template.unwrap_or_else(|| {
                BackportTemplate::parse(BackportTemplate::DEFAULT).expect("valid default")
            }),
            version_files: merged.version_files.unwrap_or_default(),
            changelog: merged.changelog,
            changelog_format: merged.changelog_format.unwrap_or_default(),
            messages: {
                let defaults = Messages::default();
                Messages {
                    release: merged.release_message.unwrap_or(defaults.release),
                    tag: merged.tag_message.unwrap_or(defaults.tag),
                    changelog_entry: merged.changelog_entry,
                }
            },
            policies: {
                let defaults = Policies::default();
                let mut policies = Policies {
                    severity: merged.policies.severity.unwrap_or(defaults.severity),
                    version_files: merged
                        .policies
                        .version_files
                        .unwrap_or(defaults.version_files),
                    deploy: merged.policies.deploy.unwrap_or(defaults.deploy),
                };
                for flag in &merged.policy_flags {
                    flag.apply(match flag.policy {
                        "severity" => &mut policies.severity,
                        "version-files" => &mut policies.version_files,
                        _ => &mut policies.deploy,
                    });
                }
                policies
            },
            plugin_limits: merged.plugin_limits.unwrap_or_default(),
            production_version: merged.production_version,
            severity_levels: merged.severity_levels,
            escalation: merged.escalation.unwrap_or_default(),
            products,
            github: GitHub {
                committed_api_url,
                ..merged.github.settings()
            },
            file: origin,
        })
    }

    /// The product a command works on: the one named, the only one, or none in a plain repository.
    pub fn product(
        &self,
        name: Option<&str>,
    ) -> crate::foundation::error::Result<Option<(&str, &Product)>> {
        let known = || self.products.keys().cloned().collect::<Vec<_>>();
        match name {
            Some(name) => self
                .products
                .get_key_value(name)
                .map(|(n, p)| Some((n.as_str(), p)))
                .ok_or_else(|| crate::foundation::error::Error::UnknownProduct {
                    name: name.to_string(),
                    known: known(),
                }),
            None if self.products.len() > 1 => {
                Err(crate::foundation::error::Error::ProductRequired {
                    what: "--product",
                    known: known(),
                })
            }
            None => Ok(self.products.iter().next().map(|(n, p)| (n.as_str(), p))),
        }
    }

    /// The checks of `product` (or the repository's own).
    pub fn checks_of<'a>(&'a self, product: Option<&'a Product>) -> &'a [String] {
        product
            .and_then(|p| p.checks.as_deref())
            .unwrap_or(&self.checks)
    }

    /// The changelog of `product` (or the repository's own); `None` when the setting is
    /// empty: no changelog is written.
    pub fn changelog_of<'a>(&'a self, product: Option<&'a Product>) -> Option<Changelog<'a>> {
        let configured = product
            .and_then(|p| p.changelog.as_deref())
            .or(self.changelog.as_deref());
        let format = product
            .and_then(|p| p.changelog_format)
            .unwrap_or(self.changelog_format);
        let heading = product.and_then(|p| p.changelog_heading.as_deref());
        match configured {
            Some("") => None,
            Some(path) => Some(Changelog {
                path,
                format,
                create: true,
                heading,
            }),
            // Not every project keeps one: without a setting, only an existing file grows.
            None => Some(Changelog {
                path: DEFAULT_CHANGELOG,
                format,
                create: false,
                heading,
            }),
        }
    }

    /// The version files of `product` (or the repository's own); empty: the policy looks
    /// for them at the root.
    pub fn version_files_of<'a>(&'a self, product: Option<&'a Product>) -> &'a [String] {
        product.map_or(&self.version_files, |p| &p.version_files)
    }

    /// The tag pattern and branch template for `product` (or the repository's own).
    pub fn naming<'a>(
        &'a self,
        product: Option<&'a Product>,
    ) -> (&'a TagPattern, &'a BranchTemplate) {
        match product {
            Some(p) => (
                &p.tag_pattern,
                p.branch_template.as_ref().unwrap_or(&self.branch_template),
            ),
            None => (&self.tag_pattern, &self.branch_template),
        }
    }
}

/// `main` when it exists, else `master`.
/// The develop branch of a repository that names none: git-flow's (`gitflow.branch.develop`),
/// else `develop`, when it exists and is not production.
fn default_develop(
    repo: &Repo,
    production: &str,
) -> crate::foundation::error::Result<Option<String>> {
    let flow = repo
        .git
        .config_snapshot()
        .string("gitflow.branch.develop")
        .map(|name| name.to_string());
    for candidate in flow.iter().map(String::as_str).chain(["develop"]) {
        if candidate != production && repo.branch_tip(candidate)?.is_some() {
            return Ok(Some(candidate.to_string()));
        }
    }
    Ok(None)
}

fn default_production(repo: &Repo) -> crate::foundation::error::Result<Option<String>> {
    for candidate in ["main", "master"] {
        if repo.branch_tip(candidate)?.is_some() {
            return Ok(Some(candidate.to_string()));
        }
    }
    Ok(None)
}

fn read_file(
    repo: &Repo,
    branch: &str,
) -> crate::foundation::error::Result<Option<(Layer, FileOrigin)>> {
    match repo.branch_tip(branch)? {
        Some(commit) => read_file_at(repo, branch, commit),
        None => Ok(None),
    }
}

fn read_file_at(
    repo: &Repo,
    branch: &str,
    commit: ObjectId,
) -> crate::foundation::error::Result<Option<(Layer, FileOrigin)>> {
    let Some(bytes) = repo.read_file_at(commit, FILE_NAME)? else {
        return Ok(None);
    };
    let origin = FileOrigin {
        branch: branch.to_string(),
        commit,
    };
    let text = String::from_utf8(bytes).map_err(|_| ConfigError {
        location: Location::File {
            origin: origin.to_string(),
            line: 1,
            column: 1,
        },
        key: None,
        message: "not UTF-8 text".into(),
    })?;
    let layer = parse_file(&text, &origin.to_string())?;
    Ok(Some((layer, origin)))
}

/// Parse a file's text as `init` and `pin` write it (for their own tests).
#[cfg(test)]
pub(crate) fn tests_parse(text: &str) -> Result<(), ConfigError> {
    parse_file(text, FILE_NAME).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location_of(err: &ConfigError) -> (usize, usize) {
        match err.location {
            Location::File { line, column, .. } => (line, column),
            _ => panic!("not a file location: {err:?}"),
        }
    }

    #[test]
    fn a_full_file_parses() {
        let layer = parse_file(
            r#"
production-branch = "prod"
develop-branch = "develop"
release-branches = ["release/*"]
branch-template = "hotfix/{ticket}-{slug}"
tag-pattern = "v{version}"

[products.api]
version-files = ["services/api/package.json"]
"#,
            "test",
        )
        .unwrap();
        assert_eq!(layer.production_branch.as_deref(), Some("prod"));
        assert_eq!(
            layer.products["api"].version_files.as_deref(),
            Some(&["services/api/package.json".to_string()][..])
        );
    }

    /// The settings the runbook pages show are settings this version reads.
    #[test]
    fn the_runbook_pages_settings_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/runbooks");
        let mut blocks = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let page = std::fs::read_to_string(&path).unwrap();
            for block in page.split("```toml\n").skip(1) {
                let text = block.split("```").next().unwrap();
                if let Err(err) = tests_parse(text) {
                    panic!("{}: {err}\n{text}", path.display());
                }
                blocks += 1;
            }
        }
        assert!(blocks >= 3, "{blocks} blocks");
    }

    #[test]
    fn a_policy_key_is_tried_for_one_command_with_c_and_never_from_git_config() {
        let flags = parse_pairs([
            (
                "policies.deploy.commands".into(),
                "kubectl, ./deploy.sh".into(),
                Location::Flag,
            ),
            (
                "policies.deploy.settings.production.deploy".into(),
                "./deploy.sh {version}".into(),
                Location::Flag,
            ),
            (
                "policies.deploy.clocks".into(),
                "yes".into(),
                Location::Flag,
            ),
        ])
        .unwrap();
        let file = parse_file(
            "[policies.deploy]\nplugin = \"builtin:deploy\"\nhttp = [\"https://app.example.com/\"]\n[policies.deploy.settings]\n\"production.deploy\" = [\"old.sh a\", \"old.sh b\"]\nhealth-url = \"https://app.example.com/health\"\n",
            "f",
        )
        .unwrap();
        let merged = file.under(flags);
        let mut deploy = merged.policies.deploy.unwrap();
        for flag in &merged.policy_flags {
            assert_eq!(flag.policy, "deploy");
            flag.apply(&mut deploy);
        }
        // The keys given replace the file's; the rest of the file's policy stays.
        assert_eq!(deploy.commands, ["kubectl", "./deploy.sh"]);
        assert_eq!(deploy.http, ["https://app.example.com/"]);
        assert!(deploy.clocks);
        assert_eq!(
            deploy.settings.0,
            [
                (
                    "health-url".to_string(),
                    "https://app.example.com/health".to_string()
                ),
                (
                    "production.deploy".to_string(),
                    "./deploy.sh {version}".to_string()
                ),
            ]
        );

        let refused = |key: &str, value: &str, location: Location| {
            parse_pairs([(key.into(), value.into(), location)])
                .unwrap_err()
                .message
        };
        let git_config = Location::GitConfig { file: None };
        assert!(
            refused("policies.deploy.commands", "curl", git_config).contains("not in git config"),
        );
        let typo = refused("policies.deploy.comands", "curl", Location::Flag);
        assert!(typo.contains("commands, http"), "{typo}");
        let kind = refused("policies.deply.commands", "curl", Location::Flag);
        assert!(kind.contains("severity, version-files, deploy"), "{kind}");
        let builtin = refused(
            "policies.severity.plugin",
            "builtin:sevrity",
            Location::Flag,
        );
        assert!(
            builtin.contains("no built-in plugin `sevrity`"),
            "{builtin}"
        );
        let pin = refused("policies.severity.sha256", "abc", Location::Flag);
        assert!(pin.contains("sha256"), "{pin}");
        let on = refused("policies.severity.random", "maybe", Location::Flag);
        assert!(on.contains("true or false"), "{on}");
    }

    #[test]
    fn policies_name_a_builtin_or_a_pinned_file() {
        let layer = parse_file(
            "[policies.severity]\nplugin = \"policies/sev.wasm\"\nsha256 = \"AB12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12\"\n\n[policies.deploy]\nplugin = \"builtin:deploy\"\ncommands = [\"kubectl\"]\n[policies.deploy.settings]\n\"production.deploy\" = \"kubectl apply\"\n",
            "f",
        )
        .unwrap();
        let severity = layer.policies.severity.unwrap();
        assert_eq!(
            severity.plugin,
            crate::settings::policy::PluginSource::File("policies/sev.wasm".into())
        );
        assert_eq!(severity.sha256.unwrap().0, "ab12".repeat(16));
        assert_eq!(
            layer
                .policies
                .deploy
                .unwrap()
                .settings
                .get("production.deploy")
                .unwrap(),
            "kubectl apply"
        );
        let err =
            parse_file("[policies.severity]\nplugin = \"builtin:sevrity\"\n", "f").unwrap_err();
        assert!(
            err.message.contains("no built-in plugin `sevrity`"),
            "{err}"
        );
        let err = parse_file(
            "[policies.severity]\nplugin = \"x.wasm\"\nsha256 = \"abc\"\n",
            "f",
        )
        .unwrap_err();
        assert!(err.message.contains("64 hex digits"), "{err}");
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let err = parse_file("\n\nprodution-branch = 'main'\n", "f").unwrap_err();
        assert_eq!(location_of(&err), (3, 1));
        assert_eq!(err.key.as_deref(), Some("prodution-branch"));
        assert!(
            err.message.contains("unknown key `prodution-branch`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_name_the_key_and_line() {
        let err = parse_file("[products.api]\nversion-files = 'x'\n", "f").unwrap_err();
        assert_eq!(location_of(&err), (2, 17));
        assert_eq!(err.key.as_deref(), Some("products.api.version-files"));
        assert!(
            err.message
                .starts_with("`products.api.version-files`: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn bad_templates_are_errors_at_their_line() {
        let err = parse_file("tag-pattern = 'release'\n", "f").unwrap_err();
        assert_eq!(location_of(&err), (1, 15));
        assert!(err.message.contains("`{version}` is required"), "{err}");
        let err = parse_file("branch-template = 'hotfix/{tikcet}'\n", "f").unwrap_err();
        assert!(
            err.message.contains("unknown placeholder `{tikcet}`"),
            "{err}"
        );
    }

    #[test]
    fn text_that_is_not_toml_is_an_error_with_a_line() {
        let err = parse_file("a = [\n", "f").unwrap_err();
        assert!(err.message.starts_with("not valid TOML"), "{err}");
        assert_eq!(err.key, None);
    }

    #[test]
    fn git_config_spelling_maps_to_keys() {
        let layer = parse_pairs([
            ("productionBranch".into(), "prod".into(), Location::Flag),
            (
                "releasebranches".into(),
                "release/*, support/*".into(),
                Location::Flag,
            ),
            (
                "products.api.tagPattern".into(),
                "api-v{version}".into(),
                Location::Flag,
            ),
        ])
        .unwrap();
        assert_eq!(layer.production_branch.as_deref(), Some("prod"));
        assert_eq!(
            layer.release_branches.unwrap(),
            vec![
                crate::foundation::names::BranchGlob("release/*".into()),
                crate::foundation::names::BranchGlob("support/*".into())
            ]
        );
        assert_eq!(
            layer.products["api"].tag_pattern.as_ref().unwrap().as_str(),
            "api-v{version}"
        );
        let err = parse_pairs([("productoin".into(), "x".into(), Location::Flag)]).unwrap_err();
        assert_eq!(err.to_string(), "--config: unknown key `productoin`");
    }

    #[test]
    fn later_layers_win() {
        let base = parse_file("production-branch = 'a'\nremote = 'up'\n", "f").unwrap();
        let over = parse_pairs([("production-branch".into(), "b".into(), Location::Flag)]).unwrap();
        let merged = base.under(over);
        assert_eq!(merged.production_branch.as_deref(), Some("b"));
        assert_eq!(merged.remote.as_deref(), Some("up"));
    }
}
