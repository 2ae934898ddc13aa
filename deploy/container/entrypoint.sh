#!/bin/sh
# Runs the service named by SERVICE, or, with arguments, the octomesh CLI (for example
# `sim ...` for simulated agents, `user add ...` to provision).
set -eu
cd /app
if [ "$#" -gt 0 ]; then
  exec node cli/src/main.ts "$@"
fi
case "${SERVICE:-}" in
  auth | acl | usp-router) ;;
  broker)
    # 8 MiB semi-spaces: idle connections cost about half the resident memory (see
    # serviceNodeFlags in libs/service-kit). NODE_OPTIONS overrides.
    export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=8}"
    ;;
  *)
    echo "octomesh image: set SERVICE to one of auth, acl, broker, usp-router (got '${SERVICE:-}')," >&2
    echo "or pass octomesh CLI arguments (e.g. 'sim --help')" >&2
    exit 2
    ;;
esac
exec node "services/${SERVICE}/src/main.ts"
