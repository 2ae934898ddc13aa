import { usp } from '@octomesh/contracts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import {
  CONTROLLER_ID,
  errorOf,
  exchange,
  responseOf,
  testModel,
} from './test-support/usp-exchange.ts';

function operate(model = testModel(), command: string, sendResp = true, commandKey = 'key-1') {
  return exchange(
    model,
    { operate: { command, commandKey, sendResp, inputArgs: { Ignored: 'x' } } },
    'op-1',
  );
}

describe('Operate', () => {
  it('runs Reboot() asynchronously: a Request instance, its path in the answer, a reboot effect [R-OPR.0]', () => {
    const model = testModel();
    const answer = operate(model, 'Device.Reboot()');
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.OPERATE_RESP);
    expect(responseOf(answer).operateResp!.operationResults).toEqual([
      expect.objectContaining({
        executedCommand: 'Device.Reboot()',
        reqObjPath: 'Device.LocalAgent.Request.1.',
      }),
    ]);
    const request = model.find('Device.LocalAgent.Request.1.');
    expect(request?.kind === 'object' && model.readAll(request)).toEqual({
      Originator: CONTROLLER_ID,
      Command: 'Device.Reboot()',
      CommandKey: 'key-1',
      Status: 'Active',
    });
    expect(answer.effects).toEqual([
      {
        kind: 'reboot',
        requestPath: 'Device.LocalAgent.Request.1.',
        commandKey: 'key-1',
        controllerId: CONTROLLER_ID,
      },
    ]);
  });

  it('runs FactoryReset() synchronously: output arguments at once, the model back to defaults', () => {
    const model = testModel();
    exchange(model, {
      set: {
        updateObjs: [
          { objPath: 'Device.Time.', paramSettings: [{ param: 'NTPServer1', value: 'x.example' }] },
        ],
      },
    });
    exchange(model, { add: { createObjs: [{ objPath: 'Device.NAT.PortMapping.' }] } });
    const results = responseOf(operate(model, 'Device.FactoryReset()')).operateResp!
      .operationResults;
    expect(results).toHaveLength(1);
    expect(results[0]!.executedCommand).toBe('Device.FactoryReset()');
    expect(results[0]!.reqOutputArgs).toEqual({ outputArgs: {} });
    expect(results[0]!.cmdFailure).toBeFalsy();
    const time = model.find('Device.Time.');
    expect(time?.kind === 'object' && model.read(time, 'NTPServer1')).toBe('pool.ntp.org');
    const table = model.find('Device.NAT.PortMapping.');
    expect(table?.kind === 'table' && table.instances.size).toBe(0);
    // Identity survives the reset.
    const info = model.find('Device.DeviceInfo.');
    expect(info?.kind === 'object' && model.read(info, 'SerialNumber')).toBe('SIM-7');
  });

  it('sends no OperateResp when send_resp is false, and still runs the command [R-OPR.4]', () => {
    const model = testModel();
    const answer = operate(model, 'Device.Reboot()', false);
    expect(answer.reply).toBeUndefined();
    expect(answer.effects.map((e) => e.kind)).toEqual(['reboot']);
  });

  it.each([
    ['an unknown command', 'Device.SelfDestruct()', UspErrorCodes.invalidPath],
    ['a path that is not a command', 'Device.DeviceInfo.', UspErrorCodes.invalidPath],
    ['an unparsable path', 'Device.Reboot(', UspErrorCodes.invalidPathSyntax],
  ])('answers %s with a USP Error', (_what, command, code) => {
    const answer = operate(testModel(), command);
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.ERROR);
    expect(answer.reply?.header?.msgId).toBe('op-1');
    expect(errorOf(answer).errCode).toBe(code);
    expect(answer.effects).toEqual([]);
  });
});
