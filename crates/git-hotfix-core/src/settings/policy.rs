//! Policies as the core sees them: where each comes from (configuration) and the one the
//! core calls itself, version files, behind a trait — the WebAssembly host lives in the CLI,
//! so this library stays on gix alone.

use crate::foundation::error::Error;

/// The built-in plugins, by name.
pub const BUILTINS: &[&str] = &["severity", "version-files", "deploy"];

/// Where a policy's plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum PluginSource {
    /// Embedded in git-hotfix: `builtin:<name>`.
    Builtin(String),
    /// A `.wasm` in the repository, relative to its root.
    File(String),
}

impl std::fmt::Display for PluginSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginSource::Builtin(name) => write!(f, "builtin:{name}"),
            PluginSource::File(path) => f.write_str(path),
        }
    }
}

impl<'de> serde::Deserialize<'de> for PluginSource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.strip_prefix("builtin:") {
            Some(name) if BUILTINS.contains(&name) => Ok(PluginSource::Builtin(name.into())),
            Some(name) => Err(serde::de::Error::custom(format!(
                "no built-in plugin `{name}` (there are: {})",
                BUILTINS.join(", ")
            ))),
            None if text.ends_with(".wasm") => Ok(PluginSource::File(text)),
            None => Err(serde::de::Error::custom(format!(
                "`{text}` is neither `builtin:<name>` nor a path to a .wasm file"
            ))),
        }
    }
}

/// One policy's settings in `.hotfix.toml`.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    pub plugin: PluginSource,
    /// Required for a plugin file: its content must have this hash.
    pub sha256: Option<Sha256>,
    /// Programs its steps may run (globs for argv[0]).
    #[serde(default)]
    pub commands: Vec<String>,
    /// URL prefixes its steps may call.
    #[serde(default)]
    pub http: Vec<String>,
    /// The real clocks: without this grant the plugin sees a fixed time, so that it answers
    /// the same input the same way on every run.
    #[serde(default)]
    pub clocks: bool,
    /// Real random bytes: without this grant, a fixed stream.
    #[serde(default)]
    pub random: bool,
    /// Passed to the plugin (the deploy policy reads its commands here).
    #[serde(default)]
    pub settings: Settings,
}

/// A policy's settings as the contract passes them: `(key, value)` pairs of text. TOML is
/// richer, so it is flattened: a table's keys join with dots (`[settings.production]
/// deploy = …` is `production.deploy`), a list repeats its key once per item in order (a
/// blue-green deploy is several commands), and numbers and booleans are written as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Settings(pub Vec<(String, String)>);

impl Settings {
    /// The value of `key`; the last one when the key repeats.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Settings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        fn flatten(
            key: &str,
            value: toml::Value,
            out: &mut Vec<(String, String)>,
            in_list: bool,
        ) -> Result<(), String> {
            match value {
                toml::Value::String(text) => out.push((key.to_string(), text)),
                toml::Value::Integer(n) => out.push((key.to_string(), n.to_string())),
                toml::Value::Float(n) => out.push((key.to_string(), n.to_string())),
                toml::Value::Boolean(b) => out.push((key.to_string(), b.to_string())),
                toml::Value::Datetime(d) => out.push((key.to_string(), d.to_string())),
                toml::Value::Array(items) if !in_list => {
                    for item in items {
                        flatten(key, item, out, true)?;
                    }
                }
                toml::Value::Table(table) if !in_list => {
                    for (name, value) in table {
                        let key = if key.is_empty() {
                            name
                        } else {
                            format!("{key}.{name}")
                        };
                        flatten(&key, value, out, false)?;
                    }
                }
                _ => {
                    return Err(format!(
                        "`{key}`: a setting is text, a number, a boolean, or a list of them"
                    ));
                }
            }
            Ok(())
        }
        let table = toml::Table::deserialize(deserializer)?;
        let mut out = Vec::new();
        flatten("", toml::Value::Table(table), &mut out, false)
            .map_err(serde::de::Error::custom)?;
        Ok(Settings(out))
    }
}

impl PolicyConfig {
    pub fn builtin(name: &str) -> PolicyConfig {
        PolicyConfig {
            plugin: PluginSource::Builtin(name.into()),
            sha256: None,
            commands: Vec::new(),
            http: Vec::new(),
            clocks: false,
            random: false,
            settings: Settings::default(),
        }
    }
}

/// A sha256 written as 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Sha256(pub String);

impl<'de> serde::Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?.to_ascii_lowercase();
        if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Sha256(text))
        } else {
            Err(serde::de::Error::custom("a sha256 is 64 hex digits"))
        }
    }
}

/// The policies in effect: each built-in unless `.hotfix.toml` names another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Policies {
    pub severity: PolicyConfig,
    pub version_files: PolicyConfig,
    pub deploy: PolicyConfig,
}

impl Default for Policies {
    fn default() -> Self {
        Policies {
            severity: PolicyConfig::builtin("severity"),
            version_files: PolicyConfig::builtin("version-files"),
            deploy: PolicyConfig::builtin("deploy"),
        }
    }
}

/// What a plugin call may use, from `[plugin-limits]`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PluginLimits {
    pub memory_mib: Option<u64>,
    pub fuel: Option<u64>,
    pub deadline_ms: Option<u64>,
}

/// Why a policy gave no answer; the message is a sentence for the user that names the
/// plugin and the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The policy answered with its own error: it refuses.
    Refused(String),
    /// It crashed, hit a limit, or could not be run.
    Failed(String),
}

/// The version-files policy, as `finish` uses it.
pub trait VersionFiles {
    /// Which of `paths` the policy handles.
    fn detect(&self, paths: &[String]) -> Result<Vec<String>, PolicyError>;
    fn read(&self, path: &str, content: &str) -> Result<String, PolicyError>;
    fn write(&self, path: &str, content: &str, version: &str) -> Result<String, PolicyError>;
}

impl From<PolicyError> for Error {
    fn from(err: PolicyError) -> Error {
        let policy = "version-files".to_string();
        match err {
            PolicyError::Refused(message) => Error::Policy { policy, message },
            PolicyError::Failed(message) => Error::PolicyFailed { policy, message },
        }
    }
}
