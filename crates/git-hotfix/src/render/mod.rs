//! How the commands show the core's typed results: text for a person, one JSON document
//! for `--json`. Shared by every command that shows the same kind of result (`finish` and
//! `continue`, `backport` and the action), so that a result reads the same wherever it is
//! shown.

use git_hotfix_core::Journal;
use git_hotfix_core::records::journal::Assessed;
use git_hotfix_plugin_host::{DeployWindow, Severity};

use crate::context::Context;

pub mod backport;
pub mod finish;
pub mod patch;
pub mod remote;

/// Tell which hotfix a command took when none was named and no incident is open.
pub fn say_picked(context: &Context, journal: &Journal) {
    context.ui.hint(format!(
        "{} ({}): the most recent hotfix, its production verified; `--hotfix <ticket>` names another",
        journal.ticket, journal.version
    ));
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::P0 => "P0",
        Severity::P1 => "P1",
        Severity::P2 => "P2",
        Severity::P3 => "P3",
    }
}

pub fn window_name(window: DeployWindow) -> &'static str {
    match window {
        DeployWindow::Immediate => "immediate",
        DeployWindow::SameDay => "same-day",
        DeployWindow::NextBusinessDay => "next-business-day",
        DeployWindow::Scheduled => "scheduled",
    }
}

/// `2h`, `24h`, `45m`.
pub fn duration_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// One line: `P0 · Critical: respond within 1h, deploy immediate`.
pub fn summary(assessed: &Assessed) -> String {
    format!(
        "{} · {}: respond within {}, deploy {}",
        assessed.level(),
        assessed.label,
        duration_text(assessed.response_minutes),
        assessed.deploy_window.replace('-', " ")
    )
}
