#!/usr/bin/env bash
# Build the policy examples in examples/policies/ with their pinned toolchains, then check
# each with git-hotfix and run its cases, so that the examples (and the docs that point at
# them) cannot rot.
#
#   scripts/build-examples.sh [path-to-git-hotfix]    (default: target/debug/git-hotfix)
#
# Needs python3 (3.11 or newer, with venv and pip) and node (20.19 or newer) with npm.
# Installs componentize-py from PyPI into target/examples/venv and componentize-js from
# npm into the JavaScript example's node_modules (npm ci, from its package-lock.json). The
# components go to target/examples/*.wasm; they are not committed, and their bytes differ
# from build to build (both toolchains snapshot a language runtime after running it), so
# nothing here compares them with a committed sha256.
#
# The Rust example builds with cargo for wasm32-wasip2 (added with rustup if missing).
# All three implement the same policy and pass the same cases, examples/policies/severity-cases.
#
# Then `git hotfix plugin new` writes a policy of each kind in each language, and each is
# built and tested by the build.sh it comes with (the Rust ones against the SDK packaged as
# crates.io would have it).
#
# Exits non-zero if a build fails, `plugin check` refuses a component or a case fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

hotfix=${1:-target/debug/git-hotfix}
if [ ! -x "$hotfix" ]; then
    echo "build-examples: no git-hotfix binary at $hotfix (build it, or pass its path)" >&2
    exit 2
fi
hotfix=$(cd "$(dirname "$hotfix")" && pwd)/$(basename "$hotfix")

wit=$root/wit/v0.1.0
out=$root/target/examples
mkdir -p "$out"
# Every build gives new bytes, so compiled components would pile up in the user's cache:
# this run keeps its own, which `plugin check` fills and `plugin test` reuses.
export XDG_CACHE_HOME=$out/cache
rm -rf "$XDG_CACHE_HOME"

now() { date +%s.%N; }
since() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f s", end - start }'; }
step() { printf '\n== %s\n' "$*"; }

built=()

cases=$root/examples/policies/severity-cases

# --- Rust: git-hotfix-plugin-sdk --------------------------------------------------------
rust_example=$root/examples/policies/rust/severity
step "rust: build examples/policies/rust/severity ($(rustc --version))"
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
start=$(now)
CARGO_TARGET_DIR=$out/rust cargo build --quiet --locked --release --target wasm32-wasip2 \
    --manifest-path "$rust_example/Cargo.toml"
cp "$out/rust/wasm32-wasip2/release/severity_example.wasm" "$out/severity-rust.wasm"
echo "built in $(since "$start")"
built+=(severity-rust.wasm)

# --- Python: componentize-py ----------------------------------------------------------
python_example=$root/examples/policies/python/severity
venv=$out/venv
step "python: componentize-py 0.25.1 in $venv ($(python3 --version))"
start=$(now)
if [ ! -x "$venv/bin/pip" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" || {
        echo "build-examples: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
        exit 1
    }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check componentize-py==0.25.1
"$venv/bin/componentize-py" --version
echo "installed in $(since "$start")"

step "python: build examples/policies/python/severity"
# Built from a copy: componentize-py runs the app to snapshot it, and Python writes
# __pycache__/ next to the sources it imports.
stage=$out/build/python-severity
rm -rf "$stage"
mkdir -p "$stage"
cp "$python_example"/*.py "$stage/"
start=$(now)
"$venv/bin/componentize-py" -d "$wit" -w severity-policy componentize \
    -p "$stage" app -o "$out/severity-python.wasm"
echo "built in $(since "$start")"
built+=(severity-python.wasm)

# --- JavaScript: componentize-js ------------------------------------------------------
js_example=$root/examples/policies/javascript/severity
step "javascript: npm ci in examples/policies/javascript/severity (node $(node --version))"
start=$(now)
(cd "$js_example" && npm ci --no-audit --no-fund --loglevel=error)
echo "installed in $(since "$start")"

step "javascript: build examples/policies/javascript/severity"
start=$(now)
# The host links no wasi:http: leave out componentize-js's http and fetch-event features.
(cd "$js_example" && ./node_modules/.bin/componentize-js severity.js \
    --wit "$wit" --world-name severity-policy --disable http fetch-event \
    --out "$out/severity-javascript.wasm")
echo "built in $(since "$start")"
built+=(severity-javascript.wasm)

# --- Check and test each component with git-hotfix -------------------------------------
failed=()
for name in "${built[@]}"; do
    wasm=$out/$name
    size=$(wc -c <"$wasm")
    step "$(basename "$wasm"): $((size / 1024)) KiB, sha256 $(sha256sum "$wasm" | cut -d' ' -f1)"
    start=$(now)
    if "$hotfix" plugin check "$wasm"; then
        echo "checked in $(since "$start")"
    else
        failed+=("plugin check $(basename "$wasm")")
        continue
    fi
    start=$(now)
    if "$hotfix" plugin test "$wasm" --cases "$cases"; then
        echo "tested in $(since "$start")"
    else
        failed+=("plugin test $(basename "$wasm") --cases ${cases#"$root"/}")
    fi
done

# --- What `git hotfix plugin new` writes: every kind in every language ------------------
# Each is written, then built by its own build.sh (which checks it and runs its cases), as a
# policy author would. The Rust ones depend on git-hotfix-plugin-sdk as a published crate:
# `cargo package` makes the .crate crates.io would get, and [patch.crates-io] points at it
# unpacked, so the SDK's WIT must travel inside it.
step "plugin new: the SDK as crates.io would have it"
rm -rf "$out/package"
CARGO_TARGET_DIR=$out/package cargo package --quiet --locked --no-verify --allow-dirty \
    --manifest-path "$root/crates/git-hotfix-plugin-sdk/Cargo.toml"
sdk_crate=$(ls "$out"/package/package/git-hotfix-plugin-sdk-*.crate)
tar -xzf "$sdk_crate" -C "$out/package"
sdk=$(ls -d "$out"/package/git-hotfix-plugin-sdk-*/)
echo "unpacked $(basename "$sdk_crate") into $sdk"

new=$out/new
rm -rf "$new"
mkdir -p "$new"
scaffolds=0
for kind in severity version-files deploy; do
    for lang in rust python js; do
        dir=$new/$kind-$lang
        step "plugin new $kind-$lang --kind $kind --lang $lang, then its build.sh"
        scaffolds=$((scaffolds + 1))
        if ! "$hotfix" plugin new "$dir" --kind "$kind" --lang "$lang"; then
            failed+=("plugin new --kind $kind --lang $lang")
            continue
        fi
        if [ "$lang" = rust ]; then
            printf '\n[patch.crates-io]\ngit-hotfix-plugin-sdk = { path = "%s" }\n' "$sdk" \
                >>"$dir/Cargo.toml"
        fi
        start=$(now)
        # One Rust target directory, the examples' componentize-py, npm's own cache.
        if CARGO_TARGET_DIR=$out/new-rust GIT_HOTFIX=$hotfix PATH=$venv/bin:$PATH \
            "$dir/build.sh"; then
            echo "built, checked and tested in $(since "$start")"
        else
            failed+=("$kind-$lang/build.sh (written by plugin new)")
        fi
    done
done

echo
if [ ${#failed[@]} -gt 0 ]; then
    printf 'build-examples: FAILED: %s\n' "${failed[@]}" >&2
fi
# The closing line CI reads: an example passes when it builds, checks and passes its cases.
echo "examples: $((${#built[@]} + scaffolds - ${#failed[@]})) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ] || exit 1
