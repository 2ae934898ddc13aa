// MQTT topic templates of the USP flow (TR-369 MQTT MTP as Oktopus lays it out). The prefix is
// configurable; endpoint ids are checked so that an id can never reach another topic.

/** The default topic prefix, compatible with Oktopus. */
export const DEFAULT_TOPIC_PREFIX = 'oktopus/usp/v1';

/** Why a prefix is unusable, or undefined when it is fine. */
export function validateTopicPrefix(prefix: string): string | undefined {
  if (prefix.length === 0) return 'topic prefix is empty';
  // A $ prefix would put every device topic among the broker's own ($SYS) topics, out of
  // reach of wildcard rules [MQTT-4.7.2-1].
  if (prefix.startsWith('$')) return 'topic prefix must not start with $';
  if (prefix.startsWith('/') || prefix.endsWith('/'))
    return 'topic prefix must not start or end with /';
  if (/[+#]/.test(prefix) || prefix.includes('\u0000'))
    return 'topic prefix must not contain +, # or NUL';
  if (prefix.split('/').some((level) => level.length === 0))
    return 'topic prefix has an empty level';
  return undefined;
}

/** Why an endpoint id cannot be placed in a topic level, or undefined when it can. */
export function validateEndpointIdForTopic(endpointId: string): string | undefined {
  if (endpointId.length === 0) return 'endpoint id is empty';
  if (/[+#/]/.test(endpointId) || endpointId.includes('\u0000'))
    return 'endpoint id contains +, #, / or NUL';
  return undefined;
}

function level(endpointId: string): string {
  const problem = validateEndpointIdForTopic(endpointId);
  if (problem !== undefined) throw new RangeError(problem);
  return endpointId;
}

/** Builds the USP topics under one prefix. */
export function uspTopics(prefix: string = DEFAULT_TOPIC_PREFIX) {
  const problem = validateTopicPrefix(prefix);
  if (problem !== undefined) throw new RangeError(problem);
  return {
    prefix,
    /** `<prefix>/agent/<id>`: the agent's own topic. */
    agent: (endpointId: string) => `${prefix}/agent/${level(endpointId)}`,
    /** `<prefix>/controller`: where agents publish Records. */
    controller: `${prefix}/controller`,
    /** `<prefix>/controller/<id>`: per-agent controller topic. */
    controllerFor: (endpointId: string) => `${prefix}/controller/${level(endpointId)}`,
    /** `<prefix>/api/<id>`: answers to API requests. */
    api: (endpointId: string) => `${prefix}/api/${level(endpointId)}`,
    /** `<prefix>/status/<id>`: presence, written by the broker alone. */
    status: (endpointId: string) => `${prefix}/status/${level(endpointId)}`,
  } as const;
}
/** The topic builders for one prefix. */
export type UspTopics = ReturnType<typeof uspTopics>;
