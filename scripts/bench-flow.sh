#!/usr/bin/env bash
# Time git-hotfix on a large synthetic history: COMMITS commits on main over FILES files, a
# release tag every TAG_EVERY commits, a develop branch, and a hotfix with one fix commit.
# Prints the median of RUNS runs per command. Results go into docs/BENCHMARKS.md by hand.
#
#   cargo build --release && scripts/bench-flow.sh [target/release/git-hotfix]
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
COMMITS=${COMMITS:-50000}
FILES=${FILES:-2000}
TAG_EVERY=${TAG_EVERY:-250}
RUNS=${RUNS:-11}

source "$(dirname "$0")/bench-lib.sh"

# One fast-import stream: every commit changes one file; every TAG_EVERY-th is tagged.
python3 - "$COMMITS" "$FILES" "$TAG_EVERY" <<'PY' | git -C "$repo" fast-import --quiet
import sys
commits, files, every = map(int, sys.argv[1:])
out = sys.stdout
minor = 0
for i in range(1, commits + 1):
    data = f"line {i}\n"
    msg = f"change {i}\n"
    out.write(f"commit refs/heads/main\nmark :{i}\ncommitter Bench <bench@example.com> {1700000000 + i} +0000\n")
    out.write(f"data {len(msg)}\n{msg}")
    if i > 1:
        out.write(f"from :{i-1}\n")
    out.write(f"M 100644 inline src/f{i % files}.txt\ndata {len(data)}\n{data}\n")
    if i % every == 0:
        minor += 1
        tag = f"v1.{minor // 10}.{minor % 10}"
        msg = f"Release {tag}\n"
        out.write(f"tag {tag}\nfrom :{i}\ntagger Bench <bench@example.com> {1700000000 + i} +0000\ndata {len(msg)}\n{msg}")
PY
git -C "$repo" reset -q --hard main
git -C "$repo" branch develop main
printf 'develop-branch = "develop"\n' > "$repo/.hotfix.toml"
git -C "$repo" add .hotfix.toml && git -C "$repo" commit -qm "settings"

cd "$repo"
echo "history: $(git rev-list --count main) commits, $(git tag | wc -l) tags, $(git ls-files | wc -l) files"
measure "git describe --tags --abbrev=0 (reference)" git describe --tags --abbrev=0
measure "git hotfix start --plan" "$BIN" start ENG-1 fix --plan
"$BIN" -q start ENG-1 fix
echo "fixed" > src/f1.txt && git commit -qam "fix"
measure "git hotfix status" "$BIN" status
measure "git hotfix finish --plan (merge into main and develop)" "$BIN" finish --plan
start=$(date +%s%N); "$BIN" -q finish; end=$(date +%s%N)
printf '%-44s %6s ms (one run)\n' "git hotfix finish" $(( (end - start) / 1000000 ))
git fsck --strict --no-progress --connectivity-only && echo "fsck: clean"

# Most maintained clones have a commit-graph (`git gc` writes one); gix walks it instead of
# inflating commits.
git commit-graph write --reachable
measure "git hotfix start --plan, with a commit-graph" "$BIN" start ENG-3 x --plan
