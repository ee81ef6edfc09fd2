#!/usr/bin/env bash
# Vendor the cartesian Plotly.js bundle (npm: plotly.js-cartesian-dist-min) into
# static/vendor/plotly-cartesian/, with its licence and package.json (its version). Its
# version must equal the plotly.js inside the pinned plotly Python package, which serves the
# full bundle (3-D): the page swaps one for the other (static/js/plotly-loader.js).
# Run after bumping plotly in requirements.lock: edit tools/package.json to the version this
# script names, `npm install --prefix tools`, run it again, commit. tests/test_vendor.py checks.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (Debian: apt-get install nodejs npm)" >&2; exit 1; }
PY=${PYTHON:-.venv/bin/python}
full=$("$PY" -c 'from app.pages import bundle_version, full_bundle; print(bundle_version(full_bundle()))')
pinned=$(node -p 'require("./tools/package.json").devDependencies["plotly.js-cartesian-dist-min"]')
if [ "$full" != "$pinned" ]; then
  echo "tools/package.json pins plotly.js-cartesian-dist-min $pinned, but the plotly package bundles plotly.js $full" >&2
  exit 1
fi
npm ci --prefix tools --no-audit --no-fund --silent
src=tools/node_modules/plotly.js-cartesian-dist-min
dest=static/vendor/plotly-cartesian
mkdir -p "$dest"
cp "$src/plotly-cartesian.min.js" "$src/LICENSE" "$src/package.json" "$dest/"
echo "vendored plotly.js-cartesian-dist-min $pinned into $dest"
