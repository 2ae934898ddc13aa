// Configuration of the acl service, from the environment; every problem is reported at once.
import { DEFAULT_TOPIC_PREFIX, validateTopicPrefix } from '@octomesh/contracts';
import { baseServiceSpec, env, readConfig, type ConfigOf } from '@octomesh/service-kit';

const spec = {
  ...baseServiceSpec(8082),
  ACL_TOPIC_PREFIX: env.custom(
    'USP topic prefix of the default policy',
    (raw) => {
      const problem = validateTopicPrefix(raw);
      if (problem !== undefined) throw new Error(problem);
      return raw;
    },
    DEFAULT_TOPIC_PREFIX,
  ),
  ACL_DEFAULT_POLICY: env.oneOf(
    'built-in rules: usp (device/controller/admin policy) or none',
    ['usp', 'none'],
    'usp',
  ),
  ACL_CACHE_TTL_MS: env.int(
    'how long brokers may cache a verdict (rule changes also invalidate)',
    300_000,
    0,
    86_400_000,
  ),
  ACL_MAX_CHECKS: env.int('checks accepted in one request', 256, 1, 10_000),
  ACL_MAX_IN_FLIGHT: env.int(
    'requests handled at once per instance; more are refused',
    5000,
    1,
    1_000_000,
  ),
};

/** The acl service's settings. */
export type AclConfig = ConfigOf<typeof spec>;

/** Reads and checks the settings. */
export function loadAclConfig(source: NodeJS.ProcessEnv = process.env): AclConfig {
  return readConfig(spec, source);
}
