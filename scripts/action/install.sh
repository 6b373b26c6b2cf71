#!/usr/bin/env bash
# Install git-hotfix for the GitHub action (action.yml): the prebuilt binary of the action's
# own version for this runner's OS and architecture, checked against its sha256, from the
# project's GitHub release; else built from the action's source with `cargo install --locked`
# (a release without that binary, a runner we build none for, a download that failed).
#
#   GIT_HOTFIX_REPOSITORY   owner/name the releases are in (default: the action's own)
#   GIT_HOTFIX_VERSION      the version to install (default: the one in the action's source)
#   GIT_HOTFIX_BUILD        `never`: fail rather than build from source
set -euo pipefail

source_dir=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
bin_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/git-hotfix/bin
mkdir -p "$bin_dir"

# The version the action's source is: the binary must be the same one.
version=${GIT_HOTFIX_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$source_dir/Cargo.toml" | head -n 1)}
version=${version#v}
repository=${GIT_HOTFIX_REPOSITORY:-git-hotfix/git-hotfix}
server=${GITHUB_SERVER_URL:-https://github.com}

case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-gnu ;;
Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-gnu ;;
macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
*) target="" ;;
esac

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

prebuilt() {
    [ -n "$target" ] || {
        echo "git-hotfix: no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
        return 1
    }
    local archive="git-hotfix-$target.tar.gz"
    local url="$server/$repository/releases/download/v$version/$archive"
    local dir
    dir=$(mktemp -d)
    echo "git-hotfix: downloading $url"
    curl --fail --silent --show-error --location --retry 3 --output "$dir/$archive" "$url" &&
        curl --fail --silent --show-error --location --retry 3 --output "$dir/$archive.sha256" "$url.sha256" ||
        return 1
    local expected actual
    expected=$(cut -d' ' -f1 <"$dir/$archive.sha256")
    actual=$(sha256 "$dir/$archive")
    if [ "$expected" != "$actual" ]; then
        echo "git-hotfix: $archive has sha256 $actual, the release says $expected: not installed" >&2
        return 1
    fi
    tar -xzf "$dir/$archive" -C "$dir"
    install -m 755 "$dir/git-hotfix" "$bin_dir/git-hotfix"
}

if ! prebuilt; then
    if [ "${GIT_HOTFIX_BUILD:-auto}" = never ]; then
        echo "git-hotfix: no usable prebuilt binary, and GIT_HOTFIX_BUILD=never" >&2
        exit 1
    fi
    echo "git-hotfix: building $version from the action's source instead (a few minutes)"
    cargo install --quiet --locked --path "$source_dir/crates/git-hotfix" --root "${bin_dir%/bin}"
fi

if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bin_dir" >>"$GITHUB_PATH"
fi
"$bin_dir/git-hotfix" --version
