#!/bin/sh
# Build {{name}}.wasm with componentize-js, then check it and run its cases with git-hotfix.
#   ./build.sh            (GIT_HOTFIX=/path/to/git-hotfix to use another binary)
# Needs node (20.19 or newer) and npm; componentize-js goes into node_modules the first time.
set -eu
cd "$(dirname "$0")"
hotfix=${GIT_HOTFIX:-git-hotfix}

[ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error
# The host links no wasi:http: componentize-js's http and fetch-event features stay out.
npm run --silent build

"$hotfix" plugin check {{name}}.wasm
"$hotfix" plugin test {{name}}.wasm --cases cases
