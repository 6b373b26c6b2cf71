//! Read-only answers from the journal and the repository: status, the incident's clock and
//! checklist, what production runs, pull request bodies and reports.

pub mod deployed;
pub mod escalation;
pub mod incident;
pub mod production;
pub mod pull;
pub mod report;
pub mod status;
