//! Write git-hotfix policies in Rust: implement a trait, export it with a macro, build for
//! `wasm32-wasip2`, and point `.hotfix.toml` at the `.wasm` with its sha256.
//!
//! ```ignore
//! use git_hotfix_plugin_sdk::*;
//!
//! struct Strict;
//!
//! impl SeverityPolicy for Strict {
//!     fn assess(incident: Incident) -> Result<Assessment, PluginError> {
//!         let urgent = incident.labels.iter().any(|l| l == "customer-facing");
//!         Ok(if urgent { level(Severity::P0) } else { level(Severity::P2) }
//!             .because(format!("labels: {}", incident.labels.join(", "))))
//!     }
//! }
//!
//! export_severity_policy!(Strict);
//! ```
//!
//! The generated WebAssembly bindings stay inside this crate: plugins see plain Rust types
//! and three traits, one per kind of policy, whose optional methods have defaults.

#[doc(hidden)]
pub mod __private {
    pub mod severity {
        wit_bindgen::generate!({
            path: "wit/v0.1.0",
            world: "severity-policy",
            pub_export_macro: true,
            export_macro_name: "export_severity",
            default_bindings_module: "$crate::__private::severity",
        });
    }
    pub mod version_files {
        wit_bindgen::generate!({
            path: "wit/v0.1.0",
            world: "version-files-policy",
            with: { "git-hotfix:plugin/types@0.1.0": crate::__private::severity::git_hotfix::plugin::types },
            pub_export_macro: true,
            export_macro_name: "export_version_files",
            default_bindings_module: "$crate::__private::version_files",
        });
    }
    pub mod deploy {
        wit_bindgen::generate!({
            path: "wit/v0.1.0",
            world: "deploy-policy",
            with: { "git-hotfix:plugin/types@0.1.0": crate::__private::severity::git_hotfix::plugin::types },
            pub_export_macro: true,
            export_macro_name: "export_deploy",
            default_bindings_module: "$crate::__private::deploy",
        });
    }
}

pub use __private::severity::git_hotfix::plugin::types::{
    Action, Answer, Assessment, DeployWindow, File, HttpCheck, Incident, PluginError, Question,
    QuestionKind, Release, RunStep, Severity, Step,
};

/// How urgent an incident is: the severity table of an organization.
pub trait SeverityPolicy {
    /// The policy's levels (one assessment per level, without reasons). By default none,
    /// which the host reads as the workflow's P0–P3 table (the one [`level`] gives).
    fn levels() -> Vec<Assessment> {
        Vec::new()
    }

    /// Questions the host asks before `assess`; none by default.
    fn questions() -> Vec<Question> {
        Vec::new()
    }

    fn assess(incident: Incident) -> Result<Assessment, PluginError>;
}

/// Reading and writing the version in the files a policy knows.
pub trait VersionFilesPolicy {
    /// Which of these repository paths the policy handles.
    fn detect(paths: Vec<String>) -> Vec<String>;

    fn read_version(file: File) -> Result<String, PluginError>;

    /// The file's new text: only the version changes.
    fn write_version(file: File, version: String) -> Result<String, PluginError>;
}

/// The steps of a deploy, a verification and a rollback.
pub trait DeployPolicy {
    fn plan(release: Release, action: Action) -> Result<Vec<Step>, PluginError>;
}

/// The default table's entry for a level: the clocks and deploy windows of git-hotfix's
/// workflow, with no reasons yet.
pub fn level(severity: Severity) -> Assessment {
    let (label, minutes, window, approvals, skip_staging) = match severity {
        Severity::P0 => (
            "security vulnerability",
            120,
            DeployWindow::Immediate,
            0,
            true,
        ),
        Severity::P1 => ("production down", 240, DeployWindow::SameDay, 1, false),
        Severity::P2 => (
            "major bug",
            24 * 60,
            DeployWindow::NextBusinessDay,
            1,
            false,
        ),
        Severity::P3 => (
            "business critical",
            48 * 60,
            DeployWindow::Scheduled,
            1,
            false,
        ),
    };
    Assessment {
        severity,
        label: label.into(),
        response_minutes: minutes,
        deploy_window: window,
        reasons: Vec::new(),
        approvals_required: approvals,
        skip_staging_allowed: skip_staging,
    }
}

/// Adding reasons to an assessment as it is built.
pub trait Because {
    fn because(self, reason: impl Into<String>) -> Self;
}

impl Because for Assessment {
    fn because(mut self, reason: impl Into<String>) -> Self {
        self.reasons.push(reason.into());
        self
    }
}

/// The answer given to question `id`, if any.
pub fn answer<'a>(incident: &'a Incident, id: &str) -> Option<&'a str> {
    incident
        .answers
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.value.as_str())
}

/// Export a [`SeverityPolicy`] as the plugin's severity world.
#[macro_export]
macro_rules! export_severity_policy {
    ($policy:ty) => {
        const _: () = {
            struct GitHotfixSeverity;
            impl $crate::__private::severity::exports::git_hotfix::plugin::severity::Guest
                for GitHotfixSeverity
            {
                fn levels() -> ::std::vec::Vec<$crate::Assessment> {
                    <$policy as $crate::SeverityPolicy>::levels()
                }
                fn questions() -> ::std::vec::Vec<$crate::Question> {
                    <$policy as $crate::SeverityPolicy>::questions()
                }
                fn assess(
                    incident: $crate::Incident,
                ) -> ::std::result::Result<$crate::Assessment, $crate::PluginError> {
                    <$policy as $crate::SeverityPolicy>::assess(incident)
                }
            }
            $crate::__private::severity::export_severity!(GitHotfixSeverity);
        };
    };
}

/// Export a [`VersionFilesPolicy`] as the plugin's version-files world.
#[macro_export]
macro_rules! export_version_files_policy {
    ($policy:ty) => {
        const _: () = {
            struct GitHotfixVersionFiles;
            impl $crate::__private::version_files::exports::git_hotfix::plugin::version_files::Guest
                for GitHotfixVersionFiles
            {
                fn detect(
                    paths: ::std::vec::Vec<::std::string::String>,
                ) -> ::std::vec::Vec<::std::string::String> {
                    <$policy as $crate::VersionFilesPolicy>::detect(paths)
                }
                fn read_version(
                    file: $crate::File,
                ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
                    <$policy as $crate::VersionFilesPolicy>::read_version(file)
                }
                fn write_version(
                    file: $crate::File,
                    version: ::std::string::String,
                ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
                    <$policy as $crate::VersionFilesPolicy>::write_version(file, version)
                }
            }
            $crate::__private::version_files::export_version_files!(GitHotfixVersionFiles);
        };
    };
}

/// Export a [`DeployPolicy`] as the plugin's deploy world.
#[macro_export]
macro_rules! export_deploy_policy {
    ($policy:ty) => {
        const _: () = {
            struct GitHotfixDeploy;
            impl $crate::__private::deploy::exports::git_hotfix::plugin::deploy::Guest
                for GitHotfixDeploy
            {
                fn plan(
                    release: $crate::Release,
                    action: $crate::Action,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::Step>, $crate::PluginError>
                {
                    <$policy as $crate::DeployPolicy>::plan(release, action)
                }
            }
            $crate::__private::deploy::export_deploy!(GitHotfixDeploy);
        };
    };
}
