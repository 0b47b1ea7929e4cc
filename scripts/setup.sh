#!/usr/bin/env bash
# Installs the Debian packages aigallery needs; does nothing (and no apt-get update) when all are present.
set -euo pipefail

packages=(libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-test1.81-dev
          cmake ninja-build g++ libbenchmark-dev git clang-format)

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$pkg")
done
# npx runs the OpenAPI lint; not needed when the lint is skipped.
if [ -z "${AIGALLERY_SKIP_LINT:-}" ] && ! command -v npx >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    exit 0
fi

echo "setup: installing ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
