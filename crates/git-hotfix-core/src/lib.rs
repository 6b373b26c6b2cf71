//! The library behind `git hotfix`: configuration, versions and tags, plans, in-memory
//! merges and the journal, on gitoxide.
//!
//! It never prints, prompts or reads the environment; the CLI passes everything in (the
//! time, the overrides) and renders what comes back. Every operation is a plan first
//! (plain data that can be shown or serialized), then an execution that writes objects,
//! then moves refs last.

pub mod backport;
pub mod changelog;
pub mod config;
pub mod diff;
pub mod error;
pub mod finish;
mod git_cli;
pub mod incident;
pub mod init;
pub mod journal;
pub mod merge;
pub mod merged;
pub mod names;
pub mod notes;
mod oid;
pub mod patch;
pub mod pick;
pub mod policy;
pub mod propose;
pub mod pull;
pub mod push;
pub mod refs;
pub mod release;
pub mod repo;
pub mod report;
pub mod resolve;
pub mod revert;
pub mod start;
pub mod status;
pub mod stopped;
pub mod tag;
pub mod tags;
pub mod template;
pub mod version;

pub use config::Config;
pub use error::{Error, Result};
pub use gix::ObjectId;
pub use journal::Journal;
pub use repo::Repo;
pub use version::Version;
