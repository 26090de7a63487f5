#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while each.
# Usage: scripts/fuzz.sh [FUZZTIME] [--keep-going]   (default 5s)
# Targets are discovered, not listed: a new `func FuzzXxx(f *testing.F)` in
# any package's tests is fuzzed from the next run on.
#
# Without --keep-going (make fuzz, in make test) the first failing target
# stops the run. With it (make fuzz-long) every target runs, and a table
# of targets, executions, new corpus entries and results ends the run;
# a failing input is kept by Go under the package's testdata/fuzz/ and the
# run exits non-zero at the end.
set -euo pipefail
fuzztime=${1:-5s}
keep_going=${2:-}
count=0
failed=0
out=$(mktemp)
report=$(mktemp)
trap 'rm -f "$out" "$report"' EXIT

# fuzz_one fuzzes one target. Go's fuzzer sometimes ends a clean run with
# "context deadline exceeded" when -fuzztime runs out mid-call: only that
# is worth a second try (returns 2). A failing input returns 1.
fuzz_one() {
  go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$1" >"$out" 2>&1 && return 0
  if grep -q 'Failing input' "$out" || ! grep -q 'context deadline exceeded' "$out"; then
    return 1
  fi
  echo "  (the fuzzer stopped on its deadline mid-call; trying once more)"
  return 2
}

# summary prints the last progress line's executions and new entries.
summary() {
  local line
  line=$(grep -o 'execs: [0-9]*.*new interesting: [0-9]*' "$out" | tail -1 || true)
  local execs=${line#execs: }
  execs=${execs%% *}
  local new=${line##*new interesting: }
  printf '%s\t%s\t%s\n' "${execs:-0}" "${new:-0}" "$1"
}

for dir in $(go list -f '{{.Dir}}' ./...); do
  pkg=./$(realpath --relative-to="$PWD" "$dir")
  for name in $(grep -h -o '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $name ($fuzztime)"
    rc=0
    fuzz_one "$pkg" "$name" || rc=$?
    if [ "$rc" = 2 ]; then rc=0; fuzz_one "$pkg" "$name" || rc=$?; fi
    result=ok
    if [ "$rc" != 0 ]; then
      cat "$out"
      result=FAILED
      failed=$((failed + 1))
      [ -n "$keep_going" ] || exit 1
    fi
    printf '%s\t%s\t' "$pkg" "$name" >>"$report"
    summary "$result" >>"$report"
    count=$((count + 1))
  done
done
if [ -n "$keep_going" ]; then
  echo
  { echo -e "package\ttarget\texecs\tnew\tresult"; cat "$report"; } | column -t -s $'\t'
  awk -F'\t' '{s += $3} END {printf "total executions: %d\n", s}' "$report"
fi
echo "fuzzed $count targets for $fuzztime each, $failed failed"
[ "$failed" = 0 ]
