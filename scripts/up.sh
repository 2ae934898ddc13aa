#!/usr/bin/env bash
# README command 1: set up this machine if needed, then run the whole mesh (`octomesh up`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm run -s up -- "$@"
