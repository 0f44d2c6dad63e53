#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything (gcc, warnings as errors),
# runs every test, runs the C++ tests again under ASan+UBSan, then builds the libFuzzer targets with clang
# and smoke-runs each for a few seconds.
# Ends with one line "N passed, N failed" counted from meson's test logs (gtest cases included).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
scripts/hugepages.sh
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 2
# The C++ tests again under AddressSanitizer + UBSan: bad input must never read out of bounds. Not here:
# the Ansible tests (no C++ of ours), telemetry_hot_path (it disassembles the hot path, which the
# sanitizers instrument with calls) and telemetry_replay (500 scrapes in a 10 s window: timing, not memory).
# Warnings are not errors in this build: sanitizer instrumentation makes gcc report false positives.
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
    -Dperf=false >/dev/null
fi
if meson compile -C build-asan; then
  asan_tests=$(meson test -C build-asan --list 2>/dev/null |
    grep -E '^[a-z0-9_]+$' | grep -vE '^(ansible_.*|telemetry_hot_path|telemetry_replay)$')
  # shellcheck disable=SC2086
  meson test -C build-asan --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier 3 $asan_tests
else
  rm -f build-asan/meson-logs/testlog.json  # counted as a failure below
fi
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=clang++ meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true >/dev/null
fi
meson compile -C build-fuzz && meson test -C build-fuzz --print-errorlogs --num-processes 2
python3 scripts/count-tests.py build build-asan build-fuzz
