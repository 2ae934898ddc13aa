#!/bin/sh
# The simulated agents of compose.yaml, in a container of the project image (uid 1000, /app):
#   1. waits until every URL in SIM_WAIT_FOR answers 200 (the broker's and the usp-router's
#      /readyz: an agent's Connect Record registers it only while the router listens);
#   2. creates the accounts sim-1..SIM_COUNT that do not exist yet (device role, endpoint
#      os::SIM-N, the password in SIM_PASSWORD_FILE) with the admin identity (NATS_NKEY_SEED_FILE);
#      accounts come first because an agent refused for a missing account counts towards auth's
#      brute-force lockouts;
#   3. becomes `octomesh sim` (SIGTERM disconnects the agents).
# Exit 1 when a step fails; the service's restart policy runs it again.
set -eu
trap 'exit 143' TERM INT

octomesh() { node /app/cli/src/main.ts "$@"; }
say() { echo "agents: $*"; }

count=${SIM_COUNT:?}
password_file=${SIM_PASSWORD_FILE:?}

say "waiting for ${SIM_WAIT_FOR:-nothing}"
# shellcheck disable=SC2086 # one URL per word
node --input-type=module -e '
  const deadline = Date.now() + Number(process.env.SIM_WAIT_MS ?? 120000);
  for (const url of process.argv.slice(1)) {
    for (;;) {
      const status = await fetch(url, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) {
        console.error(`agents: ${url} not ready (last status ${status})`);
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
' ${SIM_WAIT_FOR:-}

accounts=$(octomesh user list)
existing=$(printf '%s\n' "$accounts" | cut -f1)
added=0
n=1
while [ "$n" -le "$count" ]; do
  if ! printf '%s\n' "$existing" | grep -Fqx "sim-$n"; then
    octomesh user add "sim-$n" --role device --endpoint-id "os::SIM-$n" <"$password_file" >/dev/null
    added=$((added + 1))
  fi
  n=$((n + 1))
done
say "accounts sim-1..sim-$count ready ($added added)"

exec node /app/cli/src/main.ts sim --url "${SIM_BROKER_URL:?}" --count "$count" \
  --username 'sim-%d' --endpoint-id 'os::SIM-%d' --password-file "$password_file" \
  --prefix "${USP_TOPIC_PREFIX:-oktopus/usp/v1}" --reconnect
