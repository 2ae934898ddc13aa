// The USP agent simulator against the in-process MQTT engine (real sockets, the default USP ACL
// policy): agents in MQTT 5 and 3.1.1 mode announce themselves and answer a controller that is
// an MQTT.js client, a fleet of 200 agents connects from one process, TLS and the idle probe.
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { parseRule } from '@octomesh/acl-rules';
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  ReasonCodes,
  usp,
  usp_record,
} from '@octomesh/contracts';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import {
  AgentFleet,
  MqttClientErrorCodes,
  replyToSuffix,
  UspAgent,
  UspErrorCodes,
  type FleetProgress,
  type UspAgentOptions,
} from '@octomesh/usp-sim';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { startTestBroker, type TestAccount, type TestBroker } from '../mqtt-engine/harness.ts';

const p = 'oktopus/usp/v1';
const CONTROLLER_ID = 'self::test-controller';
const FLEET_SIZE = 200;
const MsgType = usp.Header.MsgType;

/** A decoded protobufjs message typed for assertions: every field present. */
type Decoded<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? Decoded<U>[]
    : T extends object
      ? { [K in keyof T]-?: Decoded<NonNullable<T[K]>> }
      : T;

/** A Record the controller received, decoded. */
interface Received {
  topic: string;
  packet: IPublishPacket;
  record: usp_record.Record;
  msg: Decoded<usp.IMsg> | undefined;
}

const accounts: Record<string, TestAccount> = {
  controller: { password: 'ctrl-pw', role: 'controller', endpointId: CONTROLLER_ID },
  'dev-v5': { password: 'pw-v5', role: 'device', endpointId: 'os::SIM-V5' },
  'dev-v3': { password: 'pw-v3', role: 'device', endpointId: 'os::SIM-V3' },
  'dev-retry': { password: 'pw-retry', role: 'device', endpointId: 'os::SIM-RETRY' },
  'dev-kill': { password: 'pw-kill', role: 'device', endpointId: 'os::SIM-KILL' },
  'dev-tls': { password: 'pw-tls', role: 'device', endpointId: 'os::SIM-TLS' },
  'dev-probe': { password: 'pw-probe', role: 'device', endpointId: 'os::SIM-PROBE' },
  'dev-reconnect': { password: 'pw-reconnect', role: 'device', endpointId: 'os::SIM-RECONNECT' },
};
for (let n = 1; n <= FLEET_SIZE; n++)
  accounts[`fleet-${n}`] = { password: 'fleet-pw', role: 'device', endpointId: `os::FLEET-${n}` };

// The default policy lets a device publish to <p>/controller and <p>/controller/<its endpoint
// id>, not to the 3.1.1 reply-to form (R-MQTT.24) `<p>/controller/reply-to=<its agent topic>`.
const replyToRule = parseRule({
  id: 'test:device:publish-controller-reply-to',
  subject: 'role:device',
  action: 'publish',
  topic: `${p}/controller/reply-to=${p.replaceAll('/', '%%2F')}%%2Fagent%%2F%e`,
  effect: 'allow',
});

describe('USP agent simulator', () => {
  let broker: TestBroker;
  let controller: MqttClient;
  const received: Received[] = [];
  const agents: UspAgent[] = [];

  const agentOptions = (
    username: string,
    extra: Partial<UspAgentOptions> = {},
  ): UspAgentOptions => ({
    url: broker.url,
    endpointId: accounts[username]!.endpointId!,
    username,
    password: accounts[username]!.password,
    controllerId: CONTROLLER_ID,
    rebootDelayMs: 50,
    ...extra,
  });

  async function startAgent(
    username: string,
    extra: Partial<UspAgentOptions> = {},
  ): Promise<UspAgent> {
    const agent = new UspAgent(agentOptions(username, extra));
    agents.push(agent);
    await agent.start();
    return agent;
  }

  function receivedFrom(endpointId: string, match: (r: Received) => boolean): Received | undefined {
    return received.find((r) => r.record.fromId === endpointId && match(r));
  }

  const isNotify = (r: Received, eventName: string) =>
    r.msg?.body?.request?.notify?.event?.eventName === eventName;

  /** Sends a request Record to an agent and waits for the answer with the same msg_id. */
  async function request(
    agent: UspAgent,
    body: usp.IRequest,
    msgType: usp.Header.MsgType,
    options: { v5?: boolean; topicSuffix?: string } = {},
  ): Promise<Received> {
    const msgId = `req-${Math.random().toString(36).slice(2)}`;
    const record = encodeUspRecord({
      version: '1.4',
      toId: agent.endpointId,
      fromId: CONTROLLER_ID,
      noSessionContext: {
        payload: encodeUspMsg({ header: { msgId, msgType }, body: { request: body } }),
      },
    });
    await controller.publishAsync(
      `${agent.agentTopic!}${options.topicSuffix ?? ''}`,
      Buffer.from(record),
      {
        qos: 1,
        ...(options.v5 !== false
          ? {
              properties: {
                contentType: 'usp.msg',
                responseTopic: `${p}/api/${agent.endpointId}`,
                correlationData: Buffer.from(`corr-${msgId}`),
              },
            }
          : {}),
      },
    );
    return eventually(`answer to ${msgId}`, () =>
      receivedFrom(agent.endpointId, (r) => r.msg?.header?.msgId === msgId),
    );
  }

  beforeAll(async () => {
    broker = await startTestBroker(accounts, { extraRules: [replyToRule] });
    controller = await connectClient(broker.url, {
      protocolVersion: 5,
      clientId: 'test-controller',
      username: 'controller',
      password: 'ctrl-pw',
    });
    controller.on('message', (topic, payload, packet) => {
      const record = decodeUspRecord(payload);
      const bytes = record.noSessionContext?.payload;
      const msg = bytes ? (decodeUspMsg(bytes) as Decoded<usp.IMsg>) : undefined;
      received.push({ topic, packet, record, msg });
    });
    await controller.subscribeAsync([`${p}/controller/#`, `${p}/api/#`], { qos: 1 });
  });

  afterAll(async () => {
    for (const agent of agents) agent.kill();
    await end(controller);
    await broker.stop();
  });

  describe('in MQTT 5 mode', () => {
    let agent: UspAgent;

    beforeAll(async () => {
      agent = await startAgent('dev-v5');
    });

    it('connects with a broker-assigned client id and learns its agent topic from CONNACK', () => {
      expect(agent.clientId).toBeTruthy();
      expect(agent.clientId).not.toBe(agent.endpointId);
      expect(broker.engine.connections.has(agent.clientId!)).toBe(true);
      expect(agent.agentTopic).toBe(`${p}/agent/os::SIM-V5`);
    });

    it('publishes an MQTTConnect Record to the controller topic with Content Type and Response Topic', async () => {
      const connect = await eventually('MQTTConnect Record', () =>
        receivedFrom('os::SIM-V5', (r) => r.record.mqttConnect != null),
      );
      expect(connect.topic).toBe(`${p}/controller`);
      expect(connect.record.toId).toBe(CONTROLLER_ID);
      expect(connect.record.mqttConnect).toEqual(
        expect.objectContaining({
          version: usp_record.MQTTConnectRecord.MQTTVersion.V5,
          subscribedTopic: `${p}/agent/os::SIM-V5`,
        }),
      );
      expect(connect.packet.properties).toEqual(
        expect.objectContaining({ contentType: 'usp.msg', responseTopic: `${p}/agent/os::SIM-V5` }),
      );
    });

    it('sends Boot! with the TR-181 arguments after the Connect Record, and stops resending on NotifyResp', async () => {
      const boot = await eventually('Boot!', () =>
        receivedFrom('os::SIM-V5', (r) => isNotify(r, 'Boot!')),
      );
      const connectIndex = received.findIndex(
        (r) => r.record.fromId === 'os::SIM-V5' && r.record.mqttConnect != null,
      );
      expect(received.indexOf(boot)).toBeGreaterThan(connectIndex);
      const notify = boot.msg!.body!.request!.notify!;
      expect(notify.sendResp).toBe(true);
      expect(notify.event).toEqual(
        expect.objectContaining({ objPath: 'Device.', eventName: 'Boot!' }),
      );
      expect(notify.event!.params).toEqual(
        expect.objectContaining({ Cause: 'LocalReboot', CommandKey: '', FirmwareUpdated: 'false' }),
      );
      expect(JSON.parse(notify.event!.params!.ParameterMap!)).toEqual(
        expect.objectContaining({ 'Device.DeviceInfo.SerialNumber': 'SIM-V5' }),
      );
      await controller.publishAsync(
        agent.agentTopic!,
        Buffer.from(
          encodeUspRecord({
            version: '1.4',
            toId: agent.endpointId,
            fromId: CONTROLLER_ID,
            noSessionContext: {
              payload: encodeUspMsg({
                header: { msgId: boot.msg!.header!.msgId!, msgType: MsgType.NOTIFY_RESP },
                body: { response: { notifyResp: { subscriptionId: notify.subscriptionId! } } },
              }),
            },
          }),
        ),
        { qos: 1 },
      );
      await eventually('NotifyResp taken', () =>
        agent.counters.notifiesAnswered >= 1 ? true : undefined,
      );
      expect(agent.notifiesPending).toBe(0);
    });

    it('answers Get on the Response Topic with the Correlation Data, msg_id and endpoint ids', async () => {
      const answer = await request(
        agent,
        { get: { paramPaths: ['Device.DeviceInfo.'] } },
        MsgType.GET,
      );
      expect(answer.topic).toBe(`${p}/api/os::SIM-V5`);
      expect(answer.record.fromId).toBe('os::SIM-V5');
      expect(answer.record.toId).toBe(CONTROLLER_ID);
      expect(answer.packet.properties?.correlationData?.toString()).toBe(
        `corr-${answer.msg!.header!.msgId}`,
      );
      expect(answer.packet.properties?.contentType).toBe('usp.msg');
      expect(answer.msg!.header!.msgType).toBe(MsgType.GET_RESP);
      const [result] = answer.msg!.body!.response!.getResp!.reqPathResults;
      expect(result!.resolvedPathResults[0]!.resultParams).toEqual(
        expect.objectContaining({ SerialNumber: 'SIM-V5', Manufacturer: 'Octomesh' }),
      );
    });

    it('answers Set, Add and Delete and keeps the state between requests', async () => {
      const set = await request(
        agent,
        {
          set: {
            allowPartial: false,
            updateObjs: [
              {
                objPath: 'Device.Time.',
                paramSettings: [{ param: 'NTPServer1', value: 'ntp.test', required: true }],
              },
            ],
          },
        },
        MsgType.SET,
      );
      expect(set.msg!.header!.msgType).toBe(MsgType.SET_RESP);
      const added = await request(
        agent,
        {
          add: {
            allowPartial: false,
            createObjs: [
              {
                objPath: 'Device.NAT.PortMapping.',
                paramSettings: [
                  { param: 'ExternalPort', value: '8443', required: true },
                  { param: 'InternalClient', value: '192.168.1.20', required: true },
                ],
              },
            ],
          },
        },
        MsgType.ADD,
      );
      const success =
        added.msg!.body!.response!.addResp!.createdObjResults[0]!.operStatus!.operSuccess!;
      expect(success.instantiatedPath).toBe('Device.NAT.PortMapping.1.');
      const read = await request(
        agent,
        {
          get: { paramPaths: ['Device.Time.NTPServer1', 'Device.NAT.PortMapping.*.ExternalPort'] },
        },
        MsgType.GET,
      );
      expect(
        read.msg!.body!.response!.getResp!.reqPathResults.map((r) =>
          r.resolvedPathResults.map((x) => [x.resolvedPath, x.resultParams]),
        ),
      ).toEqual([
        [['Device.Time.', { NTPServer1: 'ntp.test' }]],
        [['Device.NAT.PortMapping.1.', { ExternalPort: '8443' }]],
      ]);
      const deleted = await request(
        agent,
        { delete: { allowPartial: false, objPaths: ['Device.NAT.PortMapping.1.'] } },
        MsgType.DELETE,
      );
      expect(
        deleted.msg!.body!.response!.deleteResp!.deletedObjResults[0]!.operStatus!.operSuccess!
          .affectedPaths,
      ).toEqual(['Device.NAT.PortMapping.1.']);
    });

    it('answers an unknown path with a USP Error', async () => {
      const answer = await request(
        agent,
        {
          set: {
            allowPartial: false,
            updateObjs: [{ objPath: 'Device.Nope.', paramSettings: [{ param: 'X', value: '1' }] }],
          },
        },
        MsgType.SET,
      );
      expect(answer.msg!.header!.msgType).toBe(MsgType.ERROR);
      expect(answer.msg!.body!.error!.errCode).toBe(UspErrorCodes.invalidPath);
    });

    it('runs Reboot() asynchronously: OperateResp first, then OperationComplete and Boot! RemoteReboot', async () => {
      const answer = await request(
        agent,
        { operate: { command: 'Device.Reboot()', commandKey: 'reboot-key', sendResp: true } },
        MsgType.OPERATE,
      );
      expect(answer.msg!.body!.response!.operateResp!.operationResults[0]!.reqObjPath).toBe(
        'Device.LocalAgent.Request.1.',
      );
      const complete = await eventually('OperationComplete', () =>
        receivedFrom('os::SIM-V5', (r) => r.msg?.body?.request?.notify?.operComplete != null),
      );
      expect(complete.topic).toBe(`${p}/controller`);
      expect(complete.record.toId).toBe(CONTROLLER_ID);
      expect(complete.msg!.body!.request!.notify!.operComplete).toEqual(
        expect.objectContaining({
          objPath: 'Device.',
          commandName: 'Reboot()',
          commandKey: 'reboot-key',
        }),
      );
      const reboot = await eventually('Boot! after Reboot()', () =>
        receivedFrom(
          'os::SIM-V5',
          (r) =>
            isNotify(r, 'Boot!') &&
            r.msg!.body!.request!.notify!.event!.params!.Cause === 'RemoteReboot',
        ),
      );
      expect(reboot.msg!.body!.request!.notify!.event!.params!.CommandKey).toBe('reboot-key');
    });
  });

  describe('in MQTT 3.1.1 mode', () => {
    let agent: UspAgent;
    const replyTopic = `${p}/controller${replyToSuffix(`${p}/agent/os::SIM-V3`)}`;

    beforeAll(async () => {
      agent = await startAgent('dev-v3', { mqttVersion: '3.1.1' });
    });

    it('uses its endpoint id as client id and sends the Connect Record and Boot! to <controller>/reply-to=', async () => {
      expect(agent.clientId).toBe('os::SIM-V3');
      expect(broker.engine.connections.has('os::SIM-V3')).toBe(true);
      const connect = await eventually('MQTTConnect Record', () =>
        receivedFrom('os::SIM-V3', (r) => r.record.mqttConnect != null),
      );
      expect(connect.topic).toBe(replyTopic);
      expect(connect.topic).toBe(
        `${p}/controller/reply-to=oktopus%2Fusp%2Fv1%2Fagent%2Fos::SIM-V3`,
      );
      expect(connect.record.mqttConnect!.version).toBe(
        usp_record.MQTTConnectRecord.MQTTVersion.V3_1_1,
      );
      const boot = await eventually('Boot!', () =>
        receivedFrom('os::SIM-V3', (r) => isNotify(r, 'Boot!')),
      );
      expect(boot.topic).toBe(replyTopic);
    });

    it('receives requests on <agent topic>/# and answers on the reply-to topic', async () => {
      const plain = await request(
        agent,
        { get: { paramPaths: ['Device.LocalAgent.EndpointID'] } },
        MsgType.GET,
        {
          v5: false,
        },
      );
      expect(plain.topic).toBe(replyTopic);
      expect(plain.record.toId).toBe(CONTROLLER_ID);
      expect(
        plain.msg!.body!.response!.getResp!.reqPathResults[0]!.resolvedPathResults[0]!.resultParams,
      ).toEqual({
        EndpointID: 'os::SIM-V3',
      });
      // A request naming its own reply-to topic [R-MQTT.25].
      const named = await request(
        agent,
        { add: { allowPartial: true, createObjs: [{ objPath: 'Device.NAT.PortMapping.' }] } },
        MsgType.ADD,
        { v5: false, topicSuffix: replyToSuffix(`${p}/controller`) },
      );
      expect(named.topic).toBe(replyTopic);
      expect(named.msg!.header!.msgType).toBe(MsgType.ADD_RESP);
    });

    it('answers Set, Delete and Operate', async () => {
      const set = await request(
        agent,
        {
          set: {
            updateObjs: [
              {
                objPath: 'Device.WiFi.SSID.1.',
                paramSettings: [{ param: 'SSID', value: 'v3', required: true }],
              },
            ],
          },
        },
        MsgType.SET,
        { v5: false },
      );
      expect(
        set.msg!.body!.response!.setResp!.updatedObjResults[0]!.operStatus!.operSuccess,
      ).toBeTruthy();
      const del = await request(
        agent,
        { delete: { objPaths: ['Device.NAT.PortMapping.*.'] } },
        MsgType.DELETE,
        {
          v5: false,
        },
      );
      expect(
        del.msg!.body!.response!.deleteResp!.deletedObjResults[0]!.operStatus!.operSuccess!
          .affectedPaths,
      ).toEqual(['Device.NAT.PortMapping.1.']);
      const reset = await request(
        agent,
        { operate: { command: 'Device.FactoryReset()', sendResp: true } },
        MsgType.OPERATE,
        { v5: false },
      );
      expect(reset.msg!.body!.response!.operateResp!.operationResults[0]!.reqOutputArgs).toEqual({
        outputArgs: {},
      });
    });
  });

  it('resends a Notify nobody answers a bounded number of times, with the same msg_id', async () => {
    const agent = await startAgent('dev-retry', {
      notifyRetry: { attempts: 2, minWaitMs: 50, multiplier: 2 },
    });
    await eventually(
      'retries given up',
      () => (agent.counters.notifiesGivenUp === 1 ? true : undefined),
      10_000,
    );
    const boots = received.filter(
      (r) => r.record.fromId === 'os::SIM-RETRY' && isNotify(r, 'Boot!'),
    );
    expect(boots).toHaveLength(3);
    expect(new Set(boots.map((b) => b.msg!.header!.msgId)).size).toBe(1);
    expect(agent.counters.notifyResends).toBe(2);
  });

  it('drops its connection without DISCONNECT when killed', async () => {
    const agent = await startAgent('dev-kill', { boot: false });
    const clientId = agent.clientId!;
    expect(broker.engine.connections.has(clientId)).toBe(true);
    agent.kill();
    await eventually('broker saw the connection drop', () =>
      broker.engine.connections.has(clientId) ? undefined : true,
    );
    expect(agent.isOnline).toBe(false);
  });

  it('reconnects when the broker drops it (if asked to) and announces itself again without Boot!', async () => {
    const events: string[] = [];
    const agent = await startAgent('dev-reconnect', {
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      onEvent: (event) =>
        events.push(`${event.type}${event.type === 'online' && event.reconnect ? ' again' : ''}`),
    });
    const firstClientId = agent.clientId!;
    await eventually('first Boot!', () =>
      receivedFrom('os::SIM-RECONNECT', (r) => isNotify(r, 'Boot!')),
    );
    broker.engine.connections.get(firstClientId)!.close(ReasonCodes.administrativeAction, 'test');
    await eventually('reconnected', () => (agent.counters.reconnects === 1 ? true : undefined));
    expect(events).toEqual(['online', 'offline', 'online again']);
    expect(agent.clientId).not.toBe(firstClientId);
    const connects = () =>
      received.filter(
        (r) => r.record.fromId === 'os::SIM-RECONNECT' && r.record.mqttConnect != null,
      );
    await eventually('second Connect Record', () => (connects().length === 2 ? true : undefined));
    const boots = received.filter(
      (r) => r.record.fromId === 'os::SIM-RECONNECT' && isNotify(r, 'Boot!'),
    );
    expect(new Set(boots.map((b) => b.msg!.header!.msgId)).size).toBe(1);
    const answer = await request(
      agent,
      { get: { paramPaths: ['Device.DeviceInfo.SerialNumber'] } },
      MsgType.GET,
    );
    expect(answer.msg!.header!.msgType).toBe(MsgType.GET_RESP);
  });

  it('opens an idle probe connection that sends nothing, besides its MQTT connection', async () => {
    const accepted = broker.engine.counters.connectionsAccepted;
    const connected = broker.engine.connections.size;
    await startAgent('dev-probe', { probe: true, boot: false });
    await eventually('probe accepted', () =>
      broker.engine.counters.connectionsAccepted >= accepted + 2 ? true : undefined,
    );
    expect(broker.engine.connections.size).toBe(connected + 1);
  });

  it('refuses to start with a clear error when CONNACK or SUBACK refuses it', async () => {
    await expect(
      new UspAgent(agentOptions('dev-kill', { password: 'wrong' })).start(),
    ).rejects.toMatchObject({
      code: MqttClientErrorCodes.connackRefused,
      message: expect.stringMatching(/CONNACK 0x86 badUserNameOrPassword/),
    });
    // Another device's agent topic: the default policy refuses the subscription.
    await expect(
      new UspAgent(
        agentOptions('dev-kill', { mqttVersion: '3.1.1', agentTopic: `${p}/agent/os::SIM-V5` }),
      ).start(),
    ).rejects.toMatchObject({
      code: MqttClientErrorCodes.subackRefused,
      message: expect.stringMatching(/SUBACK refused oktopus\/usp\/v1\/agent\/os::SIM-V5\/#/),
    });
  });

  it(`connects ${FLEET_SIZE} agents from one process and reports progress`, async () => {
    const progress: FleetProgress[] = [];
    const fleet = new AgentFleet({
      count: FLEET_SIZE,
      endpointIdPattern: 'os::FLEET-%d',
      usernamePattern: 'fleet-%d',
      passwordPattern: 'fleet-pw',
      concurrency: 50,
      progressIntervalMs: 0,
      onProgress: (p) => progress.push(p),
      agent: { url: broker.url, controllerId: CONTROLLER_ID, boot: false },
    });
    try {
      const final = await fleet.start();
      expect(final).toEqual(
        expect.objectContaining({
          total: FLEET_SIZE,
          connected: FLEET_SIZE,
          failed: 0,
          done: true,
        }),
      );
      expect(final.ratePerSecond).toBeGreaterThan(0);
      expect(progress.at(-1)).toEqual(
        expect.objectContaining({ connected: FLEET_SIZE, done: true }),
      );
      expect(progress.length).toBeGreaterThan(2);
      expect(progress.map((x) => x.connected)).toEqual(
        [...progress.map((x) => x.connected)].sort((a, b) => a - b),
      );
      expect(fleet.stats().online).toBe(FLEET_SIZE);
      const connects = new Set(
        received
          .filter((r) => r.record.mqttConnect != null && r.record.fromId.startsWith('os::FLEET-'))
          .map((r) => r.record.fromId),
      );
      await eventually('every Connect Record', () =>
        connects.size === FLEET_SIZE ? true : undefined,
      );
      // One of them answers like the rest.
      const answer = await request(
        fleet.agents[FLEET_SIZE - 1]!,
        { getSupportedProtocol: {} },
        MsgType.GET_SUPPORTED_PROTO,
      );
      expect(
        answer.msg!.body!.response!.getSupportedProtocolResp!.agentSupportedProtocolVersions,
      ).toContain('1.4');
      await fleet.stop();
      expect(fleet.stats().online).toBe(0);
      await eventually('fleet gone from the broker', () =>
        [...broker.engine.connections.values()].some((c) =>
          String(c.clientId).startsWith('os::FLEET-'),
        )
          ? undefined
          : true,
      );
    } finally {
      fleet.kill();
    }
  });

  it('counts agents that fail to start, grouped by reason', async () => {
    const fleet = new AgentFleet({
      count: 3,
      endpointIdPattern: 'os::FLEET-%d',
      usernamePattern: 'fleet-%d',
      passwordPattern: 'not-the-password',
      agent: { url: broker.url, boot: false },
    });
    const final = await fleet.start();
    expect(final).toEqual(expect.objectContaining({ connected: 0, failed: 3, done: true }));
    expect(Object.entries(fleet.stats().failures)).toEqual([
      [expect.stringMatching(/CONNACK 0x86/), 3],
    ]);
  });

  describe('over TLS', () => {
    let ca: TestCertificateAuthority;
    let server: TlsServer;
    let url: string;

    beforeAll(async () => {
      ca = await createTestCertificateAuthority();
      const certificate = await ca.issueServerCertificate();
      server = createTlsServer({ cert: certificate.cert, key: certificate.key }, (socket) =>
        broker.engine.accept(socket, {
          sourceAddress: `${socket.remoteAddress}:${socket.remotePort}`,
          listener: 'mqtts',
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      // server.close() waits for open connections: drop the agents first.
      for (const agent of agents) agent.kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ca.cleanup();
    });

    it('connects to mqtts:// trusting the given CA and answers requests', async () => {
      const agent = await startAgent('dev-tls', { url, tls: { ca: ca.cert }, boot: false });
      const answer = await request(
        agent,
        { getInstances: { objPaths: ['Device.WiFi.SSID.'] } },
        MsgType.GET_INSTANCES,
      );
      expect(
        answer.msg!.body!.response!.getInstancesResp!.reqPathResults[0]!.currInsts,
      ).toHaveLength(2);
    });

    it('refuses a broker certificate it does not trust', async () => {
      await expect(
        new UspAgent(agentOptions('dev-tls', { url, boot: false })).start(),
      ).rejects.toMatchObject({
        code: MqttClientErrorCodes.connectFailed,
      });
    });
  });
});
