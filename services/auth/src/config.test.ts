import { ConfigError } from '@octomesh/contracts';
import { loadAuthConfig } from './config.ts';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadAuthConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  return [];
}

describe('auth configuration', () => {
  test('limits a (user, address) pair strictly and an address, shared behind NAT, much more softly by default', () => {
    const config = loadAuthConfig({});
    expect(config.AUTH_LIMIT_FREE_FAILURES).toBe(5);
    expect(config.AUTH_LIMIT_ADDRESS_FREE_FAILURES).toBe(100);
  });

  test('refuses an address threshold below the per-(user, address) one, with the other problems', () => {
    expect(
      problemsOf({
        AUTH_LIMIT_FREE_FAILURES: '10',
        AUTH_LIMIT_ADDRESS_FREE_FAILURES: '3',
        AUTH_LIMIT_BASE_DELAY_MS: '2000',
        AUTH_LIMIT_MAX_DELAY_MS: '1000',
      }),
    ).toEqual([
      'AUTH_LIMIT_MAX_DELAY_MS must not be below AUTH_LIMIT_BASE_DELAY_MS',
      'AUTH_LIMIT_ADDRESS_FREE_FAILURES must not be below AUTH_LIMIT_FREE_FAILURES',
    ]);
    expect(
      problemsOf({ AUTH_LIMIT_FREE_FAILURES: '10', AUTH_LIMIT_ADDRESS_FREE_FAILURES: '10' }),
    ).toEqual([]);
  });
});
