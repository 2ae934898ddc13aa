import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  mesh,
  RequestRefusedError,
  usp,
} from '@octomesh/contracts';
import {
  checkSendRequest,
  PendingRequests,
  restoreAnswer,
  wireMsgIds,
  wireRequest,
  type RequestSettings,
} from './requests.ts';

const settings: RequestSettings = {
  controllerIds: ['ctrl-a', 'ctrl-b'],
  requestTimeoutMs: 30_000,
  maxRequestTimeoutMs: 60_000,
};

function getMsg(msgId: string): Uint8Array {
  return encodeUspMsg({
    header: { msgId, msgType: usp.Header.MsgType.GET },
    body: { request: { get: { paramPaths: ['Device.DeviceInfo.'] } } },
  });
}

function request(fields: Partial<mesh.usp.v1.ISendRequest>): mesh.usp.v1.SendRequest {
  return mesh.usp.v1.SendRequest.create({ endpointId: 'os::A', ...fields });
}

function refusal(run: () => unknown): { status: number; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof RequestRefusedError)) throw error;
    return { status: error.status, message: error.message };
  }
}

/** The msg_id of the Msg inside an encoded Record. */
function msgIdIn(record: Uint8Array): string {
  return decodeUspMsg(decodeUspRecord(record).noSessionContext!.payload!).header!.msgId!;
}

describe('checkSendRequest', () => {
  test('the first controller id is the default from_id and the deadline is capped', () => {
    expect(checkSendRequest(request({ msg: getMsg('x'), timeoutMs: 999_999 }), settings)).toEqual({
      endpointId: 'os::A',
      controllerId: 'ctrl-a',
      timeoutMs: 60_000,
    });
  });

  test('bad endpoint ids, both or neither of msg and record, and foreign controllers are 400', () => {
    const bad = [
      request({ endpointId: 'os/A', msg: getMsg('x') }),
      request({ msg: getMsg('x'), record: new Uint8Array([1]) }),
      request({}),
      request({ msg: getMsg('x'), controllerId: 'someone-else' }),
    ];
    for (const r of bad) expect(refusal(() => checkSendRequest(r, settings))?.status).toBe(400);
  });
});

describe('wireMsgIds', () => {
  test('ids keep the controller msg_id in front and differ on every call and per tag', () => {
    const a = wireMsgIds('aaaa');
    const b = wireMsgIds('bbbb');
    const ids = [a('same'), a('same'), b('same'), b('same')];
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id.startsWith('same#')).toBe(true);
  });

  test('a Msg without msg_id gets the router id alone', () => {
    expect(wireMsgIds('aaaa')('')).toBe('aaaa.1');
  });
});

describe('wireRequest', () => {
  const next = wireMsgIds('tag');

  test("a Msg goes out in a Record carrying the wire msg_id; the controller's is kept to restore", () => {
    const r = request({ msg: getMsg('ctrl-1') });
    const wire = wireRequest(r, checkSendRequest(r, settings), next);
    expect(wire.msgId).toBe('ctrl-1');
    expect(wire.wireMsgId).not.toBe('ctrl-1');
    const record = decodeUspRecord(wire.record);
    expect(record).toMatchObject({ toId: 'os::A', fromId: 'ctrl-a' });
    expect(msgIdIn(wire.record)).toBe(wire.wireMsgId);
  });

  test('a Msg without msg_id is answered with the router id', () => {
    const r = request({ msg: getMsg('') });
    const wire = wireRequest(r, checkSendRequest(r, settings), next);
    expect(wire.msgId).toBe(wire.wireMsgId);
    expect(msgIdIn(wire.record)).toBe(wire.wireMsgId);
  });

  test('two requests with one msg_id for one endpoint go out under different msg_ids', () => {
    const r = request({ msg: getMsg('dup') });
    const checked = checkSendRequest(r, settings);
    const first = wireRequest(r, checked, next);
    const second = wireRequest(r, checked, next);
    expect(first.wireMsgId).not.toBe(second.wireMsgId);
    expect([first.msgId, second.msgId]).toEqual(['dup', 'dup']);
  });

  test('a given Record keeps its fields and gets the wire msg_id', () => {
    const given = encodeUspRecord({
      version: '1.3',
      toId: 'os::A',
      fromId: 'ctrl-b',
      noSessionContext: { payload: getMsg('rec-1') },
    });
    const r = request({ record: given });
    const wire = wireRequest(r, checkSendRequest(r, settings), next);
    expect(decodeUspRecord(wire.record)).toMatchObject({
      version: '1.3',
      toId: 'os::A',
      fromId: 'ctrl-b',
    });
    expect(msgIdIn(wire.record)).toBe(wire.wireMsgId);
    expect(wire.msgId).toBe('rec-1');
  });

  test('Records to another endpoint, without msg_id, signed, or not no-session are 400', () => {
    const records = [
      { version: '1.4', toId: 'os::B', fromId: 'c', noSessionContext: { payload: getMsg('x') } },
      { version: '1.4', toId: 'os::A', fromId: 'c', noSessionContext: { payload: getMsg('') } },
      {
        version: '1.4',
        toId: 'os::A',
        fromId: 'c',
        macSignature: new Uint8Array([1, 2, 3]),
        noSessionContext: { payload: getMsg('x') },
      },
      { version: '1.4', toId: 'os::A', fromId: 'c', disconnect: { reason: 'bye' } },
    ];
    for (const record of records) {
      const r = request({ record: encodeUspRecord(record) });
      expect(refusal(() => wireRequest(r, checkSendRequest(r, settings), next))?.status).toBe(400);
    }
  });

  test('a Msg that does not decode is 400', () => {
    const r = request({ msg: new Uint8Array([0xff, 0xff, 0xff]) });
    expect(refusal(() => wireRequest(r, checkSendRequest(r, settings), next))?.status).toBe(400);
  });
});

describe('restoreAnswer', () => {
  function agentAnswer(msgId: string, macSignature?: Uint8Array) {
    const msg = encodeUspMsg({
      header: { msgId, msgType: usp.Header.MsgType.GET_RESP },
      body: { response: { getResp: { reqPathResults: [{ requestedPath: 'Device.' }] } } },
    });
    const record = encodeUspRecord({
      version: '1.4',
      toId: 'ctrl-a',
      fromId: 'os::A',
      ...(macSignature !== undefined ? { macSignature } : {}),
      noSessionContext: { payload: msg },
    });
    return { record, msg };
  }

  test("the controller's msg_id is back in the Msg and in the Record; the rest is unchanged", () => {
    const restored = restoreAnswer(agentAnswer('ctrl-1#tag.1'), 'ctrl-1#tag.1', 'ctrl-1');
    const msg = decodeUspMsg(restored.msg);
    expect(msg.header?.msgId).toBe('ctrl-1');
    expect(msg.body?.response?.getResp?.reqPathResults?.[0]?.requestedPath).toBe('Device.');
    expect(msgIdIn(restored.record)).toBe('ctrl-1');
    expect(decodeUspRecord(restored.record)).toMatchObject({ fromId: 'os::A', toId: 'ctrl-a' });
  });

  test('an answer to a router-assigned msg_id is passed on byte for byte', () => {
    const answer = agentAnswer('tag.7');
    expect(restoreAnswer(answer, 'tag.7', 'tag.7')).toBe(answer);
  });

  test("an agent's Record signature is removed when the msg_id changes", () => {
    const restored = restoreAnswer(agentAnswer('c#tag.2', new Uint8Array([9, 9])), 'c#tag.2', 'c');
    expect(decodeUspRecord(restored.record).macSignature).toHaveLength(0);
  });
});

describe('PendingRequests', () => {
  test('an answer takes the request of its endpoint and wire msg_id, once', () => {
    const pending = new PendingRequests<string>();
    expect(pending.add('os::A', 'm#1', 'first')).toBe(true);
    expect(pending.add('os::A', 'm#2', 'second')).toBe(true);
    expect(pending.size).toBe(2);
    expect(pending.take('os::A', 'm#2')).toBe('second');
    expect(pending.take('os::A', 'm#2')).toBeUndefined();
    expect(pending.size).toBe(1);
  });

  test('an answer from another endpoint with the same msg_id takes nothing', () => {
    const pending = new PendingRequests<string>();
    pending.add('os::A', 'm#1', 'for A');
    expect(pending.take('os::B', 'm#1')).toBeUndefined();
    expect(pending.take('os::A', 'm#1')).toBe('for A');
  });

  test('a key already waiting is not replaced', () => {
    const pending = new PendingRequests<string>();
    pending.add('os::A', 'm#1', 'first');
    expect(pending.add('os::A', 'm#1', 'second')).toBe(false);
    expect(pending.takeAll()).toEqual(['first']);
    expect(pending.size).toBe(0);
  });
});
