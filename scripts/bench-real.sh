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
# against `git replay --onto` per line; a 24-commit series that conflicts on every line
# against a checkout + cherry-pick loop (their trees compared, pick by pick); `status` and
# `finish --plan` of a hotfix of `maint` whose develop is `master` (far ahead), against `git
# merge-tree` of the same merge; the whole start → commit → finish flow against git-flow
# (AVH, Debian's package, fetched into the work directory when `git flow` is missing); each
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

# The series: 24 commits on master since v2.55.0 in the order they were made, from the
# 241st that is not a merge, a batch of release notes or a mailmap change (those conflict
# on every line at once). Every line conflicts somewhere in it: 2.50–2.53 at the 5th
# (replay.c), 2.54 and 2.55 at the 12th (reftable).
git log --no-merges --reverse --format='%H %s' v2.55.0..master |
    grep -v -E ' The [0-9a-z]+ batch| mailmap|^[0-9a-f]+ Git 2\.' | cut -d' ' -f1 |
    sed -n '241,264p' > "$work/series"
echo "series: $(git log -1 --format=%h "$(head -1 "$work/series")") … $(git log -1 --format=%h "$(tail -1 "$work/series")") (24 commits)"

# git-flow, for the whole-flow row.
if ! git flow version >/dev/null 2>&1; then
    (cd "$work" && apt-get download git-flow >/dev/null 2>&1 && dpkg-deb -x git-flow_*.deb gitflow)
    export PATH="$work/gitflow/usr/bin:$PATH"
fi
echo "git-flow $(git flow version)"
git config gitflow.branch.master maint
git config gitflow.branch.develop master
for kind in feature bugfix release support; do git config gitflow.prefix.$kind "$kind/"; done
git config gitflow.prefix.hotfix gitflow-hotfix/
git config gitflow.prefix.versiontag v
export GIT_MERGE_AUTOEDIT=no GIT_EDITOR=true
fix_file=$(git diff-tree --no-commit-id --name-only -r "$fix")

export HOTFIX="$BIN"
git config hotfix.releaseBranches 'release/*'
git config hotfix.productionBranch maint
git config hotfix.developBranch master

drop_backports="git for-each-ref --format='delete %(refname)' refs/heads/backport | git update-ref --stdin; rm -rf .git/hotfix/backports"
loop="for l in ${lines[*]}; do git -C $work/loop checkout -q -f -B loop \$l; git -C $work/loop cherry-pick $(tr '\n' ' ' < "$work/series") || git -C $work/loop cherry-pick --abort; done"
git worktree add -q --detach "$work/loop" maint

# The same picks as git's: the tree of every commit the series left on each line before
# its conflict, against the loop's, and the conflict at the same commit.
check_series() {
    bash -c "$drop_backports"
    "$BIN" backport --offline $(cat "$work/series") --to 'release/*' --on-conflict skip --json \
        > "$work/series.json" 2>/dev/null || true
    for l in "${lines[@]}"; do
        git -C "$work/loop" checkout -q -f -B loop "$l"
        # --abort would drop the picks made before the conflict; keep them.
        git -C "$work/loop" cherry-pick $(cat "$work/series") >/dev/null 2>&1 ||
            { git -C "$work/loop" reset -q --merge && git -C "$work/loop" cherry-pick --quit; }
        git log --reverse --format=%T "$l..loop"
        echo "end $l"
    done > "$work/git-trees"
    python3 - "$work/series.json" "$work/git-trees" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
git, line = {}, []
for word in open(sys.argv[2]).read().split():
    if word == "end":
        continue
    if word.startswith("release/"):
        git[word], line = line, []
    else:
        line.append(word)
for target in run["targets"]:
    ours = [c["tree"] for c in target["commits"] if c["status"] == "picked"]
    assert ours == git[target["target"]], f"{target['target']}: trees differ from git's"
    assert target["status"] == "conflict", target
print("series: every pick's tree equals git cherry-pick's, the conflicts at the same commits:",
      ", ".join(f"{t['target']} {sum(c['status'] == 'picked' for c in t['commits'])}" for t in run["targets"]))
PY
}

maint=$(git rev-parse maint)
master=$(git rev-parse master)
# The whole flow, from production at v2.55.0 to the release tagged and merged back.
reset_flow="git checkout -q -f maint && git reset -q --hard $maint && git update-ref refs/heads/master $master \
    && { git tag -d v2.55.1 2>/dev/null; git update-ref -d refs/notes/hotfix; rm -rf .git/hotfix; \
         git for-each-ref --format='delete %(refname)' refs/heads/hotfix refs/heads/gitflow-hotfix | git update-ref --stdin; true; }"
fix_commit="echo '/* bench */' >> $fix_file && git commit -qam 'fix: bench'"

run_rows() {
    bash -c "$reset_flow" >/dev/null 2>&1
    time_runs "git-hotfix backport: 1 fix onto 6 lines" "$drop_backports" \
        "$BIN backport --offline $fix --to 'release/*' --on-conflict skip"
    time_runs "git replay --onto, once per line (6)" "true" \
        "for l in ${lines[*]}; do git replay --onto \$l $fix^..$fix; done"
    time_runs "git-hotfix backport: 24-commit series onto 6 lines" "$drop_backports" \
        "$BIN backport --offline $(tr '\n' ' ' < "$work/series") --to 'release/*' --on-conflict skip; [ \$? = 3 ]"
    time_runs "checkout + cherry-pick loop, stop at the conflict" "true" "$loop"
    time_runs "git-hotfix start, fix, finish" "$reset_flow" \
        "$BIN start ENG-2 flow --offline && $fix_commit && $BIN finish --offline"
    time_runs "git flow hotfix start, fix, finish" "$reset_flow" \
        "git flow hotfix start 2.55.1 && $fix_commit && git flow hotfix finish -m 'Hotfix 2.55.1' 2.55.1"
    bash -c "$reset_flow" >/dev/null 2>&1
    "$BIN" -q start ENG-1 bench --offline >/dev/null 2>&1
    bash -c "$fix_commit"
    time_runs "git-hotfix status (develop = master, far ahead)" "true" "$BIN status"
    time_runs "git-hotfix finish --plan" "true" "$BIN finish --plan --offline"
    time_runs "git merge-tree --write-tree master <hotfix>" "true" \
        "git merge-tree --write-tree master hotfix/ENG-1-bench"
}

check_series

echo "== without a commit-graph"
run_rows
git commit-graph write --reachable
echo "== with a commit-graph"
run_rows
