// The usp-router end to end: nats-server, auth, acl, broker and usp-router as separate
// processes; agents are MQTT.js v5 clients that behave like OBUSPA (Connect Record, answers on
// the Response Topic with the Correlation Data); a controller uses the NATS API.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  mesh,
  RemoteServiceError,
  Roles,
  Subjects,
  usp,
  usp_record,
  uspNotifyWildcard,
  uspPresenceWildcard,
} from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { addAccounts } from '../support/accounts.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

const p = 'oktopus/usp/v1';
const CONTROLLER = 'oktopusController';
const AGENTS = 10;

interface Agent {
  id: string;
  client: MqttClient;
  /** Answers Get after this many ms (random order under load); undefined = never. */
  delayMs: () => number | undefined;
  received: usp.Msg[];
}

function getMsg(msgId: string, path: string): Uint8Array {
  return encodeUspMsg({
    header: { msgId, msgType: usp.Header.MsgType.GET },
    body: { request: { get: { paramPaths: [path] } } },
  });
}

describe('usp-router', () => {
  let server: TestBus;
  /**
   * The test as a USP controller application: presence, notifications, the controller API and,
   * with Oktopus compatibility on, the Oktopus adapter subjects.
   */
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  let router: ServiceProcess;
  let url: string;
  const agents = new Map<string, Agent>();
  const presence: mesh.usp.v1.IEndpoint[] = [];
  const notifications: mesh.usp.v1.NotifyEvent[] = [];

  async function startAgent(n: number, options: { fromId?: string } = {}): Promise<Agent> {
    const id = `os::DEV-${n}`;
    const client = await connectClient(url, {
      protocolVersion: 5,
      clientId: '',
      username: `dev-${n}`,
      password: `pw-${n}`,
      properties: { userProperties: { 'usp-endpoint-id': id }, requestResponseInformation: true },
    });
    const agent: Agent = { id, client, delayMs: () => 0, received: [] };
    const topic = `${p}/agent/${id}`;
    client.on('message', (_topic, payload, packet) => {
      const record = decodeUspRecord(payload);
      const msg = decodeUspMsg(record.noSessionContext!.payload!);
      agent.received.push(msg);
      if (msg.header?.msgType !== usp.Header.MsgType.GET) return;
      const delay = agent.delayMs();
      if (delay === undefined) return;
      const answer = encodeUspRecord({
        version: '1.4',
        toId: record.fromId,
        fromId: options.fromId ?? id,
        noSessionContext: {
          payload: encodeUspMsg({
            header: { msgId: msg.header.msgId, msgType: usp.Header.MsgType.GET_RESP },
            body: {
              response: {
                getResp: {
                  reqPathResults: [
                    {
                      requestedPath: msg.body!.request!.get!.paramPaths![0]!,
                      resolvedPathResults: [
                        {
                          resolvedPath: 'Device.DeviceInfo.',
                          resultParams: { SerialNumber: id, MsgId: msg.header.msgId ?? '' },
                        },
                      ],
                    },
                  ],
                },
              },
            },
          }),
        },
      });
      setTimeout(() => {
        client.publish(packet.properties!.responseTopic!, Buffer.from(answer), {
          qos: 1,
          properties: {
            contentType: 'usp.msg',
            correlationData: packet.properties!.correlationData!,
          },
        });
      }, delay);
    });
    await client.subscribeAsync(topic, { qos: 0 });
    client.publish(
      `${p}/controller`,
      Buffer.from(
        encodeUspRecord({
          version: '1.4',
          toId: CONTROLLER,
          fromId: id,
          mqttConnect: {
            version: usp_record.MQTTConnectRecord.MQTTVersion.V5,
            subscribedTopic: topic,
          },
        }),
      ),
      { qos: 1, properties: { contentType: 'usp.msg', responseTopic: topic } },
    );
    agents.set(id, agent);
    return agent;
  }

  const send = (endpointId: string, msg: Uint8Array, timeoutMs = 5000) =>
    call(
      nc,
      Subjects.uspSend,
      { endpointId, msg, timeoutMs },
      {
        timeoutMs: timeoutMs + 2000,
        request: MeshCodecs.uspSendRequest,
        reply: MeshCodecs.uspSendReply,
      },
    );

  beforeAll(async () => {
    // The usp-router runs with USP_OKTOPUS_COMPAT: the bus grants the Oktopus subjects.
    server = await startSecuredBus({ oktopusCompat: true });
    nc = await server.connect('controller', 'usp-e2e');
    nc.subscribe(uspPresenceWildcard, {
      callback: (_e, m) => {
        presence.push(mesh.usp.v1.PresenceEvent.decode(m.data).endpoint!);
      },
    });
    nc.subscribe(uspNotifyWildcard, {
      callback: (_e, m) => {
        notifications.push(mesh.usp.v1.NotifyEvent.decode(m.data));
      },
    });
    // Accounts are written as the CLI would: with the admin identity.
    const admin = await server.connect('admin', 'usp-e2e-admin');
    try {
      await addAccounts(admin, [
        ...Array.from({ length: AGENTS + 2 }, (_, n) => ({
          username: `dev-${n}`,
          password: `pw-${n}`,
          role: Roles.device,
          endpointId: `os::DEV-${n}`,
        })),
        { username: 'ctrl', password: 'pw-c', role: Roles.controller, endpointId: CONTROLLER },
      ]);
    } finally {
      await admin.close();
    }
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    const broker = await startService('broker', server, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
    });
    services.push(broker);
    router = await startService('usp-router', server, { USP_OKTOPUS_COMPAT: 'true' });
    services.push(router);
    url = `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
    for (let n = 0; n < AGENTS; n++) await startAgent(n);
    await eventually(
      'every agent online',
      () =>
        new Set(presence.filter((e) => e.online).map((e) => e.endpointId)).size >= AGENTS
          ? true
          : undefined,
      10_000,
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => end(a.client)));
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('a Get reaches the agent through broker and router, and its answer comes back by msg_id', async () => {
    const reply = await send('os::DEV-0', getMsg('get-1', 'Device.DeviceInfo.'));
    const msg = decodeUspMsg(reply.msg);
    expect(msg.header?.msgId).toBe('get-1');
    expect(
      msg.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]?.resultParams,
    ).toMatchObject({
      SerialNumber: 'os::DEV-0',
    });
    const record = decodeUspRecord(reply.record);
    expect(record.fromId).toBe('os::DEV-0');
    expect(record.toId).toBe(CONTROLLER);
  });

  test('a Msg without msg_id gets one from the router', async () => {
    const reply = await send('os::DEV-1', getMsg('', 'Device.'));
    expect(decodeUspMsg(reply.msg).header?.msgId).not.toBe('');
  });

  test('100 concurrent requests across 10 agents, answered out of order, each get their own answer', async () => {
    for (const agent of agents.values()) agent.delayMs = () => Math.floor(Math.random() * 200);
    const requests = Array.from({ length: 100 }, (_, i) => ({
      endpointId: `os::DEV-${i % AGENTS}`,
      msgId: `c-${i}`,
    }));
    const replies = await Promise.all(
      requests.map((r) => send(r.endpointId, getMsg(r.msgId, 'Device.DeviceInfo.'))),
    );
    const seenByAgents = new Set<string>();
    replies.forEach((reply, i) => {
      const msg = decodeUspMsg(reply.msg);
      expect(msg.header?.msgId).toBe(requests[i]!.msgId);
      const params =
        msg.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]?.resultParams;
      expect(params?.['SerialNumber']).toBe(requests[i]!.endpointId);
      // The agent saw the router's msg_id for this request: the controller's, made unique.
      expect(params?.['MsgId']?.startsWith(`${requests[i]!.msgId}#`)).toBe(true);
      seenByAgents.add(params?.['MsgId'] ?? '');
    });
    expect(seenByAgents.size).toBe(requests.length);
    for (const agent of agents.values()) agent.delayMs = () => 0;
  });

  test('unknown endpoint: 404 at once; no answer: 504 after the deadline', async () => {
    const unknown = await send('os::NOBODY', getMsg('x', 'Device.')).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RemoteServiceError);
    expect((unknown as RemoteServiceError).remoteCode).toBe(404);
    const agent = agents.get('os::DEV-2')!;
    agent.delayMs = () => undefined;
    const started = Date.now();
    const timeout = await send('os::DEV-2', getMsg('silent', 'Device.'), 500).catch(
      (e: unknown) => e,
    );
    expect((timeout as RemoteServiceError).remoteCode).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    agent.delayMs = () => 0;
  });

  test('a Record whose from_id is not the authenticated endpoint is dropped and counted', async () => {
    const spoofer = agents.get('os::DEV-3')!;
    const before = await droppedSpoofed();
    // DEV-3 claims to be DEV-4, answering a request DEV-4 has pending.
    agents.get('os::DEV-4')!.delayMs = () => undefined;
    const pending = send('os::DEV-4', getMsg('victim', 'Device.'), 1500).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    spoofer.client.publish(
      `${p}/api/os::DEV-3`,
      Buffer.from(
        encodeUspRecord({
          version: '1.4',
          toId: CONTROLLER,
          fromId: 'os::DEV-4',
          noSessionContext: {
            payload: encodeUspMsg({
              header: { msgId: 'victim', msgType: usp.Header.MsgType.GET_RESP },
              body: { response: { getResp: {} } },
            }),
          },
        }),
      ),
      { qos: 1 },
    );
    expect(((await pending) as RemoteServiceError).remoteCode).toBe(504);
    await eventually('spoofed counted', async () =>
      (await droppedSpoofed()) > before ? true : undefined,
    );
    agents.get('os::DEV-4')!.delayMs = () => 0;
  });

  async function droppedSpoofed(): Promise<number> {
    const port = await router.healthPort;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('octomesh_usp_records_dropped_total{reason="spoofed"}'));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  test('a Notify reaches controllers on NATS and, with send_resp, the agent gets NotifyResp', async () => {
    const agent = agents.get('os::DEV-5')!;
    agent.client.publish(
      `${p}/controller`,
      Buffer.from(
        encodeUspRecord({
          version: '1.4',
          toId: CONTROLLER,
          fromId: agent.id,
          noSessionContext: {
            payload: encodeUspMsg({
              header: { msgId: 'boot-1', msgType: usp.Header.MsgType.NOTIFY },
              body: {
                request: {
                  notify: {
                    subscriptionId: 'sub-boot',
                    sendResp: true,
                    event: {
                      objPath: 'Device.',
                      eventName: 'Boot!',
                      params: { Cause: 'LocalReboot' },
                    },
                  },
                },
              },
            }),
          },
        }),
      ),
      { qos: 1, properties: { contentType: 'usp.msg', responseTopic: `${p}/agent/${agent.id}` } },
    );
    const event = await eventually('notify event', () =>
      notifications.find((n) => n.endpointId === agent.id),
    );
    expect(event.answered).toBe(true);
    expect(decodeUspMsg(event.msg).body?.request?.notify?.event?.eventName).toBe('Boot!');
    const resp = await eventually('NotifyResp at the agent', () =>
      agent.received.find((m) => m.header?.msgType === usp.Header.MsgType.NOTIFY_RESP),
    );
    expect(resp.header?.msgId).toBe('boot-1');
    expect(resp.body?.response?.notifyResp?.subscriptionId).toBe('sub-boot');
  });

  test('an agent killed without DISCONNECT goes offline: status 0 retained, presence event, 409 on send', async () => {
    const watcher = await connectClient(url, {
      protocolVersion: 5,
      username: 'ctrl',
      password: 'pw-c',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync(`${p}/status/os::DEV-9`, { qos: 1 });
    await eventually('status 1 (retained)', () => box.messages.find((m) => m.payload === '1'));
    const agent = agents.get('os::DEV-9')!;
    agent.client.stream.destroy();
    agents.delete('os::DEV-9');
    await eventually('status 0', () => box.messages.find((m) => m.payload === '0'), 10_000);
    expect(presence.some((e) => e.endpointId === 'os::DEV-9' && e.online === false)).toBe(true);
    const offline = await send('os::DEV-9', getMsg('late', 'Device.')).catch((e: unknown) => e);
    expect((offline as RemoteServiceError).remoteCode).toBe(409);
    const list = await call(
      nc,
      Subjects.uspEndpoints,
      { onlineOnly: false, prefix: 'os::DEV-9', limit: 10 },
      {
        timeoutMs: 3000,
        request: MeshCodecs.uspListEndpointsRequest,
        reply: MeshCodecs.uspListEndpointsReply,
      },
    );
    expect(list.endpoints).toHaveLength(1);
    expect(list.endpoints[0]).toMatchObject({
      endpointId: 'os::DEV-9',
      online: false,
      mqttVersion: 5,
    });
    await end(watcher);
  });

  test('an MQTT 3.1.1 agent (client id = endpoint id, reply-to controller topic) is served too', async () => {
    const id = `os::DEV-${AGENTS + 1}`;
    const agentTopic = `${p}/agent/${id}`;
    const replyTo = `${p}/controller/reply-to=${agentTopic.replaceAll('/', '%2F')}`;
    const client = await connectClient(url, {
      protocolVersion: 4,
      clientId: id,
      username: `dev-${AGENTS + 1}`,
      password: `pw-${AGENTS + 1}`,
    });
    client.on('message', (_topic, payload) => {
      const record = decodeUspRecord(payload);
      const msg = decodeUspMsg(record.noSessionContext!.payload!);
      client.publish(
        replyTo,
        Buffer.from(
          encodeUspRecord({
            version: '1.4',
            toId: record.fromId,
            fromId: id,
            noSessionContext: {
              payload: encodeUspMsg({
                header: { msgId: msg.header!.msgId, msgType: usp.Header.MsgType.GET_RESP },
                body: { response: { getResp: {} } },
              }),
            },
          }),
        ),
        { qos: 1 },
      );
    });
    await client.subscribeAsync(`${agentTopic}/#`, { qos: 0 });
    client.publish(
      replyTo,
      Buffer.from(
        encodeUspRecord({
          version: '1.4',
          toId: CONTROLLER,
          fromId: id,
          mqttConnect: {
            version: usp_record.MQTTConnectRecord.MQTTVersion.V3_1_1,
            subscribedTopic: `${agentTopic}/#`,
          },
        }),
      ),
      { qos: 1 },
    );
    await eventually('3.1.1 agent online', () =>
      presence.find((e) => e.endpointId === id && e.online === true),
    );
    const reply = await send(id, getMsg('v3-1', 'Device.'));
    expect(decodeUspMsg(reply.msg).header?.msgId).toBe('v3-1');
    const list = await call(
      nc,
      Subjects.uspEndpoints,
      { onlineOnly: true, prefix: id, limit: 10 },
      {
        timeoutMs: 3000,
        request: MeshCodecs.uspListEndpointsRequest,
        reply: MeshCodecs.uspListEndpointsReply,
      },
    );
    expect(list.endpoints[0]).toMatchObject({ endpointId: id, agentTopic, mqttVersion: 4 });
    await end(client);
  });

  describe('Oktopus compatibility', () => {
    const received: { subject: string; data: Uint8Array }[] = [];

    beforeAll(() => {
      for (const subject of ['mqtt.usp.v1.>', 'device.usp.v1.>']) {
        nc.subscribe(subject, {
          callback: (_e, m) => {
            received.push({ subject: m.subject, data: m.data });
          },
        });
      }
    });

    const oktopusRecord = (endpointId: string, msgId: string) =>
      encodeUspRecord({
        version: '1.4',
        toId: endpointId,
        fromId: CONTROLLER,
        noSessionContext: { payload: getMsg(msgId, 'Device.DeviceInfo.') },
      });

    test('mqtt-adapter.usp.v1.<id>.api reaches the agent and its answer comes back on device.usp.v1.<id>.api', async () => {
      nc.publish('mqtt-adapter.usp.v1.os::DEV-6.api', oktopusRecord('os::DEV-6', 'okt-api-1'));
      const answer = await eventually('device.usp.v1.os::DEV-6.api', () =>
        received.find((r) => r.subject === 'device.usp.v1.os::DEV-6.api'),
      );
      const record = decodeUspRecord(answer.data);
      expect(record.fromId).toBe('os::DEV-6');
      expect(decodeUspMsg(record.noSessionContext!.payload!).header?.msgId).toBe('okt-api-1');
    });

    test('mqtt-adapter.usp.v1.<id>.info answers come back on mqtt.usp.v1.<id>.info', async () => {
      nc.publish('mqtt-adapter.usp.v1.os::DEV-7.info', oktopusRecord('os::DEV-7', 'okt-info-1'));
      const answer = await eventually('mqtt.usp.v1.os::DEV-7.info', () =>
        received.find((r) => r.subject === 'mqtt.usp.v1.os::DEV-7.info'),
      );
      expect(
        decodeUspMsg(decodeUspRecord(answer.data).noSessionContext!.payload!).header?.msgId,
      ).toBe('okt-info-1');
    });

    test('a Record addressed to another endpoint than its subject is not sent', async () => {
      const agent = agents.get('os::DEV-8')!;
      const before = agent.received.length;
      nc.publish('mqtt-adapter.usp.v1.os::DEV-8.api', oktopusRecord('os::DEV-1', 'okt-wrong'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(agent.received.length).toBe(before);
      expect(agents.get('os::DEV-1')!.received.some((m) => m.header?.msgId === 'okt-wrong')).toBe(
        false,
      );
    });

    test('presence is published on mqtt.usp.v1.<id>.status, and rtt answers like the adapter', async () => {
      await startAgent(AGENTS, {});
      const status = await eventually('status 1', () =>
        received.find((r) => r.subject === `mqtt.usp.v1.os::DEV-${AGENTS}.status`),
      );
      expect(Buffer.from(status.data).toString()).toBe('1');
      const reply = await nc.request('mqtt-adapter.usp.v1.rtt', new Uint8Array(), {
        timeout: 3000,
      });
      const body = JSON.parse(Buffer.from(reply.data).toString()) as { Code: number; Msg: number };
      expect(body.Code).toBe(200);
      expect(body.Msg).toBeGreaterThanOrEqual(0);
    });
  });
});
