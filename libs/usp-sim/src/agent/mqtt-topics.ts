// Topic rules of the TR-369 MQTT binding that an agent applies itself: the 3.1.1 reply-to
// convention (R-MQTT.24, R-MQTT.25) and picking the agent's own topic from CONNACK (R-MQTT.15,
// R-MQTT.21).

const REPLY_TO = '/reply-to=';

/** The suffix a 3.1.1 PUBLISH carries: `/reply-to=<topic with every / as %2F>` [R-MQTT.24]. */
export function replyToSuffix(topic: string): string {
  return `${REPLY_TO}${topic.replaceAll('/', '%2F')}`;
}

/** The response topic named after the last `/reply-to=` of a 3.1.1 topic name [R-MQTT.25]. */
export function replyToTopic(topicName: string): string | undefined {
  const at = topicName.lastIndexOf(REPLY_TO);
  if (at < 0) return undefined;
  const topic = topicName.slice(at + REPLY_TO.length).replace(/%2F/gi, '/');
  return topic === '' ? undefined : topic;
}

/** True when an MQTT topic filter matches a topic name (`+` one level, `#` the rest). */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * The topic an MQTT 5 agent is reached on and the filters it subscribes to: Response Information
 * when the broker sent it [R-MQTT.21], else the first `subscribe-topic` without wildcards, else
 * the configured topic; every `subscribe-topic` is subscribed, plus the agent topic when none of
 * them covers it [R-MQTT.15].
 */
export function agentTopicsFromConnack(
  connack: { responseInformation: string | undefined; subscribeTopics: readonly string[] },
  fallback: string,
): { agentTopic: string; filters: string[] } {
  const plain = connack.subscribeTopics.find((t) => !/[+#]/.test(t));
  const agentTopic = connack.responseInformation || plain || fallback;
  const filters = [...new Set(connack.subscribeTopics)];
  if (!filters.some((f) => filterMatches(f, agentTopic))) filters.push(agentTopic);
  return { agentTopic, filters };
}
