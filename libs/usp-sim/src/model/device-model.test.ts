import { UspErrorCodes, type UspError } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import { checkParamValue } from './param-value.ts';
import { createSimDeviceModel, identityFor } from './sim-data-model.ts';

const model = () => createSimDeviceModel(identityFor('os::00D09E-ABC123'), { now: () => 0 });

describe('DeviceModel', () => {
  it('fills DeviceInfo from the identity, reading OUI and serial from an os:: endpoint id', () => {
    const m = model();
    const info = m.find('Device.DeviceInfo.');
    expect(info?.kind === 'object' && m.readAll(info)).toMatchObject({
      ManufacturerOUI: '00D09E',
      SerialNumber: 'ABC123',
      Manufacturer: 'Octomesh',
    });
  });

  it('resolves a table path to the table and an instance path to the instance', () => {
    const m = model();
    const table = m.resolve(parseUspPath('Device.WiFi.SSID.'));
    expect(table.atTable).toBe(true);
    expect(table.tables.map((t) => t.path)).toEqual(['Device.WiFi.SSID.']);
    const instance = m.resolve(parseUspPath('Device.WiFi.SSID.2.SSID'));
    expect(instance.objects.map((o) => o.path)).toEqual(['Device.WiFi.SSID.2.']);
  });

  it('resolves an exact path to a missing instance to no objects (callers decide the error)', () => {
    expect(model().resolve(parseUspPath('Device.WiFi.SSID.3.')).objects).toEqual([]);
  });

  it.each([
    ['an unknown root', 'Other.Time.'],
    ['an unknown object', 'Device.Nope.'],
    ['a name where an instance belongs', 'Device.WiFi.SSID.SSID'],
    ['an instance of a single-instance object', 'Device.Time.1.'],
    ['an unknown parameter in a search expression', 'Device.WiFi.SSID.[Nope==1].'],
    ['an unknown command', 'Device.Explode()'],
  ])('refuses %s with 7026', (_what, text) => {
    expect(() => model().resolve(parseUspPath(text))).toThrow(
      expect.objectContaining({ uspCode: UspErrorCodes.invalidPath }) as UspError,
    );
  });

  it('compares numbers numerically and strings as text in search expressions', () => {
    const m = model();
    const tx = m.transaction();
    const table = m.find('Device.NAT.PortMapping.');
    if (table?.kind !== 'table') throw new Error('no table');
    for (const port of ['9', '10', '100']) tx.setValue(tx.addInstance(table), 'ExternalPort', port);
    const paths = (text: string) => m.resolve(parseUspPath(text)).objects.map((o) => o.path);
    expect(paths('Device.NAT.PortMapping.[ExternalPort>9].')).toEqual([
      'Device.NAT.PortMapping.2.',
      'Device.NAT.PortMapping.3.',
    ]);
    expect(paths('Device.NAT.PortMapping.[Protocol=="TCP"&&ExternalPort<=9].')).toEqual([
      'Device.NAT.PortMapping.1.',
    ]);
  });

  it('rolls a transaction back to a savepoint, instances and values alike', () => {
    const m = model();
    const table = m.find('Device.NAT.PortMapping.');
    const time = m.find('Device.Time.');
    if (table?.kind !== 'table' || time?.kind !== 'object') throw new Error('missing nodes');
    const tx = m.transaction();
    tx.addInstance(table);
    const mark = tx.mark();
    tx.setValue(time, 'NTPServer1', 'changed');
    tx.addInstance(table);
    tx.deleteInstance(table, 1);
    tx.rollbackTo(mark);
    expect([...table.instances.keys()]).toEqual([1]);
    expect(m.read(time, 'NTPServer1')).toBe('pool.ntp.org');
    expect(table.nextInstance).toBe(2);
    tx.rollback();
    expect(table.instances.size).toBe(0);
  });

  it('finds unique key conflicts with other instances only', () => {
    const m = model();
    const table = m.find('Device.WiFi.SSID.');
    const first = m.find('Device.WiFi.SSID.1.');
    if (table?.kind !== 'table' || first?.kind !== 'object') throw new Error('missing nodes');
    expect(m.violatesUniqueKey(table, first, 'Alias', 'cpe-1')).toBe(false);
    expect(m.violatesUniqueKey(table, first, 'Alias', 'cpe-2')).toBe(true);
    expect(m.violatesUniqueKey(table, first, 'SSID', 'anything')).toBe(false);
  });

  it('counts UpTime from the last (simulated) reboot', () => {
    const clock = { ms: 0 };
    const m = createSimDeviceModel(identityFor('x'), { now: () => clock.ms });
    clock.ms = 90_000;
    expect(m.uptimeSeconds).toBe(90);
    m.markRebooted();
    clock.ms = 95_000;
    expect(m.uptimeSeconds).toBe(5);
  });
});

describe('checkParamValue', () => {
  it.each([
    [{ type: 'boolean', writable: true }, '1', 'true'],
    [{ type: 'boolean', writable: true }, 'false', 'false'],
    [{ type: 'unsignedInt', writable: true }, '007', '7'],
    [{ type: 'int', writable: true }, '-5', '-5'],
    [{ type: 'dateTime', writable: true }, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
  ] as const)('accepts %j %s as %s', (schema, input, canonical) => {
    expect(checkParamValue(schema, input)).toEqual({ ok: true, value: canonical });
  });

  it.each([
    [{ type: 'boolean', writable: true }, 'yes', UspErrorCodes.invalidType],
    [{ type: 'unsignedInt', writable: true }, '-1', UspErrorCodes.invalidType],
    [{ type: 'unsignedInt', writable: true }, '4294967296', UspErrorCodes.invalidType],
    [{ type: 'int', writable: true }, '1.5', UspErrorCodes.invalidType],
    [{ type: 'dateTime', writable: true }, 'yesterday', UspErrorCodes.invalidType],
    [
      { type: 'unsignedInt', writable: true, range: { min: 0, max: 65535 } },
      '65536',
      UspErrorCodes.invalidValue,
    ],
    [
      { type: 'string', writable: true, enumeration: ['TCP', 'UDP'] },
      'tcp',
      UspErrorCodes.invalidValue,
    ],
    [{ type: 'string', writable: true, maxLength: 3 }, 'abcd', UspErrorCodes.invalidValue],
  ] as const)('refuses %j %s with %i', (schema, input, code) => {
    expect(checkParamValue(schema, input)).toEqual(expect.objectContaining({ ok: false, code }));
  });
});
