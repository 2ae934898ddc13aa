// Configuration of the usp-router, from the environment; every problem is reported at once.
import { hostname } from 'node:os';
import {
  ConfigError,
  DEFAULT_TOPIC_PREFIX,
  validateEndpointIdForTopic,
  validateTopicPrefix,
} from '@octomesh/contracts';
import { baseServiceSpec, env, readConfig, type ConfigOf } from '@octomesh/service-kit';

const spec = {
  ...baseServiceSpec(8084),
  USP_TOPIC_PREFIX: env.custom(
    'USP topic prefix (the brokers and the acl policy use the same)',
    (raw) => {
      const problem = validateTopicPrefix(raw);
      if (problem !== undefined) throw new Error(problem);
      return raw;
    },
    DEFAULT_TOPIC_PREFIX,
  ),
  USP_CONTROLLER_IDS: env.custom(
    'comma-separated controller endpoint ids this router speaks for; the first is the default from_id',
    (raw) => {
      const ids = [
        ...new Set(
          raw
            .split(',')
            .map((id) => id.trim())
            .filter((id) => id !== ''),
        ),
      ];
      if (ids.length === 0) throw new Error('no controller endpoint id');
      for (const id of ids) {
        const problem = validateEndpointIdForTopic(id);
        if (problem !== undefined) throw new Error(`${JSON.stringify(id)}: ${problem}`);
      }
      return ids;
    },
    ['oktopusController'],
  ),
  USP_REQUEST_TIMEOUT_MS: env.int('default wait for an agent answer', 30_000, 100, 600_000),
  USP_MAX_REQUEST_TIMEOUT_MS: env.int(
    'longest wait a controller may ask for',
    300_000,
    100,
    3_600_000,
  ),
  USP_MAX_PENDING: env.int(
    'requests waiting for answers at once; more are refused (503)',
    50_000,
    1,
    10_000_000,
  ),
  USP_AUTO_NOTIFY_RESP: env.bool(
    'answer a Notify with send_resp set with NotifyResp at once, so agents stop resending',
    true,
  ),
  USP_LIVENESS_TIMEOUT_S: env.int(
    'mark an online endpoint offline when nothing was heard from it for this long (0 = never)',
    0,
    0,
    30 * 24 * 3600,
  ),
  USP_OKTOPUS_COMPAT: env.bool(
    'also serve and publish the Oktopus mqtt-adapter subjects (mqtt.usp.v1.*, device.usp.v1.*, mqtt-adapter.usp.v1.*)',
    false,
  ),
  USP_ROUTER_REPLICA: env.string('name of this router replica', hostname()),
};

/** The usp-router's settings. */
export type RouterConfig = ConfigOf<typeof spec>;

/** Reads and checks the settings. */
export function loadRouterConfig(source: NodeJS.ProcessEnv = process.env): RouterConfig {
  const config = readConfig(spec, source);
  // last seen is written at most once a minute, so a shorter timeout would flap.
  if (config.USP_LIVENESS_TIMEOUT_S > 0 && config.USP_LIVENESS_TIMEOUT_S < 120)
    throw new ConfigError(['USP_LIVENESS_TIMEOUT_S: must be 0 or at least 120 (seconds)']);
  return config;
}
