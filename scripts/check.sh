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
summary=$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } catch { console.log("0 passed, 1 failed"); }
' "$results")
rm -f "$results"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed: ${failed_steps[*]}"
fi
echo "$summary"
[ ${#failed_steps[@]} -eq 0 ]
