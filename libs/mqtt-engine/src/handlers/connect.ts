// CONNECT: a named list of steps — check the packet, authenticate (the authenticate decider, or
// the enhanced-auth method CONNECT names; deadline, fail closed), authorize the will, attach the
// session (takeover rules), answer CONNACK with every property a v5 client needs, then resume
// the session. This handler decides; the connection applies each decision itself.
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { validateTopicName } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import { withDeadline } from '../deadline.ts';
import type { EnhancedAuthMethod } from '../enhanced-auth.ts';
import { v3ConnackCode } from '../reason-mapping.ts';
import type { ConnectAttempt, ConnectVerdict, EngineIdentity, Message } from '../types.ts';
import { beginExchange } from './auth-exchange.ts';
import { clientIdStanding } from '../client-id-policy.ts';
import { authorizeOne } from './authorize.ts';
import type { HandlerConnection, HandlerContext, Will } from './context.ts';

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
export async function handleConnect(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IConnectPacket,
): Promise<void> {
  const request = checkConnect(context, connection, packet);
  if (request === undefined) return;
  if (request.method !== undefined)
    return authenticateWithMethod(context, connection, request, request.method);
  const verdict = await authenticateWithDecider(context, request);
  const identity = acceptVerdict(context, connection, request, verdict);
  if (identity !== undefined) await admit(context, connection, request, identity, undefined);
}

// Reads what CONNECT asks for and refuses what cannot be served; undefined when refused.
function checkConnect(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IConnectPacket,
): ConnectRequest | undefined {
  // From here on refusals speak the client's version and respect its Maximum Packet Size.
  connection.beginConnect(packet);
  const v5 = connection.protocolVersion === 5;
  const props = packet.properties ?? {};

  if (context.memoryGuard.overloaded) {
    refuse(context, connection, ReasonCodes.serverBusy, 'server busy (memory)');
    return undefined;
  }
  // Per source address: open connections (0x97) and connect rate (0x9F), before any
  // authentication work is spent on it.
  const addressRefusal = context.admitAddress(connection.meta.sourceAddress);
  if (addressRefusal !== undefined) {
    refuse(
      context,
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
    refuse(context, connection, ReasonCodes.protocolError, 'authentication data without method');
    return undefined;
  }
  const method =
    props.authenticationMethod === undefined
      ? undefined
      : context.authMethods.get(props.authenticationMethod);
  if (props.authenticationMethod !== undefined && method === undefined) {
    // A method we do not offer: 0x8C and close [MQTT-4.12.0-1].
    refuse(
      context,
      connection,
      ReasonCodes.badAuthenticationMethod,
      'authentication method not supported',
    );
    return undefined;
  }
  const cleanStart = packet.clean !== false;
  let clientId = packet.clientId;
  let assigned = false;
  if (clientId === '') {
    // 3.1.1 allows an empty id only with a clean session [MQTT-3.1.3-8]; v5 always [MQTT-3.1.3-6].
    if (!v5 && !cleanStart) {
      refuse(
        context,
        connection,
        ReasonCodes.clientIdentifierNotValid,
        'empty client id needs clean session',
      );
      return undefined;
    }
    clientId = context.assignClientId();
    assigned = true;
  }
  if (Buffer.byteLength(clientId) > 256) {
    refuse(context, connection, ReasonCodes.clientIdentifierNotValid, 'client id too long');
    return undefined;
  }
  connection.useClientId(clientId);

  const willProblem = packet.will === undefined ? undefined : validateTopicName(packet.will.topic);
  if (willProblem !== undefined) {
    refuse(context, connection, ReasonCodes.topicNameInvalid, `will topic: ${willProblem}`);
    return undefined;
  }
  if (packet.will !== undefined && (packet.will.qos ?? 0) > context.limits.maximumQoS) {
    // A will above our Maximum QoS [MQTT-3.2.2-12].
    refuse(context, connection, ReasonCodes.qosNotSupported, 'will QoS not supported');
    return undefined;
  }
  if (packet.will?.retain === true && !context.limits.retainAvailable) {
    // A retained will when retain is not available [MQTT-3.2.2-13].
    refuse(context, connection, ReasonCodes.retainNotSupported, 'will retain not supported');
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
  context: HandlerContext,
  request: ConnectRequest,
): Promise<ConnectVerdict> {
  try {
    return await withDeadline(context.limits.deciderTimeoutMs, (signal) =>
      context.deciders.authenticate(request.attempt, signal),
    );
  } catch (error) {
    // Fail closed: nobody gets in while auth cannot answer.
    context.logger.warn(
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
  context: HandlerContext,
  connection: HandlerConnection,
  request: ConnectRequest,
  method: EnhancedAuthMethod,
): Promise<void> {
  return beginExchange(
    context,
    connection,
    method,
    request.attempt,
    undefined,
    request.props.authenticationData,
    async (verdict, data) => {
      const identity = acceptVerdict(context, connection, request, verdict);
      if (identity === undefined) return;
      await admit(context, connection, request, identity, {
        authenticationMethod: method.name,
        ...(data !== undefined ? { authenticationData: data } : {}),
      });
    },
  );
}

// The verdict of either authentication: a refusal answers CONNACK; an identity is the
// connection's from now on, always with the connection's own client id.
function acceptVerdict(
  context: HandlerContext,
  connection: HandlerConnection,
  request: ConnectRequest,
  verdict: ConnectVerdict,
): EngineIdentity | undefined {
  // The socket may have gone while auth was answering.
  if (connection.state === 'closed') return undefined;
  if (!verdict.allow) {
    refuse(context, connection, verdict.reasonCode, verdict.reason);
    return undefined;
  }
  const identity = { ...verdict.identity, clientId: request.clientId };
  connection.authenticated(identity);
  return identity;
}

// Will, session and CONNACK for an authenticated client.
async function admit(
  context: HandlerContext,
  connection: HandlerConnection,
  request: ConnectRequest,
  identity: EngineIdentity,
  connackAuth: ConnackAuth | undefined,
): Promise<void> {
  const { packet, v5, clientId, assigned, cleanStart } = request;
  // A client id belongs to an identity (client-id-policy.ts): an assigned one is always fine.
  const standing = assigned ? 'free' : clientIdStanding(context.clientIdPolicy, identity, clientId);
  if (standing === 'refused')
    return refuse(
      context,
      connection,
      ReasonCodes.clientIdentifierNotValid,
      'client id not allowed for this identity',
    );
  const expirySeconds = sessionExpiry(context, request, identity);
  let will: Will | undefined;
  if (packet.will !== undefined) {
    const allowed = await authorizeOne(
      context,
      connection,
      identity,
      'publish',
      packet.will.topic,
      true,
    );
    if (!allowed.allow)
      return refuse(context, connection, ReasonCodes.notAuthorized, 'will topic not authorized');
    will = {
      message: willMessage(packet.will, identity),
      delaySeconds: packet.will.properties?.willDelayInterval ?? 0,
    };
  }

  const attached = await connection.attach({
    identity,
    cleanStart,
    expirySeconds,
    ownsClientId: standing === 'owner',
    will,
  });
  if (!attached.ok) {
    return attached.reason === 'identity'
      ? refuse(
          context,
          connection,
          ReasonCodes.notAuthorized,
          'client id belongs to another identity',
        )
      : refuse(context, connection, ReasonCodes.serverUnavailable, 'session store unavailable');
  }
  if (attached.sessionPresent) {
    // A resumed session keeps only the subscriptions this identity may hold now (rules or the
    // account may have changed while it was away).
    await context.recheckSession(connection.session!, identity);
  }

  const keepAlive = packet.keepalive ?? 0;
  const maxKeepAlive = context.limits.maxKeepAliveSeconds;
  const serverKeepAlive = keepAlive === 0 || keepAlive > maxKeepAlive ? maxKeepAlive : undefined;
  const connack = connackFor(context, request, identity, {
    // MQTT 3.1 has no Session Present: the first byte of its CONNACK is reserved, 0.
    sessionPresent: connection.protocolVersion === 3 ? false : attached.sessionPresent,
    expirySeconds,
    serverKeepAlive,
    auth: connackAuth,
  });
  connection.acknowledge(
    connack,
    v5 ? (serverKeepAlive ?? keepAlive) : Math.min(keepAlive, maxKeepAlive),
    attached.sessionPresent,
  );
}

// The role's longest session expiry (a device's is a day by default), within the engine's;
// a 3.1.1 session without Clean Session lasts that long.
function sessionExpiry(
  context: HandlerContext,
  request: ConnectRequest,
  identity: EngineIdentity,
): number {
  const engineMax = context.limits.maxSessionExpirySeconds;
  const maxExpiry = Math.min(
    context.quotaOf(identity.role).maxSessionExpirySeconds ?? engineMax,
    engineMax,
  );
  return Math.min(
    request.v5 ? (request.props.sessionExpiryInterval ?? 0) : request.cleanStart ? 0 : maxExpiry,
    maxExpiry,
  );
}

/** What CONNACK says about an accepted CONNECT beyond our limits. */
interface Acceptance {
  readonly sessionPresent: boolean;
  readonly expirySeconds: number;
  readonly serverKeepAlive: number | undefined;
  readonly auth: ConnackAuth | undefined;
}

// CONNACK of an accepted CONNECT: a v5 client learns every limit and feature it must respect.
function connackFor(
  context: HandlerContext,
  request: ConnectRequest,
  identity: EngineIdentity,
  acceptance: Acceptance,
): IConnackPacket {
  const { sessionPresent, expirySeconds, serverKeepAlive } = acceptance;
  if (!request.v5) return { cmd: 'connack', sessionPresent, returnCode: 0 };
  const { limits } = context;
  const { props, assigned, clientId } = request;
  return {
    cmd: 'connack',
    sessionPresent,
    reasonCode: ReasonCodes.success,
    properties: {
      receiveMaximum: limits.receiveMaximum,
      maximumPacketSize: limits.maxPacketSize,
      topicAliasMaximum: limits.topicAliasMaximum,
      retainAvailable: limits.retainAvailable,
      wildcardSubscriptionAvailable: limits.wildcardSubscriptionAvailable,
      subscriptionIdentifiersAvailable: limits.subscriptionIdentifiersAvailable,
      sharedSubscriptionAvailable: limits.sharedSubscriptionAvailable,
      // Absent means 2 [MQTT-3.2.2-9].
      ...(limits.maximumQoS < 2 ? { maximumQoS: limits.maximumQoS } : {}),
      ...(expirySeconds !== (props.sessionExpiryInterval ?? 0)
        ? { sessionExpiryInterval: expirySeconds }
        : {}),
      ...(assigned ? { assignedClientIdentifier: clientId } : {}),
      ...(serverKeepAlive !== undefined ? { serverKeepAlive } : {}),
      ...uspConnackProperties(
        context.uspTopicPrefix,
        identity,
        props.requestResponseInformation === true,
      ),
      // A successful CONNACK repeats the CONNECT's method [MQTT-4.12.0-5], and only then
      // [MQTT-4.12.0-6].
      ...acceptance.auth,
    },
  };
}

function refuse(
  context: HandlerContext,
  connection: HandlerConnection,
  reasonCode: number,
  reason: string,
): void {
  context.counters.connectsRefused++;
  context.logger.info({ clientId: connection.clientId, reasonCode, reason }, 'connect refused');
  // The connection ends after a refusing CONNACK [MQTT-3.2.2-7].
  connection.refuse(
    connection.protocolVersion === 5
      ? {
          cmd: 'connack',
          sessionPresent: false,
          reasonCode,
          ...(connection.requestProblemInformation ? { properties: { reasonString: reason } } : {}),
        }
      : { cmd: 'connack', sessionPresent: false, returnCode: v3ConnackCode(reasonCode) },
    reason,
  );
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
  prefix: string | undefined,
  identity: EngineIdentity,
  requested: boolean,
) {
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
