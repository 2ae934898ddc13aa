import { decodeUspMsg, encodeUspMsg, usp } from '@octomesh/contracts';
import { describeUspErrorCode } from './error-codes.ts';
import { msgToJson, renderAnswer } from './format.ts';

const T = usp.Header.MsgType;

// Through the wire and back, as the command gets it: oneof members unset are null, not absent.
function answer(msgType: usp.Header.MsgType, response: usp.IResponse): usp.Msg {
  return decodeUspMsg(encodeUspMsg({ header: { msgId: 'cli-1', msgType }, body: { response } }));
}

describe('renderAnswer', () => {
  test('GetResp: each resolved parameter as Path.Param = value, naturally sorted, with per-path errors', () => {
    const rendered = renderAnswer(
      answer(T.GET_RESP, {
        getResp: {
          reqPathResults: [
            {
              requestedPath: 'Device.IP.Interface.*.Alias',
              resolvedPathResults: [
                { resolvedPath: 'Device.IP.Interface.10.', resultParams: { Alias: 'wan' } },
                { resolvedPath: 'Device.IP.Interface.2.', resultParams: { Alias: 'lan' } },
              ],
            },
            {
              requestedPath: 'Device.DeviceInfo.',
              resolvedPathResults: [
                {
                  resolvedPath: 'Device.DeviceInfo.',
                  resultParams: { SerialNumber: 'SN1', Manufacturer: 'Octo' },
                },
              ],
            },
            { requestedPath: 'Device.Nope.', errCode: 7026, errMsg: 'no such path' },
          ],
        },
      }),
    );
    expect(rendered).toEqual({
      kind: 'response',
      ok: false,
      lines: [
        'Device.IP.Interface.2.Alias = lan',
        'Device.IP.Interface.10.Alias = wan',
        'Device.DeviceInfo.Manufacturer = Octo',
        'Device.DeviceInfo.SerialNumber = SN1',
        'Device.Nope.: error 7026 Invalid path: no such path',
      ],
    });
  });

  test('GetResp: a search matching nothing says so and is no failure', () => {
    expect(
      renderAnswer(
        answer(T.GET_RESP, {
          getResp: { reqPathResults: [{ requestedPath: 'Device.IP.Interface.*.' }] },
        }),
      ),
    ).toEqual({ kind: 'response', ok: true, lines: ['Device.IP.Interface.*.: nothing matched'] });
  });

  test('SetResp: updated parameters, parameter errors and failed objects', () => {
    const rendered = renderAnswer(
      answer(T.SET_RESP, {
        setResp: {
          updatedObjResults: [
            {
              requestedPath: 'Device.Time.',
              operStatus: {
                operSuccess: {
                  updatedInstResults: [
                    {
                      affectedPath: 'Device.Time.',
                      updatedParams: { NTPServer1: 'pool.ntp.org', Enable: 'true' },
                      paramErrs: [{ param: 'NTPServer2', errCode: 7012, errMsg: 'bad host' }],
                    },
                  ],
                },
              },
            },
            {
              requestedPath: 'Device.DeviceInfo.',
              operStatus: {
                operFailure: {
                  errCode: 7021,
                  errMsg: 'required parameter failed',
                  updatedInstFailures: [
                    {
                      affectedPath: 'Device.DeviceInfo.',
                      paramErrs: [{ param: 'SerialNumber', errCode: 7013 }],
                    },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    expect(rendered.ok).toBe(false);
    expect(rendered.lines).toEqual([
      'Device.Time.Enable = true',
      'Device.Time.NTPServer1 = pool.ntp.org',
      'Device.Time.NTPServer2: error 7012 Invalid value: bad host',
      'Device.DeviceInfo.: error 7021 Required parameter failed: required parameter failed',
      '  Device.DeviceInfo.SerialNumber: 7013 Attempt to update non-writeable parameter',
    ]);
  });

  test('SetResp: everything updated is ok', () => {
    const rendered = renderAnswer(
      answer(T.SET_RESP, {
        setResp: {
          updatedObjResults: [
            {
              requestedPath: 'Device.Time.',
              operStatus: {
                operSuccess: {
                  updatedInstResults: [
                    { affectedPath: 'Device.Time.', updatedParams: { Enable: 'false' } },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    expect(rendered).toEqual({
      kind: 'response',
      ok: true,
      lines: ['Device.Time.Enable = false'],
    });
  });

  test('AddResp: the new instance path and its unique keys, or the failure', () => {
    const rendered = renderAnswer(
      answer(T.ADD_RESP, {
        addResp: {
          createdObjResults: [
            {
              requestedPath: 'Device.IP.Interface.',
              operStatus: {
                operSuccess: {
                  instantiatedPath: 'Device.IP.Interface.3.',
                  uniqueKeys: { Name: 'eth3', Alias: 'cpe-3' },
                },
              },
            },
            {
              requestedPath: 'Device.DeviceInfo.',
              operStatus: { operFailure: { errCode: 7018, errMsg: 'not a table' } },
            },
          ],
        },
      }),
    );
    expect(rendered.ok).toBe(false);
    expect(rendered.lines).toEqual([
      'created Device.IP.Interface.3.',
      '  Alias = cpe-3',
      '  Name = eth3',
      'Device.DeviceInfo.: error 7018 Object is not a table: not a table',
    ]);
  });

  test('DeleteResp: deleted paths and unaffected path errors', () => {
    const rendered = renderAnswer(
      answer(T.DELETE_RESP, {
        deleteResp: {
          deletedObjResults: [
            {
              requestedPath: 'Device.IP.Interface.*.',
              operStatus: {
                operSuccess: {
                  affectedPaths: ['Device.IP.Interface.10.', 'Device.IP.Interface.2.'],
                  unaffectedPathErrs: [
                    { unaffectedPath: 'Device.IP.Interface.1.', errCode: 7024, errMsg: 'in use' },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    expect(rendered.lines).toEqual([
      'deleted Device.IP.Interface.2.',
      'deleted Device.IP.Interface.10.',
      'Device.IP.Interface.1.: error 7024 Delete failure: in use',
    ]);
    expect(rendered.ok).toBe(false);
  });

  test('OperateResp: output arguments, a started asynchronous command, a command failure', () => {
    const rendered = renderAnswer(
      answer(T.OPERATE_RESP, {
        operateResp: {
          operationResults: [
            {
              executedCommand: 'Device.Echo()',
              reqOutputArgs: { outputArgs: { Text: 'hi', Length: '2' } },
            },
            { executedCommand: 'Device.Reboot()', reqOutputArgs: {} },
            {
              executedCommand: 'Device.IP.Diagnostics.IPPing()',
              reqObjPath: 'Device.LocalAgent.Request.4.',
            },
            {
              executedCommand: 'Device.SelfTest()',
              cmdFailure: { errCode: 7022, errMsg: 'hardware fault' },
            },
          ],
        },
      }),
    );
    expect(rendered.lines).toEqual([
      'Device.Echo() done',
      '  Length = 2',
      '  Text = hi',
      'Device.Reboot() done (no output)',
      'Device.IP.Diagnostics.IPPing() started: Device.LocalAgent.Request.4.',
      'Device.SelfTest(): error 7022 Command failure: hardware fault',
    ]);
    expect(rendered.ok).toBe(false);
  });

  test('GetInstancesResp: each instance with its unique keys, naturally sorted', () => {
    const rendered = renderAnswer(
      answer(T.GET_INSTANCES_RESP, {
        getInstancesResp: {
          reqPathResults: [
            {
              requestedPath: 'Device.IP.Interface.',
              currInsts: [
                { instantiatedObjPath: 'Device.IP.Interface.10.', uniqueKeys: { Alias: 'wan' } },
                {
                  instantiatedObjPath: 'Device.IP.Interface.2.',
                  uniqueKeys: { Name: 'br-lan', Alias: 'lan' },
                },
              ],
            },
            { requestedPath: 'Device.NAT.PortMapping.' },
            { requestedPath: 'Device.Nope.', errCode: 7016 },
          ],
        },
      }),
    );
    expect(rendered.lines).toEqual([
      'Device.IP.Interface.2.  Alias=lan  Name=br-lan',
      'Device.IP.Interface.10.  Alias=wan',
      'Device.NAT.PortMapping.: no instances',
      'Device.Nope.: error 7016 Object does not exist',
    ]);
    expect(rendered.ok).toBe(false);
  });

  test('GetSupportedDMResp: objects with their parameters, commands, events and unique keys', () => {
    const R = usp.GetSupportedDMResp;
    const rendered = renderAnswer(
      answer(T.GET_SUPPORTED_DM_RESP, {
        getSupportedDmResp: {
          reqObjResults: [
            {
              reqObjPath: 'Device.IP.',
              dataModelInstUri: 'urn:broadband-forum-org:tr-181-2-16-0-usp',
              supportedObjs: [
                {
                  supportedObjPath: 'Device.IP.Interface.{i}.',
                  access: R.ObjAccessType.OBJ_ADD_DELETE,
                  isMultiInstance: true,
                  supportedParams: [
                    {
                      paramName: 'Name',
                      access: R.ParamAccessType.PARAM_READ_ONLY,
                      valueType: R.ParamValueType.PARAM_STRING,
                    },
                    {
                      paramName: 'Enable',
                      access: R.ParamAccessType.PARAM_READ_WRITE,
                      valueType: R.ParamValueType.PARAM_BOOLEAN,
                      valueChange: R.ValueChangeType.VALUE_CHANGE_WILL_IGNORE,
                    },
                  ],
                  supportedCommands: [
                    {
                      commandName: 'Reset()',
                      commandType: R.CmdType.CMD_SYNC,
                    },
                    {
                      commandName: 'IPPing()',
                      commandType: R.CmdType.CMD_ASYNC,
                      inputArgNames: ['Host', 'Count'],
                      outputArgNames: ['Status'],
                    },
                  ],
                  supportedEvents: [{ eventName: 'Up!', argNames: ['Since'] }],
                  uniqueKeySets: [{ keyNames: ['Alias'] }, { keyNames: ['Name'] }],
                },
              ],
            },
            { reqObjPath: 'Device.Nope.', errCode: 7026, errMsg: 'unknown object' },
          ],
        },
      }),
    );
    expect(rendered.lines).toEqual([
      'Device.IP.  data model urn:broadband-forum-org:tr-181-2-16-0-usp',
      'Device.IP.Interface.{i}. (multi-instance, add/delete)',
      '  Enable    boolean, read-write, no value-change notifications',
      '  Name      string, read-only',
      '  IPPing()  async command; in: Host, Count; out: Status',
      '  Reset()   sync command',
      '  Up!       event; args: Since',
      '  unique key: Alias',
      '  unique key: Name',
      'Device.Nope.: error 7026 Invalid path: unknown object',
    ]);
    expect(rendered.ok).toBe(false);
  });

  test('a USP Error message is an error with its code, name, message and parameter errors', () => {
    const msg = decodeUspMsg(
      encodeUspMsg({
        header: { msgId: 'cli-1', msgType: T.ERROR },
        body: {
          error: {
            errCode: 7004,
            errMsg: 'invalid arguments',
            paramErrs: [
              { paramPath: 'Device.Time.Enable', errCode: 7011, errMsg: 'not a boolean' },
            ],
          },
        },
      }),
    );
    expect(renderAnswer(msg)).toEqual({
      kind: 'error',
      ok: false,
      lines: [
        'agent answered with USP Error 7004 Invalid arguments: invalid arguments',
        '  Device.Time.Enable: 7011 Invalid type: not a boolean',
      ],
    });
  });

  test('a request where a response belongs is an error', () => {
    const msg = decodeUspMsg(
      encodeUspMsg({
        header: { msgId: 'cli-1', msgType: T.GET },
        body: { request: { get: { paramPaths: ['Device.'] } } },
      }),
    );
    expect(renderAnswer(msg)).toMatchObject({ kind: 'error', ok: false });
  });

  test('a response type without a layout is shown as JSON', () => {
    const rendered = renderAnswer(
      answer(T.NOTIFY_RESP, { notifyResp: { subscriptionId: 'sub-1' } }),
    );
    expect(rendered.ok).toBe(true);
    expect(JSON.parse(rendered.lines.join('\n'))).toEqual({
      response: { notifyResp: { subscriptionId: 'sub-1' } },
    });
  });
});

describe('msgToJson', () => {
  test('gives enums by name and plain JSON values, and round-trips through JSON.stringify', () => {
    const msg = answer(T.GET_RESP, {
      getResp: {
        reqPathResults: [
          {
            requestedPath: 'Device.',
            resolvedPathResults: [{ resolvedPath: 'Device.', resultParams: { A: '1' } }],
          },
        ],
      },
    });
    const json = JSON.parse(JSON.stringify(msgToJson(msg)));
    expect(json).toEqual({
      header: { msgId: 'cli-1', msgType: 'GET_RESP' },
      body: {
        response: {
          getResp: {
            reqPathResults: [
              {
                requestedPath: 'Device.',
                resolvedPathResults: [{ resolvedPath: 'Device.', resultParams: { A: '1' } }],
              },
            ],
          },
        },
      },
    });
  });
});

describe('describeUspErrorCode', () => {
  test('names the codes of TR-369 and marks the vendor range', () => {
    expect(describeUspErrorCode(7016)).toBe('7016 Object does not exist');
    expect(describeUspErrorCode(7850)).toBe('7850 vendor-specific');
    expect(describeUspErrorCode(42)).toBe('42');
  });
});
