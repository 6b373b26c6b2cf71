//! One module per subcommand: an `*Args` struct (its doc comment is the help) and a `cmd_*`.
//! A command never calls another: what two commands share is in `render/` (showing a
//! result) or `workflow/` (doing it).

pub mod abandon;
pub mod abort;
pub mod action;
pub mod assess;
pub mod backport;
pub mod check;
pub mod completions;
pub mod demo;
pub mod deploy;
pub mod finish;
pub mod init;
pub mod log;
pub mod man;
pub mod patch;
pub mod plugin;
pub mod report;
pub mod resume;
pub mod rollback;
pub mod skip;
pub mod start;
pub mod status;
pub mod tag;
