#!/usr/bin/env bash
# Builds Flume (optimised) and runs a scene: the README's run command.
#
#   scripts/run.sh [SCENE|FILE.json] [flume-cli run options...]
#
# Until the desktop app lands this runs the headless CLI (default scene: dam-break-3d).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh core
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
cmake --preset native-release >/dev/null
cmake --build --preset native-release --target flume-cli

scene=dam-break-3d
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    scene=$1
    shift
fi
exec build/native-release/src/cli/flume-cli run "$scene" "$@"
