// A raw MQTT 5 client on a plain socket, for tests that must see exactly what the broker
// sends (properties, aliases) or must stop reading.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { eventually } from './clients.ts';

/** Sends one packet (v5) on a raw socket. */
export function send(socket: Socket, packet: mqttPacket.Packet): void {
  socket.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
}

/** What a raw client asks for in its CONNECT. */
export interface RawConnectOptions {
  clientId: string;
  sessionExpiryInterval?: number;
  topicAliasMaximum?: number;
  requestProblemInformation?: boolean;
  maximumPacketSize?: number;
  username?: string;
  password?: string;
}

/** A raw v5 client after its CONNACK (accepted or not), with every packet the broker sent. */
export async function rawConnect(
  port: number,
  options: RawConnectOptions,
): Promise<{ socket: Socket; packets: mqttPacket.Packet[]; connack: mqttPacket.IConnackPacket }> {
  const socket = await new Promise<Socket>((resolve) => {
    const s = tcpConnect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  socket.on('data', (chunk) => parser.parse(chunk));
  socket.write(
    mqttPacket.generate(
      {
        cmd: 'connect',
        protocolVersion: 5,
        clientId: options.clientId,
        clean: true,
        keepalive: 60,
        username: options.username ?? 'adm',
        password: Buffer.from(options.password ?? 'pwa'),
        properties: {
          receiveMaximum: 65535,
          ...(options.sessionExpiryInterval !== undefined
            ? { sessionExpiryInterval: options.sessionExpiryInterval }
            : {}),
          ...(options.topicAliasMaximum !== undefined
            ? { topicAliasMaximum: options.topicAliasMaximum }
            : {}),
          ...(options.requestProblemInformation !== undefined
            ? { requestProblemInformation: options.requestProblemInformation }
            : {}),
          ...(options.maximumPacketSize !== undefined
            ? { maximumPacketSize: options.maximumPacketSize }
            : {}),
        },
      },
      { protocolVersion: 5 },
    ),
  );
  const connack = await eventually(
    'CONNACK',
    () => packets.find((p) => p.cmd === 'connack') as mqttPacket.IConnackPacket | undefined,
  );
  return { socket, packets, connack };
}

/** A raw v5 client subscribed to one filter. */
export async function rawSubscriber(
  port: number,
  options: RawConnectOptions & { filter: string; qos: 0 | 1 },
): Promise<{ socket: Socket; packets: mqttPacket.Packet[] }> {
  const { socket, packets } = await rawConnect(port, options);
  socket.write(
    mqttPacket.generate(
      {
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: options.filter, qos: options.qos }],
      },
      { protocolVersion: 5 },
    ),
  );
  await eventually('SUBACK', () => packets.find((p) => p.cmd === 'suback'));
  return { socket, packets };
}

/**
 * A raw client after its CONNACK for any CONNECT the test spells out (protocol level, Clean
 * Start 0, Keep Alive), with every packet the broker sent; `send` works on it for level 5.
 */
export async function rawConnectWith(
  port: number,
  connect: Omit<mqttPacket.IConnectPacket, 'cmd'>,
): Promise<{ socket: Socket; packets: mqttPacket.Packet[]; connack: mqttPacket.IConnackPacket }> {
  const protocolVersion = connect.protocolVersion ?? 4;
  const socket = await new Promise<Socket>((resolve) => {
    const s = tcpConnect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  socket.on('data', (chunk) => parser.parse(chunk));
  socket.write(mqttPacket.generate({ cmd: 'connect', ...connect }, { protocolVersion }));
  const connack = await eventually(
    'CONNACK',
    () => packets.find((p) => p.cmd === 'connack') as mqttPacket.IConnackPacket | undefined,
  );
  return { socket, packets, connack };
}

/** Resolves when the broker has closed the socket, with the DISCONNECT it sent before, if any. */
export async function closedWith(raw: {
  socket: Socket;
  packets: mqttPacket.Packet[];
}): Promise<mqttPacket.IDisconnectPacket | undefined> {
  if (!raw.socket.closed)
    await new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
  return raw.packets.find((p) => p.cmd === 'disconnect') as
    mqttPacket.IDisconnectPacket | undefined;
}
