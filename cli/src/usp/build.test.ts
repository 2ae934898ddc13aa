import { encodeUspMsg, usp } from '@octomesh/contracts';
import { UsageError } from '../args.ts';
import { DEFAULT_USP_TIMEOUT_MS, newCliId, parseUspInvocation, splitParamPath } from './build.ts';

const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};
const parse = (...argv: string[]) => parseUspInvocation(argv, ids());
const request = (...argv: string[]) => parse(...argv).msg.body!.request!;

describe('parseUspInvocation', () => {
  test('get sends every path with the max depth and a fresh msg_id', () => {
    const invocation = parse(
      'get',
      'os::A',
      'Device.DeviceInfo.',
      'Device.Time.',
      '--max-depth',
      '2',
    );
    expect(invocation).toMatchObject({
      command: 'get',
      endpointId: 'os::A',
      timeoutMs: DEFAULT_USP_TIMEOUT_MS,
      json: false,
      controllerId: undefined,
    });
    expect(invocation.msg.header).toEqual({ msgId: 'id-1', msgType: usp.Header.MsgType.GET });
    expect(invocation.msg.body!.request!.get).toEqual({
      paramPaths: ['Device.DeviceInfo.', 'Device.Time.'],
      maxDepth: 2,
    });
  });

  test('every message it builds is a valid usp.Msg', () => {
    for (const argv of [
      ['get', 'os::A', 'Device.'],
      ['set', 'os::A', 'Device.Time.NTPServer1=a'],
      ['add', 'os::A', 'Device.IP.Interface.', 'Alias=x'],
      ['delete', 'os::A', 'Device.IP.Interface.2.'],
      ['operate', 'os::A', 'Device.Reboot()'],
      ['instances', 'os::A', 'Device.IP.Interface.'],
      ['supported', 'os::A', 'Device.'],
    ]) {
      expect(() => encodeUspMsg(parse(...argv).msg)).not.toThrow();
    }
  });

  test('msg_ids are fresh and prefixed with cli-', () => {
    const a = newCliId();
    expect(a).toMatch(/^cli-[0-9a-f]{12}$/);
    expect(newCliId()).not.toBe(a);
  });

  test('set groups parameters by object path, in the order given, each required', () => {
    const set = request(
      'set',
      'os::A',
      'Device.Time.NTPServer1=pool.ntp.org',
      'Device.DeviceInfo.ProvisioningCode=abc=1',
      'Device.Time.Enable=true',
      'Device.Time.LocalTimeZone=',
      '--allow-partial',
    ).set!;
    expect(set).toEqual({
      allowPartial: true,
      updateObjs: [
        {
          objPath: 'Device.Time.',
          paramSettings: [
            { param: 'NTPServer1', value: 'pool.ntp.org', required: true },
            { param: 'Enable', value: 'true', required: true },
            { param: 'LocalTimeZone', value: '', required: true },
          ],
        },
        {
          objPath: 'Device.DeviceInfo.',
          paramSettings: [{ param: 'ProvisioningCode', value: 'abc=1', required: true }],
        },
      ],
    });
  });

  test('set keeps search paths as the object path', () => {
    expect(splitParamPath('Device.WiFi.SSID.*.Enable')).toEqual({
      objPath: 'Device.WiFi.SSID.*.',
      param: 'Enable',
    });
  });

  test('add creates one object with its parameter settings', () => {
    expect(request('add', 'os::A', 'Device.IP.Interface.', 'Alias=lan', 'Enable=true').add).toEqual(
      {
        allowPartial: false,
        createObjs: [
          {
            objPath: 'Device.IP.Interface.',
            paramSettings: [
              { param: 'Alias', value: 'lan', required: true },
              { param: 'Enable', value: 'true', required: true },
            ],
          },
        ],
      },
    );
  });

  test('delete sends every object path', () => {
    expect(
      request('delete', 'os::A', 'Device.IP.Interface.2.', 'Device.IP.Interface.3.').delete,
    ).toEqual({
      allowPartial: false,
      objPaths: ['Device.IP.Interface.2.', 'Device.IP.Interface.3.'],
    });
  });

  test('operate asks for a response, with input arguments and a generated command key', () => {
    expect(
      request('operate', 'os::A', 'Device.IP.Diagnostics.IPPing()', 'Host=10.0.0.1', 'Count=3')
        .operate,
    ).toEqual({
      command: 'Device.IP.Diagnostics.IPPing()',
      commandKey: 'id-2',
      sendResp: true,
      inputArgs: { Host: '10.0.0.1', Count: '3' },
    });
  });

  test('operate uses --command-key when given', () => {
    expect(
      request('operate', 'os::A', 'Device.Reboot()', '--command-key', 'reboot-7').operate!
        .commandKey,
    ).toBe('reboot-7');
  });

  test('instances and supported carry their flags; supported returns everything by default', () => {
    expect(request('instances', 'os::A', 'Device.IP.', '--first-level-only').getInstances).toEqual({
      objPaths: ['Device.IP.'],
      firstLevelOnly: true,
    });
    expect(request('supported', 'os::A', 'Device.').getSupportedDm).toEqual({
      objPaths: ['Device.'],
      firstLevelOnly: false,
      returnCommands: true,
      returnEvents: true,
      returnParams: true,
      returnUniqueKeySets: true,
    });
    expect(
      request('supported', 'os::A', 'Device.', '--no-commands', '--no-events', '--no-params')
        .getSupportedDm,
    ).toMatchObject({ returnCommands: false, returnEvents: false, returnParams: false });
  });

  test('common options: timeout, json, controller id, NATS URL', () => {
    expect(
      parse(
        'get',
        'os::A',
        'Device.',
        '--timeout',
        '500',
        '--json',
        '--controller-id',
        'ctrl-2',
        '--nats-url',
        'nats://h:4222',
      ),
    ).toMatchObject({
      timeoutMs: 500,
      json: true,
      controllerId: 'ctrl-2',
      natsUrl: 'nats://h:4222',
    });
  });

  test.each([
    [[], /needs a command/],
    [['fetch', 'os::A', 'Device.'], /unknown usp command fetch/],
    [['get'], /needs an endpoint id/],
    [['get', 'os/A', 'Device.'], /endpoint id/],
    [['get', 'os::A'], /needs a path/],
    [['get', 'os::A', 'Device.', '--timeout', '1.5'], /--timeout must be an integer/],
    [['get', 'os::A', 'Device.', '--timeout', 'soon'], /--timeout must be an integer/],
    [['get', 'os::A', 'Device.', '--timeout', '0'], /--timeout must be between/],
    [['get', 'os::A', 'Device.', '--max-depth=-1'], /--max-depth must be between/],
    [['get', 'os::A', 'Device.', '--allow-partial'], /does not take --allow-partial/],
    [['get', 'os::A', 'Device.', '--verbose'], /Unknown option/],
    [['set', 'os::A'], /needs a Path.Param=value/],
    [['set', 'os::A', 'Device.Time.Enable'], /has no =value/],
    [['set', 'os::A', '=x'], /no name before =/],
    [['set', 'os::A', 'Device.Time.=x'], /not a parameter path/],
    [['set', 'os::A', 'Enable=x'], /not a parameter path/],
    [['set', 'os::A', 'Device.A.B=1', 'Device.A.B=2'], /given twice/],
    [['add', 'os::A'], /needs an object path/],
    [['add', 'os::A', 'Device.IP.Interface'], /not an object path/],
    [['add', 'os::A', 'Device.IP.Interface.', 'Alias'], /has no =value/],
    [['add', 'os::A', 'Device.IP.Interface.', 'X.Alias=a'], /relative to/],
    [['delete', 'os::A'], /needs an object path/],
    [['delete', 'os::A', 'Device.IP.Interface.1.Alias'], /not an object path/],
    [['operate', 'os::A'], /needs a command path/],
    [['operate', 'os::A', 'Device.Reboot'], /not a command path/],
    [['operate', 'os::A', 'Device.Reboot()', 'Delay'], /has no =value/],
    [['operate', 'os::A', 'Device.Reboot()', '--command-key', ''], /must not be empty/],
    [['instances', 'os::A', 'Device.IP.Interface'], /not an object path/],
    [['supported', 'os::A'], /needs an object path/],
    [['supported', 'os::A', 'Device.', '--max-depth', '1'], /does not take --max-depth/],
    [['get', 'os::A', 'Device.', '--controller-id', ''], /must not be empty/],
  ])('refuses %j as bad usage', (argv, message) => {
    const attempt = () => parseUspInvocation(argv as string[], ids());
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});
