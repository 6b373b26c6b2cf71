//! The commands that write: each plans in memory, then runs through the engine.

pub mod abandon;
pub mod assess;
pub mod backport;
pub mod check;
pub mod deploy;
pub mod finish;
pub mod init;
pub mod patch_apply;
pub mod patch_export;
pub mod pin;
pub mod release;
pub mod remote;
pub mod revert;
pub mod start;
pub mod stopped;
pub mod tag;
