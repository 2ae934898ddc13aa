// USP Messages against bytes written by hand from the protobuf encoding rules (tag = field << 3 |
// wire type; wire type 2 is followed by a varint length, wire type 5 by 4 little-endian bytes).
// Lengths are counted innermost first; the comment on each length says what it covers.
import { InvalidMessageError } from '../errors.ts';
import { usp } from '../proto.ts';
import { UspDecodeError } from './usp-decode-error.ts';
import { decodeUspMsg, encodeUspMsg } from './usp-msg-codec.ts';

const text = (value: string): number[] => [...new TextEncoder().encode(value)];
const wire = (...parts: (number | ArrayLike<number>)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(part))));

const { MsgType } = usp.Header;

// Decoded nested messages are instances of their generated class, but typed as its interface;
// this narrows one so the test can read its oneof getter.
function narrow<T>(value: unknown, type: abstract new (...args: never[]) => T): T {
  expect(value).toBeInstanceOf(type);
  return value as T;
}

// Header { msg_id = "get-1" (field 1), msg_type = GET (field 2, varint 1) }: 9 bytes.
const getHeader = [0x0a, 0x09, 0x0a, 0x05, ...text('get-1'), 0x10, 0x01];

const getBytes = wire(
  getHeader,
  [0x12, 0x3b], // Msg.body (field 2), 59 bytes
  [0x0a, 0x39], //   Body.request (field 1), 57 bytes
  [0x0a, 0x37], //     Request.get (field 1), 55 bytes
  [0x0a, 0x12, ...text('Device.DeviceInfo.')], //       param_paths (field 1)
  [0x0a, 0x1c, ...text('Device.LocalAgent.EndpointID')], //       param_paths (field 1)
  [0x15, 0x02, 0x00, 0x00, 0x00], //       max_depth (field 2, fixed32) = 2
);

const getMsg = {
  header: { msgId: 'get-1', msgType: MsgType.GET },
  body: {
    request: {
      get: { paramPaths: ['Device.DeviceInfo.', 'Device.LocalAgent.EndpointID'], maxDepth: 2 },
    },
  },
};

function expectDecodeError(bytes: Uint8Array, problem: RegExp): UspDecodeError {
  let caught: unknown;
  try {
    decodeUspMsg(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UspDecodeError);
  const error = caught as UspDecodeError;
  expect(error.code).toBe('USP_DECODE_FAILED');
  expect(error.typeName).toBe('usp.Msg');
  expect(error.problem).toMatch(problem);
  return error;
}

describe('USP Msg codec', () => {
  test('a Get request decodes from hand-made bytes, max_depth being a fixed32, and encodes back', () => {
    const msg = decodeUspMsg(getBytes);

    expect(msg).toEqual(getMsg);
    expect(narrow(msg.body, usp.Body).msgBody).toBe('request');
    expect(narrow(msg.body?.request, usp.Request).reqType).toBe('get');
    expect(encodeUspMsg(getMsg)).toEqual(getBytes);
  });

  test('an Error carries fixed32 err_codes and leaves msg_type ERROR, the default, off the wire', () => {
    const bytes = wire(
      [0x0a, 0x07, 0x0a, 0x05, ...text('err-1')], // header { msg_id }, msg_type ERROR = 0 omitted
      [0x12, 0x3d], // body, 61 bytes
      [0x1a, 0x3b], //   Body.error (field 3), 59 bytes
      [0x0d, 0x5c, 0x1b, 0x00, 0x00], //     err_code (field 1, fixed32) = 7004
      [0x12, 0x11, ...text('Invalid arguments')], //     err_msg (field 2)
      [0x1a, 0x21], //     param_errs (field 3), 33 bytes
      [0x0a, 0x0c, ...text('Device.Bogus')], //       param_path (field 1)
      [0x15, 0x72, 0x1b, 0x00, 0x00], //       err_code (field 2, fixed32) = 7026
      [0x1a, 0x0c, ...text('Invalid path')], //       err_msg (field 3)
    );
    const expected = {
      header: { msgId: 'err-1' },
      body: {
        error: {
          errCode: 7004,
          errMsg: 'Invalid arguments',
          paramErrs: [{ paramPath: 'Device.Bogus', errCode: 7026, errMsg: 'Invalid path' }],
        },
      },
    };

    const msg = decodeUspMsg(bytes);

    expect(msg).toEqual(expected);
    expect(msg.header?.msgType).toBe(MsgType.ERROR);
    expect(narrow(msg.body, usp.Body).msgBody).toBe('error');
    expect(encodeUspMsg(expected)).toEqual(bytes);
  });

  test('a GetResp keeps nested requested and resolved path results and the result_params map', () => {
    const bytes = wire(
      [0x0a, 0x09, 0x0a, 0x05, ...text('get-1'), 0x10, 0x02], // header, msg_type GET_RESP = 2
      [0x12, 0x6e], // body, 110 bytes
      [0x12, 0x6c], //   Body.response (field 2), 108 bytes
      [0x0a, 0x6a], //     Response.get_resp (field 1), 106 bytes
      [0x0a, 0x44], //       req_path_results (field 1), 68 bytes
      [0x0a, 0x12, ...text('Device.DeviceInfo.')], //         requested_path (field 1)
      [0x22, 0x2e], //         resolved_path_results (field 4), 46 bytes
      [0x0a, 0x12, ...text('Device.DeviceInfo.')], //           resolved_path (field 1)
      [0x12, 0x18], //           result_params entry (field 2), 24 bytes
      [0x0a, 0x0f, ...text('SoftwareVersion')], //             key (field 1)
      [0x12, 0x05, ...text('1.2.3')], //             value (field 2)
      [0x0a, 0x22], //       req_path_results (field 1), 34 bytes
      [0x0a, 0x0d, ...text('Device.Bogus.')], //         requested_path (field 1)
      [0x15, 0x72, 0x1b, 0x00, 0x00], //         err_code (field 2, fixed32) = 7026
      [0x1a, 0x0c, ...text('Invalid path')], //         err_msg (field 3)
    );
    const expected = {
      header: { msgId: 'get-1', msgType: MsgType.GET_RESP },
      body: {
        response: {
          getResp: {
            reqPathResults: [
              {
                requestedPath: 'Device.DeviceInfo.',
                resolvedPathResults: [
                  {
                    resolvedPath: 'Device.DeviceInfo.',
                    resultParams: { SoftwareVersion: '1.2.3' },
                  },
                ],
              },
              {
                requestedPath: 'Device.Bogus.',
                errCode: 7026,
                errMsg: 'Invalid path',
                resolvedPathResults: [],
              },
            ],
          },
        },
      },
    };

    const msg = decodeUspMsg(bytes);

    expect(msg).toEqual(expected);
    expect(narrow(msg.body?.response, usp.Response).respType).toBe('getResp');
    expect(encodeUspMsg(expected)).toEqual(bytes);
  });

  test('a Notify carries an Event in its notification oneof', () => {
    const bytes = wire(
      [0x0a, 0x0c, 0x0a, 0x08, ...text('notify-1'), 0x10, 0x03], // header, msg_type NOTIFY = 3
      [0x12, 0x40], // body, 64 bytes
      [0x0a, 0x3e], //   Body.request (field 1), 62 bytes
      [0x42, 0x3c], //     Request.notify (field 8), 60 bytes
      [0x0a, 0x05, ...text('sub-1')], //       subscription_id (field 1)
      [0x10, 0x01], //       send_resp (field 2) = true
      [0x1a, 0x31], //       event (field 3), 49 bytes
      [0x0a, 0x12, ...text('Device.LocalAgent.')], //         obj_path (field 1)
      [0x12, 0x05, ...text('Boot!')], //         event_name (field 2)
      [0x1a, 0x14], //         params entry (field 3), 20 bytes
      [0x0a, 0x05, ...text('Cause')], //           key
      [0x12, 0x0b, ...text('LocalReboot')], //           value
    );
    const expected = {
      header: { msgId: 'notify-1', msgType: MsgType.NOTIFY },
      body: {
        request: {
          notify: {
            subscriptionId: 'sub-1',
            sendResp: true,
            event: {
              objPath: 'Device.LocalAgent.',
              eventName: 'Boot!',
              params: { Cause: 'LocalReboot' },
            },
          },
        },
      },
    };

    const msg = decodeUspMsg(bytes);

    expect(msg).toEqual(expected);
    expect(narrow(msg.body?.request?.notify, usp.Notify).notification).toBe('event');
    expect(encodeUspMsg(expected)).toEqual(bytes);
  });

  test('a Notify carries an OperationComplete whose own oneof holds a CommandFailure', () => {
    const bytes = wire(
      [0x0a, 0x0c, 0x0a, 0x08, ...text('notify-2'), 0x10, 0x03], // header, NOTIFY
      [0x12, 0x3d], // body, 61 bytes
      [0x0a, 0x3b], //   Body.request (field 1), 59 bytes
      [0x42, 0x39], //     Request.notify (field 8), 57 bytes
      [0x0a, 0x05, ...text('sub-2')], //       subscription_id (field 1); send_resp false omitted
      [0x3a, 0x30], //       oper_complete (field 7), 48 bytes
      [0x0a, 0x07, ...text('Device.')], //         obj_path (field 1)
      [0x12, 0x08, ...text('Reboot()')], //         command_name (field 2)
      [0x1a, 0x04, ...text('ck-1')], //         command_key (field 3)
      [0x2a, 0x15], //         cmd_failure (field 5), 21 bytes
      [0x0d, 0x6e, 0x1b, 0x00, 0x00], //           err_code (field 1, fixed32) = 7022
      [0x12, 0x0e, ...text('reboot refused')], //           err_msg (field 2)
    );
    const expected = {
      header: { msgId: 'notify-2', msgType: MsgType.NOTIFY },
      body: {
        request: {
          notify: {
            subscriptionId: 'sub-2',
            operComplete: {
              objPath: 'Device.',
              commandName: 'Reboot()',
              commandKey: 'ck-1',
              cmdFailure: { errCode: 7022, errMsg: 'reboot refused' },
            },
          },
        },
      },
    };

    const msg = decodeUspMsg(bytes);

    expect(msg).toEqual(expected);
    const notify = narrow(msg.body?.request?.notify, usp.Notify);
    expect(notify.notification).toBe('operComplete');
    expect(narrow(notify.operComplete, usp.Notify.OperationComplete).operationResp).toBe(
      'cmdFailure',
    );
    expect(encodeUspMsg(expected)).toEqual(bytes);
  });

  test('a DeregisterResp travels with msg_type DEREGISTER_RESP = 22 in Response field 11', () => {
    const bytes = wire(
      [0x0a, 0x0b, 0x0a, 0x07, ...text('dereg-1'), 0x10, 0x16], // header, msg_type 22
      [0x12, 0x36], // body, 54 bytes
      [0x12, 0x34], //   Body.response (field 2), 52 bytes
      [0x5a, 0x32], //     Response.deregister_resp (field 11), 50 bytes
      [0x0a, 0x30], //       deregistered_path_results (field 1), 48 bytes
      [0x0a, 0x14, ...text('Device.Services.Foo.')], //         requested_path (field 1)
      [0x12, 0x18], //         oper_status (field 2), 24 bytes
      [0x12, 0x16], //           oper_success (field 2), 22 bytes
      [0x0a, 0x14, ...text('Device.Services.Foo.')], //             deregistered_path (field 1)
    );
    const expected = {
      header: { msgId: 'dereg-1', msgType: MsgType.DEREGISTER_RESP },
      body: {
        response: {
          deregisterResp: {
            deregisteredPathResults: [
              {
                requestedPath: 'Device.Services.Foo.',
                operStatus: { operSuccess: { deregisteredPath: ['Device.Services.Foo.'] } },
              },
            ],
          },
        },
      },
    };

    const msg = decodeUspMsg(bytes);

    expect(msg).toEqual(expected);
    expect(msg.header?.msgType).toBe(22);
    expect(narrow(msg.body?.response, usp.Response).respType).toBe('deregisterResp');
    expect(encodeUspMsg(expected)).toEqual(bytes);
  });

  test('a Msg without header is rejected', () => {
    expectDecodeError(getBytes.subarray(getHeader.length), /header is not set/);
  });

  test('a Msg without body is rejected', () => {
    expectDecodeError(wire(getHeader), /body is not set/);
  });

  test('a Msg whose body holds none of request, response and error is rejected', () => {
    expectDecodeError(
      wire(getHeader, [0x12, 0x00]),
      /body carries none of request, response, error/,
    );
  });

  test('a truncated Msg is rejected', () => {
    expectDecodeError(
      getBytes.subarray(0, getBytes.length - 2),
      /past the end for usp\.Msg field 2/,
    );
  });

  test('a fixed32 max_depth sent as a varint is rejected', () => {
    const bytes = wire(
      getHeader,
      [0x12, 0x1a], // body, 26 bytes
      [0x0a, 0x18], //   request, 24 bytes
      [0x0a, 0x16], //     get, 22 bytes
      [0x10, 0x02], //       max_depth (field 2) with wire type 0 instead of 5
      [0x0a, 0x12, ...text('Device.DeviceInfo.')], //       param_paths
    );

    expectDecodeError(bytes, /usp\.Get field 2 at offset \d+ has wire type 0, expected 5/);
  });

  test('a fixed32 err_code sent as a varint is rejected', () => {
    const bytes = wire(
      [0x0a, 0x07, 0x0a, 0x05, ...text('err-1')],
      [0x12, 0x05], // body, 5 bytes
      [0x1a, 0x03], //   error, 3 bytes
      [0x08, 0xdc, 0x36], //     err_code (field 1) as varint 7004 instead of fixed32
    );

    expectDecodeError(bytes, /usp\.Error field 1 at offset \d+ has wire type 0, expected 5/);
  });

  test('an invalid wire type deep inside a request is rejected', () => {
    const bytes = wire(
      getHeader,
      [0x12, 0x06], // body, 6 bytes
      [0x0a, 0x04], //   request, 4 bytes
      [0x0a, 0x02], //     get, 2 bytes
      [0x1e, 0x00], //       unknown field 3 with wire type 6
    );

    expectDecodeError(bytes, /invalid wire type 6 for usp\.Get field 3/);
  });

  test('encoding refuses a Msg without header or body', () => {
    expect(() => encodeUspMsg({ body: getMsg.body })).toThrow(InvalidMessageError);
    expect(() => encodeUspMsg({ header: getMsg.header })).toThrow(/body is not set/);
  });
});
