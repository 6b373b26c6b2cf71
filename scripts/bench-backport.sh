#!/usr/bin/env bash
# Backport one commit, and a 10-commit series, to six release lines of a large repository:
# git-hotfix against (a) a loop of `git checkout` + `git cherry-pick -x` per line and
# (b) `git replay --onto <line>` per line (which computes the picks but moves no ref, so it
# does less than the others). Whole-process wall time (median of RUNS, measured around the
# whole shell command) and the peak RSS of its biggest process (GNU time).
#
#   cargo build --release && scripts/bench-backport.sh [target/release/git-hotfix]
#
# MERGE=1: every release line also changed the files the fix changes (another line of
# them), so each pick needs a real three-way merge. LOOP=0 leaves out (a), whose checkouts
# take minutes at 300K files. The scaling rows of docs/BENCHMARKS.md:
#
#   for n in 10000 100000 300000; do FILES=$n MERGE=1 LOOP=0 scripts/bench-backport.sh; done
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
FILES=${FILES:-20000}
CHURN=${CHURN:-200}        # commits on main between two releases
LINE_CHURN=${LINE_CHURN:-30} # commits on each release line after it forked
RUNS=${RUNS:-5}
MERGE=${MERGE:-0}
LOOP=${LOOP:-1}

source "$(dirname "$0")/bench-lib.sh"
"$(dirname "$0")/bench-history.py" "$FILES" "$CHURN" "$LINE_CHURN" "$MERGE" | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
one=$(git -C "$repo" rev-parse fixes~9)
series="main..fixes"
wt=$work/loop
git -C "$repo" worktree add -q --detach "$wt" main

echo "repository: $(git -C "$repo" ls-files | wc -l) files, $(git -C "$repo" rev-list --count --all) commits, lines: $(git -C "$repo" branch --list 'release/*' | tr -d ' ' | tr '\n' ' ')"

for what in one series; do
    if [ "$what" = one ]; then pick=$one; range="$one^..$one"; else pick=$series; range=$series; fi
    loop=""
    replay=""
    for k in 0 1 2 3 4 5; do
        loop+="git -C '$wt' checkout -q -B bench-a-$k release/1.$k && git -C '$wt' cherry-pick -x $pick && "
        replay+="git -C '$repo' replay --onto release/1.$k $range && "
    done
    loop+="true"; replay+="true"
    reset_loop="git -C '$wt' checkout -q --detach main; for k in 0 1 2 3 4 5; do git -C '$repo' branch -q -D bench-a-\$k; done; true"
    reset_ours="git -C '$repo' for-each-ref --format='delete %(refname)' refs/heads/backport/ | git -C '$repo' update-ref --stdin; rm -rf '$repo/.git/hotfix/backports'"
    echo "--- $what ($( [ $what = one ] && echo 1 commit || echo 10 commits )) to 6 lines"
    [ "$LOOP" = 1 ] && time_runs "(a) git checkout + git cherry-pick -x, per line" "$reset_loop" "$loop"
    time_runs "(b) git replay --onto, per line (no ref moved)" "true" "$replay"
    time_runs "git hotfix backport --to 'release/*'" "$reset_ours" "cd '$repo' && '$BIN' -q backport $pick --to 'release/*' --on-conflict skip"
done
git -C "$repo" fsck --strict --no-progress --no-dangling --connectivity-only && echo "fsck: clean"
test "$(git -C "$repo" for-each-ref refs/heads/backport/ | wc -l)" -eq 6 && echo "6 backport branches made"
# The series' result on every line is git's: the tree `git replay` makes for the same picks.
for k in 0 1 2 3 4 5; do
    ours=$(git -C "$repo" rev-parse "$(git -C "$repo" for-each-ref --format='%(refname)' "refs/heads/backport/release/1.$k/")^{tree}")
    theirs=$(git -C "$repo" replay --onto "release/1.$k" "$series" | awk '{print $3}')
    test "$ours" = "$(git -C "$repo" rev-parse "$theirs^{tree}")" || { echo "release/1.$k: tree differs from git replay's"; exit 1; }
done
echo "the series' trees on all 6 lines equal git replay's"
