// Every value CONNACK advertises and every limit the engine enforces, with safe defaults.

/** Engine limits; all configurable by the broker service. */
export interface EngineLimits {
  /** A connection that sends no CONNECT in this time is closed (OBUSPA opens idle probes). */
  connectTimeoutMs: number;
  /** Largest packet accepted, in bytes; larger ones end the connection with 0x95. */
  maxPacketSize: number;
  /** Our Receive Maximum: QoS 1/2 PUBLISHes a client may have unacknowledged towards us. */
  receiveMaximum: number;
  /**
   * QoS 1/2 messages we keep unacknowledged towards one client: the client's Receive Maximum
   * when lower (MQTT 3.1.1 has none, so this bounds them too).
   */
  maxInflightMessages: number;
  /** Features CONNACK advertises; a client using one that is off is refused as the spec says. */
  maximumQoS: 0 | 1 | 2;
  retainAvailable: boolean;
  wildcardSubscriptionAvailable: boolean;
  subscriptionIdentifiersAvailable: boolean;
  sharedSubscriptionAvailable: boolean;
  /** Highest keep-alive accepted; larger requests get this as Server Keep Alive. */
  maxKeepAliveSeconds: number;
  /** Topic aliases a client may use towards us. */
  topicAliasMaximum: number;
  /** Longest topic in bytes and deepest topic in levels. */
  maxTopicBytes: number;
  maxTopicLevels: number;
  /** Messages queued per session for delivery (QoS 0 dropped first when full). */
  maxQueuedMessages: number;
  /** Deadline for an auth or acl answer. */
  deciderTimeoutMs: number;
  /** Longest session expiry granted, in seconds. */
  maxSessionExpirySeconds: number;
  /** PUBLISHes per second one client may send (0 = unlimited); past it its socket is paused. */
  maxPublishRate: number;
  /** PUBLISHes a client may send at once above the rate. */
  publishBurst: number;
  /** Seconds between $SYS statistics (0 = none). */
  sysIntervalSeconds: number;
  /** Unsent bytes a connection's socket may hold before deliveries wait in its session queue. */
  writeBufferBytes: number;
  /**
   * How long a QoS 1/2 PUBLISH waits (before its acknowledgement) for a backlogged local
   * subscriber to catch up: publishers are slowed down first; a subscriber still full after
   * that is disconnected (0x97) rather than losing acknowledged messages.
   */
  publisherWaitMs: number;
  /** Memory (heap + buffers, bytes) past which the engine sheds load (0 = no guard). */
  memoryLimitBytes: number;
  /** Open connections from one source address before its CONNECTs get 0x97 (0 = no limit). */
  maxConnectionsPerAddress: number;
  /** CONNECTs per second from one source address before 0x9F (0 = no limit), and its burst. */
  connectRatePerAddress: number;
  connectBurstPerAddress: number;
}

/** Safe defaults. */
export const DEFAULT_LIMITS: EngineLimits = {
  connectTimeoutMs: 10_000,
  maxPacketSize: 256 * 1024,
  receiveMaximum: 64,
  maxInflightMessages: 64,
  maximumQoS: 2,
  retainAvailable: true,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifiersAvailable: true,
  sharedSubscriptionAvailable: true,
  maxKeepAliveSeconds: 600,
  topicAliasMaximum: 16,
  maxTopicBytes: 1024,
  maxTopicLevels: 16,
  maxQueuedMessages: 1000,
  deciderTimeoutMs: 3000,
  maxSessionExpirySeconds: 7 * 24 * 3600,
  maxPublishRate: 1000,
  publishBurst: 2000,
  sysIntervalSeconds: 10,
  writeBufferBytes: 64 * 1024,
  publisherWaitMs: 5000,
  memoryLimitBytes: 512 * 1024 * 1024,
  // Carrier-grade NAT puts thousands of devices behind one address, and a fleet reconnects at
  // once after an outage: generous, but a single attacker address cannot hold every slot.
  maxConnectionsPerAddress: 5000,
  connectRatePerAddress: 100,
  connectBurstPerAddress: 500,
};
