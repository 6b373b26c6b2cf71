#!/usr/bin/env bash
# Time the incident commands on a repository with a long audit trail: HOTFIXES hotfixes
# started, fixed (with a test), finished, deployed and verified with a local deploy script,
# each leaving its note under refs/notes/hotfix; then one hotfix in progress with FIX_COMMITS
# commits. Prints the median of RUNS runs per command. Results go into docs/BENCHMARKS.md.
#
#   cargo build --release && scripts/bench-incident.sh [target/release/git-hotfix]
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
HOTFIXES=${HOTFIXES:-200}
FIX_COMMITS=${FIX_COMMITS:-20}
RUNS=${RUNS:-11}

source "$(dirname "$0")/bench-lib.sh"

cd "$repo"
cat > .hotfix.toml <<'TOML'
[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]
[policies.deploy.settings]
"deploy" = "./deploy.sh {environment} {version}"
"verify" = "./deploy.sh smoke {environment}"
TOML
printf '#!/bin/sh\necho "$@"\n' > deploy.sh && chmod +x deploy.sh
echo '{ "version": "1.0.0" }' > package.json
git add . && git commit -qm "Release 1.0.0" && git tag -a v1.0.0 -m v1.0.0

start=$(date +%s%N)
for i in $(seq "$HOTFIXES"); do
    "$BIN" -q start "ENG-$i" "fix $i" --severity P1 --detected-at "5 minutes ago"
    mkdir -p tests && echo "$i" > app.txt && echo "$i" > "tests/t$i.sh"
    git add . && git commit -qm "fix: $i"
    "$BIN" -q finish
    "$BIN" -q deploy production --force --yes
    "$BIN" -q verify
done
end=$(date +%s%N)
echo "made $HOTFIXES hotfixes in $(( (end - start) / 1000000000 )) s; notes: $(git notes --ref hotfix list | wc -l)"

measure "git notes --ref hotfix list (reference)" git notes --ref hotfix list
measure "git hotfix log ($HOTFIXES notes)" "$BIN" log
measure "git hotfix log --json" "$BIN" log --json
measure "git hotfix status --hotfix ENG-1 (finished)" "$BIN" status --hotfix ENG-1
measure "git hotfix report pir --hotfix ENG-1" "$BIN" report pir --hotfix ENG-1
start=$(date +%s%N); "$BIN" -q check communicated --hotfix ENG-1; end=$(date +%s%N)
printf '%-52s %6s ms (one run: journal and note)\n' "git hotfix check communicated" $(( (end - start) / 1000000 ))

"$BIN" -q start ENG-X "fix x" --severity P0
for c in $(seq "$FIX_COMMITS"); do
    echo "$c" > "src$c.txt" && git add . && git commit -qm "fix part $c"
done
measure "git hotfix status ($FIX_COMMITS fix commits, in progress)" "$BIN" status
git fsck --strict --no-progress --connectivity-only && echo "fsck: clean"
