#!/usr/bin/env bash
# Vendor axe-core (used by the browser tests only, never served) into
# tests/vendor/axe-core/.
#   scripts/update-axe-core.sh [VERSION]   (default: the version in tests/vendor/axe-core/VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=tests/vendor/axe-core
version="${1:-$(cat "$dest/VERSION")}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@${version}" >/dev/null && tar xzf "axe-core-${version}.tgz")
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$dest/"
echo "$version" > "$dest/VERSION"
echo "axe-core $version copied into $dest/"
