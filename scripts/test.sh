#!/usr/bin/env bash
# README command 2: set up this machine if needed (packages, npm dependencies, the container
# engine and images), then `npm test` (lint, type-check, generated-code staleness, unit and
# integration tests). Where scripts/containers.sh got an engine ready, the integration suites
# must use it (OCTOMESH_TEST_CONTAINERS=required); elsewhere they run local processes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/containers.sh
if [ -f .octomesh/containers.env ]; then
  set -a; . .octomesh/containers.env; set +a
fi
export OCTOMESH_TEST_RUN="run-$$-$(date +%s)"
# No container of this run survives it, even when jest is killed.
cleanup() {
  if command -v podman >/dev/null 2>&1; then
    left=$(podman ps -aq --filter "label=octomesh.test=$OCTOMESH_TEST_RUN" 2>/dev/null || true)
    if [ -n "$left" ]; then
      echo "test: removing $(echo "$left" | wc -l) leftover containers"
      podman rm -f $left >/dev/null 2>&1 || true
    fi
  fi
}
trap cleanup EXIT
npm test
