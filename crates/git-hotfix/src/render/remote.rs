//! What going to the remote did: the branches fetched, the local ones caught up, or that
//! the command decides from local state.

use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::operations::remote::CaughtUp;

use crate::context::Context;

pub fn caught_up(context: &Context, caught_up: Option<&CaughtUp>) {
    let ui = &context.ui;
    match caught_up {
        None => {}
        Some(CaughtUp::Offline { remote }) => ui.status(
            "Offline",
            format!("deciding from local state: nothing fetched from {remote}"),
        ),
        Some(CaughtUp::Local { remote, branches }) => ui.status(
            "Local",
            format!(
                "a plan reads local state: the run fetches {} from {remote} first",
                branches.join(", ")
            ),
        ),
        Some(CaughtUp::Synced(synced)) => {
            let remote = &synced.remote;
            if !synced.fetched.is_empty() {
                ui.status(
                    "Fetched",
                    format!("{} from {remote}", synced.fetched.join(", ")),
                );
            }
            if !synced.tracked.is_empty() {
                ui.status(
                    "Branched",
                    format!(
                        "{} from {remote} (this clone had no such branch)",
                        synced.tracked.join(", ")
                    ),
                );
            }
            for moved in &synced.fast_forwarded {
                ui.status(
                    "Caught up",
                    format!(
                        "{} with {remote}/{} ({} → {})",
                        moved.branch,
                        moved.branch,
                        short(moved.from),
                        short(moved.to)
                    ),
                );
            }
        }
    }
}

/// The deploys other clones recorded could not be read: the command decides from this
/// clone's.
pub fn records_not_refreshed(context: &Context, remote: &str, err: &git_hotfix_core::Error) {
    context.ui.warn(format!(
        "the deploys other clones recorded could not be read from {remote}: deciding from this clone's ({err})"
    ));
}
