// An engine with recording deciders behind real listeners: every CONNECT is allowed and its
// attempt (with the ConnectionMeta the listener built) is kept, so tests can check what a
// listener told the engine: source address, listener name, client certificate.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { Engine, silentLogger, type ConnectAttempt, type Deciders } from '@octomesh/mqtt-engine';
import {
  startListener,
  type ListenerOptions,
  type ListenerSpec,
  type RunningListener,
} from '../../services/broker/src/listeners/index.ts';

/** An engine whose deciders allow everything and remember each CONNECT. */
export interface RecordingEngine {
  engine: Engine;
  attempts: ConnectAttempt[];
  /** Starts a listener on 127.0.0.1:<random> that feeds this engine. */
  listen(
    spec: Partial<ListenerSpec> & Pick<ListenerSpec, 'name'>,
    options?: ListenerOptions,
  ): Promise<RunningListener>;
  /** Ends every connection and closes every listener. */
  stop(): Promise<void>;
}

/** A fresh engine with recording deciders. */
export function startRecordingEngine(): RecordingEngine {
  const attempts: ConnectAttempt[] = [];
  const deciders: Deciders = {
    async authenticate(attempt) {
      attempts.push(attempt);
      const name = attempt.username ?? attempt.clientId;
      return {
        allow: true,
        identity: {
          subject: `user:${name}`,
          username: name,
          role: 'admin',
          endpointId: '',
          clientId: attempt.clientId,
        },
      };
    },
    async authorize(_identity, checks) {
      return { cacheTtlMs: 60_000, verdicts: checks.map(() => ({ allow: true, reasonCode: 0 })) };
    },
  };
  const engine = new Engine({ deciders });
  const listeners: RunningListener[] = [];
  return {
    engine,
    attempts,
    async listen(spec, options) {
      const listener = await startListener(
        { host: '127.0.0.1', port: 0, proxyProtocol: false, ...spec },
        (stream, meta) => engine.accept(stream, meta),
        silentLogger,
        options,
      );
      listeners.push(listener);
      return listener;
    },
    async stop() {
      engine.closeAll();
      await Promise.all(listeners.splice(0).map((l) => l.close()));
    },
  };
}

/** Sends an MQTT 5 CONNECT on `stream` and resolves with the CONNACK reason code. */
export function mqttConnect(stream: Duplex, clientId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connack') resolve(packet.reasonCode ?? packet.returnCode ?? -1);
    });
    stream.on('data', (chunk: Buffer) => parser.parse(chunk));
    stream.once('close', () => reject(new Error('closed before CONNACK')));
    stream.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId,
        clean: true,
        keepalive: 30,
      }),
    );
  });
}

/**
 * A TCP connection to `host`:`port` (127.0.0.1 by default), once connected; `localAddress`
 * picks the peer address the listener sees (any 127.x.y.z is loopback on Linux).
 */
export function openSocket(
  port: number,
  options: { host?: string; localAddress?: string } = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const { host = '127.0.0.1', localAddress } = options;
    const local = localAddress === undefined ? {} : { localAddress };
    const socket = tcpConnect({ port, host, ...local }, () => {
      // Later resets are answers the tests look at through 'close'.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves when `stream` has closed (immediately when it already has). */
export function closed(stream: Duplex): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}
