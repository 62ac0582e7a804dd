#!/usr/bin/env bash
# Vendors the web app's third-party front-end files into renkou/web/static/vendor/ from the
# npm registry (never a CDN: pages must work on an office network with no Internet, and no
# page fetches anything from outside the server at run time). No build step: we copy the
# packages' own minified files.
#
#   scripts/vendor-static.sh           download the pinned versions, write SHA256SUMS
#   scripts/vendor-static.sh --check   verify the committed files against SHA256SUMS
#
# To upgrade, change a version below, run the script and commit the files it wrote.
set -euo pipefail

HTMX_VERSION="2.0.11"
ECHARTS_VERSION="5.6.0"
ZRENDER_VERSION="5.6.1"  # bundled inside echarts' dist file; its licence travels with it

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/renkou/web/static/vendor"

if [ "${1:-}" = "--check" ]; then
  cd "$dest" && sha256sum --quiet -c SHA256SUMS && echo "vendor files match SHA256SUMS"
  exit 0
fi

command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# `npm pack` fetches the registry tarball and checks its sha512 integrity.
npm pack --silent "htmx.org@$HTMX_VERSION" "echarts@$ECHARTS_VERSION" \
  "zrender@$ZRENDER_VERSION" >/dev/null
for tgz in *.tgz; do
  mkdir "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done

htmx="htmx.org-$HTMX_VERSION/package"
echarts="echarts-$ECHARTS_VERSION/package"
zrender="zrender-$ZRENDER_VERSION/package"

rm -rf "$dest"
mkdir -p "$dest/htmx" "$dest/echarts"
cp "$htmx/dist/htmx.min.js" "$dest/htmx/"
cp "$htmx/LICENSE" "$dest/htmx/LICENSE"
# The "common" build: line, bar, pie and scatter charts with legend, tooltip and grid
# (about 220 kB gzipped, a third less than the full build) — all the dashboard draws.
cp "$echarts/dist/echarts.common.min.js" "$dest/echarts/"
cp "$echarts/LICENSE" "$dest/echarts/LICENSE"
cp "$echarts/NOTICE" "$dest/echarts/NOTICE"
cp "$echarts/licenses/LICENSE-d3" "$dest/echarts/LICENSE-d3"
cp "$zrender/LICENSE" "$dest/echarts/LICENSE-zrender"

cat > "$dest/VERSIONS" <<EOF
htmx.org $HTMX_VERSION (npm) — BSD Zero Clause License — htmx/htmx.min.js
echarts $ECHARTS_VERSION (npm) — Apache License 2.0 — echarts/echarts.common.min.js
zrender $ZRENDER_VERSION (npm, bundled in echarts) — BSD 3-Clause — echarts/LICENSE-zrender
Written by scripts/vendor-static.sh; verify with scripts/vendor-static.sh --check.
EOF
cd "$dest"
find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
echo "vendored into $dest:"
cat VERSIONS
