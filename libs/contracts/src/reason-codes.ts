// MQTT 5 reason codes (MQTT 5.0 section 2.4), one table shared by the codec, the handlers
// and the services. Values are the wire bytes.

/** Every MQTT 5 reason code by name. */
export const ReasonCodes = {
  success: 0x00,
  grantedQos1: 0x01,
  grantedQos2: 0x02,
  disconnectWithWill: 0x04,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  continueAuthentication: 0x18,
  reAuthenticate: 0x19,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  banned: 0x8a,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierInUse: 0x91,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  messageRateTooHigh: 0x96,
  quotaExceeded: 0x97,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
  retainNotSupported: 0x9a,
  qosNotSupported: 0x9b,
  useAnotherServer: 0x9c,
  serverMoved: 0x9d,
  sharedSubscriptionsNotSupported: 0x9e,
  connectionRateExceeded: 0x9f,
  maximumConnectTime: 0xa0,
  subscriptionIdentifiersNotSupported: 0xa1,
  wildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** A reason code name from the table. */
export type ReasonCodeName = keyof typeof ReasonCodes;
/** A reason code wire value from the table. */
export type ReasonCode = (typeof ReasonCodes)[ReasonCodeName];

const namesByCode = new Map<number, ReasonCodeName>(
  Object.entries(ReasonCodes).map(([name, code]) => [code, name as ReasonCodeName]),
);

/** The table name of a reason code, or `unknown(0x..)` for a value outside the table. */
export function reasonCodeName(code: number): string {
  return namesByCode.get(code) ?? `unknown(0x${code.toString(16)})`;
}

/** True when the code is one of MQTT 5's reason codes. */
export function isReasonCode(code: number): code is ReasonCode {
  return namesByCode.has(code);
}
