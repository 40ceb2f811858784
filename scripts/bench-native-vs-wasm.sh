#!/usr/bin/env bash
# Runs flume-bench natively and, built by Emscripten, under Node on identical work, and prints the
# wasm / native ratio of the median ms per step for every first-steps case and thread count, and
# of the wall time of every whole-run case.
#
#   scripts/bench-native-vs-wasm.sh [--runs N] [flume-bench options...]
#   e.g. scripts/bench-native-vs-wasm.sh --case dam-break-3d-wcsph --threads 1,2 --steps 10
#        scripts/bench-native-vs-wasm.sh --only runs --case run-3d-dfsph --threads 2
#
# --runs N (default 1) runs both N times, native and wasm alternately, and reports for each case
# the median over the runs of flume-bench's median, with each run's ratio: on a shared machine a
# burst of load can slow one run's 2-thread figures by half, and alternating spreads it over both.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=1
if [[ ${1:-} == --runs ]]; then
    runs=${2:?--runs needs a count}
    shift 2
fi
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-native-vs-wasm.sh: --runs wants a positive whole number, not '$runs'" >&2
    exit 2
fi

scripts/setup.sh core wasm
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
export NODE_PATH=/usr/share/nodejs
for preset in native-release wasm-release; do
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --target flume-bench
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= runs; ++r)); do
    echo "== native (run $r of $runs)"
    build/native-release/bench/flume-bench "$@" --csv "$out/native$r.csv" \
        --run-csv "$out/native_runs$r.csv"
    echo "== wasm (Node) (run $r of $runs)"
    node --no-experimental-fetch build/wasm-release/bench/flume-bench.js "$@" \
        --csv "$out/wasm$r.csv" --run-csv "$out/wasm_runs$r.csv"
done

echo "== wasm / native (median over $runs run(s)): ms per step of the first steps, wall s of whole runs"
/usr/bin/python3 - "$out" "$runs" <<'PY'
import csv, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(kind, r):
    return {(row["case"], row["threads"]): row for row in csv.DictReader(open(f"{out}/{kind}{r}.csv"))}
def compare(table, column, unit):
    native = [load(f"native{table}", r) for r in range(1, runs + 1)]
    wasm = [load(f"wasm{table}", r) for r in range(1, runs + 1)]
    for key in native[0]:
        if not all(key in w for w in wasm):
            continue
        n = [float(run[key][column]) for run in native]
        w = [float(run[key][column]) for run in wasm]
        same = all(run[key]["hash"] == native[0][key]["hash"] for run in native + wasm)
        line = (f"{key[0]:24} {key[1]:>7} {statistics.median(n):10.3f} {statistics.median(w):10.3f} "
                f"{unit:>5} {statistics.median(w) / statistics.median(n):7.2f}  "
                f"{'yes' if same else 'NO':10}")
        if runs > 1:
            line += "  " + " ".join(f"{b / a:.2f}" for a, b in zip(n, w))
        print(line)
print(f"{'case':24} {'threads':>7} {'native':>10} {'wasm':>10} {'':>5} {'ratio':>7}  same state"
      + ("  ratio per run" if runs > 1 else ""))
compare("", "median_ms", "ms")
compare("_runs", "wall_s", "s")
PY
