// Decodes one complete MQTT packet with mqtt-packet. A parser per protocol version is shared by
// every connection in the process: the framer hands it whole packets, so it finishes each one
// synchronously and carries nothing over. Thousands of simulated agents then cost no parser
// (and no bl stream) each.
import mqtt, { type Packet } from 'mqtt-packet';
import { MqttClientError, MqttClientErrorCodes } from './mqtt-client-error.ts';

interface SharedParser {
  readonly parser: ReturnType<typeof mqtt.parser>;
  packet: Packet | undefined;
  error: Error | undefined;
}

const parsers = new Map<number, SharedParser>();

function parserFor(protocolVersion: 4 | 5): SharedParser {
  let shared = parsers.get(protocolVersion);
  if (shared === undefined) {
    const parser = mqtt.parser({ protocolVersion });
    const entry: SharedParser = { parser, packet: undefined, error: undefined };
    parser.on('packet', (packet: Packet) => {
      entry.packet = packet;
    });
    parser.on('error', (error: Error) => {
      entry.error = error;
    });
    parsers.set(protocolVersion, entry);
    shared = entry;
  }
  return shared;
}

/** Decodes a complete packet (as framed by PacketFramer); throws MqttClientError when malformed. */
export function decodePacket(bytes: Buffer, protocolVersion: 4 | 5): Packet {
  const shared = parserFor(protocolVersion);
  shared.packet = undefined;
  shared.error = undefined;
  try {
    shared.parser.parse(bytes);
  } catch (error) {
    shared.error = error as Error;
  }
  const { packet, error } = shared;
  shared.packet = undefined;
  shared.error = undefined;
  if (error !== undefined || packet === undefined) {
    // mqtt-packet's own reset after an error keeps a stale read position (the next packet then
    // fails to parse), so a failed parser is dropped and the next decode gets a fresh one.
    parsers.delete(protocolVersion);
    throw new MqttClientError(
      MqttClientErrorCodes.protocolError,
      `malformed packet: ${error?.message ?? 'incomplete'}`,
      { cause: error },
    );
  }
  return packet;
}
