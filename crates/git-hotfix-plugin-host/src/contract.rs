//! The contract's types as the host sees them, one Rust type per WIT type of
//! `wit/v0.1.0/plugin.wit`, spelled in JSON and TOML exactly as in the WIT (`deploy-window =
//! "next-business-day"`, `response-minutes`), so that `--json`, `plugin test` cases and the
//! contract use one spelling.
//!
//! They are written out rather than generated so that they can carry that spelling. They
//! cannot drift from the WIT unnoticed: every call checks the plugin's export against these
//! types (a mismatch is [`Error::Contract`](crate::Error::Contract)), and the host's tests
//! call every function of every world in plugins built from the WIT with the guest SDK.

use wasmtime::component::{ComponentType, Lift, Lower};

/// How a call failed, as the plugin sees it.
#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(variant)]
pub enum PluginError {
    #[component(name = "invalid-input")]
    InvalidInput(String),
    #[component(name = "unsupported")]
    Unsupported(String),
    #[component(name = "failed")]
    Failed(String),
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(enum)]
#[repr(u8)]
pub enum Severity {
    #[component(name = "p0")]
    P0,
    #[component(name = "p1")]
    P1,
    #[component(name = "p2")]
    P2,
    #[component(name = "p3")]
    P3,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(enum)]
#[repr(u8)]
pub enum DeployWindow {
    #[component(name = "immediate")]
    Immediate,
    #[component(name = "same-day")]
    SameDay,
    #[component(name = "next-business-day")]
    NextBusinessDay,
    #[component(name = "scheduled")]
    Scheduled,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(variant)]
pub enum QuestionKind {
    #[component(name = "yes-no")]
    YesNo,
    #[component(name = "choice")]
    Choice(Vec<String>),
    #[component(name = "text")]
    Text,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct Answer {
    pub id: String,
    pub value: String,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct Incident {
    pub ticket: String,
    pub title: String,
    pub description: String,
    pub labels: Vec<String>,
    pub answers: Vec<Answer>,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct Assessment {
    pub severity: Severity,
    pub label: String,
    #[component(name = "response-minutes")]
    pub response_minutes: u32,
    #[component(name = "deploy-window")]
    pub deploy_window: DeployWindow,
    pub reasons: Vec<String>,
    #[component(name = "approvals-required")]
    pub approvals_required: u32,
    #[component(name = "skip-staging-allowed")]
    pub skip_staging_allowed: bool,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct File {
    pub path: String,
    pub content: String,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(enum)]
#[repr(u8)]
pub enum Action {
    #[component(name = "deploy")]
    Deploy,
    #[component(name = "verify")]
    Verify,
    #[component(name = "rollback")]
    Rollback,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct Release {
    pub version: String,
    #[component(name = "previous-version")]
    pub previous_version: Option<String>,
    pub tag: String,
    pub environment: String,
    pub settings: Vec<(String, String)>,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct RunStep {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    #[component(name = "timeout-seconds")]
    pub timeout_seconds: u32,
    pub description: String,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(record)]
pub struct HttpCheck {
    pub url: String,
    #[component(name = "expect-status")]
    pub expect_status: u16,
    pub retries: u32,
    #[component(name = "interval-seconds")]
    pub interval_seconds: u32,
}

#[derive(
    ComponentType,
    Lift,
    Lower,
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[component(variant)]
pub enum Step {
    #[component(name = "run")]
    Run(RunStep),
    #[component(name = "http-check")]
    HttpCheck(HttpCheck),
    #[component(name = "wait")]
    Wait(u32),
    #[component(name = "confirm")]
    Confirm(String),
}

/// The workflow's table (WORKFLOW.md), for a severity policy whose `levels` answers
/// nothing: one assessment per level, without reasons.
pub fn workflow_levels() -> Vec<Assessment> {
    let level =
        |severity, label: &str, hours: u32, deploy_window, approvals, skip_staging| Assessment {
            severity,
            label: label.to_string(),
            response_minutes: hours * 60,
            deploy_window,
            reasons: Vec::new(),
            approvals_required: approvals,
            skip_staging_allowed: skip_staging,
        };
    vec![
        level(
            Severity::P0,
            "security vulnerability",
            2,
            DeployWindow::Immediate,
            0,
            true,
        ),
        level(
            Severity::P1,
            "production down",
            4,
            DeployWindow::SameDay,
            1,
            false,
        ),
        level(
            Severity::P2,
            "major bug",
            24,
            DeployWindow::NextBusinessDay,
            1,
            false,
        ),
        level(
            Severity::P3,
            "business critical",
            48,
            DeployWindow::Scheduled,
            1,
            false,
        ),
    ]
}
