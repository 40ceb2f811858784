#!/usr/bin/env bash
# Builds everything and runs every test: the README's test command, and what CI runs.
#
#   scripts/test.sh
#
# Installs missing Debian packages first (scripts/setup.sh), then runs the CMake workflow presets
# one after the other, each reusing its build folder under build/:
#   native-release  optimised build, the whole suite (physics, determinism, and the desktop app
#                   in a real window under Xvfb)
#   native-debug    AddressSanitizer + UndefinedBehaviorSanitizer at -O1 with assertions on, all
#                   but the long physics runs
#   native-tsan     ThreadSanitizer on everything labelled "threads"
#   fuzz            libFuzzer (clang, ASan + UBSan) on the scene parser, scene building and the
#                   mesh readers, 30 s each
#   wasm-release    the core and its tests compiled by Emscripten, run under Node; the browser
#                   app (threaded and single-threaded) end to end in Debian's Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh core desktop wasm fuzz

jobs=$(nproc)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$jobs}
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$jobs}
export NODE_PATH=/usr/share/nodejs  # Emscripten's linker needs Debian's acorn

for preset in native-release native-debug native-tsan fuzz wasm-release; do
    echo "=== $preset ==="
    start=$SECONDS
    cmake --workflow --preset "$preset"
    echo "=== $preset passed in $((SECONDS - start)) s ==="
done
echo "All test presets passed."
