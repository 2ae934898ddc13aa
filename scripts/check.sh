#!/usr/bin/env bash
# `npm test`: every check, each one run even if an earlier one failed, then jest's totals as
# the last line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false
failed_steps=()
step() {
  local name=$1; shift
  echo "== $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}
step "format (prettier --check)" npx prettier --check . --log-level warn
step "lint (eslint)" npx eslint . --max-warnings 0
step "type-check (tsc)" npx tsc -p tsconfig.json --noEmit
step "generated code (proto:check)" node scripts/proto-gen.ts --check
results=$(mktemp)
step "unit and integration tests (jest)" npx jest --ci --maxWorkers=2 --json --outputFile="$results"
failed_checks=0
for name in "${failed_steps[@]}"; do
  [[ "$name" == unit\ and\ integration* ]] || failed_checks=$((failed_checks + 1))
done
# A failed check that is not a test (lint, types, generated code) counts as one failed test,
# so the last line never reads "0 failed" for a run that failed.
summary=$(node -e '
  const fs = require("fs");
  const extra = Number(process.argv[2]);
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + extra} failed`);
  } catch { console.log(`0 passed, ${1 + extra} failed`); }
' "$results" "$failed_checks")
rm -f "$results"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed: ${failed_steps[*]}"
fi
echo "$summary"
[ ${#failed_steps[@]} -eq 0 ]
