#!/usr/bin/env bash
# Compose smoke test: deploy/compose/compose.yaml as an operator runs it, under podman-compose,
# on free loopback ports with fresh credentials and its own project name. Waits (bounded) for
# every service's /readyz and for agent os::SIM-1 to be online, sends a USP Get through NATS,
# the usp-router, the broker and the simulated agent, prints the answer and the timings, then
# tears everything down. A trap tears down on failure too; the last check fails the run when
# any container, volume or network of the project is left. Exit 0 only when all of it worked.
#
#   bash scripts/compose-smoke.sh        (root: rootful podman, and the seeds go to uid 1000)
# OCTOMESH_IMAGE, OCTOMESH_NATS_IMAGE pick the images; OCTOMESH_SIM_COUNT the fleet (default 3);
# OCTOMESH_SMOKE_TIMEOUT_S bounds each wait (default 120). With OCTOMESH_TEST_RUN set (jest), the
# containers also carry the test label, so the test run's teardown removes what a kill left.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { echo "compose-smoke: $*"; }
fail() {
  say "FAILED: $*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

[ "$(id -u)" -eq 0 ] || fail "run as root (rootful podman; the seed files are given to the image's uid 1000)"
command -v podman >/dev/null || fail "no podman (bash scripts/containers.sh installs it)"
command -v podman-compose >/dev/null || fail "no podman-compose (bash scripts/containers.sh installs it)"
node=$root/node_modules/.bin/node
[ -x "$node" ] || node=node
octomesh() { "$node" "$root/cli/bin/octomesh.js" "$@"; }

image=${OCTOMESH_IMAGE:-localhost/octomesh:dev}
nats_image=${OCTOMESH_NATS_IMAGE:-localhost/octomesh-nats:2.9}
for i in "$image" "$nats_image"; do
  podman image exists "$i" || fail "no image $i (bash scripts/containers.sh builds it)"
done
timeout_s=${OCTOMESH_SMOKE_TIMEOUT_S:-120}
sim_count=${OCTOMESH_SIM_COUNT:-3}

project="octomesh-smoke-$$-$(date +%s)"
work=$(mktemp -d)
chmod 700 "$work"
creds=$work/credentials
compose=(podman-compose --podman-path "$root/deploy/compose/podman-host-network" -p "$project"
  -f "$root/deploy/compose/compose.yaml")
if [ -n "${OCTOMESH_TEST_RUN:-}" ]; then
  compose+=(--podman-run-args "--label octomesh.test=$OCTOMESH_TEST_RUN")
fi
up_s=- get_s=- down_s=-

# Everything the project made, by the label podman-compose puts on it.
leftovers() {
  local filter="label=io.podman.compose.project=$project"
  podman ps -aq --filter "$filter"
  podman volume ls -q --filter "$filter"
  podman network ls -q --filter "$filter"
}

teardown() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [ "$status" -ne 0 ] && [ -n "$(podman ps -aq --filter "label=io.podman.compose.project=$project")" ]; then
    for c in $(podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$project"); do
      echo "----- $c (last 40 lines)" >&2
      podman logs --tail 40 "$c" 2>&1 | grep -v 'systemd' >&2
    done
  fi
  local started
  started=$(now_ms)
  "${compose[@]}" down -v >"$work/down.log" 2>&1
  # podman-compose before 1.0.6 also made a bridge network none of the services joins.
  podman network ls -q --filter "label=io.podman.compose.project=$project" |
    xargs -r podman network rm >/dev/null 2>&1
  down_s=$(seconds_since "$started")
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then
    say "left behind by project $project:" >&2
    echo "$left" >&2
    podman rm -f $(podman ps -aq --filter "label=io.podman.compose.project=$project") >/dev/null 2>&1
    status=1
  fi
  rm -rf "$work"
  say "timing: up ${up_s} s, get ${get_s} s, down ${down_s} s"
  if [ "$status" -eq 0 ]; then say "OK"; else say "FAILED (exit $status)" >&2; fi
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# Free loopback ports, found together so none is handed out twice; nothing holds them meanwhile,
# so another process could take one first (the run then fails and says which service).
read -r nats_port mqtt_port ws_port auth_h acl_h broker_h router_h < <("$node" -e '
  const net = require("node:net");
  const servers = Array.from({ length: 7 }, () => net.createServer());
  Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    for (const s of servers) s.close();
  });
')
export OCTOMESH_IMAGE=$image OCTOMESH_NATS_IMAGE=$nats_image OCTOMESH_CREDENTIALS=$creds \
  OCTOMESH_NATS_PORT=$nats_port OCTOMESH_MQTT_HOST=127.0.0.1 OCTOMESH_MQTT_PORT=$mqtt_port \
  OCTOMESH_WS_PORT=$ws_port OCTOMESH_HEALTH_HOST=127.0.0.1 \
  OCTOMESH_AUTH_HEALTH_PORT=$auth_h OCTOMESH_ACL_HEALTH_PORT=$acl_h \
  OCTOMESH_BROKER_HEALTH_PORT=$broker_h OCTOMESH_USP_ROUTER_HEALTH_PORT=$router_h \
  OCTOMESH_SIM_COUNT=$sim_count
say "project $project: nats :$nats_port, mqtt :$mqtt_port, health :$auth_h :$acl_h :$broker_h :$router_h, $sim_count agents"

# Credentials as the README says: the bus identities, and the agents' password, for uid 1000.
octomesh bus credentials --dir "$creds" --owner 1000 >/dev/null
(umask 077 && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$creds/sim-password")
chown 1000:1000 "$creds/sim-password"

started=$(now_ms)
"${compose[@]}" up -d >"$work/up.log" 2>&1 || {
  cat "$work/up.log" >&2
  fail "podman-compose up"
}
# podman-compose 1.0.3 goes on when a container fails to start: check that each one runs.
for service in nats auth acl broker usp-router agents; do
  filters=(--filter "label=io.podman.compose.project=$project"
    --filter "label=com.docker.compose.service=$service")
  [ -n "$(podman ps -q "${filters[@]}" --filter status=running)" ] || {
    grep -v systemd "$work/up.log" >&2
    fail "$service is not running ($(podman ps -a "${filters[@]}" --format '{{.Status}}'))"
  }
done

deadline=$(($(date +%s) + timeout_s))
wait_until() { # description, command...
  local what=$1
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no $what within ${timeout_s} s"
    sleep 0.5
  done
}
for pair in auth:$auth_h acl:$acl_h broker:$broker_h usp-router:$router_h; do
  wait_until "${pair%%:*} /readyz" curl -fsS --max-time 1 "http://127.0.0.1:${pair#*:}/readyz"
done
up_s=$(seconds_since "$started")
say "mesh ready in ${up_s} s"

export NATS_URL=nats://127.0.0.1:$nats_port NATS_NKEY_SEED_FILE=$creds/nats-credentials/admin.nk
sim1_online() { octomesh devices --online --json | grep -q '"os::SIM-1"'; }
wait_until "agent os::SIM-1 online" sim1_online

started=$(now_ms)
answer=$(octomesh usp get os::SIM-1 Device.DeviceInfo.) || fail "usp get: $answer"
get_s=$(seconds_since "$started")
echo "$answer"
grep -q 'SerialNumber' <<<"$answer" || fail "the Get answer has no SerialNumber"
