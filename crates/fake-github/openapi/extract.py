#!/usr/bin/env python3
"""Cut the operations git-hotfix calls out of GitHub's OpenAPI description.

Usage: extract.py <api.github.com.deref.json> > api.github.com.json

The input is `generated/api.github.com.deref.json` of the npm package @octokit/openapi
(GitHub's github/rest-api-description, MIT), fetched with `npm pack @octokit/openapi`.
Kept for each path below, every method: its operationId, its path and query parameters
(name, required, schema) and its JSON request body's schema. fake-github checks every
request it is sent against them.
"""

import json
import sys

PATHS = [
    "/user",
    "/repos/{owner}/{repo}",
    "/repos/{owner}/{repo}/branches/{branch}",
    "/repos/{owner}/{repo}/collaborators/{username}/permission",
    "/repos/{owner}/{repo}/compare/{basehead}",
    "/repos/{owner}/{repo}/git/ref/{ref}",
    "/repos/{owner}/{repo}/git/refs",
    "/repos/{owner}/{repo}/issues/{issue_number}",
    "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
    "/repos/{owner}/{repo}/labels",
    "/repos/{owner}/{repo}/labels/{name}",
    "/repos/{owner}/{repo}/merges",
    "/repos/{owner}/{repo}/milestones",
    "/repos/{owner}/{repo}/pulls",
    "/repos/{owner}/{repo}/pulls/{pull_number}",
    "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
    "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
    "/repos/{owner}/{repo}/releases",
    "/repos/{owner}/{repo}/releases/{release_id}",
    "/repos/{owner}/{repo}/releases/tags/{tag}",
]

METHODS = ["get", "post", "put", "patch", "delete"]


def json_schema(schema):
    """OpenAPI 3.0's `nullable` as JSON Schema says it: null among the types."""
    if isinstance(schema, list):
        return [json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def parameter(p):
    return {
        "name": p["name"],
        "in": p["in"],
        "required": p.get("required", False),
        "schema": json_schema(p.get("schema", {})),
    }


def main():
    spec = json.load(open(sys.argv[1]))
    out = {
        "source": "@octokit/openapi " + spec["info"]["version"]
        + " generated/api.github.com.deref.json (github/rest-api-description, MIT)",
        "paths": {},
    }
    for path in PATHS:
        item = spec["paths"][path]
        shared = item.get("parameters", [])
        ops = {}
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [
                parameter(p)
                for p in shared + op.get("parameters", [])
                if p["in"] in ("path", "query")
            ]
            body = op.get("requestBody", {})
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            ops[method] = {
                "operationId": op["operationId"],
                "parameters": params,
                "body": json_schema(schema),
                "bodyRequired": body.get("required", False),
            }
        out["paths"][path] = ops
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
