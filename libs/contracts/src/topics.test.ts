import { brokerEventSubject, Subjects } from './subjects.ts';
import { DEFAULT_TOPIC_PREFIX, uspTopics, validateTopicPrefix } from './topics.ts';

describe('USP topic templates', () => {
  test('build the Oktopus-compatible topics under the default prefix', () => {
    const t = uspTopics();
    expect(t.prefix).toBe(DEFAULT_TOPIC_PREFIX);
    expect(t.agent('os::00D09E-1234')).toBe('oktopus/usp/v1/agent/os::00D09E-1234');
    expect(t.controller).toBe('oktopus/usp/v1/controller');
    expect(t.controllerFor('e1')).toBe('oktopus/usp/v1/controller/e1');
    expect(t.api('e1')).toBe('oktopus/usp/v1/api/e1');
    expect(t.status('e1')).toBe('oktopus/usp/v1/status/e1');
  });

  test('take a configured prefix and refuse unusable ones', () => {
    expect(uspTopics('acme/usp').agent('x')).toBe('acme/usp/agent/x');
    for (const bad of ['', '/a', 'a/', 'a//b', 'a/+', 'a/#', 'a\u0000b', '$usp/v1']) {
      expect(validateTopicPrefix(bad)).toBeDefined();
      expect(() => uspTopics(bad)).toThrow(RangeError);
    }
  });

  test('never place an endpoint id that could reach another topic', () => {
    const t = uspTopics();
    for (const bad of ['', '+', '#', 'a/b', 'x\u0000'])
      expect(() => t.agent(bad)).toThrow(RangeError);
  });
});

describe('subjects', () => {
  test('are the contract names of the mesh', () => {
    expect(Subjects.authAuthenticate).toBe('mesh.auth.v1.authenticate');
    expect(Subjects.aclAuthorize).toBe('mesh.acl.v1.authorize');
    expect(Subjects.aclChanged).toBe('mesh.acl.v1.changed');
    expect(brokerEventSubject('connected')).toBe('mesh.broker.v1.events.connected');
  });
});
