//! What a team decided: `.hotfix.toml` on the production branch, git config `hotfix.*` and
//! flags, stacked; the policies they name; and what a fix changes of them.

pub mod config;
pub mod policy;
pub mod review;
pub mod severity;
