// CONNECT: a named list of steps — check the packet, authenticate (deadline, fail closed),
// authorize the will, attach the session (takeover rules), answer CONNACK with every property
// a v5 client needs, then resume the session.
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { validateTopicName } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import type { Connection } from '../connection.ts';
import { withDeadline } from '../deadline.ts';
import { v3ConnackCode } from '../reason-mapping.ts';
import type { EngineIdentity, Message } from '../types.ts';
import { authorizeOne } from './authorize.ts';

/** Handles the first packet of a connection. */
export async function handleConnect(connection: Connection, packet: IConnectPacket): Promise<void> {
  connection.state = 'connecting';
  connection.protocolVersion = packet.protocolVersion ?? 4;
  const v5 = connection.protocolVersion === 5;
  const props = packet.properties ?? {};
  connection.requestProblemInformation = props.requestProblemInformation !== false;
  if (props.receiveMaximum !== undefined) connection.clientReceiveMaximum = props.receiveMaximum;
  if (props.maximumPacketSize !== undefined)
    connection.clientMaximumPacketSize = props.maximumPacketSize;
  if (props.topicAliasMaximum !== undefined)
    connection.clientTopicAliasMaximum = props.topicAliasMaximum;
  const engine = connection.engine;

  if (engine.memoryGuard.overloaded) {
    return refuse(connection, ReasonCodes.serverBusy, 'server busy (memory)');
  }
  if (props.authenticationMethod !== undefined) {
    return refuse(
      connection,
      ReasonCodes.badAuthenticationMethod,
      'authentication method not supported',
    );
  }
  const cleanStart = packet.clean !== false;
  let clientId = packet.clientId;
  let assigned = false;
  if (clientId === '') {
    // 3.1.1 allows an empty id only with a clean session [MQTT-3.1.3-8]; v5 always [MQTT-3.1.3-6].
    if (!v5 && !cleanStart)
      return refuse(
        connection,
        ReasonCodes.clientIdentifierNotValid,
        'empty client id needs clean session',
      );
    clientId = engine.assignClientId();
    assigned = true;
  }
  if (Buffer.byteLength(clientId) > 256)
    return refuse(connection, ReasonCodes.clientIdentifierNotValid, 'client id too long');
  connection.clientId = clientId;

  const willProblem = packet.will === undefined ? undefined : validateTopicName(packet.will.topic);
  if (willProblem !== undefined)
    return refuse(connection, ReasonCodes.topicNameInvalid, `will topic: ${willProblem}`);

  let identity: EngineIdentity;
  try {
    const verdict = await withDeadline(engine.limits.deciderTimeoutMs, (signal) =>
      engine.deciders.authenticate(
        {
          clientId,
          username: packet.username,
          password: packet.password,
          protocolVersion: connection.protocolVersion,
          meta: connection.meta,
          endpointIdHint: v5 ? firstUserProperty(props.userProperties, 'usp-endpoint-id') : '',
        },
        signal,
      ),
    );
    if (!verdict.allow) return refuse(connection, verdict.reasonCode, verdict.reason);
    identity = { ...verdict.identity, clientId };
  } catch (error) {
    // Fail closed: nobody gets in while auth cannot answer.
    engine.logger.warn(
      { clientId, error: (error as Error).message },
      'auth unavailable, connect refused',
    );
    return refuse(connection, ReasonCodes.serverUnavailable, 'authentication unavailable');
  }
  // The socket may have gone while auth was answering.
  if ((connection.state as string) === 'closed') return;
  connection.identity = identity;

  const expirySeconds = Math.min(
    v5
      ? (props.sessionExpiryInterval ?? 0)
      : cleanStart
        ? 0
        : engine.limits.maxSessionExpirySeconds,
    engine.limits.maxSessionExpirySeconds,
  );
  if (packet.will !== undefined) {
    const allowed = await authorizeOne(connection, identity, 'publish', packet.will.topic, true);
    if (!allowed.allow)
      return refuse(connection, ReasonCodes.notAuthorized, 'will topic not authorized');
    connection.will = {
      message: willMessage(packet.will, clientId),
      delaySeconds: packet.will.properties?.willDelayInterval ?? 0,
    };
  }

  const attached = await engine.attach(connection, identity, cleanStart, expirySeconds);
  if (!attached.ok) {
    return attached.reason === 'identity'
      ? refuse(connection, ReasonCodes.notAuthorized, 'client id belongs to another identity')
      : refuse(connection, ReasonCodes.serverUnavailable, 'session store unavailable');
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
  const connack: IConnackPacket = { cmd: 'connack', sessionPresent: attached.sessionPresent };
  if (v5) {
    connack.reasonCode = ReasonCodes.success;
    connack.properties = {
      receiveMaximum: engine.limits.receiveMaximum,
      maximumPacketSize: engine.limits.maxPacketSize,
      topicAliasMaximum: engine.limits.topicAliasMaximum,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
      ...(expirySeconds !== (props.sessionExpiryInterval ?? 0)
        ? { sessionExpiryInterval: expirySeconds }
        : {}),
      ...(assigned ? { assignedClientIdentifier: clientId } : {}),
      ...(serverKeepAlive !== undefined ? { serverKeepAlive } : {}),
      ...uspConnackProperties(connection, identity, props.requestResponseInformation === true),
    };
  } else {
    connack.returnCode = 0;
  }
  connection.connected();
  connection.write(connack);
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

function willMessage(will: NonNullable<IConnectPacket['will']>, clientId: string): Message {
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
    publisherClientId: clientId,
  };
}
