// Three broker replicas on one NATS with the default fabric (routed by interest), auth and acl:
// clients on different replicas behave as on one broker. QoS 0/1/2 across replicas with MQTT 5
// properties, order per publisher, a message that nobody elsewhere wants stays on its replica,
// shared subscriptions spread over three replicas receive each message exactly once in total,
// and a replica killed with SIGKILL is noticed by the others.
import { Roles } from '@octomesh/contracts';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import {
  awaitPeers,
  mqttUrlOf,
  serviceMetric,
  startAuthAndAcl,
  startBrokerReplica,
} from '../support/mesh.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

describe('three broker replicas behave as one broker', () => {
  let bus: TestBus;
  const services: ServiceProcess[] = [];
  const brokers: ServiceProcess[] = [];
  const urls: string[] = [];
  const clients: MqttClient[] = [];
  let clientCount = 0;

  const admin = async (replica: number, extra = {}): Promise<MqttClient> => {
    const client = await connectClient(urls[replica]!, {
      protocolVersion: 5,
      clientId: `adm-${++clientCount}`,
      username: 'adm',
      password: 'pw-a',
      ...extra,
    });
    clients.push(client);
    return client;
  };

  const metric = (replica: number, name: string): Promise<number> =>
    serviceMetric(brokers[replica]!, name);

  /**
   * Publishes probes on `probeTopic` from `pub` until `box` sees one: from then on, the
   * publisher's replica knows the subscriber's interest (announcements take one NATS hop).
   */
  const routeKnown = async (
    pub: MqttClient,
    box: { messages: { topic: string }[] },
    probeTopic: string,
  ): Promise<void> => {
    await eventually(
      `a probe on ${probeTopic}`,
      async () => {
        await pub.publishAsync(probeTopic, 'probe', { qos: 0 });
        await new Promise((resolve) => setTimeout(resolve, 25));
        return box.messages.some((m) => m.topic === probeTopic) ? true : undefined;
      },
      10_000,
    );
  };

  /**
   * QoS 1 PUBLISHes numbered 0..n-1, at most 50 unacknowledged: the broker's Receive Maximum
   * (64) is a limit MQTT.js does not keep by itself.
   */
  const publishMany = async (
    pub: MqttClient,
    n: number,
    topicOf: (i: number) => string,
  ): Promise<void> => {
    for (let from = 0; from < n; from += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, n - from) }, (_, k) =>
          pub.publishAsync(topicOf(from + k), String(from + k), { qos: 1 }),
        ),
      );
    }
  };

  beforeAll(async () => {
    bus = await startSecuredBus();
    services.push(
      ...(await startAuthAndAcl(bus, [{ username: 'adm', password: 'pw-a', role: Roles.admin }])),
    );
    for (const name of ['a', 'b', 'c']) {
      const broker = await startBrokerReplica(bus, name);
      brokers.push(broker);
      services.push(broker);
      urls.push(mqttUrlOf(broker));
    }
    // Every replica hears the other two.
    await awaitPeers(brokers);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await Promise.all(services.map((s) => s.stop()));
    await bus?.stop();
  });

  test.each([0, 1, 2] as const)(
    'QoS %i published on replica a reaches a subscriber on replica c once, MQTT 5 properties intact',
    async (qos) => {
      const sub = await admin(2);
      const box = collect(sub);
      await sub.subscribeAsync(`cross/q${qos}/#`, { qos });
      const pub = await admin(0);
      await routeKnown(pub, box, `cross/q${qos}/probe`);
      await pub.publishAsync(`cross/q${qos}/m`, 'hello', {
        qos,
        properties: {
          responseTopic: 'cross/reply',
          correlationData: Buffer.from([9, 8, 7]),
          contentType: 'application/vnd.bbf.usp.msg',
          payloadFormatIndicator: false,
          userProperties: { z: ['1', '3'], a: '2' },
        },
      });
      // A marker after it: once it arrives, a second copy of the message would have too.
      await pub.publishAsync(`cross/q${qos}/marker`, 'm', { qos });
      await eventually('the marker on c', () =>
        box.messages.find((m) => m.topic === `cross/q${qos}/marker`),
      );
      const got = box.messages.filter((m) => m.topic === `cross/q${qos}/m`);
      expect(got).toHaveLength(1);
      expect(got[0]!.packet.qos).toBe(qos);
      expect(got[0]!.payload).toBe('hello');
      expect(got[0]!.packet.properties).toMatchObject({
        responseTopic: 'cross/reply',
        contentType: 'application/vnd.bbf.usp.msg',
        userProperties: { z: ['1', '3'], a: '2' },
      });
      expect(Buffer.from(got[0]!.packet.properties!.correlationData!)).toEqual(
        Buffer.from([9, 8, 7]),
      );
    },
  );

  test('200 QoS 1 messages of one publisher arrive on another replica in order', async () => {
    const sub = await admin(1);
    const box = collect(sub);
    await sub.subscribeAsync('order/#', { qos: 1 });
    const pub = await admin(0);
    await routeKnown(pub, box, 'order/probe');
    await publishMany(pub, 200, () => 'order/seq');
    await eventually(
      '200 messages',
      () => (box.messages.filter((m) => m.topic === 'order/seq').length >= 200 ? true : undefined),
      10_000,
    );
    expect(
      box.messages.filter((m) => m.topic === 'order/seq').map((m) => Number(m.payload)),
    ).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  test('a message nobody elsewhere wants stays on its replica; one another replica wants goes out', async () => {
    const pub = await admin(0);
    const local = await admin(0);
    const localBox = collect(local);
    await local.subscribeAsync('alone/topic', { qos: 1 });
    const before = await metric(0, 'octomesh_broker_fabric_published_total');
    const keptBefore = await metric(0, 'octomesh_broker_fabric_not_exported_total');
    for (let i = 0; i < 10; i++) await pub.publishAsync('alone/topic', `m${i}`, { qos: 1 });
    await eventually('10 local deliveries', () =>
      localBox.messages.length >= 10 ? true : undefined,
    );
    expect(await metric(0, 'octomesh_broker_fabric_published_total')).toBe(before);
    expect(await metric(0, 'octomesh_broker_fabric_not_exported_total')).toBeGreaterThanOrEqual(
      keptBefore + 10,
    );
    // A subscriber on b makes the same topic go out; after it unsubscribes, it stays home again.
    const remote = await admin(1);
    const remoteBox = collect(remote);
    await remote.subscribeAsync('alone/#', { qos: 1 });
    await routeKnown(pub, remoteBox, 'alone/probe');
    await pub.publishAsync('alone/topic', 'now wanted', { qos: 1 });
    await eventually('the message on b', () =>
      remoteBox.messages.find((m) => m.payload === 'now wanted'),
    );
    await remote.unsubscribeAsync('alone/#');
    await eventually(
      'a sees the interest withdrawn',
      async () => {
        const published = await metric(0, 'octomesh_broker_fabric_published_total');
        await pub.publishAsync('alone/topic', 'after', { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 25));
        return (await metric(0, 'octomesh_broker_fabric_published_total')) === published
          ? true
          : undefined;
      },
      10_000,
    );
  });

  test('a shared subscription with members on three replicas receives each message exactly once in total', async () => {
    const members = await Promise.all([0, 1, 2].map((replica) => admin(replica)));
    const boxes = members.map((member) => collect(member));
    await Promise.all(members.map((m) => m.subscribeAsync('$share/workers/jobs/+', { qos: 1 })));
    const pub = await admin(0);
    // Every replica's queue subscription is in place once each member has had a message.
    let probes = 0;
    await eventually(
      'every member reached',
      async () => {
        await pub.publishAsync(`jobs/probe-${probes++}`, 'probe', { qos: 1 });
        return boxes.every((box) => box.messages.length > 0) ? true : undefined;
      },
      15_000,
    );
    const N = 300;
    for (const box of boxes) box.messages.length = 0;
    await publishMany(pub, N, (i) => `jobs/${i}`);
    // Probes still on their way when the boxes were emptied are not part of the count.
    const jobs = (box: { messages: { topic: string }[] }) =>
      box.messages.filter((m) => !m.topic.startsWith('jobs/probe-'));
    const total = (): number => boxes.reduce((sum, box) => sum + jobs(box).length, 0);
    await eventually('N deliveries', () => (total() >= N ? true : undefined), 15_000);
    // A marker through every member's replica would bring any extra copy with it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const received = boxes.flatMap((box) =>
      box.messages.filter((m) => !m.topic.startsWith('jobs/probe-')).map((m) => Number(m.payload)),
    );
    expect(received).toHaveLength(N);
    expect(new Set(received).size).toBe(N);
    const spread = boxes.map((box) => jobs(box).length);
    process.stderr.write(`shared group over 3 replicas: ${spread.join(' / ')} of ${N}\n`);
    // NATS picks a queue member at random: each replica gets a fair share, none starves.
    for (const count of spread) expect(count).toBeGreaterThan(N / 10);
  });

  test('a shared group whose members are all on the publisher’s replica costs no NATS message', async () => {
    const members = await Promise.all([0, 0].map((replica) => admin(replica)));
    const boxes = members.map((member) => collect(member));
    await Promise.all(members.map((m) => m.subscribeAsync('$share/local/solo/+', { qos: 1 })));
    const pub = await admin(0);
    const before = await metric(0, 'octomesh_broker_fabric_published_total');
    await publishMany(pub, 40, (i) => `solo/${i}`);
    const total = (): number => boxes.reduce((sum, box) => sum + box.messages.length, 0);
    await eventually('40 deliveries', () => (total() >= 40 ? true : undefined));
    expect(total()).toBe(40);
    expect(await metric(0, 'octomesh_broker_fabric_published_total')).toBe(before);
  });

  test('a retained message set on one replica is read on another and deleted from a third', async () => {
    const setter = await admin(0);
    await setter.publishAsync('ret/room/1', 'warm', { qos: 1, retain: true });
    const reader = await admin(1);
    const readerBox = collect(reader);
    await reader.subscribeAsync('ret/+/1', { qos: 1 });
    const got = await eventually('the retained message on b', () =>
      readerBox.messages.find((m) => m.topic === 'ret/room/1'),
    );
    expect(got.payload).toBe('warm');
    expect(got.packet.retain).toBe(true);
    const deleter = await admin(2);
    await deleter.publishAsync('ret/room/1', '', { qos: 1, retain: true });
    const late = await admin(1);
    const lateBox = collect(late);
    await late.subscribeAsync('ret/#', { qos: 1 });
    // Once a live message from a reaches the new subscriber, a retained one would have come first.
    await routeKnown(setter, lateBox, 'ret/marker');
    expect(lateBox.messages.filter((m) => m.topic === 'ret/room/1')).toHaveLength(0);
  });

  test('a client id connecting on another replica takes the session over: the old connection gets 0x8E', async () => {
    const first = await admin(0, { clientId: 'roamer' });
    const closed = new Promise<number | undefined>((resolve) =>
      first.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const second = await admin(1, { clientId: 'roamer' });
    expect(await closed).toBe(0x8e);
    expect(second.connected).toBe(true);
    expect(await metric(0, 'octomesh_broker_sessions_taken_over_total')).toBeGreaterThanOrEqual(1);
  });

  test('a persistent session left on one replica resumes on another with its subscriptions', async () => {
    const options = {
      clientId: 'persistent-1',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    };
    const before = await admin(0, options);
    await before.subscribeAsync('persist/#', { qos: 1 });
    await end(before);
    const after = await admin(2, options);
    const box = collect(after);
    const pub = await admin(1);
    // The resumed subscription is c's interest now: messages from b reach it.
    await routeKnown(pub, box, 'persist/probe');
    await pub.publishAsync('persist/x', 'after resume', { qos: 1 });
    await eventually('the message on the resumed session', () =>
      box.messages.find((m) => m.payload === 'after resume'),
    );
    // The session left a's memory: a's subscription no longer draws messages to it.
    expect(await metric(0, 'octomesh_broker_sessions')).toBeLessThanOrEqual(
      await metric(0, 'octomesh_broker_connections'),
    );
  });

  test('QoS 1 and 2 messages queued for a persistent session while offline arrive once on the replica it resumes on', async () => {
    const options = {
      clientId: 'sleeper-1',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    };
    const before = await admin(0, options);
    const seen = collect(before);
    await before.subscribeAsync('queued/#', { qos: 2 });
    const pub = await admin(1);
    await routeKnown(pub, seen, 'queued/probe');
    await end(before);
    // Published on b while the session is offline on a: a writes them to the stream.
    for (let i = 0; i < 20; i++) {
      await pub.publishAsync('queued/m', String(i), { qos: i % 2 === 0 ? 1 : 2 });
    }
    await eventually(
      'a has stored the 20 messages',
      async () =>
        (await metric(0, 'octomesh_broker_session_messages_stored_total')) >= 20 ? true : undefined,
      10_000,
    );
    // Resumed on c: c takes them from the stream, in order, each once, at its QoS.
    let box!: ReturnType<typeof collect>;
    const after = await connectClient(
      urls[2]!,
      { protocolVersion: 5, username: 'adm', password: 'pw-a', ...options },
      (client) => (box = collect(client)),
    );
    clients.push(after);
    await eventually('the 20 queued messages on c', () =>
      box.messages.filter((m) => m.topic === 'queued/m').length >= 20 ? true : undefined,
    );
    await routeKnown(pub, box, 'queued/marker');
    const got = box.messages.filter((m) => m.topic === 'queued/m');
    // MQTT.js hands a QoS 2 message over at PUBREL, a round trip later than a QoS 1 one sent
    // after it: the order holds per QoS.
    const ofQos = (qos: number): number[] =>
      got.filter((m) => m.packet.qos === qos).map((m) => Number(m.payload));
    expect(ofQos(1)).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i));
    expect(ofQos(2)).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i + 1));
    expect(got).toHaveLength(20);
    expect(
      await metric(2, 'octomesh_broker_session_messages_resumed_total'),
    ).toBeGreaterThanOrEqual(20);
  });

  test('a replica killed with SIGKILL is noticed by the others, who send its clients’ wills exactly once', async () => {
    const watcher = await admin(0);
    const box = collect(watcher);
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    // A client with a will on the replica about to die.
    const doomed = await admin(2, {
      clientId: 'doomed-1',
      will: { topic: 'wills/doomed-1', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    doomed.on('error', () => undefined);
    // And a persistent session connected there, saved as it subscribed (not only on a clean end).
    const sessionOptions = {
      clientId: 'survivor-1',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    };
    const survivor = await admin(2, sessionOptions);
    survivor.on('error', () => undefined);
    await survivor.subscribeAsync('saved/#', { qos: 1 });
    // Two persistent sessions with a will delayed 4 s (a margin for a loaded machine): one comes
    // back elsewhere within the delay (its will must not go), the other does not (its will goes
    // after the delay).
    const delayed = async (clientId: string): Promise<MqttClient> => {
      const client = await admin(2, {
        clientId,
        clean: false,
        properties: { sessionExpiryInterval: 300 },
        will: {
          topic: `wills/${clientId}`,
          payload: Buffer.from('late'),
          qos: 1,
          retain: false,
          properties: { willDelayInterval: 4 },
        },
      });
      client.on('error', () => undefined);
      return client;
    };
    await delayed('returning-1');
    await delayed('away-1');
    // And an offline persistent session there with nothing queued yet: the survivors take it
    // over when c dies, so messages sent after that wait for its client.
    const orphanOptions = {
      clientId: 'orphan-1',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    };
    const orphan = await admin(2, orphanOptions);
    await orphan.subscribeAsync('adopted/#', { qos: 1 });
    await end(orphan);
    // And an offline persistent session there with messages queued: c writes them to the stream.
    const sleeperOptions = {
      clientId: 'sleeper-2',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    };
    const sleeper = await admin(2, sleeperOptions);
    const sleeperBox = collect(sleeper);
    await sleeper.subscribeAsync('napping/#', { qos: 1 });
    const napPub = await admin(0);
    await routeKnown(napPub, sleeperBox, 'napping/probe');
    await end(sleeper);
    const storedBefore = await metric(2, 'octomesh_broker_session_messages_stored_total');
    for (let i = 0; i < 5; i++) await napPub.publishAsync('napping/m', String(i), { qos: 1 });
    await eventually(
      'c has stored the 5 messages',
      async () =>
        (await metric(2, 'octomesh_broker_session_messages_stored_total')) >= storedBefore + 5
          ? true
          : undefined,
      10_000,
    );
    // The will record is written as the client connects; the probe makes sure c's own
    // interest-free traffic has passed, so the record is in KV before the kill.
    await routeKnown(await admin(1), box, 'wills/probe');
    const victim = brokers[2]!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    for (const i of [0, 1]) {
      await eventually(
        `replica ${i} drops the dead one`,
        async () => ((await metric(i, 'octomesh_broker_peer_replicas')) === 1 ? true : undefined),
        10_000,
      );
    }
    // returning-1 comes back on b within its will delay: b resumes its session (retrying while
    // its claim still waits on c).
    const returned = await eventually(
      'returning-1 resumed on b',
      async () => {
        try {
          const client = await connectClient(urls[1]!, {
            protocolVersion: 5,
            username: 'adm',
            password: 'pw-a',
            clientId: 'returning-1',
            clean: false,
            properties: { sessionExpiryInterval: 300 },
          });
          return client;
        } catch {
          return undefined;
        }
      },
      10_000,
    );
    clients.push(returned);
    // Suspected after 3.5 beats (claims stop waiting), gone after 7 (wills sent).
    const noticedMs = Date.now() - killedAt;
    const will = await eventually(
      'the will of the dead replica’s client',
      () => box.messages.find((m) => m.topic === 'wills/doomed-1'),
      10_000,
    );
    const willMs = Date.now() - killedAt;
    expect(will.payload).toBe('gone');
    process.stderr.write(
      `replica killed: both survivors noticed within ${noticedMs} ms; the will arrived after ${willMs} ms\n`,
    );
    // Exactly once: a message sent after it comes alone.
    await routeKnown(await admin(1), box, 'wills/after');
    expect(box.messages.filter((m) => m.topic === 'wills/doomed-1')).toHaveLength(1);
    // The persistent session resumes on b with its subscription: the new client never
    // subscribed, so a message on saved/# reaching it proves the session came from the store.
    const resumed = await admin(1, sessionOptions);
    const resumedBox = collect(resumed);
    await routeKnown(await admin(0), resumedBox, 'saved/probe');
    // The delayed will of the client that stayed away arrives after its delay; that of the one
    // that came back never does.
    await eventually(
      'the delayed will of away-1',
      () => box.messages.find((m) => m.topic === 'wills/away-1'),
      10_000,
    );
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(4000);
    await eventually(
      'a survivor counts the cancelled will',
      async () =>
        (await metric(0, 'octomesh_broker_wills_cancelled_total')) +
          (await metric(1, 'octomesh_broker_wills_cancelled_total')) >=
        1
          ? true
          : undefined,
      10_000,
    );
    await routeKnown(await admin(1), box, 'wills/after-delay');
    expect(box.messages.filter((m) => m.topic === 'wills/returning-1')).toHaveLength(0);
    expect(box.messages.filter((m) => m.topic === 'wills/away-1')).toHaveLength(1);
    // A survivor took the dead replica's sessions over: a message sent now for one of them
    // waits for its client, who resumes on b.
    await eventually(
      'a survivor adopts c’s sessions',
      async () =>
        (await metric(0, 'octomesh_broker_sessions_adopted_total')) +
          (await metric(1, 'octomesh_broker_sessions_adopted_total')) >=
        1
          ? true
          : undefined,
      10_000,
    );
    // The adopter's interest reaches the publisher's replica one NATS hop later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const adoptedPub = await admin(0);
    for (let i = 0; i < 3; i++) await adoptedPub.publishAsync('adopted/m', String(i), { qos: 1 });
    let orphanBox!: ReturnType<typeof collect>;
    const orphanBack = await connectClient(
      urls[1]!,
      { protocolVersion: 5, username: 'adm', password: 'pw-a', ...orphanOptions },
      (client) => (orphanBox = collect(client)),
    );
    clients.push(orphanBack);
    await eventually('the 3 messages kept for the adopted session', () =>
      orphanBox.messages.filter((m) => m.topic === 'adopted/m').length >= 3 ? true : undefined,
    );
    expect(orphanBox.messages.filter((m) => m.topic === 'adopted/m').map((m) => m.payload)).toEqual(
      ['0', '1', '2'],
    );
    // The offline session resumes on a with the messages c stored before it died.
    let wokenBox!: ReturnType<typeof collect>;
    const woken = await connectClient(
      urls[0]!,
      { protocolVersion: 5, username: 'adm', password: 'pw-a', ...sleeperOptions },
      (client) => (wokenBox = collect(client)),
    );
    clients.push(woken);
    await eventually('the 5 messages c stored, on a', () =>
      wokenBox.messages.filter((m) => m.topic === 'napping/m').length >= 5 ? true : undefined,
    );
    await routeKnown(await admin(1), wokenBox, 'napping/after');
    expect(
      wokenBox.messages.filter((m) => m.topic === 'napping/m').map((m) => Number(m.payload)),
    ).toEqual([0, 1, 2, 3, 4]);
    // Both survivors count it gone (the will went out as the first of them did).
    for (const i of [0, 1]) {
      await eventually(
        `replica ${i} counts the dead one gone`,
        async () =>
          (await metric(i, 'octomesh_broker_peer_replicas_gone_total')) >= 1 ? true : undefined,
        10_000,
      );
    }
  });
});
