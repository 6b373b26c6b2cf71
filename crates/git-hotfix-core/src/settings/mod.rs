//! What a team decided: `.hotfix.toml` on the production branch, git config `hotfix.*` and
//! flags, stacked; and the policies they name.

pub mod config;
pub mod policy;
