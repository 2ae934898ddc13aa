// USP Records against bytes written by hand from the protobuf encoding rules (tag = field << 3 |
// wire type, then a varint length for wire type 2), never produced by protobufjs itself, so the
// generated code is checked against the TR-369 1.4 wire format and not against itself.
import { InvalidMessageError, OctomeshError } from '../errors.ts';
import { usp_record } from '../proto.ts';
import { UspDecodeError } from './usp-decode-error.ts';
import { decodeUspRecord, encodeUspRecord } from './usp-record-codec.ts';

const text = (value: string): number[] => [...new TextEncoder().encode(value)];
const wire = (...parts: (number | ArrayLike<number>)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(part))));

const { MQTTVersion } = usp_record.MQTTConnectRecord;

// Record header fields shared by most cases: version=1, to_id=2, from_id=3 (all wire type 2).
const version14 = [0x0a, 0x03, ...text('1.4')];
const toController = [0x12, 0x11, ...text('proto::controller')];
const fromAgent = [0x1a, 0x0c, ...text('proto::agent')];

const noSessionContextBytes = wire(
  [0x0a, 0x03, ...text('1.3')], // version = "1.3"
  [0x12, 0x0c, ...text('proto::agent')], // to_id
  [0x1a, 0x11, ...text('proto::controller')], // from_id
  [0x3a, 0x05], // field 7 no_session_context, 5 bytes
  [0x12, 0x03, 0x01, 0x02, 0x03], //   payload (field 2, bytes) = 01 02 03
);

function expectDecodeError(bytes: Uint8Array, problem: RegExp): UspDecodeError {
  let caught: unknown;
  try {
    decodeUspRecord(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UspDecodeError);
  const error = caught as UspDecodeError;
  expect(error.problem).toMatch(problem);
  return error;
}

describe('USP Record codec', () => {
  test('a NoSessionContextRecord decodes from hand-made bytes and encodes back to them', () => {
    const expected = {
      version: '1.3',
      toId: 'proto::agent',
      fromId: 'proto::controller',
      noSessionContext: { payload: Uint8Array.from([1, 2, 3]) },
    };

    const record = decodeUspRecord(noSessionContextBytes);

    expect(record).toEqual(expected);
    expect(record.recordType).toBe('noSessionContext');
    expect(encodeUspRecord(expected)).toEqual(noSessionContextBytes);
  });

  test('an MQTTConnectRecord for MQTT 5 carries version V5 and the subscribed topic', () => {
    const bytes = wire(
      version14,
      toController,
      fromAgent,
      [0x52, 0x1d], // field 10 mqtt_connect, 29 bytes
      [0x08, 0x01], //   version (field 1, varint) = V5
      [0x12, 0x19, ...text('usp/endpoint/proto::agent')], //   subscribed_topic (field 2)
    );
    const expected = {
      version: '1.4',
      toId: 'proto::controller',
      fromId: 'proto::agent',
      mqttConnect: { version: MQTTVersion.V5, subscribedTopic: 'usp/endpoint/proto::agent' },
    };

    const record = decodeUspRecord(bytes);

    expect(record).toEqual(expected);
    expect(record.recordType).toBe('mqttConnect');
    expect(encodeUspRecord(expected)).toEqual(bytes);
  });

  test('an MQTTConnectRecord for MQTT 3.1.1 leaves version off the wire, V3_1_1 being the default', () => {
    const bytes = wire(version14, toController, fromAgent, [0x52, 0x00]);
    const expected = {
      version: '1.4',
      toId: 'proto::controller',
      fromId: 'proto::agent',
      mqttConnect: {},
    };

    const record = decodeUspRecord(bytes);

    expect(record).toEqual(expected);
    expect(record.mqttConnect?.version).toBe(MQTTVersion.V3_1_1);
    expect(encodeUspRecord(expected)).toEqual(bytes);
  });

  test('a DisconnectRecord carries a reason and a fixed32 reason_code in 4 little-endian bytes', () => {
    const bytes = wire(
      version14,
      toController,
      fromAgent,
      [0x62, 0x14], // field 12 disconnect, 20 bytes
      [0x0a, 0x0d, ...text('going offline')], //   reason (field 1)
      [0x15, 0x5b, 0x1b, 0x00, 0x00], //   reason_code (field 2, wire type 5) = 7003
    );
    const expected = {
      version: '1.4',
      toId: 'proto::controller',
      fromId: 'proto::agent',
      disconnect: { reason: 'going offline', reasonCode: 7003 },
    };

    const record = decodeUspRecord(bytes);

    expect(record).toEqual(expected);
    expect(record.recordType).toBe('disconnect');
    expect(encodeUspRecord(expected)).toEqual(bytes);
  });

  test('an empty WebSocketConnectRecord or UDSConnectRecord still sets record_type by its presence', () => {
    const webSocket = wire(version14, toController, fromAgent, [0x4a, 0x00]); // field 9, empty
    const uds = wire(version14, toController, fromAgent, [0x6a, 0x00]); // field 13, empty
    const header = { version: '1.4', toId: 'proto::controller', fromId: 'proto::agent' };

    expect(decodeUspRecord(webSocket).recordType).toBe('websocketConnect');
    expect(decodeUspRecord(uds).recordType).toBe('udsConnect');
    expect(encodeUspRecord({ ...header, websocketConnect: {} })).toEqual(webSocket);
    expect(encodeUspRecord({ ...header, udsConnect: {} })).toEqual(uds);
  });

  test('payload_security TLS12 and the MAC and certificate bytes sit in fields 4 to 6', () => {
    const bytes = wire(
      version14,
      toController,
      fromAgent,
      [0x20, 0x01], // payload_security (field 4, varint) = TLS12
      [0x2a, 0x02, 0xaa, 0xbb], // mac_signature (field 5)
      [0x32, 0x01, 0xcc], // sender_cert (field 6)
      [0x3a, 0x00], // field 7 no_session_context, empty
    );
    const expected = {
      version: '1.4',
      toId: 'proto::controller',
      fromId: 'proto::agent',
      payloadSecurity: usp_record.Record.PayloadSecurity.TLS12,
      macSignature: Uint8Array.from([0xaa, 0xbb]),
      senderCert: Uint8Array.from([0xcc]),
      noSessionContext: {},
    };

    expect(decodeUspRecord(bytes)).toEqual(expected);
    expect(encodeUspRecord(expected)).toEqual(bytes);
  });

  test('an unknown field from a newer USP version is skipped, not rejected', () => {
    const bytes = wire(noSessionContextBytes, [0x98, 0x06, 0x01]); // field 99, varint 1

    expect(decodeUspRecord(bytes).noSessionContext?.payload).toEqual(Uint8Array.from([1, 2, 3]));
  });

  test('a Record without record_type is rejected', () => {
    expectDecodeError(wire(version14, toController, fromAgent), /record_type is not set/);
  });

  test('an empty buffer is rejected as a Record without record_type', () => {
    expectDecodeError(new Uint8Array(0), /record_type is not set/);
  });

  test('a truncated Record is rejected', () => {
    const truncated = noSessionContextBytes.subarray(0, noSessionContextBytes.length - 1);

    expectDecodeError(truncated, /length 5 past the end for usp_record\.Record field 7/);
  });

  test('a message field sent as a varint is rejected although protobufjs alone would read it', () => {
    // Field 7 with wire type 0: protobufjs reads the varint 5 as a length and the next five
    // bytes as a NoSessionContextRecord without complaint (protobufjs 7.6), which is why the
    // wire walk exists.
    const bytes = wire(version14, [0x38, 0x05], [0x12, 0x03, 0x01, 0x02, 0x03]);

    expectDecodeError(bytes, /usp_record\.Record field 7 .*wire type 0, expected 2/);
  });

  test('a wrong wire type inside an embedded message is rejected', () => {
    // no_session_context.payload (field 2, bytes) sent as fixed32.
    const bytes = wire(version14, [0x3a, 0x05], [0x15, 0x01, 0x02, 0x03, 0x04]);

    expectDecodeError(bytes, /NoSessionContextRecord field 2 .*wire type 5, expected 2/);
  });

  test('an invalid wire type is rejected', () => {
    expectDecodeError(wire(version14, [0x3f, 0x00]), /wire type 7/); // field 7, wire type 7
  });

  test('the decode error carries the USP_DECODE_FAILED code and the type it was decoding', () => {
    const error = expectDecodeError(wire(version14), /record_type/);

    expect(error).toBeInstanceOf(OctomeshError);
    expect(error.code).toBe('USP_DECODE_FAILED');
    expect(error.name).toBe('UspDecodeError');
    expect(error.typeName).toBe('usp_record.Record');
    expect(error.message).toBe('cannot decode usp_record.Record: record_type is not set');
  });

  test('encoding refuses a Record without record_type', () => {
    expect(() => encodeUspRecord({ version: '1.4', toId: 'a', fromId: 'b' })).toThrow(
      InvalidMessageError,
    );
  });

  test('encoding refuses a Record whose fields have the wrong JavaScript types', () => {
    const illTyped = { version: 14, noSessionContext: {} } as unknown as usp_record.IRecord;

    expect(() => encodeUspRecord(illTyped)).toThrow(/version: string expected/);
  });
});
