// The whole mesh as containers of the project image (NATS, auth, acl, broker, usp-router: one
// container each, host networking on loopback ports), driven from the test by MQTT.js and
// simulated agents: connect and refusal, ACL, a USP Get round trip, and a service container
// killed with SIGKILL and started again.
import { decodeUspMsg, encodeUspMsg, Roles, Subjects, usp } from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import {
  freePort,
  PROJECT_IMAGE,
  startSecuredBus,
  startServiceContainer,
  useContainers,
  type ServiceContainer,
  type TestBus,
} from '@octomesh/testing';
import { AgentFleet, UspMqttVersions } from '@octomesh/usp-sim';
import type { MqttClient } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { addAccounts } from '../support/accounts.ts';
import { describeWithContainers } from '../support/containers.ts';

const MT = usp.Header.MsgType;
let msgCounter = 0;

describeWithContainers('the mesh as containers of the project image', () => {
  let bus: TestBus;
  let nc: NatsConnection;
  let mqttUrl: string;
  let fleet: AgentFleet | undefined;
  const services = new Map<string, ServiceContainer>();
  const clients: MqttClient[] = [];

  const get = async (endpointId: string, path: string): Promise<usp.Msg> => {
    const msgId = `containers-${++msgCounter}`;
    const reply = await call(
      nc,
      Subjects.uspSend,
      {
        endpointId,
        msg: encodeUspMsg({
          header: { msgId, msgType: MT.GET },
          body: { request: { get: { paramPaths: [path] } } },
        }),
        timeoutMs: 5000,
      },
      { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
    );
    const answer = decodeUspMsg(reply.msg);
    expect(answer.header?.msgId).toBe(msgId);
    return answer;
  };

  beforeAll(async () => {
    expect(await useContainers(PROJECT_IMAGE)).toBe(true);
    bus = await startSecuredBus();
    expect(bus.kind).toBe('container');
    nc = await bus.connect('controller', 'containers-e2e');
    const admin = await bus.connect('admin', 'containers-e2e-admin');
    try {
      await addAccounts(admin, [
        ...[1, 2].map((n) => ({
          username: `ctr-${n}`,
          password: 'ctr-pw',
          role: Roles.device,
          endpointId: `os::CTR-${n}`,
        })),
        { username: 'dev-a', password: 'pw-a', role: Roles.device, endpointId: 'os::DEV-A' },
      ]);
    } finally {
      await admin.close();
    }
    const mqttPort = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const started = await Promise.all([
      startServiceContainer('auth', bus),
      startServiceContainer('acl', bus),
      startServiceContainer('broker', bus, {
        LISTENERS: 'mqtt',
        MQTT_HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
      }),
      startServiceContainer('usp-router', bus),
    ]);
    for (const service of started) services.set(service.name, service);
    fleet = new AgentFleet({
      count: 2,
      endpointIdPattern: 'os::CTR-%d',
      usernamePattern: 'ctr-%d',
      passwordPattern: 'ctr-pw',
      agent: { url: mqttUrl, mqttVersion: UspMqttVersions.v5 },
    });
    expect((await fleet.start()).connected).toBe(2);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await fleet?.stop();
    await Promise.all([...services.values()].map((s) => s.stop()));
    await nc?.close();
    await bus?.stop();
  });

  test('every service container is healthy by the image’s own HEALTHCHECK', async () => {
    for (const service of services.values()) {
      expect([service.name, await service.healthcheck()]).toEqual([service.name, true]);
    }
  });

  test('a device connects with its password; a wrong password is refused', async () => {
    const good = await connectClient(mqttUrl, {
      protocolVersion: 5,
      clientId: 'os::DEV-A',
      username: 'dev-a',
      password: 'pw-a',
    });
    clients.push(good);
    expect(good.connected).toBe(true);
    await expect(
      connectClient(mqttUrl, {
        protocolVersion: 5,
        clientId: 'os::DEV-A-2',
        username: 'dev-a',
        password: 'wrong',
      }),
    ).rejects.toMatchObject({ code: 134 });
  });

  test('the ACL keeps a device inside its own topics', async () => {
    const device = clients[0]!;
    const own = await device.subscribeAsync('oktopus/usp/v1/agent/os::DEV-A', { qos: 1 });
    expect(own[0]?.qos).toBe(1);
    // MQTT.js rejects a SUBACK of 0x87 (Not authorized).
    await expect(
      device.subscribeAsync('oktopus/usp/v1/agent/os::CTR-1', { qos: 1 }),
    ).rejects.toThrow('Not authorized');
    await expect(
      device.publishAsync('oktopus/usp/v1/agent/os::CTR-1', 'x', { qos: 1 }),
    ).rejects.toMatchObject({ code: 0x87 });
  });

  test('a USP Get goes from the controller through the mesh to an agent and back', async () => {
    const answer = await get('os::CTR-1', 'Device.DeviceInfo.SerialNumber');
    const result = answer.body?.response?.getResp?.reqPathResults?.[0];
    expect(result?.errCode ?? 0).toBe(0);
    expect(result?.resolvedPathResults?.[0]?.resultParams?.['SerialNumber']).toBeTruthy();
  });

  test('usp-router and acl killed with SIGKILL and started again: the mesh serves again', async () => {
    const router = services.get('usp-router')!;
    const acl = services.get('acl')!;
    await Promise.all([router.container.kill(), acl.container.kill()]);
    await expect(get('os::CTR-2', 'Device.DeviceInfo.SerialNumber')).rejects.toThrow();
    await Promise.all([router.container.start(), acl.container.start()]);
    await Promise.all([router.ready(), acl.ready()]);
    const answer = await eventually(
      'a Get answered after the restart',
      () => get('os::CTR-2', 'Device.DeviceInfo.SerialNumber').catch(() => undefined),
      30_000,
    );
    expect(answer.body?.response?.getResp?.reqPathResults?.[0]?.errCode ?? 0).toBe(0);
    // The restarted acl decides again: a new subscription of the device's own topic.
    const granted = await clients[0]!.subscribeAsync('oktopus/usp/v1/agent/os::DEV-A/x', {
      qos: 0,
    });
    expect(granted[0]?.qos).toBe(0);
  }, 120_000);
});
