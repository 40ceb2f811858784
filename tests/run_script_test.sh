#!/usr/bin/env bash
# scripts/run.sh without packages, a build or a display: a copy of it in a scratch tree where
# scripts/setup.sh, cmake, xvfb-run, the desktop app and web/serve.py are stubs that log how they
# were called. Checks what it installs, configures and builds for each mode, which program it
# starts with which arguments (the Xvfb capture when there is no display), and that it stops
# when a stage fails.
#   run_script_test.sh PATH/TO/scripts/run.sh
set -uo pipefail
script=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/tools/check.sh"

tree=$work/tree
bin=$work/bin
log=$work/log
mkdir -p "$tree/scripts" "$tree/web" "$tree/build/native-release/src/desktop" "$bin"
cp "$script" "$tree/scripts/run.sh"

# A stub that logs "NAME [arg] [arg]..." and the folder it ran in; it exits 1 when the variable
# named by FAIL_STUB holds its name (and, for cmake, only when building).
stub() {
    local path=$1 name=$2
    cat >"$path" <<EOF
#!/usr/bin/env bash
{ printf '%s' '$name'; printf ' [%s]' "\$@"; printf ' in %s\n' "\$PWD"; } >>'$log'
if [ "\${FAIL_STUB:-}" = '$name' ] && { [ '$name' != cmake ] || [ "\$1" = --build ]; }; then
    exit 1
fi
EOF
    chmod +x "$path"
}
stub "$tree/scripts/setup.sh" setup.sh
stub "$bin/cmake" cmake
stub "$bin/xvfb-run" xvfb-run
stub "$tree/build/native-release/src/desktop/flume" flume
cat >"$tree/web/serve.py" <<EOF
import os, sys
with open('$log', 'a') as f:
    f.write('serve.py' + ''.join(' [%s]' % a for a in sys.argv[1:]) +
            ' NODE_PATH=%s\n' % os.environ.get('NODE_PATH', ''))
EOF

# run.sh ARGS... from the scratch folder (not the tree), stubs first on PATH; DISPLAY and
# WAYLAND_DISPLAY as the caller sets them in $display_env.
run() {
    : >"$log"
    (cd "$work" && env -u DISPLAY -u WAYLAND_DISPLAY $display_env PATH="$bin:$PATH" \
        "$tree/scripts/run.sh" "$@" >"$work/out" 2>"$work/err")
}
# The log's lines, without " in FOLDER" unless asked.
calls() { sed 's/ in [^ ]*$//' "$log"; }

# No display: the packages, the optimised build, then a capture under Xvfb with the arguments.
display_env=""
run dam-break-3d --threads 2
check "no display: exits 0" test $? -eq 0
check "no display: says so" grep -q "no display; running a 300-frame capture under Xvfb" "$work/out"
expected="setup.sh [core] [desktop]
cmake [--preset] [native-release]
cmake [--build] [--preset] [native-release] [--target] [flume] [flume-cli]
xvfb-run [-a] [-s] [-screen 0 1280x720x24] [build/native-release/src/desktop/flume] [dam-break-3d] [--threads] [2] [--frames] [300] [--screenshot] [flume-capture.png]"
check "no display: installs, builds, captures ($(calls | tr '\n' '|'))" test "$(calls)" = "$expected"
check "no display: everything runs in the repository root" \
    test "$(grep -vc " in $tree\$" "$log")" -eq 0

# A display (X or Wayland): the app itself, with the arguments as given.
for display_env in DISPLAY=:99 WAYLAND_DISPLAY=wayland-0; do
    run "my scene.json" --set viscosity=0.1
    check "$display_env: exits 0" test $? -eq 0
    check "$display_env: starts the app ($(calls | tail -1))" \
        test "$(calls | tail -1)" = "flume [my scene.json] [--set] [viscosity=0.1]"
    check "$display_env: no capture" test -z "$(grep xvfb-run "$log")"
    check "$display_env: no note about the display" test ! -s "$work/out"
done

# web: the wasm packages and build, then the server with the remaining arguments.
display_env=""
run web --port 9000 --bind 0.0.0.0
check "web: exits 0" test $? -eq 0
expected="setup.sh [core] [wasm]
cmake [--preset] [wasm-release]
cmake [--build] [--preset] [wasm-release] [--target] [flume-web] [flume-web-single]
serve.py [--port] [9000] [--bind] [0.0.0.0] NODE_PATH=/usr/share/nodejs"
check "web: installs, builds, serves ($(calls | tr '\n' '|'))" test "$(calls)" = "$expected"

# A failed stage stops it: nothing after it runs, and the exit status says so.
for failing in setup.sh cmake; do
    FAIL_STUB=$failing run dam-break-2d
    code=$?
    check "a failing $failing: non-zero exit (got $code)" test "$code" -ne 0
    check "a failing $failing: nothing started" test -z "$(grep -E "^(xvfb-run|flume) " "$log")"
done
FAIL_STUB=cmake run web
check "a failing web build: non-zero exit" test $? -ne 0
check "a failing web build: no server" test -z "$(grep serve.py "$log")"

finish
