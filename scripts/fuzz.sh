#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each.
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 5s)
# Targets are discovered, not listed: a new `func FuzzXxx(f *testing.F)` in
# any package's tests is fuzzed from the next run on.
set -euo pipefail
fuzztime=${1:-5s}
count=0

# fuzz_one fuzzes one target. A run that found a failing input fails for
# good; Go's fuzzer also sometimes ends a clean run with "context deadline
# exceeded" when -fuzztime runs out mid-call, and only that is worth a
# second try (the caller retries once).
fuzz_one() {
  go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$1" >/tmp/fuzz.$$ 2>&1 && return 0
  if grep -q 'Failing input' /tmp/fuzz.$$ || ! grep -q 'context deadline exceeded' /tmp/fuzz.$$; then
    cat /tmp/fuzz.$$
    rm -f /tmp/fuzz.$$
    exit 1
  fi
  echo "  (the fuzzer stopped on its deadline mid-call; trying once more)"
  return 1
}
for dir in $(go list -f '{{.Dir}}' ./...); do
  pkg=./$(realpath --relative-to="$PWD" "$dir")
  for name in $(grep -h -o '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $name ($fuzztime)"
    fuzz_one "$pkg" "$name" || fuzz_one "$pkg" "$name" || { cat /tmp/fuzz.$$; rm -f /tmp/fuzz.$$; exit 1; }
    count=$((count + 1))
  done
done
rm -f /tmp/fuzz.$$
echo "fuzzed $count targets for $fuzztime each"
