#!/usr/bin/env bash
# The reliability checks of docs/reliability.md against a built aigallery-mock
# (loopback only, bounded): connection and body abuse, then kill -9 rounds.
#   tests/reliability/run.sh build/dev/aigallery-mock [kill-9 rounds, default 50]
set -euo pipefail
mock=$(realpath "${1:?usage: run.sh path/to/aigallery-mock [rounds]}")
here=$(dirname "${BASH_SOURCE[0]}")
python3 "$here/connections.py" "$mock"
python3 "$here/kill9.py" "$mock" "${2:-50}"
