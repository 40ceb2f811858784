#!/usr/bin/env bash
# Builds Flume (optimised) and starts the desktop app: the README's run command.
#
#   scripts/run.sh [SCENE|FILE.json] [flume options...]      e.g. scripts/run.sh dam-break-3d
#
# Without a display (no DISPLAY or WAYLAND_DISPLAY) it says so and makes a capture under Xvfb
# instead: 300 frames, written to flume-capture.png.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh core desktop
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
cmake --preset native-release >/dev/null
cmake --build --preset native-release --target flume flume-cli

app=build/native-release/src/desktop/flume
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "run.sh: no display; running a 300-frame capture under Xvfb into flume-capture.png"
    exec xvfb-run -a -s "-screen 0 1280x720x24" "$app" "$@" --frames 300 --screenshot flume-capture.png
fi
exec "$app" "$@"
