//! The repository and what git does to it: refs moved by compare-and-swap, merges and picks
//! in the object database, diffs, pushes, and the worktrees a person works in.

pub mod apply;
pub mod cli;
pub mod diff;
pub(crate) mod directory_renames;
pub mod merge;
pub mod parameters;
pub mod pick;
pub mod push;
pub mod refs;
pub mod repo;
pub mod resolve;
pub mod sync;
pub mod tags;
pub mod worktree;
