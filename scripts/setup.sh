#!/usr/bin/env bash
# Installs the Debian packages Flume needs, only those that are missing.
# Idempotent and near-instant when everything is present.
#
#   scripts/setup.sh [GROUP...]     groups: core (default), desktop, wasm, fuzz
#
# The wasm group also adds a deb-src entry for Debian's archive (the browser build compiles Dear
# ImGui from Debian's source package with em++) and installs the browser test's npm packages
# (playwright-core, from package-lock.json; the browser itself is Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A GROUP_PACKAGES=(
    [core]="g++ cmake ninja-build clang-format libglm-dev nlohmann-json3-dev libtinyobjloader-dev libcli11-dev libgtest-dev libstb-dev libopenvdb-dev libboost-dev libopenmpi-dev openmpi-bin python3"
    [desktop]="libglfw3-dev libimgui-dev python3-glad libstb-dev xvfb xauth x11-utils"
    [wasm]="emscripten nodejs chromium libstb-dev"
    [fuzz]="clang libclang-rt-14-dev"
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

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
updated=no

# Source packages (apt-get source imgui): the machine's deb822 entries with Types: deb-src.
src_list=/etc/apt/sources.list.d/flume-deb-src.sources
if [[ " ${groups[*]} " == *" wasm "* ]] && [ ! -e "$src_list" ] &&
    ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    base=/etc/apt/sources.list.d/debian.sources
    if [ -e "$base" ]; then
        echo "setup.sh: adding a deb-src entry ($src_list)"
        sed 's/^Types: deb$/Types: deb-src/' "$base" | $SUDO tee "$src_list" >/dev/null
    else
        echo "deb-src http://deb.debian.org/debian bookworm main" | $SUDO tee "$src_list" >/dev/null
    fi
    $SUDO apt-get update -qq
    updated=yes
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup.sh: installing missing Debian packages: ${missing[*]}"
    [ "$updated" = yes ] || $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "setup.sh: done"
fi

# The browser test's npm packages, exactly as locked; never a browser download.
if [[ " ${groups[*]} " == *" wasm "* ]] && [ ! -e node_modules/playwright-core/package.json ]; then
    echo "setup.sh: npm ci (playwright-core)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
