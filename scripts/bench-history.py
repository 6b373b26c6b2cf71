#!/usr/bin/env python3
"""A large history for the backport benchmarks, as one `git fast-import` stream on stdout.

    scripts/bench-history.py FILES CHURN LINE_CHURN MERGE | git fast-import --quiet

FILES files; six releases CHURN commits apart on main (tags v1.0.0 to v1.5.0), each forked
to release/1.k with LINE_CHURN commits of its own; main moves on; the fix, ten commits on
`fixes`, lives in src/fix/, which no other commit touches unless MERGE is 1 (then every
line changed those files too, and each pick is a real three-way merge).
"""
import random, sys
files, churn, line_churn, merge = map(int, sys.argv[1:])
random.seed(1)
out = sys.stdout
paths = [f"src/d{i // 100}/f{i % 100}.txt" for i in range(files)]
mark = 0
t = 1700000000
def commit(ref, parent, message, changes):
    global mark, t
    mark += 1; t += 60
    out.write(f"commit {ref}\nmark :{mark}\ncommitter Bench <bench@example.com> {t} +0000\n")
    out.write(f"data {len(message)}\n{message}")
    if parent:
        out.write(f"from :{parent}\n")
    for path, data in changes:
        out.write(f"M 100644 inline {path}\ndata {len(data)}\n{data}")
    out.write("\n")
    return mark
def churn_changes(n):
    return [(p, f"{p} changed {random.random()}\n") for p in random.sample(paths, n)]
initial = [(p, f"{p}\nline 2\nline 3\n") for p in paths]
def fix_file(i, first="", last=""):
    middle = "".join(f"line {n}\n" for n in range(2, 10))
    return f"fix file {i}{first}\n{middle}line 10{last}\n"
initial += [(f"src/fix/f{i}.txt", fix_file(i)) for i in range(10)]
head = commit("refs/heads/main", None, "initial\n", initial)
for k in range(6):
    for c in range(churn):
        head = commit("refs/heads/main", head, f"main {k}.{c}\n", churn_changes(5))
    msg = f"Release 1.{k}\n"
    out.write(f"tag v1.{k}.0\nfrom :{head}\ntagger Bench <bench@example.com> {t} +0000\ndata {len(msg)}\n{msg}")
    line = head
    for c in range(line_churn):
        changes = churn_changes(3)
        if merge and c == 0:
            changes += [(f"src/fix/f{i}.txt", fix_file(i, last=f" on 1.{k}")) for i in range(10)]
        line = commit(f"refs/heads/release/1.{k}", line, f"1.{k} patch {c}\n", changes)
for c in range(churn):
    head = commit("refs/heads/main", head, f"main 6.{c}\n", churn_changes(5))
fix = head
for i in range(10):
    fix = commit("refs/heads/fixes", fix, f"fix: part {i}\n", [(f"src/fix/f{i}.txt", fix_file(i, first=", fixed"))])
