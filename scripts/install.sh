#!/usr/bin/env bash
# Installs everything medattn needs on a Debian/Ubuntu machine with Node 20, then the npm packages (which
# builds the native addon). Safe to re-run: apt is skipped when every package is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(grep -v '^#' scripts/apt-packages.txt | tr '\n' ' ')
missing=""
for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "medattn: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # onnxruntime-node: its CPU binaries ship in the npm package; skip its download step (the CUDA one fails offline)
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
else
  node native/build.mjs
fi
