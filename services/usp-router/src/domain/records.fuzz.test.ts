// Issue 9 §7, malformed input at scale (the USP half): whatever bytes a device publishes as a
// Record, classifyInbound answers with a verdict (accepted, or dropped with one of DropReasons)
// and never throws, and the USP codecs fail only with their typed UspDecodeError, never a
// TypeError or RangeError from protobufjs. Valid Records of every kind an agent sends are the
// seeds; fast-check overwrites, inserts and cuts their bytes (of the whole Record, and of the
// Msg alone inside a valid Record), and fully random strings are fed too: 100,000 cases in all,
// 11-18 s on two cores. tests/usp-router/record-fuzz.test.ts sends such Records through a
// real broker to a running router.
import fc from 'fast-check';
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  usp,
  usp_record,
  UspDecodeError,
  type FabricPublisher,
} from '@octomesh/contracts';
import { classifyInbound, DropReasons, type Inbound } from './records.ts';

const CONTROLLER = 'oktopusController';
const CONTROLLERS = new Set([CONTROLLER]);
const DEVICE = 'os::FUZZ-1';
const MT = usp.Header.MsgType;

/** The device the broker authenticated; its endpoint id is the seeds' from_id. */
const publisher: FabricPublisher = {
  subject: 'user:fuzz-1',
  role: Roles.device,
  endpointId: DEVICE,
  clientId: 'fuzz-1',
};

const record = (fields: Omit<usp_record.IRecord, 'version' | 'toId' | 'fromId'>) =>
  encodeUspRecord({ version: '1.4', toId: CONTROLLER, fromId: DEVICE, ...fields });
const noSession = (msg: usp.IMsg) => record({ noSessionContext: { payload: encodeUspMsg(msg) } });

/** Valid Records an agent sends, each with the verdict it gets unmutated. */
const SEEDS: { name: string; verdict: string; bytes: Uint8Array }[] = [
  {
    name: 'MQTT 5 Connect',
    verdict: 'connect',
    bytes: record({
      mqttConnect: {
        version: usp_record.MQTTConnectRecord.MQTTVersion.V5,
        subscribedTopic: `oktopus/usp/v1/agent/${DEVICE}`,
      },
    }),
  },
  {
    name: 'MQTT 3.1.1 Connect',
    verdict: 'connect',
    bytes: record({
      mqttConnect: {
        version: usp_record.MQTTConnectRecord.MQTTVersion.V3_1_1,
        subscribedTopic: `oktopus/usp/v1/agent/${DEVICE}/#`,
      },
    }),
  },
  {
    name: 'Get response',
    verdict: 'answer',
    bytes: noSession({
      header: { msgId: 'fuzz-get-1', msgType: MT.GET_RESP },
      body: {
        response: {
          getResp: {
            reqPathResults: [
              {
                requestedPath: 'Device.DeviceInfo.',
                resolvedPathResults: [
                  {
                    resolvedPath: 'Device.DeviceInfo.',
                    resultParams: { SerialNumber: 'SN-0042', SoftwareVersion: '1.2.3' },
                  },
                ],
              },
              { requestedPath: 'Device.NoSuch.', errCode: 7026, errMsg: 'invalid path' },
            ],
          },
        },
      },
    }),
  },
  {
    name: 'USP Error',
    verdict: 'answer',
    bytes: noSession({
      header: { msgId: 'fuzz-set-1', msgType: MT.ERROR },
      body: {
        error: {
          errCode: 7004,
          errMsg: 'invalid arguments',
          paramErrs: [{ paramPath: 'Device.Time.NTPServer1', errCode: 7012, errMsg: 'bad value' }],
        },
      },
    }),
  },
  {
    name: 'Boot! Notify',
    verdict: 'notify',
    bytes: noSession({
      header: { msgId: 'fuzz-notify-1', msgType: MT.NOTIFY },
      body: {
        request: {
          notify: {
            subscriptionId: 'boot-sub',
            sendResp: true,
            event: {
              objPath: 'Device.',
              eventName: 'Boot!',
              params: { Cause: 'LocalReboot', CommandKey: '', FirmwareUpdated: 'false' },
            },
          },
        },
      },
    }),
  },
  {
    name: 'ValueChange Notify',
    verdict: 'notify',
    bytes: noSession({
      header: { msgId: 'fuzz-notify-2', msgType: MT.NOTIFY },
      body: {
        request: {
          notify: {
            subscriptionId: 'vc-sub',
            valueChange: { paramPath: 'Device.WiFi.SSID.1.SSID', paramValue: 'home' },
          },
        },
      },
    }),
  },
  {
    name: 'Disconnect',
    verdict: 'disconnect',
    bytes: record({ disconnect: { reason: 'shutting down', reasonCode: 7003 } }),
  },
  {
    // A request from an agent is valid USP but nothing the router accepts: its mutations
    // reach the request branch of the Msg decoder.
    name: 'Get request',
    verdict: 'unexpected-msg',
    bytes: noSession({
      header: { msgId: 'fuzz-get-2', msgType: MT.GET },
      body: { request: { get: { paramPaths: ['Device.DeviceInfo.'], maxDepth: 2 } } },
    }),
  },
];

const byte = fc.integer({ min: 0, max: 255 });
const flips = fc.array(fc.tuple(fc.nat(), byte), { minLength: 1, maxLength: 4 });

/** Up to four bytes overwritten. */
function overwrite(bytes: Uint8Array, at: readonly (readonly [number, number])[]): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const [i, value] of at) copy[i % copy.length] = value;
  return copy;
}

/** One byte inserted anywhere, the end included. */
function insert(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const i = at % (bytes.length + 1);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes.subarray(0, i), 0);
  out[i] = value;
  out.set(bytes.subarray(i), i + 1);
  return out;
}

/** The mutations of a list of seeds (as mqtt-fuzz.ts mutates MQTT packets). */
function mutationsOf(seeds: readonly Uint8Array[]) {
  const seed = fc.nat({ max: seeds.length - 1 }).map((i) => seeds[i]!);
  return {
    overwritten: fc.tuple(seed, flips).map(([s, f]) => overwrite(s, f)),
    inserted: fc.tuple(seed, fc.nat(), byte).map(([s, at, value]) => insert(s, at, value)),
    /** Any proper prefix, the empty one included. */
    truncated: fc.tuple(seed, fc.nat()).map(([s, at]) => s.subarray(0, at % s.length)),
    /** The three at once: overwritten, maybe a byte inserted, maybe the tail cut. */
    combined: fc
      .record({
        s: seed,
        f: flips,
        insertion: fc.option(fc.tuple(fc.nat(), byte), { nil: undefined }),
        cutTail: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      })
      .map(({ s, f, insertion, cutTail }) => {
        let bytes = overwrite(s, f);
        if (insertion !== undefined) bytes = insert(bytes, insertion[0], insertion[1]);
        if (cutTail !== undefined) bytes = bytes.subarray(0, Math.max(0, bytes.length - cutTail));
        return bytes;
      }),
  };
}

const records = mutationsOf(SEEDS.map((s) => s.bytes));
const randomBytes = fc.uint8Array({ maxLength: 512 });

// Nearly every mutation of a Record breaks a length prefix around the Msg, so most never reach
// the Msg decoder. These mutate the Msg alone and wrap it in a valid Record from the device.
const msgSeeds = SEEDS.flatMap((s) => {
  const payload = decodeUspRecord(s.bytes).noSessionContext?.payload;
  return payload === undefined || payload === null ? [] : [payload];
});
const wrapped = (msg: Uint8Array) => record({ noSessionContext: { payload: msg } });
const msgs = mutationsOf(msgSeeds);

/** decodeUspMsg's answer: the Msg, or its typed error; any other throw fails the case. */
function decodeMsgOrTypedError(bytes: Uint8Array): usp.Msg | UspDecodeError {
  try {
    return decodeUspMsg(bytes);
  } catch (error) {
    if (error instanceof UspDecodeError) return error;
    throw error;
  }
}

/** decodeUspRecord's answer, under the same rule. */
function decodeRecordOrTypedError(bytes: Uint8Array): usp_record.Record | UspDecodeError {
  try {
    return decodeUspRecord(bytes);
  } catch (error) {
    if (error instanceof UspDecodeError) return error;
    throw error;
  }
}

/** How a verdict is tallied: the accepted kind, or the drop reason. */
const label = (inbound: Inbound) => (inbound.kind === 'drop' ? inbound.reason : inbound.kind);

/** The property every input must keep; returns the verdict's label. */
function checkInput(bytes: Uint8Array): string {
  const inbound = classifyInbound(bytes, publisher, CONTROLLERS);
  const decoded = decodeRecordOrTypedError(bytes);
  switch (inbound.kind) {
    case 'drop':
      expect(DropReasons).toContain(inbound.reason);
      // Logged as is, so bounded: a reason and a short detail, never the payload.
      expect(inbound.detail.length).toBeLessThan(1024);
      // Every Record that does not decode is bad-record; a bad-record is one that does not
      // decode, or a Connect Record of an MQTT version USP does not define.
      if (decoded instanceof UspDecodeError) expect(inbound.reason).toBe('bad-record');
      if (inbound.reason === 'bad-record' && !(decoded instanceof UspDecodeError)) {
        expect((decoded as usp_record.Record).recordType).toBe('mqttConnect');
        expect([0, 1]).not.toContain((decoded as usp_record.Record).mqttConnect?.version ?? 0);
      }
      if (inbound.reason === 'bad-msg') {
        const payload =
          (decoded as usp_record.Record).noSessionContext?.payload ?? new Uint8Array();
        expect(decodeMsgOrTypedError(payload)).toBeInstanceOf(UspDecodeError);
      }
      break;
    case 'answer': {
      expect(inbound.endpointId).toBe(DEVICE);
      expect(inbound.record).toBe(bytes);
      const msg = decodeMsgOrTypedError(inbound.msg);
      expect(msg).toBeInstanceOf(usp.Msg);
      expect((msg as usp.Msg).header?.msgId ?? '').toBe(inbound.msgId);
      break;
    }
    case 'notify': {
      expect(inbound.endpointId).toBe(DEVICE);
      expect(decodeMsgOrTypedError(inbound.bytes)).toBeInstanceOf(usp.Msg);
      break;
    }
    case 'connect':
    case 'disconnect':
      // Anti-spoofing holds under mutation: an accepted Record speaks for the publisher alone.
      expect(inbound.endpointId).toBe(DEVICE);
      break;
  }
  if (inbound.kind !== 'drop') expect(decoded).toBeInstanceOf(usp_record.Record);
  return label(inbound);
}

/** Runs `numRuns` cases of `inputs` through checkInput and returns the verdicts tallied. */
// OCTOMESH_FUZZ_SCALE multiplies every count: CI runs 100,000 cases, bench/fuzz/usp-fuzz.ts ten
// times as many.
const SCALE = Math.max(1, Number(process.env['OCTOMESH_FUZZ_SCALE'] ?? 1) || 1);
const n = (count: number) => count * SCALE;
const shown = (count: number) => n(count).toLocaleString('en');

function fuzz(inputs: fc.Arbitrary<Uint8Array>, numRuns: number): Map<string, number> {
  const tally = new Map<string, number>();
  fc.assert(
    fc.property(inputs, (bytes) => {
      const verdict = checkInput(bytes);
      tally.set(verdict, (tally.get(verdict) ?? 0) + 1);
    }),
    { numRuns },
  );
  expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(numRuns);
  return tally;
}

const count = (tally: Map<string, number>, ...labels: string[]) =>
  labels.reduce((sum, l) => sum + (tally.get(l) ?? 0), 0);
const ACCEPTED = ['connect', 'disconnect', 'answer', 'notify'] as const;

describe('classifyInbound under malformed Records (issue 9 §7)', () => {
  test.each(SEEDS.map((s) => [s.name, s.verdict, s.bytes] as const))(
    'the unmutated %s seed is classified as %s',
    (_name, verdict, bytes) => {
      expect(checkInput(bytes)).toBe(verdict);
    },
  );

  test(`${shown(30_000)} Records with up to four bytes overwritten each get a verdict, never an exception`, () => {
    const tally = fuzz(records.overwritten, n(30_000));
    // The mutations reach every check: the envelope, the ids, the Msg inside; some leave a
    // Record that is still accepted.
    for (const reason of ['bad-record', 'bad-msg', 'wrong-to-id', 'spoofed', 'unexpected-msg'])
      expect(count(tally, reason)).toBeGreaterThan(0);
    expect(count(tally, ...ACCEPTED)).toBeGreaterThan(0);
  });

  test(`${shown(10_000)} Records with one byte inserted each get a verdict, never an exception`, () => {
    const tally = fuzz(records.inserted, n(10_000));
    expect(count(tally, 'bad-record')).toBeGreaterThan(0);
    expect(count(tally, ...ACCEPTED)).toBeGreaterThan(0);
  });

  test(`${shown(5_000)} Records cut short are all dropped as bad-record`, () => {
    // record_type is the last field and length-delimited: a proper prefix either lacks it or
    // ends inside it.
    expect(fuzz(records.truncated, n(5_000))).toEqual(new Map([['bad-record', n(5_000)]]));
  });

  test(`${shown(15_000)} Records overwritten, inserted into and cut at once each get a verdict, never an exception`, () => {
    const tally = fuzz(records.combined, n(15_000));
    expect(count(tally, 'bad-record')).toBeGreaterThan(0);
    expect(count(tally, 'bad-msg')).toBeGreaterThan(0);
    expect(count(tally, ...ACCEPTED)).toBeGreaterThan(0);
  });

  test(`${shown(15_000)} random byte strings each get a verdict, and none is accepted`, () => {
    const tally = fuzz(randomBytes, n(15_000));
    expect(count(tally, 'bad-record')).toBeGreaterThan(0);
    // Accepting one would take a from_id spelling the device's endpoint id by chance.
    expect(count(tally, ...ACCEPTED)).toBe(0);
  });

  test(`${shown(15_000)} mutated Msgs in a valid Record are answers, notifications or dropped as bad-msg or unexpected-msg`, () => {
    const tally = fuzz(msgs.combined.map(wrapped), n(15_000));
    expect(count(tally, 'bad-msg')).toBeGreaterThan(0);
    expect(count(tally, 'answer')).toBeGreaterThan(0);
    expect(count(tally, 'notify')).toBeGreaterThan(0);
    expect(count(tally, 'bad-msg', 'unexpected-msg', 'answer', 'notify')).toBe(n(15_000));
  });

  test(`${shown(10_000)} random Msgs in a valid Record are dropped as bad-msg or unexpected-msg`, () => {
    const tally = fuzz(randomBytes.map(wrapped), n(10_000));
    expect(count(tally, 'bad-msg')).toBeGreaterThan(0);
    expect(count(tally, 'bad-msg', 'unexpected-msg', 'answer', 'notify')).toBe(n(10_000));
  });
});
