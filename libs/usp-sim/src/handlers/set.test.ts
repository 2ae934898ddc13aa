import { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { errorOf, exchange, responseOf, testModel } from './test-support/usp-exchange.ts';

type Update = usp.Set.IUpdateObject;

function set(model: DeviceModel, updateObjs: Update[], allowPartial = false) {
  return exchange(model, { set: { allowPartial, updateObjs } }, 'set-1');
}

function value(model: DeviceModel, path: string): string {
  const cut = path.lastIndexOf('.') + 1;
  const node = model.find(path.slice(0, cut));
  if (node?.kind !== 'object') throw new Error(`no object ${path}`);
  return model.read(node, path.slice(cut));
}

const ntp = (v: string, required = true): Update => ({
  objPath: 'Device.Time.',
  paramSettings: [{ param: 'NTPServer1', value: v, required }],
});

describe('Set', () => {
  it('writes writable parameters and returns their new values [SET_RESP]', () => {
    const model = testModel();
    const answer = set(model, [
      ntp('ntp.example.net'),
      {
        objPath: 'Device.WiFi.SSID.1.',
        paramSettings: [{ param: 'SSID', value: 'Home', required: true }],
      },
    ]);
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.SET_RESP);
    const results = responseOf(answer).setResp!.updatedObjResults;
    expect(results.map((r) => r.requestedPath)).toEqual(['Device.Time.', 'Device.WiFi.SSID.1.']);
    expect(results[0]!.operStatus!.operSuccess!.updatedInstResults).toEqual([
      expect.objectContaining({
        affectedPath: 'Device.Time.',
        updatedParams: { NTPServer1: 'ntp.example.net' },
      }),
    ]);
    expect(value(model, 'Device.Time.NTPServer1')).toBe('ntp.example.net');
    expect(value(model, 'Device.WiFi.SSID.1.SSID')).toBe('Home');
  });

  it('stores booleans in canonical form', () => {
    const model = testModel();
    set(model, [{ objPath: 'Device.Time.', paramSettings: [{ param: 'Enable', value: '0' }] }]);
    expect(value(model, 'Device.Time.Enable')).toBe('false');
    expect(value(model, 'Device.Time.Status')).toBe('Disabled');
  });

  it('updates every instance a wildcard selects', () => {
    const model = testModel();
    const results = responseOf(
      set(model, [
        {
          objPath: 'Device.WiFi.SSID.*.',
          paramSettings: [{ param: 'Enable', value: 'false', required: true }],
        },
      ]),
    ).setResp!.updatedObjResults;
    expect(
      results[0]!.operStatus!.operSuccess!.updatedInstResults.map((r) => r.affectedPath),
    ).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.']);
    expect(value(model, 'Device.WiFi.SSID.2.Status')).toBe('Down');
  });

  it('reports a failed non-required parameter and still writes the others', () => {
    const model = testModel();
    const results = responseOf(
      set(model, [
        {
          objPath: 'Device.Time.',
          paramSettings: [
            { param: 'NTPServer2', value: 'b.example.net', required: false },
            { param: 'Status', value: 'x', required: false },
          ],
        },
      ]),
    ).setResp!.updatedObjResults;
    const success = results[0]!.operStatus!.operSuccess!.updatedInstResults[0]!;
    expect(success.updatedParams).toEqual({ NTPServer2: 'b.example.net' });
    expect(success.paramErrs.map((e) => [e.param, e.errCode])).toEqual([
      ['Status', UspErrorCodes.nonWritableParameter],
    ]);
  });

  it.each([
    [
      'a read-only parameter',
      'Device.DeviceInfo.',
      'SerialNumber',
      'x',
      UspErrorCodes.nonWritableParameter,
    ],
    ['an unknown parameter', 'Device.Time.', 'NoSuch', 'x', UspErrorCodes.unsupportedParameter],
    ['a value of the wrong type', 'Device.Time.', 'Enable', 'maybe', UspErrorCodes.invalidType],
    [
      'a value that is too long',
      'Device.WiFi.SSID.1.',
      'SSID',
      'x'.repeat(33),
      UspErrorCodes.invalidValue,
    ],
    [
      'a duplicate unique key',
      'Device.WiFi.SSID.1.',
      'Alias',
      'cpe-2',
      UspErrorCodes.duplicateUniqueKey,
    ],
  ])(
    'refuses %s: allow_partial=false answers an Error naming the parameter and changes nothing [R-SET.1]',
    (_what, objPath, param, v, code) => {
      const model = testModel();
      const error = errorOf(
        set(model, [
          ntp('changed.example.net'),
          { objPath, paramSettings: [{ param, value: v, required: true }] },
        ]),
      );
      expect(error.errCode).toBe(UspErrorCodes.requiredParameterFailed);
      expect(error.paramErrs.map((e) => [e.paramPath, e.errCode])).toEqual([
        [`${objPath}${param}`, code],
      ]);
      // The first UpdateObject succeeded before the failure; it is undone too.
      expect(value(model, 'Device.Time.NTPServer1')).toBe('pool.ntp.org');
    },
  );

  it('with allow_partial=true fails only the object whose required parameter failed [R-SET.0]', () => {
    const model = testModel();
    const results = responseOf(
      set(
        model,
        [
          ntp('ok.example.net'),
          {
            objPath: 'Device.Time.',
            paramSettings: [{ param: 'Enable', value: 'x', required: true }],
          },
        ],
        true,
      ),
    ).setResp!.updatedObjResults;
    expect(results[0]!.operStatus!.operSuccess).toBeTruthy();
    const failure = results[1]!.operStatus!.operFailure!;
    expect(failure.errCode).toBe(UspErrorCodes.requiredParameterFailed);
    expect(
      failure.updatedInstFailures.map((f) => [f.affectedPath, f.paramErrs[0]!.errCode]),
    ).toEqual([['Device.Time.', UspErrorCodes.invalidType]]);
    expect(value(model, 'Device.Time.NTPServer1')).toBe('ok.example.net');
  });

  it('undoes every instance of a Search Path when one fails, whatever allow_partial says [R-SET.2a]', () => {
    const model = testModel();
    const results = responseOf(
      set(
        model,
        [
          {
            objPath: 'Device.WiFi.SSID.*.',
            paramSettings: [{ param: 'Alias', value: 'same', required: true }],
          },
        ],
        true,
      ),
    ).setResp!.updatedObjResults;
    const failure = results[0]!.operStatus!.operFailure!;
    expect(failure.updatedInstFailures.map((f) => f.affectedPath)).toEqual(['Device.WiFi.SSID.2.']);
    expect(value(model, 'Device.WiFi.SSID.1.Alias')).toBe('cpe-1');
  });

  it('answers 7016 for an instance that does not exist and 7026 for an unknown object', () => {
    const model = testModel();
    const results = responseOf(
      set(
        model,
        [
          { objPath: 'Device.WiFi.SSID.5.', paramSettings: [{ param: 'SSID', value: 'x' }] },
          { objPath: 'Device.Nope.', paramSettings: [{ param: 'X', value: 'x' }] },
        ],
        true,
      ),
    ).setResp!.updatedObjResults;
    expect(results.map((r) => r.operStatus!.operFailure!.errCode)).toEqual([
      UspErrorCodes.objectDoesNotExist,
      UspErrorCodes.invalidPath,
    ]);
    const error = errorOf(
      set(model, [
        { objPath: 'Device.WiFi.SSID.5.', paramSettings: [{ param: 'SSID', value: 'x' }] },
      ]),
    );
    expect(error.errCode).toBe(UspErrorCodes.objectDoesNotExist);
    expect(error.paramErrs[0]!.paramPath).toBe('Device.WiFi.SSID.5.');
  });
});
