#!/usr/bin/env bash
# README command 2: set up this machine if needed, then `npm test` (lint, type-check,
# generated-code staleness, unit and integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm test
