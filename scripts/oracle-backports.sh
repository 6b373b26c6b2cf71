#!/usr/bin/env bash
# Real backports as the oracle: SQLAlchemy backports fixes from main to its release lines
# with `git cherry-pick -x`, so every backport commit on `rel_2_0` names its source. For
# the newest COUNT of them, git-hotfix picks the source onto the backport's parent and its
# result is compared with git's own merge of the same pick (`git merge-tree`), which it
# must equal, and with the tree the maintainers committed (equal unless they edited the
# pick). Not committed: give the path of a clone.
#
#   git clone --bare https://github.com/sqlalchemy/sqlalchemy sqlalchemy.git  # or `fetch` it
#   cargo build --release --locked
#   scripts/oracle-backports.sh path/to/sqlalchemy.git [target/release/git-hotfix]
set -euo pipefail

SOURCE=$(realpath "${1:?the path of a clone of sqlalchemy}")
BIN=$(realpath "${2:-target/release/git-hotfix}")
LINE=${LINE:-rel_2_0}
COUNT=${COUNT:-200}

source "$(dirname "$0")/bench-lib.sh"
rm -rf "$repo"
git clone --quiet --bare "$SOURCE" "$repo"
cd "$repo"
git config user.name Bench
git config user.email bench@example.com
echo "$(git rev-list --count --all) commits, $(git ls-tree -r --name-only "$LINE" | wc -l) files; git $(git --version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"

# Backport commits on the line whose source is here and is not a merge.
git log "$LINE" --no-merges --format='%H' --grep='cherry picked from commit' |
    while read -r backport; do
        source=$(git log -1 --format=%B "$backport" |
            sed -n 's/.*(cherry picked from commit \([0-9a-f]\{40\}\)).*/\1/p' | tail -1)
        [ -n "$source" ] && git cat-file -e "$source^{commit}" 2>/dev/null || continue
        [ "$(git rev-list --parents -n 1 "$source" | wc -w)" = 2 ] || continue
        echo "$backport $source"
    done | head -n "$COUNT" > "$work/pairs" || true # head stops the loop early

same_as_git=0 same_as_real=0 differs=0 picked=0 conflicts=0 empty=0 total=0
declare -A ours_ms=([picked]=0 [conflict]=0 [empty]=0) git_ms=([picked]=0 [conflict]=0 [empty]=0) # microseconds
while read -r backport source; do
    onto=$(git rev-parse "$backport^")
    git update-ref refs/heads/oracle/onto "$onto"

    start=$(date +%s%N)
    plan=$("$BIN" backport --offline "$source" --to oracle/onto --plan --json 2>/dev/null || true)
    middle=$(date +%s%N)
    theirs=$(git merge-tree --write-tree --merge-base="$source^" "$onto" "$source" 2>/dev/null | head -1) &&
        git_result=$theirs || git_result=conflict
    end=$(date +%s%N)

    ours=$(python3 -c '
import json, sys
commit = json.loads(sys.argv[1])["targets"][0]["commits"][0]
print(commit["tree"] if commit["status"] == "picked" else commit["status"])' "$plan")
    total=$((total + 1))
    case "$ours" in
        conflict) conflicts=$((conflicts + 1)) kind=conflict ;;
        empty) empty=$((empty + 1)) kind=empty ;;
        *) picked=$((picked + 1)) kind=picked ;;
    esac
    ours_ms[$kind]=$((ours_ms[$kind] + (middle - start) / 1000))
    git_ms[$kind]=$((git_ms[$kind] + (end - middle) / 1000))
    # git-hotfix calls a pick whose change the line already has `empty` (git: no change,
    # or a conflict when the line has it in another form).
    if [ "$ours" = "$git_result" ] ||
        { [ "$ours" = empty ] && { [ "$git_result" = conflict ] || [ "$git_result" = "$(git rev-parse "$onto^{tree}")" ]; }; }; then
        same_as_git=$((same_as_git + 1))
    else
        differs=$((differs + 1))
        echo "differs from git: $(git log -1 --format='%h %s' "$source") onto $(git rev-parse --short "$onto"): ours $ours, git $git_result"
    fi
    [ "$ours" = "$(git rev-parse "$backport^{tree}")" ] && same_as_real=$((same_as_real + 1))
done < "$work/pairs"

echo "$total real backports on $LINE: $picked picked, $conflicts conflicts, $empty already there"
echo "equal to git's merge of the same pick: $same_as_git of $total"
echo "equal to the tree the maintainers committed: $same_as_real of $total"
# Mean wall time per pick, whole processes. On a conflict git-hotfix also looks for the
# change on the line (a `-x` trailer or the same patch among the line's own commits),
# which `git merge-tree` does not.
for kind in picked conflict; do
    n=$([ $kind = picked ] && echo "$picked" || echo "$conflicts")
    [ "$n" -gt 0 ] && awk -v k="$kind" -v n="$n" -v o="${ours_ms[$kind]}" -v g="${git_ms[$kind]}" \
        'BEGIN { printf "mean per %s pick: git-hotfix backport --plan %.1f ms, git merge-tree %.1f ms\n", k, o / n / 1000, g / n / 1000 }'
    true
done
[ "$differs" = 0 ]
