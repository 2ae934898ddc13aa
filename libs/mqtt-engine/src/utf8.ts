// Ill-formed UTF-8 in a packet's strings [MQTT-1.5.4-1]. mqtt-packet decodes strings with
// Buffer#toString, which turns ill-formed bytes into U+FFFD instead of failing, so the engine
// checks for U+FFFD afterwards. A well-formed U+FFFD is refused too: no real client puts the
// replacement character in a topic, client id or user name, and refusing is the safe side.
import type { Packet } from 'mqtt-packet';

const REPLACEMENT = '\uFFFD';

/** The first string field of `packet` that held ill-formed UTF-8, if any. */
export function illFormedUtf8Field(packet: Packet): string | undefined {
  switch (packet.cmd) {
    case 'connect':
      if (packet.clientId.includes(REPLACEMENT)) return 'client id';
      if (packet.username?.includes(REPLACEMENT) === true) return 'user name';
      if (packet.will?.topic.includes(REPLACEMENT) === true) return 'will topic';
      return undefined;
    case 'publish':
      return packet.topic.includes(REPLACEMENT) ? 'topic' : undefined;
    case 'subscribe':
      return packet.subscriptions.some((s) => s.topic.includes(REPLACEMENT))
        ? 'topic filter'
        : undefined;
    case 'unsubscribe':
      return packet.unsubscriptions.some((t) => t.includes(REPLACEMENT))
        ? 'topic filter'
        : undefined;
    default:
      return undefined;
  }
}
