// Which listeners to open, from the configuration: each port that is on becomes one listener;
// TLS material is read from its files once, with a clear error when unreadable.
import { readFileSync } from 'node:fs';
import { ConfigError } from '@octomesh/contracts';
import { listenerKinds, type BrokerConfig } from './config.ts';
import type { ListenerSpec } from './listeners/index.ts';

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read ${what} ${path}: ${(error as Error).message}`]);
  }
}

/** The listener specs the configuration asks for. */
export function listenerSpecs(config: BrokerConfig): ListenerSpec[] {
  const tls =
    config.TLS_CERT_FILE !== undefined && config.TLS_KEY_FILE !== undefined
      ? {
          cert: readPem(config.TLS_CERT_FILE, 'TLS_CERT_FILE'),
          key: readPem(config.TLS_KEY_FILE, 'TLS_KEY_FILE'),
          ...(config.TLS_CA_FILE !== undefined
            ? { ca: readPem(config.TLS_CA_FILE, 'TLS_CA_FILE') }
            : {}),
          requireClientCert: config.TLS_REQUIRE_CLIENT_CERT,
        }
      : undefined;
  const base = {
    host: config.MQTT_HOST,
    reusePort: config.MQTT_REUSE_PORT,
    proxyProtocol: config.PROXY_PROTOCOL,
    ...(config.PROXY_TRUSTED_CIDRS !== undefined
      ? { proxyTrustedCidrs: config.PROXY_TRUSTED_CIDRS }
      : {}),
  };
  const webSocket = { path: config.WS_PATH, allowedOrigins: config.WS_ALLOWED_ORIGINS };
  return listenerKinds(config).map((name): ListenerSpec => {
    switch (name) {
      case 'mqtt':
        return { ...base, name, port: config.MQTT_PORT };
      case 'ws':
        return { ...base, ...webSocket, name, port: config.WS_PORT };
      case 'mqtts':
        return { ...base, name, port: config.MQTTS_PORT, tls: tls! };
      case 'wss':
        return { ...base, ...webSocket, name, port: config.WSS_PORT, tls: tls! };
    }
  });
}
