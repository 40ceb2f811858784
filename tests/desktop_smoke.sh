#!/usr/bin/env bash
# The desktop app as a user runs it, in a real window under Xvfb: capture runs of the 2D and 3D
# dam breaks must exit 0 and write screenshots that show water; the 3D fluid surface of a pool
# at rest passes tests/tools/surface_checks.py, its fallback without float targets shows the
# particles, and a surface capture matches docs/surface-desktop.png; bad input exits 2.
#   desktop_smoke.sh PATH/TO/flume
set -uo pipefail
flume=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/tools/check.sh"

for scene in dam-break-2d dam-break-3d; do
    png="$work/$scene.png"
    xvfb-run -a -s "-screen 0 1280x720x24" "$flume" "$scene" --frames 120 --screenshot "$png" \
        >"$work/out" 2>"$work/err"
    status=$?
    cat "$work/out"
    check "$scene capture exits 0 (got $status: $(head -c 300 "$work/err"))" test "$status" -eq 0
    check "$scene screenshot written" test -s "$png"
    if [ -s "$png" ]; then
        # Right of the UI panel: the scene alone.
        stats=$(python3 "$here/tools/png_stats.py" "$png" --min-x 360)
        echo "$scene: $(tr '\n' ' ' <<<"$stats")"
        water=$(awk '/^water/ {print $2}' <<<"$stats")
        colours=$(awk '/^distinct-colours/ {print $2}' <<<"$stats")
        check "$scene shows water ($water pixels)" test "$water" -gt 5000
        check "$scene image is not uniform ($colours colours)" test "$colours" -gt 10
        check "$scene screenshot is 1280x720" grep -q "size 1280x720" <<<"$stats"
    fi
done

# The fluid surface of a pool at rest (hydrostatic-3d, step 5), drawn four ways at 480x360 with
# the panels hidden: silhouette, holes, flat top, thicker is darker (surface_checks.py says how).
capture() {  # capture NAME ARGS...: a 480x360 capture without panels into $work/NAME.png
    local name=$1
    shift
    xvfb-run -a -s "-screen 0 1280x720x24" "$flume" --size 480,360 --hide-ui \
        --screenshot "$work/$name.png" "$@" >"$work/$name.out" 2>"$work/err"
    check "$name capture exits 0 ($(head -c 300 "$work/err"))" test $? -eq 0
}
for view in surface particles normals thickness; do
    capture "pool-$view" hydrostatic-3d --pause-at-step 5 --view "$view"
done
python3 "$here/tools/surface_checks.py" pool "$work/pool-normals.png" "$work/pool-thickness.png" \
    "$work/pool-surface.png" "$work/pool-particles.png"
check "the pool's surface passes its checks" test $? -eq 0

# Float render targets hidden: the surface view falls back to particles and says why.
capture pool-fallback hydrostatic-3d --pause-at-step 5 --no-float-targets
check "the fallback says why" grep -q "no surface view: float render targets are turned off" \
    "$work/pool-fallback.out"
python3 "$here/tools/surface_checks.py" compare "$work/pool-fallback.png" "$work/pool-particles.png" 0.5
check "the fallback draws the particle view" test $? -eq 0

# The README's picture: the same scene, step, size and view give the same picture (llvmpipe draws
# it identically run after run; the bound leaves room for another Mesa version).
capture surface-desktop dam-break-3d --pause-at-step 400
python3 "$here/tools/surface_checks.py" compare "$work/surface-desktop.png" \
    "$here/../docs/surface-desktop.png" 1.5
check "dam-break-3d's surface at step 400 matches docs/surface-desktop.png" test $? -eq 0

# The force brush held in the fluid of the 2D dam break (what the mouse does live).
xvfb-run -a -s "-screen 0 1280x720x24" "$flume" dam-break-2d --frames 200 --brush 0.75,0.6 \
    --brush-radius 0.4 --brush-strength 150 --screenshot "$work/brush.png" >"$work/out" 2>"$work/err"
check "brush capture exits 0 ($(head -c 300 "$work/err"))" test $? -eq 0
check "brush screenshot written" test -s "$work/brush.png"
# A screenshot that cannot be written (a full disk) is a failure, named, never "wrote".
xvfb-run -a -s "-screen 0 640x480x24" "$flume" dam-break-2d --set particle_radius=0.04 --frames 5 \
    --screenshot /dev/full >"$work/out" 2>"$work/err"
check "a screenshot on a full disk exits 1" test $? -eq 1
check "and says why" grep -q "/dev/full: write failed: No space left on device" "$work/err"
check "and does not claim it was written" test ! -s "$work/out"

# A scene file with a number beyond a double is a named error, not an abort.
printf '{"dimension": 2, "viscosity": 1e309, "domain": {"min": [0, 0], "max": [1, 1]},
  "fluid": [{"min": [0, 0], "max": [0.5, 0.5]}]}' >"$work/huge.json"
"$flume" "$work/huge.json" >"$work/out" 2>"$work/err"
check "1e309 in a scene exits 2" test $? -eq 2
check "and names the path" grep -q "/viscosity: the number 1e309" "$work/err"

"$flume" dam-break-2d --brush 1 >"$work/out" 2>"$work/err"
check "a one-number --brush exits 2" test $? -eq 2

"$flume" no-such-scene >"$work/out" 2>"$work/err"
check "unknown scene exits 2" test $? -eq 2
check "unknown scene message" grep -q 'no built-in scene named "no-such-scene"' "$work/err"
"$flume" dam-break-2d --set particle_radius=-1 >"$work/out" 2>"$work/err"
check "bad --set exits 2" test $? -eq 2
"$flume" dam-break-2d --frames 0 >"$work/out" 2>"$work/err"
check "bad option exits 2" test $? -eq 2

finish
