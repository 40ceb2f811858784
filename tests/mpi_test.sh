#!/usr/bin/env bash
# flume-cli under mpirun (issue 32, first slice): every rank runs the whole simulation (the
# domain is not split between the ranks yet); rank 0 alone prints and writes; ranks that differ
# or fail stop the run with a message, never a hang.
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

# The same state as one process, on 1, 2 and 3 ranks, 2D and 3D, with bodies; one summary.
for scene in "dam-break-2d --set solver=wcsph" "floating-3d --set particle_radius=0.04"; do
    # shellcheck disable=SC2086
    one=$("$cli" run $scene --steps 40 --hash --quiet | grep '^state-hash')
    for np in 1 2 3; do
        # shellcheck disable=SC2086
        mpi -np "$np" "$cli" run $scene --steps 40 --hash --quiet --threads 1 >out 2>err
        check "$scene on $np ranks exits 0 ($(head -c 300 err))" test $? -eq 0
        check "$scene on $np ranks: the one-process hash" test "$(grep '^state-hash' out)" = "$one"
        check "$scene on $np ranks: one summary" test "$(grep -c ' steps to t = ' out)" -eq 1
    done
    if [ "$np" -gt 1 ]; then
        check "$scene: the summary says how many ranks ran" grep -q "^  3 ranks, each ran" out
    fi
done

# Outputs: rank 0 alone writes them, the same rows as one process writes.
"$cli" run dam-break-2d --steps 20 --quiet --stats one.csv >/dev/null
mpi -np 2 "$cli" run dam-break-2d --steps 20 --quiet --stats two.csv --export frames >out 2>err
check "--stats on 2 ranks exits 0" test $? -eq 0
check "--stats on 2 ranks: the rows of one process" \
    test "$(cut -d, -f1-3 two.csv)" = "$(cut -d, -f1-3 one.csv)"
check "--export on 2 ranks writes each frame once" test "$(ls frames | grep -c vtp)" -eq 2

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
