// A fleet of simulated USP agents in its own process, so its CPU is not the runner's. Started by
// bench/usp/run.ts over IPC: reports {type:'ready', ...} once every agent is up, stops on
// {type:'stop'} or when the runner goes away.
//
// Environment: BROKER_URL, AGENTS, USERNAME_PATTERN and PASSWORD (both or neither), MQTT_VERSION.
import { AgentFleet, UspMqttVersions, type UspMqttVersion } from '@octomesh/usp-sim';

const count = Number(process.env['AGENTS'] ?? '1000');
const username = process.env['USERNAME_PATTERN'];
const password = process.env['PASSWORD'];
const fleet = new AgentFleet({
  count,
  endpointIdPattern: 'os::BENCH-%d',
  ...(username !== undefined && password !== undefined
    ? { usernamePattern: username, passwordPattern: password }
    : {}),
  concurrency: 64,
  agent: {
    url: process.env['BROKER_URL']!,
    mqttVersion: (process.env['MQTT_VERSION'] ?? UspMqttVersions.v5) as UspMqttVersion,
    // Requests are the measurement: no Boot! traffic, no resends.
    boot: false,
    notifySendResp: false,
  },
});

const stop = async (): Promise<void> => {
  await fleet.stop().catch(() => undefined);
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') void stop();
});
const progress = await fleet.start();
process.send?.({
  type: 'ready',
  connected: progress.connected,
  failed: progress.failed,
  ratePerSecond: progress.ratePerSecond,
  failures: fleet.stats().failures,
});
