#!/bin/sh
# Build {{name}}.wasm with componentize-py, then check it and run its cases with git-hotfix.
#   ./build.sh            (GIT_HOTFIX=/path/to/git-hotfix to use another binary)
# Needs python3 (3.11 or newer, with venv): componentize-py 0.25.1 goes into .venv the first
# time, unless it is on PATH already.
set -eu
cd "$(dirname "$0")"
hotfix=${GIT_HOTFIX:-git-hotfix}

componentize=$(command -v componentize-py || echo .venv/bin/componentize-py)
if [ ! -x "$componentize" ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check componentize-py==0.25.1
fi
"$componentize" -d wit -w {{world}} componentize app -o {{name}}.wasm

"$hotfix" plugin check {{name}}.wasm
"$hotfix" plugin test {{name}}.wasm --cases cases
