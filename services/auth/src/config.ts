// Configuration of the auth service, from the environment; every problem is reported at once.
import { baseServiceSpec, env, readConfig, type ConfigOf } from '@octomesh/service-kit';
import { CertificateMappings, type CertificateMapping } from './domain/certificate-identity.ts';

const spec = {
  ...baseServiceSpec(8081),
  AUTH_CERT_MAPPING: env.oneOf<CertificateMapping>(
    'which certificate field names the identity (off disables certificate identities)',
    Object.values(CertificateMappings),
    'cn',
  ),
  AUTH_CERT_ROLE: env.oneOf(
    'role of certificate identities without an account',
    ['device', 'controller', 'admin'],
    'device',
  ),
  AUTH_CERT_REQUIRE_PASSWORD: env.bool(
    'certificate identities must also give a valid password',
    false,
  ),
  AUTH_OKTOPUS_DEVICES_AUTH: env.bool(
    "also accept Oktopus's devices-auth bucket (plaintext passwords; migration only)",
    false,
  ),
  AUTH_LIMIT_FREE_FAILURES: env.int(
    'failed attempts of one user from one address before its lockouts start',
    5,
    0,
    1000,
  ),
  AUTH_LIMIT_ADDRESS_FREE_FAILURES: env.int(
    'failed attempts from one address (all users) per window before its lockouts start',
    100,
    0,
    1_000_000,
  ),
  AUTH_LIMIT_BASE_DELAY_MS: env.int('first lockout after the free failures', 1000, 1, 3_600_000),
  AUTH_LIMIT_MAX_DELAY_MS: env.int('longest lockout', 300_000, 1, 86_400_000),
  AUTH_LIMIT_WINDOW_MS: env.int(
    "a user's failures from an address are forgotten after this quiet time; an address's count per window this long",
    900_000,
    1000,
    86_400_000,
  ),
  AUTH_LIMIT_MAX_ENTRIES: env.int(
    '(user, address) pairs tracked at most, and as many addresses (bounded memory)',
    100_000,
    100,
    10_000_000,
  ),
  AUTH_CACHE_MAX_ENTRIES: env.int(
    'recent successful verifications kept (0 disables)',
    200_000,
    0,
    10_000_000,
  ),
  AUTH_CACHE_TTL_MS: env.int(
    'how long a successful verification is reused',
    3_600_000,
    1000,
    86_400_000,
  ),
  AUTH_MAX_IN_FLIGHT: env.int(
    'requests handled at once per instance; more are refused',
    5000,
    1,
    1_000_000,
  ),
};

/** The auth service's settings. */
export type AuthConfig = ConfigOf<typeof spec>;

/** Reads and checks the settings. */
export function loadAuthConfig(source: NodeJS.ProcessEnv = process.env): AuthConfig {
  return readConfig(spec, source, (config) => [
    ...(config.AUTH_LIMIT_MAX_DELAY_MS < config.AUTH_LIMIT_BASE_DELAY_MS
      ? ['AUTH_LIMIT_MAX_DELAY_MS must not be below AUTH_LIMIT_BASE_DELAY_MS']
      : []),
    // Many devices can share an address (carrier-grade NAT); its limit is the softer one.
    ...(config.AUTH_LIMIT_ADDRESS_FREE_FAILURES < config.AUTH_LIMIT_FREE_FAILURES
      ? ['AUTH_LIMIT_ADDRESS_FREE_FAILURES must not be below AUTH_LIMIT_FREE_FAILURES']
      : []),
  ]);
}
