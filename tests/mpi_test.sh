#!/usr/bin/env bash
# flume-cli under mpirun (issue 32): the ranks split the fluid between them and write the
# bytes of one process; rank 0 alone prints and writes; ranks that differ or fail stop the run
# with a message, never a hang.
#   mpi_test.sh PATH/TO/flume-cli
set -uo pipefail
cli=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/tools/check.sh"
cd "$work" || exit 1
# As root in a container: Open MPI refuses root and more ranks than cores unless told.
mpi() { timeout 120 mpirun --allow-run-as-root --oversubscribe "$@"; }

# The same state as one process, on 1, 2 and 3 ranks, 2D and 3D, with emitters and outlets,
# with bodies; one summary.
for scene in "dam-break-2d --set solver=wcsph" "drop-3d --set particle_radius=0.04 --set solver=pbf" \
    "channel-2d --set particle_radius=0.03" "floating-3d --set particle_radius=0.04 --set bodies/1/velocity=[0,-4,0]"; do
    # shellcheck disable=SC2086
    one=$("$cli" run $scene --steps 40 --hash --quiet | grep '^state-hash')
    for np in 1 2 3; do
        # shellcheck disable=SC2086
        mpi -np "$np" "$cli" run $scene --steps 40 --hash --quiet --threads 1 >out 2>err
        check "$scene on $np ranks exits 0 ($(head -c 300 err))" test $? -eq 0
        check "$scene on $np ranks: the one-process hash" test "$(grep '^state-hash' out)" = "$one"
        check "$scene on $np ranks: one summary" test "$(grep -c ' steps to t = ' out)" -eq 1
    done
    check "$scene: the summary gives the ranks' shares" \
        grep -qE "^  3 ranks split the fluid: shares [0-9.]+% [0-9.]+% [0-9.]+% at the end" out
done

# Outputs: rank 0 alone writes them, the same rows as one process writes.
"$cli" run dam-break-2d --steps 20 --quiet --stats one.csv >/dev/null
mpi -np 2 "$cli" run dam-break-2d --steps 20 --quiet --stats two.csv --export frames >out 2>err
check "--stats on 2 ranks exits 0" test $? -eq 0
check "--stats on 2 ranks: the rows of one process" \
    test "$(cut -d, -f1-3 two.csv)" = "$(cut -d, -f1-3 one.csv)"
check "--export on 2 ranks writes each frame once" test "$(ls frames | grep -c vtp)" -eq 2

# Split between ranks, the exports, stats and checkpoints have the bytes of one process, and a
# checkpoint written on 3 ranks resumes on 2, on 1 and without mpirun to the same state.
run=(run dam-break-2d --set solver=dfsph --set particle_radius=0.03 --quiet --threads 1)
"$cli" "${run[@]}" --steps 60 --export one-frames --every 30 --stats one-split.csv --hash >one.out
mpi -np 3 "$cli" "${run[@]}" --steps 60 --export three-frames --every 30 --stats three-split.csv \
    --hash --checkpoint three-checkpoints --checkpoint-every 0.01 --keep 100 >three.out 2>err
check "a split run on 3 ranks exits 0 ($(head -c 300 err))" test $? -eq 0
check "its frames have the bytes of one process's" diff -r one-frames three-frames
check "its stats have the rows of one process's" \
    test "$(cut -d, -f1-12 three-split.csv)" = "$(cut -d, -f1-12 one-split.csv)"
check "its hash is one process's" \
    test "$(grep '^state-hash' three.out)" = "$(grep '^state-hash' one.out)"
"$cli" run dam-break-probes-3d --set particle_radius=0.04 --steps 30 --quiet --probes one-probes.csv \
    >/dev/null
mpi -np 2 "$cli" run dam-break-probes-3d --set particle_radius=0.04 --steps 30 --quiet --threads 1 \
    --probes two-probes.csv >out 2>err
check "a split run with probes exits 0 ($(head -c 300 err))" test $? -eq 0
check "it splits the fluid" grep -q "2 ranks split the fluid" out
check "its probes CSV has the bytes of one process's" cmp one-probes.csv two-probes.csv
middle=$(ls three-checkpoints/*.flume-checkpoint | head -3 | tail -1)
for np in 2 1; do
    mpi -np "$np" "$cli" resume "$middle" --steps 20 --hash --quiet --threads 1 --export "resumed-$np" \
        >"resumed-$np.out" 2>err
    check "the checkpoint of 3 ranks resumes on $np ($(head -c 300 err))" test $? -eq 0
done
"$cli" resume "$middle" --steps 20 --hash --quiet --export resumed-plain >resumed-plain.out
check "resumed on 2 ranks and on 1, the same state" \
    test "$(grep '^state-hash' resumed-2.out)" = "$(grep '^state-hash' resumed-1.out)"
check "resumed without mpirun, the same state" \
    test "$(grep '^state-hash' resumed-2.out)" = "$(grep '^state-hash' resumed-plain.out)"

# Ranks that do not run the same thing stop before the first step, with what differs.
mpi -np 1 "$cli" run dam-break-2d --steps 30 --quiet : -np 1 "$cli" run dam-break-2d --steps 31 \
    --quiet >out 2>err
check "a rank with another length of run exits 2" test $? -eq 2
check "it says what differs" grep -q "rank 1 does not run what rank 0 runs (run 31 steps where rank 0 has run 30 steps)" err
mpi -np 1 "$cli" run dam-break-2d --steps 30 --quiet : -np 1 "$cli" run dam-break-2d --steps 30 \
    --set particle_radius=0.011 --quiet >out 2>err
check "a rank with another scene exits 2" test $? -eq 2
check "it names the scene as what differs" grep -q "rank 1 does not run what rank 0 runs (scene " err

# Ranks that fail to load say why once, with the ranks, and stop the others.
mpi -np 1 "$cli" run dam-break-2d --steps 30 --quiet : -np 2 "$cli" run no-such-scene \
    --steps 30 --quiet >out 2>err
check "failing ranks exit 2" test $? -eq 2
check "their message once, with the ranks" \
    test "$(grep -c 'ranks 1, 2: no built-in scene named "no-such-scene"' err)" -eq 1

# A rank that stops answering (stopped with SIGSTOP here) ends the run through the watchdog
# (FLUME_MPI_TIMEOUT seconds), not a hang.
FLUME_MPI_TIMEOUT=2 mpi -x FLUME_MPI_TIMEOUT -np 2 "$cli" run dam-break-2d --until 1 --quiet \
    --threads 1 >out 2>err &
runner=$!
for _ in $(seq 50); do
    ranks=$(pgrep -f "^$cli run dam-break-2d --until 1" | head -2)
    [ "$(wc -w <<<"$ranks")" -eq 2 ] && break
    sleep 0.1
done
sleep 0.3
kill -STOP "$(awk 'NR == 2' <<<"$ranks")" 2>/dev/null
wait "$runner"
code=$?
check "a rank that stops answering ends the run (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "the watchdog says so" grep -q "no answer from the other ranks in 2 s" err
pkill -KILL -f "^$cli run dam-break-2d --until 1" 2>/dev/null

finish
