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
    # One plain closing line: the Boost.Test cases, plus every other CTest test and step.
    local passed failed
    passed=$(grep -hoE '[0-9]+ test cases? out of [0-9]+ passed' "$log" 2>/dev/null | head -1 | grep -oE '^[0-9]+' || echo 0)
    failed=$(grep -hoE '[0-9]+ test cases? out of [0-9]+ failed' "$log" 2>/dev/null | head -1 | grep -oE '^[0-9]+' || echo 0)
    for r in "${results[@]}"; do
        case "$r" in PASS*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; esac
    done
    echo "tests: $passed passed, $failed failed"
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
        echo "FAILED: $name (exit $rc)"
        summary
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

echo
echo "ALL PASSED"
summary
