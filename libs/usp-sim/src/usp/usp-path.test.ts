import { UspError, UspErrorCodes } from './usp-error-codes.ts';
import { parseUspPath } from './usp-path.ts';

function syntaxError(text: string, options = {}): number | undefined {
  try {
    parseUspPath(text, options);
    return undefined;
  } catch (error) {
    return (error as UspError).uspCode;
  }
}

describe('parseUspPath', () => {
  it('tells objects, parameters, commands and events apart by how the path ends', () => {
    expect(parseUspPath('Device.DeviceInfo.').leaf).toEqual({ kind: 'object' });
    expect(parseUspPath('Device.DeviceInfo.UpTime').leaf).toEqual({
      kind: 'parameter',
      name: 'UpTime',
    });
    expect(parseUspPath('Device.Reboot()').leaf).toEqual({ kind: 'command', name: 'Reboot()' });
    expect(parseUspPath('Device.Boot!').leaf).toEqual({ kind: 'event', name: 'Boot!' });
  });

  it('reads instance numbers, wildcards and search expressions, and marks Search Paths', () => {
    const exact = parseUspPath('Device.NAT.PortMapping.12.Enable');
    expect(exact.segments[3]).toEqual({ kind: 'instance', instance: 12 });
    expect(exact.isSearch).toBe(false);
    const search = parseUspPath('Device.NAT.PortMapping.[Enable==true&&Description=="a.b && c"].');
    expect(search.isSearch).toBe(true);
    expect(search.segments[3]).toEqual({
      kind: 'search',
      conditions: [
        { param: 'Enable', operator: '==', value: 'true' },
        { param: 'Description', operator: '==', value: 'a.b && c' },
      ],
    });
    expect(parseUspPath('Device.WiFi.SSID.*.SSID').segments[3]).toEqual({ kind: 'wildcard' });
  });

  it('reads every comparison operator and percent-encoded quotes', () => {
    const ops = parseUspPath('Device.T.[A<1&&B<=2&&C>3&&D>=4&&E!="x%22y"].').segments[2];
    expect(ops).toEqual({
      kind: 'search',
      conditions: [
        { param: 'A', operator: '<', value: '1' },
        { param: 'B', operator: '<=', value: '2' },
        { param: 'C', operator: '>', value: '3' },
        { param: 'D', operator: '>=', value: '4' },
        { param: 'E', operator: '!=', value: 'x"y' },
      ],
    });
  });

  it('accepts {i} only in Supported Data Model notation', () => {
    expect(syntaxError('Device.WiFi.SSID.{i}.')).toBe(UspErrorCodes.invalidPathSyntax);
    expect(parseUspPath('Device.WiFi.SSID.{i}.', { supportedNotation: true }).segments[3]).toEqual({
      kind: 'supported',
    });
  });

  it.each([
    ['an empty path', ''],
    ['an empty level', 'Device..Time.'],
    ['a lone name', 'Device'],
    ['an instance without the trailing dot', 'Device.WiFi.SSID.1'],
    ['instance 0', 'Device.WiFi.SSID.0.'],
    ['reference following', 'Device.NAT.PortMapping.1.InternalClient#.Name'],
    ['a search on a sub-object', 'Device.WiFi.SSID.[Stats.Errors>0].'],
    ['an unterminated expression', 'Device.WiFi.SSID.[Name=="x".'],
    ['a term without an operator', 'Device.WiFi.SSID.[Name].'],
    ['an unquoted value with a space', 'Device.WiFi.SSID.[Name==a b].'],
    ['a root that is not a name', '*.Time.'],
  ])('refuses %s with 7008', (_what, text) => {
    expect(syntaxError(text)).toBe(UspErrorCodes.invalidPathSyntax);
  });

  it('throws UspError instances that name the path', () => {
    expect(() => parseUspPath('Device..x')).toThrow(UspError);
    expect(() => parseUspPath('Device..x')).toThrow(/Device\.\.x/);
  });
});
