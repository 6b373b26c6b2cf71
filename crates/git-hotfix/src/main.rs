//! `git hotfix`: emergency releases as a git subcommand.
//!
//! The binary over `git-hotfix-core`, from the top down: `cli` parses and dispatches;
//! `commands/` has one module per subcommand (its flags, a call, its output) and no command
//! calls another; `workflow/` joins the core's operations with what lives outside it
//! (GitHub in `forge`, the policies in `policies`, the deploy steps in `steps`); `render/`
//! shows a result the same wherever it is shown; `context`, `args`, `error` and `ui` are
//! what all of them share.

mod args;
mod audit;
mod cli;
mod commands;
mod context;
mod document;
mod error;
mod forge;
mod http;
mod policies;
mod render;
mod runs;
mod steps;
mod ui;
mod when;
mod workflow;

fn main() -> std::process::ExitCode {
    cli::run()
}

/// The layering above, held: what a module may not name, by where it stands.
#[cfg(test)]
mod layers {
    use std::path::Path;

    /// Folders and what their files never name; the files at the top (but `main` and `cli`)
    /// are shared by all, so they name none of the four.
    const RULES: &[(&str, &[&str])] = &[
        ("commands", &["crate::commands", "crate::cli"]),
        ("workflow", &["crate::commands", "crate::cli"]),
        (
            "render",
            &["crate::commands", "crate::cli", "crate::workflow"],
        ),
        (
            "",
            &[
                "crate::commands",
                "crate::cli",
                "crate::workflow",
                "crate::render",
            ],
        ),
    ];

    fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn no_command_uses_another_and_nothing_shared_uses_a_command() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let shown = relative.to_string_lossy();
            if shown == "main.rs" || shown == "cli.rs" {
                continue;
            }
            let folder = match relative.components().count() {
                1 => String::new(),
                _ => relative
                    .iter()
                    .next()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            };
            let (_, never) = RULES.iter().find(|(f, _)| *f == folder).unwrap_or_else(|| {
                panic!(
                    "{} is in no layer: add its folder to RULES",
                    relative.display()
                )
            });
            let text = std::fs::read_to_string(file).unwrap();
            for name in never.iter().filter(|n| text.contains(&format!("{n}::"))) {
                wrong.push(format!("{} names {name}", relative.display()));
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    }
}

/// The JSON Schemas of the `--json` documents, generated from their types into
/// `docs/schema/` (`GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix schemas` rewrites them):
/// the files cannot drift from what the commands print, and the tests validate every
/// document they read against them.
#[cfg(test)]
mod schemas {
    use std::path::Path;

    use crate::commands::{self, patch, plugin};
    use crate::document::{Document, Planned, Printed, schema_id};
    use crate::render;

    /// The schema of what `D` serializes to (rather than of what would deserialize to it: a
    /// field skipped when empty is not required).
    fn schema_for<T: schemars::JsonSchema>() -> serde_json::Value {
        schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<T>()
            .to_value()
    }

    fn schema_of<D: Document + 'static>() -> (String, String) {
        let mut schema = schema_for::<Printed<'static, D>>();
        schema["$id"] = schema_id::<D>().into();
        schema["title"] = D::NAME.into();
        // What the document is, rather than what every printed document is; a plan's is
        // what its `plan` is.
        let mut about = schema_for::<D>()["description"].clone();
        if about == schema_for::<Planned<'static, ()>>()["description"] {
            let plan = schema["properties"]["plan"]["$ref"].as_str().unwrap_or("");
            let of_plan = &schema["$defs"][plan.trim_start_matches("#/$defs/")]["description"];
            let of_plan = of_plan.as_str().unwrap_or("What it would do.");
            let mut chars = of_plan.chars();
            let first = chars.next().map(|c| c.to_lowercase().collect::<String>());
            about = format!(
                "`--plan`, nothing done: {}{}",
                first.unwrap_or_default(),
                chars.as_str()
            )
            .into();
        }
        schema["description"] = about;
        // A document's `schema` is its own name, not any string.
        schema["properties"]["schema"] = serde_json::json!({ "const": schema_id::<D>() });
        let text = serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n";
        (format!("{}.json", D::NAME), text)
    }

    macro_rules! schemas {
        ($($document:ty),* $(,)?) => { vec![$(schema_of::<$document>()),*] };
    }

    /// The facts `report --format json` writes (a report's input, not a `--json` document).
    fn facts() -> (String, String) {
        let mut schema = schema_for::<git_hotfix_core::views::report::Facts>();
        schema["$id"] = "git-hotfix/report-facts".into();
        schema["title"] = "report-facts".into();
        let text = serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n";
        ("report-facts.json".to_string(), text)
    }

    fn all() -> Vec<(String, String)> {
        let mut all = documents();
        all.push(facts());
        all
    }

    fn documents() -> Vec<(String, String)> {
        schemas![
            crate::document::Failure,
            render::backport::BackportDocument<'static>,
            Planned<'static, render::backport::SkippedLine>,
            render::patch::PatchApplyDocument<'static>,
            Planned<'static, git_hotfix_core::operations::patch_apply::PatchRun>,
            Planned<'static, render::patch::Continued<'static>>,
            Planned<'static, render::patch::Skipped<'static>>,
            render::finish::FinishDocument<'static>,
            render::finish::FinishPlanDocument<'static>,
            render::finish::FinishedAlreadyDocument<'static>,
            render::finish::ProposePlanDocument<'static>,
            render::finish::ProposedDocument<'static>,
            render::finish::AfterMergePlanDocument<'static>,
            Planned<'static, git_hotfix_core::operations::finish::ResumePreview>,
            crate::workflow::deploy::DeployPlanDocument<'static>,
            crate::workflow::deploy::DeployDocument<'static>,
            commands::abandon::AbandonDocument<'static>,
            commands::abort::AbortDocument<'static>,
            Planned<'static, git_hotfix_core::operations::stopped::Aborted>,
            commands::assess::AssessDocument<'static>,
            commands::check::CheckDocument<'static>,
            commands::completions::Completions<'static>,
            commands::demo::DemoDocument<'static>,
            Planned<'static, commands::demo::DemoPlan<'static>>,
            commands::init::InitDocument<'static>,
            commands::log::LogDocument<'static>,
            commands::man::ManPage<'static>,
            commands::man::ManPages<'static>,
            patch::export::ExportDocument<'static>,
            plugin::cache::CacheDocument<'static>,
            plugin::call::CallDocument<'static>,
            plugin::check::CheckDocument<'static>,
            plugin::list::ListDocument,
            plugin::new::NewDocument<'static>,
            plugin::pin::PinDocument<'static>,
            plugin::plan::PluginPlanDocument<'static>,
            plugin::test::TestDocument<'static>,
            commands::report::ReportDocument<'static>,
            Planned<'static, git_hotfix_core::operations::revert::RevertPlan>,
            commands::start::StartDocument<'static>,
            commands::status::StatusDocument<'static>,
            commands::status::StatusAllDocument<'static>,
            commands::tag::TagDocument<'static>,
            commands::tag::TagPlanDocument<'static>,
        ]
    }

    #[test]
    fn docs_schema_holds_what_the_types_generate() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema");
        let schemas = all();
        let write = std::env::var_os("GIT_HOTFIX_WRITE_DOCS").is_some();
        if write {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let mut stale = Vec::new();
        for (name, text) in &schemas {
            let path = dir.join(name);
            if write {
                std::fs::write(&path, text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_ref() != Some(text) {
                stale.push(name.clone());
            }
        }
        // A file no type generates is a document that went away.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !schemas.iter().any(|(known, _)| *known == name) {
                match write {
                    true => std::fs::remove_file(dir.join(&name)).unwrap(),
                    false => stale.push(name),
                }
            }
        }
        assert!(
            stale.is_empty(),
            "docs/schema/ is not what the types generate ({}): run `GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix schemas`",
            stale.join(", ")
        );
    }

    /// docs/json.md's list of the documents, between its markers: each with what it is.
    #[test]
    fn docs_json_lists_every_document() {
        const BEGIN: &str = "<!-- generated from the document types: GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix schemas -->\n";
        const END: &str = "<!-- end of the generated list -->\n";
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/json.md");
        let page = std::fs::read_to_string(&path).unwrap();
        let (Some(begin), Some(end)) = (page.find(BEGIN), page.find(END)) else {
            panic!("docs/json.md has lost its markers");
        };
        let mut list = String::from("\n| `schema` | What it holds |\n|---|---|\n");
        let mut documents = documents();
        documents.sort();
        for (file, text) in documents {
            let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
            let about = schema["description"]
                .as_str()
                .unwrap_or("")
                .replace('\n', " ");
            let name = file.trim_end_matches(".json");
            list.push_str(&format!(
                "| [`git-hotfix/{name}/v1`](schema/{file}) | {} |\n",
                about.replace('|', "\\|")
            ));
        }
        list.push('\n');
        let generated = format!("{}{BEGIN}{list}{}", &page[..begin], &page[end..]);
        if std::env::var_os("GIT_HOTFIX_WRITE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        assert!(
            page == generated,
            "docs/json.md's list is not the documents': run `GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix schemas`"
        );
    }

    #[test]
    fn each_document_has_a_name_of_its_own() {
        let mut names: Vec<String> = all().into_iter().map(|(name, _)| name).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "two documents share a name");
    }
}
