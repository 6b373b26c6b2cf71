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

/// The version-files policy, as `finish` uses it. Its answers are checked before the core
/// acts on them ([`detected`], [`read_version`], [`write_version`]): a plugin is code
/// someone else wrote.
pub trait VersionFiles {
    /// The plugin, as the user named it (`policies/versions.wasm`, `builtin:version-files`).
    fn name(&self) -> String;
    /// Which of `paths` the policy handles.
    fn detect(&self, paths: &[String]) -> Result<Vec<String>, PolicyError>;
    fn read(&self, path: &str, content: &str) -> Result<String, PolicyError>;
    fn write(&self, path: &str, content: &str, version: &str) -> Result<String, PolicyError>;
}

/// An answer of `policy`'s `call` that cannot be right.
fn wrong(policy: &dyn VersionFiles, call: &'static str, problem: String) -> Error {
    Error::PolicyAnswer {
        plugin: policy.name(),
        call,
        problem,
    }
}

/// Text a plugin gave, as it may be shown: control characters written out (`\u{1b}`),
/// and not much of it.
fn shown(text: &str) -> String {
    let escaped: Vec<String> = text
        .chars()
        .map(|c| match c.is_control() {
            true => c.escape_debug().to_string(),
            false => c.to_string(),
        })
        .collect();
    match escaped.len() > 60 {
        true => format!("`{}…`", escaped[..60].concat()),
        false => format!("`{}`", escaped.concat()),
    }
}

/// Which of `given` the policy handles, once each; an answer naming a path it was not
/// given is refused (a policy does not choose what the host reads or writes).
pub fn detected(policy: &dyn VersionFiles, given: &[String]) -> Result<Vec<String>, Error> {
    let mut handled: Vec<String> = Vec::new();
    for path in policy.detect(given)? {
        if !given.contains(&path) {
            let problem = format!("it claims {}, which it was not given", shown(&path));
            return Err(wrong(policy, "detect", problem));
        }
        if !handled.contains(&path) {
            handled.push(path);
        }
    }
    Ok(handled)
}

/// What version text is made of: digits, letters, `.`, `-` and `+`.
fn version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')
}

/// Version text: a digit first (after a `v`), then version characters.
fn version_like(text: &str) -> bool {
    let text = text.strip_prefix('v').unwrap_or(text);
    text.len() <= 100
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(version_char)
}

/// The version `content` of `path` holds, as the policy reads it; refused unless it is
/// version text.
pub fn read_version(policy: &dyn VersionFiles, path: &str, content: &str) -> Result<String, Error> {
    let version = policy.read(path, content)?;
    if !version_like(&version) {
        let problem = format!("it read {path} as {}, which is no version", shown(&version));
        return Err(wrong(policy, "read-version", problem));
    }
    Ok(version)
}

/// `content` of `path` with `version` written by the policy, and the version it then
/// reads there (`None` when nothing changed). Refused unless every changed line changed
/// only in version text, and the new text reads back as `version` (a `+build` may follow).
pub fn write_version(
    policy: &dyn VersionFiles,
    path: &str,
    content: &str,
    version: &str,
) -> Result<(String, Option<String>), Error> {
    let written = policy.write(path, content, version)?;
    if written == content {
        return Ok((written, None));
    }
    if let Err(problem) = only_version_text_changed(content, &written) {
        let problem = format!("writing {version} into {path}, {problem}");
        return Err(wrong(policy, "write-version", problem));
    }
    let read = read_version(policy, path, &written)?;
    let bare = read.strip_prefix('v').unwrap_or(&read);
    if bare.split('+').next() != Some(version) {
        let problem = format!("it wrote {version} into {path}, which then reads as {read}");
        return Err(wrong(policy, "write-version", problem));
    }
    Ok((written, Some(read)))
}

/// Whether `new` is `old` with version text changed and nothing else: the same lines, each
/// changed one differing only in a run of version characters.
fn only_version_text_changed(old: &str, new: &str) -> Result<(), String> {
    let (before, after): (Vec<&str>, Vec<&str>) =
        (old.split('\n').collect(), new.split('\n').collect());
    if before.len() != after.len() {
        return Err(format!(
            "its text has {} lines where the file had {}",
            after.len(),
            before.len()
        ));
    }
    for (number, (was, is)) in before.iter().zip(&after).enumerate() {
        let prefix: usize = was
            .chars()
            .zip(is.chars())
            .take_while(|(a, b)| a == b)
            .map(|(c, _)| c.len_utf8())
            .sum();
        let suffix: usize = was[prefix..]
            .chars()
            .rev()
            .zip(is[prefix..].chars().rev())
            .take_while(|(a, b)| a == b)
            .map(|(c, _)| c.len_utf8())
            .sum();
        let changed = &is[prefix..is.len() - suffix];
        if !changed.chars().all(version_char) {
            return Err(format!(
                "line {} now holds {}, which is no version text",
                number + 1,
                shown(changed)
            ));
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_text_may_change_and_nothing_else() {
        let fine = [
            (
                "[package]\nversion = \"1.2.3\"\n\n[dependencies]\nx = \"1.2.3\"\n",
                "[package]\nversion = \"1.2.4\"\n\n[dependencies]\nx = \"1.2.3\"\n",
            ),
            (
                "version: 0.1.0+5\r\nname: app\r\n",
                "version: 0.1.1+6\r\nname: app\r\n",
            ),
            ("1.9.9\n", "1.10.0\n"),
            (
                "  \"version\": \"2.0.0-rc.1\",\n",
                "  \"version\": \"2.0.0\",\n",
            ),
        ];
        for (old, new) in fine {
            assert_eq!(only_version_text_changed(old, new), Ok(()), "{new}");
        }
        let wrong = [
            (
                "1.2.3\n",
                "oops\u{1b}[2J\n",
                "line 1 now holds `oops\\u{1b}[2J`",
            ),
            (
                "v = 1.2.3\n",
                "v = 1.2.4 # ok\n",
                "line 1 now holds `4 # ok`",
            ),
            (
                "1.2.3\n",
                "1.2.4\nrm -rf /\n",
                "3 lines where the file had 2",
            ),
        ];
        for (old, new, why) in wrong {
            let err = only_version_text_changed(old, new).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        assert!(version_like("1.2.3") && version_like("v2.0.0-rc.1+7"));
        for bad in ["", "banana", "1.2.3\u{1b}[2J", "1 2", "-1"] {
            assert!(!version_like(bad), "{bad:?}");
        }
    }
}
