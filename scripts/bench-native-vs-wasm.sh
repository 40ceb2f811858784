#!/usr/bin/env bash
# Runs flume-bench natively and, built by Emscripten, under Node on identical work, and prints the
# wasm / native ratio of the median ms per step for every case and thread count.
#
#   scripts/bench-native-vs-wasm.sh [flume-bench options...]
#   e.g. scripts/bench-native-vs-wasm.sh --case dam-break-3d-wcsph --threads 1,2 --steps 10
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh core wasm
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
export NODE_PATH=/usr/share/nodejs
for preset in native-release wasm-release; do
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --target flume-bench
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== native"
build/native-release/bench/flume-bench "$@" --csv "$out/native.csv"
echo "== wasm (Node)"
node --no-experimental-fetch build/wasm-release/bench/flume-bench.js "$@" --csv "$out/wasm.csv"

echo "== wasm / native, median ms per step"
/usr/bin/python3 - "$out/native.csv" "$out/wasm.csv" <<'PY'
import csv, sys
native = {(r["case"], r["threads"]): r for r in csv.DictReader(open(sys.argv[1]))}
wasm = {(r["case"], r["threads"]): r for r in csv.DictReader(open(sys.argv[2]))}
print(f"{'case':24} {'threads':>7} {'native ms':>10} {'wasm ms':>10} {'ratio':>7}  same state")
for key, n in native.items():
    w = wasm.get(key)
    if not w:
        continue
    ratio = float(w["median_ms"]) / float(n["median_ms"])
    same = "yes" if w["hash"] == n["hash"] else "NO"
    print(f"{key[0]:24} {key[1]:>7} {float(n['median_ms']):10.3f} {float(w['median_ms']):10.3f} {ratio:7.2f}  {same}")
PY
