//! The hotfix workflow as the commands share it: the core's operations joined with what
//! lives outside the core — GitHub (`forge`), the policies (`policies`), the deploy steps
//! (`steps`) — and the prompts a person may answer. A command parses its flags, calls one of
//! these (or a core operation), and renders the result with `render`; no command calls
//! another. (These move into the core's `lifecycle` as GitHub, the policies and the
//! steps get ports there, as `finish` did.)

pub mod assess;
pub mod backport;
pub mod deploy;
