// Opens one listener: validate the spec, build its transport, bind the gate.
import { ConfigError } from '@octomesh/contracts';
import type { EngineLogger } from '@octomesh/mqtt-engine';
import { openGate } from './connection-gate.ts';
import type { Transport } from './handshake.ts';
import {
  DEFAULT_LISTENER_OPTIONS,
  type Accept,
  type ListenerOptions,
  type ListenerSpec,
  type RunningListener,
} from './listener-spec.ts';
import { createPlainTransport } from './plain-transport.ts';
import { createTlsTransport } from './tls-transport.ts';
import { listenerSpecProblems } from './validate-spec.ts';
import { createWebSocketTransport } from './websocket-transport.ts';

/**
 * Starts a listener that hands every client stream to `accept`. Throws ConfigError (listing
 * every problem) for a bad spec and ListenError when the address cannot be bound.
 */
export async function startListener(
  spec: ListenerSpec,
  accept: Accept,
  logger: EngineLogger,
  options: ListenerOptions = {},
): Promise<RunningListener> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const problems = listenerSpecProblems(spec, given);
  if (problems.length > 0) throw new ConfigError(problems);
  const settings = { ...DEFAULT_LISTENER_OPTIONS, ...given };
  const transport = createTransport(spec, accept, settings);
  const gate = await openGate(spec, settings, logger, transport);
  logger.info(
    {
      listener: spec.name,
      host: spec.host,
      port: gate.port,
      ...(spec.reusePort === true ? { reusePort: true } : {}),
      proxyProtocol: spec.proxyProtocol,
      ...(spec.proxyProtocol ? { proxyTrustedCidrs: spec.proxyTrustedCidrs } : {}),
      ...(spec.name === 'ws' || spec.name === 'wss'
        ? { allowedOrigins: spec.allowedOrigins ?? [] }
        : {}),
      clientCertificates: clientCertificatePolicy(spec),
      maxConnections: settings.maxConnections,
    },
    'listener started',
  );
  if (spec.proxyProtocol && spec.proxyTrustedCidrs?.some((cidr) => cidr.endsWith('/0'))) {
    logger.warn(
      { listener: spec.name, proxyTrustedCidrs: spec.proxyTrustedCidrs },
      // Any client that reaches the port can then choose its source address.
      'proxy headers trusted from every address',
    );
  }
  let closed = false;
  return {
    name: spec.name,
    port: gate.port,
    counters: gate.counters,
    close: async () => {
      if (closed) return;
      closed = true;
      gate.close();
      logger.info({ listener: spec.name, port: gate.port }, 'listener stopped');
    },
  };
}

function createTransport(
  spec: ListenerSpec,
  accept: Accept,
  settings: Required<ListenerOptions>,
): Transport {
  switch (spec.name) {
    case 'mqtt':
      return createPlainTransport(spec, accept);
    case 'mqtts':
      return createTlsTransport(spec, spec.tls!, accept);
    case 'ws':
    case 'wss':
      return createWebSocketTransport(spec, accept, settings);
  }
}

function clientCertificatePolicy(spec: ListenerSpec): 'none' | 'optional' | 'required' {
  if (spec.tls?.ca === undefined) return 'none';
  return spec.tls.requireClientCert ? 'required' : 'optional';
}
