import { usp } from '@octomesh/contracts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { BOOT_MS, exchange, responseOf, testModel } from './test-support/usp-exchange.ts';

function get(paramPaths: string[], maxDepth = 0, clock = { ms: BOOT_MS }) {
  const model = testModel(clock);
  const answer = exchange(model, { get: { paramPaths, maxDepth } }, 'get-1');
  return { answer, results: responseOf(answer).getResp!.reqPathResults };
}

describe('Get', () => {
  it('answers with GET_RESP and the request msg_id', () => {
    const { answer } = get(['Device.DeviceInfo.SerialNumber']);
    expect(answer.reply?.header?.msgId).toBe('get-1');
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.GET_RESP);
  });

  it('returns a parameter path as its parent object with only that parameter [R-GET.2, R-GET.3]', () => {
    const { results } = get(['Device.DeviceInfo.SerialNumber']);
    expect(results).toHaveLength(1);
    expect(results[0]!.requestedPath).toBe('Device.DeviceInfo.SerialNumber');
    expect(results[0]!.errCode).toBe(0);
    expect(results[0]!.resolvedPathResults.map((r) => [r.resolvedPath, r.resultParams])).toEqual([
      ['Device.DeviceInfo.', { SerialNumber: 'SIM-7' }],
    ]);
  });

  it('returns a partial path as one result per object and sub-object, parameters relative', () => {
    const { results } = get(['Device.WiFi.']);
    const resolved = results[0]!.resolvedPathResults;
    expect(resolved.map((r) => r.resolvedPath)).toEqual([
      'Device.WiFi.',
      'Device.WiFi.SSID.1.',
      'Device.WiFi.SSID.2.',
    ]);
    expect(resolved[0]!.resultParams).toEqual({ SSIDNumberOfEntries: '2' });
    expect(resolved[1]!.resultParams).toMatchObject({
      Enable: 'true',
      Status: 'Up',
      Alias: 'cpe-1',
      Name: 'wl0',
      SSID: 'Octomesh-SIM-7',
    });
  });

  it('limits the tree with max_depth: 1 is the object alone [R-GET.5]', () => {
    const { results } = get(['Device.WiFi.'], 1);
    expect(results[0]!.resolvedPathResults.map((r) => r.resolvedPath)).toEqual(['Device.WiFi.']);
  });

  it('counts a table and its instance as one level of max_depth', () => {
    const { results } = get(['Device.'], 2);
    const paths = results[0]!.resolvedPathResults.map((r) => r.resolvedPath);
    expect(paths).toContain('Device.DeviceInfo.');
    expect(paths).not.toContain('Device.WiFi.SSID.1.');
    expect(
      get(['Device.'], 3).results[0]!.resolvedPathResults.map((r) => r.resolvedPath),
    ).toContain('Device.WiFi.SSID.1.');
  });

  it('resolves the * wildcard to every instance', () => {
    const { results } = get(['Device.WiFi.SSID.*.SSID']);
    expect(results[0]!.resolvedPathResults.map((r) => [r.resolvedPath, r.resultParams])).toEqual([
      ['Device.WiFi.SSID.1.', { SSID: 'Octomesh-SIM-7' }],
      ['Device.WiFi.SSID.2.', { SSID: 'Octomesh-SIM-7-5G' }],
    ]);
  });

  it('resolves a search expression on the instance parameters', () => {
    const { results } = get(['Device.WiFi.SSID.[Name=="wl1"].Alias']);
    expect(results[0]!.resolvedPathResults.map((r) => [r.resolvedPath, r.resultParams])).toEqual([
      ['Device.WiFi.SSID.2.', { Alias: 'cpe-2' }],
    ]);
  });

  it('answers a Search Path that matches nothing with no results and no error [R-GET.1a]', () => {
    const { results } = get(['Device.NAT.PortMapping.*.', 'Device.WiFi.SSID.[Name=="none"].']);
    expect(results.map((r) => [r.errCode, r.resolvedPathResults.length])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('answers 7026 for a path outside the data model and for a missing instance [R-GET.0]', () => {
    const { results } = get([
      'Device.NoSuchObject.',
      'Device.DeviceInfo.NoSuchParam',
      'Device.WiFi.SSID.9.',
      'Device.DeviceInfo.SerialNumber',
    ]);
    expect(results.map((r) => r.errCode)).toEqual([
      UspErrorCodes.invalidPath,
      UspErrorCodes.invalidPath,
      UspErrorCodes.invalidPath,
      0,
    ]);
    expect(results[0]!.errMsg).toMatch(/no object NoSuchObject/);
  });

  it('answers 7008 for a path it cannot parse, 7026 for a command path', () => {
    const { results } = get(['Device..DeviceInfo.', 'Device.DeviceInfo.#x', 'Device.Reboot()']);
    expect(results.map((r) => r.errCode)).toEqual([
      UspErrorCodes.invalidPathSyntax,
      UspErrorCodes.invalidPathSyntax,
      UspErrorCodes.invalidPath,
    ]);
  });

  it('computes UpTime from the simulated boot', () => {
    const clock = { ms: BOOT_MS };
    const model = testModel(clock);
    clock.ms += 42_500;
    const answer = exchange(model, { get: { paramPaths: ['Device.DeviceInfo.UpTime'] } });
    expect(
      responseOf(answer).getResp!.reqPathResults[0]!.resolvedPathResults[0]!.resultParams,
    ).toEqual({
      UpTime: '42',
    });
  });
});
