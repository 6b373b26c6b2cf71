#!/usr/bin/env bash
# git-hotfix on a real history, side by side with git doing the same job: git.git itself
# (200K commits, 1K tags, 4.5K files, release lines that really diverged). Not committed:
# give the path of a clone.
#
#   git clone --bare https://github.com/git/git git.git   # or any clone of it
#   cargo build --release --locked
#   scripts/bench-real.sh path/to/git.git [target/release/git-hotfix]
#
# Rows: one real fix onto six release lines (release/2.50 … 2.55, made at their .0 tags)
# against `git replay --onto` per line; `status` and `finish --plan` of a hotfix of `maint`
# whose develop is `master` (far ahead), against `git merge-tree` of the same merge; each
# without and with a commit-graph. Medians of RUNS, whole process.
set -euo pipefail

SOURCE=$(realpath "${1:?the path of a clone of git.git}")
BIN=$(realpath "${2:-target/release/git-hotfix}")
RUNS=${RUNS:-5}

source "$(dirname "$0")/bench-lib.sh"
rm -rf "$repo"
git clone --quiet --branch maint "$SOURCE" "$repo"
cd "$repo"
git remote remove origin
git branch --quiet master origin/master 2>/dev/null || git branch --quiet master "$(git -C "$SOURCE" rev-parse master)"
lines=()
for minor in 50 51 52 53 54 55; do
    git branch --quiet "release/2.$minor" "v2.$minor.0"
    lines+=("release/2.$minor")
done
# The fix: the newest commit on master since v2.55.0 that changes one C file and no more.
fix=$(git log --no-merges --format=%H v2.55.0..master -- '*.c' |
    while read -r c; do
        [ "$(git diff-tree --no-commit-id --name-only -r "$c" | wc -l)" = 1 ] && { echo "$c"; break; }
    done)
echo "fix: $(git log -1 --format='%h %s' "$fix") ($(git diff-tree --no-commit-id --name-only -r "$fix"))"
echo "git $(git --version | cut -d' ' -f3), $(nproc) cores, $(date -u +%Y-%m-%d)"

export HOTFIX="$BIN"
git config hotfix.releaseBranches 'release/*'
git config hotfix.productionBranch maint
git config hotfix.developBranch master

run_rows() {
    time_runs "git-hotfix backport: 1 fix onto 6 lines" \
        "git for-each-ref --format='delete %(refname)' refs/heads/backport | git update-ref --stdin" \
        "$BIN backport --offline $fix --to 'release/*' --on-conflict skip"
    time_runs "git replay --onto, once per line (6)" "true" \
        "for l in ${lines[*]}; do git replay --onto \$l $fix^..$fix; done"
    time_runs "git-hotfix status (develop = master, far ahead)" "true" "$BIN status"
    time_runs "git-hotfix finish --plan" "true" "$BIN finish --plan --offline"
    time_runs "git merge-tree --write-tree master <hotfix>" "true" \
        "git merge-tree --write-tree master hotfix/ENG-1-bench"
}

# A hotfix of maint with one fix, for status and finish --plan.
"$BIN" start ENG-1 bench --offline >/dev/null
echo "/* bench */" >> "$(git diff-tree --no-commit-id --name-only -r "$fix")"
git commit --quiet -am "fix: bench"

echo "== without a commit-graph"
run_rows
git commit-graph write --reachable
echo "== with a commit-graph"
run_rows
