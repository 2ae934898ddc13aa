import {
  decodeFabricHeaders,
  encodeFabricHeaders,
  FabricHeaders,
  FabricMessageError,
  type FabricMessage,
} from './fabric-message.ts';

function roundTrip(message: FabricMessage): FabricMessage {
  const entries = encodeFabricHeaders(message);
  // Header values are one line of printable text.
  for (const [, value] of entries) expect(value).toMatch(/^[\x20-\x7e]*$/);
  return decodeFabricHeaders((name) => entries.filter(([n]) => n === name).map(([, v]) => v));
}

describe('fabric message headers', () => {
  test('every property and the publisher survive, user properties in order', () => {
    const message: FabricMessage = {
      qos: 1,
      retain: true,
      expiresAt: 1_795_000_000_123,
      payloadFormatIndicator: true,
      contentType: 'usp.msg; charset="x"\r\n',
      responseTopic: 'oktopus/usp/v1/agent/os::ÄÖ 1',
      correlationData: Buffer.from([0, 255, 10, 13]),
      userProperties: [
        ['a', '1'],
        ['b=c', 'd=e%'],
        ['a', ''],
      ],
      publisher: {
        subject: 'user:dev-1',
        role: 'device',
        endpointId: 'os::0044-ABC',
        clientId: 'c\nid',
      },
      replica: 'broker-0',
    };
    expect(roundTrip(message)).toEqual(message);
  });

  test('a minimal message from the mesh itself has no publisher', () => {
    const message: FabricMessage = { qos: 0, retain: false, replica: 'usp-router-1' };
    expect(roundTrip(message)).toEqual(message);
  });

  test.each([
    ['missing QoS', [[FabricHeaders.retain, '0']]],
    [
      'QoS 3',
      [
        [FabricHeaders.qos, '3'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
      ],
    ],
    [
      'two QoS',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.qos, '0'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
      ],
    ],
    [
      'bad retain',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, 'yes'],
        [FabricHeaders.replica, 'r'],
      ],
    ],
    [
      'bad expiry',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
        [FabricHeaders.expiresAt, '-5'],
      ],
    ],
    [
      'bad correlation',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
        [FabricHeaders.correlationData, '**'],
      ],
    ],
    [
      'bad percent',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, '%E0%A4%A'],
      ],
    ],
    [
      'user property without =',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
        [FabricHeaders.userProperty, 'x'],
      ],
    ],
    [
      'publisher without role',
      [
        [FabricHeaders.qos, '1'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'r'],
        [FabricHeaders.publisherSubject, 's'],
      ],
    ],
  ])('refuses %s', (_what, entries) => {
    expect(() =>
      decodeFabricHeaders((name) => entries.filter(([n]) => n === name).map(([, v]) => v!)),
    ).toThrow(FabricMessageError);
  });
});
