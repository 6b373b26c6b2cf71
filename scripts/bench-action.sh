#!/usr/bin/env bash
# The GitHub action's backport in a CI checkout: a merged pull request labelled for six
# release lines, from a `--depth 1` clone (what actions/checkout makes) of a 20,000-file
# repository. `git hotfix action` (fetch, pick, push, six pull requests and the comment on a
# local fake GitHub) against the loop the other backport actions run on the same kind of
# clone: fetch the pull request's commits, then per line fetch it, `git switch -c`,
# `git cherry-pick -x`, `git push`. Wall time (median of RUNS, the clone not counted) and
# the bytes each fetched (the packs the clone received: fetch.unpackLimit=1 keeps every
# fetch a pack; a thin pack is completed with its bases, so this is a little over the wire).
#
#   cargo build --release -p git-hotfix -p fake-github
#   scripts/bench-action.sh [target/release/git-hotfix] [target/release/fake-github]
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
FAKE=$(realpath "${2:-target/release/fake-github}")
FILES=${FILES:-20000}
RUNS=${RUNS:-5}
TOKEN=ghs_bench_action

source "$(dirname "$0")/bench-lib.sh"
"$(dirname "$0")/bench-history.py" "$FILES" 200 30 0 | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
# The pull request: `fixes` (ten commits) merged into main with a merge commit.
git -C "$repo" merge -q --no-ff -m "Merge pull request #1 from acme/fixes" fixes
merge=$(git -C "$repo" rev-parse main)
head=$(git -C "$repo" rev-parse fixes)
mapfile -t commits < <(git -C "$repo" rev-list --reverse "$merge^1..$merge^2")
git clone -q --bare "$repo" "$work/origin.git"
origin="file://$work/origin.git"
echo "repository: $(git -C "$repo" ls-files | wc -l) files, $(git -C "$repo" rev-list --count --all) commits; pull request #1: ${#commits[@]} commits"

labels=()
for k in 0 1 2 3 4 5; do labels+=("backport release/1.$k"); done
python3 - "$work/event.json" "$merge" "$head" "${labels[@]}" <<'PY'
import json, sys
path, merge, head, *labels = sys.argv[1:]
pull = {
    "number": 1, "title": "Fix", "html_url": "https://github.com/acme/shop/pull/1",
    "state": "closed", "merged": True, "merge_commit_sha": merge,
    "base": {"ref": "main", "repo": {"full_name": "acme/shop"}},
    "head": {"ref": "fixes", "sha": head, "repo": {"full_name": "acme/shop"}},
    "labels": [{"name": l} for l in labels],
}
event = {"action": "closed", "number": 1, "pull_request": pull,
         "repository": {"full_name": "acme/shop"}}
json.dump(event, open(path, "w"))
PY

packs() { du -cb "$1"/.git/objects/pack/*.pack 2>/dev/null | tail -1 | cut -f1; }
checkout() {
    rm -rf "$work/ci"
    git clone -q --depth 1 "$origin" "$work/ci"
    git -C "$work/ci" config fetch.unpackLimit 1
}
forget_backports() {
    git -C "$work/origin.git" for-each-ref --format='delete %(refname)' 'refs/heads/backport/' 'refs/heads/bp-*' |
        git -C "$work/origin.git" update-ref --stdin
}

# run NAME COMMAND: RUNS times on a fresh checkout; median time, bytes fetched.
run() {
    local name=$1 command=$2 times=() bytes=()
    for _ in $(seq "$RUNS"); do
        forget_backports
        checkout
        local before start end
        before=$(packs "$work/ci")
        start=$(date +%s%N)
        (cd "$work/ci" && bash -c "$command") >"$work/out" 2>&1 || {
            echo "$name failed:" >&2
            tail -20 "$work/out" >&2
            exit 1
        }
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
        bytes+=($(($(packs "$work/ci") - before)))
    done
    printf '%-44s %7s ms %9s bytes fetched\n' "$name" \
        "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${bytes[@]}" | median)"
}

checkout
echo "the checkout (git clone --depth 1): $(packs "$work/ci") bytes"

loop="git fetch -q --depth=$((${#commits[@]} + 2)) origin $merge"
for k in 0 1 2 3 4 5; do
    loop+=" && git fetch -q --depth=1 origin release/1.$k && git switch -q -c bp-$k FETCH_HEAD"
    loop+=" && git cherry-pick -x ${commits[*]} && git push -q origin bp-$k"
done
run "checkout + cherry-pick -x loop, per line" "$loop"

# The fake GitHub, in the background (not in a command substitution, which would wait
# for it), until the script exits or the next one starts: `start_fake [label…]` sets $url.
fake=
trap 'kill $fake 2>/dev/null; rm -rf "$work"' EXIT
start_fake() {
    [ -z "$fake" ] || kill "$fake"
    : >"$work/fake"
    "$FAKE" acme/shop "$TOKEN" fixes main "$merge" "$head" "${#commits[@]}" "$@" >"$work/fake" 2>&1 </dev/null &
    fake=$!
    until [ -s "$work/fake" ]; do sleep 0.05; done
    url=$(head -1 "$work/fake")
}
event="GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH='$work/event.json' GITHUB_REPOSITORY=acme/shop"

start_fake
run "git hotfix action (6 lines, 6 pull requests)" "$event GITHUB_TOKEN=$TOKEN GITHUB_API_URL=$url '$BIN' action"
tail -3 "$work/out"

# Pull request #1 as a team has it: labels, reviewers and assignees (the fake's
# `review:`/`assign:` arguments), copied onto every backport.
start_fake bug security-high review:bob review:acme/security assign:alice
copying="-c 'github.backport-copy-labels=bug|security-.*' -c github.backport-copy-reviewers=true"
copying+=" -c github.backport-copy-assignees=true"
run "git hotfix action, labels/reviewers/assignees copied" "$event GITHUB_TOKEN=$TOKEN GITHUB_API_URL=$url '$BIN' $copying action"
tail -3 "$work/out"
grep -c "POST .*requested_reviewers" "$work/fake" >/dev/null 2>&1 || true
test "$(git -C "$work/origin.git" for-each-ref refs/heads/backport/ | wc -l)" -eq 6 && echo "6 backport branches on the origin"
# What each line got is git's: the tree `git replay` makes of the same picks.
for k in 0 1 2 3 4 5; do
    ours=$(git -C "$work/origin.git" rev-parse "backport/release/1.$k/pr-1^{tree}")
    theirs=$(git -C "$repo" replay --onto "release/1.$k" "$merge^1..fixes" | awk '{print $3}')
    test "$ours" = "$(git -C "$repo" rev-parse "$theirs^{tree}")" || { echo "release/1.$k: tree differs from git replay's"; exit 1; }
done
echo "the trees on all 6 lines equal git replay's"
