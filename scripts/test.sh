#!/usr/bin/env bash
# Sets up, builds and tests the dev preset, then checks the installed package from a
# separate consumer project; then the test suite under ASan+UBSan and under TSan,
# each libFuzzer target for AIGALLERY_FUZZ_SECONDS (default 60), and the
# reliability checks of docs/reliability.md (kill -9 rounds, idle and slow
# connections, oversize bodies). Each step prints its time.
# The ASan+UBSan and TSan suites are opt-in (AIGALLERY_SANITIZERS=1) for now.
#   AIGALLERY_SANITIZERS=1  also runs the sanitizer presets (off by default until their
#                           CI time on 2 cores is measured)
#   AIGALLERY_FUZZ=0        skips the fuzz targets
#   AIGALLERY_RELIABILITY=0 skips the reliability checks
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
    local started=$SECONDS
    if "$@"; then
        results+=("PASS  $name ($((SECONDS - started)) s)")
    else
        local rc=$?
        results+=("FAIL  $name ($((SECONDS - started)) s)")
        echo "FAILED: $name (exit $rc)"
        summary
        exit "$rc"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "setup" bash scripts/setup.sh

step "configure dev" cmake --preset dev
step "build dev" cmake --build --preset dev
step "ctest dev" ctest --preset dev

step "install dev" cmake --install build/dev --prefix "$tmp/prefix"
step "configure consumer" cmake -S tests/consumer -B "$tmp/consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$tmp/prefix"
step "build consumer" cmake --build "$tmp/consumer"
step "run consumer" "$tmp/consumer/consumer"
step "run consumer_mock" "$tmp/consumer/consumer_mock"

# The sanitizer presets build only the test suite and the mock, at -O1.
if [ "${AIGALLERY_SANITIZERS:-0}" = 1 ]; then
    for preset in asan-ubsan tsan; do
        step "configure $preset" cmake --preset "$preset"
        step "build $preset" cmake --build --preset "$preset" --target aigallery_tests
        step "ctest $preset" ctest --preset "$preset" -R '^aigallery_tests$'
    done
fi

if [ "${AIGALLERY_FUZZ:-1}" != 0 ]; then
    step "configure fuzz" cmake --preset fuzz -DAIGALLERY_FUZZ_SECONDS="${AIGALLERY_FUZZ_SECONDS:-60}"
    step "build fuzz" cmake --build --preset fuzz
    step "run fuzz targets" ctest --preset fuzz
fi

if [ "${AIGALLERY_RELIABILITY:-1}" != 0 ]; then
    step "reliability checks" bash tests/reliability/run.sh build/dev/aigallery-mock
fi

echo
echo "ALL PASSED"
summary
