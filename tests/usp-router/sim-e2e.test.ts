// Simulated agents (@octomesh/usp-sim) in both MQTT versions through broker, auth, acl and
// usp-router as separate processes: Get/Set/Add/Delete/Operate round trips by the controller
// API, Boot! notifications answered, and the default ACL policy letting 3.1.1 agents answer.
import {
  decodeUspMsg,
  encodeUspMsg,
  Roles,
  Subjects,
  usp,
  uspNotifyWildcard,
} from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import { AgentFleet, UspMqttVersions, type UspMqttVersion } from '@octomesh/usp-sim';
import { addAccounts } from '../support/accounts.ts';
import { eventually } from '../mqtt-engine/clients.ts';

const MT = usp.Header.MsgType;
let msgCounter = 0;

describe.each([UspMqttVersions.v5, UspMqttVersions.v311])(
  'simulated agents over MQTT %s through the whole mesh',
  (mqttVersion: UspMqttVersion) => {
    let server: TestBus;
    /** The test as a USP controller application: notifications and the controller API. */
    let nc: NatsConnection;
    const services: ServiceProcess[] = [];
    let fleet: AgentFleet;
    const boots: string[] = [];
    const tag = mqttVersion === UspMqttVersions.v5 ? 'V5' : 'V3';
    const id = (n: number) => `os::SIM${tag}-${n}`;

    const send = async (endpointId: string, msg: usp.IMsg): Promise<usp.Msg> => {
      const msgId = `sim-e2e-${++msgCounter}`;
      const reply = await call(
        nc,
        Subjects.uspSend,
        {
          endpointId,
          msg: encodeUspMsg({ ...msg, header: { ...msg.header, msgId } }),
          timeoutMs: 5000,
        },
        { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
      );
      const answer = decodeUspMsg(reply.msg);
      expect(answer.header?.msgId).toBe(msgId);
      return answer;
    };

    beforeAll(async () => {
      server = await startSecuredBus();
      nc = await server.connect('controller', 'sim-e2e');
      nc.subscribe(uspNotifyWildcard, {
        callback: (_e, m) => {
          boots.push(m.subject);
        },
      });
      // Accounts are written as the CLI would: with the admin identity.
      const admin = await server.connect('admin', 'sim-e2e-admin');
      try {
        await addAccounts(
          admin,
          Array.from({ length: 3 }, (_, n) => ({
            username: `sim${tag}-${n + 1}`,
            password: 'sim-pw',
            role: Roles.device,
            endpointId: id(n + 1),
          })),
        );
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
      services.push(await startService('usp-router', server));
      fleet = new AgentFleet({
        count: 3,
        endpointIdPattern: `os::SIM${tag}-%d`,
        usernamePattern: `sim${tag}-%d`,
        passwordPattern: 'sim-pw',
        agent: { url: `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`, mqttVersion },
      });
      const progress = await fleet.start();
      expect(progress.connected).toBe(3);
    }, 90_000);

    afterAll(async () => {
      await fleet?.stop();
      await Promise.all(services.map((s) => s.stop()));
      await nc?.close();
      await server?.stop();
    });

    test('Boot! reaches controllers and is answered, so agents stop resending', async () => {
      await eventually(
        '3 Boot! notifications',
        () => (boots.length >= 3 ? true : undefined),
        10_000,
      );
      await eventually(
        'no notification waiting for NotifyResp',
        () => (fleet.agents.every((a) => a.notifiesPending === 0) ? true : undefined),
        10_000,
      );
    });

    test('Get returns the agent’s own DeviceInfo', async () => {
      const answer = await send(id(1), {
        header: { msgType: MT.GET },
        body: { request: { get: { paramPaths: ['Device.DeviceInfo.SerialNumber'] } } },
      });
      const result = answer.body?.response?.getResp?.reqPathResults?.[0];
      expect(result?.errCode ?? 0).toBe(0);
      expect(result?.resolvedPathResults?.[0]?.resultParams?.['SerialNumber']).toBeTruthy();
    });

    test('Set changes a writable parameter, and Get reads it back', async () => {
      const set = await send(id(2), {
        header: { msgType: MT.SET },
        body: {
          request: {
            set: {
              allowPartial: false,
              updateObjs: [
                {
                  objPath: 'Device.Time.',
                  paramSettings: [
                    { param: 'NTPServer1', value: 'ntp.example.net', required: true },
                  ],
                },
              ],
            },
          },
        },
      });
      expect(set.body?.response?.setResp?.updatedObjResults?.length).toBe(1);
      const get = await send(id(2), {
        header: { msgType: MT.GET },
        body: { request: { get: { paramPaths: ['Device.Time.NTPServer1'] } } },
      });
      expect(
        get.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]?.resultParams?.[
          'NTPServer1'
        ],
      ).toBe('ntp.example.net');
    });

    test('Add creates a PortMapping instance and Delete removes it', async () => {
      const add = await send(id(3), {
        header: { msgType: MT.ADD },
        body: {
          request: {
            add: {
              allowPartial: false,
              createObjs: [
                {
                  objPath: 'Device.NAT.PortMapping.',
                  paramSettings: [{ param: 'ExternalPort', value: '8080', required: true }],
                },
              ],
            },
          },
        },
      });
      const created = add.body?.response?.addResp?.createdObjResults?.[0];
      const instance = created?.operStatus?.operSuccess?.instantiatedPath;
      expect(instance).toMatch(/^Device\.NAT\.PortMapping\.\d+\.$/);
      const del = await send(id(3), {
        header: { msgType: MT.DELETE },
        body: { request: { delete: { allowPartial: false, objPaths: [instance!] } } },
      });
      expect(
        del.body?.response?.deleteResp?.deletedObjResults?.[0]?.operStatus?.operSuccess
          ?.affectedPaths,
      ).toContain(instance);
    });

    test('Operate Reboot() is accepted as an asynchronous command', async () => {
      const answer = await send(id(1), {
        header: { msgType: MT.OPERATE },
        body: {
          request: { operate: { command: 'Device.Reboot()', commandKey: 'e2e', sendResp: true } },
        },
      });
      const result = answer.body?.response?.operateResp?.operationResults?.[0];
      expect(result?.executedCommand).toBe('Device.Reboot()');
      expect(result?.reqObjPath).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    });

    test('an unknown path comes back as a USP error, not a timeout', async () => {
      const answer = await send(id(2), {
        header: { msgType: MT.GET },
        body: { request: { get: { paramPaths: ['Device.NoSuchThing.'] } } },
      });
      const code =
        answer.body?.error?.errCode ?? answer.body?.response?.getResp?.reqPathResults?.[0]?.errCode;
      expect(code).toBeGreaterThanOrEqual(7000);
    });
  },
);
