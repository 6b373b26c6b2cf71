//! What everything else is written in: errors, object ids, versions, templates, names, and
//! the text formats (changelogs, patch mails). Nothing here opens a repository.

pub mod changelog;
pub mod clock;
pub mod error;
pub mod messages;
pub mod names;
pub mod oid;
pub mod patch;
pub mod redact;
pub mod template;
pub mod version;
