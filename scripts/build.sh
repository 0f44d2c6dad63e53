#!/usr/bin/env bash
# Configures (once) and builds the main tree in ./build. Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release -Dwerror=true >/dev/null
fi
meson compile -C build
