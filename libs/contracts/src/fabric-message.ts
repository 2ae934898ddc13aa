// The fabric message: an MQTT PUBLISH as it crosses NATS between broker replicas and to the
// usp-router. The subject carries the topic (fabric-subject.ts), the NATS payload is the MQTT
// payload unchanged, and the MQTT properties and the publisher's authenticated identity travel
// in headers. Only brokers may publish on the fabric (NATS permissions in a deployment), so a
// receiver trusts the identity headers: a device cannot set them, it only sends MQTT.
import { OctomeshError } from './errors.ts';

/** Who published a message, as the broker authenticated them. */
export interface FabricPublisher {
  subject: string;
  role: string;
  endpointId: string;
  clientId: string;
}

/** An MQTT application message on the fabric (the topic travels in the subject). */
export interface FabricMessage {
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Absolute expiry in ms since the epoch (Message Expiry Interval), if any. */
  expiresAt?: number;
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  /** User properties in wire order. */
  userProperties?: readonly (readonly [string, string])[];
  /** Absent for messages the mesh itself publishes (presence, router requests). */
  publisher?: FabricPublisher;
  /** The replica that published it (a replica ignores its own messages). */
  replica: string;
  /**
   * The publishing replica's sequence number of the message: a replica subscribed through two
   * overlapping filters receives it twice and keeps one. Absent from senders that never overlap.
   */
  seq?: number;
}

/** Header names on the fabric. */
export const FabricHeaders = {
  qos: 'Mqtt-Qos',
  retain: 'Mqtt-Retain',
  expiresAt: 'Mqtt-Expires-At',
  payloadFormat: 'Mqtt-Payload-Format',
  contentType: 'Mqtt-Content-Type',
  responseTopic: 'Mqtt-Response-Topic',
  correlationData: 'Mqtt-Correlation-Data',
  userProperty: 'Mqtt-User-Property',
  publisherSubject: 'Octomesh-Publisher-Subject',
  publisherRole: 'Octomesh-Publisher-Role',
  publisherEndpointId: 'Octomesh-Publisher-Endpoint-Id',
  publisherClientId: 'Octomesh-Publisher-Client-Id',
  replica: 'Octomesh-Replica',
  seq: 'Octomesh-Seq',
} as const;

/** A fabric message whose headers are missing or malformed. */
export class FabricMessageError extends OctomeshError {
  constructor(message: string) {
    super('FABRIC_MESSAGE_INVALID', message, {});
  }
}

// Header values are one line of text: strings that may hold anything are percent-encoded.
const text = (value: string): string => encodeURIComponent(value);

function untext(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new FabricMessageError(`${name} is not percent-encoded UTF-8`);
  }
}

/** The headers of a fabric message, in order (a name may repeat). */
export function encodeFabricHeaders(message: FabricMessage): [string, string][] {
  const h: [string, string][] = [
    [FabricHeaders.qos, String(message.qos)],
    [FabricHeaders.retain, message.retain ? '1' : '0'],
    [FabricHeaders.replica, text(message.replica)],
  ];
  if (message.seq !== undefined) h.push([FabricHeaders.seq, String(message.seq)]);
  if (message.expiresAt !== undefined) h.push([FabricHeaders.expiresAt, String(message.expiresAt)]);
  if (message.payloadFormatIndicator !== undefined)
    h.push([FabricHeaders.payloadFormat, message.payloadFormatIndicator ? '1' : '0']);
  if (message.contentType !== undefined)
    h.push([FabricHeaders.contentType, text(message.contentType)]);
  if (message.responseTopic !== undefined)
    h.push([FabricHeaders.responseTopic, text(message.responseTopic)]);
  if (message.correlationData !== undefined)
    h.push([FabricHeaders.correlationData, message.correlationData.toString('base64')]);
  for (const [name, value] of message.userProperties ?? [])
    h.push([FabricHeaders.userProperty, `${text(name)}=${text(value)}`]);
  const p = message.publisher;
  if (p !== undefined) {
    h.push([FabricHeaders.publisherSubject, text(p.subject)]);
    h.push([FabricHeaders.publisherRole, text(p.role)]);
    h.push([FabricHeaders.publisherEndpointId, text(p.endpointId)]);
    h.push([FabricHeaders.publisherClientId, text(p.clientId)]);
  }
  return h;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a fabric message's headers; `values(name)` returns every value of a header, in order.
 * Throws FabricMessageError for anything a broker could not have written.
 */
export function decodeFabricHeaders(values: (name: string) => string[]): FabricMessage {
  const one = (name: string): string | undefined => {
    const all = values(name);
    if (all.length > 1) throw new FabricMessageError(`${name} appears ${all.length} times`);
    return all[0];
  };
  const qos = one(FabricHeaders.qos);
  if (qos !== '0' && qos !== '1' && qos !== '2')
    throw new FabricMessageError(`${FabricHeaders.qos} must be 0, 1 or 2`);
  const flag = (name: string): boolean | undefined => {
    const value = one(name);
    if (value === undefined) return undefined;
    if (value !== '0' && value !== '1') throw new FabricMessageError(`${name} must be 0 or 1`);
    return value === '1';
  };
  const retain = flag(FabricHeaders.retain);
  if (retain === undefined) throw new FabricMessageError(`${FabricHeaders.retain} is missing`);
  const replica = one(FabricHeaders.replica);
  if (replica === undefined) throw new FabricMessageError(`${FabricHeaders.replica} is missing`);
  const message: FabricMessage = {
    qos: Number(qos) as 0 | 1 | 2,
    retain,
    replica: untext(replica, FabricHeaders.replica),
  };
  const seq = one(FabricHeaders.seq);
  if (seq !== undefined) {
    if (!/^\d{1,15}$/.test(seq))
      throw new FabricMessageError(`${FabricHeaders.seq} must be a number`);
    message.seq = Number(seq);
  }
  const expiresAt = one(FabricHeaders.expiresAt);
  if (expiresAt !== undefined) {
    if (!/^\d{1,16}$/.test(expiresAt))
      throw new FabricMessageError(`${FabricHeaders.expiresAt} must be milliseconds`);
    message.expiresAt = Number(expiresAt);
  }
  const format = flag(FabricHeaders.payloadFormat);
  if (format !== undefined) message.payloadFormatIndicator = format;
  const contentType = one(FabricHeaders.contentType);
  if (contentType !== undefined)
    message.contentType = untext(contentType, FabricHeaders.contentType);
  const responseTopic = one(FabricHeaders.responseTopic);
  if (responseTopic !== undefined)
    message.responseTopic = untext(responseTopic, FabricHeaders.responseTopic);
  const correlation = one(FabricHeaders.correlationData);
  if (correlation !== undefined) {
    if (!BASE64.test(correlation))
      throw new FabricMessageError(`${FabricHeaders.correlationData} must be base64`);
    message.correlationData = Buffer.from(correlation, 'base64');
  }
  const pairs = values(FabricHeaders.userProperty).map((entry): [string, string] => {
    const eq = entry.indexOf('=');
    if (eq === -1) throw new FabricMessageError(`${FabricHeaders.userProperty} needs name=value`);
    return [
      untext(entry.slice(0, eq), FabricHeaders.userProperty),
      untext(entry.slice(eq + 1), FabricHeaders.userProperty),
    ];
  });
  if (pairs.length > 0) message.userProperties = pairs;
  const subject = one(FabricHeaders.publisherSubject);
  if (subject !== undefined) {
    const field = (name: string): string => {
      const value = one(name);
      if (value === undefined) throw new FabricMessageError(`${name} is missing`);
      return untext(value, name);
    };
    message.publisher = {
      subject: untext(subject, FabricHeaders.publisherSubject),
      role: field(FabricHeaders.publisherRole),
      endpointId: field(FabricHeaders.publisherEndpointId),
      clientId: field(FabricHeaders.publisherClientId),
    };
  }
  return message;
}
