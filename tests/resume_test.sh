#!/usr/bin/env bash
# A checkpoint that the native build wrote (tests/data/dam-break-2d-r0.04-step30.flume-checkpoint:
# `flume-cli run dam-break-2d --set particle_radius=0.04 --steps 30 --checkpoint DIR
# --checkpoint-every 0.001`) resumed for 30 more steps by this build reaches the state of the
# uninterrupted native run (`run ... --steps 60 --hash`): natively and in WebAssembly, for one
# thread and two. When a change of the physics changes the golden hashes
# (tests/determinism_test.cpp), write the checkpoint again and take the new hash.
#   resume_test.sh CLI...     (flume-cli: its path, or node and flume-cli.js)
set -uo pipefail
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/tools/check.sh"

checkpoint="$here/data/dam-break-2d-r0.04-step30.flume-checkpoint"
expected="state-hash: 92edc91453836cc2"
for threads in 1 2; do
    out=$("$@" resume "$checkpoint" --steps 30 --threads $threads --hash --quiet \
        --checkpoint "$work/ck" 2>"$work/err" | tail -1)
    check "the native checkpoint resumed with $threads thread(s) reaches the uninterrupted state ($out)" \
        test "$out" = "$expected"
done
finish
