import { usp } from '@octomesh/contracts';
import { DATA_MODEL_URI } from '../model/sim-data-model.ts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { exchange, responseOf, testModel } from './test-support/usp-exchange.ts';

const GSDM = usp.GetSupportedDMResp;
const all = {
  returnCommands: true,
  returnEvents: true,
  returnParams: true,
  returnUniqueKeySets: true,
};

function gsdm(objPaths: string[], flags: usp.IGetSupportedDM = all) {
  const answer = exchange(testModel(), { getSupportedDm: { objPaths, ...flags } }, 'gsdm-1');
  expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.GET_SUPPORTED_DM_RESP);
  return responseOf(answer).getSupportedDmResp!.reqObjResults;
}

describe('GetSupportedDM', () => {
  it('describes an object tree in Supported Data Model notation', () => {
    const [result] = gsdm(['Device.NAT.']);
    expect(result!.errCode).toBe(0);
    expect(result!.dataModelInstUri).toBe(DATA_MODEL_URI);
    expect(
      result!.supportedObjs.map((o) => [o.supportedObjPath, o.access, o.isMultiInstance]),
    ).toEqual([
      ['Device.NAT.', GSDM.ObjAccessType.OBJ_READ_ONLY, false],
      ['Device.NAT.PortMapping.{i}.', GSDM.ObjAccessType.OBJ_ADD_DELETE, true],
    ]);
    const table = result!.supportedObjs[1]!;
    expect(table.uniqueKeySets.map((k) => k.keyNames)).toEqual([['Alias']]);
    expect(table.supportedParams.find((p) => p.paramName === 'ExternalPort')).toEqual(
      expect.objectContaining({
        access: GSDM.ParamAccessType.PARAM_READ_WRITE,
        valueType: GSDM.ParamValueType.PARAM_UNSIGNED_INT,
        valueChange: GSDM.ValueChangeType.VALUE_CHANGE_ALLOWED,
      }),
    );
  });

  it('reports the commands with their type and the Boot! event with its arguments', () => {
    const [result] = gsdm(['Device.'], { ...all, firstLevelOnly: true });
    const root = result!.supportedObjs[0]!;
    expect(root.supportedCommands.map((c) => [c.commandName, c.commandType])).toEqual([
      ['Reboot()', GSDM.CmdType.CMD_ASYNC],
      ['FactoryReset()', GSDM.CmdType.CMD_SYNC],
    ]);
    expect(root.supportedEvents).toEqual([
      expect.objectContaining({
        eventName: 'Boot!',
        argNames: ['Cause', 'CommandKey', 'FirmwareUpdated', 'ParameterMap'],
      }),
    ]);
    // first_level_only: the children come without their details.
    const children = result!.supportedObjs.slice(1);
    expect(children.map((o) => o.supportedObjPath)).toEqual([
      'Device.DeviceInfo.',
      'Device.Time.',
      'Device.LocalAgent.',
      'Device.WiFi.',
      'Device.NAT.',
    ]);
    expect(children.every((o) => o.supportedParams.length === 0)).toBe(true);
  });

  it('leaves out what the flags do not ask for', () => {
    const [result] = gsdm(['Device.DeviceInfo.'], {});
    expect(result!.supportedObjs).toEqual([
      expect.objectContaining({
        supportedObjPath: 'Device.DeviceInfo.',
        supportedParams: [],
        supportedCommands: [],
      }),
    ]);
  });

  it('accepts {i}, an omitted final {i}, and existing instance numbers as the same object', () => {
    const paths = gsdm(['Device.WiFi.SSID.{i}.', 'Device.WiFi.SSID.', 'Device.WiFi.SSID.2.']).map(
      (r) => r.supportedObjs.map((o) => o.supportedObjPath),
    );
    expect(paths).toEqual([
      ['Device.WiFi.SSID.{i}.'],
      ['Device.WiFi.SSID.{i}.'],
      ['Device.WiFi.SSID.{i}.'],
    ]);
  });

  it('describes a single parameter or command path', () => {
    const [param, command] = gsdm(['Device.DeviceInfo.UpTime', 'Device.Reboot()'], {});
    expect(param!.supportedObjs[0]!.supportedParams).toEqual([
      expect.objectContaining({
        paramName: 'UpTime',
        access: GSDM.ParamAccessType.PARAM_READ_ONLY,
        valueChange: GSDM.ValueChangeType.VALUE_CHANGE_WILL_IGNORE,
      }),
    ]);
    expect(command!.supportedObjs[0]!.supportedCommands.map((c) => c.commandName)).toEqual([
      'Reboot()',
    ]);
  });

  it.each([
    ['a path outside the data model', 'Device.Nope.', UspErrorCodes.invalidPath],
    ['a wildcard', 'Device.WiFi.SSID.*.', UspErrorCodes.invalidPath],
    ['a missing instance', 'Device.WiFi.SSID.9.', UspErrorCodes.objectDoesNotExist],
    ['an instance number after {i}', 'Device.WiFi.SSID.{i}.2.', UspErrorCodes.invalidPath],
  ])('answers an error for %s', (_what, path, code) => {
    expect(gsdm([path])[0]!.errCode).toBe(code);
  });
});
