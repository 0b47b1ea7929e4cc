#!/usr/bin/env bash
# The README's first command: sets up what is missing, builds the release
# preset and runs the main job, examples/seed_walkthrough (the seed's scenario
# against an in-process mock AI Gallery).
#   scripts/run.sh --serve [aigallery-mock options]  starts the standalone mock
#   instead, with the demo accounts alice and bob, until Ctrl-C.
set -euo pipefail

main_example=seed_walkthrough   # the example this script runs

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target aigallery-mock "$main_example"
if [ "${1:-}" = "--serve" ]; then
    shift
    exec build/release/aigallery-mock --account alice --account bob "$@"
fi
"build/release/$main_example" "$@"
echo
echo "To try the REST API with curl, start the standalone mock with two demo accounts:"
echo "  scripts/run.sh --serve --port 8080      (see docs/mock-server.md)"
