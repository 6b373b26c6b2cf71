//! What is kept of a hotfix: its journal under `.git/hotfix/`, and its note in the
//! repository once it is finished.

pub mod carried;
pub mod fix;
pub mod journal;
pub mod notes;
pub mod run;
