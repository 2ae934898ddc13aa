#!/usr/bin/env bash
# Everything Octomesh needs on a fresh Debian/Ubuntu machine: system packages (nats-server,
# mosquitto-clients) when missing, and the npm dependencies, which bring Node 24 with them
# (the `node` package in devDependencies), so the system Node only has to run npm once.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nats-server >/dev/null 2>&1 || need_apt+=(nats-server)
command -v mosquitto_pub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
# openssl makes the test certificates (TLS and mTLS suites).
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "setup: need root (or sudo) to install: ${need_apt[*]}" >&2; exit 1
      fi
    fi
    echo "setup: installing ${need_apt[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (nats-server 2.9 or later with JetStream; mosquitto clients) and put them on PATH" >&2
    exit 1
  fi
fi

# Octomesh needs nats-server 2.9 or later (JetStream KV as used here).
nats_version=$(nats-server --version | sed -E 's/.*v([0-9]+\.[0-9]+).*/\1/')
if [ "$(printf '%s\n2.9\n' "$nats_version" | sort -V | head -n1)" != "2.9" ]; then
  echo "setup: nats-server $nats_version is too old; Octomesh needs 2.9 or later" >&2
  exit 1
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is missing; install Node.js (any version with npm 10 or later) first" >&2
  exit 1
fi
# Reinstall only when the lockfile changed since the last install.
stamp=node_modules/.octomesh-lock.sha
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$sum" > "$stamp"
fi
node_version=$(node_modules/.bin/node --version)
case "$node_version" in
  v24.*) ;;
  *) echo "setup: expected Node 24 from node_modules/.bin/node, got $node_version" >&2; exit 1 ;;
esac
echo "setup: ready (node $node_version, $(nats-server --version))"
