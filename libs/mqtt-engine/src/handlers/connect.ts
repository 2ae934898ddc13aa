// CONNECT: a named list of steps — check the packet, authenticate (the authenticate decider, or
// the enhanced-auth method CONNECT names; deadline, fail closed), authorize the will, attach the
// session (takeover rules), answer CONNACK with every property a v5 client needs, then resume
// the session.
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { validateTopicName } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import type { Connection } from '../connection.ts';
import { withDeadline } from '../deadline.ts';
import type { EnhancedAuthMethod } from '../enhanced-auth.ts';
import { v3ConnackCode } from '../reason-mapping.ts';
import type { ConnectAttempt, ConnectVerdict, EngineIdentity, Message } from '../types.ts';
import { beginExchange } from './auth-exchange.ts';
import { clientIdStanding } from '../client-id-policy.ts';
import { recheckSession } from '../subscription-recheck.ts';
import { authorizeOne } from './authorize.ts';

/** A CONNECT that passed its checks; the steps after authentication share it. */
interface ConnectRequest {
  readonly packet: IConnectPacket;
  readonly v5: boolean;
  readonly props: NonNullable<IConnectPacket['properties']>;
  readonly clientId: string;
  readonly assigned: boolean;
  readonly cleanStart: boolean;
  readonly attempt: ConnectAttempt;
  /** The enhanced-auth method CONNECT named, if any. */
  readonly method: EnhancedAuthMethod | undefined;
}

/** What CONNACK tells a client that authenticated with a method [MQTT-4.12.0-5]. */
interface ConnackAuth {
  authenticationMethod: string;
  authenticationData?: Buffer;
}

/** Handles the first packet of a connection. */
export async function handleConnect(connection: Connection, packet: IConnectPacket): Promise<void> {
  const request = checkConnect(connection, packet);
  if (request === undefined) return;
  if (request.method !== undefined)
    return authenticateWithMethod(connection, request, request.method);
  const verdict = await authenticateWithDecider(connection, request);
  const identity = acceptVerdict(connection, request, verdict);
  if (identity !== undefined) await admit(connection, request, identity, undefined);
}

// Reads what CONNECT asks for and refuses what cannot be served; undefined when refused.
function checkConnect(connection: Connection, packet: IConnectPacket): ConnectRequest | undefined {
  connection.state = 'connecting';
  connection.protocolVersion = packet.protocolVersion ?? 4;
  const v5 = connection.protocolVersion === 5;
  const props = packet.properties ?? {};
  connection.requestProblemInformation = props.requestProblemInformation !== false;
  if (props.receiveMaximum !== undefined)
    connection.clientReceiveMaximum = Math.min(
      props.receiveMaximum,
      connection.engine.limits.maxInflightMessages,
    );
  if (props.maximumPacketSize !== undefined)
    connection.clientMaximumPacketSize = props.maximumPacketSize;
  if (props.topicAliasMaximum !== undefined)
    connection.clientTopicAliasMaximum = props.topicAliasMaximum;
  const engine = connection.engine;

  if (engine.memoryGuard.overloaded) {
    refuse(connection, ReasonCodes.serverBusy, 'server busy (memory)');
    return undefined;
  }
  // Per source address: open connections (0x97) and connect rate (0x9F), before any
  // authentication work is spent on it.
  const addressRefusal = engine.admitAddress(connection);
  if (addressRefusal !== undefined) {
    refuse(
      connection,
      addressRefusal,
      addressRefusal === ReasonCodes.quotaExceeded
        ? 'too many connections from this address'
        : 'connection rate exceeded for this address',
    );
    return undefined;
  }
  // Authentication Data without a method is a protocol error (MQTT 5 §3.1.2.11.10).
  if (props.authenticationMethod === undefined && props.authenticationData !== undefined) {
    refuse(connection, ReasonCodes.protocolError, 'authentication data without method');
    return undefined;
  }
  const method =
    props.authenticationMethod === undefined
      ? undefined
      : engine.authMethods.get(props.authenticationMethod);
  if (props.authenticationMethod !== undefined && method === undefined) {
    // A method we do not offer: 0x8C and close [MQTT-4.12.0-1].
    refuse(connection, ReasonCodes.badAuthenticationMethod, 'authentication method not supported');
    return undefined;
  }
  const cleanStart = packet.clean !== false;
  let clientId = packet.clientId;
  let assigned = false;
  if (clientId === '') {
    // 3.1.1 allows an empty id only with a clean session [MQTT-3.1.3-8]; v5 always [MQTT-3.1.3-6].
    if (!v5 && !cleanStart) {
      refuse(
        connection,
        ReasonCodes.clientIdentifierNotValid,
        'empty client id needs clean session',
      );
      return undefined;
    }
    clientId = engine.assignClientId();
    assigned = true;
  }
  if (Buffer.byteLength(clientId) > 256) {
    refuse(connection, ReasonCodes.clientIdentifierNotValid, 'client id too long');
    return undefined;
  }
  connection.clientId = clientId;

  const willProblem = packet.will === undefined ? undefined : validateTopicName(packet.will.topic);
  if (willProblem !== undefined) {
    refuse(connection, ReasonCodes.topicNameInvalid, `will topic: ${willProblem}`);
    return undefined;
  }
  if (packet.will !== undefined && (packet.will.qos ?? 0) > engine.limits.maximumQoS) {
    // A will above our Maximum QoS [MQTT-3.2.2-12].
    refuse(connection, ReasonCodes.qosNotSupported, 'will QoS not supported');
    return undefined;
  }
  if (packet.will?.retain === true && !engine.limits.retainAvailable) {
    // A retained will when retain is not available [MQTT-3.2.2-13].
    refuse(connection, ReasonCodes.retainNotSupported, 'will retain not supported');
    return undefined;
  }
  const attempt: ConnectAttempt = {
    clientId,
    username: packet.username,
    password: packet.password,
    protocolVersion: connection.protocolVersion,
    meta: connection.meta,
    endpointIdHint: v5 ? firstUserProperty(props.userProperties, 'usp-endpoint-id') : '',
  };
  return { packet, v5, props, clientId, assigned, cleanStart, attempt, method };
}

// The authenticate decider, with the engine's deadline; an error or a timeout is a refusal.
async function authenticateWithDecider(
  connection: Connection,
  request: ConnectRequest,
): Promise<ConnectVerdict> {
  const engine = connection.engine;
  try {
    return await withDeadline(engine.limits.deciderTimeoutMs, (signal) =>
      engine.deciders.authenticate(request.attempt, signal),
    );
  } catch (error) {
    // Fail closed: nobody gets in while auth cannot answer.
    engine.logger.warn(
      { clientId: request.clientId, error: (error as Error).message },
      'auth unavailable, connect refused',
    );
    return {
      allow: false,
      reasonCode: ReasonCodes.serverUnavailable,
      reason: 'authentication unavailable',
    };
  }
}

// Enhanced authentication [MQTT-4.12]: the method runs instead of the decider. Its challenges
// go out as AUTH 0x18 and the client's answers come back through handleAuth while the
// connection stays 'connecting' (the CONNECT timeout bounds the whole exchange); the method's
// verdict continues the CONNECT here.
function authenticateWithMethod(
  connection: Connection,
  request: ConnectRequest,
  method: EnhancedAuthMethod,
): Promise<void> {
  return beginExchange(
    connection,
    method,
    request.attempt,
    undefined,
    request.props.authenticationData,
    async (verdict, data) => {
      const identity = acceptVerdict(connection, request, verdict);
      if (identity === undefined) return;
      await admit(connection, request, identity, {
        authenticationMethod: method.name,
        ...(data !== undefined ? { authenticationData: data } : {}),
      });
    },
  );
}

// The verdict of either authentication: a refusal answers CONNACK; an identity is the
// connection's from now on, always with the connection's own client id.
function acceptVerdict(
  connection: Connection,
  request: ConnectRequest,
  verdict: ConnectVerdict,
): EngineIdentity | undefined {
  // The socket may have gone while auth was answering.
  if (connection.state === 'closed') return undefined;
  if (!verdict.allow) {
    refuse(connection, verdict.reasonCode, verdict.reason);
    return undefined;
  }
  const identity = { ...verdict.identity, clientId: request.clientId };
  connection.identity = identity;
  return identity;
}

// Will, session and CONNACK for an authenticated client.
async function admit(
  connection: Connection,
  request: ConnectRequest,
  identity: EngineIdentity,
  connackAuth: ConnackAuth | undefined,
): Promise<void> {
  const { packet, v5, props, clientId, assigned, cleanStart } = request;
  const engine = connection.engine;
  // A client id belongs to an identity (client-id-policy.ts): an assigned one is always fine.
  const standing = assigned ? 'free' : clientIdStanding(engine.clientIdPolicy, identity, clientId);
  if (standing === 'refused')
    return refuse(
      connection,
      ReasonCodes.clientIdentifierNotValid,
      'client id not allowed for this identity',
    );
  // The role's longest session expiry (a device's is a day by default), within the engine's.
  const maxExpiry = Math.min(
    engine.quotaOf(identity.role).maxSessionExpirySeconds ?? engine.limits.maxSessionExpirySeconds,
    engine.limits.maxSessionExpirySeconds,
  );
  const expirySeconds = Math.min(
    v5 ? (props.sessionExpiryInterval ?? 0) : cleanStart ? 0 : maxExpiry,
    maxExpiry,
  );
  if (packet.will !== undefined) {
    const allowed = await authorizeOne(connection, identity, 'publish', packet.will.topic, true);
    if (!allowed.allow)
      return refuse(connection, ReasonCodes.notAuthorized, 'will topic not authorized');
    connection.will = {
      message: willMessage(packet.will, identity),
      delaySeconds: packet.will.properties?.willDelayInterval ?? 0,
    };
  }

  const attached = await engine.attach(
    connection,
    identity,
    cleanStart,
    expirySeconds,
    standing === 'owner',
  );
  if (!attached.ok) {
    return attached.reason === 'identity'
      ? refuse(connection, ReasonCodes.notAuthorized, 'client id belongs to another identity')
      : refuse(connection, ReasonCodes.serverUnavailable, 'session store unavailable');
  }
  engine.enforceIdentityQuotas(connection, identity);
  if (attached.sessionPresent) {
    // A resumed session keeps only the subscriptions this identity may hold now (rules or the
    // account may have changed while it was away).
    await recheckSession(engine, connection.session!, identity);
  }
  if ((connection.state as string) === 'closed') {
    // The socket went away while the session was loading: detach it again.
    engine.disconnected(connection, ReasonCodes.unspecifiedError, 'connection lost during CONNECT');
    return;
  }

  const keepAlive = packet.keepalive ?? 0;
  const serverKeepAlive =
    keepAlive === 0 || keepAlive > engine.limits.maxKeepAliveSeconds
      ? engine.limits.maxKeepAliveSeconds
      : undefined;
  // MQTT 3.1 has no Session Present: the first byte of its CONNACK is reserved, 0.
  const sessionPresent = connection.protocolVersion === 3 ? false : attached.sessionPresent;
  const connack: IConnackPacket = { cmd: 'connack', sessionPresent };
  if (v5) {
    connack.reasonCode = ReasonCodes.success;
    connack.properties = {
      receiveMaximum: engine.limits.receiveMaximum,
      maximumPacketSize: engine.limits.maxPacketSize,
      topicAliasMaximum: engine.limits.topicAliasMaximum,
      retainAvailable: engine.limits.retainAvailable,
      wildcardSubscriptionAvailable: engine.limits.wildcardSubscriptionAvailable,
      subscriptionIdentifiersAvailable: engine.limits.subscriptionIdentifiersAvailable,
      sharedSubscriptionAvailable: engine.limits.sharedSubscriptionAvailable,
      // Absent means 2 [MQTT-3.2.2-9].
      ...(engine.limits.maximumQoS < 2 ? { maximumQoS: engine.limits.maximumQoS } : {}),
      ...(expirySeconds !== (props.sessionExpiryInterval ?? 0)
        ? { sessionExpiryInterval: expirySeconds }
        : {}),
      ...(assigned ? { assignedClientIdentifier: clientId } : {}),
      ...(serverKeepAlive !== undefined ? { serverKeepAlive } : {}),
      ...uspConnackProperties(connection, identity, props.requestResponseInformation === true),
      // A successful CONNACK repeats the CONNECT's method [MQTT-4.12.0-5], and only then
      // [MQTT-4.12.0-6].
      ...connackAuth,
    };
  } else {
    connack.returnCode = 0;
  }
  connection.connected();
  if (!connection.write(connack)) {
    // Even without its optional properties CONNACK exceeds the client's Maximum Packet Size
    // [MQTT-3.1.2-24]: nothing can be said to this client. It never learnt it was accepted, so
    // its will is not sent.
    engine.logger.info(
      { clientId, maximumPacketSize: connection.clientMaximumPacketSize },
      'CONNACK exceeds the client maximum packet size, closing',
    );
    connection.will = undefined;
    connection.destroy('CONNACK exceeds the client maximum packet size');
    return;
  }
  connection.startKeepAlive(
    v5 ? (serverKeepAlive ?? keepAlive) : Math.min(keepAlive, engine.limits.maxKeepAliveSeconds),
  );
  const session = connection.session!;
  for (const packetId of session.resume(connection))
    connection.write({ cmd: 'pubrel', messageId: packetId });
  engine.events.onConnected?.(connection, attached.sessionPresent);
}

function refuse(connection: Connection, reasonCode: number, reason: string): void {
  connection.engine.counters.connectsRefused++;
  connection.engine.logger.info(
    { clientId: connection.clientId, reasonCode, reason },
    'connect refused',
  );
  const v5 = connection.protocolVersion === 5;
  connection.write(
    v5
      ? {
          cmd: 'connack',
          sessionPresent: false,
          reasonCode,
          ...(connection.requestProblemInformation ? { properties: { reasonString: reason } } : {}),
        }
      : { cmd: 'connack', sessionPresent: false, returnCode: v3ConnackCode(reasonCode) },
  );
  // The connection ends after a refusing CONNACK [MQTT-3.2.2-7].
  connection.stream.end();
  connection.destroy(reason);
}

function firstUserProperty(
  properties: Record<string, string | string[]> | undefined,
  name: string,
): string {
  const value = properties?.[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

// A USP agent learns its topic from the broker, derived from its authenticated endpoint id,
// never from anything it named itself.
function uspConnackProperties(
  connection: Connection,
  identity: EngineIdentity,
  requested: boolean,
) {
  const prefix = connection.engine.uspTopicPrefix;
  if (prefix === undefined || identity.endpointId === '' || /[+#/]/.test(identity.endpointId))
    return {};
  const topic = `${prefix}/agent/${identity.endpointId}`;
  return {
    userProperties: { 'subscribe-topic': topic },
    ...(requested ? { responseInformation: topic } : {}),
  };
}

function willMessage(will: NonNullable<IConnectPacket['will']>, identity: EngineIdentity): Message {
  const { willDelayInterval: _delay, messageExpiryInterval, ...rest } = will.properties ?? {};
  return {
    topic: will.topic,
    payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload),
    qos: will.qos ?? 0,
    retain: will.retain ?? false,
    properties: {
      ...rest,
      ...(messageExpiryInterval !== undefined ? { messageExpiryInterval } : {}),
    },
    expiresAt: undefined,
    publisherClientId: identity.clientId,
    publisher: identity,
  };
}
