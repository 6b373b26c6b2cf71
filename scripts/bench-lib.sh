# Sourced by the bench scripts: a work directory removed on exit (kept with KEEP=1), `repo` inside it (an
# empty git repository on `main` with a Bench identity, which git also takes from the
# environment), `time_runs`, which times a command RUNS times with its peak memory, and
# `measure`, which prints the median wall time of RUNS runs of a command.

work=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then
    trap 'echo "kept: $work" >&2' EXIT # KEEP=1: leave the repository for a profiler
else
    trap 'rm -rf "$work"' EXIT
fi
repo=$work/repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

git init -q -b main "$repo"
git -C "$repo" config user.name Bench
git -C "$repo" config user.email bench@example.com

# time_runs LABEL RESET_COMMAND COMMAND: median wall seconds and peak RSS (KiB) of RUNS runs.
time_runs() {
    local label=$1 reset=$2 command=$3 walls=() rss=0
    for _ in $(seq "$RUNS"); do
        bash -c "$reset" >/dev/null 2>&1
        local start end kib
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$work/time" bash -c "$command" >/dev/null 2>"$work/stderr" || {
            echo "$label: failed: $command" >&2
            tail -5 "$work/stderr" >&2
            return 1
        }
        end=$(date +%s%N)
        walls+=("$(( (end - start) / 1000 ))")
        kib=$(tail -1 "$work/time")
        (( kib > rss )) && rss=$kib
    done
    local median
    median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-52s %9.1f ms %8d KiB\n' "$label" "$(echo "$median / 1000" | bc -l)" "$rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure LABEL COMMAND...: median wall milliseconds of RUNS runs.
measure() {
    local label=$1; shift
    local times=()
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%-52s %6s ms\n' "$label" "$(printf '%s\n' "${times[@]}" | median)"
}
