//! The sandbox git-hotfix runs its policy plugins in: WebAssembly components under wasmtime,
//! behind the versioned contract in `wit/`. It knows nothing of git.
//!
//! One [`Host`] per process holds the engine. Every call gets a fresh store with its own
//! limits — memory, fuel, a deadline that holds through blocking calls, input and output
//! sizes — and WASI with nothing granted (see `sandbox`). Whatever a plugin does, the host
//! answers with an [`Error`] that names the plugin, the call and the cause; it never panics
//! on a plugin's behalf, and what the plugin says is cleaned before anyone prints it.

mod cache;
mod contract;
mod error;
mod grants;
mod sandbox;
pub mod sanitize;

pub use cache::{CACHE_LIMIT_BYTES, CacheEntry, Removed, sha256_hex};
pub use contract::{
    Action, Answer, Assessment, DeployWindow, File, HttpCheck, Incident, PluginError, Question,
    QuestionKind, Release, RunStep, Severity, Step, workflow_levels,
};
pub use error::{Error, Stderr};
pub use grants::{Grants, NotGranted};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sanitize::Shown;
use wasmtime::component::{
    Component, ComponentNamedList, ComponentType, Instance, Lift, Linker, Lower, ResourceTable,
    TypedFunc,
};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

/// The package every plugin export is named in.
const PACKAGE: &str = "git-hotfix:plugin";

/// The released contract lines this host serves, as `major.minor`: a plugin built for any
/// patch release of one of them runs (`wit/README.md` says how a line is added or retired).
pub const CONTRACTS: &[&str] = &["0.1"];

/// The contract versions this host serves, as people read them.
pub const SUPPORTED: &str = "0.1.x";

/// The newest contract this host serves, as WIT: what a policy in Python or JavaScript is
/// built against (`plugin new` writes it beside the policy).
pub const CONTRACT_WIT: &str = include_str!("../../../wit/v0.1.0/plugin.wit");

/// Whether this host serves contract `version` (`0.1.0`, `0.1.7`).
pub fn supports(version: &str) -> bool {
    let mut parts = version.split('.');
    let (Some(major), Some(minor), Some(patch), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    number(major)
        && number(minor)
        && number(patch)
        && CONTRACTS.contains(&format!("{major}.{minor}").as_str())
}

/// The kinds of policy, one world (and exported interface) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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

    /// The name of the world a plugin is built for (`severity-policy`).
    pub fn world_name(self) -> &'static str {
        match self {
            World::Severity => "severity-policy",
            World::VersionFiles => "version-files-policy",
            World::Deploy => "deploy-policy",
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
    /// The size of the answer: counted as the host copies it out, and again as JSON.
    pub max_output_bytes: usize,
    /// What the plugin printed that is kept to show on failure (its beginning and end).
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

/// A component's bytes with their sha256, hashed once: a Python policy is 18 MB, and its
/// pin, its cache entry and its name in messages all need the hash.
#[derive(Debug, Clone)]
pub struct Wasm<'a> {
    bytes: &'a [u8],
    sha256: String,
}

impl<'a> Wasm<'a> {
    pub fn new(bytes: &'a [u8]) -> Wasm<'a> {
        Wasm {
            bytes,
            sha256: sha256_hex(bytes),
        }
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> From<&'a T> for Wasm<'a> {
    fn from(bytes: &'a T) -> Wasm<'a> {
        Wasm::new(bytes.as_ref())
    }
}

/// A loaded plugin: compiled, with what it implements and what it is granted.
pub struct Plugin {
    pub name: String,
    pub sha256: String,
    /// `git-hotfix:plugin/severity@0.1.0`, ...
    pub exports: Vec<String>,
    /// Whether the compiled artifact came from the cache, and how long loading took.
    pub cached: bool,
    pub load_time: Duration,
    /// Nothing until the caller grants it (from `.hotfix.toml`).
    pub grants: Grants,
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

    /// The worlds it implements in a version this host serves.
    pub fn worlds(&self) -> Vec<World> {
        World::ALL
            .into_iter()
            .filter(|w| self.version_of(*w).is_some_and(supports))
            .collect()
    }

    /// The name of the interface it exports for `world`, when this host serves it.
    fn interface(&self, world: World) -> Result<String, Error> {
        match self.version_of(world) {
            Some(version) if supports(version) => {
                Ok(format!("{PACKAGE}/{}@{version}", world.interface()))
            }
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
    /// What it printed.
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

/// One function of the contract: where it is, what it takes and what it answers.
trait Function {
    const WORLD: World;
    const NAME: &'static str;
    type Params: ComponentNamedList + Lower + Send + Sync + 'static;
    type Answer: ComponentType + Lift + Send + Sync + 'static;
}

macro_rules! functions {
    ($($function:ident: $world:ident $name:literal ($($param:ty),*) -> $answer:ty;)*) => {
        $(
            struct $function;
            impl Function for $function {
                const WORLD: World = World::$world;
                const NAME: &'static str = $name;
                type Params = ($($param,)*);
                type Answer = $answer;
            }
        )*
    };
}

type Answered<T> = Result<T, PluginError>;

functions! {
    Levels: Severity "levels" () -> Vec<Assessment>;
    Questions: Severity "questions" () -> Vec<Question>;
    Assess: Severity "assess" (Incident) -> Answered<Assessment>;
    Detect: VersionFiles "detect" (Vec<String>) -> Vec<String>;
    ReadVersion: VersionFiles "read-version" (File) -> Answered<String>;
    WriteVersion: VersionFiles "write-version" (File, String) -> Answered<String>;
    Plan: Deploy "plan" (Release, Action) -> Answered<Vec<Step>>;
}

/// The imports the host links: WASI 0.2 (which grants nothing, see `sandbox`) and the
/// contract's own types. Not `wasi:http`, nor anything else.
const PROVIDED: &[&str] = &[
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/",
    "wasi:filesystem/",
    "wasi:sockets/",
    "git-hotfix:plugin/types@",
];

/// The epoch advances every tick; a call's deadline is counted in ticks.
const TICK: Duration = Duration::from_millis(10);

pub struct Host {
    engine: Engine,
    linker: Linker<State>,
    limits: Limits,
    cache_dir: Option<PathBuf>,
    /// Runs calls, so that one waiting in WASI (a sleep, a poll) is dropped at the deadline.
    runtime: tokio::runtime::Runtime,
    ticking: Arc<AtomicBool>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.ticking.store(false, Ordering::Relaxed);
    }
}

/// How a call went wrong before it could answer.
enum Failure {
    Start(wasmtime::Error),
    Missing(Error),
    Run(wasmtime::Error),
    TimedOut,
}

impl Host {
    /// An engine with fuel and epochs on; compiled plugins are cached in `cache_dir`.
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> Result<Host, Error> {
        let engine_error = |e: &dyn std::fmt::Display| Error::Engine(e.to_string());
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| engine_error(&e))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| engine_error(&e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| engine_error(&e))?;
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
            .map_err(|e| engine_error(&e))?;
        Ok(Host {
            engine,
            linker,
            limits,
            cache_dir,
            runtime,
            ticking,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether `bytes` would load from the cache (else loading compiles it, which takes
    /// seconds for a large component: worth telling the person waiting).
    pub fn is_cached(&self, wasm: &Wasm) -> bool {
        cache::is_cached(&self.engine, self.cache_dir.as_deref(), &wasm.sha256)
    }

    /// Where compiled plugins are kept, if anywhere.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.cache_dir.as_deref()
    }

    /// What the cache holds (most recently used first), and the bytes of stray files.
    pub fn cache_entries(&self) -> std::io::Result<(Vec<CacheEntry>, u64)> {
        match &self.cache_dir {
            Some(dir) => cache::entries(&self.engine, dir),
            None => Ok((Vec::new(), 0)),
        }
    }

    /// Remove other engines' entries and strays, and keep the rest within `limit` bytes.
    pub fn prune_cache(&self, limit: u64) -> std::io::Result<Removed> {
        match &self.cache_dir {
            Some(dir) => cache::prune(&self.engine, dir, limit),
            None => Ok(Removed::default()),
        }
    }

    /// Remove everything the cache holds.
    pub fn clear_cache(&self) -> std::io::Result<Removed> {
        match &self.cache_dir {
            Some(dir) => cache::clear(&self.engine, dir),
            None => Ok(Removed::default()),
        }
    }

    /// Compile (or take from the cache) the component `bytes`, named `name` in messages.
    pub fn load<'a>(&self, name: &str, wasm: impl Into<Wasm<'a>>) -> Result<Plugin, Error> {
        let started = Instant::now();
        let Wasm { bytes, sha256 } = wasm.into();
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
            grants: Grants::default(),
            component,
        })
    }

    /// Whether the host can start `plugin` at all: everything it imports is something the
    /// host provides. Runs none of its code.
    pub fn check_imports(&self, plugin: &Plugin) -> Result<(), Error> {
        self.linker
            .instantiate_pre(&plugin.component)
            .map(drop)
            .map_err(|error| self.not_started(plugin, &error))
    }

    /// Why `plugin` did not start: the imports the host does not provide when there are
    /// any (wasmtime names the item it misses, not the interface), else wasmtime's reason.
    fn not_started(&self, plugin: &Plugin, error: &wasmtime::Error) -> Error {
        let unknown: Vec<String> = plugin
            .component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .filter(|name| !PROVIDED.iter().any(|p| name.starts_with(p)))
            .collect();
        let reason = if unknown.is_empty() {
            root_cause(error)
        } else {
            format!(
                "it imports {}, which the host does not provide",
                unknown.join(", ")
            )
        };
        Error::Instantiate {
            plugin: plugin.name.clone(),
            reason,
        }
    }

    /// Whether `plugin` has every function of `world` with the contract's types: it is
    /// started (in the sandbox, within the limits) and each export checked, none called.
    pub fn check_world(&self, plugin: &Plugin, world: World) -> Result<(), Error> {
        let interface = plugin.interface(world)?;
        let mut store = self.store(plugin, &sandbox::Transcript::new(0))?;
        let outcome = self.within_deadline(async {
            let instance = self.instantiate(&mut store, plugin).await?;
            match world {
                World::Severity => {
                    typed::<Levels>(&mut store, &instance, plugin, &interface)?;
                    typed::<Questions>(&mut store, &instance, plugin, &interface)?;
                    typed::<Assess>(&mut store, &instance, plugin, &interface)?;
                }
                World::VersionFiles => {
                    typed::<Detect>(&mut store, &instance, plugin, &interface)?;
                    typed::<ReadVersion>(&mut store, &instance, plugin, &interface)?;
                    typed::<WriteVersion>(&mut store, &instance, plugin, &interface)?;
                }
                World::Deploy => {
                    typed::<Plan>(&mut store, &instance, plugin, &interface)?;
                }
            }
            Ok(())
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(failure) => Err(self.classify(plugin, "start", failure, String::new())),
        }
    }

    /// Start `plugin` in `store`: its imports linked, its start functions run.
    async fn instantiate(
        &self,
        store: &mut Store<State>,
        plugin: &Plugin,
    ) -> Result<Instance, Failure> {
        self.linker
            .instantiate_async(store, &plugin.component)
            .await
            .map_err(Failure::Start)
    }

    /// Run `call` to its end or to the deadline, whichever comes first.
    fn within_deadline<T>(
        &self,
        call: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        self.runtime.block_on(async {
            tokio::time::timeout(self.limits.deadline, call)
                .await
                .unwrap_or(Err(Failure::TimedOut))
        })
    }

    /// A store for one call: WASI as granted, the limits, the deadline.
    fn store(&self, plugin: &Plugin, output: &sandbox::Transcript) -> Result<Store<State>, Error> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory_bytes)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.engine,
            State {
                wasi: sandbox::wasi(&plugin.grants, output),
                table: ResourceTable::new(),
                limits,
            },
        );
        store.limiter(|state| &mut state.limits);
        store
            .set_fuel(self.limits.fuel)
            .map_err(|e| Error::Engine(e.to_string()))?;
        // What the host copies out of the plugin, per call into or out of it.
        store.set_hostcall_fuel(self.limits.max_output_bytes);
        let ticks = (self.limits.deadline.as_millis() / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        Ok(store)
    }

    /// Run one call of `F` in a fresh store; `input` is measured against the input limit.
    fn call<F: Function>(
        &self,
        plugin: &Plugin,
        input: &impl serde::Serialize,
        params: F::Params,
    ) -> Result<Called<F::Answer>, Error> {
        let interface = plugin.interface(F::WORLD)?;
        let input_bytes = serde_json::to_vec(input).map(|v| v.len()).unwrap_or(0);
        if input_bytes > self.limits.max_input_bytes {
            return Err(Error::InputTooLarge {
                plugin: plugin.name.clone(),
                call: F::NAME,
                bytes: input_bytes,
                limit: self.limits.max_input_bytes,
            });
        }
        let output = sandbox::Transcript::new(self.limits.max_stderr_bytes);
        let mut store = self.store(plugin, &output)?;
        let started = Instant::now();
        // Epoch interruption stops wasm code at the deadline; the timeout stops a call
        // waiting in the host (a sleep), which no epoch reaches.
        let outcome = self.within_deadline(async {
            let instance = self.instantiate(&mut store, plugin).await?;
            let function = typed::<F>(&mut store, &instance, plugin, &interface)?;
            let (answer,) = function
                .call_async(&mut store, params)
                .await
                .map_err(Failure::Run)?;
            Ok(answer)
        });
        let duration = started.elapsed();
        let fuel_used = self.limits.fuel - store.get_fuel().unwrap_or(0);
        let printed = output.text();
        let value =
            outcome.map_err(|failure| self.classify(plugin, F::NAME, failure, printed.clone()))?;
        Ok(Called {
            value,
            fuel_used,
            duration,
            stderr: printed,
        })
    }

    /// Name the cause of a failed call.
    fn classify(
        &self,
        plugin: &Plugin,
        call: &'static str,
        failure: Failure,
        printed: String,
    ) -> Error {
        let plugin_name = plugin.name.clone();
        let stderr = Stderr(printed);
        let starting = matches!(failure, Failure::Start(_));
        let error = match failure {
            Failure::Missing(error) => return error,
            Failure::TimedOut => {
                return Error::Deadline {
                    plugin: plugin_name,
                    call,
                    seconds: self.limits.deadline.as_secs_f64(),
                    stderr,
                };
            }
            Failure::Start(error) | Failure::Run(error) => error,
        };
        let chain = format!("{error:?}");
        let memory = chain.contains("growing memory") || chain.contains("memory minimum size");
        if starting && !memory && error.downcast_ref::<Trap>().is_none() {
            // Not a trap: the component did not link.
            return self.not_started(plugin, &error);
        }
        if let Some(exit) = error.downcast_ref::<I32Exit>() {
            return Error::Exited {
                plugin: plugin_name,
                call,
                code: exit.0,
                stderr,
            };
        }
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
                seconds: self.limits.deadline.as_secs_f64(),
                stderr,
            },
            Some(Trap::StackOverflow) => Error::StackOverflow {
                plugin: plugin_name,
                call,
                stderr,
            },
            _ if memory => Error::MemoryLimit {
                plugin: plugin_name,
                call,
                mib: self.limits.memory_bytes >> 20,
                stderr,
            },
            _ if chain.contains("too much data is being copied") => Error::OutputTooLarge {
                plugin: plugin_name,
                call,
                limit: self.limits.max_output_bytes,
            },
            Some(trap) => Error::Trap {
                plugin: plugin_name,
                call,
                trap: trap.to_string(),
                stderr,
            },
            // An answer that breaks the canonical ABI (a string that is not UTF-8, a
            // pointer out of bounds): the plugin's fault, like a trap.
            None => Error::Trap {
                plugin: plugin_name,
                call,
                trap: root_cause(&error),
                stderr,
            },
        }
    }

    /// The severity policy's table of levels: the workflow's when it answers nothing.
    pub fn levels(&self, plugin: &Plugin) -> Result<Called<Vec<Assessment>>, Error> {
        let mut called = self.call::<Levels>(plugin, &(), ())?;
        called.value = if called.value.is_empty() {
            workflow_levels()
        } else {
            called.value.shown()
        };
        Ok(called)
    }

    pub fn questions(&self, plugin: &Plugin) -> Result<Called<Vec<Question>>, Error> {
        self.call::<Questions>(plugin, &(), ())
            .map(|called| map(called, Shown::shown))
    }

    pub fn assess(
        &self,
        plugin: &Plugin,
        incident: &Incident,
    ) -> Result<Called<Assessment>, Error> {
        let called = self.call::<Assess>(plugin, incident, (incident.clone(),))?;
        answered(plugin, Assess::NAME, called).map(|called| map(called, Shown::shown))
    }

    pub fn detect(&self, plugin: &Plugin, paths: &[String]) -> Result<Called<Vec<String>>, Error> {
        self.call::<Detect>(plugin, &paths, (paths.to_vec(),))
    }

    pub fn read_version(&self, plugin: &Plugin, file: &File) -> Result<Called<String>, Error> {
        let called = self.call::<ReadVersion>(plugin, file, (file.clone(),))?;
        answered(plugin, ReadVersion::NAME, called)
            .map(|called| map(called, |v| sanitize::line(&v).into_owned()))
    }

    /// The file's new content, exactly as the plugin wrote it.
    pub fn write_version(
        &self,
        plugin: &Plugin,
        file: &File,
        version: &str,
    ) -> Result<Called<String>, Error> {
        let called = self.call::<WriteVersion>(
            plugin,
            &(file, version),
            (file.clone(), version.to_string()),
        )?;
        answered(plugin, WriteVersion::NAME, called)
    }

    pub fn plan(
        &self,
        plugin: &Plugin,
        release: &Release,
        action: Action,
    ) -> Result<Called<Vec<Step>>, Error> {
        let called = self.call::<Plan>(plugin, &(release, action), (release.clone(), action))?;
        answered(plugin, Plan::NAME, called).map(|called| map(called, Shown::shown))
    }
}

/// The typed export of `F` in `interface`, or why there is none.
fn typed<F: Function>(
    store: &mut Store<State>,
    instance: &Instance,
    plugin: &Plugin,
    interface: &str,
) -> Result<TypedFunc<F::Params, (F::Answer,)>, Failure> {
    let missing = || {
        Failure::Missing(Error::MissingExport {
            plugin: plugin.name.clone(),
            interface: interface.to_string(),
            call: F::NAME,
        })
    };
    let exported = instance
        .get_export_index(&mut *store, None, interface)
        .ok_or_else(missing)?;
    let index = instance
        .get_export_index(&mut *store, Some(&exported), F::NAME)
        .ok_or_else(missing)?;
    let function = instance.get_func(&mut *store, index).ok_or_else(missing)?;
    function.typed(&mut *store).map_err(|error| {
        Failure::Missing(Error::Contract {
            plugin: plugin.name.clone(),
            call: F::NAME,
            reason: root_cause(&error),
        })
    })
}

/// A call whose answer is the plugin's own `result`: its error becomes [`Error::Plugin`].
fn answered<T>(
    plugin: &Plugin,
    call: &'static str,
    called: Called<Answered<T>>,
) -> Result<Called<T>, Error> {
    match called.value {
        Ok(value) => Ok(Called {
            value,
            fuel_used: called.fuel_used,
            duration: called.duration,
            stderr: called.stderr,
        }),
        Err(error) => Err(Error::Plugin {
            plugin: plugin.name.clone(),
            call,
            error: error.shown(),
        }),
    }
}

fn map<T, U>(called: Called<T>, f: impl FnOnce(T) -> U) -> Called<U> {
    Called {
        value: f(called.value),
        fuel_used: called.fuel_used,
        duration: called.duration,
        stderr: called.stderr,
    }
}

/// The innermost cause of `error`, on one line: wasmtime wraps a trap in "error while
/// executing at wasm backtrace:" and a backtrace, which say nothing to the person reading.
fn root_cause(error: &wasmtime::Error) -> String {
    let cause = error.root_cause().to_string();
    sanitize::line(cause.lines().next().unwrap_or_default()).into_owned()
}
