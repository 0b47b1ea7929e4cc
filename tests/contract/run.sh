#!/usr/bin/env bash
# The contract CTests: installs the pinned npm tools (package-lock.json) into
# the build folder once, records the seed's scenario with the
# contract_pact_export example, then either validates the HAR against the
# HAR 1.2 schema (`har`) or verifies the pact with the official Pact verifier
# against a fresh aigallery-mock (`pact`).
#
#   run.sh har|pact BUILD_DIR RECORDER MOCK_BINARY
# Exits 77 (CTest: skipped) with a notice when Node.js 20+ or npm is absent.
set -euo pipefail

mode=$1 build=$2 recorder=$3 mock=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "NOTICE: contract check '$mode' SKIPPED: Node.js 20+ and npm are needed (scripts/setup.sh installs them)"
    exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "NOTICE: contract check '$mode' SKIPPED: Node.js $(node --version) is older than 20"
    exit 77
fi

tools=$build/contract-tools
mkdir -p "$tools"
(
    # Both contract tests may start at once: one installs, the other waits.
    flock 9
    if ! cmp -s "$here/package-lock.json" "$tools/package-lock.json" ||
        [ ! -d "$tools/node_modules/@pact-foundation/pact" ]; then
        cp "$here/package.json" "$here/package-lock.json" "$tools/"
        echo "installing the pinned contract tools into $tools"
        (cd "$tools" && PACT_DO_NOT_TRACK=true SCARF_ANALYTICS=false \
            npm ci --no-audit --no-fund --loglevel=error)
    fi
) 9>"$tools/.lock"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$recorder" "$work/app.pact.json" "$work/app.har"

export NODE_PATH=$tools/node_modules PACT_DO_NOT_TRACK=true
case "$mode" in
    har) node "$here/validate_har.js" "$work/app.har" ;;
    pact) node "$here/verify_pact.js" "$work/app.pact.json" "$mock" ;;
    *) echo "run.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
