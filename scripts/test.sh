#!/usr/bin/env bash
# Sets up, builds and tests the dev preset, then checks the installed package from a
# separate consumer project. AIGALLERY_SANITIZERS=1 also runs asan-ubsan and tsan.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

results=()
summary() {
    echo
    echo "==== summary ===="
    printf '  %s\n' "${results[@]}"
    local log=build/dev/Testing/Temporary/LastTest.log
    [ -f "$log" ] && grep -E 'test cases? out of|assertions? out of' "$log" | sed 's/^/  aigallery_tests:/' || true
}
step() {
    local name=$1; shift
    echo
    echo "==== $name ===="
    if "$@"; then
        results+=("PASS  $name")
    else
        local rc=$?
        results+=("FAIL  $name")
        summary
        echo "FAILED: $name (exit $rc)"
        exit "$rc"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "setup" bash scripts/setup.sh

presets=(dev)
[ "${AIGALLERY_SANITIZERS:-0}" = 1 ] && presets+=(asan-ubsan tsan)
for preset in "${presets[@]}"; do
    step "configure $preset" cmake --preset "$preset"
    step "build $preset" cmake --build --preset "$preset"
    step "ctest $preset" ctest --preset "$preset"
done

step "install dev" cmake --install build/dev --prefix "$tmp/prefix"
step "configure consumer" cmake -S tests/consumer -B "$tmp/consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$tmp/prefix"
step "build consumer" cmake --build "$tmp/consumer"
step "run consumer" "$tmp/consumer/consumer"
step "run consumer_mock" "$tmp/consumer/consumer_mock"

summary
echo "ALL PASSED"
