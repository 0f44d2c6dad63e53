#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything (gcc, warnings as errors),
# runs every test, then builds the libFuzzer targets with clang and smoke-runs each for a few seconds.
# Ends with one line "N passed, N failed" counted from meson's test logs (gtest cases included).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
scripts/hugepages.sh
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 2
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=clang++ meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true >/dev/null
fi
meson compile -C build-fuzz && meson test -C build-fuzz --print-errorlogs --num-processes 2
python3 scripts/count-tests.py build build-fuzz
