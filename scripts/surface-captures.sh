#!/usr/bin/env bash
# The docs' before/after pictures of the 3D surface (docs/rendering.md): dam-break-3d, mixer-3d,
# channel-3d and wave-tank-3d, before (isotropic splats, no whitewater) and after (anisotropic
# splats and whitewater, the defaults), desktop (under Xvfb) and browser (headless Chromium),
# 960x600 without panels, paused at a step where the water splashes; one picture per scene
# (desktop above, browser below, before left, after right, halved) into docs/.
#
#   scripts/surface-captures.sh [NATIVE_BUILD] [WASM_BUILD]    (default build/native-release,
#                                                               build/wasm-release)
set -euo pipefail
cd "$(dirname "$0")/.."
native=${1:-build/native-release}
wasm=${2:-build/wasm-release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
scenes="dam-break-3d@800 mixer-3d@400 channel-3d@600 wave-tank-3d@800"

shots=()
for entry in $scenes; do
    scene=${entry%@*} step=${entry#*@}
    xvfb-run -a -s "-screen 0 1280x720x24" "$native/src/desktop/flume" "$scene" --size 960,600 \
        --hide-ui --pause-at-step "$step" --surface-splats isotropic --whitewater off \
        --screenshot "$out/$scene-desktop-before.png" | grep "drawing\|whitewater" || true
    xvfb-run -a -s "-screen 0 1280x720x24" "$native/src/desktop/flume" "$scene" --size 960,600 \
        --hide-ui --pause-at-step "$step" --screenshot "$out/$scene-desktop-after.png" |
        grep "drawing\|whitewater" || true
    shots+=("$scene-browser-before=scene=$scene&splats=isotropic&whitewater=off@$step"
            "$scene-browser-after=scene=$scene@$step")
done
node scripts/surface-captures.js "$wasm/web" "$out" "${shots[@]}"
for entry in $scenes; do
    scene=${entry%@*}
    python3 scripts/combine-captures.py "docs/surface-$scene-before-after.png" 2 2 \
        "$out/$scene-desktop-before.png" "$out/$scene-desktop-after.png" \
        "$out/$scene-browser-before.png" "$out/$scene-browser-after.png"
    echo "docs/surface-$scene-before-after.png"
done
