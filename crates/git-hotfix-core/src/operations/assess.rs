//! An incident's assessment as the team reads it: the severity policy's answer (P0–P3) laid
//! under the team's own table (`[[severity-levels]]`), its names, clocks and criteria; and the
//! level a person names by hand (`--severity CRITICAL`).

use crate::records::journal::Assessed;
use crate::settings::severity::{
    CONTRACT_LEVELS, DeployWindow, IncidentText, SeverityTable, mentions,
};

/// `policy`'s assessment as the team's table says it: the table's criteria may make it
/// more urgent (the most urgent placement wins, as in the policy), and the level gets the
/// team's name and clocks.
/// `levels` are the policy's entries per contract level, for the clocks of a level the
/// table's criteria chose.
pub fn place(
    table: &SeverityTable,
    policy: Assessed,
    levels: &[Assessed],
    incident: &IncidentText<'_>,
) -> Assessed {
    let from_policy = table.for_contract(&policy.severity);
    // (level, criterion, reason) for each criterion the incident mentions.
    let mut found: Vec<(usize, &str, String)> = Vec::new();
    for (index, level) in table.levels().iter().enumerate() {
        for criterion in &level.criteria {
            let places = [
                ("title", incident.title),
                ("description", incident.description),
            ]
            .into_iter()
            .map(|(place, text)| (format!("{place} mentions"), mentions(text, criterion)))
            .chain(std::iter::once((
                "labelled".to_string(),
                incident.labels.iter().any(|l| mentions(l, criterion)),
            )));
            if let Some((how, _)) = places.into_iter().find(|(_, hit)| *hit) {
                let reason = format!("{how} \"{criterion}\": {}", level.name);
                found.push((index, criterion, reason));
            }
        }
    }
    let most_urgent = found.iter().map(|(i, ..)| *i).min();
    match most_urgent {
        Some(index) if index < from_policy => {
            let decisive: Vec<&(usize, &str, String)> =
                found.iter().filter(|(i, ..)| *i == index).collect();
            let mut assessed = apply(table, index, entry(table, levels, index, &policy.by));
            // What the incident is, in the team's words: the criterion it matched.
            assessed.label = decisive[0].1.to_string();
            assessed.reasons = decisive.iter().map(|(.., reason)| reason.clone()).collect();
            assessed.by = format!("{} with the severity levels of .hotfix.toml", policy.by);
            assessed
        }
        _ => {
            let also: Vec<String> = found
                .into_iter()
                .filter(|(i, ..)| *i == from_policy)
                .map(|(.., reason)| reason)
                .collect();
            let mut assessed = apply(table, from_policy, policy);
            assessed.reasons.extend(also);
            assessed
        }
    }
}

/// The policy's entry for the contract level of the team's level `index`, or, when the
/// policy has none, the table's level alone.
fn entry(table: &SeverityTable, levels: &[Assessed], index: usize, by: &str) -> Assessed {
    let contract = CONTRACT_LEVELS[index];
    levels
        .iter()
        .find(|l| l.severity.eq_ignore_ascii_case(contract))
        .cloned()
        .unwrap_or_else(|| Assessed {
            severity: contract.to_string(),
            name: None,
            label: table.levels()[index].name.clone(),
            response_minutes: 0,
            deploy_window: DeployWindow::Scheduled.as_str().to_string(),
            reasons: Vec::new(),
            approvals_required: 0,
            skip_staging_allowed: false,
            by: by.to_string(),
        })
}

/// The team's level `index` on top of `base` (the policy's entry or verdict).
fn apply(table: &SeverityTable, index: usize, mut base: Assessed) -> Assessed {
    let level = &table.levels()[index];
    let contract = CONTRACT_LEVELS[index];
    if !base.severity.eq_ignore_ascii_case(contract) {
        base.reasons.push(format!(
            "the policy's {} is the team's {} ({contract})",
            base.severity, level.name
        ));
    }
    base.severity = contract.to_string();
    base.name = Some(level.name.clone());
    if let Some(within) = level.respond_within {
        base.response_minutes = u32::try_from(within.0.as_mins()).unwrap_or(u32::MAX);
    }
    if let Some(window) = level.deploy_window {
        base.deploy_window = window.as_str().to_string();
    }
    if let Some(skip) = level.skip_staging {
        base.skip_staging_allowed = skip;
    }
    if let Some(approvals) = level.approvals {
        base.approvals_required = approvals;
    }
    base
}

/// The level a person named (`start --severity CRITICAL`), from the policy's `levels` (its
/// entry per contract level, as the journal keeps them) and the team's table: a table
/// level's name or alias, a contract level (`P1`), the policy's own label for a level
/// (`production down`), or the common four names, CRITICAL, HIGH, MEDIUM and LOW for P0 to
/// P3. Case does not matter. `None` when nothing is called that.
pub fn choose(table: Option<&SeverityTable>, levels: &[Assessed], name: &str) -> Option<Assessed> {
    let name = name.trim();
    let policy_entry = |contract: &str| {
        levels
            .iter()
            .find(|l| l.severity.eq_ignore_ascii_case(contract))
            .cloned()
    };
    if let Some(table) = table {
        let named = table.levels().iter().position(|level| {
            std::iter::once(&level.name)
                .chain(&level.aliases)
                .any(|n| n.trim().eq_ignore_ascii_case(name))
        });
        let index = named.or_else(|| {
            CONTRACT_LEVELS
                .iter()
                .position(|l| l.eq_ignore_ascii_case(name))
                .filter(|i| *i < table.levels().len())
        })?;
        let mut chosen = apply(table, index, entry(table, levels, index, ""));
        // Chosen by hand: no kind of incident was judged; the level is told by its criteria.
        let level = &table.levels()[index];
        chosen.label = match level.criteria.is_empty() {
            true => level.name.clone(),
            false => level.criteria.join(", "),
        };
        return Some(chosen);
    }
    let common = match name.to_ascii_uppercase().as_str() {
        "CRITICAL" => Some("P0"),
        "HIGH" => Some("P1"),
        "MEDIUM" => Some("P2"),
        "LOW" => Some("P3"),
        _ => None,
    };
    policy_entry(name)
        .or_else(|| {
            levels
                .iter()
                .find(|l| l.label.eq_ignore_ascii_case(name))
                .cloned()
        })
        .or_else(|| common.and_then(policy_entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::severity::SeverityTable;

    /// The Flutter monorepo's Hotfix Process: CRITICAL / HIGH / MEDIUM with its own times.
    fn hotfix_process() -> SeverityTable {
        toml::from_str::<std::collections::BTreeMap<String, SeverityTable>>(
            r#"
            [[levels]]
            name = "CRITICAL"
            aliases = ["SEV1"]
            respond-within = "1h"
            deploy-window = "immediate"
            skip-staging = true
            criteria = ["service down", "data loss", "security", "服务宕机"]
            [[levels]]
            name = "HIGH"
            respond-within = "4h"
            deploy-window = "same-day"
            criteria = ["major feature"]
            [[levels]]
            name = "MEDIUM"
            respond-within = "24h"
            deploy-window = "next-business-day"
            "#,
        )
        .unwrap()
        .remove("levels")
        .unwrap()
    }

    fn policy(severity: &str, label: &str) -> Assessed {
        Assessed {
            severity: severity.into(),
            name: None,
            label: label.into(),
            response_minutes: 120,
            deploy_window: "immediate".into(),
            reasons: vec![format!("policy says {severity}")],
            approvals_required: 1,
            skip_staging_allowed: true,
            by: "builtin:severity".into(),
        }
    }

    fn text<'a>(title: &'a str, labels: &'a [String]) -> IncidentText<'a> {
        IncidentText {
            title,
            description: "",
            labels,
        }
    }

    #[test]
    fn the_policys_level_gets_the_teams_name_and_clocks() {
        let table = hotfix_process();
        let crash = place(
            &table,
            policy("P1", "app crash"),
            &[],
            &text("app crash on start", &[]),
        );
        assert_eq!(crash.severity, "P1");
        assert_eq!(crash.name.as_deref(), Some("HIGH"));
        assert_eq!(crash.label, "app crash");
        assert_eq!(
            (crash.response_minutes, crash.deploy_window.as_str()),
            (240, "same-day")
        );
        // The team has no fourth level: a P3 is its least urgent, and the reasons say so.
        let low = place(&table, policy("P3", "cosmetic"), &[], &text("typo", &[]));
        assert_eq!(
            (low.severity.as_str(), low.name.as_deref()),
            ("P2", Some("MEDIUM"))
        );
        assert!(
            low.reasons.iter().any(|r| r.contains("team's MEDIUM")),
            "{low:?}"
        );
    }

    #[test]
    fn the_tables_criteria_make_an_incident_more_urgent_never_less() {
        let table = hotfix_process();
        let levels = [policy("P0", "security vulnerability")];
        let down = place(
            &table,
            policy("P2", "major bug"),
            &levels,
            &text("Service down in eu-west", &[]),
        );
        assert_eq!(
            (down.severity.as_str(), down.name.as_deref()),
            ("P0", Some("CRITICAL"))
        );
        assert_eq!(down.label, "service down");
        assert!(
            down.by
                .ends_with("with the severity levels of .hotfix.toml")
        );
        assert_eq!(down.reasons, ["title mentions \"service down\": CRITICAL"]);
        assert_eq!(down.response_minutes, 60);
        let zh = place(
            &table,
            policy("P2", "major bug"),
            &levels,
            &text("支付服务宕机", &[]),
        );
        assert_eq!(zh.name.as_deref(), Some("CRITICAL"));
        let labelled = place(
            &table,
            policy("P2", "x"),
            &levels,
            &text("x", &["Security".into()]),
        );
        assert_eq!(labelled.reasons, ["labelled \"security\": CRITICAL"]);
        // A policy's P0 stays P0 whatever the table's lesser criteria say.
        let leak = place(
            &table,
            policy("P0", "data exposed"),
            &levels,
            &text("major feature leak", &[]),
        );
        assert_eq!(leak.name.as_deref(), Some("CRITICAL"));
        assert_eq!(leak.label, "data exposed");
    }

    #[test]
    fn a_person_names_a_level_as_the_team_does() {
        let table = hotfix_process();
        let levels = [
            policy("P0", "security vulnerability"),
            policy("P1", "production down"),
        ];
        let critical = choose(Some(&table), &levels, "critical").unwrap();
        assert_eq!(
            (critical.severity.as_str(), critical.response_minutes),
            ("P0", 60)
        );
        assert_eq!(
            choose(Some(&table), &levels, "SEV1")
                .unwrap()
                .name
                .as_deref(),
            Some("CRITICAL")
        );
        assert_eq!(
            choose(Some(&table), &levels, "p2").unwrap().name.as_deref(),
            Some("MEDIUM")
        );
        assert_eq!(choose(Some(&table), &levels, "P3"), None);
        assert_eq!(choose(Some(&table), &levels, "LOW"), None);
        // Without a table: the contract's names, the policy's labels, the common four.
        assert_eq!(choose(None, &levels, "high").unwrap().severity, "P1");
        assert_eq!(
            choose(None, &levels, "Production Down").unwrap().severity,
            "P1"
        );
        assert_eq!(choose(None, &levels, "P3"), None);
    }
}
