#!/usr/bin/env python3
"""Cut the GraphQL types git-hotfix uses out of GitHub's GraphQL schema.

Usage: extract_graphql.py <schema.json> > graphql.json

The input is `schema.json` (an introspection result) of the npm package
@octokit/graphql-schema (GitHub's public schema, MIT), fetched with
`npm pack @octokit/graphql-schema`. Kept: the root fields below, and every field, argument,
input field and enum value of the types below, each type written as GraphQL writes it
(`ID!`, `[String!]`), and the names of every scalar and enum. fake-github checks every GraphQL request against them.
"""

import json
import sys

# Root fields git-hotfix sends, per root type.
ROOTS = {"Mutation": ["enablePullRequestAutoMerge"]}
# The types those fields take and answer with, whole.
TYPES = [
    "EnablePullRequestAutoMergeInput",
    "EnablePullRequestAutoMergePayload",
    "PullRequest",
    "AutoMergeRequest",
    "PullRequestMergeMethod",
]


def written(t):
    if t["kind"] == "NON_NULL":
        return written(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + written(t["ofType"]) + "]"
    return t["name"]


def value(v):
    return {"type": written(v["type"]), "default": v.get("defaultValue") is not None}


def field(f):
    return {"type": written(f["type"]), "args": {a["name"]: value(a) for a in f["args"]}}


def main():
    schema = json.load(open(sys.argv[1]))["__schema"]
    types = {t["name"]: t for t in schema["types"]}
    out = {}
    for root, names in ROOTS.items():
        fields = {f["name"]: f for f in types[root]["fields"]}
        out[root] = {"kind": "OBJECT", "fields": {n: field(fields[n]) for n in names}}
    for name in TYPES:
        t = types[name]
        kept = {"kind": t["kind"]}
        if t.get("fields"):
            kept["fields"] = {f["name"]: field(f) for f in t["fields"]}
        if t.get("inputFields"):
            kept["inputFields"] = {f["name"]: value(f) for f in t["inputFields"]}
        if t.get("enumValues"):
            kept["enumValues"] = [v["name"] for v in t["enumValues"]]
        out[name] = kept
    # What needs no selection: every scalar and enum of the schema, kept or not.
    leaves = sorted(t["name"] for t in schema["types"] if t["kind"] in ("SCALAR", "ENUM"))
    source = "@octokit/graphql-schema schema.json (github's public GraphQL schema)"
    json.dump({"source": source, "types": out, "leaves": leaves}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
