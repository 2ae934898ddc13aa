// OBUSPA opens a TCP connection to the broker that never sends a byte (a reachability probe)
// besides its MQTT connection. Brokers must cope: the CONNECT deadline closes it.
import { connect, type Socket } from 'node:net';
import { parseBrokerUrl, type BrokerUrl } from './broker-url.ts';

/** An open probe connection; `closed` resolves when either side ends it. */
export interface IdleProbe {
  readonly closed: Promise<void>;
  /** Bytes the broker sent on it (a broker should send none). */
  readonly bytesReceived: () => number;
  close(): void;
}

/** Opens a TCP connection to the broker's host and port (TLS or not) that sends nothing. */
export function openIdleProbe(url: string | BrokerUrl): IdleProbe {
  const target = typeof url === 'string' ? parseBrokerUrl(url) : url;
  const socket: Socket = connect(target.port, target.host);
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  // A refused or reset probe is no failure of the agent: it only ends the probe.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { closed, bytesReceived: () => received, close: () => socket.destroy() };
}
