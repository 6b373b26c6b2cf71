//! `plugin call`: one call of a plugin, its input given on the command line as a case
//! file's `[input]` would give it, for trying a policy without cases or commits.

use clap::Args;
use git_hotfix_plugin_host::Wasm;
use serde_json::Value;

use super::test::{Call, call};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;

/// Call a plugin once with input given here, and print its answer and what it cost
#[derive(Debug, Args)]
pub struct CallArgs {
    /// A .wasm component, or a built-in such as `builtin:severity`
    pub plugin: String,
    /// The call, as the contract names it
    #[arg(value_enum)]
    pub call: Call,
    /// The input as `key=value`, as a case's `[input]` has it: `title="auth bypass"`,
    /// `answers.down=yes`, `labels=["security"]`, `release.settings.deploy="./d.sh"`. A value
    /// that is not TOML is text.
    #[arg(value_name = "KEY=VALUE")]
    pub input: Vec<String>,
}

/// `plugin call`: the answer, or the plugin's error, and the fuel and time it took.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct CallDocument<'a> {
    pub plugin: &'a str,
    pub sha256: &'a str,
    pub call: Call,
    pub input: &'a Value,
    pub answer: Option<Value>,
    pub error: Option<String>,
    pub fuel: Option<u64>,
    pub micros: Option<u128>,
}

impl crate::document::Document for CallDocument<'_> {
    const NAME: &'static str = "plugin-call";
}

pub fn cmd_call(context: &Context, args: CallArgs) -> Result<Exit> {
    let ui = &context.ui;
    let input = input_of(&args.input)?;
    let bytes = policies::read_named(&args.plugin, &context.cwd)?;
    let host = policies::host_here(context)?;
    let plugin = policies::compile(ui, &host, &args.plugin, Wasm::new(&bytes))?;
    let called = call(&host, &plugin, args.call, input.clone()).map_err(|problem| {
        CommandError::usage(problem)
            .hint("`git hotfix plugin call --help` shows how input is written")
    })?;
    let mut document = CallDocument {
        plugin: &args.plugin,
        sha256: &plugin.sha256,
        call: args.call,
        input: &input,
        answer: None,
        error: None,
        fuel: None,
        micros: None,
    };
    let failure = match called {
        Ok(called) => {
            if !ui.json_mode() {
                let pretty = serde_json::to_string_pretty(&called.value).unwrap_or_default();
                ui.out(pretty);
                ui.status(
                    "Called",
                    format!(
                        "{} in {:.2} ms, {} fuel",
                        args.plugin,
                        called.duration.as_secs_f64() * 1000.0,
                        called.fuel_used
                    ),
                );
            }
            document.fuel = Some(called.fuel_used);
            document.micros = Some(called.duration.as_micros());
            document.answer = Some(called.value);
            None
        }
        Err(error) => {
            document.error = Some(error.to_string());
            Some(policies::plugin_error(error))
        }
    };
    ui.conclude(&document, failure)
}

/// `key=value` pairs as a TOML table, then as the JSON a case's `[input]` becomes: dotted
/// keys are tables, a value that does not parse as TOML is text.
fn input_of(pairs: &[String]) -> Result<Value> {
    let mut table = toml::Table::new();
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=') else {
            return Err(CommandError::usage(format!("`{pair}` is not KEY=VALUE"))
                .hint("e.g. `title=\"auth bypass\"` or `answers.down=yes`"));
        };
        let value = toml::from_str::<toml::Table>(&format!("v = {text}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(text.to_string()));
        let path: Vec<&str> = key.trim().split('.').collect();
        if path.iter().any(|part| part.is_empty()) {
            return Err(CommandError::usage(format!("`{key}` is not a key")));
        }
        let (last, tables) = path.split_last().expect("split gives one part at least");
        let mut slot = &mut table;
        for part in tables {
            let entry = slot
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            slot = entry.as_table_mut().ok_or_else(|| {
                CommandError::usage(format!("`{key}`: `{part}` is given as a value already"))
            })?;
        }
        slot.insert(last.to_string(), value);
    }
    serde_json::to_value(&table)
        .map_err(|err| CommandError::usage(format!("the input cannot be read: {err}")))
}
