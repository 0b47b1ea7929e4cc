#!/usr/bin/env bash
# CTest ui_browser: installs the pinned puppeteer-core into the build folder
# (once) and runs tests/ui/ui_browser_test.cjs against Debian's Chromium.
#   run_browser_test.sh BUILD_DIR MOCK CLI SCREENSHOT
# Exits 77 (CTest: skipped, with the reason printed) when Chromium or
# Node.js >= 20 is missing; scripts/setup.sh installs both.
set -euo pipefail
build=$1 mock=$2 cli=$3 screenshot=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
puppeteer_version=24.43.1   # runs on Node.js >= 18; drives the CDP of current Chromium

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
    echo "SKIPPED: no chromium (scripts/setup.sh installs Debian's chromium)"
    exit 77
fi
if ! command -v node >/dev/null 2>&1 ||
    ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    echo "SKIPPED: needs Node.js >= 20 (found $(node --version 2>/dev/null || echo none))"
    exit 77
fi

modules="$build/ui-test"
if [ ! -f "$modules/node_modules/puppeteer-core/package.json" ] ||
    ! grep -q "\"version\": \"$puppeteer_version\"" "$modules/node_modules/puppeteer-core/package.json"; then
    mkdir -p "$modules"
    npm install --prefix "$modules" --no-save --no-audit --no-fund --loglevel=error \
        "puppeteer-core@$puppeteer_version"
fi

MOCK=$mock CLI=$cli CHROMIUM=$chromium MODULES=$modules SCREENSHOT=$screenshot \
    exec node "$here/ui_browser_test.cjs"
