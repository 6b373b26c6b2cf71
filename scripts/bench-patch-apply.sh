#!/usr/bin/env bash
# Apply a `git format-patch` series of PATCHES commits (three files each) to a repository of
# FILES files: `git am` against `git hotfix patch apply` onto the checked-out branch (the
# worktree follows) and onto another branch (no checkout at all). Whole-process wall time
# (median of RUNS) and the peak RSS of the biggest process (GNU time).
#
#   cargo build --release && scripts/bench-patch-apply.sh [target/release/git-hotfix]
set -euo pipefail

BIN=$(realpath "${1:-target/release/git-hotfix}")
FILES=${FILES:-20000}
PATCHES=${PATCHES:-50}
RUNS=${RUNS:-5}

source "$(dirname "$0")/bench-lib.sh"
# FILES files of 30 lines; PATCHES commits on `fixes`, each changing a line in the middle
# of three files, so every hunk has full context on both sides.
python3 - "$FILES" "$PATCHES" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys
files, patches = map(int, sys.argv[1:])
random.seed(1)
out = sys.stdout
paths = [f"src/d{i // 100}/f{i % 100}.txt" for i in range(files)]
content = {p: [f"{p} line {n}\n" for n in range(30)] for p in paths}
mark = 0
t = 1700000000
def commit(ref, parent, message, changes):
    global mark, t
    mark += 1; t += 60
    out.write(f"commit {ref}\nmark :{mark}\ncommitter Bench <bench@example.com> {t} +0000\n")
    out.write(f"data {len(message)}\n{message}")
    if parent:
        out.write(f"from :{parent}\n")
    for path in changes:
        data = "".join(content[path])
        out.write(f"M 100644 inline {path}\ndata {len(data.encode())}\n{data}")
    out.write("\n")
    return mark
head = commit("refs/heads/main", None, "initial\n", paths)
for i in range(patches):
    changed = random.sample(paths, 3)
    for p in changed:
        content[p][15] = f"{p} fixed by patch {i}\n"
    head = commit("refs/heads/fixes", head, f"fix: part {i}\n\nWhy part {i}.\n", changed)
PY
git -C "$repo" reset -q --hard main
git -C "$repo" format-patch -q main..fixes -o "$work/series"
git -C "$repo" branch other main

echo "repository: $(git -C "$repo" ls-files | wc -l) files; series: $(ls "$work/series" | wc -l) patches"

base=$(git -C "$repo" rev-parse main)
reset_main="git -C '$repo' reset -q --hard $base"
reset_other="git -C '$repo' branch -f other $base"
time_runs "git am (onto the checked-out branch)" "$reset_main" "git -C '$repo' am -q '$work'/series/*.patch"
am_tree=$(git -C "$repo" rev-parse HEAD^{tree})
time_runs "git hotfix patch apply (checked-out branch)" "$reset_main" "cd '$repo' && '$BIN' -q patch apply '$work/series'"
ours_tree=$(git -C "$repo" rev-parse HEAD^{tree})
time_runs "git hotfix patch apply --onto other (no checkout)" "$reset_other" "cd '$repo' && '$BIN' -q patch apply --onto other '$work/series'"
test "$am_tree" = "$ours_tree" && test "$(git -C "$repo" rev-parse other^{tree})" = "$am_tree" && echo "same tree as git am"
test -z "$(git -C "$repo" status --porcelain)" && echo "worktree clean"
git -C "$repo" fsck --strict --no-progress --no-dangling --connectivity-only && echo "fsck: clean"
