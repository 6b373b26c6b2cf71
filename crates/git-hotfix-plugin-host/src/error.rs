//! Everything that can go wrong with a plugin, each naming the plugin, the call and the
//! cause, so that the command line can give the hint that fits it.

use crate::contract::PluginError;
use crate::sanitize;
use crate::{SUPPORTED, World};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{plugin} is not a WebAssembly component: {reason}")]
    NotAComponent { plugin: String, reason: String },

    #[error(
        "{plugin} implements git-hotfix:plugin/{world}@{found}, but this git-hotfix supports {SUPPORTED}"
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

    /// The component imports something the host does not provide.
    #[error("{plugin} could not be started: {reason}")]
    Instantiate { plugin: String, reason: String },

    /// The world is there but one of its functions is not.
    #[error("{plugin} exports {interface} without `{call}`")]
    MissingExport {
        plugin: String,
        interface: String,
        call: &'static str,
    },

    /// The function is there with another type than the contract gives it.
    #[error("{plugin} `{call}` does not have the contract's type: {reason}")]
    Contract {
        plugin: String,
        call: &'static str,
        reason: String,
    },

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

    /// It called WASI's `exit` instead of returning. WASI 0.2 carries success or failure,
    /// not the number the plugin gave: `code` is 0 or 1.
    #[error("{plugin} {call}: exited{} instead of answering{stderr}", if *code == 0 { "" } else { " with a failure status" })]
    Exited {
        plugin: String,
        call: &'static str,
        code: i32,
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

    /// Counted as the host copies the answer out, so that a plugin cannot make the host
    /// allocate more than this (the same string many times over, say).
    #[error("{plugin} {call}: answered more than the limit of {limit} bytes")]
    OutputTooLarge {
        plugin: String,
        call: &'static str,
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

/// What a plugin printed (stdout and stderr), shown after a failure: each line marked as
/// the plugin's, so that it cannot pass for git-hotfix's own output.
#[derive(Debug, Clone, Default)]
pub struct Stderr(pub String);

impl std::fmt::Display for Stderr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.trim_end();
        if text.trim().is_empty() {
            return Ok(());
        }
        write!(f, "; it printed:")?;
        for line in text.lines() {
            write!(f, "\n  | {}", sanitize::line(line))?;
        }
        Ok(())
    }
}
