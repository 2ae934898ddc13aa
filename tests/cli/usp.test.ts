// `octomesh usp` and `octomesh devices` as an operator runs them: nats-server, auth, acl, broker and
// usp-router as separate processes; the agent is an MQTT.js v5 client behaving like OBUSPA
// (Connect Record first, answers on the request's Response Topic with its Correlation Data) and
// answering every request type with fixed responses; the CLI is the real `octomesh` process.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  Subjects,
  usp,
  usp_record,
} from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { addAccounts } from '../support/accounts.ts';
import { octomesh } from '../support/cli.ts';

const p = 'oktopus/usp/v1';
const CONTROLLER = 'oktopusController';
const AGENT = 'os::CLI-AGENT';
const SILENT = 'os::CLI-SILENT';
const T = usp.Header.MsgType;
const S = usp.GetSupportedDMResp;

// The agent's fixed answers, one per request type; a Get of Device.Secret. is refused with a USP
// Error message, a Get of Device.Nope. fails for that path only.
function answerFor(request: usp.IRequest): { msgType: usp.Header.MsgType; body: usp.IBody } {
  if (request.get != null) {
    if (request.get.paramPaths?.includes('Device.Secret.'))
      return {
        msgType: T.ERROR,
        body: { error: { errCode: 7006, errMsg: 'controller may not read this' } },
      };
    return {
      msgType: T.GET_RESP,
      body: {
        response: {
          getResp: {
            reqPathResults: (request.get.paramPaths ?? []).map((path) =>
              path === 'Device.Nope.'
                ? { requestedPath: path, errCode: 7026, errMsg: 'no such object' }
                : {
                    requestedPath: path,
                    resolvedPathResults: [
                      {
                        resolvedPath: 'Device.DeviceInfo.',
                        resultParams: { SerialNumber: 'SN-CLI-0001', Manufacturer: 'Octo' },
                      },
                    ],
                  },
            ),
          },
        },
      },
    };
  }
  if (request.set != null)
    return {
      msgType: T.SET_RESP,
      body: {
        response: {
          setResp: {
            updatedObjResults: (request.set.updateObjs ?? []).map((obj) => ({
              requestedPath: obj.objPath!,
              operStatus: {
                operSuccess: {
                  updatedInstResults: [
                    {
                      affectedPath: obj.objPath!,
                      updatedParams: Object.fromEntries(
                        (obj.paramSettings ?? []).map((s) => [s.param!, s.value!]),
                      ),
                    },
                  ],
                },
              },
            })),
          },
        },
      },
    };
  if (request.add != null)
    return {
      msgType: T.ADD_RESP,
      body: {
        response: {
          addResp: {
            createdObjResults: (request.add.createObjs ?? []).map((obj) => ({
              requestedPath: obj.objPath!,
              operStatus: {
                operSuccess: {
                  instantiatedPath: `${obj.objPath!}7.`,
                  uniqueKeys: { Alias: 'cpe-7' },
                },
              },
            })),
          },
        },
      },
    };
  if (request.delete != null)
    return {
      msgType: T.DELETE_RESP,
      body: {
        response: {
          deleteResp: {
            deletedObjResults: (request.delete.objPaths ?? []).map((path) => ({
              requestedPath: path,
              operStatus: { operSuccess: { affectedPaths: [path] } },
            })),
          },
        },
      },
    };
  if (request.operate != null) {
    const command = request.operate.command!;
    return {
      msgType: T.OPERATE_RESP,
      body: {
        response: {
          operateResp: {
            operationResults: [
              command === 'Device.IP.Diagnostics.IPPing()'
                ? { executedCommand: command, reqObjPath: 'Device.LocalAgent.Request.3.' }
                : {
                    executedCommand: command,
                    reqOutputArgs: { outputArgs: { ...request.operate.inputArgs } },
                  },
            ],
          },
        },
      },
    };
  }
  if (request.getInstances != null)
    return {
      msgType: T.GET_INSTANCES_RESP,
      body: {
        response: {
          getInstancesResp: {
            reqPathResults: (request.getInstances.objPaths ?? []).map((path) => ({
              requestedPath: path,
              currInsts: [
                { instantiatedObjPath: `${path}1.`, uniqueKeys: { Alias: 'lan' } },
                { instantiatedObjPath: `${path}2.`, uniqueKeys: { Alias: 'wan' } },
              ],
            })),
          },
        },
      },
    };
  if (request.getSupportedDm != null)
    return {
      msgType: T.GET_SUPPORTED_DM_RESP,
      body: {
        response: {
          getSupportedDmResp: {
            reqObjResults: (request.getSupportedDm.objPaths ?? []).map((path) => ({
              reqObjPath: path,
              supportedObjs: [
                {
                  supportedObjPath: 'Device.IP.Interface.{i}.',
                  access: S.ObjAccessType.OBJ_ADD_DELETE,
                  isMultiInstance: true,
                  supportedParams: [
                    {
                      paramName: 'Enable',
                      access: S.ParamAccessType.PARAM_READ_WRITE,
                      valueType: S.ParamValueType.PARAM_BOOLEAN,
                    },
                  ],
                  supportedCommands: [{ commandName: 'Reset()', commandType: S.CmdType.CMD_SYNC }],
                  uniqueKeySets: [{ keyNames: ['Alias'] }],
                },
              ],
            })),
          },
        },
      },
    };
  return {
    msgType: T.ERROR,
    body: { error: { errCode: 7001, errMsg: 'not supported by this test agent' } },
  };
}

describe('octomesh usp and devices', () => {
  let server: TestBus;
  // The operator's identity, as the CLI has: writes the accounts, reads the endpoint registry.
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  const clients: MqttClient[] = [];
  const received: usp.Msg[] = [];
  let mqttUrl: string;

  async function startAgent(id: string, username: string, answers: boolean): Promise<void> {
    const client = await connectClient(mqttUrl, {
      protocolVersion: 5,
      clientId: '',
      username,
      password: `pw-${username}`,
      properties: { userProperties: { 'usp-endpoint-id': id }, requestResponseInformation: true },
    });
    clients.push(client);
    const topic = `${p}/agent/${id}`;
    client.on('message', (_topic, payload, packet) => {
      const record = decodeUspRecord(payload);
      const msg = decodeUspMsg(record.noSessionContext!.payload!);
      received.push(msg);
      if (!answers || msg.body?.request == null) return;
      const { msgType, body } = answerFor(msg.body.request);
      const answer = encodeUspRecord({
        version: '1.4',
        toId: record.fromId,
        fromId: id,
        noSessionContext: {
          payload: encodeUspMsg({ header: { msgId: msg.header!.msgId, msgType }, body }),
        },
      });
      client.publish(packet.properties!.responseTopic!, Buffer.from(answer), {
        qos: 1,
        properties: {
          contentType: 'usp.msg',
          correlationData: packet.properties!.correlationData!,
        },
      });
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
  }

  const runUsp = (...args: string[]) => octomesh(['usp', ...args], server);
  const lastReceived = () => received.at(-1)!;

  beforeAll(async () => {
    server = await startSecuredBus();
    nc = await server.connect('admin', 'cli-usp');
    await addAccounts(nc, [
      { username: 'agent', password: 'pw-agent', role: Roles.device, endpointId: AGENT },
      { username: 'silent', password: 'pw-silent', role: Roles.device, endpointId: SILENT },
    ]);
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    const broker = await startService('broker', server, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
    });
    services.push(broker);
    services.push(await startService('usp-router', server));
    mqttUrl = `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
    await startAgent(AGENT, 'agent', true);
    await startAgent(SILENT, 'silent', false);
    // The agent topic comes with the Connect Record: wait until the registry has both.
    await eventually(
      'both agents registered online with their topic',
      async () => {
        const list = await call(
          nc,
          Subjects.uspEndpoints,
          { onlineOnly: true, prefix: 'os::CLI-' },
          {
            timeoutMs: 3000,
            request: MeshCodecs.uspListEndpointsRequest,
            reply: MeshCodecs.uspListEndpointsReply,
          },
        );
        return list.endpoints.filter((e) => e.agentTopic !== '').length === 2 ? true : undefined;
      },
      15_000,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('devices lists the agent online, last seen, with its topic, MQTT version and replica', async () => {
    const { code, stdout, stderr } = await octomesh(['devices', '--prefix', 'os::CLI-'], server);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toMatch(/^ENDPOINT\s+STATE\s+LAST SEEN\s+AGENT TOPIC\s+MQTT/);
    expect(stdout).toMatch(
      new RegExp(
        `^${AGENT}\\s+online\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(\\d+ s ago\\)\\s+${p}/agent/${AGENT}\\s+5\\s+\\S+$`,
        'm',
      ),
    );
  });

  test('devices --json parses and --limit truncates', async () => {
    const { code, stdout } = await octomesh(
      ['devices', '--prefix', 'os::CLI-', '--limit', '1', '--json'],
      server,
    );
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { endpoints: Record<string, unknown>[]; truncated: boolean };
    expect(json.truncated).toBe(true);
    expect(json.endpoints).toHaveLength(1);
    expect(json.endpoints[0]).toMatchObject({
      endpointId: expect.stringMatching(/^os::CLI-/),
      online: true,
      mqttVersion: 5,
    });
    const table = await octomesh(['devices', '--prefix', 'os::CLI-', '--limit', '1'], server);
    expect(table.stdout).toMatch(/^truncated/m);
  });

  test('usp get prints Path.Param = value lines, with a fresh cli- msg_id per request', async () => {
    const { code, stdout, stderr } = await runUsp('get', AGENT, 'Device.DeviceInfo.');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      'Device.DeviceInfo.Manufacturer = Octo\nDevice.DeviceInfo.SerialNumber = SN-CLI-0001\n',
    );
    const first = lastReceived();
    expect(first.header?.msgId).toMatch(/^cli-/);
    expect(first.body?.request?.get?.paramPaths).toEqual(['Device.DeviceInfo.']);
    await runUsp('get', AGENT, 'Device.DeviceInfo.');
    expect(lastReceived().header?.msgId).not.toBe(first.header?.msgId);
  });

  test('usp get --json prints the decoded answer as JSON', async () => {
    const { code, stdout } = await runUsp('get', AGENT, 'Device.DeviceInfo.', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      header: { msgType: string };
      body: { response: { getResp: { reqPathResults: unknown[] } } };
    };
    expect(json.header.msgType).toBe('GET_RESP');
    expect(json.body.response.getResp.reqPathResults[0]).toMatchObject({
      requestedPath: 'Device.DeviceInfo.',
      resolvedPathResults: [{ resultParams: { SerialNumber: 'SN-CLI-0001' } }],
    });
  });

  test('a path the agent cannot resolve is printed as its error and exits 1', async () => {
    const { code, stdout } = await runUsp('get', AGENT, 'Device.DeviceInfo.', 'Device.Nope.');
    expect(code).toBe(1);
    expect(stdout).toContain('Device.DeviceInfo.SerialNumber = SN-CLI-0001');
    expect(stdout).toContain('Device.Nope.: error 7026 Invalid path: no such object');
  });

  test('a USP Error answer is printed clearly and exits 1', async () => {
    const { code, stdout, stderr } = await runUsp('get', AGENT, 'Device.Secret.');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'octomesh usp: agent answered with USP Error 7006 Permission denied: controller may not read this\n',
    );
  });

  test('usp set groups parameters by object and prints what the agent updated', async () => {
    const { code, stdout } = await runUsp(
      'set',
      AGENT,
      'Device.Time.NTPServer1=pool.ntp.org',
      'Device.Time.Enable=true',
    );
    expect(code).toBe(0);
    expect(stdout).toBe('Device.Time.Enable = true\nDevice.Time.NTPServer1 = pool.ntp.org\n');
    expect(lastReceived().body?.request?.set?.updateObjs).toEqual([
      {
        objPath: 'Device.Time.',
        paramSettings: [
          { param: 'NTPServer1', value: 'pool.ntp.org', required: true },
          { param: 'Enable', value: 'true', required: true },
        ],
      },
    ]);
  });

  test('usp add prints the new instance and its unique keys', async () => {
    const { code, stdout } = await runUsp('add', AGENT, 'Device.IP.Interface.', 'Alias=cpe-7');
    expect(code).toBe(0);
    expect(stdout).toBe('created Device.IP.Interface.7.\n  Alias = cpe-7\n');
  });

  test('usp delete prints the deleted paths', async () => {
    const { code, stdout } = await runUsp('delete', AGENT, 'Device.IP.Interface.7.');
    expect(code).toBe(0);
    expect(stdout).toBe('deleted Device.IP.Interface.7.\n');
  });

  test('usp operate prints output arguments, or "started" for an asynchronous command', async () => {
    const sync = await runUsp('operate', AGENT, 'Device.Echo()', 'Text=hi');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toBe('Device.Echo() done\n  Text = hi\n');
    expect(lastReceived().body?.request?.operate).toMatchObject({
      command: 'Device.Echo()',
      sendResp: true,
      commandKey: expect.stringMatching(/^cli-/),
    });
    const started = await runUsp(
      'operate',
      AGENT,
      'Device.IP.Diagnostics.IPPing()',
      'Host=10.0.0.1',
      '--command-key',
      'ping-1',
    );
    expect(started.code).toBe(0);
    expect(started.stdout).toBe(
      'Device.IP.Diagnostics.IPPing() started: Device.LocalAgent.Request.3.\n',
    );
    expect(lastReceived().body?.request?.operate?.commandKey).toBe('ping-1');
  });

  test('usp instances prints each instance with its unique keys', async () => {
    const { code, stdout } = await runUsp('instances', AGENT, 'Device.IP.Interface.');
    expect(code).toBe(0);
    expect(stdout).toBe('Device.IP.Interface.1.  Alias=lan\nDevice.IP.Interface.2.  Alias=wan\n');
  });

  test('usp supported prints objects with their parameters, commands and keys', async () => {
    const { code, stdout } = await runUsp('supported', AGENT, 'Device.IP.', '--no-events');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'Device.IP.Interface.{i}. (multi-instance, add/delete)',
        '  Enable   boolean, read-write',
        '  Reset()  sync command',
        '  unique key: Alias',
        '',
      ].join('\n'),
    );
    expect(lastReceived().body?.request?.getSupportedDm).toMatchObject({
      objPaths: ['Device.IP.'],
      returnEvents: false,
      returnParams: true,
    });
  });

  test('an unknown endpoint exits 1 with a one-line message', async () => {
    const { code, stdout, stderr } = await runUsp('get', 'os::NOBODY', 'Device.');
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'octomesh usp: unknown endpoint os::NOBODY\n',
    });
  });

  test('a silent agent exits 1 with the timeout message once --timeout has passed', async () => {
    const started = Date.now();
    const { code, stderr } = await runUsp('get', SILENT, 'Device.', '--timeout', '500');
    expect(code).toBe(1);
    expect(stderr).toBe(`octomesh usp: no answer from ${SILENT} within 500 ms\n`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  test('bad usage exits 2 before anything is sent', async () => {
    const before = received.length;
    const { code, stderr } = await runUsp('set', AGENT, 'Device.Time.Enable');
    expect(code).toBe(2);
    expect(stderr).toContain('set: Device.Time.Enable has no =value');
    expect(received.length).toBe(before);
  });
});
