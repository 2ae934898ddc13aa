import { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { errorOf, exchange, responseOf, testModel } from './test-support/usp-exchange.ts';

const PM = 'Device.NAT.PortMapping.';

function add(model: DeviceModel, createObjs: usp.Add.ICreateObject[], allowPartial = false) {
  return exchange(model, { add: { allowPartial, createObjs } }, 'add-1');
}

function del(model: DeviceModel, objPaths: string[], allowPartial = false) {
  return exchange(model, { delete: { allowPartial, objPaths } }, 'del-1');
}

function mapping(port: string, extra: usp.Add.ICreateParamSetting[] = []): usp.Add.ICreateObject {
  return {
    objPath: PM,
    paramSettings: [
      { param: 'ExternalPort', value: port, required: true },
      { param: 'InternalClient', value: '192.168.1.10', required: true },
      ...extra,
    ],
  };
}

function instances(model: DeviceModel): string[] {
  const table = model.find(PM);
  return table?.kind === 'table' ? [...table.instances.values()].map((n) => n.path) : [];
}

describe('Add', () => {
  it('creates an instance, writes its parameters and assigns the missing unique key [R-ADD.5]', () => {
    const model = testModel();
    const answer = add(model, [mapping('8080', [{ param: 'Description', value: 'web' }])]);
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.ADD_RESP);
    const [created] = responseOf(answer).addResp!.createdObjResults;
    expect(created!.requestedPath).toBe(PM);
    expect(created!.operStatus!.operSuccess).toEqual(
      expect.objectContaining({
        instantiatedPath: `${PM}1.`,
        uniqueKeys: { Alias: 'cpe-1' },
        paramErrs: [],
      }),
    );
    const node = model.find(`${PM}1.`);
    expect(node?.kind === 'object' && model.readAll(node)).toMatchObject({
      ExternalPort: '8080',
      InternalClient: '192.168.1.10',
      Description: 'web',
      Protocol: 'TCP',
      Enable: 'false',
    });
  });

  it('numbers instances upwards and never reuses a number', () => {
    const model = testModel();
    add(model, [mapping('1'), mapping('2')]);
    del(model, [`${PM}2.`]);
    const [created] = responseOf(add(model, [mapping('3')])).addResp!.createdObjResults;
    expect(created!.operStatus!.operSuccess!.instantiatedPath).toBe(`${PM}3.`);
    expect(instances(model)).toEqual([`${PM}1.`, `${PM}3.`]);
  });

  it('treats a unique key as required: a duplicate Alias fails the creation [7025]', () => {
    const model = testModel();
    add(model, [mapping('1', [{ param: 'Alias', value: 'web', required: false }])]);
    const result = responseOf(
      add(model, [mapping('2', [{ param: 'Alias', value: 'web', required: false }])], true),
    ).addResp!.createdObjResults[0]!;
    expect(result.operStatus!.operFailure!.errCode).toBe(UspErrorCodes.requiredParameterFailed);
    expect(result.operStatus!.operFailure!.errMsg).toMatch(/Alias/);
    expect(instances(model)).toEqual([`${PM}1.`]);
  });

  it('reports a failed optional parameter and still creates the instance [R-ADD.4]', () => {
    const model = testModel();
    const success = responseOf(add(model, [mapping('1', [{ param: 'Protocol', value: 'SCTP' }])]))
      .addResp!.createdObjResults[0]!.operStatus!.operSuccess!;
    expect(success.paramErrs.map((e) => [e.param, e.errCode])).toEqual([
      ['Protocol', UspErrorCodes.invalidValue],
    ]);
    expect(instances(model)).toEqual([`${PM}1.`]);
  });

  it('with allow_partial=false answers an Error and creates nothing when one object fails [R-ADD.1]', () => {
    const model = testModel();
    const error = errorOf(add(model, [mapping('80'), mapping('not-a-port')]));
    expect(error.errCode).toBe(UspErrorCodes.requiredParameterFailed);
    expect(error.paramErrs.map((e) => [e.paramPath, e.errCode])).toEqual([
      [`${PM}ExternalPort`, UspErrorCodes.invalidType],
    ]);
    expect(instances(model)).toEqual([]);
  });

  it.each([
    ['an object that is not a table', 'Device.DeviceInfo.', UspErrorCodes.objectNotATable],
    ['an instance instead of its table', 'Device.WiFi.SSID.1.', UspErrorCodes.objectNotATable],
    ['a table controllers may not add to', 'Device.WiFi.SSID.', UspErrorCodes.objectNotCreatable],
    ['a path outside the data model', 'Device.Nope.', UspErrorCodes.invalidPath],
    ['a parameter path', 'Device.NAT.PortMappingNumberOfEntries', UspErrorCodes.invalidPath],
  ])('refuses %s', (_what, objPath, code) => {
    const model = testModel();
    expect(errorOf(add(model, [{ objPath }])).errCode).toBe(code);
    const failure = responseOf(add(model, [{ objPath }], true)).addResp!.createdObjResults[0]!
      .operStatus!.operFailure!;
    expect(failure.errCode).toBe(code);
  });
});

describe('Delete', () => {
  it('deletes the instances a path selects and lists them [DELETE_RESP]', () => {
    const model = testModel();
    add(model, [mapping('1'), mapping('2'), mapping('3')]);
    const answer = del(model, [`${PM}1.`, `${PM}[ExternalPort>1].`]);
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.DELETE_RESP);
    const results = responseOf(answer).deleteResp!.deletedObjResults;
    expect(results.map((r) => r.operStatus!.operSuccess!.affectedPaths)).toEqual([
      [`${PM}1.`],
      [`${PM}2.`, `${PM}3.`],
    ]);
    expect(instances(model)).toEqual([]);
  });

  it('succeeds with nothing affected when the path selects no instance [R-DEL.2a]', () => {
    const model = testModel();
    const results = responseOf(del(model, [`${PM}7.`, `${PM}*.`])).deleteResp!.deletedObjResults;
    expect(results.map((r) => r.operStatus!.operSuccess!.affectedPaths)).toEqual([[], []]);
  });

  it('with allow_partial=false answers an Error and deletes nothing when one path fails [R-DEL.1]', () => {
    const model = testModel();
    add(model, [mapping('1')]);
    const error = errorOf(del(model, [`${PM}1.`, 'Device.WiFi.SSID.1.']));
    expect(error.errCode).toBe(UspErrorCodes.deleteFailure);
    expect(error.paramErrs[0]!.paramPath).toBe('Device.WiFi.SSID.1.');
    expect(instances(model)).toEqual([`${PM}1.`]);
  });

  it('with allow_partial=true reports the failed path and deletes the rest [R-DEL.0]', () => {
    const model = testModel();
    add(model, [mapping('1')]);
    const results = responseOf(del(model, ['Device.DeviceInfo.', `${PM}1.`, PM], true)).deleteResp!
      .deletedObjResults;
    expect(results.map((r) => r.operStatus!.operFailure?.errCode ?? 0)).toEqual([
      UspErrorCodes.objectNotATable,
      0,
      UspErrorCodes.invalidPath,
    ]);
    expect(instances(model)).toEqual([]);
  });
});
