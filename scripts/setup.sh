#!/usr/bin/env bash
# Installs the Debian packages aigallery needs; does nothing (and no apt-get update) when all are present.
#   AIGALLERY_SKIP_LINT=1     no Node.js (the OpenAPI lint is then not run)
#   AIGALLERY_SKIP_BROWSER=1  no Chromium (the web page's browser test is then not run)
set -euo pipefail

packages=(libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-test1.81-dev
          cmake ninja-build g++ libbenchmark-dev git clang-format doxygen pkgconf dpkg-dev
          clang-14 libclang-rt-14-dev  # the fuzz preset: clang with libFuzzer
          python3                      # tests/reliability: raw sockets, kill -9 rounds
          wrk gnuplot-nox curl         # benchmarks/run (CTest runs it briefly)
          libssl-dev openssl)          # TLS and AK/SK signing; test certificates
# Headless Chromium for the "My Assets" page's browser test (ui_browser).
if [ -z "${AIGALLERY_SKIP_BROWSER:-}" ]; then
    packages+=(chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$pkg")
done

# The OpenAPI lint (@redocly/cli) and the browser test (puppeteer-core) need
# Node.js >= 20.19; Debian 12's own nodejs is 18.
node_ok() {
    command -v node >/dev/null 2>&1 &&
        node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                 process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
want_node=0
if [ -z "${AIGALLERY_SKIP_LINT:-}" ] && { ! node_ok || ! command -v npm >/dev/null 2>&1; }; then
    want_node=1
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi
need_root() {
    [ ${#as_root[@]} -eq 0 ] || command -v sudo >/dev/null 2>&1 ||
        { echo "setup: need root or sudo to install $*" >&2; exit 1; }
}

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    need_root "${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$want_node" = 1 ] && ! node_ok; then
    # Node.js 20 from the npm registry: the `node` package ships the official
    # binary for this platform; installed globally it comes first on PATH
    # (/usr/local/bin) and Debian's npm and npx run on it.
    echo "setup: Node.js $(node --version 2>/dev/null || echo none) is too old; installing node@20.19.5 from npm"
    need_root "node@20.19.5"
    "${as_root[@]}" npm install --global --no-audit --no-fund node@20.19.5 || true
    hash -r
    if ! node_ok; then
        echo "setup: WARNING: no Node.js >= 20.19; the openapi_lint and ui_browser tests will be skipped" >&2
    fi
fi

if [ ${#missing[@]} -eq 0 ] && [ "$want_node" = 0 ]; then
    echo "setup: all packages present"
fi
