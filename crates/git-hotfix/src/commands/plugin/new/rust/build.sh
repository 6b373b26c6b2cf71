#!/bin/sh
# Build {{name}}.wasm, then check it and run its cases with git-hotfix.
#   ./build.sh            (GIT_HOTFIX=/path/to/git-hotfix to use another binary)
set -eu
cd "$(dirname "$0")"
hotfix=${GIT_HOTFIX:-git-hotfix}

rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --target wasm32-wasip2
cp "${CARGO_TARGET_DIR:-target}/wasm32-wasip2/release/{{crate}}.wasm" {{name}}.wasm

"$hotfix" plugin check {{name}}.wasm
"$hotfix" plugin test {{name}}.wasm --cases cases
