import { UsageError } from '../args.ts';
import {
  devicesToJson,
  formatAge,
  lastSeen,
  parseDevicesInvocation,
  renderDevices,
} from './devices.ts';

const now = Date.UTC(2025, 5, 1, 12, 0, 0);

describe('parseDevicesInvocation', () => {
  test('asks for everything by default (the router picks the limit)', () => {
    expect(parseDevicesInvocation([])).toEqual({
      request: { onlineOnly: false, prefix: '', limit: 0 },
      json: false,
      natsUrl: undefined,
    });
  });

  test('passes --online, --prefix and --limit to the router', () => {
    expect(
      parseDevicesInvocation(['--online', '--prefix', 'os::', '--limit', '50', '--json']),
    ).toMatchObject({ request: { onlineOnly: true, prefix: 'os::', limit: 50 }, json: true });
  });

  test.each([
    [['--limit', 'ten'], /--limit must be an integer/],
    [['--limit', '0'], /--limit must be between 1 and 10000/],
    [['--limit', '10001'], /--limit must be between/],
    [['os::A'], /takes no os::A/],
    [['--all'], /Unknown option/],
  ])('refuses %j as bad usage', (argv, message) => {
    const attempt = () => parseDevicesInvocation(argv);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('renderDevices', () => {
  test('an aligned table: id, state, last seen with its age, topic, MQTT version, replica', () => {
    const lines = renderDevices(
      {
        endpoints: [
          {
            endpointId: 'os::A',
            online: true,
            lastSeenMs: now - 12_000,
            agentTopic: 'oktopus/usp/v1/agent/os::A',
            mqttVersion: 5,
            replica: 'broker-1',
          },
          {
            endpointId: 'os::LONG-NAME',
            online: false,
            lastSeenMs: now - 3 * 3600_000,
            agentTopic: 'oktopus/usp/v1/agent/os::LONG-NAME',
            mqttVersion: 4,
            replica: '',
          },
        ],
        truncated: false,
      },
      now,
    );
    expect(lines).toEqual([
      'ENDPOINT       STATE    LAST SEEN                        AGENT TOPIC                         MQTT   REPLICA',
      'os::A          online   2025-06-01T11:59:48Z (12 s ago)  oktopus/usp/v1/agent/os::A          5      broker-1',
      'os::LONG-NAME  offline  2025-06-01T09:00:00Z (3 h ago)   oktopus/usp/v1/agent/os::LONG-NAME  3.1.1  -',
    ]);
  });

  test('says when the list is empty and when the router truncated it', () => {
    expect(renderDevices({ endpoints: [], truncated: false }, now)).toEqual(['no endpoints']);
    const lines = renderDevices(
      { endpoints: [{ endpointId: 'os::A', online: true, lastSeenMs: now }], truncated: true },
      now,
    );
    expect(lines.at(-1)).toMatch(/^truncated/);
  });
});

describe('ages', () => {
  test.each([
    [0, '0 s ago'],
    [-3000, '0 s ago'],
    [119_999, '119 s ago'],
    [120_000, '2 min ago'],
    [7_199_000, '119 min ago'],
    [7_200_000, '2 h ago'],
    [49 * 3600_000, '2 d ago'],
  ])('%d ms reads as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  test('an endpoint never seen says so', () => {
    expect(lastSeen(0, now)).toBe('never');
  });
});

describe('devicesToJson', () => {
  test('lists every field, with the 64-bit times as strings', () => {
    expect(
      devicesToJson({
        endpoints: [{ endpointId: 'os::A', online: false, lastSeenMs: 1_717_243_200_000 }],
        truncated: false,
      }),
    ).toEqual({
      endpoints: [
        {
          endpointId: 'os::A',
          agentTopic: '',
          mqttVersion: 0,
          online: false,
          lastSeenMs: '1717243200000',
          replica: '',
          clientId: '',
          changedMs: '0',
        },
      ],
      truncated: false,
    });
  });
});
