#!/usr/bin/env bash
# scripts/side-by-side.py without SPlisHSPlasH or a build: two stub flume-bench programs ("now"
# and "before") that log how they were called and write a whole-run CSV with a figure of their
# own. Checks the rotation (before, then now, in each row), that --flume-set reaches both as
# flume-bench --set, the table's before column and ratio, the Markdown notes, and the messages
# for a missing program.
#   side_by_side_test.sh PATH/TO/scripts/side-by-side.py
set -uo pipefail
script=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/tools/check.sh"

log=$work/log
# A stub flume-bench NAME whose runs take PER_100K wall s per simulated s per 100k particles.
stub() {
    local name=$1 per_100k=$2
    cat >"$work/$name" <<EOF
#!/usr/bin/env bash
{ printf '%s' '$name'; printf ' [%s]' "\$@"; printf '\n'; } >>'$log'
csv= case_name=
while [ \$# -gt 0 ]; do
    case \$1 in
        --run-csv) csv=\$2; shift ;;
        --case) case_name=\$2; shift ;;
    esac
    shift
done
{
    echo 'case,threads,particles,until_s,steps,wall_s,wall_s_per_simulated_s,wall_s_per_simulated_s_per_100k,mean_dt_ms,passes_mean,passes_max,divergence_passes_mean,divergence_passes_max,average_density_error,stage_shares,hash'
    echo "\$case_name,2,100000,0.25,100,1,4,$per_100k,2.5,6,9,1,1,0.0005,forces=0.5;density=0.5;,0"
} >"\$csv"
EOF
    chmod +x "$work/$name"
}
stub now 50
stub before 100

out=$work/out
python3 "$script" --flume-bench "$work/now" --before "$work/before" --splash "" \
    --solvers wcsph,dfsph --flume-set speed_of_sound=18.7 --flume-set time_step_mode=fixed \
    --markdown "$work/table.md" >"$out" 2>&1
status=$?
check "runs with stubs (exit $status)" test "$status" -eq 0

# The rotation: in each row the before program first, then now, each with the row's case.
order=$(sed -E 's/^([a-z]+) .*--case\] \[([a-z0-9-]+)\].*/\1 \2/' "$log" | tr '\n' ',')
check "before, then now, per solver (got: $order)" \
    test "$order" = "before run-3d-wcsph,now run-3d-wcsph,before run-3d-dfsph,now run-3d-dfsph,"
check "--flume-set reaches both as --set" \
    test "$(grep -c -- '\[--set\] \[speed_of_sound=18.7\] \[--set\] \[time_step_mode=fixed\]' "$log")" -eq 4

# The table: both figures, and now's gain over before (100 / 50).
check "table has the before column" grep -q "Flume before" "$out"
check "table gives now 2.00x ahead of before" grep -Eq '^WCSPH +\| 2 +\| 50\.0 .*\| 100\.0 .*\| 2\.00x' "$out"
check "per-run line names the before program" grep -q "dfsph  2t Flume before" "$out"
check "Markdown names both programs" grep -q "Flume before: \`$work/before\`" "$work/table.md"
check "Markdown names the settings" \
    grep -q "Flume's runs with \`speed_of_sound=18.7\`, \`time_step_mode=fixed\`." "$work/table.md"

# Without --before: no such column.
: >"$log"
python3 "$script" --flume-bench "$work/now" --splash "" --solvers pbf >"$out" 2>&1
check "no before column without --before" bash -c "! grep -q 'Flume before' '$out'"
check "no --set without --flume-set" bash -c "! grep -q -- '--set' '$log'"

# A missing program is named with the option that names it.
python3 "$script" --flume-bench "$work/now" --before "$work/missing" --splash "" >"$out" 2>&1
status=$?
check "missing --before program fails (exit $status)" test "$status" -ne 0
check "its message names the path and --before" \
    grep -q "flume-bench not found at $work/missing: .*(or pass --before)" "$out"

finish
