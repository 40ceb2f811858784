#!/usr/bin/env bash
# Builds Flume (optimised) and starts the desktop app, or serves the browser app: the README's
# run command.
#
#   scripts/run.sh [SCENE|FILE.json] [flume options...]      e.g. scripts/run.sh dam-break-3d
#                                    (no scene: the app's start scene, mixer-3d)
#   scripts/run.sh web [--port N] [--bind ADDR] [--no-isolation]
#
# Desktop without a display (no DISPLAY or WAYLAND_DISPLAY): it says so and makes a capture under
# Xvfb instead, 300 frames, written to flume-capture.png.
# web: builds the browser app with Emscripten (wasm-release preset) and serves it with
# web/serve.py on http://127.0.0.1:8080/ (open the URL it prints; Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = web ]; then
    shift
    scripts/setup.sh core wasm
    export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
    export NODE_PATH=/usr/share/nodejs
    cmake --preset wasm-release >/dev/null
    cmake --build --preset wasm-release --target flume-web flume-web-single
    exec python3 web/serve.py "$@"
fi

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
