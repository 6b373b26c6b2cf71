#!/usr/bin/env bash
# The GitHub action's release path: a hotfix whose pull request (`git hotfix finish --pr`)
# GitHub merged with a merge commit (the fake's `PUT /pulls/{n}/merge`), released by
# `git hotfix action` in a CI checkout (`--depth 1` of main, what actions/checkout makes)
# of a 20,000-file repository: the tag pushed, the GitHub release, develop caught up by
# GitHub's merge, one comment. Against what a workflow does by hand in the same checkout:
# `git tag -a` and `git push` the tag, then curl: the release, develop's merge (GitHub's
# merges API), the comment. Wall time, median of RUNS; the preparation (a fresh origin, the
# hotfix's pull request, its merge, the checkout) is not counted.
#
#   cargo build --release -p git-hotfix -p fake-github
#   scripts/bench-action-release.sh [target/release/git-hotfix] [target/release/fake-github]
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
FAKE=$(realpath "${2:-target/release/fake-github}")
FILES=${FILES:-20000}
RUNS=${RUNS:-5}
TOKEN=ghs_bench_release
export GITHUB_TOKEN=$TOKEN

source "$(dirname "$0")/bench-lib.sh"
"$(dirname "$0")/bench-history.py" "$FILES" 200 30 0 | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
# Production is release v1.6.0, with its version file and changelog: the hotfix is 1.6.1.
printf '1.6.0\n' >"$repo/VERSION"
printf '# Changelog\n' >"$repo/CHANGELOG.md"
git -C "$repo" add VERSION CHANGELOG.md
git -C "$repo" commit -q -m "Release 1.6.0"
git -C "$repo" tag -a v1.6.0 -m v1.6.0
git -C "$repo" switch -q -c develop
printf 'next\n' >"$repo/NEXT.md"
git -C "$repo" add NEXT.md
git -C "$repo" commit -q -m "Work for the next release"
git -C "$repo" switch -q main
git clone -q --bare "$repo" "$work/pristine.git"
echo "repository: $(git -C "$repo" ls-files | wc -l) files, $(git -C "$repo" rev-list --count --all) commits"

fake=
trap 'kill $fake 2>/dev/null; rm -rf "$work"' EXIT
api() { # api METHOD PATH [JSON]: the fake's answer
    python3 - "$url$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1:]
request = urllib.request.Request(url, method=method, data=body.encode() or None, headers={
    "Authorization": "Bearer ghs_bench_release", "Content-Type": "application/json"})
print(urllib.request.urlopen(request).read().decode())
PY
}

# A fresh origin and fake GitHub; the hotfix finished into a pull request (#2) from a
# laptop, merged on GitHub; the event GitHub sends for it; the CI checkout. Sets $url.
prepare() {
    [ -z "$fake" ] || kill "$fake"
    rm -rf "$work/origin.git" "$work/laptop" "$work/ci"
    cp -a "$work/pristine.git" "$work/origin.git"
    : >"$work/fake"
    # #1 is a placeholder the program wants; the hotfix's pull request is #2.
    "$FAKE" acme/shop "$TOKEN" none main "$(printf 0%.0s {1..40})" "$(printf 0%.0s {1..40})" 1 \
        "git:$work/origin.git" >"$work/fake" 2>&1 </dev/null &
    fake=$!
    until [ -s "$work/fake" ]; do sleep 0.05; done
    url=$(head -1 "$work/fake")
    git clone -q "file://$work/origin.git" "$work/laptop"
    (
        cd "$work/laptop"
        git config hotfix.github.repository acme/shop
        "$BIN" start ENG-1 fix auth bypass --severity P1 >/dev/null 2>&1
        printf 'check signature\n' >auth.txt
        git add auth.txt && git commit -q -m "fix: refuse unsigned tokens"
        GITHUB_API_URL=$url "$BIN" finish --pr >/dev/null 2>&1
    )
    api PUT /repos/acme/shop/pulls/2/merge '{"merge_method":"merge"}' >/dev/null
    api GET /repos/acme/shop/pulls/2 | python3 -c '
import json, sys
pull = json.load(sys.stdin)
pull["head"]["repo"] = pull["base"]["repo"] = {"full_name": "acme/shop"}
event = {"action": "closed", "number": 2, "pull_request": pull, "repository": {"full_name": "acme/shop"}}
json.dump(event, open(sys.argv[1], "w"))
print(pull["head"]["ref"], pull["head"]["sha"])' "$work/event.json" >"$work/head"
    # The version the hotfix's release commit wrote is the tag the release makes.
    read -r _ fix <"$work/head"
    tag=v$(git -C "$work/origin.git" show "$fix:VERSION")
    git clone -q --depth 1 "file://$work/origin.git" "$work/ci"
}

# run NAME COMMAND: RUNS times after a fresh preparation; the median wall time.
run() {
    local name=$1 command=$2 times=()
    for _ in $(seq "$RUNS"); do
        prepare
        local start end
        start=$(date +%s%N)
        (cd "$work/ci" && GITHUB_API_URL=$url tag=$tag bash -c "$command") >"$work/out" 2>&1 || {
            echo "$name failed:" >&2
            tail -20 "$work/out" >&2
            exit 1
        }
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
        # What a release is, checked with git and the fake after each run.
        git -C "$work/origin.git" rev-parse -q --verify "refs/tags/$tag^{commit}" >/dev/null &&
            git -C "$work/origin.git" merge-base --is-ancestor "$fix" develop &&
            api GET /repos/acme/shop/releases/tags/$tag >/dev/null || {
            echo "$name: no tag $tag, release or develop with it:" >&2
            tail -20 "$work/out" >&2
            exit 1
        }
    done
    printf '%-52s %7s ms\n' "$name" "$(printf '%s\n' "${times[@]}" | median)"
}

event="GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH='$work/event.json' GITHUB_REPOSITORY=acme/shop"
run "git hotfix action (tag, release, develop, comment)" "$event '$BIN' action"
tail -4 "$work/out"

hand='merge=$(git rev-parse HEAD)'
hand+=' && git tag -a $tag -m "Release $tag" "$merge" && git push -q origin $tag'
hand+=' && curl -sf -o /dev/null -X POST -H "Authorization: Bearer $GITHUB_TOKEN" "$GITHUB_API_URL/repos/acme/shop/releases" -d "{\"tag_name\":\"$tag\",\"name\":\"$tag\",\"body\":\"Fix\"}"'
hand+=' && curl -sf -o /dev/null -X POST -H "Authorization: Bearer $GITHUB_TOKEN" "$GITHUB_API_URL/repos/acme/shop/merges" -d "{\"base\":\"develop\",\"head\":\"$merge\",\"commit_message\":\"Merge $tag into develop\"}"'
hand+=' && curl -sf -o /dev/null -X POST -H "Authorization: Bearer $GITHUB_TOKEN" "$GITHUB_API_URL/repos/acme/shop/issues/2/comments" -d "{\"body\":\"Released $tag\"}"'
run "by hand: git tag + push, curl release, merge, comment" "$hand"
