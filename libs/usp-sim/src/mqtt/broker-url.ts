// Broker addresses: mqtt://host[:port] (TCP, 1883) and mqtts://host[:port] (TLS, 8883). Credentials
// in the URL are refused: a URL ends up in argv, logs and process listings.
import { MqttClientError, MqttClientErrorCodes } from './mqtt-client-error.ts';

/** A parsed broker address. */
export interface BrokerUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
}

const schemes: Readonly<Record<string, { tls: boolean; port: number }>> = {
  'mqtt:': { tls: false, port: 1883 },
  'tcp:': { tls: false, port: 1883 },
  'mqtts:': { tls: true, port: 8883 },
  'tls:': { tls: true, port: 8883 },
};

/** Parses `mqtt://` / `mqtts://` (aliases `tcp://`, `tls://`); throws MqttClientError otherwise. */
export function parseBrokerUrl(text: string): BrokerUrl {
  const bad = (why: string): MqttClientError =>
    new MqttClientError(MqttClientErrorCodes.badUrl, `broker url ${JSON.stringify(text)}: ${why}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new MqttClientError(
      MqttClientErrorCodes.badUrl,
      `broker url ${JSON.stringify(text)}: not a URL`,
      {
        cause: error,
      },
    );
  }
  const scheme = schemes[url.protocol];
  if (scheme === undefined) throw bad('scheme must be mqtt:// or mqtts://');
  if (url.username !== '' || url.password !== '')
    throw bad('credentials do not belong in the URL (use the username and password options)');
  if (url.hostname === '') throw bad('no host');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '')
    throw bad('a broker URL has no path, query or fragment');
  // URL keeps IPv6 literals in brackets; sockets want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { tls: scheme.tls, host, port: url.port === '' ? scheme.port : Number(url.port) };
}
