// What the engine counts, for $SYS and metrics; handlers and connections add to it.

/** Engine-wide counters ($SYS, metrics). */
export interface EngineCounters {
  connectionsAccepted: number;
  connectsRefused: number;
  messagesReceived: number;
  messagesRouted: number;
  publishDenied: number;
  subscribeDenied: number;
  slowSubscribersDisconnected: number;
  sessionsTakenOver: number;
  /** QoS 1/2 deliveries of offline sessions written to the shared message store. */
  sessionMessagesStored: number;
  /** Offline deliveries the shared store refused, kept in this replica's memory instead. */
  sessionMessagesKeptHere: number;
  /** Deliveries taken back from the shared store as sessions resumed here. */
  sessionMessagesResumed: number;
  /** Offline sessions taken over from replicas that died. */
  sessionsAdopted: number;
  publishThrottled: number;
  /** QoS 1/2 PUBLISHes held back because a local subscriber was backed up. */
  publishersSlowed: number;
  droppedUnderMemoryPressure: number;
  /** Connections ended because a packet broke the spec (malformed, protocol error, too large). */
  packetViolations: number;
  /** Connections closed because their account was revoked (0x98). */
  connectionsRevoked: number;
  /** Subscriptions removed because the rules no longer allow them. */
  subscriptionsRevoked: number;
  /** Sessions of another identity discarded because the client id's owner connected. */
  clientIdsReclaimed: number;
  /** Refusals and evictions by quota (issue 9 §3). */
  quotaSubscriptionsRefused: number;
  quotaConnectionsReplaced: number;
  quotaSessionsDiscarded: number;
  quotaAddressConnectionsRefused: number;
  quotaAddressRateRefused: number;
  quotaRetainedRefused: number;
  /** Shared-group messages the fabric handed here after the group's last member left. */
  sharedUndeliverable: number;
}

/** Counters that start at zero (one set per engine). */
export function zeroCounters(): EngineCounters {
  return {
    connectionsAccepted: 0,
    connectsRefused: 0,
    messagesReceived: 0,
    messagesRouted: 0,
    publishDenied: 0,
    subscribeDenied: 0,
    slowSubscribersDisconnected: 0,
    sessionsTakenOver: 0,
    sessionMessagesStored: 0,
    sessionMessagesKeptHere: 0,
    sessionMessagesResumed: 0,
    sessionsAdopted: 0,
    publishThrottled: 0,
    publishersSlowed: 0,
    droppedUnderMemoryPressure: 0,
    packetViolations: 0,
    connectionsRevoked: 0,
    subscriptionsRevoked: 0,
    clientIdsReclaimed: 0,
    quotaSubscriptionsRefused: 0,
    quotaConnectionsReplaced: 0,
    quotaSessionsDiscarded: 0,
    quotaAddressConnectionsRefused: 0,
    quotaAddressRateRefused: 0,
    quotaRetainedRefused: 0,
    sharedUndeliverable: 0,
  };
}
