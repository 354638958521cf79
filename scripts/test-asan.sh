#!/usr/bin/env bash
# The test suite over the addon built with AddressSanitizer and
# UndefinedBehaviorSanitizer (npm run test:asan). The sanitized addon goes to
# build-asan/ (the normal build stays as it is) and is loaded through
# PYMEM_NATIVE; Node itself is not sanitized, so the runtimes are preloaded.
# Leak checking is off: V8 keeps its heap to the end on purpose. Any report
# fails the run (halt_on_error), and the log is scanned for reports anyway.
# Arguments are passed to vitest (e.g. a test file). Without any, the whole
# suite but the allocator comparisons (test/5x: they spawn replayers with
# other allocators LD_PRELOADed, which cannot share a process with ASan).
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js compile --CDPYMEM_SANITIZE=address,undefined -O build-asan >/dev/null
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
log=$(mktemp)
status=0
LD_PRELOAD="$asan $ubsan" \
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:halt_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  PYMEM_NATIVE="$PWD/build-asan/Release/pymem.node" PYMEM_SANITIZED=1 \
  npx vitest run "${@:---exclude=test/5*}" 2>&1 | tee "$log" || status=$?
reports=$(grep -c -E "ERROR: AddressSanitizer|runtime error:" "$log" || true)
echo "sanitizer reports: $reports"
[ "$reports" = 0 ] && exit "$status"
exit 1
