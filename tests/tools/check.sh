# Shared by the end-to-end test scripts: `check NAME COMMAND...` counts a pass when COMMAND
# succeeds and prints "FAIL: NAME" otherwise; `finish` prints the tally and fails if any failed.
failures=0
passes=0

check() {
    local name=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
    else
        echo "FAIL: $name"
        failures=$((failures + 1))
    fi
}

finish() {
    echo "$passes passed, $failures failed"
    test "$failures" -eq 0
}
