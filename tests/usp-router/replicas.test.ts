// Many replicas: two brokers and two usp-routers on one NATS. Agents sit on either broker;
// controller requests go to whichever router the queue group picks, and an answer read by the
// other router is passed on, so every request still gets its own answer.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  Roles,
  Subjects,
  usp,
} from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import { AgentFleet } from '@octomesh/usp-sim';
import { addAccounts } from '../support/accounts.ts';

function getMsg(msgId: string, path: string): Uint8Array {
  return encodeUspMsg({
    header: { msgId, msgType: usp.Header.MsgType.GET },
    body: { request: { get: { paramPaths: [path] } } },
  });
}

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${await service.healthPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('two brokers and two usp-routers', () => {
  let server: TestBus;
  /** The test as a USP controller application: requests by the controller API. */
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  const routers: ServiceProcess[] = [];
  const fleets: AgentFleet[] = [];

  beforeAll(async () => {
    server = await startSecuredBus();
    nc = await server.connect('controller', 'replicas');
    // Accounts are written as the CLI would: with the admin identity.
    const admin = await server.connect('admin', 'replicas-admin');
    try {
      await addAccounts(
        admin,
        Array.from({ length: 4 }, (_, n) => ({
          username: `rep-${n + 1}`,
          password: 'rep-pw',
          role: Roles.device,
          endpointId: `os::REP-${n + 1}`,
        })),
      );
    } finally {
      await admin.close();
    }
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    const urls: string[] = [];
    for (const name of ['a', 'b']) {
      const broker = await startService('broker', server, {
        LISTENERS: 'mqtt',
        MQTT_PORT: '0',
        MQTT_HOST: '127.0.0.1',
        BROKER_REPLICA: `broker-${name}`,
      });
      services.push(broker);
      urls.push(`mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`);
      const router = await startService('usp-router', server, {
        USP_ROUTER_REPLICA: `router-${name}`,
      });
      routers.push(router);
      services.push(router);
    }
    // Agents 1-2 on broker a, 3-4 on broker b.
    for (const [i, url] of urls.entries()) {
      const fleet = new AgentFleet({
        count: 2,
        firstNumber: i * 2 + 1,
        endpointIdPattern: 'os::REP-%d',
        usernamePattern: 'rep-%d',
        passwordPattern: 'rep-pw',
        agent: { url, boot: false },
      });
      expect((await fleet.start()).connected).toBe(2);
      fleets.push(fleet);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(fleets.map((f) => f.stop()));
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('200 concurrent requests to agents on both brokers each get their own answer', async () => {
    const requests = Array.from({ length: 200 }, (_, i) => ({
      endpointId: `os::REP-${(i % 4) + 1}`,
      msgId: `rep-${i}`,
    }));
    const replies = await Promise.all(
      requests.map((r) =>
        call(
          nc,
          Subjects.uspSend,
          {
            endpointId: r.endpointId,
            msg: getMsg(r.msgId, 'Device.LocalAgent.EndpointID'),
            timeoutMs: 5000,
          },
          { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
        ),
      ),
    );
    replies.forEach((reply, i) => {
      const msg = decodeUspMsg(reply.msg);
      expect(msg.header?.msgId).toBe(requests[i]!.msgId);
      const params =
        msg.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]?.resultParams;
      expect(params?.['EndpointID']).toBe(requests[i]!.endpointId);
    });
    // Both routers took requests, and answers crossed between them.
    const sent = await Promise.all(
      routers.map((r) => metric(r, 'octomesh_usp_requests_sent_total')),
    );
    expect(sent.every((n) => n > 0)).toBe(true);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(200);
    const unmatched = await Promise.all(
      routers.map((r) => metric(r, 'octomesh_usp_answers_unmatched_total')),
    );
    expect(unmatched.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  // Issue 9 §5: pending requests were keyed by endpoint and the controller's msg_id, so two
  // controllers using one msg_id could each get the other's answer (or a 409). Each pair below
  // shares a msg_id and an agent but asks for another path, so a crossed answer shows.
  test('two controllers sending one msg_id to one agent at once, through two routers, each get the answer to their own request', async () => {
    const second = await server.connect('controller', 'replicas-second-controller');
    try {
      const controllers = [
        { nc, path: 'Device.LocalAgent.EndpointID' },
        { nc: second, path: 'Device.DeviceInfo.SerialNumber' },
      ];
      const before = await Promise.all(
        routers.map((r) => metric(r, 'octomesh_usp_requests_sent_total')),
      );
      const rounds = Array.from({ length: 25 }, (_, i) => `shared-${i}`);
      const replies = await Promise.all(
        rounds.map((msgId) =>
          Promise.all(
            controllers.map((c) =>
              call(
                c.nc,
                Subjects.uspSend,
                { endpointId: 'os::REP-1', msg: getMsg(msgId, c.path), timeoutMs: 5000 },
                {
                  timeoutMs: 7000,
                  request: MeshCodecs.uspSendRequest,
                  reply: MeshCodecs.uspSendReply,
                },
              ),
            ),
          ),
        ),
      );
      replies.forEach((pair, round) =>
        pair.forEach((reply, c) => {
          const msg = decodeUspMsg(reply.msg);
          // The controller's own msg_id comes back, in the Msg and in the Record.
          expect(msg.header?.msgId).toBe(rounds[round]);
          const inRecord = decodeUspMsg(decodeUspRecord(reply.record).noSessionContext!.payload!);
          expect(inRecord.header?.msgId).toBe(rounds[round]);
          expect(msg.body?.response?.getResp?.reqPathResults?.[0]?.requestedPath).toBe(
            controllers[c]!.path,
          );
        }),
      );
      // Both routers sent some of them: the requests really crossed replicas.
      const after = await Promise.all(
        routers.map((r) => metric(r, 'octomesh_usp_requests_sent_total')),
      );
      expect(after.every((n, i) => n > before[i]!)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
