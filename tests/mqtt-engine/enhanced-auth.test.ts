// MQTT 5 enhanced authentication (the AUTH exchange) with real MQTT.js v5 clients, and raw
// packets on a socket where MQTT.js cannot drive it (re-authentication, protocol violations).
// The test method is a challenge-response: the client names its account in CONNECT's
// Authentication Data, the broker answers a random nonce, the client proves
// HMAC-SHA256(secret, nonce). Each test names the spec rules it checks.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { IClientOptions, MqttClient } from 'mqtt';
import mqttPacket, {
  type IAuthPacket,
  type IConnackPacket,
  type IDisconnectPacket,
  type IPubackPacket,
  type Packet,
} from 'mqtt-packet';
import type { AuthStep, EngineIdentity, EnhancedAuthMethod } from '@octomesh/mqtt-engine';
import { connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const HMAC = 'OCTO-HMAC-TEST';
const secrets: Record<string, string> = { dev1: 'secret-one', dev2: 'secret-two' };
// Long enough that a loaded CI machine (two jest workers beside containers) finishes an HMAC
// exchange in time: at 300 ms four tests got CONNACK 0x88 there.
const deciderTimeoutMs = 1500;

function hmac(secret: string, nonce: Buffer | undefined): Buffer {
  return createHmac('sha256', secret)
    .update(nonce ?? Buffer.alloc(0))
    .digest();
}

/** Challenge-response: account name → nonce → HMAC-SHA256(secret, nonce). */
const hmacMethod: EnhancedAuthMethod = {
  name: HMAC,
  begin(attempt) {
    let account = '';
    let nonce: Buffer | undefined;
    return {
      async step(data): Promise<AuthStep> {
        if (nonce === undefined) {
          account = data?.toString() ?? '';
          nonce = randomBytes(16);
          return { kind: 'continue', data: nonce };
        }
        const secret = secrets[account];
        const expected = secret === undefined ? undefined : hmac(secret, nonce);
        if (
          expected === undefined ||
          data === undefined ||
          data.length !== expected.length ||
          !timingSafeEqual(data, expected)
        ) {
          return {
            kind: 'done',
            verdict: { allow: false, reasonCode: 0x87, reason: 'wrong answer' },
          };
        }
        const identity: EngineIdentity = {
          subject: `hmac:${account}`,
          username: account,
          role: 'admin',
          endpointId: '',
          clientId: attempt.clientId,
        };
        return { kind: 'done', verdict: { allow: true, identity }, data: Buffer.from('welcome') };
      },
    };
  },
};

const brokenMethod: EnhancedAuthMethod = {
  name: 'OCTO-BROKEN-TEST',
  begin: () => ({
    step: async () => {
      throw new Error('method down');
    },
  }),
};

const silentSignals: AbortSignal[] = [];
const silentMethod: EnhancedAuthMethod = {
  name: 'OCTO-SILENT-TEST',
  begin: () => ({
    step: (_data, signal) => {
      silentSignals.push(signal);
      return new Promise<AuthStep>(() => undefined);
    },
  }),
};

const endlessMethod: EnhancedAuthMethod = {
  name: 'OCTO-ENDLESS-TEST',
  begin: () => ({ step: async () => ({ kind: 'continue', data: Buffer.from('more') }) }),
};

/** An MQTT.js v5 client with an Authentication Method and a `handleAuth` answering challenges. */
async function authClient(
  url: string,
  method: string,
  answer: (challenge: IAuthPacket) => IAuthPacket,
  extra: IClientOptions = {},
) {
  const challenges: IAuthPacket[] = [];
  let connack: IConnackPacket | undefined;
  const client = await connectClient(
    url,
    {
      protocolVersion: 5,
      clientId: `ea-${Math.random().toString(16).slice(2)}`,
      properties: { authenticationMethod: method, authenticationData: Buffer.from('dev1') },
      ...extra,
    },
    (c: MqttClient) => {
      c.handleAuth = (packet, callback) => {
        challenges.push(packet);
        callback(undefined, answer(packet));
      };
      c.once('connect', (packet) => {
        connack = packet;
      });
    },
  );
  return { client, challenges, connack: connack! };
}

function hmacAnswer(secret: string, method = HMAC, reasonCode = 0x18) {
  return (challenge: IAuthPacket): IAuthPacket => ({
    cmd: 'auth',
    reasonCode,
    properties: {
      authenticationMethod: method,
      authenticationData: hmac(secret, challenge.properties?.authenticationData),
    },
  });
}

/** A raw MQTT 5 (or 3.1.1) socket: send packets, read the broker's packets in order. */
async function rawClient(port: number, protocolVersion: 4 | 5 = 5) {
  const socket = await new Promise<Socket>((resolve) => {
    const s = tcpConnect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
  const parser = mqttPacket.parser({ protocolVersion });
  const received: Packet[] = [];
  parser.on('packet', (packet) => received.push(packet));
  socket.on('data', (chunk) => parser.parse(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let read = 0;
  return {
    received,
    closed,
    socket,
    send(packet: Packet): void {
      // AUTH only exists in v5 encoding; a 3.1.1 test sends those bytes on purpose.
      socket.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
    },
    /** The broker's next packet; it must be a `cmd`. */
    async next<T extends Packet>(cmd: T['cmd']): Promise<T> {
      const packet = await eventually(`a ${cmd}`, () => received[read]);
      read++;
      expect(packet.cmd).toBe(cmd);
      return packet as T;
    },
  };
}

type RawClient = Awaited<ReturnType<typeof rawClient>>;

function connectPacket(properties: NonNullable<mqttPacket.IConnectPacket['properties']>): Packet {
  return {
    cmd: 'connect',
    protocolVersion: 5,
    protocolId: 'MQTT',
    clientId: `raw-${Math.random().toString(16).slice(2)}`,
    clean: true,
    keepalive: 30,
    properties,
  };
}

function auth(reasonCode: number, method: string, data?: Buffer): IAuthPacket {
  return {
    cmd: 'auth',
    reasonCode,
    properties: {
      authenticationMethod: method,
      ...(data !== undefined ? { authenticationData: data } : {}),
    },
  };
}

function publish(messageId: number, topic = 'lab/enhanced-auth'): Packet {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.from('hello'),
    qos: 1,
    messageId,
    retain: false,
    dup: false,
  };
}

describe('MQTT 5 enhanced authentication', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  const sockets: RawClient[] = [];

  /** A raw client admitted through the HMAC exchange as `account`. */
  async function rawHmacClient(account = 'dev1'): Promise<RawClient> {
    const raw = await rawClient(broker.port);
    sockets.push(raw);
    raw.send(
      connectPacket({ authenticationMethod: HMAC, authenticationData: Buffer.from(account) }),
    );
    const challenge = await raw.next<IAuthPacket>('auth');
    raw.send(hmacAnswer(secrets[account]!)(challenge));
    expect((await raw.next<IConnackPacket>('connack')).reasonCode).toBe(0);
    return raw;
  }

  beforeAll(async () => {
    broker = await startTestBroker(
      { adm: { password: 'pwa', role: 'admin' } },
      {
        limits: { deciderTimeoutMs },
        authMethods: [hmacMethod, brokenMethod, silentMethod, endlessMethod],
      },
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    for (const raw of sockets.splice(0)) raw.socket.destroy();
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a client proving HMAC in two rounds is admitted without the decider, and CONNACK carries the method and final data [MQTT-4.12.0-2, MQTT-4.12.0-3, MQTT-4.12.0-5]', async () => {
    const decided = broker.calls.authenticate;
    const { client, challenges, connack } = await authClient(
      broker.url,
      HMAC,
      hmacAnswer(secrets['dev1']!),
    );
    clients.push(client);
    expect(challenges).toHaveLength(1);
    expect(challenges[0]!.reasonCode).toBe(0x18);
    expect(challenges[0]!.properties?.authenticationMethod).toBe(HMAC);
    expect(challenges[0]!.properties?.authenticationData).toHaveLength(16);
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.authenticationMethod).toBe(HMAC);
    expect(connack.properties?.authenticationData?.toString()).toBe('welcome');
    expect(broker.calls.authenticate).toBe(decided);
    // The identity the method gave is the connection's: its role may publish.
    await expect(client.publishAsync('lab/enhanced-auth', 'in', { qos: 1 })).resolves.toBeDefined();
    const connection = broker.engine.connections.get(client.options.clientId!);
    expect(connection?.identity).toMatchObject({
      subject: 'hmac:dev1',
      clientId: client.options.clientId,
    });
  });

  test('a wrong answer is refused with CONNACK 0x87 and the connection closed [MQTT-4.12.0-4]', async () => {
    await expect(authClient(broker.url, HMAC, hmacAnswer('not-the-secret'))).rejects.toMatchObject({
      code: 0x87,
    });
  });

  test('an Authentication Method the broker does not offer is refused with CONNACK 0x8C [MQTT-4.12.0-1]', async () => {
    await expect(
      authClient(broker.url, 'SCRAM-SHA-1', hmacAnswer(secrets['dev1']!)),
    ).rejects.toMatchObject({ code: 0x8c });
  });

  test('a method that throws refuses with CONNACK 0x88: fail closed [MQTT-4.12.0-4]', async () => {
    await expect(
      authClient(broker.url, 'OCTO-BROKEN-TEST', hmacAnswer(secrets['dev1']!)),
    ).rejects.toMatchObject({ code: 0x88 });
  });

  test('a method that never answers is aborted at the deadline and refuses with CONNACK 0x88 [MQTT-4.12.0-4]', async () => {
    const started = Date.now();
    await expect(
      authClient(broker.url, 'OCTO-SILENT-TEST', hmacAnswer(secrets['dev1']!)),
    ).rejects.toMatchObject({ code: 0x88 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(deciderTimeoutMs - 20);
    expect(elapsed).toBeLessThan(deciderTimeoutMs + 2000);
    expect(silentSignals.at(-1)?.aborted).toBe(true);
  });

  test.each([
    ['naming another Authentication Method [MQTT-4.12.0-5]', hmacAnswer(secrets['dev1']!, 'OTHER')],
    [
      'with a reason code other than 0x18 [MQTT-4.12.0-3, MQTT-3.15.2-1]',
      hmacAnswer(secrets['dev1']!, HMAC, 0x19),
    ],
  ])('an AUTH %s mid-exchange is a protocol error: CONNACK 0x82 and close', async (_, answer) => {
    await expect(authClient(broker.url, HMAC, answer)).rejects.toMatchObject({ code: 0x82 });
  });

  test('a packet other than AUTH or DISCONNECT before CONNACK is a protocol error [MQTT-3.1.2-30]', async () => {
    const raw = await rawClient(broker.port);
    sockets.push(raw);
    raw.send(
      connectPacket({ authenticationMethod: HMAC, authenticationData: Buffer.from('dev1') }),
    );
    await raw.next<IAuthPacket>('auth');
    raw.send(publish(1));
    expect((await raw.next<IConnackPacket>('connack')).reasonCode).toBe(0x82);
    await raw.closed;
  });

  test('an exchange that never ends is refused with CONNACK 0x87 after 10 challenges', async () => {
    const challenges: IAuthPacket[] = [];
    await expect(
      authClient(broker.url, 'OCTO-ENDLESS-TEST', (challenge) => {
        challenges.push(challenge);
        return auth(0x18, 'OCTO-ENDLESS-TEST', Buffer.from('again'));
      }),
    ).rejects.toMatchObject({ code: 0x87 });
    // MAX_AUTH_ROUNDS in the engine.
    expect(challenges).toHaveLength(10);
  });

  test('Authentication Data without an Authentication Method is refused with CONNACK 0x82 (§3.1.2.11.10)', async () => {
    const raw = await rawClient(broker.port);
    sockets.push(raw);
    raw.send(connectPacket({ authenticationData: Buffer.from('dev1') }));
    expect((await raw.next<IConnackPacket>('connack')).reasonCode).toBe(0x82);
    await raw.closed;
  });

  test('re-authentication succeeds with AUTH 0x00 while other packets keep flowing [MQTT-4.12.1-1, MQTT-4.12.0-5]', async () => {
    const raw = await rawHmacClient('dev1');
    raw.send(auth(0x19, HMAC, Buffer.from('dev1')));
    const challenge = await raw.next<IAuthPacket>('auth');
    expect(challenge.reasonCode).toBe(0x18);
    expect(challenge.properties?.authenticationMethod).toBe(HMAC);
    // Mid-exchange, the connection still works on its current authentication (§4.12.1).
    raw.send(publish(1));
    expect(await raw.next<IPubackPacket>('puback')).toMatchObject({ messageId: 1, reasonCode: 0 });
    raw.send(hmacAnswer(secrets['dev1']!)(challenge));
    const done = await raw.next<IAuthPacket>('auth');
    expect(done.reasonCode).toBe(0x00);
    expect(done.properties?.authenticationMethod).toBe(HMAC);
    expect(done.properties?.authenticationData?.toString()).toBe('welcome');
    raw.send(publish(2));
    expect(await raw.next<IPubackPacket>('puback')).toMatchObject({ messageId: 2, reasonCode: 0 });
  });

  test('a failed re-authentication ends the connection with DISCONNECT 0x87 [MQTT-4.12.1-2]', async () => {
    const raw = await rawHmacClient('dev1');
    raw.send(auth(0x19, HMAC, Buffer.from('dev1')));
    const challenge = await raw.next<IAuthPacket>('auth');
    raw.send(hmacAnswer('not-the-secret')(challenge));
    expect((await raw.next<IDisconnectPacket>('disconnect')).reasonCode).toBe(0x87);
    await raw.closed;
  });

  test('a re-authentication proving another subject is refused with DISCONNECT 0x87 [MQTT-4.12.1-2]', async () => {
    const raw = await rawHmacClient('dev1');
    raw.send(auth(0x19, HMAC, Buffer.from('dev2')));
    const challenge = await raw.next<IAuthPacket>('auth');
    raw.send(hmacAnswer(secrets['dev2']!)(challenge));
    expect((await raw.next<IDisconnectPacket>('disconnect')).reasonCode).toBe(0x87);
    await raw.closed;
  });

  test('re-authentication with another method is a protocol error: DISCONNECT 0x82 [MQTT-4.12.1-1]', async () => {
    const raw = await rawHmacClient('dev1');
    raw.send(auth(0x19, 'OCTO-ENDLESS-TEST'));
    expect((await raw.next<IDisconnectPacket>('disconnect')).reasonCode).toBe(0x82);
    await raw.closed;
  });

  test('AUTH from a client whose CONNECT named no method is a protocol error: DISCONNECT 0x82 [MQTT-4.12.0-6, MQTT-4.12.0-7]', async () => {
    const raw = await rawClient(broker.port);
    sockets.push(raw);
    raw.send({ ...connectPacket({}), username: 'adm', password: Buffer.from('pwa') } as Packet);
    const connack = await raw.next<IConnackPacket>('connack');
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.authenticationMethod).toBeUndefined();
    raw.send(auth(0x19, HMAC, Buffer.from('dev1')));
    expect((await raw.next<IDisconnectPacket>('disconnect')).reasonCode).toBe(0x82);
    await raw.closed;
  });

  test('AUTH from a 3.1.1 client is malformed and closes the connection without DISCONNECT', async () => {
    const raw = await rawClient(broker.port, 4);
    sockets.push(raw);
    raw.socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolVersion: 4,
          protocolId: 'MQTT',
          clientId: `raw-${Math.random().toString(16).slice(2)}`,
          clean: true,
          keepalive: 30,
          username: 'adm',
          password: Buffer.from('pwa'),
        },
        { protocolVersion: 4 },
      ),
    );
    await raw.next<IConnackPacket>('connack');
    raw.send(auth(0x19, HMAC));
    await raw.closed;
    expect(raw.received.map((p) => p.cmd)).toEqual(['connack']);
  });

  test('AUTH before CONNECT closes the connection [MQTT-3.1.0-1]', async () => {
    const raw = await rawClient(broker.port);
    sockets.push(raw);
    raw.send(auth(0x18, HMAC, Buffer.from('dev1')));
    await raw.closed;
    expect(raw.received).toEqual([]);
  });
});
