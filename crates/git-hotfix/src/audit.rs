//! The hotfix notes (the audit trail under `refs/notes/hotfix`) follow a release to the
//! remote it was pushed to, after every command that adds to a finished hotfix's record.

use git_hotfix_core::operations::finish::FinishOutcome;
use git_hotfix_core::records::notes;
use git_hotfix_core::{Journal, Repo};

use crate::context::Context;

/// Push the notes where `journal`'s release went; a failure is a warning, not an error:
/// the command's own work is done, and the notes stay here for the next push.
pub fn share(context: &Context, repo: &Repo, journal: &Journal) {
    let Some((_, remote)) = journal.release_pushed() else {
        return;
    };
    // Settings that do not load were named by the command already.
    if !context.config(repo).is_ok_and(|config| config.push_notes) {
        return;
    }
    match notes::publish(repo, remote) {
        Ok(true) => context.ui.status(
            "Pushed",
            format!("the hotfix notes ({}) to {remote}", notes::REF),
        ),
        Ok(false) => {}
        Err(err) => {
            context.ui.warn(format!(
                "the hotfix notes were not pushed to {remote}: {err}"
            ));
            context.ui.hint(format!(
                "they are kept here and go with the next command on this hotfix; or `git push {remote} {}`",
                notes::REF
            ));
        }
    }
}

/// Once a finish is done (a run stopped on a conflict is not), its notes go where its
/// release went.
pub fn share_finished(context: &Context, repo: &Repo, journal: &Journal, outcome: &FinishOutcome) {
    if !matches!(outcome, FinishOutcome::Stopped { .. }) {
        share(context, repo, journal);
    }
}
