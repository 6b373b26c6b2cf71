//! A hotfix's way from a command's arguments to its next state. The operations below do
//! one thing each (plan a finish, run it, propose it, tag what merged); here they are put
//! in the order the workflow takes, with what goes to GitHub between them, so that a
//! command parses its flags, makes one call and renders the typed answer, and the bot
//! (`git hotfix action`) takes the same way.

pub mod backport;
pub mod bot;
pub mod check;
pub mod finish;
pub mod github;
