#!/usr/bin/env bash
# Regenerates the figures the docs link to: runs the programs and writes what they print into
# docs/figures/*.txt, each file headed by the command, the date and the machine, so that no
# measured figure has to be typed into prose. Also redraws docs/validation-dam-break.png and the
# parameter table of docs/scene-format.md (scripts/scene-params-table.py).
#
#   scripts/regenerate-figures.sh [BUILD_DIR]      (default: build/native-release; build it first)
#
# What it runs (about 2 minutes on 2 cores): every validation case with every solver (the wave
# maker with DFSPH only, its scene's solver, as ctest runs it), flume-bench --quick.
# Left out as too slow for a routine run: flume-bench's full tables (about 100k
# particles a case: tens of minutes; see docs/performance.md for the commands) and
# scripts/bench-native-vs-wasm.sh. A case that fails is written all the same, and the script
# exits 1 at the end.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
build=${1:-build/native-release}
cli=$build/src/cli/flume-cli
bench=$build/bench/flume-bench
for program in "$cli" "$bench"; do
    if [ ! -x "$program" ]; then
        echo "regenerate-figures.sh: $program is missing: build it first" \
            "(cmake --workflow --preset native-release)" >&2
        exit 2
    fi
done
out=docs/figures
mkdir -p "$out"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
# The checkout the binaries were built in (a build folder inside it), and whether it had changes.
commit=$(git -C "$build" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$build" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit with uncommitted changes"
fi
status=0

# figure FILE COMMAND...: runs COMMAND, writes a header and its output (stdout and stderr) to FILE.
figure() {
    local file=$1
    shift
    local start end rc
    start=$(date +%s.%N)
    {
        echo "\$ $(basename "$1") ${*:2}"
        echo "# date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
        echo "# machine: $(uname -m), $(nproc) cores, ${cpu:-unknown CPU}"
        echo "# source:  commit $commit, binaries in $build"
        echo
    } >"$out/$file"
    "$@" >>"$out/$file" 2>&1
    rc=$?
    end=$(date +%s.%N)
    [ $rc -eq 0 ] || {
        echo "(exit status $rc)" >>"$out/$file"
        status=1
    }
    printf '%-44s exit %d, %5.1f s\n' "$file" $rc "$(echo "$end - $start" | bc)"
}

for solver in wcsph pcisph dfsph pbf; do
    for case_name in dam-break hydrostatic hydrostatic-3d hydrostatic-tank-3d; do
        figure "validate-$case_name-$solver.txt" "$cli" validate "$case_name" --set "solver=$solver" --quiet
    done
done
figure validate-wave-maker.txt "$cli" validate wave-maker --quiet
for solver in wcsph pcisph dfsph pbf; do
    figure "validate-archimedes-$solver.txt" "$cli" validate archimedes --set "solver=$solver" --quiet
    figure "validate-water-entry-$solver.txt" "$cli" validate water-entry --set "solver=$solver" --quiet
done
"$cli" validate water-entry --quiet --plot docs/validation-water-entry.png >/dev/null || status=1
"$cli" validate dam-break --quiet --plot docs/validation-dam-break.png >/dev/null || status=1
figure flume-bench-quick.txt "$bench" --quick
python3 scripts/scene-params-table.py "$cli" || status=1
exit $status
