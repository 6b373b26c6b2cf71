//! The hotfix workflow as the commands share it: the core's operations joined with what
//! lives outside the core — GitHub (`forge`), the policies (`policies`), the deploy steps
//! (`steps`) — and the prompts a person may answer. A command parses its flags, calls one of
//! these (or a core operation), and renders the result with `render`; no command calls
//! another. (These move into the core as GitHub, the policies and the steps get traits
//! there, as `engine::Forge` is for pull requests.)

pub mod assess;
pub mod backport;
pub mod deploy;
pub mod finish;
pub mod pull_request;
