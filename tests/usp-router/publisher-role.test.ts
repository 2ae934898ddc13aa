// Issue 9 §6: the usp-router accepts agent Records only from identities with role device. The
// broker puts the publisher's authenticated identity in the fabric headers; a Record published
// on a controller or api topic by an anonymous (development mode), controller or admin identity
// is dropped and counted as `not-device`, even when its from_id matches that identity's
// endpoint id. nats-server, auth, acl, a broker with ALLOW_ANONYMOUS and the usp-router run as
// separate processes; agents and the anonymous and admin clients are MQTT.js v5 clients.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeFabricHeaders,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  Subjects,
  topicToSubject,
  usp,
  usp_record,
  uspNotifySubject,
} from '@octomesh/contracts';
import { call, headersOf, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { addAccounts } from '../support/accounts.ts';

const p = 'oktopus/usp/v1';
const CONTROLLER = 'oktopusController';
const DEVICE = 'os::ROLE-DEV';
const ADMIN = 'os::ROLE-ADMIN';

/** A no_session_context Record from `fromId` answering a Get with one SerialNumber. */
function getAnswer(fromId: string, msgId: string, serialNumber: string): Buffer {
  return Buffer.from(
    encodeUspRecord({
      version: '1.4',
      toId: CONTROLLER,
      fromId,
      noSessionContext: {
        payload: encodeUspMsg({
          header: { msgId, msgType: usp.Header.MsgType.GET_RESP },
          body: {
            response: {
              getResp: {
                reqPathResults: [
                  {
                    requestedPath: 'Device.DeviceInfo.',
                    resolvedPathResults: [
                      {
                        resolvedPath: 'Device.DeviceInfo.',
                        resultParams: { SerialNumber: serialNumber },
                      },
                    ],
                  },
                ],
              },
            },
          },
        }),
      },
    }),
  );
}

function connectRecord(fromId: string): Buffer {
  return Buffer.from(
    encodeUspRecord({
      version: '1.4',
      toId: CONTROLLER,
      fromId,
      mqttConnect: {
        version: usp_record.MQTTConnectRecord.MQTTVersion.V5,
        subscribedTopic: `${p}/agent/${fromId}`,
      },
    }),
  );
}

describe('usp-router: Records only from devices', () => {
  let server: TestBus;
  /** The test as a USP controller application. */
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  const clients: MqttClient[] = [];
  let router: ServiceProcess;
  let url: string;

  async function droppedNotDevice(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${await router.healthPort}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('octomesh_usp_records_dropped_total{reason="not-device"}'));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  const countedAbove = (before: number) =>
    eventually('a not-device drop counted', async () =>
      (await droppedNotDevice()) > before ? true : undefined,
    );

  const listEndpoints = (prefix: string) =>
    call(
      nc,
      Subjects.uspEndpoints,
      { onlineOnly: false, prefix, limit: 10 },
      {
        timeoutMs: 3000,
        request: MeshCodecs.uspListEndpointsRequest,
        reply: MeshCodecs.uspListEndpointsReply,
      },
    );

  async function mqttClient(options: Parameters<typeof connectClient>[1]): Promise<MqttClient> {
    const client = await connectClient(url, { protocolVersion: 5, clientId: '', ...options });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    server = await startSecuredBus();
    nc = await server.connect('controller', 'role-e2e');
    // Accounts are written as the CLI would: with the admin identity.
    const admin = await server.connect('admin', 'role-e2e-admin');
    try {
      await addAccounts(admin, [
        { username: 'role-dev', password: 'pw-dev', role: Roles.device, endpointId: DEVICE },
        { username: 'role-admin', password: 'pw-admin', role: Roles.admin, endpointId: ADMIN },
      ]);
    } finally {
      await admin.close();
    }
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    // Development mode: clients without credentials connect with role anonymous and, by the
    // default policy, may publish and subscribe anywhere.
    const broker = await startService('broker', server, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      ALLOW_ANONYMOUS: 'true',
    });
    services.push(broker);
    router = await startService('usp-router', server);
    services.push(router);
    url = `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('an anonymous client naming a device endpoint id cannot answer the requests sent to that device', async () => {
    // The device answers only once the forged answer was dropped: without the check, the
    // controller would get the forgery first.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const agentTopic = `${p}/agent/${DEVICE}`;
    const device = await mqttClient({
      username: 'role-dev',
      password: 'pw-dev',
      properties: { userProperties: { 'usp-endpoint-id': DEVICE } },
    });
    device.on('message', (_topic, payload, packet) => {
      const msg = decodeUspMsg(decodeUspRecord(payload).noSessionContext!.payload!);
      if (msg.header?.msgType !== usp.Header.MsgType.GET) return;
      void released.then(() =>
        device.publish(
          packet.properties!.responseTopic!,
          getAnswer(DEVICE, msg.header!.msgId!, 'genuine'),
          { qos: 1, properties: { correlationData: packet.properties!.correlationData! } },
        ),
      );
    });
    await device.subscribeAsync(agentTopic, { qos: 1 });
    device.publish(`${p}/controller`, connectRecord(DEVICE), { qos: 1 });
    await eventually('device online', async () =>
      (await listEndpoints(DEVICE)).endpoints[0]?.online === true ? true : undefined,
    );

    // The anonymous client claims the device's endpoint id, reads its requests and answers
    // them first, as the device, on the device's api topic.
    const anonymous = await mqttClient({
      properties: { userProperties: { 'usp-endpoint-id': DEVICE } },
    });
    anonymous.on('message', (_topic, payload, packet) => {
      const msg = decodeUspMsg(decodeUspRecord(payload).noSessionContext!.payload!);
      anonymous.publish(`${p}/api/${DEVICE}`, getAnswer(DEVICE, msg.header!.msgId!, 'FORGED'), {
        qos: 1,
        properties: { correlationData: packet.properties!.correlationData! },
      });
    });
    await anonymous.subscribeAsync(agentTopic, { qos: 1 });

    const before = await droppedNotDevice();
    const reply = call(
      nc,
      Subjects.uspSend,
      {
        endpointId: DEVICE,
        msg: encodeUspMsg({
          header: { msgId: 'role-1', msgType: usp.Header.MsgType.GET },
          body: { request: { get: { paramPaths: ['Device.DeviceInfo.'] } } },
        }),
        timeoutMs: 5000,
      },
      { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
    );
    await countedAbove(before);
    release();
    const msg = decodeUspMsg((await reply).msg);
    expect(msg.header?.msgId).toBe('role-1');
    expect(
      msg.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]?.resultParams,
    ).toEqual({ SerialNumber: 'genuine' });
  });

  test('an admin Connect Record for its own endpoint id registers no endpoint', async () => {
    const admin = await mqttClient({
      username: 'role-admin',
      password: 'pw-admin',
      properties: { userProperties: { 'usp-endpoint-id': ADMIN } },
    });
    const before = await droppedNotDevice();
    admin.publish(`${p}/controller`, connectRecord(ADMIN), { qos: 1 });
    await countedAbove(before);
    expect((await listEndpoints(ADMIN)).endpoints).toEqual([]);
  });

  test('a Notify the broker attributes to a controller identity does not reach controllers', async () => {
    // The default policy keeps controllers off controller topics, so the test publishes on the
    // fabric as a broker does, with the controller's identity in the headers.
    const bus = await server.connect('broker', 'role-e2e-broker');
    const notified: Uint8Array[] = [];
    const watch = nc.subscribe(uspNotifySubject('os::ROLE-CTRL'), {
      callback: (_e, m) => {
        notified.push(m.data);
      },
    });
    try {
      const before = await droppedNotDevice();
      const notify = encodeUspRecord({
        version: '1.4',
        toId: CONTROLLER,
        fromId: 'os::ROLE-CTRL',
        noSessionContext: {
          payload: encodeUspMsg({
            header: { msgId: 'ctrl-notify', msgType: usp.Header.MsgType.NOTIFY },
            body: {
              request: {
                notify: { subscriptionId: 's', event: { objPath: 'Device.', eventName: 'Boot!' } },
              },
            },
          }),
        },
      });
      bus.publish(topicToSubject(`${p}/controller`), notify, {
        headers: headersOf(
          encodeFabricHeaders({
            qos: 1,
            retain: false,
            replica: 'test-broker',
            publisher: {
              subject: 'user:role-ctrl',
              role: Roles.controller,
              endpointId: 'os::ROLE-CTRL',
              clientId: 'role-ctrl',
            },
          }),
        ),
      });
      await countedAbove(before);
      await nc.flush();
      expect(notified).toEqual([]);
    } finally {
      watch.unsubscribe();
      await bus.close();
    }
  });
});
