#!/usr/bin/env bash
# Runs every test of exmapi on a fresh Debian 12 machine: installs what it needs, then
#   1. a normal build and the whole suite (unit, vectors, peer interop, CLI, C header test),
#   2. the same suite built by clang with AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. every libFuzzer target of that same build for a short time, seeded with fuzz/corpus and the
#      spec vectors.
# Set EXMAPI_FUZZ_SECONDS (default 15) to fuzz longer; EXMAPI_SKIP_FUZZ=1 to skip step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${EXMAPI_JOBS:-$(nproc)}

bash scripts/install-deps.sh

# Let ccache reuse objects across clones in different folders (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

passed=0
failed=0
run_suite() {  # build-dir label cmake-args...
  local dir=$1 label=$2
  shift 2
  echo "== $label: configure and build ($dir)"
  cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$jobs"
  echo "== $label: tests"
  local log="$dir/ctest.log" rc=0
  (cd "$dir" && ctest -j"$jobs" --output-on-failure --timeout 900) 2>&1 | tee "$log" || rc=1
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    failed=$((failed + BASH_REMATCH[1]))
    passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  else
    failed=$((failed + 1))
  fi
  return $rc
}

status=0
mkdir -p build build-san
# -O2 without debug info: -g doubles the time and the memory the ROP templates take to compile.
run_suite build "release" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" || status=1
# One clang build carries AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation: the whole suite runs from it, then every fuzz target.
CC=clang CXX=clang++ ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-san "asan+ubsan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DEXMAPI_SANITIZE=ON -DEXMAPI_FUZZ=ON || status=1

if [ "${EXMAPI_SKIP_FUZZ:-0}" != 1 ]; then
  seconds=${EXMAPI_FUZZ_SECONDS:-15}
  shared=${EXMAPI_SHARED_DIR:-$(cd .. && pwd)/shared}
  /usr/bin/python3 scripts/vector-seeds.py "$shared" build-san/vector-seeds
  seeds=(build-san/vector-seeds)
  for d in fuzz/corpus/*/; do [ -d "$d" ] && seeds+=("$d"); done
  for target in build-san/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    work=$(mktemp -d)
    echo "-- $name for ${seconds}s"
    # New inputs go to the first (temporary) corpus directory; the committed seeds stay untouched.
    if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$root/build-san/$name-" "$work" "${seeds[@]}" >"build-san/$name.log" 2>&1; then
      passed=$((passed + 1))
      grep -E 'stat::number_of_executed_units' "build-san/$name.log" | sed "s/^/   $name /" || true
    else
      failed=$((failed + 1))
      status=1
      tail -40 "build-san/$name.log"
      echo "FAIL: $name found a crash; the input is under build-san/$name-*"
    fi
    rm -rf "$work"
  done
fi

echo "summary: $passed passed, $failed failed"
exit $status
