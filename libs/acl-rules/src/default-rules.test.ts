import { defaultUspRules } from './default-rules.ts';
import { AclRuleError } from './errors.ts';
import type { AclAction, AclIdentity } from './model.ts';
import { parseRule } from './rule.ts';
import { deciders } from './test-support/deciders.ts';
import { thrownBy } from './test-support/thrown-by.ts';

const p = 'oktopus/usp/v1';
const own = 'os::00D09E-1234';
const other = 'os::00D09E-9999';

const device: AclIdentity = {
  username: 'dev-1234',
  clientId: 'cid-1234',
  endpointId: own,
  role: 'device',
};
const controller: AclIdentity = {
  username: 'ctl',
  clientId: 'ctl-1',
  endpointId: 'oktopus-controller',
  role: 'controller',
};
const admin: AclIdentity = { username: 'root', clientId: 'root-1', endpointId: '', role: 'admin' };
const anonymous: AclIdentity = {
  username: '',
  clientId: 'anon-1',
  endpointId: '',
  role: 'anonymous',
};

type Row = readonly [AclAction, string, string | undefined];

describe('defaultUspRules', () => {
  test('gives every built-in rule a valid definition and a unique id starting with default:', () => {
    const rules = defaultUspRules(p);
    for (const rule of rules) {
      expect(rule.id.startsWith('default:')).toBe(true);
      expect(parseRule(rule)).toEqual(rule);
    }
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
  });

  test('gives no role a rule to publish status topics, which the broker writes alone', () => {
    const statusPublishers = defaultUspRules(p).filter(
      (rule) => rule.action === 'publish' && rule.topic.includes('/status'),
    );
    expect(statusPublishers).toEqual([]);
  });

  test.each(['', 'a/+', 'a/#', '/usp', 'usp/', 'usp//v1', '$usp', 'a\u0000b'])(
    'rejects the prefix %j',
    (prefix) => {
      const error = thrownBy(() => defaultUspRules(prefix));
      expect(error).toBeInstanceOf(AclRuleError);
      expect((error as AclRuleError).problems).toEqual([expect.stringMatching(/^prefix /)]);
    },
  );
});

describe.each(deciders)('the default USP policy judged by %s', (_name, build) => {
  const judge = build(defaultUspRules(p));

  function expectRows(identity: AclIdentity, rows: readonly Row[]): void {
    for (const [action, topic, ruleId] of rows) {
      const decision = judge(identity, { action, topic });
      const expected = ruleId === undefined ? { allow: false } : { allow: true, ruleId };
      if (
        decision.allow !== expected.allow ||
        (ruleId !== undefined && decision.ruleId !== ruleId)
      ) {
        throw new Error(
          `${action} ${topic}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(decision)}`,
        );
      }
    }
  }

  describe('for a device', () => {
    test('allows subscribing to its own agent topic and the topics below it', () => {
      expectRows(device, [
        ['subscribe', `${p}/agent/${own}`, 'default:device:subscribe-agent'],
        ['subscribe', `${p}/agent/${own}/#`, 'default:device:subscribe-agent-tree'],
        ['subscribe', `${p}/agent/${own}/+`, 'default:device:subscribe-agent-tree'],
        ['subscribe', `${p}/agent/${own}/x/y`, 'default:device:subscribe-agent-tree'],
        ['subscribe', `$share/g/${p}/agent/${own}`, 'default:device:subscribe-agent'],
      ]);
    });

    test("denies subscribing to another device's agent topic", () => {
      expectRows(device, [
        ['subscribe', `${p}/agent/${other}`, undefined],
        ['subscribe', `${p}/agent/${other}/#`, undefined],
      ]);
    });

    test('denies every wildcard subscription that reaches beyond its own topics', () => {
      expectRows(device, [
        ['subscribe', `${p}/agent/+`, undefined],
        ['subscribe', `${p}/agent/#`, undefined],
        ['subscribe', '#', undefined],
        ['subscribe', '+/+/+/+/+', undefined],
        ['subscribe', `${p}/+/${own}`, undefined],
        ['subscribe', `$share/g/${p}/agent/+`, undefined],
        ['subscribe', '$share/g/#', undefined],
        ['subscribe', '$SYS/#', undefined],
      ]);
    });

    test('denies subscribing by prefix to a longer id, and to controller or status topics', () => {
      expectRows(device, [
        ['subscribe', `${p}/agent/${own}x`, undefined],
        ['subscribe', `${p}/agent`, undefined],
        ['subscribe', `${p}/controller/${own}`, undefined],
        ['subscribe', `${p}/status/${own}`, undefined],
      ]);
    });

    test('allows publishing to the controllers and to its own reply and api topics', () => {
      expectRows(device, [
        ['publish', `${p}/controller`, 'default:device:publish-controller'],
        ['publish', `${p}/controller/${own}`, 'default:device:publish-controller-reply'],
        ['publish', `${p}/api/${own}`, 'default:device:publish-api'],
      ]);
    });

    test('allows an MQTT 3.1.1 agent the reply-to controller topic naming its own agent topic only', () => {
      const replyTo = (id: string) =>
        `${p}/controller/reply-to=${`${p}/agent/${id}`.replaceAll('/', '%2F')}`;
      expectRows(device, [
        ['publish', replyTo(own), 'default:device:publish-controller-reply-to'],
        ['publish', replyTo(other), undefined],
        ['publish', `${replyTo(own)}x`, undefined],
        ['publish', `${replyTo(own)}/x`, undefined],
        ['publish', `${p}/controller/reply-to=${p}/agent/${own}`, undefined],
      ]);
    });

    test("denies publishing to other devices' topics, status, agent topics and prefix-match targets", () => {
      expectRows(device, [
        ['publish', `${p}/controller/${other}`, undefined],
        ['publish', `${p}/api/${other}`, undefined],
        ['publish', `${p}/status/${own}`, undefined],
        ['publish', `${p}/agent/${own}`, undefined],
        ['publish', `${p}/agent/${other}`, undefined],
        ['publish', `${p}/controller/${own}x`, undefined],
        ['publish', `${p}/controller/${own}/x`, undefined],
        ['publish', `${p}/api/${own}x`, undefined],
        ['publish', `${p}/controllerx`, undefined],
      ]);
    });
  });

  describe('for a device with a hostile endpoint id', () => {
    test.each(['a/b', '+', '#', 'x/#', ''])(
      'never widens access for the endpoint id %j',
      (endpointId) => {
        const hostile = { ...device, endpointId };
        expectRows(hostile, [
          ['subscribe', `${p}/agent/+`, undefined],
          ['subscribe', `${p}/agent/#`, undefined],
          ['subscribe', `${p}/agent/${endpointId}`, undefined],
          ['subscribe', `${p}/agent/${endpointId}/#`, undefined],
          ['subscribe', `${p}/agent/${own}`, undefined],
          ['publish', `${p}/controller/a/b`, undefined],
          ['publish', `${p}/controller/`, undefined],
          ['publish', `${p}/api/${own}`, undefined],
        ]);
        // Rules without variables still apply: the device is not locked out of what is shared.
        expectRows(hostile, [['publish', `${p}/controller`, 'default:device:publish-controller']]);
      },
    );

    test("denies a device whose endpoint id is '+' the subscription to every agent topic", () => {
      const decision = judge(
        { ...device, endpointId: '+' },
        { action: 'subscribe', topic: `${p}/agent/+` },
      );
      expect(decision).toEqual({ allow: false, ruleId: undefined, reason: 'no rule allows' });
    });
  });

  describe('for a controller', () => {
    test('allows publishing to any agent topic', () => {
      expectRows(controller, [
        ['publish', `${p}/agent/${own}`, 'default:controller:publish-agent'],
        ['publish', `${p}/agent/${other}/x`, 'default:controller:publish-agent'],
      ]);
    });

    test('allows reading controller, api and status topics, shared or not', () => {
      expectRows(controller, [
        ['subscribe', `${p}/controller/#`, 'default:controller:subscribe-controller'],
        ['subscribe', `${p}/controller`, 'default:controller:subscribe-controller'],
        ['subscribe', `${p}/controller/+`, 'default:controller:subscribe-controller'],
        ['subscribe', `$share/ctl/${p}/controller/#`, 'default:controller:subscribe-controller'],
        ['subscribe', `${p}/api/#`, 'default:controller:subscribe-api'],
        ['subscribe', `${p}/status/#`, 'default:controller:subscribe-status'],
        ['subscribe', `${p}/status/${own}`, 'default:controller:subscribe-status'],
      ]);
    });

    test('denies writing controller, api or status topics and reading agent topics or everything', () => {
      expectRows(controller, [
        ['publish', `${p}/controller/${own}`, undefined],
        ['publish', `${p}/api/${own}`, undefined],
        ['publish', `${p}/status/${own}`, undefined],
        ['subscribe', `${p}/agent/#`, undefined],
        ['subscribe', `${p}/#`, undefined],
        ['subscribe', `${p}/+/x`, undefined],
        ['subscribe', '#', undefined],
        ['subscribe', '$SYS/#', undefined],
      ]);
    });
  });

  describe('for an admin', () => {
    test('allows publishing and subscribing anywhere outside $-topics, and reading $SYS', () => {
      expectRows(admin, [
        ['publish', `${p}/agent/${own}`, 'default:admin:publish-all'],
        ['publish', 'anything/at/all', 'default:admin:publish-all'],
        ['subscribe', '#', 'default:admin:subscribe-all'],
        ['subscribe', '$share/g/#', 'default:admin:subscribe-all'],
        ['subscribe', '$SYS/#', 'default:admin:subscribe-sys'],
        ['subscribe', '$SYS/broker/uptime', 'default:admin:subscribe-sys'],
      ]);
    });

    test('denies publishing to $SYS and reading other $-topics [MQTT-4.7.2-1]', () => {
      expectRows(admin, [
        ['publish', '$SYS/broker/uptime', undefined],
        ['subscribe', '$other/#', undefined],
      ]);
    });
  });

  describe('for an anonymous client (development mode)', () => {
    test('allows publishing and subscribing anywhere outside $-topics', () => {
      expectRows(anonymous, [
        ['publish', `${p}/status/${own}`, 'default:anonymous:publish-all'],
        ['subscribe', '#', 'default:anonymous:subscribe-all'],
      ]);
    });

    test('denies reading $SYS [MQTT-4.7.2-1]', () => {
      expectRows(anonymous, [['subscribe', '$SYS/#', undefined]]);
    });
  });

  test('denies everything to a role the policy does not name', () => {
    for (const role of ['guest', '', 'Device']) {
      expectRows({ ...device, role }, [
        ['subscribe', `${p}/agent/${own}`, undefined],
        ['publish', `${p}/controller`, undefined],
      ]);
    }
  });

  test("reads '%' in the prefix literally, not as a template variable", () => {
    const literal = build(defaultUspRules('usp%e'));
    expect(literal(device, { action: 'subscribe', topic: `usp%e/agent/${own}` }).allow).toBe(true);
    expect(literal(device, { action: 'subscribe', topic: `usp${own}/agent/${own}` }).allow).toBe(
      false,
    );
  });
});
