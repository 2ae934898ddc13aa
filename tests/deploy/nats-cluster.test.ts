// The mesh on a three-node NATS cluster in containers (JetStream clustered, buckets with three
// replicas through NATS_KV_REPLICAS=3), services as local processes with every node in
// NATS_URL. The node leading the credentials bucket is killed with SIGKILL while devices keep
// connecting: no account is lost, connecting works again within seconds, accounts can still be
// written, a persistent session and a retained message are still in their three-copy buckets
// (the retained one read through the broker), and a USP Get still crosses the mesh; the node
// then comes back and catches up.
import {
  BucketSpecs,
  decodeUspMsg,
  encodeKvKey,
  encodeUspMsg,
  Roles,
  Subjects,
  usp,
} from '@octomesh/contracts';
import { call, MeshCodecs, openExistingBucket, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startNatsCluster, startService, type TestNatsCluster } from '@octomesh/testing';
import { AgentFleet, UspMqttVersions } from '@octomesh/usp-sim';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { addAccounts } from '../support/accounts.ts';
import { describeWithContainers } from '../support/containers.ts';

const DEVICES = 20;

describeWithContainers('the mesh on a three-node NATS cluster losing a node', () => {
  let cluster: TestNatsCluster;
  let controller: NatsConnection;
  /** The auth role may read JetStream stream info (it owns the credentials bucket). */
  let authView: NatsConnection;
  const services: ServiceProcess[] = [];
  let fleet: AgentFleet | undefined;
  let mqttUrl: string;

  const connectDevice = async (n: number): Promise<void> => {
    const client = await connectClient(mqttUrl, {
      protocolVersion: 5,
      clientId: `os::CL-${n}`,
      username: `cl-${n}`,
      password: `pw-${n}`,
    });
    await end(client);
  };

  /** The bucket's stream: its replicas and, in a cluster, who leads it. */
  const credentialsStream = async () => {
    const kv = await openExistingBucket(authView, BucketSpecs.credentials.name);
    if (kv === undefined) throw new Error('no credentials bucket');
    return (await kv.status()).streamInfo;
  };
  const credentialsLeader = async (): Promise<string> => {
    const info = await credentialsStream();
    expect(info.config.num_replicas).toBe(3);
    return info.cluster?.leader ?? '';
  };

  beforeAll(async () => {
    cluster = await startNatsCluster();
    const env = { NATS_KV_REPLICAS: '3' };
    // auth first: it creates the credentials bucket with three replicas.
    services.push(await startService('auth', cluster, env));
    services.push(await startService('acl', cluster, env));
    const broker = await startService('broker', cluster, {
      ...env,
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
    });
    services.push(broker);
    services.push(await startService('usp-router', cluster, env));
    mqttUrl = `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
    const admin = await cluster.connect('admin', 'cluster-admin');
    try {
      await addAccounts(admin, [
        ...Array.from({ length: DEVICES }, (_, i) => ({
          username: `cl-${i + 1}`,
          password: `pw-${i + 1}`,
          role: Roles.device,
          endpointId: `os::CL-${i + 1}`,
        })),
        { username: 'agent-1', password: 'agent-pw', role: Roles.device, endpointId: 'os::CLA-1' },
        { username: 'cl-admin', password: 'pw-admin', role: Roles.admin },
      ]);
    } finally {
      await admin.close();
    }
    controller = await cluster.connect('controller', 'cluster-controller');
    authView = await cluster.connect('auth', 'cluster-auth-view');
    fleet = new AgentFleet({
      count: 1,
      endpointIdPattern: 'os::CLA-%d',
      usernamePattern: 'agent-%d',
      passwordPattern: 'agent-pw',
      agent: {
        url: mqttUrl,
        mqttVersion: UspMqttVersions.v5,
        reconnect: { minDelayMs: 200, maxDelayMs: 1000 },
      },
    });
    expect((await fleet.start()).connected).toBe(1);
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await controller?.close();
    await authView?.close();
    await cluster?.stop();
  });

  test('killing the leading node loses no account and the mesh keeps serving', async () => {
    const leader = await credentialsLeader();
    const index = cluster.nodes.findIndex((node) => node.name === leader);
    expect(index).toBeGreaterThanOrEqual(0);

    // A persistent session and a retained message, both in KV buckets with three copies.
    const adminOptions = {
      protocolVersion: 5 as const,
      username: 'cl-admin',
      password: 'pw-admin',
    };
    const persistent = await connectClient(mqttUrl, {
      ...adminOptions,
      clientId: 'cl-persist',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    await persistent.subscribeAsync('kept/#', { qos: 1 });
    await persistent.publishAsync('kept/retained', 'r1', { qos: 1, retain: true });
    await end(persistent);

    // Devices keep connecting while the node dies: each attempt retried until it succeeds.
    let stop = false;
    let attempts = 0;
    let failures = 0;
    const load = (async () => {
      for (let n = 1; !stop; n = (n % DEVICES) + 1) {
        attempts++;
        await connectDevice(n).catch(() => failures++);
        // A macrotask turn between attempts: a refusal that comes at once must not starve the
        // timers (the test's own deadlines among them).
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    let recoveredMs: number;
    const killedAt = Date.now();
    try {
      await eventually(
        'some connects before the kill',
        () => (attempts > 5 ? true : undefined),
        10_000,
      );
      await cluster.kill(index);
      // Every account still authenticates (read from the surviving replicas).
      for (let n = 1; n <= DEVICES; n++) {
        await eventually(
          `device ${n} connects after the kill`,
          () =>
            connectDevice(n).then(
              () => true,
              () => undefined,
            ),
          30_000,
        );
      }
      recoveredMs = Date.now() - killedAt;
    } finally {
      // The load stops whatever happened, or it would outlive the test.
      stop = true;
      await load;
    }
    process.stderr.write(
      `nats cluster: node ${leader} killed; all ${DEVICES} accounts connect again within ${recoveredMs} ms (${failures} of ${attempts} attempts failed meanwhile)\n`,
    );
    // A survivor leads the bucket now (this connection may still be reconnecting).
    const newLeader = await eventually(
      'a new leader of the credentials bucket',
      () =>
        credentialsLeader().then(
          (name) => (name !== '' && name !== leader ? name : undefined),
          () => undefined,
        ),
      30_000,
    );
    expect(newLeader).not.toBe(leader);

    // Writes go on: a new account, then it connects.
    const admin = await cluster.connect('admin', 'cluster-admin-2');
    try {
      await addAccounts(admin, [
        { username: 'cl-new', password: 'pw-new', role: Roles.device, endpointId: 'os::CL-NEW' },
      ]);
    } finally {
      await admin.close();
    }
    const fresh = await eventually(
      'the new account connects',
      () =>
        connectClient(mqttUrl, {
          protocolVersion: 5,
          clientId: 'os::CL-NEW',
          username: 'cl-new',
          password: 'pw-new',
        }).catch(() => undefined),
      15_000,
    );
    await end(fresh);

    // The session and the retained message are still in their buckets, read from the survivors.
    const brokerView = await cluster.connect('broker', 'cluster-broker-view');
    try {
      for (const bucket of [BucketSpecs.sessions.name, BucketSpecs.retained.name]) {
        const kv = await openExistingBucket(brokerView, bucket);
        expect([bucket, (await kv!.status()).streamInfo.config.num_replicas]).toEqual([bucket, 3]);
      }
      const sessions = await openExistingBucket(brokerView, BucketSpecs.sessions.name);
      const stored = await eventually(
        'the session in KV',
        () =>
          sessions!
            .get(encodeKvKey('cl-persist'))
            .catch(() => undefined)
            .then((e) => (e?.length ? e : undefined)),
        15_000,
      );
      expect(stored.string()).toContain('kept/#');
    } finally {
      await brokerView.close();
    }
    // The broker reads retained messages from KV (no cache): a new subscriber gets it.
    const reader = await connectClient(mqttUrl, { ...adminOptions, clientId: 'cl-reader' });
    const retainedBox = collect(reader);
    await reader.subscribeAsync('kept/retained', { qos: 1 });
    const kept = await eventually('the retained message', () =>
      retainedBox.messages.find((m) => m.topic === 'kept/retained'),
    );
    expect(kept.payload).toBe('r1');
    await end(reader);

    // A USP Get still crosses the mesh.
    const answer = await eventually(
      'a USP Get after the kill',
      async () => {
        const reply = await call(
          controller,
          Subjects.uspSend,
          {
            endpointId: 'os::CLA-1',
            msg: encodeUspMsg({
              header: { msgId: 'cluster-get', msgType: usp.Header.MsgType.GET },
              body: { request: { get: { paramPaths: ['Device.DeviceInfo.SerialNumber'] } } },
            }),
            timeoutMs: 5000,
          },
          { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
        ).catch(() => undefined);
        return reply === undefined ? undefined : decodeUspMsg(reply.msg);
      },
      30_000,
    );
    expect(answer.body?.response?.getResp?.reqPathResults?.[0]?.errCode ?? 0).toBe(0);

    // The node comes back and holds a full copy again.
    await cluster.restart(index);
    await eventually(
      `${leader} current again`,
      async () => {
        const info = await credentialsStream().catch(() => undefined);
        if (info === undefined) return undefined;
        const replica = info.cluster?.replicas?.find((r) => r.name === leader);
        const onLeader = info.cluster?.leader === leader;
        return onLeader || replica?.current === true ? true : undefined;
      },
      30_000,
    );
  }, 180_000);
});
