#!/usr/bin/env bash
# Installs the Debian packages Flume needs, only those that are missing.
# Idempotent and near-instant when everything is present.
#
#   scripts/setup.sh [GROUP...]     groups: core (default), desktop, wasm
set -euo pipefail

declare -A GROUP_PACKAGES=(
    [core]="g++ cmake ninja-build clang-format libglm-dev nlohmann-json3-dev libcli11-dev libgtest-dev libstb-dev python3"
    [desktop]="libglfw3-dev libimgui-dev python3-glad libstb-dev xvfb xauth"
    [wasm]="emscripten nodejs"
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(core)

wanted=()
for group in "${groups[@]}"; do
    if [ -z "${GROUP_PACKAGES[$group]+x}" ]; then
        echo "setup.sh: unknown package group '$group' (known: ${!GROUP_PACKAGES[*]})" >&2
        exit 2
    fi
    # shellcheck disable=SC2206
    wanted+=(${GROUP_PACKAGES[$group]})
done

missing=()
for pkg in "${wanted[@]}"; do
    # Node.js comes with the machine image (a nodesource build); never replace it.
    if [ "$pkg" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "setup.sh: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup.sh: done"
