// Conformance of the engine to MQTT 5 (and 3.1), one test per feature, with real MQTT.js clients
// in v3.1, v3.1.1 and v5 mode, or raw sockets where only the wire shows the detail (DUP, Server
// Keep Alive, the server's DISCONNECT). Each test names the spec rules it checks; rules the spec
// states without a number are cited by section.
import type { IClientOptions, MqttClient } from 'mqtt';
import type mqttPacket from 'mqtt-packet';
import type { AclRule } from '@octomesh/acl-rules';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnect, rawConnectWith, send } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

// The default policy keeps every role off $-topics other than $SYS; the $-topic test needs an
// application $-topic the admin may use.
const dollarAppRules: AclRule[] = [
  {
    id: 'test:admin:publish-app',
    subject: 'role:admin',
    action: 'publish',
    topic: '$app/#',
    effect: 'allow',
  },
  {
    id: 'test:admin:subscribe-app',
    subject: 'role:admin',
    action: 'subscribe',
    topic: '$app/#',
    effect: 'allow',
  },
];

/** A short random suffix: client ids and topics of one run never meet another's. */
const rnd = (): string => Math.random().toString(16).slice(2, 10);

/** What a raw v5 admin client sends in CONNECT, for the tests that resume a session. */
const rawAdmin = (clientId: string, clean: boolean, sessionExpiryInterval: number) => ({
  protocolVersion: 5 as const,
  clientId,
  clean,
  keepalive: 60,
  username: 'adm',
  password: Buffer.from('pwa'),
  properties: { sessionExpiryInterval },
});

const connackOf = (client: MqttClient) =>
  (client as unknown as { connackPacket?: mqttPacket.IConnackPacket }).connackPacket;

const streamOf = (client: MqttClient) =>
  (client as unknown as { stream: { destroy(): void } }).stream;

describe('MQTT engine conformance', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];

  /** An admin MQTT.js client, v5 unless `options` says otherwise, closed after the test. */
  const open = async (
    options: IClientOptions = {},
    before?: Parameters<typeof connectClient>[2],
  ): Promise<MqttClient> => {
    const client = await connectClient(
      broker.url,
      {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
        clientId: `conf-${rnd()}`,
        ...options,
      },
      before,
    );
    clients.push(client);
    return client;
  };

  /** Waits until the engine has let go of a client's connection (its DISCONNECT handled). */
  const gone = (clientId: string) =>
    eventually(`${clientId} disconnected`, () =>
      broker.engine.connections.has(clientId) ? undefined : true,
    );

  beforeAll(async () => {
    broker = await startTestBroker(accounts, { extraRules: dollarAppRules });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('an MQTT 3.1 client (protocol level 3, "MQIsdp") connects, subscribes, publishes and receives a message', async () => {
    const topic = `lab/conf/v31/${rnd()}`;
    // MQTT 3.1 allows client ids of at most 23 characters.
    const clientId = `v31-${rnd()}`;
    const old = await open({ protocolVersion: 3, protocolId: 'MQIsdp', clientId });
    expect(broker.engine.connections.get(clientId)?.protocolVersion).toBe(3);
    const box = collect(old);
    const granted = await old.subscribeAsync(topic, { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    const publisher = await open();
    await publisher.publishAsync(topic, 'from v5', { qos: 1 });
    const message = await eventually('message at the 3.1 client', () => box.messages[0]);
    expect(message.topic).toBe(topic);
    expect(message.payload).toBe('from v5');
    expect(message.packet.qos).toBe(1);
    await old.publishAsync(topic, 'from 3.1', { qos: 1 });
    await eventually('its own message back', () =>
      box.messages.find((m) => m.payload === 'from 3.1'),
    );
  });

  test('a shared subscription gives every message to a member still connected: after one leaves and while one is offline, none lost and none resent (§4.8.2)', async () => {
    const topic = `lab/conf/shared/${rnd()}`;
    const filter = `$share/g${rnd()}/${topic}`;
    const steadyId = `steady-${rnd()}`;
    const leaverId = `leaver-${rnd()}`;
    const sleeperId = `sleeper-${rnd()}`;
    const steady = await open({ clientId: steadyId });
    const leaver = await open({ clientId: leaverId });
    const sleeper = await open({ clientId: sleeperId, properties: { sessionExpiryInterval: 60 } });
    const steadyBox = collect(steady);
    const leaverBox = collect(leaver);
    const sleeperBox = collect(sleeper);
    for (const member of [steady, leaver, sleeper]) await member.subscribeAsync(filter, { qos: 1 });
    const publisher = await open();
    const publishAll = async (prefix: string, count: number): Promise<string[]> => {
      const sent = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
      for (const payload of sent) await publisher.publishAsync(topic, payload, { qos: 1 });
      return sent;
    };
    const received = (prefix: string, ...boxes: ReturnType<typeof collect>[]) =>
      boxes.flatMap((b) => b.messages.map((m) => m.payload)).filter((p) => p.startsWith(prefix));

    // A member leaves (its session ends with the connection): the others take every message.
    await end(leaver);
    await gone(leaverId);
    const afterLeave = await publishAll('left-', 6);
    await eventually('every message after the leave', () =>
      received('left-', steadyBox, sleeperBox).length >= afterLeave.length ? true : undefined,
    );
    expect(received('left-', steadyBox, sleeperBox).sort()).toEqual(afterLeave.sort());
    expect(received('left-', leaverBox)).toEqual([]);

    // A member goes offline with its session kept: the one still connected gets every message,
    // nothing waits in the offline session.
    streamOf(sleeper).destroy();
    await gone(sleeperId);
    const whileOffline = await publishAll('off-', 4);
    await eventually('every message while offline', () =>
      received('off-', steadyBox).length >= whileOffline.length ? true : undefined,
    );
    expect(received('off-', steadyBox).sort()).toEqual(whileOffline.sort());

    // Back again, the sleeper shares the next messages and was not handed the others twice.
    let awakeBox: ReturnType<typeof collect> | undefined;
    const awake = await open(
      { clientId: sleeperId, clean: false, properties: { sessionExpiryInterval: 60 } },
      (c) => {
        awakeBox = collect(c);
      },
    );
    expect(connackOf(awake)?.sessionPresent).toBe(true);
    // Two members connected, two messages: round robin gives each one.
    const afterReturn = await publishAll('back-', 2);
    await eventually('every message after the return', () =>
      received('back-', steadyBox, awakeBox!).length >= afterReturn.length ? true : undefined,
    );
    expect(received('back-', steadyBox, awakeBox!).sort()).toEqual(afterReturn.sort());
    expect(received('back-', awakeBox!)).toHaveLength(1);
    expect(received('off-', awakeBox!)).toEqual([]);
  });

  test('Retain As Published 1 keeps the RETAIN flag of a forwarded message, 0 clears it [MQTT-3.3.1-12, MQTT-3.3.1-13]', async () => {
    const topic = `lab/conf/rap/${rnd()}`;
    const asPublished = await open();
    const cleared = await open();
    const asPublishedBox = collect(asPublished);
    const clearedBox = collect(cleared);
    await asPublished.subscribeAsync(topic, { qos: 1, rap: true });
    await cleared.subscribeAsync(topic, { qos: 1, rap: false });
    const publisher = await open();
    await publisher.publishAsync(topic, 'retained', { qos: 1, retain: true });
    await publisher.publishAsync(topic, 'plain', { qos: 1 });
    await eventually('both messages at both subscribers', () =>
      asPublishedBox.messages.length >= 2 && clearedBox.messages.length >= 2 ? true : undefined,
    );
    const flags = (box: ReturnType<typeof collect>) =>
      box.messages.map((m) => [m.payload, m.packet.retain]);
    expect(flags(asPublishedBox)).toEqual([
      ['retained', true],
      ['plain', false],
    ]);
    expect(flags(clearedBox)).toEqual([
      ['retained', false],
      ['plain', false],
    ]);
    await publisher.publishAsync(topic, '', { qos: 1, retain: true });
  });

  test('Retain Handling 0 sends retained messages on every SUBSCRIBE, 1 only for a new subscription, 2 never [MQTT-3.3.1-9, MQTT-3.3.1-10, MQTT-3.3.1-11]', async () => {
    const topic = `lab/conf/rh/${rnd()}`;
    const publisher = await open();
    await publisher.publishAsync(topic, 'state', { qos: 1, retain: true });
    // resubscribe: false, or MQTT.js would not send a SUBSCRIBE for a filter it holds already.
    const client = await open({ resubscribe: false });
    const box = collect(client);
    const retainedCopies = () =>
      box.messages.filter((m) => m.payload === 'state' && m.packet.retain).length;
    let markers = 0;
    // A message published after SUBACK arrives after whatever the SUBSCRIBE sent: once it is
    // here, a retained copy that has not come will not come.
    const settled = async (): Promise<number> => {
      const marker = `marker-${markers++}`;
      await publisher.publishAsync(topic, marker, { qos: 1 });
      await eventually(marker, () => box.messages.find((m) => m.payload === marker));
      return retainedCopies();
    };

    await client.subscribeAsync(topic, { qos: 1, rh: 0 });
    expect(await settled()).toBe(1);
    await client.subscribeAsync(topic, { qos: 1, rh: 0 });
    expect(await settled()).toBe(2);

    await client.unsubscribeAsync(topic);
    await client.subscribeAsync(topic, { qos: 1, rh: 1 });
    expect(await settled()).toBe(3);
    await client.subscribeAsync(topic, { qos: 1, rh: 1 });
    expect(await settled()).toBe(3);

    await client.unsubscribeAsync(topic);
    await client.subscribeAsync(topic, { qos: 1, rh: 2 });
    expect(await settled()).toBe(3);
    await client.subscribeAsync(topic, { qos: 1, rh: 2 });
    expect(await settled()).toBe(3);
    await publisher.publishAsync(topic, '', { qos: 1, retain: true });
  });

  test('UNSUBACK says 0x00 for a subscription removed and 0x11 where none existed, and messages stop [MQTT-3.10.4-1, MQTT-3.10.4-2, MQTT-3.11.3-1]', async () => {
    const base = `lab/conf/unsub/${rnd()}`;
    const client = await open();
    const box = collect(client);
    await client.subscribeAsync([`${base}/a`, `${base}/marker`], { qos: 1 });
    const publisher = await open();
    await publisher.publishAsync(`${base}/a`, 'before', { qos: 1 });
    await eventually('message before UNSUBSCRIBE', () =>
      box.messages.find((m) => m.payload === 'before'),
    );
    const unsuback = (await client.unsubscribeAsync([
      `${base}/a`,
      `${base}/never`,
    ])) as mqttPacket.IUnsubackPacket;
    expect(unsuback.granted).toEqual([0x00, 0x11]);
    const again = (await client.unsubscribeAsync(`${base}/a`)) as mqttPacket.IUnsubackPacket;
    expect(again.granted).toEqual([0x11]);
    // Same publisher, same session: the marker comes after anything published before it.
    await publisher.publishAsync(`${base}/a`, 'after', { qos: 1 });
    await publisher.publishAsync(`${base}/marker`, 'marker', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.payload === 'marker'));
    expect(box.messages.some((m) => m.payload === 'after')).toBe(false);
  });

  test('a Session Expiry set at DISCONNECT after CONNECT said 0 is a protocol error (0x82, the server sending no expiry itself) [MQTT-3.14.2-2, §3.14.2.2.2]', async () => {
    const clientId = `exp0-${rnd()}`;
    const client = await rawConnect(broker.port, { clientId });
    expect(client.connack.reasonCode).toBe(0);
    send(client.socket, {
      cmd: 'disconnect',
      reasonCode: 0,
      properties: { sessionExpiryInterval: 60 },
    });
    const disconnect = await closedWith(client);
    expect(disconnect?.reasonCode).toBe(0x82);
    expect(disconnect?.properties?.sessionExpiryInterval).toBeUndefined();
    // The invalid expiry was not applied: nothing of the session is left to resume.
    await gone(clientId);
    const again = await rawConnectWith(broker.port, rawAdmin(clientId, false, 60));
    expect(again.connack.reasonCode).toBe(0);
    expect(again.connack.sessionPresent).toBe(false);
    again.socket.destroy();
  });

  test('a Session Expiry of 0 at DISCONNECT ends a session that CONNECT asked to keep: no session to resume (§3.14.2.2.2, [MQTT-3.2.2-3])', async () => {
    const clientId = `exp60-${rnd()}`;
    const client = await open({ clientId, properties: { sessionExpiryInterval: 60 } });
    await client.subscribeAsync(`lab/conf/expiry/${rnd()}`, { qos: 1 });
    await new Promise<void>((resolve) =>
      client.end(false, { properties: { sessionExpiryInterval: 0 } }, () => resolve()),
    );
    await gone(clientId);
    const resumed = await open({
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    expect(connackOf(resumed)?.sessionPresent).toBe(false);
    expect(broker.engine.index.subscriptionsOf(clientId)).toHaveLength(0);
  });

  test('DISCONNECT 0x04 publishes the will, with its Content Type, Response Topic, Correlation Data and user properties unaltered [MQTT-3.1.2-8, §3.14.2.1, MQTT-3.3.2-15, MQTT-3.3.2-16, MQTT-3.3.2-17, MQTT-3.3.2-20]', async () => {
    const willTopic = `lab/conf/will/${rnd()}`;
    const watcher = await open();
    const box = collect(watcher);
    await watcher.subscribeAsync(willTopic, { qos: 1 });
    const leaving = await open({
      will: {
        topic: willTopic,
        payload: Buffer.from('gone on purpose'),
        qos: 1,
        retain: false,
        properties: {
          contentType: 'text/plain; charset=utf-8',
          responseTopic: `${willTopic}/reply`,
          correlationData: Buffer.from([0x00, 0x07, 0xff]),
          userProperties: { why: 'maintenance', tag: ['a', 'b'] },
        },
      },
    });
    await new Promise<void>((resolve) => leaving.end(false, { reasonCode: 0x04 }, () => resolve()));
    const will = await eventually('will', () => box.messages[0]);
    expect(will.topic).toBe(willTopic);
    expect(will.payload).toBe('gone on purpose');
    expect(will.packet.properties?.contentType).toBe('text/plain; charset=utf-8');
    expect(will.packet.properties?.responseTopic).toBe(`${willTopic}/reply`);
    expect(will.packet.properties?.correlationData).toEqual(Buffer.from([0x00, 0x07, 0xff]));
    expect(will.packet.properties?.userProperties).toEqual({ why: 'maintenance', tag: ['a', 'b'] });
  });

  test('a Response Topic with a wildcard is a protocol error: DISCONNECT 0x82 and nothing routed [MQTT-3.3.2-14]', async () => {
    const topic = `lab/conf/response/${rnd()}`;
    const watcher = await open();
    const box = collect(watcher);
    await watcher.subscribeAsync(topic, { qos: 1 });
    const client = await open();
    const reason = new Promise<number | undefined>((resolve) =>
      client.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    client.publish(topic, 'request', { qos: 0, properties: { responseTopic: `${topic}/+` } });
    expect(await reason).toBe(0x82);
    await watcher.publishAsync(topic, 'marker', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.payload === 'marker'));
    expect(box.messages.map((m) => m.payload)).toEqual(['marker']);
  });

  test('Content Type and Payload Format Indicator reach a v5 subscriber unaltered; a 3.1.1 subscriber gets the same payload without properties [MQTT-3.3.2-4, MQTT-3.3.2-20]', async () => {
    const topic = `lab/conf/content/${rnd()}`;
    const modern = await open();
    const legacy = await open({ protocolVersion: 4 });
    const modernBox = collect(modern);
    const legacyBox = collect(legacy);
    await modern.subscribeAsync(topic, { qos: 1 });
    await legacy.subscribeAsync(topic, { qos: 1 });
    const publisher = await open();
    const payload = '{"temperature":"21 °C"}';
    await publisher.publishAsync(topic, payload, {
      qos: 1,
      properties: { contentType: 'application/json; charset=utf-8', payloadFormatIndicator: true },
    });
    const atModern = await eventually('v5 copy', () => modernBox.messages[0]);
    expect(atModern.payload).toBe(payload);
    expect(atModern.packet.properties?.contentType).toBe('application/json; charset=utf-8');
    expect(atModern.packet.properties?.payloadFormatIndicator).toBe(true);
    const atLegacy = await eventually('3.1.1 copy', () => legacyBox.messages[0]);
    expect(atLegacy.payload).toBe(payload);
    expect(atLegacy.packet.properties).toBeUndefined();
  });

  test('no subscription starting with a wildcard receives a $-topic; a subscription naming it does [MQTT-4.7.2-1]', async () => {
    const leaf = rnd();
    const everything = await open();
    const oneLevel = await open();
    const dollar = await open();
    const everythingBox = collect(everything);
    const oneLevelBox = collect(oneLevel);
    const dollarBox = collect(dollar);
    await everything.subscribeAsync('#', { qos: 1 });
    await oneLevel.subscribeAsync(`+/${leaf}`, { qos: 1 });
    await dollar.subscribeAsync('$app/#', { qos: 1 });
    const publisher = await open();
    // Acknowledged with 0x00: the admin may publish there (a refusal would reject).
    await publisher.publishAsync(`$app/${leaf}`, 'dollar', { qos: 1 });
    // The marker matches both wildcard filters and follows the $-topic message.
    await publisher.publishAsync(`lab/${leaf}`, 'marker', { qos: 1 });
    const atDollar = await eventually('$-topic message', () => dollarBox.messages[0]);
    expect(atDollar.topic).toBe(`$app/${leaf}`);
    for (const box of [everythingBox, oneLevelBox]) {
      await eventually('marker', () => box.messages.find((m) => m.topic === `lab/${leaf}`));
      expect(box.messages.some((m) => m.topic.startsWith('$'))).toBe(false);
    }
  });

  test('an unacknowledged QoS 1 PUBLISH is sent again on resume with its packet identifier and DUP 1 [MQTT-3.3.1-1, MQTT-4.4.0-1]', async () => {
    const topic = `lab/conf/dup/${rnd()}`;
    const clientId = `dup-${rnd()}`;
    const first = await rawConnectWith(broker.port, rawAdmin(clientId, true, 60));
    send(first.socket, { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });
    await eventually('SUBACK', () => first.packets.find((p) => p.cmd === 'suback'));
    const publisher = await open();
    await publisher.publishAsync(topic, 'once', { qos: 1 });
    const original = await eventually(
      'PUBLISH',
      () => first.packets.find((p) => p.cmd === 'publish') as mqttPacket.IPublishPacket | undefined,
    );
    expect(original.qos).toBe(1);
    expect(original.dup).toBe(false);
    // Gone without a PUBACK.
    first.socket.destroy();
    await gone(clientId);

    const second = await rawConnectWith(broker.port, rawAdmin(clientId, false, 60));
    expect(second.connack.sessionPresent).toBe(true);
    const resent = await eventually(
      'PUBLISH sent again',
      () =>
        second.packets.find((p) => p.cmd === 'publish') as mqttPacket.IPublishPacket | undefined,
    );
    expect(resent.messageId).toBe(original.messageId);
    expect(resent.dup).toBe(true);
    expect(resent.qos).toBe(1);
    expect(resent.topic).toBe(topic);
    expect(String(resent.payload)).toBe('once');
    send(second.socket, { cmd: 'puback', messageId: resent.messageId! });
    send(second.socket, {
      cmd: 'disconnect',
      reasonCode: 0,
      properties: { sessionExpiryInterval: 0 },
    });
    await closedWith(second);
  });
});

describe('Server Keep Alive (§3.2.2.3.14)', () => {
  let broker: TestBroker;
  const maxKeepAliveSeconds = 1;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, { limits: { maxKeepAliveSeconds } });
  });
  afterAll(async () => {
    await broker.stop();
  });

  const connackFor = async (keepalive: number) => {
    const client = await rawConnectWith(broker.port, {
      protocolVersion: 5,
      clientId: `ka-${keepalive}-${rnd()}`,
      clean: true,
      keepalive,
      username: 'adm',
      password: Buffer.from('pwa'),
    });
    client.socket.destroy();
    return client.connack;
  };

  test('Keep Alive 0 or above the maximum gets Server Keep Alive in CONNACK; a Keep Alive within it gets none and stands [MQTT-3.2.2-21, MQTT-3.2.2-22]', async () => {
    const none = await connackFor(0);
    expect(none.reasonCode).toBe(0);
    expect(none.properties?.serverKeepAlive).toBe(maxKeepAliveSeconds);
    const tooLong = await connackFor(120);
    expect(tooLong.reasonCode).toBe(0);
    expect(tooLong.properties?.serverKeepAlive).toBe(maxKeepAliveSeconds);
    const within = await connackFor(maxKeepAliveSeconds);
    expect(within.reasonCode).toBe(0);
    expect(within.properties?.serverKeepAlive).toBeUndefined();
  });

  test('the Server Keep Alive is the one in force: a silent client that asked for none is disconnected after 1.5 × it with 0x8D [MQTT-3.2.2-21, MQTT-3.1.2-22]', async () => {
    const client = await rawConnectWith(broker.port, {
      protocolVersion: 5,
      clientId: `ka-silent-${rnd()}`,
      clean: true,
      keepalive: 0,
      username: 'adm',
      password: Buffer.from('pwa'),
    });
    const started = Date.now();
    const disconnect = await closedWith(client);
    const elapsed = Date.now() - started;
    expect(disconnect?.reasonCode).toBe(0x8d);
    expect(elapsed).toBeGreaterThanOrEqual(maxKeepAliveSeconds * 1000);
    expect(elapsed).toBeLessThan(maxKeepAliveSeconds * 1500 + 2000);
  });
});
