#!/usr/bin/env bash
# What a policy plugin adds to a command: `git hotfix assess` (the built-in severity policy)
# against `git hotfix --version` (a process that does nothing), with the compiled plugin in
# the cache, and on a first run with an empty cache. Median of RUNS runs, whole process.
#
#   cargo build --release --locked && scripts/bench-plugins.sh [target/release/git-hotfix]
#   (with the rows of the Rust, Python and JavaScript examples when scripts/build-examples.sh
#   has built them into target/examples/, or EXAMPLES=dir)
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
RUNS=${RUNS:-31}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null XDG_CACHE_HOME=$work/cache
git init -q -b main "$work/repo"
git -C "$work/repo" -c user.name=Bench -c user.email=bench@example.com \
    commit -q --allow-empty -m "Release 1.0.0"
cd "$work/repo"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
    local label=$1 before=$2; shift 2
    local times=()
    for _ in $(seq "$RUNS"); do
        eval "$before"
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | median |
        awk -v label="$label" '{ printf "%-56s %8.1f ms\n", label, $1 / 1000 }'
}

"$BIN" assess --title warm-up >/dev/null 2>&1
measure "git hotfix --version" : "$BIN" --version
measure "git hotfix assess --title 'auth bypass on login' --json" : \
    "$BIN" assess --title "auth bypass on login" --json
measure "  the same, outside a repository" : \
    "$BIN" -C "$work" assess --title "auth bypass on login" --json
measure "  the same, first run (empty cache: compiles the plugin)" "rm -rf '$work/cache'" \
    "$BIN" assess --title "auth bypass on login" --json

# The policy examples of examples/policies (built by scripts/build-examples.sh into
# target/examples/): the same severity policy in Rust, Python and JavaScript, each pinned in
# .hotfix.toml of its own repository. First runs are few (each compiles for seconds).
examples=${EXAMPLES:-$(dirname "$BIN")/../examples}
FIRST_RUNS=${FIRST_RUNS:-3}
for language in rust python javascript; do
    wasm=$examples/severity-$language.wasm
    [ -f "$wasm" ] || { echo "(no $wasm: run scripts/build-examples.sh for the $language row)"; continue; }
    dir=$work/$language
    git init -q -b main "$dir"
    mkdir -p "$dir/policies"
    cp "$wasm" "$dir/policies/severity.wasm"
    printf '[policies.severity]\nplugin = "policies/severity.wasm"\nsha256 = "%s"\n' \
        "$(sha256sum "$wasm" | cut -d' ' -f1)" >"$dir/.hotfix.toml"
    git -C "$dir" add -A
    git -C "$dir" -c user.name=Bench -c user.email=bench@example.com commit -q -m "Policy"
    size=$(( $(wc -c <"$wasm") / 1024 ))
    "$BIN" -C "$dir" assess --title warm-up >/dev/null 2>&1
    measure "$language example ($size KiB): assess, cached" : \
        "$BIN" -C "$dir" assess --title "auth bypass on login" --json
    RUNS=$FIRST_RUNS measure "  first run (empty cache: compiles it)" "rm -rf '$work/cache'" \
        "$BIN" -C "$dir" assess --title "auth bypass on login" --json
done
