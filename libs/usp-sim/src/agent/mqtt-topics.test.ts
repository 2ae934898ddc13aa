import {
  agentTopicsFromConnack,
  filterMatches,
  replyToSuffix,
  replyToTopic,
} from './mqtt-topics.ts';

describe('reply-to topics (MQTT 3.1.1)', () => {
  it('writes the reply-to topic with every / as %2F [R-MQTT.24]', () => {
    expect(replyToSuffix('oktopus/usp/v1/agent/os::SIM-1')).toBe(
      '/reply-to=oktopus%2Fusp%2Fv1%2Fagent%2Fos::SIM-1',
    );
  });

  it('reads the topic after the last /reply-to= and turns %2F back into / [R-MQTT.25]', () => {
    expect(replyToTopic('usp/agents/x/reply-to=usp%2Fcontrollers%2Fy')).toBe('usp/controllers/y');
    expect(replyToTopic('a/reply-to=b/reply-to=c%2fd')).toBe('c/d');
    expect(replyToTopic('usp/agents/x')).toBeUndefined();
    expect(replyToTopic('usp/agents/x/reply-to=')).toBeUndefined();
  });
});

describe('agentTopicsFromConnack (MQTT 5)', () => {
  const fallback = 'p/agent/e';

  it('prefers Response Information [R-MQTT.21] and subscribes every subscribe-topic [R-MQTT.15]', () => {
    expect(
      agentTopicsFromConnack(
        { responseInformation: 'p/agent/e', subscribeTopics: ['p/agent/e', 'p/agent/e/#'] },
        'x',
      ),
    ).toEqual({ agentTopic: 'p/agent/e', filters: ['p/agent/e', 'p/agent/e/#'] });
  });

  it('takes a subscribe-topic without wildcards when there is no Response Information', () => {
    expect(
      agentTopicsFromConnack(
        { responseInformation: undefined, subscribeTopics: ['q/#', 'q/agent/e'] },
        fallback,
      ),
    ).toEqual({
      agentTopic: 'q/agent/e',
      filters: ['q/#', 'q/agent/e'],
    });
  });

  it('falls back to the configured topic and subscribes to it when nothing covers it', () => {
    expect(
      agentTopicsFromConnack({ responseInformation: undefined, subscribeTopics: [] }, fallback),
    ).toEqual({
      agentTopic: fallback,
      filters: [fallback],
    });
  });
});

describe('filterMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/+', 'a/b/c', false],
    ['a/b', 'a/bc', false],
  ])('%s against %s is %s', (filter, topic, expected) => {
    expect(filterMatches(filter, topic)).toBe(expected);
  });
});
