//! `plugin test`: a plugin against a directory of cases, one call each.
//!
//! ```toml
//! call = "assess"   # levels, questions, assess, detect, read-version, write-version, plan
//! [input]           # the call's arguments; what is left out is empty
//! title = "auth bypass on login"
//! answers = { down = "no" }
//! [expect]          # what the answer must hold (fields not named are not compared)
//! severity = "p0"   # names as the contract (wit/) spells them: `deploy-window = "same-day"`
//! ```
//! or `expect-error = "invalid-input"`: the call fails with that case of the plugin-error,
//! or with a message containing that text.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use git_hotfix_plugin_host::{Action, Called, File, Host, Incident, Plugin, Release, Wasm};
use serde_json::{Value, json};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::ui::{EMPHASIS, paint};

/// Run a plugin against input and expected-output cases, with the fuel each call used
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A .wasm component, or a built-in such as `builtin:severity`
    pub plugin: String,
    /// A directory of cases: `*.toml` files, each a call, its input and the expected answer
    #[arg(long, value_name = "DIR")]
    pub cases: PathBuf,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Case {
    call: Call,
    #[serde(default)]
    input: toml::Table,
    expect: Option<toml::Value>,
    expect_error: Option<String>,
}

/// A call of the contract, as case files and `plugin call` name it.
#[derive(
    Debug, Clone, Copy, serde::Deserialize, serde::Serialize, schemars::JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Call {
    Levels,
    Questions,
    Assess,
    Detect,
    ReadVersion,
    WriteVersion,
    Plan,
}

/// `plugin test`: each case, passed or why not, with what it cost.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct TestDocument<'a> {
    pub plugin: &'a str,
    pub sha256: &'a str,
    pub passed: usize,
    pub failed: usize,
    pub cases: &'a [Outcome],
}

impl crate::document::Document for TestDocument<'_> {
    const NAME: &'static str = "plugin-test";
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Outcome {
    case: String,
    call: Option<Call>,
    passed: bool,
    /// Why it failed: a mismatch, an unexpected error, or a case file that does not parse.
    problem: Option<String>,
    answer: Option<Value>,
    fuel: Option<u64>,
    micros: Option<u128>,
}

pub fn cmd_test(context: &Context, args: TestArgs) -> Result<Exit> {
    let ui = &context.ui;
    let bytes = policies::read_named(&args.plugin, &context.cwd)?;
    let host = policies::host_here(context)?;
    let plugin = policies::compile(ui, &host, &args.plugin, Wasm::new(&bytes))?;
    let dir = context.absolute(&args.cases);
    let files = case_files(&dir)?;

    let outcomes: Vec<Outcome> = files
        .iter()
        .map(|path| run_case(&host, &plugin, path))
        .collect();
    let failed = outcomes.iter().filter(|o| !o.passed).count();

    if !ui.json_mode() {
        let width = outcomes.iter().map(|o| o.case.len()).max().unwrap_or(0);
        for outcome in &outcomes {
            let mark = if outcome.passed { "ok  " } else { "FAIL" };
            let call = outcome
                .call
                .and_then(|c| serde_json::to_value(c).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let cost = match (outcome.fuel, outcome.micros) {
                (Some(fuel), Some(micros)) => format!(
                    "{fuel:>12} fuel  {:>7.2} ms",
                    Duration::from_micros(micros as u64).as_secs_f64() * 1000.0
                ),
                _ => String::new(),
            };
            ui.out(format!(
                "  {mark}  {:<width$}  {call:<13}  {cost}",
                outcome.case
            ));
            if let Some(problem) = &outcome.problem {
                ui.out(format!("        {problem}"));
                if let Some(answer) = &outcome.answer {
                    ui.out(format!("        the answer: {answer}"));
                }
            }
        }
        ui.out(format!(
            "{} case{}: {} passed, {failed} failed",
            outcomes.len(),
            if outcomes.len() == 1 { "" } else { "s" },
            outcomes.len() - failed
        ));
    }
    let failure = (failed > 0).then(|| {
        CommandError::new(
            Exit::Error,
            format!(
                "{failed} of {} cases failed for {}",
                outcomes.len(),
                paint(EMPHASIS, &args.plugin)
            ),
        )
    });
    let document = TestDocument {
        plugin: &args.plugin,
        sha256: &plugin.sha256,
        passed: outcomes.len() - failed,
        failed,
        cases: &outcomes,
    };
    ui.conclude(&document, failure)
}

fn case_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        CommandError::usage(format!(
            "could not read the cases in {}: {err}",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CommandError::usage(format!(
            "there are no cases (*.toml) in {}",
            dir.display()
        ))
        .hint("a case is a TOML file: call = \"assess\", [input] ..., [expect] ..."));
    }
    Ok(files)
}

fn run_case(host: &Host, plugin: &Plugin, path: &Path) -> Outcome {
    let mut outcome = Outcome {
        case: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        call: None,
        passed: false,
        problem: None,
        answer: None,
        fuel: None,
        micros: None,
    };
    let case = match read_case(path) {
        Ok(case) => case,
        Err(problem) => {
            outcome.problem = Some(problem);
            return outcome;
        }
    };
    outcome.call = Some(case.call);
    let input = serde_json::to_value(&case.input).unwrap_or(Value::Null);
    let called = match call(host, plugin, case.call, input) {
        Ok(called) => called,
        Err(problem) => {
            outcome.problem = Some(problem);
            return outcome;
        }
    };
    match called {
        Ok(called) => {
            outcome.fuel = Some(called.fuel_used);
            outcome.micros = Some(called.duration.as_micros());
            outcome.problem = match (&case.expect, &case.expect_error) {
                (_, Some(wanted)) => Some(format!(
                    "expected an error containing {wanted:?}, got an answer"
                )),
                (Some(expected), None) => {
                    let expected = serde_json::to_value(expected).unwrap_or(Value::Null);
                    mismatch(&expected, &called.value, "answer")
                }
                (None, None) => unreachable!("read_case requires one"),
            };
            outcome.answer = Some(called.value);
        }
        Err(error) => {
            let message = error.to_string();
            outcome.problem = match &case.expect_error {
                Some(wanted) if message.contains(wanted.as_str()) => None,
                Some(wanted) if plugin_error_case(&error) == Some(wanted.as_str()) => None,
                Some(wanted) => Some(format!(
                    "expected an error containing {wanted:?}, got: {message}"
                )),
                None => Some(format!("the call failed: {message}")),
            };
        }
    }
    outcome.passed = outcome.problem.is_none();
    outcome
}

fn read_case(path: &Path) -> std::result::Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("could not read it: {err}"))?;
    let case: Case =
        toml::from_str(&text).map_err(|err| format!("not a case: {}", err.message().trim()))?;
    match (&case.expect, &case.expect_error) {
        (Some(_), Some(_)) => Err("give `expect` or `expect-error`, not both".into()),
        (None, None) => {
            Err("say what the answer must be: `[expect]` or `expect-error = \"...\"`".into())
        }
        _ => Ok(case),
    }
}

/// Call the plugin with `input` (TOML as JSON), defaults filling what the case left out.
/// The outer error is a case that cannot be called; the inner one the plugin's.
pub fn call(
    host: &Host,
    plugin: &Plugin,
    call: Call,
    input: Value,
) -> std::result::Result<std::result::Result<Called<Value>, git_hotfix_plugin_host::Error>, String>
{
    fn answer<T: serde::Serialize>(
        called: std::result::Result<Called<T>, git_hotfix_plugin_host::Error>,
    ) -> std::result::Result<Called<Value>, git_hotfix_plugin_host::Error> {
        called.map(|c| Called {
            value: serde_json::to_value(&c.value).unwrap_or(Value::Null),
            fuel_used: c.fuel_used,
            duration: c.duration,
            stderr: c.stderr,
        })
    }
    fn parse<T: serde::de::DeserializeOwned>(
        value: Value,
        what: &str,
    ) -> std::result::Result<T, String> {
        serde_json::from_value(value).map_err(|err| format!("[input] is not {what}: {err}"))
    }
    Ok(match call {
        Call::Levels => answer(host.levels(plugin)),
        Call::Questions => answer(host.questions(plugin)),
        Call::Assess => {
            let mut input = with_defaults(
                json!({ "ticket": "", "title": "", "description": "", "labels": [], "answers": [] }),
                input,
            )?;
            input["answers"] = pairs(&input["answers"], "id", "value");
            answer(host.assess(plugin, &parse::<Incident>(input, "an incident")?))
        }
        Call::Detect => {
            let input = with_defaults(json!({ "paths": [] }), input)?;
            let paths: Vec<String> = parse(input["paths"].clone(), "a list of paths")?;
            answer(host.detect(plugin, &paths))
        }
        Call::ReadVersion => {
            let input = with_defaults(json!({ "path": "", "content": "" }), input)?;
            answer(host.read_version(plugin, &parse::<File>(input, "a file")?))
        }
        Call::WriteVersion => {
            let mut input =
                with_defaults(json!({ "path": "", "content": "", "version": "" }), input)?;
            let version: String = parse(input["version"].take(), "a version")?;
            answer(host.write_version(plugin, &parse::<File>(input, "a file")?, &version))
        }
        Call::Plan => {
            let mut input = with_defaults(json!({ "action": "deploy", "release": {} }), input)?;
            let action = match input["action"].as_str() {
                Some("deploy") => Action::Deploy,
                Some("verify") => Action::Verify,
                Some("rollback") => Action::Rollback,
                _ => {
                    return Err(format!(
                        "[input] action {} is none of deploy, verify, rollback",
                        input["action"]
                    ));
                }
            };
            let mut release = with_defaults(
                json!({ "version": "", "previous-version": null, "tag": "", "environment": "", "settings": [] }),
                input["release"].take(),
            )?;
            release["settings"] = match &release["settings"] {
                Value::Object(map) => map.iter().map(|(k, v)| json!([k, v])).collect(),
                other => other.clone(),
            };
            answer(host.plan(plugin, &parse::<Release>(release, "a release")?, action))
        }
    })
}

/// `defaults` with what `given` sets, one level deep; a field `defaults` does not have is
/// a mistake in the case (a typo would otherwise go unnoticed).
fn with_defaults(mut defaults: Value, given: Value) -> std::result::Result<Value, String> {
    let (Value::Object(base), Value::Object(given)) = (&mut defaults, given) else {
        return Ok(defaults);
    };
    if let Some(unknown) = given.keys().find(|k| !base.contains_key(*k)) {
        let known: Vec<&String> = base.keys().collect();
        return Err(format!(
            "[input] has no field `{unknown}` (there are: {})",
            known
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    base.extend(given);
    Ok(defaults)
}

/// `{ down = "yes" }` as `[{ id = "down", value = "yes" }]`; a list stays as it is.
fn pairs(value: &Value, key: &str, val: &str) -> Value {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| json!({ key: k, val: v })).collect(),
        other => other.clone(),
    }
}

/// Every place `actual` differs from what `expected` asks for, joined; objects compare
/// only the fields expected names.
fn mismatch(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    let mut found = Vec::new();
    differences(expected, actual, at, &mut found);
    (!found.is_empty()).then(|| found.join("; "))
}

fn differences(expected: &Value, actual: &Value, at: &str, found: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want) in want {
                match have.get(key) {
                    Some(have) => differences(want, have, &format!("{at}.{key}"), found),
                    None if have.contains_key(&key.replace('_', "-")) => found.push(format!(
                        "{at}: has no field `{key}` (the contract spells it `{}`)",
                        key.replace('_', "-")
                    )),
                    None => found.push(format!("{at}: has no field `{key}`")),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => {
            for (i, (want, have)) in want.iter().zip(have).enumerate() {
                differences(want, have, &format!("{at}[{i}]"), found);
            }
        }
        (Value::Array(want), Value::Array(have)) => found.push(format!(
            "{at}: expected {} items, got {}",
            want.len(),
            have.len()
        )),
        (want, have) if want == have => {}
        (Value::String(want), Value::String(have))
            if want.to_lowercase().replace('_', "-") == *have
                || want.to_lowercase() == have.replace('-', "") =>
        {
            found.push(format!(
                "{at}: expected {want:?}, got {have:?} (the contract spells it {have:?})"
            ))
        }
        (want, have) => found.push(format!("{at}: expected {want}, got {have}")),
    }
}

/// The contract's name of the plugin-error case `error` is, if it is the plugin's own.
fn plugin_error_case(error: &git_hotfix_plugin_host::Error) -> Option<&'static str> {
    use git_hotfix_plugin_host::PluginError;
    match error {
        git_hotfix_plugin_host::Error::Plugin { error, .. } => Some(match error {
            PluginError::InvalidInput(_) => "invalid-input",
            PluginError::Unsupported(_) => "unsupported",
            PluginError::Failed(_) => "failed",
        }),
        _ => None,
    }
}
