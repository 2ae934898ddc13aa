import type { IncomingMessage } from 'node:http';
import { originProblem, parseOriginList, refusedOrigin } from './allowed-origins.ts';

const upgrade = (headers: IncomingMessage['headers']) => ({ headers }) as IncomingMessage;

describe('originProblem', () => {
  test.each(['https://console.example.com', 'http://localhost:5173', 'https://[::1]:8443', '*'])(
    '%s is an origin',
    (origin) => {
      expect(originProblem(origin)).toBeUndefined();
    },
  );

  test.each([
    ['https://console.example.com/', 'must be exactly an origin (https://console.example.com?)'],
    ['https://Console.example.com', 'must be exactly an origin (https://console.example.com?)'],
    ['https://console.example.com:443', 'must be exactly an origin (https://console.example.com?)'],
    ['https://console.example.com/app', 'must be exactly an origin'],
    ['wss://console.example.com', 'must start with https:// or http://'],
    ['null', 'is not an origin'],
    ['console.example.com', 'is not an origin'],
  ])('%s is refused: %s', (origin, problem) => {
    expect(originProblem(origin)).toContain(problem);
  });
});

describe('parseOriginList', () => {
  test('* may not be mixed with other origins', () => {
    expect(() => parseOriginList('*,https://a.example')).toThrow('list no other with it');
  });
});

describe('refusedOrigin', () => {
  const allowed = ['https://console.example.com'];

  test('a request without an Origin header (not a browser) is never refused', () => {
    expect(refusedOrigin(upgrade({}), [])).toBeUndefined();
  });

  test('an Origin is refused unless it is listed exactly or * is', () => {
    expect(refusedOrigin(upgrade({ origin: 'https://console.example.com' }), allowed)).toBe(
      undefined,
    );
    expect(refusedOrigin(upgrade({ origin: 'https://console.example.com' }), [])).toBe(
      'https://console.example.com',
    );
    expect(refusedOrigin(upgrade({ origin: 'https://console.example.com.evil' }), allowed)).toBe(
      'https://console.example.com.evil',
    );
    expect(refusedOrigin(upgrade({ origin: 'null' }), allowed)).toBe('null');
    expect(refusedOrigin(upgrade({ origin: 'null' }), ['*'])).toBeUndefined();
  });

  test('Sec-WebSocket-Origin (protocol version 8) counts as the Origin', () => {
    expect(refusedOrigin(upgrade({ 'sec-websocket-origin': 'https://x.example' }), allowed)).toBe(
      'https://x.example',
    );
  });
});
