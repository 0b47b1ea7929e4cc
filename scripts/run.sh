#!/usr/bin/env bash
# Sets up, builds the release preset and runs the main example (extra arguments go to it).
set -euo pipefail

main_example=seed_walkthrough   # the example this script runs

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f "examples/$main_example.cpp" ] || main_example=vocabulary_demo

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release --target aigallery-mock "$main_example"
exec "build/release/$main_example" "$@"
