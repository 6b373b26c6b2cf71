//! GitHub's own description of its REST API as the fake's contract: every request is
//! checked against the operation GitHub documents for its method and path (path and query
//! parameters, the JSON body's schema) before the fake answers it. A request GitHub would
//! refuse is refused as GitHub refuses it (404 for no such operation, 422 "Invalid
//! request" for a body or parameter out of its schema) and kept as a violation, which
//! fails the test that made it.
//!
//! The operations are cut from `@octokit/openapi` by `openapi/extract.py` (see
//! `openapi/README.md`).

mod graphql;

use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// The operations git-hotfix may call, as GitHub describes them.
struct Contract {
    /// `(template segments, method, operation)`.
    operations: Vec<(Vec<String>, String, Operation)>,
}

struct Operation {
    id: String,
    parameters: Vec<Parameter>,
    body: Option<jsonschema::Validator>,
    body_required: bool,
}

struct Parameter {
    name: String,
    query: bool,
    required: bool,
    schema: jsonschema::Validator,
    /// The JSON type the schema wants, to read the text of a path or query value as.
    kind: Option<String>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let text = include_str!("../../openapi/api.github.com.json");
        let spec: Value = serde_json::from_str(text).expect("the vendored description is JSON");
        let mut operations = Vec::new();
        for (path, methods) in spec["paths"].as_object().expect("paths") {
            let segments = path
                .split('/')
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>();
            for (method, op) in methods.as_object().expect("methods") {
                let parameters = op["parameters"]
                    .as_array()
                    .expect("parameters")
                    .iter()
                    .map(|p| Parameter {
                        name: p["name"].as_str().expect("a name").to_string(),
                        query: p["in"] == "query",
                        required: p["required"] == Value::Bool(true),
                        schema: validator(&p["schema"]),
                        kind: p["schema"]["type"].as_str().map(str::to_string),
                    })
                    .collect();
                let body = (!op["body"].is_null()).then(|| validator(&op["body"]));
                operations.push((
                    segments.clone(),
                    method.to_uppercase(),
                    Operation {
                        id: op["operationId"].as_str().expect("an id").to_string(),
                        parameters,
                        body,
                        body_required: op["bodyRequired"] == Value::Bool(true),
                    },
                ));
            }
        }
        Contract { operations }
    })
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(false)
        .build(schema)
        .expect("GitHub's schemas compile")
}

/// What GitHub would say of a request it refuses.
#[derive(Debug, Clone)]
pub struct Violation {
    /// 404 or 422, as GitHub answers it (200 for GraphQL, whose refusals are `errors`).
    pub status: u16,
    pub message: String,
}

/// Check `method path?query` with `body` against GitHub's description of the operation.
pub fn check(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> Result<(), Violation> {
    if (method, path) == ("POST", "/graphql") {
        // GitHub answers a GraphQL request it refuses with 200 and `errors`.
        return graphql::check(body).map_err(|message| Violation {
            status: 200,
            message,
        });
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let refused = |status: u16, message: String| Violation { status, message };
    // The operation whose template matches with the most literal segments: `releases/tags/
    // {tag}` before `releases/{release_id}`.
    let found = contract()
        .operations
        .iter()
        .filter(|(_, m, _)| m == method)
        .filter_map(|(template, _, op)| Some((bind(template, &segments)?, op)))
        .max_by_key(|(bound, _)| bound.literals);
    let Some((bound, op)) = found else {
        return Err(refused(
            404,
            format!("GitHub's API has no operation {method} {path}"),
        ));
    };
    let id = &op.id;
    let mut given: Vec<(String, String, bool)> = bound
        .values
        .into_iter()
        .map(|(name, value)| (name, value, false))
        .collect();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        given.push((decode(name), decode(value), true));
    }
    for (name, value, query) in &given {
        let Some(parameter) = op
            .parameters
            .iter()
            .find(|p| p.name == *name && p.query == *query)
        else {
            return Err(refused(
                422,
                format!(
                    "{id}: no {} parameter `{name}`",
                    if *query { "query" } else { "path" }
                ),
            ));
        };
        let value = typed(value, parameter.kind.as_deref());
        if let Err(err) = parameter.schema.validate(&value) {
            return Err(refused(
                422,
                format!("{id}: parameter `{name}` = {value}: {err}"),
            ));
        }
    }
    for parameter in op.parameters.iter().filter(|p| p.required) {
        if !given.iter().any(|(name, _, _)| *name == parameter.name) {
            return Err(refused(
                422,
                format!("{id}: `{}` is required", parameter.name),
            ));
        }
    }
    match (&op.body, body.is_empty()) {
        (Some(_), true) if op.body_required => {
            Err(refused(422, format!("{id}: a JSON body is required")))
        }
        (Some(schema), false) => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|err| refused(400, format!("{id}: the body is not JSON: {err}")))?;
            let errors: Vec<String> = schema
                .iter_errors(&value)
                .map(|e| format!("{} at `{}`", e, e.instance_path()))
                .collect();
            match errors.is_empty() {
                true => Ok(()),
                false => Err(refused(422, format!("{id}: {}", errors.join("; ")))),
            }
        }
        _ => Ok(()),
    }
}

/// A path's values for a template's parameters.
struct Bound {
    values: Vec<(String, String)>,
    literals: usize,
}

/// `segments` as `template` reads them; a git ref, last in its template, takes the rest of
/// the path (`heads/release%2F1.2`), as GitHub's own router does.
fn bind(template: &[String], segments: &[&str]) -> Option<Bound> {
    let mut bound = Bound {
        values: Vec::new(),
        literals: 0,
    };
    for (i, part) in template.iter().enumerate() {
        let last = i + 1 == template.len();
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => {
                let value = match last && name == "ref" {
                    true if segments.len() > i => segments[i..].join("/"),
                    _ => segments.get(i)?.to_string(),
                };
                if value.is_empty() {
                    return None;
                }
                let value = percent_decode_str(&value).decode_utf8_lossy().into_owned();
                bound.values.push((name.to_string(), value));
            }
            None if segments.get(i) == Some(&part.as_str()) => bound.literals += 1,
            None => return None,
        }
        if last && segments.len() != template.len() && !part.starts_with("{ref") {
            return None;
        }
    }
    Some(bound)
}

/// The text of a path or query value as the JSON its schema wants.
fn typed(text: &str, kind: Option<&str>) -> Value {
    match kind {
        Some("integer") => text
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.into()), Value::from),
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        _ => Value::String(text.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_github_documents_pass() {
        let ok = [
            (
                "GET",
                "/repos/acme/shop/pulls",
                Some("state=open&head=acme:hotfix%2Fx&base=main&per_page=100"),
                "",
            ),
            (
                "GET",
                "/repos/acme/shop/releases/tags/api%2Fprod-v1.1.5",
                None,
                "",
            ),
            (
                "PATCH",
                "/repos/acme/shop/releases/7",
                None,
                r#"{"body":"x"}"#,
            ),
            (
                "GET",
                "/repos/acme/shop/git/ref/heads/release/1.2",
                None,
                "",
            ),
            (
                "POST",
                "/repos/acme/shop/pulls",
                None,
                r#"{"title":"t","head":"b","base":"main","body":"x","draft":true}"#,
            ),
            (
                "POST",
                "/repos/acme/shop/issues/comments/9/reactions",
                None,
                r#"{"content":"+1"}"#,
            ),
        ];
        for (method, path, query, body) in ok {
            check(method, path, query, body.as_bytes())
                .unwrap_or_else(|v| panic!("{method} {path}: {}", v.message));
        }
    }

    #[test]
    fn requests_github_refuses_are_refused_as_it_does() {
        let refused = [
            (
                "POST",
                "/repos/acme/shop/pulls",
                None,
                r#"{"title":"t","base":"main"}"#,
                422,
            ),
            (
                "POST",
                "/repos/acme/shop/issues/comments/9/reactions",
                None,
                r#"{"content":"thumbs"}"#,
                422,
            ),
            (
                "GET",
                "/repos/acme/shop/pulls",
                Some("state=opened"),
                "",
                422,
            ),
            (
                "GET",
                "/repos/acme/shop/pulls",
                Some("status=open"),
                "",
                422,
            ),
            (
                "PATCH",
                "/repos/acme/shop/releases/latest",
                None,
                r#"{"body":"x"}"#,
                422,
            ),
            ("GET", "/repos/acme/shop/nothing", None, "", 404),
            ("PUT", "/repos/acme/shop/pulls", None, "{}", 404),
        ];
        for (method, path, query, body, status) in refused {
            let violation = check(method, path, query, body.as_bytes()).expect_err(path);
            assert_eq!(
                violation.status, status,
                "{method} {path}: {}",
                violation.message
            );
        }
    }
}
