use clap::Args;
use git_hotfix_core::Journal;
use git_hotfix_core::records::notes;
use git_hotfix_core::views::incident::{self, minutes_text};

use crate::context::Context;
use crate::error::{Exit, Result};
use crate::ui::{DIM, GOOD, LATE, paint};

/// List past hotfixes from the notes in the repository: time to deploy, and whether it was
/// within the severity's target
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only incidents detected since then: `30 days ago`, `2026-01-01`, an RFC 3339 time
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

/// One hotfix, as the log shows it.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Row {
    ticket: String,
    description: String,
    severity: Option<String>,
    version: String,
    tag: String,
    detected: Option<jiff::Timestamp>,
    deployed: Option<jiff::Timestamp>,
    /// Detection to the production deploy.
    minutes_to_deploy: Option<i64>,
    target_minutes: Option<u32>,
    within_target: Option<bool>,
}

impl Row {
    fn of(journal: &Journal) -> Row {
        let detected = journal.detected_at();
        let deployed = incident::production_deployed(journal);
        let minutes = match (detected, deployed) {
            (Some(detected), Some(deployed)) => Some(deployed.duration_since(detected).as_mins()),
            _ => None,
        };
        let target = journal.assessment.as_ref().map(|a| a.response_minutes);
        Row {
            ticket: journal.ticket.clone(),
            description: journal.description.clone(),
            severity: journal.assessment.as_ref().map(|a| a.level().to_string()),
            version: journal.version.to_string(),
            tag: journal.tag.clone(),
            detected,
            deployed,
            minutes_to_deploy: minutes,
            target_minutes: target,
            within_target: minutes.zip(target).map(|(m, t)| m <= i64::from(t)),
        }
    }
}

pub fn cmd_log(context: &Context, args: LogArgs) -> Result<Exit> {
    let ui = &context.ui;
    let since = args
        .since
        .as_deref()
        .map(|text| crate::when::parse("--since", text, context.now))
        .transpose()?;
    let repo = context.repo()?;
    let (noted, unreadable) = notes::all(&repo)?;
    let rows: Vec<Row> = noted
        .iter()
        .map(|n| Row::of(&n.journal))
        .filter(|row| since.is_none_or(|since| row.detected.is_some_and(|d| d >= since)))
        .collect();
    if unreadable > 0 {
        ui.warn(format!(
            "{unreadable} note{} under {} could not be read (another tool's, or a newer git-hotfix's)",
            if unreadable == 1 { "" } else { "s" },
            notes::REF
        ));
    }

    let mut minutes: Vec<i64> = rows.iter().filter_map(|r| r.minutes_to_deploy).collect();
    minutes.sort_unstable();
    let median = match minutes.len() {
        0 => None,
        n if n % 2 == 1 => Some(minutes[n / 2]),
        n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2),
    };
    let mut per_severity = std::collections::BTreeMap::<String, usize>::new();
    for row in &rows {
        *per_severity
            .entry(row.severity.clone().unwrap_or_else(|| "unassessed".into()))
            .or_default() += 1;
    }
    let within = rows
        .iter()
        .filter(|r| r.within_target == Some(true))
        .count();
    let judged = rows.iter().filter(|r| r.within_target.is_some()).count();

    if ui.json_mode() {
        ui.json(&LogDocument {
            hotfixes: &rows,
            summary: Summary {
                count: rows.len(),
                per_severity,
                median_minutes_to_deploy: median,
                within_target: within,
                judged,
            },
        });
        return Ok(Exit::Ok);
    }
    if noted.is_empty() {
        ui.out("No hotfixes in the notes.");
        ui.hint(format!(
            "finished hotfixes are noted under {0}; in a clone, fetch them: `git fetch origin {0}:{0}`",
            notes::REF
        ));
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        ui.out(format!(
            "No hotfixes detected since then ({} in the notes).",
            noted.len()
        ));
        return Ok(Exit::Ok);
    }
    for row in &rows {
        let detected = row
            .detected
            .map_or("-".into(), |d| d.strftime("%Y-%m-%d %H:%M").to_string());
        let took = match (row.minutes_to_deploy, row.within_target, row.target_minutes) {
            (Some(m), Some(true), Some(t)) => paint(
                GOOD,
                format!(
                    "deployed in {} (within {})",
                    minutes_text(m),
                    minutes_text(t.into())
                ),
            ),
            (Some(m), Some(false), Some(t)) => paint(
                LATE,
                format!(
                    "deployed in {} (over {})",
                    minutes_text(m),
                    minutes_text(t.into())
                ),
            ),
            (Some(m), ..) => format!("deployed in {}", minutes_text(m)),
            (None, ..) => paint(DIM, "not deployed to production"),
        };
        ui.out(format!(
            "{:<12} {:<3} {:<10} {detected}  {took}  {}",
            row.ticket,
            row.severity.as_deref().unwrap_or("-"),
            row.version,
            paint(DIM, &row.description)
        ));
    }
    let counts: Vec<String> = per_severity
        .iter()
        .map(|(level, n)| format!("{level} {n}"))
        .collect();
    ui.out(format!(
        "{} hotfix{} ({}); median time to deploy {}; {within} of {judged} within target",
        rows.len(),
        if rows.len() == 1 { "" } else { "es" },
        counts.join(", "),
        median.map_or("-".into(), minutes_text),
    ));
    Ok(Exit::Ok)
}

/// `log`: every hotfix in the notes, and how fast they went.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct LogDocument<'a> {
    pub hotfixes: &'a [Row],
    pub summary: Summary,
}

impl crate::document::Document for LogDocument<'_> {
    const NAME: &'static str = "log";
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub count: usize,
    /// Hotfixes per severity (`unassessed` for those without one).
    pub per_severity: std::collections::BTreeMap<String, usize>,
    pub median_minutes_to_deploy: Option<i64>,
    /// Deployed within their severity's target, of those `judged`.
    pub within_target: usize,
    pub judged: usize,
}
