import {
  ANONYMOUS_ROLE,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  usp,
  type FabricPublisher,
} from '@octomesh/contracts';
import { agentTopicFromConnect, classifyInbound, replyTopicFor } from './records.ts';

const CONTROLLERS = new Set(['oktopusController']);
const own = 'oktopus/usp/v1/agent/os::A';

function answerRecord(fromId: string): Uint8Array {
  return encodeUspRecord({
    version: '1.4',
    toId: 'oktopusController',
    fromId,
    noSessionContext: {
      payload: encodeUspMsg({
        header: { msgId: 'm-1', msgType: usp.Header.MsgType.GET_RESP },
        body: { response: { getResp: {} } },
      }),
    },
  });
}

function publisher(role: string, endpointId = 'os::A'): FabricPublisher {
  return { subject: `user-${role}`, role, endpointId, clientId: `client-${role}` };
}

describe('classifyInbound', () => {
  test('an answer from the device the broker authenticated is accepted', () => {
    const inbound = classifyInbound(answerRecord('os::A'), publisher(Roles.device), CONTROLLERS);
    expect(inbound).toMatchObject({ kind: 'answer', endpointId: 'os::A', msgId: 'm-1' });
  });

  test.each([ANONYMOUS_ROLE, Roles.controller, Roles.admin])(
    'a Record published by a %s identity is dropped as not-device, even with a matching endpoint id',
    (role) => {
      const inbound = classifyInbound(answerRecord('os::A'), publisher(role), CONTROLLERS);
      expect(inbound).toMatchObject({ kind: 'drop', reason: 'not-device' });
    },
  );

  test('a role is checked before the payload: garbage from a controller is not-device too', () => {
    const inbound = classifyInbound(
      new Uint8Array([0xff, 0x01]),
      publisher(Roles.controller, ''),
      CONTROLLERS,
    );
    expect(inbound).toMatchObject({ kind: 'drop', reason: 'not-device' });
  });

  test('a Record without a publisher, or from a device without endpoint id, is no-identity', () => {
    expect(classifyInbound(answerRecord('os::A'), undefined, CONTROLLERS)).toMatchObject({
      reason: 'no-identity',
    });
    expect(
      classifyInbound(answerRecord('os::A'), publisher(Roles.device, ''), CONTROLLERS),
    ).toMatchObject({ reason: 'no-identity' });
  });

  test.each([
    [0, 4],
    [1, 5],
  ])('a Connect Record of MQTT version %i registers MQTT %i', (version, mqtt) => {
    const record = encodeUspRecord({
      version: '1.4',
      toId: 'oktopusController',
      fromId: 'os::A',
      mqttConnect: { version, subscribedTopic: own },
    });
    expect(classifyInbound(record, publisher(Roles.device), CONTROLLERS)).toMatchObject({
      kind: 'connect',
      mqttVersion: mqtt,
    });
  });

  test('a Connect Record of an unknown MQTT version is dropped as bad-record', () => {
    // The encoder refuses an unknown enum value: write version 1, then patch it to 7.
    const bytes = Buffer.from(
      encodeUspRecord({
        version: '1.4',
        toId: 'oktopusController',
        fromId: 'os::A',
        mqttConnect: { version: 1, subscribedTopic: own },
      }),
    );
    const at = bytes.indexOf(Buffer.from([0x08, 0x01, 0x12]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 1] = 7;
    const record = new Uint8Array(bytes);
    expect(classifyInbound(record, publisher(Roles.device), CONTROLLERS)).toMatchObject({
      kind: 'drop',
      reason: 'bad-record',
    });
  });

  test('a device speaking for another endpoint is dropped as spoofed', () => {
    const inbound = classifyInbound(answerRecord('os::B'), publisher(Roles.device), CONTROLLERS);
    expect(inbound).toMatchObject({ kind: 'drop', reason: 'spoofed' });
  });
});

describe('agentTopicFromConnect', () => {
  test('a topic in the agent tree is registered without its trailing /#', () => {
    expect(agentTopicFromConnect(`${own}/sub/#`, own)).toEqual({
      agentTopic: `${own}/sub`,
      ignored: false,
    });
  });

  test('a topic outside the tree or with a wildcard is ignored (counted) for the own topic', () => {
    expect(agentTopicFromConnect('oktopus/usp/v1/agent/os::B', own)).toEqual({
      agentTopic: own,
      ignored: true,
    });
    expect(agentTopicFromConnect(`${own}/+`, own)).toEqual({ agentTopic: own, ignored: true });
  });

  test('no topic at all is not counted as ignored', () => {
    expect(agentTopicFromConnect('', own)).toEqual({ agentTopic: own, ignored: false });
  });
});

describe('replyTopicFor', () => {
  test('a Response Topic in the agent tree is used', () => {
    expect(replyTopicFor(`${own}/resp`, own, own)).toEqual({
      topic: `${own}/resp`,
      ignored: false,
    });
  });

  test('a Response Topic outside the tree is ignored for the registered topic', () => {
    expect(replyTopicFor('oktopus/usp/v1/agent/os::B', own, `${own}/reg`)).toEqual({
      topic: `${own}/reg`,
      ignored: true,
    });
  });

  test('without Response Topic or registration, the own topic is used', () => {
    expect(replyTopicFor(undefined, own, undefined)).toEqual({ topic: own, ignored: false });
  });
});
