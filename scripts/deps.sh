#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages accrete builds with, skipping those
# already installed (so a second run costs nothing and needs no root).
#   scripts/deps.sh [extra-package...]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  liblmdb-dev libabsl-dev libfmt-dev      # the library
  nlohmann-json3-dev                      # ionize and cast (lib/ion)
  libcpp-httplib-dev                      # HTTP Direct (accrete_http)
  libcli11-dev libreadline-dev            # the accrete command-line tool
  libgtest-dev libgmock-dev               # tests
  libbenchmark-dev libsqlite3-dev         # benchmarks (SQLite side by side)
  "$@"
)

# The differential test (tests/differential) runs DataScript under Node.js.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
install_node_modules() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/differential"
  [ -d "$dir/node_modules/datascript" ] || npm ci --prefix "$dir" --no-audit --no-fund
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_node_modules
  exit 0
fi

echo "Installing: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_node_modules
