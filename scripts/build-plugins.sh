#!/usr/bin/env bash
# Build the WebAssembly plugins (the built-ins in plugins/, the test ones in tests/plugins/)
# and copy them to their dist/ directories, which are committed: git-hotfix embeds the
# built-ins, so installing and testing it needs no wasm target.
#
#   scripts/build-plugins.sh          build and update dist/
#   scripts/build-plugins.sh --check  build and fail if a committed .wasm is stale
#
# The bytes must not depend on the machine: cargo hashes the absolute path of path
# dependencies into symbol names, so the sources are staged at one fixed path and built
# there, with the cargo home remapped out of embedded paths; and the compiler is pinned,
# since another rustc makes other bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stage=/tmp/git-hotfix-plugin-build
cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTUP_TOOLCHAIN=${PLUGIN_TOOLCHAIN:-1.95.0}
rustup target add --toolchain "$RUSTUP_TOOLCHAIN" wasm32-wasip2 >/dev/null 2>&1 || {
    echo "could not add the wasm32-wasip2 target to the $RUSTUP_TOOLCHAIN toolchain" >&2
    exit 1
}

mkdir -p "$stage"
for dir in wit crates/git-hotfix-plugin-sdk plugins tests/plugins; do
    mkdir -p "$stage/$dir"
    # Copy the sources (not dist/ or target/), keeping timestamps so rebuilds stay incremental,
    # and links as links (the SDK's wit/ is one, to the contract beside it).
    (cd "$dir" && find . -path ./dist -prune -o -path ./target -prune -o \( -type f -o -type l \) -print0 \
        | xargs -0 -I{} cp -pP --parents {} "$stage/$dir/")
done

export RUSTFLAGS="--remap-path-prefix=$stage=/git-hotfix --remap-path-prefix=$cargo_home=/cargo"
export CARGO_TARGET_DIR="$stage/target"
stale=0
for workspace in plugins tests/plugins; do
    cargo build --quiet --locked --release --target wasm32-wasip2 --manifest-path "$stage/$workspace/Cargo.toml"
    mkdir -p "$workspace/dist"
    for crate in $(sed -n 's/^members = \[\(.*\)\]/\1/p' "$workspace/Cargo.toml" | tr -d '",'); do
        built="$CARGO_TARGET_DIR/wasm32-wasip2/release/${crate//-/_}.wasm"
        committed="$workspace/dist/$crate.wasm"
        if [ "${1:-}" = --check ]; then
            if ! cmp -s "$built" "$committed"; then
                echo "stale: $committed (run scripts/build-plugins.sh and commit the result)" >&2
                stale=1
            fi
        else
            cp "$built" "$committed"
        fi
    done
done
[ "$stale" = 0 ] && [ "${1:-}" = --check ] && echo "plugins: dist/ is up to date"
exit $stale
