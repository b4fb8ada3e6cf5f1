#!/usr/bin/env bash
# Copy the pinned front-end packages (package.json, package-lock.json) into static/vendor, where
# Django serves them. The copies are committed: running Styr needs no npm, only updating does.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund --silent
rm -rf static/vendor tests/e2e/vendor
mkdir -p static/vendor/htmx static/vendor/chartjs static/vendor/designsystemet tests/e2e/vendor
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
cp node_modules/@digdir/designsystemet-css/dist/src/index.css static/vendor/designsystemet/designsystemet.css
cp node_modules/@digdir/designsystemet-css/LICENSE static/vendor/designsystemet/
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css static/vendor/designsystemet/theme.css
# axe-core checks accessibility in the browser tests; it is never served to users.
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/e2e/vendor/
echo "Vendored into static/vendor and tests/e2e/vendor."
