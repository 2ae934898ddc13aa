// The client's Maximum Packet Size binds everything we send [MQTT-3.1.2-24]. A PUBLISH too
// large is discarded (the session counts it). Any other packet loses what is optional first:
// the Reason String and User Properties [MQTT-3.2.2-19, MQTT-3.2.2-20] (the same rule for every
// acknowledgement and DISCONNECT), and for CONNACK then Response Information and the properties
// whose absence means the same or the safer thing (availability flags that default to 1, Topic
// Alias Maximum whose absence means no aliases). Undefined when even that does not fit.
import type { Packet } from 'mqtt-packet';
import { generatePacket } from './codec.ts';

type Properties = Record<string, unknown>;

/** The bytes of `packet` within `maximum`, trimmed as the module comment says; undefined if none fit. */
export function fitPacket(
  packet: Packet,
  protocolVersion: 3 | 4 | 5,
  maximum: number | undefined,
): Buffer | undefined {
  const bytes = generatePacket(packet, protocolVersion);
  if (maximum === undefined || bytes.length <= maximum) return bytes;
  if (packet.cmd === 'publish' || protocolVersion !== 5) return undefined;
  const properties = (packet as { properties?: Properties }).properties;
  if (properties === undefined) return undefined;
  for (const trim of packet.cmd === 'connack' ? [optional, connackDefaults] : [optional]) {
    const trimmed = trim(properties);
    const smaller = generatePacket({ ...packet, properties: trimmed } as Packet, protocolVersion);
    if (smaller.length <= maximum) return smaller;
  }
  return undefined;
}

function optional(properties: Properties): Properties {
  const { reasonString: _r, userProperties: _u, responseInformation: _i, ...rest } = properties;
  return rest;
}

function connackDefaults(properties: Properties): Properties {
  const rest = optional(properties);
  delete rest['topicAliasMaximum'];
  for (const flag of [
    'retainAvailable',
    'wildcardSubscriptionAvailable',
    'subscriptionIdentifiersAvailable',
    'sharedSubscriptionAvailable',
  ]) {
    if (rest[flag] === true) delete rest[flag];
  }
  return rest;
}
