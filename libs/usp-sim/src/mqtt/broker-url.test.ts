import { parseBrokerUrl } from './broker-url.ts';

describe('parseBrokerUrl', () => {
  it('reads TCP and TLS URLs with their default ports', () => {
    expect(parseBrokerUrl('mqtt://broker.example')).toEqual({
      tls: false,
      host: 'broker.example',
      port: 1883,
    });
    expect(parseBrokerUrl('mqtts://127.0.0.1:9883')).toEqual({
      tls: true,
      host: '127.0.0.1',
      port: 9883,
    });
    expect(parseBrokerUrl('mqtt://[::1]:1884')).toEqual({ tls: false, host: '::1', port: 1884 });
  });

  it.each([
    ['another scheme', 'http://broker'],
    ['credentials', 'mqtt://user:secret@broker'],
    ['a path', 'mqtt://broker/x'],
    ['not a URL', 'broker:1883'],
  ])('refuses %s', (_what, url) => {
    expect(() => parseBrokerUrl(url)).toThrow(
      expect.objectContaining({ code: 'MQTT_BAD_URL' }) as Error,
    );
  });
});
