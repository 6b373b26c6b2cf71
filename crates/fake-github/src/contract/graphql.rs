//! GitHub's GraphQL schema as the fake's contract for `POST /graphql`: the document must
//! parse, name only fields, arguments, input fields and enum values the schema has, give
//! every required argument, select into objects and not into leaves, and its variables
//! must be declared, given when required and of their declared types. GitHub answers such
//! a request with `errors` (and HTTP 200); the fake does too, and the test fails.
//!
//! The types are cut from `@octokit/graphql-schema` by `openapi/extract_graphql.py`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use graphql_parser::query::{
    Definition, OperationDefinition, Selection, SelectionSet, Value as Literal, parse_query,
};
use serde_json::Value;

struct Schema {
    types: Value,
    leaves: Vec<String>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../../openapi/graphql.json");
        let spec: Value = serde_json::from_str(text).expect("the vendored schema is JSON");
        Schema {
            types: spec["types"].clone(),
            leaves: serde_json::from_value(spec["leaves"].clone()).expect("leaves"),
        }
    })
}

/// The type's name without its list and non-null marks: `[ID!]!` → `ID`.
fn named(written: &str) -> &str {
    written.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

fn kept(name: &str) -> Result<&'static Value, String> {
    let found = &schema().types[name];
    match found.is_null() {
        true => Err(format!(
            "type `{name}` is not in the kept schema (add it to openapi/extract_graphql.py)"
        )),
        false => Ok(found),
    }
}

/// Check a `POST /graphql` body: `{"query": …, "variables": {…}}`.
pub fn check(body: &[u8]) -> Result<(), String> {
    let request: Value =
        serde_json::from_slice(body).map_err(|err| format!("the body is not JSON: {err}"))?;
    let query = request["query"]
        .as_str()
        .ok_or("the body has no `query` string")?;
    let variables = match &request["variables"] {
        Value::Null => serde_json::Map::new(),
        Value::Object(map) => map.clone(),
        _ => return Err("`variables` is not an object".into()),
    };
    let document = parse_query::<String>(query).map_err(|err| format!("parse error: {err}"))?;
    let [Definition::Operation(operation)] = document.definitions.as_slice() else {
        return Err("one operation and no fragments are expected".into());
    };
    let (root, definitions, selections) = match operation {
        OperationDefinition::Mutation(m) => ("Mutation", &m.variable_definitions, &m.selection_set),
        OperationDefinition::Query(q) => ("Query", &q.variable_definitions, &q.selection_set),
        OperationDefinition::SelectionSet(s) => ("Query", &Vec::new(), s),
        OperationDefinition::Subscription(_) => return Err("subscriptions are not used".into()),
    };
    let mut declared = BTreeMap::new();
    for definition in definitions {
        let written = definition.var_type.to_string();
        match variables.get(&definition.name) {
            Some(value) => json_value(&written, value, &format!("${}", definition.name))?,
            None if written.ends_with('!') && definition.default_value.is_none() => {
                return Err(format!("variable `${}` is required", definition.name));
            }
            None => {}
        }
        declared.insert(definition.name.clone(), written);
    }
    if let Some(name) = variables.keys().find(|name| !declared.contains_key(*name)) {
        return Err(format!("variable `${name}` is given but not declared"));
    }
    selection(root, selections, &declared)
}

fn selection(
    parent: &str,
    set: &SelectionSet<'_, String>,
    declared: &BTreeMap<String, String>,
) -> Result<(), String> {
    let fields = &kept(parent)?["fields"];
    for item in &set.items {
        let Selection::Field(field) = item else {
            return Err(format!(
                "fragments in {parent} are not checked; select fields"
            ));
        };
        if field.name == "__typename" {
            continue;
        }
        let known = &fields[&field.name];
        if known.is_null() {
            return Err(format!("{parent} has no field `{}`", field.name));
        }
        for (name, value) in &field.arguments {
            let argument = &known["args"][name];
            if argument.is_null() {
                return Err(format!("{parent}.{} has no argument `{name}`", field.name));
            }
            literal(argument["type"].as_str().unwrap_or(""), value, declared)?;
        }
        for (name, argument) in known["args"].as_object().into_iter().flatten() {
            let required = argument["type"].as_str().is_some_and(|t| t.ends_with('!'));
            let given = field.arguments.iter().any(|(n, _)| n == name);
            if required && argument["default"] != Value::Bool(true) && !given {
                return Err(format!("{parent}.{}: `{name}` is required", field.name));
            }
        }
        let inner = named(known["type"].as_str().unwrap_or(""));
        let leaf = schema().leaves.iter().any(|l| l == inner);
        match (leaf, field.selection_set.items.is_empty()) {
            (true, false) => {
                return Err(format!("`{}` is a {inner}: it has no fields", field.name));
            }
            (false, true) => {
                return Err(format!("`{}` is a {inner}: select its fields", field.name));
            }
            (true, true) => {}
            (false, false) => selection(inner, &field.selection_set, declared)?,
        }
    }
    Ok(())
}

/// An argument or input field of type `written` given as `value` in the document.
fn literal(
    written: &str,
    value: &Literal<'_, String>,
    declared: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mismatch = || format!("{value} is no {written}");
    match value {
        // A non-null variable may go where null is allowed, not the other way round.
        Literal::Variable(name) => match declared.get(name) {
            Some(var) if var == written || *var == format!("{written}!") => Ok(()),
            Some(var) => Err(format!("${name} is a {var}, where a {written} goes")),
            None => Err(format!("${name} is not declared")),
        },
        Literal::Null if written.ends_with('!') => Err(mismatch()),
        Literal::Null => Ok(()),
        Literal::List(items) => match written.trim_end_matches('!').strip_prefix('[') {
            Some(item) => items
                .iter()
                .try_for_each(|i| literal(item.trim_end_matches(']'), i, declared)),
            None => Err(mismatch()),
        },
        Literal::Object(fields) => {
            let input = kept(named(written))?;
            let known = &input["inputFields"];
            for (name, value) in fields {
                let field = &known[name];
                if field.is_null() {
                    return Err(format!("{} has no field `{name}`", named(written)));
                }
                literal(field["type"].as_str().unwrap_or(""), value, declared)?;
            }
            required_fields(named(written), known, |name| fields.contains_key(name))
        }
        Literal::Enum(name) => enum_value(named(written), name),
        Literal::String(_) => scalar(written, &["String", "ID"]).ok_or_else(mismatch),
        Literal::Int(_) => scalar(written, &["Int", "Float", "ID"]).ok_or_else(mismatch),
        Literal::Float(_) => scalar(written, &["Float"]).ok_or_else(mismatch),
        Literal::Boolean(_) => scalar(written, &["Boolean"]).ok_or_else(mismatch),
    }
}

/// A variable of type `written` given as JSON `value`.
fn json_value(written: &str, value: &Value, at: &str) -> Result<(), String> {
    let mismatch = || format!("{at} = {value} is no {written}");
    match value {
        Value::Null if written.ends_with('!') => Err(mismatch()),
        Value::Null => Ok(()),
        Value::Array(items) => match written.trim_end_matches('!').strip_prefix('[') {
            Some(item) => items
                .iter()
                .try_for_each(|i| json_value(item.trim_end_matches(']'), i, at)),
            None => Err(mismatch()),
        },
        Value::Object(fields) => {
            let known = &kept(named(written))?["inputFields"];
            for (name, value) in fields {
                let field = &known[name];
                if field.is_null() {
                    return Err(format!("{at}: {} has no field `{name}`", named(written)));
                }
                json_value(field["type"].as_str().unwrap_or(""), value, at)?;
            }
            required_fields(named(written), known, |name| fields.contains_key(name))
        }
        Value::String(text) if !schema().types[named(written)]["enumValues"].is_null() => {
            enum_value(named(written), text)
        }
        // Custom scalars (DateTime, URI, GitObjectID) travel as strings.
        Value::String(_) => match named(written) {
            "Int" | "Float" | "Boolean" => Err(mismatch()),
            _ => Ok(()),
        },
        Value::Number(_) => scalar(written, &["Int", "Float", "ID"]).ok_or_else(mismatch),
        Value::Bool(_) => scalar(written, &["Boolean"]).ok_or_else(mismatch),
    }
}

fn scalar(written: &str, accepted: &[&str]) -> Option<()> {
    accepted.contains(&named(written)).then_some(())
}

fn enum_value(name: &str, value: &str) -> Result<(), String> {
    let values = &kept(name)?["enumValues"];
    match values.as_array().into_iter().flatten().any(|v| v == value) {
        true => Ok(()),
        false => Err(format!("`{value}` is not a {name} (one of {values})")),
    }
}

fn required_fields(input: &str, known: &Value, given: impl Fn(&str) -> bool) -> Result<(), String> {
    for (name, field) in known.as_object().into_iter().flatten() {
        let required = field["type"].as_str().is_some_and(|t| t.ends_with('!'));
        if required && field["default"] != Value::Bool(true) && !given(name) {
            return Err(format!("{input}: `{name}` is required"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(query: &str, variables: Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "query": query, "variables": variables })).unwrap()
    }

    const AUTO_MERGE: &str = "mutation($id: ID!, $method: PullRequestMergeMethod) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) { pullRequest { number autoMergeRequest { mergeMethod } } } }";

    #[test]
    fn the_auto_merge_mutation_passes() {
        let ok = body(
            AUTO_MERGE,
            serde_json::json!({ "id": "PR_1", "method": "SQUASH" }),
        );
        assert_eq!(check(&ok), Ok(()));
    }

    #[test]
    fn what_github_would_answer_with_errors_is_refused() {
        let refused = [
            (
                body(
                    AUTO_MERGE,
                    serde_json::json!({ "id": "PR_1", "method": "FAST" }),
                ),
                "is not a PullRequestMergeMethod",
            ),
            (
                body(AUTO_MERGE, serde_json::json!({ "method": "MERGE" })),
                "`$id` is required",
            ),
            (
                body(
                    &AUTO_MERGE.replace("number", "numbr"),
                    serde_json::json!({ "id": "PR_1" }),
                ),
                "PullRequest has no field `numbr`",
            ),
            (
                body(
                    &AUTO_MERGE.replace("pullRequestId: $id, ", ""),
                    serde_json::json!({ "id": "PR_1" }),
                ),
                "`pullRequestId` is required",
            ),
            (
                body(
                    &AUTO_MERGE.replace("$id: ID!", "$id: String!"),
                    serde_json::json!({ "id": "PR_1" }),
                ),
                "$id is a String!, where a ID! goes",
            ),
            (
                body(
                    "mutation { enablePullRequestAutoMerge(input: {pullRequestId: \"x\"}) }",
                    Value::Null,
                ),
                "select its fields",
            ),
            (
                body("mutation { mergePullRequest }", Value::Null),
                "Mutation has no field `mergePullRequest`",
            ),
            (body("mutation {", Value::Null), "parse error"),
        ];
        for (body, expected) in refused {
            let err = check(&body).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }
}
