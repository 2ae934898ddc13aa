// Checks a listener spec before anything binds; every problem is reported at once, each
// naming the listener, so a bad TLS file or a missing key is clear at start-up.
import { createSecureContext } from 'node:tls';
import { originListProblems } from './allowed-origins.ts';
import {
  LISTENER_NAMES,
  type ListenerOptions,
  type ListenerSpec,
  type ListenerTls,
} from './listener-spec.ts';
import { reusePortSupported } from './reuse-port.ts';
import { cidrListProblems } from './trusted-proxies.ts';

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY_PEM = /-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY-----/;

/** Everything wrong with `spec` and `options`; empty when the listener can start. */
export function listenerSpecProblems(spec: ListenerSpec, options: ListenerOptions): string[] {
  const name = String(spec.name);
  const problems = [
    ...shapeProblems(spec),
    ...tlsProblems(spec),
    ...pathProblems(spec),
    ...originProblems(spec),
    ...proxyProblems(spec),
    ...optionProblems(options),
  ];
  return problems.map((problem) => `listener ${name}: ${problem}`);
}

function shapeProblems(spec: ListenerSpec): string[] {
  const problems: string[] = [];
  if (!(LISTENER_NAMES as readonly string[]).includes(spec.name)) {
    problems.push(`name must be one of ${LISTENER_NAMES.join(', ')}`);
  }
  if (typeof spec.host !== 'string' || spec.host === '') problems.push('host is empty');
  if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535) {
    problems.push(`port ${String(spec.port)} is not 0-65535`);
  }
  if (typeof spec.proxyProtocol !== 'boolean') problems.push('proxyProtocol must be a boolean');
  if (spec.reusePort !== undefined && typeof spec.reusePort !== 'boolean') {
    problems.push('reusePort must be a boolean');
  } else if (spec.reusePort === true && !reusePortSupported()) {
    problems.push(`reusePort (SO_REUSEPORT) is not available on ${process.platform}`);
  }
  return problems;
}

function tlsProblems(spec: ListenerSpec): string[] {
  const secure = spec.name === 'mqtts' || spec.name === 'wss';
  if (!secure) {
    return spec.tls === undefined
      ? []
      : [`tls is set on a plain listener (use ${spec.name === 'ws' ? 'wss' : 'mqtts'})`];
  }
  if (spec.tls === undefined) return ['tls (cert and key) is required'];
  const problems = pemProblems(spec.tls);
  if (problems.length > 0) return problems;
  try {
    createSecureContext({ cert: spec.tls.cert, key: spec.tls.key, ca: spec.tls.ca });
  } catch (error) {
    return [`tls cert/key/ca cannot be loaded: ${(error as Error).message}`];
  }
  return [];
}

function pemProblems(tls: ListenerTls): string[] {
  const problems: string[] = [];
  if (typeof tls.cert !== 'string' || !CERTIFICATE_PEM.test(tls.cert)) {
    problems.push('tls.cert is not a PEM certificate');
  }
  if (typeof tls.key !== 'string' || !PRIVATE_KEY_PEM.test(tls.key)) {
    problems.push('tls.key is not a PEM private key');
  }
  if (tls.ca !== undefined && (typeof tls.ca !== 'string' || !CERTIFICATE_PEM.test(tls.ca))) {
    problems.push('tls.ca is not a PEM certificate');
  }
  if (tls.requireClientCert && tls.ca === undefined) {
    problems.push('tls.requireClientCert needs tls.ca to verify client certificates against');
  }
  return problems;
}

function pathProblems(spec: ListenerSpec): string[] {
  if (spec.path === undefined || (spec.name !== 'ws' && spec.name !== 'wss')) return [];
  return /^\/[^?#\s]*$/.test(spec.path)
    ? []
    : [`path ${JSON.stringify(spec.path)} must start with / and have no query`];
}

function originProblems(spec: ListenerSpec): string[] {
  if (spec.allowedOrigins === undefined || (spec.name !== 'ws' && spec.name !== 'wss')) return [];
  if (!Array.isArray(spec.allowedOrigins)) return ['allowedOrigins must be a list'];
  return originListProblems(spec.allowedOrigins).map((problem) => `allowedOrigins ${problem}`);
}

function proxyProblems(spec: ListenerSpec): string[] {
  const cidrs = spec.proxyTrustedCidrs;
  if (spec.proxyProtocol !== true) {
    return cidrs === undefined ? [] : ['proxyTrustedCidrs is set but proxyProtocol is off'];
  }
  if (cidrs === undefined || !Array.isArray(cidrs) || cidrs.length === 0) {
    return [
      'proxyProtocol needs proxyTrustedCidrs: the networks of the load balancers allowed to send a PROXY header',
    ];
  }
  return cidrListProblems(cidrs).map((problem) => `proxyTrustedCidrs ${problem}`);
}

function optionProblems(options: ListenerOptions): string[] {
  return Object.entries(options)
    .filter(([, value]) => !(Number.isInteger(value) && (value as number) > 0))
    .map(([key, value]) => `${key} ${String(value)} is not a positive integer`);
}
