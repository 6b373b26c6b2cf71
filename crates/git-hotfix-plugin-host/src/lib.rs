//! The sandbox git-hotfix runs its policy plugins in: WebAssembly components under wasmtime,
//! behind the versioned contract in `wit/`. It knows nothing of git.
//!
//! One [`Host`] per process holds the engine. Every call gets a fresh store with its own
//! limits — memory, fuel, a wall-clock deadline, input and output sizes — and WASI with
//! nothing granted: no files, environment, arguments or sockets. Whatever a plugin does, the
//! host answers with an [`Error`] that names the plugin, the call and the limit; it never
//! panics on a plugin's behalf.

mod cache;
mod grants;

pub use cache::sha256_hex;

pub use grants::{Grants, NotGranted};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod bindings {
    pub mod severity {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "severity-policy",
            additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
        });
    }
    pub mod version_files {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "version-files-policy",
            with: { "git-hotfix:plugin/types": super::severity::git_hotfix::plugin::types },
        });
    }
    pub mod deploy {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "deploy-policy",
            with: { "git-hotfix:plugin/types": super::severity::git_hotfix::plugin::types },
        });
    }
}

pub use bindings::severity::git_hotfix::plugin::types::{
    Action, Answer, Assessment, DeployWindow, File, HttpCheck, Incident, PluginError, Question,
    QuestionKind, Release, RunStep, Severity, Step,
};

/// The package every plugin export is named in.
const PACKAGE: &str = "git-hotfix:plugin";
/// The contract versions this host implements.
pub const SUPPORTED_VERSIONS: &[&str] = &["0.1.0"];

/// The kinds of policy, one world (and exported interface) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    Severity,
    VersionFiles,
    Deploy,
}

impl World {
    pub const ALL: [World; 3] = [World::Severity, World::VersionFiles, World::Deploy];

    /// The name of the interface the world exports.
    pub fn interface(self) -> &'static str {
        match self {
            World::Severity => "severity",
            World::VersionFiles => "version-files",
            World::Deploy => "deploy",
        }
    }
}

impl std::fmt::Display for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.interface())
    }
}

/// What one call may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: usize,
    pub fuel: u64,
    pub deadline: Duration,
    /// The size of the arguments, as JSON.
    pub max_input_bytes: usize,
    /// The size of the answer, as JSON.
    pub max_output_bytes: usize,
    /// What the plugin may print on stderr (kept to show on failure).
    pub max_stderr_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            fuel: 1_000_000_000,
            deadline: Duration::from_secs(5),
            max_input_bytes: 8 << 20,
            max_output_bytes: 4 << 20,
            max_stderr_bytes: 16 << 10,
        }
    }
}

/// Everything that can go wrong with a plugin, naming the plugin and the call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{plugin} is not a WebAssembly component: {reason}")]
    NotAComponent { plugin: String, reason: String },

    #[error(
        "{plugin} implements {PACKAGE}/{world}@{found}, but this git-hotfix supports {}",
        SUPPORTED_VERSIONS.join(", ")
    )]
    WrongVersion {
        plugin: String,
        world: World,
        found: String,
    },

    #[error("{plugin} is not a {world} policy (it exports: {})", if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") })]
    MissingWorld {
        plugin: String,
        world: World,
        exports: Vec<String>,
    },

    #[error("{plugin} could not be started: {reason}")]
    Instantiate { plugin: String, reason: String },

    #[error("{plugin} {call}: ran out of fuel (limit: {fuel} units){stderr}")]
    OutOfFuel {
        plugin: String,
        call: &'static str,
        fuel: u64,
        stderr: Stderr,
    },

    #[error("{plugin} {call}: still running after {seconds:.1} s (the deadline){stderr}")]
    Deadline {
        plugin: String,
        call: &'static str,
        seconds: f64,
        stderr: Stderr,
    },

    #[error("{plugin} {call}: went over its memory limit of {mib} MiB{stderr}")]
    MemoryLimit {
        plugin: String,
        call: &'static str,
        mib: usize,
        stderr: Stderr,
    },

    #[error("{plugin} {call}: overflowed its stack{stderr}")]
    StackOverflow {
        plugin: String,
        call: &'static str,
        stderr: Stderr,
    },

    #[error("{plugin} {call}: crashed ({trap}){stderr}")]
    Trap {
        plugin: String,
        call: &'static str,
        trap: String,
        stderr: Stderr,
    },

    #[error("{plugin} {call}: its input is {bytes} bytes, over the limit of {limit}")]
    InputTooLarge {
        plugin: String,
        call: &'static str,
        bytes: usize,
        limit: usize,
    },

    #[error("{plugin} {call}: answered {bytes} bytes, over the limit of {limit}")]
    OutputTooLarge {
        plugin: String,
        call: &'static str,
        bytes: usize,
        limit: usize,
    },

    #[error("{plugin} {call}: {}", describe(error))]
    Plugin {
        plugin: String,
        call: &'static str,
        error: PluginError,
    },

    #[error("could not set up the plugin engine: {0}")]
    Engine(String),
}

/// The plugin's own error, as a sentence.
fn describe(error: &PluginError) -> String {
    match error {
        PluginError::InvalidInput(message) => format!("invalid input: {message}"),
        PluginError::Unsupported(message) => format!("unsupported: {message}"),
        PluginError::Failed(message) => message.clone(),
    }
}

/// What a plugin printed on stderr, shown after a failure (empty when it printed nothing).
#[derive(Debug, Clone, Default)]
pub struct Stderr(pub String);

impl std::fmt::Display for Stderr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.trim();
        if text.is_empty() {
            Ok(())
        } else {
            write!(f, "; it printed: {text}")
        }
    }
}

/// A loaded plugin: compiled, with what it implements.
pub struct Plugin {
    pub name: String,
    pub sha256: String,
    /// `git-hotfix:plugin/severity@0.1.0`, ...
    pub exports: Vec<String>,
    /// Whether the compiled artifact came from the cache, and how long loading took.
    pub cached: bool,
    pub load_time: Duration,
    component: Component,
}

impl Plugin {
    /// The contract version of `world` this plugin implements, if any.
    pub fn version_of(&self, world: World) -> Option<&str> {
        let prefix = format!("{PACKAGE}/{}@", world.interface());
        self.exports
            .iter()
            .find_map(|export| export.strip_prefix(&prefix))
    }

    /// The worlds it implements in a version this host supports.
    pub fn worlds(&self) -> Vec<World> {
        World::ALL
            .into_iter()
            .filter(|w| {
                self.version_of(*w)
                    .is_some_and(|v| SUPPORTED_VERSIONS.contains(&v))
            })
            .collect()
    }

    fn require(&self, world: World) -> Result<(), Error> {
        match self.version_of(world) {
            Some(version) if SUPPORTED_VERSIONS.contains(&version) => Ok(()),
            Some(version) => Err(Error::WrongVersion {
                plugin: self.name.clone(),
                world,
                found: version.to_string(),
            }),
            None => Err(Error::MissingWorld {
                plugin: self.name.clone(),
                world,
                exports: self.exports.clone(),
            }),
        }
    }
}

/// A plugin's answer and what the call cost.
#[derive(Debug, Clone)]
pub struct Called<T> {
    pub value: T,
    pub fuel_used: u64,
    pub duration: Duration,
    pub stderr: String,
}

/// What every store holds: WASI with nothing granted, and the limits.
struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The epoch advances every tick; a call's deadline is counted in ticks.
const TICK: Duration = Duration::from_millis(10);

pub struct Host {
    engine: Engine,
    linker: Linker<State>,
    limits: Limits,
    cache_dir: Option<PathBuf>,
    ticking: Arc<AtomicBool>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.ticking.store(false, Ordering::Relaxed);
    }
}

impl Host {
    /// An engine with fuel and epochs on; compiled plugins are cached in `cache_dir`.
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> Result<Host, Error> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| Error::Engine(e.to_string()))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| Error::Engine(e.to_string()))?;
        let ticking = Arc::new(AtomicBool::new(true));
        let (ticker, running) = (engine.clone(), ticking.clone());
        std::thread::Builder::new()
            .name("plugin-deadline".into())
            .spawn(move || {
                while running.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    ticker.increment_epoch();
                }
            })
            .map_err(|e| Error::Engine(e.to_string()))?;
        Ok(Host {
            engine,
            linker,
            limits,
            cache_dir,
            ticking,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compile (or take from the cache) the component `bytes`, named `name` in messages.
    pub fn load(&self, name: &str, bytes: &[u8]) -> Result<Plugin, Error> {
        let started = Instant::now();
        let sha256 = sha256_hex(bytes);
        let (component, cached) =
            cache::compile(&self.engine, self.cache_dir.as_deref(), &sha256, bytes).map_err(
                |reason| Error::NotAComponent {
                    plugin: name.to_string(),
                    reason,
                },
            )?;
        let exports = component
            .component_type()
            .exports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect();
        Ok(Plugin {
            name: name.to_string(),
            sha256,
            exports,
            cached,
            load_time: started.elapsed(),
            component,
        })
    }

    /// Whether the host can start `plugin` at all: everything it imports is something the
    /// host provides. Runs none of its code.
    pub fn check_imports(&self, plugin: &Plugin) -> Result<(), Error> {
        self.linker
            .instantiate_pre(&plugin.component)
            .map(drop)
            .map_err(|error| Error::Instantiate {
                plugin: plugin.name.clone(),
                reason: first_line(&error.to_string()),
            })
    }

    /// Run one call in a fresh store: `input` (for its size), then `run` instantiates and calls.
    fn call<T: serde::Serialize>(
        &self,
        plugin: &Plugin,
        world: World,
        call: &'static str,
        input: &impl serde::Serialize,
        run: impl FnOnce(
            &mut Store<State>,
            &Component,
            &Linker<State>,
        ) -> wasmtime::Result<Result<T, PluginError>>,
    ) -> Result<Called<T>, Error> {
        plugin.require(world)?;
        let input_bytes = serde_json::to_vec(input).map(|v| v.len()).unwrap_or(0);
        if input_bytes > self.limits.max_input_bytes {
            return Err(Error::InputTooLarge {
                plugin: plugin.name.clone(),
                call,
                bytes: input_bytes,
                limit: self.limits.max_input_bytes,
            });
        }
        let stderr = MemoryOutputPipe::new(self.limits.max_stderr_bytes);
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory_bytes)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.engine,
            State {
                wasi,
                table: ResourceTable::new(),
                limits,
            },
        );
        store.limiter(|state| &mut state.limits);
        store
            .set_fuel(self.limits.fuel)
            .map_err(|e| Error::Engine(e.to_string()))?;
        let ticks = (self.limits.deadline.as_millis() / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        let started = Instant::now();
        let outcome = run(&mut store, &plugin.component, &self.linker);
        let duration = started.elapsed();
        let printed = String::from_utf8_lossy(&stderr.contents()).into_owned();
        let fuel_used = self.limits.fuel - store.get_fuel().unwrap_or(0);
        let value = match outcome {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => {
                return Err(Error::Plugin {
                    plugin: plugin.name.clone(),
                    call,
                    error,
                });
            }
            Err(error) => return Err(self.classify(plugin, call, error, duration, printed)),
        };
        let output_bytes = serde_json::to_vec(&value).map(|v| v.len()).unwrap_or(0);
        if output_bytes > self.limits.max_output_bytes {
            return Err(Error::OutputTooLarge {
                plugin: plugin.name.clone(),
                call,
                bytes: output_bytes,
                limit: self.limits.max_output_bytes,
            });
        }
        Ok(Called {
            value,
            fuel_used,
            duration,
            stderr: printed,
        })
    }

    /// Name the limit a failed call hit.
    fn classify(
        &self,
        plugin: &Plugin,
        call: &'static str,
        error: wasmtime::Error,
        duration: Duration,
        printed: String,
    ) -> Error {
        let plugin_name = plugin.name.clone();
        let stderr = Stderr(printed);
        let chain = format!("{error:?}");
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => Error::OutOfFuel {
                plugin: plugin_name,
                call,
                fuel: self.limits.fuel,
                stderr,
            },
            Some(Trap::Interrupt) => Error::Deadline {
                plugin: plugin_name,
                call,
                seconds: duration.as_secs_f64(),
                stderr,
            },
            Some(Trap::StackOverflow) => Error::StackOverflow {
                plugin: plugin_name,
                call,
                stderr,
            },
            _ if chain.contains("growing memory") || chain.contains("memory minimum size") => {
                Error::MemoryLimit {
                    plugin: plugin_name,
                    call,
                    mib: self.limits.memory_bytes >> 20,
                    stderr,
                }
            }
            Some(trap) => Error::Trap {
                plugin: plugin_name,
                call,
                trap: trap.to_string(),
                stderr,
            },
            // Not a trap: the component did not link or does not match the contract.
            None => Error::Instantiate {
                plugin: plugin_name,
                reason: first_line(&error.to_string()),
            },
        }
    }

    /// The severity policy's table of levels.
    pub fn levels(&self, plugin: &Plugin) -> Result<Called<Vec<Assessment>>, Error> {
        self.call(
            plugin,
            World::Severity,
            "levels",
            &(),
            |store, component, linker| {
                let instance = bindings::severity::SeverityPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                Ok(Ok(instance
                    .git_hotfix_plugin_severity()
                    .call_levels(store)?))
            },
        )
    }

    pub fn questions(&self, plugin: &Plugin) -> Result<Called<Vec<Question>>, Error> {
        self.call(
            plugin,
            World::Severity,
            "questions",
            &(),
            |store, component, linker| {
                let instance = bindings::severity::SeverityPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                Ok(Ok(instance
                    .git_hotfix_plugin_severity()
                    .call_questions(store)?))
            },
        )
    }

    pub fn assess(
        &self,
        plugin: &Plugin,
        incident: &Incident,
    ) -> Result<Called<Assessment>, Error> {
        self.call(
            plugin,
            World::Severity,
            "assess",
            incident,
            |store, component, linker| {
                let instance = bindings::severity::SeverityPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                instance
                    .git_hotfix_plugin_severity()
                    .call_assess(store, incident)
            },
        )
    }

    pub fn detect(&self, plugin: &Plugin, paths: &[String]) -> Result<Called<Vec<String>>, Error> {
        self.call(
            plugin,
            World::VersionFiles,
            "detect",
            &paths,
            |store, component, linker| {
                let instance = bindings::version_files::VersionFilesPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                Ok(Ok(instance
                    .git_hotfix_plugin_version_files()
                    .call_detect(store, paths)?))
            },
        )
    }

    pub fn read_version(&self, plugin: &Plugin, file: &File) -> Result<Called<String>, Error> {
        self.call(
            plugin,
            World::VersionFiles,
            "read-version",
            file,
            |store, component, linker| {
                let instance = bindings::version_files::VersionFilesPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                instance
                    .git_hotfix_plugin_version_files()
                    .call_read_version(store, file)
            },
        )
    }

    pub fn write_version(
        &self,
        plugin: &Plugin,
        file: &File,
        version: &str,
    ) -> Result<Called<String>, Error> {
        self.call(
            plugin,
            World::VersionFiles,
            "write-version",
            &(file, version),
            |store, component, linker| {
                let instance = bindings::version_files::VersionFilesPolicy::instantiate(
                    &mut *store,
                    component,
                    linker,
                )?;
                instance
                    .git_hotfix_plugin_version_files()
                    .call_write_version(store, file, version)
            },
        )
    }

    pub fn plan(
        &self,
        plugin: &Plugin,
        release: &Release,
        action: Action,
    ) -> Result<Called<Vec<Step>>, Error> {
        self.call(
            plugin,
            World::Deploy,
            "plan",
            &(release, action),
            |store, component, linker| {
                let instance =
                    bindings::deploy::DeployPolicy::instantiate(&mut *store, component, linker)?;
                instance
                    .git_hotfix_plugin_deploy()
                    .call_plan(store, release, action)
            },
        )
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
