import { usp } from '@octomesh/contracts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { exchange, responseOf, testModel } from './test-support/usp-exchange.ts';

function getInstances(objPaths: string[], firstLevelOnly = false) {
  const model = testModel();
  exchange(model, {
    add: {
      createObjs: [
        { objPath: 'Device.NAT.PortMapping.', paramSettings: [{ param: 'Alias', value: 'web' }] },
      ],
    },
  });
  const answer = exchange(model, { getInstances: { objPaths, firstLevelOnly } }, 'gi-1');
  expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.GET_INSTANCES_RESP);
  return responseOf(answer).getInstancesResp!.reqPathResults;
}

describe('GetInstances', () => {
  it('lists the instances of a table with their unique keys', () => {
    const [result] = getInstances(['Device.WiFi.SSID.']);
    expect(result!.errCode).toBe(0);
    expect(result!.currInsts.map((i) => [i.instantiatedObjPath, i.uniqueKeys])).toEqual([
      ['Device.WiFi.SSID.1.', { Alias: 'cpe-1', Name: 'wl0' }],
      ['Device.WiFi.SSID.2.', { Alias: 'cpe-2', Name: 'wl1' }],
    ]);
  });

  it('lists the instances a search path selects', () => {
    const [result] = getInstances(['Device.WiFi.SSID.[Name=="wl1"].']);
    expect(result!.currInsts.map((i) => i.instantiatedObjPath)).toEqual(['Device.WiFi.SSID.2.']);
  });

  it('lists every table below a single-instance object, or only the first level', () => {
    const [all] = getInstances(['Device.']);
    expect(all!.currInsts.map((i) => i.instantiatedObjPath)).toEqual([
      'Device.WiFi.SSID.1.',
      'Device.WiFi.SSID.2.',
      'Device.NAT.PortMapping.1.',
    ]);
    const [nat] = getInstances(['Device.NAT.'], true);
    expect(nat!.currInsts.map((i) => [i.instantiatedObjPath, i.uniqueKeys])).toEqual([
      ['Device.NAT.PortMapping.1.', { Alias: 'web' }],
    ]);
  });

  it('answers 7016 for a missing instance and 7026 for a path outside the data model', () => {
    const results = getInstances(['Device.WiFi.SSID.3.', 'Device.Nope.']);
    expect(results.map((r) => r.errCode)).toEqual([
      UspErrorCodes.objectDoesNotExist,
      UspErrorCodes.invalidPath,
    ]);
  });
});
