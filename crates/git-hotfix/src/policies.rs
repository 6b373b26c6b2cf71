//! The policy plugins of a repository, as `.hotfix.toml` names them: a built-in (embedded in
//! this binary) or a `.wasm` pinned by its sha256, loaded into one plugin host per process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git_hotfix_core::git::repo::Base;
use git_hotfix_core::records::journal::Action;
use git_hotfix_core::settings::policy::{PluginSource, PolicyConfig, PolicyError, VersionFiles};
use git_hotfix_core::{Config, Journal, Repo};
use git_hotfix_plugin_host::{self as host, Host, Limits, Plugin, Release, Step, Wasm, World};

use crate::error::{CommandError, Exit, Result};
use crate::ui::Ui;

/// The built-in plugins, built from plugins/ by scripts/build-plugins.sh.
pub const BUILTINS: &[(&str, &[u8])] = &[
    (
        "severity",
        include_bytes!("../../../plugins/dist/severity.wasm"),
    ),
    (
        "version-files",
        include_bytes!("../../../plugins/dist/version-files.wasm"),
    ),
    (
        "deploy",
        include_bytes!("../../../plugins/dist/deploy.wasm"),
    ),
];

/// The host with the repository's limits, caching compiled plugins in the user's cache.
pub fn host(config: Option<&Config>, cache_home: Option<PathBuf>) -> Result<Host> {
    let mut limits = Limits::default();
    if let Some(configured) = config.map(|c| &c.plugin_limits) {
        if let Some(mib) = configured.memory_mib {
            limits.memory_bytes = (mib as usize) << 20;
        }
        if let Some(fuel) = configured.fuel {
            limits.fuel = fuel;
        }
        if let Some(ms) = configured.deadline_ms {
            limits.deadline = Duration::from_millis(ms);
        }
    }
    Host::new(
        limits,
        cache_home.map(|dir| dir.join("git-hotfix").join("plugins")),
    )
    .map_err(plugin_error)
}

/// The host for a command that names a plugin itself (`plugin check`, `plugin test`): with
/// the limits of the repository it runs in, if any, so that a case passes or fails as the
/// real call would.
pub fn host_here(context: &crate::context::Context) -> Result<Host> {
    let config = match context.repo() {
        Ok(repo) => Some(context.config(&repo)?),
        Err(_) => None,
    };
    host(config.as_ref(), context.cache_home.clone())
}

/// The configured policy for `world` (the built-in one when there is no configuration).
pub fn policy(config: Option<&Config>, world: World) -> PolicyConfig {
    let defaults = git_hotfix_core::settings::policy::Policies::default();
    let policies = config.map(|c| &c.policies).unwrap_or(&defaults);
    match world {
        World::Severity => policies.severity.clone(),
        World::VersionFiles => policies.version_files.clone(),
        World::Deploy => policies.deploy.clone(),
    }
}

/// Components from this size on take seconds to compile (a Python policy ~20 s): the
/// first run of one says so rather than look hung.
const SLOW_TO_COMPILE_BYTES: usize = 1 << 20;

/// Load `bytes` as the plugin `name`, from the cache or compiled.
pub fn compile(ui: &Ui, host: &Host, name: &str, wasm: Wasm) -> Result<Plugin> {
    let bytes = wasm.bytes();
    if bytes.len() >= SLOW_TO_COMPILE_BYTES && !host.is_cached(&wasm) {
        // On stderr even with --json: a script's log should not look hung either.
        let kept = if host.cache_dir().is_some() {
            "once, then it is cached"
        } else {
            "every time: without XDG_CACHE_HOME or HOME nothing is cached"
        };
        ui.progress(format!(
            "Compiling {name} ({:.1} MB; {kept}: this may take a while)",
            bytes.len() as f64 / 1e6
        ));
    }
    host.load(name, wasm).map_err(plugin_error)
}

/// Load the plugin `policy` names, checking a file against its pinned sha256 first.
pub fn load(
    ui: &Ui,
    host: &Host,
    repo: Option<&Repo>,
    config: Option<&Config>,
    policy: &PolicyConfig,
) -> Result<Plugin> {
    let name = policy.plugin.to_string();
    let mut plugin = match &policy.plugin {
        PluginSource::Builtin(builtin) => {
            let bytes = builtin_bytes(builtin).expect("configuration only names known built-ins");
            compile(ui, host, &name, Wasm::new(bytes))?
        }
        PluginSource::File(path) => {
            let bytes = read_plugin_file(repo, config, path)?;
            let wasm = Wasm::new(&bytes);
            check_pin(path, policy, wasm.sha256())?;
            compile(ui, host, &name, wasm)?
        }
    };
    plugin.grants = host::Grants {
        commands: policy.commands.clone(),
        http: policy.http.clone(),
        clocks: policy.clocks,
        random: policy.random,
    };
    Ok(plugin)
}

/// A plugin file runs only with the sha256 `.hotfix.toml` pins it to.
fn check_pin(path: &str, policy: &PolicyConfig, actual: &str) -> Result<()> {
    match &policy.sha256 {
        Some(pinned) if pinned.0 == actual => Ok(()),
        Some(pinned) => Err(CommandError::new(
            Exit::Error,
            format!(
                "{path} does not have the sha256 .hotfix.toml pins: expected {}, the file has {actual}",
                pinned.0
            ),
        )
        .hint(format!(
            "if you trust this file, pin it: sha256 = \"{actual}\" in .hotfix.toml, committed on the production branch (git hotfix reads it from there)"
        ))),
        None => Err(CommandError::new(
            Exit::Error,
            format!("{path} is not pinned: a plugin file needs its sha256 in .hotfix.toml"),
        )
        .hint(format!(
            "if you trust this file, add: sha256 = \"{actual}\" to .hotfix.toml, committed on the production branch (git hotfix reads it from there)"
        ))),
    }
}

fn builtin_bytes(name: &str) -> Option<&'static [u8]> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// A plugin named on the command line (`builtin:severity`, `policies/strict.wasm`),
/// unpinned: for inspecting and testing it, not for running it on a repository.
pub fn read_named(spec: &str, cwd: &Path) -> Result<Vec<u8>> {
    if let Some(name) = spec.strip_prefix("builtin:") {
        return builtin_bytes(name).map(<[u8]>::to_vec).ok_or_else(|| {
            let known: Vec<String> = BUILTINS
                .iter()
                .map(|(n, _)| format!("builtin:{n}"))
                .collect();
            CommandError::usage(format!("there is no built-in plugin `{name}`"))
                .hint(format!("the built-ins are {}", known.join(", ")))
        });
    }
    std::fs::read(cwd.join(spec)).map_err(|err| {
        CommandError::new(Exit::Error, format!("could not read {spec}: {err}"))
            .hint("name a .wasm file, or a built-in such as `builtin:severity`")
    })
}

/// A plugin file, as the configuration finds the files it names.
fn read_plugin_file(repo: Option<&Repo>, config: Option<&Config>, path: &str) -> Result<Vec<u8>> {
    let found = match (repo, config) {
        (Some(repo), Some(config)) => config.repository_file(repo, path)?,
        _ => None,
    };
    found.ok_or_else(|| {
        CommandError::new(
            Exit::Error,
            format!("the plugin file {path} does not exist"),
        )
        .hint("commit it, or name another plugin in .hotfix.toml")
    })
}

/// The release a deploy policy plans for: the hotfix's version and tag, the version it
/// replaces (its base tag's), and where. The policy's settings are added by the caller.
pub fn release(config: &Config, journal: &Journal, environment: &str) -> Result<Release> {
    let previous = match &journal.base {
        Base::Tag { name, .. } => release_version(config, journal, name)?,
        _ => None,
    };
    Ok(Release {
        version: journal.version.to_string(),
        previous_version: previous,
        tag: journal.tag.clone(),
        environment: environment.to_string(),
        settings: Vec::new(),
    })
}

/// The version a release tag of `journal`'s product names (`v1.2.3` → `1.2.3`); `None` for
/// a tag that does not follow the tag pattern.
pub fn release_version(config: &Config, journal: &Journal, tag: &str) -> Result<Option<String>> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    Ok(pattern
        .version_of(tag, journal.product.as_deref())
        .and_then(|v| v.ok())
        .map(|v| v.to_string()))
}

/// A deploy policy's steps for one action, each checked against the policy's grants.
pub struct DeploySteps {
    pub policy: PolicyConfig,
    /// The release as the policy saw it (with its settings).
    pub release: Release,
    /// Each step, and what it would need granted when it is not.
    pub steps: Vec<(Step, Option<host::NotGranted>)>,
}

impl DeploySteps {
    /// Ask the repository's deploy policy for the steps of `action` on `release`.
    pub fn plan(
        context: &crate::context::Context,
        repo: &Repo,
        config: &Config,
        mut release: Release,
        action: Action,
    ) -> Result<DeploySteps> {
        let policy = policy(Some(config), World::Deploy);
        // What the host asks besides the team's settings (a rollback's feature flag) comes
        // last: the last value of a key is the one a policy reads.
        let asked = std::mem::take(&mut release.settings);
        release.settings = policy.settings.0.clone();
        release.settings.extend(asked);
        let host = host(Some(config), context.cache_home.clone())?;
        let plugin = load(&context.ui, &host, Some(repo), Some(config), &policy)?;
        let action = match action {
            Action::Deploy => host::Action::Deploy,
            Action::Verify => host::Action::Verify,
            Action::Rollback => host::Action::Rollback,
        };
        let steps = host
            .plan(&plugin, &release, action)
            .map_err(plugin_error)?
            .value;
        let steps = steps
            .into_iter()
            .map(|step| {
                let refused = plugin.grants.check(&step).err();
                (step, refused)
            })
            .collect();
        Ok(DeploySteps {
            policy,
            release,
            steps,
        })
    }

    /// The refusal naming every step outside the grants, if any is.
    pub fn not_granted(&self) -> Option<CommandError> {
        let refused: Vec<_> = self.steps.iter().filter_map(|(_, r)| r.clone()).collect();
        (!refused.is_empty()).then(|| not_granted(World::Deploy, &self.policy, &refused))
    }

    /// The steps as `--plan` shows them, numbered, the ungranted ones marked.
    pub fn lines(&self) -> Vec<String> {
        self.steps
            .iter()
            .enumerate()
            .map(|(n, (step, refused))| {
                let mark = if refused.is_none() {
                    ""
                } else {
                    "   NOT GRANTED"
                };
                format!("  {}. {}{mark}", n + 1, crate::steps::describe(step))
            })
            .collect()
    }

    /// The steps as `--json` shows them.
    pub fn shown(&self) -> Vec<PlannedStep<'_>> {
        self.steps
            .iter()
            .map(|(step, refused)| PlannedStep {
                step,
                granted: refused.is_none(),
            })
            .collect()
    }
}

/// A step a policy planned, in `--json`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PlannedStep<'a> {
    pub step: &'a Step,
    /// Within the plugin's grants: a step outside them is refused before any runs.
    pub granted: bool,
}

/// A policy a plugin implements, as `plugin check` and `plugin pin` read it.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Implemented {
    pub policy: World,
    pub contract: String,
    /// The version is served and every function has the contract's type.
    pub compatible: bool,
    /// Why not, when it is not.
    pub problem: Option<String>,
}

/// The policies `plugin` implements, each compatible with this host or not, and whether it
/// imports only what the contract allows.
pub fn implemented(
    host: &Host,
    plugin: &Plugin,
) -> (std::result::Result<(), host::Error>, Vec<Implemented>) {
    let imports = host.check_imports(plugin);
    let implemented: Vec<Implemented> = World::ALL
        .into_iter()
        .filter_map(|world| {
            let version = plugin.version_of(world)?;
            // check_world refuses a version this host does not serve, naming those it does.
            let problem = match &imports {
                Err(err) => Some(err.to_string()),
                Ok(()) => host.check_world(plugin, world).err().map(|e| e.to_string()),
            };
            Some(Implemented {
                policy: world,
                contract: version.to_string(),
                compatible: problem.is_none(),
                problem,
            })
        })
        .collect();
    (imports, implemented)
}

/// The policies of those implemented that this host can run.
pub fn usable(implemented: &[Implemented]) -> Vec<World> {
    implemented
        .iter()
        .filter(|item| item.compatible)
        .map(|item| item.policy)
        .collect()
}

/// A plugin's failure: the plugin's own refusal is exit 4, the engine's failure internal (6),
/// anything else exit 1, each with the hint that fits its cause.
pub fn plugin_error(err: host::Error) -> CommandError {
    use host::Error as E;
    let message = err.to_string();
    let hint = match &err {
        E::Plugin { .. } => return CommandError::new(Exit::Policy, message),
        E::Engine(_) => return CommandError::new(Exit::Internal, message),
        E::WrongVersion { .. }
        | E::NotAComponent { .. }
        | E::MissingWorld { .. }
        | E::MissingExport { .. }
        | E::Contract { .. } => format!(
            "build the plugin against wit/ of this git-hotfix (contract {}): `git hotfix plugin check` shows what it implements",
            host::SUPPORTED
        ),
        E::Instantiate { .. } => {
            "a policy may import WASI 0.2 (granted nothing) and no other interface: build it without wasi:http (componentize-js: --disable http fetch-event; wit/README.md)".to_string()
        }
        E::Exited { .. } => {
            "a policy reports failure by returning its plugin-error (`failed`, `unsupported`, `invalid-input`), not by exiting".to_string()
        }
        E::Trap { .. } | E::StackOverflow { .. } => {
            "the plugin crashed: fix it, or name another in .hotfix.toml ([policies.*] plugin)".to_string()
        }
        E::Deadline { .. } | E::OutOfFuel { .. } | E::MemoryLimit { .. } => {
            "the plugin went over its limits: fix it, or raise them in .hotfix.toml ([plugin-limits] deadline-ms, fuel, memory-mib)".to_string()
        }
        E::InputTooLarge { .. } | E::OutputTooLarge { .. } => {
            "a policy's input and answer are limited in size: fix the plugin, or name another in .hotfix.toml".to_string()
        }
    };
    CommandError::new(Exit::Error, message).hint(hint)
}

/// Deploy steps outside the plugin's grants: refused, with the lines that would allow them.
pub fn not_granted(
    world: World,
    policy: &PolicyConfig,
    refused: &[host::NotGranted],
) -> CommandError {
    let mut what = Vec::new();
    let (mut commands, mut http) = (policy.commands.clone(), policy.http.clone());
    for step in refused {
        match step {
            host::NotGranted::Command(program) => {
                what.push(format!("run `{program}`"));
                if !commands.contains(program) {
                    commands.push(program.clone());
                }
            }
            host::NotGranted::Url(url) => {
                what.push(format!("call {url}"));
                let origin = origin_of(url);
                if !http.contains(&origin) {
                    http.push(origin);
                }
            }
        }
    }
    let mut err = CommandError::new(
        Exit::Policy,
        format!(
            "{} may not {}: not granted in .hotfix.toml",
            policy.plugin,
            what.join(" or ")
        ),
    );
    let mut once = Vec::new();
    for (key, before, after) in [
        ("commands", &policy.commands, commands),
        ("http", &policy.http, http),
    ] {
        if &after != before {
            let list: Vec<String> = after.iter().map(|g| format!("{g:?}")).collect();
            err = err.hint(format!(
                "to allow it, under [policies.{world}]: {key} = [{}]",
                list.join(", ")
            ));
            once.push(crate::ui::shell_word(&format!(
                "policies.{world}.{key}={}",
                after.join(",")
            )));
        }
    }
    err.hint(format!(
        "to try it for one command: git hotfix -c {} …",
        once.join(" -c ")
    ))
}

/// `https://status.example.com/` for any URL on that host: the prefix to grant.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            format!("{scheme}://{host}/")
        }
        None => url.to_string(),
    }
}

/// A plugin's own error is a refusal; anything else, a failure.
fn policy_error(err: host::Error) -> PolicyError {
    match err {
        host::Error::Plugin { .. } => PolicyError::Refused(err.to_string()),
        _ => PolicyError::Failed(err.to_string()),
    }
}

/// The version-files plugin as the core's `finish` calls it.
pub struct PluginVersionFiles<'a> {
    pub host: &'a Host,
    pub plugin: &'a Plugin,
}

impl VersionFiles for PluginVersionFiles<'_> {
    fn name(&self) -> String {
        self.plugin.name.clone()
    }

    fn detect(&self, paths: &[String]) -> Result<Vec<String>, PolicyError> {
        self.host
            .detect(self.plugin, paths)
            .map(|called| called.value)
            .map_err(policy_error)
    }

    fn read(&self, path: &str, content: &str) -> Result<String, PolicyError> {
        let file = host::File {
            path: path.into(),
            content: content.into(),
        };
        self.host
            .read_version(self.plugin, &file)
            .map(|called| called.value)
            .map_err(policy_error)
    }

    fn write(&self, path: &str, content: &str, version: &str) -> Result<String, PolicyError> {
        let file = host::File {
            path: path.into(),
            content: content.into(),
        };
        self.host
            .write_version(self.plugin, &file, version)
            .map(|called| called.value)
            .map_err(policy_error)
    }
}

/// The policies a finish runs, loaded when it first runs one (a finish after its merge,
/// or of a hotfix finished already, runs none).
pub struct Policies<'c> {
    context: &'c crate::context::Context,
    repo: &'c Repo,
    config: &'c Config,
    loaded: Option<Loaded>,
}

impl<'c> Policies<'c> {
    pub fn new(context: &'c crate::context::Context, repo: &'c Repo, config: &'c Config) -> Self {
        Policies {
            context,
            repo,
            config,
            loaded: None,
        }
    }
}

impl git_hotfix_core::lifecycle::finish::Policies for Policies<'_> {
    fn version_files(&mut self) -> git_hotfix_core::Result<&dyn VersionFiles> {
        if self.loaded.is_none() {
            let loaded =
                Loaded::for_world(self.context, self.repo, self.config, World::VersionFiles)
                    .map_err(|err| git_hotfix_core::Error::Port(Box::new(err)))?;
            self.loaded = Some(loaded);
        }
        Ok(self.loaded.as_ref().expect("loaded above"))
    }
}

impl VersionFiles for Loaded {
    fn name(&self) -> String {
        self.version_files().name()
    }

    fn detect(&self, paths: &[String]) -> Result<Vec<String>, PolicyError> {
        self.version_files().detect(paths)
    }

    fn read(&self, path: &str, content: &str) -> Result<String, PolicyError> {
        self.version_files().read(path, content)
    }

    fn write(&self, path: &str, content: &str, version: &str) -> Result<String, PolicyError> {
        self.version_files().write(path, content, version)
    }
}

/// The repository's version-files policy, loaded, for `finish` and `status`.
pub struct Loaded {
    pub host: Host,
    pub plugin: Plugin,
}

impl Loaded {
    pub fn for_world(
        context: &crate::context::Context,
        repo: &Repo,
        config: &Config,
        world: World,
    ) -> Result<Loaded> {
        let host = host(Some(config), context.cache_home.clone())?;
        let plugin = load(
            &context.ui,
            &host,
            Some(repo),
            Some(config),
            &policy(Some(config), world),
        )?;
        Ok(Loaded { host, plugin })
    }

    pub fn version_files(&self) -> PluginVersionFiles<'_> {
        PluginVersionFiles {
            host: &self.host,
            plugin: &self.plugin,
        }
    }
}
