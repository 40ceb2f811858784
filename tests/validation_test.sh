#!/usr/bin/env bash
# One validation case through the CLI, as a user runs it:
#   validation_test.sh FLUME_CLI CASE [--set key=value ...]
# Passes when `flume-cli validate` says PASS (exit 0) and writes a readable 900x600 PNG plot.
set -uo pipefail
cli=$1 case_name=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/tools/check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$cli" validate "$case_name" "$@" --quiet --plot "$work/plot.png" | tee "$work/out"
status=${PIPESTATUS[0]}
check "validate $case_name $* exits 0" test "$status" -eq 0
check "it prints PASS" grep -q "^PASS $case_name" "$work/out"
check "it prints the table's notes" grep -q "tolerance" "$work/out"
check "the plot is a 900x600 PNG" bash -c "python3 '$here/tools/png_stats.py' '$work/plot.png' | grep -q 'size 900x600'"
finish
