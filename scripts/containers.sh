#!/usr/bin/env bash
# Container engine and images for the tests and compose, on Debian/Ubuntu (root or sudo):
#   - podman (with runc, cgroupfs, file events, ulimits no higher than the host's) and
#     podman-compose from apt, when missing;
#   - podman's Docker-compatible API on /run/podman/podman.sock (testcontainers talks to it);
#   - the local images, each built once and reused: localhost/debian:bookworm-minbase
#     (mmdebstrap), localhost/octomesh-nats:2.9 (Debian's nats-server), localhost/octomesh-node:24
#     (Node 24 from the npm `node` package) and localhost/octomesh:dev (deploy/container/Dockerfile,
#     layer-cached, so a rebuild after a source edit takes seconds).
# Idempotent; a second run only checks. OCTOMESH_CONTAINERS=off skips it all (tests then run
# NATS and the services as local processes and say so). Exit 0 with a notice when no engine can
# be had (no apt); exit 1 when installing or building fails.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "containers: $*"; }
# scripts/test.sh reads this file: present only when the engine and images are ready.
mkdir -p .octomesh
rm -f .octomesh/containers.env
if [ "${OCTOMESH_CONTAINERS:-}" = off ]; then
  say "OCTOMESH_CONTAINERS=off: skipped; tests use local processes"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    say "not root and no sudo: no container engine; tests use local processes"
    exit 0
  fi
fi

need_apt=()
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || need_apt+=(mmdebstrap)
command -v podman-compose >/dev/null 2>&1 || need_apt+=(podman-compose)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get to install ${need_apt[*]}: tests use local processes"
    exit 0
  fi
  say "installing ${need_apt[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Engine settings. crun refuses hybrid cgroup hosts, so runc with cgroupfs; journald may be
# absent, so file events; default ulimits above the host's own make every container fail with
# "setrlimit: Operation not permitted". An existing file not written here is left alone.
conf=/etc/containers/containers.conf
marker="# written by octomesh scripts/containers.sh"
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
[ "$nproc" = unlimited ] && nproc=65536
[ "$nofile" -gt 65536 ] && nofile=65536
[ "$nproc" -gt 4096 ] && nproc=4096
wanted="$marker
[containers]
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]
[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\""
if [ ! -f "$conf" ] || head -n1 "$conf" | grep -qF "$marker"; then
  if [ "$(cat "$conf" 2>/dev/null)" != "$wanted" ]; then
    printf '%s\n' "$wanted" | $sudo tee "$conf" >/dev/null
    say "wrote $conf"
  fi
else
  say "$conf exists and was not written by this script; leaving it as it is"
fi

# The Docker-compatible API for testcontainers.
socket=/run/podman/podman.sock
ping_socket() { curl -s --max-time 2 --unix-socket "$socket" http://d/_ping 2>/dev/null | grep -q OK; }
if ! ping_socket; then
  $sudo mkdir -p /run/podman
  $sudo setsid nohup podman system service --time=0 "unix://$socket" >/tmp/octomesh-podman-service.log 2>&1 < /dev/null &
  for _ in $(seq 1 50); do ping_socket && break; sleep 0.2; done
  ping_socket || { say "podman's API did not answer on $socket (see /tmp/octomesh-podman-service.log)"; exit 1; }
  say "podman API on $socket"
fi

podman="$sudo podman"
have_image() { $podman image exists "$1"; }
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT

if ! have_image localhost/debian:bookworm-minbase; then
  say "building localhost/debian:bookworm-minbase with mmdebstrap (about 40 s)"
  $sudo mmdebstrap --quiet --variant=minbase --mode=unshare bookworm "$context/rootfs.tar"
  $podman import --quiet "$context/rootfs.tar" localhost/debian:bookworm-minbase >/dev/null
  rm -f "$context/rootfs.tar"
fi

if ! have_image localhost/octomesh-nats:2.9; then
  say "building localhost/octomesh-nats:2.9"
  mkdir -p "$context/nats"
  cp "$(command -v nats-server)" "$context/nats/nats-server"
  $podman build --quiet --network host -t localhost/octomesh-nats:2.9 \
    -f deploy/container/nats/Dockerfile "$context/nats" >/dev/null
fi

if ! have_image localhost/octomesh-node:24; then
  say "building localhost/octomesh-node:24"
  mkdir -p "$context/node"
  cp node_modules/node/bin/node "$context/node/node"
  (cd "$context/node" && npm pack --silent npm@11 >/dev/null && mv npm-*.tgz npm.tgz)
  $podman build --quiet --network host -t localhost/octomesh-node:24 \
    -f deploy/container/node-base/Dockerfile "$context/node" >/dev/null
fi

# The project image: layer cache makes this quick when nothing changed. npm inside the build
# trusts the same CA bundle as npm here (a TLS-inspecting proxy), passed as a build secret.
ca=$(npm config get cafile 2>/dev/null || true)
[ -f "$ca" ] || ca=${NODE_EXTRA_CA_CERTS:-}
secret=()
[ -n "$ca" ] && [ -f "$ca" ] && secret=(--secret "id=npm-ca,src=$ca")
started=$(date +%s)
$podman build --quiet --format docker --network host --build-arg BASE=localhost/octomesh-node:24 \
  "${secret[@]}" -t localhost/octomesh:dev -f deploy/container/Dockerfile . >/dev/null
say "localhost/octomesh:dev built in $(( $(date +%s) - started )) s"
# Every build after a source edit leaves the previous stages untagged; a week-old one is no
# longer a useful cache.
$podman image prune -f --filter until=168h >/dev/null 2>&1 || true
printf 'OCTOMESH_TEST_CONTAINERS=%s\nDOCKER_HOST=unix://%s\nTESTCONTAINERS_RYUK_DISABLED=true\n' \
  "${OCTOMESH_TEST_CONTAINERS:-required}" "$socket" > .octomesh/containers.env
say "ready ($(podman --version), API $socket)"
