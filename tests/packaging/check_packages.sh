#!/usr/bin/env bash
# CTest packages: builds the Debian packages of the build tree with CPack,
# unpacks them into a scratch root (no dpkg -i, nothing on the machine
# changes), and builds a consumer against that root twice: with CMake
# (find_package) and with pkg-config. Then runs the packaged programs.
#   check_packages.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== cpack"
cpack --config "$build/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; exit 1; }
ls "$work/packages"/*.deb

root=$work/root
for name in libaigallery-dev aigallery-mock aigallery; do
    deb=$(ls "$work/packages/${name}_"*.deb 2>/dev/null || true)
    [ -n "$deb" ] || { echo "FAIL: no package $name"; exit 1; }
    echo "== $name: $(dpkg-deb -f "$deb" Package Version Architecture Depends | tr '\n' ' ')"
    dpkg-deb -x "$deb" "$root"
done

fail=0
expect() { if [ -e "$root/$1" ]; then echo "ok   /$1"; else echo "FAIL /$1 missing"; fail=1; fi; }
expect usr/include/aigallery/client.hpp
expect usr/include/aigallery/mock/server.hpp
expect usr/lib/cmake/aigallery/aigalleryConfig.cmake
expect usr/share/pkgconfig/aigallery.pc
expect usr/bin/aigallery
expect usr/bin/aigallery-mock
dev_depends=$(dpkg-deb -f "$work/packages/libaigallery-dev_"*.deb Depends)
case "$dev_depends" in *libboost-json1.81-dev*) echo "ok   libaigallery-dev depends on Boost";;
    *) echo "FAIL libaigallery-dev Depends: $dev_depends"; fail=1;; esac
cli_depends=$(dpkg-deb -f "$work/packages/aigallery_"*.deb Depends)
case "$cli_depends" in *libboost-json*) echo "ok   aigallery depends on the Boost.JSON library";;
    *) echo "FAIL aigallery Depends: $cli_depends"; fail=1;; esac
[ "$fail" = 0 ] || exit 1

echo "== the packaged programs run"
"$root/usr/bin/aigallery" --version
"$root/usr/bin/aigallery-mock" --version

echo "== consumer with CMake, against the unpacked root only"
cmake -S "$src/tests/consumer" -B "$work/cmake-consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >/dev/null
grep -q "aigallery_DIR:PATH=$root/usr/lib/cmake/aigallery" "$work/cmake-consumer/CMakeCache.txt" ||
    { echo "FAIL: find_package did not take the unpacked package"; exit 1; }
cmake --build "$work/cmake-consumer"
"$work/cmake-consumer/consumer"
"$work/cmake-consumer/consumer_mock"
"$work/cmake-consumer/consumer_compiled"  # aigallery::compiled: the packaged libaigallery.a

echo "== consumer with pkg-config, against the unpacked root only"
# The root comes first; the system's own .pc files stay reachable for what
# aigallery.pc requires (OpenSSL's libssl and libcrypto, from libssl-dev).
export PKG_CONFIG_PATH="$root/usr/share/pkgconfig"
pkg-config --modversion aigallery
flags=$(pkg-config --cflags --libs aigallery)
echo "pkg-config: $flags"
case "$flags" in *"$root/usr/share/pkgconfig/../../include"*) ;;
    *) echo "FAIL: the include path is not the unpacked root's"; exit 1;; esac
# shellcheck disable=SC2086  # the flags are words
g++ -O1 -o "$work/pc-consumer" "$src/tests/consumer/main.cpp" $(pkg-config --cflags aigallery) \
    $(pkg-config --libs aigallery)
"$work/pc-consumer"
echo "packages: all checks passed"
