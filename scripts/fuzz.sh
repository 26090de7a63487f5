#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each.
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 5s)
# Targets are discovered, not listed: a new `func FuzzXxx(f *testing.F)` in
# any package's tests is fuzzed from the next run on.
set -euo pipefail
fuzztime=${1:-5s}
count=0
for dir in $(go list -f '{{.Dir}}' ./...); do
  pkg=./$(realpath --relative-to="$PWD" "$dir")
  for name in $(grep -h -o '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $name ($fuzztime)"
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" >/tmp/fuzz.$$ 2>&1 ||
      { cat /tmp/fuzz.$$; rm -f /tmp/fuzz.$$; exit 1; }
    count=$((count + 1))
  done
done
rm -f /tmp/fuzz.$$
echo "fuzzed $count targets for $fuzztime each"
