// Splits a byte stream into whole MQTT control packets (fixed header + Remaining Length), so the
// decoder only ever sees complete packets and a connection keeps no parser state of its own.
import { MqttClientError, MqttClientErrorCodes } from './mqtt-client-error.ts';

/** Accumulates socket chunks and hands out complete packets, in order. */
export class PacketFramer {
  readonly #maxPacketBytes: number;
  #rest: Buffer | undefined;

  constructor(maxPacketBytes: number) {
    this.#maxPacketBytes = maxPacketBytes;
  }

  /** Feeds one chunk; calls `onPacket` for every packet completed by it. Throws on bad framing. */
  push(chunk: Buffer, onPacket: (packet: Buffer) => void): void {
    const buffer = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    this.#rest = undefined;
    let pos = 0;
    const end = buffer.length;
    while (pos + 2 <= end) {
      // Remaining Length: a variable byte integer of at most 4 bytes [MQTT-1.5.5].
      let length = 0;
      let multiplier = 1;
      let i = pos + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < end; n++) {
        const byte = buffer[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        if (n === 3) throw protocolError('malformed Remaining Length');
      }
      if (!complete) break;
      if (length > this.#maxPacketBytes)
        throw protocolError(`packet of ${length} bytes exceeds ${this.#maxPacketBytes}`);
      if (i + length > end) break;
      onPacket(buffer.subarray(pos, i + length));
      pos = i + length;
    }
    if (pos < end) this.#rest = buffer.subarray(pos);
  }
}

function protocolError(why: string): MqttClientError {
  return new MqttClientError(MqttClientErrorCodes.protocolError, why);
}
