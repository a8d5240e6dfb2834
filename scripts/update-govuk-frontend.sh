#!/usr/bin/env bash
# Vendor govuk-frontend's precompiled assets into static/.
#   scripts/update-govuk-frontend.sh [VERSION]   (default: the version in static/GOVUK_FRONTEND_VERSION)
# Only the built CSS, JS, fonts and images are copied: the app serves static/ at
# /assets, which is where govuk-frontend's CSS expects its fonts and images.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-$(cat static/GOVUK_FRONTEND_VERSION)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "govuk-frontend@${version}" >/dev/null && tar xzf "govuk-frontend-${version}.tgz")
dist="$work/package/dist/govuk"
rm -rf static/fonts static/images
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" static/
cp -r "$dist/assets/fonts" "$dist/assets/images" static/
cp "$dist/assets/manifest.json" static/manifest.json
echo "$version" > static/GOVUK_FRONTEND_VERSION
echo "govuk-frontend $version copied into static/"
